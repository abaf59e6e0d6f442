//! Communities, their slugs and the directory; memberships, rosters and access facts.
//!
//! The reads ([`CommunityStore`], [`MembershipStore`]) and the writes ([`CommunityOp`]) of one
//! family of records; every store implements them in a file of the same name.

use async_trait::async_trait;

use super::{Chunk, Expect, ItemKey, Op, Range, StoreError};
use crate::ids::{CommunityId, SpaceId, UserId};
use crate::model::{
    Community, CommunityKind, CountDelta, Membership, ParticipationLevel, Slug, SpaceGrant,
};

/// Filters for the community directory (Public and Private communities only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectoryQuery {
    /// Only communities of this kind.
    pub kind: Option<CommunityKind>,
    /// Only communities whose name starts with this (case-insensitive).
    pub name_prefix: Option<String>,
}

/// Which memberships a roster query returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberFilter {
    /// Current members and guests.
    Active,
    /// People whose membership record says banned (expired bans included).
    Banned,
    /// Current members and guests at this stored level, by user id.
    Level(ParticipationLevel),
}

/// The facts an access decision needs, fetched together (one round trip in
/// stores that can batch reads).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessFacts {
    /// The community, if it exists.
    pub community: Option<Community>,
    /// The caller's membership record, if any.
    pub membership: Option<Membership>,
    /// The caller's grant on the space asked about, if any.
    pub grant: Option<SpaceGrant>,
}

/// Communities and the directory.
#[async_trait]
pub trait CommunityStore: Send + Sync {
    /// One community by id.
    async fn get_community(&self, id: &CommunityId) -> Result<Option<Community>, StoreError>;
    /// Several communities at once (missing ones are left out; order not kept).
    async fn get_communities(&self, ids: &[CommunityId]) -> Result<Vec<Community>, StoreError>;
    /// One community by slug.
    async fn get_community_by_slug(&self, slug: &Slug) -> Result<Option<Community>, StoreError>;
    /// The id of the community that holds `slug` (one read of the slug
    /// claim, for callers that read the community with other facts next).
    async fn community_id_by_slug(&self, slug: &Slug) -> Result<Option<CommunityId>, StoreError>;
    /// Listed (Public and Private) communities ordered by lower-cased name, then id.
    async fn list_directory(
        &self,
        query: &DirectoryQuery,
        range: &Range,
    ) -> Result<Chunk<Community>, StoreError>;
}

/// Memberships and access facts.
#[async_trait]
pub trait MembershipStore: Send + Sync {
    /// One membership record.
    async fn get_membership(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<Membership>, StoreError>;
    /// The community, the user's membership and (for `space`) their grant,
    /// read consistently and together.
    async fn access_facts(
        &self,
        community: &CommunityId,
        user: &UserId,
        space: Option<&SpaceId>,
    ) -> Result<AccessFacts, StoreError>;
    /// A community's roster ordered by role (owners first), then user id.
    async fn list_members(
        &self,
        community: &CommunityId,
        filter: MemberFilter,
        range: &Range,
    ) -> Result<Chunk<Membership>, StoreError>;
    /// A person's active memberships ordered by community id.
    async fn list_user_memberships(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Membership>, StoreError>;
}

/// The writes to this family, each inside a [`Transaction`](super::Transaction)
/// (see [`Op`]).
#[derive(Debug, Clone, PartialEq)]
pub enum CommunityOp {
    /// Create a community and claim its slug when it has one to claim
    /// ([`Community::slug_claim`]: listed communities only). Fails
    /// `AlreadyExists` if the claimed slug (or the id) is taken.
    CreateCommunity {
        /// The new community, counts included.
        community: Community,
    },
    /// Replace a community's settings (never its counts). When its slug
    /// claim changes (a new slug, or it becomes listed or Secret), the new
    /// claim is made (`AlreadyExists` if taken) and the old one released, in
    /// the same write.
    UpdateCommunity {
        /// The new settings.
        community: Community,
        /// The slug claim it had when read ([`Community::slug_claim`]).
        previous_claim: Option<Slug>,
        /// The version read.
        expect_version: u64,
    },
    /// Change a community's counts. Fails `LastOwner` if the owner count
    /// would drop below one, `LimitReached` if the space limit would be
    /// exceeded, `VersionMismatch` if the community is gone.
    AdjustCounts {
        /// The community.
        community: CommunityId,
        /// The change.
        delta: CountDelta,
    },
    /// Create or replace a membership.
    PutMembership {
        /// The new record.
        membership: Membership,
        /// Its expected current state.
        expect: Expect,
    },
    /// Delete a membership record (erasure, after leaving; nothing happens
    /// when absent).
    ForgetMembership {
        /// The community.
        community: CommunityId,
        /// Whose.
        user: UserId,
    },
    /// Writes nothing; fails `VersionMismatch` unless the membership is
    /// still at `version`: a write made on the authority of the actor's
    /// membership as read (their role, their standing) does not land once
    /// that membership changed.
    RequireMembership {
        /// The community.
        community: CommunityId,
        /// Whose.
        user: UserId,
        /// The version read.
        version: u64,
    },
}

impl CommunityOp {
    /// The items this operation writes.
    pub fn items(&self) -> Vec<ItemKey> {
        match self {
            CommunityOp::CreateCommunity { community } => {
                let mut items = vec![ItemKey::Community(community.id)];
                items.extend(community.slug_claim().cloned().map(ItemKey::Slug));
                items
            }
            CommunityOp::UpdateCommunity {
                community,
                previous_claim,
                ..
            } => {
                let mut items = vec![ItemKey::Community(community.id)];
                if previous_claim.as_ref() != community.slug_claim() {
                    items.extend(previous_claim.iter().cloned().map(ItemKey::Slug));
                    items.extend(community.slug_claim().cloned().map(ItemKey::Slug));
                }
                items
            }
            CommunityOp::AdjustCounts { community, .. } => vec![ItemKey::Community(*community)],
            CommunityOp::PutMembership { membership, .. } => vec![ItemKey::Membership(
                membership.community,
                membership.user.clone(),
            )],
            CommunityOp::ForgetMembership { community, user }
            | CommunityOp::RequireMembership {
                community, user, ..
            } => {
                vec![ItemKey::Membership(*community, user.clone())]
            }
        }
    }
}

impl From<CommunityOp> for Op {
    fn from(op: CommunityOp) -> Op {
        Op::Community(op)
    }
}
