//! # copkit-client
//!
//! A typed, resilient client for copkit's HTTP API, for apps (through the
//! bindings' `CopkitClient`) and for Rust services.
//!
//! - **The core's types and names.** Every operation of the API is a
//!   method named like the `copkit_core::Copkit` use case it reaches, taking
//!   and returning the core's own types (no second copy). The caller is
//!   whoever the token names.
//! - **Complete.** [`operations::OPERATIONS`] lists every operation; a test
//!   holds it to the server's `/openapi.json`.
//! - **Correct by default.** Edits send the version they are based on as
//!   `If-Match` (a stale edit is [`ClientError::Conflict`]); every JSON write
//!   carries an `Idempotency-Key`, the same on each retry; 429, 502, 503, 504
//!   and broken connections are retried with backoff, honouring
//!   `Retry-After`; timeouts bound the connection and the whole request; the
//!   [`TokenProvider`] is asked again (`refresh`) after a 401.
//! - **Documents** go straight to and from storage with the requests the API
//!   signs ([`Client::upload_new_document`], [`Client::download_document`]),
//!   with SHA-256 checked and progress reported.
//! - **Cheap refresh, offline reading.** GET answers are kept with their
//!   ETag (in memory, or in a SQLite file given [`ClientConfig::cache_path`]),
//!   so unchanged answers cost a 304; when the server cannot be reached the
//!   kept answer is returned and [`Client::stale_since`] says since when.
//! - rustls only (no OpenSSL), so it builds for iOS and Android.
//!
//! ```no_run
//! # async fn f() -> Result<(), copkit_client::ClientError> {
//! use std::sync::Arc;
//! use copkit_client::{Client, StaticToken};
//! use copkit_core::model::PageRequest;
//!
//! let client = Client::new("http://127.0.0.1:8080", Arc::new(StaticToken("…".into())))?;
//! let page = client.directory(None, Some("gp"), &PageRequest::default()).await?;
//! for card in page.items {
//!     println!("{}", card.name);
//! }
//! # Ok(()) }
//! ```

mod api;
mod cache;
mod client;
mod error;
pub mod operations;
mod paging;
mod retry;
mod tokens;
mod transfer;
mod transport;

pub use api::me::Health;
pub use cache::{FILE_ENTRIES, MEMORY_ENTRIES};
pub use client::{Attempt, Client, ClientConfig, Observer};
pub use error::{ClientError, ClientResult, FieldProblem};
pub use retry::RetryPolicy;
pub use tokens::{StaticToken, TokenProvider};
pub use transfer::{Progress, sha256_hex};
