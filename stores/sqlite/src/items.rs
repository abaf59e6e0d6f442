//! The one `items` table, as the families see it: a record is JSON under a
//! key (a partition and a sort value), optionally listed under up to three
//! secondary keys; lists are keyset pages over a partition or an index, so
//! a page costs the same whatever the partition holds.
//!
//! Everything here runs inside one SQLite transaction that the caller
//! opened (`BEGIN IMMEDIATE` for writes), on a blocking thread.

use copkit_core::store::{Chunk, Range, StoreError};
use copkit_core::validate::limits;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::database::store_error;

pub use copkit_core::store::keys::SEP;

/// Where an item lives: its partition and its place in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// The partition (`COMM#…`).
    pub pk: String,
    /// The place in the partition.
    pub sk: String,
}

impl Key {
    /// A key from its two parts.
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Key {
            pk: pk.into(),
            sk: sk.into(),
        }
    }
}

/// One of the three secondary indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    /// `g1pk`, `g1sk`.
    One,
    /// `g2pk`, `g2sk`.
    Two,
    /// `g3pk`, `g3sk`.
    Three,
}

impl Index {
    fn columns(self) -> (&'static str, &'static str) {
        match self {
            Index::One => ("g1pk", "g1sk"),
            Index::Two => ("g2pk", "g2sk"),
            Index::Three => ("g3pk", "g3sk"),
        }
    }
}

/// The secondary keys an item is listed under (none by default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listed {
    /// Under each index, a partition and a sort value.
    pub under: [Option<(String, String)>; 3],
}

impl Listed {
    /// Listed nowhere but its own partition.
    pub fn nowhere() -> Self {
        Listed::default()
    }

    /// Also listed under `index` at (`pk`, `sk`).
    pub fn on(mut self, index: Index, pk: impl Into<String>, sk: impl Into<String>) -> Self {
        let slot = match index {
            Index::One => 0,
            Index::Two => 1,
            Index::Three => 2,
        };
        self.under[slot] = Some((pk.into(), sk.into()));
        self
    }
}

/// Which way a page runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Smallest sort value first.
    Ascending,
    /// Largest sort value first.
    Descending,
}

/// One page of a partition or an index: each item with its sort value
/// (the position to resume after).
pub type Page<T> = Vec<(String, T)>;

fn decode<T: DeserializeOwned>(body: &str) -> Result<T, StoreError> {
    serde_json::from_str(body)
        .map_err(|e| StoreError::Internal(format!("decoding a stored record: {e}")))
}

fn encode<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Internal(format!("encoding a record: {e}")))
}

/// The record under `key`, if any.
pub fn get<T: DeserializeOwned>(conn: &Connection, key: &Key) -> Result<Option<T>, StoreError> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM items WHERE pk = ?1 AND sk = ?2")
        .and_then(|mut s| {
            s.query_row(params![key.pk, key.sk], |r| r.get(0))
                .optional()
        })
        .map_err(store_error)?;
    body.as_deref().map(decode).transpose()
}

/// Writes `value` under `key` (replacing what was there), listed as
/// `listed` says.
pub fn put<T: Serialize>(
    conn: &Connection,
    key: &Key,
    value: &T,
    listed: &Listed,
) -> Result<(), StoreError> {
    let body = encode(value)?;
    let part = |i: usize| listed.under[i].as_ref().map(|(p, _)| p.as_str());
    let sort = |i: usize| listed.under[i].as_ref().map(|(_, s)| s.as_str());
    conn.prepare_cached(
        "INSERT OR REPLACE INTO items (pk, sk, body, g1pk, g1sk, g2pk, g2sk, g3pk, g3sk) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .and_then(|mut s| {
        s.execute(params![
            key.pk,
            key.sk,
            body,
            part(0),
            sort(0),
            part(1),
            sort(1),
            part(2),
            sort(2)
        ])
    })
    .map_err(store_error)?;
    Ok(())
}

/// Removes the item under `key` (nothing happens when absent).
pub fn delete(conn: &Connection, key: &Key) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM items WHERE pk = ?1 AND sk = ?2")
        .and_then(|mut s| s.execute(params![key.pk, key.sk]))
        .map_err(store_error)?;
    Ok(())
}

/// Up to `limit` items of partition `pk` whose sort value starts with
/// `prefix`, after `after` (a sort value from a previous page), in `order`.
pub fn page<T: DeserializeOwned>(
    conn: &Connection,
    pk: &str,
    prefix: &str,
    after: Option<&str>,
    limit: usize,
    order: Order,
) -> Result<Page<T>, StoreError> {
    scan(conn, ("pk", "sk"), pk, prefix, after, limit, order)
}

/// The same over a secondary index.
pub fn page_index<T: DeserializeOwned>(
    conn: &Connection,
    index: Index,
    pk: &str,
    prefix: &str,
    after: Option<&str>,
    limit: usize,
    order: Order,
) -> Result<Page<T>, StoreError> {
    scan(conn, index.columns(), pk, prefix, after, limit, order)
}

/// The upper end of the sort values starting with `prefix`: every such
/// value sorts below it (prefixes never end in U+10FFFF).
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

fn scan<T: DeserializeOwned>(
    conn: &Connection,
    (pk_col, sk_col): (&str, &str),
    pk: &str,
    prefix: &str,
    after: Option<&str>,
    limit: usize,
    order: Order,
) -> Result<Page<T>, StoreError> {
    let end = prefix_end(prefix);
    // The range a page may take: within the prefix, and past `after`.
    let (low, high, direction) = match order {
        Order::Ascending => (after.unwrap_or(prefix), end.as_str(), "ASC"),
        Order::Descending => (prefix, after.unwrap_or(end.as_str()), "DESC"),
    };
    let (low_op, high_op) = match (order, after) {
        (Order::Ascending, Some(_)) => (">", "<"),
        (Order::Ascending, None) => (">=", "<"),
        (Order::Descending, _) => (">=", "<"),
    };
    let sql = format!(
        "SELECT {sk_col}, body FROM items WHERE {pk_col} = ?1 AND {sk_col} {low_op} ?2 \
         AND {sk_col} {high_op} ?3 ORDER BY {sk_col} {direction} LIMIT ?4"
    );
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut statement = conn.prepare_cached(&sql).map_err(store_error)?;
    let rows = statement
        .query_map(params![pk, low, high, limit], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(store_error)?;
    let mut items = Vec::new();
    for row in rows {
        let (sort, body) = row.map_err(store_error)?;
        items.push((sort, decode(&body)?));
    }
    Ok(items)
}

/// Where a list reads from: a partition or an index, within a prefix of
/// its sort values.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// The items of partition `pk`.
    Partition {
        /// The partition.
        pk: &'a str,
        /// What their sort values start with.
        prefix: &'a str,
    },
    /// The items listed under `pk` in an index.
    Index {
        /// The index.
        index: Index,
        /// The partition in that index.
        pk: &'a str,
        /// What their sort values start with.
        prefix: &'a str,
    },
}

/// Up to `limit` records from `source` in `order`, from the start (for
/// short lists read whole, and queues read from their head).
pub fn records<T: DeserializeOwned>(
    conn: &Connection,
    source: Source<'_>,
    order: Order,
    limit: usize,
) -> Result<Vec<T>, StoreError> {
    let found: Page<T> = match source {
        Source::Partition { pk, prefix } => page(conn, pk, prefix, None, limit, order)?,
        Source::Index { index, pk, prefix } => {
            page_index(conn, index, pk, prefix, None, limit, order)?
        }
    };
    Ok(found.into_iter().map(|(_, record)| record).collect())
}

/// The head of a queue ordered by due time: up to `limit` records from
/// `source`, earliest first, as long as `is_due` holds.
pub fn due<T: DeserializeOwned>(
    conn: &Connection,
    source: Source<'_>,
    limit: usize,
    is_due: impl Fn(&T) -> bool,
) -> Result<Vec<T>, StoreError> {
    let head: Vec<T> = records(conn, source, Order::Ascending, limit)?;
    Ok(head.into_iter().take_while(|r| is_due(r)).collect())
}

/// One list page of up to `range.limit` items that `keep` accepts, read
/// from `source` after `range.after` (a sort value this list returned,
/// checked by the caller), each with its position; `next` is set only when
/// another kept item follows. Items `keep` refuses are skipped before the
/// limit applies, so a page is full whenever more items exist.
pub fn chunk<T: DeserializeOwned>(
    conn: &Connection,
    source: Source<'_>,
    order: Order,
    range: &Range,
    keep: impl Fn(&T) -> bool,
) -> Result<Chunk<T>, StoreError> {
    let limit = range.limit.clamp(1, limits::PAGE_MAX) as usize;
    let mut after = range.after.clone();
    let (mut items, mut positions) = (Vec::new(), Vec::new());
    let mut more = false;
    loop {
        let batch: Page<T> = match source {
            Source::Partition { pk, prefix } => {
                page(conn, pk, prefix, after.as_deref(), limit + 1, order)?
            }
            Source::Index { index, pk, prefix } => {
                page_index(conn, index, pk, prefix, after.as_deref(), limit + 1, order)?
            }
        };
        let exhausted = batch.len() <= limit;
        for (sort, item) in batch {
            after = Some(sort.clone());
            if !keep(&item) {
                continue;
            }
            if items.len() == limit {
                more = true;
                break;
            }
            items.push(item);
            positions.push(sort);
        }
        if more || exhausted {
            break;
        }
    }
    let next = if more {
        positions.last().cloned()
    } else {
        None
    };
    Ok(Chunk {
        items,
        positions,
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::Database;

    async fn with_items<T: Send + 'static>(
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> T {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(dir.path().join("copkit.db")).unwrap();
        let result = db.run(work).await.unwrap();
        drop(dir);
        result
    }

    #[tokio::test]
    async fn records_round_trip_and_replace() {
        let got = with_items(|conn| {
            let key = Key::new("USER#ann", "PROFILE");
            assert!(get::<String>(conn, &key)?.is_none());
            put(conn, &key, &"first".to_owned(), &Listed::nowhere())?;
            put(conn, &key, &"second".to_owned(), &Listed::nowhere())?;
            let got: Option<String> = get(conn, &key)?;
            delete(conn, &key)?;
            assert!(get::<String>(conn, &key)?.is_none());
            Ok(got)
        })
        .await;
        assert_eq!(got.as_deref(), Some("second"));
    }

    #[tokio::test]
    async fn pages_resume_after_their_last_item_both_ways_within_the_prefix() {
        let (up, down, other) = with_items(|conn| {
            for i in 0..25u32 {
                put(
                    conn,
                    &Key::new("P", format!("T#{i:03}")),
                    &i,
                    &Listed::nowhere().on(Index::One, "BY", format!("{:03}", 100 - i)),
                )?;
            }
            put(conn, &Key::new("P", "U#000"), &999u32, &Listed::nowhere())?;
            let drain = |order| -> Result<Vec<u32>, StoreError> {
                let mut all = Vec::new();
                let mut after: Option<String> = None;
                loop {
                    let page: Page<u32> = page(conn, "P", "T#", after.as_deref(), 10, order)?;
                    let done = page.len() < 10;
                    after = page.last().map(|(s, _)| s.clone());
                    all.extend(page.into_iter().map(|(_, v)| v));
                    if done {
                        return Ok(all);
                    }
                }
            };
            let up = drain(Order::Ascending)?;
            let down = drain(Order::Descending)?;
            let other: Page<u32> =
                page_index(conn, Index::One, "BY", "", None, 3, Order::Ascending)?;
            Ok((up, down, other))
        })
        .await;
        assert_eq!(up, (0..25).collect::<Vec<_>>());
        assert_eq!(down, (0..25).rev().collect::<Vec<_>>());
        assert_eq!(
            other.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
            vec![24, 23, 22]
        );
    }
}
