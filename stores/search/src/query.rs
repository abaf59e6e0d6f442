//! A [`SearchRequest`] as a tantivy query: the words (English, stemmed,
//! phrases in quotes, every word required), the last word also as a title
//! prefix, and the scope and filters as required clauses that add nothing to
//! the score.

use std::ops::Bound;

use copkit_core::search::SearchRequest;
use tantivy::Index;
use tantivy::Term;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, RangeQuery, RegexQuery, TermQuery,
    TermSetQuery,
};
use tantivy::schema::IndexRecordOption;

use crate::schema::{Fields, words};

/// Shortest last word also matched as a title prefix.
const PREFIX_MIN_CHARS: usize = 2;
/// How much a title match outweighs a body match.
const TITLE_BOOST: f32 = 2.0;

/// The term that puts an entry in its community's space.
pub(crate) fn scope_term(fields: &Fields, community: &str, space: &str) -> Term {
    Term::from_field_text(fields.scope, &format!("{community}/{space}"))
}

/// The query for `request`, or `None` when nothing can match (no words, no
/// spaces in scope).
pub(crate) fn build(
    index: &Index,
    fields: &Fields,
    request: &SearchRequest,
) -> Option<Box<dyn Query>> {
    let text = request.text.trim();
    let scopes: Vec<Term> = request
        .scopes
        .iter()
        .flat_map(|s| {
            s.spaces
                .iter()
                .map(|space| scope_term(fields, &s.community.to_string(), &space.to_string()))
        })
        .collect();
    if text.is_empty() || scopes.is_empty() {
        return None;
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Must, the_words(index, fields, text)),
        (Occur::Must, filter(TermSetQuery::new(scopes))),
    ];
    if !request.kinds.is_empty() {
        let kinds = request
            .kinds
            .iter()
            .map(|k| Term::from_field_text(fields.kind, k.as_str()));
        clauses.push((Occur::Must, filter(TermSetQuery::new(kinds))));
    }
    if let Some(tag) = &request.tag {
        let term = Term::from_field_text(fields.tag, &tag.to_lowercase());
        clauses.push((
            Occur::Must,
            filter(TermQuery::new(term, IndexRecordOption::Basic)),
        ));
    }
    if let Some(author) = &request.author {
        let term = Term::from_field_text(fields.author, author.as_str());
        clauses.push((
            Occur::Must,
            filter(TermQuery::new(term, IndexRecordOption::Basic)),
        ));
    }
    if request.since.is_some() || request.before.is_some() {
        let at = |t: jiff::Timestamp| Term::from_field_i64(fields.at, t.as_millisecond());
        let lower = request
            .since
            .map_or(Bound::Unbounded, |t| Bound::Included(at(t)));
        let upper = request
            .before
            .map_or(Bound::Unbounded, |t| Bound::Excluded(at(t)));
        let (lower, upper) = match (lower, upper) {
            // A one-sided range still needs its field on both sides.
            (Bound::Unbounded, upper) => (Bound::Included(at(jiff::Timestamp::MIN)), upper),
            (lower, Bound::Unbounded) => (lower, Bound::Included(at(jiff::Timestamp::MAX))),
            bounds => bounds,
        };
        clauses.push((Occur::Must, filter(RangeQuery::new(lower, upper))));
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// A required clause that only narrows.
fn filter(query: impl Query) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(Box::new(query), 0.0))
}

/// The words of `text`: all required; the last, when it is a plain word,
/// also matches the start of a title word (found as it is typed).
fn the_words(index: &Index, fields: &Fields, text: &str) -> Box<dyn Query> {
    let mut parser =
        QueryParser::for_index(index, vec![fields.title, fields.body, fields.tags_text]);
    parser.set_conjunction_by_default();
    parser.set_field_boost(fields.title, TITLE_BOOST);
    // Unparsable pieces are left out rather than refused: people type
    // whatever they type.
    let parse = |text: &str| parser.parse_query_lenient(text).0;
    let (head, last) = match text.rsplit_once(char::is_whitespace) {
        Some((head, last)) => (head, last),
        None => ("", text),
    };
    let plain = last.chars().count() >= PREFIX_MIN_CHARS && last.chars().all(char::is_alphanumeric);
    let prefix = match words(index, last).as_slice() {
        [word] if plain => RegexQuery::from_pattern(&format!("{word}.*"), fields.title_words).ok(),
        _ => None,
    };
    let Some(prefix) = prefix else {
        return parse(text);
    };
    let last_word = BooleanQuery::new(vec![
        (Occur::Should, parse(last)),
        (Occur::Should, Box::new(prefix) as Box<dyn Query>),
    ]);
    if head.trim().is_empty() {
        return Box::new(last_word);
    }
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, parse(head)),
        (Occur::Must, Box::new(last_word) as Box<dyn Query>),
    ]))
}
