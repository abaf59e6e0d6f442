//! The caller's inbox (notifications of what concerns them, newest first,
//! with the unread count) and their choice of how they hear of each topic.

use axum::Json;
use axum::extract::State;
use axum::response::Html;
use copkit_core::ids::ActivityId;
use copkit_core::model::{Inbox, Notification, NotificationChoices, NotificationPreferences};
use copkit_core::service::unsubscribe::{MailStream, Unsubscribed};
use jiff::Timestamp;
use serde::Deserialize;
use utoipa::IntoParams;

use super::api_router::{ApiRouter, routes};
use super::{NO_CONTENT, NoContent};
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath, ApiQuery, IfMatch, Paging, Tagged};
use crate::problem::ApiResult;
use crate::state::AppState;

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(inbox))
        .routes(routes!(mark_read))
        .routes(routes!(mark_all_read))
        .routes(routes!(get_preferences, set_preferences))
        .routes(routes!(unsubscribe_page, unsubscribe))
}

/// `/unsubscribe/{token}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UnsubscribePath {
    /// The token of a mail's unsubscribe link.
    #[param(format = "copkit:token")]
    pub token: String,
}

/// One-click unsubscribe (RFC 8058), by the token of a mail's link alone
/// (no `Authorization`): stops that kind of mail (digests, or email for one
/// topic of notifications). Mail clients `POST` here with
/// `List-Unsubscribe=One-Click`; any body is accepted. An unknown or
/// altered token is 404.
#[utoipa::path(post, path = "/unsubscribe/{token}", tag = "notifications",
    params(UnsubscribePath), security(()),
    responses((status = 200, description = "What stops", body = Unsubscribed)))]
async fn unsubscribe(
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UnsubscribePath>,
) -> ApiResult<Json<Unsubscribed>> {
    Ok(Json(s.copkit.unsubscribe(&p.token).await?))
}

/// The page a mail's unsubscribe link opens in a browser: what stops, and
/// one button that `POST`s the unsubscribe (a `GET` never changes
/// anything, so link scanners cannot unsubscribe anyone). An unknown or
/// altered token is 404.
#[utoipa::path(get, path = "/unsubscribe/{token}", tag = "notifications",
    params(UnsubscribePath), security(()),
    responses((status = 200, description = "A page with one button", content_type = "text/html", body = String)))]
async fn unsubscribe_page(
    State(s): State<AppState>,
    ApiPath(p): ApiPath<UnsubscribePath>,
) -> ApiResult<Html<String>> {
    let what = match s.copkit.unsubscribe_preview(&p.token)? {
        MailStream::Digests => "your copkit digests".to_owned(),
        MailStream::Topic { topic } => format!(
            "emails about {}",
            serde_json::to_value(topic)
                .ok()
                .and_then(|v| v.as_str().map(|t| t.replace('_', " ")))
                .unwrap_or_else(|| "this topic".to_owned())
        ),
    };
    // The token opened, so it holds only URL-safe characters.
    let token = &p.token;
    Ok(Html(format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Unsubscribe</title></head>\n\
         <body style=\"font-family: sans-serif; max-width: 40em; margin: auto;\">\n\
         <p>Stop {what}?</p>\n\
         <form method=\"post\" action=\"{token}\"><button type=\"submit\">Unsubscribe</button></form>\n\
         </body></html>\n"
    )))
}

/// `/me/notifications/{id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct NotificationPath {
    /// The notification's id (the activity it tells of, a ULID).
    #[param(value_type = String, format = "copkit:ulid")]
    pub id: ActivityId,
}

/// `?since=` for apps that poll for news.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Since {
    /// Only notifications of activity after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<Timestamp>,
}

/// Your notifications, newest first, with your unread count: only what you
/// may still see (a notification from a space you lost is left out). Poll
/// with `since` and `If-None-Match`: an unchanged answer is 304.
#[utoipa::path(get, path = "/me/notifications", tag = "notifications", params(Paging, Since),
    responses((status = 200, description = "A page of your inbox", body = Inbox)))]
async fn inbox(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiQuery(paging): ApiQuery<Paging>,
    ApiQuery(since): ApiQuery<Since>,
) -> ApiResult<Json<Inbox>> {
    let page = paging.request()?;
    Ok(Json(s.copkit.notifications(&me, since.since, &page).await?))
}

/// Marks one of your notifications read.
#[utoipa::path(post, path = "/me/notifications/{id}/read", tag = "notifications",
    params(NotificationPath),
    responses((status = 200, description = "The notification, read", body = Notification)))]
async fn mark_read(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<NotificationPath>,
) -> ApiResult<Json<Notification>> {
    Ok(Json(s.copkit.mark_notification_read(&me, &p.id).await?))
}

/// Marks everything in your inbox read.
#[utoipa::path(post, path = "/me/notifications/read", tag = "notifications",
    responses((status = 204, description = "All read")))]
async fn mark_all_read(State(s): State<AppState>, Caller(me): Caller) -> ApiResult<NoContent> {
    s.copkit.mark_all_notifications_read(&me).await?;
    Ok(NO_CONTENT)
}

/// How you hear of each topic (in the app, by email at once, in your digest,
/// or not at all), in general and per community; defaults (version 0) until
/// you choose.
#[utoipa::path(get, path = "/me/notification-preferences", tag = "notifications",
    responses((status = 200, description = "Your choices", body = NotificationPreferences,
        headers(("ETag" = String, description = "The preferences' version")))))]
async fn get_preferences(
    State(s): State<AppState>,
    Caller(me): Caller,
) -> ApiResult<Tagged<NotificationPreferences>> {
    let preferences = s.copkit.notification_preferences(&me).await?;
    Ok(Tagged(preferences.version, preferences))
}

/// Replaces your choices (`If-Match: "0"` the first time). Your verified
/// email becomes the address for notifications by email.
#[utoipa::path(put, path = "/me/notification-preferences", tag = "notifications",
    params(crate::openapi::IfMatchHeader), request_body = NotificationChoices,
    responses((status = 200, description = "Your new choices", body = NotificationPreferences,
        headers(("ETag" = String, description = "The preferences' version")))))]
async fn set_preferences(
    State(s): State<AppState>,
    Caller(me): Caller,
    IfMatch(version): IfMatch,
    ApiJson(choices): ApiJson<NotificationChoices>,
) -> ApiResult<Tagged<NotificationPreferences>> {
    let preferences = s
        .copkit
        .set_notification_preferences(&me, choices, version)
        .await?;
    Ok(Tagged(preferences.version, preferences))
}
