//! Planning the writes of [`EventOp`]: the items each operation puts,
//! updates or deletes, with their conditions.

use copkit_core::model::{Event, RsvpTally};
use copkit_core::store::{ConditionFailure, EventOp, StoreError, rules};

use super::{Expr, OnFail, Parts, fixed};
use crate::dynamo::DynamoStore;
use crate::dynamo::codec::{Item, encode, n, set_index};
use crate::dynamo::keys::{self};
use crate::dynamo::table::GSI1;

impl DynamoStore {
    /// The written items of `op`.
    pub(super) fn plan_events(&self, op: &EventOp, parts: &mut Parts) -> Result<(), StoreError> {
        match op {
            EventOp::PutEvent { event, expect } => {
                parts.put_expecting(self, event_item(event)?, *expect)?;
            }
            EventOp::PutRsvp { rsvp, expect } => {
                let key = keys::rsvp(&rsvp.event, &rsvp.occurrence, &rsvp.user);
                parts.put_expecting(self, encode(rsvp, &key)?, *expect)?;
            }
            EventOp::AdjustRsvpTally {
                event,
                occurrence,
                going,
                maybe,
                declined,
                capacity,
            } => {
                let key = keys::tally(event, occurrence);
                // More going than there is room for fails whatever is stored.
                rules::adjust_rsvp_tally(RsvpTally::default(), (*going).max(0), 0, 0, *capacity)
                    .map_err(|failure| StoreError::Condition {
                        op: parts.op,
                        failure,
                    })?;
                let mut e = Expr::default();
                let zero = e.value(n(0));
                let mut set = Vec::new();
                let mut conditions = Vec::new();
                for (field, change) in [
                    ("going", *going),
                    ("maybe", *maybe),
                    ("declined", *declined),
                ] {
                    let path = e.name(field);
                    set.push(format!(
                        "{path} = if_not_exists({path}, {zero}) + {}",
                        e.value(n(change))
                    ));
                    if change < 0 {
                        conditions.push(format!("{path} >= {}", e.value(n(-change))));
                    }
                }
                if let Some(cap) = capacity
                    && *going > 0
                {
                    let path = e.name("going");
                    let room = i64::from(*cap) - going;
                    conditions.push(format!(
                        "(attribute_not_exists({path}) OR {path} <= {})",
                        e.value(n(room))
                    ));
                }
                parts.add(
                    self.update(&key, &set, &[], &conditions, e)?,
                    OnFail::RsvpTally {
                        key: key.clone(),
                        going: *going,
                        maybe: *maybe,
                        declined: *declined,
                        capacity: *capacity,
                    },
                );
            }
            EventOp::PutAttendance { attendance } => {
                let key =
                    keys::attendance(&attendance.event, &attendance.occurrence, &attendance.user);
                let mut item = encode(attendance, &key)?;
                set_index(
                    &mut item,
                    GSI1,
                    keys::user_attendance(&attendance.user),
                    keys::user_attendance_sort(
                        attendance.recorded_at,
                        &attendance.event,
                        &attendance.occurrence,
                    ),
                );
                parts.add(
                    self.put(item, &[], Expr::default())?,
                    fixed(ConditionFailure::VersionMismatch),
                );
            }
            EventOp::ForgetAttendance {
                event,
                occurrence,
                user,
            } => parts.forget(self, &keys::attendance(event, occurrence, user))?,
            EventOp::ForgetRsvp {
                event,
                occurrence,
                user,
            } => parts.forget(self, &keys::rsvp(event, occurrence, user))?,
        }
        Ok(())
    }
}

fn event_item(ev: &Event) -> Result<Item, StoreError> {
    let mut item = encode(ev, &keys::event(&ev.id))?;
    set_index(
        &mut item,
        GSI1,
        keys::community_events(&ev.community),
        ev.id.to_string(),
    );
    Ok(item)
}
