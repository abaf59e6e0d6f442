//! The Lambda entry point, fed real API Gateway events (HTTP API v2 and
//! REST API v1, with and without authorizer claims) through `lambda_http`'s
//! own adapter — the path `lambda_http::run` takes in AWS.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use copkit_core::{Copkit, MemoryStore};
use copkit_lambda::{AppState, Authenticator, app};
use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, Context, LambdaEvent, Service};
use serde_json::Value;

/// Runs one event through the adapter and returns the serialized Lambda
/// response (what API Gateway receives).
async fn invoke(router: axum::Router, fixture: &str) -> Value {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/{fixture}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let event: LambdaRequest = serde_json::from_str(&text).unwrap();
    let mut adapter = Adapter::from(app::lambda_service(router));
    let response = adapter
        .call(LambdaEvent::new(event, Context::default()))
        .await
        .unwrap();
    serde_json::to_value(response).unwrap()
}

fn router() -> axum::Router {
    let copkit = Copkit::new(Arc::new(MemoryStore::new())).unwrap();
    app::router(AppState::new(copkit, Authenticator::ApiGateway))
}

fn body(response: &Value) -> Value {
    serde_json::from_str(response["body"].as_str().unwrap_or("null")).unwrap_or(Value::Null)
}

fn header<'a>(response: &'a Value, name: &str) -> Option<&'a str> {
    response["headers"][name]
        .as_str()
        .or_else(|| response["multiValueHeaders"][name][0].as_str())
}

#[tokio::test]
async fn http_api_v2_claims_identify_the_caller() {
    let response = invoke(router(), "http_api_v2_me_with_claims.json").await;
    assert_eq!(response["statusCode"], 200, "{response}");
    let me = body(&response);
    assert_eq!(me["user"], "4f1c2a3b-helen");
    assert_eq!(me["display_name"], "Dr Helen O'Reilly");
    let etag = header(&response, "etag").unwrap_or_default();
    assert!(etag.starts_with("\"0."), "{etag}");
}

#[tokio::test]
async fn http_api_v2_without_claims_is_401_whatever_the_headers_say() {
    let response = invoke(router(), "http_api_v2_me_without_claims.json").await;
    assert_eq!(response["statusCode"], 401, "{response}");
    assert_eq!(
        header(&response, "content-type"),
        Some("application/problem+json")
    );
    assert_eq!(body(&response)["code"], "unauthorized");
}

#[tokio::test]
async fn http_api_v2_post_creates_with_location() {
    let router = router();
    let response = invoke(router.clone(), "http_api_v2_create_community.json").await;
    assert_eq!(response["statusCode"], 201, "{response}");
    let created = body(&response);
    assert_eq!(created["my_role"], "owner");
    let location = header(&response, "location").unwrap();
    assert_eq!(
        location,
        format!("/communities/{}", created["card"]["id"].as_str().unwrap())
    );
}

#[tokio::test]
async fn health_needs_no_claims() {
    let response = invoke(router(), "http_api_v2_health_without_claims.json").await;
    assert_eq!(response["statusCode"], 200, "{response}");
    assert_eq!(body(&response)["status"], "ok");
}

#[tokio::test]
async fn rest_api_v1_cognito_claims_identify_the_caller() {
    let response = invoke(router(), "rest_api_v1_me_with_claims.json").await;
    assert_eq!(response["statusCode"], 200, "{response}");
    let me = body(&response);
    assert_eq!(me["user"], "9e8d7c6b-tom");
    assert_eq!(me["display_name"], "Dr Tom Hughes");
}

#[tokio::test]
async fn rest_api_v1_without_claims_is_401() {
    let response = invoke(router(), "rest_api_v1_me_without_claims.json").await;
    assert_eq!(response["statusCode"], 401, "{response}");
    assert_eq!(body(&response)["code"], "unauthorized");
}

#[tokio::test]
async fn a_bearer_token_alone_means_nothing_behind_api_gateway() {
    // The Lambda trusts only the authorizer's claims, never a raw header.
    let copkit = Copkit::new(Arc::new(MemoryStore::new())).unwrap();
    let local = Authenticator::hs256(b"not used by the lambda");
    let token = local
        .issue(&copkit_lambda::Claims {
            sub: "mallory".into(),
            exp: Some(4_102_444_800),
            ..copkit_lambda::Claims::default()
        })
        .unwrap();
    let mut event: Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{}/tests/fixtures/http_api_v2_me_without_claims.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    event["headers"]["authorization"] = Value::String(format!("Bearer {token}"));
    let request: LambdaRequest = serde_json::from_value(event).unwrap();
    let mut adapter = Adapter::from(app::lambda_service(app::router(AppState::new(
        copkit,
        Authenticator::ApiGateway,
    ))));
    let response = adapter
        .call(LambdaEvent::new(request, Context::default()))
        .await
        .unwrap();
    let response = serde_json::to_value(response).unwrap();
    assert_eq!(response["statusCode"], 401);
}
