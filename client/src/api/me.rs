//! The service itself, the caller's profile, data rights, digests and CPD.

use copkit_core::UserId;
use copkit_core::model::{DigestPreference, DigestSchedule, Mail, Page, PageRequest, Profile};
use copkit_core::service::{CpdEvidence, DataExport, ErasureReport, MyCommunity, ProfileChanges};
use jiff::civil::Date;
use serde::Deserialize;

use crate::client::Client;
use crate::error::{ClientError, ClientResult};
use crate::operations::*;
use crate::transport::Call;

/// `GET /health`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Health {
    /// `ok` when the service is up.
    pub status: String,
}

impl Client {
    /// Whether the service is up (no token needed, but one is sent).
    pub async fn health(&self) -> ClientResult<Health> {
        self.json(Call::new(&HEALTH, &[])).await
    }

    /// The API's OpenAPI document, as served.
    pub async fn openapi_document(&self) -> ClientResult<serde_json::Value> {
        self.json(Call::new(&OPENAPI, &[])).await
    }

    /// The caller's profile (version 0 before a first edit).
    pub async fn my_profile(&self) -> ClientResult<Profile> {
        self.json(Call::new(&GET_ME, &[])).await
    }

    /// Changes the caller's profile; `expected_version` is the version read.
    pub async fn update_my_profile(
        &self,
        changes: ProfileChanges,
        expected_version: u64,
    ) -> ClientResult<Profile> {
        let call = Call::new(&UPDATE_ME, &[]).if_match(expected_version);
        self.json(call.json(&changes)?).await
    }

    /// Someone's public profile.
    pub async fn profile(&self, user: &UserId) -> ClientResult<Profile> {
        self.json(Call::new(&PROFILE, &[user])).await
    }

    /// Erases the caller's account (see the API's `DELETE /me`).
    pub async fn erase_my_account(&self) -> ClientResult<ErasureReport> {
        self.json(Call::new(&ERASE_ME, &[])).await
    }

    /// Everything copkit holds about the caller. A large export is
    /// answered with a link, which is followed.
    pub async fn export_my_data(&self) -> ClientResult<DataExport> {
        let call = Call::new(&EXPORT, &[]);
        let answer = self.execute(&call).await?;
        if answer.status == reqwest::StatusCode::SEE_OTHER {
            let location = answer
                .headers
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| ClientError::protocol("303 without a Location"))?;
            let bytes = self
                .fetch_signed("GET", location, &Default::default())
                .await?;
            return serde_json::from_slice(&bytes).map_err(ClientError::protocol);
        }
        serde_json::from_slice(&answer.body).map_err(ClientError::protocol)
    }

    /// The caller's communities with their role and level.
    pub async fn my_communities(&self, page: &PageRequest) -> ClientResult<Page<MyCommunity>> {
        self.json(Call::new(&MY_COMMUNITIES, &[]).page(page)).await
    }

    /// The caller's digest preference and when the next digest is due.
    pub async fn digest_preference(&self) -> ClientResult<DigestSchedule> {
        self.json(Call::new(&DIGEST_PREFERENCE, &[])).await
    }

    /// Sets the caller's digest preference.
    pub async fn set_digest_preference(
        &self,
        preference: DigestPreference,
    ) -> ClientResult<DigestSchedule> {
        self.json(Call::new(&SET_DIGEST_PREFERENCE, &[]).json(&preference)?)
            .await
    }

    /// The digest the caller would get now.
    pub async fn preview_digest(&self) -> ClientResult<Mail> {
        self.json(Call::new(&PREVIEW_DIGEST, &[])).await
    }

    /// Digests sent to the caller, newest first.
    pub async fn list_outbox(&self, page: &PageRequest) -> ClientResult<Page<Mail>> {
        self.json(Call::new(&OUTBOX, &[]).page(page)).await
    }

    /// The caller's CPD evidence for a period of whole days.
    pub async fn cpd_evidence(&self, from: Date, to: Date) -> ClientResult<CpdEvidence> {
        let call = Call::new(&CPD, &[])
            .query("from", Some(from))
            .query("to", Some(to));
        self.json(call).await
    }

    /// The same evidence as CSV, for an appraisal portfolio.
    pub async fn cpd_evidence_csv(&self, from: Date, to: Date) -> ClientResult<String> {
        let call = Call::new(&CPD_CSV, &[])
            .query("from", Some(from))
            .query("to", Some(to));
        self.text(call).await
    }
}
