//! The storage contract (DESIGN §4): async read traits, one per aggregate,
//! and one atomic write ([`WriteStore::commit`]) that applies a
//! [`Transaction`] of typed operations entirely or not at all.
//!
//! Reads return `Option` for single items and a [`Chunk`] for lists. Lists
//! take a [`Range`] whose `after` is a raw position the same store returned
//! earlier; services sign positions into opaque cursors (see
//! [`crate::cursor`]), so stores never see caller-made positions unless
//! they were signed by this deployment — but they still validate them.
//!
//! A transaction maps one-to-one onto DynamoDB's `TransactWriteItems`: each
//! [`Op`] touches its own items (no item twice), carries its own condition,
//! and the whole thing holds at most [`Transaction::MAX_OPS`] operations.
//! Cross-item invariants (member and owner counts, the last owner, invitation
//! use limits, slug uniqueness) are conditions inside that one write.

use async_trait::async_trait;
use jiff::Timestamp;

use crate::ids::{ActivityId, CommunityId, InvitationId, SpaceId, UserId};
use crate::model::{
    Activity, Community, CommunityKind, CountDelta, Invitation, JoinRequest, Membership, Profile,
    Slug, Space, SpaceGrant, TokenHash,
};

mod memory;
pub use memory::MemoryStore;

#[cfg(feature = "conformance")]
pub mod conformance;

/// Where a list page starts and how long it is, as the store sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    /// At most this many items (1..=100).
    pub limit: u32,
    /// Start after this position (from a previous [`Chunk::next`]).
    pub after: Option<String>,
}

impl Range {
    /// The first `limit` items.
    pub fn first(limit: u32) -> Self {
        Range { limit, after: None }
    }
}

/// One page of a list, as the store returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk<T> {
    /// The items.
    pub items: Vec<T>,
    /// The position to continue after; `None` when the list is exhausted.
    pub next: Option<String>,
}

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

/// Profiles.
#[async_trait]
pub trait ProfileStore: Send + Sync {
    /// One profile.
    async fn get_profile(&self, user: &UserId) -> Result<Option<Profile>, StoreError>;
    /// Several profiles at once (missing ones are left out; order not kept).
    async fn get_profiles(&self, users: &[UserId]) -> Result<Vec<Profile>, StoreError>;
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

/// Join requests.
#[async_trait]
pub trait JoinRequestStore: Send + Sync {
    /// A person's request to a community.
    async fn get_join_request(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<JoinRequest>, StoreError>;
    /// Pending requests, oldest first (then by user id).
    async fn list_pending_requests(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<JoinRequest>, StoreError>;
}

/// Invitations.
#[async_trait]
pub trait InvitationStore: Send + Sync {
    /// One invitation by id, within its community.
    async fn get_invitation(
        &self,
        community: &CommunityId,
        id: &InvitationId,
    ) -> Result<Option<Invitation>, StoreError>;
    /// One invitation by the hash of its token.
    async fn get_invitation_by_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<Invitation>, StoreError>;
    /// A community's invitations, newest first.
    async fn list_invitations(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Invitation>, StoreError>;
}

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

/// The activity record.
#[async_trait]
pub trait ActivityStore: Send + Sync {
    /// A community's activity, newest first.
    async fn list_activity(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Activity>, StoreError>;
}

/// The one atomic write.
#[async_trait]
pub trait WriteStore: Send + Sync {
    /// Applies every operation of `tx`, or none of them.
    async fn commit(&self, tx: Transaction) -> Result<(), StoreError>;
}

/// Everything a copkit store provides.
pub trait Store:
    ProfileStore
    + CommunityStore
    + MembershipStore
    + JoinRequestStore
    + InvitationStore
    + SpaceStore
    + ActivityStore
    + WriteStore
{
}

impl<T> Store for T where
    T: ProfileStore
        + CommunityStore
        + MembershipStore
        + JoinRequestStore
        + InvitationStore
        + SpaceStore
        + ActivityStore
        + WriteStore
{
}

/// What a record must look like in the store for a write to go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// The record must not exist.
    Absent,
    /// The record must exist with exactly this version.
    Version(u64),
}

impl Expect {
    /// `Absent` for `None`, `Version(v)` for a record read at version `v`.
    pub fn from_version(version: Option<u64>) -> Self {
        version.map_or(Expect::Absent, Expect::Version)
    }
}

/// One operation inside a [`Transaction`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Op {
    /// Create or replace a profile.
    PutProfile {
        /// The new record.
        profile: Profile,
        /// Its expected current state.
        expect: Expect,
    },
    /// Create a community and claim its slug. Fails `AlreadyExists` if the
    /// slug (or the id) is taken.
    CreateCommunity {
        /// The new community, counts included.
        community: Community,
    },
    /// Replace a community's settings (never its counts). When the slug
    /// changes, the new slug is claimed (`AlreadyExists` if taken) and the
    /// old one released, in the same write.
    UpdateCommunity {
        /// The new settings.
        community: Community,
        /// The slug it had when read (released if the slug changes).
        previous_slug: Slug,
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
    /// Create or replace a join request.
    PutJoinRequest {
        /// The new record.
        request: JoinRequest,
        /// Its expected current state.
        expect: Expect,
    },
    /// Create an invitation (`AlreadyExists` if the id or token hash is taken).
    CreateInvitation {
        /// The new invitation.
        invitation: Invitation,
    },
    /// Replace an invitation (used to revoke it).
    UpdateInvitation {
        /// The new record.
        invitation: Invitation,
        /// The version read.
        expect_version: u64,
    },
    /// Count one use of an invitation. Fails `InvitationUnusable` if it is
    /// revoked, expired at `now`, used up, or gone.
    ConsumeInvitation {
        /// Its community.
        community: CommunityId,
        /// The invitation.
        id: InvitationId,
        /// The time of use.
        now: Timestamp,
    },
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
    /// Append to the activity record (`AlreadyExists` if the id is taken).
    RecordActivity {
        /// The activity.
        activity: Activity,
    },
}

/// The identity of one stored item, used to reject transactions that touch
/// an item twice (DynamoDB refuses them, so every store does).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemKey {
    /// A profile.
    Profile(UserId),
    /// A community record.
    Community(CommunityId),
    /// A slug claim.
    Slug(Slug),
    /// A membership.
    Membership(CommunityId, UserId),
    /// A join request.
    JoinRequest(CommunityId, UserId),
    /// An invitation.
    Invitation(InvitationId),
    /// A space.
    Space(SpaceId),
    /// A grant.
    Grant(SpaceId, UserId),
    /// An activity.
    Activity(ActivityId),
}

impl Op {
    /// The items this operation writes.
    pub fn items(&self) -> Vec<ItemKey> {
        match self {
            Op::PutProfile { profile, .. } => vec![ItemKey::Profile(profile.user.clone())],
            Op::CreateCommunity { community } => vec![
                ItemKey::Community(community.id),
                ItemKey::Slug(community.slug.clone()),
            ],
            Op::UpdateCommunity {
                community,
                previous_slug,
                ..
            } => {
                let mut items = vec![ItemKey::Community(community.id)];
                if *previous_slug != community.slug {
                    items.push(ItemKey::Slug(previous_slug.clone()));
                    items.push(ItemKey::Slug(community.slug.clone()));
                }
                items
            }
            Op::AdjustCounts { community, .. } => vec![ItemKey::Community(*community)],
            Op::PutMembership { membership, .. } => vec![ItemKey::Membership(
                membership.community,
                membership.user.clone(),
            )],
            Op::PutJoinRequest { request, .. } => vec![ItemKey::JoinRequest(
                request.community,
                request.user.clone(),
            )],
            Op::CreateInvitation { invitation } => vec![ItemKey::Invitation(invitation.id)],
            Op::UpdateInvitation { invitation, .. } => vec![ItemKey::Invitation(invitation.id)],
            Op::ConsumeInvitation { id, .. } => vec![ItemKey::Invitation(*id)],
            Op::PutSpace { space, .. } => vec![ItemKey::Space(space.id)],
            Op::PutGrant { grant } => vec![ItemKey::Grant(grant.space, grant.user.clone())],
            Op::DeleteGrant { space, user } => vec![ItemKey::Grant(*space, user.clone())],
            Op::RecordActivity { activity } => vec![ItemKey::Activity(activity.id)],
        }
    }
}

/// Operations applied together, entirely or not at all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transaction {
    ops: Vec<Op>,
}

impl Transaction {
    /// DynamoDB's limit on items in one transaction.
    pub const MAX_OPS: usize = 100;

    /// An empty transaction.
    pub fn new() -> Self {
        Transaction::default()
    }

    /// Adds an operation.
    pub fn push(&mut self, op: Op) -> &mut Self {
        self.ops.push(op);
        self
    }

    /// Adds an operation, builder style.
    pub fn with(mut self, op: Op) -> Self {
        self.ops.push(op);
        self
    }

    /// The operations, in order.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// Consumes the transaction, returning its operations.
    pub fn into_ops(self) -> Vec<Op> {
        self.ops
    }

    /// Checks the shape every store requires: 1..=100 operations, no item
    /// written twice.
    pub fn check_shape(&self) -> Result<(), StoreError> {
        if self.ops.is_empty() || self.ops.len() > Self::MAX_OPS {
            return Err(StoreError::InvalidTransaction(format!(
                "{} operations (allowed: 1..={})",
                self.ops.len(),
                Self::MAX_OPS
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for op in &self.ops {
            for key in op.items() {
                if !seen.insert(key.clone()) {
                    return Err(StoreError::InvalidTransaction(format!(
                        "item written twice: {key:?}"
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Which condition of a transaction failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionFailure {
    /// The item (or a unique claim, like a slug) already exists.
    AlreadyExists,
    /// The item's version is not the expected one, or it is gone.
    VersionMismatch,
    /// The owner count would drop below one.
    LastOwner,
    /// A count limit would be exceeded.
    LimitReached,
    /// The invitation cannot be used (revoked, expired, used up, gone).
    InvitationUnusable,
}

/// Why a store call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The condition of operation `op` (its index in the transaction) failed;
    /// nothing was written.
    #[error("condition of operation {op} failed: {failure:?}")]
    Condition {
        /// Index of the failing operation.
        op: usize,
        /// What failed.
        failure: ConditionFailure,
    },
    /// The transaction is malformed (a bug in the caller).
    #[error("invalid transaction: {0}")]
    InvalidTransaction(String),
    /// A list position that this store did not produce for this list.
    #[error("invalid list position")]
    InvalidPosition,
    /// The store is throttling or unreachable.
    #[error("store unavailable")]
    Unavailable {
        /// Seconds to wait before retrying.
        retry_after_secs: u32,
    },
    /// Anything else (the message is for logs only).
    #[error("store failure: {0}")]
    Internal(String),
}
