//! Changing an index of this schema: entries as tantivy documents, and
//! [`IndexChange`]s as deletions and additions on a writer (committed by the
//! caller).

use copkit_core::ids::CommunityId;
use copkit_core::model::SearchKind;
use copkit_core::search::{BODY_MAX_CHARS, IndexChange, SearchEntry};
use copkit_core::store::StoreError;
use tantivy::{IndexWriter, TantivyDocument, Term};

use crate::query::scope_term;
use crate::schema::Fields;
use crate::searcher::failed;

/// Memory a writer may use before it flushes a segment.
pub(crate) const WRITER_MEMORY: usize = 32_000_000;

/// An entry's unique name in an index.
fn key(kind: SearchKind, id: &str) -> String {
    format!("{}:{id}", kind.as_str())
}

fn document(fields: &Fields, e: &SearchEntry) -> TantivyDocument {
    let f = fields;
    let mut doc = TantivyDocument::new();
    doc.add_text(f.key, key(e.kind, &e.id));
    doc.add_text(f.kind, e.kind.as_str());
    doc.add_text(f.id, &e.id);
    doc.add_text(f.community, e.community.to_string());
    doc.add_text(f.space, e.space.to_string());
    if let Some(thread) = e.thread {
        doc.add_text(f.thread, thread.to_string());
    }
    doc.add_text(f.title, &e.title);
    doc.add_text(f.title_words, &e.title);
    let body: String = e.body.chars().take(BODY_MAX_CHARS).collect();
    doc.add_text(f.body, body);
    for tag in &e.tags {
        doc.add_text(f.tag, tag.to_lowercase());
        doc.add_text(f.tags_text, tag);
    }
    doc.add_text(f.author, e.author.as_str());
    doc.add_i64(f.at, e.at.as_millisecond());
    doc.add_text(f.scope, format!("{}/{}", e.community, e.space));
    doc
}

/// Applies `changes` to the entries of `community`, in order (not yet
/// committed). An entry of another community is refused.
pub(crate) fn apply(
    writer: &mut IndexWriter,
    fields: &Fields,
    community: &CommunityId,
    changes: Vec<IndexChange>,
) -> Result<(), StoreError> {
    let f = fields;
    let community = community.to_string();
    for change in changes {
        match change {
            IndexChange::Put(entry) => {
                if entry.community.to_string() != community {
                    return Err(StoreError::InvalidTransaction(
                        "a search entry put into another community's index".into(),
                    ));
                }
                writer.delete_term(Term::from_field_text(f.key, &key(entry.kind, &entry.id)));
                writer
                    .add_document(document(f, &entry))
                    .map_err(failed("add"))?;
            }
            IndexChange::Remove { kind, id } => {
                writer.delete_term(Term::from_field_text(f.key, &key(kind, &id)));
            }
            IndexChange::RemoveThread(thread) => {
                writer.delete_term(Term::from_field_text(f.thread, &thread.to_string()));
            }
            IndexChange::RemoveSpace(space) => {
                writer.delete_term(scope_term(f, &community, &space.to_string()));
            }
        }
    }
    Ok(())
}

/// Deletes every entry of `community` (not yet committed).
pub(crate) fn clear(writer: &mut IndexWriter, fields: &Fields, community: &CommunityId) {
    writer.delete_term(Term::from_field_text(
        fields.community,
        &community.to_string(),
    ));
}
