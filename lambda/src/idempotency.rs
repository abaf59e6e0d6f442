//! `Idempotency-Key` on writes (POST, PUT, PATCH, DELETE): a retry with the
//! same key and body gets the first answer again instead of creating a
//! second resource, or a spurious version conflict after an edit that did
//! land. The creating POSTs declare the header in the OpenAPI document;
//! the other writes take it as well, so a client can send one on every
//! write it may retry.
//!
//! The records live in the deployment's store ([`copkit_core::EphemeralStore`]: a
//! DynamoDB item with a TTL taken by a conditional put, a table in SQLite),
//! so a retry that lands on another Lambda instance or worker process gets
//! the first answer. Keys are the caller's: a record is named by the
//! caller, method, path and key, so one person's key never answers
//! another's request. Answers are replayed for [`REPLAY_WINDOW`]; times
//! come from the service's clock.
//!
//! Only successful answers are kept: a request refused (4xx) or failed
//! (5xx) may be corrected and retried with the same key. A request is the
//! same when its query, content type and body are; a key reused with a
//! different request is 422 `idempotency_key_reused` (as the IETF draft
//! on the header says); a key whose first request is still running is 409
//! `idempotency_in_progress`. A key is released when its request
//! ends without an answer (the client hung up, the handler panicked), and
//! an in-progress record lapses after [`IN_FLIGHT_LIMIT`] (longer than the
//! function may run) whatever happened to the process. A keyed body is
//! read only up to what its route takes before it is fingerprinted (the
//! JSON limit of 1 MB; 50 MB for the two routes that take a document's
//! bytes). An answer too large for a store
//! item ([`MAX_KEPT_ANSWER`]) or not text is not kept (the key is
//! released, so a retry runs again).

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use copkit_core::{Copkit, Error, Remembered, Store};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::Authenticator;
use crate::extract::too_large;
use crate::problem::ApiError;

/// The header.
pub const HEADER: &str = "idempotency-key";
/// Set on a replayed answer.
pub const REPLAYED: &str = "idempotent-replayed";
/// The key format the OpenAPI document declares.
pub const KEY_PATTERN: &str = r"^[A-Za-z0-9_-]{8,128}$";
/// The largest body any route takes (document uploads).
pub const MAX_BODY: usize = 50 * 1024 * 1024 + 1;
/// How long an answer is replayed.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(24 * 3600);
/// After this long an in-progress key is abandoned: the API function's
/// timeout (15 s in `template.yaml`) with room to spare.
pub const IN_FLIGHT_LIMIT: Duration = Duration::from_secs(60);
/// The largest answer kept (a DynamoDB item holds 400 KB).
pub const MAX_KEPT_ANSWER: usize = 350 * 1024;

/// An answer as kept in the store.
#[derive(Debug, Serialize, Deserialize)]
struct KeptAnswer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl KeptAnswer {
    fn into_response(self) -> Option<Response> {
        let status = StatusCode::from_u16(self.status).ok()?;
        let mut response = (status, self.body).into_response();
        let headers = response.headers_mut();
        headers.clear();
        for (name, value) in self.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
            let value = HeaderValue::from_str(&value).ok()?;
            headers.append(name, value);
        }
        headers.insert(REPLAYED, HeaderValue::from_static("true"));
        Some(response)
    }
}

/// Holds a key in progress; releases it when dropped before its answer is
/// kept (the request future dropped because the client hung up, or unwound
/// by a panic), so the key does not stay "in progress" until it lapses.
struct InFlightGuard {
    store: Arc<dyn Store>,
    key: String,
    done: bool,
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let store = self.store.clone();
        let key = std::mem::take(&mut self.key);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(error) = store.release_key(&key).await {
                    tracing::warn!(%error, "could not release an idempotency key");
                }
            });
        }
    }
}

fn valid_key(key: &str) -> bool {
    (8..=128).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// What the replay middleware needs: who is calling (keys are the
/// caller's), and the services (their store keeps the records, their
/// clock dates them).
#[derive(Clone, Debug)]
pub struct Replays {
    /// Identifies the caller.
    pub auth: Arc<Authenticator>,
    /// The services.
    pub copkit: Arc<Copkit>,
}

fn later(now: jiff::Timestamp, by: Duration) -> jiff::Timestamp {
    let by = SignedDuration::try_from(by).unwrap_or(SignedDuration::from_hours(24));
    now.checked_add(by).unwrap_or(jiff::Timestamp::MAX)
}

/// The record's name: a digest of the caller, method, path and key
/// (bounded whatever the path's length, and carrying no one's id, so an
/// erased person leaves no name behind in the records that lapse).
pub fn record_key(user: &str, method: &Method, path: &str, key: &str) -> String {
    let mut digest = Sha256::new();
    digest.update(user.as_bytes());
    digest.update([0]);
    digest.update(method.as_str().as_bytes());
    digest.update([0]);
    digest.update(path.as_bytes());
    digest.update([0]);
    digest.update(key.as_bytes());
    hex::encode(digest.finalize())
}

/// How much of a keyed body is read to fingerprint it: the upload limit for
/// the two routes that take a document's bytes, the JSON limit for every
/// other write (whatever its content type says), so no more is ever
/// buffered than the route takes. `None` for `PUT /uploads/{token}`, which
/// streams its bytes and is idempotent by its ticket: it passes through.
fn body_limit(method: &Method, path: &str) -> Option<usize> {
    if *method == Method::PUT && path.starts_with("/uploads/") {
        None
    } else if *method == Method::POST
        && (path.ends_with("/documents") || path.ends_with("/versions"))
    {
        Some(MAX_BODY)
    } else {
        Some(crate::app::JSON_LIMIT)
    }
}

fn store_failure(error: copkit_core::StoreError) -> Response {
    ApiError::from(Error::from(error)).into_response()
}

/// Middleware: replays writes that carry an `Idempotency-Key`.
pub async fn middleware(State(state): State<Replays>, request: Request, next: Next) -> Response {
    if !matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) {
        return next.run(request).await;
    }
    let Some(raw) = request.headers().get(HEADER) else {
        return next.run(request).await;
    };
    let Some(key_text) = raw
        .to_str()
        .ok()
        .filter(|k| valid_key(k))
        .map(str::to_owned)
    else {
        return ApiError::bad_request(
            "invalid_idempotency_key",
            "Idempotency-Key must be 8 to 128 of A-Z, a-z, 0-9, _ and -.",
        )
        .into_response();
    };
    let Some(limit) = body_limit(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    // Unidentified callers get their 401 from the handler, unremembered.
    let Ok(actor) = state.auth.authenticate(&parts) else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let Ok(bytes) = to_bytes(body, limit).await else {
        return too_large().into_response();
    };
    let mut fingerprint = Sha256::new();
    fingerprint.update(parts.uri.query().unwrap_or_default().as_bytes());
    fingerprint.update([0]);
    if let Some(ct) = parts.headers.get(axum::http::header::CONTENT_TYPE) {
        fingerprint.update(ct.as_bytes());
    }
    fingerprint.update([0]);
    fingerprint.update(&bytes);
    let fingerprint = hex::encode(fingerprint.finalize());
    let key = record_key(
        &actor.user.to_string(),
        &parts.method,
        parts.uri.path(),
        &key_text,
    );
    let store = state.copkit.store().clone();
    let now = state.copkit.now();
    let claim = Remembered {
        fingerprint: fingerprint.clone(),
        answer: None,
        expires_at: later(now, IN_FLIGHT_LIMIT),
    };
    match store.claim_key(&key, &claim, now).await {
        Err(error) => return store_failure(error),
        Ok(Some(held)) => return answer_held(held, &fingerprint),
        Ok(None) => {}
    }
    let mut guard = InFlightGuard {
        store: store.clone(),
        key: key.clone(),
        done: false,
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let (parts, body) = response.into_parts();
    let Ok(answer) = to_bytes(body, usize::MAX).await else {
        // The guard releases the key.
        return crate::problem::internal().into_response();
    };
    let kept = parts
        .status
        .is_success()
        .then(|| String::from_utf8(answer.to_vec()).ok())
        .flatten()
        .filter(|text| text.len() <= MAX_KEPT_ANSWER)
        .and_then(|body| {
            let headers = parts
                .headers
                .iter()
                .filter(|(name, _)| *name != axum::http::header::CONTENT_LENGTH)
                .filter_map(|(name, value)| {
                    Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
                })
                .collect();
            serde_json::to_string(&KeptAnswer {
                status: parts.status.as_u16(),
                headers,
                body,
            })
            .ok()
        });
    if let Some(kept) = kept {
        let done = Remembered {
            fingerprint,
            answer: Some(kept),
            expires_at: later(state.copkit.now(), REPLAY_WINDOW),
        };
        match store.keep_answer(&key, &done).await {
            Ok(()) => guard.done = true,
            // The write landed; the answer goes out. The guard releases
            // the key so a retry runs again rather than waiting it out.
            Err(error) => tracing::warn!(%error, "could not keep an idempotent answer"),
        }
    }
    // An answer not kept: the guard releases the key.
    Response::from_parts(parts, Body::from(answer))
}

/// The answer to a request whose key a live record holds.
fn answer_held(held: Remembered, fingerprint: &str) -> Response {
    if held.fingerprint != fingerprint {
        return ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "This Idempotency-Key was used with a different request.",
        )
        .into_response();
    }
    match held.answer {
        None => ApiError::new(
            StatusCode::CONFLICT,
            "idempotency_in_progress",
            "A request with this Idempotency-Key is still running.",
        )
        .into_response(),
        Some(text) => match serde_json::from_str::<KeptAnswer>(&text)
            .ok()
            .and_then(KeptAnswer::into_response)
        {
            Some(response) => response,
            None => {
                tracing::error!("an unreadable idempotent answer was kept");
                crate::problem::internal().into_response()
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_declared_pattern() {
        let pattern = regex::Regex::new(KEY_PATTERN).unwrap();
        for key in ["abcdefgh", "A1_-xyz9", &"k".repeat(128)] {
            assert!(valid_key(key) && pattern.is_match(key), "{key}");
        }
        for key in ["short", "has space", "ümlautxx", &"k".repeat(129)] {
            assert!(!valid_key(key) && !pattern.is_match(key), "{key}");
        }
    }

    #[test]
    fn only_the_document_routes_buffer_more_than_the_json_limit() {
        let json = Some(crate::app::JSON_LIMIT);
        assert_eq!(body_limit(&Method::POST, "/communities"), json);
        assert_eq!(body_limit(&Method::PATCH, "/documents/d1"), json);
        assert_eq!(
            body_limit(&Method::POST, "/spaces/s1/documents"),
            Some(MAX_BODY)
        );
        assert_eq!(
            body_limit(&Method::POST, "/documents/d1/versions"),
            Some(MAX_BODY)
        );
        assert_eq!(body_limit(&Method::PUT, "/uploads/t1"), None);
    }

    #[test]
    fn records_are_named_by_caller_method_path_and_key() {
        let base = record_key("u1", &Method::POST, "/communities", "key-0001");
        assert!(!base.contains("u1"));
        for other in [
            record_key("u2", &Method::POST, "/communities", "key-0001"),
            record_key("u1", &Method::PUT, "/communities", "key-0001"),
            record_key("u1", &Method::POST, "/communities/x", "key-0001"),
            record_key("u1", &Method::POST, "/communities", "key-0002"),
        ] {
            assert_ne!(base, other);
        }
        // Bounded whatever the path's length.
        let long = record_key("u1", &Method::POST, &"/p".repeat(5000), "key-0001");
        assert_eq!(long.len(), base.len());
    }

    #[test]
    fn a_kept_answer_replays_its_status_headers_and_body() {
        let kept = KeptAnswer {
            status: 201,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("etag".into(), "\"v1\"".into()),
            ],
            body: "{\"id\":\"x\"}".into(),
        };
        let response = kept.into_response().unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()["etag"], "\"v1\"");
        assert_eq!(response.headers()[REPLAYED], "true");
        assert_eq!(response.headers()["content-type"], "application/json");
    }

    #[tokio::test]
    async fn a_held_key_is_refused_until_answered_and_so_is_another_request() {
        let held = Remembered {
            fingerprint: "f1".into(),
            answer: None,
            expires_at: jiff::Timestamp::MAX,
        };
        for (fingerprint, status, code) in [
            ("f1", StatusCode::CONFLICT, "idempotency_in_progress"),
            (
                "f2",
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
            ),
        ] {
            let answer = answer_held(held.clone(), fingerprint);
            assert_eq!(answer.status(), status);
            let body = to_bytes(answer.into_body(), usize::MAX).await.unwrap();
            let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(problem["code"], code);
        }
    }
}
