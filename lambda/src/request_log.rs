//! One log event per request, and (on Lambda) its EMF metrics line.
//!
//! The event (target `copkit_lambda::request`) carries:
//! - `request_id`: API Gateway's request id (the one in the API's access
//!   log), else a caller's plain `x-request-id`, else a fresh id; it
//!   is answered in `x-request-id` so a caller can quote it;
//! - `invocation`: the Lambda invocation's id, when there is one;
//! - `method`, and `route`: the route template (`/threads/{id}`), never the
//!   raw path, so no id, query or other input reaches the log;
//! - `status`, `latency_ms`, and `store_calls`: the DynamoDB calls made for
//!   the request (0 on other stores).
//!
//! Nothing from headers (tokens), queries or bodies is logged.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use copkit_aws::dynamo::calls::counting_calls;
use lambda_http::lambda_runtime::Context as Invocation;
use lambda_http::request::RequestContext;

use crate::metrics::{self, RequestFigures};

/// The header naming a request in both directions.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// How requests are reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestLog {
    /// Also write each request's EMF metrics line to stdout (on Lambda,
    /// where CloudWatch reads it; not for a local server's console).
    pub metrics: bool,
}

/// The middleware: times the request, counts its store calls, names it, and
/// logs it once its answer's head is ready.
pub async fn middleware(State(log): State<RequestLog>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = request_id(&request);
    let invocation = request
        .extensions()
        .get::<Invocation>()
        .map(|c| c.request_id.clone());
    let method = request.method().clone();
    let (mut response, store_calls) = counting_calls(next.run(request)).await;
    let route = response
        .extensions_mut()
        .remove::<MatchedRoute>()
        .map(|MatchedRoute(route)| route);
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let figures = RequestFigures {
        route: route.as_ref().map_or("unmatched", MatchedPath::as_str),
        status: response.status().as_u16(),
        latency_ms,
        store_calls,
    };
    tracing::info!(
        target: "copkit_lambda::request",
        request_id = %request_id,
        invocation = invocation.as_deref(),
        method = %method,
        route = figures.route,
        status = figures.status,
        latency_ms = (latency_ms * 1000.0).round() / 1000.0,
        store_calls,
        "request"
    );
    if log.metrics {
        println!("{}", metrics::request_line(&figures, metrics::now_ms()));
    }
    response
}

/// The route template that matched, handed from the routes to
/// [`middleware`] (which runs outside the router, where routing has not yet
/// happened) in the answer's extensions.
#[derive(Debug, Clone)]
struct MatchedRoute(MatchedPath);

/// On the routes: records which route matched, for [`middleware`].
pub async fn name_route(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(MatchedRoute(route));
    }
    response
}

/// API Gateway's id, else the caller's when it is plain (1–128 of
/// `A-Z a-z 0-9 . _ -`), else a [`fresh_id`].
fn request_id(request: &Request) -> String {
    let gateway = match request.extensions().get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone(),
        Some(RequestContext::ApiGatewayV1(ctx)) => ctx.request_id.clone(),
        _ => None,
    };
    if let Some(id) = gateway.filter(|id| plain(id)) {
        return id;
    }
    if let Some(id) = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| plain(id))
    {
        return id.to_owned();
    }
    fresh_id()
}

/// 32 hex digits: 64 random bits drawn once per process, then a count of
/// the ids this process made. Unique within the process, and apart from
/// other processes' (other sandboxes, other servers) by the random half;
/// an id only correlates log lines, so it need not be unpredictable, and
/// one system call per process instead of one per request is cheaper.
fn fresh_id() -> String {
    static PROCESS: OnceLock<u64> = OnceLock::new();
    static MADE: AtomicU64 = AtomicU64::new(0);
    let process = *PROCESS.get_or_init(|| {
        let mut bytes = [0u8; 8];
        match getrandom::fill(&mut bytes) {
            Ok(()) => u64::from_le_bytes(bytes),
            // No random source: the moment the process started will do.
            Err(_) => metrics::now_ms(),
        }
    });
    let made = MADE.fetch_add(1, Ordering::Relaxed);
    format!("{process:016x}{made:016x}")
}

fn plain(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Logs of a Lambda function: JSON lines (CloudWatch adds the time), at
/// the levels `RUST_LOG` names as `level` or `target=level` pairs
/// (`info,copkit_aws=debug`; `info` when unset or unreadable). A plain
/// target filter, not `EnvFilter`: its field matching would link a regex
/// engine into every function for a feature the functions do not use.
pub fn init_function_logs() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    tracing_subscriber::registry()
        .with(log_targets(std::env::var("RUST_LOG").ok().as_deref()))
        .with(tracing_subscriber::fmt::layer().json().without_time())
        .init();
}

fn log_targets(setting: Option<&str>) -> tracing_subscriber::filter::Targets {
    let info = || {
        tracing_subscriber::filter::Targets::new()
            .with_default(tracing_subscriber::filter::LevelFilter::INFO)
    };
    match setting.map(str::trim) {
        Some(text) if !text.is_empty() => text.parse().unwrap_or_else(|_| info()),
        _ => info(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_levels_come_from_rust_log() {
        use tracing::Level;
        let unset = log_targets(None);
        assert!(unset.would_enable("copkit_core", &Level::INFO));
        assert!(!unset.would_enable("copkit_core", &Level::DEBUG));
        let named = log_targets(Some("warn,copkit_aws=debug"));
        assert!(named.would_enable("copkit_aws::dynamo", &Level::DEBUG));
        assert!(!named.would_enable("copkit_core", &Level::INFO));
        assert!(named.would_enable("copkit_core", &Level::WARN));
        let unreadable = log_targets(Some("copkit=loud"));
        assert!(unreadable.would_enable("copkit_core", &Level::INFO));
        assert!(!unreadable.would_enable("copkit_core", &Level::DEBUG));
    }

    #[test]
    fn fresh_ids_are_plain_and_never_repeat() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| fresh_id()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids.iter().all(|id| id.len() == 32 && plain(id)));
    }

    #[test]
    fn only_plain_caller_ids_are_kept() {
        assert!(plain("01KDVDNA0020YM9GGZ01RWHET7"));
        assert!(plain("a.b_c-d"));
        assert!(!plain(""));
        assert!(!plain("two words"));
        assert!(!plain("bearer=eyJ\n"));
        assert!(!plain(&"x".repeat(129)));
    }
}
