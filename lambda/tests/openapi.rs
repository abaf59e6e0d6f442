//! The OpenAPI document and the router agree, and the document is sound.
//! (Its validity against the OpenAPI 3.1 specification is also checked by
//! `openapi-spec-validator` in `tests/run-all.sh`.)

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use copkit_lambda::app;
use serde_json::{Value, json};
use tower::ServiceExt;

mod common;

use common::coverage::concrete;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn router() -> axum::Router {
    common::Api::new().router
}

async fn status(router: &axum::Router, method: &str, path: &str) -> StatusCode {
    let m: Method = method.to_uppercase().parse().unwrap();
    let request = Request::builder()
        .method(m)
        .uri(path)
        .body(Body::empty())
        .unwrap();
    router.clone().oneshot(request).await.unwrap().status()
}

#[tokio::test]
async fn every_documented_operation_is_routed_and_nothing_else_is() {
    let doc = app::openapi_document();
    let router = router();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 55, "{} paths", paths.len());
    for (path, item) in paths {
        let documented: BTreeSet<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for method in METHODS {
            let got = status(&router, method, &concrete(path)).await;
            if documented.contains(method) {
                let want = if path == "/health" || path == "/openapi.json" {
                    StatusCode::OK
                } else if path == "/calendar/{token}" || path == "/unsubscribe/{token}" {
                    // Its token is its credential: an unknown one is not found.
                    StatusCode::NOT_FOUND
                } else {
                    StatusCode::UNAUTHORIZED
                };
                assert_eq!(
                    got, want,
                    "{method} {path} is documented and must be routed"
                );
            } else {
                assert_eq!(
                    got,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is not documented and must not be routed"
                );
            }
        }
    }
    for undocumented in [
        "/",
        "/admin",
        "/communities/01ARZ3NDEKTSV4RRFFQ69G5FAV/secret",
        "/debug/vars",
    ] {
        assert_eq!(
            status(&router, "get", undocumented).await,
            StatusCode::NOT_FOUND,
            "{undocumented}"
        );
    }
}

fn refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.insert(r.clone());
            }
            map.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

fn patterns(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(p)) = map.get("pattern") {
                out.push(p.clone());
            }
            if let Some(Value::String(f)) = map.get("format") {
                assert!(!f.starts_with("copkit:"), "unfinished marker {f}");
            }
            map.values().for_each(|v| patterns(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| patterns(v, out)),
        _ => {}
    }
}

#[test]
fn the_document_is_sound() {
    let doc = app::openapi_document();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    // Every reference resolves.
    let mut all = BTreeSet::new();
    refs(&doc, &mut all);
    for r in &all {
        let (kind, name) = r
            .strip_prefix("#/components/")
            .and_then(|r| r.split_once('/'))
            .filter(|(kind, _)| matches!(*kind, "schemas" | "responses"))
            .unwrap_or_else(|| panic!("odd ref {r}"));
        assert!(doc["components"][kind][name].is_object(), "dangling {r}");
    }

    // Every pattern compiles; no marker is left.
    let mut found = Vec::new();
    patterns(&doc, &mut found);
    assert!(found.len() > 20);
    for p in &found {
        regex::Regex::new(p).unwrap_or_else(|e| panic!("{p}: {e}"));
    }

    // Operation ids are unique; every operation has a tag, a success and its problems.
    let mut ids = BTreeSet::new();
    let mut used_tags = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path}: no operationId"));
            assert!(ids.insert(id.to_owned()), "duplicate operationId {id}");
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{method} {path}: no tag"
            );
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{method} {path}: no success"
            );
            if path != "/health" && path != "/openapi.json" {
                for status in ["401", "404", "422"] {
                    // A reference to the shared answer, which has the body.
                    let name = responses[status]["$ref"]
                        .as_str()
                        .and_then(|r| r.strip_prefix("#/components/responses/"))
                        .unwrap_or_else(|| panic!("{method} {path}: {status} is not shared"));
                    let problem = &doc["components"]["responses"][name]["content"]["application/problem+json"];
                    assert!(
                        problem.is_object(),
                        "{method} {path}: {status} lacks a problem body"
                    );
                }
            }
            for tag in op["tags"].as_array().unwrap() {
                used_tags.insert(tag.as_str().unwrap().to_owned());
            }
        }
    }
    // Every tag used is described, and every described tag is used.
    let described: BTreeSet<String> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert!(t["description"].as_str().is_some_and(|d| !d.is_empty()));
            t["name"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(used_tags, described);
    assert_eq!(doc["servers"][0]["url"], "/");
    // The shared answers carry the headers their statuses promise.
    let shared = &doc["components"]["responses"];
    assert!(shared["Unauthorized"]["headers"]["WWW-Authenticate"].is_object());
    assert!(shared["TooManyRequests"]["headers"]["Retry-After"].is_object());
    assert!(shared["ServiceUnavailable"]["headers"]["Retry-After"].is_object());

    // Time zones are the bundled IANA names, in one named schema that each
    // field refers to, with a distinct variable name for generated code.
    let schemas = &doc["components"]["schemas"];
    let zones: Vec<&str> = schemas["TimeZone"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z.as_str().unwrap())
        .collect();
    assert!(zones.len() > 300 && zones.contains(&"Europe/London"));
    let var_names: Vec<&str> = schemas["TimeZone"]["x-enum-varnames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(var_names.len(), zones.len());
    let distinct: std::collections::BTreeSet<String> =
        var_names.iter().map(|v| v.replace('_', "")).collect();
    assert_eq!(
        distinct.len(),
        zones.len(),
        "time-zone variable names collide"
    );
    for (zone, var) in zones.iter().zip(&var_names) {
        assert!(
            var.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
            "{zone} → {var}"
        );
    }
    // Every union but `T | null` names its variants and has a discriminator
    // mapping each tag value to one of them.
    let mut unions = 0;
    for (name, schema) in schemas.as_object().unwrap() {
        let Some(variants) = schema["oneOf"].as_array() else {
            continue;
        };
        if variants.iter().any(|v| v["type"] == "null") {
            continue;
        }
        unions += 1;
        let discriminator = &schema["discriminator"];
        let tag = discriminator["propertyName"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}"));
        let mapping = discriminator["mapping"].as_object().unwrap();
        assert_eq!(mapping.len(), variants.len(), "{name}");
        for (value, target) in mapping {
            let target = target.as_str().unwrap();
            let variant = &schemas[target.trim_start_matches("#/components/schemas/")];
            assert_eq!(
                variant["properties"][tag]["enum"][0], *value,
                "{name}: {target}"
            );
            assert!(
                variants.iter().any(|v| v["$ref"] == target),
                "{name}: {target}"
            );
        }
    }
    assert!(unions >= 13, "{unions} tagged unions");
    assert_eq!(
        schemas["ContentRef"]["discriminator"]["mapping"]["thread"],
        "#/components/schemas/ContentRefThread"
    );
    for schema in ["EventInput", "DigestPreference"] {
        assert_eq!(
            schemas[schema]["properties"]["time_zone"]["$ref"], "#/components/schemas/TimeZone",
            "{schema}"
        );
    }

    // Inputs are closed: unknown fields are refused and documented as such.
    for name in [
        "NewCommunity",
        "NewThread",
        "EventInput",
        "NewPoll",
        "NewInvitation",
        "ProfileChanges",
    ] {
        assert_eq!(
            doc["components"]["schemas"][name]["additionalProperties"], false,
            "{name}"
        );
    }
}

/// The example of the schema `name`, as the document publishes it.
fn example(doc: &Value, name: &str) -> Value {
    let example = doc["components"]["schemas"][name]["example"].clone();
    assert!(example.is_object(), "{name} has an example");
    example
}

#[tokio::test]
async fn the_published_request_examples_are_accepted_as_they_are() {
    let doc = app::openapi_document();
    let api = common::Api::new();
    let owner = "helen";
    let community = api
        .post("/communities", &[], owner, example(&doc, "NewCommunity"))
        .await;
    assert_eq!(community.status, 201, "{}", community.json);
    let community = community.json["card"]["id"].as_str().unwrap().to_owned();
    let space = api
        .post(
            "/communities/{id}/spaces",
            &[("id", &community)],
            owner,
            json!({"name": "Teaching", "visibility": {"type": "members"}}),
        )
        .await;
    assert_eq!(space.status, 201, "{}", space.json);
    let space = space.id();
    let thread = api
        .post(
            "/spaces/{id}/threads",
            &[("id", &space)],
            owner,
            example(&doc, "NewThread"),
        )
        .await;
    assert_eq!(thread.status, 201, "{}", thread.json);
    let post = api
        .post(
            "/threads/{id}/posts",
            &[("id", &thread.id())],
            owner,
            example(&doc, "NewPost"),
        )
        .await;
    assert_eq!(post.status, 201, "{}", post.json);
    let event = api
        .post(
            "/spaces/{id}/events",
            &[("id", &space)],
            owner,
            example(&doc, "EventInput"),
        )
        .await;
    assert_eq!(event.status, 201, "{}", event.json);
    let story = api
        .post(
            "/communities/{id}/value-stories",
            &[("id", &community)],
            owner,
            example(&doc, "NewValueStory"),
        )
        .await;
    assert_eq!(story.status, 201, "{}", story.json);
}

/// `GET path` without a token: its status, content type and body as text
/// (through the router tests' own client, `common::Api`).
async fn fetch(api: &common::Api, path: &str) -> (StatusCode, String, String) {
    let answer = api.call(Method::GET, path, &[], None, None, &[]).await;
    let kind = answer
        .headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        answer.status,
        kind,
        String::from_utf8_lossy(&answer.body).into_owned(),
    )
}

#[tokio::test]
async fn the_docs_page_works_offline_over_the_served_document() {
    let api = common::Api::new();
    // No token needed, like the document it shows.
    let (status, _, _) = fetch(&api, "/docs").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, kind, page) = fetch(&api, "/docs/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/html"), "{kind}");
    // Every asset the page loads comes from this server, by a relative link.
    let links: Vec<&str> = page
        .split(['"', '\''])
        .filter(|part| part.ends_with(".js") || part.ends_with(".css") || part.ends_with(".png"))
        .collect();
    assert!(links.len() >= 4, "{links:?}");
    for link in links {
        assert!(!link.contains("://") && !link.starts_with("//"), "{link}");
        let path = format!("/docs/{}", link.trim_start_matches("./"));
        let (status, kind, body) = fetch(&api, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!body.is_empty(), "{path}");
        let expected = match link.rsplit('.').next() {
            Some("js") => "text/javascript",
            Some("css") => "text/css",
            _ => "image/png",
        };
        assert!(kind.starts_with(expected), "{path}: {kind}");
    }
    // The bundles the page does not load are not shipped (.cargo/config.toml).
    let (_, _, unused) = fetch(&api, "/docs/swagger-ui-es-bundle.js").await;
    assert!(unused.len() < 1000, "{} bytes", unused.len());
    // The page reads the served document and asks no validator online.
    let (_, _, initializer) = fetch(&api, "/docs/swagger-initializer.js").await;
    assert!(
        initializer.contains("\"url\": \"/openapi.json\""),
        "{initializer}"
    );
    assert!(
        initializer.contains("\"validatorUrl\": \"none\""),
        "{initializer}"
    );
    assert!(!initializer.contains("https://"), "{initializer}");
}
