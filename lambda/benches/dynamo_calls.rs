//! DynamoDB calls per HTTP operation: every router scenario of
//! `tests/api/` run against a DynamoDB table in moto, with the SDK
//! interceptor counting calls per request. Prints the Markdown table (the
//! most calls any successful answer of the operation took) with each
//! operation's target: reads and list pages at most 2 calls, writes one
//! `TransactWriteItems` plus at most 2 reads, never a Scan (a write's
//! single-item calls outside its transaction — an `Idempotency-Key`'s
//! claim and answer, the rate tally, a report's hold — are bounded apart;
//! see `call_target` in `tests/common/mod.rs`).
//!
//! Needs a moto server: `target/tools-venv/bin/python tests/moto_server.py
//! 127.0.0.1 5599 &` then
//! `AWS_ENDPOINT_URL=http://127.0.0.1:5599 cargo bench -p copkit-lambda --bench dynamo_calls`.
//! The same numbers are asserted per area by the `api` test under
//! `tests/run-all.sh` (tables in `target/dynamo-calls/`). After the table it
//! prints, for each operation over its target, why.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[allow(dead_code, unused_imports)]
#[path = "../tests/api/main.rs"]
mod api;

fn main() {
    if std::env::var_os("AWS_ENDPOINT_URL").is_none() {
        eprintln!(
            "dynamo_calls needs a DynamoDB endpoint: start tests/moto_server.py and set AWS_ENDPOINT_URL"
        );
        std::process::exit(2);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let calls = runtime.block_on(api::dynamodb_calls_per_operation());
    let (table, over) = api::calls_table(&calls);
    println!("{table}");
    let scans: u64 = calls
        .values()
        .map(|c| c.most.get("Scan").copied().unwrap_or(0))
        .sum();
    println!(
        "{} operations; {} within target; {} over; Scans: {scans}",
        calls.len(),
        calls.len() - over.len(),
        over.len()
    );
    // Why each operation over its target takes what it takes (the api
    // test fails when one goes over without a reason here).
    println!("\nOver target, and why:");
    for (operation, reason) in api::OVER_TARGET {
        println!("- {operation}: {reason}");
    }
}
