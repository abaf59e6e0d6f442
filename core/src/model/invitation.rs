use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::{CommunityId, InvitationId, SpaceId, UserId};
use crate::model::Role;

/// An invitation into a community, by email or as a shareable link.
/// Only the SHA-256 of its token is stored; the token itself is shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// Its id.
    pub id: InvitationId,
    /// The community it opens.
    pub community: CommunityId,
    /// Who it is for.
    pub target: InvitationTarget,
    /// The role accepting it grants.
    pub role: InvitedRole,
    /// For guest invitations: the spaces the guest is granted.
    pub guest_spaces: Vec<SpaceId>,
    /// SHA-256 of the secret token.
    pub token_hash: TokenHash,
    /// Who created it.
    pub created_by: UserId,
    /// When.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// How many people may use it.
    pub max_uses: u32,
    /// How many have used it.
    pub uses: u32,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
    /// Optimistic-concurrency version, starting at 1.
    pub version: u64,
}

impl Invitation {
    /// The address an email invitation is for (lower-case), if it is one.
    pub fn addressed_to(&self) -> Option<&str> {
        match &self.target {
            InvitationTarget::Email { address } => Some(address),
            InvitationTarget::Link => None,
        }
    }

    /// True when it can still be accepted at `now`.
    pub fn is_usable_at(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && now < self.expires_at && self.uses < self.max_uses
    }
}

/// Who an invitation is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum InvitationTarget {
    /// One person, by email address (lower-cased); only they may accept.
    Email {
        /// The address.
        address: String,
    },
    /// Anyone holding the link, up to the use limit.
    Link,
}

/// The roles an invitation may grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum InvitedRole {
    /// A full member.
    Member,
    /// A guest with grants to named spaces.
    Guest,
}

impl From<InvitedRole> for Role {
    fn from(r: InvitedRole) -> Role {
        match r {
            InvitedRole::Member => Role::Member,
            InvitedRole::Guest => Role::Guest,
        }
    }
}

/// The lower-case hex SHA-256 of an invitation token.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TokenHash(String);

impl TokenHash {
    /// Hashes a token.
    pub fn of(token: &str) -> TokenHash {
        TokenHash(hex::encode(Sha256::digest(token.as_bytes())))
    }

    /// The hash as hex text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_hash_is_sha256_hex() {
        assert_eq!(
            TokenHash::of("abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
