//! Uploads in two steps, for bytes that should not travel inside one API
//! request (large files, and every file on AWS Lambda, whose requests are
//! limited to 6 MB).
//!
//! 1. [`Copkit::begin_upload`] checks the caller may add to the space and
//!    the declared type, size and SHA-256, and returns an [`UploadTicket`]:
//!    a signed upload token and, when the blob store can sign requests (S3),
//!    a presigned `PUT` that accepts exactly those bytes.
//! 2. The client sends the bytes: to the presigned URL, or through the API
//!    ([`Copkit::receive_upload`], streamed into the blob store).
//! 3. [`Copkit::add_uploaded_document`] or [`Copkit::add_uploaded_version`]
//!    checks the stored bytes against the ticket and files them.
//!
//! The token is signed with the deployment's cursor key and bound to the
//! caller, so nothing about an upload needs storing before it is used, and
//! one person's token is worth nothing to another. Downloads work the same
//! way round: [`Copkit::document_download_link`].

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::blob::{ByteSource, SNIFF_LEN, SignedRequest, content_matches, sha256_hex};
use crate::error::{Conflict, Error, FieldError, Result};
use crate::ids::{DocumentId, SpaceId};
use crate::model::{Cursor, Document, DocumentVersion};
use crate::policy::SpaceAction;
use crate::service::documents::{BlobBytes, Content, DocumentFields};
use crate::service::{Actor, Copkit, check_version};
use crate::store::StoreError;
use crate::validate::Checker;
use crate::validate::limits;

/// How long an upload ticket lasts.
pub const UPLOAD_TTL: SignedDuration = SignedDuration::from_mins(15);
/// How long a download link lasts.
pub const DOWNLOAD_TTL: SignedDuration = SignedDuration::from_mins(5);

/// The bytes a client is about to upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct UploadIntent {
    /// Content type (must be on the library's allow-list).
    #[cfg_attr(feature = "openapi", schema(format = "copkit:content-type"))]
    pub content_type: String,
    /// Size in bytes (at most the library's limit, 50 MB by default).
    #[serde(deserialize_with = "crate::json::whole_u64")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 52428800))]
    pub size: u64,
    /// SHA-256 of the bytes, lower-case hex.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9a-f]{64}$"))]
    pub sha256: String,
}

/// Permission to upload one set of bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct UploadTicket {
    /// The upload token: name it when filing the upload.
    pub upload: String,
    /// When the token (and any presigned request) stops working.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: Timestamp,
    /// The request that sends the bytes straight to storage; `None` when
    /// they go through the API's upload endpoint.
    pub put: Option<SignedRequest>,
}

/// A document whose bytes were uploaded with a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewUploadedDocument {
    /// Title, 3–200 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:line", min_length = 3, max_length = 200)
    )]
    pub title: String,
    /// Description, up to 2,000 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = "copkit:text", max_length = 2000))]
    pub description: String,
    /// Up to 10 tags.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:items-tag", max_items = 10)
    )]
    pub tags: Vec<String>,
    /// The upload token from the ticket.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:token", max_length = 2000)
    )]
    pub upload: String,
}

/// A new version whose bytes were uploaded with a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct UploadedVersion {
    /// The upload token from the ticket.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:token", max_length = 2000)
    )]
    pub upload: String,
    /// What changed, up to 500 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = "copkit:text", max_length = 500))]
    pub note: String,
}

/// Where to fetch a version's bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DownloadLink {
    /// The version (its size and SHA-256 let the client check the bytes).
    pub version: DocumentVersion,
    /// The request that fetches the bytes straight from storage; `None` when
    /// they come through the API's content endpoint.
    pub get: Option<SignedRequest>,
    /// When `get` stops working.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub expires_at: Option<Timestamp>,
}

/// What an upload token promises, signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct UploadClaim {
    pub space: SpaceId,
    pub key: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub expires: i64,
}

fn token_scope(actor: &Actor) -> String {
    format!("upload|{}", actor.user)
}

fn std_duration(d: SignedDuration) -> Duration {
    d.unsigned_abs()
}

/// Counts and hashes bytes on their way into the blob store, stopping a
/// source that runs past the size it declared.
struct Metered<'a> {
    inner: &'a mut dyn ByteSource,
    hasher: sha2::Sha256,
    count: u64,
    limit: u64,
    overflowed: bool,
}

#[async_trait::async_trait]
impl ByteSource for Metered<'_> {
    async fn next_chunk(&mut self) -> std::result::Result<Option<Vec<u8>>, StoreError> {
        use sha2::Digest;
        let chunk = self.inner.next_chunk().await?;
        if let Some(bytes) = &chunk {
            self.count += bytes.len() as u64;
            if self.count > self.limit {
                self.overflowed = true;
                return Err(StoreError::Internal("upload larger than declared".into()));
            }
            self.hasher.update(bytes);
        }
        Ok(chunk)
    }
}

impl Copkit {
    /// Checks an upload is allowed and returns its ticket.
    pub async fn begin_upload(
        &self,
        actor: &Actor,
        space: &SpaceId,
        intent: UploadIntent,
    ) -> Result<UploadTicket> {
        self.authorize_space(actor, space, SpaceAction::Contribute)
            .await?;
        let mut check = Checker::new();
        let content_type = self.check_content_type(&mut check, &intent.content_type);
        self.check_size(&mut check, "size", intent.size);
        let sha256 = intent.sha256;
        if sha256.len() != 64
            || !sha256
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            check.fail("sha256", "invalid_sha256", "64 hexadecimal characters");
        }
        check.finish()?;

        let now = self.now();
        let expires_at = now
            .checked_add(UPLOAD_TTL)
            .map_err(|e| Error::Internal(e.to_string()))?;
        let key = format!("uploads/{}", self.new_ulid(now));
        let claim = UploadClaim {
            space: *space,
            key: key.clone(),
            content_type: content_type.clone(),
            size: intent.size,
            sha256: sha256.clone(),
            expires: expires_at.as_second(),
        };
        let position = serde_json::to_string(&claim).map_err(|e| Error::Internal(e.to_string()))?;
        let upload = self.cursors.encode(&token_scope(actor), &position)?.0;
        let put = self
            .blobs()
            .presign_put(
                &key,
                &content_type,
                intent.size,
                &sha256,
                std_duration(UPLOAD_TTL),
            )
            .await?;
        Ok(UploadTicket {
            upload,
            expires_at,
            put,
        })
    }

    /// What a token promises, if it is this caller's and still valid.
    /// Anything else is `NotFound`: a token is a capability, and one that
    /// does not work is no upload at all.
    fn upload_claim(&self, actor: &Actor, token: &str) -> Result<UploadClaim> {
        let position = self
            .cursors
            .decode(&token_scope(actor), &Cursor(token.to_owned()))
            .map_err(|_| Error::NotFound)?;
        let claim: UploadClaim = serde_json::from_str(&position).map_err(|_| Error::NotFound)?;
        if self.now().as_second() >= claim.expires {
            return Err(Error::NotFound);
        }
        Ok(claim)
    }

    /// Receives an upload's bytes through the API, streaming them into the
    /// blob store. Bytes that do not match the ticket are dropped.
    pub async fn receive_upload(
        &self,
        actor: &Actor,
        token: &str,
        source: &mut dyn ByteSource,
    ) -> Result<()> {
        use sha2::Digest;
        let claim = self.upload_claim(actor, token)?;
        self.authorize_space(actor, &claim.space, SpaceAction::Contribute)
            .await?;
        let mut metered = Metered {
            inner: source,
            hasher: sha2::Sha256::new(),
            count: 0,
            limit: claim.size,
            overflowed: false,
        };
        let stored = self
            .blobs()
            .put_stream(&claim.key, &mut metered, &claim.content_type)
            .await;
        let mismatch = if metered.overflowed || (stored.is_ok() && metered.count != claim.size) {
            Some(FieldError::new(
                "bytes",
                "size_mismatch",
                format!("the ticket is for {} bytes", claim.size),
            ))
        } else if stored.is_ok() && hex::encode(metered.hasher.finalize()) != claim.sha256 {
            Some(FieldError::new(
                "bytes",
                "checksum_mismatch",
                "the bytes do not match the ticket's SHA-256",
            ))
        } else {
            None
        };
        if let Some(error) = mismatch {
            let _ = self.blobs().delete(&claim.key).await;
            return Err(Error::Invalid(vec![error]));
        }
        stored.map_err(Error::from)
    }

    /// The claim of an upload whose bytes arrived as promised; bytes that
    /// did not are dropped.
    async fn arrived(&self, claim: &UploadClaim) -> Result<()> {
        let info = self
            .blobs()
            .head(&claim.key)
            .await?
            .ok_or(Error::Conflict(Conflict::UploadMissing))?;
        let sha256 = match info.sha256 {
            Some(sha) => sha,
            None => {
                let bytes = self
                    .blobs()
                    .get(&claim.key)
                    .await?
                    .ok_or(Error::Conflict(Conflict::UploadMissing))?;
                sha256_hex(&bytes)
            }
        };
        if info.size != claim.size || sha256 != claim.sha256 {
            let _ = self.blobs().delete(&claim.key).await;
            return Err(Error::Conflict(Conflict::UploadMissing));
        }
        let head = self
            .blobs()
            .get_prefix(&claim.key, SNIFF_LEN)
            .await?
            .unwrap_or_default();
        if !content_matches(&claim.content_type, &head) {
            let _ = self.blobs().delete(&claim.key).await;
            return Err(Error::invalid(
                "content_type",
                "content_mismatch",
                format!("the bytes are not {}", claim.content_type),
            ));
        }
        Ok(())
    }

    fn uploaded_content(claim: &UploadClaim) -> Content {
        Content {
            content_type: claim.content_type.clone(),
            size: claim.size,
            sha256: claim.sha256.clone(),
            bytes: BlobBytes::Uploaded(claim.key.clone()),
        }
    }

    /// Files an upload as a new document in the space it was meant for.
    pub async fn add_uploaded_document(
        &self,
        actor: &Actor,
        space: &SpaceId,
        input: NewUploadedDocument,
    ) -> Result<Document> {
        let access = self
            .authorize_space(actor, space, SpaceAction::Contribute)
            .await?;
        let mut check = Checker::new();
        let fields =
            DocumentFields::check(&mut check, &input.title, &input.description, &input.tags);
        check.finish()?;
        let claim = self.upload_claim(actor, &input.upload)?;
        if claim.space != *space {
            return Err(Error::NotFound);
        }
        self.arrived(&claim).await?;
        self.create_document(actor, &access, fields, Self::uploaded_content(&claim))
            .await
    }

    /// Files an upload as a document's new version (creator or moderator,
    /// with the document's version read).
    pub async fn add_uploaded_version(
        &self,
        actor: &Actor,
        id: &DocumentId,
        input: UploadedVersion,
        expected_version: u64,
    ) -> Result<Document> {
        let (old, access) = self.document_access(actor, id).await?;
        self.may_change(actor, &access, &old.created_by, true)?;
        access.require(actor, SpaceAction::Contribute)?;
        check_version(old.version, expected_version)?;
        let mut check = Checker::new();
        let note = check.text("note", &input.note, 0, limits::VERSION_NOTE_MAX);
        check.finish()?;
        let claim = self.upload_claim(actor, &input.upload)?;
        if claim.space != old.space {
            return Err(Error::NotFound);
        }
        self.arrived(&claim).await?;
        self.create_version(actor, &access, old, note, Self::uploaded_content(&claim))
            .await
    }

    /// Where to fetch a version's bytes (the current one when `number` is
    /// `None`): a presigned request when the blob store signs them.
    pub async fn document_download_link(
        &self,
        actor: &Actor,
        id: &DocumentId,
        number: Option<u32>,
    ) -> Result<DownloadLink> {
        let (doc, version) = self.document_version_access(actor, id, number).await?;
        let filename = download_filename(&doc.title, version.number);
        let get = self
            .blobs()
            .presign_get(&version.blob_key, &filename, std_duration(DOWNLOAD_TTL))
            .await?;
        let expires_at = match get {
            Some(_) => Some(
                self.now()
                    .checked_add(DOWNLOAD_TTL)
                    .map_err(|e| Error::Internal(e.to_string()))?,
            ),
            None => None,
        };
        Ok(DownloadLink {
            version,
            get,
            expires_at,
        })
    }
}

/// A safe file name for a download: the title's letters, digits and
/// dashes, and the version.
pub fn download_filename(title: &str, number: u32) -> String {
    let mut name: String = title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    let name = name.trim_matches('-');
    let name = if name.is_empty() { "document" } else { name };
    format!("{}-v{number}", &name[..name.len().min(80)])
}

/// [`download_filename`] with the extension of `content_type` (none for a
/// type copkit does not know).
pub fn download_filename_with_extension(title: &str, number: u32, content_type: &str) -> String {
    let extension = match content_type {
        "application/pdf" => "pdf",
        "application/msword" => "doc",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.ms-excel" => "xls",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "application/vnd.ms-powerpoint" => "ppt",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => "pptx",
        "application/vnd.oasis.opendocument.text" => "odt",
        "text/plain" => "txt",
        "text/csv" => "csv",
        "text/markdown" => "md",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        _ => "",
    };
    let name = download_filename(title, number);
    if extension.is_empty() {
        name
    } else {
        format!("{name}.{extension}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_are_safe() {
        assert_eq!(
            download_filename("ST3 — case log (2026)", 2),
            "ST3-case-log-2026-v2"
        );
        assert_eq!(download_filename("!!!", 1), "document-v1");
    }
}
