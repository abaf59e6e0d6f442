//! The document library: documents with immutable versions whose bytes live
//! in the blob store, checked against their SHA-256 on the way in and out.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::blob::sha256_hex;
use crate::error::{Error, Result};
use crate::ids::{DocumentId, SpaceId};
use crate::model::Contribution;
use crate::model::{ActivityKind, BlobPurge, Document, DocumentVersion, Page, PageRequest};
use crate::policy::SpaceAction;
use crate::service::access::SpaceAccess;
use crate::service::content;
use crate::service::moderation;
use crate::service::participation::Counted;
use crate::service::{Actor, Copkit, check_version};
use crate::store::{DocumentOp, Expect, Range, Transaction, Wanted};
use crate::validate::Checker;
use crate::validate::limits;

/// What it takes to add a document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewDocument {
    /// Title, 3–200 characters.
    pub title: String,
    /// Description, up to 2,000 characters.
    pub description: String,
    /// Up to 10 tags.
    pub tags: Vec<String>,
    /// Content type (must be on the library's allow-list).
    pub content_type: String,
    /// The SHA-256 the uploader computed (hex); checked when given.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub sha256: Option<String>,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// What it takes to upload a new version.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewVersion {
    /// Content type (must be on the allow-list).
    pub content_type: String,
    /// The SHA-256 the uploader computed (hex); checked when given.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub sha256: Option<String>,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// What changed, up to 500 characters.
    pub note: String,
}

/// Changes to a document's details; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DocumentChanges {
    /// New title.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:line", min_length = 3, max_length = 200)
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub title: Option<String>,
    /// New description.
    #[cfg_attr(feature = "openapi", schema(format = "copkit:text", max_length = 2000))]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub description: Option<String>,
    /// New tags (replacing all).
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:items-tag", max_items = 10)
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub tags: Option<Vec<String>>,
}

/// What one purge run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeRun {
    /// Removed documents whose bytes were purged.
    pub documents: u32,
    /// Blobs purged (one per version).
    pub blobs_purged: u32,
    /// Whether more purges were due when the run stopped.
    pub more_due: bool,
}

/// A version's bytes, verified against its checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Download {
    /// The version.
    pub version: DocumentVersion,
    /// A safe file name for it: the title's letters, digits and dashes,
    /// the version number and the type's extension (`Case-log-v2.pdf`).
    pub filename: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Where version `number` of a document keeps its bytes.
pub(crate) fn blob_key(document: &DocumentId, number: u32) -> String {
    format!("documents/{document}/v{number}")
}

/// A new version's checked bytes and where they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Content {
    /// The normalized content type.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// The bytes, or the upload holding them.
    pub bytes: BlobBytes,
}

/// Where a new version's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BlobBytes {
    /// In this request.
    Inline(Vec<u8>),
    /// In the blob store, under this upload key.
    Uploaded(String),
}

/// A new document's title, description and tags, checked (the same for
/// bytes sent inline and for filed uploads).
pub(crate) struct DocumentFields {
    pub title: String,
    pub description: String,
    pub tags: Vec<String>,
}

impl DocumentFields {
    /// Checks the fields, reporting problems into `check`.
    pub(crate) fn check(
        check: &mut Checker,
        title: &str,
        description: &str,
        tags: &[String],
    ) -> DocumentFields {
        DocumentFields {
            title: check.line("title", title, limits::TITLE_MIN, limits::TITLE_MAX),
            description: check.text(
                "description",
                description,
                0,
                limits::DOCUMENT_DESCRIPTION_MAX,
            ),
            tags: content::tags(check, tags),
        }
    }
}

impl Copkit {
    /// Checks a content type against the allow-list; returns it normalized.
    pub(crate) fn check_content_type(&self, check: &mut Checker, content_type: &str) -> String {
        let content_type = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_lowercase();
        if !self.config().allowed_content_types.contains(&content_type) {
            check.fail(
                "content_type",
                "not_allowed",
                format!("{content_type:?} is not accepted by this library"),
            );
        }
        content_type
    }

    /// Checks a size against the library's limit.
    pub(crate) fn check_size(&self, check: &mut Checker, field: &str, size: u64) {
        let max = self.config().max_document_bytes;
        if size > max {
            check.fail(field, "too_large", format!("at most {max} bytes"));
        }
    }

    /// Checks content type, size and checksum; returns the normalized type.
    fn check_upload(
        &self,
        check: &mut Checker,
        content_type: &str,
        sha256: Option<&str>,
        bytes: &[u8],
    ) -> String {
        let allowed = check.is_ok();
        let content_type = self.check_content_type(check, content_type);
        let allowed = allowed && check.is_ok();
        let max = self.config().max_document_bytes;
        if u64::try_from(bytes.len()).map_or(true, |n| n > max) {
            check.fail("bytes", "too_large", format!("at most {max} bytes"));
        } else if sha256.is_some_and(|s| s.to_lowercase() != sha256_hex(bytes)) {
            check.fail(
                "sha256",
                "checksum_mismatch",
                "the bytes do not match the SHA-256 given",
            );
        } else if allowed && !crate::blob::content_matches(&content_type, bytes) {
            // Bytes that are not what they claim (an executable called a
            // PDF) are refused.
            check.fail(
                "content_type",
                "content_mismatch",
                format!("the bytes are not {content_type}"),
            );
        }
        content_type
    }

    /// Writes a version's blob, commits `tx`, and removes the blob again if
    /// the commit fails, so a refused change leaves nothing behind. An
    /// upload's bytes are copied into place and the upload removed once the
    /// change is committed.
    async fn commit_with_blob(
        &self,
        key: &str,
        content: Content,
        tx: Transaction,
        counted: Option<Counted>,
    ) -> Result<()> {
        match &content.bytes {
            BlobBytes::Inline(bytes) => {
                self.blobs()
                    .put(key, bytes.clone(), &content.content_type)
                    .await?;
            }
            BlobBytes::Uploaded(from) => {
                if !self.blobs().copy(from, key, &content.content_type).await? {
                    return Err(Error::Conflict(crate::error::Conflict::UploadMissing));
                }
            }
        }
        match self.commit_counting(tx, counted).await {
            Ok(()) => {
                if let BlobBytes::Uploaded(from) = &content.bytes {
                    // Best effort: the upload area is swept by its lifecycle rule.
                    let _ = self.blobs().delete(from).await;
                }
                Ok(())
            }
            Err(e) => {
                // Best effort: an orphan blob is invisible, a lost one is not.
                let _ = self.blobs().delete(key).await;
                Err(e)
            }
        }
    }

    pub(crate) async fn document_access(
        &self,
        actor: &Actor,
        id: &DocumentId,
    ) -> Result<(Document, SpaceAccess)> {
        let doc = self
            .store()
            .get_document(id)
            .await?
            .filter(|d| d.deleted_at.is_none())
            .ok_or(Error::NotFound)?;
        let access = self
            .space_access_in(actor, &doc.community, &doc.space)
            .await?;
        access.require(actor, SpaceAction::View)?;
        if doc.hidden.is_some() && !moderation::sees_hidden(actor, &access, &doc.created_by) {
            return Err(Error::NotFound);
        }
        Ok((doc, access))
    }

    /// A version of a visible document (default: the current one), read
    /// with the access facts: two reads in all.
    pub(crate) async fn document_version_access(
        &self,
        actor: &Actor,
        id: &DocumentId,
        number: Option<u32>,
    ) -> Result<(Document, DocumentVersion)> {
        let doc = self
            .store()
            .get_document(id)
            .await?
            .filter(|d| d.deleted_at.is_none())
            .ok_or(Error::NotFound)?;
        let number = number.unwrap_or(doc.current_version);
        let (access, mut records) = self
            .space_access_with(
                actor,
                &doc.community,
                &doc.space,
                vec![Wanted::DocumentVersion(*id, number)],
            )
            .await?;
        access.require(actor, SpaceAction::View)?;
        if doc.hidden.is_some() && !moderation::sees_hidden(actor, &access, &doc.created_by) {
            return Err(Error::NotFound);
        }
        let version = records.version().ok_or(Error::NotFound)?;
        Ok((doc, version))
    }

    /// Adds a document to a space's library (its first version included).
    pub async fn upload_document(
        &self,
        actor: &Actor,
        space: &SpaceId,
        input: NewDocument,
    ) -> Result<Document> {
        let access = self
            .authorize_space(actor, space, SpaceAction::Contribute)
            .await?;
        let mut check = Checker::new();
        let fields =
            DocumentFields::check(&mut check, &input.title, &input.description, &input.tags);
        let content_type = self.check_upload(
            &mut check,
            &input.content_type,
            input.sha256.as_deref(),
            &input.bytes,
        );
        check.finish()?;
        let content = Content {
            content_type,
            size: input.bytes.len() as u64,
            sha256: sha256_hex(&input.bytes),
            bytes: BlobBytes::Inline(input.bytes),
        };
        self.create_document(actor, &access, fields, content).await
    }

    /// Adds a checked document with its first version's bytes.
    pub(crate) async fn create_document(
        &self,
        actor: &Actor,
        access: &SpaceAccess,
        DocumentFields {
            title,
            description,
            tags,
        }: DocumentFields,
        content: Content,
    ) -> Result<Document> {
        let space = &access.space.id;
        let now = self.now();
        let id = DocumentId(self.new_ulid(now));
        let (content_type, size, sha256) = (
            content.content_type.clone(),
            content.size,
            content.sha256.clone(),
        );
        let key = blob_key(&id, 1);
        let document = Document {
            id,
            space: *space,
            community: access.space.community,
            title,
            description,
            tags,
            content_type: content_type.clone(),
            size,
            sha256: sha256.clone(),
            current_version: 1,
            created_by: actor.user.clone(),
            created_at: now,
            updated_at: now,
            deleted_at: None,
            hidden: None,
            version: 1,
        };
        let version = DocumentVersion {
            document: id,
            number: 1,
            content_type: content_type.clone(),
            size,
            sha256,
            blob_key: key.clone(),
            uploaded_by: actor.user.clone(),
            uploaded_at: now,
            note: String::new(),
        };
        let tx = Transaction::new()
            .with(DocumentOp::PutDocument {
                document: document.clone(),
                expect: Expect::Absent,
            })
            .with(DocumentOp::AddDocumentVersion { version })
            .with(self.activity(
                actor,
                document.community,
                Some(*space),
                now,
                ActivityKind::DocumentAdded { document: id },
            ));
        self.commit_with_blob(&key, content, tx, access.counting(Contribution::Document))
            .await?;
        Ok(document)
    }

    /// Uploads a new version (the document's creator or a moderator, with
    /// the document's version read).
    pub async fn add_document_version(
        &self,
        actor: &Actor,
        id: &DocumentId,
        input: NewVersion,
        expected_version: u64,
    ) -> Result<Document> {
        let (old, access) = self.document_access(actor, id).await?;
        self.may_change(actor, &access, &old.created_by, true)?;
        access.require(actor, SpaceAction::Contribute)?;
        check_version(old.version, expected_version)?;
        let mut check = Checker::new();
        let note = check.text("note", &input.note, 0, limits::VERSION_NOTE_MAX);
        let content_type = self.check_upload(
            &mut check,
            &input.content_type,
            input.sha256.as_deref(),
            &input.bytes,
        );
        check.finish()?;
        let content = Content {
            content_type,
            size: input.bytes.len() as u64,
            sha256: sha256_hex(&input.bytes),
            bytes: BlobBytes::Inline(input.bytes),
        };
        self.create_version(actor, &access, old, note, content)
            .await
    }

    /// Adds a checked version to a document the caller may change.
    pub(crate) async fn create_version(
        &self,
        actor: &Actor,
        access: &SpaceAccess,
        old: Document,
        note: String,
        content: Content,
    ) -> Result<Document> {
        let id = &old.id;
        let now = self.now();
        let number = old.current_version + 1;
        let key = blob_key(id, number);
        let size = content.size;
        let (content_type, sha256) = (content.content_type.clone(), content.sha256.clone());
        let new = Document {
            content_type: content_type.clone(),
            size,
            sha256: sha256.clone(),
            current_version: number,
            updated_at: now,
            version: old.version + 1,
            ..old.clone()
        };
        let tx = Transaction::new()
            .with(DocumentOp::PutDocument {
                document: new.clone(),
                expect: Expect::Version(old.version),
            })
            .with(DocumentOp::AddDocumentVersion {
                version: DocumentVersion {
                    document: *id,
                    number,
                    content_type: content_type.clone(),
                    size,
                    sha256,
                    blob_key: key.clone(),
                    uploaded_by: actor.user.clone(),
                    uploaded_at: now,
                    note,
                },
            })
            .with(self.activity(
                actor,
                old.community,
                Some(old.space),
                now,
                ActivityKind::DocumentVersionAdded {
                    document: *id,
                    number,
                },
            ));
        self.commit_with_blob(&key, content, tx, access.counting(Contribution::Document))
            .await?;
        Ok(new)
    }

    /// Changes a document's title, description or tags (creator or moderator).
    pub async fn update_document(
        &self,
        actor: &Actor,
        id: &DocumentId,
        changes: DocumentChanges,
        expected_version: u64,
    ) -> Result<Document> {
        let (old, access) = self.document_access(actor, id).await?;
        self.may_change(actor, &access, &old.created_by, true)?;
        access.require(actor, SpaceAction::Contribute)?;
        check_version(old.version, expected_version)?;
        let mut check = Checker::new();
        let mut new = old.clone();
        if let Some(t) = changes.title {
            new.title = check.line("title", &t, limits::TITLE_MIN, limits::TITLE_MAX);
        }
        if let Some(d) = changes.description {
            new.description = check.text("description", &d, 0, limits::DOCUMENT_DESCRIPTION_MAX);
        }
        if let Some(t) = changes.tags {
            new.tags = content::tags(&mut check, &t);
        }
        check.finish()?;
        let now = self.now();
        new.updated_at = now;
        new.version = old.version + 1;
        let tx = Transaction::new()
            .with(DocumentOp::PutDocument {
                document: new.clone(),
                expect: Expect::Version(old.version),
            })
            .with(self.activity(
                actor,
                old.community,
                Some(old.space),
                now,
                ActivityKind::DocumentEdited { document: *id },
            ));
        self.commit(tx).await?;
        Ok(new)
    }

    /// Deletes a document (creator or moderator). It disappears from the
    /// library at once; its versions' bytes are purged after the grace
    /// window ([`Config::purge_grace`](crate::service::Config)).
    pub async fn delete_document(&self, actor: &Actor, id: &DocumentId) -> Result<()> {
        let (old, access) = self.document_access(actor, id).await?;
        self.may_change(actor, &access, &old.created_by, true)?;
        let now = self.now();
        let new = Document {
            deleted_at: Some(now),
            updated_at: now,
            version: old.version + 1,
            ..old.clone()
        };
        let tx = Transaction::new()
            .with(DocumentOp::PutDocument {
                document: new,
                expect: Expect::Version(old.version),
            })
            .with(self.purge_later(*id, now))
            .with(self.activity(
                actor,
                old.community,
                Some(old.space),
                now,
                ActivityKind::DocumentDeleted { document: *id },
            ));
        self.commit(tx).await
    }

    /// The queue entry that purges a removed document's bytes once the
    /// grace window has passed.
    pub(crate) fn purge_later(&self, document: DocumentId, now: Timestamp) -> DocumentOp {
        DocumentOp::SchedulePurge {
            purge: BlobPurge {
                document,
                due_at: now.checked_add(self.config().purge_grace).unwrap_or(now),
            },
        }
    }

    /// Purges the bytes of documents removed longer ago than the grace
    /// window (at most `max` documents; call again while `more_due`): every
    /// version's blob, and in blob stores that keep object versions, all of
    /// them. A document no longer removed keeps its bytes.
    pub async fn purge_removed_documents(&self, max: u32) -> Result<PurgeRun> {
        let now = self.now();
        let due = self.store().purges_due(now, max).await?;
        let mut run = PurgeRun {
            more_due: due.len() as u32 >= max.max(1),
            ..PurgeRun::default()
        };
        for purge in due {
            let removed = self
                .store()
                .get_document(&purge.document)
                .await?
                .is_some_and(|d| d.deleted_at.is_some());
            if removed {
                let mut range = Range::first(100);
                loop {
                    let chunk = self
                        .store()
                        .list_document_versions(&purge.document, &range)
                        .await?;
                    for version in &chunk.items {
                        self.blobs().purge(&version.blob_key).await?;
                        run.blobs_purged += 1;
                    }
                    match chunk.next {
                        Some(next) => range.after = Some(next),
                        None => break,
                    }
                }
                run.documents += 1;
            }
            self.commit(Transaction::new().with(DocumentOp::ForgetPurge { purge }))
                .await?;
        }
        Ok(run)
    }

    /// One document's details.
    pub async fn get_document(&self, actor: &Actor, id: &DocumentId) -> Result<Document> {
        Ok(self.document_access(actor, id).await?.0)
    }

    /// A space's library, most recently updated first.
    pub async fn list_documents(
        &self,
        actor: &Actor,
        space: &SpaceId,
        page: &PageRequest,
    ) -> Result<Page<Document>> {
        let access = self
            .authorize_space(actor, space, SpaceAction::View)
            .await?;
        let scope = format!("documents|{space}");
        let store = self.store();
        // Hidden documents are left out for those who may not see them,
        // before the page's limit applies.
        self.visible_page(
            &scope,
            page,
            |range| async move { store.list_documents(space, &range).await },
            |d: &Document| {
                d.hidden.is_none() || moderation::sees_hidden(actor, &access, &d.created_by)
            },
        )
        .await
    }

    /// A document's versions, oldest first.
    pub async fn list_document_versions(
        &self,
        actor: &Actor,
        id: &DocumentId,
        page: &PageRequest,
    ) -> Result<Page<DocumentVersion>> {
        self.document_access(actor, id).await?;
        let scope = format!("versions|{id}");
        let range = self.range(&scope, page)?;
        let chunk = self.store().list_document_versions(id, &range).await?;
        self.page(&scope, chunk)
    }

    /// A version's bytes (the current one when `number` is `None`), verified
    /// against the checksum recorded at upload.
    pub async fn download_document(
        &self,
        actor: &Actor,
        id: &DocumentId,
        number: Option<u32>,
    ) -> Result<Download> {
        let (document, version) = self.document_version_access(actor, id, number).await?;
        let bytes = self
            .blobs()
            .get(&version.blob_key)
            .await?
            .ok_or_else(|| Error::Internal(format!("blob {} is missing", version.blob_key)))?;
        if sha256_hex(&bytes) != version.sha256 {
            return Err(Error::Internal(format!(
                "blob {} fails its checksum",
                version.blob_key
            )));
        }
        let filename = crate::service::uploads::download_filename_with_extension(
            &document.title,
            version.number,
            &version.content_type,
        );
        Ok(Download {
            version,
            filename,
            bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::blob::MemoryBlobStore;
    use crate::store::MemoryStore;

    #[tokio::test]
    async fn a_failed_commit_removes_the_blob_it_wrote() {
        let blobs = MemoryBlobStore::new();
        let copkit = Copkit::builder(Arc::new(MemoryStore::new()))
            .blobs(Arc::new(blobs.clone()))
            .build()
            .unwrap();
        let now = copkit.now();
        let doc = Document {
            id: DocumentId(ulid::Ulid::from_parts(1, 1)),
            space: SpaceId(ulid::Ulid::from_parts(1, 2)),
            community: crate::ids::CommunityId(ulid::Ulid::from_parts(1, 3)),
            title: "Never stored".into(),
            description: String::new(),
            tags: vec![],
            content_type: "text/plain".into(),
            size: 1,
            sha256: sha256_hex(b"x"),
            current_version: 2,
            created_by: crate::ids::UserId::new("u").unwrap(),
            created_at: now,
            updated_at: now,
            deleted_at: None,
            hidden: None,
            version: 8,
        };
        // The record "moved" (version 7 expected, nothing stored): the commit fails.
        let tx = Transaction::new().with(DocumentOp::PutDocument {
            document: doc,
            expect: Expect::Version(7),
        });
        let content = Content {
            content_type: "text/plain".into(),
            size: 1,
            sha256: sha256_hex(b"x"),
            bytes: BlobBytes::Inline(b"x".to_vec()),
        };
        let result = copkit
            .commit_with_blob("documents/x/v2", content, tx, None)
            .await;
        assert_eq!(
            result,
            Err(Error::Conflict(crate::error::Conflict::VersionMismatch))
        );
        assert!(
            blobs.is_empty(),
            "the blob written before the failed commit is gone"
        );
    }
}
