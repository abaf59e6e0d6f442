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
    AccessFacts, ConditionFailure, DirectoryQuery, Expect, MemberFilter, Op, Range, Store,
    StoreError, Transaction,
};
use crate::clock::{IdSource, RandomIds};
use crate::ids::{ActivityId, CommunityId, InvitationId, SpaceId, UserId};
use crate::model::{
    Activity, ActivityKind, Community, CommunityCounts, CommunityKind, CountDelta, Invitation,
    InvitationTarget, InvitedRole, JoinPolicy, JoinRequest, Membership, MembershipStatus, Profile,
    RequestStatus, Role, Slug, Space, SpaceGrant, SpaceVisibility, TokenHash, Visibility,
};

/// Turns every check of the suite into a `#[tokio::test]`.
///
/// `store_conformance_suite!(expr)` evaluates `expr` (which may `.await`) once
/// per test to get a store. `store_conformance_suite!(optional: expr)` takes
/// an `Option` and, on `None`, prints why the test is skipped and returns.
#[macro_export]
macro_rules! store_conformance_suite {
    (optional: $make:expr) => {
        $crate::__conformance_tests!(optional: $make;
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
        );
    };
    ($make:expr) => {
        $crate::store_conformance_suite!(optional: ::std::option::Option::Some($make));
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_tests {
    (optional: $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(store) = $make else {
                    eprintln!(
                        "SKIPPED {}: no store configured for this run",
                        stringify!($name)
                    );
                    return;
                };
                $crate::store::conformance::$name(&store).await;
            }
        )*
    };
}

// ---------------------------------------------------------------- fixtures

/// A fixed instant the suite's records are stamped with.
pub fn t0() -> Timestamp {
    Timestamp::from_second(1_767_225_600).unwrap() // 2026-01-01T00:00:00Z
}

fn ulid() -> ulid::Ulid {
    RandomIds.ulid(t0())
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
