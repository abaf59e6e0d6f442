//! The store conformance suite: generic async checks every [`Store`] must
//! pass, and [`store_conformance_suite!`](crate::store_conformance_suite)
//! which turns them into one `#[tokio::test]` each.
//!
//! Every check creates its own uniquely named data, so several checks may
//! share one database (as they do against DynamoDB).
//!
//! ```ignore
//! copkit_core::store_conformance_suite!(copkit_core::MemoryStore::new());
//! ```

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};

use super::{
    AccessFacts, ConditionFailure, DirectoryQuery, Expect, Forgotten, MemberFilter, Op, Range,
    Store, StoreError, Transaction, Wanted,
};
use crate::clock::{IdSource, RandomIds};
use crate::ids::{
    ActivityId, CommunityId, DocumentId, EventId, InvitationId, MailId, ModerationId, PollId,
    PostId, ReportId, SpaceId, ThreadId, UserId, ValueStoryId,
};
use crate::model::{
    Activity, ActivityKind, Attendance, Ballot, Community, CommunityCounts, CommunityKind,
    ContentRef, CountDelta, Digest, DigestFrequency, DigestPreference, DigestSchedule, Document,
    DocumentVersion, Event, Handle, Invitation, InvitationTarget, InvitedRole, JoinPolicy,
    JoinRequest, Mail, Membership, MembershipStatus, ModerationAction, ModerationEntry,
    ModerationSubject, Participation, ParticipationLevel, Poll, Post, Profile, Reaction,
    ReactionCounts, ReactionKind, Report, ReportReason, ReportStatus, RequestStatus, Resolution,
    ResultsVisibility, Role, Rsvp, RsvpResponse, RsvpTally, Slug, Space, SpaceGrant,
    SpaceVisibility, Thread, ThreadKind, TokenHash, ValueKind, ValueStory, Visibility,
};

/// Turns every check of the suite into a `#[tokio::test]`.
///
/// `store_conformance_suite!(expr)` evaluates `expr` (which may `.await`) once
/// per test to get a store.
///
/// `store_conformance_suite!(ignore = "why", expr)` marks every test
/// `#[ignore = "why"]`, so a plain `cargo test` lists them as ignored with
/// the reason (never as passed); `cargo test -- --include-ignored` runs
/// them, and `expr` should then panic with a clear message when the store it
/// needs is not configured.
#[macro_export]
macro_rules! store_conformance_suite {
    (ignore = $reason:literal, $make:expr) => {
        $crate::store_conformance_suite!(@with [#[ignore = $reason]] $make);
    };
    ($make:expr) => {
        $crate::store_conformance_suite!(@with [] $make);
    };
    (@with $attrs:tt $make:expr) => {
        $crate::__conformance_tests!($attrs $make;
            profiles_put_get_and_version,
            communities_create_and_read,
            slugs_are_unique,
            community_update_moves_the_slug,
            counts_guard_the_last_owner_and_limits,
            failed_transactions_write_nothing,
            malformed_transactions_are_rejected,
            memberships_put_get_and_version,
            roster_lists_by_role_and_pages,
            user_memberships_list_active_and_page,
            access_facts_read_together,
            directory_lists_only_listed_by_name,
            join_requests_and_pending_list,
            invitations_create_read_list_revoke,
            invitation_use_respects_every_limit,
            single_use_invitation_race_has_one_winner,
            spaces_put_get_list,
            grants_put_list_delete,
            activity_record_and_list,
            foreign_positions_are_rejected,
            concurrent_versioned_writers_lose_nothing,
            handles_are_unique_and_move,
            threads_order_by_activity_and_keep_their_stats,
            threads_sharing_a_millisecond_page_without_loss,
            participation_is_kept_and_reviewed_when_due,
            digest_schedules_come_due_and_the_outbox_lists,
            reports_queue_by_status_and_the_log_lists_newest_first,
            erasure_anonymises_and_forgets,
            roster_lists_by_level,
            value_stories_list_by_community_and_author,
            people_list_their_own_activity_and_attendance,
            posts_and_reactions_count_once,
            documents_and_their_versions,
            events_rsvps_tallies_and_attendance,
            rsvp_capacity_race_never_overbooks,
            polls_ballots_and_tallies,
            records_read_together,
        );
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_tests {
    ($attrs:tt $make:expr; $($name:ident),* $(,)?) => {
        $(
            $crate::__conformance_test!($attrs $make; $name);
        )*
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_test {
    ([$($attrs:tt)*] $make:expr; $name:ident) => {
        #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $($attrs)*
        async fn $name() {
            let store = $make;
            $crate::store::conformance::$name(&store).await;
        }
    };
}

// ---------------------------------------------------------------- fixtures

/// A fixed instant the suite's records are stamped with.
pub fn t0() -> Timestamp {
    Timestamp::from_second(1_767_225_600).unwrap() // 2026-01-01T00:00:00Z
}

/// A fresh ULID; ids made later sort later (as they do in production, where
/// the clock moves), with random bits so concurrent test runs never collide.
fn ulid() -> ulid::Ulid {
    static TICK: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
    let tick = TICK.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    RandomIds.ulid(Timestamp::now() + SignedDuration::from_millis(tick))
}

/// A unique token for names and slugs in this run.
pub fn unique() -> String {
    ulid().to_string().to_lowercase()
}

/// A unique user id.
pub fn user(label: &str) -> UserId {
    UserId::new(format!("{label}-{}", unique())).unwrap()
}

/// A community record with a unique slug.
pub fn community(name: &str, visibility: Visibility) -> Community {
    Community {
        id: CommunityId(ulid()),
        slug: Slug::new(&format!("c-{}", unique())).unwrap(),
        name: name.to_owned(),
        purpose: "Learning together".into(),
        kind: CommunityKind::TrainingGroup,
        visibility,
        join_policy: if visibility == Visibility::Secret {
            JoinPolicy::InviteOnly
        } else {
            JoinPolicy::Approval
        },
        join_question: None,
        created_by: user("founder"),
        created_at: t0(),
        updated_at: t0(),
        version: 1,
        counts: CommunityCounts {
            members: 1,
            guests: 0,
            owners: 1,
            spaces: 0,
        },
        level_rules: Default::default(),
    }
}

/// An active membership record.
pub fn membership(community: CommunityId, user: &UserId, role: Role) -> Membership {
    Membership {
        community,
        user: user.clone(),
        role,
        status: MembershipStatus::Active,
        level: Membership::default_level(role),
        joined_at: t0(),
        updated_at: t0(),
        version: 1,
    }
}

fn profile(user: &UserId, name: &str) -> Profile {
    Profile {
        user: user.clone(),
        display_name: name.into(),
        handle: None,
        professional_role: Some("GP trainee".into()),
        organisation: None,
        created_at: t0(),
        updated_at: t0(),
        version: 1,
    }
}

fn space(community: CommunityId, name: &str) -> Space {
    Space {
        id: SpaceId(ulid()),
        community,
        name: name.into(),
        description: String::new(),
        visibility: SpaceVisibility::Members,
        archived_at: None,
        created_by: user("mod"),
        created_at: t0(),
        updated_at: t0(),
        version: 1,
    }
}

fn invitation(community: CommunityId, max_uses: u32) -> (Invitation, String) {
    let token = format!("tok-{}", unique());
    let i = Invitation {
        id: InvitationId(ulid()),
        community,
        target: InvitationTarget::Link,
        role: InvitedRole::Member,
        guest_spaces: vec![],
        token_hash: TokenHash::of(&token),
        created_by: user("mod"),
        created_at: t0(),
        expires_at: t0() + SignedDuration::from_hours(24),
        max_uses,
        uses: 0,
        revoked_at: None,
        version: 1,
    };
    (i, token)
}

fn activity(community: CommunityId, n: u32) -> Activity {
    Activity {
        id: ActivityId(ulid()),
        community,
        space: None,
        actor: UserId::new(format!("actor-{n}")).unwrap(),
        at: t0(),
        kind: ActivityKind::CommunityUpdated,
    }
}

async fn commit<S: Store + ?Sized>(store: &S, ops: Vec<Op>) -> Result<(), StoreError> {
    let mut tx = Transaction::new();
    for op in ops {
        tx.push(op);
    }
    store.commit(tx).await
}

async fn create<S: Store + ?Sized>(store: &S, c: &Community) -> Membership {
    let owner = membership(c.id, &c.created_by, Role::Owner);
    commit(
        store,
        vec![
            Op::CreateCommunity {
                community: c.clone(),
            },
            Op::PutMembership {
                membership: owner.clone(),
                expect: Expect::Absent,
            },
        ],
    )
    .await
    .unwrap();
    owner
}

fn failure(result: Result<(), StoreError>) -> (usize, ConditionFailure) {
    match result {
        Err(StoreError::Condition { op, failure }) => (op, failure),
        other => panic!("expected a condition failure, got {other:?}"),
    }
}

/// Reads a whole list by following positions, checking page sizes.
async fn drain<T, F, Fut>(limit: u32, mut page: F) -> Vec<T>
where
    F: FnMut(Range) -> Fut,
    Fut: std::future::Future<Output = Result<super::Chunk<T>, StoreError>>,
{
    let mut all = Vec::new();
    let mut after = None;
    for _ in 0..1_000 {
        let chunk = page(Range { limit, after }).await.unwrap();
        assert!(
            chunk.items.len() <= limit as usize,
            "page larger than limit"
        );
        let done = chunk.next.is_none();
        if !done {
            assert_eq!(
                chunk.items.len(),
                limit as usize,
                "short page before the end"
            );
        }
        all.extend(chunk.items);
        if done {
            return all;
        }
        after = chunk.next;
    }
    panic!("pagination never ended");
}

// ------------------------------------------------------------------ checks

pub async fn profiles_put_get_and_version<S: Store + ?Sized>(store: &S) {
    let ann = user("ann");
    let bob = user("bob");
    assert_eq!(store.get_profile(&ann).await.unwrap(), None);
    let p = profile(&ann, "Ann");
    commit(
        store,
        vec![Op::PutProfile {
            profile: p.clone(),
            expect: Expect::Absent,
            previous_handle: None,
        }],
    )
    .await
    .unwrap();
    assert_eq!(store.get_profile(&ann).await.unwrap(), Some(p.clone()));

    // Creating again fails; updating with the read version works once.
    let again = commit(
        store,
        vec![Op::PutProfile {
            profile: p.clone(),
            expect: Expect::Absent,
            previous_handle: None,
        }],
    )
    .await;
    assert_eq!(failure(again), (0, ConditionFailure::AlreadyExists));
    let v2 = Profile {
        display_name: "Dr Ann".into(),
        version: 2,
        ..p.clone()
    };
    commit(
        store,
        vec![Op::PutProfile {
            profile: v2.clone(),
            expect: Expect::Version(1),
            previous_handle: None,
        }],
    )
    .await
    .unwrap();
    let stale = commit(
        store,
        vec![Op::PutProfile {
            profile: v2.clone(),
            expect: Expect::Version(1),
            previous_handle: None,
        }],
    )
    .await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));
    let missing = commit(
        store,
        vec![Op::PutProfile {
            profile: profile(&bob, "Bob"),
            expect: Expect::Version(1),
            previous_handle: None,
        }],
    )
    .await;
    assert_eq!(failure(missing), (0, ConditionFailure::VersionMismatch));

    let many = store
        .get_profiles(&[ann.clone(), bob.clone(), ann.clone()])
        .await
        .unwrap();
    assert_eq!(many, vec![v2]);
    assert!(store.get_profiles(&[]).await.unwrap().is_empty());
}

pub async fn communities_create_and_read<S: Store + ?Sized>(store: &S) {
    let a = community("Alpha group", Visibility::Private);
    let b = community("Beta group", Visibility::Secret);
    create(store, &a).await;
    create(store, &b).await;
    assert_eq!(store.get_community(&a.id).await.unwrap(), Some(a.clone()));
    assert_eq!(
        store.get_community_by_slug(&b.slug).await.unwrap(),
        Some(b.clone())
    );
    assert_eq!(
        store.community_id_by_slug(&a.slug).await.unwrap(),
        Some(a.id)
    );
    assert_eq!(
        store
            .community_id_by_slug(&Slug::new(&format!("none-{}", unique())).unwrap())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.get_community(&CommunityId(ulid())).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .get_community_by_slug(&Slug::new(&format!("none-{}", unique())).unwrap())
            .await
            .unwrap(),
        None
    );
    let mut both = store
        .get_communities(&[a.id, b.id, CommunityId(ulid()), a.id])
        .await
        .unwrap();
    both.sort_by_key(|c| c.name.clone());
    assert_eq!(both, vec![a, b]);
}

pub async fn slugs_are_unique<S: Store + ?Sized>(store: &S) {
    let first = community("First", Visibility::Public);
    create(store, &first).await;
    let second = Community {
        id: CommunityId(ulid()),
        slug: first.slug.clone(),
        ..community("Second", Visibility::Public)
    };
    let owner = membership(second.id, &second.created_by, Role::Owner);
    let result = commit(
        store,
        vec![
            Op::PutMembership {
                membership: owner.clone(),
                expect: Expect::Absent,
            },
            Op::CreateCommunity {
                community: second.clone(),
            },
        ],
    )
    .await;
    assert_eq!(failure(result), (1, ConditionFailure::AlreadyExists));
    // Nothing of the failed write is visible.
    assert_eq!(store.get_community(&second.id).await.unwrap(), None);
    assert_eq!(
        store.get_membership(&second.id, &owner.user).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .get_community_by_slug(&first.slug)
            .await
            .unwrap()
            .map(|c| c.id),
        Some(first.id)
    );
}

pub async fn community_update_moves_the_slug<S: Store + ?Sized>(store: &S) {
    let c = community("Movers", Visibility::Private);
    create(store, &c).await;
    let other = community("Others", Visibility::Private);
    create(store, &other).await;

    // Counts change independently of settings.
    commit(
        store,
        vec![Op::AdjustCounts {
            community: c.id,
            delta: CountDelta {
                members: 2,
                ..Default::default()
            },
        }],
    )
    .await
    .unwrap();

    let new_slug = Slug::new(&format!("moved-{}", unique())).unwrap();
    let moved = Community {
        slug: new_slug.clone(),
        name: "Movers renamed".into(),
        version: 2,
        ..c.clone()
    };
    commit(
        store,
        vec![Op::UpdateCommunity {
            community: moved.clone(),
            previous_slug: c.slug.clone(),
            expect_version: 1,
        }],
    )
    .await
    .unwrap();
    let stored = store.get_community(&c.id).await.unwrap().unwrap();
    assert_eq!(stored.name, "Movers renamed");
    assert_eq!(stored.version, 2);
    assert_eq!(stored.counts.members, 3, "settings updates keep the counts");
    assert_eq!(
        store
            .get_community_by_slug(&new_slug)
            .await
            .unwrap()
            .map(|c| c.id),
        Some(c.id)
    );
    assert_eq!(
        store.get_community_by_slug(&c.slug).await.unwrap(),
        None,
        "old slug released"
    );
    assert_eq!(
        store.community_id_by_slug(&new_slug).await.unwrap(),
        Some(c.id)
    );
    assert_eq!(store.community_id_by_slug(&c.slug).await.unwrap(), None);

    // The released slug can be claimed again.
    let reuse = Community {
        id: CommunityId(ulid()),
        slug: c.slug.clone(),
        ..community("Reuse", Visibility::Public)
    };
    create(store, &reuse).await;

    // A stale version, or a taken slug, fails and changes nothing.
    let stale = commit(
        store,
        vec![Op::UpdateCommunity {
            community: Community {
                version: 3,
                ..moved.clone()
            },
            previous_slug: new_slug.clone(),
            expect_version: 1,
        }],
    )
    .await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));
    let taken = commit(
        store,
        vec![Op::UpdateCommunity {
            community: Community {
                slug: other.slug.clone(),
                version: 3,
                ..moved.clone()
            },
            previous_slug: new_slug.clone(),
            expect_version: 2,
        }],
    )
    .await;
    assert_eq!(failure(taken), (0, ConditionFailure::AlreadyExists));
    assert_eq!(
        store.get_community(&c.id).await.unwrap().unwrap().slug,
        new_slug
    );
    assert_eq!(
        store
            .get_community_by_slug(&other.slug)
            .await
            .unwrap()
            .map(|c| c.id),
        Some(other.id)
    );
}

pub async fn counts_guard_the_last_owner_and_limits<S: Store + ?Sized>(store: &S) {
    let c = community("Counted", Visibility::Private);
    create(store, &c).await;
    let delta = |members, owners, spaces| CountDelta {
        members,
        guests: 0,
        owners,
        spaces,
    };

    let last = commit(
        store,
        vec![Op::AdjustCounts {
            community: c.id,
            delta: delta(-1, -1, 0),
        }],
    )
    .await;
    assert_eq!(failure(last), (0, ConditionFailure::LastOwner));

    commit(
        store,
        vec![Op::AdjustCounts {
            community: c.id,
            delta: delta(1, 1, 0),
        }],
    )
    .await
    .unwrap();
    commit(
        store,
        vec![Op::AdjustCounts {
            community: c.id,
            delta: CountDelta {
                guests: 2,
                ..Default::default()
            },
        }],
    )
    .await
    .unwrap();
    commit(
        store,
        vec![Op::AdjustCounts {
            community: c.id,
            delta: delta(-1, -1, 0),
        }],
    )
    .await
    .unwrap();
    let counts = store.get_community(&c.id).await.unwrap().unwrap().counts;
    assert_eq!(
        counts,
        CommunityCounts {
            members: 1,
            guests: 2,
            owners: 1,
            spaces: 0
        }
    );

    let max = i64::from(crate::validate::limits::SPACES_PER_COMMUNITY_MAX);
    commit(
        store,
        vec![Op::AdjustCounts {
            community: c.id,
            delta: delta(0, 0, max),
        }],
    )
    .await
    .unwrap();
    let over = commit(
        store,
        vec![Op::AdjustCounts {
            community: c.id,
            delta: delta(0, 0, 1),
        }],
    )
    .await;
    assert_eq!(failure(over), (0, ConditionFailure::LimitReached));

    let gone = commit(
        store,
        vec![Op::AdjustCounts {
            community: CommunityId(ulid()),
            delta: delta(1, 0, 0),
        }],
    )
    .await;
    assert_eq!(failure(gone), (0, ConditionFailure::VersionMismatch));
}

pub async fn failed_transactions_write_nothing<S: Store + ?Sized>(store: &S) {
    let c = community("Atomic", Visibility::Private);
    create(store, &c).await;
    let newcomer = user("new");
    let stale_space = space(c.id, "Never");
    let result = commit(
        store,
        vec![
            Op::PutProfile {
                profile: profile(&newcomer, "New"),
                expect: Expect::Absent,
                previous_handle: None,
            },
            Op::PutMembership {
                membership: membership(c.id, &newcomer, Role::Member),
                expect: Expect::Absent,
            },
            Op::AdjustCounts {
                community: c.id,
                delta: CountDelta {
                    members: 1,
                    ..Default::default()
                },
            },
            Op::RecordActivity {
                activity: activity(c.id, 1),
            },
            Op::PutSpace {
                space: stale_space.clone(),
                expect: Expect::Version(4),
            },
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
            Op::PutProfile {
                profile: profile(&ann, "A"),
                expect: Expect::Absent,
                previous_handle: None,
            },
            Op::PutProfile {
                profile: profile(&ann, "B"),
                expect: Expect::Absent,
                previous_handle: None,
            },
        ],
    )
    .await;
    assert!(
        matches!(twice, Err(StoreError::InvalidTransaction(_))),
        "{twice:?}"
    );
    assert_eq!(store.get_profile(&ann).await.unwrap(), None);
    let too_many: Vec<Op> = (0..=Transaction::MAX_OPS)
        .map(|i| Op::PutProfile {
            profile: profile(&user(&format!("p{i}")), "P"),
            expect: Expect::Absent,
            previous_handle: None,
        })
        .collect();
    let big = commit(store, too_many).await;
    assert!(
        matches!(big, Err(StoreError::InvalidTransaction(_))),
        "{big:?}"
    );
}

pub async fn memberships_put_get_and_version<S: Store + ?Sized>(store: &S) {
    let c = community("Members", Visibility::Private);
    create(store, &c).await;
    let ann = user("ann");
    let m = membership(c.id, &ann, Role::Member);
    commit(
        store,
        vec![Op::PutMembership {
            membership: m.clone(),
            expect: Expect::Absent,
        }],
    )
    .await
    .unwrap();
    assert_eq!(
        store.get_membership(&c.id, &ann).await.unwrap(),
        Some(m.clone())
    );
    let dup = commit(
        store,
        vec![Op::PutMembership {
            membership: m.clone(),
            expect: Expect::Absent,
        }],
    )
    .await;
    assert_eq!(failure(dup), (0, ConditionFailure::AlreadyExists));
    let banned = Membership {
        status: MembershipStatus::Banned {
            until: Some(t0() + SignedDuration::from_hours(48)),
            reason: "spam".into(),
        },
        version: 2,
        ..m.clone()
    };
    commit(
        store,
        vec![Op::PutMembership {
            membership: banned.clone(),
            expect: Expect::Version(1),
        }],
    )
    .await
    .unwrap();
    assert_eq!(
        store.get_membership(&c.id, &ann).await.unwrap(),
        Some(banned.clone())
    );
    let stale = commit(
        store,
        vec![Op::PutMembership {
            membership: m.clone(),
            expect: Expect::Version(1),
        }],
    )
    .await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));
    assert_eq!(
        store.get_membership(&c.id, &user("nobody")).await.unwrap(),
        None
    );
}

pub async fn roster_lists_by_role_and_pages<S: Store + ?Sized>(store: &S) {
    let c = community("Roster", Visibility::Private);
    let owner = create(store, &c).await;
    let tag = unique();
    let mut expected = vec![(Role::Owner, owner.user.clone())];
    let mut ops = Vec::new();
    for (i, role) in [
        Role::Member,
        Role::Guest,
        Role::Moderator,
        Role::Member,
        Role::Member,
        Role::Guest,
    ]
    .into_iter()
    .enumerate()
    {
        let u = UserId::new(format!("{i}-{tag}")).unwrap();
        expected.push((role, u.clone()));
        ops.push(Op::PutMembership {
            membership: membership(c.id, &u, role),
            expect: Expect::Absent,
        });
    }
    let left = UserId::new(format!("left-{tag}")).unwrap();
    let banned = UserId::new(format!("banned-{tag}")).unwrap();
    ops.push(Op::PutMembership {
        membership: Membership {
            status: MembershipStatus::Left,
            ..membership(c.id, &left, Role::Member)
        },
        expect: Expect::Absent,
    });
    ops.push(Op::PutMembership {
        membership: Membership {
            status: MembershipStatus::Banned {
                until: None,
                reason: "r".into(),
            },
            ..membership(c.id, &banned, Role::Member)
        },
        expect: Expect::Absent,
    });
    commit(store, ops).await.unwrap();
    expected.sort();

    for limit in [1, 2, 3, 100] {
        let all = drain(limit, |r| async move {
            store.list_members(&c.id, MemberFilter::Active, &r).await
        })
        .await;
        let got: Vec<(Role, UserId)> = all.iter().map(|m| (m.role, m.user.clone())).collect();
        assert_eq!(got, expected, "limit {limit}");
    }
    let banned_list = drain(10, |r| async move {
        store.list_members(&c.id, MemberFilter::Banned, &r).await
    })
    .await;
    assert_eq!(
        banned_list
            .iter()
            .map(|m| m.user.clone())
            .collect::<Vec<_>>(),
        vec![banned]
    );
}

pub async fn user_memberships_list_active_and_page<S: Store + ?Sized>(store: &S) {
    let ann = user("ann");
    let mut expected = Vec::new();
    for i in 0..5 {
        let c = community(&format!("Mine {i}"), Visibility::Private);
        create(store, &c).await;
        let status = if i == 2 {
            MembershipStatus::Left
        } else {
            MembershipStatus::Active
        };
        commit(
            store,
            vec![Op::PutMembership {
                membership: Membership {
                    status,
                    ..membership(c.id, &ann, Role::Member)
                },
                expect: Expect::Absent,
            }],
        )
        .await
        .unwrap();
        if i != 2 {
            expected.push(c.id);
        }
    }
    expected.sort();
    for limit in [1, 2, 10] {
        let all = drain(limit, |r| {
            let ann = ann.clone();
            async move { store.list_user_memberships(&ann, &r).await }
        })
        .await;
        assert_eq!(
            all.iter().map(|m| m.community).collect::<Vec<_>>(),
            expected,
            "limit {limit}"
        );
    }
    assert!(
        store
            .list_user_memberships(&user("none"), &Range::first(5))
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

pub async fn access_facts_read_together<S: Store + ?Sized>(store: &S) {
    let c = community("Facts", Visibility::Secret);
    let owner = create(store, &c).await;
    let s = space(c.id, "Room");
    let guest = user("guest");
    let grant = SpaceGrant {
        space: s.id,
        community: c.id,
        user: guest.clone(),
        granted_by: owner.user.clone(),
        granted_at: t0(),
    };
    commit(
        store,
        vec![
            Op::PutSpace {
                space: s.clone(),
                expect: Expect::Absent,
            },
            Op::PutMembership {
                membership: membership(c.id, &guest, Role::Guest),
                expect: Expect::Absent,
            },
            Op::PutGrant {
                grant: grant.clone(),
            },
        ],
    )
    .await
    .unwrap();
    let facts = store
        .access_facts(&c.id, &guest, Some(&s.id))
        .await
        .unwrap();
    assert_eq!(facts.community.map(|c| c.id), Some(c.id));
    assert_eq!(facts.membership.map(|m| m.role), Some(Role::Guest));
    assert_eq!(facts.grant, Some(grant));
    let owner_facts = store.access_facts(&c.id, &owner.user, None).await.unwrap();
    assert_eq!(owner_facts.membership.map(|m| m.role), Some(Role::Owner));
    assert_eq!(owner_facts.grant, None);
    let nobody = store
        .access_facts(&CommunityId(ulid()), &user("x"), Some(&s.id))
        .await
        .unwrap();
    assert_eq!(nobody, AccessFacts::default());
}

pub async fn directory_lists_only_listed_by_name<S: Store + ?Sized>(store: &S) {
    // Names share a prefix unique to this run, so a shared database is fine.
    let tag = format!("Zq{}", unique());
    let names = [
        ("b", Visibility::Public),
        ("a", Visibility::Private),
        ("c", Visibility::Secret),
        ("D", Visibility::Public),
        ("e", Visibility::Private),
    ];
    let mut made = Vec::new();
    for (suffix, vis) in names {
        let mut c = community(&format!("{tag} {suffix}"), vis);
        if suffix == "e" {
            c.kind = CommunityKind::EducatorGroup;
        }
        create(store, &c).await;
        made.push(c);
    }
    let query = DirectoryQuery {
        kind: None,
        name_prefix: Some(tag.to_uppercase()),
    };
    for limit in [1, 2, 10] {
        let all = drain(limit, |r| {
            let q = query.clone();
            async move { store.list_directory(&q, &r).await }
        })
        .await;
        let got: Vec<String> = all.iter().map(|c| c.name.clone()).collect();
        assert_eq!(
            got,
            vec![
                format!("{tag} a"),
                format!("{tag} b"),
                format!("{tag} D"),
                format!("{tag} e")
            ],
            "limit {limit}"
        );
    }
    let educators = store
        .list_directory(
            &DirectoryQuery {
                kind: Some(CommunityKind::EducatorGroup),
                name_prefix: Some(tag.clone()),
            },
            &Range::first(10),
        )
        .await
        .unwrap();
    assert_eq!(
        educators
            .items
            .iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>(),
        vec![format!("{tag} e")]
    );

    // Turning a community Secret takes it out; renaming moves it.
    let b = made[0].clone();
    let hidden = Community {
        visibility: Visibility::Secret,
        join_policy: JoinPolicy::InviteOnly,
        version: 2,
        ..b.clone()
    };
    commit(
        store,
        vec![Op::UpdateCommunity {
            community: hidden,
            previous_slug: b.slug.clone(),
            expect_version: 1,
        }],
    )
    .await
    .unwrap();
    let a = made[1].clone();
    let renamed = Community {
        name: format!("{tag} z"),
        version: 2,
        ..a.clone()
    };
    commit(
        store,
        vec![Op::UpdateCommunity {
            community: renamed,
            previous_slug: a.slug.clone(),
            expect_version: 1,
        }],
    )
    .await
    .unwrap();
    let after = store
        .list_directory(&query, &Range::first(10))
        .await
        .unwrap();
    assert_eq!(
        after
            .items
            .iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>(),
        vec![format!("{tag} D"), format!("{tag} e"), format!("{tag} z")]
    );
}

pub async fn join_requests_and_pending_list<S: Store + ?Sized>(store: &S) {
    let c = community("Requests", Visibility::Private);
    create(store, &c).await;
    let mut users = Vec::new();
    for i in 0..4 {
        let u = user(&format!("r{i}"));
        let r = JoinRequest {
            community: c.id,
            user: u.clone(),
            answer: Some(format!("answer {i}")),
            status: RequestStatus::Pending,
            requested_at: t0() + SignedDuration::from_mins(i64::from(10 - i)),
            version: 1,
        };
        commit(
            store,
            vec![Op::PutJoinRequest {
                request: r,
                expect: Expect::Absent,
            }],
        )
        .await
        .unwrap();
        users.push(u);
    }
    // r3 asked first, r0 last; r1 gets approved and leaves the pending list.
    let r1 = store
        .get_join_request(&c.id, &users[1])
        .await
        .unwrap()
        .unwrap();
    let approved = JoinRequest {
        status: RequestStatus::Approved {
            by: user("mod"),
            at: t0(),
        },
        version: 2,
        ..r1.clone()
    };
    commit(
        store,
        vec![Op::PutJoinRequest {
            request: approved.clone(),
            expect: Expect::Version(1),
        }],
    )
    .await
    .unwrap();
    let stale = commit(
        store,
        vec![Op::PutJoinRequest {
            request: approved.clone(),
            expect: Expect::Version(1),
        }],
    )
    .await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));
    assert_eq!(
        store.get_join_request(&c.id, &users[1]).await.unwrap(),
        Some(approved)
    );

    for limit in [1, 2, 10] {
        let pending = drain(limit, |r| async move {
            store.list_pending_requests(&c.id, &r).await
        })
        .await;
        let got: Vec<UserId> = pending.iter().map(|r| r.user.clone()).collect();
        assert_eq!(
            got,
            vec![users[3].clone(), users[2].clone(), users[0].clone()],
            "limit {limit}"
        );
    }
    assert_eq!(
        store.get_join_request(&c.id, &user("none")).await.unwrap(),
        None
    );
}

pub async fn invitations_create_read_list_revoke<S: Store + ?Sized>(store: &S) {
    let c = community("Invites", Visibility::Secret);
    create(store, &c).await;
    let mut made = Vec::new();
    for _ in 0..3 {
        let (i, token) = invitation(c.id, 5);
        commit(
            store,
            vec![Op::CreateInvitation {
                invitation: i.clone(),
            }],
        )
        .await
        .unwrap();
        made.push((i, token));
    }
    let (first, first_token) = made[0].clone();
    assert_eq!(
        store.get_invitation(&c.id, &first.id).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(
        store
            .get_invitation(&CommunityId(ulid()), &first.id)
            .await
            .unwrap(),
        None,
        "scoped to its community"
    );
    assert_eq!(
        store
            .get_invitation_by_token(&TokenHash::of(&first_token))
            .await
            .unwrap(),
        Some(first.clone())
    );
    assert_eq!(
        store
            .get_invitation_by_token(&TokenHash::of("nope"))
            .await
            .unwrap(),
        None
    );

    // The same token hash cannot be stored twice.
    let clash = Invitation {
        id: InvitationId(ulid()),
        ..first.clone()
    };
    let dup = commit(store, vec![Op::CreateInvitation { invitation: clash }]).await;
    assert_eq!(failure(dup), (0, ConditionFailure::AlreadyExists));

    for limit in [1, 2, 10] {
        let all = drain(
            limit,
            |r| async move { store.list_invitations(&c.id, &r).await },
        )
        .await;
        let mut want: Vec<InvitationId> = made.iter().map(|(i, _)| i.id).collect();
        want.sort();
        want.reverse();
        assert_eq!(
            all.iter().map(|i| i.id).collect::<Vec<_>>(),
            want,
            "newest first, limit {limit}"
        );
    }

    let revoked = Invitation {
        revoked_at: Some(t0()),
        version: 2,
        ..first.clone()
    };
    commit(
        store,
        vec![Op::UpdateInvitation {
            invitation: revoked.clone(),
            expect_version: 1,
        }],
    )
    .await
    .unwrap();
    let stale = commit(
        store,
        vec![Op::UpdateInvitation {
            invitation: revoked.clone(),
            expect_version: 1,
        }],
    )
    .await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));
    assert_eq!(
        store
            .get_invitation_by_token(&TokenHash::of(&first_token))
            .await
            .unwrap(),
        Some(revoked)
    );
}

pub async fn invitation_use_respects_every_limit<S: Store + ?Sized>(store: &S) {
    let c = community("Uses", Visibility::Private);
    create(store, &c).await;
    let consume = |id, now| Op::ConsumeInvitation {
        community: c.id,
        id,
        now,
    };

    let (two, _) = invitation(c.id, 2);
    commit(
        store,
        vec![Op::CreateInvitation {
            invitation: two.clone(),
        }],
    )
    .await
    .unwrap();
    commit(store, vec![consume(two.id, t0())]).await.unwrap();
    commit(store, vec![consume(two.id, t0())]).await.unwrap();
    let third = commit(store, vec![consume(two.id, t0())]).await;
    assert_eq!(failure(third), (0, ConditionFailure::InvitationUnusable));
    let stored = store.get_invitation(&c.id, &two.id).await.unwrap().unwrap();
    assert_eq!(stored.uses, 2);
    assert!(stored.version > two.version, "a use moves the version");

    let (expiring, _) = invitation(c.id, 5);
    commit(
        store,
        vec![Op::CreateInvitation {
            invitation: expiring.clone(),
        }],
    )
    .await
    .unwrap();
    let late = commit(store, vec![consume(expiring.id, expiring.expires_at)]).await;
    assert_eq!(failure(late), (0, ConditionFailure::InvitationUnusable));
    commit(
        store,
        vec![consume(
            expiring.id,
            expiring.expires_at - SignedDuration::from_secs(1),
        )],
    )
    .await
    .unwrap();

    let (revoked, _) = invitation(c.id, 5);
    let revoked = Invitation {
        revoked_at: Some(t0()),
        ..revoked
    };
    commit(
        store,
        vec![Op::CreateInvitation {
            invitation: revoked.clone(),
        }],
    )
    .await
    .unwrap();
    let refused = commit(store, vec![consume(revoked.id, t0())]).await;
    assert_eq!(failure(refused), (0, ConditionFailure::InvitationUnusable));

    let other = community("Elsewhere", Visibility::Private);
    create(store, &other).await;
    let (fresh, _) = invitation(c.id, 5);
    commit(
        store,
        vec![Op::CreateInvitation {
            invitation: fresh.clone(),
        }],
    )
    .await
    .unwrap();
    let wrong = commit(
        store,
        vec![Op::ConsumeInvitation {
            community: other.id,
            id: fresh.id,
            now: t0(),
        }],
    )
    .await;
    assert_eq!(failure(wrong), (0, ConditionFailure::InvitationUnusable));
    let missing = commit(store, vec![consume(InvitationId(ulid()), t0())]).await;
    assert_eq!(failure(missing), (0, ConditionFailure::InvitationUnusable));
}

pub async fn single_use_invitation_race_has_one_winner<S: Store + ?Sized>(store: &S) {
    let c = community("Race", Visibility::Secret);
    create(store, &c).await;
    let (invite, _) = invitation(c.id, 1);
    commit(
        store,
        vec![Op::CreateInvitation {
            invitation: invite.clone(),
        }],
    )
    .await
    .unwrap();
    let racers: Vec<UserId> = (0..16).map(|i| user(&format!("racer{i}"))).collect();
    let attempts = racers.iter().map(|u| {
        let ops = vec![
            Op::ConsumeInvitation {
                community: c.id,
                id: invite.id,
                now: t0(),
            },
            Op::PutMembership {
                membership: membership(c.id, u, Role::Member),
                expect: Expect::Absent,
            },
            Op::AdjustCounts {
                community: c.id,
                delta: CountDelta {
                    members: 1,
                    ..Default::default()
                },
            },
        ];
        commit(store, ops)
    });
    let results = futures::future::join_all(attempts).await;
    let winners = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(winners, 1, "{results:?}");
    for r in results.iter().filter(|r| r.is_err()) {
        assert!(
            matches!(
                r,
                Err(StoreError::Condition {
                    failure: ConditionFailure::InvitationUnusable
                        | ConditionFailure::VersionMismatch,
                    ..
                })
            ),
            "{r:?}"
        );
    }
    let mut joined = 0;
    for u in &racers {
        if store.get_membership(&c.id, u).await.unwrap().is_some() {
            joined += 1;
        }
    }
    assert_eq!(joined, 1);
    assert_eq!(
        store
            .get_invitation(&c.id, &invite.id)
            .await
            .unwrap()
            .unwrap()
            .uses,
        1
    );
    assert_eq!(
        store
            .get_community(&c.id)
            .await
            .unwrap()
            .unwrap()
            .counts
            .members,
        2
    );
}

pub async fn spaces_put_get_list<S: Store + ?Sized>(store: &S) {
    let c = community("Spaces", Visibility::Private);
    create(store, &c).await;
    let mut made = Vec::new();
    for name in ["General", "Core group", "Library"] {
        let s = space(c.id, name);
        commit(
            store,
            vec![Op::PutSpace {
                space: s.clone(),
                expect: Expect::Absent,
            }],
        )
        .await
        .unwrap();
        made.push(s);
    }
    assert_eq!(
        store.get_space(&made[1].id).await.unwrap(),
        Some(made[1].clone())
    );
    assert_eq!(store.get_space(&SpaceId(ulid())).await.unwrap(), None);
    let restricted = Space {
        visibility: SpaceVisibility::Restricted {
            users: vec![user("named")],
            roles: vec![Role::Moderator],
        },
        archived_at: Some(t0()),
        version: 2,
        ..made[1].clone()
    };
    commit(
        store,
        vec![Op::PutSpace {
            space: restricted.clone(),
            expect: Expect::Version(1),
        }],
    )
    .await
    .unwrap();
    let stale = commit(
        store,
        vec![Op::PutSpace {
            space: restricted.clone(),
            expect: Expect::Version(1),
        }],
    )
    .await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));
    let dup = commit(
        store,
        vec![Op::PutSpace {
            space: made[0].clone(),
            expect: Expect::Absent,
        }],
    )
    .await;
    assert_eq!(failure(dup), (0, ConditionFailure::AlreadyExists));
    made[1] = restricted;
    let mut want = made.clone();
    want.sort_by_key(|s| s.id);
    assert_eq!(store.list_spaces(&c.id).await.unwrap(), want);
    assert!(
        store
            .list_spaces(&CommunityId(ulid()))
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn grants_put_list_delete<S: Store + ?Sized>(store: &S) {
    let c = community("Grants", Visibility::Private);
    let owner = create(store, &c).await;
    let s1 = space(c.id, "One");
    let s2 = space(c.id, "Two");
    let guest = user("guest");
    let other = user("other");
    let grant = |s: &Space, u: &UserId| SpaceGrant {
        space: s.id,
        community: c.id,
        user: u.clone(),
        granted_by: owner.user.clone(),
        granted_at: t0(),
    };
    commit(
        store,
        vec![
            Op::PutSpace {
                space: s1.clone(),
                expect: Expect::Absent,
            },
            Op::PutSpace {
                space: s2.clone(),
                expect: Expect::Absent,
            },
            Op::PutGrant {
                grant: grant(&s1, &guest),
            },
            Op::PutGrant {
                grant: grant(&s2, &guest),
            },
            Op::PutGrant {
                grant: grant(&s1, &other),
            },
        ],
    )
    .await
    .unwrap();
    let mine: BTreeSet<SpaceId> = store
        .list_user_grants(&c.id, &guest)
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.space)
        .collect();
    assert_eq!(mine, BTreeSet::from([s1.id, s2.id]));
    let mut in_s1: Vec<UserId> = vec![guest.clone(), other.clone()];
    in_s1.sort();
    assert_eq!(
        store
            .list_space_grants(&s1.id)
            .await
            .unwrap()
            .into_iter()
            .map(|g| g.user)
            .collect::<Vec<_>>(),
        in_s1
    );

    // Putting again is idempotent; deleting twice is harmless.
    commit(
        store,
        vec![Op::PutGrant {
            grant: grant(&s1, &guest),
        }],
    )
    .await
    .unwrap();
    commit(
        store,
        vec![Op::DeleteGrant {
            space: s1.id,
            user: guest.clone(),
        }],
    )
    .await
    .unwrap();
    commit(
        store,
        vec![Op::DeleteGrant {
            space: s1.id,
            user: guest.clone(),
        }],
    )
    .await
    .unwrap();
    let mine: Vec<SpaceId> = store
        .list_user_grants(&c.id, &guest)
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.space)
        .collect();
    assert_eq!(mine, vec![s2.id]);
    assert_eq!(
        store
            .access_facts(&c.id, &guest, Some(&s1.id))
            .await
            .unwrap()
            .grant,
        None
    );
    assert_eq!(
        store
            .list_space_grants(&s1.id)
            .await
            .unwrap()
            .into_iter()
            .map(|g| g.user)
            .collect::<Vec<_>>(),
        vec![other]
    );
}

pub async fn activity_record_and_list<S: Store + ?Sized>(store: &S) {
    let c = community("Activity", Visibility::Private);
    create(store, &c).await;
    let mut ids = Vec::new();
    for n in 0..5 {
        let a = activity(c.id, n);
        ids.push(a.id);
        commit(store, vec![Op::RecordActivity { activity: a }])
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
    let dup = commit(store, vec![Op::RecordActivity { activity: first }]).await;
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

pub async fn concurrent_versioned_writers_lose_nothing<S: Store + ?Sized>(store: &S) {
    let ann = user("ann");
    commit(
        store,
        vec![Op::PutProfile {
            profile: Profile {
                organisation: Some(String::new()),
                ..profile(&ann, "Ann")
            },
            expect: Expect::Absent,
            previous_handle: None,
        }],
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
                    vec![Op::PutProfile {
                        profile: next,
                        expect: Expect::Version(current.version),
                        previous_handle: None,
                    }],
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

// ------------------------------------------------------- resources fixtures

fn thread(space: &Space, minutes: i64) -> Thread {
    let at = t0() + SignedDuration::from_mins(minutes);
    Thread {
        id: ThreadId(ulid()),
        space: space.id,
        community: space.community,
        kind: ThreadKind::Question,
        title: format!("Thread at {minutes}"),
        body: "What do you do when...".into(),
        tags: vec!["prescribing".into()],
        mentions: vec![],
        author: user("author"),
        created_at: at,
        edited_at: None,
        last_activity_at: at,
        post_count: 0,
        pinned: false,
        locked: false,
        accepted_answer: None,
        deleted_at: None,
        version: 1,
    }
}

fn post(t: &Thread, parent: Option<PostId>) -> Post {
    Post {
        id: PostId(ulid()),
        thread: t.id,
        space: t.space,
        community: t.community,
        parent,
        author: user("poster"),
        body: "In my practice we...".into(),
        mentions: vec![],
        reactions: ReactionCounts::default(),
        created_at: t0(),
        edited_at: None,
        deleted_at: None,
        hidden: None,
        version: 1,
    }
}

fn document(space: &Space, minutes: i64) -> Document {
    let at = t0() + SignedDuration::from_mins(minutes);
    Document {
        id: DocumentId(ulid()),
        space: space.id,
        community: space.community,
        title: format!("Doc {minutes}"),
        description: String::new(),
        tags: vec![],
        content_type: "application/pdf".into(),
        size: 3,
        sha256: crate::blob::sha256_hex(b"pdf"),
        current_version: 1,
        created_by: user("uploader"),
        created_at: at,
        updated_at: at,
        deleted_at: None,
        hidden: None,
        version: 1,
    }
}

fn doc_version(d: &Document, number: u32) -> DocumentVersion {
    DocumentVersion {
        document: d.id,
        number,
        content_type: d.content_type.clone(),
        size: d.size,
        sha256: d.sha256.clone(),
        blob_key: format!("documents/{}/v{number}", d.id),
        uploaded_by: d.created_by.clone(),
        uploaded_at: t0(),
        note: String::new(),
    }
}

fn event(space: &Space, capacity: Option<u32>) -> Event {
    Event {
        id: EventId(ulid()),
        space: space.id,
        community: space.community,
        title: "Small group".into(),
        description: String::new(),
        location: Some("Seminar room 2".into()),
        online_url: None,
        time_zone: "Europe/London".into(),
        starts: jiff::civil::date(2026, 9, 7).at(18, 30, 0, 0),
        duration_minutes: 90,
        recurrence: None,
        cancelled: vec![],
        capacity,
        created_by: user("organiser"),
        created_at: t0(),
        updated_at: t0(),
        version: 1,
    }
}

const OCCURRENCE: &str = "2026-09-07T18:30:00";

fn rsvp(e: &Event, u: &UserId, response: RsvpResponse) -> Rsvp {
    Rsvp {
        event: e.id,
        occurrence: OCCURRENCE.into(),
        user: u.clone(),
        response,
        at: t0(),
        version: 1,
    }
}

fn tally_op(e: &Event, going: i64, maybe: i64, declined: i64) -> Op {
    Op::AdjustRsvpTally {
        event: e.id,
        occurrence: OCCURRENCE.into(),
        going,
        maybe,
        declined,
        capacity: e.capacity,
    }
}

fn poll(space: &Space, options: usize) -> Poll {
    Poll {
        id: PollId(ulid()),
        space: space.id,
        community: space.community,
        question: "Next topic?".into(),
        options: (0..options).map(|i| format!("Option {i}")).collect(),
        multiple_choice: true,
        closes_at: t0() + SignedDuration::from_hours(24),
        results: ResultsVisibility::AfterVote,
        created_by: user("asker"),
        created_at: t0(),
        tally: vec![0; options],
        voters: 0,
        version: 1,
    }
}

async fn space_in_new_community<S: Store + ?Sized>(store: &S, name: &str) -> Space {
    let c = community(name, Visibility::Private);
    create(store, &c).await;
    let s = space(c.id, "Room");
    commit(
        store,
        vec![Op::PutSpace {
            space: s.clone(),
            expect: Expect::Absent,
        }],
    )
    .await
    .unwrap();
    s
}

// ------------------------------------------------------- resources checks

pub async fn handles_are_unique_and_move<S: Store + ?Sized>(store: &S) {
    let ann = user("ann");
    let bob = user("bob");
    let h1 = Handle::new(&format!("h{}", &unique()[..20])).unwrap();
    let h2 = Handle::new(&format!("g{}", &unique()[..20])).unwrap();
    let with = |p: Profile, h: Option<Handle>, v: u64| Profile {
        handle: h,
        version: v,
        ..p
    };
    let ann_p = with(profile(&ann, "Ann"), Some(h1.clone()), 1);
    commit(
        store,
        vec![Op::PutProfile {
            profile: ann_p.clone(),
            expect: Expect::Absent,
            previous_handle: None,
        }],
    )
    .await
    .unwrap();
    assert_eq!(
        store
            .get_profile_by_handle(&h1)
            .await
            .unwrap()
            .map(|p| p.user),
        Some(ann.clone())
    );

    let bob_p = with(profile(&bob, "Bob"), Some(h1.clone()), 1);
    let taken = commit(
        store,
        vec![Op::PutProfile {
            profile: bob_p.clone(),
            expect: Expect::Absent,
            previous_handle: None,
        }],
    )
    .await;
    assert_eq!(failure(taken), (0, ConditionFailure::AlreadyExists));
    assert_eq!(
        store.get_profile(&bob).await.unwrap(),
        None,
        "nothing written"
    );

    // Ann moves to h2: h1 is free again, in the same write.
    let moved = with(ann_p.clone(), Some(h2.clone()), 2);
    commit(
        store,
        vec![Op::PutProfile {
            profile: moved,
            expect: Expect::Version(1),
            previous_handle: Some(h1.clone()),
        }],
    )
    .await
    .unwrap();
    assert_eq!(store.get_profile_by_handle(&h1).await.unwrap(), None);
    assert_eq!(
        store
            .get_profile_by_handle(&h2)
            .await
            .unwrap()
            .map(|p| p.user),
        Some(ann.clone())
    );
    commit(
        store,
        vec![Op::PutProfile {
            profile: bob_p,
            expect: Expect::Absent,
            previous_handle: None,
        }],
    )
    .await
    .unwrap();
    assert_eq!(
        store
            .get_profile_by_handle(&h1)
            .await
            .unwrap()
            .map(|p| p.user),
        Some(bob)
    );
    // Keeping one's own handle is no clash.
    let renamed = Profile {
        display_name: "Dr Ann".into(),
        ..with(ann_p, Some(h2.clone()), 3)
    };
    commit(
        store,
        vec![Op::PutProfile {
            profile: renamed,
            expect: Expect::Version(2),
            previous_handle: Some(h2.clone()),
        }],
    )
    .await
    .unwrap();
    assert_eq!(
        store
            .get_profile_by_handle(&h2)
            .await
            .unwrap()
            .map(|p| p.display_name),
        Some("Dr Ann".into())
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
            vec![Op::PutParticipation {
                participation: p.clone(),
                expect: Expect::Absent,
            }],
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
        vec![Op::PutParticipation {
            participation: later.clone(),
            expect: Expect::Version(1),
        }],
    )
    .await
    .unwrap();
    assert_eq!(
        mine(store.participation_due(early(3), 100).await.unwrap()),
        vec![first.user.clone()]
    );
    let stale = commit(
        store,
        vec![Op::PutParticipation {
            participation: later.clone(),
            expect: Expect::Version(1),
        }],
    )
    .await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));
    let mut found = store
        .get_records(&[Wanted::Participation(c.id, later.user.clone())])
        .await
        .unwrap();
    assert_eq!(found.participation(), Some(later));
}

/// Digest schedules: read back, due in order of `next_due` (switched-off
/// ones never), moved by a versioned rewrite; mail: stored once per id and
/// listed per person, newest first, in pages.
pub async fn digest_schedules_come_due_and_the_outbox_lists<S: Store + ?Sized>(store: &S) {
    // Due in 1972: nothing else in a shared table is due that early.
    let early = |days: i64| Timestamp::UNIX_EPOCH + SignedDuration::from_hours(24 * (730 + days));
    let schedule = |label: &str, due: Option<i64>| DigestSchedule {
        user: user(label),
        preference: DigestPreference {
            frequency: if due.is_some() {
                DigestFrequency::Daily
            } else {
                DigestFrequency::Off
            },
            ..DigestPreference::default()
        },
        email: Some(format!("{label}@example.org")),
        next_due: due.map(early),
        covered_until: t0(),
        updated_at: t0(),
        version: 1,
    };
    let (first, second, off) = (
        schedule("first", Some(2)),
        schedule("second", Some(1)),
        schedule("off", None),
    );
    for s in [&first, &second, &off] {
        commit(
            store,
            vec![Op::PutDigestSchedule {
                schedule: s.clone(),
                expect: Expect::Absent,
            }],
        )
        .await
        .unwrap();
    }
    assert_eq!(
        store.get_digest_schedule(&first.user).await.unwrap(),
        Some(first.clone())
    );
    let ours = [&first.user, &second.user, &off.user];
    let mine = |due: Vec<DigestSchedule>| -> Vec<UserId> {
        due.into_iter()
            .map(|s| s.user)
            .filter(|u| ours.contains(&u))
            .collect()
    };
    assert_eq!(
        mine(store.digests_due(early(3), 100).await.unwrap()),
        vec![second.user.clone(), first.user.clone()]
    );
    assert_eq!(store.digests_due(early(3), 1).await.unwrap().len(), 1);
    assert!(mine(store.digests_due(early(0), 100).await.unwrap()).is_empty());
    let moved = DigestSchedule {
        next_due: Some(early(300)),
        version: 2,
        ..second.clone()
    };
    let put = |s: &DigestSchedule, expect| Op::PutDigestSchedule {
        schedule: s.clone(),
        expect,
    };
    commit(store, vec![put(&moved, Expect::Version(1))])
        .await
        .unwrap();
    assert_eq!(
        mine(store.digests_due(early(3), 100).await.unwrap()),
        vec![first.user.clone()]
    );
    let stale = commit(store, vec![put(&moved, Expect::Version(1))]).await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));

    let digest = Digest {
        user: first.user.clone(),
        since: t0(),
        until: t0() + SignedDuration::from_hours(24),
        communities: vec![],
    };
    let mail = |n: i64| Mail {
        id: MailId(RandomIds.ulid(t0() + SignedDuration::from_hours(n))),
        to: first.user.clone(),
        email: first.email.clone(),
        subject: format!("Digest {n}"),
        text: "Nothing new".into(),
        html: "<p>Nothing new</p>".into(),
        digest: digest.clone(),
        created_at: t0() + SignedDuration::from_hours(n),
    };
    let mails: Vec<Mail> = (1..=3).map(mail).collect();
    for m in &mails {
        commit(store, vec![Op::PutMail { mail: m.clone() }])
            .await
            .unwrap();
    }
    let again = commit(
        store,
        vec![Op::PutMail {
            mail: mails[0].clone(),
        }],
    )
    .await;
    assert_eq!(failure(again), (0, ConditionFailure::AlreadyExists));
    for limit in [1, 2, 10] {
        let listed = drain(limit, |r| {
            let to = first.user.clone();
            async move { store.list_outbox(&to, &r).await }
        })
        .await;
        let subjects: Vec<String> = listed.into_iter().map(|m| m.subject).collect();
        assert_eq!(
            subjects,
            vec!["Digest 3", "Digest 2", "Digest 1"],
            "limit {limit}"
        );
    }
    let nobody = store
        .list_outbox(&second.user, &Range::first(10))
        .await
        .unwrap();
    assert!(nobody.items.is_empty() && nobody.next.is_none());
}

/// Reports: read back within their community only, queued by status
/// oldest first, moved between queues by a versioned rewrite; the
/// moderation log: appended once per id, newest first, in pages.
pub async fn reports_queue_by_status_and_the_log_lists_newest_first<S: Store + ?Sized>(store: &S) {
    let c = community("Moderated", Visibility::Private);
    create(store, &c).await;
    let s = space(c.id, "Cases");
    let reporter = user("reporter");
    let report = |minutes: i64| Report {
        id: ReportId(RandomIds.ulid(t0() + SignedDuration::from_mins(minutes))),
        community: c.id,
        space: s.id,
        target: ContentRef::Post {
            post: PostId(ulid()),
        },
        reporter: reporter.clone(),
        reason: ReportReason::Spam,
        note: format!("Report {minutes}"),
        created_at: t0() + SignedDuration::from_mins(minutes),
        status: ReportStatus::Open,
        resolution: None,
        version: 1,
    };
    let reports: Vec<Report> = (1..=3).map(report).collect();
    for r in &reports {
        commit(
            store,
            vec![Op::PutReport {
                report: r.clone(),
                expect: Expect::Absent,
            }],
        )
        .await
        .unwrap();
    }
    assert_eq!(
        store.get_report(&c.id, &reports[0].id).await.unwrap(),
        Some(reports[0].clone())
    );
    let elsewhere = CommunityId(ulid());
    assert_eq!(
        store.get_report(&elsewhere, &reports[0].id).await.unwrap(),
        None
    );
    let queue = |status: ReportStatus| {
        let id = c.id;
        async move {
            let mut all: Vec<String> = Vec::new();
            for (n, limit) in [1, 2, 10].into_iter().enumerate() {
                let listed = drain(limit, |r| async move {
                    store.list_reports(&id, status, &r).await
                })
                .await;
                let notes = listed.into_iter().map(|r| r.note).collect::<Vec<_>>();
                assert!(n == 0 || notes == all, "limit {limit}: {notes:?}");
                all = notes;
            }
            all
        }
    };
    assert_eq!(
        queue(ReportStatus::Open).await,
        vec!["Report 1", "Report 2", "Report 3"]
    );
    let resolved = Report {
        status: ReportStatus::Resolved,
        resolution: Some(Resolution {
            action: ModerationAction::Dismissed,
            by: user("mod"),
            reason: "Not spam".into(),
            at: t0(),
        }),
        version: 2,
        ..reports[1].clone()
    };
    let put = |r: &Report, expect| Op::PutReport {
        report: r.clone(),
        expect,
    };
    commit(store, vec![put(&resolved, Expect::Version(1))])
        .await
        .unwrap();
    assert_eq!(
        queue(ReportStatus::Open).await,
        vec!["Report 1", "Report 3"]
    );
    assert_eq!(queue(ReportStatus::Resolved).await, vec!["Report 2"]);
    let stale = commit(store, vec![put(&resolved, Expect::Version(1))]).await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));

    let entry = |minutes: i64| ModerationEntry {
        id: ModerationId(RandomIds.ulid(t0() + SignedDuration::from_mins(minutes))),
        community: c.id,
        moderator: user("mod"),
        action: ModerationAction::Banned,
        subject: ModerationSubject::Member {
            user: reporter.clone(),
        },
        report: None,
        reason: format!("Entry {minutes}"),
        at: t0() + SignedDuration::from_mins(minutes),
    };
    let entries: Vec<ModerationEntry> = (1..=3).map(entry).collect();
    for e in &entries {
        commit(store, vec![Op::RecordModeration { entry: e.clone() }])
            .await
            .unwrap();
    }
    let again = commit(
        store,
        vec![Op::RecordModeration {
            entry: entries[0].clone(),
        }],
    )
    .await;
    assert_eq!(failure(again), (0, ConditionFailure::AlreadyExists));
    for limit in [1, 2, 10] {
        let id = c.id;
        let log = drain(limit, |r| async move {
            store.list_moderation_log(&id, &r).await
        })
        .await;
        let reasons: Vec<String> = log.into_iter().map(|e| e.reason).collect();
        assert_eq!(
            reasons,
            vec!["Entry 3", "Entry 2", "Entry 1"],
            "limit {limit}"
        );
    }
}

/// Erasure: an anonymised activity or value story leaves its person's
/// list but stays in the community's; forgotten records are gone with
/// their index entries (and forgetting twice is harmless).
pub async fn erasure_anonymises_and_forgets<S: Store + ?Sized>(store: &S) {
    let s = space_in_new_community(store, "Erasure").await;
    let me = user("erased");
    let former = UserId::former_member();
    let mine: Vec<Activity> = (0..2)
        .map(|n| Activity {
            actor: me.clone(),
            ..activity(s.community, n)
        })
        .collect();
    for a in &mine {
        commit(
            store,
            vec![Op::RecordActivity {
                activity: a.clone(),
            }],
        )
        .await
        .unwrap();
    }
    let anonymous = Activity {
        actor: former.clone(),
        ..mine[0].clone()
    };
    commit(
        store,
        vec![Op::AnonymiseActivity {
            activity: anonymous.clone(),
        }],
    )
    .await
    .unwrap();
    let listed = store
        .list_user_activity(&me, &Range::first(10))
        .await
        .unwrap()
        .items;
    assert_eq!(
        listed.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![mine[1].id]
    );
    let community = store
        .list_activity(&s.community, &Range::first(10))
        .await
        .unwrap()
        .items;
    assert!(community.contains(&anonymous), "{community:?}");
    let never = commit(
        store,
        vec![Op::AnonymiseActivity {
            activity: activity(s.community, 7),
        }],
    )
    .await;
    assert_eq!(failure(never), (0, ConditionFailure::VersionMismatch));

    let story = ValueStory {
        id: ValueStoryId(ulid()),
        community: s.community,
        author: me.clone(),
        kind: ValueKind::Applied,
        title: "Story".into(),
        story: "It helped.".into(),
        thread: None,
        created_at: t0(),
        version: 1,
    };
    commit(
        store,
        vec![Op::PutValueStory {
            story: story.clone(),
            expect: Expect::Absent,
        }],
    )
    .await
    .unwrap();
    let told = ValueStory {
        author: former.clone(),
        version: 2,
        ..story
    };
    commit(
        store,
        vec![Op::PutValueStory {
            story: told.clone(),
            expect: Expect::Version(1),
        }],
    )
    .await
    .unwrap();
    let stories = store
        .list_user_value_stories(&me, &Range::first(10))
        .await
        .unwrap();
    assert!(stories.items.is_empty());
    let stories = store
        .list_value_stories(&s.community, &Range::first(10))
        .await
        .unwrap();
    assert_eq!(stories.items, vec![told]);

    let handle = Handle::new(&format!("h{}", &unique()[..8])).unwrap();
    let p = Profile {
        handle: Some(handle.clone()),
        ..profile(&me, "Erased")
    };
    commit(
        store,
        vec![Op::PutProfile {
            profile: p,
            expect: Expect::Absent,
            previous_handle: None,
        }],
    )
    .await
    .unwrap();
    let due = Timestamp::UNIX_EPOCH + SignedDuration::from_hours(24 * 1_100);
    commit(
        store,
        vec![
            Op::PutParticipation {
                participation: Participation {
                    review_at: Some(due),
                    version: 1,
                    ..Participation::new(s.community, me.clone())
                },
                expect: Expect::Absent,
            },
            Op::PutDigestSchedule {
                schedule: DigestSchedule {
                    user: me.clone(),
                    preference: DigestPreference::default(),
                    email: None,
                    next_due: Some(due),
                    covered_until: t0(),
                    updated_at: t0(),
                    version: 1,
                },
                expect: Expect::Absent,
            },
        ],
    )
    .await
    .unwrap();
    let forget = vec![
        Op::Forget {
            item: Forgotten::Profile {
                user: me.clone(),
                handle: Some(handle.clone()),
            },
        },
        Op::Forget {
            item: Forgotten::Participation {
                community: s.community,
                user: me.clone(),
            },
        },
        Op::Forget {
            item: Forgotten::DigestSchedule { user: me.clone() },
        },
    ];
    commit(store, forget.clone()).await.unwrap();
    commit(store, forget).await.unwrap();
    assert_eq!(store.get_profile(&me).await.unwrap(), None);
    assert_eq!(store.get_profile_by_handle(&handle).await.unwrap(), None);
    assert_eq!(
        store.get_participation(&s.community, &me).await.unwrap(),
        None
    );
    assert_eq!(store.get_digest_schedule(&me).await.unwrap(), None);
    let still_due = |users: Vec<UserId>| users.contains(&me);
    assert!(!still_due(
        store
            .participation_due(due, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.user)
            .collect()
    ));
    assert!(!still_due(
        store
            .digests_due(due, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.user)
            .collect()
    ));
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
            vec![Op::PutValueStory {
                story: story.clone(),
                expect: Expect::Absent,
            }],
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
        vec![Op::PutValueStory {
            story: stories[0].clone(),
            expect: Expect::Absent,
        }],
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
        commit(store, vec![Op::RecordActivity { activity: a }])
            .await
            .unwrap();
    }
    commit(
        store,
        vec![Op::RecordActivity {
            activity: activity(s.community, 9),
        }],
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
            vec![Op::PutEvent {
                event: e.clone(),
                expect: Expect::Absent,
            }],
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
            vec![Op::PutAttendance {
                attendance: record(e, minutes, false),
            }],
        )
        .await
        .unwrap();
    }
    // The first event's record is corrected later: it moves to the front.
    commit(
        store,
        vec![Op::PutAttendance {
            attendance: record(&events[0], 10, true),
        }],
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

/// The roster by stored level: active members and guests at that level,
/// by user id, paged.
pub async fn roster_lists_by_level<S: Store + ?Sized>(store: &S) {
    let c = community("Levels", Visibility::Private);
    create(store, &c).await;
    let tag = unique();
    let mut active = Vec::new();
    let mut ops = Vec::new();
    for (i, (level, status)) in [
        (ParticipationLevel::Active, MembershipStatus::Active),
        (ParticipationLevel::Peripheral, MembershipStatus::Active),
        (ParticipationLevel::Active, MembershipStatus::Active),
        (ParticipationLevel::Active, MembershipStatus::Left),
        (ParticipationLevel::Active, MembershipStatus::Active),
    ]
    .into_iter()
    .enumerate()
    {
        let u = UserId::new(format!("{i}-{tag}")).unwrap();
        if level == ParticipationLevel::Active && status == MembershipStatus::Active {
            active.push(u.clone());
        }
        ops.push(Op::PutMembership {
            membership: Membership {
                level,
                status,
                ..membership(c.id, &u, Role::Member)
            },
            expect: Expect::Absent,
        });
    }
    commit(store, ops).await.unwrap();
    for limit in [1, 2, 10] {
        let listed = drain(limit, |r| async move {
            store
                .list_members(&c.id, MemberFilter::Level(ParticipationLevel::Active), &r)
                .await
        })
        .await;
        assert_eq!(
            listed.iter().map(|m| m.user.clone()).collect::<Vec<_>>(),
            active,
            "limit {limit}"
        );
    }
    // The owner is Core; moving a member's level moves them between lists.
    let core = drain(10, |r| async move {
        store
            .list_members(&c.id, MemberFilter::Level(ParticipationLevel::Core), &r)
            .await
    })
    .await;
    assert_eq!(core.len(), 1);
    let promoted = Membership {
        level: ParticipationLevel::Core,
        version: 2,
        ..membership(c.id, &active[0], Role::Member)
    };
    commit(
        store,
        vec![Op::PutMembership {
            membership: promoted,
            expect: Expect::Version(1),
        }],
    )
    .await
    .unwrap();
    let core = drain(10, |r| async move {
        store
            .list_members(&c.id, MemberFilter::Level(ParticipationLevel::Core), &r)
            .await
    })
    .await;
    assert_eq!(core.len(), 2);
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
            vec![Op::PutThread {
                thread: t,
                expect: Expect::Absent,
            }],
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

pub async fn threads_order_by_activity_and_keep_their_stats<S: Store + ?Sized>(store: &S) {
    let s = space_in_new_community(store, "Threads").await;
    let a = thread(&s, 1);
    let b = thread(&s, 2);
    let c = thread(&s, 3);
    for t in [&a, &b, &c] {
        commit(
            store,
            vec![Op::PutThread {
                thread: t.clone(),
                expect: Expect::Absent,
            }],
        )
        .await
        .unwrap();
    }
    // A post in `a` makes it the most recently active.
    commit(
        store,
        vec![Op::TouchThread {
            thread: a.id,
            at: t0() + SignedDuration::from_mins(10),
            posts: 1,
        }],
    )
    .await
    .unwrap();
    // Activity never moves backwards.
    commit(
        store,
        vec![Op::TouchThread {
            thread: a.id,
            at: t0(),
            posts: 1,
        }],
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
        vec![Op::PutThread {
            thread: edited.clone(),
            expect: Expect::Version(1),
        }],
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
        vec![Op::PutThread {
            thread: edited,
            expect: Expect::Version(1),
        }],
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
        vec![Op::PutThread {
            thread: locked,
            expect: Expect::Version(1),
        }],
    )
    .await
    .unwrap();
    let refused = commit(
        store,
        vec![Op::TouchThread {
            thread: b.id,
            at: t0(),
            posts: 1,
        }],
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
        vec![Op::PutThread {
            thread: deleted,
            expect: Expect::Version(1),
        }],
    )
    .await
    .unwrap();
    let refused = commit(
        store,
        vec![Op::TouchThread {
            thread: c.id,
            at: t0(),
            posts: 1,
        }],
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
        vec![Op::TouchThread {
            thread: ThreadId(ulid()),
            at: t0(),
            posts: 1,
        }],
    )
    .await;
    assert_eq!(failure(missing), (0, ConditionFailure::VersionMismatch));
    assert_eq!(store.get_thread(&ThreadId(ulid())).await.unwrap(), None);
}

pub async fn posts_and_reactions_count_once<S: Store + ?Sized>(store: &S) {
    let s = space_in_new_community(store, "Posts").await;
    let t = thread(&s, 0);
    commit(
        store,
        vec![Op::PutThread {
            thread: t.clone(),
            expect: Expect::Absent,
        }],
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
                Op::PutPost {
                    post: p.clone(),
                    expect: Expect::Absent,
                },
                Op::TouchThread {
                    thread: t.id,
                    at: t0(),
                    posts: 1,
                },
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
    let react = |u: &UserId, kind| Op::AddReaction {
        reaction: Reaction {
            post: first.id,
            user: u.clone(),
            kind,
            at: t0(),
        },
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
        vec![Op::PutPost {
            post: edited,
            expect: Expect::Version(1),
        }],
    )
    .await
    .unwrap();
    commit(
        store,
        vec![Op::RemoveReaction {
            post: first.id,
            user: ann.clone(),
            kind: ReactionKind::Like,
        }],
    )
    .await
    .unwrap();
    let again = commit(
        store,
        vec![Op::RemoveReaction {
            post: first.id,
            user: ann.clone(),
            kind: ReactionKind::Like,
        }],
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
        vec![Op::PutPost {
            post: first.clone(),
            expect: Expect::Version(1),
        }],
    )
    .await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));
    let orphan = Op::AddReaction {
        reaction: Reaction {
            post: PostId(ulid()),
            user: ann.clone(),
            kind: ReactionKind::Thanks,
            at: t0(),
        },
    };
    assert_eq!(
        failure(commit(store, vec![orphan]).await),
        (0, ConditionFailure::VersionMismatch)
    );
    assert_eq!(store.get_post(&PostId(ulid())).await.unwrap(), None);
}

pub async fn documents_and_their_versions<S: Store + ?Sized>(store: &S) {
    let s = space_in_new_community(store, "Library").await;
    let old = document(&s, 1);
    let newer = document(&s, 2);
    let gone = document(&s, 3);
    for d in [&old, &newer, &gone] {
        commit(
            store,
            vec![
                Op::PutDocument {
                    document: d.clone(),
                    expect: Expect::Absent,
                },
                Op::AddDocumentVersion {
                    version: doc_version(d, 1),
                },
            ],
        )
        .await
        .unwrap();
    }
    // A second version of `old` makes it the most recently updated.
    let v2 = Document {
        current_version: 2,
        updated_at: t0() + SignedDuration::from_mins(5),
        version: 2,
        ..old.clone()
    };
    commit(
        store,
        vec![
            Op::PutDocument {
                document: v2.clone(),
                expect: Expect::Version(1),
            },
            Op::AddDocumentVersion {
                version: doc_version(&old, 2),
            },
        ],
    )
    .await
    .unwrap();
    let dup = commit(
        store,
        vec![Op::AddDocumentVersion {
            version: doc_version(&old, 2),
        }],
    )
    .await;
    assert_eq!(failure(dup), (0, ConditionFailure::AlreadyExists));
    let deleted = Document {
        deleted_at: Some(t0()),
        version: 2,
        ..gone.clone()
    };
    commit(
        store,
        vec![Op::PutDocument {
            document: deleted,
            expect: Expect::Version(1),
        }],
    )
    .await
    .unwrap();
    for limit in [1, 2, 10] {
        let all = drain(
            limit,
            |r| async move { store.list_documents(&s.id, &r).await },
        )
        .await;
        assert_eq!(
            all.iter().map(|d| d.id).collect::<Vec<_>>(),
            vec![old.id, newer.id],
            "limit {limit}"
        );
    }
    let versions = drain(1, |r| async move {
        store.list_document_versions(&old.id, &r).await
    })
    .await;
    assert_eq!(
        versions.iter().map(|v| v.number).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(
        store.get_document_version(&old.id, 2).await.unwrap(),
        Some(doc_version(&old, 2))
    );
    assert_eq!(store.get_document_version(&old.id, 3).await.unwrap(), None);
    assert_eq!(store.get_document(&old.id).await.unwrap(), Some(v2.clone()));
    let stale = commit(
        store,
        vec![Op::PutDocument {
            document: v2,
            expect: Expect::Version(1),
        }],
    )
    .await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));
}

pub async fn events_rsvps_tallies_and_attendance<S: Store + ?Sized>(store: &S) {
    let s = space_in_new_community(store, "Events").await;
    let e = event(&s, Some(2));
    let other = event(&s, None);
    for ev in [&e, &other] {
        commit(
            store,
            vec![Op::PutEvent {
                event: ev.clone(),
                expect: Expect::Absent,
            }],
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
        vec![Op::PutEvent {
            event: moved.clone(),
            expect: Expect::Version(1),
        }],
    )
    .await
    .unwrap();
    let stale = commit(
        store,
        vec![Op::PutEvent {
            event: moved,
            expect: Expect::Version(1),
        }],
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
            Op::PutRsvp {
                rsvp: rsvp(&e, &ann, RsvpResponse::Going),
                expect: Expect::Absent,
            },
            tally_op(&e, 1, 0, 0),
        ],
    )
    .await
    .unwrap();
    commit(
        store,
        vec![
            Op::PutRsvp {
                rsvp: rsvp(&e, &bob, RsvpResponse::Going),
                expect: Expect::Absent,
            },
            tally_op(&e, 1, 0, 0),
        ],
    )
    .await
    .unwrap();
    let full = commit(
        store,
        vec![
            Op::PutRsvp {
                rsvp: rsvp(&e, &cat, RsvpResponse::Going),
                expect: Expect::Absent,
            },
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
            Op::PutRsvp {
                rsvp: rsvp(&e, &cat, RsvpResponse::Maybe),
                expect: Expect::Absent,
            },
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
            Op::PutRsvp {
                rsvp: declined.clone(),
                expect: Expect::Version(1),
            },
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
        vec![Op::PutAttendance {
            attendance: record(&bob, false),
        }],
    )
    .await
    .unwrap();
    commit(
        store,
        vec![Op::PutAttendance {
            attendance: record(&bob, true),
        }],
    )
    .await
    .unwrap();
    commit(
        store,
        vec![Op::PutAttendance {
            attendance: record(&cat, false),
        }],
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
        vec![Op::PutEvent {
            event: e.clone(),
            expect: Expect::Absent,
        }],
    )
    .await
    .unwrap();
    let people: Vec<UserId> = (0..16).map(|i| user(&format!("p{i}"))).collect();
    let attempts = people.iter().map(|u| {
        commit(
            store,
            vec![
                Op::PutRsvp {
                    rsvp: rsvp(&e, u, RsvpResponse::Going),
                    expect: Expect::Absent,
                },
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

pub async fn polls_ballots_and_tallies<S: Store + ?Sized>(store: &S) {
    let s = space_in_new_community(store, "Polls").await;
    let first = poll(&s, 3);
    let second = poll(&s, 2);
    for p in [&first, &second] {
        commit(
            store,
            vec![Op::PutPoll {
                poll: p.clone(),
                expect: Expect::Absent,
            }],
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
    let tally = |deltas: Vec<i64>, voters, now| Op::AdjustTally {
        poll: first.id,
        deltas,
        voters,
        now,
    };
    commit(
        store,
        vec![
            Op::PutBallot {
                ballot: ballot.clone(),
                expect: Expect::Absent,
            },
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
            Op::PutBallot {
                ballot: changed.clone(),
                expect: Expect::Version(1),
            },
            tally(vec![-1, 1, -1], 0, t0()),
        ],
    )
    .await
    .unwrap();
    let dup = commit(
        store,
        vec![Op::PutBallot {
            ballot: ballot.clone(),
            expect: Expect::Absent,
        }],
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
        vec![Op::PutPoll {
            poll: renamed,
            expect: Expect::Version(1),
        }],
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
            Op::PutThread {
                thread: t.clone(),
                expect: Expect::Absent,
            },
            Op::PutPost {
                post: p.clone(),
                expect: Expect::Absent,
            },
            Op::PutPoll {
                poll: poll.clone(),
                expect: Expect::Absent,
            },
            Op::PutBallot {
                ballot: ballot.clone(),
                expect: Expect::Absent,
            },
            Op::PutEvent {
                event: ev.clone(),
                expect: Expect::Absent,
            },
            Op::PutRsvp {
                rsvp: answer.clone(),
                expect: Expect::Absent,
            },
            Op::PutDocument {
                document: d.clone(),
                expect: Expect::Absent,
            },
            Op::AddDocumentVersion {
                version: v1.clone(),
            },
            Op::PutMembership {
                membership: member.clone(),
                expect: Expect::Absent,
            },
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
