//! Planning the writes of [`DocumentOp`]: the items each operation puts,
//! updates or deletes, with their conditions.

use copkit_core::model::Document;
use copkit_core::store::{ConditionFailure, DocumentOp, StoreError};

use super::{Expr, Parts, absent, exists, fixed};
use crate::dynamo::DynamoStore;
use crate::dynamo::codec::{Item, encode, set_index};
use crate::dynamo::keys::{self};
use crate::dynamo::table::GSI2;

impl DynamoStore {
    /// The written items of `op`.
    pub(super) fn plan_documents(
        &self,
        op: &DocumentOp,
        parts: &mut Parts,
    ) -> Result<(), StoreError> {
        match op {
            DocumentOp::PutDocument { document, expect } => {
                parts.put_expecting(self, document_item(document)?, *expect)?;
            }
            DocumentOp::AddDocumentVersion { version } => {
                let key = keys::document_version(&version.document, version.number);
                let mut e = Expr::default();
                let condition = absent(&mut e);
                parts.add(
                    self.put(encode(version, &key)?, &[condition], e)?,
                    fixed(ConditionFailure::AlreadyExists),
                );
            }
            DocumentOp::AnonymiseVersion { version } => {
                let key = keys::document_version(&version.document, version.number);
                let mut e = Expr::default();
                let condition = exists(&mut e);
                parts.add(
                    self.put(encode(version, &key)?, &[condition], e)?,
                    fixed(ConditionFailure::VersionMismatch),
                );
            }
            DocumentOp::SchedulePurge { purge } => {
                parts.add(
                    self.put(encode(purge, &keys::purge(purge))?, &[], Expr::default())?,
                    fixed(ConditionFailure::VersionMismatch),
                );
            }
            DocumentOp::ForgetPurge { purge } => parts.forget(self, &keys::purge(purge))?,
        }
        Ok(())
    }
}

fn document_item(d: &Document) -> Result<Item, StoreError> {
    let mut item = encode(d, &keys::document(&d.id))?;
    if d.deleted_at.is_none() {
        set_index(
            &mut item,
            GSI2,
            keys::space_documents(&d.space),
            keys::time_sort(d.updated_at, d.id),
        );
    }
    Ok(item)
}
