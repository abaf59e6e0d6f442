//! Moderation: members report threads, posts and documents, moderators work the
//! queue of open reports, hide or remove content with a reason, and every
//! moderation decision (bans included) is appended to the community's
//! moderation log.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{
    CommunityId, DocumentId, ModerationId, PostId, ReportId, SpaceId, ThreadId, UserId,
};

/// What a report or a moderation decision is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ContentRef {
    /// A thread's opening post: its title, body and tags.
    Thread {
        /// Which.
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = "copkit:ulid"))]
        thread: ThreadId,
    },
    /// A post or reply.
    Post {
        /// Which.
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = "copkit:ulid"))]
        post: PostId,
    },
    /// A document in a library.
    Document {
        /// Which.
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = "copkit:ulid"))]
        document: DocumentId,
    },
}

/// Why something was reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ReportReason {
    /// It could identify a patient.
    PatientIdentifiable,
    /// Clinically unsafe or misleading.
    Misinformation,
    /// Harassment or a personal attack.
    Harassment,
    /// Unprofessional or offensive.
    Inappropriate,
    /// Advertising or spam.
    Spam,
    /// Something else (the note says what).
    Other,
}

/// What a moderator decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ModerationAction {
    /// A report needed no action.
    Dismissed,
    /// Content hidden from everyone but moderators and its author.
    Hidden,
    /// Hidden content shown again.
    Unhidden,
    /// Content removed (a tombstone stays).
    Removed,
    /// A member banned.
    Banned,
    /// A ban lifted.
    Unbanned,
}

/// Whether a report waits for a moderator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ReportStatus {
    /// In the moderators' queue.
    Open,
    /// Decided.
    Resolved,
}

/// How a report was decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Resolution {
    /// Dismissed, hidden or removed.
    pub action: ModerationAction,
    /// The moderator.
    pub by: UserId,
    /// Their reason.
    pub reason: String,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

/// A member's report of a post or document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Report {
    /// Its id (time-ordered).
    pub id: ReportId,
    /// The community.
    pub community: CommunityId,
    /// The space the content is in.
    pub space: SpaceId,
    /// What is reported.
    pub target: ContentRef,
    /// Who reported it.
    pub reporter: UserId,
    /// Why.
    pub reason: ReportReason,
    /// What the reporter adds (up to 1,000 characters).
    pub note: String,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// Open or resolved.
    pub status: ReportStatus,
    /// The decision, once resolved.
    pub resolution: Option<Resolution>,
    /// Optimistic-concurrency version, starting at 1.
    pub version: u64,
}

/// Marks content a moderator hid. Who hid it and why are shown only to
/// its author and to the moderators who can see its space (and in the
/// moderation log); everyone else sees only that and when it was hidden.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Hidden {
    /// The moderator (withheld from other readers).
    pub by: Option<UserId>,
    /// Their reason (withheld from other readers).
    pub reason: Option<String>,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

/// Whom or what a moderation decision concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ModerationSubject {
    /// Content.
    Content {
        /// Which.
        content: ContentRef,
        /// The space it is in (the entry binds like the content: only
        /// moderators admitted to the space see it).
        space: SpaceId,
        /// Its author.
        author: UserId,
    },
    /// A person (bans).
    Member {
        /// Who.
        user: UserId,
    },
}

/// One entry of a community's append-only moderation log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ModerationEntry {
    /// Its id (time-ordered).
    pub id: ModerationId,
    /// The community.
    pub community: CommunityId,
    /// The moderator.
    pub moderator: UserId,
    /// What they did.
    pub action: ModerationAction,
    /// To whom or what.
    pub subject: ModerationSubject,
    /// The report it decided, if any.
    pub report: Option<ReportId>,
    /// Their reason.
    pub reason: String,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}
