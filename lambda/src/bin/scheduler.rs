//! The scheduled Lambda function: EventBridge invokes it hourly (see
//! `template.yaml`) to run `copkit_lambda::scheduled`. Same configuration as
//! `bootstrap` (`COPKIT_TABLE`, `COPKIT_BUCKET`, `COPKIT_CURSOR_KEY`), and
//! `COPKIT_MAIL_FROM` (a verified SES identity) to send the outbox through
//! Amazon SES (`COPKIT_SES_CONFIGURATION_SET` optional); without it mail
//! stays in the outbox.

use copkit_aws as aws;
use copkit_core::mail::Mailer;
use copkit_lambda::metrics;
use copkit_lambda::scheduled::{self, ScheduledReport};
use lambda_http::{LambdaEvent, lambda_runtime, service_fn};
use serde_json::Value;

/// One thread: a Lambda sandbox hands its function one event at a time, so
/// worker threads would only cost start-up time and memory (blocking work
/// such as a search still runs on tokio's blocking pool).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    copkit_lambda::request_log::init_function_logs();
    let config = aws::sdk_config().await;
    let copkit = aws::copkit_from_env(&config).await?;
    let copkit = &copkit;
    let mailer = aws::ses::mailer_from_env(&config);
    let mailer = mailer.as_ref().map(|m| m as &dyn Mailer);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let report: ScheduledReport = scheduled::run(copkit, mailer, &event.payload).await?;
        tracing::info!(?report, "scheduled jobs done");
        println!(
            "{}",
            metrics::scheduled_line(
                report.digests.sent,
                report.digests.failed,
                metrics::now_ms()
            )
        );
        Ok::<_, lambda_http::Error>(report)
    }))
    .await
}
