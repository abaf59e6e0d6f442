//! Planning the writes of [`NotificationOp`]: the items each operation
//! puts or deletes, with their conditions.

use copkit_core::model::FanoutJob;
use copkit_core::store::{NotificationOp, StoreError};

use super::Parts;
use crate::dynamo::DynamoStore;
use crate::dynamo::codec::{Item, encode, set_index};
use crate::dynamo::keys;
use crate::dynamo::table::{GSI1, GSI3};

impl DynamoStore {
    /// The written items of `op`.
    pub(super) fn plan_notifications(
        &self,
        op: &NotificationOp,
        parts: &mut Parts,
    ) -> Result<(), StoreError> {
        match op {
            NotificationOp::PutFanout { job, expect } => {
                parts.put_expecting(self, fanout_item(job)?, *expect)?;
            }
            NotificationOp::ForgetFanout { activity } => {
                parts.forget(self, &keys::fanout(activity))?;
            }
            NotificationOp::PutNotification {
                notification,
                expect,
            } => {
                let key = keys::notification(&notification.user, &notification.id);
                let mut item = encode(notification, &key)?;
                set_index(
                    &mut item,
                    GSI1,
                    keys::notifications_by_actor(&notification.actor),
                    keys::notification_by_actor_sort(&notification.user, &notification.id),
                );
                parts.put_expecting(self, item, *expect)?;
            }
            NotificationOp::ForgetNotification { user, id } => {
                parts.forget(self, &keys::notification(user, id))?;
            }
            NotificationOp::PutInboxState { state, expect } => {
                let key = keys::inbox_state(&state.user);
                parts.put_expecting(self, encode(state, &key)?, *expect)?;
            }
            NotificationOp::ForgetInboxState { user } => {
                parts.forget(self, &keys::inbox_state(user))?;
            }
            NotificationOp::PutNotificationPreferences {
                preferences,
                expect,
            } => {
                let key = keys::notification_preferences(&preferences.user);
                parts.put_expecting(self, encode(preferences, &key)?, *expect)?;
            }
            NotificationOp::ForgetNotificationPreferences { user } => {
                parts.forget(self, &keys::notification_preferences(user))?;
            }
        }
        Ok(())
    }
}

/// A queued activity, on the fan-out index by its due time.
fn fanout_item(job: &FanoutJob) -> Result<Item, StoreError> {
    let mut item = encode(job, &keys::fanout(&job.activity.id))?;
    set_index(
        &mut item,
        GSI3,
        keys::fanout_due_shard(&job.activity.id),
        keys::fanout_due_sort(job.due, &job.activity.id),
    );
    Ok(item)
}
