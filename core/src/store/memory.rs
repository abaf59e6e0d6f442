//! The in-memory store: every table a map behind one lock, so a transaction
//! is checked and applied while holding it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use super::{
    AccessFacts, ActivityStore, Chunk, CommunityStore, ConditionFailure, DirectoryQuery, Expect,
    InvitationStore, JoinRequestStore, MemberFilter, MembershipStore, Op, ProfileStore, Range,
    SpaceStore, StoreError, Transaction, WriteStore,
};
use crate::ids::{ActivityId, CommunityId, InvitationId, SpaceId, UserId};
use crate::model::{
    Activity, Community, Invitation, JoinRequest, Membership, MembershipStatus, Profile, Slug,
    Space, SpaceGrant, TokenHash,
};
use crate::validate::limits;

/// A complete store in memory. Cloning shares the data.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    profiles: HashMap<UserId, Profile>,
    communities: HashMap<CommunityId, Community>,
    slugs: HashMap<Slug, CommunityId>,
    /// Listed communities by (lower-cased name, id).
    directory: BTreeSet<(String, CommunityId)>,
    memberships: BTreeMap<(CommunityId, UserId), Membership>,
    user_memberships: BTreeSet<(UserId, CommunityId)>,
    join_requests: BTreeMap<(CommunityId, UserId), JoinRequest>,
    invitations: HashMap<InvitationId, Invitation>,
    invitation_tokens: HashMap<TokenHash, InvitationId>,
    community_invitations: BTreeSet<(CommunityId, InvitationId)>,
    spaces: HashMap<SpaceId, Space>,
    community_spaces: BTreeSet<(CommunityId, SpaceId)>,
    grants: BTreeMap<(SpaceId, UserId), SpaceGrant>,
    user_grants: BTreeSet<(CommunityId, UserId, SpaceId)>,
    activity: BTreeMap<(CommunityId, ActivityId), Activity>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-applied
        // transaction (conditions are checked before anything is written),
        // so the data behind a poisoned lock is still consistent.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn directory_key(c: &Community) -> (String, CommunityId) {
    (c.name.to_lowercase(), c.id)
}

/// Separates the parts of a composite position. Names and ids never contain
/// control characters, so this cannot be confused with content.
const SEP: char = '\u{1f}';

fn parse_ulid_position<T: std::str::FromStr>(
    after: &Option<String>,
) -> Result<Option<T>, StoreError> {
    after
        .as_deref()
        .map(|p| p.parse::<T>().map_err(|_| StoreError::InvalidPosition))
        .transpose()
}

/// Takes up to `limit` items from an ordered iterator and computes the next position.
fn chunk_of<T>(
    items: impl Iterator<Item = T>,
    limit: u32,
    position: impl Fn(&T) -> String,
) -> Chunk<T> {
    let limit = limit.clamp(1, limits::PAGE_MAX) as usize;
    let mut taken: Vec<T> = Vec::with_capacity(limit);
    let mut more = false;
    for item in items {
        if taken.len() == limit {
            more = true;
            break;
        }
        taken.push(item);
    }
    let next = if more {
        taken.last().map(&position)
    } else {
        None
    };
    Chunk { items: taken, next }
}

fn check_expect(current: Option<u64>, expect: Expect) -> Result<(), ConditionFailure> {
    match (current, expect) {
        (None, Expect::Absent) => Ok(()),
        (Some(_), Expect::Absent) => Err(ConditionFailure::AlreadyExists),
        (Some(v), Expect::Version(want)) if v == want => Ok(()),
        (_, Expect::Version(_)) => Err(ConditionFailure::VersionMismatch),
    }
}

impl State {
    fn check(&self, op: &Op) -> Result<(), ConditionFailure> {
        match op {
            Op::PutProfile { profile, expect } => {
                check_expect(self.profiles.get(&profile.user).map(|p| p.version), *expect)
            }
            Op::CreateCommunity { community } => {
                if self.communities.contains_key(&community.id)
                    || self.slugs.contains_key(&community.slug)
                {
                    Err(ConditionFailure::AlreadyExists)
                } else {
                    Ok(())
                }
            }
            Op::UpdateCommunity {
                community,
                previous_slug,
                expect_version,
            } => {
                let current = self
                    .communities
                    .get(&community.id)
                    .ok_or(ConditionFailure::VersionMismatch)?;
                if current.version != *expect_version || current.slug != *previous_slug {
                    return Err(ConditionFailure::VersionMismatch);
                }
                if community.slug != *previous_slug && self.slugs.contains_key(&community.slug) {
                    return Err(ConditionFailure::AlreadyExists);
                }
                Ok(())
            }
            Op::AdjustCounts { community, delta } => {
                let current = self
                    .communities
                    .get(community)
                    .ok_or(ConditionFailure::VersionMismatch)?;
                let Some(after) = current.counts.apply(*delta) else {
                    return Err(if delta.owners < 0 && current.counts.owners > 0 {
                        ConditionFailure::LastOwner
                    } else {
                        ConditionFailure::VersionMismatch
                    });
                };
                if delta.owners < 0 && after.owners < 1 {
                    Err(ConditionFailure::LastOwner)
                } else if delta.spaces > 0 && after.spaces > limits::SPACES_PER_COMMUNITY_MAX {
                    Err(ConditionFailure::LimitReached)
                } else {
                    Ok(())
                }
            }
            Op::PutMembership { membership, expect } => check_expect(
                self.memberships
                    .get(&(membership.community, membership.user.clone()))
                    .map(|m| m.version),
                *expect,
            ),
            Op::PutJoinRequest { request, expect } => check_expect(
                self.join_requests
                    .get(&(request.community, request.user.clone()))
                    .map(|r| r.version),
                *expect,
            ),
            Op::CreateInvitation { invitation } => {
                if self.invitations.contains_key(&invitation.id)
                    || self.invitation_tokens.contains_key(&invitation.token_hash)
                {
                    Err(ConditionFailure::AlreadyExists)
                } else {
                    Ok(())
                }
            }
            Op::UpdateInvitation {
                invitation,
                expect_version,
            } => check_expect(
                self.invitations.get(&invitation.id).map(|i| i.version),
                Expect::Version(*expect_version),
            ),
            Op::ConsumeInvitation { community, id, now } => match self.invitations.get(id) {
                Some(i) if i.community == *community && i.is_usable_at(*now) => Ok(()),
                _ => Err(ConditionFailure::InvitationUnusable),
            },
            Op::PutSpace { space, expect } => {
                check_expect(self.spaces.get(&space.id).map(|s| s.version), *expect)
            }
            Op::PutGrant { .. } | Op::DeleteGrant { .. } => Ok(()),
            Op::RecordActivity { activity } => {
                if self
                    .activity
                    .contains_key(&(activity.community, activity.id))
                {
                    Err(ConditionFailure::AlreadyExists)
                } else {
                    Ok(())
                }
            }
        }
    }

    fn apply(&mut self, op: Op) {
        match op {
            Op::PutProfile { profile, .. } => {
                self.profiles.insert(profile.user.clone(), profile);
            }
            Op::CreateCommunity { community } => {
                self.slugs.insert(community.slug.clone(), community.id);
                if community.visibility.is_listed() {
                    self.directory.insert(directory_key(&community));
                }
                self.communities.insert(community.id, community);
            }
            Op::UpdateCommunity {
                mut community,
                previous_slug,
                ..
            } => {
                if let Some(current) = self.communities.get(&community.id) {
                    community.counts = current.counts;
                    self.directory.remove(&directory_key(current));
                }
                if community.slug != previous_slug {
                    self.slugs.remove(&previous_slug);
                    self.slugs.insert(community.slug.clone(), community.id);
                }
                if community.visibility.is_listed() {
                    self.directory.insert(directory_key(&community));
                }
                self.communities.insert(community.id, community);
            }
            Op::AdjustCounts { community, delta } => {
                if let Some(c) = self.communities.get_mut(&community)
                    && let Some(after) = c.counts.apply(delta)
                {
                    c.counts = after;
                }
            }
            Op::PutMembership { membership, .. } => {
                self.user_memberships
                    .insert((membership.user.clone(), membership.community));
                self.memberships
                    .insert((membership.community, membership.user.clone()), membership);
            }
            Op::PutJoinRequest { request, .. } => {
                self.join_requests
                    .insert((request.community, request.user.clone()), request);
            }
            Op::CreateInvitation { invitation } => {
                self.invitation_tokens
                    .insert(invitation.token_hash.clone(), invitation.id);
                self.community_invitations
                    .insert((invitation.community, invitation.id));
                self.invitations.insert(invitation.id, invitation);
            }
            Op::UpdateInvitation { invitation, .. } => {
                self.invitations.insert(invitation.id, invitation);
            }
            Op::ConsumeInvitation { id, .. } => {
                if let Some(i) = self.invitations.get_mut(&id) {
                    i.uses += 1;
                    i.version += 1;
                }
            }
            Op::PutSpace { space, .. } => {
                self.community_spaces.insert((space.community, space.id));
                self.spaces.insert(space.id, space);
            }
            Op::PutGrant { grant } => {
                self.user_grants
                    .insert((grant.community, grant.user.clone(), grant.space));
                self.grants.insert((grant.space, grant.user.clone()), grant);
            }
            Op::DeleteGrant { space, user } => {
                if let Some(grant) = self.grants.remove(&(space, user.clone())) {
                    self.user_grants.remove(&(grant.community, user, space));
                }
            }
            Op::RecordActivity { activity } => {
                self.activity
                    .insert((activity.community, activity.id), activity);
            }
        }
    }
}

#[async_trait]
impl WriteStore for MemoryStore {
    async fn commit(&self, tx: Transaction) -> Result<(), StoreError> {
        tx.check_shape()?;
        let mut state = self.lock();
        for (index, op) in tx.ops().iter().enumerate() {
            state
                .check(op)
                .map_err(|failure| StoreError::Condition { op: index, failure })?;
        }
        for op in tx.into_ops() {
            state.apply(op);
        }
        Ok(())
    }
}

#[async_trait]
impl ProfileStore for MemoryStore {
    async fn get_profile(&self, user: &UserId) -> Result<Option<Profile>, StoreError> {
        Ok(self.lock().profiles.get(user).cloned())
    }

    async fn get_profiles(&self, users: &[UserId]) -> Result<Vec<Profile>, StoreError> {
        let state = self.lock();
        Ok(users
            .iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter_map(|u| state.profiles.get(u).cloned())
            .collect())
    }
}

#[async_trait]
impl CommunityStore for MemoryStore {
    async fn get_community(&self, id: &CommunityId) -> Result<Option<Community>, StoreError> {
        Ok(self.lock().communities.get(id).cloned())
    }

    async fn get_communities(&self, ids: &[CommunityId]) -> Result<Vec<Community>, StoreError> {
        let state = self.lock();
        Ok(ids
            .iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter_map(|id| state.communities.get(id).cloned())
            .collect())
    }

    async fn get_community_by_slug(&self, slug: &Slug) -> Result<Option<Community>, StoreError> {
        let state = self.lock();
        Ok(state
            .slugs
            .get(slug)
            .and_then(|id| state.communities.get(id))
            .cloned())
    }

    async fn list_directory(
        &self,
        query: &DirectoryQuery,
        range: &Range,
    ) -> Result<Chunk<Community>, StoreError> {
        let prefix = query
            .name_prefix
            .as_deref()
            .map(str::to_lowercase)
            .unwrap_or_default();
        let start = match &range.after {
            Some(p) => {
                let (name, id) = p.split_once(SEP).ok_or(StoreError::InvalidPosition)?;
                let id: CommunityId = id.parse().map_err(|_| StoreError::InvalidPosition)?;
                Bound::Excluded((name.to_owned(), id))
            }
            None => Bound::Included((prefix.clone(), CommunityId(ulid::Ulid(0)))),
        };
        let state = self.lock();
        let items = state
            .directory
            .range((start, Bound::Unbounded))
            .take_while(|(name, _)| name.starts_with(&prefix))
            .filter_map(|(_, id)| state.communities.get(id))
            .filter(|c| query.kind.is_none_or(|k| c.kind == k))
            .cloned();
        Ok(chunk_of(items, range.limit, |c| {
            format!("{}{SEP}{}", c.name.to_lowercase(), c.id)
        }))
    }
}

fn member_position(m: &Membership) -> String {
    format!("{}{SEP}{}", m.role as u8, m.user)
}

#[async_trait]
impl MembershipStore for MemoryStore {
    async fn get_membership(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<Membership>, StoreError> {
        Ok(self
            .lock()
            .memberships
            .get(&(*community, user.clone()))
            .cloned())
    }

    async fn access_facts(
        &self,
        community: &CommunityId,
        user: &UserId,
        space: Option<&SpaceId>,
    ) -> Result<AccessFacts, StoreError> {
        let state = self.lock();
        Ok(AccessFacts {
            community: state.communities.get(community).cloned(),
            membership: state.memberships.get(&(*community, user.clone())).cloned(),
            grant: space.and_then(|s| state.grants.get(&(*s, user.clone())).cloned()),
        })
    }

    async fn list_members(
        &self,
        community: &CommunityId,
        filter: MemberFilter,
        range: &Range,
    ) -> Result<Chunk<Membership>, StoreError> {
        let after = match &range.after {
            Some(p) => {
                let (role, user) = p.split_once(SEP).ok_or(StoreError::InvalidPosition)?;
                let role: u8 = role.parse().map_err(|_| StoreError::InvalidPosition)?;
                let user = UserId::new(user).map_err(|_| StoreError::InvalidPosition)?;
                Some((role, user))
            }
            None => None,
        };
        let state = self.lock();
        let mut members: Vec<&Membership> = state
            .memberships
            .range((*community, UserId::range_start())..)
            .take_while(|((c, _), _)| c == community)
            .map(|(_, m)| m)
            .filter(|m| match filter {
                MemberFilter::Active => m.is_active(),
                MemberFilter::Banned => matches!(m.status, MembershipStatus::Banned { .. }),
            })
            .collect();
        members.sort_by(|a, b| (a.role, &a.user).cmp(&(b.role, &b.user)));
        let items = members
            .into_iter()
            .filter(|m| {
                after
                    .as_ref()
                    .is_none_or(|(role, user)| (m.role as u8, &m.user) > (*role, user))
            })
            .cloned();
        Ok(chunk_of(items, range.limit, member_position))
    }

    async fn list_user_memberships(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Membership>, StoreError> {
        let after: Option<CommunityId> = parse_ulid_position(&range.after)?;
        let start = match after {
            Some(c) => Bound::Excluded((user.clone(), c)),
            None => Bound::Included((user.clone(), CommunityId(ulid::Ulid(0)))),
        };
        let state = self.lock();
        let items = state
            .user_memberships
            .range((start, Bound::Unbounded))
            .take_while(|(u, _)| u == user)
            .filter_map(|(u, c)| state.memberships.get(&(*c, u.clone())))
            .filter(|m| m.is_active())
            .cloned();
        Ok(chunk_of(items, range.limit, |m| m.community.to_string()))
    }
}

fn request_position(r: &JoinRequest) -> String {
    format!("{:020}{SEP}{}", r.requested_at.as_millisecond(), r.user)
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
        let state = self.lock();
        let mut pending: Vec<&JoinRequest> = state
            .join_requests
            .iter()
            .filter(|((c, _), r)| c == community && r.is_pending())
            .map(|(_, r)| r)
            .collect();
        pending.sort_by_key(|r| request_position(r));
        let items = pending
            .into_iter()
            .filter(|r| {
                range
                    .after
                    .as_ref()
                    .is_none_or(|after| request_position(r) > *after)
            })
            .cloned();
        Ok(chunk_of(items, range.limit, request_position))
    }
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
            .invitation_tokens
            .get(hash)
            .and_then(|id| state.invitations.get(id))
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
            .community_invitations
            .range((
                Bound::Included((*community, InvitationId(ulid::Ulid(0)))),
                end,
            ))
            .rev()
            .filter_map(|(_, id)| state.invitations.get(id))
            .cloned();
        Ok(chunk_of(items, range.limit, |i| i.id.to_string()))
    }
}

#[async_trait]
impl SpaceStore for MemoryStore {
    async fn get_space(&self, id: &SpaceId) -> Result<Option<Space>, StoreError> {
        Ok(self.lock().spaces.get(id).cloned())
    }

    async fn list_spaces(&self, community: &CommunityId) -> Result<Vec<Space>, StoreError> {
        let state = self.lock();
        Ok(state
            .community_spaces
            .range(
                (*community, SpaceId(ulid::Ulid(0)))..=(*community, SpaceId(ulid::Ulid(u128::MAX))),
            )
            .filter_map(|(_, id)| state.spaces.get(id))
            .cloned()
            .collect())
    }

    async fn list_user_grants(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Vec<SpaceGrant>, StoreError> {
        let state = self.lock();
        Ok(state
            .user_grants
            .range(
                (*community, user.clone(), SpaceId(ulid::Ulid(0)))
                    ..=(*community, user.clone(), SpaceId(ulid::Ulid(u128::MAX))),
            )
            .filter_map(|(_, u, s)| state.grants.get(&(*s, u.clone())))
            .cloned()
            .collect())
    }

    async fn list_space_grants(&self, space: &SpaceId) -> Result<Vec<SpaceGrant>, StoreError> {
        let state = self.lock();
        Ok(state
            .grants
            .range((*space, UserId::range_start())..)
            .take_while(|((s, _), _)| s == space)
            .map(|(_, g)| g.clone())
            .collect())
    }
}

#[async_trait]
impl ActivityStore for MemoryStore {
    async fn list_activity(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Activity>, StoreError> {
        let after: Option<ActivityId> = parse_ulid_position(&range.after)?;
        let end = match after {
            Some(id) => Bound::Excluded((*community, id)),
            None => Bound::Included((*community, ActivityId(ulid::Ulid(u128::MAX)))),
        };
        let state = self.lock();
        let items = state
            .activity
            .range((
                Bound::Included((*community, ActivityId(ulid::Ulid(0)))),
                end,
            ))
            .rev()
            .map(|(_, a)| a.clone());
        Ok(chunk_of(items, range.limit, |a| a.id.to_string()))
    }
}
