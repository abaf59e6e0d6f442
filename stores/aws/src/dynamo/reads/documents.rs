//! Reading documents from DynamoDB.

use async_trait::async_trait;
use copkit_core::model::{BlobPurge, Document, DocumentVersion};
use copkit_core::store::{Chunk, DocumentStore, Range, StoreError};
use copkit_core::{DocumentId, SpaceId};

use crate::dynamo::DynamoStore;
use crate::dynamo::codec::decode;
use crate::dynamo::keys;
use crate::dynamo::page::Listing;
use crate::dynamo::table::GSI2;

#[async_trait]
impl DocumentStore for DynamoStore {
    async fn get_document(&self, id: &DocumentId) -> Result<Option<Document>, StoreError> {
        self.get(&keys::document(id)).await
    }

    async fn list_documents(
        &self,
        space: &SpaceId,
        range: &Range,
    ) -> Result<Chunk<Document>, StoreError> {
        let listing = Listing::index(GSI2, keys::space_documents(space)).descending();
        self.page(&listing, range).await
    }

    async fn get_document_version(
        &self,
        document: &DocumentId,
        number: u32,
    ) -> Result<Option<DocumentVersion>, StoreError> {
        self.get(&keys::document_version(document, number)).await
    }

    async fn list_document_versions(
        &self,
        document: &DocumentId,
        range: &Range,
    ) -> Result<Chunk<DocumentVersion>, StoreError> {
        let listing = Listing::table(keys::document(document).pk).with_prefix(keys::VERSION_PREFIX);
        self.page(&listing, range).await
    }

    async fn purges_due(
        &self,
        now: jiff::Timestamp,
        limit: u32,
    ) -> Result<Vec<BlobPurge>, StoreError> {
        let listing = Listing::table(keys::PURGES.to_owned()).upto(keys::review_upto(now));
        let items = self
            .query_all(&listing, limit.clamp(1, 100) as usize)
            .await?;
        items.into_iter().map(decode).collect()
    }
}
