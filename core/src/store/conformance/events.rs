//! Events, RSVPs, tallies and attendance.

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use super::fixtures::*;
use crate::ids::UserId;
use crate::model::{Attendance, Event, Rsvp, RsvpResponse, RsvpTally};
use crate::store::{ConditionFailure, EventOp, Expect, Range, Store};

pub async fn events_rsvps_tallies_and_attendance<S: Store + ?Sized>(store: &S) {
    let s = space_in_new_community(store, "Events").await;
    let e = event(&s, Some(2));
    let other = event(&s, None);
    for ev in [&e, &other] {
        commit(
            store,
            vec![
                EventOp::PutEvent {
                    event: ev.clone(),
                    expect: Expect::Absent,
                }
                .into(),
            ],
        )
        .await
        .unwrap();
    }
    let listed = drain(
        1,
        |r| async move { store.list_events(&s.community, &r).await },
    )
    .await;
    let mut want = vec![e.id, other.id];
    want.sort();
    assert_eq!(listed.iter().map(|e| e.id).collect::<Vec<_>>(), want);
    let moved = Event {
        title: "Moved".into(),
        version: 2,
        ..e.clone()
    };
    commit(
        store,
        vec![
            EventOp::PutEvent {
                event: moved.clone(),
                expect: Expect::Version(1),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let stale = commit(
        store,
        vec![
            EventOp::PutEvent {
                event: moved,
                expect: Expect::Version(1),
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));

    assert_eq!(
        store.get_rsvp_tally(&e.id, OCCURRENCE).await.unwrap(),
        RsvpTally::default()
    );
    let (ann, bob, cat) = (user("ann"), user("bob"), user("cat"));
    commit(
        store,
        vec![
            EventOp::PutRsvp {
                rsvp: rsvp(&e, &ann, RsvpResponse::Going),
                expect: Expect::Absent,
            }
            .into(),
            tally_op(&e, 1, 0, 0),
        ],
    )
    .await
    .unwrap();
    commit(
        store,
        vec![
            EventOp::PutRsvp {
                rsvp: rsvp(&e, &bob, RsvpResponse::Going),
                expect: Expect::Absent,
            }
            .into(),
            tally_op(&e, 1, 0, 0),
        ],
    )
    .await
    .unwrap();
    let full = commit(
        store,
        vec![
            EventOp::PutRsvp {
                rsvp: rsvp(&e, &cat, RsvpResponse::Going),
                expect: Expect::Absent,
            }
            .into(),
            tally_op(&e, 1, 0, 0),
        ],
    )
    .await;
    assert_eq!(failure(full), (1, ConditionFailure::LimitReached));
    assert_eq!(
        store.get_rsvp(&e.id, OCCURRENCE, &cat).await.unwrap(),
        None,
        "nothing written"
    );
    commit(
        store,
        vec![
            EventOp::PutRsvp {
                rsvp: rsvp(&e, &cat, RsvpResponse::Maybe),
                expect: Expect::Absent,
            }
            .into(),
            tally_op(&e, 0, 1, 0),
        ],
    )
    .await
    .unwrap();
    // Ann declines: her place frees up in the same write.
    let declined = Rsvp {
        response: RsvpResponse::Declined,
        version: 2,
        ..rsvp(&e, &ann, RsvpResponse::Declined)
    };
    commit(
        store,
        vec![
            EventOp::PutRsvp {
                rsvp: declined.clone(),
                expect: Expect::Version(1),
            }
            .into(),
            tally_op(&e, -1, 0, 1),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        store.get_rsvp_tally(&e.id, OCCURRENCE).await.unwrap(),
        RsvpTally {
            going: 1,
            maybe: 1,
            declined: 1
        }
    );
    assert_eq!(
        store.get_rsvp(&e.id, OCCURRENCE, &ann).await.unwrap(),
        Some(declined)
    );
    let below = commit(store, vec![tally_op(&e, 0, -2, 0)]).await;
    assert_eq!(failure(below), (0, ConditionFailure::VersionMismatch));
    let mut users = vec![ann.clone(), bob.clone(), cat.clone()];
    users.sort();
    let all = drain(1, |r| async move {
        store.list_rsvps(&e.id, OCCURRENCE, &r).await
    })
    .await;
    assert_eq!(all.into_iter().map(|r| r.user).collect::<Vec<_>>(), users);
    assert!(
        store
            .list_rsvps(&e.id, "2026-09-21T18:30:00", &Range::first(10))
            .await
            .unwrap()
            .items
            .is_empty()
    );

    let moderator = user("mod");
    let record = |u: &UserId, attended| Attendance {
        event: e.id,
        occurrence: OCCURRENCE.into(),
        community: e.community,
        user: u.clone(),
        attended,
        minutes: if attended { 90 } else { 0 },
        recorded_by: moderator.clone(),
        recorded_at: t0(),
    };
    commit(
        store,
        vec![
            EventOp::PutAttendance {
                attendance: record(&bob, false),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    commit(
        store,
        vec![
            EventOp::PutAttendance {
                attendance: record(&bob, true),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    commit(
        store,
        vec![
            EventOp::PutAttendance {
                attendance: record(&cat, false),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let mut want = vec![record(&bob, true), record(&cat, false)];
    want.sort_by(|a, b| a.user.cmp(&b.user));
    assert_eq!(
        store.list_attendance(&e.id, OCCURRENCE).await.unwrap(),
        want
    );
    assert!(
        store
            .list_attendance(&other.id, OCCURRENCE)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn rsvp_capacity_race_never_overbooks<S: Store + ?Sized>(store: &S) {
    let s = space_in_new_community(store, "Capacity").await;
    let e = event(&s, Some(5));
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
    let people: Vec<UserId> = (0..16).map(|i| user(&format!("p{i}"))).collect();
    let attempts = people.iter().map(|u| {
        commit(
            store,
            vec![
                EventOp::PutRsvp {
                    rsvp: rsvp(&e, u, RsvpResponse::Going),
                    expect: Expect::Absent,
                }
                .into(),
                tally_op(&e, 1, 0, 0),
            ],
        )
    });
    let results = futures::future::join_all(attempts).await;
    let going = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(going, 5, "{results:?}");
    assert_eq!(
        store.get_rsvp_tally(&e.id, OCCURRENCE).await.unwrap().going,
        5
    );
    let stored = drain(100, |r| async move {
        store.list_rsvps(&e.id, OCCURRENCE, &r).await
    })
    .await;
    assert_eq!(stored.len(), 5);
}
