//! Digests in memory: the tables, the checks and effects of
//! [`DigestOp`], and the reads.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use jiff::Timestamp;

use super::{HashMap, MemoryStore, check_expect, chunk_of, owned_range, parse_ulid_position};
use crate::ids::{MailId, UserId};
use crate::model::{DigestSchedule, Mail};
use crate::store::{Chunk, ConditionFailure, DigestOp, DigestStore, Range, StoreError};

/// The digests tables.
#[derive(Debug, Default)]
pub(super) struct Tables {
    pub(super) digest_schedules: HashMap<UserId, DigestSchedule>,
    /// Digest schedules by due time.
    pub(super) digests_due: BTreeSet<(Timestamp, UserId)>,
    pub(super) outbox: BTreeMap<(UserId, MailId), Mail>,
    /// Pending mail by its next attempt.
    pub(super) mail_due: BTreeSet<(Timestamp, UserId, MailId)>,
}

/// The due-index entry of a mail (pending mail with an attempt time only).
fn due_entry(mail: &Mail) -> Option<(Timestamp, UserId, MailId)> {
    mail.due_at().map(|at| (at, mail.to.clone(), mail.id))
}

impl Tables {
    /// Whether `op` may be applied now.
    pub(super) fn check(&self, op: &DigestOp) -> Result<(), ConditionFailure> {
        match op {
            DigestOp::PutDigestSchedule { schedule, expect } => check_expect(
                self.digest_schedules.get(&schedule.user).map(|s| s.version),
                *expect,
            ),
            DigestOp::PutMail { mail, expect } => check_expect(
                self.outbox
                    .get(&(mail.to.clone(), mail.id))
                    .map(|m| m.version),
                *expect,
            ),
            DigestOp::ForgetMail { .. } | DigestOp::ForgetDigestSchedule { .. } => Ok(()),
        }
    }

    /// Applies `op` (checked already).
    pub(super) fn apply(&mut self, op: DigestOp) {
        match op {
            DigestOp::PutDigestSchedule { schedule, .. } => {
                if let Some(old) = self.digest_schedules.get(&schedule.user)
                    && let Some(at) = old.next_due
                {
                    self.digests_due.remove(&(at, schedule.user.clone()));
                }
                if let Some(at) = schedule.next_due {
                    self.digests_due.insert((at, schedule.user.clone()));
                }
                self.digest_schedules
                    .insert(schedule.user.clone(), schedule);
            }
            DigestOp::PutMail { mail, .. } => {
                if let Some(old) = self.outbox.get(&(mail.to.clone(), mail.id))
                    && let Some(entry) = due_entry(old)
                {
                    self.mail_due.remove(&entry);
                }
                if let Some(entry) = due_entry(&mail) {
                    self.mail_due.insert(entry);
                }
                self.outbox.insert((mail.to.clone(), mail.id), *mail);
            }
            DigestOp::ForgetMail { user, id } => {
                if let Some(old) = self.outbox.remove(&(user, id))
                    && let Some(entry) = due_entry(&old)
                {
                    self.mail_due.remove(&entry);
                }
            }
            DigestOp::ForgetDigestSchedule { user } => {
                if let Some(old) = self.digest_schedules.remove(&user)
                    && let Some(at) = old.next_due
                {
                    self.digests_due.remove(&(at, user));
                }
            }
        }
    }
}

#[async_trait]
impl DigestStore for MemoryStore {
    async fn get_digest_schedule(
        &self,
        user: &UserId,
    ) -> Result<Option<DigestSchedule>, StoreError> {
        Ok(self.lock().digests.digest_schedules.get(user).cloned())
    }

    async fn digests_due(
        &self,
        due: Timestamp,
        limit: u32,
    ) -> Result<Vec<DigestSchedule>, StoreError> {
        let state = self.lock();
        Ok(state
            .digests
            .digests_due
            .iter()
            .take_while(|(at, _)| *at <= due)
            .take(limit.clamp(1, 100) as usize)
            .filter_map(|(_, u)| state.digests.digest_schedules.get(u).cloned())
            .collect())
    }

    async fn list_outbox(&self, user: &UserId, range: &Range) -> Result<Chunk<Mail>, StoreError> {
        let after: Option<MailId> = parse_ulid_position(&range.after)?;
        let state = self.lock();
        let items = state
            .digests
            .outbox
            .range(owned_range(user, after, MailId))
            .rev()
            .map(|(_, m)| m.clone())
            .collect::<Vec<_>>();
        Ok(chunk_of(items.into_iter(), range.limit, |m| {
            m.id.to_string()
        }))
    }

    async fn mail_due(&self, due: Timestamp, limit: u32) -> Result<Vec<Mail>, StoreError> {
        let state = self.lock();
        Ok(state
            .digests
            .mail_due
            .iter()
            .take_while(|(at, _, _)| *at <= due)
            .take(limit.clamp(1, 100) as usize)
            .filter_map(|(_, user, id)| state.digests.outbox.get(&(user.clone(), *id)).cloned())
            .collect())
    }
}
