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
        Ok(self
            .core()
            .create_space(&self.actor, &community, input)
            .await?)
    }

    /// A space the caller can see.
    pub async fn get_space(&self, id: SpaceId) -> SessionResult<Space> {
        Ok(self.core().get_space(&self.actor, &id).await?)
    }

    /// The spaces of a community the caller can see.
    pub async fn list_spaces(&self, community: CommunityId) -> SessionResult<Vec<Space>> {
        Ok(self.core().list_spaces(&self.actor, &community).await?)
    }

    /// Changes a space (moderators).
    pub async fn update_space(
        &self,
        id: SpaceId,
        changes: SpaceChanges,
        expected_version: u64,
    ) -> SessionResult<Space> {
        let core = self.core();
        Ok(core
            .update_space(&self.actor, &id, changes, expected_version)
            .await?)
    }

    /// Archives or restores a space (moderators).
    pub async fn set_space_archived(
        &self,
        id: SpaceId,
        archived: bool,
        expected_version: u64,
    ) -> SessionResult<Space> {
        let core = self.core();
        Ok(core
            .set_space_archived(&self.actor, &id, archived, expected_version)
            .await?)
    }

    /// Lets one person into a Restricted space (moderators).
    pub async fn grant_space(&self, id: SpaceId, user: UserId) -> SessionResult<SpaceGrant> {
        Ok(self.core().grant_space(&self.actor, &id, &user).await?)
    }

    /// Takes a grant back (moderators).
    pub async fn revoke_space_grant(&self, id: SpaceId, user: UserId) -> SessionResult<()> {
        Ok(self
            .core()
            .revoke_space_grant(&self.actor, &id, &user)
            .await?)
    }

    /// The grants of a space (moderators).
    pub async fn list_space_grants(&self, id: SpaceId) -> SessionResult<Vec<SpaceGrant>> {
        Ok(self.core().list_space_grants(&self.actor, &id).await?)
    }
}
