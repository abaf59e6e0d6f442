//! Asking to join an Approval community, and moderators deciding.

use axum::Json;
use axum::extract::State;
use copkit_core::model::{JoinRequest, Membership, Page, RequestStatus};
use copkit_core::service::JoinRequestView;
use serde::Deserialize;
use utoipa::ToSchema;

use super::api_router::{ApiRouter, routes};
use super::{CommunityPath, CommunityUserPath, NO_CONTENT, NoContent};
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Created, Paging};
use crate::problem::ApiResult;
use crate::state::AppState;

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(ask, list_pending))
        .routes(routes!(my_request, withdraw))
        .routes(routes!(approve))
        .routes(routes!(deny))
}

/// A request to join.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Ask {
    /// The answer to the community's join question (required when it asks one).
    #[serde(default)]
    #[schema(format = "copkit:text", max_length = 1000)]
    pub answer: Option<String>,
}

/// Asks to join an Approval community.
#[utoipa::path(post, path = "/communities/{id}/join-requests", tag = "join requests",
    params(CommunityPath, crate::openapi::IdempotencyKeyHeader), request_body = Ask,
    responses((status = 201, description = "Asked", body = JoinRequest,
        headers(("Location" = String, description = "Your request")))))]
async fn ask(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiJson(body): ApiJson<Ask>,
) -> ApiResult<Created<JoinRequest>> {
    let request = s
        .copkit
        .request_to_join(&me, &p.id, body.answer.as_deref())
        .await?;
    Ok(Created {
        location: format!("/communities/{}/join-requests/mine", p.id),
        version: None,
        body: request,
    })
}

/// Pending requests, oldest first (moderators).
#[utoipa::path(get, path = "/communities/{id}/join-requests", tag = "join requests",
    params(CommunityPath, Paging),
    responses((status = 200, description = "A page of pending requests", body = Page<JoinRequestView>)))]
async fn list_pending(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Page<JoinRequestView>>> {
    Ok(Json(
        s.copkit
            .list_join_requests(&me, &p.id, &paging.request()?)
            .await?,
    ))
}

/// The caller's own request, if any.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct MyRequest {
    /// The request (pending, approved, or denied with the reason and when
    /// to ask again), or `null` when you never asked.
    pub request: Option<JoinRequest>,
}

/// The caller's own request to a community they can see (`null` when they
/// never asked). A withdrawn request is gone: 404.
#[utoipa::path(get, path = "/communities/{id}/join-requests/mine", tag = "join requests",
    params(CommunityPath), responses((status = 200, description = "Your request, if any", body = MyRequest)))]
async fn my_request(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
) -> ApiResult<Json<MyRequest>> {
    let request = match s.copkit.my_join_request(&me, &p.id).await {
        Ok(r) if matches!(r.status, RequestStatus::Withdrawn { .. }) => {
            return Err(copkit_core::Error::NotFound.into());
        }
        Ok(r) => Some(r),
        // The community is visible (checked first); there is just no request.
        Err(copkit_core::Error::NotFound) => {
            s.copkit.get_community(&me, &p.id).await?;
            None
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Json(MyRequest { request }))
}

/// Withdraws the caller's pending request (409 `wrong_state` when nothing
/// is pending).
#[utoipa::path(delete, path = "/communities/{id}/join-requests/mine", tag = "join requests",
    params(CommunityPath), responses((status = 204, description = "Withdrawn")))]
async fn withdraw(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
) -> ApiResult<NoContent> {
    s.copkit.withdraw_join_request(&me, &p.id).await?;
    Ok(NO_CONTENT)
}

/// Approves a pending request: the person becomes a member (moderators).
#[utoipa::path(post, path = "/communities/{id}/join-requests/{user_id}/approve", tag = "join requests",
    params(CommunityUserPath), responses((status = 200, description = "Approved", body = Membership)))]
async fn approve(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityUserPath>,
) -> ApiResult<Json<Membership>> {
    Ok(Json(
        s.copkit
            .approve_join_request(&me, &p.id, &p.user_id)
            .await?,
    ))
}

/// Why a request is denied.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Denial {
    /// The reason the person will see (1–500 characters).
    #[schema(format = "copkit:nonblank-text", min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Denies a pending request with a reason (moderators).
#[utoipa::path(post, path = "/communities/{id}/join-requests/{user_id}/deny", tag = "join requests",
    params(CommunityUserPath), request_body = Denial,
    responses((status = 200, description = "Denied", body = JoinRequest)))]
async fn deny(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityUserPath>,
    ApiJson(body): ApiJson<Denial>,
) -> ApiResult<Json<JoinRequest>> {
    Ok(Json(
        s.copkit
            .deny_join_request(&me, &p.id, &p.user_id, &body.reason)
            .await?,
    ))
}
