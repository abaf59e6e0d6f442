//! The JSON of list answers, remembered between requests.
//!
//! The same page of the same list is asked for again and again (a client
//! refreshing a space's threads, several people reading one thread), and
//! mostly nothing in it changed in between. Writing its JSON again
//! (escaping every text, spelling out every id and timestamp) was the
//! largest part of a page request's own work. A [`JsonMemo`] keeps an
//! answer's JSON with the value it was written from, under a key naming the
//! list and the page, and answers the remembered bytes only when the value
//! asked for now is equal to that value in every field. So nothing that
//! changed, in the list or in how this caller sees it, can be missed: a
//! page seen differently by two callers is simply written again for each,
//! and the store is read and access checked on every request as before.
//!
//! The digest the `ETag` is made from is kept with the bytes (see
//! [`BodyDigest`]), so a remembered answer is not hashed again either.
//!
//! The memo is bounded by an estimate of the bytes it holds; past that it
//! starts again empty.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};

use axum::body::Bytes;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use copkit_core::model::{Page, PageRequest, Post, Thread};
use copkit_core::{SpaceId, ThreadId};
use serde::Serialize;

use crate::conditional::BodyDigest;

/// How many bytes each memo holds at most (estimated).
pub const MEMO_BUDGET: usize = 4 * 1024 * 1024;

/// The memos of the lists the routes answer most.
#[derive(Debug)]
pub struct ListMemos {
    /// A space's threads, by space and page.
    pub threads: JsonMemo<(SpaceId, PageRequest), Page<Thread>>,
    /// A space's pinned threads, by space.
    pub pinned: JsonMemo<SpaceId, Vec<Thread>>,
    /// A thread's posts, by thread and page.
    pub posts: JsonMemo<(ThreadId, PageRequest), Page<Post>>,
}

impl Default for ListMemos {
    fn default() -> Self {
        ListMemos {
            threads: JsonMemo::new(MEMO_BUDGET),
            pinned: JsonMemo::new(MEMO_BUDGET),
            posts: JsonMemo::new(MEMO_BUDGET),
        }
    }
}

/// An answer's JSON bytes (`application/json`), as written or remembered,
/// with their digest.
#[derive(Debug, Clone)]
pub struct JsonBytes {
    bytes: Bytes,
    digest: BodyDigest,
}

impl JsonBytes {
    /// `bytes`, with their digest computed now.
    pub fn new(bytes: Bytes) -> Self {
        let digest = BodyDigest::of(&bytes);
        JsonBytes { bytes, digest }
    }

    /// The JSON bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
}

impl IntoResponse for JsonBytes {
    fn into_response(self) -> Response {
        let mut response = (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            self.bytes,
        )
            .into_response();
        response.extensions_mut().insert(self.digest);
        response
    }
}

/// Remembered JSON of values of type `V`, by key `K`.
#[derive(Debug)]
pub struct JsonMemo<K, V> {
    state: Mutex<Remembered<K, V>>,
    budget: usize,
}

#[derive(Debug)]
struct Remembered<K, V> {
    answers: HashMap<K, (V, JsonBytes)>,
    /// The estimated bytes held.
    bytes: usize,
}

impl<K: Eq + Hash, V: Serialize + PartialEq> JsonMemo<K, V> {
    /// A memo holding about `budget` bytes at most.
    pub fn new(budget: usize) -> Self {
        JsonMemo {
            state: Mutex::new(Remembered {
                answers: HashMap::new(),
                bytes: 0,
            }),
            budget,
        }
    }

    /// `value`'s JSON: the bytes remembered under `key` when they were
    /// written from a value equal to `value`, else written now (and
    /// remembered in their place).
    pub fn json(&self, key: K, value: V) -> Result<JsonBytes, serde_json::Error> {
        if let Some((remembered, json)) = self.lock().answers.get(&key)
            && *remembered == value
        {
            return Ok(json.clone());
        }
        let json = JsonBytes::new(Bytes::from(serde_json::to_vec(&value)?));
        self.remember(key, value, json.clone());
        Ok(json)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Remembered<K, V>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn remember(&self, key: K, value: V, json: JsonBytes) {
        let cost = estimated_bytes::<V>(&json.bytes);
        let mut state = self.lock();
        if let Some((_, old)) = state.answers.remove(&key) {
            state.bytes = state.bytes.saturating_sub(estimated_bytes::<V>(&old.bytes));
        }
        if cost > self.budget {
            return;
        }
        if state.bytes + cost > self.budget {
            state.answers.clear();
            state.bytes = 0;
        }
        state.answers.insert(key, (value, json));
        state.bytes += cost;
    }

    /// How many answers are remembered.
    pub fn len(&self) -> usize {
        self.lock().answers.len()
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An entry's bytes: its JSON twice (the value's own text is about as long
/// as its JSON) and the value's inline size.
fn estimated_bytes<V>(json: &[u8]) -> usize {
    2 * json.len() + std::mem::size_of::<V>()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use copkit_core::model::Cursor;

    #[derive(Debug, Clone, PartialEq, Serialize)]
    struct Item {
        id: u32,
        title: String,
        hidden: Option<String>,
    }

    fn item(id: u32, title: &str) -> Item {
        Item {
            id,
            title: title.into(),
            hidden: None,
        }
    }

    fn page(items: Vec<Item>) -> Page<Item> {
        Page { items, next: None }
    }

    /// Answers `value` under `key`, checking the bytes are `value`'s JSON.
    fn answer(memo: &JsonMemo<u32, Page<Item>>, key: u32, value: Page<Item>) -> String {
        let expected = serde_json::to_string(&value).unwrap();
        let json = memo.json(key, value).unwrap();
        // The digest the answer carries is its bytes' digest, remembered or not.
        assert_eq!(json.digest, BodyDigest::of(json.bytes()));
        let text = String::from_utf8(json.bytes().to_vec()).unwrap();
        assert_eq!(text, expected);
        text
    }

    #[test]
    fn answers_the_bytes_writing_the_value_gives() {
        let memo = JsonMemo::new(1 << 20);
        let first = page(vec![item(1, "One \"quoted\""), item(2, "Two\n")]);
        answer(&memo, 1, first.clone());
        assert_eq!(memo.len(), 1);
        // Remembered now: still the same bytes.
        answer(&memo, 1, first);
        let with_cursor = Page {
            items: vec![item(2, "Two\n")],
            next: Some(Cursor("abc".into())),
        };
        answer(&memo, 2, with_cursor);
        answer(&memo, 3, page(Vec::new()));
        assert_eq!(memo.len(), 3);
    }

    #[test]
    fn a_changed_value_is_written_again() {
        let memo = JsonMemo::new(1 << 20);
        answer(&memo, 1, page(vec![item(1, "Before")]));
        let text = answer(&memo, 1, page(vec![item(1, "After")]));
        assert!(text.contains("After") && !text.contains("Before"), "{text}");
        // The same list seen differently by another caller (a field only
        // moderators see): that caller's view, then the first view again.
        let mut moderator_view = item(1, "After");
        moderator_view.hidden = Some("reason".into());
        let text = answer(&memo, 1, page(vec![moderator_view]));
        assert!(text.contains("reason"), "{text}");
        let text = answer(&memo, 1, page(vec![item(1, "After")]));
        assert!(!text.contains("reason"), "{text}");
        // A new cursor is a change too.
        let text = answer(
            &memo,
            1,
            Page {
                items: vec![item(1, "After")],
                next: Some(Cursor("next".into())),
            },
        );
        assert!(text.contains("next"), "{text}");
        assert_eq!(memo.len(), 1);
    }

    #[test]
    fn stays_within_its_budget() {
        let memo = JsonMemo::new(600);
        for key in 0..50 {
            answer(&memo, key, page(vec![item(key, "A title of some length")]));
            assert!(memo.lock().bytes <= 600, "{} bytes", memo.lock().bytes);
        }
        assert!(memo.len() < 50);
        assert!(!memo.is_empty());
        // An answer larger than the whole budget is answered, not kept,
        // and what was kept under its key is gone.
        answer(&memo, 49, page(vec![item(49, &"x".repeat(1000))]));
        assert!(!memo.lock().answers.contains_key(&49));
        answer(&memo, 49, page(vec![item(49, &"x".repeat(1000))]));
    }
}
