//! Reading digests from DynamoDB.

use async_trait::async_trait;
use copkit_core::UserId;
use copkit_core::model::{DigestSchedule, Mail};
use copkit_core::store::{Chunk, DigestStore, Range, StoreError};

use crate::dynamo::DynamoStore;
use crate::dynamo::codec::{decode, get_s};
use crate::dynamo::keys;
use crate::dynamo::page::Listing;
use crate::dynamo::table::GSI3;

#[async_trait]
impl DigestStore for DynamoStore {
    async fn get_digest_schedule(
        &self,
        user: &UserId,
    ) -> Result<Option<DigestSchedule>, StoreError> {
        self.get(&keys::digest_schedule(user)).await
    }

    /// One query per shard (a bounded fan-out, no scan), merged by due time.
    async fn digests_due(
        &self,
        due: jiff::Timestamp,
        limit: u32,
    ) -> Result<Vec<DigestSchedule>, StoreError> {
        let limit = limit.clamp(1, 100) as usize;
        let mut due_items = Vec::new();
        for shard in 0..keys::DIGEST_SHARDS {
            let listing =
                Listing::index(GSI3, keys::digest_partition(shard)).upto(keys::review_upto(due));
            due_items.extend(self.query_all(&listing, limit).await?);
        }
        let sort_attribute = GSI3.sort_key;
        due_items.sort_by(|a, b| get_s(a, sort_attribute).cmp(&get_s(b, sort_attribute)));
        due_items.into_iter().take(limit).map(decode).collect()
    }

    async fn list_outbox(&self, user: &UserId, range: &Range) -> Result<Chunk<Mail>, StoreError> {
        let listing = Listing::table(keys::outbox(user))
            .with_prefix(keys::MAIL_PREFIX)
            .descending();
        self.page(&listing, range).await
    }

    /// One query per shard (a bounded fan-out, no scan), merged by time.
    async fn mail_due(&self, due: jiff::Timestamp, limit: u32) -> Result<Vec<Mail>, StoreError> {
        let limit = limit.clamp(1, 100) as usize;
        let mut due_items = Vec::new();
        for shard in 0..keys::MAIL_SHARDS {
            let listing =
                Listing::index(GSI3, keys::mail_due_partition(shard)).upto(keys::review_upto(due));
            due_items.extend(self.query_all(&listing, limit).await?);
        }
        let sort_attribute = GSI3.sort_key;
        due_items.sort_by(|a, b| get_s(a, sort_attribute).cmp(&get_s(b, sort_attribute)));
        due_items.into_iter().take(limit).map(decode).collect()
    }
}
