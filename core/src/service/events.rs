//! The community's rhythm: events in a time zone, recurring or not,
//! cancelled occurrences, RSVPs with capacity, attendance, and an
//! iCalendar feed.

use jiff::Timestamp;
use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::error::{Conflict, Error, Result};
use crate::ids::{CommunityId, EventId, SpaceId, UserId};
use crate::model::{
    ActivityKind, Attendance, Event, Occurrence, Page, PageRequest, Recurrence, Rsvp, RsvpResponse,
    RsvpTally,
};
use crate::policy::{CommunityAction, SpaceAction};
use crate::recurrence;
use crate::service::access::SpaceAccess;
use crate::service::content::limits;
use crate::service::{Actor, Copkit, check_version};
use crate::store::{Expect, Op, Range, Transaction};
use crate::validate::Checker;

/// An event's description and schedule, for scheduling and for replacing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// Title, 3–200 characters.
    pub title: String,
    /// Description, up to 5,000 characters.
    #[serde(default)]
    pub description: String,
    /// Where, for meetings in person (up to 200 characters).
    #[serde(default)]
    pub location: Option<String>,
    /// The link, for online meetings (http or https).
    #[serde(default)]
    pub online_url: Option<String>,
    /// IANA time zone, such as `Europe/London`.
    pub time_zone: String,
    /// Local start of the first occurrence.
    pub starts: DateTime,
    /// Minutes per occurrence, 5–1,440.
    pub duration_minutes: u32,
    /// How it repeats.
    #[serde(default)]
    pub recurrence: Option<Recurrence>,
    /// Most people going per occurrence (1–10,000).
    #[serde(default)]
    pub capacity: Option<u32>,
}

/// One occurrence with the event it belongs to, for agendas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    /// The event.
    pub event: Event,
    /// The occurrence.
    pub occurrence: Occurrence,
}

fn optional(check: &mut Checker, field: &str, value: Option<&str>, max: usize) -> Option<String> {
    let v = check.line(field, value.unwrap_or_default(), 0, max);
    if v.is_empty() { None } else { Some(v) }
}

fn check_event(check: &mut Checker, input: &EventInput) -> Event {
    let title = check.line("title", &input.title, limits::TITLE_MIN, limits::TITLE_MAX);
    let description = check.text(
        "description",
        &input.description,
        0,
        limits::EVENT_DESCRIPTION_MAX,
    );
    let location = optional(
        check,
        "location",
        input.location.as_deref(),
        limits::LOCATION_MAX,
    );
    let online_url = optional(
        check,
        "online_url",
        input.online_url.as_deref(),
        limits::URL_MAX,
    );
    if let Some(link) = &online_url {
        let ok = url::Url::parse(link).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if !ok {
            check.fail("online_url", "invalid_url", "must be an http or https link");
        }
    }
    if let Err(e) = recurrence::time_zone(&input.time_zone) {
        check.check::<()>(Err(e));
    }
    if !(2000..=2100).contains(&input.starts.year()) {
        check.fail(
            "starts",
            "out_of_range",
            "must be between the years 2000 and 2100",
        );
    }
    if !(5..=1_440).contains(&input.duration_minutes) {
        check.fail(
            "duration_minutes",
            "out_of_range",
            "must be 5 to 1,440 minutes",
        );
    }
    if let Some(r) = &input.recurrence {
        for problem in recurrence::check_recurrence(r, input.starts) {
            check.check::<()>(Err(problem));
        }
    }
    if input.capacity.is_some_and(|c| !(1..=10_000).contains(&c)) {
        check.fail("capacity", "out_of_range", "must be 1 to 10,000");
    }
    // Fields the caller does not own are filled in by the callers of this function.
    Event {
        id: EventId(ulid::Ulid(0)),
        space: SpaceId(ulid::Ulid(0)),
        community: CommunityId(ulid::Ulid(0)),
        title,
        description,
        location,
        online_url,
        time_zone: input.time_zone.clone(),
        starts: input.starts,
        duration_minutes: input.duration_minutes,
        recurrence: input.recurrence.clone(),
        cancelled: Vec::new(),
        capacity: input.capacity,
        created_by: UserId::range_start(),
        created_at: Timestamp::UNIX_EPOCH,
        updated_at: Timestamp::UNIX_EPOCH,
        version: 0,
    }
}

/// The occurrence of `event` whose key is `key`, if the schedule generates
/// it (cancelled or not).
fn find_occurrence(event: &Event, key: &str) -> Result<Occurrence> {
    let local: DateTime = key
        .parse()
        .map_err(|_| Error::invalid("occurrence", "invalid_occurrence", "not an occurrence key"))?;
    if !recurrence::generates(event, local) {
        return Err(Error::invalid(
            "occurrence",
            "no_such_occurrence",
            "the event has no occurrence then",
        ));
    }
    let tz = recurrence::time_zone(&event.time_zone).map_err(|e| Error::Invalid(vec![e]))?;
    let starts_at = recurrence::instant(local, &tz)?;
    Ok(Occurrence {
        event: event.id,
        key: recurrence::occurrence_key(local),
        local_start: local,
        starts_at,
        ends_at: starts_at
            .saturating_add(jiff::SignedDuration::from_mins(i64::from(
                event.duration_minutes,
            )))
            .unwrap_or(starts_at),
    })
}

impl Copkit {
    async fn event_access(&self, actor: &Actor, id: &EventId) -> Result<(Event, SpaceAccess)> {
        let event = self.store().get_event(id).await?.ok_or(Error::NotFound)?;
        let access = self.space_access(actor, &event.space).await?;
        access.require(actor, SpaceAction::View)?;
        Ok((event, access))
    }

    /// Schedules an event in a space.
    pub async fn schedule_event(
        &self,
        actor: &Actor,
        space: &SpaceId,
        input: EventInput,
    ) -> Result<Event> {
        let access = self
            .authorize_space(actor, space, SpaceAction::Contribute)
            .await?;
        let mut check = Checker::new();
        let mut event = check_event(&mut check, &input);
        check.finish()?;
        let now = self.now();
        event.id = EventId(self.new_ulid(now));
        event.space = *space;
        event.community = access.space.community;
        event.created_by = actor.user.clone();
        event.created_at = now;
        event.updated_at = now;
        event.version = 1;
        let tx = Transaction::new()
            .with(Op::PutEvent {
                event: event.clone(),
                expect: Expect::Absent,
            })
            .with(self.activity(
                actor,
                event.community,
                Some(*space),
                now,
                ActivityKind::EventScheduled { event: event.id },
            ));
        self.commit(tx).await?;
        Ok(event)
    }

    /// Replaces an event's description and schedule (its creator or a
    /// moderator). Cancellations the new schedule still generates are kept.
    pub async fn update_event(
        &self,
        actor: &Actor,
        id: &EventId,
        input: EventInput,
        expected_version: u64,
    ) -> Result<Event> {
        let (old, access) = self.event_access(actor, id).await?;
        self.may_change(actor, &access, &old.created_by, true)?;
        check_version(old.version, expected_version)?;
        let mut check = Checker::new();
        let mut new = check_event(&mut check, &input);
        check.finish()?;
        new.id = old.id;
        new.space = old.space;
        new.community = old.community;
        new.created_by = old.created_by.clone();
        new.created_at = old.created_at;
        new.cancelled = old
            .cancelled
            .iter()
            .copied()
            .filter(|c| recurrence::generates(&new, *c))
            .collect();
        new.updated_at = self.now();
        new.version = old.version + 1;
        self.put_event(
            actor,
            &old,
            new.clone(),
            ActivityKind::EventUpdated { event: *id },
        )
        .await?;
        Ok(new)
    }

    async fn put_event(
        &self,
        actor: &Actor,
        old: &Event,
        new: Event,
        kind: ActivityKind,
    ) -> Result<()> {
        let tx = Transaction::new()
            .with(Op::PutEvent {
                event: new,
                expect: Expect::Version(old.version),
            })
            .with(self.activity(actor, old.community, Some(old.space), self.now(), kind));
        self.commit(tx).await
    }

    /// Cancels (`true`) or restores (`false`) one occurrence (the event's
    /// creator or a moderator).
    pub async fn set_occurrence_cancelled(
        &self,
        actor: &Actor,
        id: &EventId,
        occurrence: &str,
        cancelled: bool,
        expected_version: u64,
    ) -> Result<Event> {
        let (old, access) = self.event_access(actor, id).await?;
        self.may_change(actor, &access, &old.created_by, true)?;
        check_version(old.version, expected_version)?;
        let found = find_occurrence(&old, occurrence)?;
        let mut new = old.clone();
        match (new.cancelled.binary_search(&found.local_start), cancelled) {
            (Ok(_), true) | (Err(_), false) => return Ok(old),
            (Err(at), true) => new.cancelled.insert(at, found.local_start),
            (Ok(at), false) => {
                new.cancelled.remove(at);
            }
        }
        new.updated_at = self.now();
        new.version = old.version + 1;
        let kind = ActivityKind::OccurrenceCancelled {
            event: *id,
            occurrence: found.key,
            cancelled,
        };
        self.put_event(actor, &old, new.clone(), kind).await?;
        Ok(new)
    }

    /// One event.
    pub async fn get_event(&self, actor: &Actor, id: &EventId) -> Result<Event> {
        Ok(self.event_access(actor, id).await?.0)
    }

    /// A community's events in spaces the caller can see, oldest first.
    pub async fn list_events(
        &self,
        actor: &Actor,
        community: &CommunityId,
        page: &PageRequest,
    ) -> Result<Page<Event>> {
        let visible: Vec<SpaceId> = self
            .list_spaces(actor, community)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        let scope = format!("events|{community}");
        let range = self.range(&scope, page)?;
        let chunk = self.store().list_events(community, &range).await?;
        let page = self.page(&scope, chunk)?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .filter(|e| visible.contains(&e.space))
                .collect(),
            next: page.next,
        })
    }

    /// An event's occurrences starting in `[from, to)` (at most 400 days),
    /// cancelled ones left out.
    pub async fn event_occurrences(
        &self,
        actor: &Actor,
        id: &EventId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Occurrence>> {
        let (event, _) = self.event_access(actor, id).await?;
        recurrence::expand(&event, from, to)
    }

    /// Every occurrence in `[from, to)` of the community's events the caller
    /// can see, by start time.
    pub async fn agenda(
        &self,
        actor: &Actor,
        community: &CommunityId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<AgendaItem>> {
        let visible: Vec<SpaceId> = self
            .list_spaces(actor, community)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        let mut items = Vec::new();
        let mut range = Range::first(100);
        loop {
            let chunk = self.store().list_events(community, &range).await?;
            for event in chunk
                .items
                .into_iter()
                .filter(|e| visible.contains(&e.space))
            {
                for occurrence in recurrence::expand(&event, from, to)? {
                    items.push(AgendaItem {
                        event: event.clone(),
                        occurrence,
                    });
                }
            }
            match chunk.next {
                Some(next) => range.after = Some(next),
                None => break,
            }
        }
        items.sort_by(|a, b| {
            (a.occurrence.starts_at, a.event.id).cmp(&(b.occurrence.starts_at, b.event.id))
        });
        Ok(items)
    }

    /// The agenda as an RFC 5545 iCalendar feed.
    pub async fn calendar_feed(
        &self,
        actor: &Actor,
        community: &CommunityId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<String> {
        let access = self
            .authorize(actor, community, CommunityAction::ViewListing)
            .await?;
        let items = self.agenda(actor, community, from, to).await?;
        let entries: Vec<(&Event, Occurrence)> = items
            .iter()
            .map(|i| (&i.event, i.occurrence.clone()))
            .collect();
        Ok(crate::ical::feed(
            &access.community.name,
            &entries,
            self.now(),
        ))
    }

    /// Answers for one upcoming occurrence. Going counts against the
    /// capacity, inside the same write as the answer.
    pub async fn rsvp(
        &self,
        actor: &Actor,
        id: &EventId,
        occurrence: &str,
        response: RsvpResponse,
    ) -> Result<Rsvp> {
        let (event, access) = self.event_access(actor, id).await?;
        access.require(actor, SpaceAction::Contribute)?;
        let found = find_occurrence(&event, occurrence)?;
        let now = self.now();
        if event.cancelled.binary_search(&found.local_start).is_ok() || found.starts_at <= now {
            return Err(Error::Conflict(Conflict::Closed));
        }
        let old = self.store().get_rsvp(id, &found.key, &actor.user).await?;
        if old.as_ref().is_some_and(|r| r.response == response) {
            return old.ok_or(Error::NotFound);
        }
        let delta = |r: RsvpResponse| -> i64 {
            i64::from(response == r) - i64::from(old.as_ref().is_some_and(|o| o.response == r))
        };
        let rsvp = Rsvp {
            event: *id,
            occurrence: found.key.clone(),
            user: actor.user.clone(),
            response,
            at: now,
            version: old.as_ref().map_or(1, |r| r.version + 1),
        };
        let tx = Transaction::new()
            .with(Op::PutRsvp {
                rsvp: rsvp.clone(),
                expect: Expect::from_version(old.as_ref().map(|r| r.version)),
            })
            .with(Op::AdjustRsvpTally {
                event: *id,
                occurrence: found.key.clone(),
                going: delta(RsvpResponse::Going),
                maybe: delta(RsvpResponse::Maybe),
                declined: delta(RsvpResponse::Declined),
                capacity: event.capacity,
            })
            .with(self.activity(
                actor,
                event.community,
                Some(event.space),
                now,
                ActivityKind::Rsvped {
                    event: *id,
                    occurrence: found.key,
                    response,
                },
            ));
        self.commit(tx).await?;
        Ok(rsvp)
    }

    /// Answers for one occurrence, by person.
    pub async fn list_rsvps(
        &self,
        actor: &Actor,
        id: &EventId,
        occurrence: &str,
        page: &PageRequest,
    ) -> Result<Page<Rsvp>> {
        let (event, _) = self.event_access(actor, id).await?;
        let found = find_occurrence(&event, occurrence)?;
        let scope = format!("rsvps|{id}|{}", found.key);
        let range = self.range(&scope, page)?;
        let chunk = self.store().list_rsvps(id, &found.key, &range).await?;
        self.page(&scope, chunk)
    }

    /// How many are going, maybe going, and not going.
    pub async fn rsvp_tally(
        &self,
        actor: &Actor,
        id: &EventId,
        occurrence: &str,
    ) -> Result<RsvpTally> {
        let (event, _) = self.event_access(actor, id).await?;
        let found = find_occurrence(&event, occurrence)?;
        Ok(self.store().get_rsvp_tally(id, &found.key).await?)
    }

    /// Records whether someone attended an occurrence that has started
    /// (moderators). Attending credits the occurrence's minutes (CPD evidence).
    pub async fn record_attendance(
        &self,
        actor: &Actor,
        id: &EventId,
        occurrence: &str,
        user: &UserId,
        attended: bool,
    ) -> Result<Attendance> {
        let (event, access) = self.event_access(actor, id).await?;
        access.require(actor, SpaceAction::Moderate)?;
        let found = find_occurrence(&event, occurrence)?;
        let now = self.now();
        if found.starts_at > now {
            return Err(Error::invalid(
                "occurrence",
                "not_started",
                "attendance is recorded once the session has started",
            ));
        }
        if event.cancelled.binary_search(&found.local_start).is_ok() {
            return Err(Error::Conflict(Conflict::Closed));
        }
        let member = self.store().get_membership(&event.community, user).await?;
        if !member.is_some_and(|m| m.is_active()) {
            return Err(Error::invalid(
                "user",
                "not_a_member",
                "only current members and guests attend",
            ));
        }
        let attendance = Attendance {
            event: *id,
            occurrence: found.key.clone(),
            community: event.community,
            user: user.clone(),
            attended,
            minutes: if attended { event.duration_minutes } else { 0 },
            recorded_by: actor.user.clone(),
            recorded_at: now,
        };
        let tx = Transaction::new()
            .with(Op::PutAttendance {
                attendance: attendance.clone(),
            })
            .with(self.activity(
                actor,
                event.community,
                Some(event.space),
                now,
                ActivityKind::AttendanceRecorded {
                    event: *id,
                    occurrence: found.key,
                    user: user.clone(),
                    attended,
                    minutes: attendance.minutes,
                },
            ));
        self.commit(tx).await?;
        Ok(attendance)
    }

    /// Attendance recorded for one occurrence (moderators).
    pub async fn list_attendance(
        &self,
        actor: &Actor,
        id: &EventId,
        occurrence: &str,
    ) -> Result<Vec<Attendance>> {
        let (event, access) = self.event_access(actor, id).await?;
        access.require(actor, SpaceAction::Moderate)?;
        let found = find_occurrence(&event, occurrence)?;
        Ok(self.store().list_attendance(id, &found.key).await?)
    }
}
