//! `Idempotency-Key` on writes (POST, PUT, PATCH, DELETE): a retry with the
//! same key and body gets the first answer again instead of creating a
//! second resource, or a spurious version conflict after an edit that did
//! land. The creating POSTs declare the header in the OpenAPI document;
//! the other writes take it as well, so a client can send one on every
//! write it may retry.
//!
//! Entries are per caller, method and path; they last 24 hours and the cache
//! holds at most 10,000 of them (the oldest go first). Only successful
//! answers are kept: a request refused (4xx) or failed (5xx) may be corrected
//! and retried with the same key. A request is the same when its query,
//! content type and body are; a key reused with a
//! different body is 409 `idempotency_key_reused`; a key whose first
//! request is still running is 409 `idempotency_in_progress`. A key is
//! released when its request ends without an answer (the client hung up,
//! the handler panicked), and an in-progress key older than
//! [`IN_FLIGHT_LIMIT`] (longer than any request may run) counts as
//! abandoned. A keyed JSON body is read only up to the JSON limit (1 MB)
//! before it is fingerprinted: only document uploads may be larger.
//! The cache lives in the process: behind several Lambda instances a retry
//! that lands on another instance is not recognised.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
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

const TTL: Duration = Duration::from_secs(24 * 3600);
/// After this long an in-progress key is abandoned: the API function's
/// timeout (15 s in `template.yaml`) with room to spare.
pub const IN_FLIGHT_LIMIT: Duration = Duration::from_secs(60);
const CAPACITY: usize = 10_000;

type Key = (String, String, String);

#[derive(Debug, Clone)]
enum Entry {
    InFlight {
        since: Instant,
    },
    Done {
        body: [u8; 32],
        status: StatusCode,
        headers: HeaderMap,
        answer: Bytes,
        at: Instant,
    },
}

/// Remembered answers to writes.
#[derive(Debug, Default)]
pub struct IdempotencyCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<Key, Entry>,
    order: VecDeque<Key>,
}

enum Begin {
    Fresh,
    Replay(Response),
    Reject(ApiError),
}

impl IdempotencyCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn begin(&self, key: &Key, body: [u8; 32]) -> Begin {
        let mut inner = self.lock();
        match inner.entries.get(key) {
            Some(Entry::Done { at, .. }) if at.elapsed() > TTL => {}
            Some(Entry::Done {
                body: seen,
                status,
                headers,
                answer,
                ..
            }) => {
                if *seen != body {
                    return Begin::Reject(ApiError::new(
                        StatusCode::CONFLICT,
                        "idempotency_key_reused",
                        "This Idempotency-Key was used with a different body.",
                    ));
                }
                let mut response = (*status, headers.clone(), answer.clone()).into_response();
                response
                    .headers_mut()
                    .insert(REPLAYED, HeaderValue::from_static("true"));
                return Begin::Replay(response);
            }
            Some(Entry::InFlight { since }) if since.elapsed() > IN_FLIGHT_LIMIT => {}
            Some(Entry::InFlight { .. }) => {
                return Begin::Reject(ApiError::new(
                    StatusCode::CONFLICT,
                    "idempotency_in_progress",
                    "A request with this Idempotency-Key is still running.",
                ));
            }
            None => {}
        }
        inner.entries.insert(
            key.clone(),
            Entry::InFlight {
                since: Instant::now(),
            },
        );
        inner.order.push_back(key.clone());
        while inner.order.len() > CAPACITY {
            if let Some(old) = inner.order.pop_front() {
                inner.entries.remove(&old);
            }
        }
        Begin::Fresh
    }

    fn finish(
        &self,
        key: &Key,
        body: [u8; 32],
        status: StatusCode,
        headers: HeaderMap,
        answer: Bytes,
    ) {
        let mut inner = self.lock();
        if !status.is_success() {
            inner.entries.remove(key);
        } else {
            inner.entries.insert(
                key.clone(),
                Entry::Done {
                    body,
                    status,
                    headers,
                    answer,
                    at: Instant::now(),
                },
            );
        }
    }

    fn abandon(&self, key: &Key) {
        let mut inner = self.lock();
        if matches!(inner.entries.get(key), Some(Entry::InFlight { .. })) {
            inner.entries.remove(key);
        }
    }
}

/// Holds a key in progress; releases it when dropped before `finish`
/// (the request future dropped because the client hung up, or unwound by
/// a panic), so the key never stays "in progress".
struct InFlightGuard<'a> {
    cache: &'a IdempotencyCache,
    key: &'a Key,
    done: bool,
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.cache.abandon(self.key);
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
/// caller's), and the answers kept.
#[derive(Clone, Debug)]
pub struct Replays {
    /// Identifies the caller.
    pub auth: Arc<Authenticator>,
    /// The kept answers.
    pub cache: Arc<IdempotencyCache>,
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
    let (parts, body) = request.into_parts();
    // Unidentified callers get their 401 from the handler, unremembered.
    let Ok(actor) = state.auth.authenticate(&parts) else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    // JSON bodies have the JSON limit: never buffer more to fingerprint them.
    let json = parts
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.trim_start().starts_with("application/json"));
    let limit = if json {
        crate::app::JSON_LIMIT
    } else {
        MAX_BODY
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
    let digest: [u8; 32] = fingerprint.finalize().into();
    let key = (
        actor.user.to_string(),
        format!("{} {}", parts.method, parts.uri.path()),
        key_text,
    );
    match state.cache.begin(&key, digest) {
        Begin::Replay(response) => return response,
        Begin::Reject(problem) => return problem.into_response(),
        Begin::Fresh => {}
    }
    let mut guard = InFlightGuard {
        cache: &state.cache,
        key: &key,
        done: false,
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let (parts, body) = response.into_parts();
    match to_bytes(body, usize::MAX).await {
        Ok(answer) => {
            guard.done = true;
            state.cache.finish(
                &key,
                digest,
                parts.status,
                parts.headers.clone(),
                answer.clone(),
            );
            Response::from_parts(parts, Body::from(answer))
        }
        // The guard releases the key.
        Err(_) => crate::problem::internal().into_response(),
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
    fn a_key_replays_once_done_and_refuses_another_body() {
        let cache = IdempotencyCache::default();
        let key: Key = ("u".into(), "POST /x".into(), "key-0001".into());
        assert!(matches!(cache.begin(&key, [1; 32]), Begin::Fresh));
        assert!(
            matches!(cache.begin(&key, [1; 32]), Begin::Reject(e) if e.status() == StatusCode::CONFLICT)
        );
        cache.finish(
            &key,
            [1; 32],
            StatusCode::CREATED,
            HeaderMap::new(),
            Bytes::from_static(b"{}"),
        );
        assert!(
            matches!(cache.begin(&key, [1; 32]), Begin::Replay(r) if r.status() == StatusCode::CREATED)
        );
        assert!(
            matches!(cache.begin(&key, [2; 32]), Begin::Reject(e) if e.status() == StatusCode::CONFLICT)
        );
        // Refusals and server errors are forgotten so a retry runs again.
        let other: Key = ("u".into(), "POST /x".into(), "key-0002".into());
        assert!(matches!(cache.begin(&other, [1; 32]), Begin::Fresh));
        cache.finish(
            &other,
            [1; 32],
            StatusCode::SERVICE_UNAVAILABLE,
            HeaderMap::new(),
            Bytes::new(),
        );
        assert!(matches!(cache.begin(&other, [1; 32]), Begin::Fresh));
        cache.finish(
            &other,
            [1; 32],
            StatusCode::UNPROCESSABLE_ENTITY,
            HeaderMap::new(),
            Bytes::new(),
        );
        assert!(matches!(cache.begin(&other, [1; 32]), Begin::Fresh));
    }

    #[test]
    fn a_request_that_ends_without_an_answer_releases_its_key() {
        let cache = IdempotencyCache::default();
        let key: Key = ("u".into(), "POST /x".into(), "key-0003".into());
        assert!(matches!(cache.begin(&key, [1; 32]), Begin::Fresh));
        {
            // The request future is dropped mid-way (the client hung up).
            let _guard = InFlightGuard {
                cache: &cache,
                key: &key,
                done: false,
            };
        }
        assert!(matches!(cache.begin(&key, [1; 32]), Begin::Fresh));
        // A finished request keeps its answer whatever its guard does.
        let guard = InFlightGuard {
            cache: &cache,
            key: &key,
            done: true,
        };
        cache.finish(
            &key,
            [1; 32],
            StatusCode::CREATED,
            HeaderMap::new(),
            Bytes::new(),
        );
        drop(guard);
        assert!(matches!(cache.begin(&key, [1; 32]), Begin::Replay(_)));
    }

    #[test]
    fn an_in_progress_key_older_than_any_request_is_abandoned() {
        let cache = IdempotencyCache::default();
        let key: Key = ("u".into(), "POST /x".into(), "key-0004".into());
        let long_ago = Instant::now()
            .checked_sub(IN_FLIGHT_LIMIT + Duration::from_secs(1))
            .unwrap();
        cache
            .lock()
            .entries
            .insert(key.clone(), Entry::InFlight { since: long_ago });
        assert!(matches!(cache.begin(&key, [1; 32]), Begin::Fresh));
        // A recent one is still in progress.
        assert!(
            matches!(cache.begin(&key, [1; 32]), Begin::Reject(e) if e.status() == StatusCode::CONFLICT)
        );
    }
}
