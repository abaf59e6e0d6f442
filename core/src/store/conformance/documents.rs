//! Documents and versions.

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use jiff::SignedDuration;

use super::fixtures::*;
use crate::model::Document;
use crate::store::{ConditionFailure, DocumentOp, Expect, Store};

pub async fn documents_and_their_versions<S: Store + ?Sized>(store: &S) {
    let s = space_in_new_community(store, "Library").await;
    let old = document(&s, 1);
    let newer = document(&s, 2);
    let gone = document(&s, 3);
    for d in [&old, &newer, &gone] {
        commit(
            store,
            vec![
                DocumentOp::PutDocument {
                    document: d.clone(),
                    expect: Expect::Absent,
                }
                .into(),
                DocumentOp::AddDocumentVersion {
                    version: doc_version(d, 1),
                }
                .into(),
            ],
        )
        .await
        .unwrap();
    }
    // A second version of `old` makes it the most recently updated.
    let v2 = Document {
        current_version: 2,
        updated_at: t0() + SignedDuration::from_mins(5),
        version: 2,
        ..old.clone()
    };
    commit(
        store,
        vec![
            DocumentOp::PutDocument {
                document: v2.clone(),
                expect: Expect::Version(1),
            }
            .into(),
            DocumentOp::AddDocumentVersion {
                version: doc_version(&old, 2),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let dup = commit(
        store,
        vec![
            DocumentOp::AddDocumentVersion {
                version: doc_version(&old, 2),
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(dup), (0, ConditionFailure::AlreadyExists));
    let deleted = Document {
        deleted_at: Some(t0()),
        version: 2,
        ..gone.clone()
    };
    commit(
        store,
        vec![
            DocumentOp::PutDocument {
                document: deleted,
                expect: Expect::Version(1),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    for limit in [1, 2, 10] {
        let all = drain(
            limit,
            |r| async move { store.list_documents(&s.id, &r).await },
        )
        .await;
        assert_eq!(
            all.iter().map(|d| d.id).collect::<Vec<_>>(),
            vec![old.id, newer.id],
            "limit {limit}"
        );
    }
    let versions = drain(1, |r| async move {
        store.list_document_versions(&old.id, &r).await
    })
    .await;
    assert_eq!(
        versions.iter().map(|v| v.number).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(
        store.get_document_version(&old.id, 2).await.unwrap(),
        Some(doc_version(&old, 2))
    );
    assert_eq!(store.get_document_version(&old.id, 3).await.unwrap(), None);
    assert_eq!(store.get_document(&old.id).await.unwrap(), Some(v2.clone()));
    let stale = commit(
        store,
        vec![
            DocumentOp::PutDocument {
                document: v2,
                expect: Expect::Version(1),
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));
}

/// The purge queue: entries come due in time order, only once due, and
/// leave when forgotten (forgetting twice is harmless).
pub async fn purges_come_due_in_order<S: Store + ?Sized>(store: &S) {
    use crate::model::BlobPurge;
    use crate::store::DocumentOp;
    // Far in the future, so other checks' entries (in a shared table) are
    // due too but these come after them in order.
    let base = t0() + SignedDuration::from_hours(24 * 365 * 50);
    let purge = |days: i64| BlobPurge {
        document: crate::ids::DocumentId(ulid()),
        due_at: base + SignedDuration::from_hours(24 * days),
    };
    let (soon, later) = (purge(1), purge(2));
    commit(
        store,
        vec![
            DocumentOp::SchedulePurge {
                purge: later.clone(),
            }
            .into(),
            DocumentOp::SchedulePurge {
                purge: soon.clone(),
            }
            .into(),
        ],
    )
    .await
    .unwrap();
    let mine = |due: Vec<BlobPurge>| -> Vec<BlobPurge> {
        due.into_iter()
            .filter(|p| p.document == soon.document || p.document == later.document)
            .collect()
    };
    let before = store.purges_due(base, 100).await.unwrap();
    assert_eq!(mine(before), vec![]);
    let first = store.purges_due(soon.due_at, 100).await.unwrap();
    assert_eq!(mine(first), vec![soon.clone()]);
    let both = store.purges_due(later.due_at, 100).await.unwrap();
    assert_eq!(mine(both.clone()), vec![soon.clone(), later.clone()]);
    assert!(
        both.windows(2).all(|w| w[0].due_at <= w[1].due_at),
        "oldest first"
    );
    let forget = vec![
        DocumentOp::ForgetPurge {
            purge: soon.clone(),
        }
        .into(),
    ];
    commit(store, forget.clone()).await.unwrap();
    commit(store, forget).await.unwrap();
    let left = store.purges_due(later.due_at, 100).await.unwrap();
    assert_eq!(mine(left), vec![later.clone()]);
    commit(store, vec![DocumentOp::ForgetPurge { purge: later }.into()])
        .await
        .unwrap();
}
