//! Reading profiles from DynamoDB.

use async_trait::async_trait;
use copkit_core::UserId;
use copkit_core::model::{CalendarFeed, Handle, Profile, TokenHash};
use copkit_core::store::{ProfileStore, StoreError};

use crate::dynamo::DynamoStore;
use crate::dynamo::codec::{CLAIM_USER, get_s};
use crate::dynamo::keys;

#[async_trait]
impl ProfileStore for DynamoStore {
    async fn get_profile(&self, user: &UserId) -> Result<Option<Profile>, StoreError> {
        self.get(&keys::profile(user)).await
    }

    async fn get_profiles(&self, users: &[UserId]) -> Result<Vec<Profile>, StoreError> {
        self.batch_get(users.iter().map(keys::profile).collect())
            .await
    }

    async fn get_calendar_feed(&self, user: &UserId) -> Result<Option<CalendarFeed>, StoreError> {
        self.get(&keys::calendar_feed(user)).await
    }

    async fn get_calendar_feed_by_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<CalendarFeed>, StoreError> {
        let Some(claim) = self.get_item(&keys::feed_token(hash)).await? else {
            return Ok(None);
        };
        let user = get_s(&claim, CLAIM_USER)
            .and_then(|u| UserId::new(u).ok())
            .ok_or_else(|| StoreError::Internal("a feed token claim without its user".into()))?;
        Ok(self
            .get_calendar_feed(&user)
            .await?
            .filter(|f| f.token_hash == *hash))
    }

    async fn get_profile_by_handle(&self, handle: &Handle) -> Result<Option<Profile>, StoreError> {
        let Some(claim) = self.get_item(&keys::handle(handle)).await? else {
            return Ok(None);
        };
        let user = get_s(&claim, CLAIM_USER)
            .and_then(|u| UserId::new(u).ok())
            .ok_or_else(|| StoreError::Internal("a handle claim without its user".into()))?;
        self.get_profile(&user).await
    }
}
