//! CPD evidence: a member's own participation in a period, for an
//! appraisal portfolio, as structured data and as CSV.
//!
//! # CSV columns
//!
//! | column | meaning |
//! |---|---|
//! | `date` | the day (`YYYY-MM-DD`): the session's local date for events, else the UTC day |
//! | `kind` | `event`, `contribution` or `value_story` |
//! | `community` | the community's name |
//! | `activity` | what was done: the event's title, the contribution (`started a question`…), or the story's kind and headline |
//! | `minutes` | minutes of attendance credited (events; 0 otherwise) |
//! | `hours` | the same in hours, two decimals |
//! | `reflection` | the value story's text (empty otherwise) |
//! | `reference` | the id of the event occurrence, activity or story, to find it again |

use std::collections::BTreeSet;

use jiff::civil::Date;
use jiff::{Timestamp, tz::TimeZone};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{CommunityId, EventId, UserId};
use crate::model::{ActivityKind, PageRequest};
use crate::service::{Actor, Copkit};
use crate::store::{Range, Wanted};

/// The CSV header, in order (documented in this module).
pub const CPD_CSV_COLUMNS: [&str; 8] = [
    "date",
    "kind",
    "community",
    "activity",
    "minutes",
    "hours",
    "reflection",
    "reference",
];

/// The longest period one export covers, in days.
pub const CPD_MAX_DAYS: i64 = 366;

/// Records read per kind at most (a bound, not a limit anyone meets).
const CPD_MAX_RECORDS: usize = 10_000;

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CpdKind {
    /// An event attended.
    Event,
    /// A contribution: a discussion or question started, a reply, a document.
    Contribution,
    /// A value story told.
    ValueStory,
}

impl CpdKind {
    fn as_str(self) -> &'static str {
        match self {
            CpdKind::Event => "event",
            CpdKind::Contribution => "contribution",
            CpdKind::ValueStory => "value_story",
        }
    }
}

/// One line of CPD evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CpdEntry {
    /// The day.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: Date,
    /// What it records.
    pub kind: CpdKind,
    /// The community.
    pub community: CommunityId,
    /// The community's name.
    pub community_name: String,
    /// What was done.
    pub activity: String,
    /// Minutes of attendance credited (events).
    pub minutes: u32,
    /// The member's reflection (value stories).
    pub reflection: String,
    /// The id of what it records.
    pub reference: String,
}

/// A member's participation in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CpdEvidence {
    /// Whose.
    pub user: UserId,
    /// The first day covered.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: Date,
    /// The last day covered (at most 366 days after `from`).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: Date,
    /// The entries, by date.
    pub entries: Vec<CpdEntry>,
    /// Minutes of events attended.
    pub event_minutes: u32,
    /// Contributions made.
    pub contributions: u32,
    /// Value stories told.
    pub value_stories: u32,
}

impl CpdEvidence {
    /// The evidence as CSV (header first; columns in [`CPD_CSV_COLUMNS`]).
    pub fn to_csv(&self) -> Result<String> {
        let mut out = csv::Writer::from_writer(Vec::new());
        let fail = |e: csv::Error| Error::Internal(format!("csv: {e}"));
        out.write_record(CPD_CSV_COLUMNS).map_err(fail)?;
        for e in &self.entries {
            out.write_record([
                e.date.to_string(),
                e.kind.as_str().to_owned(),
                inert_cell(&e.community_name),
                inert_cell(&e.activity),
                e.minutes.to_string(),
                format!("{:.2}", f64::from(e.minutes) / 60.0),
                inert_cell(&e.reflection),
                inert_cell(&e.reference),
            ])
            .map_err(fail)?;
        }
        let bytes = out
            .into_inner()
            .map_err(|e| Error::Internal(format!("csv: {e}")))?;
        String::from_utf8(bytes).map_err(|e| Error::Internal(format!("csv: {e}")))
    }
}

/// Text a spreadsheet will not run as a formula (OWASP CSV injection): a
/// cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
/// leading `'`, which spreadsheets show as text and do not evaluate.
pub fn inert_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// The earliest day a report may cover.
pub const PERIOD_EARLIEST: Date = jiff::civil::date(2000, 1, 1);
/// The latest day a report may cover.
pub const PERIOD_LATEST: Date = jiff::civil::date(2100, 12, 31);

/// Checks a report's period `from`–`to` (inclusive days): both between
/// [`PERIOD_EARLIEST`] and [`PERIOD_LATEST`], `from` not after `to`, at
/// most [`CPD_MAX_DAYS`] days. Every problem is a field error; nothing is
/// cut silently.
pub fn check_period(from: Date, to: Date) -> Result<()> {
    let mut check = crate::validate::Checker::new();
    for (field, day) in [("from", from), ("to", to)] {
        if !(PERIOD_EARLIEST..=PERIOD_LATEST).contains(&day) {
            check.fail(
                field,
                "out_of_range",
                format!("must be between {PERIOD_EARLIEST} and {PERIOD_LATEST}"),
            );
        }
    }
    if !check.is_ok() {
        // Order and length mean nothing for a day out of range.
    } else if from > to {
        check.fail("from", "after_to", "must not be after `to`");
    } else if (to - from).get_days() >= CPD_MAX_DAYS as i32 {
        check.fail(
            "from",
            "period_too_long",
            format!("a period is at most {CPD_MAX_DAYS} days"),
        );
    }
    check.finish()
}

/// A report's period: `from`–`to` (inclusive UTC days), checked by
/// [`check_period`].
pub(crate) struct Period {
    /// The effective first day.
    pub from: Date,
    /// When the first day starts.
    pub start: Timestamp,
    /// When the day after `to` starts.
    pub end: Timestamp,
}

impl Period {
    pub(crate) fn of(from: Date, to: Date) -> Result<Period> {
        check_period(from, to)?;
        let end = to
            .tomorrow()
            .map_err(|e| Error::Internal(format!("date out of range: {e}")))
            .and_then(day_start)?;
        Ok(Period {
            from,
            start: day_start(from)?,
            end,
        })
    }
}

/// The instant a UTC day starts.
fn day_start(day: Date) -> Result<Timestamp> {
    day.to_zoned_datetime(TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|e| Error::Internal(format!("date out of range: {e}")))
}

/// The contributions that count as CPD evidence, described.
fn contribution(kind: &ActivityKind) -> Option<String> {
    match kind {
        ActivityKind::ThreadStarted { .. }
        | ActivityKind::PostAdded { .. }
        | ActivityKind::DocumentAdded { .. }
        | ActivityKind::DocumentVersionAdded { .. } => Some(kind.to_string()),
        _ => None,
    }
}

impl Copkit {
    /// The caller's own CPD evidence for `from`–`to` (inclusive, at most
    /// 366 days, see [`check_period`]): events attended with their minutes,
    /// contributions, and value stories with their text.
    pub async fn cpd_evidence(&self, actor: &Actor, from: Date, to: Date) -> Result<CpdEvidence> {
        let Period { from, start, end } = Period::of(from, to)?;
        let user = &actor.user;
        let mut entries = Vec::new();

        // Events attended (recorded after they start, so paging stops at
        // the first record made before the period).
        let mut attended = Vec::new();
        self.each_page(
            |range| async move { self.store().list_user_attendance(user, &range).await },
            |a| {
                if a.recorded_at < start {
                    return false;
                }
                let day = a.occurrence.get(..10).and_then(|d| d.parse::<Date>().ok());
                if a.attended && day.is_some_and(|d| d >= from && d <= to) {
                    attended.push((a, day.unwrap_or(from)));
                }
                true
            },
        )
        .await?;
        let event_ids: BTreeSet<EventId> = attended.iter().map(|(a, _)| a.event).collect();
        let events = self
            .read_all(event_ids.into_iter().map(Wanted::Event).collect())
            .await?;
        for (a, day) in attended {
            let title = events
                .iter()
                .find_map(|r| match r {
                    crate::store::Record::Event(e) if e.id == a.event => Some(e.title.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| "an event".to_owned());
            entries.push(CpdEntry {
                date: day,
                kind: CpdKind::Event,
                community: a.community,
                community_name: String::new(),
                activity: title,
                minutes: a.minutes,
                reflection: String::new(),
                reference: format!("{}/{}", a.event, a.occurrence),
            });
        }

        // Contributions, from the person's own activity record.
        self.each_page(
            |range| async move { self.store().list_user_activity(user, &range).await },
            |a| {
                if a.at < start {
                    return false;
                }
                if a.at < end
                    && let Some(activity) = contribution(&a.kind)
                {
                    entries.push(CpdEntry {
                        date: crate::model::utc_day(a.at),
                        kind: CpdKind::Contribution,
                        community: a.community,
                        community_name: String::new(),
                        activity,
                        minutes: 0,
                        reflection: String::new(),
                        reference: a.id.to_string(),
                    });
                }
                true
            },
        )
        .await?;

        // Value stories.
        self.each_page(
            |range| async move { self.store().list_user_value_stories(user, &range).await },
            |s| {
                if s.created_at < start {
                    return false;
                }
                if s.created_at < end {
                    entries.push(CpdEntry {
                        date: crate::model::utc_day(s.created_at),
                        kind: CpdKind::ValueStory,
                        community: s.community,
                        community_name: String::new(),
                        activity: format!("{:?} value: {}", s.kind, s.title),
                        minutes: 0,
                        reflection: s.story,
                        reference: s.id.to_string(),
                    });
                }
                true
            },
        )
        .await?;

        let communities: BTreeSet<CommunityId> = entries.iter().map(|e| e.community).collect();
        let names = self
            .read_all(communities.into_iter().map(Wanted::Community).collect())
            .await?;
        for e in &mut entries {
            e.community_name = names
                .iter()
                .find_map(|r| match r {
                    crate::store::Record::Community(c) if c.id == e.community => {
                        Some(c.name.clone())
                    }
                    _ => None,
                })
                .unwrap_or_default();
        }
        entries.sort_by(|a, b| (a.date, a.kind, &a.reference).cmp(&(b.date, b.kind, &b.reference)));
        Ok(CpdEvidence {
            user: user.clone(),
            from,
            to,
            event_minutes: entries.iter().map(|e| e.minutes).sum(),
            contributions: count(&entries, CpdKind::Contribution),
            value_stories: count(&entries, CpdKind::ValueStory),
            entries,
        })
    }

    /// Walks a newest-first list page by page while `keep` says so.
    async fn each_page<T, F, Fut>(&self, mut page: F, mut keep: impl FnMut(T) -> bool) -> Result<()>
    where
        F: FnMut(Range) -> Fut,
        Fut: std::future::Future<
                Output = std::result::Result<crate::store::Chunk<T>, crate::store::StoreError>,
            >,
    {
        let mut range = Range {
            limit: PageRequest::of(100).effective_limit(),
            after: None,
        };
        let mut seen = 0;
        loop {
            let chunk = page(range.clone()).await?;
            for item in chunk.items {
                seen += 1;
                if !keep(item) || seen >= CPD_MAX_RECORDS {
                    return Ok(());
                }
            }
            match chunk.next {
                Some(next) => range.after = Some(next),
                None => return Ok(()),
            }
        }
    }

    /// Records by key, in batches of 100.
    async fn read_all(&self, wanted: Vec<Wanted>) -> Result<Vec<crate::store::Record>> {
        let mut found = Vec::new();
        for batch in wanted.chunks(crate::store::batch::MAX_WANTED) {
            found.extend(self.store().get_records(batch).await?.0);
        }
        Ok(found)
    }
}

fn count(entries: &[CpdEntry], kind: CpdKind) -> u32 {
    u32::try_from(entries.iter().filter(|e| e.kind == kind).count()).unwrap_or(u32::MAX)
}
