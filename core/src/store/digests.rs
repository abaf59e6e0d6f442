//! Digest schedules and the mail outbox.
//!
//! The reads ([`DigestStore`]) and the writes ([`DigestOp`]) of one
//! family of records; every store implements them in a file of the same name.

use async_trait::async_trait;
use jiff::Timestamp;

use super::{Chunk, Expect, ItemKey, Op, Range, StoreError};
use crate::ids::{MailId, UserId};
use crate::model::{DigestSchedule, Mail};

/// Digest schedules and the mail outbox.
#[async_trait]
pub trait DigestStore: Send + Sync {
    /// A member's digest schedule.
    async fn get_digest_schedule(
        &self,
        user: &UserId,
    ) -> Result<Option<DigestSchedule>, StoreError>;
    /// Schedules whose `next_due` is at or before `due`, earliest first, at
    /// most `limit` (1–100). A schedule rewritten with a later `next_due`
    /// (or none) stops being due.
    async fn digests_due(
        &self,
        due: Timestamp,
        limit: u32,
    ) -> Result<Vec<DigestSchedule>, StoreError>;
    /// The mail sent to a person, newest first.
    async fn list_outbox(&self, user: &UserId, range: &Range) -> Result<Chunk<Mail>, StoreError>;
    /// Pending mail whose `delivery.next_attempt_at` is at or before `due`,
    /// earliest first, at most `limit` (1–100). Mail rewritten with a later
    /// attempt time (or none: sent, given up) stops being due.
    async fn mail_due(&self, due: Timestamp, limit: u32) -> Result<Vec<Mail>, StoreError>;
}

/// The writes to this family, each inside a [`Transaction`](super::Transaction)
/// (see [`Op`]).
#[derive(Debug, Clone, PartialEq)]
pub enum DigestOp {
    /// Create or replace a member's digest schedule (and index it by
    /// `next_due`).
    PutDigestSchedule {
        /// The new record.
        schedule: DigestSchedule,
        /// Its expected current state.
        expect: Expect,
    },
    /// Store a mail in the outbox, or replace it with its new delivery
    /// state (and index it by `delivery.next_attempt_at` while pending).
    /// Creating (`Expect::Absent`) fails with `AlreadyExists` if its id is
    /// taken.
    PutMail {
        /// The mail (boxed: it is much larger than the other operations).
        mail: Box<Mail>,
        /// Its expected current state.
        expect: Expect,
    },
    /// Delete a mail from the outbox (erasure; nothing happens when absent).
    ForgetMail {
        /// Whose.
        user: UserId,
        /// Which.
        id: MailId,
    },
    /// Delete a digest schedule and its due entry (erasure; nothing
    /// happens when absent).
    ForgetDigestSchedule {
        /// Whose.
        user: UserId,
    },
}

impl DigestOp {
    /// The items this operation writes.
    pub fn items(&self) -> Vec<ItemKey> {
        match self {
            DigestOp::PutDigestSchedule { schedule, .. } => {
                vec![ItemKey::DigestSchedule(schedule.user.clone())]
            }
            DigestOp::PutMail { mail, .. } => vec![ItemKey::Mail(mail.to.clone(), mail.id)],
            DigestOp::ForgetMail { user, id } => vec![ItemKey::Mail(user.clone(), *id)],
            DigestOp::ForgetDigestSchedule { user } => {
                vec![ItemKey::DigestSchedule(user.clone())]
            }
        }
    }
}

impl From<DigestOp> for Op {
    fn from(op: DigestOp) -> Op {
        Op::Digest(op)
    }
}
