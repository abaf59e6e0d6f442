//! Events, RSVPs, attendance and reminders of what is coming up.

use copkit_core::model::{Attendance, Event, Occurrence, Rsvp, RsvpResponse, RsvpTally};
use copkit_core::service::{AgendaItem, EventInput};
use copkit_core::{CommunityId, EventId, SpaceId, UserId};
use jiff::Timestamp;

use super::{Session, SessionResult};
use crate::pages::{self, *};

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Schedules an event, one-off or repeating (moderators).
    pub async fn schedule_event(&self, space: SpaceId, input: EventInput) -> SessionResult<Event> {
        Ok(self
            .core()
            .schedule_event(&self.actor, &space, input)
            .await?)
    }

    /// Replaces an event's details and schedule (moderators).
    pub async fn update_event(
        &self,
        id: EventId,
        input: EventInput,
        expected_version: u64,
    ) -> SessionResult<Event> {
        let core = self.core();
        Ok(core
            .update_event(&self.actor, &id, input, expected_version)
            .await?)
    }

    /// Cancels or restores one occurrence (moderators).
    pub async fn set_occurrence_cancelled(
        &self,
        id: EventId,
        occurrence: String,
        cancelled: bool,
        expected_version: u64,
    ) -> SessionResult<Event> {
        let core = self.core();
        Ok(core
            .set_occurrence_cancelled(&self.actor, &id, &occurrence, cancelled, expected_version)
            .await?)
    }

    /// An event.
    pub async fn get_event(&self, id: EventId) -> SessionResult<Event> {
        Ok(self.core().get_event(&self.actor, &id).await?)
    }

    /// Events of a community in spaces the caller can see.
    pub async fn list_events(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<EventPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .list_events(&self.actor, &community, &page)
            .await?
            .into())
    }

    /// An event's occurrences starting in `[from, to)`, in its time zone.
    pub async fn event_occurrences(
        &self,
        id: EventId,
        from: Timestamp,
        to: Timestamp,
    ) -> SessionResult<Vec<Occurrence>> {
        Ok(self
            .core()
            .event_occurrences(&self.actor, &id, from, to)
            .await?)
    }

    /// Every occurrence of a community's events in `[from, to)`, in order.
    pub async fn agenda(
        &self,
        community: CommunityId,
        from: Timestamp,
        to: Timestamp,
    ) -> SessionResult<Vec<AgendaItem>> {
        Ok(self
            .core()
            .agenda(&self.actor, &community, from, to)
            .await?)
    }

    /// The agenda as an iCalendar (RFC 5545) document.
    pub async fn calendar_feed(
        &self,
        community: CommunityId,
        from: Timestamp,
        to: Timestamp,
    ) -> SessionResult<String> {
        let core = self.core();
        Ok(core
            .calendar_feed(&self.actor, &community, from, to)
            .await?)
    }

    /// Answers an occurrence (Conflict `full` when capacity is reached).
    pub async fn rsvp(
        &self,
        id: EventId,
        occurrence: String,
        response: RsvpResponse,
    ) -> SessionResult<Rsvp> {
        let core = self.core();
        Ok(core.rsvp(&self.actor, &id, &occurrence, response).await?)
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
        let core = self.core();
        Ok(core
            .list_rsvps(&self.actor, &id, &occurrence, &page)
            .await?
            .into())
    }

    /// Counts of answers to an occurrence.
    pub async fn rsvp_tally(&self, id: EventId, occurrence: String) -> SessionResult<RsvpTally> {
        Ok(self
            .core()
            .rsvp_tally(&self.actor, &id, &occurrence)
            .await?)
    }

    /// Records whether someone attended (moderators).
    pub async fn record_attendance(
        &self,
        id: EventId,
        occurrence: String,
        user: UserId,
        attended: bool,
    ) -> SessionResult<Attendance> {
        let core = self.core();
        Ok(core
            .record_attendance(&self.actor, &id, &occurrence, &user, attended)
            .await?)
    }

    /// Attendance of an occurrence (moderators).
    pub async fn list_attendance(
        &self,
        id: EventId,
        occurrence: String,
    ) -> SessionResult<Vec<Attendance>> {
        Ok(self
            .core()
            .list_attendance(&self.actor, &id, &occurrence)
            .await?)
    }

    /// Tells the listeners about occurrences in the caller's communities
    /// starting within `within_hours` (1–168), each once; returns how many
    /// were new. Call it periodically (a WorkManager job, a background
    /// task, a portal's scheduler).
    pub async fn announce_upcoming(&self, within_hours: u32) -> SessionResult<u32> {
        let upcoming = self.core().upcoming(&self.actor, within_hours).await?;
        let mut announced = 0;
        for item in upcoming {
            if self.shared.remind(&self.actor.user, item) {
                announced += 1;
            }
        }
        Ok(announced)
    }
}
