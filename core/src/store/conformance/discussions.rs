//! Threads, posts and reactions.

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use jiff::SignedDuration;

use super::fixtures::*;
use crate::ids::{PostId, ThreadId, UserId};
use crate::model::{Post, Reaction, ReactionCounts, ReactionKind, Thread};
use crate::store::{ConditionFailure, DiscussionOp, Expect, Store};

pub async fn threads_order_by_activity_and_keep_their_stats<S: Store + ?Sized>(store: &S) {
    let s = space_in_new_community(store, "Threads").await;
    let a = thread(&s, 1);
    let b = thread(&s, 2);
    let c = thread(&s, 3);
    for t in [&a, &b, &c] {
        commit(
            store,
            vec![
                DiscussionOp::PutThread {
                    thread: t.clone(),
                    expect: Expect::Absent,
                }
                .into(),
            ],
        )
        .await
        .unwrap();
    }
    // A post in `a` makes it the most recently active.
    commit(
        store,
        vec![
            DiscussionOp::TouchThread {
                thread: a.id,
                at: t0() + SignedDuration::from_mins(10),
                posts: 1,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    // Activity never moves backwards.
    commit(
        store,
        vec![
            DiscussionOp::TouchThread {
                thread: a.id,
                at: t0(),
                posts: 1,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    for limit in [1, 2, 10] {
        let all = drain(
            limit,
            |r| async move { store.list_threads(&s.id, &r).await },
        )
        .await;
        assert_eq!(
            all.iter().map(|t| t.id).collect::<Vec<_>>(),
            vec![a.id, c.id, b.id],
            "limit {limit}"
        );
    }
    let stored = store.get_thread(&a.id).await.unwrap().unwrap();
    assert_eq!(stored.post_count, 2);
    assert_eq!(
        stored.last_activity_at,
        t0() + SignedDuration::from_mins(10)
    );

    // Replacing content keeps the store's stats; a stale version fails.
    let edited = Thread {
        title: "Edited".into(),
        pinned: true,
        version: 2,
        last_activity_at: t0(),
        post_count: 0,
        ..a.clone()
    };
    commit(
        store,
        vec![
            DiscussionOp::PutThread {
                thread: edited.clone(),
                expect: Expect::Version(1),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let stored = store.get_thread(&a.id).await.unwrap().unwrap();
    assert_eq!((stored.title.as_str(), stored.post_count), ("Edited", 2));
    assert_eq!(
        stored.last_activity_at,
        t0() + SignedDuration::from_mins(10)
    );
    let stale = commit(
        store,
        vec![
            DiscussionOp::PutThread {
                thread: edited,
                expect: Expect::Version(1),
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));
    assert_eq!(
        store
            .list_pinned_threads(&s.id)
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect::<Vec<_>>(),
        vec![a.id]
    );

    // Locked and deleted threads take no posts; deleted ones leave the list.
    let locked = Thread {
        locked: true,
        version: 2,
        ..b.clone()
    };
    commit(
        store,
        vec![
            DiscussionOp::PutThread {
                thread: locked,
                expect: Expect::Version(1),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let refused = commit(
        store,
        vec![
            DiscussionOp::TouchThread {
                thread: b.id,
                at: t0(),
                posts: 1,
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(refused), (0, ConditionFailure::Closed));
    let deleted = Thread {
        deleted_at: Some(t0()),
        version: 2,
        ..c.clone()
    };
    commit(
        store,
        vec![
            DiscussionOp::PutThread {
                thread: deleted,
                expect: Expect::Version(1),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let refused = commit(
        store,
        vec![
            DiscussionOp::TouchThread {
                thread: c.id,
                at: t0(),
                posts: 1,
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(refused), (0, ConditionFailure::Closed));
    let listed = drain(10, |r| async move { store.list_threads(&s.id, &r).await }).await;
    assert_eq!(
        listed.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![a.id, b.id]
    );
    let missing = commit(
        store,
        vec![
            DiscussionOp::TouchThread {
                thread: ThreadId(ulid()),
                at: t0(),
                posts: 1,
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(missing), (0, ConditionFailure::VersionMismatch));
    assert_eq!(store.get_thread(&ThreadId(ulid())).await.unwrap(), None);
}

/// Threads active within one millisecond (clocks are finer than that)
/// page in one order, none lost or repeated, whatever the page size.
pub async fn threads_sharing_a_millisecond_page_without_loss<S: Store + ?Sized>(store: &S) {
    let s = space_in_new_community(store, "Busy").await;
    let mut ids = Vec::new();
    for n in 0..6_i64 {
        let mut t = thread(&s, 0);
        // 750, 600 ... 0 µs after t0, all in one millisecond: later ids are
        // earlier in it, so ordering by the finer instant disagrees with the
        // (millisecond, id) positions.
        t.last_activity_at = t0() + SignedDuration::from_micros(150 * (5 - n));
        t.created_at = t.last_activity_at;
        ids.push(t.id);
        commit(
            store,
            vec![
                DiscussionOp::PutThread {
                    thread: t,
                    expect: Expect::Absent,
                }
                .into(),
            ],
        )
        .await
        .unwrap();
    }
    ids.sort();
    let whole = drain(100, |r| async move { store.list_threads(&s.id, &r).await }).await;
    for limit in [1, 2, 4] {
        let paged = drain(
            limit,
            |r| async move { store.list_threads(&s.id, &r).await },
        )
        .await;
        assert_eq!(
            paged.iter().map(|t| t.id).collect::<Vec<_>>(),
            whole.iter().map(|t| t.id).collect::<Vec<_>>(),
            "limit {limit}"
        );
    }
    let mut seen: Vec<_> = whole.iter().map(|t| t.id).collect();
    seen.sort();
    assert_eq!(seen, ids);
}

pub async fn posts_and_reactions_count_once<S: Store + ?Sized>(store: &S) {
    let s = space_in_new_community(store, "Posts").await;
    let t = thread(&s, 0);
    commit(
        store,
        vec![
            DiscussionOp::PutThread {
                thread: t.clone(),
                expect: Expect::Absent,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let first = post(&t, None);
    let reply = post(&t, Some(first.id));
    let second = post(&t, None);
    for p in [&first, &reply, &second] {
        commit(
            store,
            vec![
                DiscussionOp::PutPost {
                    post: p.clone(),
                    expect: Expect::Absent,
                }
                .into(),
                DiscussionOp::TouchThread {
                    thread: t.id,
                    at: t0(),
                    posts: 1,
                }
                .into(),
            ],
        )
        .await
        .unwrap();
    }
    for limit in [1, 2, 10] {
        let all = drain(limit, |r| async move { store.list_posts(&t.id, &r).await }).await;
        assert_eq!(
            all.iter().map(|p| p.id).collect::<Vec<_>>(),
            vec![first.id, reply.id, second.id],
            "limit {limit}"
        );
    }
    assert_eq!(
        store.get_thread(&t.id).await.unwrap().unwrap().post_count,
        3
    );

    let ann = user("ann");
    let bob = user("bob");
    let react = |u: &UserId, kind| {
        DiscussionOp::AddReaction {
            reaction: Reaction {
                post: first.id,
                user: u.clone(),
                kind,
                at: t0(),
            },
        }
        .into()
    };
    commit(store, vec![react(&ann, ReactionKind::Like)])
        .await
        .unwrap();
    commit(store, vec![react(&ann, ReactionKind::Insightful)])
        .await
        .unwrap();
    commit(store, vec![react(&bob, ReactionKind::Like)])
        .await
        .unwrap();
    let twice = commit(store, vec![react(&ann, ReactionKind::Like)]).await;
    assert_eq!(failure(twice), (0, ConditionFailure::AlreadyExists));
    let counts = store.get_post(&first.id).await.unwrap().unwrap().reactions;
    assert_eq!(
        counts,
        ReactionCounts {
            like: 2,
            thanks: 0,
            insightful: 1
        }
    );
    let mut mine = store.get_reactions(&first.id, &ann).await.unwrap();
    mine.sort();
    assert_eq!(mine, vec![ReactionKind::Like, ReactionKind::Insightful]);

    // Editing the text keeps the counts; removing counts down once.
    let edited = Post {
        body: "Edited".into(),
        version: 2,
        reactions: ReactionCounts::default(),
        ..first.clone()
    };
    commit(
        store,
        vec![
            DiscussionOp::PutPost {
                post: edited,
                expect: Expect::Version(1),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    commit(
        store,
        vec![
            DiscussionOp::RemoveReaction {
                post: first.id,
                user: ann.clone(),
                kind: ReactionKind::Like,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let again = commit(
        store,
        vec![
            DiscussionOp::RemoveReaction {
                post: first.id,
                user: ann.clone(),
                kind: ReactionKind::Like,
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(again), (0, ConditionFailure::VersionMismatch));
    let stored = store.get_post(&first.id).await.unwrap().unwrap();
    assert_eq!(stored.body, "Edited");
    assert_eq!(
        stored.reactions,
        ReactionCounts {
            like: 1,
            thanks: 0,
            insightful: 1
        }
    );
    let stale = commit(
        store,
        vec![
            DiscussionOp::PutPost {
                post: first.clone(),
                expect: Expect::Version(1),
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));
    let orphan = DiscussionOp::AddReaction {
        reaction: Reaction {
            post: PostId(ulid()),
            user: ann.clone(),
            kind: ReactionKind::Thanks,
            at: t0(),
        },
    }
    .into();
    assert_eq!(
        failure(commit(store, vec![orphan]).await),
        (0, ConditionFailure::VersionMismatch)
    );
    assert_eq!(store.get_post(&PostId(ulid())).await.unwrap(), None);
}
