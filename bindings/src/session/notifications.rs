//! The inbox and how the person hears of each topic.

use copkit_core::ids::ActivityId;
use copkit_core::model::{Inbox, Notification, NotificationChoices, NotificationPreferences};
use jiff::Timestamp;

use super::{Session, SessionResult};
use crate::pages;

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Your notifications, newest first, with your unread count: only what
    /// you may still see. With `since`, only those of activity after that
    /// instant (an app polling for news).
    pub async fn notifications(
        &self,
        since: Option<Timestamp>,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<Inbox> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, notifications(since, &page))?)
    }

    /// Marks one of your notifications read (NotFound when you have none
    /// with this id).
    pub async fn mark_notification_read(&self, id: ActivityId) -> SessionResult<Notification> {
        Ok(both!(self, mark_notification_read(&id))?)
    }

    /// Marks everything in your inbox read.
    pub async fn mark_all_notifications_read(&self) -> SessionResult<()> {
        Ok(both!(self, mark_all_notifications_read())?)
    }

    /// How you hear of each topic (defaults, version 0, until you choose).
    pub async fn notification_preferences(&self) -> SessionResult<NotificationPreferences> {
        Ok(both!(self, notification_preferences())?)
    }

    /// Replaces your choices; `expected_version` is the version you read
    /// (0 before your first choice).
    pub async fn set_notification_preferences(
        &self,
        choices: NotificationChoices,
        expected_version: u64,
    ) -> SessionResult<NotificationPreferences> {
        Ok(both!(
            self,
            set_notification_preferences(choices, expected_version)
        )?)
    }
}
