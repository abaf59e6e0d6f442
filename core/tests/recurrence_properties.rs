//! Properties of recurrence expansion in Europe/London, whose clocks change
//! in late March and late October: occurrences are sorted, inside the window,
//! never more than the count, at the same local wall time all year, with
//! cancelled ones absent and nothing else missing.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use copkit_core::model::{Event, Frequency, MonthlyBy, Nth, Recurrence, RecurrenceEnd, Weekday};
use copkit_core::recurrence::{LocalStarts, expand, instant, time_zone};
use copkit_core::{CommunityId, EventId, SpaceId, UserId};
use jiff::civil::{DateTime, date};
use jiff::{SignedDuration, Timestamp, ToSpan};
use proptest::prelude::*;
use ulid::Ulid;

fn any_frequency() -> impl Strategy<Value = Frequency> {
    prop_oneof![
        Just(Frequency::Daily),
        prop::collection::btree_set(prop::sample::select(Weekday::ALL.to_vec()), 0..4).prop_map(
            |weekdays| Frequency::Weekly {
                weekdays: weekdays.into_iter().collect()
            }
        ),
        prop_oneof![(1u8..=28), Just(31u8)].prop_map(|day| Frequency::Monthly {
            by: MonthlyBy::DayOfMonth { day }
        }),
        Just(Frequency::Monthly {
            by: MonthlyBy::LastDay
        }),
        (
            prop::sample::select(vec![
                Nth::First,
                Nth::Second,
                Nth::Third,
                Nth::Fourth,
                Nth::Fifth,
                Nth::Last
            ]),
            prop::sample::select(Weekday::ALL.to_vec())
        )
            .prop_map(|(nth, weekday)| Frequency::Monthly {
                by: MonthlyBy::NthWeekday { nth, weekday }
            }),
    ]
}

/// A first start in 2026 at a wall time outside the 01:00–02:00 DST gap.
fn any_start() -> impl Strategy<Value = DateTime> {
    (
        0i64..365,
        6i8..=22,
        prop::sample::select(vec![0i8, 15, 30, 45]),
    )
        .prop_map(|(day, hour, minute)| {
            date(2026, 1, 1)
                .checked_add(day.days())
                .unwrap()
                .at(hour, minute, 0, 0)
        })
}

#[derive(Debug, Clone)]
struct Case {
    starts: DateTime,
    recurrence: Recurrence,
    from_offset_days: i64,
    window_days: i64,
    cancel: Vec<usize>,
}

fn any_case() -> impl Strategy<Value = Case> {
    (
        any_start(),
        any_frequency(),
        1u32..=3,
        prop_oneof![
            Just(None),
            (1u32..=60).prop_map(|count| Some(RecurrenceEnd::Count { count })),
            (0i64..=400).prop_map(|d| Some(RecurrenceEnd::Until {
                date: date(2026, 1, 1).checked_add(d.days()).unwrap()
            })),
        ],
        -60i64..=300,
        1i64..=400,
        prop::collection::vec(0usize..40, 0..6),
    )
        .prop_map(
            |(starts, frequency, interval, end, from_offset_days, window_days, cancel)| Case {
                starts,
                recurrence: Recurrence {
                    frequency,
                    interval,
                    end,
                },
                from_offset_days,
                window_days,
                cancel,
            },
        )
}

fn event(case: &Case) -> Event {
    let generated: Vec<DateTime> = LocalStarts::new(case.starts, Some(&case.recurrence))
        .take(40)
        .collect();
    let mut cancelled: Vec<DateTime> = case
        .cancel
        .iter()
        .filter_map(|i| generated.get(*i).copied())
        .collect();
    cancelled.sort();
    cancelled.dedup();
    Event {
        id: EventId(Ulid::from_parts(1, 1)),
        space: SpaceId(Ulid::from_parts(1, 2)),
        community: CommunityId(Ulid::from_parts(1, 3)),
        title: "Small group".into(),
        description: String::new(),
        location: None,
        online_url: None,
        time_zone: "Europe/London".into(),
        starts: case.starts,
        duration_minutes: 90,
        recurrence: Some(case.recurrence.clone()),
        cancelled,
        capacity: None,
        created_by: UserId::new("helen").unwrap(),
        created_at: Timestamp::UNIX_EPOCH,
        updated_at: Timestamp::UNIX_EPOCH,
        version: 1,
    }
}

fn window(case: &Case) -> (Timestamp, Timestamp) {
    let tz = time_zone("Europe/London").unwrap();
    let from_local = case
        .starts
        .date()
        .checked_add(case.from_offset_days.days())
        .unwrap()
        .at(0, 0, 0, 0);
    let from = instant(from_local, &tz).unwrap();
    (
        from,
        from + SignedDuration::from_hours(24 * case.window_days),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_500))]

    #[test]
    fn expansion_is_sorted_bounded_complete_and_keeps_wall_time(case in any_case()) {
        let e = event(&case);
        let (from, to) = window(&case);
        let found = expand(&e, from, to).unwrap();
        let tz = time_zone("Europe/London").unwrap();

        // Sorted and inside the window.
        for pair in found.windows(2) {
            prop_assert!(pair[0].starts_at < pair[1].starts_at, "not sorted: {:?}", pair);
        }
        for o in &found {
            prop_assert!(from <= o.starts_at && o.starts_at < to, "outside window: {o:?}");
            // Local wall time preserved across DST: same clock time in London.
            let local = o.starts_at.to_zoned_datetime(tz.clone()).datetime();
            prop_assert_eq!(local.time(), case.starts.time());
            prop_assert_eq!(local, o.local_start);
            prop_assert_eq!(o.ends_at.duration_since(o.starts_at), SignedDuration::from_mins(90));
            // Cancelled ones are absent.
            prop_assert!(e.cancelled.binary_search(&o.local_start).is_err(), "cancelled present: {o:?}");
        }

        // Complete: every generated, non-cancelled start in the window is there.
        let expected: Vec<DateTime> = LocalStarts::new(case.starts, Some(&case.recurrence))
            .take_while(|d| d.date() <= to.to_zoned_datetime(tz.clone()).date().tomorrow().unwrap())
            .filter(|d| {
                let at = instant(*d, &tz).unwrap();
                from <= at && at < to && e.cancelled.binary_search(d).is_err()
            })
            .collect();
        prop_assert_eq!(found.iter().map(|o| o.local_start).collect::<Vec<_>>(), expected);

        // The end is respected.
        match case.recurrence.end {
            Some(RecurrenceEnd::Count { count }) => {
                let all = LocalStarts::new(case.starts, Some(&case.recurrence)).count();
                prop_assert!(all <= count as usize);
                if !matches!(case.recurrence.frequency, Frequency::Monthly { .. }) {
                    prop_assert_eq!(all, count as usize, "daily and weekly rules always reach their count");
                }
                prop_assert!(found.len() <= count as usize);
            }
            Some(RecurrenceEnd::Until { date: until }) => {
                for o in &found {
                    prop_assert!(o.local_start.date() <= until);
                }
            }
            None => {}
        }
    }
}

#[test]
fn the_march_and_october_changes_keep_fortnightly_sessions_at_half_past_six() {
    let case = Case {
        starts: date(2026, 3, 17).at(18, 30, 0, 0),
        recurrence: Recurrence {
            frequency: Frequency::Weekly {
                weekdays: vec![Weekday::Tuesday],
            },
            interval: 2,
            end: None,
        },
        from_offset_days: 0,
        window_days: 240,
        cancel: vec![2],
    };
    let e = event(&case);
    let (from, to) = window(&case);
    let found = expand(&e, from, to).unwrap();
    let utc_hours: Vec<i8> = found
        .iter()
        .map(|o| {
            o.starts_at
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .hour()
        })
        .collect();
    // 17 March is GMT (18:30Z); from 31 March BST (17:30Z); after 25 October GMT again.
    assert_eq!(utc_hours.first(), Some(&18));
    assert_eq!(utc_hours.get(1), Some(&17));
    assert_eq!(utc_hours.last(), Some(&18));
    assert!(
        found
            .iter()
            .all(|o| o.local_start.hour() == 18 && o.local_start.minute() == 30)
    );
    // The third session (14 April) was cancelled.
    assert!(
        found
            .iter()
            .all(|o| o.local_start.date() != date(2026, 4, 14))
    );
    assert_eq!(found.len(), 17);
}
