//! The last answer to each GET, with its `ETag`: sent back as
//! `If-None-Match` so an unchanged answer costs a bodiless 304, and shown
//! (marked stale) when the server cannot be reached.
//!
//! Without a `cache_path` the answers live in memory (the newest
//! [`MEMORY_ENTRIES`]); with one they live in a small SQLite file that
//! survives restarts (the newest [`FILE_ENTRIES`]). Entries are kept apart
//! per person (the token's subject), so one device's two accounts never
//! see each other's answers.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{ClientError, ClientResult};

/// Answers kept in memory.
pub const MEMORY_ENTRIES: usize = 256;
/// Answers kept in a cache file.
pub const FILE_ENTRIES: usize = 2_000;

/// One kept answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cached {
    /// Its entity tag.
    pub etag: String,
    /// Its body.
    pub body: Vec<u8>,
    /// When it was last confirmed by the server (Unix ms).
    pub saved_ms: i64,
}

/// Kept answers, in memory or in a file.
pub(crate) enum ResponseCache {
    Memory(Mutex<HashMap<(String, String), Cached>>),
    File(Mutex<Connection>),
}

fn storage(e: rusqlite::Error) -> ClientError {
    ClientError::Protocol {
        reason: format!("response cache: {e}"),
    }
}

impl ResponseCache {
    pub(crate) fn memory() -> Self {
        ResponseCache::Memory(Mutex::new(HashMap::new()))
    }

    /// Opens (or creates) the cache file.
    pub(crate) fn open(path: &Path) -> ClientResult<Self> {
        let conn = Connection::open(path).map_err(storage)?;
        conn.busy_timeout(std::time::Duration::from_secs(2))
            .map_err(storage)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE IF NOT EXISTS responses (
                 scope TEXT NOT NULL,
                 url TEXT NOT NULL,
                 etag TEXT NOT NULL,
                 body BLOB NOT NULL,
                 saved_ms INTEGER NOT NULL,
                 PRIMARY KEY (scope, url)
             ) WITHOUT ROWID;
             CREATE INDEX IF NOT EXISTS responses_by_age ON responses (saved_ms);",
        )
        .map_err(storage)?;
        Ok(ResponseCache::File(Mutex::new(conn)))
    }

    pub(crate) fn get(&self, scope: &str, url: &str) -> Option<Cached> {
        match self {
            ResponseCache::Memory(map) => map
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&(scope.to_owned(), url.to_owned()))
                .cloned(),
            ResponseCache::File(conn) => conn
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .query_row(
                    "SELECT etag, body, saved_ms FROM responses WHERE scope = ?1 AND url = ?2",
                    params![scope, url],
                    |row| {
                        Ok(Cached {
                            etag: row.get(0)?,
                            body: row.get(1)?,
                            saved_ms: row.get(2)?,
                        })
                    },
                )
                .optional()
                .ok()
                .flatten(),
        }
    }

    /// Keeps an answer (a failure to write the cache never fails the call).
    pub(crate) fn put(&self, scope: &str, url: &str, entry: Cached) {
        match self {
            ResponseCache::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
                map.insert((scope.to_owned(), url.to_owned()), entry);
                if map.len() > MEMORY_ENTRIES {
                    let oldest = map
                        .iter()
                        .min_by_key(|(_, c)| c.saved_ms)
                        .map(|(k, _)| k.clone());
                    if let Some(oldest) = oldest {
                        map.remove(&oldest);
                    }
                }
            }
            ResponseCache::File(conn) => {
                let conn = conn.lock().unwrap_or_else(|p| p.into_inner());
                let _ = conn.execute(
                    "INSERT OR REPLACE INTO responses (scope, url, etag, body, saved_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![scope, url, entry.etag, entry.body, entry.saved_ms],
                );
                let _ = conn.execute(
                    "DELETE FROM responses WHERE (scope, url) IN (
                         SELECT scope, url FROM responses
                         ORDER BY saved_ms DESC LIMIT -1 OFFSET ?1)",
                    params![FILE_ENTRIES as i64],
                );
            }
        }
    }

    /// Forgets every kept answer (sign-out).
    pub(crate) fn clear(&self) -> ClientResult<()> {
        match self {
            ResponseCache::Memory(map) => {
                map.lock().unwrap_or_else(|p| p.into_inner()).clear();
                Ok(())
            }
            ResponseCache::File(conn) => conn
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .execute("DELETE FROM responses", [])
                .map(|_| ())
                .map_err(storage),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(tag: &str, at: i64) -> Cached {
        Cached {
            etag: tag.into(),
            body: tag.as_bytes().to_vec(),
            saved_ms: at,
        }
    }

    #[test]
    fn a_file_cache_survives_reopening_and_keeps_people_apart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        let cache = ResponseCache::open(&path).unwrap();
        cache.put("sub:a", "/me", entry("\"1.x\"", 1));
        cache.put("sub:a", "/me", entry("\"2.y\"", 2));
        drop(cache);
        let cache = ResponseCache::open(&path).unwrap();
        assert_eq!(cache.get("sub:a", "/me"), Some(entry("\"2.y\"", 2)));
        assert_eq!(cache.get("sub:b", "/me"), None);
        cache.clear().unwrap();
        assert_eq!(cache.get("sub:a", "/me"), None);
    }

    #[test]
    fn caches_are_bounded_and_drop_the_oldest() {
        let memory = ResponseCache::memory();
        for i in 0..(MEMORY_ENTRIES as i64 + 5) {
            memory.put("s", &format!("/x/{i}"), entry("t", i));
        }
        assert_eq!(memory.get("s", "/x/0"), None);
        assert!(
            memory
                .get("s", &format!("/x/{}", MEMORY_ENTRIES + 4))
                .is_some()
        );
        if let ResponseCache::Memory(map) = &memory {
            assert_eq!(map.lock().unwrap().len(), MEMORY_ENTRIES);
        }

        let dir = tempfile::tempdir().unwrap();
        let file = ResponseCache::open(&dir.path().join("c.db")).unwrap();
        for i in 0..(FILE_ENTRIES as i64 + 3) {
            file.put("s", &format!("/x/{i}"), entry("t", i));
        }
        assert_eq!(file.get("s", "/x/2"), None);
        assert!(file.get("s", "/x/3").is_some());
    }
}
