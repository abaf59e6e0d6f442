use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{CommunityId, DocumentId, SpaceId, UserId};
use crate::model::Hidden;

/// A document in a space's library. Its bytes live in a blob store, one
/// blob per immutable version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Document {
    /// Its id.
    pub id: DocumentId,
    /// The space whose library holds it.
    pub space: SpaceId,
    /// The space's community.
    pub community: CommunityId,
    /// Its title (3–200 characters).
    pub title: String,
    /// What it is (up to 2,000 characters).
    pub description: String,
    /// Tags, lower-case.
    pub tags: Vec<String>,
    /// The current version's content type.
    pub content_type: String,
    /// The current version's size in bytes.
    pub size: u64,
    /// The current version's SHA-256, lower-case hex.
    pub sha256: String,
    /// The current version's number (1, 2, ...).
    pub current_version: u32,
    /// Who added it.
    pub created_by: UserId,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// When its metadata or version last changed.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    /// When it was deleted (the versions' bytes are kept for the record).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub deleted_at: Option<Timestamp>,
    /// Set while a moderator hides it: only moderators and its uploader
    /// then see it (it is left out of the library for everyone else).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub hidden: Option<Hidden>,
    /// Optimistic-concurrency version of the record.
    pub version: u64,
}

/// One immutable version of a document's bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DocumentVersion {
    /// The document.
    pub document: DocumentId,
    /// Its number (1, 2, ...).
    pub number: u32,
    /// Content type.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// Where the bytes are in the blob store.
    pub blob_key: String,
    /// Who uploaded it.
    pub uploaded_by: UserId,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub uploaded_at: Timestamp,
    /// What changed (up to 500 characters).
    pub note: String,
}

/// A removed document whose bytes are to be purged once `due_at` passes
/// (the grace window after a deletion or a moderator's removal): every
/// version's bytes, and in stores that keep object versions, all of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobPurge {
    /// The document.
    pub document: DocumentId,
    /// When its bytes go.
    pub due_at: Timestamp,
}
