//! Every request is logged once, by route template, with its request id,
//! status, latency and store calls, and with nothing a caller sent: no
//! token, no email claim, no raw id from the path, no body text.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::Method;
use common::Api;
use serde_json::{Value, json};
use tracing_subscriber::fmt::MakeWriter;

/// Log lines written to memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }

    /// The request events, as the JSON the Lambda writes.
    fn requests(&self) -> Vec<Value> {
        self.text()
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap())
            .filter(|line| line["target"] == "copkit_lambda::request")
            .map(|line| line["fields"].clone())
            .collect()
    }
}

/// Logs of everything `work` does on this thread, as the Lambda formats them.
fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::INFO)
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

/// Founds a public community as helen, with `purpose` and `headers`.
async fn create_community(api: &Api, purpose: &str, headers: &[(&str, &str)]) -> common::Answer {
    api.call(
        Method::POST,
        "/communities",
        &[],
        Some("helen"),
        Some(json!({
            "slug": "wessex-trainers",
            "name": "Wessex trainers",
            "purpose": purpose,
            "kind": "learning_set",
            "access": {"visibility": "public", "join_policy": "open"}
        })),
        headers,
    )
    .await
}

#[tokio::test]
async fn a_request_is_logged_by_route_with_its_id_and_nothing_the_caller_sent() {
    let api = Api::new();
    let (captured, _guard) = capture();
    let created = create_community(
        &api,
        "A confidential-word-xyzzy purpose",
        &[("x-request-id", "caller-chosen-id.1")],
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.json);
    let id = created.json["card"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created.headers["x-request-id"], "caller-chosen-id.1");
    let read = api
        .call(
            Method::GET,
            "/communities/{id}",
            &[("id", &id)],
            Some("helen"),
            None,
            &[],
        )
        .await;
    assert_eq!(read.status, 200);
    // Not plain (a space): replaced by a fresh id.
    let odd = api
        .call(
            Method::GET,
            "/communities/{id}",
            &[("id", &id)],
            Some("helen"),
            None,
            &[("x-request-id", "two words")],
        )
        .await;
    let fresh = odd.headers["x-request-id"].to_str().unwrap();
    assert_eq!(fresh.len(), 32, "{fresh}");
    assert!(fresh.bytes().all(|b| b.is_ascii_hexdigit()));
    let missing = api
        .call(Method::GET, "/no/such/route", &[], Some("helen"), None, &[])
        .await;
    assert_eq!(missing.status, 404);

    let requests = captured.requests();
    assert_eq!(requests.len(), 4, "one event per request: {requests:?}");
    let routes: Vec<(&str, &str, u64)> = requests
        .iter()
        .map(|r| {
            (
                r["method"].as_str().unwrap(),
                r["route"].as_str().unwrap(),
                r["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        routes,
        vec![
            ("POST", "/communities", 201),
            ("GET", "/communities/{id}", 200),
            ("GET", "/communities/{id}", 200),
            ("GET", "unmatched", 404),
        ]
    );
    assert_eq!(requests[0]["request_id"], "caller-chosen-id.1");
    assert_eq!(requests[2]["request_id"], fresh);
    for request in &requests {
        assert!(request["latency_ms"].as_f64().unwrap() >= 0.0);
        // Memory store: no DynamoDB calls.
        assert_eq!(request["store_calls"], 0);
    }
    let text = captured.text();
    let token = api.token("helen");
    for secret in [
        id.as_str(),
        token.as_str(),
        "helen@example.nhs.uk",
        "confidential-word-xyzzy",
        "/no/such/route",
    ] {
        assert!(!text.contains(secret), "{secret} is not logged: {text}");
    }
}

#[tokio::test]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --ignored)"]
async fn on_dynamodb_each_request_logs_the_store_calls_it_made() {
    let store = common::moto::fresh_store(None).await;
    let api = Api::with_store(Arc::new(store));
    let (captured, _guard) = capture();
    let created = create_community(&api, "", &[]).await;
    assert_eq!(created.status, 201, "{}", created.json);
    let read = api
        .call(
            Method::GET,
            "/communities/{id}",
            &[("id", created.json["card"]["id"].as_str().unwrap())],
            Some("helen"),
            None,
            &[],
        )
        .await;
    assert_eq!(read.status, 200);
    let requests = captured.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        let calls = request["store_calls"].as_u64().unwrap();
        assert!((1..=25).contains(&calls), "{request}");
    }
}
