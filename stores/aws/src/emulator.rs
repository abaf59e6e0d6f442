//! Connecting to a local AWS emulator (moto, `moto_server -H 127.0.0.1 -p
//! PORT`): its endpoint from `AWS_ENDPOINT_URL`, a region and dummy
//! credentials, and tables made on demand. Used by the emulator tests of
//! every crate and by local runs.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use copkit_core::store::StoreError;

use crate::config::dynamo_client;
use crate::dynamo::DynamoStore;
use crate::dynamo::calls::CallCounter;
use crate::dynamo::table::create_table;

/// What to do when no emulator is configured.
pub const HOW_TO_START: &str = "start a moto server (`moto_server -H 127.0.0.1 -p 5599`, or \
     tests/run-all.sh which starts one) and set AWS_ENDPOINT_URL=http://127.0.0.1:5599";

/// The emulator's endpoint from `AWS_ENDPOINT_URL`, if set.
pub fn endpoint_from_env() -> Option<String> {
    std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// SDK settings for the emulator at `endpoint`: a region and dummy
/// credentials.
pub async fn sdk_config(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "test",
            "test",
            None,
            None,
            "copkit-emulator",
        ))
        .load()
        .await
}

/// A table name no other run uses: `prefix` and 48 random bits.
pub fn unique_name(prefix: &str) -> Result<String, StoreError> {
    let mut suffix = [0u8; 6];
    getrandom::fill(&mut suffix)
        .map_err(|e| StoreError::Internal(format!("no secure random source: {e}")))?;
    Ok(format!("{prefix}-{}", hex::encode(suffix)))
}

/// A store on `table` at the emulator (the table is made when missing),
/// its calls counted into `counter` when given.
pub async fn store_on(
    config: &SdkConfig,
    table: &str,
    counter: Option<CallCounter>,
) -> Result<DynamoStore, StoreError> {
    let client = dynamo_client(config, counter);
    create_table(&client, table).await?;
    Ok(DynamoStore::new(client, table))
}
