//! Moderation in memory: the tables, the checks and effects of
//! [`ModerationOp`], and the reads.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use async_trait::async_trait;

use super::{HashMap, MemoryStore, check_expect, chunk_of, parse_ulid_position};
use crate::ids::{CommunityId, ModerationId, ReportId};
use crate::model::{ModerationEntry, Report, ReportStatus};
use crate::store::{Chunk, ConditionFailure, ModerationOp, ModerationStore, Range, StoreError};

/// The moderation tables.
#[derive(Debug, Default)]
pub(super) struct Tables {
    pub(super) reports: HashMap<ReportId, Report>,
    /// Reports by community, status and id.
    pub(super) report_queues: BTreeSet<(CommunityId, ReportStatus, ReportId)>,
    pub(super) moderation_log: BTreeMap<(CommunityId, ModerationId), ModerationEntry>,
}

impl Tables {
    /// Whether `op` may be applied now.
    pub(super) fn check(&self, op: &ModerationOp) -> Result<(), ConditionFailure> {
        match op {
            ModerationOp::PutReport { report, expect } => {
                check_expect(self.reports.get(&report.id).map(|r| r.version), *expect)
            }
            ModerationOp::RecordModeration { entry } => {
                if self
                    .moderation_log
                    .contains_key(&(entry.community, entry.id))
                {
                    Err(ConditionFailure::AlreadyExists)
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Applies `op` (checked already).
    pub(super) fn apply(&mut self, op: ModerationOp) {
        match op {
            ModerationOp::PutReport { report, .. } => {
                if let Some(old) = self.reports.get(&report.id) {
                    self.report_queues
                        .remove(&(old.community, old.status, old.id));
                }
                self.report_queues
                    .insert((report.community, report.status, report.id));
                self.reports.insert(report.id, report);
            }
            ModerationOp::RecordModeration { entry } => {
                self.moderation_log
                    .insert((entry.community, entry.id), entry);
            }
        }
    }
}

#[async_trait]
impl ModerationStore for MemoryStore {
    async fn get_report(
        &self,
        community: &CommunityId,
        id: &ReportId,
    ) -> Result<Option<Report>, StoreError> {
        Ok(self
            .lock()
            .moderation
            .reports
            .get(id)
            .filter(|r| r.community == *community)
            .cloned())
    }

    async fn list_reports(
        &self,
        community: &CommunityId,
        status: ReportStatus,
        range: &Range,
    ) -> Result<Chunk<Report>, StoreError> {
        let after: Option<ReportId> = parse_ulid_position(&range.after)?;
        let start = match after {
            Some(id) => Bound::Excluded((*community, status, id)),
            None => Bound::Included((*community, status, ReportId(ulid::Ulid(0)))),
        };
        let state = self.lock();
        let items = state
            .moderation
            .report_queues
            .range((
                start,
                Bound::Included((*community, status, ReportId(ulid::Ulid(u128::MAX)))),
            ))
            .filter_map(|(_, _, id)| state.moderation.reports.get(id).cloned())
            .collect::<Vec<_>>();
        Ok(chunk_of(items.into_iter(), range.limit, |r| {
            r.id.to_string()
        }))
    }

    async fn list_moderation_log(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<ModerationEntry>, StoreError> {
        let after: Option<ModerationId> = parse_ulid_position(&range.after)?;
        let end = match after {
            Some(id) => Bound::Excluded((*community, id)),
            None => Bound::Included((*community, ModerationId(ulid::Ulid(u128::MAX)))),
        };
        let state = self.lock();
        let items = state
            .moderation
            .moderation_log
            .range((
                Bound::Included((*community, ModerationId(ulid::Ulid(0)))),
                end,
            ))
            .rev()
            .map(|(_, e)| e.clone())
            .collect::<Vec<_>>();
        Ok(chunk_of(items.into_iter(), range.limit, |e| {
            e.id.to_string()
        }))
    }
}
