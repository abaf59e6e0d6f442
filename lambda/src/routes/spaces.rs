//! Spaces inside a community, archiving, and guest grants.

use axum::Json;
use axum::extract::State;
use copkit_core::model::{Space, SpaceGrant};
use copkit_core::service::{NewSpace, SpaceChanges};

use super::api_router::{ApiRouter, routes};
use super::{CommunityPath, NO_CONTENT, NoContent, SpacePath, SpaceUserPath};
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath, Created, IfMatch, Tagged};
use crate::problem::ApiResult;
use crate::state::AppState;

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_space, update))
        .routes(routes!(archive, unarchive))
        .routes(routes!(list_grants))
        .routes(routes!(grant, revoke_grant))
}

/// The spaces of a community the caller may see, oldest first.
#[utoipa::path(get, path = "/communities/{id}/spaces", tag = "spaces", params(CommunityPath),
    responses((status = 200, description = "Visible spaces", body = Vec<Space>)))]
async fn list(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
) -> ApiResult<Json<Vec<Space>>> {
    Ok(Json(s.copkit.list_spaces(&me, &p.id).await?))
}

/// Creates a space (moderators).
#[utoipa::path(post, path = "/communities/{id}/spaces", tag = "spaces",
    params(CommunityPath, crate::openapi::IdempotencyKeyHeader), request_body = NewSpace,
    responses((status = 201, description = "Created", body = Space,
        headers(("Location" = String, description = "The new space"), ("ETag" = String, description = "Its version")))))]
async fn create(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiJson(input): ApiJson<NewSpace>,
) -> ApiResult<Created<Space>> {
    let space = s.copkit.create_space(&me, &p.id, input).await?;
    Ok(Created {
        location: format!("/spaces/{}", space.id),
        version: Some(space.version),
        body: space,
    })
}

/// One space.
#[utoipa::path(get, path = "/spaces/{id}", tag = "spaces", params(SpacePath),
    responses((status = 200, description = "The space", body = Space,
        headers(("ETag" = String, description = "Its version")))))]
async fn get_space(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<SpacePath>,
) -> ApiResult<Tagged<Space>> {
    let space = s.copkit.get_space(&me, &p.id).await?;
    Ok(Tagged(space.version, space))
}

/// Changes a space (moderators who can see it).
#[utoipa::path(patch, path = "/spaces/{id}", tag = "spaces",
    params(SpacePath, crate::openapi::IfMatchHeader), request_body = SpaceChanges,
    responses((status = 200, description = "Changed", body = Space,
        headers(("ETag" = String, description = "Its new version")))))]
async fn update(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<SpacePath>,
    IfMatch(version): IfMatch,
    ApiJson(changes): ApiJson<SpaceChanges>,
) -> ApiResult<Tagged<Space>> {
    let space = s.copkit.update_space(&me, &p.id, changes, version).await?;
    Ok(Tagged(space.version, space))
}

/// Archives a space: readable, but it takes no new content (moderators).
#[utoipa::path(put, path = "/spaces/{id}/archived", tag = "spaces",
    params(SpacePath, crate::openapi::IfMatchHeader),
    responses((status = 200, description = "Archived", body = Space,
        headers(("ETag" = String, description = "Its new version")))))]
async fn archive(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<SpacePath>,
    IfMatch(version): IfMatch,
) -> ApiResult<Tagged<Space>> {
    let space = s
        .copkit
        .set_space_archived(&me, &p.id, true, version)
        .await?;
    Ok(Tagged(space.version, space))
}

/// Brings a space back from the archive (moderators).
#[utoipa::path(delete, path = "/spaces/{id}/archived", tag = "spaces",
    params(SpacePath, crate::openapi::IfMatchHeader),
    responses((status = 200, description = "Restored", body = Space,
        headers(("ETag" = String, description = "Its new version")))))]
async fn unarchive(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<SpacePath>,
    IfMatch(version): IfMatch,
) -> ApiResult<Tagged<Space>> {
    let space = s
        .copkit
        .set_space_archived(&me, &p.id, false, version)
        .await?;
    Ok(Tagged(space.version, space))
}

/// Who holds a grant on the space (moderators).
#[utoipa::path(get, path = "/spaces/{id}/grants", tag = "spaces", params(SpacePath),
    responses((status = 200, description = "The grants", body = Vec<SpaceGrant>)))]
async fn list_grants(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<SpacePath>,
) -> ApiResult<Json<Vec<SpaceGrant>>> {
    Ok(Json(s.copkit.list_space_grants(&me, &p.id).await?))
}

/// Grants a current member or guest the space (moderators).
#[utoipa::path(put, path = "/spaces/{id}/grants/{user_id}", tag = "spaces", params(SpaceUserPath),
    responses((status = 200, description = "Granted", body = SpaceGrant)))]
async fn grant(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<SpaceUserPath>,
) -> ApiResult<Json<SpaceGrant>> {
    Ok(Json(s.copkit.grant_space(&me, &p.id, &p.user_id).await?))
}

/// Revokes a grant (moderators; harmless when there is none).
#[utoipa::path(delete, path = "/spaces/{id}/grants/{user_id}", tag = "spaces", params(SpaceUserPath),
    responses((status = 204, description = "Revoked")))]
async fn revoke_grant(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<SpaceUserPath>,
) -> ApiResult<NoContent> {
    s.copkit.revoke_space_grant(&me, &p.id, &p.user_id).await?;
    Ok(NO_CONTENT)
}
