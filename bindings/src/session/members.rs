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
        Ok(both!(self, join(&community))?)
    }

    /// Leaves a community (a last Owner must hand over first).
    pub async fn leave(&self, community: CommunityId) -> SessionResult<()> {
        Ok(both!(self, leave(&community))?)
    }

    /// Members with their profiles (members only).
    pub async fn list_members(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<MemberPage> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, list_members(&community, &page))?.into())
    }

    /// Banned people (moderators).
    pub async fn list_banned(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<MembershipPage> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, list_banned(&community, &page))?.into())
    }

    /// One member's membership.
    pub async fn get_member(
        &self,
        community: CommunityId,
        user: UserId,
    ) -> SessionResult<Membership> {
        Ok(both!(self, get_member(&community, &user))?)
    }

    /// Removes a member (moderators).
    pub async fn remove_member(&self, community: CommunityId, user: UserId) -> SessionResult<()> {
        Ok(both!(self, remove_member(&community, &user))?)
    }

    /// Bans a member, for `days` or for good (moderators).
    pub async fn ban_member(
        &self,
        community: CommunityId,
        user: UserId,
        days: Option<u32>,
        reason: String,
    ) -> SessionResult<Membership> {
        Ok(both!(self, ban_member(&community, &user, days, &reason))?)
    }

    /// Lifts a ban (moderators).
    pub async fn unban_member(&self, community: CommunityId, user: UserId) -> SessionResult<()> {
        Ok(both!(self, unban_member(&community, &user))?)
    }

    /// Changes a member's role (owners).
    pub async fn change_role(
        &self,
        community: CommunityId,
        user: UserId,
        role: Role,
    ) -> SessionResult<Membership> {
        Ok(both!(self, change_role(&community, &user, role))?)
    }

    /// Hands ownership to another member (owners).
    pub async fn transfer_ownership(
        &self,
        community: CommunityId,
        user: UserId,
    ) -> SessionResult<()> {
        Ok(both!(self, transfer_ownership(&community, &user))?)
    }

    /// The caller's participation level in a community, the points behind
    /// it and what would move it (active members).
    pub async fn my_level(&self, community: CommunityId) -> SessionResult<LevelStanding> {
        Ok(both!(self, my_level(&community))?)
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
        Ok(both!(self, list_members_at_level(&community, level, &page))?.into())
    }
}
