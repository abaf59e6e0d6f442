//! A test client over the router: requests by path template, answers
//! decoded, and a record of which kinds of answer each operation gave.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_arguments
)]

pub mod coverage;
pub mod moto;
pub mod requests;
pub mod services;
pub mod sqlite;
pub mod world;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use copkit_aws::dynamo::calls::CallCounter;
use copkit_core::{Clock, Config, Copkit, ManualClock, MemoryStore, SequentialIds, Store};
use copkit_lambda::{AppState, Authenticator, Claims, app};
use serde_json::Value;
use tower::ServiceExt;

/// What kind of answer an operation gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seen {
    Success,
    Invalid,
    NotFound,
    Forbidden,
    Stale,
    Replayed,
    Unauthorized,
}

pub struct Api {
    pub router: Router,
    pub auth: Authenticator,
    pub clock: Arc<ManualClock>,
    /// The services behind the router (for scheduled jobs).
    pub copkit: Copkit,
    pub seen: Mutex<BTreeMap<(String, String), BTreeSet<Seen>>>,
    /// DynamoDB calls per request, when the store counts them.
    pub calls: Option<CallLog>,
}

/// The most DynamoDB calls any successful answer of an operation took, by
/// SDK operation name, and whether it answered a page (`items`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calls {
    pub most: BTreeMap<String, u64>,
    pub total: u64,
    pub answers: u64,
    pub page: bool,
}

/// Counts DynamoDB calls request by request (requests are sent one at a time).
pub struct CallLog {
    pub counter: CallCounter,
    pub by_operation: Mutex<BTreeMap<(String, String), Calls>>,
    /// Scans by any request, successful or not.
    pub scans: Mutex<u64>,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub json: Value,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.json["code"].as_str().unwrap_or("")
    }
    pub fn etag(&self) -> String {
        self.headers["etag"].to_str().unwrap().to_owned()
    }
    pub fn id(&self) -> String {
        self.json["id"].as_str().unwrap().to_owned()
    }
}

impl Api {
    pub fn new() -> Api {
        Api::with_store(Arc::new(MemoryStore::new()))
    }

    /// The router over `store`, with a manual clock and sequential ids.
    pub fn with_store(store: Arc<dyn Store>) -> Api {
        Api::with_parts(store, Arc::new(copkit_core::MemoryBlobStore::new()))
    }

    /// The router over `store` with document bytes in `blobs`.
    pub fn with_parts(store: Arc<dyn Store>, blobs: Arc<dyn copkit_core::BlobStore>) -> Api {
        let clock = Arc::new(ManualClock::new("2026-03-02T09:00:00Z".parse().unwrap()));
        let copkit = Copkit::builder(store)
            .clock(clock.clone())
            .ids(Arc::new(SequentialIds::new()))
            .blobs(blobs)
            .config(Config::with_cursor_key([9; 32]))
            .search(Arc::new(copkit_search::TantivyIndex::in_memory().unwrap()))
            .build()
            .unwrap();
        let auth = Authenticator::hs256(b"router tests").with_clock(clock.clone());
        let router = app::router(AppState::new(copkit.clone(), auth.clone()));
        Api {
            router,
            auth,
            clock,
            copkit,
            seen: Mutex::new(BTreeMap::new()),
            calls: None,
        }
    }

    /// Records, per operation, the DynamoDB calls `counter` sees.
    pub fn counting(mut self, counter: CallCounter) -> Api {
        self.calls = Some(CallLog {
            counter,
            by_operation: Mutex::new(BTreeMap::new()),
            scans: Mutex::new(0),
        });
        self
    }

    /// What [`Api::counting`] recorded.
    pub fn calls(&self) -> BTreeMap<(String, String), Calls> {
        self.calls
            .as_ref()
            .map(|log| log.by_operation.lock().unwrap().clone())
            .unwrap_or_default()
    }

    pub fn token(&self, user: &str) -> String {
        self.auth
            .issue(&Claims {
                sub: user.into(),
                name: Some(format!("Dr {user}")),
                email: Some(format!("{user}@example.nhs.uk")),
                email_verified: Some(true),
                exp: Some(self.clock.now().as_second() + 24 * 3600),
                ..Claims::default()
            })
            .unwrap()
    }

    /// Sends `method template` with `{name}` parts replaced from `params`.
    pub async fn call(
        &self,
        method: Method,
        template: &str,
        params: &[(&str, &str)],
        user: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut path = template.to_owned();
        let template = template.split('?').next().unwrap_or(template);
        for (name, value) in params {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        let mut request = Request::builder().method(method.clone()).uri(&path);
        if let Some(user) = user {
            request = request.header("authorization", format!("Bearer {}", self.token(user)));
        }
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let body = body
            .map(|b| Body::from(serde_json::to_vec(&b).unwrap()))
            .unwrap_or_else(Body::empty);
        self.send(method, template, request.body(body).unwrap())
            .await
    }

    /// Sends a prepared request, recording the answer under `template`.
    pub async fn send(&self, method: Method, template: &str, request: Request<Body>) -> Answer {
        let template = template.split('?').next().unwrap_or(template);
        if let Some(log) = &self.calls {
            log.counter.take();
        }
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec();
        let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
        if let Some(log) = &self.calls {
            let used = log.counter.take();
            *log.scans.lock().unwrap() += used.get("Scan").copied().unwrap_or(0);
            if status.is_success() {
                let mut all = log.by_operation.lock().unwrap();
                let calls = all
                    .entry((method.to_string(), template.to_owned()))
                    .or_default();
                calls.answers += 1;
                calls.page |= json.get("items").is_some_and(Value::is_array);
                let total: u64 = used.values().sum();
                if total >= calls.total {
                    calls.total = total;
                    calls.most = used;
                }
            }
        }
        let answer = Answer {
            status,
            headers,
            body,
            json,
        };
        let kind = if answer.headers.contains_key("idempotent-replayed") {
            Some(Seen::Replayed)
        } else if status.is_success() {
            Some(Seen::Success)
        } else {
            match status.as_u16() {
                400 | 413 | 415 | 422 => Some(Seen::Invalid),
                401 => Some(Seen::Unauthorized),
                403 => Some(Seen::Forbidden),
                404 => Some(Seen::NotFound),
                409 if answer.code() == "version_conflict" => Some(Seen::Stale),
                _ => None,
            }
        };
        if status.is_client_error() || status.is_server_error() {
            assert_eq!(
                answer.headers["content-type"], "application/problem+json",
                "{method} {template}: errors are problem+json"
            );
            assert_eq!(
                answer.json["status"],
                status.as_u16(),
                "{method} {template}"
            );
        }
        assert!(
            !status.is_server_error(),
            "{method} {template} answered {status}: {:?}",
            answer.json
        );
        assert_eq!(
            answer
                .headers
                .get("x-content-type-options")
                .map(|v| v.as_bytes()),
            Some(b"nosniff".as_slice()),
            "{method} {template}: every answer says nosniff"
        );
        if let Some(kind) = kind {
            self.seen
                .lock()
                .unwrap()
                .entry((method.to_string(), template.to_owned()))
                .or_default()
                .insert(kind);
        }
        answer
    }

    pub fn seen(&self) -> BTreeMap<(String, String), BTreeSet<Seen>> {
        self.seen.lock().unwrap().clone()
    }
}

/// What an operation is held to: reads and list pages at most 2 DynamoDB
/// calls, writes one transaction plus at most 2 reads, nothing ever scans.
/// A write's single-item calls outside its transaction are counted apart,
/// each bounded: an `Idempotency-Key`'s claim and kept answer and a
/// report's hold (at most 3 `PutItem`), the rate tally (at most 1
/// `UpdateItem`), a released key (at most 1 `DeleteItem`).
pub fn call_target(method: &str, calls: &Calls) -> (&'static str, bool) {
    let count = |op: &str| calls.most.get(op).copied().unwrap_or(0);
    let transactions = count("TransactWriteItems");
    let scans = count("Scan");
    let (kind, within) = if method == "GET" && calls.page {
        ("list page", calls.total <= 2)
    } else if method == "GET" {
        ("read", calls.total <= 2)
    } else {
        let (puts, tallies, releases) =
            (count("PutItem"), count("UpdateItem"), count("DeleteItem"));
        let reads = calls.total - transactions - puts - tallies - releases;
        (
            "write",
            transactions <= 1 && reads <= 2 && puts <= 3 && tallies <= 1 && releases <= 1,
        )
    };
    (kind, within && scans == 0)
}

/// A Markdown table of calls per operation, and the operations over target.
pub fn calls_table(calls: &BTreeMap<(String, String), Calls>) -> (String, Vec<String>) {
    const OPS: [&str; 4] = ["GetItem", "BatchGetItem", "Query", "TransactWriteItems"];
    let mut table = String::from(
        "| endpoint | kind | GetItem | BatchGetItem | Query | TransactWriteItems | other | total | target met |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    let mut over = Vec::new();
    for ((method, path), c) in calls {
        let (kind, within) = call_target(method, c);
        let known: u64 = OPS.iter().filter_map(|op| c.most.get(*op)).sum();
        let counts: Vec<String> = OPS
            .iter()
            .map(|op| c.most.get(*op).copied().unwrap_or(0).to_string())
            .collect();
        table.push_str(&format!(
            "| `{method} {path}` | {kind} | {} | {} | {} | {} |\n",
            counts.join(" | "),
            c.total - known,
            c.total,
            if within { "yes" } else { "**no**" }
        ));
        if !within {
            over.push(format!("{method} {path} ({kind}): {:?}", c.most));
        }
    }
    (table, over)
}
