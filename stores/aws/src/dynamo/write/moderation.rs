//! Planning the writes of [`ModerationOp`]: the items each operation puts,
//! updates or deletes, with their conditions.

use copkit_core::store::{Expect, ModerationOp, StoreError};

use super::Parts;
use crate::dynamo::DynamoStore;
use crate::dynamo::codec::{encode, set_index};
use crate::dynamo::keys::{self};
use crate::dynamo::table::GSI1;

impl DynamoStore {
    /// The written items of `op`.
    pub(super) fn plan_moderation(
        &self,
        op: &ModerationOp,
        parts: &mut Parts,
    ) -> Result<(), StoreError> {
        match op {
            ModerationOp::PutReport { report, expect } => {
                let mut item = encode(report, &keys::report(&report.community, &report.id))?;
                set_index(
                    &mut item,
                    GSI1,
                    keys::report_queue(&report.community, report.status),
                    report.id.to_string(),
                );
                parts.put_expecting(self, item, *expect)?;
            }
            ModerationOp::RecordModeration { entry } => {
                let key = keys::moderation_entry(&entry.community, &entry.id);
                parts.put_expecting(self, encode(entry, &key)?, Expect::Absent)?;
            }
        }
        Ok(())
    }
}
