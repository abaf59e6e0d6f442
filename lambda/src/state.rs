//! What every handler shares.

use std::sync::Arc;

use axum::extract::FromRef;
use copkit_core::Copkit;

use crate::auth::Authenticator;
use crate::idempotency::Replays;

/// The router's state: the services and how callers are identified.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The use cases.
    pub copkit: Copkit,
    /// Who is calling.
    pub auth: Arc<Authenticator>,
}

impl AppState {
    /// State over `copkit`, identifying callers with `auth`.
    pub fn new(copkit: Copkit, auth: Authenticator) -> Self {
        AppState {
            copkit,
            auth: Arc::new(auth),
        }
    }
}

impl FromRef<AppState> for Arc<Authenticator> {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

impl FromRef<AppState> for Replays {
    fn from_ref(state: &AppState) -> Self {
        Replays {
            auth: state.auth.clone(),
            copkit: state.copkit.clone(),
        }
    }
}
