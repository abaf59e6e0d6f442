//! Spaces and their grants.

use copkit_core::model::{Space, SpaceGrant};
use copkit_core::service::{NewSpace, SpaceChanges};
use copkit_core::{CommunityId, SpaceId, UserId};

use crate::client::Client;
use crate::error::ClientResult;
use crate::operations::*;
use crate::transport::Call;

impl Client {
    /// The spaces of a community the caller may see.
    pub async fn list_spaces(&self, community: &CommunityId) -> ClientResult<Vec<Space>> {
        self.json(Call::new(&LIST_SPACES, &[community])).await
    }

    /// Creates a space (moderators).
    pub async fn create_space(
        &self,
        community: &CommunityId,
        input: NewSpace,
    ) -> ClientResult<Space> {
        self.json(Call::new(&CREATE_SPACE, &[community]).json(&input)?)
            .await
    }

    /// A space.
    pub async fn get_space(&self, id: &SpaceId) -> ClientResult<Space> {
        self.json(Call::new(&GET_SPACE, &[id])).await
    }

    /// Changes a space (moderators); `expected_version` is the version read.
    pub async fn update_space(
        &self,
        id: &SpaceId,
        changes: SpaceChanges,
        expected_version: u64,
    ) -> ClientResult<Space> {
        let call = Call::new(&UPDATE_SPACE, &[id]).if_match(expected_version);
        self.json(call.json(&changes)?).await
    }

    /// Archives or restores a space (moderators).
    pub async fn set_space_archived(
        &self,
        id: &SpaceId,
        archived: bool,
        expected_version: u64,
    ) -> ClientResult<Space> {
        let op = if archived {
            &ARCHIVE_SPACE
        } else {
            &UNARCHIVE_SPACE
        };
        self.json(Call::new(op, &[id]).if_match(expected_version))
            .await
    }

    /// Who was granted a restricted space (moderators).
    pub async fn list_space_grants(&self, id: &SpaceId) -> ClientResult<Vec<SpaceGrant>> {
        self.json(Call::new(&LIST_GRANTS, &[id])).await
    }

    /// Grants a member a restricted space (moderators).
    pub async fn grant_space(&self, id: &SpaceId, user: &UserId) -> ClientResult<SpaceGrant> {
        self.json(Call::new(&GRANT, &[id, user])).await
    }

    /// Revokes a grant (moderators).
    pub async fn revoke_space_grant(&self, id: &SpaceId, user: &UserId) -> ClientResult<()> {
        self.empty(Call::new(&REVOKE_GRANT, &[id, user])).await
    }
}
