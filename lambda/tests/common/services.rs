//! The services straight over a store, for the tests that drive use cases
//! rather than the router (departures, stale authority, the model-based
//! sequences): a manual clock, sequential ids, and the store wrapped in a
//! [`CountingStore`] whose faults a test can set.

use std::sync::Arc;

use copkit_core::model::{Access, CommunityKind, JoinPolicy, Visibility};
use copkit_core::service::NewCommunity;
use copkit_core::store::counting::CountingStore;
use copkit_core::{Actor, CommunityId, Config, Copkit, ManualClock, SequentialIds, Store};

/// The services, the fault-setting wrapper around the store, the clock.
pub struct Services {
    pub copkit: Copkit,
    pub faults: CountingStore,
    pub clock: Arc<ManualClock>,
}

/// The services over `store`, on Monday 2 March 2026 at 09:00 UTC.
pub fn over(store: Arc<dyn Store>) -> Services {
    let faults = CountingStore::new(store);
    let clock = Arc::new(ManualClock::new("2026-03-02T09:00:00Z".parse().unwrap()));
    let copkit = Copkit::builder(Arc::new(faults.clone()))
        .clock(clock.clone())
        .ids(Arc::new(SequentialIds::new()))
        .config(Config::with_cursor_key([5; 32]))
        .build()
        .unwrap();
    Services {
        copkit,
        faults,
        clock,
    }
}

/// A Private, invitation-only community founded by `owner`.
pub async fn private_community(copkit: &Copkit, owner: &Actor, slug: &str) -> CommunityId {
    copkit
        .create_community(
            owner,
            NewCommunity {
                slug: slug.into(),
                name: format!("Group {slug}"),
                purpose: String::new(),
                kind: CommunityKind::TrainingGroup,
                access: Access::new(Visibility::Private, JoinPolicy::InviteOnly),
                join_question: None,
            },
        )
        .await
        .unwrap()
        .card
        .id
}
