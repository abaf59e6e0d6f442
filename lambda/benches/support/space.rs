//! The space both router benches read: the real router over the in-memory
//! store, a private community with one space of 50 threads, and a token for
//! its owner.

use std::sync::Arc;

use axum::Router;
use copkit_core::model::{Access, CommunityKind, JoinPolicy, SpaceVisibility, ThreadKind};
use copkit_core::service::{NewCommunity, NewSpace, NewThread};
use copkit_core::{Actor, Copkit, MemoryStore, SpaceId, UserId};
use copkit_lambda::{AppState, Authenticator, Claims, app};

/// The router, the space and the `Authorization` header to read it with.
pub struct BenchSpace {
    pub router: Router,
    pub space: SpaceId,
    pub bearer: String,
}

/// Builds the space.
pub async fn bench_space() -> Result<BenchSpace, Box<dyn std::error::Error>> {
    // The real router over the in-memory store with a space of 50 threads.
    let copkit = Copkit::new(Arc::new(MemoryStore::new()))?;
    let owner = Actor::new(UserId::new("bench")?).with_name("Bench");
    let community = copkit
        .create_community(
            &owner,
            NewCommunity {
                slug: "bench-group".into(),
                name: "Bench group".into(),
                purpose: String::new(),
                kind: CommunityKind::LearningSet,
                access: Access::Private {
                    join_policy: JoinPolicy::InviteOnly,
                },
                join_question: None,
            },
        )
        .await?
        .card
        .id;
    let space = copkit
        .create_space(
            &owner,
            &community,
            NewSpace {
                name: "General".into(),
                description: String::new(),
                visibility: SpaceVisibility::Members,
            },
        )
        .await?
        .id;
    for i in 0..50 {
        copkit
            .start_thread(
                &owner,
                &space,
                NewThread {
                    kind: ThreadKind::Discussion,
                    title: format!("Thread number {i}"),
                    body: "A case worth discussing.".into(),
                    tags: vec!["bench".into()],
                },
            )
            .await?;
    }
    let auth = Authenticator::hs256(b"bench secret");
    let token = auth
        .issue(&Claims {
            sub: "bench".into(),
            // 2100-01-01: these tests are not about expiry.
            exp: Some(4_102_444_800),
            ..Claims::default()
        })
        .ok_or("no token")?;
    Ok(BenchSpace {
        router: app::router(AppState::new(copkit, auth)),
        space,
        bearer: format!("Bearer {token}"),
    })
}
