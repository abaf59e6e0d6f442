//! Documents in memory: the tables, the checks and effects of
//! [`DocumentOp`], and the reads.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use async_trait::async_trait;
use jiff::Timestamp;

use super::{HashMap, MemoryStore, check_expect, chunk_of, newest_first};
use crate::ids::{DocumentId, SpaceId};
use crate::model::{BlobPurge, Document, DocumentVersion};
use crate::store::{Chunk, ConditionFailure, DocumentOp, DocumentStore, Range, StoreError};

/// The documents tables.
#[derive(Debug, Default)]
pub(super) struct Tables {
    pub(super) documents: HashMap<DocumentId, Document>,
    pub(super) space_documents: BTreeSet<(SpaceId, DocumentId)>,
    pub(super) document_versions: BTreeMap<(DocumentId, u32), DocumentVersion>,
    /// Purges queued, by due time.
    pub(super) purges: BTreeSet<(Timestamp, DocumentId)>,
}

impl Tables {
    /// Whether `op` may be applied now.
    pub(super) fn check(&self, op: &DocumentOp) -> Result<(), ConditionFailure> {
        match op {
            DocumentOp::PutDocument { document, expect } => {
                check_expect(self.documents.get(&document.id).map(|d| d.version), *expect)
            }
            DocumentOp::AddDocumentVersion { version } => {
                if self
                    .document_versions
                    .contains_key(&(version.document, version.number))
                {
                    Err(ConditionFailure::AlreadyExists)
                } else {
                    Ok(())
                }
            }
            DocumentOp::AnonymiseVersion { version } => {
                if self
                    .document_versions
                    .contains_key(&(version.document, version.number))
                {
                    Ok(())
                } else {
                    Err(ConditionFailure::VersionMismatch)
                }
            }
            DocumentOp::SchedulePurge { .. } | DocumentOp::ForgetPurge { .. } => Ok(()),
        }
    }

    /// Applies `op` (checked already).
    pub(super) fn apply(&mut self, op: DocumentOp) {
        match op {
            DocumentOp::PutDocument { document, .. } => {
                self.space_documents.insert((document.space, document.id));
                self.documents.insert(document.id, document);
            }
            DocumentOp::AddDocumentVersion { version } => {
                self.document_versions
                    .insert((version.document, version.number), version);
            }
            DocumentOp::AnonymiseVersion { version } => {
                self.document_versions
                    .insert((version.document, version.number), version);
            }
            DocumentOp::SchedulePurge { purge } => {
                self.purges.insert((purge.due_at, purge.document));
            }
            DocumentOp::ForgetPurge { purge } => {
                self.purges.remove(&(purge.due_at, purge.document));
            }
        }
    }
}

#[async_trait]
impl DocumentStore for MemoryStore {
    async fn get_document(&self, id: &DocumentId) -> Result<Option<Document>, StoreError> {
        Ok(self.lock().documents.documents.get(id).cloned())
    }

    async fn list_documents(
        &self,
        space: &SpaceId,
        range: &Range,
    ) -> Result<Chunk<Document>, StoreError> {
        let state = self.lock();
        let docs = state
            .documents
            .space_documents
            .range(
                (*space, DocumentId(ulid::Ulid(0)))..=(*space, DocumentId(ulid::Ulid(u128::MAX))),
            )
            .filter_map(|(_, id)| state.documents.documents.get(id))
            .filter(|d| d.deleted_at.is_none());
        newest_first(docs, |d| (d.updated_at, d.id), range)
    }

    async fn get_document_version(
        &self,
        document: &DocumentId,
        number: u32,
    ) -> Result<Option<DocumentVersion>, StoreError> {
        Ok(self
            .lock()
            .documents
            .document_versions
            .get(&(*document, number))
            .cloned())
    }

    async fn list_document_versions(
        &self,
        document: &DocumentId,
        range: &Range,
    ) -> Result<Chunk<DocumentVersion>, StoreError> {
        let after = range
            .after
            .as_deref()
            .map(|p| p.parse::<u32>().map_err(|_| StoreError::InvalidPosition))
            .transpose()?;
        let start = match after {
            Some(n) => Bound::Excluded((*document, n)),
            None => Bound::Included((*document, 0)),
        };
        let state = self.lock();
        let items = state
            .documents
            .document_versions
            .range((start, Bound::Included((*document, u32::MAX))))
            .map(|(_, v)| v.clone());
        Ok(chunk_of(items, range.limit, |v| v.number.to_string()))
    }

    async fn purges_due(&self, now: Timestamp, limit: u32) -> Result<Vec<BlobPurge>, StoreError> {
        let state = self.lock();
        Ok(state
            .documents
            .purges
            .iter()
            .take_while(|(due, _)| *due <= now)
            .take(limit as usize)
            .map(|(due_at, document)| BlobPurge {
                document: *document,
                due_at: *due_at,
            })
            .collect())
    }
}
