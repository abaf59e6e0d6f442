//! Rhythm digests: a member chooses off, daily or weekly at a local hour;
//! the scheduled producer ([`Copkit::send_due_digests`]) builds the digests
//! that are due and hands them to a [`Mailer`].
//!
//! A digest covers the period since the member's previous one (at most
//! [`DIGEST_MAX_PERIOD_DAYS`]) and, per community where they are an active
//! member or guest, tells only what they may see **now**:
//! - new threads and documents by others, accepted answers and poll results,
//!   from the community's activity record in the period, kept only when the
//!   activity's space is one they can view today (a guest: their granted
//!   spaces; a member: not the restricted spaces they are not in);
//! - open questions without an accepted answer in those spaces, active in
//!   the last [`UNANSWERED_MAX_AGE_DAYS`] days;
//! - occurrences of visible events in the next 7 days;
//! - new members, only for those who may see the roster (not guests).
//!
//! A member who left or was banned has no active membership, so that
//! community is not read at all. Deleted threads and documents are left
//! out. Each section holds at most [`DIGEST_SECTION_LIMIT`] items and a
//! community's period at most [`DIGEST_ACTIVITY_LIMIT`] activities (the
//! digest says `truncated` when either cut something).
//!
//! Delivery is at-least-once with a stable mail id (from the due time and
//! the member), and the schedule is advanced only after delivery: a crash
//! in between produces the same mail again, which [`crate::mail::Outbox`]
//! recognises.

use std::collections::{BTreeMap, BTreeSet};

use jiff::{SignedDuration, Timestamp, ToSpan, civil};
use serde::{Deserialize, Serialize};

use crate::error::{Error, FieldError, Result};
use crate::ids::{DocumentId, MailId, SpaceId, ThreadId, UserId};
use crate::mail::Mailer;
use crate::model::{
    ActivityKind, CommunityDigest, Digest, DigestAnswer, DigestDocument, DigestEvent,
    DigestFrequency, DigestMember, DigestNotice, DigestPoll, DigestPollOption, DigestPreference,
    DigestSchedule, DigestThread, Mail, Membership, MembershipStatus, Page, PageRequest, Thread,
    ThreadKind,
};
use crate::policy::CommunityAction;
use crate::recurrence;
use crate::service::access::CommunityAccess;
use crate::service::unsubscribe::MailStream;
use crate::service::{Actor, Copkit, render};
use crate::store::{DigestOp, Expect, Range, Transaction, Wanted};

/// Most items per digest section.
pub const DIGEST_SECTION_LIMIT: usize = 20;
/// Most activities read per community for one digest.
pub const DIGEST_ACTIVITY_LIMIT: usize = 2_000;
/// The longest period one digest covers.
pub const DIGEST_MAX_PERIOD_DAYS: i64 = 31;
/// Open questions older than this are no longer listed as unanswered.
pub const UNANSWERED_MAX_AGE_DAYS: i64 = 30;
/// The largest digest, as JSON. The renderings are of the same order, so a
/// stored mail stays far below DynamoDB's 400 KB item limit; a digest over
/// it loses items from its longest sections (and says `truncated`).
pub const DIGEST_MAX_JSON_BYTES: usize = 64 * 1024;
/// How far ahead a digest lists events.
const UPCOMING_DAYS: i64 = 7;
/// Schedules read per round of the producer.
const DIGEST_BATCH: u32 = 100;
/// How long a digest that could not be delivered waits before the next try.
const RETRY_AFTER: SignedDuration = SignedDuration::from_hours(1);

/// What one run of the digest producer did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DigestRun {
    /// Schedules that were due.
    pub examined: u32,
    /// Digests delivered.
    pub sent: u32,
    /// Due digests with nothing to tell (not sent; the period moves on).
    pub empty: u32,
    /// Digests the mailer did not take (retried an hour later).
    pub failed: u32,
    /// Schedules changed by their member meanwhile (left for the next run).
    pub skipped: u32,
    /// Whether schedules were still due when the run reached its limit.
    pub more_due: bool,
}

/// When the next digest for `preference` falls strictly after `after`
/// (`None` when digests are off). Local hours that do not exist (a spring
/// gap) move forward; repeated ones (an autumn fold) take the first.
pub fn next_digest_at(
    preference: &DigestPreference,
    after: Timestamp,
) -> Result<Option<Timestamp>> {
    if preference.frequency == DigestFrequency::Off {
        return Ok(None);
    }
    let tz = recurrence::time_zone(&preference.time_zone)?;
    let mut day = after.to_zoned_datetime(tz.clone()).date();
    let hour = i8::try_from(preference.hour).map_err(|_| hour_error())?;
    // Eight days always reach the next matching weekday after `after`.
    for _ in 0..=8 {
        let wanted_day = preference.frequency == DigestFrequency::Daily
            || day.weekday() == civil::Weekday::from(preference.weekday);
        if wanted_day {
            let at = recurrence::instant(day.at(hour, 0, 0, 0), &tz)?;
            if at > after {
                return Ok(Some(at));
            }
        }
        day = day
            .checked_add(1.day())
            .map_err(|e| Error::Internal(format!("digest day overflow: {e}")))?;
    }
    Err(Error::Internal("no digest time within eight days".into()))
}

fn hour_error() -> FieldError {
    FieldError::new("hour", "out_of_range", "must be an hour from 0 to 23")
}

/// Checks a preference: hour 0–23, a known IANA time zone.
fn validate(preference: &DigestPreference) -> Result<()> {
    if preference.hour > 23 {
        return Err(hour_error().into());
    }
    recurrence::time_zone(&preference.time_zone)?;
    Ok(())
}

/// The stable id of the digest for `user` due at `due`: the due time in the
/// ULID's time part, a hash of the user in its random part.
fn mail_id(user: &UserId, due: Timestamp) -> MailId {
    let ms = u64::try_from(due.as_millisecond()).unwrap_or(0);
    // FNV-1a over the user id, widened to the ULID's 80 random bits.
    let hash = user
        .as_str()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    let random = (u128::from(hash) << 16) | u128::from(hash as u16);
    MailId(ulid::Ulid::from_parts(ms, random))
}

impl Copkit {
    /// The caller's digest schedule (digests off when never chosen).
    pub async fn digest_preference(&self, actor: &Actor) -> Result<DigestSchedule> {
        let stored = self.store().get_digest_schedule(&actor.user).await?;
        Ok(stored.unwrap_or_else(|| DigestSchedule {
            user: actor.user.clone(),
            preference: DigestPreference::default(),
            email: actor.email.clone(),
            next_due: None,
            covered_until: self.now(),
            updated_at: self.now(),
            version: 0,
        }))
    }

    /// Chooses the caller's rhythm. Switching on (or changing the hour)
    /// schedules the next digest; it covers the time since the previous
    /// one, or since digests were switched on. The caller's verified email
    /// (if the identity carries one) becomes the address.
    pub async fn set_digest_preference(
        &self,
        actor: &Actor,
        preference: DigestPreference,
    ) -> Result<DigestSchedule> {
        validate(&preference)?;
        let now = self.now();
        let current = self.store().get_digest_schedule(&actor.user).await?;
        let was_on = current
            .as_ref()
            .is_some_and(|s| s.preference.frequency != DigestFrequency::Off);
        let schedule = DigestSchedule {
            user: actor.user.clone(),
            next_due: next_digest_at(&preference, now)?,
            preference,
            email: actor
                .email
                .clone()
                .or_else(|| current.as_ref().and_then(|s| s.email.clone())),
            covered_until: match &current {
                Some(s) if was_on => s.covered_until,
                _ => now,
            },
            updated_at: now,
            version: current.as_ref().map_or(1, |s| s.version + 1),
        };
        let tx = Transaction::new().with(DigestOp::PutDigestSchedule {
            schedule: schedule.clone(),
            expect: Expect::from_version(current.map(|s| s.version)),
        });
        self.commit(tx).await?;
        Ok(schedule)
    }

    /// The digest the caller would receive now (for the period since their
    /// last one, or the last 7 days), rendered but not sent.
    pub async fn preview_digest(&self, actor: &Actor) -> Result<Mail> {
        let now = self.now();
        let (since, rhythm) = match self.store().get_digest_schedule(&actor.user).await? {
            Some(s) if s.preference.frequency != DigestFrequency::Off => {
                (s.covered_until, Some(s.preference.frequency))
            }
            _ => (now - SignedDuration::from_hours(24 * UPCOMING_DAYS), None),
        };
        let digest = self.digest_for(&actor.user, since, now).await?;
        Ok(render::mail(
            mail_id(&actor.user, now),
            actor.email.clone(),
            digest,
            rhythm,
            now,
            None,
        ))
    }

    /// The digests sent to the caller, newest first.
    pub async fn list_outbox(&self, actor: &Actor, page: &PageRequest) -> Result<Page<Mail>> {
        let scope = format!("outbox|{}", actor.user);
        let range = self.range(&scope, page)?;
        let chunk = self.store().list_outbox(&actor.user, &range).await?;
        self.page(&scope, chunk)
    }

    /// Builds and delivers the digests due now, at most `max` (the
    /// scheduled job; `more_due` says when some wait for the next run). A
    /// digest with nothing to tell is not sent, but its period is closed.
    /// A digest that fails (the mailer refuses it, or it cannot be built)
    /// is counted in `failed` and tried again by a later run; the run goes
    /// on with the others, and stops only when the store is unavailable.
    pub async fn send_due_digests(&self, mailer: &dyn Mailer, max: u32) -> Result<DigestRun> {
        let now = self.now();
        let mut run = DigestRun::default();
        let mut seen = BTreeSet::new();
        loop {
            if run.examined >= max {
                run.more_due = !self.store().digests_due(now, 1).await?.is_empty();
                return Ok(run);
            }
            let batch = (max - run.examined).min(DIGEST_BATCH);
            let due = self.store().digests_due(now, batch).await?;
            let fresh: Vec<DigestSchedule> = due
                .into_iter()
                .filter(|s| seen.insert(s.user.clone()))
                .collect();
            if fresh.is_empty() {
                return Ok(run);
            }
            for schedule in fresh {
                run.examined += 1;
                match self.send_digest(schedule, mailer, now, &mut run).await {
                    Ok(()) => {}
                    // The store is down: the rest would fail alike.
                    Err(error @ Error::Unavailable { .. }) => return Err(error),
                    // One digest that cannot be built or recorded does not
                    // stop the others: it stays due for the next run.
                    Err(_) => run.failed += 1,
                }
            }
        }
    }

    async fn send_digest(
        &self,
        schedule: DigestSchedule,
        mailer: &dyn Mailer,
        now: Timestamp,
        run: &mut DigestRun,
    ) -> Result<()> {
        let Some(due) = schedule.next_due else {
            return Ok(());
        };
        let digest = self
            .digest_for(&schedule.user, schedule.covered_until, now)
            .await?;
        let mut next = schedule.clone();
        next.version += 1;
        if digest.is_empty() {
            run.empty += 1;
            next.covered_until = now;
            next.next_due = next_digest_at(&schedule.preference, now)?;
        } else {
            let mail = render::mail(
                mail_id(&schedule.user, due),
                schedule.email.clone(),
                digest,
                Some(schedule.preference.frequency),
                now,
                self.unsubscribe_url(&schedule.user, MailStream::Digests),
            );
            match mailer.deliver(&mail).await {
                Ok(()) => {
                    run.sent += 1;
                    next.covered_until = now;
                    next.next_due = next_digest_at(&schedule.preference, now)?;
                }
                Err(_) => {
                    run.failed += 1;
                    next.next_due = Some(now + RETRY_AFTER);
                }
            }
        }
        let tx = Transaction::new().with(DigestOp::PutDigestSchedule {
            schedule: next,
            expect: Expect::Version(schedule.version),
        });
        match self.commit(tx).await {
            Ok(()) => Ok(()),
            Err(Error::Conflict(_)) => {
                run.skipped += 1;
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// The digest for `user` over `[since, until)`, from what they may see
    /// now, in every community where they are an active member or guest.
    pub(crate) async fn digest_for(
        &self,
        user: &UserId,
        since: Timestamp,
        until: Timestamp,
    ) -> Result<Digest> {
        let earliest = until - SignedDuration::from_hours(24 * DIGEST_MAX_PERIOD_DAYS);
        let since = since.max(earliest);
        let actor = Actor::new(user.clone());
        let mut notices = self.digest_notices(user, since, until).await?;
        let mut communities = Vec::new();
        let mut range = Range::first(100);
        loop {
            let chunk = self.store().list_user_memberships(user, &range).await?;
            for membership in chunk.items {
                if membership.status != MembershipStatus::Active {
                    continue;
                }
                let for_you = notices.remove(&membership.community).unwrap_or_default();
                if let Some(section) = self
                    .community_digest(&actor, &membership, since, until, for_you)
                    .await?
                {
                    communities.push(section);
                }
            }
            match chunk.next {
                Some(next) => range.after = Some(next),
                None => break,
            }
        }
        communities.sort_by_key(|c| (c.name.to_lowercase(), c.community));
        let mut digest = Digest {
            user: user.clone(),
            since,
            until,
            communities,
        };
        trim_to_budget(&mut digest, DIGEST_MAX_JSON_BYTES)?;
        Ok(digest)
    }

    /// One community's section, or `None` when the member cannot view it
    /// (or there is nothing to tell).
    async fn community_digest(
        &self,
        actor: &Actor,
        membership: &Membership,
        since: Timestamp,
        until: Timestamp,
        for_you: Vec<DigestNotice>,
    ) -> Result<Option<CommunityDigest>> {
        let access = match self.community_access(actor, &membership.community).await {
            Ok(access) => access,
            Err(Error::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        if access.require(CommunityAction::ViewListing).is_err() {
            return Ok(None);
        }
        let visible: BTreeSet<SpaceId> = self
            .visible_spaces(actor, &access)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        let sees_roster = access.require(CommunityAction::ListMembers).is_ok();
        let mut section = CommunityDigest {
            community: access.community.id,
            name: access.community.name.clone(),
            new_threads: Vec::new(),
            unanswered_questions: Vec::new(),
            accepted_answers: Vec::new(),
            new_documents: Vec::new(),
            upcoming_events: Vec::new(),
            new_members: Vec::new(),
            poll_results: Vec::new(),
            for_you,
            truncated: false,
        };
        let news = self
            .period_news(actor, &access, &visible, sees_roster, since, until)
            .await?;
        section.truncated |= news.truncated;
        self.fill_news(&mut section, news, &visible).await?;
        self.fill_open_questions(&mut section, &actor.user, &visible, until)
            .await?;
        self.fill_polls(&mut section, &visible, since, until)
            .await?;
        let ahead = until + SignedDuration::from_hours(24 * UPCOMING_DAYS);
        for item in self.agenda_within(actor, &access, until, ahead).await? {
            push_capped(
                &mut section.upcoming_events,
                &mut section.truncated,
                DigestEvent {
                    event: item.event.id,
                    occurrence: item.occurrence.key,
                    title: item.event.title,
                    starts_at: item.occurrence.starts_at,
                    time_zone: item.event.time_zone,
                },
            );
        }
        Ok((!section.is_empty()).then_some(section))
    }

    /// The ids the period's visible activity mentions, newest first.
    async fn period_news(
        &self,
        actor: &Actor,
        access: &CommunityAccess,
        visible: &BTreeSet<SpaceId>,
        sees_roster: bool,
        since: Timestamp,
        until: Timestamp,
    ) -> Result<News> {
        let mut news = News::default();
        let mut read = 0usize;
        let mut range = Range::first(100);
        'pages: loop {
            let chunk = self
                .store()
                .list_activity(&access.community.id, &range)
                .await?;
            for activity in chunk.items {
                if activity.at >= until {
                    continue;
                }
                if activity.at < since {
                    break 'pages;
                }
                read += 1;
                if read > DIGEST_ACTIVITY_LIMIT {
                    news.truncated = true;
                    break 'pages;
                }
                let in_view = activity.space.is_some_and(|s| visible.contains(&s));
                let by_other = activity.actor != actor.user;
                match activity.kind {
                    ActivityKind::ThreadStarted { thread, .. } if in_view && by_other => {
                        news.threads.push(thread);
                    }
                    ActivityKind::AnswerAccepted { thread, author, .. } if in_view => {
                        news.answers.push((thread, author));
                    }
                    ActivityKind::DocumentAdded { document } if in_view && by_other => {
                        news.documents.push(document);
                    }
                    ActivityKind::MemberJoined { user, .. }
                        if sees_roster && user != actor.user =>
                    {
                        news.members.push(user);
                    }
                    _ => {}
                }
            }
            match chunk.next {
                Some(next) => range.after = Some(next),
                None => break,
            }
        }
        Ok(news)
    }

    /// Reads what the news points at (one batch) and fills the sections,
    /// leaving out what is deleted or has moved out of view.
    async fn fill_news(
        &self,
        section: &mut CommunityDigest,
        news: News,
        visible: &BTreeSet<SpaceId>,
    ) -> Result<()> {
        let truncated = &mut section.truncated;
        let threads = cap(news.threads, truncated);
        let answers = cap(news.answers, truncated);
        let documents = cap(news.documents, truncated);
        let members = cap(news.members, truncated);
        let mut wanted: Vec<Wanted> = threads
            .iter()
            .chain(answers.iter().map(|(t, _)| t))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|t| Wanted::Thread(*t))
            .collect();
        wanted.extend(documents.iter().map(|d| Wanted::Document(*d)));
        let mut records = if wanted.is_empty() {
            Default::default()
        } else {
            self.store().get_records(&wanted).await?
        };
        let mut found_threads = BTreeMap::new();
        while let Some(thread) = records.thread() {
            if thread.deleted_at.is_none()
                && thread.hidden.is_none()
                && visible.contains(&thread.space)
            {
                found_threads.insert(thread.id, thread);
            }
        }
        let mut found_documents = BTreeMap::new();
        while let Some(document) = records.document() {
            if document.deleted_at.is_none()
                && document.hidden.is_none()
                && visible.contains(&document.space)
            {
                found_documents.insert(document.id, document);
            }
        }
        for id in threads {
            if let Some(thread) = found_threads.get(&id) {
                section.new_threads.push(digest_thread(thread));
            }
        }
        for (id, author) in answers {
            if let Some(thread) = found_threads.get(&id) {
                section.accepted_answers.push(DigestAnswer {
                    thread: id,
                    title: thread.title.clone(),
                    answered_by: author,
                });
            }
        }
        for id in documents {
            if let Some(d) = found_documents.remove(&id) {
                section.new_documents.push(DigestDocument {
                    document: d.id,
                    space: d.space,
                    title: d.title,
                    added_by: d.created_by,
                });
            }
        }
        if !members.is_empty() {
            let profiles = self.store().get_profiles(&members).await?;
            for user in members {
                let name = profiles
                    .iter()
                    .find(|p| p.user == user)
                    .map_or_else(|| user.to_string(), |p| p.display_name.clone());
                section.new_members.push(DigestMember { user, name });
            }
        }
        Ok(())
    }

    /// Others' open questions in visible spaces, recently active, without
    /// an accepted answer (one list read per visible space).
    async fn fill_open_questions(
        &self,
        section: &mut CommunityDigest,
        member: &UserId,
        visible: &BTreeSet<SpaceId>,
        until: Timestamp,
    ) -> Result<()> {
        let oldest = until - SignedDuration::from_hours(24 * UNANSWERED_MAX_AGE_DAYS);
        for space in visible {
            let chunk = self.store().list_threads(space, &Range::first(50)).await?;
            for thread in chunk.items {
                if thread.last_activity_at < oldest {
                    break;
                }
                if thread.kind == ThreadKind::Question
                    && thread.author != *member
                    && thread.accepted_answer.is_none()
                    && thread.deleted_at.is_none()
                    && thread.hidden.is_none()
                    && !thread.locked
                    && thread.created_at <= until
                {
                    push_capped(
                        &mut section.unanswered_questions,
                        &mut section.truncated,
                        digest_thread(&thread),
                    );
                }
            }
        }
        Ok(())
    }

    /// Polls in visible spaces that closed in the period, with results
    /// (closed polls show results to everyone).
    async fn fill_polls(
        &self,
        section: &mut CommunityDigest,
        visible: &BTreeSet<SpaceId>,
        since: Timestamp,
        until: Timestamp,
    ) -> Result<()> {
        for space in visible {
            let chunk = self.store().list_polls(space, &Range::first(50)).await?;
            for poll in chunk.items {
                let closed_in_period = poll.closes_at >= since && poll.closes_at < until;
                if !closed_in_period {
                    continue;
                }
                let results = poll
                    .options
                    .iter()
                    .enumerate()
                    .map(|(i, label)| DigestPollOption {
                        label: label.clone(),
                        votes: poll.tally.get(i).copied().unwrap_or(0),
                    })
                    .collect();
                push_capped(
                    &mut section.poll_results,
                    &mut section.truncated,
                    DigestPoll {
                        poll: poll.id,
                        question: poll.question,
                        results,
                        voters: poll.voters,
                    },
                );
            }
        }
        Ok(())
    }
}

/// Removes items from the longest sections of the fullest communities
/// until the digest's JSON fits in `budget` bytes.
fn trim_to_budget(digest: &mut Digest, budget: usize) -> Result<()> {
    loop {
        let size = serde_json::to_vec(digest)
            .map_err(|e| Error::Internal(format!("digest encoding: {e}")))?
            .len();
        if size <= budget {
            return Ok(());
        }
        let Some(fullest) = digest.communities.iter_mut().max_by_key(|c| item_count(c)) else {
            return Ok(());
        };
        if item_count(fullest) == 0 {
            return Ok(());
        }
        fullest.truncated = true;
        // A tenth of the overshoot's share at a time keeps this quick.
        let drop = (item_count(fullest) / 10).max(1);
        for _ in 0..drop {
            pop_longest_section(fullest);
        }
    }
}

fn item_count(c: &CommunityDigest) -> usize {
    c.for_you.len()
        + c.new_threads.len()
        + c.unanswered_questions.len()
        + c.accepted_answers.len()
        + c.new_documents.len()
        + c.upcoming_events.len()
        + c.new_members.len()
        + c.poll_results.len()
}

fn pop_longest_section(c: &mut CommunityDigest) {
    let lengths = [
        c.new_threads.len(),
        c.unanswered_questions.len(),
        c.accepted_answers.len(),
        c.new_documents.len(),
        c.upcoming_events.len(),
        c.new_members.len(),
        c.poll_results.len(),
        c.for_you.len(),
    ];
    let longest = (0..lengths.len()).max_by_key(|i| lengths[*i]).unwrap_or(0);
    match longest {
        0 => drop(c.new_threads.pop()),
        1 => drop(c.unanswered_questions.pop()),
        2 => drop(c.accepted_answers.pop()),
        3 => drop(c.new_documents.pop()),
        4 => drop(c.upcoming_events.pop()),
        5 => drop(c.new_members.pop()),
        6 => drop(c.poll_results.pop()),
        _ => drop(c.for_you.pop()),
    }
}

/// What a period's activity points at.
#[derive(Default)]
struct News {
    threads: Vec<ThreadId>,
    answers: Vec<(ThreadId, UserId)>,
    documents: Vec<DocumentId>,
    members: Vec<UserId>,
    truncated: bool,
}

fn digest_thread(thread: &Thread) -> DigestThread {
    DigestThread {
        thread: thread.id,
        space: thread.space,
        kind: thread.kind,
        title: thread.title.clone(),
        author: thread.author.clone(),
        started_at: thread.created_at,
        post_count: thread.post_count,
    }
}

/// The first [`DIGEST_SECTION_LIMIT`] items, noting a cut.
fn cap<T>(mut items: Vec<T>, truncated: &mut bool) -> Vec<T> {
    if items.len() > DIGEST_SECTION_LIMIT {
        items.truncate(DIGEST_SECTION_LIMIT);
        *truncated = true;
    }
    items
}

/// Pushes unless the section is full (noting a cut).
fn push_capped<T>(items: &mut Vec<T>, truncated: &mut bool, item: T) {
    if items.len() < DIGEST_SECTION_LIMIT {
        items.push(item);
    } else {
        *truncated = true;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::ids::CommunityId;

    fn full_community(n: u128) -> CommunityDigest {
        let thread = DigestThread {
            thread: ThreadId(ulid::Ulid(n)),
            space: SpaceId(ulid::Ulid(n)),
            kind: ThreadKind::Discussion,
            title: "t".repeat(200),
            author: UserId::new("author").unwrap(),
            started_at: Timestamp::UNIX_EPOCH,
            post_count: 1,
        };
        CommunityDigest {
            community: CommunityId(ulid::Ulid(n)),
            name: format!("Community {n}"),
            new_threads: vec![thread.clone(); DIGEST_SECTION_LIMIT],
            unanswered_questions: vec![thread; DIGEST_SECTION_LIMIT],
            accepted_answers: vec![],
            new_documents: vec![],
            upcoming_events: vec![],
            new_members: vec![],
            poll_results: vec![],
            for_you: vec![],
            truncated: false,
        }
    }

    #[test]
    fn an_oversized_digest_is_trimmed_to_its_budget_and_says_so() {
        let mut digest = Digest {
            user: UserId::new("tom").unwrap(),
            since: Timestamp::UNIX_EPOCH,
            until: Timestamp::UNIX_EPOCH,
            communities: (1..=12).map(full_community).collect(),
        };
        let before = serde_json::to_vec(&digest).unwrap().len();
        assert!(before > DIGEST_MAX_JSON_BYTES, "{before}");
        trim_to_budget(&mut digest, DIGEST_MAX_JSON_BYTES).unwrap();
        let after = serde_json::to_vec(&digest).unwrap().len();
        assert!(after <= DIGEST_MAX_JSON_BYTES, "{after}");
        assert!(
            after > DIGEST_MAX_JSON_BYTES * 8 / 10,
            "trimmed too much: {after}"
        );
        assert!(digest.communities.iter().all(|c| c.truncated));
        assert!(digest.communities.iter().all(|c| item_count(c) > 0));

        let mut small = Digest {
            communities: vec![full_community(1)],
            ..digest
        };
        trim_to_budget(&mut small, DIGEST_MAX_JSON_BYTES).unwrap();
        assert_eq!(item_count(&small.communities[0]), 2 * DIGEST_SECTION_LIMIT);
        assert!(!small.communities[0].truncated);
    }
}
