//! Reading the activity record.

use crate::error::Result;
use crate::ids::CommunityId;
use crate::model::{Activity, Page, PageRequest};
use crate::policy::CommunityAction;
use crate::service::{Actor, Copkit};

impl Copkit {
    /// A community's activity record, newest first (moderators).
    pub async fn list_activity(
        &self,
        actor: &Actor,
        community: &CommunityId,
        page: &PageRequest,
    ) -> Result<Page<Activity>> {
        self.authorize(actor, community, CommunityAction::Moderate)
            .await?;
        let scope = format!("activity|{community}");
        let range = self.range(&scope, page)?;
        let chunk = self.store().list_activity(community, &range).await?;
        self.page(&scope, chunk)
    }
}
