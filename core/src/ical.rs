//! An RFC 5545 iCalendar feed of event occurrences, built with the
//! `icalendar` crate.
//!
//! Each occurrence is its own `VEVENT` with UTC times (a stable `UID` per
//! occurrence), so calendar clients need no `VTIMEZONE` data and every
//! daylight-saving rule has already been applied by copkit's expansion.

use icalendar::{Calendar, Component, Event as IcalEvent, EventLike, EventStatus};
use jiff::Timestamp;

use crate::model::{Event, Occurrence};

fn utc(t: Timestamp) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(t.as_second(), 0).unwrap_or_default()
}

fn stamp(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// The feed: one `VEVENT` per occurrence, in the order given.
/// `generated_at` becomes every entry's `DTSTAMP`.
pub fn feed(name: &str, occurrences: &[(&Event, Occurrence)], generated_at: Timestamp) -> String {
    let mut calendar = Calendar::new();
    calendar.name(name);
    for (event, occurrence) in occurrences {
        let mut entry = IcalEvent::new();
        entry
            .uid(&format!("{}-{}@copkit", event.id, occurrence.key))
            .add_property("DTSTAMP", stamp(generated_at))
            .summary(&event.title)
            .starts(utc(occurrence.starts_at))
            .ends(utc(occurrence.ends_at))
            .status(EventStatus::Confirmed);
        if !event.description.is_empty() {
            entry.description(&event.description);
        }
        if let Some(location) = &event.location {
            entry.location(location);
        }
        if let Some(link) = &event.online_url {
            entry.url(link);
        }
        calendar.push(entry.done());
    }
    calendar.done().to_string()
}
