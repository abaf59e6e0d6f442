//! `S3SearchIndex` against moto's S3: the search conformance suite (each
//! change a conditional rewrite of the community's object, each search a
//! local copy refreshed by ETag), and what only a shared object shows:
//! two index instances (the indexer and an API sandbox) see each other's
//! changes, and a writer that lost the race starts again without losing
//! either change.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod moto;

use std::time::Duration;

use copkit_aws::S3SearchIndex;
use copkit_core::UserId;
use copkit_core::ids::{CommunityId, SpaceId};
use copkit_core::model::SearchKind;
use copkit_core::search::{IndexChange, SearchEntry, SearchIndex, SearchRequest, SearchScope};
use jiff::Timestamp;

/// A bucket of its own, made at moto.
async fn bucket() -> (aws_sdk_s3::Client, String) {
    let config = moto::sdk_config().await;
    let client = copkit_aws::config::s3_client(&config);
    let mut suffix = [0u8; 6];
    getrandom::fill(&mut suffix).unwrap();
    let name = format!("copkit-search-{}", hex::encode(suffix));
    client.create_bucket().bucket(&name).send().await.unwrap();
    (client, name)
}

/// An index on a fresh bucket that asks S3 at every search.
async fn index() -> S3SearchIndex {
    let (client, name) = bucket().await;
    let scratch = scratch(&name);
    S3SearchIndex::new(client, name, "search/", &scratch, Duration::ZERO).unwrap()
}

mod conformance {
    copkit_core::search_conformance_suite!(
        ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --include-ignored)",
        super::index().await
    );
}

fn entry(community: CommunityId, space: SpaceId, id: &str, body: &str) -> SearchEntry {
    SearchEntry {
        kind: SearchKind::Thread,
        id: id.into(),
        community,
        space,
        thread: None,
        title: format!("thread {id}"),
        body: body.into(),
        tags: vec![],
        author: UserId::new("u-author").unwrap(),
        at: Timestamp::UNIX_EPOCH,
    }
}

fn ids(text: &str, community: CommunityId, space: SpaceId) -> SearchRequest {
    SearchRequest {
        text: text.into(),
        scopes: vec![SearchScope {
            community,
            spaces: vec![space],
        }],
        kinds: vec![],
        tag: None,
        author: None,
        since: None,
        before: None,
        now: Timestamp::UNIX_EPOCH,
        offset: 0,
        limit: 10,
    }
}

async fn found(index: &S3SearchIndex, request: &SearchRequest) -> Vec<String> {
    let mut ids: Vec<String> = index
        .search(request)
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    ids.sort();
    ids
}

/// A random ULID (tests make their own ids).
fn fresh() -> ulid::Ulid {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).unwrap();
    ulid::Ulid::from_bytes(bytes)
}

/// A scratch folder under cargo's target/tmp (not the system's /tmp, which
/// these tests would otherwise fill with index copies).
fn scratch(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", fresh()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --include-ignored)"]
async fn the_indexer_and_an_api_sandbox_share_the_object() {
    let (client, name) = bucket().await;
    let indexer = S3SearchIndex::new(
        client.clone(),
        &name,
        "search/",
        &scratch("indexer"),
        Duration::ZERO,
    )
    .unwrap();
    // The API sandbox asks S3 again only after its refresh interval.
    let api = S3SearchIndex::new(
        client.clone(),
        &name,
        "search/",
        &scratch("api"),
        Duration::from_secs(3600),
    )
    .unwrap();
    let community: CommunityId = fresh().to_string().parse().unwrap();
    let space: SpaceId = fresh().to_string().parse().unwrap();
    let request = ids("toolkit", community, space);
    assert!(found(&api, &request).await.is_empty(), "no object yet");

    indexer
        .apply(
            &community,
            vec![IndexChange::Put(entry(
                community,
                space,
                "a",
                "appraisal toolkit",
            ))],
        )
        .await
        .unwrap();
    let object = client
        .head_object()
        .bucket(&name)
        .key(indexer.key(&community))
        .send()
        .await
        .unwrap();
    assert!(object.content_length().unwrap() > 0);
    assert!(indexer.key(&community).starts_with("search/v"));

    // Within its interval the sandbox answers from its copy (no object
    // then); a fresh sandbox (interval zero) reads the new object.
    assert!(found(&api, &request).await.is_empty());
    let fresh = S3SearchIndex::new(
        client.clone(),
        &name,
        "search/",
        &scratch("api2"),
        Duration::ZERO,
    )
    .unwrap();
    assert_eq!(found(&fresh, &request).await, ["a"]);

    // A second change: the fresh sandbox's ETag no longer matches.
    indexer
        .apply(
            &community,
            vec![IndexChange::Put(entry(
                community,
                space,
                "b",
                "toolkit again",
            ))],
        )
        .await
        .unwrap();
    assert_eq!(found(&fresh, &request).await, ["a", "b"]);

    // Cleared: the object is gone and nothing is found.
    indexer.clear(&community).await.unwrap();
    assert!(found(&fresh, &request).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --include-ignored)"]
async fn concurrent_writers_lose_no_change() {
    let (client, name) = bucket().await;
    let community: CommunityId = fresh().to_string().parse().unwrap();
    let space: SpaceId = fresh().to_string().parse().unwrap();
    let writers: Vec<S3SearchIndex> = (0..4)
        .map(|n| {
            S3SearchIndex::new(
                client.clone(),
                &name,
                "search/",
                &scratch(&format!("writer{n}")),
                Duration::ZERO,
            )
            .unwrap()
        })
        .collect();
    let mut tasks = Vec::new();
    for (n, writer) in writers.into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            let id = format!("t{n}");
            writer
                .apply(
                    &community,
                    vec![IndexChange::Put(entry(
                        community,
                        space,
                        &id,
                        "shared word",
                    ))],
                )
                .await
                .unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let reader =
        S3SearchIndex::new(client, &name, "search/", &scratch("reader"), Duration::ZERO).unwrap();
    assert_eq!(
        found(&reader, &ids("shared", community, space)).await,
        ["t0", "t1", "t2", "t3"],
        "each writer that lost the race started again from the winner's object"
    );
}
