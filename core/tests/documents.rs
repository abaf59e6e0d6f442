//! The document library: uploads checked on the way in, versions, downloads
//! checked on the way out, and nothing left behind by a refused upload.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{World, actor, invalid_fields, new_space};
use copkit_core::blob::sha256_hex;
use copkit_core::model::{JoinPolicy, PageRequest, SpaceVisibility, Visibility};
use copkit_core::service::{DocumentChanges, NewDocument, NewVersion};
use copkit_core::{Conflict, Error, Forbidden};

fn pdf(title: &str, bytes: &[u8]) -> NewDocument {
    NewDocument {
        title: title.into(),
        description: "Practice guidance".into(),
        tags: vec!["guidance".into()],
        content_type: "application/pdf".into(),
        sha256: Some(sha256_hex(bytes)),
        bytes: bytes.to_vec(),
    }
}

#[tokio::test]
async fn a_document_round_trips_through_versions() {
    let w = World::new();
    let helen = actor("helen");
    let tom = actor("tom");
    let c = w
        .community(
            &helen,
            "library",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    w.add_member(&helen, &c, &tom).await;
    let s = w
        .copkit
        .create_space(&helen, &c, new_space("Library", SpaceVisibility::Members))
        .await
        .unwrap();

    let v1: Vec<u8> = [
        b"%PDF-1.7\n".as_slice(),
        &(0..=255u8).cycle().take(100_000).collect::<Vec<_>>(),
    ]
    .concat();
    let doc = w
        .copkit
        .upload_document(&tom, &s.id, pdf("Sore throat pathway", &v1))
        .await
        .unwrap();
    assert_eq!((doc.current_version, doc.size), (1, 100_009));
    let download = w
        .copkit
        .download_document(&helen, &doc.id, None)
        .await
        .unwrap();
    assert_eq!(download.bytes, v1);
    assert_eq!(download.version.sha256, sha256_hex(&v1));

    let v2 = b"second edition".to_vec();
    let upload = NewVersion {
        content_type: "text/plain; charset=utf-8".into(),
        sha256: Some(sha256_hex(&v2)),
        bytes: v2.clone(),
        note: "Updated for 2026".into(),
    };
    let doc2 = w
        .copkit
        .add_document_version(&tom, &doc.id, upload.clone(), 1)
        .await
        .unwrap();
    assert_eq!(
        (doc2.current_version, doc2.content_type.as_str()),
        (2, "text/plain")
    );
    assert_eq!(
        w.copkit
            .add_document_version(&tom, &doc.id, upload, 1)
            .await
            .err(),
        Some(Error::Conflict(Conflict::VersionMismatch))
    );
    assert_eq!(
        w.copkit
            .download_document(&helen, &doc.id, None)
            .await
            .unwrap()
            .bytes,
        v2
    );
    assert_eq!(
        w.copkit
            .download_document(&helen, &doc.id, Some(1))
            .await
            .unwrap()
            .bytes,
        v1,
        "versions are immutable"
    );
    assert_eq!(
        w.copkit
            .download_document(&helen, &doc.id, Some(3))
            .await
            .err(),
        Some(Error::NotFound)
    );
    let versions = w
        .copkit
        .list_document_versions(&helen, &doc.id, &PageRequest::first())
        .await
        .unwrap();
    assert_eq!(
        versions.items.iter().map(|v| v.number).collect::<Vec<_>>(),
        [1, 2]
    );

    let changed = w
        .copkit
        .update_document(
            &helen,
            &doc.id,
            DocumentChanges {
                title: Some("Sore throat pathway (2026)".into()),
                ..Default::default()
            },
            2,
        )
        .await
        .unwrap();
    assert_eq!(changed.version, 3);
    let listed = w
        .copkit
        .list_documents(&tom, &s.id, &PageRequest::first())
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);

    // Only the uploader or a moderator changes it; deleting hides it.
    let mia = actor("mia");
    w.add_member(&helen, &c, &mia).await;
    assert_eq!(
        w.copkit.delete_document(&mia, &doc.id).await.err(),
        Some(Error::Forbidden(Forbidden::NotAuthor))
    );
    w.copkit.delete_document(&helen, &doc.id).await.unwrap();
    assert_eq!(
        w.copkit.get_document(&tom, &doc.id).await.err(),
        Some(Error::NotFound)
    );
    assert!(
        w.copkit
            .list_documents(&tom, &s.id, &PageRequest::first())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

#[tokio::test]
async fn bad_uploads_are_refused_and_leave_nothing_behind() {
    let w = World::new();
    let helen = actor("helen");
    let c = w
        .community(
            &helen,
            "checks",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    let s = w
        .copkit
        .create_space(&helen, &c, new_space("Library", SpaceVisibility::Members))
        .await
        .unwrap();

    let mut wrong_sum = pdf("Checked", b"%PDF-1.7 real bytes");
    wrong_sum.sha256 = Some(sha256_hex(b"other bytes"));
    assert_eq!(
        invalid_fields(w.copkit.upload_document(&helen, &s.id, wrong_sum).await),
        ["sha256"]
    );
    // A Windows executable called a PDF, or text: refused, nothing stored.
    let program: Vec<u8> = [b"MZ\x90\x00\x03".as_slice(), &[0u8; 200]].concat();
    for declared in ["application/pdf", "text/plain", "image/png"] {
        let mut disguised = pdf("Program", &program);
        disguised.content_type = declared.into();
        match w.copkit.upload_document(&helen, &s.id, disguised).await {
            Err(copkit_core::Error::Invalid(fields)) => {
                assert_eq!(fields[0].field, "content_type", "{declared}");
                assert_eq!(fields[0].code, "content_mismatch", "{declared}");
            }
            other => panic!("{declared}: {other:?}"),
        }
    }
    // A PDF called a PNG, and text called a PDF.
    let mut misnamed = pdf("Picture", b"%PDF-1.7 not an image");
    misnamed.content_type = "image/png".into();
    assert_eq!(
        invalid_fields(w.copkit.upload_document(&helen, &s.id, misnamed).await),
        ["content_type"]
    );
    assert_eq!(
        invalid_fields(
            w.copkit
                .upload_document(&helen, &s.id, pdf("Plain", b"just some notes"))
                .await
        ),
        ["content_type"]
    );
    let mut exe = pdf("Program", b"MZ");
    exe.content_type = "application/x-msdownload".into();
    assert_eq!(
        invalid_fields(w.copkit.upload_document(&helen, &s.id, exe).await),
        ["content_type"]
    );
    assert_eq!(
        invalid_fields(
            w.copkit
                .upload_document(&helen, &s.id, pdf("ab", b"%PDF-1.7"))
                .await
        ),
        ["title"]
    );

    // Over the size limit (set low for the test).
    let store = copkit_core::MemoryStore::new();
    let blobs = copkit_core::MemoryBlobStore::new();
    let mut config = copkit_core::Config::with_cursor_key([1; 32]);
    config.max_document_bytes = 1_000;
    let small = copkit_core::Copkit::builder(std::sync::Arc::new(store))
        .blobs(std::sync::Arc::new(blobs.clone()))
        .config(config)
        .build()
        .unwrap();
    let c2 = small
        .create_community(
            &helen,
            common::new_community("small", Visibility::Private, JoinPolicy::InviteOnly),
        )
        .await
        .unwrap()
        .card
        .id;
    let s2 = small
        .create_space(&helen, &c2, new_space("Library", SpaceVisibility::Members))
        .await
        .unwrap();
    let big = [b"%PDF-1.7".as_slice(), &[7u8; 1_001]].concat();
    assert_eq!(
        invalid_fields(
            small
                .upload_document(&helen, &s2.id, pdf("Too big", &big))
                .await
        ),
        ["bytes"]
    );
    assert!(blobs.is_empty(), "refused uploads write no blob");

    small
        .upload_document(&helen, &s2.id, pdf("Fits", b"%PDF-1.7 1"))
        .await
        .unwrap();
    assert_eq!(blobs.len(), 1);
}

/// Removed means removed: a deleted document's and a moderator-removed
/// document's bytes (every version) are purged once the grace window has
/// passed, and not before.
#[tokio::test]
async fn removed_documents_bytes_are_purged_after_the_grace_window() {
    use copkit_core::model::ContentRef;
    use copkit_core::service::{ContentDecision, Moderation};
    let w = World::new();
    let helen = actor("helen");
    let c = w
        .community(
            &helen,
            "library",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    let s = w
        .copkit
        .create_space(&helen, &c, new_space("Library", SpaceVisibility::Members))
        .await
        .unwrap();
    let k = &w.copkit;
    let mut keys = Vec::new();
    let mut documents = Vec::new();
    for title in ["Deleted guideline", "Removed guideline", "Kept guideline"] {
        let d = k
            .upload_document(&helen, &s.id, pdf(title, b"%PDF-1.7 v1"))
            .await
            .unwrap();
        let d = k
            .add_document_version(
                &helen,
                &d.id,
                NewVersion {
                    content_type: "application/pdf".into(),
                    sha256: None,
                    bytes: b"%PDF-1.7 v2".to_vec(),
                    note: String::new(),
                },
                d.version,
            )
            .await
            .unwrap();
        let versions = k
            .list_document_versions(&helen, &d.id, &PageRequest::first())
            .await
            .unwrap();
        keys.push(
            versions
                .items
                .iter()
                .map(|v| v.blob_key.clone())
                .collect::<Vec<_>>(),
        );
        documents.push(d);
    }
    k.delete_document(&helen, &documents[0].id).await.unwrap();
    k.moderate(
        &helen,
        &c,
        Moderation {
            target: ContentRef::Document {
                document: documents[1].id,
            },
            decision: ContentDecision::Remove,
            reason: "Out of date".into(),
            report: None,
        },
    )
    .await
    .unwrap();
    let present = |key: &String| {
        let key = key.clone();
        async move { k.blobs().get(&key).await.unwrap().is_some() }
    };
    // Within the grace window nothing goes.
    w.advance_days(29);
    let early = k.purge_removed_documents(100).await.unwrap();
    assert_eq!((early.documents, early.blobs_purged), (0, 0));
    for key in keys.iter().flatten() {
        assert!(present(key).await, "{key} kept during the grace window");
    }
    w.advance_days(2);
    let run = k.purge_removed_documents(100).await.unwrap();
    assert_eq!(
        (run.documents, run.blobs_purged, run.more_due),
        (2, 4, false)
    );
    for key in keys[0].iter().chain(&keys[1]) {
        assert!(!present(key).await, "{key} purged");
    }
    for key in &keys[2] {
        assert!(present(key).await, "the kept document keeps its bytes");
    }
    // Nothing is due any more.
    let again = k.purge_removed_documents(100).await.unwrap();
    assert_eq!((again.documents, again.blobs_purged), (0, 0));
}
