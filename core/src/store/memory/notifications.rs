//! Notifications in memory: the tables, the checks and effects of
//! [`NotificationOp`], and the reads.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use async_trait::async_trait;
use jiff::Timestamp;

use super::{MemoryStore, check_expect, chunk_of, parse_ulid_position};
use crate::ids::{ActivityId, UserId};
use crate::model::{FanoutJob, InboxState, Notification, NotificationPreferences};
use crate::store::{Chunk, ConditionFailure, NotificationOp, NotificationStore, Range, StoreError};

/// The notifications tables.
#[derive(Debug, Default)]
pub(super) struct Tables {
    pub(super) notifications: BTreeMap<(UserId, ActivityId), Notification>,
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
                self.notifications
                    .insert((notification.user.clone(), notification.id), notification);
            }
            NotificationOp::ForgetNotification { user, id } => {
                self.notifications.remove(&(user, id));
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
        let end = match after {
            Some(id) => Bound::Excluded((user.clone(), id)),
            None => Bound::Included((user.clone(), ActivityId(ulid::Ulid(u128::MAX)))),
        };
        let state = self.lock();
        let items = state
            .notifications
            .notifications
            .range((
                Bound::Included((user.clone(), ActivityId(ulid::Ulid(0)))),
                end,
            ))
            .rev()
            .map(|(_, n)| n.clone())
            .collect::<Vec<_>>();
        Ok(chunk_of(items.into_iter(), range.limit, |n| {
            n.id.to_string()
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
