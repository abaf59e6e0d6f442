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
        let access = self
            .authorize(actor, community, CommunityAction::Moderate)
            .await?;
        // A Restricted space binds moderators too: what happened in a space
        // they are not admitted to is left out.
        let visible = self.visible_space_ids(actor, &access).await?;
        let scope = format!("activity|{community}");
        let store = self.store();
        self.visible_page(
            &scope,
            page,
            |range| async move { store.list_activity(community, &range).await },
            |a: &Activity| a.space.is_none_or(|s| visible.contains(&s)),
        )
        .await
    }
}
