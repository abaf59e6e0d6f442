//! Reports and the moderation log.

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use jiff::SignedDuration;

use super::fixtures::*;
use crate::clock::{IdSource, RandomIds};
use crate::ids::{CommunityId, ModerationId, PostId, ReportId};
use crate::model::{
    ContentRef, ModerationAction, ModerationEntry, ModerationSubject, Report, ReportReason,
    ReportStatus, Resolution, Visibility,
};
use crate::store::{ConditionFailure, Expect, ModerationOp, Store};

/// Reports: read back within their community only, queued by status
/// oldest first, moved between queues by a versioned rewrite; the
/// moderation log: appended once per id, newest first, in pages.
pub async fn reports_queue_by_status_and_the_log_lists_newest_first<S: Store + ?Sized>(store: &S) {
    let c = community("Moderated", Visibility::Private);
    create(store, &c).await;
    let s = space(c.id, "Cases");
    let reporter = user("reporter");
    let report = |minutes: i64| Report {
        id: ReportId(RandomIds.ulid(t0() + SignedDuration::from_mins(minutes))),
        community: c.id,
        space: s.id,
        target: ContentRef::Post {
            post: PostId(ulid()),
        },
        reporter: reporter.clone(),
        reason: ReportReason::Spam,
        note: format!("Report {minutes}"),
        created_at: t0() + SignedDuration::from_mins(minutes),
        status: ReportStatus::Open,
        resolution: None,
        version: 1,
    };
    let reports: Vec<Report> = (1..=3).map(report).collect();
    for r in &reports {
        commit(
            store,
            vec![
                ModerationOp::PutReport {
                    report: r.clone(),
                    expect: Expect::Absent,
                }
                .into(),
            ],
        )
        .await
        .unwrap();
    }
    assert_eq!(
        store.get_report(&c.id, &reports[0].id).await.unwrap(),
        Some(reports[0].clone())
    );
    let elsewhere = CommunityId(ulid());
    assert_eq!(
        store.get_report(&elsewhere, &reports[0].id).await.unwrap(),
        None
    );
    let queue = |status: ReportStatus| {
        let id = c.id;
        async move {
            let mut all: Vec<String> = Vec::new();
            for (n, limit) in [1, 2, 10].into_iter().enumerate() {
                let listed = drain(limit, |r| async move {
                    store.list_reports(&id, status, &r).await
                })
                .await;
                let notes = listed.into_iter().map(|r| r.note).collect::<Vec<_>>();
                assert!(n == 0 || notes == all, "limit {limit}: {notes:?}");
                all = notes;
            }
            all
        }
    };
    assert_eq!(
        queue(ReportStatus::Open).await,
        vec!["Report 1", "Report 2", "Report 3"]
    );
    let resolved = Report {
        status: ReportStatus::Resolved,
        resolution: Some(Resolution {
            action: ModerationAction::Dismissed,
            by: user("mod"),
            reason: "Not spam".into(),
            at: t0(),
        }),
        version: 2,
        ..reports[1].clone()
    };
    let put = |r: &Report, expect| {
        ModerationOp::PutReport {
            report: r.clone(),
            expect,
        }
        .into()
    };
    commit(store, vec![put(&resolved, Expect::Version(1))])
        .await
        .unwrap();
    assert_eq!(
        queue(ReportStatus::Open).await,
        vec!["Report 1", "Report 3"]
    );
    assert_eq!(queue(ReportStatus::Resolved).await, vec!["Report 2"]);
    let stale = commit(store, vec![put(&resolved, Expect::Version(1))]).await;
    assert_eq!(failure(stale), (0, ConditionFailure::VersionMismatch));

    let entry = |minutes: i64| ModerationEntry {
        id: ModerationId(RandomIds.ulid(t0() + SignedDuration::from_mins(minutes))),
        community: c.id,
        moderator: user("mod"),
        action: ModerationAction::Banned,
        subject: ModerationSubject::Member {
            user: reporter.clone(),
        },
        report: None,
        reason: format!("Entry {minutes}"),
        at: t0() + SignedDuration::from_mins(minutes),
    };
    let entries: Vec<ModerationEntry> = (1..=3).map(entry).collect();
    for e in &entries {
        commit(
            store,
            vec![ModerationOp::RecordModeration { entry: e.clone() }.into()],
        )
        .await
        .unwrap();
    }
    let again = commit(
        store,
        vec![
            ModerationOp::RecordModeration {
                entry: entries[0].clone(),
            }
            .into(),
        ],
    )
    .await;
    assert_eq!(failure(again), (0, ConditionFailure::AlreadyExists));
    for limit in [1, 2, 10] {
        let id = c.id;
        let log = drain(limit, |r| async move {
            store.list_moderation_log(&id, &r).await
        })
        .await;
        let reasons: Vec<String> = log.into_iter().map(|e| e.reason).collect();
        assert_eq!(
            reasons,
            vec!["Entry 3", "Entry 2", "Entry 1"],
            "limit {limit}"
        );
    }
}
