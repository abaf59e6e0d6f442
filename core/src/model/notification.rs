//! Notifications: what reaches a person from their communities' activity —
//! the in-app inbox, its unread count, the person's choice per topic of how
//! they hear (in the app, by email at once, in the digest, not at all), and
//! the queue of activity waiting to be turned into notifications.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::UserId;
use crate::ids::{
    ActivityId, CommunityId, EventId, InvitationId, PollId, PostId, ReportId, SpaceId, ThreadId,
};
use crate::model::{Activity, Role};

/// What a notification is about, with what an app needs to link to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum NotificationKind {
    /// Someone @mentioned the person in a thread or a post.
    Mentioned {
        /// The thread.
        thread: ThreadId,
        /// The post (`None`: the thread's opening text).
        post: Option<PostId>,
    },
    /// Someone replied in a thread the person started or posted in.
    Replied {
        /// The thread.
        thread: ThreadId,
        /// The new post.
        post: PostId,
    },
    /// The person's answer was accepted.
    AnswerAccepted {
        /// The question.
        thread: ThreadId,
        /// Their answer.
        post: PostId,
    },
    /// The person was invited, by their verified email address.
    Invited {
        /// The invitation (accept it with the token of its mail).
        invitation: InvitationId,
    },
    /// Someone asked to join (to moderators).
    JoinRequested {
        /// Who asked.
        user: UserId,
    },
    /// The person's join request was approved.
    JoinApproved,
    /// The person's join request was denied.
    JoinDenied,
    /// Someone reported content (to moderators).
    ContentReported {
        /// The report.
        report: ReportId,
    },
    /// The person's role changed.
    RoleChanged {
        /// From.
        from: Role,
        /// To.
        to: Role,
    },
    /// The person was banned.
    Banned {
        /// Until when (`None`: permanently).
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
        until: Option<Timestamp>,
    },
    /// A new event was scheduled.
    EventScheduled {
        /// The event.
        event: EventId,
    },
    /// An event the person answered going or maybe to changed.
    EventChanged {
        /// The event.
        event: EventId,
    },
    /// A session the person answered going or maybe to was cancelled (or
    /// restored).
    OccurrenceCancelled {
        /// The event.
        event: EventId,
        /// The occurrence key.
        occurrence: String,
        /// Cancelled now? (false: restored)
        cancelled: bool,
    },
    /// A poll the person voted in was closed.
    PollClosed {
        /// The poll.
        poll: PollId,
    },
}

impl NotificationKind {
    /// The topic a person chooses a channel for.
    pub fn topic(&self) -> NotificationTopic {
        use NotificationKind as K;
        match self {
            K::Mentioned { .. } => NotificationTopic::Mention,
            K::Replied { .. } => NotificationTopic::Reply,
            K::AnswerAccepted { .. } => NotificationTopic::AcceptedAnswer,
            K::Invited { .. } => NotificationTopic::Invitation,
            K::JoinRequested { .. } => NotificationTopic::JoinRequest,
            K::JoinApproved | K::JoinDenied => NotificationTopic::JoinDecision,
            K::ContentReported { .. } => NotificationTopic::Report,
            K::RoleChanged { .. } => NotificationTopic::RoleChange,
            K::Banned { .. } => NotificationTopic::Ban,
            K::EventScheduled { .. } => NotificationTopic::NewEvent,
            K::EventChanged { .. } | K::OccurrenceCancelled { .. } => {
                NotificationTopic::EventChange
            }
            K::PollClosed { .. } => NotificationTopic::PollClosed,
        }
    }
}

/// The kinds of notification a person chooses a channel for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum NotificationTopic {
    /// An @mention.
    Mention,
    /// A reply in a thread they started or posted in.
    Reply,
    /// Their answer accepted.
    AcceptedAnswer,
    /// An invitation to their verified email.
    Invitation,
    /// A join request (moderators).
    JoinRequest,
    /// Their join request approved or denied.
    JoinDecision,
    /// A report (moderators).
    Report,
    /// Their role changed.
    RoleChange,
    /// They were banned.
    Ban,
    /// A new event.
    NewEvent,
    /// A change or cancellation of an event they answered going or maybe to.
    EventChange,
    /// A poll they voted in closed.
    PollClosed,
}

impl NotificationTopic {
    /// Every topic.
    pub const ALL: [NotificationTopic; 12] = [
        NotificationTopic::Invitation,
        NotificationTopic::Mention,
        NotificationTopic::Reply,
        NotificationTopic::AcceptedAnswer,
        NotificationTopic::JoinRequest,
        NotificationTopic::JoinDecision,
        NotificationTopic::Report,
        NotificationTopic::RoleChange,
        NotificationTopic::Ban,
        NotificationTopic::NewEvent,
        NotificationTopic::EventChange,
        NotificationTopic::PollClosed,
    ];

    /// How a person hears of it until they choose: by email at once for
    /// what is addressed to them personally or needs a moderator soon, in
    /// the app for conversation (and invitations, which are mailed anyway),
    /// in the digest for new events.
    pub fn default_channel(self) -> NotificationChannel {
        use NotificationTopic as T;
        match self {
            T::Mention
            | T::AcceptedAnswer
            | T::JoinDecision
            | T::Report
            | T::Ban
            | T::EventChange => NotificationChannel::Email,
            T::Invitation | T::Reply | T::JoinRequest | T::RoleChange | T::PollClosed => {
                NotificationChannel::InApp
            }
            T::NewEvent => NotificationChannel::Digest,
        }
    }
}

/// How a person hears of one topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum NotificationChannel {
    /// In the inbox only.
    InApp,
    /// In the inbox, and by email at once.
    Email,
    /// In the inbox, and listed in their next digest.
    Digest,
    /// Not at all.
    Off,
}

/// One topic's channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TopicChannel {
    /// The topic.
    pub topic: NotificationTopic,
    /// How they hear of it.
    pub channel: NotificationChannel,
}

/// One community's channels, overriding the person's general choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CommunityChannels {
    /// The community.
    pub community: CommunityId,
    /// Its topics' channels (topics not listed follow the general choice).
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub topics: Vec<TopicChannel>,
}

/// What a person chooses: channels per topic, and per community.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NotificationChoices {
    /// General channels per topic (topics not listed keep their default; a
    /// topic listed twice: the later counts).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub topics: Vec<TopicChannel>,
    /// Per-community channels, which win over the general ones.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 200))]
    pub communities: Vec<CommunityChannels>,
}

impl NotificationChoices {
    /// The channel for `topic` in `community`: the community's choice, else
    /// the general one, else the topic's default.
    pub fn channel(
        &self,
        community: &CommunityId,
        topic: NotificationTopic,
    ) -> NotificationChannel {
        let find =
            |list: &[TopicChannel]| list.iter().find(|t| t.topic == topic).map(|t| t.channel);
        self.communities
            .iter()
            .find(|c| c.community == *community)
            .and_then(|c| find(&c.topics))
            .or_else(|| find(&self.topics))
            .unwrap_or_else(|| topic.default_channel())
    }
}

/// A person's stored notification preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NotificationPreferences {
    /// Whose.
    pub user: UserId,
    /// What they chose.
    pub choices: NotificationChoices,
    /// Where email goes (their verified address when they last chose; the
    /// digest's address when `None`).
    pub email: Option<String>,
    /// Every topic's channel outside any per-community choice (defaults
    /// filled in), for showing the settings.
    pub effective: Vec<TopicChannel>,
    /// When they last changed them.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    /// Optimistic-concurrency version (0: never chosen, defaults apply).
    pub version: u64,
}

/// One notification in a person's inbox. There is at most one per person
/// per activity: its id is the activity's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Notification {
    /// The activity it tells of (time-ordered; newest first in the inbox).
    pub id: ActivityId,
    /// Whose inbox.
    pub user: UserId,
    /// The community.
    pub community: CommunityId,
    /// The space, when it is about something inside one.
    pub space: Option<SpaceId>,
    /// Who did it.
    pub actor: UserId,
    /// When it happened.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// What it is about.
    pub kind: NotificationKind,
    /// A line to show: the thread's, event's or poll's title, or the
    /// community's name (as it was when the notification was made).
    pub title: String,
    /// How the person chose to hear of it when it was made.
    pub channel: NotificationChannel,
    /// When the person read it (`None`: unread).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub read_at: Option<Timestamp>,
    /// Optimistic-concurrency version.
    pub version: u64,
}

/// A person's inbox bookkeeping: the unread count, kept in the same write
/// as each notification and each "read".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxState {
    /// Whose.
    pub user: UserId,
    /// Notifications not read yet.
    pub unread: u32,
    /// Everything up to this notification was marked read at once.
    pub read_through: Option<ActivityId>,
    /// Optimistic-concurrency version.
    pub version: u64,
}

impl InboxState {
    /// The state of an inbox nobody wrote to yet.
    pub fn empty(user: UserId) -> Self {
        InboxState {
            user,
            unread: 0,
            read_through: None,
            version: 0,
        }
    }

    /// Whether `notification` counts as read here.
    pub fn has_read(&self, notification: &Notification) -> bool {
        notification.read_at.is_some() || self.read_through.is_some_and(|r| notification.id <= r)
    }
}

/// A page of the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Inbox {
    /// Notifications, newest first.
    pub items: Vec<Notification>,
    /// The cursor for the next page; `None` on the last page.
    pub next: Option<String>,
    /// How many notifications are unread in all.
    pub unread: u32,
}

/// An activity waiting to be turned into notifications (queued in the
/// same write as the activity, removed once every notification is made).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FanoutJob {
    /// The activity.
    pub activity: Activity,
    /// When it is (next) due: at once, or after a failed or interrupted
    /// attempt's lease.
    pub due: Timestamp,
    /// Attempts started.
    pub attempts: u32,
    /// Optimistic-concurrency version.
    pub version: u64,
}
