//! The one router both binaries serve.

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::StatusCode;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, middleware};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::conditional;
use crate::idempotency::{self, Replays};
use crate::problem::{ApiError, internal};
use crate::request_log::{self, RequestLog};
use crate::routes::{self, health::ApiDocument};
use crate::state::AppState;

/// The JSON body limit (1 MB); document uploads take up to 50 MB.
pub const JSON_LIMIT: usize = 1024 * 1024;

/// The router, serving its OpenAPI document (built and finished on first
/// request: describing the operations, listing the time zones and writing
/// the rules into the schema stay off a Lambda's cold start).
///
/// The middleware wraps the routes once, as one stack around the inner
/// router, rather than through `Router::layer` (which wraps every route on
/// its own, so each request cloned one boxed service per layer); only the
/// step that tells the request log which route matched sits on the routes.
pub fn router(state: AppState) -> Router {
    let (routes, descriptions) = routes::all().split();
    let routes: Router = routes
        .merge(docs())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(request_log::name_route))
        .with_state(state.clone());
    let stack = ServiceBuilder::new()
        // No answer may be sniffed into another type by a browser.
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(middleware::from_fn_with_state(
            RequestLog::from_ref(&state),
            request_log::middleware,
        ))
        .layer(panic_layer())
        .layer(DefaultBodyLimit::max(JSON_LIMIT))
        .layer(middleware::from_fn(conditional::middleware))
        .layer(middleware::from_fn_with_state(
            Replays::from_ref(&state),
            idempotency::middleware,
        ))
        .layer(Extension(ApiDocument::later(descriptions)))
        .service(routes);
    Router::new().fallback_service(stack)
}

/// Swagger UI at `/docs` over `/openapi.json`: the page and its assets come
/// from the binary, nothing from a CDN. Outside the OpenAPI document (it is
/// a page for people, not an operation) and open like it.
fn docs() -> Router<AppState> {
    Router::from(
        utoipa_swagger_ui::SwaggerUi::new("/docs")
            .config(utoipa_swagger_ui::Config::from("/openapi.json").validator_url("none")),
    )
}

/// The router as the Lambda serves it: behind a REST API (v1) the path
/// arrives with the stage in front (`/prod/me`), which is removed here
/// before routing, so one router serves both API kinds.
pub fn lambda_service(router: Router) -> LambdaService {
    tower::ServiceExt::map_request(
        router,
        strip_stage as fn(lambda_http::Request) -> lambda_http::Request,
    )
}

/// [`lambda_service`]'s type.
pub type LambdaService =
    tower::util::MapRequest<Router, fn(lambda_http::Request) -> lambda_http::Request>;

fn strip_stage<B>(mut request: axum::http::Request<B>) -> axum::http::Request<B> {
    use lambda_http::request::RequestContext;
    let Some(RequestContext::ApiGatewayV1(ctx)) = request.extensions().get::<RequestContext>()
    else {
        return request;
    };
    let Some(stage) = ctx.stage.as_deref().filter(|s| !s.is_empty()) else {
        return request;
    };
    let prefix = format!("/{stage}");
    let path = request.uri().path();
    let rest = match path.strip_prefix(&prefix) {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => return request,
    };
    let query = request
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    if let Ok(uri) = format!("{rest}{query}").parse() {
        *request.uri_mut() = uri;
    }
    request
}

/// The finished OpenAPI document alone.
pub fn openapi_document() -> serde_json::Value {
    crate::openapi::document(&routes::all().split().1)
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This path does not take that method.",
    )
}

/// Turns a handler's panic into a logged 500, so one bad request does not
/// end the process (or the Lambda sandbox). It needs `panic = "unwind"`.
fn panic_layer() -> CatchPanicLayer<fn(Box<dyn std::any::Any + Send + 'static>) -> Response> {
    CatchPanicLayer::custom(panicked as fn(Box<dyn std::any::Any + Send + 'static>) -> Response)
}

/// Whether this build survives a handler's panic: a request to a route that
/// panics, behind the router's own panic layer, must come back as a 500.
/// With `panic = "abort"` (cargo-lambda's default unless the profile says
/// otherwise) the process dies here instead of answering, which is what
/// `bootstrap --check-panics` shows on a built artifact.
#[allow(clippy::panic, reason = "the deliberate panic this check is about")]
pub async fn panics_are_caught() -> bool {
    use tower::ServiceExt;
    let router = Router::new()
        .route(
            "/panic",
            axum::routing::get(|| async {
                if std::hint::black_box(true) {
                    panic!("a deliberate panic (bootstrap --check-panics)");
                }
                "unreachable"
            }),
        )
        .layer(panic_layer());
    let request = axum::http::Request::get("/panic").body(axum::body::Body::empty());
    match request {
        Ok(request) => match router.oneshot(request).await {
            Ok(answer) => answer.status() == StatusCode::INTERNAL_SERVER_ERROR,
            Err(never) => match never {},
        },
        Err(_) => false,
    }
}

fn panicked(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = %message, "handler panicked");
    internal().into_response()
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a_panicking_handler_answers_500_and_the_process_goes_on() {
        assert!(super::panics_are_caught().await);
        // Still here, and able to do it again.
        assert!(super::panics_are_caught().await);
    }
}
