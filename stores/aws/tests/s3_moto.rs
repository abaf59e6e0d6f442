//! `S3BlobStore` against moto's S3: the blob checks every store passes, and
//! a document uploaded and downloaded with presigned requests, the bytes
//! never passing through copkit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod moto;

use std::sync::Arc;

use copkit_aws::S3BlobStore;
use copkit_core::blob::{BlobStore, SignedRequest, sha256_hex};
use copkit_core::model::{Access, CommunityKind, JoinPolicy, SpaceVisibility};
use copkit_core::service::{NewCommunity, NewSpace, NewUploadedDocument, UploadIntent};
use copkit_core::{Actor, Config, Copkit, Error, MemoryStore, UserId};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

async fn bucket() -> S3BlobStore {
    let config = moto::sdk_config().await;
    let client = copkit_aws::config::s3_client(&config);
    let mut suffix = [0u8; 6];
    getrandom::fill(&mut suffix).unwrap();
    let name = format!("copkit-test-{}", hex::encode(suffix));
    client.create_bucket().bucket(&name).send().await.unwrap();
    S3BlobStore::new(client, name)
}

/// Sends a presigned request as a client would; status and body.
async fn send(request: &SignedRequest, body: Vec<u8>) -> (u16, Vec<u8>) {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let mut builder = hyper::Request::builder()
        .method(request.method.as_str())
        .uri(&request.url);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let response = client
        .request(builder.body(Full::new(Bytes::from(body))).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, bytes.to_vec())
}

#[tokio::test]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --include-ignored)"]
async fn s3_passes_the_blob_checks() {
    let store = bucket().await;
    copkit_core::blob::conformance::blob_store_round_trips(&store, "checks").await;
    let info = store
        .head("checks/docs/streamed/v1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        info.sha256.as_deref(),
        Some(sha256_hex(b"abcdef").as_str()),
        "S3 keeps the checksum written with the object"
    );
}

#[tokio::test]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --include-ignored)"]
async fn a_document_travels_by_presigned_requests() {
    let blobs = bucket().await;
    let copkit = Copkit::builder(Arc::new(MemoryStore::new()))
        .blobs(Arc::new(blobs.clone()))
        .config(Config::with_cursor_key([5; 32]))
        .build()
        .unwrap();
    let helen = Actor::new(UserId::new("helen").unwrap()).with_name("Dr Helen");
    let group = copkit
        .create_community(
            &helen,
            NewCommunity {
                slug: "presigned-group".into(),
                name: "Presigned group".into(),
                purpose: String::new(),
                kind: CommunityKind::TrainingGroup,
                access: Access::Private {
                    join_policy: JoinPolicy::InviteOnly,
                },
                join_question: None,
            },
        )
        .await
        .unwrap();
    let space = copkit
        .create_space(
            &helen,
            &group.card.id,
            NewSpace {
                name: "Library".into(),
                description: String::new(),
                visibility: SpaceVisibility::Members,
            },
        )
        .await
        .unwrap();

    let bytes: Vec<u8> = b"%PDF-1.7\n"
        .iter()
        .copied()
        .chain((0..=255u8).cycle())
        .take(300_000)
        .collect();
    let ticket = copkit
        .begin_upload(
            &helen,
            &space.id,
            UploadIntent {
                content_type: "application/pdf".into(),
                size: bytes.len() as u64,
                sha256: sha256_hex(&bytes),
            },
        )
        .await
        .unwrap();
    let put = ticket.put.clone().expect("S3 signs uploads");
    assert_eq!(put.method, "PUT");
    assert!(put.url.contains("X-Amz-Signature"), "{}", put.url);
    // Filing before the bytes arrive finds nothing.
    let filing = NewUploadedDocument {
        title: "Safeguarding policy".into(),
        description: String::new(),
        tags: vec![],
        upload: ticket.upload.clone(),
    };
    assert!(matches!(
        copkit
            .add_uploaded_document(&helen, &space.id, filing.clone())
            .await,
        Err(Error::Conflict(_))
    ));
    // Other bytes of the same length under the same signature: refused by
    // S3's checksum or, failing that, when filed.
    let mut tampered = bytes.clone();
    tampered[0] ^= 1;
    let (status, _) = send(&put, tampered).await;
    if status == 200 {
        assert!(matches!(
            copkit
                .add_uploaded_document(&helen, &space.id, filing.clone())
                .await,
            Err(Error::Conflict(_))
        ));
    } else {
        assert_eq!(status, 400, "a checksum mismatch is a bad request");
    }
    let (status, answer) = send(&put, bytes.clone()).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
    let doc = copkit
        .add_uploaded_document(&helen, &space.id, filing)
        .await
        .unwrap();
    assert_eq!(doc.sha256, sha256_hex(&bytes));

    let link = copkit
        .document_download_link(&helen, &doc.id, None)
        .await
        .unwrap();
    let get = link.get.expect("S3 signs downloads");
    assert!(link.expires_at.is_some());
    let (status, downloaded) = send(&get, Vec::new()).await;
    assert_eq!(status, 200);
    assert_eq!(sha256_hex(&downloaded), link.version.sha256);
    assert_eq!(downloaded, bytes);
    // The bytes moved from the upload area into the library.
    assert_eq!(
        blobs
            .head(&link.version.blob_key)
            .await
            .unwrap()
            .unwrap()
            .size,
        300_000
    );
    assert!(blobs.get(&link.version.blob_key).await.unwrap().is_some());
}

/// An export larger than a Lambda response (6 MB: a member with 10,000
/// posts) is stored in S3 and fetched whole with its short-lived link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --include-ignored)"]
async fn a_very_large_export_is_downloaded_from_s3() {
    use copkit_core::service::{ExportDelivery, NewPost, NewThread};
    let blobs = bucket().await;
    let clock = Arc::new(copkit_core::ManualClock::new(
        "2026-03-02T09:00:00Z".parse().unwrap(),
    ));
    let copkit = Copkit::builder(Arc::new(MemoryStore::new()))
        .blobs(Arc::new(blobs.clone()))
        .clock(clock.clone())
        .config(Config::with_cursor_key([5; 32]))
        .build()
        .unwrap();
    let helen = Actor::new(UserId::new("helen").unwrap());
    let group = copkit
        .create_community(
            &helen,
            NewCommunity {
                slug: "export-group".into(),
                name: "Export group".into(),
                purpose: String::new(),
                kind: CommunityKind::TrainingGroup,
                access: Access::Private {
                    join_policy: JoinPolicy::InviteOnly,
                },
                join_question: None,
            },
        )
        .await
        .unwrap();
    let space = copkit
        .create_space(
            &helen,
            &group.card.id,
            NewSpace {
                name: "Reflections".into(),
                description: String::new(),
                visibility: SpaceVisibility::Members,
            },
        )
        .await
        .unwrap();
    let thread = copkit
        .start_thread(
            &helen,
            &space.id,
            NewThread {
                kind: copkit_core::model::ThreadKind::Discussion,
                title: "A year of reflections".into(),
                body: String::new(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    let body = "A reflection on today's surgery. ".repeat(20);
    for _ in 0..10_000 {
        // One post every 3 seconds: within the posting limit.
        clock.advance(jiff::SignedDuration::from_secs(3));
        copkit
            .add_post(
                &helen,
                &thread.id,
                NewPost {
                    body: body.clone(),
                    parent: None,
                },
            )
            .await
            .unwrap();
    }
    let ExportDelivery::Download { get, size, .. } = copkit.deliver_export(&helen).await.unwrap()
    else {
        panic!("S3 signs a download: a large export is stored, not inline");
    };
    assert!(size > 6 * 1024 * 1024, "{size} bytes");
    let (status, bytes) = send(&get, Vec::new()).await;
    assert_eq!(status, 200);
    assert_eq!(bytes.len() as u64, size);
    let export: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(export["posts"].as_array().unwrap().len(), 10_000);
}

/// In a bucket that keeps versions, purging a key removes every version and
/// delete marker: the bytes are gone, not hidden.
#[tokio::test]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --include-ignored)"]
async fn purging_removes_every_version_of_an_object() {
    use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
    let store = bucket().await;
    let config = moto::sdk_config().await;
    let client = copkit_aws::config::s3_client(&config);
    client
        .put_bucket_versioning()
        .bucket(store.bucket())
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let key = "documents/d1/v1";
    store
        .put(key, b"first".to_vec(), "text/plain")
        .await
        .unwrap();
    store
        .put(key, b"second".to_vec(), "text/plain")
        .await
        .unwrap();
    store.delete(key).await.unwrap();
    let versions = |client: aws_sdk_s3::Client, bucket: String| async move {
        let listed = client
            .list_object_versions()
            .bucket(bucket)
            .prefix(key)
            .send()
            .await
            .unwrap();
        listed.versions().len() + listed.delete_markers().len()
    };
    assert_eq!(
        versions(client.clone(), store.bucket().to_owned()).await,
        3,
        "two versions and a delete marker: the bytes are only hidden"
    );
    store.purge(key).await.unwrap();
    assert_eq!(versions(client.clone(), store.bucket().to_owned()).await, 0);
    // Purging what is gone is harmless.
    store.purge(key).await.unwrap();
}
