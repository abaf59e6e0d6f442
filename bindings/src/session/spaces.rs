//! Spaces and guest grants.

use copkit_core::model::{Space, SpaceGrant};
use copkit_core::service::{NewSpace, SpaceChanges};
use copkit_core::{CommunityId, SpaceId, UserId};

use super::{Session, SessionResult};

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Creates a space (moderators).
    pub async fn create_space(
        &self,
        community: CommunityId,
        input: NewSpace,
    ) -> SessionResult<Space> {
        Ok(both!(self, create_space(&community, input))?)
    }

    /// A space the caller can see.
    pub async fn get_space(&self, id: SpaceId) -> SessionResult<Space> {
        Ok(both!(self, get_space(&id))?)
    }

    /// The spaces of a community the caller can see.
    pub async fn list_spaces(&self, community: CommunityId) -> SessionResult<Vec<Space>> {
        Ok(both!(self, list_spaces(&community))?)
    }

    /// Changes a space (moderators).
    pub async fn update_space(
        &self,
        id: SpaceId,
        changes: SpaceChanges,
        expected_version: u64,
    ) -> SessionResult<Space> {
        Ok(both!(self, update_space(&id, changes, expected_version))?)
    }

    /// Archives or restores a space (moderators).
    pub async fn set_space_archived(
        &self,
        id: SpaceId,
        archived: bool,
        expected_version: u64,
    ) -> SessionResult<Space> {
        Ok(both!(
            self,
            set_space_archived(&id, archived, expected_version)
        )?)
    }

    /// Lets one person into a Restricted space (moderators).
    pub async fn grant_space(&self, id: SpaceId, user: UserId) -> SessionResult<SpaceGrant> {
        Ok(both!(self, grant_space(&id, &user))?)
    }

    /// Takes a grant back (moderators).
    pub async fn revoke_space_grant(&self, id: SpaceId, user: UserId) -> SessionResult<()> {
        Ok(both!(self, revoke_space_grant(&id, &user))?)
    }

    /// The grants of a space (moderators).
    pub async fn list_space_grants(&self, id: SpaceId) -> SessionResult<Vec<SpaceGrant>> {
        Ok(both!(self, list_space_grants(&id))?)
    }
}
