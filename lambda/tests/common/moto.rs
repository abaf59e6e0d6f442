//! Router tests on DynamoDB: a table of their own in the moto emulator
//! (`copkit_aws::emulator`), its calls counted when asked.

use copkit_aws::DynamoStore;
use copkit_aws::dynamo::calls::CallCounter;
use copkit_aws::emulator;

/// Why the emulator tests are ignored by default.
pub const NEEDS_MOTO: &str =
    "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --ignored)";

/// A store on a fresh table (router tests use sequential ids and a manual
/// clock, so they never share a table), counting its calls into `counter`
/// when given.
pub async fn fresh_store(counter: Option<CallCounter>) -> DynamoStore {
    let endpoint = emulator::endpoint_from_env()
        .unwrap_or_else(|| panic!("AWS_ENDPOINT_URL is not set: {}", emulator::HOW_TO_START));
    let config = emulator::sdk_config(&endpoint).await;
    let table = emulator::unique_name("copkit-api").unwrap();
    emulator::store_on(&config, &table, counter)
        .await
        .expect("creating a table in moto")
}
