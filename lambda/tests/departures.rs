//! Leaving, removal and bans of a person who holds more grants than one
//! transaction can delete (300, against DynamoDB's 100 items): the
//! membership ends in the first step, so from then on the person has no
//! access; the grants go in further steps. A crash between the steps
//! leaves only inert grants: the person still has no access, does not get
//! it back by returning, and the next departure clears them. On every
//! store: memory, SQLite and DynamoDB (moto, `--ignored`).

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::services::{self, Services};
use copkit_core::model::{SpaceGrant, SpaceVisibility};
use copkit_core::service::{NewInvitation, NewSpace};
use copkit_core::store::counting::CountingStore;
use copkit_core::store::{SpaceOp, Transaction};
use copkit_core::{Actor, CommunityId, Copkit, Error, ManualClock, SpaceId, Store, UserId};
use jiff::SignedDuration;

const GRANTS: usize = 300;

struct Setting {
    copkit: Copkit,
    faults: CountingStore,
    clock: Arc<ManualClock>,
    owner: Actor,
    member: Actor,
    c: CommunityId,
    room: SpaceId,
}

impl Setting {
    async fn new(store: Arc<dyn Store>) -> Setting {
        let Services {
            copkit,
            faults,
            clock,
        } = services::over(store);
        let owner = Actor::new(UserId::new("owner").unwrap());
        let member = Actor::new(UserId::new("member").unwrap());
        let c = services::private_community(&copkit, &owner, "big-group").await;
        // A room nobody enters without a grant.
        let room = copkit
            .create_space(
                &owner,
                &c,
                NewSpace {
                    name: "Granted room".into(),
                    description: String::new(),
                    visibility: SpaceVisibility::Restricted {
                        users: vec![],
                        roles: vec![],
                    },
                },
            )
            .await
            .unwrap()
            .id;
        Setting {
            copkit,
            faults,
            clock,
            owner,
            member,
            c,
            room,
        }
    }

    async fn join(&self) {
        self.clock.advance(SignedDuration::from_mins(1));
        let invitation = self
            .copkit
            .create_invitation(&self.owner, &self.c, NewInvitation::link(1))
            .await
            .unwrap();
        self.copkit
            .accept_invitation(&self.member, &invitation.token)
            .await
            .unwrap();
    }

    /// The room's grant and 299 more, written straight to the store (the
    /// use cases cap a community at 100 spaces).
    async fn grant_many(&self) {
        let now = self.copkit.now();
        let grant = |space: SpaceId| SpaceGrant {
            space,
            community: self.c,
            user: self.member.user.clone(),
            granted_by: self.owner.user.clone(),
            granted_at: now,
        };
        let mut spaces = vec![self.room];
        spaces
            .extend((1..GRANTS).map(|i| format!("01KDVDNA00{i:016}").parse::<SpaceId>().unwrap()));
        for chunk in spaces.chunks(100) {
            let mut tx = Transaction::new();
            for space in chunk {
                tx.push(SpaceOp::PutGrant {
                    grant: grant(*space),
                });
            }
            self.copkit.store().commit(tx).await.unwrap();
        }
        assert_eq!(self.grants_left().await, GRANTS);
        self.copkit
            .get_space(&self.member, &self.room)
            .await
            .unwrap();
    }

    async fn grants_left(&self) -> usize {
        self.copkit
            .store()
            .list_user_grants(&self.c, &self.member.user)
            .await
            .unwrap()
            .len()
    }

    async fn shut_out(&self) {
        assert_eq!(
            self.copkit
                .get_space(&self.member, &self.room)
                .await
                .unwrap_err(),
            Error::NotFound
        );
        let listed = self
            .copkit
            .list_space_grants(&self.owner, &self.room)
            .await
            .unwrap();
        assert!(listed.is_empty(), "{listed:?}");
    }
}

async fn departures_of_any_size(store: Arc<dyn Store>) {
    let s = Setting::new(store).await;
    // Leaving, removal and a ban, each with 300 grants.
    for departure in ["leave", "remove", "ban"] {
        s.join().await;
        s.grant_many().await;
        let done = match departure {
            "leave" => s.copkit.leave(&s.member, &s.c).await,
            "remove" => s.copkit.remove_member(&s.owner, &s.c, &s.member.user).await,
            _ => s
                .copkit
                .ban_member(&s.owner, &s.c, &s.member.user, None, "Spam.")
                .await
                .map(|_| ()),
        };
        done.unwrap_or_else(|e| panic!("{departure}: {e:?}"));
        assert_eq!(s.grants_left().await, 0, "{departure}");
        s.shut_out().await;
        if departure == "ban" {
            s.copkit
                .unban_member(&s.owner, &s.c, &s.member.user)
                .await
                .unwrap();
        }
    }

    // The process dies after the first step.
    s.join().await;
    s.grant_many().await;
    s.faults.crash_after_commits(1);
    s.copkit.leave(&s.member, &s.c).await.unwrap();
    s.faults.recover();
    let left = s.grants_left().await;
    assert!(left > 0 && left < GRANTS, "{left} grants left behind");
    s.shut_out().await;
    // Returning does not bring the old grants back to life.
    s.join().await;
    s.shut_out().await;
    // The next departure clears them.
    s.copkit.leave(&s.member, &s.c).await.unwrap();
    assert_eq!(s.grants_left().await, 0);
}

#[tokio::test]
async fn on_memory() {
    departures_of_any_size(Arc::new(copkit_core::MemoryStore::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqlite() {
    departures_of_any_size(Arc::new(common::sqlite::fresh_store())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --ignored)"]
async fn on_dynamodb() {
    departures_of_any_size(Arc::new(common::moto::fresh_store(None).await)).await;
}
