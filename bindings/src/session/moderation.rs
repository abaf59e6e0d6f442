//! Reports, moderation decisions and the log.

use copkit_core::CommunityId;
use copkit_core::model::{ModerationEntry, Report, ReportStatus};
use copkit_core::service::{Moderation, NewReport};

use super::{Session, SessionResult};
use crate::pages::{self, *};

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Reports a post or document you can read to the moderators.
    pub async fn report_content(
        &self,
        community: CommunityId,
        input: NewReport,
    ) -> SessionResult<Report> {
        Ok(both!(self, report_content(&community, input))?)
    }

    /// A community's reports in one status, oldest first (moderators).
    pub async fn list_reports(
        &self,
        community: CommunityId,
        status: ReportStatus,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<ReportPage> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, list_reports(&community, status, &page))?.into())
    }

    /// Hides, unhides or removes content, or dismisses a report
    /// (moderators), with a reason; appended to the moderation log.
    pub async fn moderate(
        &self,
        community: CommunityId,
        input: Moderation,
    ) -> SessionResult<ModerationEntry> {
        Ok(both!(self, moderate(&community, input))?)
    }

    /// A community's moderation log, newest first (moderators).
    pub async fn moderation_log(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<ModerationEntryPage> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, moderation_log(&community, &page))?.into())
    }
}
