//! Events, RSVPs with their tallies, and attendance.
//!
//! The reads ([`EventStore`]) and the writes ([`EventOp`]) of one
//! family of records; every store implements them in a file of the same name.

use async_trait::async_trait;

use super::{Chunk, Expect, ItemKey, Op, Range, StoreError};
use crate::ids::{CommunityId, EventId, UserId};
use crate::model::{Attendance, Event, Rsvp, RsvpTally};

/// Events, RSVPs and attendance.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// One event.
    async fn get_event(&self, id: &EventId) -> Result<Option<Event>, StoreError>;
    /// A community's events, oldest id first.
    async fn list_events(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Event>, StoreError>;
    /// One person's RSVP to one occurrence.
    async fn get_rsvp(
        &self,
        event: &EventId,
        occurrence: &str,
        user: &UserId,
    ) -> Result<Option<Rsvp>, StoreError>;
    /// RSVPs to one occurrence, by user id.
    async fn list_rsvps(
        &self,
        event: &EventId,
        occurrence: &str,
        range: &Range,
    ) -> Result<Chunk<Rsvp>, StoreError>;
    /// Answers per response for one occurrence (zeroes when nobody answered).
    async fn get_rsvp_tally(
        &self,
        event: &EventId,
        occurrence: &str,
    ) -> Result<RsvpTally, StoreError>;
    /// Attendance recorded for one occurrence, by user id.
    async fn list_attendance(
        &self,
        event: &EventId,
        occurrence: &str,
    ) -> Result<Vec<Attendance>, StoreError>;
    /// One person's attendance records, in every community, most recently
    /// recorded first.
    async fn list_user_attendance(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Attendance>, StoreError>;
}

/// The writes to this family, each inside a [`Transaction`](super::Transaction)
/// (see [`Op`]).
// Operations live only until their transaction is written; boxing the
// event would cost an allocation for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum EventOp {
    /// Create or replace an event.
    PutEvent {
        /// The new record.
        event: Event,
        /// Its expected current state.
        expect: Expect,
    },
    /// Create or replace an RSVP.
    PutRsvp {
        /// The new record.
        rsvp: Rsvp,
        /// Its expected current state.
        expect: Expect,
    },
    /// Change an occurrence's RSVP tally. Fails `LimitReached` if `going`
    /// would exceed `capacity`.
    AdjustRsvpTally {
        /// The event.
        event: EventId,
        /// The occurrence key.
        occurrence: String,
        /// Change in going.
        going: i64,
        /// Change in maybe.
        maybe: i64,
        /// Change in declined.
        declined: i64,
        /// The most allowed going, if limited.
        capacity: Option<u32>,
    },
    /// Create or replace an attendance record.
    PutAttendance {
        /// The record.
        attendance: Attendance,
    },
    /// Delete an attendance record (erasure; nothing happens when absent).
    ForgetAttendance {
        /// The event.
        event: EventId,
        /// The occurrence key.
        occurrence: String,
        /// Whose.
        user: UserId,
    },
    /// Delete an RSVP (erasure; nothing happens when absent). The tally is
    /// changed by its own [`EventOp::AdjustRsvpTally`].
    ForgetRsvp {
        /// The event.
        event: EventId,
        /// The occurrence key.
        occurrence: String,
        /// Whose.
        user: UserId,
    },
}

impl EventOp {
    /// The items this operation writes.
    pub fn items(&self) -> Vec<ItemKey> {
        match self {
            EventOp::PutEvent { event, .. } => vec![ItemKey::Event(event.id)],
            EventOp::PutRsvp { rsvp, .. } => vec![ItemKey::Rsvp(
                rsvp.event,
                rsvp.occurrence.clone(),
                rsvp.user.clone(),
            )],
            EventOp::AdjustRsvpTally {
                event, occurrence, ..
            } => vec![ItemKey::RsvpTally(*event, occurrence.clone())],
            EventOp::PutAttendance { attendance } => vec![ItemKey::Attendance(
                attendance.event,
                attendance.occurrence.clone(),
                attendance.user.clone(),
            )],
            EventOp::ForgetAttendance {
                event,
                occurrence,
                user,
            } => vec![ItemKey::Attendance(
                *event,
                occurrence.clone(),
                user.clone(),
            )],
            EventOp::ForgetRsvp {
                event,
                occurrence,
                user,
            } => vec![ItemKey::Rsvp(*event, occurrence.clone(), user.clone())],
        }
    }
}

impl From<EventOp> for Op {
    fn from(op: EventOp) -> Op {
        Op::Event(op)
    }
}
