//! The emulator tests' connection to moto, through `copkit_aws::emulator`.
//!
//! The tests that need it are `#[ignore]`d with a reason, so a plain
//! `cargo test` lists them as ignored. `tests/run-all.sh` starts moto, sets
//! `AWS_ENDPOINT_URL` and runs them with `--ignored`; run that way without
//! an endpoint they fail with a message saying what is missing.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_config::SdkConfig;
use copkit_aws::DynamoStore;
use copkit_aws::emulator;

/// The table every emulator test shares (each check makes its own data).
pub const TABLE: &str = "copkit-tests";

/// SDK settings for the emulator, or a panic explaining how to get one.
pub async fn sdk_config() -> SdkConfig {
    let endpoint = emulator::endpoint_from_env()
        .unwrap_or_else(|| panic!("AWS_ENDPOINT_URL is not set: {}", emulator::HOW_TO_START));
    emulator::sdk_config(&endpoint).await
}

/// A store on the shared test table (created on first use).
pub async fn store() -> DynamoStore {
    emulator::store_on(&sdk_config().await, TABLE, None)
        .await
        .expect("creating the test table in moto")
}
