//! Reading activity from DynamoDB.

use async_trait::async_trait;
use copkit_core::model::{Activity, Participation, ValueStory};
use copkit_core::store::{
    ActivityStore, Chunk, ParticipationStore, Range, StoreError, ValueStoryStore,
};
use copkit_core::{CommunityId, UserId};

use crate::dynamo::DynamoStore;
use crate::dynamo::keys;
use crate::dynamo::page::Listing;
use crate::dynamo::table::{GSI1, GSI2};

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

    async fn participation_due(
        &self,
        due: jiff::Timestamp,
        limit: u32,
    ) -> Result<Vec<Participation>, StoreError> {
        self.due_across_shards(keys::REVIEW_SHARDS, keys::review_partition, due, limit)
            .await
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
