//! Join requests.

use copkit_core::model::{JoinRequest, Membership};
use copkit_core::{CommunityId, UserId};

use super::{Session, SessionResult};
use crate::pages::{self, *};

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Asks to join a community that approves its members.
    pub async fn request_to_join(
        &self,
        community: CommunityId,
        answer: Option<String>,
    ) -> SessionResult<JoinRequest> {
        let core = self.core();
        Ok(core
            .request_to_join(&self.actor, &community, answer.as_deref())
            .await?)
    }

    /// The caller's own request to a community.
    pub async fn my_join_request(&self, community: CommunityId) -> SessionResult<JoinRequest> {
        Ok(self.core().my_join_request(&self.actor, &community).await?)
    }

    /// Withdraws the caller's pending request.
    pub async fn withdraw_join_request(&self, community: CommunityId) -> SessionResult<()> {
        let core = self.core();
        Ok(core.withdraw_join_request(&self.actor, &community).await?)
    }

    /// Pending requests, oldest first (moderators).
    pub async fn list_join_requests(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<JoinRequestPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .list_join_requests(&self.actor, &community, &page)
            .await?
            .into())
    }

    /// Approves a request: the person becomes a member (moderators).
    pub async fn approve_join_request(
        &self,
        community: CommunityId,
        user: UserId,
    ) -> SessionResult<Membership> {
        let core = self.core();
        Ok(core
            .approve_join_request(&self.actor, &community, &user)
            .await?)
    }

    /// Denies a request with a reason the person sees (moderators).
    pub async fn deny_join_request(
        &self,
        community: CommunityId,
        user: UserId,
        reason: String,
    ) -> SessionResult<JoinRequest> {
        let core = self.core();
        Ok(core
            .deny_join_request(&self.actor, &community, &user, &reason)
            .await?)
    }
}
