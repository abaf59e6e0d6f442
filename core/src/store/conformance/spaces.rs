//! Spaces and grants.

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeSet;

use super::fixtures::*;
use crate::ids::{CommunityId, SpaceId, UserId};
use crate::model::{Role, Space, SpaceGrant, SpaceVisibility, Visibility};
use crate::store::{ConditionFailure, Expect, SpaceOp, Store};

pub async fn spaces_put_get_list<S: Store + ?Sized>(store: &S) {
    let c = community("Spaces", Visibility::Private);
    create(store, &c).await;
    let mut made = Vec::new();
    for name in ["General", "Core group", "Library"] {
        let s = space(c.id, name);
        commit(
            store,
            vec![
                SpaceOp::PutSpace {
                    space: s.clone(),
                    expect: Expect::Absent,
                }
                .into(),
            ],
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
        vec![
            SpaceOp::PutSpace {
                space: restricted.clone(),
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
            SpaceOp::PutSpace {
                space: restricted.clone(),
                expect: Expect::Version(1),
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));
    let dup = commit(
        store,
        vec![
            SpaceOp::PutSpace {
                space: made[0].clone(),
                expect: Expect::Absent,
            }
            .into(),
        ],
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
            SpaceOp::PutSpace {
                space: s1.clone(),
                expect: Expect::Absent,
            }
            .into(),
            SpaceOp::PutSpace {
                space: s2.clone(),
                expect: Expect::Absent,
            }
            .into(),
            SpaceOp::PutGrant {
                grant: grant(&s1, &guest),
            }
            .into(),
            SpaceOp::PutGrant {
                grant: grant(&s2, &guest),
            }
            .into(),
            SpaceOp::PutGrant {
                grant: grant(&s1, &other),
            }
            .into(),
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
        vec![
            SpaceOp::PutGrant {
                grant: grant(&s1, &guest),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    commit(
        store,
        vec![
            SpaceOp::DeleteGrant {
                space: s1.id,
                user: guest.clone(),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    commit(
        store,
        vec![
            SpaceOp::DeleteGrant {
                space: s1.id,
                user: guest.clone(),
            }
            .into(),
        ],
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
