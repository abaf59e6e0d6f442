//! What a call can fail with: the API's problem documents (RFC 9457) read
//! into the same kinds the bindings use, plus what only a remote caller
//! meets (no network, an answer that makes no sense, bytes that do not
//! match their SHA-256).

use serde::Deserialize;

/// One field a request got wrong, from a problem's `errors`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FieldProblem {
    /// The field, as the request named it (`name`, `tags[2]`).
    pub field: String,
    /// A stable snake_case code (`too_short`, `control_character`, ...).
    pub code: String,
    /// What is wrong, for people.
    pub message: String,
}

/// A problem document as the API sends it.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Problem {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub detail: String,
    #[serde(default)]
    pub errors: Vec<FieldProblem>,
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// 404: it does not exist, or the caller may not know it exists
    /// (`code` is `not_found`, or `deleted` for a tombstone).
    #[error("not found ({code})")]
    NotFound {
        /// The problem code.
        code: String,
    },
    /// 403: the caller may see it but not do this.
    #[error("forbidden: {code}")]
    Forbidden {
        /// The stable reason code (`moderators_only`, `banned`, ...).
        code: String,
        /// For people.
        detail: String,
    },
    /// 409 or 412: the request clashes with the current state (a stale
    /// edit is `version_conflict`: read again, then retry).
    #[error("conflict: {code}")]
    Conflict {
        /// The stable reason code (`version_conflict`, `slug_taken`, ...).
        code: String,
        /// For people.
        detail: String,
    },
    /// 400 or 422: the request is malformed or an input field is invalid.
    #[error("invalid ({code}): {detail}")]
    Invalid {
        /// The problem code (`invalid_input`, `invalid_query`, ...).
        code: String,
        /// For people.
        detail: String,
        /// Every field that is wrong (may be empty).
        fields: Vec<FieldProblem>,
    },
    /// 401 even after asking the token provider for a fresh token.
    #[error("unauthorized: {code}")]
    Unauthorized {
        /// The problem code.
        code: String,
    },
    /// 429 still after the retries allowed (or asked to wait longer than
    /// the client waits).
    #[error("rate limited, retry after {retry_after_secs} s")]
    RateLimited {
        /// Seconds the server asked to wait.
        retry_after_secs: u32,
    },
    /// 502, 503 or 504 still after the retries allowed.
    #[error("unavailable, retry after {retry_after_secs} s")]
    Unavailable {
        /// Seconds to wait before trying again.
        retry_after_secs: u32,
    },
    /// Another 4xx or 5xx answer.
    #[error("server answered {status}: {code}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// The problem code (`internal` for a 500).
        code: String,
    },
    /// The server could not be reached, or the connection broke, after the
    /// retries allowed (offline, DNS, TLS, timeouts).
    #[error("network: {reason}")]
    Network {
        /// What went wrong.
        reason: String,
    },
    /// The answer was not what the API promises (malformed JSON, a
    /// missing header), or the request could not be built.
    #[error("protocol: {reason}")]
    Protocol {
        /// What went wrong.
        reason: String,
    },
    /// Downloaded bytes do not match the size or SHA-256 recorded for them.
    #[error("integrity: {reason}")]
    Integrity {
        /// What did not match.
        reason: String,
    },
    /// The token provider failed.
    #[error("token provider: {reason}")]
    Token {
        /// Its message.
        reason: String,
    },
}

impl ClientError {
    /// The error a non-success answer stands for.
    pub(crate) fn from_answer(status: u16, retry_after_secs: Option<u32>, body: &[u8]) -> Self {
        let problem: Problem = serde_json::from_slice(body).unwrap_or_default();
        let code = if problem.code.is_empty() {
            format!("http_{status}")
        } else {
            problem.code
        };
        let wait = retry_after_secs.unwrap_or(1);
        match status {
            400 | 422 => ClientError::Invalid {
                code,
                detail: problem.detail,
                fields: problem.errors,
            },
            401 => ClientError::Unauthorized { code },
            403 => ClientError::Forbidden {
                code,
                detail: problem.detail,
            },
            404 | 410 => ClientError::NotFound { code },
            409 | 412 => ClientError::Conflict {
                code,
                detail: problem.detail,
            },
            429 => ClientError::RateLimited {
                retry_after_secs: wait,
            },
            502..=504 => ClientError::Unavailable {
                retry_after_secs: wait,
            },
            _ => ClientError::Server { status, code },
        }
    }

    pub(crate) fn protocol(reason: impl std::fmt::Display) -> Self {
        ClientError::Protocol {
            reason: reason.to_string(),
        }
    }

    /// The stable problem code, when the server sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ClientError::NotFound { code }
            | ClientError::Forbidden { code, .. }
            | ClientError::Conflict { code, .. }
            | ClientError::Invalid { code, .. }
            | ClientError::Unauthorized { code }
            | ClientError::Server { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// What every client call returns.
pub type ClientResult<T> = Result<T, ClientError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_become_their_kinds() {
        let body = br#"{"code":"invalid_input","detail":"name: too short","errors":[{"field":"name","code":"too_short","message":"at least 3"}]}"#;
        match ClientError::from_answer(422, None, body) {
            ClientError::Invalid { code, fields, .. } => {
                assert_eq!(code, "invalid_input");
                assert_eq!(fields[0].field, "name");
                assert_eq!(fields[0].code, "too_short");
            }
            other => panic!("{other:?}"),
        }
        let conflict = ClientError::from_answer(409, None, br#"{"code":"version_conflict"}"#);
        assert_eq!(conflict.code(), Some("version_conflict"));
        assert!(matches!(conflict, ClientError::Conflict { .. }));
        assert_eq!(
            ClientError::from_answer(429, Some(7), b""),
            ClientError::RateLimited {
                retry_after_secs: 7
            }
        );
        assert_eq!(
            ClientError::from_answer(500, None, b"not json"),
            ClientError::Server {
                status: 500,
                code: "http_500".into()
            }
        );
        assert!(matches!(
            ClientError::from_answer(404, None, br#"{"code":"deleted"}"#),
            ClientError::NotFound { code } if code == "deleted"
        ));
    }
}
