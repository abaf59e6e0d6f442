//! Reading events from DynamoDB.

use async_trait::async_trait;
use copkit_core::model::{Attendance, Event, Rsvp, RsvpTally};
use copkit_core::store::{Chunk, EventStore, Range, StoreError};
use copkit_core::{CommunityId, EventId, UserId};

use super::SHORT_LIST_MAX;
use crate::dynamo::DynamoStore;
use crate::dynamo::keys;
use crate::dynamo::page::Listing;
use crate::dynamo::table::GSI1;

#[async_trait]
impl EventStore for DynamoStore {
    async fn get_event(&self, id: &EventId) -> Result<Option<Event>, StoreError> {
        self.get(&keys::event(id)).await
    }

    async fn list_events(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Event>, StoreError> {
        self.page(
            &Listing::index(GSI1, keys::community_events(community)),
            range,
        )
        .await
    }

    async fn get_rsvp(
        &self,
        event: &EventId,
        occurrence: &str,
        user: &UserId,
    ) -> Result<Option<Rsvp>, StoreError> {
        self.get(&keys::rsvp(event, occurrence, user)).await
    }

    async fn list_rsvps(
        &self,
        event: &EventId,
        occurrence: &str,
        range: &Range,
    ) -> Result<Chunk<Rsvp>, StoreError> {
        let listing =
            Listing::table(keys::event(event).pk).with_prefix(keys::rsvp_prefix(occurrence));
        self.page(&listing, range).await
    }

    async fn get_rsvp_tally(
        &self,
        event: &EventId,
        occurrence: &str,
    ) -> Result<RsvpTally, StoreError> {
        Ok(self
            .get(&keys::tally(event, occurrence))
            .await?
            .unwrap_or_default())
    }

    async fn list_attendance(
        &self,
        event: &EventId,
        occurrence: &str,
    ) -> Result<Vec<Attendance>, StoreError> {
        let listing =
            Listing::table(keys::event(event).pk).with_prefix(keys::attendance_prefix(occurrence));
        self.all(&listing, SHORT_LIST_MAX).await
    }

    async fn list_user_attendance(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Attendance>, StoreError> {
        let listing = Listing::index(GSI1, keys::user_attendance(user)).descending();
        self.page(&listing, range).await
    }
}
