//! Spaces in memory: the tables, the checks and effects of
//! [`SpaceOp`], and the reads.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use super::{HashMap, MemoryStore, check_expect};
use crate::ids::{CommunityId, SpaceId, UserId};
use crate::model::{Space, SpaceGrant};
use crate::store::{ConditionFailure, SpaceOp, SpaceStore, StoreError};

/// The spaces tables.
#[derive(Debug, Default)]
pub(super) struct Tables {
    pub(super) spaces: HashMap<SpaceId, Space>,
    pub(super) community_spaces: BTreeSet<(CommunityId, SpaceId)>,
    pub(super) grants: BTreeMap<(SpaceId, UserId), SpaceGrant>,
    pub(super) user_grants: BTreeSet<(CommunityId, UserId, SpaceId)>,
}

impl Tables {
    /// Whether `op` may be applied now.
    pub(super) fn check(&self, op: &SpaceOp) -> Result<(), ConditionFailure> {
        match op {
            SpaceOp::PutSpace { space, expect } => {
                check_expect(self.spaces.get(&space.id).map(|s| s.version), *expect)
            }
            SpaceOp::PutGrant { .. } | SpaceOp::DeleteGrant { .. } => Ok(()),
        }
    }

    /// Applies `op` (checked already).
    pub(super) fn apply(&mut self, op: SpaceOp) {
        match op {
            SpaceOp::PutSpace { space, .. } => {
                self.community_spaces.insert((space.community, space.id));
                self.spaces.insert(space.id, space);
            }
            SpaceOp::PutGrant { grant } => {
                self.user_grants
                    .insert((grant.community, grant.user.clone(), grant.space));
                self.grants.insert((grant.space, grant.user.clone()), grant);
            }
            SpaceOp::DeleteGrant { space, user } => {
                if let Some(grant) = self.grants.remove(&(space, user.clone())) {
                    self.user_grants.remove(&(grant.community, user, space));
                }
            }
        }
    }
}

#[async_trait]
impl SpaceStore for MemoryStore {
    async fn get_space(&self, id: &SpaceId) -> Result<Option<Space>, StoreError> {
        Ok(self.lock().spaces.spaces.get(id).cloned())
    }

    async fn list_spaces(&self, community: &CommunityId) -> Result<Vec<Space>, StoreError> {
        let state = self.lock();
        Ok(state
            .spaces
            .community_spaces
            .range(
                (*community, SpaceId(ulid::Ulid(0)))..=(*community, SpaceId(ulid::Ulid(u128::MAX))),
            )
            .filter_map(|(_, id)| state.spaces.spaces.get(id))
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
            .spaces
            .user_grants
            .range(
                (*community, user.clone(), SpaceId(ulid::Ulid(0)))
                    ..=(*community, user.clone(), SpaceId(ulid::Ulid(u128::MAX))),
            )
            .filter_map(|(_, u, s)| state.spaces.grants.get(&(*s, u.clone())))
            .cloned()
            .collect())
    }

    async fn list_space_grants(&self, space: &SpaceId) -> Result<Vec<SpaceGrant>, StoreError> {
        let state = self.lock();
        Ok(state
            .spaces
            .grants
            .range((*space, UserId::range_start())..)
            .take_while(|((s, _), _)| s == space)
            .map(|(_, g)| g.clone())
            .collect())
    }
}
