//! The caller's own profile and communities, and other people's profiles.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use copkit_core::model::{Page, Profile};
use copkit_core::service::{
    DataExport, ErasureReport, ExportDelivery, MyCommunity, ProfileChanges,
};

use super::UserPath;
use super::api_router::{ApiRouter, routes};
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath, ApiQuery, IfMatch, Paging, Tagged};
use crate::problem::ApiResult;
use crate::state::AppState;

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(get_me, update_me, erase_me))
        .routes(routes!(export))
        .routes(routes!(my_communities))
        .routes(routes!(get_profile))
}

/// The caller's profile (version 0 when none is stored yet).
#[utoipa::path(get, path = "/me", tag = "me",
    responses((status = 200, description = "Your profile", body = Profile,
        headers(("ETag" = String, description = "The profile's version")))))]
async fn get_me(State(s): State<AppState>, Caller(me): Caller) -> ApiResult<Tagged<Profile>> {
    let p = s.copkit.my_profile(&me).await?;
    Ok(Tagged(p.version, p))
}

/// Changes the caller's profile (`If-Match: "0"` for a first one).
#[utoipa::path(patch, path = "/me", tag = "me", params(crate::openapi::IfMatchHeader),
    request_body = ProfileChanges,
    responses((status = 200, description = "The new profile", body = Profile,
        headers(("ETag" = String, description = "The profile's version")))))]
async fn update_me(
    State(s): State<AppState>,
    Caller(me): Caller,
    IfMatch(version): IfMatch,
    ApiJson(changes): ApiJson<ProfileChanges>,
) -> ApiResult<Tagged<Profile>> {
    let p = s.copkit.update_my_profile(&me, changes, version).await?;
    Ok(Tagged(p.version, p))
}

/// Everything copkit holds about you, as one JSON document (a download).
/// An export larger than 5 MB is stored and answered with `303 See Other`
/// to a download link valid for 15 minutes.
#[utoipa::path(get, path = "/me/export", tag = "me",
    responses(
        (status = 200, description = "Your data", body = DataExport,
            headers(("Content-Disposition" = String, description = "attachment; filename=\"copkit-export.json\""))),
        (status = 303, description = "Your data is large: fetch it from `Location` (valid 15 minutes)",
            headers(("Location" = String, description = "The download link")))))]
async fn export(State(s): State<AppState>, Caller(me): Caller) -> ApiResult<Response> {
    match s.copkit.deliver_export(&me).await? {
        ExportDelivery::Inline(bytes) => Ok((
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("attachment; filename=\"copkit-export.json\""),
                ),
            ],
            bytes,
        )
            .into_response()),
        ExportDelivery::Download { get, .. } => {
            let location = HeaderValue::from_str(&get.url)
                .map_err(|e| copkit_core::Error::Internal(format!("a download link: {e}")))?;
            Ok((
                axum::http::StatusCode::SEE_OTHER,
                [(header::LOCATION, location)],
            )
                .into_response())
        }
    }
}

/// Erases your account: you leave every community, your threads, posts,
/// documents, value stories and activity stay with their communities as by
/// a former member, and your profile, handle, attendance, digests and
/// participation are deleted. Refused (409 `hand_over_first`) while you are
/// a community's last owner; repeating it completes an interrupted erasure.
#[utoipa::path(delete, path = "/me", tag = "me",
    responses((status = 200, description = "What was erased", body = ErasureReport)))]
async fn erase_me(State(s): State<AppState>, Caller(me): Caller) -> ApiResult<Json<ErasureReport>> {
    Ok(Json(s.copkit.erase_my_account(&me).await?))
}

/// The caller's communities with their role and level.
#[utoipa::path(get, path = "/me/communities", tag = "me", params(Paging),
    responses((status = 200, description = "A page of your communities", body = Page<MyCommunity>)))]
async fn my_communities(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Page<MyCommunity>>> {
    Ok(Json(
        s.copkit.my_communities(&me, &paging.request()?).await?,
    ))
}

/// Someone's profile.
#[utoipa::path(get, path = "/users/{user_id}", tag = "me", params(UserPath),
    responses((status = 200, description = "Their profile", body = Profile)))]
async fn get_profile(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(path): ApiPath<UserPath>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(s.copkit.profile(&me, &path.user_id).await?))
}
