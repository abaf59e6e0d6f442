//! Membership: joining, leaving, the roster, roles and bans.

use copkit_core::model::{Membership, Page, PageRequest, Role};
use copkit_core::service::MemberView;
use copkit_core::{CommunityId, UserId};
use serde_json::json;

use crate::client::Client;
use crate::error::ClientResult;
use crate::operations::*;
use crate::transport::Call;

impl Client {
    /// Joins an open community.
    pub async fn join(&self, community: &CommunityId) -> ClientResult<Membership> {
        self.json(Call::new(&JOIN, &[community])).await
    }

    /// Leaves a community.
    pub async fn leave(&self, community: &CommunityId) -> ClientResult<()> {
        self.empty(Call::new(&LEAVE, &[community])).await
    }

    /// Members with their profiles.
    pub async fn list_members(
        &self,
        community: &CommunityId,
        page: &PageRequest,
    ) -> ClientResult<Page<MemberView>> {
        self.json(Call::new(&LIST_MEMBERS, &[community]).page(page))
            .await
    }

    /// One membership.
    pub async fn get_member(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> ClientResult<Membership> {
        self.json(Call::new(&GET_MEMBER, &[community, user])).await
    }

    /// Removes a member (moderators).
    pub async fn remove_member(
        &self,
        community: &CommunityId,
        target: &UserId,
    ) -> ClientResult<()> {
        self.empty(Call::new(&REMOVE_MEMBER, &[community, target]))
            .await
    }

    /// Changes a member's role (owners).
    pub async fn change_role(
        &self,
        community: &CommunityId,
        target: &UserId,
        role: Role,
    ) -> ClientResult<Membership> {
        let call = Call::new(&CHANGE_ROLE, &[community, target]).json(&json!({ "role": role }))?;
        self.json(call).await
    }

    /// Hands ownership to another member (owners).
    pub async fn transfer_ownership(
        &self,
        community: &CommunityId,
        target: &UserId,
    ) -> ClientResult<()> {
        let call = Call::new(&TRANSFER, &[community]).json(&json!({ "user": target }))?;
        self.empty(call).await
    }

    /// The banned list (moderators).
    pub async fn list_banned(
        &self,
        community: &CommunityId,
        page: &PageRequest,
    ) -> ClientResult<Page<Membership>> {
        self.json(Call::new(&LIST_BANS, &[community]).page(page))
            .await
    }

    /// Bans a member, for `days` or until unbanned (moderators).
    pub async fn ban_member(
        &self,
        community: &CommunityId,
        target: &UserId,
        days: Option<u32>,
        reason: &str,
    ) -> ClientResult<Membership> {
        let body = json!({ "user": target, "days": days, "reason": reason });
        self.json(Call::new(&BAN, &[community]).json(&body)?).await
    }

    /// Lifts a ban (moderators).
    pub async fn unban_member(&self, community: &CommunityId, target: &UserId) -> ClientResult<()> {
        self.empty(Call::new(&UNBAN, &[community, target])).await
    }
}
