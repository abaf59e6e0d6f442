//! Where the bearer token comes from: the app's sign-in, asked before each
//! request and once more, with `refresh`, after a 401.

use async_trait::async_trait;

use crate::error::{ClientError, ClientResult};

/// Supplies the bearer token for every request.
#[async_trait]
pub trait TokenProvider: Send + Sync {
    /// The token to send. `refresh` is true after the server refused the
    /// previous one (401): fetch a new one rather than a cached one.
    async fn token(&self, refresh: bool) -> ClientResult<String>;
}

/// A fixed token (scripts, tests, a portal's service account).
#[derive(Clone)]
pub struct StaticToken(pub String);

impl std::fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaticToken(..)")
    }
}

#[async_trait]
impl TokenProvider for StaticToken {
    async fn token(&self, _refresh: bool) -> ClientResult<String> {
        if self.0.is_empty() {
            return Err(ClientError::Token {
                reason: "empty token".into(),
            });
        }
        Ok(self.0.clone())
    }
}

/// Whose cache entries these are: the token's `sub` when it is a JWT (read,
/// not verified: it only keeps two people's cached answers apart), else a
/// digest of the token itself.
pub(crate) fn cache_scope(token: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let subject = token
        .split('.')
        .nth(1)
        .and_then(|payload| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload.trim_end_matches('='))
                .ok()
        })
        .and_then(|json| serde_json::from_slice::<serde_json::Value>(&json).ok())
        .and_then(|claims| claims.get("sub")?.as_str().map(str::to_owned));
    match subject {
        Some(sub) => format!("sub:{sub}"),
        None => format!("token:{}", hex::encode(&sha2::Sha256::digest(token)[..12])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_follow_the_subject_not_the_token() {
        use base64::Engine as _;
        let jwt = |sub: &str, exp: u64| {
            let payload = format!(r#"{{"sub":"{sub}","exp":{exp}}}"#);
            let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            format!("h.{}.s", b64.encode(payload))
        };
        assert_eq!(cache_scope(&jwt("helen", 1)), "sub:helen");
        assert_eq!(cache_scope(&jwt("helen", 1)), cache_scope(&jwt("helen", 2)));
        assert_ne!(cache_scope(&jwt("helen", 1)), cache_scope(&jwt("omar", 1)));
        assert!(cache_scope("opaque").starts_with("token:"));
        assert_ne!(cache_scope("opaque"), cache_scope("other"));
    }
}
