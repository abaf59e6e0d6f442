//! The search function (see `copkit_lambda::search_feed`): the only one
//! that links the search engine. The table's change stream invokes it to
//! forward changes to the search queue (`COPKIT_SEARCH_QUEUE`, SQS FIFO),
//! the queue invokes it to bring each community's index in S3 up to date,
//! the API function invokes it with `{"search": …}` to run a search
//! (`copkit_aws::search_function`), and an operator invokes it with
//! `{"reindex": ["<community id>", …]}` to rebuild communities. Same
//! configuration as `bootstrap` (`COPKIT_TABLE`, `COPKIT_BUCKET`,
//! `COPKIT_SEARCH_PREFIX`, `COPKIT_SEARCH_SCRATCH`).

use copkit_aws as aws;
use lambda_http::{LambdaEvent, lambda_runtime, service_fn};
use serde_json::Value;

/// One thread: a Lambda sandbox hands its function one event at a time, so
/// worker threads would only cost start-up time and memory (blocking work
/// such as a search still runs on tokio's blocking pool).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    copkit_lambda::request_log::init_function_logs();
    let queue = std::env::var("COPKIT_SEARCH_QUEUE")
        .ok()
        .filter(|q| !q.trim().is_empty())
        .ok_or("COPKIT_SEARCH_QUEUE is not set: name the search queue's URL")?;
    let config = aws::sdk_config().await;
    let (copkit, index) =
        aws::search_function_from_env(&config, std::sync::Arc::new(copkit_search::FileText))
            .await?;
    let sqs = aws_sdk_sqs::Client::new(&config);
    let (copkit, index, sqs, queue) = (&copkit, index.as_ref(), &sqs, queue.as_str());
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        // A search's answer holds people's words: never logged.
        let search = event
            .payload
            .get(aws::search_function::SEARCH_KEY)
            .is_some();
        let answer = copkit_lambda::search_feed::handle(
            copkit,
            index,
            sqs,
            queue,
            event.payload,
            &event.context.request_id,
        )
        .await?;
        if search {
            tracing::info!("search answered");
        } else {
            tracing::info!(%answer, "search feed done");
        }
        Ok::<_, lambda_http::Error>(answer)
    }))
    .await
}
