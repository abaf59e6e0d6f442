//! The search indexer function (see `copkit_lambda::search_feed`): the
//! table's change stream invokes it to forward changes to the search queue
//! (`COPKIT_SEARCH_QUEUE`, SQS FIFO), the queue invokes it to bring each
//! community's index in S3 up to date, and an operator invokes it with
//! `{"reindex": ["<community id>", …]}` to rebuild communities. Same
//! configuration as `bootstrap` (`COPKIT_TABLE`, `COPKIT_BUCKET`,
//! `COPKIT_SEARCH_PREFIX`, `COPKIT_SEARCH_SCRATCH`).

use copkit_aws as aws;
use lambda_http::{LambdaEvent, lambda_runtime, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    copkit_lambda::request_log::init_function_logs();
    let queue = std::env::var("COPKIT_SEARCH_QUEUE")
        .ok()
        .filter(|q| !q.trim().is_empty())
        .ok_or("COPKIT_SEARCH_QUEUE is not set: name the search queue's URL")?;
    let copkit = aws::copkit_for(aws::SearchRole::Index).await?;
    let sqs = aws_sdk_sqs::Client::new(&aws::sdk_config().await);
    let (copkit, sqs, queue) = (&copkit, &sqs, queue.as_str());
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let answer = copkit_lambda::search_feed::handle(
            copkit,
            sqs,
            queue,
            event.payload,
            &event.context.request_id,
        )
        .await?;
        tracing::info!(%answer, "search feed done");
        Ok::<_, lambda_http::Error>(answer)
    }))
    .await
}
