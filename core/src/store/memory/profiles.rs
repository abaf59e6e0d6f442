//! Profiles (and calendar feeds) in memory: the tables, the checks and effects of
//! [`ProfileOp`], and the reads.

use std::collections::BTreeSet;

use async_trait::async_trait;

use super::{HashMap, MemoryStore, check_expect};
use crate::ids::UserId;
use crate::model::{CalendarFeed, Handle, Profile, TokenHash};
use crate::store::{ConditionFailure, ProfileOp, ProfileStore, StoreError};

/// The profiles tables.
#[derive(Debug, Default)]
pub(super) struct Tables {
    pub(super) profiles: HashMap<UserId, Profile>,
    pub(super) handles: HashMap<Handle, UserId>,
    pub(super) calendar_feeds: HashMap<UserId, CalendarFeed>,
    pub(super) feed_tokens: HashMap<TokenHash, UserId>,
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
            ProfileOp::PutCalendarFeed { feed, expect, .. } => {
                check_expect(
                    self.calendar_feeds.get(&feed.user).map(|f| f.version),
                    *expect,
                )?;
                match self.feed_tokens.get(&feed.token_hash) {
                    Some(owner) if *owner != feed.user => Err(ConditionFailure::AlreadyExists),
                    _ => Ok(()),
                }
            }
            ProfileOp::ForgetCalendarFeed { .. } | ProfileOp::ForgetProfile { .. } => Ok(()),
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
            ProfileOp::PutCalendarFeed { feed, previous, .. } => {
                if let Some(old) = previous
                    && self.feed_tokens.get(&old) == Some(&feed.user)
                {
                    self.feed_tokens.remove(&old);
                }
                self.feed_tokens
                    .insert(feed.token_hash.clone(), feed.user.clone());
                self.calendar_feeds.insert(feed.user.clone(), feed);
            }
            ProfileOp::ForgetCalendarFeed { user, token } => {
                self.calendar_feeds.remove(&user);
                if let Some(t) = token
                    && self.feed_tokens.get(&t) == Some(&user)
                {
                    self.feed_tokens.remove(&t);
                }
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

    async fn get_calendar_feed(&self, user: &UserId) -> Result<Option<CalendarFeed>, StoreError> {
        Ok(self.lock().profiles.calendar_feeds.get(user).cloned())
    }

    async fn get_calendar_feed_by_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<CalendarFeed>, StoreError> {
        let state = self.lock();
        Ok(state
            .profiles
            .feed_tokens
            .get(hash)
            .and_then(|u| state.profiles.calendar_feeds.get(u))
            .filter(|f| f.token_hash == *hash)
            .cloned())
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
