//! Arbitrary requests through the router: every operation of the OpenAPI
//! document, with path ids that exist or do not, random query values
//! (cursors, limits, dates), random `If-Match` and `Idempotency-Key`
//! headers and random bodies (bytes, or JSON built from the document's own
//! field names and enum values), sent by the owner, a member, an outsider
//! or nobody. Every answer must be a documented outcome: no 5xx, every
//! error as problem+json (checked by [`common::Api::send`]).
//!
//! `COPKIT_FUZZ_CASES` sets the number of requests (256 by default, the
//! CI profile; `COPKIT_FUZZ_CASES=1000000 cargo test --release -p
//! copkit-lambda --test fuzz` for the long run outside CI).

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request};
use common::world::{MEMBER, OUTSIDER, OWNER, World};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunConfig, TestRunner};
use serde_json::{Map, Value};

/// An operation of the document.
#[derive(Debug, Clone)]
struct Operation {
    method: Method,
    template: String,
}

/// What the document offers to build requests from.
struct Vocabulary {
    operations: Vec<Operation>,
    fields: Vec<String>,
    words: Vec<String>,
}

fn collect(value: &Value, fields: &mut BTreeSet<String>, words: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get("properties") {
                fields.extend(properties.keys().cloned());
            }
            if let Some(Value::Array(values)) = map.get("enum") {
                words.extend(values.iter().filter_map(|v| v.as_str().map(str::to_owned)));
            }
            for v in map.values() {
                collect(v, fields, words);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect(v, fields, words)),
        _ => {}
    }
}

fn vocabulary() -> Vocabulary {
    let doc = copkit_lambda::app::openapi_document();
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if let Ok(method) = method.to_uppercase().parse::<Method>() {
                operations.push(Operation {
                    method,
                    template: path.clone(),
                });
            }
        }
    }
    let (mut fields, mut words) = (BTreeSet::new(), BTreeSet::new());
    collect(&doc, &mut fields, &mut words);
    Vocabulary {
        operations,
        fields: fields.into_iter().collect(),
        words: words.into_iter().collect(),
    }
}

fn json_value(vocabulary: &Vocabulary) -> impl Strategy<Value = Value> {
    let words = vocabulary.words.clone();
    let fields = vocabulary.fields.clone();
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1000i64..1000).prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,40}".prop_map(Value::String),
        proptest::sample::select(words).prop_map(Value::String),
        Just(Value::String("2026-03-02T09:00:00Z".into())),
        Just(Value::String("Europe/London".into())),
    ];
    leaf.prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((proptest::sample::select(fields.clone()), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// One arbitrary request.
#[derive(Debug, Clone)]
struct Drawn {
    operation: usize,
    ids: Vec<u8>,
    junk_id: String,
    query: Vec<(String, String)>,
    if_match: Option<String>,
    key: Option<String>,
    body: DrawnBody,
    caller: u8,
}

#[derive(Debug, Clone)]
enum DrawnBody {
    None,
    Bytes(Vec<u8>, String),
    Json(Value),
}

fn drawn(vocabulary: &Vocabulary) -> impl Strategy<Value = Drawn> {
    let query_names = prop_oneof![
        Just("limit".to_owned()),
        Just("cursor".to_owned()),
        Just("from".to_owned()),
        Just("to".to_owned()),
        Just("days".to_owned()),
        Just("status".to_owned()),
        Just("q".to_owned()),
        Just("version".to_owned()),
        "[a-z_]{1,8}",
    ];
    let query_value = prop_oneof![
        "-?[0-9]{1,6}",
        ".{0,30}",
        "[A-Za-z0-9_-]{10,60}",
        Just("2026-01-01".to_owned()),
    ];
    let body = prop_oneof![
        Just(DrawnBody::None),
        (
            proptest::collection::vec(any::<u8>(), 0..64),
            prop_oneof![
                Just("application/json".to_owned()),
                Just("text/plain".to_owned()),
                Just("application/octet-stream".to_owned()),
                ".{0,20}",
            ]
        )
            .prop_map(|(b, t)| DrawnBody::Bytes(b, t)),
        json_value(vocabulary).prop_map(DrawnBody::Json),
    ];
    (
        0..vocabulary.operations.len(),
        proptest::collection::vec(any::<u8>(), 3),
        "[A-Za-z0-9%._~-]{0,30}",
        proptest::collection::vec((query_names, query_value), 0..3),
        proptest::option::of(prop_oneof![
            Just("\"1\"".to_owned()),
            "\"[0-9]{1,20}\"",
            ".{0,20}",
        ]),
        proptest::option::of(prop_oneof!["[A-Za-z0-9_-]{8,20}", ".{0,20}"]),
        body,
        0u8..4,
    )
        .prop_map(
            |(operation, ids, junk_id, query, if_match, key, body, caller)| Drawn {
                operation,
                ids,
                junk_id,
                query,
                if_match,
                key,
                body,
                caller,
            },
        )
}

fn path_of(w: &World, template: &str, d: &Drawn) -> String {
    let known = [
        w.c.as_str(),
        w.secret.as_str(),
        w.open.as_str(),
        w.space.as_str(),
        w.archived.as_str(),
        MEMBER,
        OUTSIDER,
    ];
    let mut path = String::new();
    let mut slot = 0;
    for (i, part) in template.split('/').enumerate() {
        if i > 0 {
            path.push('/');
        }
        if part.starts_with('{') {
            let pick = d.ids.get(slot).copied().unwrap_or(0) as usize;
            slot += 1;
            if pick % 4 == 3 {
                path.push_str(&d.junk_id);
            } else {
                path.push_str(known[pick % known.len()]);
            }
        } else {
            path.push_str(part);
        }
    }
    path
}

fn request_of(w: &World, op: &Operation, d: &Drawn) -> Option<Request<Body>> {
    let mut uri = path_of(w, &op.template, d);
    if !d.query.is_empty() {
        let query: Vec<String> = d
            .query
            .iter()
            .map(|(k, v)| format!("{k}={}", url_escape(v)))
            .collect();
        uri = format!("{uri}?{}", query.join("&"));
    }
    let mut request = Request::builder().method(op.method.clone()).uri(uri);
    let caller = [Some(OWNER), Some(MEMBER), Some(OUTSIDER), None][d.caller as usize % 4];
    if let Some(user) = caller {
        request = request.header("authorization", format!("Bearer {}", w.api.token(user)));
    }
    if let Some(v) = &d.if_match {
        request = request.header("if-match", v.as_str());
    }
    if let Some(v) = &d.key {
        request = request.header("idempotency-key", v.as_str());
    }
    let body = match &d.body {
        DrawnBody::None => Body::empty(),
        DrawnBody::Bytes(bytes, content_type) => {
            request = request.header("content-type", content_type.as_str());
            Body::from(bytes.clone())
        }
        DrawnBody::Json(value) => {
            request = request.header("content-type", "application/json");
            Body::from(serde_json::to_vec(value).unwrap())
        }
    };
    // A header value the HTTP layer itself refuses never reaches a server.
    request.body(body).ok()
}

fn url_escape(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[test]
fn arbitrary_requests_get_documented_answers() {
    let cases: u32 = std::env::var("COPKIT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let w = runtime.block_on(World::on_memory());
    let vocabulary = vocabulary();
    let mut runner = TestRunner::new(RunConfig {
        cases,
        failure_persistence: None,
        ..RunConfig::default()
    });
    let statuses = std::sync::Mutex::new(std::collections::BTreeMap::<u16, u64>::new());
    runner
        .run(&drawn(&vocabulary), |d| {
            let op = &vocabulary.operations[d.operation];
            let Some(request) = request_of(&w, op, &d) else {
                return Ok(());
            };
            // `Api::send` fails the case on a 5xx or a non-problem error.
            let answer = runtime.block_on(w.api.send(op.method.clone(), &op.template, request));
            prop_assert!(answer.status.as_u16() < 500, "{:?} {}", op, answer.status);
            *statuses
                .lock()
                .unwrap()
                .entry(answer.status.as_u16())
                .or_default() += 1;
            Ok(())
        })
        .unwrap();
    let statuses = statuses.into_inner().unwrap();
    let answered: u64 = statuses.values().sum();
    println!(
        "{answered} of {cases} drawn requests sent, none answered 5xx; by status: {statuses:?}"
    );
    assert!(
        answered * 2 >= u64::from(cases),
        "most drawn requests are sendable"
    );
}
