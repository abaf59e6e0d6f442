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
//! | `searcher.rs` | [`Searchable`] and [`search_all`]: ranking with recency over one or more indexes, the page, its hits |
//! | `writer.rs` | entries as documents, changes on a writer |
//! | `file_text.rs` | [`FileText`]: the words of uploaded PDFs and text files |
//! | `folder.rs` | [`FolderIndex`] and [`unpack`]: one community's index packed into an archive and back (serverless) |
//! | `index.rs` | [`TantivyIndex`]: one index for every community, in memory or in a folder |

mod file_text;
mod folder;
mod index;
mod query;
mod schema;
mod searcher;
mod snippet;
mod writer;

pub use file_text::FileText;
pub use folder::{ARCHIVE_MAX_BYTES, FolderIndex, unpack};
pub use index::{Opened, TantivyIndex};
pub use schema::SCHEMA_VERSION;
pub use searcher::{Searchable, blocking, search_all};
