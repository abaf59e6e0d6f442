//! The cold-start baseline `lambda/coldstart.py` measures `bootstrap`
//! against: a hello-world `lambda_http` function that makes a DynamoDB
//! client at start-up, as the smallest useful function would. Built in the
//! same run, with the same profile and dependency versions.

use aws_config::BehaviorVersion;
use lambda_http::{Body, Error, Request, Response, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let config = aws_config::defaults(BehaviorVersion::latest()).load().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&config);
    lambda_http::run(service_fn(move |_request: Request| {
        // Held like a real handler would hold it; not called.
        let _client = dynamo.clone();
        async move { Ok::<_, Error>(Response::new(Body::from(r#"{"status":"ok"}"#))) }
    }))
    .await
}
