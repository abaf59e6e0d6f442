//! Events, occurrences, RSVPs and attendance.

use copkit_core::model::{
    Attendance, Event, Occurrence, Page, PageRequest, Rsvp, RsvpResponse, RsvpTally,
};
use copkit_core::service::calendar_feed::CalendarFeedLink;
use copkit_core::service::{AgendaItem, EventInput};
use copkit_core::{CommunityId, EventId, SpaceId, UserId};
use jiff::civil::Date;
use serde_json::json;

use crate::client::Client;
use crate::error::ClientResult;
use crate::operations::*;
use crate::transport::Call;

impl Client {
    /// Schedules an event in a space.
    pub async fn schedule_event(&self, space: &SpaceId, input: EventInput) -> ClientResult<Event> {
        self.json(Call::new(&SCHEDULE, &[space]).json(&input)?)
            .await
    }

    /// Events of a community.
    pub async fn list_events(
        &self,
        community: &CommunityId,
        page: &PageRequest,
    ) -> ClientResult<Page<Event>> {
        self.json(Call::new(&LIST_EVENTS, &[community]).page(page))
            .await
    }

    /// A community's occurrences over `days` days from `from` (UTC; the
    /// server's defaults are today and 90 days).
    pub async fn agenda(
        &self,
        community: &CommunityId,
        from: Option<Date>,
        days: Option<u32>,
    ) -> ClientResult<Vec<AgendaItem>> {
        let call = Call::new(&AGENDA, &[community])
            .query("from", from)
            .query("days", days);
        self.json(call).await
    }

    /// The same window as an iCalendar feed.
    pub async fn calendar_feed(
        &self,
        community: &CommunityId,
        from: Option<Date>,
        days: Option<u32>,
    ) -> ClientResult<String> {
        let call = Call::new(&CALENDAR, &[community])
            .query("from", from)
            .query("days", days);
        self.text(call).await
    }

    /// Makes the caller a personal calendar feed URL (revoking the one they
    /// had); its token is shown only this once.
    pub async fn renew_calendar_feed(&self) -> ClientResult<CalendarFeedLink> {
        self.json(Call::new(&RENEW_CALENDAR_FEED, &[])).await
    }

    /// Revokes the caller's calendar feed URL.
    pub async fn stop_calendar_feed(&self) -> ClientResult<()> {
        self.empty(Call::new(&STOP_CALENDAR_FEED, &[])).await
    }

    /// The iCalendar feed a feed token opens (what a calendar app fetches;
    /// an unknown or revoked token is `NotFound`).
    pub async fn calendar_feed_by_token(&self, token: &str) -> ClientResult<String> {
        self.text(Call::new(&CALENDAR_BY_TOKEN, &[&format!("{token}.ics")]))
            .await
    }

    /// An event.
    pub async fn get_event(&self, id: &EventId) -> ClientResult<Event> {
        self.json(Call::new(&GET_EVENT, &[id])).await
    }

    /// Replaces an event's details; `expected_version` is the version read.
    pub async fn update_event(
        &self,
        id: &EventId,
        input: EventInput,
        expected_version: u64,
    ) -> ClientResult<Event> {
        let call = Call::new(&UPDATE_EVENT, &[id]).if_match(expected_version);
        self.json(call.json(&input)?).await
    }

    /// An event's occurrences over `days` days from `from`.
    pub async fn event_occurrences(
        &self,
        id: &EventId,
        from: Option<Date>,
        days: Option<u32>,
    ) -> ClientResult<Vec<Occurrence>> {
        let call = Call::new(&OCCURRENCES, &[id])
            .query("from", from)
            .query("days", days);
        self.json(call).await
    }

    /// Cancels or restores one occurrence (`YYYY-MM-DDTHH:MM:SS`, local).
    pub async fn set_occurrence_cancelled(
        &self,
        id: &EventId,
        occurrence: &str,
        cancelled: bool,
        expected_version: u64,
    ) -> ClientResult<Event> {
        let op = if cancelled { &CANCEL } else { &RESTORE };
        self.json(Call::new(op, &[id, &occurrence]).if_match(expected_version))
            .await
    }

    /// The caller's answer to an occurrence.
    pub async fn rsvp(
        &self,
        id: &EventId,
        occurrence: &str,
        response: RsvpResponse,
    ) -> ClientResult<Rsvp> {
        let call = Call::new(&RSVP, &[id, &occurrence]).json(&json!({ "response": response }))?;
        self.json(call).await
    }

    /// Answers to an occurrence (organisers).
    pub async fn list_rsvps(
        &self,
        id: &EventId,
        occurrence: &str,
        page: &PageRequest,
    ) -> ClientResult<Page<Rsvp>> {
        self.json(Call::new(&LIST_RSVPS, &[id, &occurrence]).page(page))
            .await
    }

    /// How many answered what.
    pub async fn rsvp_tally(&self, id: &EventId, occurrence: &str) -> ClientResult<RsvpTally> {
        self.json(Call::new(&TALLY, &[id, &occurrence])).await
    }

    /// Records whether someone attended (organisers).
    pub async fn record_attendance(
        &self,
        id: &EventId,
        occurrence: &str,
        user: &UserId,
        attended: bool,
    ) -> ClientResult<Attendance> {
        let call = Call::new(&RECORD_ATTENDANCE, &[id, &occurrence, user])
            .json(&json!({ "attended": attended }))?;
        self.json(call).await
    }

    /// Attendance recorded for an occurrence (organisers).
    pub async fn list_attendance(
        &self,
        id: &EventId,
        occurrence: &str,
    ) -> ClientResult<Vec<Attendance>> {
        self.json(Call::new(&LIST_ATTENDANCE, &[id, &occurrence]))
            .await
    }
}
