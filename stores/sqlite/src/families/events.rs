//! Events, RSVPs with their tallies, and attendance, in SQLite. The same
//! rules as the memory store's `events.rs`.
//!
//! | record | key | also listed under |
//! |---|---|---|
//! | event | `EVENT#id` / `META` | index 1: `EVENTS␟community` / `id` |
//! | RSVP | `EVENT#event` / `RSVP#occurrence␟user` | — |
//! | tally | `EVENT#event` / `TALLY#occurrence` | — |
//! | attendance | `EVENT#event` / `ATTEND#occurrence␟user` | index 1: `ATTENDANCE␟user` / `recorded ms␟event␟occurrence` |

use copkit_core::model::{Attendance, Event, Rsvp, RsvpTally};
use copkit_core::store::{Chunk, ConditionFailure, EventOp, Range, StoreError, rules};
use copkit_core::{CommunityId, EventId, UserId};
use rusqlite::Connection;

use super::check_expect;
use crate::items::{self, Index, Key, Listed, Order, SEP, Source};

fn event_key(id: &EventId) -> Key {
    Key::new(format!("EVENT#{id}"), "META")
}

fn rsvp_prefix(occurrence: &str) -> String {
    format!("RSVP#{occurrence}{SEP}")
}

fn rsvp_key(event: &EventId, occurrence: &str, user: &UserId) -> Key {
    Key::new(
        format!("EVENT#{event}"),
        format!("{}{user}", rsvp_prefix(occurrence)),
    )
}

fn tally_key(event: &EventId, occurrence: &str) -> Key {
    Key::new(format!("EVENT#{event}"), format!("TALLY#{occurrence}"))
}

fn attendance_prefix(occurrence: &str) -> String {
    format!("ATTEND#{occurrence}{SEP}")
}

fn attendance_key(event: &EventId, occurrence: &str, user: &UserId) -> Key {
    Key::new(
        format!("EVENT#{event}"),
        format!("{}{user}", attendance_prefix(occurrence)),
    )
}

fn events_of(community: &CommunityId) -> String {
    format!("EVENTS{SEP}{community}")
}

fn attendance_of(user: &UserId) -> String {
    format!("ATTENDANCE{SEP}{user}")
}

fn attendance_position(a: &Attendance) -> String {
    format!(
        "{:020}{SEP}{}{SEP}{}",
        a.recorded_at.as_millisecond(),
        a.event,
        a.occurrence
    )
}

fn get_tally(
    conn: &Connection,
    event: &EventId,
    occurrence: &str,
) -> Result<RsvpTally, StoreError> {
    Ok(items::get(conn, &tally_key(event, occurrence))?.unwrap_or_default())
}

/// Whether `op` may be applied now.
pub(crate) fn check(
    conn: &Connection,
    op: &EventOp,
) -> Result<Result<(), ConditionFailure>, StoreError> {
    Ok(match op {
        EventOp::PutEvent { event, expect } => {
            check_expect(get_event(conn, &event.id)?.map(|e| e.version), *expect)
        }
        EventOp::PutRsvp { rsvp, expect } => check_expect(
            get_rsvp(conn, &rsvp.event, &rsvp.occurrence, &rsvp.user)?.map(|r| r.version),
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
            get_tally(conn, event, occurrence)?,
            *going,
            *maybe,
            *declined,
            *capacity,
        )
        .map(drop),
        EventOp::PutAttendance { .. }
        | EventOp::ForgetAttendance { .. }
        | EventOp::ForgetRsvp { .. } => Ok(()),
    })
}

/// Applies `op` (checked already).
pub(crate) fn apply(conn: &Connection, op: EventOp) -> Result<(), StoreError> {
    match op {
        EventOp::PutEvent { event, .. } => {
            let listed = Listed::nowhere().on(
                Index::One,
                events_of(&event.community),
                event.id.to_string(),
            );
            items::put(conn, &event_key(&event.id), &event, &listed)
        }
        EventOp::PutRsvp { rsvp, .. } => items::put(
            conn,
            &rsvp_key(&rsvp.event, &rsvp.occurrence, &rsvp.user),
            &rsvp,
            &Listed::nowhere(),
        ),
        EventOp::AdjustRsvpTally {
            event,
            occurrence,
            going,
            maybe,
            declined,
            ..
        } => {
            let current = get_tally(conn, &event, &occurrence)?;
            if let Ok(next) = rules::adjust_rsvp_tally(current, going, maybe, declined, None) {
                items::put(
                    conn,
                    &tally_key(&event, &occurrence),
                    &next,
                    &Listed::nowhere(),
                )?;
            }
            Ok(())
        }
        EventOp::PutAttendance { attendance } => {
            let listed = Listed::nowhere().on(
                Index::One,
                attendance_of(&attendance.user),
                attendance_position(&attendance),
            );
            items::put(
                conn,
                &attendance_key(&attendance.event, &attendance.occurrence, &attendance.user),
                &attendance,
                &listed,
            )
        }
        EventOp::ForgetAttendance {
            event,
            occurrence,
            user,
        } => items::delete(conn, &attendance_key(&event, &occurrence, &user)),
        EventOp::ForgetRsvp {
            event,
            occurrence,
            user,
        } => items::delete(conn, &rsvp_key(&event, &occurrence, &user)),
    }
}

/// One event.
pub(crate) fn get_event(conn: &Connection, id: &EventId) -> Result<Option<Event>, StoreError> {
    items::get(conn, &event_key(id))
}

/// A community's events, by id.
pub(crate) fn list_events(
    conn: &Connection,
    community: &CommunityId,
    range: &Range,
) -> Result<Chunk<Event>, StoreError> {
    if let Some(p) = &range.after {
        p.parse::<EventId>()
            .map_err(|_| StoreError::InvalidPosition)?;
    }
    items::chunk(
        conn,
        Source::Index {
            index: Index::One,
            pk: &events_of(community),
            prefix: "",
        },
        Order::Ascending,
        range,
        |_: &Event| true,
    )
}

/// A person's RSVP to an occurrence.
pub(crate) fn get_rsvp(
    conn: &Connection,
    event: &EventId,
    occurrence: &str,
    user: &UserId,
) -> Result<Option<Rsvp>, StoreError> {
    items::get(conn, &rsvp_key(event, occurrence, user))
}

/// An occurrence's RSVPs, by user.
pub(crate) fn list_rsvps(
    conn: &Connection,
    event: &EventId,
    occurrence: &str,
    range: &Range,
) -> Result<Chunk<Rsvp>, StoreError> {
    let prefix = rsvp_prefix(occurrence);
    if let Some(p) = &range.after {
        p.strip_prefix(&prefix)
            .and_then(|user| UserId::new(user).ok())
            .ok_or(StoreError::InvalidPosition)?;
    }
    items::chunk(
        conn,
        Source::Partition {
            pk: &format!("EVENT#{event}"),
            prefix: &prefix,
        },
        Order::Ascending,
        range,
        |_: &Rsvp| true,
    )
}

/// An occurrence's tally (zero when nobody answered).
pub(crate) fn get_rsvp_tally(
    conn: &Connection,
    event: &EventId,
    occurrence: &str,
) -> Result<RsvpTally, StoreError> {
    get_tally(conn, event, occurrence)
}

/// The tally record of an occurrence, if anyone answered.
pub(crate) fn find_rsvp_tally(
    conn: &Connection,
    event: &EventId,
    occurrence: &str,
) -> Result<Option<RsvpTally>, StoreError> {
    items::get(conn, &tally_key(event, occurrence))
}

/// One person's attendance at an occurrence.
pub(crate) fn get_attendance(
    conn: &Connection,
    event: &EventId,
    occurrence: &str,
    user: &UserId,
) -> Result<Option<Attendance>, StoreError> {
    items::get(conn, &attendance_key(event, occurrence, user))
}

/// Everyone's attendance at an occurrence, by user.
pub(crate) fn list_attendance(
    conn: &Connection,
    event: &EventId,
    occurrence: &str,
) -> Result<Vec<Attendance>, StoreError> {
    items::records(
        conn,
        Source::Partition {
            pk: &format!("EVENT#{event}"),
            prefix: &attendance_prefix(occurrence),
        },
        Order::Ascending,
        usize::MAX,
    )
}

/// A person's attendance, most recently recorded first.
pub(crate) fn list_user_attendance(
    conn: &Connection,
    user: &UserId,
    range: &Range,
) -> Result<Chunk<Attendance>, StoreError> {
    if let Some(p) = &range.after {
        let mut parts = p.split(SEP);
        let valid = parts.next().is_some_and(|ms| ms.parse::<i64>().is_ok())
            && parts.next().is_some_and(|e| e.parse::<EventId>().is_ok())
            && parts.next().is_some();
        if !valid {
            return Err(StoreError::InvalidPosition);
        }
    }
    items::chunk(
        conn,
        Source::Index {
            index: Index::One,
            pk: &attendance_of(user),
            prefix: "",
        },
        Order::Descending,
        range,
        |_: &Attendance| true,
    )
}
