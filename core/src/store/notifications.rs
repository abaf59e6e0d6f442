//! Notifications: the inbox, its bookkeeping, people's preferences and the
//! queue of activity waiting to be turned into notifications.
//!
//! The reads ([`NotificationStore`]) and the writes ([`NotificationOp`]) of
//! one family of records; every store implements them in a file of the same
//! name.

use async_trait::async_trait;
use jiff::Timestamp;

use super::{Chunk, Expect, ItemKey, Op, Range, StoreError};
use crate::ids::{ActivityId, UserId};
use crate::model::{FanoutJob, InboxState, Notification, NotificationPreferences};

/// The notification records.
#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// A person's notifications, newest first.
    async fn list_notifications(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Notification>, StoreError>;
    /// One notification.
    async fn get_notification(
        &self,
        user: &UserId,
        id: &ActivityId,
    ) -> Result<Option<Notification>, StoreError>;
    /// The notifications whose actor is `actor`, in anyone's inbox (what
    /// erasure rewrites), by recipient and id.
    async fn list_notifications_by_actor(
        &self,
        actor: &UserId,
        range: &Range,
    ) -> Result<Chunk<Notification>, StoreError>;
    /// A person's inbox bookkeeping (`None` before their first notification).
    async fn get_inbox_state(&self, user: &UserId) -> Result<Option<InboxState>, StoreError>;
    /// A person's stored preferences (`None`: never chosen).
    async fn get_notification_preferences(
        &self,
        user: &UserId,
    ) -> Result<Option<NotificationPreferences>, StoreError>;
    /// Queued activity due at or before `due`, earliest first, at most
    /// `limit` (1–100).
    async fn fanouts_due(&self, due: Timestamp, limit: u32) -> Result<Vec<FanoutJob>, StoreError>;
}

/// The writes to this family, each inside a [`Transaction`](super::Transaction)
/// (see [`Op`]).
#[derive(Debug, Clone, PartialEq)]
pub enum NotificationOp {
    /// Queue an activity for notifying (`Expect::Absent`), or rewrite its
    /// job (a lease, a retry), indexed by `due`.
    PutFanout {
        /// The job.
        job: FanoutJob,
        /// Its expected current state.
        expect: Expect,
    },
    /// Remove a job once done (nothing happens when absent).
    ForgetFanout {
        /// The activity.
        activity: ActivityId,
    },
    /// Create (`Expect::Absent`: `AlreadyExists` when the person has one
    /// for this activity already) or replace a notification.
    PutNotification {
        /// The notification.
        notification: Notification,
        /// Its expected current state.
        expect: Expect,
    },
    /// Delete a notification (erasure; nothing happens when absent).
    ForgetNotification {
        /// Whose.
        user: UserId,
        /// Which.
        id: ActivityId,
    },
    /// Create or replace a person's inbox bookkeeping.
    PutInboxState {
        /// The new state.
        state: InboxState,
        /// Its expected current state.
        expect: Expect,
    },
    /// Delete a person's inbox bookkeeping (erasure).
    ForgetInboxState {
        /// Whose.
        user: UserId,
    },
    /// Create or replace a person's preferences.
    PutNotificationPreferences {
        /// The new record.
        preferences: NotificationPreferences,
        /// Its expected current state.
        expect: Expect,
    },
    /// Delete a person's preferences (erasure).
    ForgetNotificationPreferences {
        /// Whose.
        user: UserId,
    },
}

impl NotificationOp {
    /// The items this operation writes.
    pub fn items(&self) -> Vec<ItemKey> {
        match self {
            NotificationOp::PutFanout { job, .. } => vec![ItemKey::Fanout(job.activity.id)],
            NotificationOp::ForgetFanout { activity } => vec![ItemKey::Fanout(*activity)],
            NotificationOp::PutNotification { notification, .. } => vec![ItemKey::Notification(
                notification.user.clone(),
                notification.id,
            )],
            NotificationOp::ForgetNotification { user, id } => {
                vec![ItemKey::Notification(user.clone(), *id)]
            }
            NotificationOp::PutInboxState { state, .. } => {
                vec![ItemKey::InboxState(state.user.clone())]
            }
            NotificationOp::ForgetInboxState { user } => vec![ItemKey::InboxState(user.clone())],
            NotificationOp::PutNotificationPreferences { preferences, .. } => {
                vec![ItemKey::NotificationPreferences(preferences.user.clone())]
            }
            NotificationOp::ForgetNotificationPreferences { user } => {
                vec![ItemKey::NotificationPreferences(user.clone())]
            }
        }
    }
}

impl From<NotificationOp> for Op {
    fn from(op: NotificationOp) -> Op {
        Op::Notification(op)
    }
}
