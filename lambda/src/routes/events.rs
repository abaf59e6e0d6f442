//! The rhythm: events, occurrences, cancellations, RSVPs, attendance, the
//! agenda and the iCalendar feed.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use copkit_core::model::{Attendance, Event, Occurrence, Page, Rsvp, RsvpResponse, RsvpTally};
use copkit_core::service::{AgendaItem, EventInput};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::api_router::{ApiRouter, routes};
use super::{AttendancePath, CommunityPath, EventPath, OccurrencePath, SpacePath};
use crate::auth::Caller;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Created, IfMatch, Paging, Tagged};
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(schedule))
        .routes(routes!(list_events))
        .routes(routes!(agenda))
        .routes(routes!(calendar))
        .routes(routes!(get_event, replace_event))
        .routes(routes!(occurrences))
        .routes(routes!(cancel, restore))
        .routes(routes!(rsvp))
        .routes(routes!(list_rsvps))
        .routes(routes!(tally))
        .routes(routes!(record_attendance))
        .routes(routes!(list_attendance))
}

/// A window of days.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Window {
    /// First day (UTC), `YYYY-MM-DD`; default today.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<Date>,
    /// How many days, 1–400 (default 90).
    #[param(minimum = 1, maximum = 400)]
    pub days: Option<u32>,
}

impl Window {
    fn bounds(&self, now: Timestamp) -> ApiResult<(Timestamp, Timestamp)> {
        let days = self.days.unwrap_or(90);
        if !(1..=400).contains(&days) {
            return Err(ApiError::bad_request(
                "invalid_query",
                "days must be 1 to 400",
            ));
        }
        let from_date = match self.from {
            Some(d) => d,
            None => now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date(),
        };
        let from = from_date
            .to_datetime(jiff::civil::Time::midnight())
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map_err(|_| ApiError::bad_request("invalid_query", "from is out of range"))?
            .timestamp();
        let to = from
            .checked_add(jiff::SignedDuration::from_hours(24 * i64::from(days)))
            .map_err(|_| ApiError::bad_request("invalid_query", "the window is out of range"))?;
        Ok((from, to))
    }
}

/// Schedules an event in a space.
#[utoipa::path(post, path = "/spaces/{id}/events", tag = "events",
    params(SpacePath, crate::openapi::IdempotencyKeyHeader), request_body = EventInput,
    responses((status = 201, description = "Scheduled", body = Event,
        headers(("Location" = String, description = "The new event"), ("ETag" = String, description = "Its version")))))]
async fn schedule(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<SpacePath>,
    ApiJson(input): ApiJson<EventInput>,
) -> ApiResult<Created<Event>> {
    let e = s.copkit.schedule_event(&me, &p.id, input).await?;
    Ok(Created {
        location: format!("/events/{}", e.id),
        version: Some(e.version),
        body: e,
    })
}

/// A community's events in spaces the caller can see.
#[utoipa::path(get, path = "/communities/{id}/events", tag = "events", params(CommunityPath, Paging),
    responses((status = 200, description = "A page of events", body = Page<Event>)))]
async fn list_events(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Page<Event>>> {
    Ok(Json(
        s.copkit.list_events(&me, &p.id, &paging.request()?).await?,
    ))
}

/// Every occurrence in the window of the events the caller can see.
#[utoipa::path(get, path = "/communities/{id}/agenda", tag = "events", params(CommunityPath, Window),
    responses((status = 200, description = "The agenda", body = Vec<AgendaItem>)))]
async fn agenda(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiQuery(w): ApiQuery<Window>,
) -> ApiResult<Json<Vec<AgendaItem>>> {
    let (from, to) = w.bounds(s.copkit.now())?;
    Ok(Json(s.copkit.agenda(&me, &p.id, from, to).await?))
}

/// The agenda as an RFC 5545 iCalendar feed.
#[utoipa::path(get, path = "/communities/{id}/calendar.ics", tag = "events", params(CommunityPath, Window),
    responses((status = 200, description = "The calendar", content_type = "text/calendar", body = String)))]
async fn calendar(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<CommunityPath>,
    ApiQuery(w): ApiQuery<Window>,
) -> ApiResult<Response> {
    let (from, to) = w.bounds(s.copkit.now())?;
    let feed = s.copkit.calendar_feed(&me, &p.id, from, to).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/calendar; charset=utf-8"),
        )],
        feed,
    )
        .into_response())
}

/// One event.
#[utoipa::path(get, path = "/events/{id}", tag = "events", params(EventPath),
    responses((status = 200, description = "The event", body = Event,
        headers(("ETag" = String, description = "Its version")))))]
async fn get_event(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<EventPath>,
) -> ApiResult<Tagged<Event>> {
    let e = s.copkit.get_event(&me, &p.id).await?;
    Ok(Tagged(e.version, e))
}

/// Replaces an event's description and schedule (its organiser or a moderator).
#[utoipa::path(put, path = "/events/{id}", tag = "events",
    params(EventPath, crate::openapi::IfMatchHeader), request_body = EventInput,
    responses((status = 200, description = "Replaced", body = Event,
        headers(("ETag" = String, description = "Its new version")))))]
async fn replace_event(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<EventPath>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<EventInput>,
) -> ApiResult<Tagged<Event>> {
    let e = s.copkit.update_event(&me, &p.id, input, version).await?;
    Ok(Tagged(e.version, e))
}

/// An event's occurrences in the window, cancelled ones left out.
#[utoipa::path(get, path = "/events/{id}/occurrences", tag = "events", params(EventPath, Window),
    responses((status = 200, description = "The occurrences", body = Vec<Occurrence>)))]
async fn occurrences(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<EventPath>,
    ApiQuery(w): ApiQuery<Window>,
) -> ApiResult<Json<Vec<Occurrence>>> {
    let (from, to) = w.bounds(s.copkit.now())?;
    Ok(Json(
        s.copkit.event_occurrences(&me, &p.id, from, to).await?,
    ))
}

/// Cancels one occurrence (its organiser or a moderator).
#[utoipa::path(put, path = "/events/{id}/occurrences/{occurrence}/cancelled", tag = "events",
    params(OccurrencePath, crate::openapi::IfMatchHeader),
    responses((status = 200, description = "Cancelled", body = Event,
        headers(("ETag" = String, description = "The event's new version")))))]
async fn cancel(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<OccurrencePath>,
    IfMatch(version): IfMatch,
) -> ApiResult<Tagged<Event>> {
    let e = s
        .copkit
        .set_occurrence_cancelled(&me, &p.id, &p.occurrence, true, version)
        .await?;
    Ok(Tagged(e.version, e))
}

/// Restores a cancelled occurrence (its organiser or a moderator).
#[utoipa::path(delete, path = "/events/{id}/occurrences/{occurrence}/cancelled", tag = "events",
    params(OccurrencePath, crate::openapi::IfMatchHeader),
    responses((status = 200, description = "Restored", body = Event,
        headers(("ETag" = String, description = "The event's new version")))))]
async fn restore(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<OccurrencePath>,
    IfMatch(version): IfMatch,
) -> ApiResult<Tagged<Event>> {
    let e = s
        .copkit
        .set_occurrence_cancelled(&me, &p.id, &p.occurrence, false, version)
        .await?;
    Ok(Tagged(e.version, e))
}

/// An answer for an occurrence.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RsvpBody {
    /// Going, maybe or declined.
    pub response: RsvpResponse,
}

/// Answers for an upcoming occurrence (going counts against capacity).
#[utoipa::path(put, path = "/events/{id}/occurrences/{occurrence}/rsvp", tag = "events",
    params(OccurrencePath), request_body = RsvpBody,
    responses((status = 200, description = "Your answer", body = Rsvp)))]
async fn rsvp(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<OccurrencePath>,
    ApiJson(body): ApiJson<RsvpBody>,
) -> ApiResult<Json<Rsvp>> {
    Ok(Json(
        s.copkit
            .rsvp(&me, &p.id, &p.occurrence, body.response)
            .await?,
    ))
}

/// Answers for an occurrence.
#[utoipa::path(get, path = "/events/{id}/occurrences/{occurrence}/rsvps", tag = "events",
    params(OccurrencePath, Paging),
    responses((status = 200, description = "A page of answers", body = Page<Rsvp>)))]
async fn list_rsvps(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<OccurrencePath>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> ApiResult<Json<Page<Rsvp>>> {
    Ok(Json(
        s.copkit
            .list_rsvps(&me, &p.id, &p.occurrence, &paging.request()?)
            .await?,
    ))
}

/// How many are going, maybe going and not going.
#[utoipa::path(get, path = "/events/{id}/occurrences/{occurrence}/tally", tag = "events",
    params(OccurrencePath), responses((status = 200, description = "The tally", body = RsvpTally)))]
async fn tally(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<OccurrencePath>,
) -> ApiResult<Json<RsvpTally>> {
    Ok(Json(s.copkit.rsvp_tally(&me, &p.id, &p.occurrence).await?))
}

/// Whether someone attended.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceBody {
    /// Attended (minutes credited) or absent.
    pub attended: bool,
}

/// Records attendance at an occurrence that has started (moderators).
#[utoipa::path(put, path = "/events/{id}/occurrences/{occurrence}/attendance/{user_id}", tag = "events",
    params(AttendancePath), request_body = AttendanceBody,
    responses((status = 200, description = "Recorded", body = Attendance)))]
async fn record_attendance(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<AttendancePath>,
    ApiJson(body): ApiJson<AttendanceBody>,
) -> ApiResult<Json<Attendance>> {
    Ok(Json(
        s.copkit
            .record_attendance(&me, &p.id, &p.occurrence, &p.user_id, body.attended)
            .await?,
    ))
}

/// Attendance recorded for an occurrence (moderators).
#[utoipa::path(get, path = "/events/{id}/occurrences/{occurrence}/attendance", tag = "events",
    params(OccurrencePath), responses((status = 200, description = "Attendance", body = Vec<Attendance>)))]
async fn list_attendance(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiPath(p): ApiPath<OccurrencePath>,
) -> ApiResult<Json<Vec<Attendance>>> {
    Ok(Json(
        s.copkit.list_attendance(&me, &p.id, &p.occurrence).await?,
    ))
}
