//! `Copkit.dynamodb(...)` (feature `dynamodb`) against the moto emulator:
//! the same session calls on DynamoDB + S3, a document's bytes round-trip
//! through the presigned requests' store, an outsider still sees nothing.
//! Ignored by default; `tests/run-all.sh` runs it with moto and
//! `--ignored`.

#![cfg(feature = "dynamodb")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use copkit_core::UserId;
use copkit_core::blob::sha256_hex;
use copkit_core::model::{Access, CommunityKind, JoinPolicy, SpaceVisibility};
use copkit_core::service::{NewCommunity, NewDocument, NewSpace};
use copkit_ffi::{Copkit, CopkitError};

fn unique(prefix: &str) -> String {
    let mut suffix = [0u8; 6];
    getrandom::fill(&mut suffix).unwrap();
    format!("{prefix}-{}", hex::encode(suffix))
}

#[tokio::test]
#[ignore = "needs a moto server: run tests/run-all.sh, or start `moto_server`, set AWS_ENDPOINT_URL and credentials, then pass --ignored"]
async fn sessions_work_on_dynamodb_and_s3() {
    assert!(
        std::env::var("AWS_ENDPOINT_URL").is_ok_and(|u| !u.is_empty()),
        "AWS_ENDPOINT_URL is not set: start moto (tests/run-all.sh does)"
    );
    let kit = Copkit::dynamodb(unique("copkit-ffi"), Some(unique("copkit-ffi")), true)
        .await
        .unwrap();
    let lead = kit.session(UserId::new("lead").unwrap(), None, None);
    let group = lead
        .create_community(NewCommunity {
            slug: unique("ffi"),
            name: "Practice team".into(),
            purpose: String::new(),
            kind: CommunityKind::PracticeTeam,
            access: Access::Private {
                join_policy: JoinPolicy::Approval,
            },
            join_question: None,
        })
        .await
        .unwrap();
    let space = lead
        .create_space(
            group.card.id,
            NewSpace {
                name: "Protocols".into(),
                description: String::new(),
                visibility: SpaceVisibility::Members,
            },
        )
        .await
        .unwrap();
    let bytes = b"repeat prescribing protocol v3\n".repeat(100);
    let document = lead
        .upload_document(
            space.id,
            NewDocument {
                title: "Repeat prescribing".into(),
                description: String::new(),
                tags: vec![],
                content_type: "text/plain".into(),
                sha256: Some(sha256_hex(&bytes)),
                bytes: bytes.clone(),
            },
        )
        .await
        .unwrap();
    let download = lead.download_document(document.id, None).await.unwrap();
    assert_eq!(download.bytes, bytes);
    let link = lead
        .document_download_link(document.id, None)
        .await
        .unwrap();
    assert!(link.get.is_some(), "S3 gives a presigned GET");

    let outsider = kit.session(UserId::new("outsider").unwrap(), None, None);
    assert_eq!(
        outsider.download_document(document.id, None).await,
        Err(CopkitError::NotFound)
    );
}
