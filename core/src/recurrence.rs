//! Expanding an event's recurrence into occurrences, in its IANA time zone.
//!
//! Occurrences keep their *local wall time* across daylight-saving changes:
//! a fortnightly 18:30 session in `Europe/London` starts at 18:30 GMT in
//! winter and 18:30 BST in summer. A local time that does not exist (inside
//! a spring-forward gap) moves forward by the gap, as RFC 5545 asks; an
//! ambiguous one (in an autumn fold) takes the earlier instant. All time-zone
//! arithmetic is jiff's.

use jiff::civil::{self, Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

use crate::error::{Error, FieldError};
use crate::model::{Event, Frequency, MonthlyBy, Occurrence, Recurrence, RecurrenceEnd};

/// The longest window one expansion may cover.
pub const MAX_WINDOW_DAYS: i64 = 400;
/// The most occurrences one expansion returns.
pub const MAX_OCCURRENCES: usize = 1_000;
/// Periods without any occurrence before expansion gives up (a monthly
/// "31st" every 12 months starting in February never occurs).
const MAX_EMPTY_PERIODS: u32 = 1_000;

/// Resolves an IANA time zone name.
pub fn time_zone(name: &str) -> Result<TimeZone, FieldError> {
    TimeZone::get(name).map_err(|_| {
        FieldError::new(
            "time_zone",
            "unknown_time_zone",
            "must be an IANA time zone such as Europe/London",
        )
    })
}

/// The instant a local time starts in `tz` (gaps move forward, folds take
/// the earlier instant).
pub fn instant(local: DateTime, tz: &TimeZone) -> Result<Timestamp, Error> {
    local
        .to_zoned_datetime(tz.clone())
        .map(|z| z.timestamp())
        .map_err(|e| Error::Internal(format!("local time out of range: {e}")))
}

/// The stable key of an occurrence: its local start.
pub fn occurrence_key(local: DateTime) -> String {
    local.to_string()
}

/// Occurrences of `event` starting in `[from, to)`, ascending, cancelled
/// ones left out. The window may span at most [`MAX_WINDOW_DAYS`].
pub fn expand(event: &Event, from: Timestamp, to: Timestamp) -> Result<Vec<Occurrence>, Error> {
    if to <= from {
        return Ok(Vec::new());
    }
    if to.duration_since(from) > SignedDuration::from_hours(24 * MAX_WINDOW_DAYS) {
        return Err(Error::invalid(
            "to",
            "window_too_long",
            format!("a window may span at most {MAX_WINDOW_DAYS} days"),
        ));
    }
    let tz = time_zone(&event.time_zone).map_err(|e| Error::Invalid(vec![e]))?;
    let duration = SignedDuration::from_mins(i64::from(event.duration_minutes));
    // Local dates after this one cannot start before `to` in any time zone.
    let last_date = to
        .to_zoned_datetime(tz.clone())
        .date()
        .tomorrow()
        .unwrap_or(Date::MAX);
    let mut found = Vec::new();
    for local in LocalStarts::new(event.starts, event.recurrence.as_ref()) {
        if local.date() > last_date {
            break;
        }
        // A local time beyond the representable range ends the series.
        let Ok(starts_at) = instant(local, &tz) else {
            break;
        };
        if starts_at >= to || starts_at < from || event.cancelled.binary_search(&local).is_ok() {
            continue;
        }
        found.push(Occurrence {
            event: event.id,
            key: occurrence_key(local),
            local_start: local,
            starts_at,
            ends_at: starts_at.saturating_add(duration).unwrap_or(starts_at),
        });
        if found.len() >= MAX_OCCURRENCES {
            break;
        }
    }
    Ok(found)
}

/// Whether `local` is a start the recurrence generates (cancelled or not).
pub fn generates(event: &Event, local: DateTime) -> bool {
    LocalStarts::new(event.starts, event.recurrence.as_ref())
        .take_while(|d| *d <= local)
        .any(|d| d == local)
}

/// The local starts a recurrence generates, in order, honouring its end.
pub struct LocalStarts<'a> {
    first: DateTime,
    recurrence: Option<&'a Recurrence>,
    period: i64,
    buffer: std::collections::VecDeque<DateTime>,
    produced: u32,
    done: bool,
}

impl<'a> LocalStarts<'a> {
    /// Starts at `first`, repeating by `recurrence`.
    pub fn new(first: DateTime, recurrence: Option<&'a Recurrence>) -> Self {
        LocalStarts {
            first,
            recurrence,
            period: 0,
            buffer: Default::default(),
            produced: 0,
            done: false,
        }
    }

    /// Fills the buffer with the next period that has any occurrence.
    fn refill(&mut self, recurrence: &Recurrence) {
        let interval = i64::from(recurrence.interval.max(1));
        let first_date = self.first.date();
        for _ in 0..MAX_EMPTY_PERIODS {
            let n = self.period * interval;
            self.period += 1;
            let dates: Vec<Date> = match &recurrence.frequency {
                Frequency::Daily => first_date.checked_add(n.days()).ok().into_iter().collect(),
                Frequency::Weekly { weekdays } => {
                    let offset = i64::from(first_date.weekday().to_monday_zero_offset());
                    let Ok(week) = first_date.checked_add((n * 7 - offset).days()) else {
                        self.done = true;
                        return;
                    };
                    let mut days: Vec<civil::Weekday> = if weekdays.is_empty() {
                        vec![first_date.weekday()]
                    } else {
                        weekdays.iter().map(|w| civil::Weekday::from(*w)).collect()
                    };
                    days.sort_by_key(|d| d.to_monday_zero_offset());
                    days.dedup();
                    days.into_iter()
                        .filter_map(|d| {
                            week.checked_add(i64::from(d.to_monday_zero_offset()).days())
                                .ok()
                        })
                        .collect()
                }
                Frequency::Monthly { by } => {
                    let Ok(month) = first_date.first_of_month().checked_add(n.months()) else {
                        self.done = true;
                        return;
                    };
                    monthly_date(month, *by).into_iter().collect()
                }
            };
            let times: Vec<DateTime> = dates
                .into_iter()
                .filter(|d| *d >= first_date)
                .map(|d| d.to_datetime(self.first.time()))
                .collect();
            if !times.is_empty() {
                self.buffer.extend(times);
                return;
            }
        }
        self.done = true;
    }
}

fn monthly_date(month: Date, by: MonthlyBy) -> Option<Date> {
    match by {
        MonthlyBy::DayOfMonth { day } => {
            Date::new(month.year(), month.month(), i8::try_from(day).ok()?).ok()
        }
        MonthlyBy::LastDay => Some(month.last_of_month()),
        MonthlyBy::NthWeekday { nth, weekday } => month
            .nth_weekday_of_month(nth.as_i8(), civil::Weekday::from(weekday))
            .ok(),
    }
}

impl Iterator for LocalStarts<'_> {
    type Item = DateTime;

    fn next(&mut self) -> Option<DateTime> {
        if self.done {
            return None;
        }
        let Some(recurrence) = self.recurrence else {
            self.done = true;
            return Some(self.first);
        };
        if let Some(RecurrenceEnd::Count { count }) = recurrence.end
            && self.produced >= count
        {
            self.done = true;
            return None;
        }
        if self.buffer.is_empty() {
            self.refill(recurrence);
        }
        let next = self.buffer.pop_front()?;
        if let Some(RecurrenceEnd::Until { date }) = recurrence.end
            && next.date() > date
        {
            self.done = true;
            return None;
        }
        self.produced += 1;
        Some(next)
    }
}

/// Validates a recurrence: interval 1–52, count 1–1,000, day of month 1–31.
/// (A weekday named twice counts once; an end date before the first start
/// simply yields no occurrences.)
pub fn check_recurrence(recurrence: &Recurrence) -> Vec<FieldError> {
    let mut problems = Vec::new();
    if !(1..=52).contains(&recurrence.interval) {
        problems.push(FieldError::new(
            "recurrence.interval",
            "out_of_range",
            "must be 1 to 52",
        ));
    }
    match &recurrence.frequency {
        Frequency::Monthly {
            by: MonthlyBy::DayOfMonth { day },
        } if !(1..=31).contains(day) => problems.push(FieldError::new(
            "recurrence.frequency.by.day",
            "out_of_range",
            "must be 1 to 31",
        )),
        _ => {}
    }
    if let Some(RecurrenceEnd::Count { count }) = recurrence.end
        && !(1..=1_000).contains(&count)
    {
        problems.push(FieldError::new(
            "recurrence.end.count",
            "out_of_range",
            "must be 1 to 1,000",
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CommunityId, EventId, SpaceId, UserId};
    use crate::model::Weekday;
    use jiff::civil::date;

    fn event(starts: DateTime, recurrence: Option<Recurrence>) -> Event {
        Event {
            id: EventId(ulid::Ulid::from_parts(1, 1)),
            space: SpaceId(ulid::Ulid::from_parts(1, 2)),
            community: CommunityId(ulid::Ulid::from_parts(1, 3)),
            title: "Small group".into(),
            description: String::new(),
            location: None,
            online_url: None,
            time_zone: "Europe/London".into(),
            starts,
            duration_minutes: 90,
            recurrence,
            cancelled: vec![],
            capacity: None,
            created_by: UserId::new("helen").unwrap(),
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
            version: 1,
        }
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn starts(e: &Event, from: &str, to: &str) -> Vec<String> {
        expand(e, ts(from), ts(to))
            .unwrap()
            .into_iter()
            .map(|o| o.starts_at.to_string())
            .collect()
    }

    #[test]
    fn fortnightly_sessions_keep_their_wall_time_across_october() {
        let e = event(
            date(2026, 10, 6).at(18, 30, 0, 0),
            Some(Recurrence {
                frequency: Frequency::Weekly { weekdays: vec![] },
                interval: 2,
                end: Some(RecurrenceEnd::Count { count: 3 }),
            }),
        );
        assert_eq!(
            starts(&e, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
            [
                "2026-10-06T17:30:00Z", // 18:30 BST
                "2026-10-20T17:30:00Z", // 18:30 BST
                "2026-11-03T18:30:00Z", // 18:30 GMT after 25 October
            ]
        );
    }

    #[test]
    fn a_time_in_the_spring_gap_moves_forward() {
        // 29 March 2026: clocks go from 01:00 to 02:00 in London.
        let e = event(
            date(2026, 3, 28).at(1, 30, 0, 0),
            Some(Recurrence {
                frequency: Frequency::Daily,
                interval: 1,
                end: Some(RecurrenceEnd::Count { count: 3 }),
            }),
        );
        assert_eq!(
            starts(&e, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
            [
                "2026-03-28T01:30:00Z",
                "2026-03-29T01:30:00Z", // 01:30 does not exist: 02:30 BST
                "2026-03-30T00:30:00Z",
            ]
        );
    }

    #[test]
    fn monthly_by_nth_weekday_and_by_last_day() {
        let first_tuesday = event(
            date(2026, 1, 6).at(12, 0, 0, 0),
            Some(Recurrence {
                frequency: Frequency::Monthly {
                    by: MonthlyBy::NthWeekday {
                        nth: crate::model::Nth::First,
                        weekday: Weekday::Tuesday,
                    },
                },
                interval: 1,
                end: Some(RecurrenceEnd::Until {
                    date: date(2026, 4, 30),
                }),
            }),
        );
        let dates: Vec<String> = expand(
            &first_tuesday,
            ts("2026-01-01T00:00:00Z"),
            ts("2026-12-01T00:00:00Z"),
        )
        .unwrap()
        .into_iter()
        .map(|o| o.local_start.date().to_string())
        .collect();
        assert_eq!(
            dates,
            ["2026-01-06", "2026-02-03", "2026-03-03", "2026-04-07"]
        );

        let last_day = event(
            date(2026, 1, 31).at(9, 0, 0, 0),
            Some(Recurrence {
                frequency: Frequency::Monthly {
                    by: MonthlyBy::LastDay,
                },
                interval: 1,
                end: Some(RecurrenceEnd::Count { count: 3 }),
            }),
        );
        let dates: Vec<String> = expand(
            &last_day,
            ts("2026-01-01T00:00:00Z"),
            ts("2026-12-01T00:00:00Z"),
        )
        .unwrap()
        .into_iter()
        .map(|o| o.local_start.date().to_string())
        .collect();
        assert_eq!(dates, ["2026-01-31", "2026-02-28", "2026-03-31"]);
    }

    #[test]
    fn months_without_the_day_are_skipped_and_impossible_rules_end() {
        let thirty_first = event(
            date(2026, 1, 31).at(9, 0, 0, 0),
            Some(Recurrence {
                frequency: Frequency::Monthly {
                    by: MonthlyBy::DayOfMonth { day: 31 },
                },
                interval: 1,
                end: Some(RecurrenceEnd::Count { count: 3 }),
            }),
        );
        let dates: Vec<String> =
            LocalStarts::new(thirty_first.starts, thirty_first.recurrence.as_ref())
                .map(|d| d.date().to_string())
                .collect();
        assert_eq!(dates, ["2026-01-31", "2026-03-31", "2026-05-31"]);
        let never = Recurrence {
            frequency: Frequency::Monthly {
                by: MonthlyBy::DayOfMonth { day: 30 },
            },
            interval: 12,
            end: None,
        };
        let first = date(2026, 2, 1).at(9, 0, 0, 0);
        assert_eq!(LocalStarts::new(first, Some(&never)).count(), 0);
    }

    #[test]
    fn windows_are_bounded() {
        let e = event(date(2026, 1, 1).at(9, 0, 0, 0), None);
        assert!(expand(&e, ts("2026-01-01T00:00:00Z"), ts("2028-01-01T00:00:00Z")).is_err());
        assert!(
            expand(&e, ts("2026-02-01T00:00:00Z"), ts("2026-01-01T00:00:00Z"))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn bad_rules_are_reported() {
        let bad = Recurrence {
            frequency: Frequency::Monthly {
                by: MonthlyBy::DayOfMonth { day: 32 },
            },
            interval: 0,
            end: Some(RecurrenceEnd::Count { count: 0 }),
        };
        let fields: Vec<String> = check_recurrence(&bad)
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(
            fields,
            [
                "recurrence.interval",
                "recurrence.frequency.by.day",
                "recurrence.end.count"
            ]
        );
        let twice = Recurrence {
            frequency: Frequency::Weekly {
                weekdays: vec![Weekday::Monday, Weekday::Monday],
            },
            interval: 1,
            end: None,
        };
        assert!(
            check_recurrence(&twice).is_empty(),
            "a repeated weekday counts once"
        );
        let first = date(2026, 3, 2).at(9, 0, 0, 0);
        assert_eq!(LocalStarts::new(first, Some(&twice)).take(3).count(), 3);
        let dates: Vec<String> = LocalStarts::new(first, Some(&twice))
            .take(2)
            .map(|d| d.date().to_string())
            .collect();
        assert_eq!(dates, ["2026-03-02", "2026-03-09"]);
        assert!(time_zone("Europe/London").is_ok());
        assert!(time_zone("Mars/Olympus").is_err());
    }
}
