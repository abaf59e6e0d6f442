//! Reading polls from DynamoDB.

use async_trait::async_trait;
use copkit_core::model::{Ballot, Poll};
use copkit_core::store::{Chunk, PollStore, Range, StoreError};
use copkit_core::{PollId, SpaceId, UserId};

use crate::dynamo::DynamoStore;
use crate::dynamo::keys;
use crate::dynamo::page::Listing;
use crate::dynamo::table::GSI1;

#[async_trait]
impl PollStore for DynamoStore {
    async fn get_poll(&self, id: &PollId) -> Result<Option<Poll>, StoreError> {
        self.get(&keys::poll(id)).await
    }

    async fn list_polls(&self, space: &SpaceId, range: &Range) -> Result<Chunk<Poll>, StoreError> {
        let listing = Listing::index(GSI1, keys::space_polls(space)).descending();
        self.page(&listing, range).await
    }

    async fn get_ballot(&self, poll: &PollId, user: &UserId) -> Result<Option<Ballot>, StoreError> {
        self.get(&keys::ballot(poll, user)).await
    }

    async fn list_ballots(
        &self,
        poll: &PollId,
        range: &Range,
    ) -> Result<Chunk<Ballot>, StoreError> {
        let listing = Listing::table(keys::poll(poll).pk).with_prefix(keys::BALLOT_PREFIX);
        self.page(&listing, range).await
    }
}
