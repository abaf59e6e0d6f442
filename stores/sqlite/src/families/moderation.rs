//! Reports and the moderation log, in SQLite. The same rules as the memory
//! store's `moderation.rs`.
//!
//! | record | key | also listed under |
//! |---|---|---|
//! | report | `REPORT#id` / `META` | index 1: `REPORTS␟community␟status` / `id` |
//! | log entry | `COMM#community` / `MODLOG#id` | — |

use copkit_core::model::{ModerationEntry, Report, ReportStatus};
use copkit_core::store::{Chunk, ConditionFailure, ModerationOp, Range, StoreError};
use copkit_core::{CommunityId, ModerationId, ReportId};
use rusqlite::Connection;

use super::check_expect;
use crate::items::{self, Index, Key, Listed, Order, SEP, Source};

fn report_key(id: &ReportId) -> Key {
    Key::new(format!("REPORT#{id}"), "META")
}

fn entry_key(community: &CommunityId, id: &ModerationId) -> Key {
    Key::new(format!("COMM#{community}"), format!("MODLOG#{id}"))
}

fn queue(community: &CommunityId, status: ReportStatus) -> String {
    format!("REPORTS{SEP}{community}{SEP}{}", status as u8)
}

/// Whether `op` may be applied now.
pub(crate) fn check(
    conn: &Connection,
    op: &ModerationOp,
) -> Result<Result<(), ConditionFailure>, StoreError> {
    Ok(match op {
        ModerationOp::PutReport { report, expect } => {
            let current: Option<Report> = items::get(conn, &report_key(&report.id))?;
            check_expect(current.map(|r| r.version), *expect)
        }
        ModerationOp::RecordModeration { entry } => {
            let key = entry_key(&entry.community, &entry.id);
            if items::get::<ModerationEntry>(conn, &key)?.is_some() {
                Err(ConditionFailure::AlreadyExists)
            } else {
                Ok(())
            }
        }
    })
}

/// Applies `op` (checked already).
pub(crate) fn apply(conn: &Connection, op: ModerationOp) -> Result<(), StoreError> {
    match op {
        ModerationOp::PutReport { report, .. } => {
            let listed = Listed::nowhere().on(
                Index::One,
                queue(&report.community, report.status),
                report.id.to_string(),
            );
            items::put(conn, &report_key(&report.id), &report, &listed)
        }
        ModerationOp::RecordModeration { entry } => items::put(
            conn,
            &entry_key(&entry.community, &entry.id),
            &entry,
            &Listed::nowhere(),
        ),
    }
}

/// A report of a community.
pub(crate) fn get_report(
    conn: &Connection,
    community: &CommunityId,
    id: &ReportId,
) -> Result<Option<Report>, StoreError> {
    let report: Option<Report> = items::get(conn, &report_key(id))?;
    Ok(report.filter(|r| r.community == *community))
}

/// A community's reports in one status, oldest first.
pub(crate) fn list_reports(
    conn: &Connection,
    community: &CommunityId,
    status: ReportStatus,
    range: &Range,
) -> Result<Chunk<Report>, StoreError> {
    if let Some(p) = &range.after {
        p.parse::<ReportId>()
            .map_err(|_| StoreError::InvalidPosition)?;
    }
    items::chunk(
        conn,
        Source::Index {
            index: Index::One,
            pk: &queue(community, status),
            prefix: "",
        },
        Order::Ascending,
        range,
        |_: &Report| true,
    )
}

/// A community's moderation log, newest first.
pub(crate) fn list_moderation_log(
    conn: &Connection,
    community: &CommunityId,
    range: &Range,
) -> Result<Chunk<ModerationEntry>, StoreError> {
    if let Some(p) = &range.after {
        p.strip_prefix("MODLOG#")
            .and_then(|id| id.parse::<ModerationId>().ok())
            .ok_or(StoreError::InvalidPosition)?;
    }
    items::chunk(
        conn,
        Source::Partition {
            pk: &format!("COMM#{community}"),
            prefix: "MODLOG#",
        },
        Order::Descending,
        range,
        |_: &ModerationEntry| true,
    )
}
