//! Sessions on a deployed copkit API: [`CopkitClient`] gives the same
//! [`Session`] as an embedded `Copkit`, its calls going over HTTPS through
//! `copkit-client` (ETags, idempotent retries, the offline cache). An app
//! switches between the two by changing the one constructor.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use copkit_client::{Client, ClientConfig, ClientError, ClientResult, RetryPolicy, TokenProvider};
use copkit_core::ffi::CopkitError;
use jiff::Timestamp;

use crate::session::Session;

/// Why the token provider could not give a token (the person signed out,
/// the identity provider is unreachable). Anything the provider throws
/// arrives as `Failed`; the call then fails with `CopkitError.Network`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum TokenError {
    /// No token.
    #[error("no token: {reason}")]
    Failed {
        /// What the provider said.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for TokenError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        TokenError::Failed { reason: e.reason }
    }
}

/// Supplies the bearer token of the signed-in person: the app's sign-in
/// (Cognito, an OIDC library). Asked before requests, and once more with
/// `refresh` true after the API refused a token: then fetch a new one.
/// Called off the main thread; it may block on the network.
#[uniffi::export(with_foreign)]
pub trait CopkitTokenProvider: Send + Sync {
    /// The token to send.
    fn token(&self, refresh: bool) -> Result<String, TokenError>;
}

/// Told how far a document transfer is.
#[uniffi::export(with_foreign)]
pub trait TransferProgress: Send + Sync {
    /// `done` of `total` bytes sent or received.
    fn progress(&self, done: u64, total: u64);
}

/// The host's token provider as the client's.
struct HostTokens(Arc<dyn CopkitTokenProvider>);

#[async_trait]
impl TokenProvider for HostTokens {
    async fn token(&self, refresh: bool) -> ClientResult<String> {
        let host = self.0.clone();
        let asked = tokio::task::spawn_blocking(move || host.token(refresh)).await;
        match asked {
            Ok(Ok(token)) => Ok(token),
            Ok(Err(e)) => Err(ClientError::Token {
                reason: e.to_string(),
            }),
            Err(e) => Err(ClientError::Token {
                reason: format!("the token provider failed: {e}"),
            }),
        }
    }
}

/// The host's progress listener as the client's.
pub(crate) fn progress(
    listener: Option<Arc<dyn TransferProgress>>,
) -> Option<copkit_client::Progress> {
    listener.map(|l| -> copkit_client::Progress {
        Arc::new(move |done, total| l.progress(done, total))
    })
}

/// How a [`CopkitClient`] behaves; every field has a default.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct ClientOptions {
    /// Keep the last answer of each read in this SQLite file, to show while
    /// offline (`CopkitClient.stale_since` says since when). In memory only
    /// when absent.
    #[uniffi(default = None)]
    pub cache_path: Option<String>,
    /// The longest wait for a connection (default 10 s).
    #[uniffi(default = None)]
    pub connect_timeout: Option<Duration>,
    /// The longest wait for a request and its answer (default 30 s).
    #[uniffi(default = None)]
    pub request_timeout: Option<Duration>,
    /// The longest wait for one document transfer (default 10 min).
    #[uniffi(default = None)]
    pub transfer_timeout: Option<Duration>,
    /// Attempts per call, retries included (default 4; 1 turns retries off).
    #[uniffi(default = None)]
    pub max_attempts: Option<u32>,
    /// The `User-Agent` (the app's name and version).
    #[uniffi(default = None)]
    pub user_agent: Option<String>,
}

/// A client of a deployed copkit API.
#[derive(uniffi::Object)]
pub struct CopkitClient {
    client: Client,
}

#[uniffi::export(async_runtime = "tokio")]
impl CopkitClient {
    /// The API at `base_url` (`https://….execute-api….amazonaws.com/prod`,
    /// or `http://127.0.0.1:8080` for copkit-local), with tokens from
    /// `token_provider` and the default options.
    #[uniffi::constructor]
    pub fn new(
        base_url: String,
        token_provider: Arc<dyn CopkitTokenProvider>,
    ) -> Result<Arc<Self>, CopkitError> {
        Self::with_options(base_url, token_provider, ClientOptions::default())
    }

    /// The same with options.
    #[uniffi::constructor]
    pub fn with_options(
        base_url: String,
        token_provider: Arc<dyn CopkitTokenProvider>,
        options: ClientOptions,
    ) -> Result<Arc<Self>, CopkitError> {
        let mut config = ClientConfig::new(base_url, Arc::new(HostTokens(token_provider)));
        if let Some(path) = options.cache_path {
            config = config.cache_path(path);
        }
        if let Some(timeout) = options.connect_timeout {
            config = config.connect_timeout(timeout);
        }
        if let Some(timeout) = options.request_timeout {
            config = config.request_timeout(timeout);
        }
        if let Some(timeout) = options.transfer_timeout {
            config = config.transfer_timeout(timeout);
        }
        if let Some(attempts) = options.max_attempts {
            config = config.retry(RetryPolicy {
                max_attempts: attempts.max(1),
                ..RetryPolicy::default()
            });
        }
        if let Some(agent) = options.user_agent {
            config = config.user_agent(agent);
        }
        let client = config.build().map_err(remote_error)?;
        Ok(Arc::new(CopkitClient { client }))
    }

    /// The signed-in person's session (asks the API who the token names).
    pub async fn session(&self) -> Result<Arc<Session>, CopkitError> {
        let me = self.client.my_profile().await.map_err(remote_error)?;
        Ok(Arc::new(Session::remote(self.client.clone(), me.user)))
    }

    /// `None` while the API answers; once a read had to be answered from the
    /// cache because it could not be reached, when the oldest answer shown
    /// was last confirmed.
    pub fn stale_since(&self) -> Option<Timestamp> {
        self.client.stale_since()
    }

    /// Forgets every kept answer (call it at sign-out).
    pub fn clear_cache(&self) -> Result<(), CopkitError> {
        self.client.clear_cache().map_err(remote_error)
    }
}

/// A client error as the bindings' error.
pub(crate) fn remote_error(e: ClientError) -> CopkitError {
    match e {
        ClientError::NotFound { .. } => CopkitError::NotFound,
        ClientError::Forbidden { code, .. } => CopkitError::Forbidden { code },
        ClientError::Conflict { code, .. } => CopkitError::Conflict { code },
        ClientError::Invalid {
            code,
            detail,
            fields,
        } => match fields.into_iter().next() {
            Some(field) => CopkitError::Invalid {
                field: field.field,
                reason: field.message,
            },
            None => CopkitError::Invalid {
                field: code,
                reason: detail,
            },
        },
        ClientError::Unauthorized { code } => CopkitError::Unauthorized { code },
        ClientError::RateLimited { retry_after_secs } => {
            CopkitError::RateLimited { retry_after_secs }
        }
        ClientError::Unavailable { retry_after_secs } => {
            CopkitError::Unavailable { retry_after_secs }
        }
        ClientError::Network { reason } | ClientError::Token { reason } => {
            CopkitError::Network { reason }
        }
        ClientError::Integrity { reason } => CopkitError::Integrity { reason },
        ClientError::Server { .. } | ClientError::Protocol { .. } => CopkitError::Internal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_errors_keep_their_kind_and_first_field() {
        let invalid = ClientError::Invalid {
            code: "invalid_input".into(),
            detail: "name: too short".into(),
            fields: vec![copkit_client::FieldProblem {
                field: "name".into(),
                code: "too_short".into(),
                message: "at least 3".into(),
            }],
        };
        assert_eq!(
            remote_error(invalid),
            CopkitError::Invalid {
                field: "name".into(),
                reason: "at least 3".into()
            }
        );
        assert_eq!(
            remote_error(ClientError::Conflict {
                code: "version_conflict".into(),
                detail: String::new()
            }),
            CopkitError::Conflict {
                code: "version_conflict".into()
            }
        );
        assert_eq!(
            remote_error(ClientError::RateLimited {
                retry_after_secs: 5
            }),
            CopkitError::RateLimited {
                retry_after_secs: 5
            }
        );
        assert!(matches!(
            remote_error(ClientError::Server {
                status: 500,
                code: "internal".into()
            }),
            CopkitError::Internal
        ));
    }
}
