//! Liveness and the API description (no identity needed).

use std::sync::{Arc, OnceLock};

use axum::{Extension, Json};
use serde::Serialize;
use utoipa::ToSchema;

use super::api_router::{ApiDocs, ApiRouter, routes};

/// The service is up.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
}

/// The generated OpenAPI document, shared with the handler that serves it:
/// finished once, when first asked for.
#[derive(Debug, Clone)]
pub struct ApiDocument(Arc<LaterDocument>);

struct LaterDocument {
    docs: ApiDocs,
    finished: OnceLock<serde_json::Value>,
}

impl std::fmt::Debug for LaterDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LaterDocument")
            .field("finished", &self.finished.get().is_some())
            .finish_non_exhaustive()
    }
}

impl ApiDocument {
    /// The document describing `docs`' routes, built and finished on first
    /// use.
    pub fn later(docs: ApiDocs) -> Self {
        ApiDocument(Arc::new(LaterDocument {
            docs,
            finished: OnceLock::new(),
        }))
    }

    /// The finished document.
    pub fn get(&self) -> &serde_json::Value {
        self.0
            .finished
            .get_or_init(|| crate::openapi::document(&self.0.docs))
    }
}

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new()
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

// Named, so generated clients get a class of that name rather than one
// numbered after the status.
/// An OpenAPI 3.1 document.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct OpenApiDescription(serde_json::Value);

/// This API's OpenAPI 3.1 document, generated from the code.
#[utoipa::path(get, path = "/openapi.json", tag = "service", security(()),
    responses((status = 200, description = "The OpenAPI document", body = OpenApiDescription)))]
async fn openapi_json(Extension(doc): Extension<ApiDocument>) -> Json<OpenApiDescription> {
    Json(OpenApiDescription(doc.get().clone()))
}
