//! Invitations in memory: the tables, the checks and effects of
//! [`InvitationOp`], and the reads.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use async_trait::async_trait;

use super::{HashMap, MemoryStore, SEP, check_expect, chunk_of, parse_ulid_position};
use crate::ids::{CommunityId, InvitationId, UserId};
use crate::model::{Invitation, JoinRequest, TokenHash};
use crate::store::{
    Chunk, ConditionFailure, Expect, InvitationOp, InvitationStore, JoinRequestStore, Range,
    StoreError,
};

/// The invitations tables.
#[derive(Debug, Default)]
pub(super) struct Tables {
    pub(super) join_requests: BTreeMap<(CommunityId, UserId), JoinRequest>,
    pub(super) invitations: HashMap<InvitationId, Invitation>,
    pub(super) invitation_tokens: HashMap<TokenHash, InvitationId>,
    pub(super) community_invitations: BTreeSet<(CommunityId, InvitationId)>,
    /// Email invitations by address.
    pub(super) email_invitations: BTreeSet<(String, InvitationId)>,
    /// Each community's pending requests by (requested ms, user), so the
    /// queue's page costs the same whatever the community has seen.
    pub(super) pending: BTreeSet<(CommunityId, String)>,
}

impl Tables {
    /// Whether `op` may be applied now.
    pub(super) fn check(&self, op: &InvitationOp) -> Result<(), ConditionFailure> {
        match op {
            InvitationOp::CreateInvitation { invitation } => {
                if self.invitations.contains_key(&invitation.id)
                    || self.invitation_tokens.contains_key(&invitation.token_hash)
                {
                    Err(ConditionFailure::AlreadyExists)
                } else {
                    Ok(())
                }
            }
            InvitationOp::UpdateInvitation {
                invitation,
                expect_version,
            } => check_expect(
                self.invitations.get(&invitation.id).map(|i| i.version),
                Expect::Version(*expect_version),
            ),
            InvitationOp::ConsumeInvitation { community, id, now } => {
                match self.invitations.get(id) {
                    Some(i) if i.community == *community && i.is_usable_at(*now) => Ok(()),
                    _ => Err(ConditionFailure::InvitationUnusable),
                }
            }
            InvitationOp::PutJoinRequest { request, expect } => check_expect(
                self.join_requests
                    .get(&(request.community, request.user.clone()))
                    .map(|r| r.version),
                *expect,
            ),
            InvitationOp::ForgetJoinRequest { .. } => Ok(()),
        }
    }

    /// Applies `op` (checked already).
    pub(super) fn apply(&mut self, op: InvitationOp) {
        match op {
            InvitationOp::CreateInvitation { invitation } => {
                self.invitation_tokens
                    .insert(invitation.token_hash.clone(), invitation.id);
                self.community_invitations
                    .insert((invitation.community, invitation.id));
                if let Some(address) = invitation.addressed_to() {
                    self.email_invitations
                        .insert((address.to_owned(), invitation.id));
                }
                self.invitations.insert(invitation.id, invitation);
            }
            InvitationOp::UpdateInvitation { invitation, .. } => {
                if let Some(address) = self
                    .invitations
                    .get(&invitation.id)
                    .and_then(Invitation::addressed_to)
                {
                    self.email_invitations
                        .remove(&(address.to_owned(), invitation.id));
                }
                if let Some(address) = invitation.addressed_to() {
                    self.email_invitations
                        .insert((address.to_owned(), invitation.id));
                }
                self.invitations.insert(invitation.id, invitation);
            }
            InvitationOp::ConsumeInvitation { id, .. } => {
                if let Some(i) = self.invitations.get_mut(&id) {
                    i.uses += 1;
                    i.version += 1;
                }
            }
            InvitationOp::PutJoinRequest { request, .. } => {
                let key = (request.community, request.user.clone());
                if let Some(old) = self.join_requests.get(&key) {
                    self.pending.remove(&(old.community, request_position(old)));
                }
                if request.is_pending() {
                    self.pending
                        .insert((request.community, request_position(&request)));
                }
                self.join_requests.insert(key, request);
            }
            InvitationOp::ForgetJoinRequest { community, user } => {
                if let Some(old) = self.join_requests.remove(&(community, user)) {
                    self.pending
                        .remove(&(old.community, request_position(&old)));
                }
            }
        }
    }
}

fn request_position(r: &JoinRequest) -> String {
    format!("{:020}{SEP}{}", r.requested_at.as_millisecond(), r.user)
}

#[async_trait]
impl InvitationStore for MemoryStore {
    async fn get_invitation(
        &self,
        community: &CommunityId,
        id: &InvitationId,
    ) -> Result<Option<Invitation>, StoreError> {
        Ok(self
            .lock()
            .invitations
            .invitations
            .get(id)
            .filter(|i| i.community == *community)
            .cloned())
    }

    async fn get_invitation_by_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<Invitation>, StoreError> {
        let state = self.lock();
        Ok(state
            .invitations
            .invitation_tokens
            .get(hash)
            .and_then(|id| state.invitations.invitations.get(id))
            .cloned())
    }

    async fn list_invitations(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Invitation>, StoreError> {
        let after: Option<InvitationId> = parse_ulid_position(&range.after)?;
        let end = match after {
            Some(id) => Bound::Excluded((*community, id)),
            None => Bound::Included((*community, InvitationId(ulid::Ulid(u128::MAX)))),
        };
        let state = self.lock();
        let items = state
            .invitations
            .community_invitations
            .range((
                Bound::Included((*community, InvitationId(ulid::Ulid(0)))),
                end,
            ))
            .rev()
            .filter_map(|(_, id)| state.invitations.invitations.get(id))
            .cloned();
        Ok(chunk_of(items, range.limit, |i| i.id.to_string()))
    }

    async fn list_invitations_to(
        &self,
        address: &str,
        range: &Range,
    ) -> Result<Chunk<Invitation>, StoreError> {
        let after: Option<InvitationId> = parse_ulid_position(&range.after)?;
        let start = match after {
            Some(id) => Bound::Excluded((address.to_owned(), id)),
            None => Bound::Included((address.to_owned(), InvitationId(ulid::Ulid(0)))),
        };
        let end = Bound::Included((address.to_owned(), InvitationId(ulid::Ulid(u128::MAX))));
        let state = self.lock();
        let items = state
            .invitations
            .email_invitations
            .range((start, end))
            .filter_map(|(_, id)| state.invitations.invitations.get(id))
            .cloned();
        Ok(chunk_of(items, range.limit, |i| i.id.to_string()))
    }
}

#[async_trait]
impl JoinRequestStore for MemoryStore {
    async fn get_join_request(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<JoinRequest>, StoreError> {
        Ok(self
            .lock()
            .invitations
            .join_requests
            .get(&(*community, user.clone()))
            .cloned())
    }

    async fn list_pending_requests(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<JoinRequest>, StoreError> {
        if let Some(p) = &range.after {
            let (ms, user) = p.split_once(SEP).ok_or(StoreError::InvalidPosition)?;
            if ms.parse::<i64>().is_err() || UserId::new(user).is_err() {
                return Err(StoreError::InvalidPosition);
            }
        }
        let start = match &range.after {
            Some(after) => Bound::Excluded((*community, after.clone())),
            None => Bound::Included((*community, String::new())),
        };
        let state = self.lock();
        let t = &state.invitations;
        let items = t
            .pending
            .range((start, Bound::Unbounded))
            .take_while(|(c, _)| c == community)
            .filter_map(|(c, position)| {
                let (_, user) = position.split_once(SEP)?;
                let user = UserId::new(user).ok()?;
                t.join_requests.get(&(*c, user)).cloned()
            });
        Ok(chunk_of(items, range.limit, request_position))
    }
}
