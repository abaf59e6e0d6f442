//! copkit's full-text search on [tantivy](https://docs.rs/tantivy): the
//! core's [`SearchIndex`](copkit_core::search::SearchIndex) port, with the
//! index in memory ([`TantivyIndex::in_memory`]) or in a folder
//! ([`TantivyIndex::open`], beside the embedded database).
//!
//! | file | what |
//! |---|---|
//! | `schema.rs` | the fields, the English analyser, the schema version |
//! | `query.rs` | a request as a tantivy query: the words, title prefixes, the scope and filters |
//! | `snippet.rs` | the words around a match, as marked parts |
//! | `index.rs` | [`TantivyIndex`]: applying changes, searching, ranking with recency |

mod index;
mod query;
mod schema;
mod snippet;

pub use index::{Opened, TantivyIndex};
pub use schema::SCHEMA_VERSION;
