//! Routes whose OpenAPI description is built only when it is asked for.
//!
//! `utoipa_axum`'s `OpenApiRouter` computes every operation's description
//! and every schema it names while the routes are registered, which put a
//! tenth of `bootstrap`'s cold start into a document most instances never
//! serve. [`routes!`](crate::routes::api_router::routes) registers each
//! handler from its annotation's path and methods alone, the same ones
//! `utoipa_axum` would use, and keeps a function that describes the
//! handlers; [`ApiDocs::openapi`] calls them when the document is first
//! requested.

use axum::Router;
use axum::routing::MethodRouter;
use utoipa::openapi::path::Paths;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{Components, OpenApi, RefOr};

use crate::state::AppState;

/// What one [`routes!`](crate::routes::api_router::routes) describes: the
/// schemas its operations name and its path item.
pub type DocPart = (Vec<(String, RefOr<Schema>)>, Paths);

/// The handlers of one path: a function describing them, the path, and
/// the handlers by method.
pub type ApiRoutes = (fn() -> DocPart, String, MethodRouter<AppState>);

/// An axum router with the description of its routes, kept for later.
#[derive(Default)]
pub struct ApiRouter {
    router: Router<AppState>,
    docs: Vec<fn() -> DocPart>,
}

impl ApiRouter {
    /// No routes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one path's handlers.
    pub fn routes(mut self, (docs, path, method): ApiRoutes) -> Self {
        self.router = self.router.route(&path, method);
        self.docs.push(docs);
        self
    }

    /// Adds every route of `other`.
    pub fn merge(mut self, other: ApiRouter) -> Self {
        self.router = self.router.merge(other.router);
        self.docs.extend(other.docs);
        self
    }

    /// The router to serve, and the description of its routes.
    pub fn split(self) -> (Router<AppState>, ApiDocs) {
        (self.router, ApiDocs(self.docs))
    }
}

/// The descriptions of a router's routes, not yet built.
#[derive(Clone)]
pub struct ApiDocs(Vec<fn() -> DocPart>);

impl std::fmt::Debug for ApiDocs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiDocs({} paths)", self.0.len())
    }
}

impl ApiDocs {
    /// `base` with every route's operations and the schemas they name,
    /// merged as `OpenApiRouter::routes` merges them.
    pub fn openapi(&self, mut base: OpenApi) -> OpenApi {
        for describe in &self.0 {
            let (schemas, paths) = describe();
            for (path, item) in paths.paths {
                match base.paths.paths.get_mut(&path) {
                    Some(existing) => existing.merge_operations(item),
                    None => {
                        base.paths.paths.insert(path, item);
                    }
                }
            }
            base.components
                .get_or_insert_with(Components::new)
                .schemas
                .extend(schemas);
        }
        base
    }
}

/// `routes!(a, b)`: the handlers `a` and `b` (annotated with
/// `#[utoipa::path]`, all on one path) as [`ApiRoutes`]. The path and
/// methods come from the annotations through `utoipa_axum::routes!`'s own
/// look-up, so they are exactly what `OpenApiRouter` would register; the
/// description is `utoipa_axum::routes!` itself, run only by
/// [`ApiDocs::openapi`].
macro_rules! routes {
    ( $handler:ident $(, $tail:ident)* $(,)? ) => {{
        use utoipa_axum::PathItemExt as _;
        fn describe() -> $crate::routes::api_router::DocPart {
            let (schemas, paths, _): (_, _, axum::routing::MethodRouter<$crate::state::AppState>) =
                utoipa_axum::routes!($handler $(, $tail)*);
            (schemas, paths)
        }
        let path: String = utoipa_axum::routes!(@path [path()] of $handler);
        let mut method = axum::routing::MethodRouter::<$crate::state::AppState>::new();
        for kind in utoipa_axum::routes!(@path [methods()] of $handler) {
            method = method.on(kind.to_method_filter(), $handler);
        }
        $(
            debug_assert_eq!(utoipa_axum::routes!(@path [path()] of $tail), path);
            for kind in utoipa_axum::routes!(@path [methods()] of $tail) {
                method = method.on(kind.to_method_filter(), $tail);
            }
        )*
        (describe as fn() -> $crate::routes::api_router::DocPart, path, method)
    }};
}
pub(crate) use routes;
