//! The rhythm: scheduling, occurrences, cancellation, RSVPs with capacity,
//! attendance, and the iCalendar feed read back by an independent parser.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{World, actor, invalid_fields, new_space};
use copkit_core::model::{
    Frequency, JoinPolicy, PageRequest, Recurrence, RecurrenceEnd, RsvpResponse, RsvpTally,
    SpaceVisibility, Visibility,
};
use copkit_core::service::EventInput;
use copkit_core::{Actor, CommunityId, Conflict, Error, Forbidden, SpaceId};
use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};

fn fortnightly(count: u32) -> EventInput {
    EventInput {
        title: "ST3 small group".into(),
        description: "Case discussion, then exam practice.".into(),
        location: Some("Postgraduate centre, room 2".into()),
        online_url: Some("https://meet.example.org/st3".into()),
        time_zone: "Europe/London".into(),
        // The world's clock starts on Monday 2 March 2026.
        start_date: date(2026, 3, 10),
        start_time: "18:30".into(),
        duration_minutes: 90,
        recurrence: Some(Recurrence {
            frequency: Frequency::Weekly { weekdays: vec![] },
            interval: 2,
            end: Some(RecurrenceEnd::Count { count }),
        }),
        capacity: Some(2),
    }
}

struct Setup {
    w: World,
    c: CommunityId,
    space: SpaceId,
    helen: Actor,
    tom: Actor,
    mia: Actor,
    sam: Actor,
}

async fn setup() -> Setup {
    let w = World::new();
    let helen = actor("helen");
    let (tom, mia, sam) = (actor("tom"), actor("mia"), actor("sam"));
    let c = w
        .community(
            &helen,
            "rhythm",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    for who in [&tom, &mia, &sam] {
        w.add_member(&helen, &c, who).await;
    }
    let space = w
        .copkit
        .create_space(&helen, &c, new_space("Sessions", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;
    Setup {
        w,
        c,
        space,
        helen,
        tom,
        mia,
        sam,
    }
}

/// A Restricted space of the setup's community that only moderators see.
async fn moderators_room(s: &Setup, name: &str) -> copkit_core::model::Space {
    s.w.copkit
        .create_space(
            &s.helen,
            &s.c,
            new_space(
                name,
                SpaceVisibility::Restricted {
                    users: vec![],
                    roles: vec![copkit_core::model::Role::Moderator],
                },
            ),
        )
        .await
        .unwrap()
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[tokio::test]
async fn fortnightly_sessions_expand_cancel_and_keep_wall_time() {
    let s = setup().await;
    let k = &s.w.copkit;
    let e = k
        .schedule_event(&s.helen, &s.space, fortnightly(6))
        .await
        .unwrap();
    let all = k
        .event_occurrences(
            &s.tom,
            &e.id,
            ts("2026-01-01T00:00:00Z"),
            ts("2027-01-01T00:00:00Z"),
        )
        .await
        .unwrap();
    let keys: Vec<&str> = all.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "2026-03-10T18:30:00",
            "2026-03-24T18:30:00",
            "2026-04-07T18:30:00",
            "2026-04-21T18:30:00",
            "2026-05-05T18:30:00",
            "2026-05-19T18:30:00"
        ]
    );
    // 29 March: GMT → BST. Wall time stays 18:30; UTC moves an hour.
    assert_eq!(all[1].starts_at, ts("2026-03-24T18:30:00Z"));
    assert_eq!(all[2].starts_at, ts("2026-04-07T17:30:00Z"));

    assert_eq!(
        k.set_occurrence_cancelled(&s.tom, &e.id, "2026-04-07T18:30:00", true, 1)
            .await
            .err(),
        Some(Error::Forbidden(Forbidden::NotAuthor))
    );
    assert_eq!(
        k.set_occurrence_cancelled(&s.helen, &e.id, "2026-04-08T18:30:00", true, 1)
            .await
            .err(),
        Some(Error::NotFound)
    );
    let e2 = k
        .set_occurrence_cancelled(&s.helen, &e.id, "2026-04-07T18:30:00", true, 1)
        .await
        .unwrap();
    let after = k
        .event_occurrences(
            &s.tom,
            &e.id,
            ts("2026-01-01T00:00:00Z"),
            ts("2027-01-01T00:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(after.len(), 5);
    assert!(after.iter().all(|o| o.key != "2026-04-07T18:30:00"));
    let e3 = k
        .set_occurrence_cancelled(&s.helen, &e.id, "2026-04-07T18:30:00", false, e2.version)
        .await
        .unwrap();
    assert!(e3.cancelled.is_empty());
}

#[tokio::test]
async fn event_input_is_validated() {
    let s = setup().await;
    let bad = EventInput {
        title: "x".into(),
        online_url: Some("javascript:alert(1)".into()),
        time_zone: "Europe/Atlantis".into(),
        duration_minutes: 0,
        recurrence: Some(Recurrence {
            frequency: Frequency::Daily,
            interval: 0,
            end: Some(RecurrenceEnd::Count { count: 0 }),
        }),
        capacity: Some(0),
        ..fortnightly(3)
    };
    assert_eq!(
        invalid_fields(s.w.copkit.schedule_event(&s.helen, &s.space, bad).await),
        [
            "title",
            "online_url",
            "time_zone",
            "duration_minutes",
            "recurrence.interval",
            "recurrence.end.count",
            "capacity"
        ]
    );
}

#[tokio::test]
async fn rsvps_respect_capacity_and_only_upcoming_sessions() {
    let s = setup().await;
    let k = &s.w.copkit;
    let e = k
        .schedule_event(&s.helen, &s.space, fortnightly(6))
        .await
        .unwrap();
    let first = "2026-03-10T18:30:00";
    k.rsvp(&s.tom, &e.id, first, RsvpResponse::Going)
        .await
        .unwrap();
    k.rsvp(&s.mia, &e.id, first, RsvpResponse::Going)
        .await
        .unwrap();
    assert_eq!(
        k.rsvp(&s.sam, &e.id, first, RsvpResponse::Going)
            .await
            .err(),
        Some(Error::Conflict(Conflict::LimitReached))
    );
    k.rsvp(&s.sam, &e.id, first, RsvpResponse::Maybe)
        .await
        .unwrap();
    // Tom drops out: his place frees up.
    k.rsvp(&s.tom, &e.id, first, RsvpResponse::Declined)
        .await
        .unwrap();
    k.rsvp(&s.sam, &e.id, first, RsvpResponse::Going)
        .await
        .unwrap();
    assert_eq!(
        k.rsvp_tally(&s.helen, &e.id, first).await.unwrap(),
        RsvpTally {
            going: 2,
            maybe: 0,
            declined: 1
        }
    );
    let listed = k
        .list_rsvps(&s.helen, &e.id, first, &PageRequest::first())
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 3);
    // Answering twice the same way is harmless.
    k.rsvp(&s.sam, &e.id, first, RsvpResponse::Going)
        .await
        .unwrap();
    assert_eq!(k.rsvp_tally(&s.helen, &e.id, first).await.unwrap().going, 2);

    assert_eq!(
        k.rsvp(&s.tom, &e.id, "not a time", RsvpResponse::Going)
            .await
            .err(),
        Some(Error::NotFound)
    );
    // Once a session has started, answers are closed and attendance opens.
    s.w.advance_days(9);
    assert_eq!(
        k.rsvp(&s.tom, &e.id, first, RsvpResponse::Going)
            .await
            .err(),
        Some(Error::Conflict(Conflict::Closed))
    );
    assert_eq!(
        k.record_attendance(&s.tom, &e.id, first, &s.mia.user, true)
            .await
            .err(),
        Some(Error::Forbidden(Forbidden::ModeratorsOnly))
    );
    let a = k
        .record_attendance(&s.helen, &e.id, first, &s.mia.user, true)
        .await
        .unwrap();
    assert_eq!(a.minutes, 90);
    k.record_attendance(&s.helen, &e.id, first, &s.tom.user, false)
        .await
        .unwrap();
    assert_eq!(
        k.list_attendance(&s.helen, &e.id, first)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        k.record_attendance(&s.helen, &e.id, "2026-03-24T18:30:00", &s.mia.user, true)
            .await
            .err(),
        Some(Error::Conflict(Conflict::WrongState)),
        "not started yet"
    );
    assert_eq!(
        k.record_attendance(&s.helen, &e.id, first, &actor("stranger").user, true)
            .await
            .err(),
        Some(Error::NotFound)
    );
}

#[tokio::test]
async fn the_calendar_feed_parses_back_with_an_independent_crate() {
    let s = setup().await;
    let k = &s.w.copkit;
    let e = k
        .schedule_event(&s.helen, &s.space, fortnightly(4))
        .await
        .unwrap();
    k.set_occurrence_cancelled(&s.helen, &e.id, "2026-03-24T18:30:00", true, 1)
        .await
        .unwrap();
    // An event in a Restricted room the member cannot see stays out of their feed.
    let core = moderators_room(&s, "Core").await;
    k.schedule_event(
        &s.helen,
        &core.id,
        EventInput {
            title: "Planning, with \"quotes\"; and commas".into(),
            description: "line one\nline two; with, commas".into(),
            recurrence: None,
            ..fortnightly(1)
        },
    )
    .await
    .unwrap();

    let from = ts("2026-03-01T00:00:00Z");
    let to = from + SignedDuration::from_hours(24 * 120);
    let member_feed = k.calendar_feed(&s.tom, &s.c, from, to).await.unwrap();
    let owner_feed = k.calendar_feed(&s.helen, &s.c, from, to).await.unwrap();

    let parse = |text: &str| -> Vec<(String, String, String)> {
        let mut calendars = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
        let calendar = calendars.next().expect("one calendar").expect("it parses");
        assert!(calendars.next().is_none());
        calendar
            .events
            .iter()
            .map(|ev| {
                let prop = |name: &str| {
                    ev.properties
                        .iter()
                        .find(|p| p.name == name)
                        .and_then(|p| p.value.clone())
                        .unwrap_or_default()
                };
                (prop("SUMMARY"), prop("DTSTART"), prop("UID"))
            })
            .collect()
    };
    let member = parse(&member_feed);
    assert_eq!(
        member.iter().map(|m| m.1.as_str()).collect::<Vec<_>>(),
        ["20260310T183000Z", "20260407T173000Z", "20260421T173000Z"],
        "cancelled session absent; BST sessions at 17:30Z"
    );
    assert!(member.iter().all(|m| m.0 == "ST3 small group"));
    let uids: std::collections::HashSet<&str> = member.iter().map(|m| m.2.as_str()).collect();
    assert_eq!(uids.len(), 3, "one stable UID per occurrence");
    let owner = parse(&owner_feed);
    assert_eq!(owner.len(), 4);
    assert!(
        owner
            .iter()
            .any(|o| o.0.contains("Planning") && o.0.contains("commas")),
        "{owner:?}"
    );
    assert!(
        owner_feed.contains("line two"),
        "descriptions travel, escaped"
    );
    // An outsider gets nothing, not even an empty calendar.
    assert_eq!(
        k.calendar_feed(&actor("outsider"), &s.c, from, to)
            .await
            .map(|f| f.contains("VEVENT")),
        Ok(false)
    );
}

#[tokio::test]
async fn the_agenda_merges_events_by_start() {
    let s = setup().await;
    let k = &s.w.copkit;
    k.schedule_event(&s.helen, &s.space, fortnightly(3))
        .await
        .unwrap();
    k.schedule_event(
        &s.tom,
        &s.space,
        EventInput {
            title: "Journal club".into(),
            start_date: date(2026, 3, 17),
            start_time: "12:30".into(),
            recurrence: None,
            capacity: None,
            ..fortnightly(1)
        },
    )
    .await
    .unwrap();
    let agenda = k
        .agenda(
            &s.mia,
            &s.c,
            ts("2026-03-01T00:00:00Z"),
            ts("2026-06-01T00:00:00Z"),
        )
        .await
        .unwrap();
    let titles: Vec<&str> = agenda.iter().map(|a| a.event.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "ST3 small group",
            "Journal club",
            "ST3 small group",
            "ST3 small group"
        ]
    );
    let events = k
        .list_events(&s.mia, &s.c, &PageRequest::first())
        .await
        .unwrap();
    assert_eq!(events.items.len(), 2);
    // Only the organiser or a moderator edits an event.
    let journal = events
        .items
        .iter()
        .find(|e| e.title == "Journal club")
        .unwrap();
    assert_eq!(
        k.update_event(&s.mia, &journal.id, fortnightly(1), 1)
            .await
            .err(),
        Some(Error::Forbidden(Forbidden::NotAuthor))
    );
    let moved = k
        .update_event(
            &s.tom,
            &journal.id,
            EventInput {
                title: "Journal club (moved)".into(),
                ..fortnightly(1)
            },
            1,
        )
        .await
        .unwrap();
    assert_eq!(moved.version, 2);
}

#[tokio::test]
async fn upcoming_lists_what_starts_soon_with_my_answer_and_reminds_once() {
    let s = setup().await;
    let k = &s.w.copkit;
    // Fortnightly from Tuesday 10 March 18:30 London; the clock says
    // Monday 2 March 09:00.
    let event = k
        .schedule_event(&s.helen, &s.space, fortnightly(3))
        .await
        .unwrap();
    assert_eq!(k.upcoming(&s.tom, 24).await.unwrap(), vec![]);
    let first = "2026-03-10T18:30:00";
    k.rsvp(&s.tom, &event.id, first, RsvpResponse::Going)
        .await
        .unwrap();
    // On Sunday 8 March, three days ahead reach the first occurrence only.
    s.w.clock.set(ts("2026-03-08T09:00:00Z"));
    let soon = k.upcoming(&s.tom, 72).await.unwrap();
    assert_eq!(soon.len(), 1);
    assert_eq!(soon[0].item.occurrence.key, first);
    assert_eq!(soon[0].response, Some(RsvpResponse::Going));
    let mias = k.upcoming(&s.mia, 72).await.unwrap();
    assert_eq!(mias[0].response, None, "each person sees their own answer");
    // An outsider's communities hold nothing of it.
    assert_eq!(k.upcoming(&actor("stranger"), 168).await.unwrap(), vec![]);
    for hours in [0, 169] {
        assert_eq!(
            invalid_fields(k.upcoming(&s.tom, hours).await),
            vec!["within_hours"]
        );
    }

    let mut reminders = copkit_core::service::Reminders::new();
    let now = k.now();
    assert!(reminders.first_time(&s.tom.user, &soon[0].item, now));
    assert!(!reminders.first_time(&s.tom.user, &soon[0].item, now));
    assert!(reminders.first_time(&s.mia.user, &soon[0].item, now));
    // Once the occurrence has started, it is forgotten.
    let after = ts("2026-03-10T19:00:00Z");
    assert!(reminders.first_time(&s.tom.user, &soon[0].item, after));
    assert_eq!(reminders.len(), 1);
}

/// The SUMMARY of every event in an iCalendar text, read by an
/// independent parser.
fn summaries(text: &str) -> Vec<String> {
    let mut calendars = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let calendar = calendars.next().expect("one calendar").expect("it parses");
    calendar
        .events
        .iter()
        .filter_map(|ev| {
            ev.properties
                .iter()
                .find(|p| p.name == "SUMMARY")
                .and_then(|p| p.value.clone())
        })
        .collect()
}

#[tokio::test]
async fn a_calendar_feed_url_shows_what_its_owner_sees_now_and_dies_when_renewed() {
    let s = setup().await;
    let k = &s.w.copkit;
    k.schedule_event(&s.helen, &s.space, fortnightly(3))
        .await
        .unwrap();
    // A restricted room's event: only moderators see it.
    let room = moderators_room(&s, "Moderators").await;
    k.schedule_event(
        &s.helen,
        &room.id,
        EventInput {
            title: "Planning".into(),
            recurrence: None,
            ..fortnightly(1)
        },
    )
    .await
    .unwrap();

    let toms = k.renew_calendar_feed(&s.tom).await.unwrap();
    let helens = k.renew_calendar_feed(&s.helen).await.unwrap();
    assert_ne!(toms.token, helens.token);
    let tom_sees = summaries(&k.calendar_feed_by_token(&toms.token).await.unwrap());
    assert_eq!(tom_sees, vec!["ST3 small group"; 3]);
    let helen_sees = summaries(&k.calendar_feed_by_token(&helens.token).await.unwrap());
    assert_eq!(helen_sees.len(), 4);
    assert!(helen_sees.contains(&"Planning".to_owned()));

    // An outsider's feed is empty; unknown tokens are not found.
    let outsider = k.renew_calendar_feed(&actor("olga")).await.unwrap();
    assert!(summaries(&k.calendar_feed_by_token(&outsider.token).await.unwrap()).is_empty());
    for unknown in ["", "not-a-token", &"x".repeat(300)] {
        assert!(matches!(
            k.calendar_feed_by_token(unknown).await,
            Err(Error::NotFound)
        ));
    }

    // Renewing revokes the old URL.
    let renewed = k.renew_calendar_feed(&s.tom).await.unwrap();
    assert!(matches!(
        k.calendar_feed_by_token(&toms.token).await,
        Err(Error::NotFound)
    ));
    assert_eq!(
        summaries(&k.calendar_feed_by_token(&renewed.token).await.unwrap()).len(),
        3
    );

    // Removed from the community, Tom's feed goes empty at once.
    k.remove_member(&s.helen, &s.c, &s.tom.user).await.unwrap();
    assert!(summaries(&k.calendar_feed_by_token(&renewed.token).await.unwrap()).is_empty());

    // Stopping the feed revokes it; erasure forgets it.
    k.stop_calendar_feed(&s.tom).await.unwrap();
    assert!(matches!(
        k.calendar_feed_by_token(&renewed.token).await,
        Err(Error::NotFound)
    ));
    k.stop_calendar_feed(&s.tom).await.unwrap();
    let mia = k.renew_calendar_feed(&s.mia).await.unwrap();
    k.erase_my_account(&s.mia).await.unwrap();
    assert!(matches!(
        k.calendar_feed_by_token(&mia.token).await,
        Err(Error::NotFound)
    ));
    assert_eq!(
        k.store().get_calendar_feed(&s.mia.user).await.unwrap(),
        None
    );
}
