//! Reports and the moderation log.
//!
//! The reads ([`ModerationStore`]) and the writes ([`ModerationOp`]) of one
//! family of records; every store implements them in a file of the same name.

use async_trait::async_trait;

use super::{Chunk, Expect, ItemKey, Op, Range, StoreError};
use crate::ids::{CommunityId, ReportId};
use crate::model::{ModerationEntry, Report, ReportStatus};

/// Reports and the moderation log.
#[async_trait]
pub trait ModerationStore: Send + Sync {
    /// One report (read consistently: a decision depends on it).
    async fn get_report(
        &self,
        community: &CommunityId,
        id: &ReportId,
    ) -> Result<Option<Report>, StoreError>;
    /// A community's reports in one status, oldest first (a queue).
    async fn list_reports(
        &self,
        community: &CommunityId,
        status: ReportStatus,
        range: &Range,
    ) -> Result<Chunk<Report>, StoreError>;
    /// A community's moderation log, newest first.
    async fn list_moderation_log(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<ModerationEntry>, StoreError>;
}

/// The writes to this family, each inside a [`Transaction`](super::Transaction)
/// (see [`Op`]).
#[derive(Debug, Clone, PartialEq)]
pub enum ModerationOp {
    /// Create or replace a report (and move it between the status queues).
    PutReport {
        /// The new record.
        report: Report,
        /// Its expected current state.
        expect: Expect,
    },
    /// Append to a moderation log (`AlreadyExists` if the id is taken).
    RecordModeration {
        /// The entry.
        entry: ModerationEntry,
    },
}

impl ModerationOp {
    /// The items this operation writes.
    pub fn items(&self) -> Vec<ItemKey> {
        match self {
            ModerationOp::PutReport { report, .. } => vec![ItemKey::Report(report.id)],
            ModerationOp::RecordModeration { entry } => vec![ItemKey::Moderation(entry.id)],
        }
    }
}

impl From<ModerationOp> for Op {
    fn from(op: ModerationOp) -> Op {
        Op::Moderation(op)
    }
}
