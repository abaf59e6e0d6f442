//! Profiles.

use copkit_core::UserId;
use copkit_core::model::Profile;
use copkit_core::service::ProfileChanges;

use super::{Session, SessionResult};

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// The caller's profile (made from their identity on first use).
    pub async fn my_profile(&self) -> SessionResult<Profile> {
        Ok(both!(self, my_profile())?)
    }

    /// Changes the caller's profile.
    pub async fn update_my_profile(
        &self,
        changes: ProfileChanges,
        expected_version: u64,
    ) -> SessionResult<Profile> {
        Ok(both!(self, update_my_profile(changes, expected_version))?)
    }

    /// Someone's public profile.
    pub async fn profile(&self, user: UserId) -> SessionResult<Profile> {
        Ok(both!(self, profile(&user))?)
    }
}
