//! What the community is worth: value stories, CPD evidence, health.

use copkit_core::CommunityId;
use copkit_core::model::ValueStory;
use copkit_core::service::{CpdEvidence, HealthReport, NewValueStory};
use jiff::civil::Date;

use super::{Session, SessionResult};
use crate::pages::{self, *};

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Tells how the community helped you (members); it counts toward your
    /// participation level.
    pub async fn tell_value_story(
        &self,
        community: CommunityId,
        input: NewValueStory,
    ) -> SessionResult<ValueStory> {
        Ok(both!(self, tell_value_story(&community, input))?)
    }

    /// A community's value stories, newest first (members).
    pub async fn list_value_stories(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<ValueStoryPage> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, list_value_stories(&community, &page))?.into())
    }

    /// Your CPD evidence for `from`–`to` (inclusive): events attended with
    /// minutes, contributions, value stories with their text.
    pub async fn cpd_evidence(&self, from: Date, to: Date) -> SessionResult<CpdEvidence> {
        Ok(both!(self, cpd_evidence(from, to))?)
    }

    /// The same evidence as CSV (columns `date, kind, community, activity,
    /// minutes, hours, reflection, reference`).
    pub async fn cpd_csv(&self, from: Date, to: Date) -> SessionResult<String> {
        let evidence = both!(self, cpd_evidence(from, to))?;
        Ok(evidence.to_csv()?)
    }

    /// A community's health in a period (moderators).
    pub async fn community_health(
        &self,
        community: CommunityId,
        from: Date,
        to: Date,
    ) -> SessionResult<HealthReport> {
        Ok(both!(self, community_health(&community, from, to))?)
    }
}
