//! Membership, roles, bans and participation levels.

use copkit_core::model::{LevelStanding, ParticipationLevel};
use copkit_core::model::{Membership, Role};
use copkit_core::{CommunityId, UserId};

use super::{Session, SessionResult};
use crate::pages::{self, *};

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Joins an open community.
    pub async fn join(&self, community: CommunityId) -> SessionResult<Membership> {
        Ok(self.core().join(&self.actor, &community).await?)
    }

    /// Leaves a community (a last Owner must hand over first).
    pub async fn leave(&self, community: CommunityId) -> SessionResult<()> {
        Ok(self.core().leave(&self.actor, &community).await?)
    }

    /// Members with their profiles (members only).
    pub async fn list_members(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<MemberPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .list_members(&self.actor, &community, &page)
            .await?
            .into())
    }

    /// Banned people (moderators).
    pub async fn list_banned(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<MembershipPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .list_banned(&self.actor, &community, &page)
            .await?
            .into())
    }

    /// One member's membership.
    pub async fn get_member(
        &self,
        community: CommunityId,
        user: UserId,
    ) -> SessionResult<Membership> {
        Ok(self
            .core()
            .get_member(&self.actor, &community, &user)
            .await?)
    }

    /// Removes a member (moderators).
    pub async fn remove_member(&self, community: CommunityId, user: UserId) -> SessionResult<()> {
        Ok(self
            .core()
            .remove_member(&self.actor, &community, &user)
            .await?)
    }

    /// Bans a member, for `days` or for good (moderators).
    pub async fn ban_member(
        &self,
        community: CommunityId,
        user: UserId,
        days: Option<u32>,
        reason: String,
    ) -> SessionResult<Membership> {
        let core = self.core();
        Ok(core
            .ban_member(&self.actor, &community, &user, days, &reason)
            .await?)
    }

    /// Lifts a ban (moderators).
    pub async fn unban_member(&self, community: CommunityId, user: UserId) -> SessionResult<()> {
        Ok(self
            .core()
            .unban_member(&self.actor, &community, &user)
            .await?)
    }

    /// Changes a member's role (owners).
    pub async fn change_role(
        &self,
        community: CommunityId,
        user: UserId,
        role: Role,
    ) -> SessionResult<Membership> {
        let core = self.core();
        Ok(core
            .change_role(&self.actor, &community, &user, role)
            .await?)
    }

    /// Hands ownership to another member (owners).
    pub async fn transfer_ownership(
        &self,
        community: CommunityId,
        user: UserId,
    ) -> SessionResult<()> {
        let core = self.core();
        Ok(core
            .transfer_ownership(&self.actor, &community, &user)
            .await?)
    }

    /// The caller's participation level in a community, the points behind
    /// it and what would move it (active members).
    pub async fn my_level(&self, community: CommunityId) -> SessionResult<LevelStanding> {
        Ok(self.core().my_level(&self.actor, &community).await?)
    }

    /// Members at one participation level, by user id (members only).
    pub async fn list_members_at_level(
        &self,
        community: CommunityId,
        level: ParticipationLevel,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<MemberPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .list_members_at_level(&self.actor, &community, level, &page)
            .await?
            .into())
    }
}
