//! Events in memory: the tables, the checks and effects of
//! [`EventOp`], and the reads.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use async_trait::async_trait;

use super::{HashMap, MemoryStore, SEP, check_expect, chunk_of, parse_ulid_position};
use crate::ids::{CommunityId, EventId, UserId};
use crate::model::{Attendance, Event, Rsvp, RsvpTally};
use crate::store::{Chunk, ConditionFailure, EventOp, EventStore, Range, StoreError, rules};

/// The events tables.
#[derive(Debug, Default)]
pub(super) struct Tables {
    pub(super) events: HashMap<EventId, Event>,
    pub(super) community_events: BTreeSet<(CommunityId, EventId)>,
    pub(super) rsvps: BTreeMap<(EventId, String, UserId), Rsvp>,
    pub(super) tallies: HashMap<(EventId, String), RsvpTally>,
    pub(super) attendance: BTreeMap<(EventId, String, UserId), Attendance>,
    /// Attendance by person and position (recorded time, event, occurrence).
    pub(super) user_attendance: BTreeMap<(UserId, String), (EventId, String)>,
}

impl Tables {
    /// Whether `op` may be applied now.
    pub(super) fn check(&self, op: &EventOp) -> Result<(), ConditionFailure> {
        match op {
            EventOp::PutEvent { event, expect } => {
                check_expect(self.events.get(&event.id).map(|e| e.version), *expect)
            }
            EventOp::PutRsvp { rsvp, expect } => check_expect(
                self.rsvps
                    .get(&(rsvp.event, rsvp.occurrence.clone(), rsvp.user.clone()))
                    .map(|r| r.version),
                *expect,
            ),
            EventOp::AdjustRsvpTally {
                event,
                occurrence,
                going,
                maybe,
                declined,
                capacity,
            } => rules::adjust_rsvp_tally(
                self.tallies
                    .get(&(*event, occurrence.clone()))
                    .copied()
                    .unwrap_or_default(),
                *going,
                *maybe,
                *declined,
                *capacity,
            )
            .map(drop),
            EventOp::PutAttendance { .. } => Ok(()),
            EventOp::ForgetAttendance { .. } => Ok(()),
            EventOp::ForgetRsvp { .. } => Ok(()),
        }
    }

    /// Applies `op` (checked already).
    pub(super) fn apply(&mut self, op: EventOp) {
        match op {
            EventOp::PutEvent { event, .. } => {
                self.community_events.insert((event.community, event.id));
                self.events.insert(event.id, event);
            }
            EventOp::PutRsvp { rsvp, .. } => {
                self.rsvps.insert(
                    (rsvp.event, rsvp.occurrence.clone(), rsvp.user.clone()),
                    rsvp,
                );
            }
            EventOp::AdjustRsvpTally {
                event,
                occurrence,
                going,
                maybe,
                declined,
                ..
            } => {
                let entry = self.tallies.entry((event, occurrence)).or_default();
                if let Ok(next) = rules::adjust_rsvp_tally(*entry, going, maybe, declined, None) {
                    *entry = next;
                }
            }
            EventOp::PutAttendance { attendance } => {
                let key = (
                    attendance.event,
                    attendance.occurrence.clone(),
                    attendance.user.clone(),
                );
                if let Some(old) = self.attendance.get(&key) {
                    self.user_attendance
                        .remove(&(old.user.clone(), attendance_position(old)));
                }
                self.user_attendance.insert(
                    (attendance.user.clone(), attendance_position(&attendance)),
                    (attendance.event, attendance.occurrence.clone()),
                );
                self.attendance.insert(
                    (
                        attendance.event,
                        attendance.occurrence.clone(),
                        attendance.user.clone(),
                    ),
                    attendance,
                );
            }
            EventOp::ForgetAttendance {
                event,
                occurrence,
                user,
            } => {
                if let Some(old) = self.attendance.remove(&(event, occurrence, user)) {
                    self.user_attendance
                        .remove(&(old.user.clone(), attendance_position(&old)));
                }
            }
            EventOp::ForgetRsvp {
                event,
                occurrence,
                user,
            } => {
                self.rsvps.remove(&(event, occurrence, user));
            }
        }
    }
}

/// Where an attendance record sits in its person's list: recorded time,
/// event, occurrence.
fn attendance_position(a: &Attendance) -> String {
    format!(
        "{:020}{SEP}{}{SEP}{}",
        a.recorded_at.as_millisecond(),
        a.event,
        a.occurrence
    )
}

#[async_trait]
impl EventStore for MemoryStore {
    async fn get_event(&self, id: &EventId) -> Result<Option<Event>, StoreError> {
        Ok(self.lock().events.events.get(id).cloned())
    }

    async fn list_events(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Event>, StoreError> {
        let after: Option<EventId> = parse_ulid_position(&range.after)?;
        let start = match after {
            Some(e) => Bound::Excluded((*community, e)),
            None => Bound::Included((*community, EventId(ulid::Ulid(0)))),
        };
        let state = self.lock();
        let items = state
            .events
            .community_events
            .range((
                start,
                Bound::Included((*community, EventId(ulid::Ulid(u128::MAX)))),
            ))
            .filter_map(|(_, id)| state.events.events.get(id))
            .cloned();
        Ok(chunk_of(items, range.limit, |e| e.id.to_string()))
    }

    async fn get_rsvp(
        &self,
        event: &EventId,
        occurrence: &str,
        user: &UserId,
    ) -> Result<Option<Rsvp>, StoreError> {
        Ok(self
            .lock()
            .events
            .rsvps
            .get(&(*event, occurrence.to_owned(), user.clone()))
            .cloned())
    }

    async fn list_rsvps(
        &self,
        event: &EventId,
        occurrence: &str,
        range: &Range,
    ) -> Result<Chunk<Rsvp>, StoreError> {
        let after = range
            .after
            .as_deref()
            .map(|p| UserId::new(p).map_err(|_| StoreError::InvalidPosition))
            .transpose()?;
        let start = match after {
            Some(u) => Bound::Excluded((*event, occurrence.to_owned(), u)),
            None => Bound::Included((*event, occurrence.to_owned(), UserId::range_start())),
        };
        let state = self.lock();
        let items = state
            .events
            .rsvps
            .range((start, Bound::Unbounded))
            .take_while(|((e, o, _), _)| e == event && o == occurrence)
            .map(|(_, r)| r.clone());
        Ok(chunk_of(items, range.limit, |r| r.user.to_string()))
    }

    async fn get_rsvp_tally(
        &self,
        event: &EventId,
        occurrence: &str,
    ) -> Result<RsvpTally, StoreError> {
        Ok(self
            .lock()
            .events
            .tallies
            .get(&(*event, occurrence.to_owned()))
            .copied()
            .unwrap_or_default())
    }

    async fn list_attendance(
        &self,
        event: &EventId,
        occurrence: &str,
    ) -> Result<Vec<Attendance>, StoreError> {
        let state = self.lock();
        Ok(state
            .events
            .attendance
            .range((*event, occurrence.to_owned(), UserId::range_start())..)
            .take_while(|((e, o, _), _)| e == event && o == occurrence)
            .map(|(_, a)| a.clone())
            .collect())
    }

    async fn list_user_attendance(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Attendance>, StoreError> {
        let state = self.lock();
        let end = match &range.after {
            Some(p) => Bound::Excluded((user.clone(), p.clone())),
            None => Bound::Included((user.clone(), "\u{10FFFF}".to_owned())),
        };
        let items = state
            .events
            .user_attendance
            .range((Bound::Included((user.clone(), String::new())), end))
            .rev()
            .filter_map(|((u, _), (e, o))| {
                state
                    .events
                    .attendance
                    .get(&(*e, o.clone(), u.clone()))
                    .cloned()
            })
            .collect::<Vec<_>>();
        Ok(chunk_of(
            items.into_iter(),
            range.limit,
            attendance_position,
        ))
    }
}
