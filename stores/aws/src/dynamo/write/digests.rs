//! Planning the writes of [`DigestOp`]: the items each operation puts,
//! updates or deletes, with their conditions.

use copkit_core::model::{DigestSchedule, Mail};
use copkit_core::store::{DigestOp, StoreError};

use super::Parts;
use crate::dynamo::DynamoStore;
use crate::dynamo::codec::{Item, encode, set_index};
use crate::dynamo::keys::{self};
use crate::dynamo::table::GSI3;

impl DynamoStore {
    /// The written items of `op`.
    pub(super) fn plan_digests(&self, op: &DigestOp, parts: &mut Parts) -> Result<(), StoreError> {
        match op {
            DigestOp::PutDigestSchedule { schedule, expect } => {
                parts.put_expecting(self, digest_schedule_item(schedule)?, *expect)?;
            }
            DigestOp::PutMail { mail, expect } => {
                parts.put_expecting(self, mail_item(mail)?, *expect)?;
            }
            DigestOp::ForgetMail { user, id } => parts.forget(self, &keys::mail(user, id))?,
            DigestOp::ForgetDigestSchedule { user } => {
                parts.forget(self, &keys::digest_schedule(user))?;
            }
        }
        Ok(())
    }
}

/// A mail, on the pending-mail index while it waits for an attempt.
fn mail_item(mail: &Mail) -> Result<Item, StoreError> {
    let mut item = encode(mail, &keys::mail(&mail.to, &mail.id))?;
    if let Some(at) = mail.due_at() {
        set_index(
            &mut item,
            GSI3,
            keys::mail_due_shard(&mail.to),
            keys::mail_due_sort(at, &mail.to, &mail.id),
        );
    }
    Ok(item)
}

fn digest_schedule_item(s: &DigestSchedule) -> Result<Item, StoreError> {
    let mut item = encode(s, &keys::digest_schedule(&s.user))?;
    if let Some(at) = s.next_due {
        set_index(
            &mut item,
            GSI3,
            keys::digest_shard(&s.user),
            keys::digest_sort(at, &s.user),
        );
    }
    Ok(item)
}
