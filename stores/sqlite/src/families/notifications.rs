//! Notifications, inbox bookkeeping, preferences and the fan-out queue, in
//! SQLite. The same rules as the memory store's `notifications.rs`.
//!
//! | record | key | also listed under |
//! |---|---|---|
//! | notification | `USER#user` / `NOTE#activity` | index 1: `NOTED␟actor` / `user␟activity` |
//! | inbox state | `USER#user` / `INBOX` | |
//! | preferences | `USER#user` / `NOTIFYPREFS` | |
//! | fan-out job | `FANOUT` / `activity` | index 1: `FANOUT_DUE` / `due (ns)␟activity` |

use copkit_core::model::{FanoutJob, InboxState, Notification, NotificationPreferences};
use copkit_core::store::{Chunk, ConditionFailure, NotificationOp, Range, StoreError};
use copkit_core::{ActivityId, UserId};
use jiff::Timestamp;
use rusqlite::Connection;

use super::{check_expect, time_key};
use crate::items::{self, Index, Key, Listed, Order, SEP, Source};

fn notification_key(user: &UserId, id: &ActivityId) -> Key {
    Key::new(format!("USER#{user}"), format!("NOTE#{id}"))
}

fn inbox_key(user: &UserId) -> Key {
    Key::new(format!("USER#{user}"), "INBOX")
}

fn preferences_key(user: &UserId) -> Key {
    Key::new(format!("USER#{user}"), "NOTIFYPREFS")
}

fn fanout_key(activity: &ActivityId) -> Key {
    Key::new("FANOUT", activity.to_string())
}

const FANOUT_DUE: &str = "FANOUT_DUE";

/// The index-1 partition of the notifications `actor` is the actor of.
fn by_actor(actor: &UserId) -> String {
    format!("NOTED{SEP}{actor}")
}

/// Whether `op` may be applied now.
pub(crate) fn check(
    conn: &Connection,
    op: &NotificationOp,
) -> Result<Result<(), ConditionFailure>, StoreError> {
    Ok(match op {
        NotificationOp::PutFanout { job, expect } => check_expect(
            items::get::<FanoutJob>(conn, &fanout_key(&job.activity.id))?.map(|j| j.version),
            *expect,
        ),
        NotificationOp::PutNotification {
            notification,
            expect,
        } => check_expect(
            get_notification(conn, &notification.user, &notification.id)?.map(|n| n.version),
            *expect,
        ),
        NotificationOp::PutInboxState { state, expect } => check_expect(
            get_inbox_state(conn, &state.user)?.map(|s| s.version),
            *expect,
        ),
        NotificationOp::PutNotificationPreferences {
            preferences,
            expect,
        } => check_expect(
            get_notification_preferences(conn, &preferences.user)?.map(|p| p.version),
            *expect,
        ),
        NotificationOp::ForgetFanout { .. }
        | NotificationOp::ForgetNotification { .. }
        | NotificationOp::ForgetInboxState { .. }
        | NotificationOp::ForgetNotificationPreferences { .. } => Ok(()),
    })
}

/// Applies `op` (checked already).
pub(crate) fn apply(conn: &Connection, op: NotificationOp) -> Result<(), StoreError> {
    match op {
        NotificationOp::PutFanout { job, .. } => {
            let listed = Listed::nowhere().on(
                Index::One,
                FANOUT_DUE,
                format!("{}{SEP}{}", time_key(job.due), job.activity.id),
            );
            items::put(conn, &fanout_key(&job.activity.id), &job, &listed)
        }
        NotificationOp::ForgetFanout { activity } => items::delete(conn, &fanout_key(&activity)),
        NotificationOp::PutNotification { notification, .. } => items::put(
            conn,
            &notification_key(&notification.user, &notification.id),
            &notification,
            &Listed::nowhere().on(
                Index::One,
                by_actor(&notification.actor),
                format!("{}{SEP}{}", notification.user, notification.id),
            ),
        ),
        NotificationOp::ForgetNotification { user, id } => {
            items::delete(conn, &notification_key(&user, &id))
        }
        NotificationOp::PutInboxState { state, .. } => {
            items::put(conn, &inbox_key(&state.user), &state, &Listed::nowhere())
        }
        NotificationOp::ForgetInboxState { user } => items::delete(conn, &inbox_key(&user)),
        NotificationOp::PutNotificationPreferences { preferences, .. } => items::put(
            conn,
            &preferences_key(&preferences.user),
            &preferences,
            &Listed::nowhere(),
        ),
        NotificationOp::ForgetNotificationPreferences { user } => {
            items::delete(conn, &preferences_key(&user))
        }
    }
}

/// A person's notifications, newest first.
pub(crate) fn list_notifications(
    conn: &Connection,
    user: &UserId,
    range: &Range,
) -> Result<Chunk<Notification>, StoreError> {
    if let Some(p) = &range.after {
        p.strip_prefix("NOTE#")
            .and_then(|id| id.parse::<ActivityId>().ok())
            .ok_or(StoreError::InvalidPosition)?;
    }
    items::chunk(
        conn,
        Source::Partition {
            pk: &format!("USER#{user}"),
            prefix: "NOTE#",
        },
        Order::Descending,
        range,
        |_: &Notification| true,
    )
}

/// The notifications whose actor is `actor`, by recipient and id.
pub(crate) fn list_notifications_by_actor(
    conn: &Connection,
    actor: &UserId,
    range: &Range,
) -> Result<Chunk<Notification>, StoreError> {
    items::chunk(
        conn,
        Source::Index {
            index: Index::One,
            pk: &by_actor(actor),
            prefix: "",
        },
        Order::Ascending,
        range,
        |_: &Notification| true,
    )
}

/// One queued activity.
pub(crate) fn get_fanout(
    conn: &Connection,
    activity: &ActivityId,
) -> Result<Option<FanoutJob>, StoreError> {
    items::get(conn, &fanout_key(activity))
}

/// One notification.
pub(crate) fn get_notification(
    conn: &Connection,
    user: &UserId,
    id: &ActivityId,
) -> Result<Option<Notification>, StoreError> {
    items::get(conn, &notification_key(user, id))
}

/// A person's inbox bookkeeping.
pub(crate) fn get_inbox_state(
    conn: &Connection,
    user: &UserId,
) -> Result<Option<InboxState>, StoreError> {
    items::get(conn, &inbox_key(user))
}

/// A person's preferences.
pub(crate) fn get_notification_preferences(
    conn: &Connection,
    user: &UserId,
) -> Result<Option<NotificationPreferences>, StoreError> {
    items::get(conn, &preferences_key(user))
}

/// Up to `limit` (1–100) fan-out jobs due at `due`, earliest first.
pub(crate) fn fanouts_due(
    conn: &Connection,
    due: Timestamp,
    limit: u32,
) -> Result<Vec<FanoutJob>, StoreError> {
    items::due(
        conn,
        Source::Index {
            index: Index::One,
            pk: FANOUT_DUE,
            prefix: "",
        },
        limit.clamp(1, 100) as usize,
        |j: &FanoutJob| j.due <= due,
    )
}
