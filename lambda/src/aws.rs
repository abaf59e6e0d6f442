//! AWS settings from the environment, shared by `bootstrap`, `copkit-local
//! --store dynamodb`, the tests and the benches.
//!
//! | variable | meaning |
//! |---|---|
//! | `COPKIT_TABLE` | the DynamoDB table (required) |
//! | `COPKIT_BUCKET` | the S3 bucket for document bytes (required on Lambda) |
//! | `AWS_ENDPOINT_URL` | another endpoint, e.g. a local emulator (read by the SDK) |
//! | `AWS_REGION`, credentials | the usual SDK chain |

use aws_config::{BehaviorVersion, SdkConfig};

use crate::dynamo::calls::CallCounter;

/// Where copkit keeps its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsSettings {
    /// The DynamoDB table.
    pub table: String,
    /// The S3 bucket, if documents live in S3.
    pub bucket: Option<String>,
}

impl AwsSettings {
    /// Reads `COPKIT_TABLE` and `COPKIT_BUCKET`.
    pub fn from_env() -> Result<Self, String> {
        let table = std::env::var("COPKIT_TABLE")
            .ok()
            .filter(|t| !t.is_empty())
            .ok_or("COPKIT_TABLE is not set: name the DynamoDB table")?;
        let bucket = std::env::var("COPKIT_BUCKET")
            .ok()
            .filter(|b| !b.is_empty());
        Ok(AwsSettings { table, bucket })
    }
}

/// The SDK configuration from the environment (region, credentials,
/// `AWS_ENDPOINT_URL`).
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest()).load().await
}

/// A DynamoDB client, counting its calls into `counter` when given.
pub fn dynamo_client(config: &SdkConfig, counter: Option<CallCounter>) -> aws_sdk_dynamodb::Client {
    let mut builder = aws_sdk_dynamodb::config::Builder::from(config);
    if let Some(counter) = counter {
        builder = builder.interceptor(counter);
    }
    aws_sdk_dynamodb::Client::from_conf(builder.build())
}

/// An S3 client. With a custom endpoint (an emulator), buckets are
/// addressed by path, since `bucket.127.0.0.1` does not resolve.
pub fn s3_client(config: &SdkConfig) -> aws_sdk_s3::Client {
    let builder =
        aws_sdk_s3::config::Builder::from(config).force_path_style(config.endpoint_url().is_some());
    aws_sdk_s3::Client::from_conf(builder.build())
}
