//! Per-person limits on the writes that can flood others: past the limit a
//! write is refused with the seconds until its window ends, others are not
//! affected, and a refused or invalid request costs nothing.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::{World, actor, new_community, new_space, start};
use copkit_core::model::{JoinPolicy, SpaceVisibility, ThreadKind, Visibility};
use copkit_core::service::{NewPost, NewThread, RateLimit, RateLimits};
use copkit_core::{Config, Copkit, Error, ManualClock, MemoryStore, SequentialIds};
use jiff::SignedDuration;

fn limited(limits: RateLimits) -> (Copkit, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(start()));
    let mut config = Config::with_cursor_key([42; 32]);
    config.rate_limits = limits;
    let copkit = Copkit::builder(Arc::new(MemoryStore::new()))
        .clock(clock.clone())
        .ids(Arc::new(SequentialIds::new()))
        .config(config)
        .build()
        .unwrap();
    (copkit, clock)
}

#[tokio::test]
async fn the_twenty_first_community_in_an_hour_waits_for_the_next_hour() {
    // The clock starts on the hour (09:00); ten minutes in, 50 minutes remain.
    let w = World::new();
    w.clock.advance(SignedDuration::from_mins(10));
    let helen = actor("helen");
    for i in 0..20 {
        w.copkit
            .create_community(
                &helen,
                new_community(&format!("group-{i}"), Visibility::Public, JoinPolicy::Open),
            )
            .await
            .unwrap();
    }
    let refused = w
        .copkit
        .create_community(
            &helen,
            new_community("group-20", Visibility::Public, JoinPolicy::Open),
        )
        .await
        .unwrap_err();
    assert_eq!(
        refused,
        Error::RateLimited {
            retry_after_secs: 50 * 60
        }
    );
    // Nothing was written.
    assert!(
        w.copkit
            .get_community_by_slug(&helen, "group-20")
            .await
            .is_err()
    );
    // Another person is not held back.
    w.copkit
        .create_community(
            &actor("rosa"),
            new_community("rosas-group", Visibility::Public, JoinPolicy::Open),
        )
        .await
        .unwrap();
    // An invalid request is refused for what it is, not counted.
    let invalid = w
        .copkit
        .create_community(
            &helen,
            new_community("x", Visibility::Public, JoinPolicy::Open),
        )
        .await
        .unwrap_err();
    assert!(matches!(invalid, Error::Invalid(_)), "{invalid:?}");
    // The next hour starts a new window.
    w.clock.advance(SignedDuration::from_mins(50));
    w.copkit
        .create_community(
            &helen,
            new_community("group-20", Visibility::Public, JoinPolicy::Open),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn threads_and_posts_share_one_posting_limit() {
    let (k, clock) = limited(RateLimits {
        posts: Some(RateLimit::per(3, SignedDuration::from_mins(10))),
        ..RateLimits::off()
    });
    let helen = actor("helen");
    let c = k
        .create_community(
            &helen,
            new_community("st3", Visibility::Public, JoinPolicy::Open),
        )
        .await
        .unwrap()
        .card
        .id;
    let space = k
        .create_space(&helen, &c, new_space("Cases", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;
    let thread = NewThread {
        kind: ThreadKind::Discussion,
        title: "Difficult consultations".into(),
        body: String::new(),
        tags: vec![],
    };
    let post = NewPost {
        body: "A reply".into(),
        parent: None,
    };
    let started = k
        .start_thread(&helen, &space, thread.clone())
        .await
        .unwrap();
    k.add_post(&helen, &started.id, post.clone()).await.unwrap();
    k.add_post(&helen, &started.id, post.clone()).await.unwrap();
    assert!(matches!(
        k.add_post(&helen, &started.id, post.clone()).await,
        Err(Error::RateLimited { .. })
    ));
    assert!(matches!(
        k.start_thread(&helen, &space, thread.clone()).await,
        Err(Error::RateLimited { .. })
    ));
    assert_eq!(
        k.list_posts(
            &helen,
            &started.id,
            &copkit_core::model::PageRequest::first()
        )
        .await
        .unwrap()
        .items
        .len(),
        2
    );
    clock.advance(SignedDuration::from_mins(10));
    k.add_post(&helen, &started.id, post).await.unwrap();
}

#[tokio::test]
async fn limits_can_be_turned_off() {
    let (k, _clock) = limited(RateLimits::off());
    let helen = actor("helen");
    for i in 0..60 {
        k.create_community(
            &helen,
            new_community(&format!("group-{i}"), Visibility::Public, JoinPolicy::Open),
        )
        .await
        .unwrap();
    }
}
