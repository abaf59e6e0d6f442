//! `GET /me/export` answers inline up to 5 MB and with `303 See Other` to a
//! short-lived download beyond (an AWS Lambda response holds at most 6 MB),
//! over a blob store that signs downloads the way S3 does.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::http::Method;
use common::Api;
use copkit_core::blob::{BlobStore, SignedRequest};
use copkit_core::store::StoreError;
use copkit_core::{MemoryBlobStore, MemoryStore};
use serde_json::json;

/// The memory blob store, signing downloads as S3 would.
struct Signing(MemoryBlobStore);

#[async_trait]
impl BlobStore for Signing {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), StoreError> {
        self.0.put(key, bytes, content_type).await
    }
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.0.get(key).await
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.0.delete(key).await
    }
    async fn presign_get(
        &self,
        key: &str,
        _filename: &str,
        _expires_in: Duration,
    ) -> Result<Option<SignedRequest>, StoreError> {
        Ok(Some(SignedRequest {
            method: "GET".into(),
            url: format!("https://downloads.example/{key}?signed"),
            headers: Default::default(),
        }))
    }
}

#[tokio::test]
async fn a_large_export_is_a_redirect_to_its_download_and_a_small_one_is_inline() {
    let blobs = MemoryBlobStore::new();
    let api = Api::with_parts(
        Arc::new(MemoryStore::new()),
        Arc::new(Signing(blobs.clone())),
    );
    let created = api
        .call(
            Method::POST,
            "/communities",
            &[],
            Some("helen"),
            Some(json!({"slug": "export-group", "name": "Export group", "purpose": "",
                "kind": "training_group", "access": {"visibility": "private", "join_policy": "invite_only"}})),
            &[],
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.json);
    let small = api
        .call(Method::GET, "/me/export", &[], Some("helen"), None, &[])
        .await;
    assert_eq!(small.status, 200);
    assert_eq!(small.json["memberships"].as_array().unwrap().len(), 1);

    // Three hundred long posts: more than 5 MB of export. (Few posts, each
    // near the 20,000-character limit: every post is also indexed for
    // search, which is slow in a debug build.)
    let community = created.json["card"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let actor = copkit_core::Actor::new(copkit_core::UserId::new("helen").unwrap());
    let space = api
        .copkit
        .create_space(
            &actor,
            &community,
            copkit_core::service::NewSpace {
                name: "Reflections".into(),
                description: String::new(),
                visibility: copkit_core::model::SpaceVisibility::Members,
            },
        )
        .await
        .unwrap();
    let thread = api
        .copkit
        .start_thread(
            &actor,
            &space.id,
            copkit_core::service::NewThread {
                kind: copkit_core::model::ThreadKind::Discussion,
                title: "A year of reflections".into(),
                body: String::new(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    let body = "A reflection on today's surgery. ".repeat(580);
    for _ in 0..300 {
        // One post every 3 seconds: within the posting limit.
        api.clock.advance(jiff::SignedDuration::from_secs(3));
        api.copkit
            .add_post(
                &actor,
                &thread.id,
                copkit_core::service::NewPost {
                    body: body.clone(),
                    parent: None,
                },
            )
            .await
            .unwrap();
    }
    let large = api
        .call(Method::GET, "/me/export", &[], Some("helen"), None, &[])
        .await;
    assert_eq!(large.status, 303);
    let location = large.headers["location"].to_str().unwrap();
    let key = location
        .strip_prefix("https://downloads.example/")
        .and_then(|k| k.strip_suffix("?signed"))
        .unwrap();
    let stored = blobs.get(key).await.unwrap().unwrap();
    assert!(stored.len() > 5 * 1024 * 1024, "{} bytes", stored.len());
    let export: serde_json::Value = serde_json::from_slice(&stored).unwrap();
    assert_eq!(export["posts"].as_array().unwrap().len(), 300);
}
