//! The digest rhythm and the outbox.

use copkit_core::model::{DigestPreference, DigestSchedule, Mail};

use super::{Outcome, Session};
use crate::pages::{self, *};

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Your digest schedule (digests off and version 0 when never chosen).
    pub async fn digest_preference(&self) -> Outcome<DigestSchedule> {
        let core = self.core();
        Ok(core.digest_preference(&self.actor).await?)
    }

    /// Chooses your digest rhythm: off, daily, or weekly, at a local hour.
    pub async fn set_digest_preference(
        &self,
        preference: DigestPreference,
    ) -> Outcome<DigestSchedule> {
        let core = self.core();
        Ok(core.set_digest_preference(&self.actor, preference).await?)
    }

    /// Your next digest as it stands now, rendered; nothing is sent.
    pub async fn preview_digest(&self) -> Outcome<Mail> {
        let core = self.core();
        Ok(core.preview_digest(&self.actor).await?)
    }

    /// The digests sent to you, newest first.
    pub async fn list_outbox(
        &self,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<MailPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core.list_outbox(&self.actor, &page).await?.into())
    }
}
