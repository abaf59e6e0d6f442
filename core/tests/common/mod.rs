//! Shared fixtures for service tests: a `Copkit` over the in-memory store
//! with a manual clock and sequential ids.

#![allow(dead_code)]

use std::sync::Arc;

use copkit_core::model::{CommunityKind, JoinPolicy, Visibility};
use copkit_core::service::{CommunityView, NewCommunity, NewSpace};
use copkit_core::{
    Actor, CommunityId, Config, Copkit, ManualClock, MemoryStore, SequentialIds, UserId,
};
use jiff::{SignedDuration, Timestamp};

pub struct World {
    pub copkit: Copkit,
    pub clock: Arc<ManualClock>,
    pub store: MemoryStore,
}

pub fn start() -> Timestamp {
    "2026-03-02T09:00:00Z".parse().unwrap()
}

impl World {
    pub fn new() -> World {
        let clock = Arc::new(ManualClock::new(start()));
        let store = MemoryStore::new();
        let copkit = Copkit::builder(Arc::new(store.clone()))
            .clock(clock.clone())
            .ids(Arc::new(SequentialIds::new()))
            .config(Config::with_cursor_key([42; 32]))
            .build()
            .unwrap();
        World {
            copkit,
            clock,
            store,
        }
    }

    pub fn advance_days(&self, days: i64) {
        self.clock.advance(SignedDuration::from_hours(24 * days));
    }

    pub async fn community(
        &self,
        owner: &Actor,
        slug: &str,
        visibility: Visibility,
        join_policy: JoinPolicy,
    ) -> CommunityId {
        self.copkit
            .create_community(owner, new_community(slug, visibility, join_policy))
            .await
            .unwrap()
            .card
            .id
    }

    /// Adds `who` as an active Member (through an invitation link).
    pub async fn add_member(&self, moderator: &Actor, community: &CommunityId, who: &Actor) {
        let invite = self
            .copkit
            .create_invitation(
                moderator,
                community,
                copkit_core::service::NewInvitation::link(1),
            )
            .await
            .unwrap();
        self.copkit
            .accept_invitation(who, &invite.token)
            .await
            .unwrap();
    }

    pub async fn view(&self, actor: &Actor, community: &CommunityId) -> CommunityView {
        self.copkit.get_community(actor, community).await.unwrap()
    }
}

pub fn actor(name: &str) -> Actor {
    Actor::new(UserId::new(name).unwrap()).with_name(name.to_uppercase())
}

pub fn new_community(slug: &str, visibility: Visibility, join_policy: JoinPolicy) -> NewCommunity {
    NewCommunity {
        slug: slug.into(),
        name: format!("Group {slug}"),
        purpose: "We learn from each other.".into(),
        kind: CommunityKind::TrainingGroup,
        access: copkit_core::model::Access::new(visibility, join_policy),
        join_question: None,
    }
}

pub fn new_space(name: &str, visibility: copkit_core::model::SpaceVisibility) -> NewSpace {
    NewSpace {
        name: name.into(),
        description: String::new(),
        visibility,
    }
}

/// The field names of an `Invalid` error.
pub fn invalid_fields<T: std::fmt::Debug>(result: copkit_core::Result<T>) -> Vec<String> {
    match result {
        Err(copkit_core::Error::Invalid(fields)) => fields.into_iter().map(|f| f.field).collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

/// A bare community record for policy tests.
pub fn policy_community(
    visibility: Visibility,
    join_policy: JoinPolicy,
) -> copkit_core::model::Community {
    copkit_core::model::Community {
        id: CommunityId(ulid::Ulid::from_parts(1, 1)),
        slug: copkit_core::model::Slug::new("policy").unwrap(),
        name: "Policy".into(),
        purpose: String::new(),
        kind: CommunityKind::TrainingGroup,
        visibility,
        join_policy,
        join_question: None,
        created_by: UserId::new("founder").unwrap(),
        created_at: Timestamp::UNIX_EPOCH,
        updated_at: Timestamp::UNIX_EPOCH,
        version: 1,
        counts: copkit_core::model::CommunityCounts::default(),
        level_rules: Default::default(),
        departed_uploads: Default::default(),
    }
}

/// A bare space record (of `policy_community`) for policy tests.
pub fn policy_space(
    visibility: copkit_core::model::SpaceVisibility,
    archived: bool,
) -> copkit_core::model::Space {
    copkit_core::model::Space {
        id: copkit_core::SpaceId(ulid::Ulid::from_parts(1, 2)),
        community: CommunityId(ulid::Ulid::from_parts(1, 1)),
        name: "Room".into(),
        description: String::new(),
        visibility,
        archived_at: archived.then_some(Timestamp::UNIX_EPOCH),
        created_by: UserId::new("founder").unwrap(),
        created_at: Timestamp::UNIX_EPOCH,
        updated_at: Timestamp::UNIX_EPOCH,
        version: 1,
    }
}
