//! Joining, leaving, the roster, removal, bans, roles and ownership.

use axum::Json;
use axum::extract::State;
use copkit_core::UserId;
use copkit_core::model::{Membership, Page, Role};
use copkit_core::service::MemberView;
use serde::Deserialize;
use utoipa::ToSchema;

use super::api_router::{ApiRouter, routes};
use super::{CommunityPath, CommunityUserPath, NO_CONTENT, NoContent};
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Paging};
use crate::problem::ApiResult;
use crate::state::AppState;

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(join_community))
        .routes(routes!(leave))
        .routes(routes!(list_members))
        .routes(routes!(get_member, remove_member))
        .routes(routes!(change_role))
        .routes(routes!(transfer))
        .routes(routes!(list_bans, ban))
        .routes(routes!(unban))
}

/// Joins an Open community.
#[utoipa::path(post, path = "/communities/{id}/join", tag = "members", params(CommunityPath),
    responses((status = 200, description = "Joined", body = Membership)))]
async fn join_community(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
) -> ApiResult<Json<Membership>> {
    Ok(Json(s.copkit.join(&me, &p.id).await?))
}

/// Leaves a community (the last owner must hand over first).
#[utoipa::path(post, path = "/communities/{id}/leave", tag = "members", params(CommunityPath),
    responses((status = 204, description = "Left")))]
async fn leave(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
) -> ApiResult<NoContent> {
    s.copkit.leave(&me, &p.id).await?;
    Ok(NO_CONTENT)
}

/// The roster, owners first (members only).
#[utoipa::path(get, path = "/communities/{id}/members", tag = "members",
    params(CommunityPath, Paging),
    responses((status = 200, description = "A page of members", body = Page<MemberView>)))]
async fn list_members(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Page<MemberView>>> {
    Ok(Json(
        s.copkit
            .list_members(&me, &p.id, &paging.request()?)
            .await?,
    ))
}

/// One member.
#[utoipa::path(get, path = "/communities/{id}/members/{user_id}", tag = "members",
    params(CommunityUserPath),
    responses((status = 200, description = "The membership", body = Membership)))]
async fn get_member(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityUserPath>,
) -> ApiResult<Json<Membership>> {
    Ok(Json(s.copkit.get_member(&me, &p.id, &p.user_id).await?))
}

/// Removes a member or guest (moderators; owners for moderators).
#[utoipa::path(delete, path = "/communities/{id}/members/{user_id}", tag = "members",
    params(CommunityUserPath), responses((status = 204, description = "Removed")))]
async fn remove_member(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityUserPath>,
) -> ApiResult<NoContent> {
    s.copkit.remove_member(&me, &p.id, &p.user_id).await?;
    Ok(NO_CONTENT)
}

/// A new role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// The role.
    pub role: Role,
}

/// Changes a member's role (owners).
#[utoipa::path(put, path = "/communities/{id}/members/{user_id}/role", tag = "members",
    params(CommunityUserPath), request_body = RoleChange,
    responses((status = 200, description = "Changed", body = Membership)))]
async fn change_role(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityUserPath>,
    ApiJson(body): ApiJson<RoleChange>,
) -> ApiResult<Json<Membership>> {
    Ok(Json(
        s.copkit
            .change_role(&me, &p.id, &p.user_id, body.role)
            .await?,
    ))
}

/// Who receives ownership.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// The new owner (an active member).
    #[schema(value_type = String, format = "copkit:user-id")]
    pub user: UserId,
}

/// Hands ownership over; the caller becomes a moderator (owners).
#[utoipa::path(post, path = "/communities/{id}/transfer", tag = "members",
    params(CommunityPath), request_body = Transfer,
    responses((status = 204, description = "Handed over")))]
async fn transfer(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiJson(body): ApiJson<Transfer>,
) -> ApiResult<NoContent> {
    s.copkit.transfer_ownership(&me, &p.id, &body.user).await?;
    Ok(NO_CONTENT)
}

/// A ban.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBan {
    /// Who.
    #[schema(value_type = String, format = "copkit:user-id")]
    pub user: UserId,
    /// For how many days (1–3,650); omit for a permanent ban.
    #[serde(default, deserialize_with = "copkit_core::json::whole_option_u32")]
    #[schema(minimum = 1, maximum = 3650)]
    pub days: Option<u32>,
    /// Why (1–500 characters).
    #[schema(format = "copkit:nonblank-text", min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Banned people (moderators).
#[utoipa::path(get, path = "/communities/{id}/bans", tag = "members",
    params(CommunityPath, Paging),
    responses((status = 200, description = "A page of bans", body = Page<Membership>)))]
async fn list_bans(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Page<Membership>>> {
    Ok(Json(
        s.copkit.list_banned(&me, &p.id, &paging.request()?).await?,
    ))
}

/// Bans someone (moderators).
#[utoipa::path(post, path = "/communities/{id}/bans", tag = "members",
    params(CommunityPath, crate::openapi::IdempotencyKeyHeader), request_body = NewBan,
    responses((status = 200, description = "Banned", body = Membership)))]
async fn ban(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiJson(body): ApiJson<NewBan>,
) -> ApiResult<Json<Membership>> {
    Ok(Json(
        s.copkit
            .ban_member(&me, &p.id, &body.user, body.days, &body.reason)
            .await?,
    ))
}

/// Lifts a ban (moderators).
#[utoipa::path(delete, path = "/communities/{id}/bans/{user_id}", tag = "members",
    params(CommunityUserPath), responses((status = 204, description = "Lifted")))]
async fn unban(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityUserPath>,
) -> ApiResult<NoContent> {
    s.copkit.unban_member(&me, &p.id, &p.user_id).await?;
    Ok(NO_CONTENT)
}
