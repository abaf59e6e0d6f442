//! The client is complete by construction: every operation the server
//! describes in its served `/openapi.json` has a client method (an entry in
//! the client's table, which the every-operation suite calls), and the
//! table names nothing the server does not serve.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use copkit_client::operations::OPERATIONS;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_served_operation_has_a_client_method() {
    let local = common::start();
    let client = common::client(&local.base, "olivia", &common::Seen::default());
    let doc = client.openapi_document().await.unwrap();
    let served: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|m| ["get", "post", "put", "patch", "delete"].contains(&m.as_str()))
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    let table: BTreeSet<(String, String)> = OPERATIONS
        .iter()
        .map(|op| (op.method.to_owned(), op.path.to_owned()))
        .collect();
    let missing: Vec<_> = served.difference(&table).collect();
    assert!(
        missing.is_empty(),
        "operations without a client method: {missing:#?}"
    );
    let unknown: Vec<_> = table.difference(&served).collect();
    assert!(
        unknown.is_empty(),
        "client methods for no served operation: {unknown:#?}"
    );
    assert!(served.len() > 100, "{} operations", served.len());
}
