//! Local bearer tokens whose signature has been checked already, so a
//! client repeating its token (every request of a session does) costs a
//! map look-up instead of base64, HMAC and JSON each time.
//!
//! Only what never changes for a given token is remembered: that its
//! signature matches the server's secret and that it carries `sub` and
//! `exp`. Expiry, `nbf`, issuer and audience are still checked on every
//! request (against copkit's clock), so a remembered token stops working
//! the moment it expires. Tokens that fail the check are never remembered.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::auth::Claims;

/// How many tokens are remembered at most; when full, the map is emptied
/// and refills from the tokens in use (a few hundred bytes each).
pub const CAPACITY: usize = 4096;

/// Tokens that passed the signature check, with their claims.
#[derive(Default)]
pub struct VerifiedTokens {
    claims: RwLock<HashMap<Box<str>, Arc<Claims>>>,
}

impl VerifiedTokens {
    /// The claims of `token` if its signature was checked before.
    pub fn get(&self, token: &str) -> Option<Arc<Claims>> {
        self.claims.read().ok()?.get(token).cloned()
    }

    /// Remembers that `token`'s signature checked out, with its claims.
    pub fn remember(&self, token: &str, claims: Arc<Claims>) {
        // A poisoned lock only loses the cache: the caller has its claims.
        if let Ok(mut map) = self.claims.write() {
            if map.len() >= CAPACITY {
                map.clear();
            }
            map.insert(token.into(), claims);
        }
    }

    /// How many tokens are remembered.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.claims.read().map(|map| map.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_cache_empties_before_it_grows() {
        let tokens = VerifiedTokens::default();
        let claims = Arc::new(Claims::default());
        for n in 0..CAPACITY {
            tokens.remember(&format!("token-{n}"), claims.clone());
        }
        assert_eq!(tokens.len(), CAPACITY);
        assert!(tokens.get("token-0").is_some());
        tokens.remember("one more", claims);
        assert_eq!(tokens.len(), 1);
        assert!(tokens.get("token-0").is_none());
        assert!(tokens.get("one more").is_some());
    }
}
