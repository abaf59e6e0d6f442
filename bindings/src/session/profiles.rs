//! Profiles.

use copkit_core::UserId;
use copkit_core::model::Profile;
use copkit_core::service::ProfileChanges;

use super::{Session, SessionResult};

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// The caller's profile (made from their identity on first use).
    pub async fn my_profile(&self) -> SessionResult<Profile> {
        Ok(self.core().my_profile(&self.actor).await?)
    }

    /// Changes the caller's profile.
    pub async fn update_my_profile(
        &self,
        changes: ProfileChanges,
        expected_version: u64,
    ) -> SessionResult<Profile> {
        let core = self.core();
        Ok(core
            .update_my_profile(&self.actor, changes, expected_version)
            .await?)
    }

    /// Someone's public profile.
    pub async fn profile(&self, user: UserId) -> SessionResult<Profile> {
        Ok(self.core().profile(&self.actor, &user).await?)
    }
}
