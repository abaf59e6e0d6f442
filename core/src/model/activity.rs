use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{
    ActivityId, CommunityId, DocumentId, EventId, InvitationId, PollId, PostId, ReportId, SpaceId,
    ThreadId, UserId, ValueStoryId,
};
use crate::model::{
    ContentRef, ModerationAction, ReactionKind, Role, RsvpResponse, ThreadKind, ValueKind,
};

/// A recorded domain event: who did what, where and when. Written inside the
/// same atomic store write as the change it describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Activity {
    /// Its id (time-ordered).
    pub id: ActivityId,
    /// The community it happened in.
    pub community: CommunityId,
    /// The space, when it happened inside one.
    pub space: Option<SpaceId>,
    /// Who did it.
    pub actor: UserId,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// What happened.
    pub kind: ActivityKind,
}

/// How someone became a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum JoinedVia {
    /// Started the community.
    Founded,
    /// Joined an Open community.
    Open,
    /// Their join request was approved.
    Approval,
    /// Accepted an invitation.
    Invitation,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ActivityKind {
    /// The community was started.
    CommunityCreated,
    /// Its settings changed.
    CommunityUpdated,
    /// Someone joined.
    MemberJoined {
        /// Who.
        user: UserId,
        /// With which role.
        role: Role,
        /// How.
        via: JoinedVia,
    },
    /// Someone left.
    MemberLeft {
        /// Who.
        user: UserId,
    },
    /// A moderator removed someone.
    MemberRemoved {
        /// Who.
        user: UserId,
    },
    /// A moderator banned someone.
    MemberBanned {
        /// Who.
        user: UserId,
        /// Until when (`None`: permanently).
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
        until: Option<Timestamp>,
    },
    /// A moderator lifted a ban.
    MemberUnbanned {
        /// Who.
        user: UserId,
    },
    /// An owner changed someone's role.
    RoleChanged {
        /// Whose.
        user: UserId,
        /// From.
        from: Role,
        /// To.
        to: Role,
    },
    /// An owner handed ownership over.
    OwnershipTransferred {
        /// The new owner.
        to: UserId,
    },
    /// Someone asked to join.
    JoinRequested {
        /// Who.
        user: UserId,
    },
    /// A request was withdrawn.
    JoinRequestWithdrawn {
        /// Whose.
        user: UserId,
    },
    /// A request was denied.
    JoinRequestDenied {
        /// Whose.
        user: UserId,
    },
    /// An invitation was created.
    InvitationCreated {
        /// Which.
        invitation: InvitationId,
    },
    /// An invitation was revoked.
    InvitationRevoked {
        /// Which.
        invitation: InvitationId,
    },
    /// A space was created.
    SpaceCreated,
    /// A space's settings changed.
    SpaceUpdated,
    /// A space was archived.
    SpaceArchived,
    /// A space was brought back from the archive.
    SpaceUnarchived,
    /// A guest was granted a space.
    GuestGranted {
        /// Who.
        user: UserId,
    },
    /// A guest's grant was revoked.
    GuestRevoked {
        /// Who.
        user: UserId,
    },
    /// A thread was started.
    ThreadStarted {
        /// Which.
        thread: ThreadId,
        /// Discussion or question.
        kind: ThreadKind,
    },
    /// A thread's title, body or tags were edited.
    ThreadEdited {
        /// Which.
        thread: ThreadId,
    },
    /// A thread was deleted (a tombstone stays).
    ThreadDeleted {
        /// Which.
        thread: ThreadId,
    },
    /// A moderator pinned or unpinned a thread.
    ThreadPinned {
        /// Which.
        thread: ThreadId,
        /// Pinned now?
        pinned: bool,
    },
    /// A moderator locked or unlocked a thread.
    ThreadLocked {
        /// Which.
        thread: ThreadId,
        /// Locked now?
        locked: bool,
    },
    /// A post or reply was added.
    PostAdded {
        /// The thread.
        thread: ThreadId,
        /// The post.
        post: PostId,
        /// True for a reply to another post.
        reply: bool,
    },
    /// A post was edited.
    PostEdited {
        /// The thread.
        thread: ThreadId,
        /// The post.
        post: PostId,
    },
    /// A post was deleted (a tombstone stays).
    PostDeleted {
        /// The thread.
        thread: ThreadId,
        /// The post.
        post: PostId,
    },
    /// A post was accepted as a question's answer.
    AnswerAccepted {
        /// The question.
        thread: ThreadId,
        /// The answer.
        post: PostId,
        /// Who wrote the answer.
        author: UserId,
    },
    /// Someone reacted to a post.
    Reacted {
        /// The post.
        post: PostId,
        /// How.
        reaction: ReactionKind,
    },
    /// A document was added to a library.
    DocumentAdded {
        /// Which.
        document: DocumentId,
    },
    /// A new version of a document was uploaded.
    DocumentVersionAdded {
        /// Which.
        document: DocumentId,
        /// Its number.
        number: u32,
    },
    /// A document's title, description or tags changed.
    DocumentEdited {
        /// Which.
        document: DocumentId,
    },
    /// A document was deleted.
    DocumentDeleted {
        /// Which.
        document: DocumentId,
    },
    /// An event was scheduled.
    EventScheduled {
        /// Which.
        event: EventId,
    },
    /// An event changed.
    EventUpdated {
        /// Which.
        event: EventId,
    },
    /// One occurrence was cancelled (or restored).
    OccurrenceCancelled {
        /// The event.
        event: EventId,
        /// The occurrence key.
        occurrence: String,
        /// Cancelled now? (false: restored)
        cancelled: bool,
    },
    /// Someone answered for an occurrence.
    Rsvped {
        /// The event.
        event: EventId,
        /// The occurrence key.
        occurrence: String,
        /// Their answer.
        response: RsvpResponse,
    },
    /// A moderator recorded attendance.
    AttendanceRecorded {
        /// The event.
        event: EventId,
        /// The occurrence key.
        occurrence: String,
        /// Who.
        user: UserId,
        /// Whether they attended.
        attended: bool,
        /// Minutes credited.
        minutes: u32,
    },
    /// A poll was opened.
    PollOpened {
        /// Which.
        poll: PollId,
    },
    /// Someone voted (or changed their vote).
    Voted {
        /// Which poll.
        poll: PollId,
    },
    /// A poll closed: early, by its author or a moderator (recorded in the
    /// feed), or at its deadline (`on_deadline`: never in the feed, only
    /// queued for notifications when the poll opens).
    PollClosed {
        /// Which.
        poll: PollId,
        /// Whether voting ended at the deadline set when it opened.
        #[serde(default)]
        on_deadline: bool,
    },
    /// Someone reported a post or document.
    ContentReported {
        /// The report.
        report: ReportId,
    },
    /// A moderator hid, unhid or removed content, or dismissed a report.
    ContentModerated {
        /// What.
        content: ContentRef,
        /// The decision.
        action: ModerationAction,
    },
    /// A member told how the community helped them.
    ValueStoryTold {
        /// Which story.
        story: ValueStoryId,
        /// The kind of value.
        kind: ValueKind,
    },
}

impl fmt::Display for ActivityKind {
    /// A short English description, such as `approved tom as member`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ActivityKind as K;
        match self {
            K::CommunityCreated => write!(f, "started the community"),
            K::CommunityUpdated => write!(f, "changed the community's settings"),
            K::MemberJoined { user, role, via } => {
                let role = format!("{role:?}").to_lowercase();
                match via {
                    JoinedVia::Founded => write!(f, "founded it as {role}"),
                    JoinedVia::Open => write!(f, "{user} joined as {role}"),
                    JoinedVia::Approval => write!(f, "approved {user} as {role}"),
                    JoinedVia::Invitation => write!(f, "{user} accepted an invitation as {role}"),
                }
            }
            K::MemberLeft { user } => write!(f, "{user} left"),
            K::MemberRemoved { user } => write!(f, "removed {user}"),
            K::MemberBanned {
                user,
                until: Some(until),
            } => write!(f, "banned {user} until {until}"),
            K::MemberBanned { user, until: None } => write!(f, "banned {user} permanently"),
            K::MemberUnbanned { user } => write!(f, "lifted the ban on {user}"),
            K::RoleChanged { user, from, to } => write!(
                f,
                "made {user} {} (was {})",
                format!("{to:?}").to_lowercase(),
                format!("{from:?}").to_lowercase()
            ),
            K::OwnershipTransferred { to } => write!(f, "handed ownership to {to}"),
            K::JoinRequested { user } => write!(f, "{user} asked to join"),
            K::JoinRequestWithdrawn { user } => write!(f, "{user} withdrew their request"),
            K::JoinRequestDenied { user } => write!(f, "denied {user}'s request"),
            K::InvitationCreated { invitation } => write!(f, "created invitation {invitation}"),
            K::InvitationRevoked { invitation } => write!(f, "revoked invitation {invitation}"),
            K::SpaceCreated => write!(f, "created a space"),
            K::SpaceUpdated => write!(f, "changed a space"),
            K::SpaceArchived => write!(f, "archived a space"),
            K::SpaceUnarchived => write!(f, "restored a space"),
            K::GuestGranted { user } => write!(f, "granted {user} a space"),
            K::GuestRevoked { user } => write!(f, "revoked {user}'s access to a space"),
            K::ThreadStarted {
                kind: ThreadKind::Question,
                ..
            } => write!(f, "asked a question"),
            K::ThreadStarted { .. } => write!(f, "started a discussion"),
            K::ThreadEdited { .. } => write!(f, "edited a thread"),
            K::ThreadDeleted { .. } => write!(f, "deleted a thread"),
            K::ThreadPinned { pinned, .. } => {
                write!(
                    f,
                    "{} a thread",
                    if *pinned { "pinned" } else { "unpinned" }
                )
            }
            K::ThreadLocked { locked, .. } => {
                write!(
                    f,
                    "{} a thread",
                    if *locked { "locked" } else { "unlocked" }
                )
            }
            K::PostAdded { reply: true, .. } => write!(f, "replied"),
            K::PostAdded { .. } => write!(f, "posted"),
            K::PostEdited { .. } => write!(f, "edited a post"),
            K::PostDeleted { .. } => write!(f, "deleted a post"),
            K::AnswerAccepted { author, .. } => write!(f, "accepted {author}'s answer"),
            K::Reacted { reaction, .. } => write!(f, "reacted with {reaction}"),
            K::DocumentAdded { .. } => write!(f, "shared a document"),
            K::DocumentVersionAdded { number, .. } => {
                write!(f, "uploaded version {number} of a document")
            }
            K::DocumentEdited { .. } => write!(f, "edited a document's details"),
            K::DocumentDeleted { .. } => write!(f, "deleted a document"),
            K::EventScheduled { .. } => write!(f, "scheduled an event"),
            K::EventUpdated { .. } => write!(f, "changed an event"),
            K::OccurrenceCancelled {
                occurrence,
                cancelled: true,
                ..
            } => {
                write!(f, "cancelled the session of {occurrence}")
            }
            K::OccurrenceCancelled { occurrence, .. } => {
                write!(f, "restored the session of {occurrence}")
            }
            K::Rsvped { response, .. } => {
                write!(f, "answered {}", format!("{response:?}").to_lowercase())
            }
            K::AttendanceRecorded {
                user,
                attended: true,
                ..
            } => write!(f, "recorded {user} as attending"),
            K::AttendanceRecorded { user, .. } => write!(f, "recorded {user} as absent"),
            K::PollOpened { .. } => write!(f, "opened a poll"),
            K::Voted { .. } => write!(f, "voted"),
            K::PollClosed { .. } => write!(f, "closed a poll"),
            K::ValueStoryTold { .. } => write!(f, "told a value story"),
            K::ContentReported { .. } => write!(f, "reported content to the moderators"),
            K::ContentModerated { content, action } => {
                let what = match content {
                    ContentRef::Thread { .. } => "a thread",
                    ContentRef::Post { .. } => "a post",
                    ContentRef::Document { .. } => "a document",
                };
                match action {
                    ModerationAction::Hidden => write!(f, "hid {what}"),
                    ModerationAction::Unhidden => write!(f, "showed {what} again"),
                    ModerationAction::Removed => write!(f, "removed {what}"),
                    _ => write!(f, "dismissed a report about {what}"),
                }
            }
        }
    }
}
