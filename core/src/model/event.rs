use jiff::Timestamp;
use jiff::civil;
use serde::{Deserialize, Serialize};

use crate::ids::{CommunityId, EventId, SpaceId, UserId};

/// A meeting in a community's rhythm: once, or recurring, in a time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Event {
    /// Its id.
    pub id: EventId,
    /// The space it belongs to (its visibility decides who sees it).
    pub space: SpaceId,
    /// The space's community.
    pub community: CommunityId,
    /// Its title (3–200 characters).
    pub title: String,
    /// What it is about (up to 5,000 characters).
    pub description: String,
    /// Where it happens, for meetings in person.
    pub location: Option<String>,
    /// The link for online meetings (http or https).
    pub online_url: Option<String>,
    /// IANA time zone, such as `Europe/London`.
    pub time_zone: String,
    /// Local start of the first occurrence, in `time_zone`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-09-07T18:30:00"))]
    pub starts: civil::DateTime,
    /// How long each occurrence lasts, in minutes.
    pub duration_minutes: u32,
    /// How it repeats; `None` for a single occurrence.
    pub recurrence: Option<Recurrence>,
    /// Local starts of cancelled occurrences, ascending.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub cancelled: Vec<civil::DateTime>,
    /// Most people who may say they are going, per occurrence.
    pub capacity: Option<u32>,
    /// Who scheduled it.
    pub created_by: UserId,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// When it last changed.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    /// Optimistic-concurrency version.
    pub version: u64,
}

/// How an event repeats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Recurrence {
    /// The pattern.
    pub frequency: Frequency,
    /// Every how many days, weeks or months (1–52; 1 = every one, 2 = every other).
    #[serde(deserialize_with = "crate::json::whole_u32")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 52))]
    pub interval: u32,
    /// When it stops; `None` repeats indefinitely.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub end: Option<RecurrenceEnd>,
}

/// The repeating pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    try_from = "serde_json::Value"
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Frequency {
    /// Every `interval` days.
    Daily,
    /// Every `interval` weeks, on these weekdays (empty: the first start's weekday).
    Weekly {
        /// The weekdays (a weekday named twice counts once).
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(max_items = 7))] // MAX_WEEKDAYS
        weekdays: Vec<Weekday>,
    },
    /// Every `interval` months.
    Monthly {
        /// Which day of the month.
        by: MonthlyBy,
    },
}

/// Which day of the month a monthly event falls on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    try_from = "serde_json::Value"
)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum MonthlyBy {
    /// A day number (1–31); months without that day are skipped.
    DayOfMonth {
        /// The day.
        #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 31))]
        day: u8,
    },
    /// The last day of every month.
    LastDay,
    /// The nth weekday, such as the first Tuesday or the last Friday; months
    /// without a fifth one are skipped.
    NthWeekday {
        /// Which one.
        nth: Nth,
        /// Which weekday.
        weekday: Weekday,
    },
}

// Strict input forms: serde ignores unknown fields on unit variants of
// tagged enums, so every variant here has fields (even none).
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum FrequencyInput {
    Daily {},
    Weekly {
        #[serde(default)]
        weekdays: Vec<Weekday>,
    },
    Monthly {
        by: MonthlyBy,
    },
}

crate::json::strict_tagged!(MonthlyBy, MonthlyByInput, "type");
crate::json::strict_tagged!(RecurrenceEnd, RecurrenceEndInput, "type");

/// The most weekdays a weekly pattern lists.
pub const MAX_WEEKDAYS: usize = 7;

impl TryFrom<serde_json::Value> for Frequency {
    type Error = String;
    /// Reads strictly by `type`; weekly weekdays are stored sorted from
    /// Monday with repeats removed, so a pattern reads back as it behaves.
    fn try_from(value: serde_json::Value) -> Result<Self, String> {
        Ok(
            match crate::json::tagged::<FrequencyInput>(value, "type")? {
                FrequencyInput::Daily {} => Frequency::Daily,
                FrequencyInput::Weekly { weekdays } if weekdays.len() > MAX_WEEKDAYS => {
                    return Err(format!("at most {MAX_WEEKDAYS} weekdays"));
                }
                FrequencyInput::Weekly { mut weekdays } => {
                    weekdays.sort();
                    weekdays.dedup();
                    Frequency::Weekly { weekdays }
                }
                FrequencyInput::Monthly { by } => Frequency::Monthly { by },
            },
        )
    }
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum MonthlyByInput {
    DayOfMonth {
        #[serde(deserialize_with = "crate::json::whole_u8")]
        day: u8,
    },
    LastDay {},
    NthWeekday {
        nth: Nth,
        weekday: Weekday,
    },
}

impl From<MonthlyByInput> for MonthlyBy {
    fn from(m: MonthlyByInput) -> Self {
        match m {
            MonthlyByInput::DayOfMonth { day } => MonthlyBy::DayOfMonth { day },
            MonthlyByInput::LastDay {} => MonthlyBy::LastDay,
            MonthlyByInput::NthWeekday { nth, weekday } => MonthlyBy::NthWeekday { nth, weekday },
        }
    }
}

/// Which of a month's weekdays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Nth {
    /// The first.
    First,
    /// The second.
    Second,
    /// The third.
    Third,
    /// The fourth.
    Fourth,
    /// The fifth (skipped in months with only four).
    Fifth,
    /// The last.
    Last,
}

impl Nth {
    /// As jiff counts it: 1..=5, or -1 for the last.
    pub fn as_i8(self) -> i8 {
        match self {
            Nth::First => 1,
            Nth::Second => 2,
            Nth::Third => 3,
            Nth::Fourth => 4,
            Nth::Fifth => 5,
            Nth::Last => -1,
        }
    }
}

/// When a recurrence stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RecurrenceEnd {
    /// The last local date an occurrence may fall on (inclusive).
    Until {
        /// The date.
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        date: civil::Date,
    },
    /// After this many occurrences (cancelled ones count too, as in RFC 5545).
    Count {
        /// How many (1–1,000).
        #[serde(deserialize_with = "crate::json::whole_u32")]
        #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
        count: u32,
    },
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum RecurrenceEndInput {
    Until {
        date: civil::Date,
    },
    Count {
        #[serde(deserialize_with = "crate::json::whole_u32")]
        count: u32,
    },
}

impl From<RecurrenceEndInput> for RecurrenceEnd {
    fn from(e: RecurrenceEndInput) -> Self {
        match e {
            RecurrenceEndInput::Until { date } => RecurrenceEnd::Until { date },
            RecurrenceEndInput::Count { count } => RecurrenceEnd::Count { count },
        }
    }
}

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Weekday {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

impl Weekday {
    /// Every weekday, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];
}

impl From<Weekday> for civil::Weekday {
    fn from(w: Weekday) -> civil::Weekday {
        match w {
            Weekday::Monday => civil::Weekday::Monday,
            Weekday::Tuesday => civil::Weekday::Tuesday,
            Weekday::Wednesday => civil::Weekday::Wednesday,
            Weekday::Thursday => civil::Weekday::Thursday,
            Weekday::Friday => civil::Weekday::Friday,
            Weekday::Saturday => civil::Weekday::Saturday,
            Weekday::Sunday => civil::Weekday::Sunday,
        }
    }
}

impl From<civil::Weekday> for Weekday {
    fn from(w: civil::Weekday) -> Weekday {
        match w {
            civil::Weekday::Monday => Weekday::Monday,
            civil::Weekday::Tuesday => Weekday::Tuesday,
            civil::Weekday::Wednesday => Weekday::Wednesday,
            civil::Weekday::Thursday => Weekday::Thursday,
            civil::Weekday::Friday => Weekday::Friday,
            civil::Weekday::Saturday => Weekday::Saturday,
            civil::Weekday::Sunday => Weekday::Sunday,
        }
    }
}

/// One occurrence of an event, expanded from its recurrence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Occurrence {
    /// The event.
    pub event: EventId,
    /// Stable key of this occurrence: its local start (`2026-09-07T18:30:00`).
    pub key: String,
    /// Local start, in the event's time zone.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-09-07T18:30:00"))]
    pub local_start: civil::DateTime,
    /// Start instant.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub starts_at: Timestamp,
    /// End instant.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub ends_at: Timestamp,
}

/// A person's answer for one occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RsvpResponse {
    /// Coming (counts against capacity).
    Going,
    /// Perhaps.
    Maybe,
    /// Not coming.
    Declined,
}

/// One person's RSVP to one occurrence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Rsvp {
    /// The event.
    pub event: EventId,
    /// The occurrence key.
    pub occurrence: String,
    /// Who.
    pub user: UserId,
    /// Their answer.
    pub response: RsvpResponse,
    /// When they (last) answered.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// Optimistic-concurrency version.
    pub version: u64,
}

/// Kept by the store: answers per occurrence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RsvpTally {
    /// Going.
    pub going: u32,
    /// Maybe.
    pub maybe: u32,
    /// Declined.
    pub declined: u32,
}

/// A moderator's record that someone attended (or missed) an occurrence:
/// evidence for CPD.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Attendance {
    /// The event.
    pub event: EventId,
    /// The occurrence key.
    pub occurrence: String,
    /// The event's community.
    pub community: CommunityId,
    /// Who.
    pub user: UserId,
    /// Whether they attended.
    pub attended: bool,
    /// Minutes credited (the occurrence's duration when attended, else 0).
    pub minutes: u32,
    /// The moderator who recorded it.
    pub recorded_by: UserId,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub recorded_at: Timestamp,
}
