//! The scheduled jobs (EventBridge schedules invoke the `scheduler`
//! function). Every minute (`"detail": {"job": "notifications"}`): queued
//! activity turned into notifications, then the outbox's pending mail handed
//! to the mail service. Every hour, all of it: the participation review that lets time lower levels, the
//! rhythm digests that are due, delivered to the stored outbox, the
//! outbox's pending mail handed to the mail service (Amazon SES in the
//! deployment, when a sender is configured), and the purge of removed
//! documents' bytes whose grace window has passed.
//!
//! The handler takes the EventBridge event as JSON, checks it is a
//! scheduled event, and reviews until nothing is due (bounded per run, so a
//! long backlog finishes over the next runs instead of timing out).

use copkit_core::Copkit;
use copkit_core::mail::{Mailer, Outbox};
use copkit_core::service::{DeliveryRun, DigestRun, NotificationRun, PurgeRun, REVIEW_BATCH};
use serde::Serialize;
use serde_json::Value;

/// Review calls one run makes at most (100 records each).
pub const MAX_REVIEW_CALLS: u32 = 50;

/// Digests one run produces at most (the rest wait for the next run).
pub const MAX_DIGESTS_PER_RUN: u32 = 2_000;

/// Mail one run hands to the mail service at most (the rest waits for the
/// next run; SES's default sending rate is 14 a second).
pub const MAX_MAIL_PER_RUN: u32 = 2_000;

/// Queued activities one run turns into notifications at most (the rest
/// wait for the next run).
pub const MAX_NOTIFY_PER_RUN: u32 = 2_000;

/// Removed documents one run purges at most (the rest wait for the next).
pub const MAX_PURGES_PER_RUN: u32 = 100;

/// What a scheduled run did (the function's result, in the logs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScheduledReport {
    /// Participation records recomputed.
    pub reviewed: u32,
    /// Memberships whose level moved.
    pub levels_changed: u32,
    /// Whether records were still due when the run stopped.
    pub more_due: bool,
    /// What the notification producer did.
    pub notifications: NotificationRun,
    /// What the digest producer did.
    pub digests: DigestRun,
    /// What the delivery of the outbox did (nothing without a mailer).
    pub delivery: DeliveryRun,
    /// What the purge of removed documents' bytes did.
    pub purged: PurgeRun,
}

/// Why a run did nothing.
#[derive(Debug, thiserror::Error)]
pub enum ScheduledError {
    /// The event is not an EventBridge scheduled event.
    #[error("not a scheduled event (expected detail-type \"Scheduled Event\" from aws.events)")]
    NotScheduled,
    /// A use case failed (the message is for logs).
    #[error("scheduled job failed: {0}")]
    Failed(#[from] copkit_core::Error),
}

/// Runs the scheduled jobs for one EventBridge event; pending mail goes to
/// `mailer` when there is one (else it stays in the outbox).
pub async fn run(
    copkit: &Copkit,
    mailer: Option<&dyn Mailer>,
    event: &Value,
) -> Result<ScheduledReport, ScheduledError> {
    let scheduled = event["source"] == "aws.events" && event["detail-type"] == "Scheduled Event";
    if !scheduled {
        return Err(ScheduledError::NotScheduled);
    }
    let mut report = ScheduledReport {
        notifications: copkit.notify_due(MAX_NOTIFY_PER_RUN).await?,
        ..ScheduledReport::default()
    };
    if event["detail"]["job"] == "notifications" {
        if let Some(mailer) = mailer {
            report.delivery = copkit.deliver_mail(mailer, MAX_MAIL_PER_RUN).await?;
        }
        return Ok(report);
    }
    for _ in 0..MAX_REVIEW_CALLS {
        let round = copkit.review_participation().await?;
        report.reviewed += round.reviewed;
        report.levels_changed += round.changed;
        report.more_due = round.reviewed == REVIEW_BATCH;
        if !report.more_due {
            break;
        }
    }
    let outbox = Outbox::new(copkit.store().clone());
    report.digests = copkit
        .send_due_digests(&outbox, MAX_DIGESTS_PER_RUN)
        .await?;
    if let Some(mailer) = mailer {
        report.delivery = copkit.deliver_mail(mailer, MAX_MAIL_PER_RUN).await?;
    }
    report.purged = copkit.purge_removed_documents(MAX_PURGES_PER_RUN).await?;
    Ok(report)
}
