//! Profiles in memory: the tables, the checks and effects of
//! [`ProfileOp`], and the reads.

use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;

use super::{MemoryStore, check_expect};
use crate::ids::UserId;
use crate::model::{Handle, Profile};
use crate::store::{ConditionFailure, ProfileOp, ProfileStore, StoreError};

/// The profiles tables.
#[derive(Debug, Default)]
pub(super) struct Tables {
    pub(super) profiles: HashMap<UserId, Profile>,
    pub(super) handles: HashMap<Handle, UserId>,
}

impl Tables {
    /// Whether `op` may be applied now.
    pub(super) fn check(&self, op: &ProfileOp) -> Result<(), ConditionFailure> {
        match op {
            ProfileOp::PutProfile {
                profile,
                expect,
                previous_handle,
            } => {
                check_expect(self.profiles.get(&profile.user).map(|p| p.version), *expect)?;
                match &profile.handle {
                    Some(h) if profile.handle != *previous_handle => match self.handles.get(h) {
                        Some(owner) if *owner != profile.user => {
                            Err(ConditionFailure::AlreadyExists)
                        }
                        _ => Ok(()),
                    },
                    _ => Ok(()),
                }
            }
            ProfileOp::ForgetProfile { .. } => Ok(()),
        }
    }

    /// Applies `op` (checked already).
    pub(super) fn apply(&mut self, op: ProfileOp) {
        match op {
            ProfileOp::PutProfile {
                profile,
                previous_handle,
                ..
            } => {
                if profile.handle != previous_handle {
                    if let Some(old) = previous_handle
                        && self.handles.get(&old) == Some(&profile.user)
                    {
                        self.handles.remove(&old);
                    }
                    if let Some(new) = &profile.handle {
                        self.handles.insert(new.clone(), profile.user.clone());
                    }
                }
                self.profiles.insert(profile.user.clone(), profile);
            }
            ProfileOp::ForgetProfile { user, handle } => {
                self.profiles.remove(&user);
                if let Some(h) = handle
                    && self.handles.get(&h) == Some(&user)
                {
                    self.handles.remove(&h);
                }
            }
        }
    }
}

#[async_trait]
impl ProfileStore for MemoryStore {
    async fn get_profile(&self, user: &UserId) -> Result<Option<Profile>, StoreError> {
        Ok(self.lock().profiles.profiles.get(user).cloned())
    }

    async fn get_profiles(&self, users: &[UserId]) -> Result<Vec<Profile>, StoreError> {
        let state = self.lock();
        Ok(users
            .iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter_map(|u| state.profiles.profiles.get(u).cloned())
            .collect())
    }

    async fn get_profile_by_handle(&self, handle: &Handle) -> Result<Option<Profile>, StoreError> {
        let state = self.lock();
        Ok(state
            .profiles
            .handles
            .get(handle)
            .and_then(|u| state.profiles.profiles.get(u))
            .cloned())
    }
}
