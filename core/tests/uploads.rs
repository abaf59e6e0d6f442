//! Two-step uploads: a ticket, the bytes (streamed), then filing them as a
//! document or version. Tokens are capabilities bound to a person, a space
//! and a time; bytes that do not match their ticket never become a document.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use async_trait::async_trait;
use common::{World, actor, invalid_fields, new_space};
use copkit_core::blob::{ByteSource, sha256_hex};
use copkit_core::model::{JoinPolicy, SpaceVisibility, Visibility};
use copkit_core::service::{NewUploadedDocument, UploadIntent, UploadedVersion};
use copkit_core::store::StoreError;
use copkit_core::{Actor, Conflict, Error, SpaceId};
use jiff::SignedDuration;

/// A body arriving in pieces of `size` bytes.
struct Pieces {
    bytes: Vec<u8>,
    size: usize,
}

#[async_trait]
impl ByteSource for Pieces {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, StoreError> {
        if self.bytes.is_empty() {
            return Ok(None);
        }
        let n = self.size.min(self.bytes.len());
        Ok(Some(self.bytes.drain(..n).collect()))
    }
}

fn pieces(bytes: &[u8]) -> Pieces {
    Pieces {
        bytes: bytes.to_vec(),
        size: 4096,
    }
}

fn intent(bytes: &[u8]) -> UploadIntent {
    UploadIntent {
        content_type: "application/pdf".into(),
        size: bytes.len() as u64,
        sha256: sha256_hex(bytes),
    }
}

fn filed(title: &str, upload: &str) -> NewUploadedDocument {
    NewUploadedDocument {
        title: title.into(),
        description: String::new(),
        tags: vec!["guidance".into()],
        upload: upload.into(),
    }
}

struct Setup {
    w: World,
    helen: Actor,
    tom: Actor,
    space: SpaceId,
    other_space: SpaceId,
}

async fn setup() -> Setup {
    let w = World::new();
    let helen = actor("helen");
    let tom = actor("tom");
    let c = w
        .community(
            &helen,
            "uploads",
            Visibility::Private,
            JoinPolicy::InviteOnly,
        )
        .await;
    w.add_member(&helen, &c, &tom).await;
    let space = w
        .copkit
        .create_space(&helen, &c, new_space("Library", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;
    let other_space = w
        .copkit
        .create_space(&helen, &c, new_space("Other", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;
    Setup {
        w,
        helen,
        tom,
        space,
        other_space,
    }
}

#[tokio::test]
async fn an_upload_becomes_a_document_and_a_version() {
    let Setup {
        w,
        helen,
        tom,
        space,
        ..
    } = setup().await;
    let bytes: Vec<u8> = b"%PDF-1.7\n"
        .iter()
        .copied()
        .chain((0..=255u8).cycle())
        .take(70_000)
        .collect();
    let ticket = w
        .copkit
        .begin_upload(&tom, &space, intent(&bytes))
        .await
        .unwrap();
    assert_eq!(ticket.put, None, "the memory store signs nothing");
    assert_eq!(
        ticket.expires_at,
        w.copkit.now() + SignedDuration::from_mins(15)
    );
    w.copkit
        .receive_upload(&tom, &ticket.upload, &mut pieces(&bytes))
        .await
        .unwrap();
    let doc = w
        .copkit
        .add_uploaded_document(&tom, &space, filed("Referral pathway", &ticket.upload))
        .await
        .unwrap();
    assert_eq!(
        (doc.size, doc.sha256.as_str()),
        (70_000, sha256_hex(&bytes).as_str())
    );
    let download = w
        .copkit
        .download_document(&helen, &doc.id, None)
        .await
        .unwrap();
    assert_eq!(download.bytes, bytes);
    let link = w
        .copkit
        .document_download_link(&helen, &doc.id, None)
        .await
        .unwrap();
    assert_eq!(
        (link.get, link.expires_at, link.version.number),
        (None, None, 1)
    );

    // The upload was moved into place: filing it again finds nothing.
    assert_eq!(
        w.copkit
            .add_uploaded_document(&tom, &space, filed("Twice", &ticket.upload))
            .await
            .err(),
        Some(Error::Conflict(Conflict::UploadMissing))
    );

    let second = b"%PDF-1.7 second edition".to_vec();
    let ticket = w
        .copkit
        .begin_upload(&tom, &space, intent(&second))
        .await
        .unwrap();
    w.copkit
        .receive_upload(&tom, &ticket.upload, &mut pieces(&second))
        .await
        .unwrap();
    let version = UploadedVersion {
        upload: ticket.upload.clone(),
        note: "2026 edition".into(),
    };
    assert_eq!(
        w.copkit
            .add_uploaded_version(&tom, &doc.id, version.clone(), 7)
            .await
            .err(),
        Some(Error::Conflict(Conflict::VersionMismatch))
    );
    let doc = w
        .copkit
        .add_uploaded_version(&tom, &doc.id, version, doc.version)
        .await
        .unwrap();
    assert_eq!(doc.current_version, 2);
    let download = w
        .copkit
        .download_document(&tom, &doc.id, None)
        .await
        .unwrap();
    assert_eq!(download.bytes, second);
}

#[tokio::test]
async fn bytes_that_break_their_ticket_are_dropped() {
    let Setup { w, tom, space, .. } = setup().await;
    let promised = b"the promised bytes".to_vec();
    let ticket = w
        .copkit
        .begin_upload(&tom, &space, intent(&promised))
        .await
        .unwrap();
    // Same length, other bytes.
    let forged = b"the PROMISED bytes".to_vec();
    assert_eq!(
        invalid_fields(
            w.copkit
                .receive_upload(&tom, &ticket.upload, &mut pieces(&forged))
                .await
        ),
        vec!["bytes"]
    );
    assert_eq!(
        w.copkit
            .add_uploaded_document(&tom, &space, filed("Forged", &ticket.upload))
            .await
            .err(),
        Some(Error::Conflict(Conflict::UploadMissing))
    );
    // More bytes than promised stop the stream.
    let longer = [promised.clone(), b"and more".to_vec()].concat();
    assert_eq!(
        invalid_fields(
            w.copkit
                .receive_upload(
                    &tom,
                    &ticket.upload,
                    &mut Pieces {
                        bytes: longer,
                        size: 5
                    }
                )
                .await
        ),
        vec!["bytes"]
    );
    // Fewer, too.
    assert_eq!(
        invalid_fields(
            w.copkit
                .receive_upload(&tom, &ticket.upload, &mut pieces(&promised[..5]))
                .await
        ),
        vec!["bytes"]
    );
    // Filing before the bytes arrive.
    assert_eq!(
        w.copkit
            .add_uploaded_document(&tom, &space, filed("Early", &ticket.upload))
            .await
            .err(),
        Some(Error::Conflict(Conflict::UploadMissing))
    );
}

#[tokio::test]
async fn tickets_are_checked_and_bound() {
    let Setup {
        w,
        helen,
        tom,
        space,
        other_space,
    } = setup().await;
    let outsider = actor("mallory");
    let bytes = b"notes".to_vec();
    assert_eq!(
        w.copkit
            .begin_upload(&outsider, &space, intent(&bytes))
            .await
            .err(),
        Some(Error::NotFound)
    );
    let bad = UploadIntent {
        content_type: "application/x-msdownload".into(),
        size: 60 * 1024 * 1024,
        sha256: "ABC".into(),
    };
    assert_eq!(
        invalid_fields(w.copkit.begin_upload(&tom, &space, bad).await),
        vec!["content_type", "size", "sha256"]
    );

    let ticket = w
        .copkit
        .begin_upload(&tom, &space, intent(&bytes))
        .await
        .unwrap();
    // Someone else's token is no upload.
    assert_eq!(
        w.copkit
            .receive_upload(&helen, &ticket.upload, &mut pieces(&bytes))
            .await
            .err(),
        Some(Error::NotFound)
    );
    let mut altered = ticket.upload.clone();
    altered.replace_range(..1, if altered.starts_with('A') { "B" } else { "A" });
    assert_eq!(
        w.copkit
            .receive_upload(&tom, &altered, &mut pieces(&bytes))
            .await
            .err(),
        Some(Error::NotFound)
    );
    w.copkit
        .receive_upload(&tom, &ticket.upload, &mut pieces(&bytes))
        .await
        .unwrap();
    // A token for one space does not file into another.
    assert_eq!(
        w.copkit
            .add_uploaded_document(&tom, &other_space, filed("Elsewhere", &ticket.upload))
            .await
            .err(),
        Some(Error::NotFound)
    );
    // Invalid details are reported before the upload is looked at.
    assert_eq!(
        invalid_fields(
            w.copkit
                .add_uploaded_document(&tom, &space, filed("x", &ticket.upload))
                .await
        ),
        vec!["title"]
    );
    // After fifteen minutes the token is worthless.
    w.clock.advance(SignedDuration::from_mins(16));
    assert_eq!(
        w.copkit
            .add_uploaded_document(&tom, &space, filed("Too late", &ticket.upload))
            .await
            .err(),
        Some(Error::NotFound)
    );
}

#[tokio::test]
async fn uploaded_bytes_that_are_not_their_declared_type_are_refused_and_dropped() {
    let Setup { w, tom, space, .. } = setup().await;
    let program: Vec<u8> = [b"MZ\x90\x00\x03".as_slice(), &[0u8; 4000]].concat();
    let ticket = w
        .copkit
        .begin_upload(&tom, &space, intent(&program))
        .await
        .unwrap();
    w.copkit
        .receive_upload(&tom, &ticket.upload, &mut pieces(&program))
        .await
        .unwrap();
    match w
        .copkit
        .add_uploaded_document(&tom, &space, filed("Totally a PDF", &ticket.upload))
        .await
    {
        Err(Error::Invalid(fields)) => {
            assert_eq!(
                (fields[0].field.as_str(), fields[0].code),
                ("content_type", "content_mismatch")
            );
        }
        other => panic!("{other:?}"),
    }
    // The bytes are gone: filing again finds no upload.
    assert_eq!(
        w.copkit
            .add_uploaded_document(&tom, &space, filed("Totally a PDF", &ticket.upload))
            .await
            .err(),
        Some(Error::Conflict(copkit_core::Conflict::UploadMissing))
    );
}
