//! # copkit-lambda
//!
//! The serverless face of copkit: one axum router ([`app::router`]) over the
//! core services, served by two binaries — `bootstrap` on AWS Lambda
//! (`lambda_http::run`, identity from API Gateway's JWT authorizer) and
//! `copkit-local` on `axum::serve` (identity from an HS256 bearer token).
//!
//! Answers follow DESIGN §5: problem+json errors with stable codes, 404 for
//! the invisible, signed cursors, `ETag`/`If-Match`, `Idempotency-Key`,
//! unknown JSON fields refused, a 1 MB JSON limit, panics turned into a bare
//! 500. The OpenAPI 3.1 document is generated from the code and served at
//! `/openapi.json`.
//!
//! ```
//! use std::sync::Arc;
//! use copkit_core::{Copkit, MemoryStore};
//! use copkit_lambda::{AppState, Authenticator, app};
//!
//! let copkit = Copkit::new(Arc::new(MemoryStore::new())).unwrap();
//! let router = app::router(AppState::new(copkit, Authenticator::hs256(b"dev secret")));
//! # let _ = router;
//! ```

#![deny(missing_docs)]

pub mod app;
pub mod auth;
pub mod conditional;
pub mod demo;
pub mod extract;
pub mod idempotency;
pub mod json_memo;
pub mod metrics;
pub mod openapi;
pub mod problem;
pub mod request_log;
pub mod routes;
pub mod scheduled;
pub mod search_feed;
pub mod smtp;
pub mod state;
mod verified_tokens;

pub use auth::{Authenticator, Caller, Claims};
pub use state::AppState;
