//! A SQLite database another process keeps locked beyond the busy timeout
//! answers `503` with `Retry-After` (a retryable problem, never a 500), and
//! the refused write leaves nothing behind.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, header};
use common::Api;
use copkit_sqlite::{Database, SqliteStore};
use serde_json::{Value, json};
use tower::ServiceExt;

fn new_community(slug: &str) -> Value {
    json!({
        "slug": slug, "name": "Locked out", "purpose": "", "kind": "learning_set",
        "access": {"visibility": "private", "join_policy": "invite_only"}
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_locked_past_the_busy_timeout_is_a_503_with_retry_after() {
    let path = common::sqlite::fresh_path();
    let db = Database::open(&path).unwrap();
    db.set_busy_timeout(Duration::from_millis(100));
    let api = Api::with_store(Arc::new(SqliteStore::new(db)));

    // Another process holds the write lock. (Straight to the router: the
    // test client refuses any 5xx.)
    let holder = rusqlite::Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let request = Request::builder()
        .method(Method::POST)
        .uri("/communities")
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", api.token("helen")),
        )
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(new_community("locked-out").to_string()))
        .unwrap();
    let refused = api.router.clone().oneshot(request).await.unwrap();
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()[header::RETRY_AFTER], "1");
    let body = to_bytes(refused.into_body(), usize::MAX).await.unwrap();
    let problem: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["code"], "unavailable");
    holder.execute_batch("ROLLBACK").unwrap();

    // Nothing was written: the slug is free and the retry succeeds.
    let retried = api
        .call(
            Method::POST,
            "/communities",
            &[],
            Some("helen"),
            Some(new_community("locked-out")),
            &[],
        )
        .await;
    assert_eq!(retried.status, 201, "{:?}", retried.json);
}
