//! Documents, their versions and the purge queue of removed ones' bytes,
//! in SQLite. The same rules as the memory store's `documents.rs`.
//!
//! | record | key | also listed under |
//! |---|---|---|
//! | document | `DOC#id` / `META` | index 1 (not deleted): `DOCS␟space` / `updated ms␟id` |
//! | version | `DOC#document` / `V#number` (10 digits) | — |
//! | purge | `PURGES` / `due (ns, fixed width)␟document` | — |

use copkit_core::DocumentId;
use copkit_core::SpaceId;
use copkit_core::model::{BlobPurge, Document, DocumentVersion};
use copkit_core::store::{Chunk, ConditionFailure, DocumentOp, Range, StoreError};
use jiff::Timestamp;
use rusqlite::Connection;

use super::{check_expect, time_key};
use crate::items::{self, Index, Key, Listed, Order, SEP, Source};

fn document_key(id: &DocumentId) -> Key {
    Key::new(format!("DOC#{id}"), "META")
}

fn version_key(document: &DocumentId, number: u32) -> Key {
    Key::new(format!("DOC#{document}"), format!("V#{number:010}"))
}

const PURGES: &str = "PURGES";

fn purge_key(purge: &BlobPurge) -> Key {
    Key::new(
        PURGES,
        format!("{}{SEP}{}", time_key(purge.due_at), purge.document),
    )
}

fn documents_of(space: &SpaceId) -> String {
    format!("DOCS{SEP}{space}")
}

fn document_listing(d: &Document) -> Listed {
    if d.deleted_at.is_none() {
        Listed::nowhere().on(
            Index::One,
            documents_of(&d.space),
            format!("{:020}{SEP}{}", d.updated_at.as_millisecond(), d.id),
        )
    } else {
        Listed::nowhere()
    }
}

/// Whether `op` may be applied now.
pub(crate) fn check(
    conn: &Connection,
    op: &DocumentOp,
) -> Result<Result<(), ConditionFailure>, StoreError> {
    Ok(match op {
        DocumentOp::PutDocument { document, expect } => check_expect(
            get_document(conn, &document.id)?.map(|d| d.version),
            *expect,
        ),
        DocumentOp::AddDocumentVersion { version } => {
            if get_document_version(conn, &version.document, version.number)?.is_some() {
                Err(ConditionFailure::AlreadyExists)
            } else {
                Ok(())
            }
        }
        DocumentOp::AnonymiseVersion { version } => {
            if get_document_version(conn, &version.document, version.number)?.is_some() {
                Ok(())
            } else {
                Err(ConditionFailure::VersionMismatch)
            }
        }
        DocumentOp::SchedulePurge { .. } | DocumentOp::ForgetPurge { .. } => Ok(()),
    })
}

/// Applies `op` (checked already).
pub(crate) fn apply(conn: &Connection, op: DocumentOp) -> Result<(), StoreError> {
    match op {
        DocumentOp::PutDocument { document, .. } => items::put(
            conn,
            &document_key(&document.id),
            &document,
            &document_listing(&document),
        ),
        DocumentOp::AddDocumentVersion { version } | DocumentOp::AnonymiseVersion { version } => {
            items::put(
                conn,
                &version_key(&version.document, version.number),
                &version,
                &Listed::nowhere(),
            )
        }
        DocumentOp::SchedulePurge { purge } => {
            items::put(conn, &purge_key(&purge), &purge, &Listed::nowhere())
        }
        DocumentOp::ForgetPurge { purge } => items::delete(conn, &purge_key(&purge)),
    }
}

/// One document.
pub(crate) fn get_document(
    conn: &Connection,
    id: &DocumentId,
) -> Result<Option<Document>, StoreError> {
    items::get(conn, &document_key(id))
}

/// A space's documents not deleted, most recently updated first.
pub(crate) fn list_documents(
    conn: &Connection,
    space: &SpaceId,
    range: &Range,
) -> Result<Chunk<Document>, StoreError> {
    if let Some(p) = &range.after {
        let (ms, id) = p.split_once(SEP).ok_or(StoreError::InvalidPosition)?;
        ms.parse::<i64>().map_err(|_| StoreError::InvalidPosition)?;
        id.parse::<DocumentId>()
            .map_err(|_| StoreError::InvalidPosition)?;
    }
    items::chunk(
        conn,
        Source::Index {
            index: Index::One,
            pk: &documents_of(space),
            prefix: "",
        },
        Order::Descending,
        range,
        |_: &Document| true,
    )
}

/// One version of a document.
pub(crate) fn get_document_version(
    conn: &Connection,
    document: &DocumentId,
    number: u32,
) -> Result<Option<DocumentVersion>, StoreError> {
    items::get(conn, &version_key(document, number))
}

/// A document's versions, oldest first.
pub(crate) fn list_document_versions(
    conn: &Connection,
    document: &DocumentId,
    range: &Range,
) -> Result<Chunk<DocumentVersion>, StoreError> {
    if let Some(p) = &range.after {
        p.strip_prefix("V#")
            .and_then(|n| n.parse::<u32>().ok())
            .ok_or(StoreError::InvalidPosition)?;
    }
    items::chunk(
        conn,
        Source::Partition {
            pk: &format!("DOC#{document}"),
            prefix: "V#",
        },
        Order::Ascending,
        range,
        |_: &DocumentVersion| true,
    )
}

/// Up to `limit` purges due at `now`, earliest first.
pub(crate) fn purges_due(
    conn: &Connection,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<BlobPurge>, StoreError> {
    items::due(
        conn,
        Source::Partition {
            pk: PURGES,
            prefix: "",
        },
        limit as usize,
        |purge: &BlobPurge| purge.due_at <= now,
    )
}
