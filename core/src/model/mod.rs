//! Plain data types, one file per concept. No behaviour beyond small,
//! self-evident helpers; rules live in [`crate::policy`] and [`crate::service`].

mod activity;
mod calendar_feed;
mod community;
mod digest;
mod document;
mod event;
mod invitation;
mod join_request;
mod membership;
mod moderation;
mod notification;
mod page;
mod participation;
mod poll;
mod profile;
mod search;
mod space;
mod thread;
mod value;

pub use activity::{Activity, ActivityKind, JoinedVia};
pub use calendar_feed::CalendarFeed;
pub use community::{
    Access, Community, CommunityCounts, CommunityKind, CountDelta, DepartedUploads, JoinPolicy,
    Slug, Visibility,
};
pub use digest::{
    CommunityDigest, DeliveryStatus, Digest, DigestAnswer, DigestDocument, DigestEvent,
    DigestFrequency, DigestMember, DigestNotice, DigestPoll, DigestPollOption, DigestPreference,
    DigestSchedule, DigestThread, Mail, MailDelivery,
};
pub use document::{BlobPurge, Document, DocumentVersion};
pub use event::{
    Attendance, Event, Frequency, MonthlyBy, Nth, Occurrence, Recurrence, RecurrenceEnd, Rsvp,
    RsvpResponse, RsvpTally, Weekday,
};
pub use invitation::{Invitation, InvitationTarget, InvitedRole, TokenHash};
pub use join_request::{JoinRequest, RequestStatus};
pub use membership::{Membership, MembershipStatus, ParticipationLevel, Role};
pub use moderation::{
    ContentRef, Hidden, ModerationAction, ModerationEntry, ModerationSubject, Report, ReportReason,
    ReportStatus, Resolution,
};
pub use notification::{
    CommunityChannels, FanoutJob, Inbox, InboxState, Notification, NotificationChannel,
    NotificationChoices, NotificationKind, NotificationPreferences, NotificationTopic,
    TopicChannel,
};
pub use page::{Cursor, Page, PageRequest};
pub use participation::{
    Contribution, DayPoints, LevelRules, LevelStanding, Participation, utc_day,
};
pub use poll::{Ballot, Poll, ResultsVisibility};
pub use profile::{Handle, Profile};
pub use search::{SearchHit, SearchKind, SnippetPart};
pub use space::{Space, SpaceGrant, SpaceVisibility};
pub use thread::{Post, Reaction, ReactionCounts, ReactionKind, Thread, ThreadKind};
pub use value::{ValueKind, ValueStory};
