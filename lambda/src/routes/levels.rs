//! Participation levels: a member's own standing and the roster by level.

use axum::Json;
use axum::extract::State;
use copkit_core::CommunityId;
use copkit_core::model::{LevelStanding, Page, ParticipationLevel};
use copkit_core::service::MemberView;
use serde::Deserialize;
use utoipa::IntoParams;

use super::CommunityPath;
use super::api_router::{ApiRouter, routes};
use crate::auth::Caller;
use crate::extract::{ApiPath, ApiQuery, Paging};
use crate::problem::ApiResult;
use crate::state::AppState;

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(my_level))
        .routes(routes!(members_at_level))
}

/// `/communities/{id}/levels/{level}/members`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
struct LevelPath {
    /// The community (a ULID).
    #[param(value_type = String, format = "copkit:ulid")]
    id: CommunityId,
    /// The level.
    level: ParticipationLevel,
}

/// The caller's participation level here, the points behind it, and what
/// would move it (active members).
#[utoipa::path(get, path = "/communities/{id}/me/level", tag = "levels", params(CommunityPath),
    responses((status = 200, description = "The caller's standing", body = LevelStanding)))]
async fn my_level(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
) -> ApiResult<Json<LevelStanding>> {
    Ok(Json(s.copkit.my_level(&me, &p.id).await?))
}

/// Members at one participation level, by user id (members only). Levels
/// follow each contribution at once; time lowers them at the next
/// scheduled review.
#[utoipa::path(get, path = "/communities/{id}/levels/{level}/members", tag = "levels",
    params(LevelPath, Paging),
    responses((status = 200, description = "A page of members", body = Page<MemberView>)))]
async fn members_at_level(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<LevelPath>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Page<MemberView>>> {
    Ok(Json(
        s.copkit
            .list_members_at_level(&me, &p.id, p.level, &paging.request()?)
            .await?,
    ))
}
