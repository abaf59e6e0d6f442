//! One SQLite file: opening it safely, its schema version, and running
//! blocking calls off the async runtime's worker threads.
//!
//! Every connection runs in WAL mode (readers never wait for the writer),
//! with foreign keys on and a busy timeout, so several processes share the
//! file: a writer that finds it locked waits up to the timeout and then
//! fails with a retryable [`StoreError::Unavailable`].
//!
//! A copkit database carries copkit's SQLite `application_id` and its
//! schema version in `user_version`. Opening checks both before changing
//! anything: a file that is not a copkit database (random bytes, another
//! application's database) is refused with [`OpenError::NotCopkit`], one
//! written by a newer copkit with [`OpenError::TooNew`]; neither is
//! touched. An empty or new file is initialised, and an older schema is
//! migrated, each migration in its own transaction.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use copkit_core::store::StoreError;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension};
use rusqlite_migration::{M, Migrations};

/// copkit's SQLite application id: the bytes `cpk1`.
pub const APPLICATION_ID: i32 = 0x6370_6b31;

/// How long a writer waits for another process's write before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Seconds a caller is told to wait after the busy timeout ran out.
const RETRY_AFTER_SECS: u32 = 1;

/// Bytes of the file read through a memory map (256 MiB).
const MMAP_SIZE: i64 = 256 * 1024 * 1024;

/// Each connection's page cache, in KiB (negative: SQLite's unit for KiB).
const CACHE_KIB: i64 = -16 * 1024;

/// Seconds a caller is told to wait when the disk is full or the file
/// cannot be written (an operator must act).
const RETRY_AFTER_STUCK_SECS: u32 = 30;

/// Connections kept open for reuse.
const IDLE_MAX: usize = 8;

/// The schema, one migration per version (version N is the first N).
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_items.sql"),
    include_str!("migrations/0002_settings.sql"),
    include_str!("migrations/0003_ephemeral.sql"),
];

/// The schema version this build writes.
pub fn schema_version() -> u32 {
    MIGRATIONS.len() as u32
}

/// Why a database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The file is not a copkit database; it was left as it was.
    #[error("{path} is not a copkit database")]
    NotCopkit {
        /// The file.
        path: PathBuf,
    },
    /// The database was written by a newer copkit; it was left as it was.
    #[error(
        "{path} has schema version {found}, newer than this copkit's {supported}: upgrade copkit"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: u32,
        /// The newest this build knows.
        supported: u32,
    },
    /// The file or its folder cannot be read or written (permissions, a
    /// full disk, a locked file...).
    #[error("cannot open {path}: {reason}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What SQLite or the system said.
        reason: String,
    },
}

/// An open copkit database: a small pool of connections to one file.
/// Cloning shares the pool.
#[derive(Debug, Clone)]
pub struct Database {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// How long a call waits for another writer, in milliseconds.
    busy_ms: AtomicU64,
}

impl Database {
    /// Opens the database at `path`, creating it (and migrating it to the
    /// current schema) when needed.
    pub fn open(path: impl AsRef<Path>) -> Result<Database, OpenError> {
        let path = path.as_ref().to_path_buf();
        let mut conn = connect(&path)?;
        prepare(&mut conn, &path)?;
        Ok(Database {
            inner: Arc::new(Inner {
                path,
                idle: Mutex::new(vec![conn]),
                busy_ms: AtomicU64::new(BUSY_TIMEOUT.as_millis() as u64),
            }),
        })
    }

    /// Changes how long a call waits for another process's write before
    /// failing with a retryable [`StoreError::Unavailable`] (default
    /// [`BUSY_TIMEOUT`]).
    pub fn set_busy_timeout(&self, timeout: Duration) {
        self.inner
            .busy_ms
            .store(timeout.as_millis() as u64, Ordering::Relaxed);
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Copies the whole database to a new file at `to` with SQLite's online
    /// backup, while other connections (and processes) keep reading and
    /// writing; the copy is a consistent snapshot. An existing file at
    /// `to` is refused, never overwritten.
    pub async fn backup_to(&self, to: impl AsRef<Path>) -> Result<(), StoreError> {
        let to = to.as_ref().to_path_buf();
        if to.exists() {
            return Err(StoreError::Internal(format!(
                "{} exists already; choose a new file",
                to.display()
            )));
        }
        self.run(move |conn| {
            let mut target = Connection::open(&to).map_err(store_error)?;
            let backup = rusqlite::backup::Backup::new(conn, &mut target).map_err(store_error)?;
            backup
                .run_to_completion(256, Duration::from_millis(5), None)
                .map_err(store_error)
        })
        .await
    }

    /// The key that seals list cursors, the same for every process using
    /// this file: made at random the first time and kept in the database.
    pub async fn cursor_key(&self) -> Result<[u8; 32], StoreError> {
        self.run(|conn| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(store_error)?;
            let kept: Option<Vec<u8>> = tx
                .query_row(
                    "SELECT value FROM settings WHERE name = 'cursor_key'",
                    [],
                    |r| r.get(0),
                )
                .optional()
                .map_err(store_error)?;
            let key = match kept.and_then(|bytes| <[u8; 32]>::try_from(bytes).ok()) {
                Some(key) => key,
                None => {
                    let mut key = [0u8; 32];
                    getrandom::fill(&mut key)
                        .map_err(|e| StoreError::Internal(format!("no random source: {e}")))?;
                    tx.execute(
                        "INSERT OR REPLACE INTO settings (name, value) VALUES ('cursor_key', ?1)",
                        [key.as_slice()],
                    )
                    .map_err(store_error)?;
                    key
                }
            };
            tx.commit().map_err(store_error)?;
            Ok(key)
        })
        .await
    }

    /// Every item of the database as one line of text (keys, listings and
    /// the record's JSON), in key order: what audits and residue checks
    /// search.
    pub async fn every_item(&self) -> Result<Vec<String>, StoreError> {
        self.run(|conn| {
            let mut statement = conn
                .prepare(
                    "SELECT pk, sk, body, g1pk, g1sk, g2pk, g2sk, g3pk, g3sk \
                     FROM items ORDER BY pk, sk",
                )
                .map_err(store_error)?;
            let rows = statement
                .query_map([], |r| {
                    (0..9)
                        .map(|i| r.get::<_, Option<String>>(i).map(Option::unwrap_or_default))
                        .collect::<Result<Vec<_>, _>>()
                })
                .map_err(store_error)?;
            rows.map(|row| row.map(|columns| columns.join(" ")).map_err(store_error))
                .collect()
        })
        .await
    }

    /// Runs `work` with a connection on a blocking thread, never on the
    /// async runtime's workers.
    pub async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = match inner.take() {
                Some(conn) => conn,
                None => connect(&inner.path).map_err(|e| StoreError::Internal(e.to_string()))?,
            };
            let busy = Duration::from_millis(inner.busy_ms.load(Ordering::Relaxed));
            conn.busy_timeout(busy).map_err(store_error)?;
            let result = work(&mut conn);
            inner.give_back(conn);
            result
        })
        .await
        .map_err(|e| StoreError::Internal(format!("database task: {e}")))?
    }
}

impl Inner {
    fn take(&self) -> Option<Connection> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop()
    }

    fn give_back(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        // A connection left inside a transaction (a panic in `work`) is
        // dropped, which rolls the transaction back.
        if idle.len() < IDLE_MAX && conn.is_autocommit() {
            idle.push(conn);
        }
    }
}

/// A connection with copkit's settings. Opening never writes to the file.
fn connect(path: &Path) -> Result<Connection, OpenError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| opening(path, e))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| opening(path, e))?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(|e| opening(path, e))?;
    // Reads through a memory map and a larger page cache: a page of a list
    // then costs about the same whatever the file's size.
    conn.pragma_update(None, "mmap_size", MMAP_SIZE)
        .map_err(|e| opening(path, e))?;
    conn.pragma_update(None, "cache_size", CACHE_KIB)
        .map_err(|e| opening(path, e))?;
    Ok(conn)
}

/// Checks the file is copkit's (or empty), then sets WAL and migrates.
fn prepare(conn: &mut Connection, path: &Path) -> Result<(), OpenError> {
    let identity = |conn: &Connection| -> rusqlite::Result<(i32, u32, i64)> {
        let app: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
        let version: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let objects: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        Ok((app, version, objects))
    };
    let (app, found, objects) = identity(conn).map_err(|e| opening(path, e))?;
    let fresh = app == 0 && found == 0 && objects == 0;
    if !fresh && app != APPLICATION_ID {
        return Err(OpenError::NotCopkit {
            path: path.to_path_buf(),
        });
    }
    let supported = schema_version();
    if found > supported {
        return Err(OpenError::TooNew {
            path: path.to_path_buf(),
            found,
            supported,
        });
    }
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .map_err(|e| opening(path, e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(OpenError::Io {
            path: path.to_path_buf(),
            reason: format!("the journal cannot be set to WAL (it is {mode})"),
        });
    }
    if fresh {
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(|e| opening(path, e))?;
    }
    let migrations = Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect());
    migrations.to_latest(conn).map_err(|e| match e {
        rusqlite_migration::Error::RusqliteError { err, .. } => opening(path, err),
        other => OpenError::Io {
            path: path.to_path_buf(),
            reason: other.to_string(),
        },
    })
}

fn opening(path: &Path, e: rusqlite::Error) -> OpenError {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => OpenError::NotCopkit {
            path: path.to_path_buf(),
        },
        _ => OpenError::Io {
            path: path.to_path_buf(),
            reason: e.to_string(),
        },
    }
}

/// A store error for a failed SQLite call: a lock held beyond the busy
/// timeout is retryable soon; a full disk or a file that cannot be written
/// is retryable once an operator has acted (the transaction was rolled
/// back whole); anything else is internal.
pub fn store_error(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Unavailable {
            retry_after_secs: RETRY_AFTER_SECS,
        },
        Some(ErrorCode::DiskFull | ErrorCode::ReadOnly | ErrorCode::CannotOpen) => {
            StoreError::Unavailable {
                retry_after_secs: RETRY_AFTER_STUCK_SECS,
            }
        }
        _ => StoreError::Internal(format!("sqlite: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_of(path: &Path) -> Vec<u8> {
        std::fs::read(path).unwrap()
    }

    #[test]
    fn a_new_file_becomes_a_copkit_database_at_the_current_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("copkit.db");
        let db = Database::open(&path).unwrap();
        drop(db);
        let conn = Connection::open(&path).unwrap();
        let app: i32 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .unwrap();
        let version: u32 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(
            (app, version, mode.as_str()),
            (APPLICATION_ID, schema_version(), "wal")
        );
        // Opening again changes nothing.
        Database::open(&path).unwrap();
    }

    #[test]
    fn random_bytes_are_not_a_copkit_database_and_stay_as_they_were() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("copkit.db");
        let noise: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
        std::fs::write(&path, &noise).unwrap();
        let err = Database::open(&path).unwrap_err();
        assert!(matches!(err, OpenError::NotCopkit { .. }), "{err}");
        assert_eq!(bytes_of(&path), noise);
    }

    #[test]
    fn another_applications_database_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x');")
                .unwrap();
        }
        let before = bytes_of(&path);
        let err = Database::open(&path).unwrap_err();
        assert!(matches!(err, OpenError::NotCopkit { .. }), "{err}");
        assert_eq!(bytes_of(&path), before);
    }

    #[test]
    fn a_database_from_a_newer_copkit_is_refused_naming_both_versions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("copkit.db");
        drop(Database::open(&path).unwrap());
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", schema_version() + 1)
                .unwrap();
        }
        let before = bytes_of(&path);
        let err = Database::open(&path).unwrap_err();
        match &err {
            OpenError::TooNew {
                found, supported, ..
            } => assert_eq!(
                (*found, *supported),
                (schema_version() + 1, schema_version())
            ),
            other => panic!("{other}"),
        }
        let message = err.to_string();
        assert!(message.contains(&format!("{}", schema_version() + 1)));
        assert!(message.contains(&format!("{}", schema_version())));
        assert_eq!(bytes_of(&path), before);
    }

    #[test]
    fn a_missing_folder_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no-such-folder").join("copkit.db");
        let err = Database::open(&path).unwrap_err();
        assert!(matches!(err, OpenError::Io { .. }), "{err}");
        assert!(err.to_string().contains("no-such-folder"));
    }

    #[tokio::test]
    async fn a_backup_is_a_copkit_database_with_everything_in_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(dir.path().join("copkit.db")).unwrap();
        db.run(|conn| {
            conn.execute(
                "INSERT INTO items (pk, sk, body) VALUES ('P', 'S', '\"kept\"')",
                [],
            )
            .map_err(store_error)
        })
        .await
        .unwrap();
        let copy = dir.path().join("backup.db");
        db.backup_to(&copy).await.unwrap();
        assert!(db.backup_to(&copy).await.is_err(), "never overwrites");
        let restored = Database::open(&copy).unwrap();
        let body: String = restored
            .run(|conn| {
                conn.query_row("SELECT body FROM items WHERE pk = 'P'", [], |r| r.get(0))
                    .map_err(store_error)
            })
            .await
            .unwrap();
        assert_eq!(body, "\"kept\"");
    }

    #[tokio::test]
    async fn an_older_schema_is_migrated_and_keeps_its_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("copkit.db");
        {
            // A database as the first schema left it.
            let mut conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "application_id", APPLICATION_ID)
                .unwrap();
            Migrations::new(vec![M::up(MIGRATIONS[0])])
                .to_latest(&mut conn)
                .unwrap();
            conn.execute(
                "INSERT INTO items (pk, sk, body) VALUES ('P', 'S', '1')",
                [],
            )
            .unwrap();
        }
        let db = Database::open(&path).unwrap();
        let (version, items): (u32, i64) = db
            .run(|conn| {
                let v = conn
                    .pragma_query_value(None, "user_version", |r| r.get(0))
                    .map_err(store_error)?;
                let n = conn
                    .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
                    .map_err(store_error)?;
                Ok((v, n))
            })
            .await
            .unwrap();
        assert_eq!((version, items), (schema_version(), 1));
        // The shared cursor key is made once and kept.
        let key = db.cursor_key().await.unwrap();
        drop(db);
        assert_eq!(
            Database::open(&path).unwrap().cursor_key().await.unwrap(),
            key
        );
    }

    #[tokio::test]
    async fn a_write_lock_held_past_the_busy_timeout_is_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("copkit.db");
        let db = Database::open(&path).unwrap();
        let holder = Connection::open(&path).unwrap();
        holder.execute_batch("BEGIN IMMEDIATE").unwrap();
        db.set_busy_timeout(Duration::from_millis(50));
        let err = db
            .run(|conn| {
                conn.execute_batch("BEGIN IMMEDIATE; ROLLBACK;")
                    .map_err(store_error)
            })
            .await
            .unwrap_err();
        assert_eq!(
            err,
            StoreError::Unavailable {
                retry_after_secs: RETRY_AFTER_SECS
            }
        );
        holder.execute_batch("ROLLBACK").unwrap();
    }
}
