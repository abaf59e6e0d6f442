//! Spaces inside communities and the guest grants that open them.
//!
//! The reads ([`SpaceStore`]) and the writes ([`SpaceOp`]) of one
//! family of records; every store implements them in a file of the same name.

use async_trait::async_trait;

use super::{Expect, ItemKey, Op, StoreError};
use crate::ids::{CommunityId, SpaceId, UserId};
use crate::model::{Space, SpaceGrant};

/// Spaces and grants.
#[async_trait]
pub trait SpaceStore: Send + Sync {
    /// One space by id.
    async fn get_space(&self, id: &SpaceId) -> Result<Option<Space>, StoreError>;
    /// Every space of a community (at most 100), oldest first.
    async fn list_spaces(&self, community: &CommunityId) -> Result<Vec<Space>, StoreError>;
    /// A person's grants in a community.
    async fn list_user_grants(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Vec<SpaceGrant>, StoreError>;
    /// A space's grants, ordered by user id.
    async fn list_space_grants(&self, space: &SpaceId) -> Result<Vec<SpaceGrant>, StoreError>;
}

/// The writes to this family, each inside a [`Transaction`](super::Transaction)
/// (see [`Op`]).
#[derive(Debug, Clone, PartialEq)]
pub enum SpaceOp {
    /// Create or replace a space.
    PutSpace {
        /// The new record.
        space: Space,
        /// Its expected current state.
        expect: Expect,
    },
    /// Create or replace a grant.
    PutGrant {
        /// The grant.
        grant: SpaceGrant,
    },
    /// Delete a grant (no-op if absent).
    DeleteGrant {
        /// The space.
        space: SpaceId,
        /// The person.
        user: UserId,
    },
}

impl SpaceOp {
    /// The items this operation writes.
    pub fn items(&self) -> Vec<ItemKey> {
        match self {
            SpaceOp::PutSpace { space, .. } => vec![ItemKey::Space(space.id)],
            SpaceOp::PutGrant { grant } => vec![ItemKey::Grant(grant.space, grant.user.clone())],
            SpaceOp::DeleteGrant { space, user } => vec![ItemKey::Grant(*space, user.clone())],
        }
    }
}

impl From<SpaceOp> for Op {
    fn from(op: SpaceOp) -> Op {
        Op::Space(op)
    }
}
