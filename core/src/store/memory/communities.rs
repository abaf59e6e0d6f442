//! Communities in memory: the tables, the checks and effects of
//! [`CommunityOp`], and the reads.

use std::collections::BTreeSet;
use std::ops::Bound;

use async_trait::async_trait;

use super::{HashMap, MemoryStore, SEP, check_expect, chunk_of, parse_ulid_position};
use crate::ids::{CommunityId, SpaceId, UserId};
use crate::model::{Community, Membership, MembershipStatus, ParticipationLevel, Slug};
use crate::store::{
    AccessFacts, Chunk, CommunityOp, CommunityStore, ConditionFailure, DirectoryQuery,
    MemberFilter, MembershipStore, Range, StoreError, rules,
};

/// The communities tables.
#[derive(Debug, Default)]
pub(super) struct Tables {
    pub(super) communities: HashMap<CommunityId, Community>,
    pub(super) slugs: HashMap<Slug, CommunityId>,
    /// Listed communities by (lower-cased name, id).
    pub(super) directory: BTreeSet<(String, CommunityId)>,
    pub(super) memberships: HashMap<(CommunityId, UserId), Membership>,
    pub(super) user_memberships: BTreeSet<(UserId, CommunityId)>,
    /// Each community's active and banned members by (role, user), and
    /// active ones by level, so a roster page costs the same whatever the
    /// community's size.
    pub(super) roster: BTreeSet<RosterEntry>,
    pub(super) levels: BTreeSet<(CommunityId, ParticipationLevel, UserId)>,
}

/// A membership's place in its community's roster: (community, banned?,
/// role, user).
pub(super) type RosterEntry = (CommunityId, bool, u8, UserId);

/// Where `m` is listed on the roster (nowhere unless active or banned).
fn roster_entry(m: &Membership) -> Option<RosterEntry> {
    let banned = matches!(m.status, MembershipStatus::Banned { .. });
    (m.is_active() || banned).then(|| (m.community, banned, m.role as u8, m.user.clone()))
}

/// Where `m` is listed by level (only while active).
fn level_entry(m: &Membership) -> Option<(CommunityId, ParticipationLevel, UserId)> {
    m.is_active()
        .then(|| (m.community, m.level, m.user.clone()))
}

impl Tables {
    /// Takes the membership under `key` off the roster indexes.
    fn unlist(&mut self, key: &(CommunityId, UserId)) {
        if let Some(old) = self.memberships.get(key) {
            if let Some(entry) = roster_entry(old) {
                self.roster.remove(&entry);
            }
            if let Some(entry) = level_entry(old) {
                self.levels.remove(&entry);
            }
        }
    }
}

impl Tables {
    /// Whether `op` may be applied now.
    pub(super) fn check(&self, op: &CommunityOp) -> Result<(), ConditionFailure> {
        match op {
            CommunityOp::CreateCommunity { community } => {
                if self.communities.contains_key(&community.id)
                    || community
                        .slug_claim()
                        .is_some_and(|slug| self.slugs.contains_key(slug))
                {
                    Err(ConditionFailure::AlreadyExists)
                } else {
                    Ok(())
                }
            }
            CommunityOp::UpdateCommunity {
                community,
                previous_claim,
                expect_version,
            } => {
                let current = self
                    .communities
                    .get(&community.id)
                    .ok_or(ConditionFailure::VersionMismatch)?;
                if current.version != *expect_version
                    || current.slug_claim() != previous_claim.as_ref()
                {
                    return Err(ConditionFailure::VersionMismatch);
                }
                match community.slug_claim() {
                    Some(slug)
                        if Some(slug) != previous_claim.as_ref()
                            && self.slugs.contains_key(slug) =>
                    {
                        Err(ConditionFailure::AlreadyExists)
                    }
                    _ => Ok(()),
                }
            }
            CommunityOp::AdjustCounts { community, delta } => {
                rules::adjust_counts(self.communities.get(community).map(|c| &c.counts), *delta)
                    .map(drop)
            }
            CommunityOp::PutMembership { membership, expect } => check_expect(
                self.memberships
                    .get(&(membership.community, membership.user.clone()))
                    .map(|m| m.version),
                *expect,
            ),
            CommunityOp::ForgetMembership { .. } => Ok(()),
            CommunityOp::RequireMembership {
                community,
                user,
                version,
            } => check_expect(
                self.memberships
                    .get(&(*community, user.clone()))
                    .map(|m| m.version),
                crate::store::Expect::Version(*version),
            ),
        }
    }

    /// Applies `op` (checked already).
    pub(super) fn apply(&mut self, op: CommunityOp) {
        match op {
            CommunityOp::CreateCommunity { community } => {
                if let Some(slug) = community.slug_claim() {
                    self.slugs.insert(slug.clone(), community.id);
                }
                if community.visibility.is_listed() {
                    self.directory.insert(directory_key(&community));
                }
                self.communities.insert(community.id, community);
            }
            CommunityOp::UpdateCommunity {
                mut community,
                previous_claim,
                ..
            } => {
                if let Some(current) = self.communities.get(&community.id) {
                    community.counts = current.counts;
                    self.directory.remove(&directory_key(current));
                }
                if previous_claim.as_ref() != community.slug_claim() {
                    if let Some(previous) = previous_claim {
                        self.slugs.remove(&previous);
                    }
                    if let Some(slug) = community.slug_claim() {
                        self.slugs.insert(slug.clone(), community.id);
                    }
                }
                if community.visibility.is_listed() {
                    self.directory.insert(directory_key(&community));
                }
                self.communities.insert(community.id, community);
            }
            CommunityOp::AdjustCounts { community, delta } => {
                if let Some(c) = self.communities.get_mut(&community)
                    && let Ok(after) = rules::adjust_counts(Some(&c.counts), delta)
                {
                    c.counts = after;
                }
            }
            CommunityOp::PutMembership { membership, .. } => {
                self.unlist(&(membership.community, membership.user.clone()));
                self.roster.extend(roster_entry(&membership));
                self.levels.extend(level_entry(&membership));
                self.user_memberships
                    .insert((membership.user.clone(), membership.community));
                self.memberships
                    .insert((membership.community, membership.user.clone()), membership);
            }
            CommunityOp::ForgetMembership { community, user } => {
                self.unlist(&(community, user.clone()));
                self.user_memberships.remove(&(user.clone(), community));
                self.memberships.remove(&(community, user));
            }
            CommunityOp::RequireMembership { .. } => {}
        }
    }
}

fn directory_key(c: &Community) -> (String, CommunityId) {
    (c.name.to_lowercase(), c.id)
}

fn member_position(m: &Membership) -> String {
    format!("{}{SEP}{}", m.role as u8, m.user)
}

#[async_trait]
impl CommunityStore for MemoryStore {
    async fn get_community(&self, id: &CommunityId) -> Result<Option<Community>, StoreError> {
        Ok(self.lock().communities.communities.get(id).cloned())
    }

    async fn get_communities(&self, ids: &[CommunityId]) -> Result<Vec<Community>, StoreError> {
        let state = self.lock();
        Ok(ids
            .iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter_map(|id| state.communities.communities.get(id).cloned())
            .collect())
    }

    async fn get_community_by_slug(&self, slug: &Slug) -> Result<Option<Community>, StoreError> {
        let state = self.lock();
        Ok(state
            .communities
            .slugs
            .get(slug)
            .and_then(|id| state.communities.communities.get(id))
            .cloned())
    }

    async fn community_id_by_slug(&self, slug: &Slug) -> Result<Option<CommunityId>, StoreError> {
        Ok(self.lock().communities.slugs.get(slug).copied())
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
            .communities
            .directory
            .range((start, Bound::Unbounded))
            .take_while(|(name, _)| name.starts_with(&prefix))
            .filter_map(|(_, id)| state.communities.communities.get(id))
            .filter(|c| query.kind.is_none_or(|k| c.kind == k))
            .cloned();
        Ok(chunk_of(items, range.limit, |c| {
            format!("{}{SEP}{}", c.name.to_lowercase(), c.id)
        }))
    }
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
            .communities
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
            community: state.communities.communities.get(community).cloned(),
            membership: state
                .communities
                .memberships
                .get(&(*community, user.clone()))
                .cloned(),
            grant: space.and_then(|s| state.spaces.grants.get(&(*s, user.clone())).cloned()),
        })
    }

    async fn list_members(
        &self,
        community: &CommunityId,
        filter: MemberFilter,
        range: &Range,
    ) -> Result<Chunk<Membership>, StoreError> {
        if let MemberFilter::Level(level) = filter {
            let after = match &range.after {
                Some(p) => Some(UserId::new(p.as_str()).map_err(|_| StoreError::InvalidPosition)?),
                None => None,
            };
            let start = match after {
                Some(user) => Bound::Excluded((*community, level, user)),
                None => Bound::Included((*community, level, UserId::range_start())),
            };
            let state = self.lock();
            let t = &state.communities;
            let items = t
                .levels
                .range((start, Bound::Unbounded))
                .take_while(|(c, l, _)| c == community && *l == level)
                .filter_map(|(c, _, u)| t.memberships.get(&(*c, u.clone())))
                .cloned();
            return Ok(chunk_of(items, range.limit, |m| m.user.to_string()));
        }
        let after = match &range.after {
            Some(p) => {
                let (role, user) = p.split_once(SEP).ok_or(StoreError::InvalidPosition)?;
                let role: u8 = role.parse().map_err(|_| StoreError::InvalidPosition)?;
                let user = UserId::new(user).map_err(|_| StoreError::InvalidPosition)?;
                Some((role, user))
            }
            None => None,
        };
        let banned = matches!(filter, MemberFilter::Banned);
        let start = match after {
            Some((role, user)) => Bound::Excluded((*community, banned, role, user)),
            None => Bound::Included((*community, banned, 0, UserId::range_start())),
        };
        let state = self.lock();
        let t = &state.communities;
        let items = t
            .roster
            .range((start, Bound::Unbounded))
            .take_while(|(c, b, _, _)| c == community && *b == banned)
            .filter_map(|(c, _, _, u)| t.memberships.get(&(*c, u.clone())))
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
            .communities
            .user_memberships
            .range((start, Bound::Unbounded))
            .take_while(|(u, _)| u == user)
            .filter_map(|(u, c)| state.communities.memberships.get(&(*c, u.clone())))
            .filter(|m| m.is_active())
            .cloned();
        Ok(chunk_of(items, range.limit, |m| m.community.to_string()))
    }
}
