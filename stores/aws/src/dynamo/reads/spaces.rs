//! Reading spaces from DynamoDB.

use async_trait::async_trait;
use copkit_core::model::{Space, SpaceGrant};
use copkit_core::store::{SpaceStore, StoreError};
use copkit_core::{CommunityId, SpaceId, UserId};

use super::SHORT_LIST_MAX;
use crate::dynamo::DynamoStore;
use crate::dynamo::keys;
use crate::dynamo::page::Listing;
use crate::dynamo::table::GSI1;

#[async_trait]
impl SpaceStore for DynamoStore {
    async fn get_space(&self, id: &SpaceId) -> Result<Option<Space>, StoreError> {
        self.get(&keys::space(id)).await
    }

    async fn list_spaces(&self, community: &CommunityId) -> Result<Vec<Space>, StoreError> {
        self.all(
            &Listing::index(GSI1, keys::community_spaces(community)),
            SHORT_LIST_MAX,
        )
        .await
    }

    async fn list_user_grants(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Vec<SpaceGrant>, StoreError> {
        let listing = Listing::index(GSI1, keys::user_grants(user))
            .with_prefix(keys::user_grants_prefix(community));
        self.all(&listing, SHORT_LIST_MAX).await
    }

    async fn list_space_grants(&self, space: &SpaceId) -> Result<Vec<SpaceGrant>, StoreError> {
        let listing = Listing::table(keys::space(space).pk).with_prefix(keys::GRANT_PREFIX);
        self.all(&listing, SHORT_LIST_MAX).await
    }
}
