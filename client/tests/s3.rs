//! Documents straight to and from S3: copkit-local on DynamoDB + S3 (moto)
//! answers upload tickets and download links with presigned S3 requests,
//! and the client sends and fetches the bytes there, without its token,
//! checking the SHA-256. Needs moto: `tests/run-all.sh` runs it with
//! `--ignored` and `AWS_ENDPOINT_URL` set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};

use copkit_client::Progress;
use copkit_core::service::NewDocument;
use serde_json::json;

use common::{Seen, input, start_on};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs moto (DynamoDB + S3): tests/run-all.sh runs it"]
async fn documents_go_straight_to_and_from_s3() {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("AWS_ENDPOINT_URL names moto");
    let name = format!("client-s3-{}", ulid_like());
    let local = start_on(
        "dynamodb",
        &[("COPKIT_TABLE", &name), ("COPKIT_BUCKET", &name)],
    );
    let seen = Seen::default();
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = cache_dir.path().join("cache.db");
    let olivia = common::config(&local.base, "olivia", &seen)
        .cache_path(&cache)
        .build()
        .unwrap();
    let c = olivia
        .create_community(input(
            json!({"slug": "s3-docs", "name": "S3 documents", "purpose": "",
            "kind": "learning_set", "access": {"visibility": "public", "join_policy": "open"}}),
        ))
        .await
        .unwrap();
    let space = olivia
        .create_space(
            &c.card.id,
            input(json!({"name": "Library", "visibility": {"type": "members"}})),
        )
        .await
        .unwrap();
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let reports = Arc::new(Mutex::new(Vec::new()));
    let progress: Progress = {
        let reports = reports.clone();
        Arc::new(move |done, total| reports.lock().unwrap().push((done, total)))
    };
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.extend_from_slice(&bytes);
    let document = olivia
        .upload_new_document(
            &space.id,
            NewDocument {
                title: "Large scan".into(),
                description: String::new(),
                tags: Vec::new(),
                content_type: "application/pdf".into(),
                sha256: None,
                bytes: pdf.clone(),
            },
            Some(progress),
        )
        .await
        .unwrap();
    let link = olivia
        .document_download_link(&document.id, None)
        .await
        .unwrap();
    let get = link.get.expect("a presigned GET");
    assert!(get.url.starts_with(&endpoint), "{} is S3's", get.url);
    let download = olivia
        .download_document(&document.id, None, None)
        .await
        .unwrap();
    assert_eq!(download.bytes, pdf);
    assert_eq!(
        copkit_client::sha256_hex(&download.bytes),
        download.version.sha256
    );
    // The bytes went to and from storage, never through the API.
    assert!(seen.statuses("PUT", "/uploads/{token}").is_empty());
    assert!(seen.statuses("GET", "/documents/{id}/content").is_empty());
    assert_eq!(seen.statuses("PUT", "(storage)"), [Some(200)]);
    assert_eq!(seen.statuses("GET", "(storage)"), [Some(200)]);
    // The cache keeps the API's reads, never what storage answered.
    let kept = rusqlite::Connection::open(&cache).unwrap();
    let (storage_rows, largest): (i64, i64) = kept
        .query_row(
            "SELECT count(*) FILTER (WHERE url LIKE ?1 || '%'), coalesce(max(length(body)), 0)
             FROM responses",
            [&endpoint],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(storage_rows, 0);
    assert!((largest as usize) < pdf.len(), "no document bytes cached");
    let last = *reports.lock().unwrap().last().unwrap();
    assert_eq!(last.0, last.1);
}

/// A name unique to this run.
fn ulid_like() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).unwrap();
    hex::encode(bytes)
}
