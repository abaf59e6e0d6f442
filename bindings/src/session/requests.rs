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
        Ok(both!(self, request_to_join(&community, answer.as_deref()))?)
    }

    /// The caller's own request to a community.
    pub async fn my_join_request(&self, community: CommunityId) -> SessionResult<JoinRequest> {
        Ok(both!(self, my_join_request(&community))?)
    }

    /// Withdraws the caller's pending request.
    pub async fn withdraw_join_request(&self, community: CommunityId) -> SessionResult<()> {
        Ok(both!(self, withdraw_join_request(&community))?)
    }

    /// Pending requests, oldest first (moderators).
    pub async fn list_join_requests(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<JoinRequestPage> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, list_join_requests(&community, &page))?.into())
    }

    /// Approves a request: the person becomes a member (moderators).
    pub async fn approve_join_request(
        &self,
        community: CommunityId,
        user: UserId,
    ) -> SessionResult<Membership> {
        Ok(both!(self, approve_join_request(&community, &user))?)
    }

    /// Denies a request with a reason the person sees (moderators).
    pub async fn deny_join_request(
        &self,
        community: CommunityId,
        user: UserId,
        reason: String,
    ) -> SessionResult<JoinRequest> {
        Ok(both!(self, deny_join_request(&community, &user, &reason))?)
    }
}
