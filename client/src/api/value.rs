//! Value stories and the community health report.

use copkit_core::CommunityId;
use copkit_core::model::{Page, PageRequest, ValueStory};
use copkit_core::service::{HealthReport, NewValueStory};
use jiff::civil::Date;

use crate::client::Client;
use crate::error::ClientResult;
use crate::operations::*;
use crate::transport::Call;

impl Client {
    /// Tells how the community made a difference.
    pub async fn tell_value_story(
        &self,
        community: &CommunityId,
        input: NewValueStory,
    ) -> ClientResult<ValueStory> {
        self.json(Call::new(&TELL_VALUE_STORY, &[community]).json(&input)?)
            .await
    }

    /// Value stories, newest first.
    pub async fn list_value_stories(
        &self,
        community: &CommunityId,
        page: &PageRequest,
    ) -> ClientResult<Page<ValueStory>> {
        self.json(Call::new(&VALUE_STORIES, &[community]).page(page))
            .await
    }

    /// The community's health over a period of whole days (moderators).
    pub async fn community_health(
        &self,
        community: &CommunityId,
        from: Date,
        to: Date,
    ) -> ClientResult<HealthReport> {
        let call = Call::new(&HEALTH_REPORT, &[community])
            .query("from", Some(from))
            .query("to", Some(to));
        self.json(call).await
    }
}
