//! Community health for a period, for moderators: who takes part, how
//! questions fare, what the rhythm of events achieves, and the value
//! members report.
//!
//! # Definitions
//!
//! - **members** are current members (guests not counted), by their stored
//!   participation level;
//! - **joins** and **leaves** count `member_joined` and `member_left`,
//!   `member_removed`, `member_banned` activities in the period;
//! - **contributors** are members who started a thread, posted, added a
//!   document or version, or told a value story in the period;
//!   `contributor_share` = contributors ÷ members;
//! - **threads** and **replies** count threads started and posts added;
//! - **median minutes to first reply**: over threads started in the period
//!   that got a post from someone other than their author (replies up to 48
//!   hours after the period count);
//! - **questions answered within 48 h**: questions started in the period
//!   whose first post by someone else came within 48 hours;
//!   `answered_share` = that ÷ questions;
//! - **events held**: occurrences that started in the period (and before
//!   now), not cancelled; **attendances**: people recorded as present at
//!   those occurrences (whenever the record was made, as it stands now: a
//!   record corrected to absent does not count); `attendance_rate` =
//!   attendances ÷ (events held × members), so attendances never exceed
//!   what the held events allow;
//! - **value stories** told in the period, by kind.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ids::{CommunityId, ThreadId, UserId};
use crate::model::{ActivityKind, ParticipationLevel, Role, ThreadKind, ValueKind};
use crate::policy::CommunityAction;
use crate::service::cpd::Period;
use crate::service::{Actor, Copkit};
use crate::store::{MemberFilter, Range};

/// How long after a question a first reply still counts as an answer.
const ANSWER_WITHIN: SignedDuration = SignedDuration::from_hours(48);

/// Members at each level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LevelCounts {
    /// Core.
    pub core: u32,
    /// Active.
    pub active: u32,
    /// Peripheral.
    pub peripheral: u32,
}

/// How many value stories of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ValueCount {
    /// The kind.
    pub kind: ValueKind,
    /// How many.
    pub count: u32,
}

/// A community's health in a period (definitions in this module's docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HealthReport {
    /// The community.
    pub community: CommunityId,
    /// First day (UTC).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: Date,
    /// Last day (UTC, at most 366 days after `from`).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: Date,
    /// Current members (guests not counted).
    pub members: u32,
    /// Current members by level.
    pub members_by_level: LevelCounts,
    /// People who joined in the period.
    pub joins: u32,
    /// People who left, were removed or banned in the period.
    pub leaves: u32,
    /// Members who contributed in the period.
    pub contributors: u32,
    /// Contributors ÷ members (0 when there are no members).
    pub contributor_share: f64,
    /// Threads started.
    pub threads: u32,
    /// Posts added.
    pub replies: u32,
    /// Median minutes from a thread's start to its first reply by someone else.
    pub median_minutes_to_first_reply: Option<u32>,
    /// Questions asked.
    pub questions: u32,
    /// Questions with a first reply by someone else within 48 hours.
    pub questions_answered_within_48h: u32,
    /// Answered ÷ questions (0 when there are none).
    pub answered_share: f64,
    /// Documents and versions added.
    pub documents_added: u32,
    /// Occurrences held.
    pub events_held: u32,
    /// Attendance recorded as present.
    pub attendances: u32,
    /// Attendances ÷ (events held × members) (0 when nothing was held).
    pub attendance_rate: f64,
    /// Value stories told.
    pub value_stories: u32,
    /// Value stories by kind (every kind, in cycle order).
    pub value_stories_by_kind: Vec<ValueCount>,
}

fn share(part: u32, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        f64::from(part) / whole as f64
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn median(mut values: Vec<i64>) -> Option<u32> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    let m = if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2
    } else {
        values[mid]
    };
    u32::try_from(m.max(0)).ok()
}

impl Copkit {
    /// The community's health for `from`–`to` (inclusive UTC days;
    /// moderators). Periods over 366 days start 366 days before `to`.
    pub async fn community_health(
        &self,
        actor: &Actor,
        community: &CommunityId,
        from: Date,
        to: Date,
    ) -> Result<HealthReport> {
        let access = self
            .authorize(actor, community, CommunityAction::Moderate)
            .await?;
        let Period { from, start, end } = Period::of(from, to)?;
        let now = self.now();

        // Members by level: one pass over the roster.
        let mut levels = LevelCounts::default();
        let mut members = BTreeSet::new();
        let mut range = Range {
            limit: 100,
            after: None,
        };
        loop {
            let chunk = self
                .store()
                .list_members(community, MemberFilter::Active, &range)
                .await?;
            for m in chunk.items.iter().filter(|m| m.role != Role::Guest) {
                members.insert(m.user.clone());
                match m.level {
                    ParticipationLevel::Core => levels.core += 1,
                    ParticipationLevel::Active => levels.active += 1,
                    ParticipationLevel::Peripheral => levels.peripheral += 1,
                }
            }
            match chunk.next {
                Some(next) => range.after = Some(next),
                None => break,
            }
        }
        let member_count = to_u32(members.len());

        // The activity of the period (and 48 hours on, for first replies).
        let horizon = (end + ANSWER_WITHIN).min(now.max(end));
        let mut activity = Vec::new();
        let mut range = Range {
            limit: 100,
            after: None,
        };
        'pages: loop {
            let chunk = self.store().list_activity(community, &range).await?;
            for a in chunk.items {
                if a.at < start {
                    break 'pages;
                }
                if a.at < horizon {
                    activity.push(a);
                }
            }
            match chunk.next {
                Some(next) => range.after = Some(next),
                None => break,
            }
        }
        activity.reverse(); // oldest first

        let mut r = HealthReport {
            community: *community,
            from,
            to,
            members: member_count,
            members_by_level: levels,
            joins: 0,
            leaves: 0,
            contributors: 0,
            contributor_share: 0.0,
            threads: 0,
            replies: 0,
            median_minutes_to_first_reply: None,
            questions: 0,
            questions_answered_within_48h: 0,
            answered_share: 0.0,
            documents_added: 0,
            events_held: 0,
            attendances: 0,
            attendance_rate: 0.0,
            value_stories: 0,
            value_stories_by_kind: Vec::new(),
        };
        let mut contributors: BTreeSet<UserId> = BTreeSet::new();
        // Threads started in the period: (start, author, is question).
        let mut started: HashMap<ThreadId, (Timestamp, UserId, bool)> = HashMap::new();
        let mut first_reply: HashMap<ThreadId, Timestamp> = HashMap::new();
        let mut stories: BTreeMap<ValueKind, u32> = BTreeMap::new();
        for a in &activity {
            let inside = a.at < end;
            match &a.kind {
                ActivityKind::PostAdded { thread, .. } => {
                    if let Some((_, author, _)) = started.get(thread)
                        && *author != a.actor
                    {
                        first_reply.entry(*thread).or_insert(a.at);
                    }
                }
                _ if !inside => {}
                ActivityKind::MemberJoined { .. } => r.joins += 1,
                ActivityKind::MemberLeft { .. }
                | ActivityKind::MemberRemoved { .. }
                | ActivityKind::MemberBanned { .. } => r.leaves += 1,
                ActivityKind::ThreadStarted { thread, kind } => {
                    started.insert(
                        *thread,
                        (a.at, a.actor.clone(), *kind == ThreadKind::Question),
                    );
                }
                ActivityKind::DocumentAdded { .. } | ActivityKind::DocumentVersionAdded { .. } => {
                    r.documents_added += 1;
                }
                ActivityKind::ValueStoryTold { kind, .. } => {
                    *stories.entry(*kind).or_default() += 1
                }
                _ => {}
            }
            if inside
                && matches!(
                    a.kind,
                    ActivityKind::ThreadStarted { .. }
                        | ActivityKind::PostAdded { .. }
                        | ActivityKind::DocumentAdded { .. }
                        | ActivityKind::DocumentVersionAdded { .. }
                        | ActivityKind::ValueStoryTold { .. }
                )
            {
                if let ActivityKind::PostAdded { .. } = a.kind {
                    r.replies += 1;
                }
                if members.contains(&a.actor) {
                    contributors.insert(a.actor.clone());
                }
            }
        }
        r.threads = to_u32(started.len());
        r.contributors = to_u32(contributors.len());
        r.contributor_share = share(r.contributors, u64::from(member_count));
        let mut waits = Vec::new();
        for (thread, (at, _, question)) in &started {
            let reply = first_reply.get(thread);
            if let Some(reply) = reply {
                waits.push((*reply - *at).as_mins());
            }
            if *question {
                r.questions += 1;
                if reply.is_some_and(|reply| *reply - *at <= ANSWER_WITHIN) {
                    r.questions_answered_within_48h += 1;
                }
            }
        }
        r.median_minutes_to_first_reply = median(waits);
        r.answered_share = share(r.questions_answered_within_48h, u64::from(r.questions));

        // Events held: the agenda's occurrences that started in the period;
        // attendances: the present records of exactly those occurrences.
        let held_until = end.min(now);
        if held_until > start {
            let agenda = self
                .agenda_within(actor, &access, start, held_until)
                .await?;
            r.events_held = to_u32(agenda.len());
            let mut present = 0usize;
            for item in &agenda {
                let records = self
                    .store()
                    .list_attendance(&item.event.id, &item.occurrence.key)
                    .await?;
                present += records.iter().filter(|a| a.attended).count();
            }
            r.attendances = to_u32(present);
        }
        r.attendance_rate = share(
            r.attendances,
            u64::from(r.events_held) * u64::from(member_count),
        );
        r.value_stories = stories.values().sum();
        r.value_stories_by_kind = ValueKind::ALL
            .iter()
            .map(|kind| ValueCount {
                kind: *kind,
                count: stories.get(kind).copied().unwrap_or(0),
            })
            .collect();
        Ok(r)
    }
}
