//! Connecting tests to the local AWS emulator (moto).
//!
//! The tests that need it are `#[ignore]`d with a reason, so a plain
//! `cargo test` lists them as ignored. `tests/run-all.sh` starts moto, sets
//! `AWS_ENDPOINT_URL` and runs them with `--include-ignored`; run that way
//! without an endpoint they fail with a message saying what is missing.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use copkit_lambda::dynamo::DynamoStore;
use copkit_lambda::dynamo::calls::CallCounter;
use copkit_lambda::dynamo::table::create_table;

/// Why the emulator tests are ignored by default.
pub const NEEDS_MOTO: &str = "needs a moto server: run tests/run-all.sh, or start `moto_server` \
     and set AWS_ENDPOINT_URL, then pass --include-ignored";

/// The table every emulator test shares (each check makes its own data).
pub const TABLE: &str = "copkit-tests";

/// The emulator's endpoint, or a panic explaining how to get one.
pub fn endpoint() -> String {
    match std::env::var("AWS_ENDPOINT_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!("AWS_ENDPOINT_URL is not set. {NEEDS_MOTO}"),
    }
}

/// SDK settings for the emulator: its endpoint, a region, dummy credentials.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "copkit-tests"))
        .load()
        .await
}

/// A store on the shared test table (created on first use).
pub async fn store() -> DynamoStore {
    store_on(TABLE, None).await
}

/// A store on a table of its own, for tests whose ids are not unique
/// (sequential ids, a manual clock).
pub async fn fresh_store() -> DynamoStore {
    let mut suffix = [0u8; 6];
    getrandom::fill(&mut suffix).unwrap();
    store_on(&format!("copkit-test-{}", hex::encode(suffix)), None).await
}

/// A store whose DynamoDB calls are counted, on a table of its own.
pub async fn counted_store(counter: CallCounter) -> DynamoStore {
    let mut suffix = [0u8; 6];
    getrandom::fill(&mut suffix).unwrap();
    store_on(
        &format!("copkit-calls-{}", hex::encode(suffix)),
        Some(counter),
    )
    .await
}

async fn store_on(table: &str, counter: Option<CallCounter>) -> DynamoStore {
    let config = sdk_config().await;
    let client = copkit_lambda::aws::dynamo_client(&config, counter);
    create_table(&client, table)
        .await
        .expect("creating the test table in moto");
    DynamoStore::new(client, table)
}
