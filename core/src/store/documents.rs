//! The document library: documents and their immutable versions.
//!
//! The reads ([`DocumentStore`]) and the writes ([`DocumentOp`]) of one
//! family of records; every store implements them in a file of the same name.

use async_trait::async_trait;
use jiff::Timestamp;

use super::{Chunk, Expect, ItemKey, Op, Range, StoreError};
use crate::ids::{DocumentId, SpaceId};
use crate::model::{BlobPurge, Document, DocumentVersion};

/// The document library.
#[async_trait]
pub trait DocumentStore: Send + Sync {
    /// One document.
    async fn get_document(&self, id: &DocumentId) -> Result<Option<Document>, StoreError>;
    /// A space's documents that are not deleted, most recently updated first
    /// (then newest id first).
    async fn list_documents(
        &self,
        space: &SpaceId,
        range: &Range,
    ) -> Result<Chunk<Document>, StoreError>;
    /// One version of a document.
    async fn get_document_version(
        &self,
        document: &DocumentId,
        number: u32,
    ) -> Result<Option<DocumentVersion>, StoreError>;
    /// A document's versions, oldest first.
    async fn list_document_versions(
        &self,
        document: &DocumentId,
        range: &Range,
    ) -> Result<Chunk<DocumentVersion>, StoreError>;
    /// Purges due at `now` or before, oldest first, at most `limit`.
    async fn purges_due(&self, now: Timestamp, limit: u32) -> Result<Vec<BlobPurge>, StoreError>;
}

/// The writes to this family, each inside a [`Transaction`](super::Transaction)
/// (see [`Op`]).
#[derive(Debug, Clone, PartialEq)]
pub enum DocumentOp {
    /// Create or replace a document record.
    PutDocument {
        /// The new record.
        document: Document,
        /// Its expected current state.
        expect: Expect,
    },
    /// Add an immutable document version (`AlreadyExists` if the number is taken).
    AddDocumentVersion {
        /// The version.
        version: DocumentVersion,
    },
    /// Replace a stored version with its anonymised copy (erasure: the
    /// uploader is [`UserId::former_member`]). `VersionMismatch` if the
    /// version is not stored.
    AnonymiseVersion {
        /// The anonymised version (same document and number).
        version: DocumentVersion,
    },
    /// Queue a removed document's bytes for purging (replacing an earlier
    /// entry of the same due time).
    SchedulePurge {
        /// What, and when.
        purge: BlobPurge,
    },
    /// Take a done purge off the queue (nothing happens when absent).
    ForgetPurge {
        /// The entry.
        purge: BlobPurge,
    },
}

impl DocumentOp {
    /// The items this operation writes.
    pub fn items(&self) -> Vec<ItemKey> {
        match self {
            DocumentOp::PutDocument { document, .. } => vec![ItemKey::Document(document.id)],
            DocumentOp::AddDocumentVersion { version } => {
                vec![ItemKey::DocumentVersion(version.document, version.number)]
            }
            DocumentOp::AnonymiseVersion { version } => {
                vec![ItemKey::DocumentVersion(version.document, version.number)]
            }
            DocumentOp::SchedulePurge { purge } | DocumentOp::ForgetPurge { purge } => {
                vec![ItemKey::Purge(purge.document)]
            }
        }
    }
}

impl From<DocumentOp> for Op {
    fn from(op: DocumentOp) -> Op {
        Op::Document(op)
    }
}
