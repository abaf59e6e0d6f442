//! Notifications in memory: the tables, the checks and effects of
//! [`NotificationOp`], and the reads.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use async_trait::async_trait;
use jiff::Timestamp;

use super::{HashMap, MemoryStore, check_expect, chunk_of, owned_range, parse_ulid_position};
use crate::ids::{ActivityId, UserId};
use crate::model::{FanoutJob, InboxState, Notification, NotificationPreferences};
use crate::store::{Chunk, ConditionFailure, NotificationOp, NotificationStore, Range, StoreError};

/// The notifications tables.
#[derive(Debug, Default)]
pub(super) struct Tables {
    pub(super) notifications: BTreeMap<(UserId, ActivityId), Notification>,
    /// Notifications by actor: recipient and id.
    pub(super) by_actor: HashMap<UserId, BTreeSet<(UserId, ActivityId)>>,
    pub(super) inboxes: HashMap<UserId, InboxState>,
    pub(super) preferences: HashMap<UserId, NotificationPreferences>,
    pub(super) fanouts: HashMap<ActivityId, FanoutJob>,
    /// Queued activity by due time.
    pub(super) fanouts_due: BTreeSet<(Timestamp, ActivityId)>,
}

impl Tables {
    /// Whether `op` may be applied now.
    pub(super) fn check(&self, op: &NotificationOp) -> Result<(), ConditionFailure> {
        match op {
            NotificationOp::PutFanout { job, expect } => check_expect(
                self.fanouts.get(&job.activity.id).map(|j| j.version),
                *expect,
            ),
            NotificationOp::PutNotification {
                notification,
                expect,
            } => check_expect(
                self.notifications
                    .get(&(notification.user.clone(), notification.id))
                    .map(|n| n.version),
                *expect,
            ),
            NotificationOp::PutInboxState { state, expect } => {
                check_expect(self.inboxes.get(&state.user).map(|s| s.version), *expect)
            }
            NotificationOp::PutNotificationPreferences {
                preferences,
                expect,
            } => check_expect(
                self.preferences.get(&preferences.user).map(|p| p.version),
                *expect,
            ),
            NotificationOp::ForgetFanout { .. }
            | NotificationOp::ForgetNotification { .. }
            | NotificationOp::ForgetInboxState { .. }
            | NotificationOp::ForgetNotificationPreferences { .. } => Ok(()),
        }
    }

    /// Takes a notification off its actor's list (and the actor off the
    /// index once nothing names them).
    fn unlist_actor(&mut self, actor: &UserId, entry: &(UserId, ActivityId)) {
        if let Some(set) = self.by_actor.get_mut(actor) {
            set.remove(entry);
            if set.is_empty() {
                self.by_actor.remove(actor);
            }
        }
    }

    /// Applies `op` (checked already).
    pub(super) fn apply(&mut self, op: NotificationOp) {
        match op {
            NotificationOp::PutFanout { job, .. } => {
                let id = job.activity.id;
                if let Some(old) = self.fanouts.get(&id) {
                    self.fanouts_due.remove(&(old.due, id));
                }
                self.fanouts_due.insert((job.due, id));
                self.fanouts.insert(id, job);
            }
            NotificationOp::ForgetFanout { activity } => {
                if let Some(old) = self.fanouts.remove(&activity) {
                    self.fanouts_due.remove(&(old.due, activity));
                }
            }
            NotificationOp::PutNotification { notification, .. } => {
                let key = (notification.user.clone(), notification.id);
                if let Some(old) = self.notifications.get(&key) {
                    let (actor, entry) = (old.actor.clone(), (old.user.clone(), old.id));
                    self.unlist_actor(&actor, &entry);
                }
                self.by_actor
                    .entry(notification.actor.clone())
                    .or_default()
                    .insert((notification.user.clone(), notification.id));
                self.notifications.insert(key, notification);
            }
            NotificationOp::ForgetNotification { user, id } => {
                if let Some(old) = self.notifications.remove(&(user, id)) {
                    self.unlist_actor(&old.actor, &(old.user.clone(), old.id));
                }
            }
            NotificationOp::PutInboxState { state, .. } => {
                self.inboxes.insert(state.user.clone(), state);
            }
            NotificationOp::ForgetInboxState { user } => {
                self.inboxes.remove(&user);
            }
            NotificationOp::PutNotificationPreferences { preferences, .. } => {
                self.preferences
                    .insert(preferences.user.clone(), preferences);
            }
            NotificationOp::ForgetNotificationPreferences { user } => {
                self.preferences.remove(&user);
            }
        }
    }
}

#[async_trait]
impl NotificationStore for MemoryStore {
    async fn list_notifications(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Notification>, StoreError> {
        let after: Option<ActivityId> = parse_ulid_position(&range.after)?;
        let state = self.lock();
        let items = state
            .notifications
            .notifications
            .range(owned_range(user, after, ActivityId))
            .rev()
            .map(|(_, n)| n.clone())
            .collect::<Vec<_>>();
        Ok(chunk_of(items.into_iter(), range.limit, |n| {
            n.id.to_string()
        }))
    }

    async fn list_notifications_by_actor(
        &self,
        actor: &UserId,
        range: &Range,
    ) -> Result<Chunk<Notification>, StoreError> {
        let after = match &range.after {
            Some(p) => {
                let (user, id) = p
                    .split_once(super::SEP)
                    .ok_or(StoreError::InvalidPosition)?;
                let user = UserId::new(user).map_err(|_| StoreError::InvalidPosition)?;
                let id: ActivityId = id.parse().map_err(|_| StoreError::InvalidPosition)?;
                Bound::Excluded((user, id))
            }
            None => Bound::Unbounded,
        };
        let state = self.lock();
        let Some(named) = state.notifications.by_actor.get(actor) else {
            return Ok(Chunk::empty());
        };
        let items = named
            .range((after, Bound::Unbounded))
            .filter_map(|(user, id)| {
                state
                    .notifications
                    .notifications
                    .get(&(user.clone(), *id))
                    .cloned()
            })
            .collect::<Vec<_>>();
        Ok(chunk_of(items.into_iter(), range.limit, |n| {
            format!("{}{}{}", n.user, super::SEP, n.id)
        }))
    }

    async fn get_notification(
        &self,
        user: &UserId,
        id: &ActivityId,
    ) -> Result<Option<Notification>, StoreError> {
        Ok(self
            .lock()
            .notifications
            .notifications
            .get(&(user.clone(), *id))
            .cloned())
    }

    async fn get_inbox_state(&self, user: &UserId) -> Result<Option<InboxState>, StoreError> {
        Ok(self.lock().notifications.inboxes.get(user).cloned())
    }

    async fn get_notification_preferences(
        &self,
        user: &UserId,
    ) -> Result<Option<NotificationPreferences>, StoreError> {
        Ok(self.lock().notifications.preferences.get(user).cloned())
    }

    async fn fanouts_due(&self, due: Timestamp, limit: u32) -> Result<Vec<FanoutJob>, StoreError> {
        let state = self.lock();
        Ok(state
            .notifications
            .fanouts_due
            .iter()
            .take_while(|(at, _)| *at <= due)
            .take(limit.clamp(1, 100) as usize)
            .filter_map(|(_, id)| state.notifications.fanouts.get(id).cloned())
            .collect())
    }
}
