//! Document libraries: documents, versions, uploads and downloads.

use bytes::Bytes;
use copkit_core::model::{Document, DocumentVersion, Page, PageRequest};
use copkit_core::service::{
    DocumentChanges, Download, DownloadLink, NewDocument, NewUploadedDocument, NewVersion,
    UploadIntent, UploadTicket, UploadedVersion,
};
use copkit_core::{DocumentId, SpaceId};

use crate::client::Client;
use crate::error::{ClientError, ClientResult};
use crate::operations::*;
use crate::transfer::{Progress, sha256_hex};
use crate::transport::Call;

impl Client {
    /// A space's library, most recently updated first.
    pub async fn list_documents(
        &self,
        space: &SpaceId,
        page: &PageRequest,
    ) -> ClientResult<Page<Document>> {
        self.json(Call::new(&LIST_DOCUMENTS, &[space]).page(page))
            .await
    }

    /// A document.
    pub async fn get_document(&self, id: &DocumentId) -> ClientResult<Document> {
        self.json(Call::new(&GET_DOCUMENT, &[id])).await
    }

    /// Changes a document's title, description or tags; `expected_version`
    /// is the version read.
    pub async fn update_document(
        &self,
        id: &DocumentId,
        changes: DocumentChanges,
        expected_version: u64,
    ) -> ClientResult<Document> {
        let call = Call::new(&UPDATE_DOCUMENT, &[id]).if_match(expected_version);
        self.json(call.json(&changes)?).await
    }

    /// Deletes a document (its uploader or moderators).
    pub async fn delete_document(&self, id: &DocumentId) -> ClientResult<()> {
        self.empty(Call::new(&DELETE_DOCUMENT, &[id])).await
    }

    /// Versions of a document, newest first.
    pub async fn list_document_versions(
        &self,
        id: &DocumentId,
        page: &PageRequest,
    ) -> ClientResult<Page<DocumentVersion>> {
        self.json(Call::new(&LIST_VERSIONS, &[id]).page(page)).await
    }

    /// Adds a document with its bytes in the request (small files; see
    /// [`Client::upload_new_document`] for the presigned flow).
    pub async fn upload_document(
        &self,
        space: &SpaceId,
        input: NewDocument,
    ) -> ClientResult<Document> {
        let tags = (!input.tags.is_empty()).then(|| input.tags.join(","));
        let description = (!input.description.is_empty()).then_some(input.description);
        let call = Call::new(&UPLOAD_DOCUMENT, &[space])
            .query("title", Some(input.title))
            .query("description", description)
            .query("tags", tags)
            .bytes(&input.content_type, Bytes::from(input.bytes));
        self.json(call).await
    }

    /// Adds a version with its bytes in the request; `expected_version` is
    /// the document's version read.
    pub async fn add_document_version(
        &self,
        id: &DocumentId,
        input: NewVersion,
        expected_version: u64,
    ) -> ClientResult<Document> {
        let note = (!input.note.is_empty()).then_some(input.note);
        let call = Call::new(&ADD_VERSION, &[id])
            .query("note", note)
            .if_match(expected_version)
            .bytes(&input.content_type, Bytes::from(input.bytes));
        self.json(call).await
    }

    /// Asks to upload bytes into a space's library: the ticket says where
    /// to send them.
    pub async fn begin_upload(
        &self,
        space: &SpaceId,
        intent: UploadIntent,
    ) -> ClientResult<UploadTicket> {
        self.json(Call::new(&BEGIN_UPLOAD, &[space]).json(&intent)?)
            .await
    }

    /// Sends the bytes a ticket is for, as it says (straight to storage, or
    /// through the API).
    pub async fn upload(
        &self,
        ticket: &UploadTicket,
        bytes: Bytes,
        progress: Option<Progress>,
    ) -> ClientResult<()> {
        let Some(put) = &ticket.put else {
            return Err(ClientError::protocol(
                "the ticket says nowhere to send the bytes",
            ));
        };
        self.upload_signed(&put.url, &put.headers, bytes, progress)
            .await
    }

    /// Sends the bytes of a ticket through the API's own upload endpoint
    /// (`PUT /uploads/{token}`: what a ticket without a presigned `put`
    /// points at).
    pub async fn send_upload(
        &self,
        upload: &str,
        content_type: &str,
        bytes: Bytes,
        progress: Option<Progress>,
    ) -> ClientResult<()> {
        let call = Call::new(&RECEIVE_UPLOAD, &[&upload])
            .bytes(content_type, bytes)
            .progress(progress);
        self.empty(call).await
    }

    /// Files uploaded bytes as a new document.
    pub async fn add_uploaded_document(
        &self,
        space: &SpaceId,
        input: NewUploadedDocument,
    ) -> ClientResult<Document> {
        self.json(Call::new(&FILE_DOCUMENT, &[space]).json(&input)?)
            .await
    }

    /// Files uploaded bytes as a document's new version.
    pub async fn add_uploaded_version(
        &self,
        id: &DocumentId,
        input: UploadedVersion,
        expected_version: u64,
    ) -> ClientResult<Document> {
        let call = Call::new(&FILE_VERSION, &[id]).if_match(expected_version);
        self.json(call.json(&input)?).await
    }

    /// Where to fetch a version's bytes (the latest when `number` is `None`).
    pub async fn document_download_link(
        &self,
        id: &DocumentId,
        number: Option<u32>,
    ) -> ClientResult<DownloadLink> {
        self.json(Call::new(&DOWNLOAD_LINK, &[id]).query("version", number))
            .await
    }

    /// Asks for a ticket for `bytes` in `space` and sends them where it
    /// says; the upload token to file them with.
    async fn send_with_ticket(
        &self,
        space: &SpaceId,
        content_type: String,
        bytes: Bytes,
        progress: Option<Progress>,
    ) -> ClientResult<String> {
        let intent = UploadIntent {
            content_type,
            size: bytes.len() as u64,
            sha256: sha256_hex(&bytes),
        };
        let ticket = self.begin_upload(space, intent).await?;
        self.upload(&ticket, bytes, progress).await?;
        Ok(ticket.upload)
    }

    /// Uploads a new document the presigned way: the SHA-256 is computed,
    /// a ticket asked for, the bytes sent where it says (progress reported),
    /// and the upload filed.
    pub async fn upload_new_document(
        &self,
        space: &SpaceId,
        input: NewDocument,
        progress: Option<Progress>,
    ) -> ClientResult<Document> {
        let bytes = Bytes::from(input.bytes);
        let upload = self
            .send_with_ticket(space, input.content_type, bytes, progress)
            .await?;
        let filed = NewUploadedDocument {
            title: input.title,
            description: input.description,
            tags: input.tags,
            upload,
        };
        self.add_uploaded_document(space, filed).await
    }

    /// Uploads a document's new version the presigned way;
    /// `expected_version` is the document's version read.
    pub async fn upload_new_version(
        &self,
        id: &DocumentId,
        input: NewVersion,
        expected_version: u64,
        progress: Option<Progress>,
    ) -> ClientResult<Document> {
        let space = self.get_document(id).await?.space;
        let bytes = Bytes::from(input.bytes);
        let upload = self
            .send_with_ticket(&space, input.content_type, bytes, progress)
            .await?;
        let filed = UploadedVersion {
            upload,
            note: input.note,
        };
        self.add_uploaded_version(id, filed, expected_version).await
    }

    /// A version's bytes (the latest when `number` is `None`), fetched
    /// where the API says, with progress reported, and checked against the
    /// size and SHA-256 recorded for them ([`ClientError::Integrity`] when
    /// they differ).
    pub async fn download_document(
        &self,
        id: &DocumentId,
        number: Option<u32>,
        progress: Option<Progress>,
    ) -> ClientResult<Download> {
        let link = self.document_download_link(id, number).await?;
        let (url, headers) = match &link.get {
            Some(get) => (get.url.clone(), get.headers.clone()),
            None => (
                format!("/documents/{id}/content?version={}", link.version.number),
                Default::default(),
            ),
        };
        let (answer_headers, bytes) = self.download_signed(&url, &headers, progress).await?;
        if bytes.len() as u64 != link.version.size {
            return Err(ClientError::Integrity {
                reason: format!("{} bytes, {} expected", bytes.len(), link.version.size),
            });
        }
        let digest = sha256_hex(&bytes);
        if digest != link.version.sha256 {
            return Err(ClientError::Integrity {
                reason: format!("sha-256 {digest}, {} expected", link.version.sha256),
            });
        }
        let filename = answer_headers
            .get(reqwest::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split("filename=\"").nth(1))
            .and_then(|v| v.split('"').next())
            .map(str::to_owned)
            .unwrap_or_else(|| format!("document-v{}", link.version.number));
        Ok(Download {
            version: link.version,
            filename,
            bytes: bytes.to_vec(),
        })
    }
}
