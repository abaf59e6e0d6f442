//! The community's rhythm: events in a time zone, recurring or not,
//! cancelled occurrences, RSVPs with capacity, attendance, and an
//! iCalendar feed.

use jiff::Timestamp;
use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::error::{Conflict, Error, Result};
use crate::ids::{CommunityId, EventId, SpaceId, UserId};
use crate::model::Contribution;
use crate::model::{
    ActivityKind, Attendance, Event, Occurrence, Page, PageRequest, Recurrence, Rsvp, RsvpResponse,
    RsvpTally,
};
use crate::policy::{self, CommunityAction, SpaceAction, SpaceViewer, Standing};
use crate::recurrence;
use crate::service::access::{CommunityAccess, SpaceAccess};
use crate::service::{Actor, Copkit, check_version};
use crate::store::{EventOp, Expect, Range, Records, Transaction, Wanted};
use crate::validate::Checker;
use crate::validate::limits;

/// An event's description and schedule, for scheduling and for replacing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", schema(example = json!({"title": "Trainers' workshop: feedback that lands", "description": "Bring a recent tutorial you found hard.", "location": "Postgraduate centre, room 2", "time_zone": "Europe/London", "start_date": "2027-03-03", "start_time": "18:30", "duration_minutes": 90, "capacity": 30})))]
pub struct EventInput {
    /// Title, 3–200 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:line", min_length = 3, max_length = 200)
    )]
    pub title: String,
    /// Description, up to 5,000 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = "copkit:text", max_length = 5000))]
    pub description: String,
    /// Where, for meetings in person (1–200 characters).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:line", min_length = 1, max_length = 200)
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub location: Option<String>,
    /// The link, for online meetings (http or https, up to 500 characters).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:web-link", max_length = 500)
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub online_url: Option<String>,
    /// IANA time zone, such as `Europe/London`.
    #[cfg_attr(feature = "openapi", schema(format = "copkit:time-zone"))]
    pub time_zone: String,
    /// Local date of the first occurrence.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub start_date: jiff::civil::Date,
    /// Local start time, `HH:MM`.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$", example = "18:30")
    )]
    pub start_time: String,
    /// Minutes per occurrence, 5–1,440.
    #[serde(deserialize_with = "crate::json::whole_u32")]
    #[cfg_attr(feature = "openapi", schema(minimum = 5, maximum = 1440))]
    pub duration_minutes: u32,
    /// How it repeats.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub recurrence: Option<Recurrence>,
    /// Most people going per occurrence (1–10,000).
    #[serde(default, deserialize_with = "crate::json::whole_option_u32")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10000))]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub capacity: Option<u32>,
}

/// One occurrence with the event it belongs to, for agendas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AgendaItem {
    /// The event.
    pub event: Event,
    /// The occurrence.
    pub occurrence: Occurrence,
}

/// The validated fields of an [`EventInput`].
struct Details {
    title: String,
    description: String,
    location: Option<String>,
    online_url: Option<String>,
    time_zone: String,
    starts: DateTime,
    duration_minutes: u32,
    recurrence: Option<Recurrence>,
    capacity: Option<u32>,
}

/// The web-link pattern, compiled once (the constant is checked by a unit
/// test; were it ever invalid, no link would match). It is ASCII, so the
/// small `regex-lite` engine matches it exactly as the schema's does.
fn is_web_link(link: &str) -> bool {
    static LINK: std::sync::LazyLock<Option<regex_lite::Regex>> = std::sync::LazyLock::new(|| {
        regex_lite::Regex::new(crate::validate::patterns::WEB_LINK).ok()
    });
    LINK.as_ref().is_some_and(|re| re.is_match(link))
}

fn check_event(check: &mut Checker, input: &EventInput) -> Option<Details> {
    let title = check.line("title", &input.title, limits::TITLE_MIN, limits::TITLE_MAX);
    let description = check.text(
        "description",
        &input.description,
        0,
        limits::EVENT_DESCRIPTION_MAX,
    );
    let location = input
        .location
        .as_deref()
        .map(|l| check.line("location", l, 1, limits::LOCATION_MAX));
    let online_url = input.online_url.as_deref().map(|link| {
        if link.chars().count() > limits::URL_MAX || !is_web_link(link) {
            check.fail("online_url", "invalid_url", "must be an http or https link");
        }
        link.to_owned()
    });
    if let Err(e) = recurrence::time_zone(&input.time_zone) {
        check.check::<()>(Err(e));
    }
    let time = jiff::civil::Time::strptime("%H:%M", &input.start_time)
        .ok()
        .filter(|_| input.start_time.len() == 5);
    if time.is_none() {
        check.fail("start_time", "invalid_time", "must be HH:MM");
    }
    if !(5..=1_440).contains(&input.duration_minutes) {
        check.fail(
            "duration_minutes",
            "out_of_range",
            "must be 5 to 1,440 minutes",
        );
    }
    if let Some(r) = &input.recurrence {
        for problem in recurrence::check_recurrence(r) {
            check.check::<()>(Err(problem));
        }
    }
    if input.capacity.is_some_and(|c| !(1..=10_000).contains(&c)) {
        check.fail("capacity", "out_of_range", "must be 1 to 10,000");
    }
    Some(Details {
        title,
        description,
        location,
        online_url,
        time_zone: input.time_zone.clone(),
        starts: input.start_date.to_datetime(time?),
        duration_minutes: input.duration_minutes,
        recurrence: input.recurrence.clone(),
        capacity: input.capacity,
    })
}

impl Details {
    /// Writes the input's fields onto `event`.
    fn apply(self, event: &mut Event) {
        event.title = self.title;
        event.description = self.description;
        event.location = self.location;
        event.online_url = self.online_url;
        event.time_zone = self.time_zone;
        event.starts = self.starts;
        event.duration_minutes = self.duration_minutes;
        event.recurrence = self.recurrence;
        event.capacity = self.capacity;
    }
}

fn details(input: &EventInput) -> Result<Details> {
    let mut check = Checker::new();
    let details = check_event(&mut check, input);
    check.finish()?;
    details.ok_or_else(|| Error::Internal("event input validated but incomplete".into()))
}

/// The occurrence of `event` whose key is `key`, if the schedule generates
/// it (cancelled or not).
fn find_occurrence(event: &Event, key: &str) -> Result<Occurrence> {
    // An occurrence the schedule does not generate is like a missing sub-resource.
    let local: DateTime = key.parse().map_err(|_| Error::NotFound)?;
    if !recurrence::generates(event, local) {
        return Err(Error::NotFound);
    }
    let tz = recurrence::time_zone(&event.time_zone).map_err(|e| Error::Invalid(vec![e]))?;
    let starts_at = recurrence::instant(local, &tz).map_err(|_| Error::NotFound)?;
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
        let (event, access, _) = self.event_access_with(actor, id, |_| Vec::new()).await?;
        Ok((event, access))
    }

    /// The event, the caller's access, and `also` (an RSVP, a tally…) read
    /// with the access facts (two reads in all).
    async fn event_access_with(
        &self,
        actor: &Actor,
        id: &EventId,
        also: impl FnOnce(&Event) -> Vec<Wanted>,
    ) -> Result<(Event, SpaceAccess, Records)> {
        let event = self.store().get_event(id).await?.ok_or(Error::NotFound)?;
        let (access, records) = self
            .space_access_with(actor, &event.community, &event.space, also(&event))
            .await?;
        access.require(actor, SpaceAction::View)?;
        Ok((event, access, records))
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
        let details = details(&input)?;
        let now = self.now();
        let mut event = Event {
            id: EventId(self.new_ulid(now)),
            space: *space,
            community: access.space.community,
            title: String::new(),
            description: String::new(),
            location: None,
            online_url: None,
            time_zone: String::new(),
            starts: details.starts,
            duration_minutes: 0,
            recurrence: None,
            cancelled: Vec::new(),
            capacity: None,
            created_by: actor.user.clone(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        details.apply(&mut event);
        let tx = Transaction::new()
            .with(EventOp::PutEvent {
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
        let mut new = old.clone();
        details(&input)?.apply(&mut new);
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
            .with(EventOp::PutEvent {
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
        let store = self.store();
        self.visible_page(
            &scope,
            page,
            |range| async move { store.list_events(community, &range).await },
            |e: &Event| visible.contains(&e.space),
        )
        .await
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
        let access = self
            .authorize(actor, community, CommunityAction::ViewListing)
            .await?;
        self.agenda_within(actor, &access, from, to).await
    }

    /// The agenda of the community in `access`, already authorized.
    pub(crate) async fn agenda_within(
        &self,
        actor: &Actor,
        access: &CommunityAccess,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<AgendaItem>> {
        let community = &access.community.id;
        let visible: Vec<SpaceId> = self
            .visible_spaces(actor, access)
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
        let items = self.agenda_within(actor, &access, from, to).await?;
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
        let (event, access, mut records) = self
            .event_access_with(actor, id, |e| {
                find_occurrence(e, occurrence)
                    .map(|f| vec![Wanted::Rsvp(*id, f.key, actor.user.clone())])
                    .unwrap_or_default()
            })
            .await?;
        access.require(actor, SpaceAction::Contribute)?;
        let found = find_occurrence(&event, occurrence)?;
        let now = self.now();
        if event.cancelled.binary_search(&found.local_start).is_ok() || found.starts_at <= now {
            return Err(Error::Conflict(Conflict::Closed));
        }
        let old = records.rsvp();
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
            .with(EventOp::PutRsvp {
                rsvp: rsvp.clone(),
                expect: Expect::from_version(old.as_ref().map(|r| r.version)),
            })
            .with(EventOp::AdjustRsvpTally {
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
        let (event, _, mut records) = self
            .event_access_with(actor, id, |e| {
                find_occurrence(e, occurrence)
                    .map(|f| vec![Wanted::RsvpTally(*id, f.key)])
                    .unwrap_or_default()
            })
            .await?;
        find_occurrence(&event, occurrence)?;
        Ok(records.tally().unwrap_or_default())
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
        let (event, access, mut records) = self
            .event_access_with(actor, id, |e| {
                let mut also = vec![Wanted::Attendance(
                    e.id,
                    occurrence.to_owned(),
                    user.clone(),
                )];
                if *user != actor.user {
                    also.push(Wanted::Membership(e.community, user.clone()));
                    also.push(Wanted::Participation(e.community, user.clone()));
                    also.push(Wanted::Grant(e.space, user.clone()));
                }
                also
            })
            .await?;
        access.require(actor, SpaceAction::Moderate)?;
        let found = find_occurrence(&event, occurrence)?;
        let now = self.now();
        if found.starts_at > now {
            // Attendance is recorded once the session has started.
            return Err(Error::Conflict(Conflict::WrongState));
        }
        if event.cancelled.binary_search(&found.local_start).is_ok() {
            return Err(Error::Conflict(Conflict::Closed));
        }
        let (member, participation, granted) = if *user == actor.user {
            (
                access.community.membership.clone(),
                access.participation.clone(),
                access.granted,
            )
        } else {
            let member = records.membership_of(user);
            let granted = records
                .grant_of(user)
                .is_some_and(|g| g.holds_for(member.as_ref()));
            (member, records.participation_of(user), granted)
        };
        if !member.as_ref().is_some_and(|m| m.is_active()) {
            // Only current members and guests attend.
            return Err(Error::NotFound);
        }
        // Only someone who may see the event attends it (its title would
        // otherwise reach their CPD record and export).
        let attendee = SpaceViewer {
            user,
            standing: Standing::of(member.as_ref(), false, now),
            granted,
        };
        if policy::space(
            &access.community.community,
            &access.space,
            attendee,
            SpaceAction::View,
        )
        .is_err()
        {
            return Err(Error::NotFound);
        }
        // Counted once: when an occurrence is first recorded as attended.
        let already = records
            .attendance()
            .is_some_and(|a| a.occurrence == found.key && a.attended);
        let counted = if attended && !already {
            Self::counted(
                access.community.community.level_rules,
                member.as_ref(),
                participation,
                Contribution::Attended,
            )
        } else {
            None
        };
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
            .with(EventOp::PutAttendance {
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
        self.commit_counting(tx, counted).await?;
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    /// The run-time check (regex-lite) and the schema's pattern (the full
    /// engine, as JSON Schema validators read it) agree.
    #[test]
    fn web_links_are_checked_as_the_schema_says() {
        let schema = regex::Regex::new(crate::validate::patterns::WEB_LINK).unwrap();
        for link in [
            "https://meet.example.org/st3?pwd=abc",
            "http://localhost:8080/room",
            "https://a.b-c.example/x_y~z/%20?q=1&r=2",
            "https://-bad.example/",
            "javascript:alert(1)",
            "https://meet.example.org/a b",
            "https://exämple.org/",
            "ftp://files.example.org/",
            "https://example.org:123456/",
            "",
        ] {
            assert_eq!(super::is_web_link(link), schema.is_match(link), "{link}");
        }
    }
}
