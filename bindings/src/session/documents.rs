//! The document library, with two-step uploads.

use copkit_core::blob::InMemory;
use copkit_core::model::Document;
use copkit_core::service::{DocumentChanges, Download, NewDocument, NewVersion};
use copkit_core::service::{
    DownloadLink, NewUploadedDocument, UploadIntent, UploadTicket, UploadedVersion,
};
use copkit_core::{DocumentId, SpaceId};

use std::sync::Arc;

use super::{Backend, Session, SessionResult};
use crate::pages::{self, *};
use crate::remote::{self, TransferProgress, remote_error};

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Adds a document with its bytes to a space's library.
    pub async fn upload_document(
        &self,
        space: SpaceId,
        input: NewDocument,
    ) -> SessionResult<Document> {
        Ok(both!(self, upload_document(&space, input))?)
    }

    /// Uploads a new version of a document.
    pub async fn add_document_version(
        &self,
        id: DocumentId,
        input: NewVersion,
        expected_version: u64,
    ) -> SessionResult<Document> {
        Ok(both!(
            self,
            add_document_version(&id, input, expected_version)
        )?)
    }

    /// Changes a document's title, description or tags.
    pub async fn update_document(
        &self,
        id: DocumentId,
        changes: DocumentChanges,
        expected_version: u64,
    ) -> SessionResult<Document> {
        Ok(both!(
            self,
            update_document(&id, changes, expected_version)
        )?)
    }

    /// Deletes a document (its uploader or moderators).
    pub async fn delete_document(&self, id: DocumentId) -> SessionResult<()> {
        Ok(both!(self, delete_document(&id))?)
    }

    /// A document's details.
    pub async fn get_document(&self, id: DocumentId) -> SessionResult<Document> {
        Ok(both!(self, get_document(&id))?)
    }

    /// Documents of a space.
    pub async fn list_documents(
        &self,
        space: SpaceId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<DocumentPage> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, list_documents(&space, &page))?.into())
    }

    /// Versions of a document, newest first.
    pub async fn list_document_versions(
        &self,
        id: DocumentId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<DocumentVersionPage> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, list_document_versions(&id, &page))?.into())
    }

    /// A version's bytes (the current one without `number`), checked
    /// against their SHA-256.
    pub async fn download_document(
        &self,
        id: DocumentId,
        number: Option<u32>,
    ) -> SessionResult<Download> {
        self.download_document_with_progress(id, number, None).await
    }

    /// The same, telling `progress` how far the transfer is (a remote
    /// session fetches the bytes straight from storage).
    pub async fn download_document_with_progress(
        &self,
        id: DocumentId,
        number: Option<u32>,
        progress: Option<Arc<dyn TransferProgress>>,
    ) -> SessionResult<Download> {
        match &self.backend {
            Backend::Embedded { shared, actor } => {
                let download = shared.core.download_document(actor, &id, number).await?;
                let size = download.bytes.len() as u64;
                if let Some(progress) = progress {
                    progress.progress(size, size);
                }
                Ok(download)
            }
            Backend::Remote { client, .. } => client
                .download_document(&id, number, remote::progress(progress))
                .await
                .map_err(remote_error),
        }
    }

    /// Adds a document whatever its size: a remote session asks for a
    /// ticket, sends the bytes where it says (straight to storage when the
    /// deployment has it) telling `progress`, and files the upload; an
    /// embedded one stores the bytes directly.
    pub async fn upload_new_document(
        &self,
        space: SpaceId,
        input: NewDocument,
        progress: Option<Arc<dyn TransferProgress>>,
    ) -> SessionResult<Document> {
        match &self.backend {
            Backend::Embedded { shared, actor } => {
                let size = input.bytes.len() as u64;
                let document = shared.core.upload_document(actor, &space, input).await?;
                if let Some(progress) = progress {
                    progress.progress(size, size);
                }
                Ok(document)
            }
            Backend::Remote { client, .. } => client
                .upload_new_document(&space, input, remote::progress(progress))
                .await
                .map_err(remote_error),
        }
    }

    /// Asks to upload bytes (large files, or straight to S3 with the
    /// DynamoDB store): the ticket's `put`, when present, is a presigned
    /// request to send them with; otherwise send them with `send_upload`.
    pub async fn begin_upload(
        &self,
        space: SpaceId,
        intent: UploadIntent,
    ) -> SessionResult<UploadTicket> {
        Ok(both!(self, begin_upload(&space, intent))?)
    }

    /// Sends the bytes of a ticket without a presigned `put`.
    pub async fn send_upload(&self, upload: String, bytes: Vec<u8>) -> SessionResult<()> {
        match &self.backend {
            Backend::Embedded { shared, actor } => {
                let mut source = InMemory::new(bytes);
                Ok(shared
                    .core
                    .receive_upload(actor, &upload, &mut source)
                    .await?)
            }
            Backend::Remote { client, .. } => client
                .send_upload(&upload, "application/octet-stream", bytes.into(), None)
                .await
                .map_err(remote_error),
        }
    }

    /// Files uploaded bytes as a new document.
    pub async fn add_uploaded_document(
        &self,
        space: SpaceId,
        input: NewUploadedDocument,
    ) -> SessionResult<Document> {
        Ok(both!(self, add_uploaded_document(&space, input))?)
    }

    /// Files uploaded bytes as a document's new version.
    pub async fn add_uploaded_version(
        &self,
        id: DocumentId,
        input: UploadedVersion,
        expected_version: u64,
    ) -> SessionResult<Document> {
        Ok(both!(
            self,
            add_uploaded_version(&id, input, expected_version)
        )?)
    }

    /// Where to fetch a version's bytes: a presigned `get` with S3, or
    /// nothing (then use `download_document`).
    pub async fn document_download_link(
        &self,
        id: DocumentId,
        number: Option<u32>,
    ) -> SessionResult<DownloadLink> {
        Ok(both!(self, document_download_link(&id, number))?)
    }
}
