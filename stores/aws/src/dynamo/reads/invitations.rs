//! Reading invitations from DynamoDB.

use async_trait::async_trait;
use copkit_core::model::{Invitation, JoinRequest, TokenHash};
use copkit_core::store::{Chunk, InvitationStore, JoinRequestStore, Range, StoreError};
use copkit_core::{CommunityId, InvitationId, UserId};

use crate::dynamo::DynamoStore;
use crate::dynamo::codec::{CLAIM_COMMUNITY, CLAIM_ID, get_s};
use crate::dynamo::keys;
use crate::dynamo::page::Listing;
use crate::dynamo::table::{GSI1, GSI3};

#[async_trait]
impl InvitationStore for DynamoStore {
    async fn get_invitation(
        &self,
        community: &CommunityId,
        id: &InvitationId,
    ) -> Result<Option<Invitation>, StoreError> {
        self.get(&keys::invitation(community, id)).await
    }

    async fn get_invitation_by_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<Invitation>, StoreError> {
        let Some(claim) = self.get_item(&keys::token(hash)).await? else {
            return Ok(None);
        };
        let community: Option<CommunityId> =
            get_s(&claim, CLAIM_COMMUNITY).and_then(|c| c.parse().ok());
        let id: Option<InvitationId> = get_s(&claim, CLAIM_ID).and_then(|i| i.parse().ok());
        let (Some(community), Some(id)) = (community, id) else {
            return Err(StoreError::Internal(
                "a token claim without its invitation".into(),
            ));
        };
        self.get_invitation(&community, &id).await
    }

    async fn list_invitations(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Invitation>, StoreError> {
        let listing = Listing::table(keys::community(community).pk)
            .with_prefix(keys::INVITATION_PREFIX)
            .descending();
        self.page(&listing, range).await
    }

    async fn list_invitations_to(
        &self,
        address: &str,
        range: &Range,
    ) -> Result<Chunk<Invitation>, StoreError> {
        let listing = Listing::index(GSI1, keys::invited_email(address));
        self.page(&listing, range).await
    }
}

#[async_trait]
impl JoinRequestStore for DynamoStore {
    async fn get_join_request(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<JoinRequest>, StoreError> {
        self.get(&keys::join_request(community, user)).await
    }

    async fn list_pending_requests(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<JoinRequest>, StoreError> {
        self.page(
            &Listing::index(GSI3, keys::pending_requests(community)),
            range,
        )
        .await
    }
}
