//! The client under faults, through a proxy in front of copkit-local on
//! SQLite: 503s and broken connections after the server committed (one
//! write, not several), 429 with Retry-After, a refused token, an unchanged
//! answer (304), timeouts, and the offline cache.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use copkit_client::{Client, ClientError, ClientResult, RetryPolicy, TokenProvider};
use copkit_core::SpaceId;
use copkit_core::model::PageRequest;
use serde_json::json;

use common::proxy::{Action, Proxy, always};
use common::{Local, Seen, client, config, input, start};

/// copkit-local with a community and a space owned by olivia.
async fn world() -> (Local, SpaceId) {
    let local = start();
    let owner = client(&local.base, "olivia", &Seen::default());
    let c = owner
        .create_community(input(
            json!({"slug": "faults", "name": "Faults", "purpose": "",
            "kind": "learning_set", "access": {"visibility": "public", "join_policy": "open"}}),
        ))
        .await
        .unwrap();
    let space = owner
        .create_space(
            &c.card.id,
            input(json!({"name": "General", "visibility": {"type": "members"}})),
        )
        .await
        .unwrap();
    (local, space.id)
}

fn thread(title: &str) -> copkit_core::service::NewThread {
    input(json!({"kind": "discussion", "title": title, "body": "Body", "tags": []}))
}

async fn titles(client: &Client, space: &SpaceId) -> Vec<String> {
    let page = client
        .list_threads(space, &PageRequest::default())
        .await
        .unwrap();
    page.items.into_iter().map(|t| t.title).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_answered_503_twice_after_committing_lands_once() {
    let (local, space) = world().await;
    let proxy = Proxy::start(
        &local.base,
        Box::new(|method, _, before| match (method, before) {
            ("POST", 0 | 1) => Action::ForwardThen503,
            _ => Action::Forward,
        }),
    )
    .await;
    let seen = Seen::default();
    let olivia = client(&proxy.base, "olivia", &seen);
    let started = olivia
        .start_thread(&space, thread("Once only"))
        .await
        .unwrap();

    // Three attempts reached the server, all with one key...
    let posts = proxy.count("POST", "/spaces/");
    assert_eq!(posts.len(), 3);
    let key = posts[0].2.clone().expect("an Idempotency-Key");
    assert!(
        posts
            .iter()
            .all(|(_, _, k)| k.as_deref() == Some(key.as_str()))
    );
    assert_eq!(
        seen.statuses("POST", "/spaces/{id}/threads"),
        [Some(503), Some(503), Some(201)]
    );
    // ...and one thread exists: the first, whose answer the retry got.
    let direct = client(&local.base, "olivia", &Seen::default());
    assert_eq!(titles(&direct, &space).await, ["Once only"]);
    assert_eq!(direct.get_thread(&started.id).await.unwrap().id, started.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_after_the_commit_is_retried_with_the_same_key() {
    let (local, space) = world().await;
    let proxy = Proxy::start(
        &local.base,
        Box::new(|method, _, before| match (method, before) {
            ("POST", 0) => Action::ForwardThenDrop,
            _ => Action::Forward,
        }),
    )
    .await;
    let seen = Seen::default();
    let olivia = client(&proxy.base, "olivia", &seen);
    let started = olivia
        .start_thread(&space, thread("Dropped"))
        .await
        .unwrap();
    assert_eq!(
        seen.statuses("POST", "/spaces/{id}/threads"),
        [None, Some(201)]
    );
    let posts = proxy.count("POST", "/spaces/");
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].2, posts[1].2);
    let direct = client(&local.base, "olivia", &Seen::default());
    assert_eq!(titles(&direct, &space).await, ["Dropped"]);
    // The retry got the first answer: the thread that exists.
    let only = direct
        .list_threads(&space, &PageRequest::default())
        .await
        .unwrap();
    assert_eq!(only.items[0].id, started.id);

    // An edit whose answer is lost is not turned into a version conflict
    // by its retry.
    proxy.set(Box::new(|method, _, before| match (method, before) {
        ("PATCH", 0) => Action::ForwardThenDrop,
        _ => Action::Forward,
    }));
    let edited = olivia
        .edit_thread(
            &started.id,
            input(json!({"title": "Dropped, edited"})),
            started.version,
        )
        .await
        .unwrap();
    assert_eq!(edited.title, "Dropped, edited");
    assert_eq!(edited.version, started.version + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_requests_waits_for_retry_after_or_gives_up_when_it_is_long() {
    let (local, space) = world().await;
    let proxy = Proxy::start(
        &local.base,
        Box::new(|method, _, before| match (method, before) {
            ("GET", 0) => Action::TooMany(1),
            _ => Action::Forward,
        }),
    )
    .await;
    let seen = Seen::default();
    let olivia = client(&proxy.base, "olivia", &seen);
    let started = std::time::Instant::now();
    olivia
        .list_threads(&space, &PageRequest::default())
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "Retry-After honoured"
    );
    assert_eq!(
        seen.statuses("GET", "/spaces/{id}/threads"),
        [Some(429), Some(200)]
    );

    // A wait longer than the client's limit is the caller's to decide.
    proxy.set(always(Action::TooMany(120)));
    let err = olivia
        .list_threads(&space, &PageRequest::default())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ClientError::RateLimited {
            retry_after_secs: 120
        }
    );
}

/// A provider whose cached token has expired: the first token is refused,
/// the refreshed one works.
struct Expiring {
    asked: AtomicUsize,
    refreshed: AtomicUsize,
}

#[async_trait]
impl TokenProvider for Expiring {
    async fn token(&self, refresh: bool) -> ClientResult<String> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        if refresh {
            self.refreshed.fetch_add(1, Ordering::SeqCst);
            Ok(common::token("olivia"))
        } else {
            Ok("expired".into())
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_is_refreshed_once() {
    let local = start();
    let provider = Arc::new(Expiring {
        asked: AtomicUsize::new(0),
        refreshed: AtomicUsize::new(0),
    });
    let olivia = Client::new(&local.base, provider.clone()).unwrap();
    assert_eq!(olivia.my_profile().await.unwrap().user.as_str(), "olivia");
    assert_eq!(provider.asked.load(Ordering::SeqCst), 2);
    assert_eq!(provider.refreshed.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unchanged_answers_cost_a_304_and_offline_reads_come_from_the_cache() {
    let (local, space) = world().await;
    let proxy = Proxy::start(&local.base, always(Action::Forward)).await;
    let seen = Seen::default();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache.db");
    let olivia = config(&proxy.base, "olivia", &seen)
        .cache_path(&cache)
        .build()
        .unwrap();
    let first = olivia.get_space(&space).await.unwrap();
    let again = olivia.get_space(&space).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(seen.statuses("GET", "/spaces/{id}"), [Some(200), Some(304)]);
    assert_eq!(olivia.stale_since(), None);

    // The server goes away: the last answer is shown, marked stale.
    proxy.set(always(Action::Refuse));
    let offline = olivia.get_space(&space).await.unwrap();
    assert_eq!(offline, first);
    assert!(olivia.stale_since().is_some());
    // Never seen before: nothing to show, a network error.
    let never = olivia
        .get_thread(&"01ARZ3NDEKTSV4RRFFQ69G5FAV".parse().unwrap())
        .await;
    assert!(
        matches!(never, Err(ClientError::Network { .. })),
        "{never:?}"
    );

    // The cache file outlives the app: a new client reads it offline.
    drop(olivia);
    let reopened = config(&proxy.base, "olivia", &Seen::default())
        .cache_path(&cache)
        .build()
        .unwrap();
    assert_eq!(reopened.get_space(&space).await.unwrap(), first);
    assert!(reopened.stale_since().is_some());
    // Another person on the same device sees nothing of it.
    let omar = config(&proxy.base, "omar", &Seen::default())
        .cache_path(&cache)
        .build()
        .unwrap();
    assert!(matches!(
        omar.get_space(&space).await,
        Err(ClientError::Network { .. })
    ));

    // Back online: fresh again.
    proxy.set(always(Action::Forward));
    reopened.get_space(&space).await.unwrap();
    assert_eq!(reopened.stale_since(), None);
    reopened.clear_cache().unwrap();
    proxy.set(always(Action::Refuse));
    assert!(reopened.get_space(&space).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_times_out() {
    let local = start();
    let proxy = Proxy::start(&local.base, always(Action::Hang)).await;
    let olivia = config(&proxy.base, "olivia", &Seen::default())
        .request_timeout(Duration::from_millis(300))
        .retry(RetryPolicy {
            max_attempts: 2,
            ..common::quick()
        })
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = olivia.my_profile().await.unwrap_err();
    assert!(matches!(err, ClientError::Network { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(proxy.count("GET", "/me").len(), 2);
}
