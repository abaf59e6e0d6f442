//! The activity record, participation and value stories.

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use jiff::{SignedDuration, Timestamp};

use super::fixtures::*;
use crate::ids::{CommunityId, UserId, ValueStoryId};
use crate::model::{Activity, Attendance, Event, Participation, ValueKind, ValueStory, Visibility};
use crate::store::{ActivityOp, ConditionFailure, EventOp, Expect, Range, Store, Wanted};

pub async fn activity_record_and_list<S: Store + ?Sized>(store: &S) {
    let c = community("Activity", Visibility::Private);
    create(store, &c).await;
    let mut ids = Vec::new();
    for n in 0..5 {
        let a = activity(c.id, n);
        ids.push(a.id);
        commit(
            store,
            vec![ActivityOp::RecordActivity { activity: a }.into()],
        )
        .await
        .unwrap();
    }
    ids.sort();
    ids.reverse();
    for limit in [1, 2, 10] {
        let all = drain(
            limit,
            |r| async move { store.list_activity(&c.id, &r).await },
        )
        .await;
        assert_eq!(
            all.iter().map(|a| a.id).collect::<Vec<_>>(),
            ids,
            "newest first, limit {limit}"
        );
    }
    let first = store
        .list_activity(&c.id, &Range::first(1))
        .await
        .unwrap()
        .items
        .remove(0);
    let dup = commit(
        store,
        vec![ActivityOp::RecordActivity { activity: first }.into()],
    )
    .await;
    assert_eq!(failure(dup), (0, ConditionFailure::AlreadyExists));
    assert!(
        store
            .list_activity(&CommunityId(ulid()), &Range::first(5))
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

/// Participation records: written with versions, read alone or in a
/// batch, and listed when their review is due, earliest first; rewriting a
/// record with a later review takes it off the due list.
pub async fn participation_is_kept_and_reviewed_when_due<S: Store + ?Sized>(store: &S) {
    let c = community("Participation", Visibility::Private);
    create(store, &c).await;
    // Reviews in 1971: nothing else in a shared table is due that early.
    let early = |days: i64| Timestamp::UNIX_EPOCH + SignedDuration::from_hours(24 * (365 + days));
    let record = |label: &str, review: Option<i64>| Participation {
        review_at: review.map(early),
        version: 1,
        ..Participation::new(c.id, user(label))
    };
    let (first, second, idle) = (
        record("first", Some(2)),
        record("second", Some(1)),
        record("idle", None),
    );
    for p in [&first, &second, &idle] {
        commit(
            store,
            vec![
                ActivityOp::PutParticipation {
                    participation: p.clone(),
                    expect: Expect::Absent,
                }
                .into(),
            ],
        )
        .await
        .unwrap();
    }
    assert_eq!(
        store.get_participation(&c.id, &first.user).await.unwrap(),
        Some(first.clone())
    );
    let mine = |due: Vec<Participation>| -> Vec<UserId> {
        due.into_iter()
            .filter(|p| p.community == c.id)
            .map(|p| p.user)
            .collect()
    };
    assert_eq!(
        mine(store.participation_due(early(3), 100).await.unwrap()),
        vec![second.user.clone(), first.user.clone()]
    );
    assert_eq!(store.participation_due(early(3), 1).await.unwrap().len(), 1);
    assert!(mine(store.participation_due(early(0), 100).await.unwrap()).is_empty());

    let later = Participation {
        review_at: Some(early(200)),
        version: 2,
        ..second.clone()
    };
    commit(
        store,
        vec![
            ActivityOp::PutParticipation {
                participation: later.clone(),
                expect: Expect::Version(1),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        mine(store.participation_due(early(3), 100).await.unwrap()),
        vec![first.user.clone()]
    );
    let stale = commit(
        store,
        vec![
            ActivityOp::PutParticipation {
                participation: later.clone(),
                expect: Expect::Version(1),
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));
    let mut found = store
        .get_records(&[Wanted::Participation(c.id, later.user.clone())])
        .await
        .unwrap();
    assert_eq!(found.participation(), Some(later));
}

/// Value stories: listed per community and per author, newest first,
/// written with versions.
pub async fn value_stories_list_by_community_and_author<S: Store + ?Sized>(store: &S) {
    let c = community("Stories", Visibility::Private);
    create(store, &c).await;
    let (ann, bob) = (
        user(&format!("ann-{}", unique())),
        user(&format!("bob-{}", unique())),
    );
    let mut stories = Vec::new();
    for (n, author) in [&ann, &bob, &ann].into_iter().enumerate() {
        let story = ValueStory {
            id: ValueStoryId(ulid()),
            community: c.id,
            author: author.clone(),
            kind: ValueKind::ALL[n],
            title: format!("Story {n}"),
            story: "We changed our recall process.".into(),
            thread: None,
            created_at: t0(),
            version: 1,
        };
        commit(
            store,
            vec![
                ActivityOp::PutValueStory {
                    story: story.clone(),
                    expect: Expect::Absent,
                }
                .into(),
            ],
        )
        .await
        .unwrap();
        stories.push(story);
    }
    for limit in [1, 2, 10] {
        let listed = drain(limit, |r| async move {
            store.list_value_stories(&c.id, &r).await
        })
        .await;
        assert_eq!(
            listed.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![stories[2].id, stories[1].id, stories[0].id],
            "limit {limit}"
        );
        let anns = drain(limit, |r| {
            let ann = ann.clone();
            async move { store.list_user_value_stories(&ann, &r).await }
        })
        .await;
        assert_eq!(
            anns.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![stories[2].id, stories[0].id]
        );
    }
    let stale = commit(
        store,
        vec![
            ActivityOp::PutValueStory {
                story: stories[0].clone(),
                expect: Expect::Absent,
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(stale), (0, ConditionFailure::AlreadyExists));
}

/// What one person did and attended, across communities, newest first;
/// re-recorded attendance moves to its new time and is listed once.
pub async fn people_list_their_own_activity_and_attendance<S: Store + ?Sized>(store: &S) {
    let s = space_in_new_community(store, "Mine").await;
    let me = user(&format!("me-{}", unique()));
    let mut mine = Vec::new();
    for n in 0..3 {
        let a = Activity {
            actor: me.clone(),
            ..activity(s.community, n)
        };
        mine.push(a.id);
        commit(
            store,
            vec![ActivityOp::RecordActivity { activity: a }.into()],
        )
        .await
        .unwrap();
    }
    commit(
        store,
        vec![
            ActivityOp::RecordActivity {
                activity: activity(s.community, 9),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    mine.reverse();
    for limit in [1, 2, 10] {
        let listed = drain(limit, |r| {
            let me = me.clone();
            async move { store.list_user_activity(&me, &r).await }
        })
        .await;
        assert_eq!(
            listed.iter().map(|a| a.id).collect::<Vec<_>>(),
            mine,
            "limit {limit}"
        );
    }

    let events: Vec<Event> = (0..3).map(|_| event(&s, None)).collect();
    for e in &events {
        commit(
            store,
            vec![
                EventOp::PutEvent {
                    event: e.clone(),
                    expect: Expect::Absent,
                }
                .into(),
            ],
        )
        .await
        .unwrap();
    }
    let record = |e: &Event, minutes: i64, attended: bool| Attendance {
        event: e.id,
        occurrence: "2026-09-07T18:30:00".into(),
        community: e.community,
        user: me.clone(),
        attended,
        minutes: if attended { 90 } else { 0 },
        recorded_by: user("moderator"),
        recorded_at: t0() + SignedDuration::from_mins(minutes),
    };
    for (e, minutes) in events.iter().zip([1, 2, 3]) {
        commit(
            store,
            vec![
                EventOp::PutAttendance {
                    attendance: record(e, minutes, false),
                }
                .into(),
            ],
        )
        .await
        .unwrap();
    }
    // The first event's record is corrected later: it moves to the front.
    commit(
        store,
        vec![
            EventOp::PutAttendance {
                attendance: record(&events[0], 10, true),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    for limit in [1, 2, 10] {
        let listed = drain(limit, |r| {
            let me = me.clone();
            async move { store.list_user_attendance(&me, &r).await }
        })
        .await;
        assert_eq!(
            listed
                .iter()
                .map(|a| (a.event, a.attended))
                .collect::<Vec<_>>(),
            vec![
                (events[0].id, true),
                (events[2].id, false),
                (events[1].id, false)
            ],
            "limit {limit}"
        );
    }
}
