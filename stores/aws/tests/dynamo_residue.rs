//! After an erasure no item of the DynamoDB table (on moto) holds the
//! person's id, handle, name or email: the residue test of the conformance
//! scenario, with every item of a table of its own scanned and searched.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod moto;

use std::sync::Arc;

use copkit_aws::emulator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --ignored)"]
async fn erasure_leaves_no_residue_in_dynamodb() {
    let config = moto::sdk_config().await;
    let table = emulator::unique_name("copkit-residue").unwrap();
    let store = emulator::store_on(&config, &table, None).await.unwrap();
    let erased = copkit_core::store::conformance::residue_after_erasure(Arc::new(store)).await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let mut dump = String::new();
    let mut start = None;
    loop {
        let page = client
            .scan()
            .table_name(&table)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        for item in page.items() {
            dump.push_str(&format!("{item:?}\n"));
        }
        match page.last_evaluated_key() {
            Some(key) => start = Some(key.clone()),
            None => break,
        }
    }
    assert!(
        dump.contains("Febrile infant pathway"),
        "the scan holds the records"
    );
    assert_eq!(
        erased.found_in(&dump),
        Vec::<String>::new(),
        "residue of {erased:?}"
    );
}
