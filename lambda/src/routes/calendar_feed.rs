//! The caller's calendar feed URL: made (or remade, revoking the old one),
//! stopped, and read by calendar apps with the token alone.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use copkit_core::service::calendar_feed::CalendarFeedLink;
use serde::Deserialize;
use utoipa::IntoParams;

use super::api_router::{ApiRouter, routes};
use super::{NO_CONTENT, NoContent};
use crate::auth::Caller;
use crate::extract::ApiPath;
use crate::problem::ApiResult;
use crate::state::AppState;

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(renew_feed, stop_feed))
        .routes(routes!(feed))
}

/// The token of a calendar feed URL.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct FeedPath {
    /// The feed's secret token (a trailing `.ics` is allowed).
    #[param(format = "copkit:token")]
    pub token: String,
}

/// The scheme and host the caller reached us at (`X-Forwarded-Proto`, as
/// API Gateway and proxies set it, else plain HTTP as copkit-local serves).
fn base_url(headers: &HeaderMap) -> String {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let scheme = text("x-forwarded-proto").unwrap_or("http");
    let host = text("host").unwrap_or("localhost");
    format!("{scheme}://{host}")
}

/// Makes you a personal calendar feed URL (Google Calendar, Outlook and
/// Apple Calendar subscribe to it without headers). Making a new one
/// revokes the previous URL. The token is shown only this once.
#[utoipa::path(post, path = "/me/calendar-feed", tag = "events",
    responses((status = 201, description = "Your new feed URL", body = CalendarFeedLink)))]
async fn renew_feed(
    State(s): State<AppState>,
    Caller(me): Caller,
    headers: HeaderMap,
) -> ApiResult<(StatusCode, Json<CalendarFeedLink>)> {
    let made = s.copkit.renew_calendar_feed(&me).await?;
    let link = CalendarFeedLink {
        url: format!("{}/calendar/{}.ics", base_url(&headers), made.token),
        token: made.token,
        created_at: made.created_at,
    };
    Ok((StatusCode::CREATED, Json(link)))
}

/// Revokes your calendar feed URL (its URL then answers 404).
#[utoipa::path(delete, path = "/me/calendar-feed", tag = "events",
    responses((status = 204, description = "Revoked (or there was none)")))]
async fn stop_feed(State(s): State<AppState>, Caller(me): Caller) -> ApiResult<NoContent> {
    s.copkit.stop_calendar_feed(&me).await?;
    Ok(NO_CONTENT)
}

/// A personal calendar feed, by its token alone (no `Authorization`): the
/// events its owner may see now in their communities, from 30 days ago to
/// a year ahead. An unknown or revoked token is 404.
#[utoipa::path(get, path = "/calendar/{token}", tag = "events", params(FeedPath),
    security(()),
    responses((status = 200, description = "The calendar", content_type = "text/calendar", body = String)))]
async fn feed(State(s): State<AppState>, ApiPath(p): ApiPath<FeedPath>) -> ApiResult<Response> {
    let token = p.token.strip_suffix(".ics").unwrap_or(&p.token);
    let feed = s.copkit.calendar_feed_by_token(token).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=300"),
            ),
        ],
        feed,
    )
        .into_response())
}
