//! A fault-injecting proxy in front of copkit-local: each request is looked
//! up in a rule that says whether to pass it on, pass it on and then answer
//! 503 or drop the connection (so the server has committed but the client
//! never hears), answer 429 itself, or hang.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Pass it on, pass the answer back.
    Forward,
    /// Pass it on, then answer 503 (Retry-After: 0) instead of the answer.
    ForwardThen503,
    /// Pass it on, then close the connection without answering.
    ForwardThenDrop,
    /// Answer 429 with this Retry-After, passing nothing on.
    TooMany(u32),
    /// Close the connection without passing anything on (the server is down).
    Refuse,
    /// Never answer.
    Hang,
}

/// One request seen: method, path, `Idempotency-Key`.
pub type Seen = (String, String, Option<String>);

/// Decides per request: method, path, and how many requests with this
/// method and path came before.
pub type Rule = Box<dyn Fn(&str, &str, usize) -> Action + Send + Sync>;

pub struct Proxy {
    pub base: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub rule: Arc<Mutex<Rule>>,
}

impl Proxy {
    /// Starts a proxy to `upstream` on a free port.
    pub async fn start(upstream: &str, rule: Rule) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let rule = Arc::new(Mutex::new(rule));
        let upstream = upstream.to_owned();
        let http = reqwest::Client::new();
        let (seen2, rule2) = (seen.clone(), rule.clone());
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (seen, rule, upstream, http) =
                    (seen2.clone(), rule2.clone(), upstream.clone(), http.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let (seen, rule, upstream, http) =
                            (seen.clone(), rule.clone(), upstream.clone(), http.clone());
                        async move { handle(request, &seen, &rule, &upstream, &http).await }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Proxy { base, seen, rule }
    }

    /// Changes the rule.
    pub fn set(&self, rule: Rule) {
        *self.rule.lock().unwrap() = rule;
    }

    /// Requests seen with this method whose path starts with `prefix`.
    pub fn count(&self, method: &str, prefix: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|(m, p, _)| m == method && p.starts_with(prefix))
            .cloned()
            .collect()
    }
}

#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

async fn handle(
    request: Request<Incoming>,
    seen: &Mutex<Vec<Seen>>,
    rule: &Mutex<Rule>,
    upstream: &str,
    http: &reqwest::Client,
) -> Result<Response<Full<Bytes>>, Dropped> {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let key = request
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let action = {
        let mut seen = seen.lock().unwrap();
        let before = seen
            .iter()
            .filter(|(m, p, _)| *m == method && *p == path)
            .count();
        seen.push((method.clone(), path.clone(), key));
        (rule.lock().unwrap())(&method, &path, before)
    };
    match action {
        Action::TooMany(secs) => {
            return Ok(Response::builder()
                .status(429)
                .header("retry-after", secs.to_string())
                .header("content-type", "application/problem+json")
                .body(Full::new(Bytes::from_static(
                    br#"{"code":"rate_limited","status":429,"detail":"Slow down."}"#,
                )))
                .unwrap());
        }
        Action::Refuse => return Err(Dropped),
        Action::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return Err(Dropped);
        }
        _ => {}
    }
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map_err(|_| Dropped)?.to_bytes();
    let uri = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut forward = http.request(parts.method.clone(), format!("{upstream}{uri}"));
    for (name, value) in &parts.headers {
        if name != "host" {
            forward = forward.header(name, value);
        }
    }
    let answer = forward.body(body).send().await.map_err(|_| Dropped)?;
    let status = answer.status();
    let headers = answer.headers().clone();
    let bytes = answer.bytes().await.map_err(|_| Dropped)?;
    match action {
        Action::ForwardThen503 => Ok(Response::builder()
            .status(503)
            .header("retry-after", "0")
            .body(Full::new(Bytes::new()))
            .unwrap()),
        Action::ForwardThenDrop => Err(Dropped),
        _ => {
            let mut response = Response::builder().status(status.as_u16());
            for (name, value) in &headers {
                if name != "content-length" && name != "transfer-encoding" {
                    response = response.header(name.as_str(), value.as_bytes());
                }
            }
            Ok(response.body(Full::new(bytes)).unwrap())
        }
    }
}

pub fn always(action: Action) -> Rule {
    Box::new(move |_, _, _| action)
}
