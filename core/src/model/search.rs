use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{CommunityId, SpaceId, ThreadId, UserId};

/// What kind of content a search result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SearchKind {
    /// A discussion thread (its title and opening text).
    Thread,
    /// A reply in a thread.
    Post,
    /// A document in a library (title, description, tags).
    Document,
    /// An event (title and description).
    Event,
}

impl SearchKind {
    /// Every kind, in a fixed order.
    pub const ALL: [SearchKind; 4] = [
        SearchKind::Thread,
        SearchKind::Post,
        SearchKind::Document,
        SearchKind::Event,
    ];

    /// The kind's name as the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SearchKind::Thread => "thread",
            SearchKind::Post => "post",
            SearchKind::Document => "document",
            SearchKind::Event => "event",
        }
    }

    /// The kind named `name`, if any.
    pub fn parse(name: &str) -> Option<SearchKind> {
        SearchKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// One piece of a result's snippet: text, marked when it matched the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SnippetPart {
    /// The text, as written (not escaped).
    pub text: String,
    /// Whether it matched a word of the query.
    pub highlighted: bool,
}

/// One search result: where it is, what it is called, and the words around
/// the match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SearchHit {
    /// What it is.
    pub kind: SearchKind,
    /// Its id (a thread, post, document or event id, by `kind`).
    pub id: String,
    /// The community it is in.
    pub community: CommunityId,
    /// The space it is in.
    pub space: SpaceId,
    /// For a post, the thread it is in (also the thread itself for a thread).
    pub thread: Option<ThreadId>,
    /// Its title (a post shows its thread's).
    pub title: String,
    /// The words around the best match, matches marked.
    pub snippet: Vec<SnippetPart>,
    /// Who wrote it.
    pub author: UserId,
    /// When it was written.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}
