//! Reading digests from DynamoDB.

use async_trait::async_trait;
use copkit_core::UserId;
use copkit_core::model::{DigestSchedule, Mail};
use copkit_core::store::{Chunk, DigestStore, Range, StoreError};

use crate::dynamo::DynamoStore;
use crate::dynamo::keys;
use crate::dynamo::page::Listing;

#[async_trait]
impl DigestStore for DynamoStore {
    async fn get_digest_schedule(
        &self,
        user: &UserId,
    ) -> Result<Option<DigestSchedule>, StoreError> {
        self.get(&keys::digest_schedule(user)).await
    }

    async fn digests_due(
        &self,
        due: jiff::Timestamp,
        limit: u32,
    ) -> Result<Vec<DigestSchedule>, StoreError> {
        self.due_across_shards(keys::DIGEST_SHARDS, keys::digest_partition, due, limit)
            .await
    }

    async fn list_outbox(&self, user: &UserId, range: &Range) -> Result<Chunk<Mail>, StoreError> {
        let listing = Listing::table(keys::outbox(user))
            .with_prefix(keys::MAIL_PREFIX)
            .descending();
        self.page(&listing, range).await
    }

    async fn mail_due(&self, due: jiff::Timestamp, limit: u32) -> Result<Vec<Mail>, StoreError> {
        self.due_across_shards(keys::MAIL_SHARDS, keys::mail_due_partition, due, limit)
            .await
    }
}
