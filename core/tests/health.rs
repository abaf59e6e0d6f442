//! Community health checked against a small community computed by hand.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{World, actor, new_space};
use copkit_core::model::{JoinPolicy, SpaceVisibility, ThreadKind, ValueKind, Visibility};
use copkit_core::service::{
    EventInput, LevelCounts, NewDocument, NewPost, NewThread, NewValueStory, ValueCount,
};
use copkit_core::{Error, Forbidden};
use jiff::SignedDuration;
use jiff::civil::date;

fn thread(kind: ThreadKind, title: &str) -> NewThread {
    NewThread {
        kind,
        title: title.into(),
        body: String::new(),
        tags: vec![],
    }
}

/// A one-hour teaching session in London on `day` at `time`.
fn teaching(day: jiff::civil::Date, time: &str) -> EventInput {
    EventInput {
        title: "Teaching".into(),
        description: String::new(),
        location: None,
        online_url: None,
        time_zone: "Europe/London".into(),
        start_date: day,
        start_time: time.into(),
        duration_minutes: 60,
        recurrence: None,
        capacity: None,
    }
}

fn post(body: &str) -> NewPost {
    NewPost {
        body: body.into(),
        parent: None,
    }
}

#[tokio::test]
async fn health_matches_a_hand_computed_community() {
    let w = World::new(); // Monday 2 March 2026, 09:00 UTC
    let k = &w.copkit;
    let minutes = |m: i64| w.clock.advance(SignedDuration::from_mins(m));
    let (helen, tom, mia) = (actor("helen"), actor("tom"), actor("mia"));
    let c = w
        .community(&helen, "st3", Visibility::Private, JoinPolicy::InviteOnly)
        .await;
    w.add_member(&helen, &c, &tom).await; // joins: helen (founder), tom, mia
    w.add_member(&helen, &c, &mia).await;
    let space = k
        .create_space(&helen, &c, new_space("Cases", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;

    // Q1 by Tom, first reply by Mia after 30 minutes (answered in 48 h).
    let q1 = k
        .start_thread(&tom, &space, thread(ThreadKind::Question, "Febrile infant"))
        .await
        .unwrap();
    minutes(30);
    k.add_post(&mia, &q1.id, post("Traffic-light table"))
        .await
        .unwrap();
    // D1 by Tom, only Tom posts in it: no first reply.
    minutes(30);
    let d1 = k
        .start_thread(&tom, &space, thread(ThreadKind::Discussion, "Audit ideas"))
        .await
        .unwrap();
    k.add_post(&tom, &d1.id, post("Starting with lithium"))
        .await
        .unwrap();
    // Q2 by Helen, first reply by Tom 72 hours later (not within 48 h).
    minutes(60);
    let q2 = k
        .start_thread(&helen, &space, thread(ThreadKind::Question, "Rota swaps"))
        .await
        .unwrap();
    let bytes = b"audit template".to_vec();
    k.upload_document(
        &mia,
        &space,
        NewDocument {
            title: "Audit template".into(),
            description: String::new(),
            tags: vec![],
            content_type: "text/plain".into(),
            sha256: None,
            bytes,
        },
    )
    .await
    .unwrap();
    let event = k
        .schedule_event(&helen, &space, teaching(date(2026, 3, 3), "08:00"))
        .await
        .unwrap();
    minutes(72 * 60);
    k.add_post(&tom, &q2.id, post("Ask the practice manager"))
        .await
        .unwrap();
    let occurrence = "2026-03-03T08:00:00";
    k.record_attendance(&helen, &event.id, occurrence, &tom.user, true)
        .await
        .unwrap();
    k.record_attendance(&helen, &event.id, occurrence, &mia.user, false)
        .await
        .unwrap();
    k.tell_value_story(
        &tom,
        &c,
        NewValueStory {
            kind: ValueKind::Applied,
            title: "Lithium recall".into(),
            story: "Monthly now.".into(),
            thread: Some(d1.id),
        },
    )
    .await
    .unwrap();
    k.leave(&mia, &c).await.unwrap(); // leaves: mia

    let report = k
        .community_health(&helen, &c, date(2026, 3, 2), date(2026, 3, 31))
        .await
        .unwrap();
    // Members now: Helen (Core by role) and Tom (2+2+1+1+2 = 8 points: Active).
    assert_eq!(report.members, 2);
    assert_eq!(
        report.members_by_level,
        LevelCounts {
            core: 1,
            active: 1,
            peripheral: 0
        }
    );
    assert_eq!((report.joins, report.leaves), (3, 1));
    // Contributors among current members: Helen (Q2) and Tom; Mia left.
    assert_eq!(report.contributors, 2);
    assert!((report.contributor_share - 1.0).abs() < 1e-9);
    assert_eq!((report.threads, report.replies), (3, 3));
    // First replies: Q1 after 30 min, Q2 after 72 h = 4,320 min; median 2,175.
    assert_eq!(report.median_minutes_to_first_reply, Some(2175));
    assert_eq!(
        (report.questions, report.questions_answered_within_48h),
        (2, 1)
    );
    assert!((report.answered_share - 0.5).abs() < 1e-9);
    assert_eq!(report.documents_added, 1);
    // One occurrence held, one present of two members.
    assert_eq!((report.events_held, report.attendances), (1, 1));
    assert!((report.attendance_rate - 0.5).abs() < 1e-9);
    assert_eq!(report.value_stories, 1);
    assert_eq!(
        report.value_stories_by_kind[2],
        ValueCount {
            kind: ValueKind::Applied,
            count: 1
        }
    );

    // A period before any of it has only its members.
    let before = k
        .community_health(&helen, &c, date(2026, 1, 1), date(2026, 2, 28))
        .await
        .unwrap();
    assert_eq!((before.members, before.threads, before.joins), (2, 0, 0));
    // Members who do not moderate may not see it.
    assert_eq!(
        k.community_health(&tom, &c, date(2026, 3, 2), date(2026, 3, 31))
            .await
            .unwrap_err(),
        Error::Forbidden(Forbidden::ModeratorsOnly)
    );
}

/// Attendance belongs to the occurrence it is for, not to the day it was
/// recorded: a March session recorded in April counts in March (held 1,
/// present 1) and not in April (held 0, present 0); a record corrected from
/// present to absent counts once, as absent.
#[tokio::test]
async fn attendance_counts_with_the_occurrence_it_is_for() {
    let w = World::new(); // Monday 2 March 2026, 09:00 UTC
    let k = &w.copkit;
    let (helen, tom, mia) = (actor("helen"), actor("tom"), actor("mia"));
    let c = w
        .community(&helen, "st3", Visibility::Private, JoinPolicy::InviteOnly)
        .await;
    w.add_member(&helen, &c, &tom).await;
    w.add_member(&helen, &c, &mia).await;
    let space = k
        .create_space(&helen, &c, new_space("Cases", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;
    let event = k
        .schedule_event(&helen, &space, teaching(date(2026, 3, 31), "18:00"))
        .await
        .unwrap();
    // Recorded on 2 April, two days after the session.
    w.clock.advance(SignedDuration::from_hours(31 * 24));
    let occurrence = "2026-03-31T18:00:00";
    k.record_attendance(&helen, &event.id, occurrence, &tom.user, true)
        .await
        .unwrap();
    k.record_attendance(&helen, &event.id, occurrence, &mia.user, true)
        .await
        .unwrap();
    k.record_attendance(&helen, &event.id, occurrence, &mia.user, false)
        .await
        .unwrap();

    let march = k
        .community_health(&helen, &c, date(2026, 3, 1), date(2026, 3, 31))
        .await
        .unwrap();
    assert_eq!((march.events_held, march.attendances), (1, 1));
    assert!((march.attendance_rate - 1.0 / 3.0).abs() < 1e-9);
    let april = k
        .community_health(&helen, &c, date(2026, 4, 1), date(2026, 4, 30))
        .await
        .unwrap();
    assert_eq!((april.events_held, april.attendances), (0, 0));
    assert!(april.attendance_rate.abs() < 1e-9);
}
