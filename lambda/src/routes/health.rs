//! Liveness and the API description (no identity needed).

use std::sync::Arc;

use axum::{Extension, Json};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The service is up.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
}

/// The generated OpenAPI document, shared with the handler that serves it.
#[derive(Debug, Clone)]
pub struct ApiDocument(pub Arc<serde_json::Value>);

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(openapi_json))
}

/// Is the service up?
#[utoipa::path(get, path = "/health", tag = "service", security(()),
    responses((status = 200, description = "Up", body = Health)))]
async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

/// This API's OpenAPI 3.1 document, generated from the code.
#[utoipa::path(get, path = "/openapi.json", tag = "service", security(()),
    responses((status = 200, description = "The OpenAPI document", body = Object)))]
async fn openapi_json(Extension(doc): Extension<ApiDocument>) -> Json<serde_json::Value> {
    Json(doc.0.as_ref().clone())
}
