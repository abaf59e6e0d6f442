//! Starting, finding and configuring communities; the activity record.

use axum::Json;
use axum::extract::State;
use copkit_core::model::{Activity, CommunityKind, Page};
use copkit_core::service::{CommunityCard, CommunityChanges, CommunityView, NewCommunity};
use serde::Deserialize;
use utoipa::IntoParams;

use super::CommunityPath;
use super::api_router::{ApiRouter, routes};
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Created, IfMatch, Paging, Tagged};
use crate::problem::ApiResult;
use crate::state::AppState;

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(directory, create_community))
        .routes(routes!(get_community, update_community))
        .routes(routes!(get_by_slug))
        .routes(routes!(activity))
}

/// Directory filters and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryQuery {
    /// Only communities of this kind.
    pub kind: Option<CommunityKind>,
    /// Only communities whose name starts with this (case-insensitive).
    #[param(format = "copkit:line-or-empty", max_length = 80)]
    pub name_prefix: Option<String>,
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// The `next` cursor of the previous page.
    #[param(min_length = 1, max_length = 1024)]
    pub cursor: Option<String>,
}

/// The directory: Public and Private communities by name (never Secret).
#[utoipa::path(get, path = "/communities", tag = "communities", params(DirectoryQuery),
    responses((status = 200, description = "A page of listing cards", body = Page<CommunityCard>)))]
async fn directory(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiQuery(q): ApiQuery<DirectoryQuery>,
) -> ApiResult<Json<Page<CommunityCard>>> {
    let page = Paging {
        limit: q.limit,
        cursor: q.cursor,
    }
    .request()?;
    Ok(Json(
        s.copkit
            .directory(&me, q.kind, q.name_prefix.as_deref(), &page)
            .await?,
    ))
}

/// Starts a community; the caller becomes its Owner.
#[utoipa::path(post, path = "/communities", tag = "communities",
    params(crate::openapi::IdempotencyKeyHeader), request_body = NewCommunity,
    responses((status = 201, description = "Started", body = CommunityView,
        headers(("Location" = String, description = "The new community"), ("ETag" = String, description = "Its version")))))]
async fn create_community(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiJson(input): ApiJson<NewCommunity>,
) -> ApiResult<Created<CommunityView>> {
    let view = s.copkit.create_community(&me, input).await?;
    Ok(Created {
        location: format!("/communities/{}", view.card.id),
        version: Some(view.card.version),
        body: view,
    })
}

/// A community's card and the caller's place in it.
#[utoipa::path(get, path = "/communities/{id}", tag = "communities", params(CommunityPath),
    responses((status = 200, description = "The community", body = CommunityView,
        headers(("ETag" = String, description = "Its version")))))]
async fn get_community(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
) -> ApiResult<Tagged<CommunityView>> {
    let view = s.copkit.get_community(&me, &p.id).await?;
    Ok(Tagged(view.card.version, view))
}

/// `/communities/by-slug/{slug}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SlugPath {
    /// The slug.
    #[param(pattern = r"^[a-z0-9-]{3,40}$")]
    pub slug: String,
}

/// A community by its slug.
#[utoipa::path(get, path = "/communities/by-slug/{slug}", tag = "communities", params(SlugPath),
    responses((status = 200, description = "The community", body = CommunityView,
        headers(("ETag" = String, description = "Its version")))))]
async fn get_by_slug(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<SlugPath>,
) -> ApiResult<Tagged<CommunityView>> {
    let view = s.copkit.get_community_by_slug(&me, &p.slug).await?;
    Ok(Tagged(view.card.version, view))
}

/// Changes a community's settings (owners).
#[utoipa::path(patch, path = "/communities/{id}", tag = "communities",
    params(CommunityPath, crate::openapi::IfMatchHeader), request_body = CommunityChanges,
    responses((status = 200, description = "Changed", body = CommunityView,
        headers(("ETag" = String, description = "Its new version")))))]
async fn update_community(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    IfMatch(version): IfMatch,
    ApiJson(changes): ApiJson<CommunityChanges>,
) -> ApiResult<Tagged<CommunityView>> {
    let view = s
        .copkit
        .update_community(&me, &p.id, changes, version)
        .await?;
    Ok(Tagged(view.card.version, view))
}

/// The community's activity record, newest first (moderators).
#[utoipa::path(get, path = "/communities/{id}/activity", tag = "communities",
    params(CommunityPath, Paging),
    responses((status = 200, description = "A page of activity", body = Page<Activity>)))]
async fn activity(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Page<Activity>>> {
    Ok(Json(
        s.copkit
            .list_activity(&me, &p.id, &paging.request()?)
            .await?,
    ))
}
