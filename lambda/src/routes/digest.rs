//! The caller's digest rhythm, a preview of their next digest, and the
//! digests sent to them (the outbox).

use axum::Json;
use axum::extract::State;
use copkit_core::model::{DigestPreference, DigestSchedule, Mail, Page};

use super::api_router::{ApiRouter, routes};
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiQuery, Paging, Tagged};
use crate::problem::ApiResult;
use crate::state::AppState;

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(get_preference, set_preference))
        .routes(routes!(preview))
        .routes(routes!(outbox))
}

/// Your digest schedule: rhythm, next due time, the period already covered
/// (digests off and version 0 when never chosen).
#[utoipa::path(get, path = "/me/digest-preference", tag = "digests",
    responses((status = 200, description = "Your digest schedule", body = DigestSchedule,
        headers(("ETag" = String, description = "The schedule's version")))))]
async fn get_preference(
    State(s): State<AppState>,
    Caller(me): Caller,
) -> ApiResult<Tagged<DigestSchedule>> {
    let schedule = s.copkit.digest_preference(&me).await?;
    Ok(Tagged(schedule.version, schedule))
}

/// Chooses your rhythm: off, daily, or weekly on a weekday, at a local hour
/// in your time zone. Your verified email becomes the digest address.
#[utoipa::path(put, path = "/me/digest-preference", tag = "digests",
    request_body = DigestPreference,
    responses((status = 200, description = "Your new schedule", body = DigestSchedule,
        headers(("ETag" = String, description = "The schedule's version")))))]
async fn set_preference(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiJson(preference): ApiJson<DigestPreference>,
) -> ApiResult<Tagged<DigestSchedule>> {
    let schedule = s.copkit.set_digest_preference(&me, preference).await?;
    Ok(Tagged(schedule.version, schedule))
}

/// Your next digest as it stands now (since your last one, or the last 7
/// days), structured and rendered as text and HTML; nothing is sent.
#[utoipa::path(get, path = "/me/digest", tag = "digests",
    responses((status = 200, description = "A preview of your digest", body = Mail)))]
async fn preview(State(s): State<AppState>, Caller(me): Caller) -> ApiResult<Json<Mail>> {
    Ok(Json(s.copkit.preview_digest(&me).await?))
}

/// The digests sent to you, newest first.
#[utoipa::path(get, path = "/me/outbox", tag = "digests", params(Paging),
    responses((status = 200, description = "A page of your digests", body = Page<Mail>)))]
async fn outbox(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Page<Mail>>> {
    Ok(Json(s.copkit.list_outbox(&me, &paging.request()?).await?))
}
