//! Invitations (by email or link) and join requests.
//!
//! The reads ([`InvitationStore`], [`JoinRequestStore`]) and the writes ([`InvitationOp`]) of one
//! family of records; every store implements them in a file of the same name.

use async_trait::async_trait;
use jiff::Timestamp;

use super::{Chunk, Expect, ItemKey, Op, Range, StoreError};
use crate::ids::{CommunityId, InvitationId, UserId};
use crate::model::{Invitation, JoinRequest, TokenHash};

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
    /// The invitations addressed to `address` (lower-case), in every
    /// community, oldest first: what a person's export shows and their
    /// erasure revokes.
    async fn list_invitations_to(
        &self,
        address: &str,
        range: &Range,
    ) -> Result<Chunk<Invitation>, StoreError>;
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

/// The writes to this family, each inside a [`Transaction`](super::Transaction)
/// (see [`Op`]).
#[derive(Debug, Clone, PartialEq)]
pub enum InvitationOp {
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
    /// Create or replace a join request.
    PutJoinRequest {
        /// The new record.
        request: JoinRequest,
        /// Its expected current state.
        expect: Expect,
    },
    /// Delete a join request (erasure; nothing happens when absent).
    ForgetJoinRequest {
        /// The community.
        community: CommunityId,
        /// Whose.
        user: UserId,
    },
}

impl InvitationOp {
    /// The items this operation writes.
    pub fn items(&self) -> Vec<ItemKey> {
        match self {
            InvitationOp::CreateInvitation { invitation } => {
                vec![ItemKey::Invitation(invitation.id)]
            }
            InvitationOp::UpdateInvitation { invitation, .. } => {
                vec![ItemKey::Invitation(invitation.id)]
            }
            InvitationOp::ConsumeInvitation { id, .. } => vec![ItemKey::Invitation(*id)],
            InvitationOp::PutJoinRequest { request, .. } => vec![ItemKey::JoinRequest(
                request.community,
                request.user.clone(),
            )],
            InvitationOp::ForgetJoinRequest { community, user } => {
                vec![ItemKey::JoinRequest(*community, user.clone())]
            }
        }
    }
}

impl From<InvitationOp> for Op {
    fn from(op: InvitationOp) -> Op {
        Op::Invitation(op)
    }
}
