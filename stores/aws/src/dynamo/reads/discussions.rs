//! Reading discussions from DynamoDB.

use async_trait::async_trait;
use copkit_core::model::{Post, Reaction, ReactionKind, Thread};
use copkit_core::store::{Chunk, Range, StoreError, ThreadStore};
use copkit_core::{PostId, SpaceId, ThreadId, UserId};

use super::SHORT_LIST_MAX;
use crate::dynamo::DynamoStore;
use crate::dynamo::keys;
use crate::dynamo::page::Listing;
use crate::dynamo::table::{GSI1, GSI2, GSI3};

#[async_trait]
impl ThreadStore for DynamoStore {
    async fn get_thread(&self, id: &ThreadId) -> Result<Option<Thread>, StoreError> {
        self.get(&keys::thread(id)).await
    }

    async fn list_threads(
        &self,
        space: &SpaceId,
        range: &Range,
    ) -> Result<Chunk<Thread>, StoreError> {
        let listing = Listing::index(GSI2, keys::space_threads(space)).descending();
        self.page(&listing, range).await
    }

    async fn list_pinned_threads(&self, space: &SpaceId) -> Result<Vec<Thread>, StoreError> {
        let listing = Listing::index(GSI3, keys::pinned_threads(space)).descending();
        self.all(&listing, SHORT_LIST_MAX).await
    }

    async fn get_post(&self, id: &PostId) -> Result<Option<Post>, StoreError> {
        self.get(&keys::post(id)).await
    }

    async fn list_posts(
        &self,
        thread: &ThreadId,
        range: &Range,
    ) -> Result<Chunk<Post>, StoreError> {
        self.page(&Listing::index(GSI1, keys::thread_posts(thread)), range)
            .await
    }

    async fn get_reactions(
        &self,
        post: &PostId,
        user: &UserId,
    ) -> Result<Vec<ReactionKind>, StoreError> {
        let listing = Listing::table(keys::post(post).pk).with_prefix(keys::reaction_prefix(user));
        let given: Vec<Reaction> = self.all(&listing, ReactionKind::ALL.len()).await?;
        Ok(ReactionKind::ALL
            .into_iter()
            .filter(|k| given.iter().any(|r| r.kind == *k))
            .collect())
    }
}
