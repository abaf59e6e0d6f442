//! The digest rhythm and the outbox.

use copkit_core::model::{DigestPreference, DigestSchedule, Mail};

use super::{Session, SessionResult};
use crate::pages::{self, *};

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Your digest schedule (digests off and version 0 when never chosen).
    pub async fn digest_preference(&self) -> SessionResult<DigestSchedule> {
        Ok(both!(self, digest_preference())?)
    }

    /// Chooses your digest rhythm: off, daily, or weekly, at a local hour.
    pub async fn set_digest_preference(
        &self,
        preference: DigestPreference,
    ) -> SessionResult<DigestSchedule> {
        Ok(both!(self, set_digest_preference(preference))?)
    }

    /// Your next digest as it stands now, rendered; nothing is sent.
    pub async fn preview_digest(&self) -> SessionResult<Mail> {
        Ok(both!(self, preview_digest())?)
    }

    /// The digests sent to you, newest first.
    pub async fn list_outbox(
        &self,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<MailPage> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, list_outbox(&page))?.into())
    }
}
