//! The AWS Lambda entry point: the same router as the local server, behind
//! API Gateway (HTTP API v2 or REST v1) with a JWT authorizer whose claims
//! identify the caller.
//!
//! Configuration (environment):
//! - `COPKIT_CURSOR_KEY`: 64 hex characters; the key that signs pagination
//!   cursors (set the same value on every instance so cursors survive).
//!   Without it, a random key per instance.

use std::sync::Arc;

use copkit_core::{Config, Copkit, MemoryStore};
use copkit_lambda::{AppState, Authenticator, app};

fn cursor_key() -> Result<[u8; 32], String> {
    let mut key = [0u8; 32];
    match std::env::var("COPKIT_CURSOR_KEY") {
        Ok(hex_key) if !hex_key.is_empty() => {
            let bytes =
                hex::decode(hex_key.trim()).map_err(|e| format!("COPKIT_CURSOR_KEY: {e}"))?;
            if bytes.len() != 32 {
                return Err("COPKIT_CURSOR_KEY must be 64 hex characters".into());
            }
            key.copy_from_slice(&bytes);
        }
        _ => getrandom::fill(&mut key).map_err(|e| format!("no secure random source: {e}"))?,
    }
    Ok(key)
}

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .without_time()
        .init();
    let copkit = Copkit::builder(Arc::new(MemoryStore::new()))
        .config(Config::with_cursor_key(cursor_key()?))
        .build()
        .map_err(|e| format!("{e}"))?;
    let router = app::router(AppState::new(copkit, Authenticator::ApiGateway));
    lambda_http::run(app::lambda_service(router)).await
}
