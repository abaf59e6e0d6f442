//! Reading moderation from DynamoDB.

use async_trait::async_trait;
use copkit_core::model::{ModerationEntry, Report, ReportStatus};
use copkit_core::store::{Chunk, ModerationStore, Range, StoreError};
use copkit_core::{CommunityId, ReportId};

use crate::dynamo::DynamoStore;
use crate::dynamo::keys;
use crate::dynamo::page::Listing;
use crate::dynamo::table::GSI1;

#[async_trait]
impl ModerationStore for DynamoStore {
    async fn get_report(
        &self,
        community: &CommunityId,
        id: &ReportId,
    ) -> Result<Option<Report>, StoreError> {
        self.get(&keys::report(community, id)).await
    }

    async fn list_reports(
        &self,
        community: &CommunityId,
        status: ReportStatus,
        range: &Range,
    ) -> Result<Chunk<Report>, StoreError> {
        let listing = Listing::index(GSI1, keys::report_queue(community, status));
        self.page(&listing, range).await
    }

    async fn list_moderation_log(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<ModerationEntry>, StoreError> {
        let listing = Listing::table(keys::moderation_log(community)).descending();
        self.page(&listing, range).await
    }
}
