//! A write made on the authority of a role that changed between the read
//! and the write does not land: a moderator demoted (or removed) while
//! their ban, decision or invitation is on its way gets 409
//! `version_conflict` and nothing is written. The change slips in just
//! before the use case commits (`CountingStore::interleave_before_next_commit`).
//! On every store: memory, SQLite and DynamoDB (moto, `--ignored`).

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::services::{self, Services};
use copkit_core::model::{Membership, MembershipStatus, Role};
use copkit_core::service::NewInvitation;
use copkit_core::store::{CommunityOp, Expect, Transaction};
use copkit_core::{Actor, Conflict, Error, Store, UserId};

async fn stale_roles_do_not_act(store: Arc<dyn Store>) {
    let Services {
        copkit: k, faults, ..
    } = services::over(store);
    let person = |name: &str| Actor::new(UserId::new(name).unwrap());
    let (helen, rosa, tom) = (person("helen"), person("rosa"), person("tom"));
    let c = services::private_community(&k, &helen, "authority").await;
    for who in [&rosa, &tom] {
        let invitation = k
            .create_invitation(&helen, &c, NewInvitation::link(1))
            .await
            .unwrap();
        k.accept_invitation(who, &invitation.token).await.unwrap();
    }
    k.change_role(&helen, &c, &rosa.user, Role::Moderator)
        .await
        .unwrap();
    // Helen demotes Rosa while Rosa's writes are on their way.
    let demote = || async {
        let read: Membership = k
            .store()
            .get_membership(&c, &rosa.user)
            .await
            .unwrap()
            .unwrap();
        let demoted = Membership {
            role: Role::Member,
            version: read.version + 1,
            ..read.clone()
        };
        faults.interleave_before_next_commit(Transaction::new().with(CommunityOp::PutMembership {
            membership: demoted,
            expect: Expect::Version(read.version),
        }));
    };
    let stale = Error::Conflict(Conflict::VersionMismatch);

    demote().await;
    let ban = k.ban_member(&rosa, &c, &tom.user, None, "Spam.").await;
    assert_eq!(ban.unwrap_err(), stale, "the ban of a demoted moderator");
    let tom_now = k
        .store()
        .get_membership(&c, &tom.user)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        tom_now.status,
        MembershipStatus::Active,
        "Tom is not banned"
    );
    // Demoted, Rosa is refused outright from now on.
    assert!(matches!(
        k.ban_member(&rosa, &c, &tom.user, None, "Spam.").await,
        Err(Error::Forbidden(_))
    ));

    k.change_role(&helen, &c, &rosa.user, Role::Moderator)
        .await
        .unwrap();
    demote().await;
    let invited = k.create_invitation(&rosa, &c, NewInvitation::link(1)).await;
    assert_eq!(
        invited.unwrap_err(),
        stale,
        "an invitation by a demoted moderator"
    );

    k.change_role(&helen, &c, &rosa.user, Role::Moderator)
        .await
        .unwrap();
    demote().await;
    let removed = k.remove_member(&rosa, &c, &tom.user).await;
    assert_eq!(
        removed.unwrap_err(),
        stale,
        "a removal by a demoted moderator"
    );
    assert!(
        k.store()
            .get_membership(&c, &tom.user)
            .await
            .unwrap()
            .unwrap()
            .is_active()
    );
}

#[tokio::test]
async fn on_memory() {
    stale_roles_do_not_act(Arc::new(copkit_core::MemoryStore::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqlite() {
    stale_roles_do_not_act(Arc::new(common::sqlite::fresh_store())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --ignored)"]
async fn on_dynamodb() {
    stale_roles_do_not_act(Arc::new(common::moto::fresh_store(None).await)).await;
}
