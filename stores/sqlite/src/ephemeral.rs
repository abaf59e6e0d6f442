//! Short-lived records in SQLite: remembered writes and rate-limit tallies,
//! in their own tables (schema 3), each call one statement or one
//! immediate transaction, so processes sharing the file agree. Lapsed rows
//! are swept, a few at a time, by the writes that add rows.

use async_trait::async_trait;
use copkit_core::store::{EphemeralStore, Remembered, StoreError};
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::database::store_error;
use crate::store::SqliteStore;

/// Lapsed rows a write sweeps from its table.
const SWEEP_BATCH: i64 = 50;

fn millis(t: Timestamp) -> i64 {
    t.as_millisecond()
}

fn from_millis(ms: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_millisecond(ms).map_err(|e| StoreError::Internal(e.to_string()))
}

fn sweep(conn: &Connection, table: &str, now: Timestamp) -> Result<(), StoreError> {
    conn.execute(
        &format!(
            "DELETE FROM {table} WHERE key IN \
             (SELECT key FROM {table} WHERE expires_ms <= ?1 LIMIT ?2)"
        ),
        params![millis(now), SWEEP_BATCH],
    )
    .map_err(store_error)?;
    Ok(())
}

#[async_trait]
impl EphemeralStore for SqliteStore {
    async fn claim_key(
        &self,
        key: &str,
        claim: &Remembered,
        now: Timestamp,
    ) -> Result<Option<Remembered>, StoreError> {
        let key = key.to_owned();
        let claim = claim.clone();
        self.database()
            .run(move |conn| {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(store_error)?;
                let held = tx
                    .query_row(
                        "SELECT fingerprint, answer, expires_ms FROM remembered \
                         WHERE key = ?1 AND expires_ms > ?2",
                        params![key, millis(now)],
                        |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get::<_, i64>(2)?)),
                    )
                    .optional()
                    .map_err(store_error)?;
                if let Some((fingerprint, answer, expires_ms)) = held {
                    return Ok(Some(Remembered {
                        fingerprint,
                        answer,
                        expires_at: from_millis(expires_ms)?,
                    }));
                }
                sweep(&tx, "remembered", now)?;
                tx.execute(
                    "INSERT OR REPLACE INTO remembered (key, fingerprint, answer, expires_ms) \
                     VALUES (?1, ?2, ?3, ?4)",
                    params![
                        key,
                        claim.fingerprint,
                        claim.answer,
                        millis(claim.expires_at)
                    ],
                )
                .map_err(store_error)?;
                tx.commit().map_err(store_error)?;
                Ok(None)
            })
            .await
    }

    async fn keep_answer(&self, key: &str, done: &Remembered) -> Result<(), StoreError> {
        let key = key.to_owned();
        let done = done.clone();
        self.database()
            .run(move |conn| {
                conn.execute(
                    "INSERT OR REPLACE INTO remembered (key, fingerprint, answer, expires_ms) \
                     VALUES (?1, ?2, ?3, ?4)",
                    params![key, done.fingerprint, done.answer, millis(done.expires_at)],
                )
                .map_err(store_error)?;
                Ok(())
            })
            .await
    }

    async fn release_key(&self, key: &str) -> Result<(), StoreError> {
        let key = key.to_owned();
        self.database()
            .run(move |conn| {
                conn.execute(
                    "DELETE FROM remembered WHERE key = ?1 AND answer IS NULL",
                    [key],
                )
                .map_err(store_error)?;
                Ok(())
            })
            .await
    }

    async fn count_toward(
        &self,
        key: &str,
        limit: u32,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let key = key.to_owned();
        self.database()
            .run(move |conn| {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(store_error)?;
                sweep(&tx, "tallies", now)?;
                let counted = tx
                    .execute(
                        "INSERT INTO tallies (key, count, expires_ms) VALUES (?1, 1, ?2) \
                         ON CONFLICT (key) DO UPDATE SET \
                           count = CASE WHEN tallies.expires_ms <= ?3 THEN 1 \
                                        ELSE tallies.count + 1 END, \
                           expires_ms = CASE WHEN tallies.expires_ms <= ?3 \
                                        THEN excluded.expires_ms ELSE tallies.expires_ms END \
                         WHERE tallies.expires_ms <= ?3 OR tallies.count < ?4",
                        params![key, millis(expires_at), millis(now), limit],
                    )
                    .map_err(store_error)?;
                tx.commit().map_err(store_error)?;
                Ok(counted == 1 && limit > 0)
            })
            .await
    }
}
