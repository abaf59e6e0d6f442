//! Reading activity from DynamoDB.

use async_trait::async_trait;
use copkit_core::model::{Activity, Participation, ValueStory};
use copkit_core::store::{
    ActivityStore, Chunk, ParticipationStore, Range, StoreError, ValueStoryStore,
};
use copkit_core::{CommunityId, UserId};

use crate::dynamo::DynamoStore;
use crate::dynamo::codec::{decode, get_s};
use crate::dynamo::keys;
use crate::dynamo::page::Listing;
use crate::dynamo::table::{GSI1, GSI2, GSI3};

#[async_trait]
impl ActivityStore for DynamoStore {
    async fn list_activity(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Activity>, StoreError> {
        let listing = Listing::index(GSI2, keys::community_activity(community)).descending();
        self.page(&listing, range).await
    }

    async fn list_user_activity(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Activity>, StoreError> {
        let listing = Listing::index(GSI1, keys::user_activity(user)).descending();
        self.page(&listing, range).await
    }
}

#[async_trait]
impl ParticipationStore for DynamoStore {
    async fn get_participation(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<Participation>, StoreError> {
        self.get(&keys::participation(community, user)).await
    }

    /// One query per review shard (a bounded fan-out, no scan), merged by
    /// review time.
    async fn participation_due(
        &self,
        due: jiff::Timestamp,
        limit: u32,
    ) -> Result<Vec<Participation>, StoreError> {
        let limit = limit.clamp(1, 100) as usize;
        let mut due_items = Vec::new();
        for shard in 0..keys::REVIEW_SHARDS {
            let listing =
                Listing::index(GSI3, keys::review_partition(shard)).upto(keys::review_upto(due));
            due_items.extend(self.query_all(&listing, limit).await?);
        }
        let sort_attribute = GSI3.sort_key;
        due_items.sort_by(|a, b| get_s(a, sort_attribute).cmp(&get_s(b, sort_attribute)));
        due_items.into_iter().take(limit).map(decode).collect()
    }
}

#[async_trait]
impl ValueStoryStore for DynamoStore {
    async fn list_value_stories(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<ValueStory>, StoreError> {
        let listing = Listing::table(keys::community(community).pk)
            .with_prefix(keys::VALUE_STORY_PREFIX)
            .descending();
        self.page(&listing, range).await
    }

    async fn list_user_value_stories(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<ValueStory>, StoreError> {
        let listing = Listing::index(GSI1, keys::user_value_stories(user)).descending();
        self.page(&listing, range).await
    }
}
