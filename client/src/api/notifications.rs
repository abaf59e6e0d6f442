//! The caller's inbox and how they hear of each topic.

use copkit_core::ids::ActivityId;
use copkit_core::model::{
    Inbox, Notification, NotificationChoices, NotificationPreferences, PageRequest,
};
use copkit_core::service::unsubscribe::Unsubscribed;
use jiff::Timestamp;

use crate::client::Client;
use crate::error::ClientResult;
use crate::operations::*;
use crate::transport::Call;

impl Client {
    /// The caller's notifications, newest first, with their unread count;
    /// with `since`, only those of activity after that instant (an app
    /// polling for news: an unchanged answer comes from the cache).
    pub async fn notifications(
        &self,
        since: Option<Timestamp>,
        page: &PageRequest,
    ) -> ClientResult<Inbox> {
        self.json(
            Call::new(&NOTIFICATIONS, &[])
                .query("since", since)
                .page(page),
        )
        .await
    }

    /// Marks one of the caller's notifications read.
    pub async fn mark_notification_read(&self, id: &ActivityId) -> ClientResult<Notification> {
        self.json(Call::new(&MARK_NOTIFICATION_READ, &[id])).await
    }

    /// Marks everything in the caller's inbox read.
    pub async fn mark_all_notifications_read(&self) -> ClientResult<()> {
        self.empty(Call::new(&MARK_ALL_NOTIFICATIONS_READ, &[]))
            .await
    }

    /// How the caller hears of each topic (defaults, version 0, until they
    /// choose).
    pub async fn notification_preferences(&self) -> ClientResult<NotificationPreferences> {
        self.json(Call::new(&NOTIFICATION_PREFERENCES, &[])).await
    }

    /// Replaces the caller's choices; `expected_version` is the version
    /// read (0 before the first choice).
    pub async fn set_notification_preferences(
        &self,
        choices: NotificationChoices,
        expected_version: u64,
    ) -> ClientResult<NotificationPreferences> {
        let call = Call::new(&SET_NOTIFICATION_PREFERENCES, &[]).if_match(expected_version);
        self.json(call.json(&choices)?).await
    }

    /// One-click unsubscribe by a mail's token (no sign-in needed): stops
    /// that kind of mail; an unknown or altered token is `NotFound`.
    pub async fn unsubscribe(&self, token: &str) -> ClientResult<Unsubscribed> {
        self.json(Call::new(&UNSUBSCRIBE, &[&token])).await
    }

    /// The page a mail's unsubscribe link opens (HTML with one button; it
    /// changes nothing).
    pub async fn unsubscribe_page(&self, token: &str) -> ClientResult<String> {
        self.text(Call::new(&UNSUBSCRIBE_PAGE, &[&token])).await
    }
}
