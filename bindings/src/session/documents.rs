//! The document library, with two-step uploads.

use copkit_core::blob::InMemory;
use copkit_core::model::Document;
use copkit_core::service::{DocumentChanges, Download, NewDocument, NewVersion};
use copkit_core::service::{
    DownloadLink, NewUploadedDocument, UploadIntent, UploadTicket, UploadedVersion,
};
use copkit_core::{DocumentId, SpaceId};

use super::{Session, SessionResult};
use crate::pages::{self, *};

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Adds a document with its bytes to a space's library.
    pub async fn upload_document(
        &self,
        space: SpaceId,
        input: NewDocument,
    ) -> SessionResult<Document> {
        Ok(self
            .core()
            .upload_document(&self.actor, &space, input)
            .await?)
    }

    /// Uploads a new version of a document.
    pub async fn add_document_version(
        &self,
        id: DocumentId,
        input: NewVersion,
        expected_version: u64,
    ) -> SessionResult<Document> {
        let core = self.core();
        Ok(core
            .add_document_version(&self.actor, &id, input, expected_version)
            .await?)
    }

    /// Changes a document's title, description or tags.
    pub async fn update_document(
        &self,
        id: DocumentId,
        changes: DocumentChanges,
        expected_version: u64,
    ) -> SessionResult<Document> {
        let core = self.core();
        Ok(core
            .update_document(&self.actor, &id, changes, expected_version)
            .await?)
    }

    /// Deletes a document (its uploader or moderators).
    pub async fn delete_document(&self, id: DocumentId) -> SessionResult<()> {
        Ok(self.core().delete_document(&self.actor, &id).await?)
    }

    /// A document's details.
    pub async fn get_document(&self, id: DocumentId) -> SessionResult<Document> {
        Ok(self.core().get_document(&self.actor, &id).await?)
    }

    /// Documents of a space.
    pub async fn list_documents(
        &self,
        space: SpaceId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<DocumentPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .list_documents(&self.actor, &space, &page)
            .await?
            .into())
    }

    /// Versions of a document, newest first.
    pub async fn list_document_versions(
        &self,
        id: DocumentId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<DocumentVersionPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .list_document_versions(&self.actor, &id, &page)
            .await?
            .into())
    }

    /// A version's bytes (the current one without `number`), checked
    /// against their SHA-256.
    pub async fn download_document(
        &self,
        id: DocumentId,
        number: Option<u32>,
    ) -> SessionResult<Download> {
        Ok(self
            .core()
            .download_document(&self.actor, &id, number)
            .await?)
    }

    /// Asks to upload bytes (large files, or straight to S3 with the
    /// DynamoDB store): the ticket's `put`, when present, is a presigned
    /// request to send them with; otherwise send them with `send_upload`.
    pub async fn begin_upload(
        &self,
        space: SpaceId,
        intent: UploadIntent,
    ) -> SessionResult<UploadTicket> {
        Ok(self
            .core()
            .begin_upload(&self.actor, &space, intent)
            .await?)
    }

    /// Sends the bytes of a ticket without a presigned `put`.
    pub async fn send_upload(&self, upload: String, bytes: Vec<u8>) -> SessionResult<()> {
        let mut source = InMemory::new(bytes);
        let core = self.core();
        Ok(core
            .receive_upload(&self.actor, &upload, &mut source)
            .await?)
    }

    /// Files uploaded bytes as a new document.
    pub async fn add_uploaded_document(
        &self,
        space: SpaceId,
        input: NewUploadedDocument,
    ) -> SessionResult<Document> {
        let core = self.core();
        Ok(core
            .add_uploaded_document(&self.actor, &space, input)
            .await?)
    }

    /// Files uploaded bytes as a document's new version.
    pub async fn add_uploaded_version(
        &self,
        id: DocumentId,
        input: UploadedVersion,
        expected_version: u64,
    ) -> SessionResult<Document> {
        let core = self.core();
        Ok(core
            .add_uploaded_version(&self.actor, &id, input, expected_version)
            .await?)
    }

    /// Where to fetch a version's bytes: a presigned `get` with S3, or
    /// nothing (then use `download_document`).
    pub async fn document_download_link(
        &self,
        id: DocumentId,
        number: Option<u32>,
    ) -> SessionResult<DownloadLink> {
        let core = self.core();
        Ok(core
            .document_download_link(&self.actor, &id, number)
            .await?)
    }
}
