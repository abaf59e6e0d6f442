//! Rhythm digests: a member's chosen rhythm (off, daily, weekly at a local
//! hour), the schedule that says when their next digest is due, the digest
//! itself (what happened since the last one, per community) and the mail
//! that carries it.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{CommunityId, DocumentId, EventId, MailId, PollId, SpaceId, ThreadId, UserId};
use crate::model::{ThreadKind, Weekday};

/// How often a member hears from their communities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum DigestFrequency {
    /// No digests.
    Off,
    /// Every day at the chosen hour.
    Daily,
    /// Once a week, on the chosen weekday at the chosen hour.
    Weekly,
}

/// A member's digest preference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DigestPreference {
    /// Off, daily or weekly.
    pub frequency: DigestFrequency,
    /// The local hour it arrives (0–23; default 7).
    #[serde(default = "default_hour", deserialize_with = "crate::json::whole_u8")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 23, default = 7))]
    #[cfg_attr(feature = "uniffi", uniffi(default = 7))]
    pub hour: u8,
    /// The member's IANA time zone (default `Europe/London`).
    #[serde(default = "default_time_zone")]
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:time-zone", default = "Europe/London")
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default = "Europe/London"))]
    pub time_zone: String,
    /// The day a weekly digest arrives (default Monday; ignored otherwise).
    #[serde(default = "default_weekday")]
    pub weekday: Weekday,
}

fn default_hour() -> u8 {
    7
}

fn default_time_zone() -> String {
    "Europe/London".to_owned()
}

fn default_weekday() -> Weekday {
    Weekday::Monday
}

impl Default for DigestPreference {
    /// Off, with the default hour, zone and weekday ready for switching on.
    fn default() -> Self {
        DigestPreference {
            frequency: DigestFrequency::Off,
            hour: default_hour(),
            time_zone: default_time_zone(),
            weekday: default_weekday(),
        }
    }
}

/// A member's digest schedule: their preference, when the next digest is
/// due and what the last one covered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DigestSchedule {
    /// The member.
    pub user: UserId,
    /// Their preference.
    pub preference: DigestPreference,
    /// Where mail goes (their verified address when they chose the rhythm).
    pub email: Option<String>,
    /// When the next digest is due (`None` while digests are off).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub next_due: Option<Timestamp>,
    /// The end of the period the last digest covered: the next one starts
    /// here.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub covered_until: Timestamp,
    /// When the preference last changed.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    /// Optimistic-concurrency version, starting at 1.
    pub version: u64,
}

/// A thread in a digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DigestThread {
    /// The thread.
    pub thread: ThreadId,
    /// Its space.
    pub space: SpaceId,
    /// Discussion or question.
    pub kind: ThreadKind,
    /// Its title.
    pub title: String,
    /// Who started it.
    pub author: UserId,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub started_at: Timestamp,
    /// Posts so far.
    pub post_count: u32,
}

/// An accepted answer in a digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DigestAnswer {
    /// The question.
    pub thread: ThreadId,
    /// Its title.
    pub title: String,
    /// Who wrote the accepted answer.
    pub answered_by: UserId,
}

/// A new document in a digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DigestDocument {
    /// The document.
    pub document: DocumentId,
    /// Its space.
    pub space: SpaceId,
    /// Its title.
    pub title: String,
    /// Who added it.
    pub added_by: UserId,
}

/// An occurrence in the coming week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DigestEvent {
    /// The event.
    pub event: EventId,
    /// The occurrence key.
    pub occurrence: String,
    /// Its title.
    pub title: String,
    /// When it starts.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub starts_at: Timestamp,
    /// The event's time zone (for rendering the local time).
    pub time_zone: String,
}

/// A new member in a digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DigestMember {
    /// Who.
    pub user: UserId,
    /// Their display name (their id when they have no profile).
    pub name: String,
}

/// A poll that closed, with its results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DigestPoll {
    /// The poll.
    pub poll: PollId,
    /// Its question.
    pub question: String,
    /// The options with their votes, in the poll's order.
    pub results: Vec<DigestPollOption>,
    /// How many people voted.
    pub voters: u32,
}

/// One option of a closed poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DigestPollOption {
    /// Its label.
    pub label: String,
    /// Votes for it.
    pub votes: u32,
}

/// A notification in a digest (its topic's channel is `digest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DigestNotice {
    /// The notification (its activity's id).
    pub id: crate::ids::ActivityId,
    /// What it is about.
    pub kind: crate::model::NotificationKind,
    /// What happened, in a line (`Dr Lead replied in “Febrile infant”`).
    pub line: String,
}

/// What happened in one community since the member's last digest, limited
/// to what they can see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CommunityDigest {
    /// The community.
    pub community: CommunityId,
    /// Its name.
    pub name: String,
    /// Threads started by others.
    pub new_threads: Vec<DigestThread>,
    /// Open questions without an accepted answer, recently active.
    pub unanswered_questions: Vec<DigestThread>,
    /// Answers accepted.
    pub accepted_answers: Vec<DigestAnswer>,
    /// Documents added by others.
    pub new_documents: Vec<DigestDocument>,
    /// Occurrences in the next 7 days.
    pub upcoming_events: Vec<DigestEvent>,
    /// People who joined (only for those who may see the roster).
    pub new_members: Vec<DigestMember>,
    /// Polls that closed, with results.
    pub poll_results: Vec<DigestPoll>,
    /// Notifications the member chose to hear of in their digest (still
    /// unread), newest first.
    #[serde(default)]
    pub for_you: Vec<DigestNotice>,
    /// True when a section was cut at its limit or the period held more
    /// activity than one digest reads.
    pub truncated: bool,
}

impl CommunityDigest {
    /// Whether there is nothing to tell.
    pub fn is_empty(&self) -> bool {
        self.new_threads.is_empty()
            && self.unanswered_questions.is_empty()
            && self.accepted_answers.is_empty()
            && self.new_documents.is_empty()
            && self.upcoming_events.is_empty()
            && self.new_members.is_empty()
            && self.poll_results.is_empty()
            && self.for_you.is_empty()
    }
}

/// A member's digest for a period: one section per community with news.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Digest {
    /// Whose.
    pub user: UserId,
    /// The period's start (inclusive: the previous digest's end).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub since: Timestamp,
    /// The period's end (exclusive: the next digest starts here).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub until: Timestamp,
    /// Communities with something to tell, by name.
    pub communities: Vec<CommunityDigest>,
}

impl Digest {
    /// Whether there is nothing to tell in any community.
    pub fn is_empty(&self) -> bool {
        self.communities.iter().all(CommunityDigest::is_empty)
    }
}

/// A digest as mail: structured data plus plain-text and HTML renderings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Mail {
    /// Its id: the same digest always gets the same id, so delivering it
    /// twice is recognisable.
    pub id: MailId,
    /// The member.
    pub to: UserId,
    /// Their address, when known.
    pub email: Option<String>,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body (every value escaped).
    pub html: String,
    /// The structured digest (without communities in a notification's mail).
    pub digest: Digest,
    /// The notification it carries, for mail sent at once rather than in a
    /// digest.
    #[serde(default)]
    pub notification: Option<crate::model::Notification>,
    /// The one-click unsubscribe link (RFC 8058) that stops this kind of
    /// mail, when the service knows its public URL: mail services send it
    /// as `List-Unsubscribe` with `List-Unsubscribe-Post`.
    #[serde(default)]
    pub unsubscribe_url: Option<String>,
    /// When it was produced.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Where it is on its way to the reader (mail stored before delivery
    /// was tracked reads as pending and never due).
    #[serde(default)]
    pub delivery: MailDelivery,
    /// Optimistic-concurrency version of its delivery state.
    #[serde(default)]
    pub version: u64,
}

impl Mail {
    /// The headers of one-click unsubscribe (RFC 8058) every mail service
    /// adds: `List-Unsubscribe` with the link, and `List-Unsubscribe-Post`
    /// (none without a link).
    pub fn unsubscribe_headers(&self) -> Vec<(&'static str, String)> {
        match &self.unsubscribe_url {
            Some(url) => vec![
                ("List-Unsubscribe", format!("<{url}>")),
                (
                    "List-Unsubscribe-Post",
                    "List-Unsubscribe=One-Click".to_owned(),
                ),
            ],
            None => Vec::new(),
        }
    }

    /// When it is next due for delivery: pending mail with an attempt time
    /// only (what every store indexes it by).
    pub fn due_at(&self) -> Option<Timestamp> {
        match self.delivery.status {
            DeliveryStatus::Pending => self.delivery.next_attempt_at,
            _ => None,
        }
    }
}

/// How far a mail got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum DeliveryStatus {
    /// Waiting to be sent, or to be tried again at `next_attempt_at`.
    #[default]
    Pending,
    /// The mail service took it.
    Sent,
    /// Not sent: no address is known for the person.
    NoAddress,
    /// Given up after the last attempt the delivery allows.
    Failed,
    /// Not sent: a notification whose reader could no longer see what it
    /// tells of when it was due to leave.
    Withdrawn,
}

/// The delivery state of a stored mail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MailDelivery {
    /// How far it got.
    pub status: DeliveryStatus,
    /// Attempts started so far.
    pub attempts: u32,
    /// When it is next due (pending mail only; while an attempt runs, the
    /// end of that attempt's lease).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub next_attempt_at: Option<Timestamp>,
    /// When the mail service took it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub sent_at: Option<Timestamp>,
    /// Why the last attempt failed (the mail service's words).
    pub last_error: Option<String>,
}

impl MailDelivery {
    /// A mail waiting to be sent from `at`.
    pub fn pending(at: Timestamp) -> Self {
        MailDelivery {
            next_attempt_at: Some(at),
            ..MailDelivery::default()
        }
    }
}
