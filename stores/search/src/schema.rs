//! The index's fields and analysers. A change here that old indexes cannot
//! be read with must raise [`SCHEMA_VERSION`]: an index folder of another
//! version is emptied when opened, and the caller rebuilds it from the store.

use tantivy::Index;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};

/// The version of the index layout this build writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Words: split on anything not a letter or digit, lower-cased, accents
/// folded, stemmed as English.
pub(crate) const ENGLISH: &str = "copkit_en";
/// The same without stemming (title prefixes).
pub(crate) const WORDS: &str = "copkit_words";

/// The fields of an entry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    /// `kind:id`, the entry's unique name.
    pub key: Field,
    pub kind: Field,
    pub id: Field,
    pub community: Field,
    /// `community/space`: the scope filter's term.
    pub scope: Field,
    pub space: Field,
    pub thread: Field,
    pub title: Field,
    /// The title's words unstemmed, for prefix matches.
    pub title_words: Field,
    pub body: Field,
    /// Tags as exact terms (the tag filter).
    pub tag: Field,
    /// Tags as words (found by the text).
    pub tags_text: Field,
    pub author: Field,
    /// Milliseconds since the epoch.
    pub at: Field,
}

fn text(tokenizer: &str, stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// The schema and its fields.
pub(crate) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        kind: b.add_text_field("kind", STRING | STORED),
        id: b.add_text_field("id", STORED),
        community: b.add_text_field("community", STRING | STORED),
        scope: b.add_text_field("scope", STRING),
        space: b.add_text_field("space", STORED),
        thread: b.add_text_field("thread", STRING | STORED),
        title: b.add_text_field("title", text(ENGLISH, true)),
        title_words: b.add_text_field("title_words", text(WORDS, false)),
        body: b.add_text_field("body", text(ENGLISH, true)),
        tag: b.add_text_field("tag", STRING),
        tags_text: b.add_text_field("tags", text(ENGLISH, false)),
        author: b.add_text_field("author", STRING | STORED),
        at: b.add_i64_field("at", INDEXED | STORED | FAST),
    };
    (b.build(), fields)
}

/// Registers the analysers the schema names on `index`.
pub(crate) fn register_analysers(index: &Index) {
    let english = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build();
    let words = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    index.tokenizers().register(ENGLISH, english);
    index.tokenizers().register(WORDS, words);
}

/// The words `text` holds, as the title prefix field indexes them.
pub(crate) fn words(index: &Index, text: &str) -> Vec<String> {
    let Some(mut analyser) = index.tokenizers().get(WORDS) else {
        return Vec::new();
    };
    let mut stream = analyser.token_stream(text);
    let mut words = Vec::new();
    while stream.advance() {
        words.push(stream.token().text.clone());
    }
    words
}
