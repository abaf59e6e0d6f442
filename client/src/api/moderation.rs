//! Reports and moderation.

use copkit_core::CommunityId;
use copkit_core::model::{ModerationEntry, Page, PageRequest, Report, ReportStatus};
use copkit_core::service::{Moderation, NewReport};

use super::communities::spelled;
use crate::client::Client;
use crate::error::ClientResult;
use crate::operations::*;
use crate::transport::Call;

impl Client {
    /// Reports something the caller can read to the moderators.
    pub async fn report_content(
        &self,
        community: &CommunityId,
        input: NewReport,
    ) -> ClientResult<Report> {
        self.json(Call::new(&REPORT, &[community]).json(&input)?)
            .await
    }

    /// Reports with a status (moderators): open ones are the queue.
    pub async fn list_reports(
        &self,
        community: &CommunityId,
        status: ReportStatus,
        page: &PageRequest,
    ) -> ClientResult<Page<Report>> {
        let call = Call::new(&LIST_REPORTS, &[community])
            .query("status", Some(spelled(&status)?))
            .page(page);
        self.json(call).await
    }

    /// Takes a moderation decision (moderators).
    pub async fn moderate(
        &self,
        community: &CommunityId,
        input: Moderation,
    ) -> ClientResult<ModerationEntry> {
        self.json(Call::new(&MODERATE, &[community]).json(&input)?)
            .await
    }

    /// Moderation decisions, newest first (moderators).
    pub async fn moderation_log(
        &self,
        community: &CommunityId,
        page: &PageRequest,
    ) -> ClientResult<Page<ModerationEntry>> {
        self.json(Call::new(&MODERATION_LOG, &[community]).page(page))
            .await
    }
}
