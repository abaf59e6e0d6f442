//! The write itself (all or nothing, well-formed, concurrent) and the batched read; list positions.

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use super::fixtures::*;
use crate::ids::ThreadId;
use crate::model::{Ballot, CountDelta, Profile, ReactionKind, Role, RsvpResponse, Visibility};
use crate::store::{
    ActivityOp, CommunityOp, ConditionFailure, DirectoryQuery, DiscussionOp, DocumentOp, EventOp,
    Expect, MemberFilter, Op, PollOp, ProfileOp, Range, SpaceOp, Store, StoreError, Transaction,
    Wanted,
};

pub async fn failed_transactions_write_nothing<S: Store + ?Sized>(store: &S) {
    let c = community("Atomic", Visibility::Private);
    create(store, &c).await;
    let newcomer = user("new");
    let stale_space = space(c.id, "Never");
    let result = commit(
        store,
        vec![
            ProfileOp::PutProfile {
                profile: profile(&newcomer, "New"),
                expect: Expect::Absent,
                previous_handle: None,
            }
            .into(),
            CommunityOp::PutMembership {
                membership: membership(c.id, &newcomer, Role::Member),
                expect: Expect::Absent,
            }
            .into(),
            CommunityOp::AdjustCounts {
                community: c.id,
                delta: CountDelta {
                    members: 1,
                    ..Default::default()
                },
            }
            .into(),
            ActivityOp::RecordActivity {
                activity: activity(c.id, 1),
            }
            .into(),
            SpaceOp::PutSpace {
                space: stale_space.clone(),
                expect: Expect::Version(4),
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(result), (4, ConditionFailure::VersionMismatch));
    assert_eq!(store.get_profile(&newcomer).await.unwrap(), None);
    assert_eq!(store.get_membership(&c.id, &newcomer).await.unwrap(), None);
    assert_eq!(
        store
            .get_community(&c.id)
            .await
            .unwrap()
            .unwrap()
            .counts
            .members,
        1
    );
    assert!(
        store
            .list_activity(&c.id, &Range::first(10))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(store.get_space(&stale_space.id).await.unwrap(), None);
}

pub async fn malformed_transactions_are_rejected<S: Store + ?Sized>(store: &S) {
    let empty = store.commit(Transaction::new()).await;
    assert!(
        matches!(empty, Err(StoreError::InvalidTransaction(_))),
        "{empty:?}"
    );
    let ann = user("ann");
    let twice = commit(
        store,
        vec![
            ProfileOp::PutProfile {
                profile: profile(&ann, "A"),
                expect: Expect::Absent,
                previous_handle: None,
            }
            .into(),
            ProfileOp::PutProfile {
                profile: profile(&ann, "B"),
                expect: Expect::Absent,
                previous_handle: None,
            }
            .into(),
        ],
    )
    .await;
    assert!(
        matches!(twice, Err(StoreError::InvalidTransaction(_))),
        "{twice:?}"
    );
    assert_eq!(store.get_profile(&ann).await.unwrap(), None);
    let too_many: Vec<Op> = (0..=Transaction::MAX_OPS)
        .map(|i| {
            ProfileOp::PutProfile {
                profile: profile(&user(&format!("p{i}")), "P"),
                expect: Expect::Absent,
                previous_handle: None,
            }
            .into()
        })
        .collect();
    let big = commit(store, too_many).await;
    assert!(
        matches!(big, Err(StoreError::InvalidTransaction(_))),
        "{big:?}"
    );
}

pub async fn foreign_positions_are_rejected<S: Store + ?Sized>(store: &S) {
    let c = community("Positions", Visibility::Private);
    create(store, &c).await;
    let junk = Range {
        limit: 5,
        after: Some("\u{0}not a position\u{0}".into()),
    };
    let ann = user("ann");
    assert_eq!(
        store
            .list_directory(&DirectoryQuery::default(), &junk)
            .await
            .err(),
        Some(StoreError::InvalidPosition)
    );
    assert_eq!(
        store
            .list_members(&c.id, MemberFilter::Active, &junk)
            .await
            .err(),
        Some(StoreError::InvalidPosition)
    );
    assert_eq!(
        store.list_user_memberships(&ann, &junk).await.err(),
        Some(StoreError::InvalidPosition)
    );
    assert_eq!(
        store.list_pending_requests(&c.id, &junk).await.err(),
        Some(StoreError::InvalidPosition)
    );
    assert_eq!(
        store.list_invitations(&c.id, &junk).await.err(),
        Some(StoreError::InvalidPosition)
    );
    assert_eq!(
        store.list_activity(&c.id, &junk).await.err(),
        Some(StoreError::InvalidPosition)
    );
}

/// Every item of a chunk comes with the position right after it: a list
/// read again from there continues with the next item (what lets a
/// service end a filtered page at any item it shows).
pub async fn each_item_carries_the_position_after_it<S: Store + ?Sized>(store: &S) {
    let c = community("Item positions", Visibility::Private);
    create(store, &c).await;
    let mut ops: Vec<Op> = Vec::new();
    for i in 0..4 {
        let m = membership(c.id, &user(&format!("p{i}")), Role::Member);
        ops.push(
            CommunityOp::PutMembership {
                membership: m,
                expect: Expect::Absent,
            }
            .into(),
        );
    }
    ops.push(
        CommunityOp::AdjustCounts {
            community: c.id,
            delta: CountDelta {
                members: 4,
                ..CountDelta::default()
            },
        }
        .into(),
    );
    commit(store, ops).await.unwrap();
    let whole = store
        .list_members(&c.id, MemberFilter::Active, &Range::first(100))
        .await
        .unwrap();
    assert_eq!(whole.items.len(), 5);
    assert_eq!(whole.positions.len(), whole.items.len());
    assert_eq!(whole.next, None);
    for (i, position) in whole.positions.iter().enumerate() {
        let rest = store
            .list_members(
                &c.id,
                MemberFilter::Active,
                &Range {
                    limit: 100,
                    after: Some(position.clone()),
                },
            )
            .await
            .unwrap();
        assert_eq!(rest.items, whole.items[i + 1..].to_vec(), "after item {i}");
    }
    let page = store
        .list_members(&c.id, MemberFilter::Active, &Range::first(2))
        .await
        .unwrap();
    assert_eq!(page.positions.len(), 2);
    assert_eq!(page.next.as_ref(), page.positions.last());
}

pub async fn concurrent_versioned_writers_lose_nothing<S: Store + ?Sized>(store: &S) {
    let ann = user("ann");
    commit(
        store,
        vec![
            ProfileOp::PutProfile {
                profile: Profile {
                    organisation: Some(String::new()),
                    ..profile(&ann, "Ann")
                },
                expect: Expect::Absent,
                previous_handle: None,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let writers = 32;
    let work = (0..writers).map(|w| {
        let ann = ann.clone();
        async move {
            let mut conflicts = 0u32;
            loop {
                let current = store.get_profile(&ann).await.unwrap().unwrap();
                let mut org = current.organisation.clone().unwrap_or_default();
                org.push_str(&format!("[{w}]"));
                let next = Profile {
                    organisation: Some(org),
                    version: current.version + 1,
                    ..current.clone()
                };
                match commit(
                    store,
                    vec![
                        ProfileOp::PutProfile {
                            profile: next,
                            expect: Expect::Version(current.version),
                            previous_handle: None,
                        }
                        .into(),
                    ],
                )
                .await
                {
                    Ok(()) => return conflicts,
                    Err(StoreError::Condition {
                        failure: ConditionFailure::VersionMismatch,
                        ..
                    }) => conflicts += 1,
                    Err(e) => panic!("{e:?}"),
                }
                assert!(conflicts < 10_000, "writer {w} starved");
            }
        }
    });
    futures::future::join_all(work).await;
    let done = store.get_profile(&ann).await.unwrap().unwrap();
    assert_eq!(done.version, 1 + writers);
    let org = done.organisation.unwrap();
    for w in 0..writers {
        assert!(org.contains(&format!("[{w}]")), "update of writer {w} lost");
    }
}

pub async fn records_read_together<S: Store + ?Sized>(store: &S) {
    let s = space_in_new_community(store, "Batch").await;
    let t = thread(&s, 0);
    let p = post(&t, None);
    let poll = poll(&s, 2);
    let ev = event(&s, None);
    let d = document(&s, 0);
    let v1 = doc_version(&d, 1);
    let ann = user("ann");
    let ballot = Ballot {
        poll: poll.id,
        user: ann.clone(),
        choices: vec![1],
        cast_at: t0(),
        version: 1,
    };
    let member = membership(s.community, &ann, Role::Member);
    let answer = rsvp(&ev, &ann, RsvpResponse::Going);
    commit(
        store,
        vec![
            DiscussionOp::PutThread {
                thread: t.clone(),
                expect: Expect::Absent,
            }
            .into(),
            DiscussionOp::PutPost {
                post: p.clone(),
                expect: Expect::Absent,
            }
            .into(),
            PollOp::PutPoll {
                poll: poll.clone(),
                expect: Expect::Absent,
            }
            .into(),
            PollOp::PutBallot {
                ballot: ballot.clone(),
                expect: Expect::Absent,
            }
            .into(),
            EventOp::PutEvent {
                event: ev.clone(),
                expect: Expect::Absent,
            }
            .into(),
            EventOp::PutRsvp {
                rsvp: answer.clone(),
                expect: Expect::Absent,
            }
            .into(),
            DocumentOp::PutDocument {
                document: d.clone(),
                expect: Expect::Absent,
            }
            .into(),
            DocumentOp::AddDocumentVersion {
                version: v1.clone(),
            }
            .into(),
            CommunityOp::PutMembership {
                membership: member.clone(),
                expect: Expect::Absent,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let bob = user("bob");
    let mut found = store
        .get_records(&[
            Wanted::Thread(t.id),
            Wanted::Post(p.id),
            Wanted::Poll(poll.id),
            Wanted::Ballot(poll.id, ann.clone()),
            Wanted::Ballot(poll.id, bob.clone()),
            Wanted::Event(ev.id),
            Wanted::Rsvp(ev.id, answer.occurrence.clone(), ann.clone()),
            Wanted::RsvpTally(ev.id, "never".into()),
            Wanted::Document(d.id),
            Wanted::DocumentVersion(d.id, 1),
            Wanted::DocumentVersion(d.id, 2),
            Wanted::Membership(s.community, ann.clone()),
            Wanted::Membership(s.community, bob.clone()),
            Wanted::JoinRequest(s.community, ann.clone()),
            Wanted::Thread(ThreadId(ulid())),
            Wanted::Community(s.community),
            Wanted::Space(s.id),
            Wanted::Grant(s.id, ann.clone()),
            Wanted::Reaction(p.id, ann.clone(), ReactionKind::Like),
        ])
        .await
        .unwrap();
    assert_eq!(found.0.len(), 11, "only the records that exist: {found:?}");
    assert_eq!(found.community().map(|c| c.id), Some(s.community));
    assert_eq!(found.space(), Some(s.clone()));
    assert_eq!(found.grant(), None);
    assert_eq!(found.thread(), Some(t));
    assert_eq!(found.post(), Some(p));
    assert_eq!(found.poll(), Some(poll.clone()));
    assert_eq!(found.ballot(), Some(ballot));
    assert_eq!(found.event(), Some(ev));
    assert_eq!(found.rsvp(), Some(answer));
    assert_eq!(found.document(), Some(d));
    assert_eq!(found.version(), Some(v1));
    assert_eq!(found.membership(), Some(member));
    assert!(found.0.is_empty());
    assert_eq!(found.tally(), None);

    assert!(matches!(
        store
            .get_records(&[Wanted::Poll(poll.id), Wanted::Poll(poll.id)])
            .await,
        Err(StoreError::Internal(_))
    ));
    let too_many: Vec<Wanted> = (0..101).map(|_| Wanted::Thread(ThreadId(ulid()))).collect();
    assert!(matches!(
        store.get_records(&too_many).await,
        Err(StoreError::Internal(_))
    ));
    assert_eq!(store.get_records(&[]).await.unwrap().0, vec![]);
}
