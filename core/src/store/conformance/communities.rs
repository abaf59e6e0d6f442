//! Communities, slugs, counts, memberships, rosters, access facts and the directory.

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use jiff::SignedDuration;

use super::fixtures::*;
use crate::ids::{CommunityId, UserId};
use crate::model::{
    Community, CommunityCounts, CommunityKind, CountDelta, JoinPolicy, Membership,
    MembershipStatus, ParticipationLevel, Role, Slug, SpaceGrant, Visibility,
};
use crate::store::{
    AccessFacts, CommunityOp, ConditionFailure, DirectoryQuery, Expect, MemberFilter, Range,
    SpaceOp, Store,
};

pub async fn communities_create_and_read<S: Store + ?Sized>(store: &S) {
    let a = community("Alpha group", Visibility::Private);
    let b = community("Beta group", Visibility::Secret);
    create(store, &a).await;
    create(store, &b).await;
    assert_eq!(store.get_community(&a.id).await.unwrap(), Some(a.clone()));
    assert_eq!(
        store.get_community_by_slug(&a.slug).await.unwrap(),
        Some(a.clone())
    );
    // A Secret community holds no slug.
    assert_eq!(store.get_community_by_slug(&b.slug).await.unwrap(), None);
    assert_eq!(store.get_community(&b.id).await.unwrap(), Some(b.clone()));
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

/// A Secret community claims no slug: another community may take it, and
/// no slug lookup finds it; turning it listed claims it (or fails when
/// taken), turning it Secret again releases it.
pub async fn secret_communities_claim_no_slug<S: Store + ?Sized>(store: &S) {
    let secret = community("Hidden", Visibility::Secret);
    create(store, &secret).await;
    assert_eq!(
        store.community_id_by_slug(&secret.slug).await.unwrap(),
        None
    );
    assert_eq!(
        store.get_community_by_slug(&secret.slug).await.unwrap(),
        None
    );
    // A second Secret one and a listed one may use the same slug.
    let twin = Community {
        id: CommunityId(ulid()),
        ..community("Twin", Visibility::Secret)
    };
    let twin = Community {
        slug: secret.slug.clone(),
        ..twin
    };
    create(store, &twin).await;
    let listed = Community {
        id: CommunityId(ulid()),
        slug: secret.slug.clone(),
        ..community("Listed", Visibility::Private)
    };
    create(store, &listed).await;
    assert_eq!(
        store.community_id_by_slug(&secret.slug).await.unwrap(),
        Some(listed.id)
    );
    // Listing the Secret one would take the slug: refused, nothing changed.
    let exposed = Community {
        visibility: Visibility::Private,
        join_policy: JoinPolicy::Approval,
        version: 2,
        ..secret.clone()
    };
    let result = commit(
        store,
        vec![
            CommunityOp::UpdateCommunity {
                community: exposed.clone(),
                previous_claim: None,
                expect_version: 1,
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(result), (0, ConditionFailure::AlreadyExists));
    assert_eq!(
        store
            .get_community(&secret.id)
            .await
            .unwrap()
            .map(|c| c.version),
        Some(1)
    );
    // The listed one goes Secret: its slug is free; the other takes it.
    let hidden = Community {
        visibility: Visibility::Secret,
        join_policy: JoinPolicy::InviteOnly,
        version: 2,
        ..listed.clone()
    };
    commit(
        store,
        vec![
            CommunityOp::UpdateCommunity {
                community: hidden,
                previous_claim: Some(listed.slug.clone()),
                expect_version: 1,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        store.community_id_by_slug(&secret.slug).await.unwrap(),
        None
    );
    commit(
        store,
        vec![
            CommunityOp::UpdateCommunity {
                community: exposed,
                previous_claim: None,
                expect_version: 1,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        store.community_id_by_slug(&secret.slug).await.unwrap(),
        Some(secret.id)
    );
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
            CommunityOp::PutMembership {
                membership: owner.clone(),
                expect: Expect::Absent,
            }
            .into(),
            CommunityOp::CreateCommunity {
                community: second.clone(),
            }
            .into(),
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
        vec![
            CommunityOp::AdjustCounts {
                community: c.id,
                delta: CountDelta {
                    members: 2,
                    ..Default::default()
                },
            }
            .into(),
        ],
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
        vec![
            CommunityOp::UpdateCommunity {
                community: moved.clone(),
                previous_claim: Some(c.slug.clone()),
                expect_version: 1,
            }
            .into(),
        ],
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
        vec![
            CommunityOp::UpdateCommunity {
                community: Community {
                    version: 3,
                    ..moved.clone()
                },
                previous_claim: Some(new_slug.clone()),
                expect_version: 1,
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));
    let taken = commit(
        store,
        vec![
            CommunityOp::UpdateCommunity {
                community: Community {
                    slug: other.slug.clone(),
                    version: 3,
                    ..moved.clone()
                },
                previous_claim: Some(new_slug.clone()),
                expect_version: 2,
            }
            .into(),
        ],
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
        vec![
            CommunityOp::AdjustCounts {
                community: c.id,
                delta: delta(-1, -1, 0),
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(last), (0, ConditionFailure::LastOwner));

    commit(
        store,
        vec![
            CommunityOp::AdjustCounts {
                community: c.id,
                delta: delta(1, 1, 0),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    commit(
        store,
        vec![
            CommunityOp::AdjustCounts {
                community: c.id,
                delta: CountDelta {
                    guests: 2,
                    ..Default::default()
                },
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    commit(
        store,
        vec![
            CommunityOp::AdjustCounts {
                community: c.id,
                delta: delta(-1, -1, 0),
            }
            .into(),
        ],
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
        vec![
            CommunityOp::AdjustCounts {
                community: c.id,
                delta: delta(0, 0, max),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let over = commit(
        store,
        vec![
            CommunityOp::AdjustCounts {
                community: c.id,
                delta: delta(0, 0, 1),
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(over), (0, ConditionFailure::LimitReached));

    let gone = commit(
        store,
        vec![
            CommunityOp::AdjustCounts {
                community: CommunityId(ulid()),
                delta: delta(1, 0, 0),
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(gone), (0, ConditionFailure::VersionMismatch));
}

pub async fn memberships_put_get_and_version<S: Store + ?Sized>(store: &S) {
    let c = community("Members", Visibility::Private);
    create(store, &c).await;
    let ann = user("ann");
    let m = membership(c.id, &ann, Role::Member);
    commit(
        store,
        vec![
            CommunityOp::PutMembership {
                membership: m.clone(),
                expect: Expect::Absent,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        store.get_membership(&c.id, &ann).await.unwrap(),
        Some(m.clone())
    );
    let dup = commit(
        store,
        vec![
            CommunityOp::PutMembership {
                membership: m.clone(),
                expect: Expect::Absent,
            }
            .into(),
        ],
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
        vec![
            CommunityOp::PutMembership {
                membership: banned.clone(),
                expect: Expect::Version(1),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        store.get_membership(&c.id, &ann).await.unwrap(),
        Some(banned.clone())
    );
    let stale = commit(
        store,
        vec![
            CommunityOp::PutMembership {
                membership: m.clone(),
                expect: Expect::Version(1),
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));
    assert_eq!(
        store.get_membership(&c.id, &user("nobody")).await.unwrap(),
        None
    );
}

/// A write made on the authority of a membership lands only while that
/// membership is at the version read, and writes nothing otherwise.
pub async fn writes_conditioned_on_a_membership_need_it_unchanged<S: Store + ?Sized>(store: &S) {
    let c = community("Conditioned", Visibility::Private);
    let owner = create(store, &c).await.user;
    let space_grant = |who: &str| SpaceGrant {
        space: crate::ids::SpaceId(ulid()),
        community: c.id,
        user: user(who),
        granted_by: owner.clone(),
        granted_at: t0(),
    };
    let first = space_grant("ann");
    commit(
        store,
        vec![
            CommunityOp::RequireMembership {
                community: c.id,
                user: owner.clone(),
                version: 1,
            }
            .into(),
            SpaceOp::PutGrant {
                grant: first.clone(),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        store.list_user_grants(&c.id, &first.user).await.unwrap(),
        vec![first]
    );
    let second = space_grant("bob");
    for (who, version) in [(owner.clone(), 2), (user("nobody"), 1)] {
        let refused = commit(
            store,
            vec![
                SpaceOp::PutGrant {
                    grant: second.clone(),
                }
                .into(),
                CommunityOp::RequireMembership {
                    community: c.id,
                    user: who,
                    version,
                }
                .into(),
            ],
        )
        .await;
        assert_eq!(failure(refused), (1, ConditionFailure::VersionMismatch));
        assert_eq!(
            store.list_user_grants(&c.id, &second.user).await.unwrap(),
            vec![],
            "nothing written"
        );
    }
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
        ops.push(
            CommunityOp::PutMembership {
                membership: membership(c.id, &u, role),
                expect: Expect::Absent,
            }
            .into(),
        );
    }
    let left = UserId::new(format!("left-{tag}")).unwrap();
    let banned = UserId::new(format!("banned-{tag}")).unwrap();
    ops.push(
        CommunityOp::PutMembership {
            membership: Membership {
                status: MembershipStatus::Left,
                ..membership(c.id, &left, Role::Member)
            },
            expect: Expect::Absent,
        }
        .into(),
    );
    ops.push(
        CommunityOp::PutMembership {
            membership: Membership {
                status: MembershipStatus::Banned {
                    until: None,
                    reason: "r".into(),
                },
                ..membership(c.id, &banned, Role::Member)
            },
            expect: Expect::Absent,
        }
        .into(),
    );
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
            vec![
                CommunityOp::PutMembership {
                    membership: Membership {
                        status,
                        ..membership(c.id, &ann, Role::Member)
                    },
                    expect: Expect::Absent,
                }
                .into(),
            ],
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
            SpaceOp::PutSpace {
                space: s.clone(),
                expect: Expect::Absent,
            }
            .into(),
            CommunityOp::PutMembership {
                membership: membership(c.id, &guest, Role::Guest),
                expect: Expect::Absent,
            }
            .into(),
            SpaceOp::PutGrant {
                grant: grant.clone(),
            }
            .into(),
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
        vec![
            CommunityOp::UpdateCommunity {
                community: hidden,
                previous_claim: Some(b.slug.clone()),
                expect_version: 1,
            }
            .into(),
        ],
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
        vec![
            CommunityOp::UpdateCommunity {
                community: renamed,
                previous_claim: Some(a.slug.clone()),
                expect_version: 1,
            }
            .into(),
        ],
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
        ops.push(
            CommunityOp::PutMembership {
                membership: Membership {
                    level,
                    status,
                    ..membership(c.id, &u, Role::Member)
                },
                expect: Expect::Absent,
            }
            .into(),
        );
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
        vec![
            CommunityOp::PutMembership {
                membership: promoted,
                expect: Expect::Version(1),
            }
            .into(),
        ],
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
