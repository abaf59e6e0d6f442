//! Invitations: created and revoked by moderators, previewed and accepted
//! by whoever holds the token (sent in the body, never in a URL).

use axum::Json;
use axum::extract::State;
use copkit_core::model::{Membership, Page};
use copkit_core::service::{CreatedInvitation, InvitationPreview, InvitationView, NewInvitation};
use serde::Deserialize;
use utoipa::ToSchema;

use super::api_router::{ApiRouter, routes};
use super::{CommunityPath, InvitationPath};
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Created, Paging};
use crate::problem::ApiResult;
use crate::state::AppState;

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(revoke))
        .routes(routes!(preview))
        .routes(routes!(accept))
}

/// Invites someone by email, or makes a link (moderators). The token is in
/// this answer only.
#[utoipa::path(post, path = "/communities/{id}/invitations", tag = "invitations",
    params(CommunityPath, crate::openapi::IdempotencyKeyHeader), request_body = NewInvitation,
    responses((status = 201, description = "Created", body = CreatedInvitation,
        headers(("Location" = String, description = "The community's invitations")))))]
async fn create(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiJson(input): ApiJson<NewInvitation>,
) -> ApiResult<Created<CreatedInvitation>> {
    let created = s.copkit.create_invitation(&me, &p.id, input).await?;
    Ok(Created {
        location: format!("/communities/{}/invitations", p.id),
        version: Some(created.invitation.version),
        body: created,
    })
}

/// The community's invitations, newest first (moderators).
#[utoipa::path(get, path = "/communities/{id}/invitations", tag = "invitations",
    params(CommunityPath, Paging),
    responses((status = 200, description = "A page of invitations", body = Page<InvitationView>)))]
async fn list(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Page<InvitationView>>> {
    Ok(Json(
        s.copkit
            .list_invitations(&me, &p.id, &paging.request()?)
            .await?,
    ))
}

/// Revokes an invitation (moderators; revoking twice is harmless).
#[utoipa::path(delete, path = "/communities/{id}/invitations/{invitation_id}", tag = "invitations",
    params(InvitationPath), responses((status = 200, description = "Revoked", body = InvitationView)))]
async fn revoke(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<InvitationPath>,
) -> ApiResult<Json<InvitationView>> {
    Ok(Json(
        s.copkit
            .revoke_invitation(&me, &p.id, &p.invitation_id)
            .await?,
    ))
}

/// An invitation token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Token {
    /// The token from the invitation.
    #[schema(min_length = 1, max_length = 256)]
    pub token: String,
}

/// What a token opens.
#[utoipa::path(post, path = "/invitations/preview", tag = "invitations", request_body = Token,
    responses((status = 200, description = "The invitation", body = InvitationPreview)))]
async fn preview(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiJson(body): ApiJson<Token>,
) -> ApiResult<Json<InvitationPreview>> {
    Ok(Json(s.copkit.preview_invitation(&me, &body.token).await?))
}

/// Accepts an invitation.
#[utoipa::path(post, path = "/invitations/accept", tag = "invitations", request_body = Token,
    responses((status = 200, description = "Joined", body = Membership)))]
async fn accept(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiJson(body): ApiJson<Token>,
) -> ApiResult<Json<Membership>> {
    Ok(Json(s.copkit.accept_invitation(&me, &body.token).await?))
}
