//! Events, RSVPs, attendance and reminders of what is coming up.

use copkit_core::ffi::CopkitError;
use copkit_core::model::{Attendance, Event, Occurrence, Rsvp, RsvpResponse, RsvpTally};
use copkit_core::service::calendar_feed::CalendarFeedLink;
use copkit_core::service::{AgendaItem, EventInput};
use copkit_core::{CommunityId, EventId, SpaceId, UserId};
use jiff::Timestamp;

use super::{Backend, Session, SessionResult};
use crate::pages::{self, *};
use crate::remote::remote_error;

/// The API's window (whole UTC days from a date) that covers `[from, to)`
/// (an empty window, `to` not after `from`, is one day: the results are
/// filtered to the window anyway, as the embedded services do).
fn window(from: Timestamp, to: Timestamp) -> SessionResult<(jiff::civil::Date, u32)> {
    let day = from.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let midnight = day
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map_err(|_| CopkitError::Internal)?
        .timestamp();
    let seconds = to.duration_since(midnight).as_secs();
    let days = seconds.div_euclid(86_400) + i64::from(seconds.rem_euclid(86_400) > 0);
    // Longer than the API allows: sent as asked, so the API refuses it.
    Ok((day, u32::try_from(days.clamp(1, 401)).unwrap_or(401)))
}

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Schedules an event, one-off or repeating (moderators).
    pub async fn schedule_event(&self, space: SpaceId, input: EventInput) -> SessionResult<Event> {
        Ok(both!(self, schedule_event(&space, input))?)
    }

    /// Replaces an event's details and schedule (moderators).
    pub async fn update_event(
        &self,
        id: EventId,
        input: EventInput,
        expected_version: u64,
    ) -> SessionResult<Event> {
        Ok(both!(self, update_event(&id, input, expected_version))?)
    }

    /// Cancels or restores one occurrence (moderators).
    pub async fn set_occurrence_cancelled(
        &self,
        id: EventId,
        occurrence: String,
        cancelled: bool,
        expected_version: u64,
    ) -> SessionResult<Event> {
        Ok(both!(
            self,
            set_occurrence_cancelled(&id, &occurrence, cancelled, expected_version)
        )?)
    }

    /// An event.
    pub async fn get_event(&self, id: EventId) -> SessionResult<Event> {
        Ok(both!(self, get_event(&id))?)
    }

    /// Events of a community in spaces the caller can see.
    pub async fn list_events(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<EventPage> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, list_events(&community, &page))?.into())
    }

    /// An event's occurrences starting in `[from, to)`, in its time zone.
    pub async fn event_occurrences(
        &self,
        id: EventId,
        from: Timestamp,
        to: Timestamp,
    ) -> SessionResult<Vec<Occurrence>> {
        match &self.backend {
            Backend::Embedded { shared, actor } => {
                Ok(shared.core.event_occurrences(actor, &id, from, to).await?)
            }
            Backend::Remote { client, .. } => {
                let (day, days) = window(from, to)?;
                let all = client.event_occurrences(&id, Some(day), Some(days)).await;
                let all = all.map_err(remote_error)?;
                Ok(all
                    .into_iter()
                    .filter(|o| o.starts_at >= from && o.starts_at < to)
                    .collect())
            }
        }
    }

    /// Every occurrence of a community's events in `[from, to)`, in order.
    pub async fn agenda(
        &self,
        community: CommunityId,
        from: Timestamp,
        to: Timestamp,
    ) -> SessionResult<Vec<AgendaItem>> {
        match &self.backend {
            Backend::Embedded { shared, actor } => {
                Ok(shared.core.agenda(actor, &community, from, to).await?)
            }
            Backend::Remote { client, .. } => {
                let (day, days) = window(from, to)?;
                let all = client.agenda(&community, Some(day), Some(days)).await;
                let all = all.map_err(remote_error)?;
                Ok(all
                    .into_iter()
                    .filter(|i| i.occurrence.starts_at >= from && i.occurrence.starts_at < to)
                    .collect())
            }
        }
    }

    /// The agenda as an iCalendar (RFC 5545) document.
    pub async fn calendar_feed(
        &self,
        community: CommunityId,
        from: Timestamp,
        to: Timestamp,
    ) -> SessionResult<String> {
        match &self.backend {
            Backend::Embedded { shared, actor } => Ok(shared
                .core
                .calendar_feed(actor, &community, from, to)
                .await?),
            // The API's feed covers whole UTC days around the window.
            Backend::Remote { client, .. } => {
                let (day, days) = window(from, to)?;
                let feed = client
                    .calendar_feed(&community, Some(day), Some(days))
                    .await;
                feed.map_err(remote_error)
            }
        }
    }

    /// Makes you a personal calendar feed URL that calendar apps subscribe
    /// to without headers, revoking the one you had; its token is shown only
    /// this once. A remote session gets the URL the server serves; an
    /// embedded one builds it on `feed_base_url`, where the portal answers
    /// `GET {feed_base_url}/calendar/{token}.ics` with
    /// `Copkit.calendar_feed_by_token` (Invalid without it).
    pub async fn renew_calendar_feed(
        &self,
        feed_base_url: Option<String>,
    ) -> SessionResult<CalendarFeedLink> {
        match &self.backend {
            Backend::Embedded { shared, actor } => {
                let Some(base) = feed_base_url.filter(|b| !b.trim().is_empty()) else {
                    return Err(CopkitError::Invalid {
                        field: "feed_base_url".into(),
                        reason: "an embedded session needs the base URL the portal serves feeds at"
                            .into(),
                    });
                };
                let made = shared.core.renew_calendar_feed(actor).await?;
                Ok(CalendarFeedLink {
                    url: format!("{}/calendar/{}.ics", base.trim_end_matches('/'), made.token),
                    token: made.token,
                    created_at: made.created_at,
                })
            }
            Backend::Remote { client, .. } => {
                client.renew_calendar_feed().await.map_err(remote_error)
            }
        }
    }

    /// Revokes your calendar feed URL (it then answers NotFound).
    pub async fn stop_calendar_feed(&self) -> SessionResult<()> {
        Ok(both!(self, stop_calendar_feed())?)
    }

    /// Answers an occurrence (Conflict `full` when capacity is reached).
    pub async fn rsvp(
        &self,
        id: EventId,
        occurrence: String,
        response: RsvpResponse,
    ) -> SessionResult<Rsvp> {
        Ok(both!(self, rsvp(&id, &occurrence, response))?)
    }

    /// Answers to an occurrence.
    pub async fn list_rsvps(
        &self,
        id: EventId,
        occurrence: String,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<RsvpPage> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, list_rsvps(&id, &occurrence, &page))?.into())
    }

    /// Counts of answers to an occurrence.
    pub async fn rsvp_tally(&self, id: EventId, occurrence: String) -> SessionResult<RsvpTally> {
        Ok(both!(self, rsvp_tally(&id, &occurrence))?)
    }

    /// Records whether someone attended (moderators).
    pub async fn record_attendance(
        &self,
        id: EventId,
        occurrence: String,
        user: UserId,
        attended: bool,
    ) -> SessionResult<Attendance> {
        Ok(both!(
            self,
            record_attendance(&id, &occurrence, &user, attended)
        )?)
    }

    /// Attendance of an occurrence (moderators).
    pub async fn list_attendance(
        &self,
        id: EventId,
        occurrence: String,
    ) -> SessionResult<Vec<Attendance>> {
        Ok(both!(self, list_attendance(&id, &occurrence))?)
    }

    /// Tells the listeners about occurrences in the caller's communities
    /// starting within `within_hours` (1–168), each once; returns how many
    /// were new. Call it periodically (a WorkManager job, a background
    /// task, a portal's scheduler).
    pub async fn announce_upcoming(&self, within_hours: u32) -> SessionResult<u32> {
        let (shared, actor) = self.embedded("announce_upcoming")?;
        let upcoming = shared.core.upcoming(actor, within_hours).await?;
        let mut announced = 0;
        for item in upcoming {
            if shared.remind(&actor.user, item) {
                announced += 1;
            }
        }
        Ok(announced)
    }
}
