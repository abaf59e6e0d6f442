//! One call, start to finish: the URL from the operation's template, the
//! bearer token (asked once more after a 401), `If-Match`, an
//! `Idempotency-Key` kept across retries, `If-None-Match` from the cache,
//! retries of 429/502/503/504 and broken connections with backoff that
//! honours `Retry-After`, and the answer read into a typed error or kept.

use std::fmt::Display;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::cache::Cached;
use crate::client::Client;
use crate::error::{ClientError, ClientResult};
use crate::operations::Operation;
use crate::retry;
use crate::tokens::cache_scope;
use crate::transfer::{Progress, body_with_progress, read_with_progress};

/// What a call sends.
#[derive(Debug, Clone)]
pub(crate) enum Payload {
    None,
    Json(Bytes),
    Bytes { content_type: String, bytes: Bytes },
}

/// One call of one operation, before it is sent.
#[derive(Clone)]
pub(crate) struct Call {
    pub op: &'static Operation,
    args: Vec<String>,
    query: Vec<(&'static str, String)>,
    payload: Payload,
    if_match: Option<u64>,
    /// A URL given whole (a signed request) instead of the template's.
    url: Option<Url>,
    /// Whether the bearer token goes along (not to storage).
    authenticated: bool,
    headers: Vec<(String, String)>,
    progress: Option<Progress>,
}

/// A successful answer.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Call {
    /// `op` with its path parameters, in template order.
    pub fn new(op: &'static Operation, args: &[&(dyn Display + Sync)]) -> Self {
        Call {
            op,
            args: args.iter().map(|a| a.to_string()).collect(),
            query: Vec::new(),
            payload: Payload::None,
            if_match: None,
            url: None,
            authenticated: true,
            headers: Vec::new(),
            progress: None,
        }
    }

    /// `op` at a URL given whole (a signed request); the token goes along
    /// only when `authenticated` (the API's own origin).
    pub fn to(op: &'static Operation, url: Url, authenticated: bool) -> Self {
        Call {
            url: Some(url),
            authenticated,
            ..Call::new(op, &[])
        }
    }

    /// Sends a header as given (a signed request's).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Reports the bytes sent or received.
    pub fn progress(mut self, progress: Option<Progress>) -> Self {
        self.progress = progress;
        self
    }

    /// Adds a query parameter (none when `value` is `None`).
    pub fn query(mut self, name: &'static str, value: Option<impl Display>) -> Self {
        if let Some(value) = value {
            self.query.push((name, value.to_string()));
        }
        self
    }

    /// `limit` and `cursor` of a page request.
    pub fn page(self, page: &copkit_core::model::PageRequest) -> Self {
        self.query("limit", page.limit)
            .query("cursor", page.cursor.as_ref().map(|c| c.0.clone()))
    }

    /// A JSON body.
    pub fn json(mut self, body: &impl Serialize) -> ClientResult<Self> {
        let bytes = serde_json::to_vec(body).map_err(ClientError::protocol)?;
        self.payload = Payload::Json(Bytes::from(bytes));
        Ok(self)
    }

    /// Raw bytes.
    pub fn bytes(mut self, content_type: &str, bytes: Bytes) -> Self {
        self.payload = Payload::Bytes {
            content_type: content_type.to_owned(),
            bytes,
        };
        self
    }

    /// `If-Match` with the version the edit is based on.
    pub fn if_match(mut self, version: u64) -> Self {
        self.if_match = Some(version);
        self
    }

    /// The absolute URL under `base`.
    pub fn url(&self, base: &Url) -> ClientResult<Url> {
        if let Some(url) = &self.url {
            return Ok(url.clone());
        }
        let mut url = base.clone();
        {
            let mut segments = url
                .path_segments_mut()
                .map_err(|_| ClientError::protocol("the base URL cannot take a path"))?;
            segments.pop_if_empty();
            let mut args = self.args.iter();
            for part in self.op.path.trim_start_matches('/').split('/') {
                if part.starts_with('{') && part.ends_with('}') {
                    let arg = args
                        .next()
                        .ok_or_else(|| ClientError::protocol("a path parameter is missing"))?;
                    segments.push(arg);
                } else {
                    segments.push(part);
                }
            }
        }
        if !self.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &self.query {
                pairs.append_pair(name, value);
            }
        }
        Ok(url)
    }
}

/// A fresh idempotency key: 128 random bits, hex.
fn idempotency_key() -> ClientResult<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| ClientError::protocol(format!("randomness: {e}")))?;
    Ok(hex::encode(bytes))
}

/// Why one attempt did not give a final answer.
enum Retry {
    /// Wait this long, then try again.
    After(Duration),
    /// The token was refused: ask for a fresh one.
    Reauthenticate,
}

impl Client {
    /// Sends `call` until it has a final answer.
    pub(crate) async fn execute(&self, call: &Call) -> ClientResult<Answer> {
        let inner = &self.inner;
        let url = call.url(&inner.base)?;
        let method =
            Method::from_bytes(call.op.method.as_bytes()).map_err(ClientError::protocol)?;
        let key = if call.op.writes() && !matches!(call.payload, Payload::Bytes { .. }) {
            Some(idempotency_key()?)
        } else {
            None
        };
        // Only the API's own reads are kept: never document bytes or what a
        // signed link names (storage answers carry ETags too).
        let cacheable = method == Method::GET && call.url.is_none() && call.progress.is_none();
        let mut refreshed = false;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let token = if call.authenticated {
                Some(inner.tokens.token(refreshed).await?)
            } else {
                None
            };
            let scope = token.as_deref().map(cache_scope).unwrap_or_default();
            let cached = cacheable
                .then(|| inner.cache.get(&scope, url.as_str()))
                .flatten();
            let mut request = inner.http.request(method.clone(), url.clone());
            if let Some(token) = &token {
                request = request
                    .bearer_auth(token)
                    .header(header::ACCEPT, "application/json, */*;q=0.5");
            }
            for (name, value) in &call.headers {
                request = request.header(name.as_str(), value.as_str());
            }
            if let Some(key) = &key {
                request = request.header("idempotency-key", key);
            }
            if let Some(version) = call.if_match {
                request = request.header(header::IF_MATCH, format!("\"{version}\""));
            }
            if let Some(cached) = &cached {
                request = request.header(header::IF_NONE_MATCH, &cached.etag);
            }
            request = match &call.payload {
                Payload::None => request,
                Payload::Json(bytes) => request
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(bytes.clone()),
                Payload::Bytes {
                    content_type,
                    bytes,
                } => request
                    .header(header::CONTENT_TYPE, content_type)
                    .header(header::CONTENT_LENGTH, bytes.len())
                    .timeout(inner.transfer_timeout)
                    .body(body_with_progress(bytes.clone(), call.progress.clone())),
            };
            let retry = match request.send().await {
                Err(e) => {
                    self.observe(call.op, attempt, None);
                    if retry::transient(&e) && attempt < inner.retry.max_attempts {
                        Retry::After(inner.retry.backoff(attempt))
                    } else if let Some(cached) = cached {
                        return Ok(self.stale(cached));
                    } else {
                        return Err(ClientError::Network {
                            reason: retry::describe(&e),
                        });
                    }
                }
                Ok(response) => {
                    let status = response.status();
                    self.observe(call.op, attempt, Some(status.as_u16()));
                    let headers = response.headers().clone();
                    // Progress is the upload's on a write, the download's on a read.
                    let reading = call.progress.as_ref().filter(|_| method == Method::GET);
                    let body = read_with_progress(response, reading).await;
                    match (status, body) {
                        (_, Err(e)) => {
                            if retry::transient(&e) && attempt < inner.retry.max_attempts {
                                Retry::After(inner.retry.backoff(attempt))
                            } else {
                                return Err(ClientError::Network {
                                    reason: retry::describe(&e),
                                });
                            }
                        }
                        (StatusCode::NOT_MODIFIED, Ok(_)) => {
                            let Some(mut cached) = cached else {
                                return Err(ClientError::protocol("304 for an answer never kept"));
                            };
                            cached.saved_ms = now_ms();
                            inner.cache.put(&scope, url.as_str(), cached.clone());
                            self.live();
                            return Ok(Answer {
                                status: StatusCode::OK,
                                headers,
                                body: Bytes::from(cached.body),
                            });
                        }
                        (status, Ok(body))
                            if status.is_success() || status == StatusCode::SEE_OTHER =>
                        {
                            if cacheable
                                && let Some(etag) =
                                    headers.get(header::ETAG).and_then(|v| v.to_str().ok())
                            {
                                inner.cache.put(
                                    &scope,
                                    url.as_str(),
                                    Cached {
                                        etag: etag.to_owned(),
                                        body: body.to_vec(),
                                        saved_ms: now_ms(),
                                    },
                                );
                            }
                            self.live();
                            return Ok(Answer {
                                status,
                                headers,
                                body,
                            });
                        }
                        (StatusCode::UNAUTHORIZED, Ok(_)) if !refreshed => Retry::Reauthenticate,
                        (status, Ok(body)) => {
                            let wait = retry::retry_after(&headers);
                            let retryable = matches!(status.as_u16(), 429 | 502 | 503 | 504);
                            let delay = wait.unwrap_or_else(|| inner.retry.backoff(attempt));
                            if retryable
                                && attempt < inner.retry.max_attempts
                                && delay <= inner.retry.max_retry_after
                            {
                                Retry::After(delay)
                            } else if retryable
                                && status != StatusCode::TOO_MANY_REQUESTS
                                && let Some(cached) = cached
                            {
                                return Ok(self.stale(cached));
                            } else {
                                let secs = wait.map(|w| w.as_secs().min(u32::MAX as u64) as u32);
                                return Err(ClientError::from_answer(status.as_u16(), secs, &body));
                            }
                        }
                    }
                }
            };
            match retry {
                Retry::After(delay) => tokio::time::sleep(delay).await,
                Retry::Reauthenticate => {
                    refreshed = true;
                    attempt -= 1;
                }
            }
        }
    }

    /// An answer served from the cache while the server is unreachable.
    fn stale(&self, cached: Cached) -> Answer {
        let mut since = self
            .inner
            .stale_since
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        *since = Some(since.map_or(cached.saved_ms, |s: i64| s.min(cached.saved_ms)));
        Answer {
            status: StatusCode::OK,
            headers: HeaderMap::from_iter([(
                header::WARNING,
                HeaderValue::from_static("110 - \"Response is Stale\""),
            )]),
            body: Bytes::from(cached.body),
        }
    }

    /// The server answered: nothing shown is stale any more.
    fn live(&self) {
        *self
            .inner
            .stale_since
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn observe(&self, op: &'static Operation, attempt: u32, status: Option<u16>) {
        if let Some(observer) = &self.inner.observer {
            observer(&crate::client::Attempt {
                operation: op,
                attempt,
                status,
            });
        }
    }

    /// Sends `call` and reads its JSON answer.
    pub(crate) async fn json<T: DeserializeOwned>(&self, call: Call) -> ClientResult<T> {
        let answer = self.execute(&call).await?;
        serde_json::from_slice(&answer.body).map_err(|e| {
            ClientError::protocol(format!(
                "{} {}: unexpected answer: {e}",
                call.op.method, call.op.path
            ))
        })
    }

    /// Sends `call` and expects no body worth reading.
    pub(crate) async fn empty(&self, call: Call) -> ClientResult<()> {
        self.execute(&call).await.map(|_| ())
    }

    /// Sends `call` and reads its text answer.
    pub(crate) async fn text(&self, call: Call) -> ClientResult<String> {
        let answer = self.execute(&call).await?;
        String::from_utf8(answer.body.to_vec()).map_err(ClientError::protocol)
    }
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::{GET_BY_SLUG, LIST_THREADS, RECORD_ATTENDANCE};

    #[test]
    fn urls_encode_each_parameter_as_one_segment() {
        let base = Url::parse("https://api.example/prod/").unwrap();
        let call = Call::new(&GET_BY_SLUG, &[&"a b/c?"]);
        assert_eq!(
            call.url(&base).unwrap().as_str(),
            "https://api.example/prod/communities/by-slug/a%20b%2Fc%3F"
        );
        let call = Call::new(&RECORD_ATTENDANCE, &[&"E1", &"2026-03-04T18:30:00", &"u#1"]);
        assert_eq!(
            call.url(&base).unwrap().path(),
            "/prod/events/E1/occurrences/2026-03-04T18:30:00/attendance/u%231"
        );
        let page = copkit_core::model::PageRequest {
            limit: Some(5),
            cursor: Some(copkit_core::model::Cursor("a+b".into())),
        };
        let call = Call::new(&LIST_THREADS, &[&"S1"]).page(&page);
        assert_eq!(
            call.url(&Url::parse("http://h:1").unwrap())
                .unwrap()
                .as_str(),
            "http://h:1/spaces/S1/threads?limit=5&cursor=a%2Bb"
        );
        assert!(Call::new(&LIST_THREADS, &[]).url(&base).is_err());
    }

    #[test]
    fn keys_fit_the_servers_pattern_and_differ() {
        let (a, b) = (idempotency_key().unwrap(), idempotency_key().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    }
}
