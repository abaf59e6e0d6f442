//! An RFC 5545 iCalendar feed of event occurrences, built with the
//! `icalendar` crate.
//!
//! Each occurrence is its own `VEVENT` with UTC times (a stable `UID` per
//! occurrence), so calendar clients need no `VTIMEZONE` data and every
//! daylight-saving rule has already been applied by copkit's expansion.

use icalendar::{Calendar, Component, Event as IcalEvent, EventLike, EventStatus};
use jiff::Timestamp;

use crate::model::{Event, Occurrence};

/// Text as RFC 5545 TEXT takes it: every line break (CRLF, CR or LF)
/// becomes one LF, which the writer escapes as `\n` (a bare CR would end
/// the content line). Escaping `\ ; ,` and folding lines at 75 octets are
/// the `icalendar` crate's.
fn text(value: &str) -> String {
    value.replace("\r\n", "\n").replace('\r', "\n")
}

/// TEXT escaping (RFC 5545 §3.3.11), for the properties the crate writes
/// verbatim.
fn escaped(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

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
    // The crate writes the calendar's NAME (RFC 7986 TEXT) as given, so
    // it is escaped here.
    calendar.name(&escaped(&text(name)));
    for (event, occurrence) in occurrences {
        let mut entry = IcalEvent::new();
        entry
            .uid(&format!("{}-{}@copkit", event.id, occurrence.key))
            .add_property("DTSTAMP", stamp(generated_at))
            .summary(&text(&event.title))
            .starts(utc(occurrence.starts_at))
            .ends(utc(occurrence.ends_at))
            .status(EventStatus::Confirmed);
        if !event.description.is_empty() {
            entry.description(&text(&event.description));
        }
        if let Some(location) = &event.location {
            entry.location(&text(location));
        }
        if let Some(link) = &event.online_url {
            entry.url(link);
        }
        calendar.push(entry.done());
    }
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::ids::{CommunityId, EventId, SpaceId, UserId};

    #[test]
    fn every_text_value_is_escaped_and_every_line_folded() {
        let at = Timestamp::from_second(1_772_560_000).unwrap();
        let event = Event {
            id: EventId(ulid::Ulid::nil()),
            space: SpaceId(ulid::Ulid::nil()),
            community: CommunityId(ulid::Ulid::nil()),
            title: "Case review; ethics, law\\and more".into(),
            description: "Line one\r\nline two\rINJECTED:yes\nline four ".repeat(20),
            location: Some("Room 2,\rFloor 3".into()),
            online_url: None,
            time_zone: "Europe/London".into(),
            starts: jiff::civil::date(2026, 3, 3).at(18, 30, 0, 0),
            duration_minutes: 60,
            recurrence: None,
            cancelled: vec![],
            capacity: None,
            created_by: UserId::new("helen").unwrap(),
            created_at: at,
            updated_at: at,
            version: 1,
        };
        let occurrence = Occurrence {
            event: event.id,
            key: "2026-03-03T18:30:00".into(),
            local_start: event.starts,
            starts_at: at,
            ends_at: at,
        };
        let feed = feed("Group\rname; A,B", &[(&event, occurrence)], at);
        assert!(feed.ends_with("\r\n"));
        for line in feed.split("\r\n") {
            assert!(!line.contains('\r') && !line.contains('\n'), "{line:?}");
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
            assert!(!line.starts_with("INJECTED"), "{line:?}");
        }
        let unfolded = feed.replace("\r\n ", "");
        assert!(unfolded.contains("SUMMARY:Case review\\; ethics\\, law\\\\and more"));
        assert!(unfolded.contains("DESCRIPTION:Line one\\nline two\\nINJECTED:yes\\nline four"));
        assert!(unfolded.contains("LOCATION:Room 2\\,\\nFloor 3"));
        assert!(
            unfolded.contains("NAME:Group\\nname\\; A\\,B"),
            "{unfolded}"
        );
    }
}
