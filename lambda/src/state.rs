//! What every handler shares.

use std::sync::Arc;

use axum::extract::FromRef;
use copkit_core::Copkit;

use crate::auth::Authenticator;
use crate::idempotency::Replays;
use crate::json_memo::ListMemos;
use crate::request_log::RequestLog;

/// The router's state: the services and how callers are identified.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The use cases (shared: the state is cloned for every request).
    pub copkit: Arc<Copkit>,
    /// Who is calling.
    pub auth: Arc<Authenticator>,
    /// How requests are reported.
    pub request_log: RequestLog,
    /// The JSON of list answers given before.
    pub memos: Arc<ListMemos>,
}

impl AppState {
    /// State over `copkit`, identifying callers with `auth`.
    pub fn new(copkit: Copkit, auth: Authenticator) -> Self {
        AppState {
            copkit: Arc::new(copkit),
            auth: Arc::new(auth),
            request_log: RequestLog::default(),
            memos: Arc::default(),
        }
    }

    /// Also writes each request's CloudWatch metrics (EMF) to stdout: for
    /// Lambda, where CloudWatch reads the function's log.
    pub fn with_metrics(mut self) -> Self {
        self.request_log.metrics = true;
        self
    }
}

impl FromRef<AppState> for RequestLog {
    fn from_ref(state: &AppState) -> Self {
        state.request_log
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
