use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::UserId;
use crate::model::TokenHash;

/// A person's private calendar feed: a URL holding a secret token that
/// calendar apps subscribe to without headers. copkit keeps only the
/// token's hash; making a new one revokes the old.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarFeed {
    /// Whose.
    pub user: UserId,
    /// The SHA-256 of its token.
    pub token_hash: TokenHash,
    /// When this token was made.
    pub created_at: Timestamp,
    /// Optimistic-concurrency version (counts the tokens made).
    pub version: u64,
}
