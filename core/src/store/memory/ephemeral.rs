//! Short-lived records in memory: remembered writes and rate-limit tallies,
//! swept of expired entries when a table grows past [`SWEEP_AT`].

use async_trait::async_trait;
use jiff::Timestamp;

use super::{HashMap, MemoryStore};
use crate::store::{EphemeralStore, Remembered, StoreError};

/// Entries a table holds before its expired ones are swept.
const SWEEP_AT: usize = 10_000;

/// The tables.
#[derive(Debug, Default)]
pub(super) struct Tables {
    remembered: HashMap<String, Remembered>,
    /// Count and expiry per tally.
    tallies: HashMap<String, (u32, Timestamp)>,
}

impl Tables {
    fn sweep(&mut self, now: Timestamp) {
        if self.remembered.len() >= SWEEP_AT {
            self.remembered.retain(|_, r| r.live(now));
        }
        if self.tallies.len() >= SWEEP_AT {
            self.tallies.retain(|_, (_, expires)| *expires > now);
        }
    }
}

#[async_trait]
impl EphemeralStore for MemoryStore {
    async fn claim_key(
        &self,
        key: &str,
        claim: &Remembered,
        now: Timestamp,
    ) -> Result<Option<Remembered>, StoreError> {
        let mut state = self.lock_mut();
        let tables = &mut state.ephemeral;
        if let Some(held) = tables.remembered.get(key).filter(|r| r.live(now)) {
            return Ok(Some(held.clone()));
        }
        tables.sweep(now);
        tables.remembered.insert(key.to_owned(), claim.clone());
        Ok(None)
    }

    async fn keep_answer(&self, key: &str, done: &Remembered) -> Result<(), StoreError> {
        self.lock_mut()
            .ephemeral
            .remembered
            .insert(key.to_owned(), done.clone());
        Ok(())
    }

    async fn release_key(&self, key: &str) -> Result<(), StoreError> {
        let mut state = self.lock_mut();
        if state
            .ephemeral
            .remembered
            .get(key)
            .is_some_and(|r| r.answer.is_none())
        {
            state.ephemeral.remembered.remove(key);
        }
        Ok(())
    }

    async fn count_toward(
        &self,
        key: &str,
        limit: u32,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut state = self.lock_mut();
        let tables = &mut state.ephemeral;
        tables.sweep(now);
        let tally = tables
            .tallies
            .entry(key.to_owned())
            .or_insert((0, expires_at));
        if tally.1 <= now {
            *tally = (0, expires_at);
        }
        if tally.0 >= limit {
            return Ok(false);
        }
        tally.0 += 1;
        Ok(true)
    }
}
