//! Data rights: export and erasure.

use copkit_core::service::{DataExport, ErasureReport};

use super::{Session, SessionResult};

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Everything copkit holds about you.
    pub async fn export_my_data(&self) -> SessionResult<DataExport> {
        Ok(both!(self, export_my_data())?)
    }

    /// Erases your account (refused with `Conflict("hand_over_first")`
    /// while you are a community's last owner).
    pub async fn erase_my_account(&self) -> SessionResult<ErasureReport> {
        Ok(both!(self, erase_my_account())?)
    }
}
