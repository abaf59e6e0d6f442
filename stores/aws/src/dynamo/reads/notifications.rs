//! Reading notifications from DynamoDB.

use async_trait::async_trait;
use copkit_core::model::{FanoutJob, InboxState, Notification, NotificationPreferences};
use copkit_core::store::{Chunk, NotificationStore, Range, StoreError};
use copkit_core::{ActivityId, UserId};

use crate::dynamo::DynamoStore;
use crate::dynamo::keys;
use crate::dynamo::page::Listing;
use crate::dynamo::table;

#[async_trait]
impl NotificationStore for DynamoStore {
    async fn list_notifications(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Notification>, StoreError> {
        let listing = Listing::table(keys::inbox(user))
            .with_prefix(keys::NOTIFICATION_PREFIX)
            .descending();
        self.page(&listing, range).await
    }

    async fn list_notifications_by_actor(
        &self,
        actor: &UserId,
        range: &Range,
    ) -> Result<Chunk<Notification>, StoreError> {
        let listing = Listing::index(table::GSI1, keys::notifications_by_actor(actor));
        self.page(&listing, range).await
    }

    async fn get_notification(
        &self,
        user: &UserId,
        id: &ActivityId,
    ) -> Result<Option<Notification>, StoreError> {
        self.get(&keys::notification(user, id)).await
    }

    async fn get_inbox_state(&self, user: &UserId) -> Result<Option<InboxState>, StoreError> {
        self.get(&keys::inbox_state(user)).await
    }

    async fn get_notification_preferences(
        &self,
        user: &UserId,
    ) -> Result<Option<NotificationPreferences>, StoreError> {
        self.get(&keys::notification_preferences(user)).await
    }

    async fn fanouts_due(
        &self,
        due: jiff::Timestamp,
        limit: u32,
    ) -> Result<Vec<FanoutJob>, StoreError> {
        self.due_across_shards(keys::FANOUT_SHARDS, keys::fanout_due_partition, due, limit)
            .await
    }
}
