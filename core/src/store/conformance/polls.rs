//! Polls, ballots and tallies.

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use super::fixtures::*;
use crate::ids::PollId;
use crate::model::{Ballot, Poll};
use crate::store::{ConditionFailure, Expect, PollOp, Store};

pub async fn polls_ballots_and_tallies<S: Store + ?Sized>(store: &S) {
    let s = space_in_new_community(store, "Polls").await;
    let first = poll(&s, 3);
    let second = poll(&s, 2);
    for p in [&first, &second] {
        commit(
            store,
            vec![
                PollOp::PutPoll {
                    poll: p.clone(),
                    expect: Expect::Absent,
                }
                .into(),
            ],
        )
        .await
        .unwrap();
    }
    let listed = drain(1, |r| async move { store.list_polls(&s.id, &r).await }).await;
    let mut want = vec![first.id, second.id];
    want.sort();
    want.reverse();
    assert_eq!(
        listed.iter().map(|p| p.id).collect::<Vec<_>>(),
        want,
        "newest first"
    );

    let ann = user("ann");
    let ballot = Ballot {
        poll: first.id,
        user: ann.clone(),
        choices: vec![0, 2],
        cast_at: t0(),
        version: 1,
    };
    let tally = |deltas: Vec<i64>, voters, now| {
        PollOp::AdjustTally {
            poll: first.id,
            deltas,
            voters,
            now,
        }
        .into()
    };
    commit(
        store,
        vec![
            PollOp::PutBallot {
                ballot: ballot.clone(),
                expect: Expect::Absent,
            }
            .into(),
            tally(vec![1, 0, 1], 1, t0()),
        ],
    )
    .await
    .unwrap();
    let changed = Ballot {
        choices: vec![1],
        version: 2,
        ..ballot.clone()
    };
    commit(
        store,
        vec![
            PollOp::PutBallot {
                ballot: changed.clone(),
                expect: Expect::Version(1),
            }
            .into(),
            tally(vec![-1, 1, -1], 0, t0()),
        ],
    )
    .await
    .unwrap();
    let dup = commit(
        store,
        vec![
            PollOp::PutBallot {
                ballot: ballot.clone(),
                expect: Expect::Absent,
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(dup), (0, ConditionFailure::AlreadyExists));
    assert_eq!(
        store.get_ballot(&first.id, &ann).await.unwrap(),
        Some(changed)
    );
    let stored = store.get_poll(&first.id).await.unwrap().unwrap();
    assert_eq!((stored.tally.clone(), stored.voters), (vec![0, 1, 0], 1));

    // Replacing the question keeps the tally; closed polls take no votes.
    let renamed = Poll {
        question: "Renamed".into(),
        tally: vec![0, 0, 0],
        voters: 0,
        version: 2,
        ..first.clone()
    };
    commit(
        store,
        vec![
            PollOp::PutPoll {
                poll: renamed,
                expect: Expect::Version(1),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let stored = store.get_poll(&first.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.question.as_str(), stored.tally.clone()),
        ("Renamed", vec![0, 1, 0])
    );
    let late = commit(store, vec![tally(vec![1, 0, 0], 1, first.closes_at)]).await;
    assert_eq!(failure(late), (0, ConditionFailure::Closed));
    let wrong = commit(store, vec![tally(vec![1, 0], 1, t0())]).await;
    assert_eq!(failure(wrong), (0, ConditionFailure::VersionMismatch));
    let negative = commit(store, vec![tally(vec![-1, 0, 0], 0, t0())]).await;
    assert_eq!(failure(negative), (0, ConditionFailure::VersionMismatch));
    assert_eq!(store.get_ballot(&second.id, &ann).await.unwrap(), None);
    assert_eq!(store.get_poll(&PollId(ulid())).await.unwrap(), None);

    // A poll's ballots list by user id, apart from other polls' ballots;
    // a forgotten ballot leaves the list.
    let mut ballots = vec![Ballot {
        version: 2,
        choices: vec![1],
        ..ballot.clone()
    }];
    let (bob, cat, dan, eve) = (user("bob"), user("cat"), user("dan"), user("eve"));
    for (poll, voter) in [
        (&first, &cat),
        (&first, &bob),
        (&second, &dan),
        (&first, &eve),
    ] {
        let b = Ballot {
            poll: poll.id,
            user: voter.clone(),
            version: 1,
            ..ballot.clone()
        };
        commit(
            store,
            vec![
                PollOp::PutBallot {
                    ballot: b.clone(),
                    expect: Expect::Absent,
                }
                .into(),
            ],
        )
        .await
        .unwrap();
        if poll.id == first.id {
            ballots.push(b);
        }
    }
    ballots.sort_by(|a, b| a.user.cmp(&b.user));
    let listed = drain(
        2,
        |r| async move { store.list_ballots(&first.id, &r).await },
    )
    .await;
    assert_eq!(listed, ballots, "the first poll's ballots, by user");
    let other = drain(
        2,
        |r| async move { store.list_ballots(&second.id, &r).await },
    )
    .await;
    assert_eq!(
        other.iter().map(|b| b.user.clone()).collect::<Vec<_>>(),
        vec![dan]
    );
    commit(
        store,
        vec![
            PollOp::ForgetBallot {
                poll: first.id,
                user: bob,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let left = drain(
        10,
        |r| async move { store.list_ballots(&first.id, &r).await },
    )
    .await;
    assert_eq!(left.iter().map(|b| b.user.clone()).collect::<Vec<_>>(), {
        let mut want = vec![ann, cat, eve];
        want.sort();
        want
    });
    let none = drain(10, |r| async move {
        store.list_ballots(&PollId(ulid()), &r).await
    })
    .await;
    assert!(none.is_empty());
}
