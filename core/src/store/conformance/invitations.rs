//! Invitations and join requests.

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use jiff::SignedDuration;

use super::fixtures::*;
use crate::ids::{CommunityId, InvitationId, UserId};
use crate::model::{
    CountDelta, Invitation, JoinRequest, RequestStatus, Role, TokenHash, Visibility,
};
use crate::store::{CommunityOp, ConditionFailure, Expect, InvitationOp, Store, StoreError};

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
            vec![
                InvitationOp::PutJoinRequest {
                    request: r,
                    expect: Expect::Absent,
                }
                .into(),
            ],
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
        vec![
            InvitationOp::PutJoinRequest {
                request: approved.clone(),
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
            InvitationOp::PutJoinRequest {
                request: approved.clone(),
                expect: Expect::Version(1),
            }
            .into(),
        ],
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
            vec![
                InvitationOp::CreateInvitation {
                    invitation: i.clone(),
                }
                .into(),
            ],
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
    let dup = commit(
        store,
        vec![InvitationOp::CreateInvitation { invitation: clash }.into()],
    )
    .await;
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
        vec![
            InvitationOp::UpdateInvitation {
                invitation: revoked.clone(),
                expect_version: 1,
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let stale = commit(
        store,
        vec![
            InvitationOp::UpdateInvitation {
                invitation: revoked.clone(),
                expect_version: 1,
            }
            .into(),
        ],
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
    let consume = |id, now| {
        InvitationOp::ConsumeInvitation {
            community: c.id,
            id,
            now,
        }
        .into()
    };

    let (two, _) = invitation(c.id, 2);
    commit(
        store,
        vec![
            InvitationOp::CreateInvitation {
                invitation: two.clone(),
            }
            .into(),
        ],
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
        vec![
            InvitationOp::CreateInvitation {
                invitation: expiring.clone(),
            }
            .into(),
        ],
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
        vec![
            InvitationOp::CreateInvitation {
                invitation: revoked.clone(),
            }
            .into(),
        ],
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
        vec![
            InvitationOp::CreateInvitation {
                invitation: fresh.clone(),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let wrong = commit(
        store,
        vec![
            InvitationOp::ConsumeInvitation {
                community: other.id,
                id: fresh.id,
                now: t0(),
            }
            .into(),
        ],
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
        vec![
            InvitationOp::CreateInvitation {
                invitation: invite.clone(),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let racers: Vec<UserId> = (0..16).map(|i| user(&format!("racer{i}"))).collect();
    let attempts = racers.iter().map(|u| {
        let ops = vec![
            InvitationOp::ConsumeInvitation {
                community: c.id,
                id: invite.id,
                now: t0(),
            }
            .into(),
            CommunityOp::PutMembership {
                membership: membership(c.id, u, Role::Member),
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
