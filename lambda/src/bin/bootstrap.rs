//! The AWS Lambda entry point: the same router as the local server, behind
//! API Gateway (HTTP API v2 or REST v1) with a JWT authorizer whose claims
//! identify the caller, over DynamoDB and S3.
//!
//! Configuration (environment, see `copkit_lambda::aws`): `COPKIT_TABLE`,
//! `COPKIT_BUCKET` (both required here), `COPKIT_CURSOR_KEY` (set the same
//! value on every instance so cursors and upload tickets survive).

use copkit_core::{Config, Copkit};
use copkit_lambda::aws::{self, AwsSettings};
use copkit_lambda::{AppState, Authenticator, app};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .without_time()
        .init();
    let settings = AwsSettings::from_env()?;
    if settings.bucket.is_none() {
        return Err("COPKIT_BUCKET is not set: name the S3 bucket for documents".into());
    }
    let config = aws::sdk_config().await;
    let stores = aws::connect(&config, &settings, false).await?;
    let mut builder =
        Copkit::builder(stores.store).config(Config::with_cursor_key(aws::cursor_key_from_env()?));
    if let Some(blobs) = stores.blobs {
        builder = builder.blobs(blobs);
    }
    let copkit = builder.build().map_err(|e| format!("{e}"))?;
    let router = app::router(AppState::new(copkit, Authenticator::ApiGateway));
    lambda_http::run(app::lambda_service(router)).await
}
