//! The one atomic write: a [`Transaction`] of typed operations ([`Op`]),
//! applied entirely or not at all by [`WriteStore::commit`].
//!
//! A transaction maps one-to-one onto DynamoDB's `TransactWriteItems`: each
//! operation touches its own items (no item twice), carries its own
//! condition, and the whole holds at most [`Transaction::MAX_OPS`]
//! operations. Each family of records defines its own operations (an
//! [`EventOp`] in `events.rs`, ...); [`Op`] is any of them.

use async_trait::async_trait;

use super::{
    ActivityOp, CommunityOp, DigestOp, DiscussionOp, DocumentOp, EventOp, InvitationOp,
    ModerationOp, NotificationOp, PollOp, ProfileOp, SpaceOp, StoreError,
};
use crate::ids::{
    ActivityId, CommunityId, DocumentId, EventId, InvitationId, MailId, ModerationId, PollId,
    PostId, ReportId, SpaceId, ThreadId, UserId, ValueStoryId,
};
use crate::model::{Handle, ReactionKind, Slug, TokenHash};

/// The one atomic write.
#[async_trait]
pub trait WriteStore: Send + Sync {
    /// Applies every operation of `tx`, or none of them.
    async fn commit(&self, tx: Transaction) -> Result<(), StoreError>;
}

/// What a record must look like in the store for a write to go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// The record must not exist.
    Absent,
    /// The record must exist with exactly this version.
    Version(u64),
}

impl Expect {
    /// `Absent` for `None`, `Version(v)` for a record read at version `v`.
    pub fn from_version(version: Option<u64>) -> Self {
        version.map_or(Expect::Absent, Expect::Version)
    }
}

/// One operation inside a [`Transaction`]: a write to one family of records.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Profiles and handles.
    Profile(ProfileOp),
    /// Communities, slugs and memberships.
    Community(CommunityOp),
    /// Spaces and grants.
    Space(SpaceOp),
    /// Threads, posts and reactions.
    Discussion(DiscussionOp),
    /// Documents and versions.
    Document(DocumentOp),
    /// Events, RSVPs and attendance.
    Event(EventOp),
    /// Polls and ballots.
    Poll(PollOp),
    /// Reports and the moderation log.
    Moderation(ModerationOp),
    /// Digest schedules and mail.
    Digest(DigestOp),
    /// Activity, participation and value stories.
    Activity(ActivityOp),
    /// Invitations and join requests.
    Invitation(InvitationOp),
    /// Notifications, inbox state, preferences and the fan-out queue.
    Notification(NotificationOp),
}

impl Op {
    /// The items this operation writes.
    pub fn items(&self) -> Vec<ItemKey> {
        match self {
            Op::Profile(op) => op.items(),
            Op::Community(op) => op.items(),
            Op::Space(op) => op.items(),
            Op::Discussion(op) => op.items(),
            Op::Document(op) => op.items(),
            Op::Event(op) => op.items(),
            Op::Poll(op) => op.items(),
            Op::Moderation(op) => op.items(),
            Op::Digest(op) => op.items(),
            Op::Activity(op) => op.items(),
            Op::Invitation(op) => op.items(),
            Op::Notification(op) => op.items(),
        }
    }
}

/// The identity of one stored item, used to reject transactions that touch
/// an item twice (DynamoDB refuses them, so every store does).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemKey {
    /// A profile.
    Profile(UserId),
    /// A community record.
    Community(CommunityId),
    /// A slug claim.
    Slug(Slug),
    /// A membership.
    Membership(CommunityId, UserId),
    /// A join request.
    JoinRequest(CommunityId, UserId),
    /// A participation record.
    Participation(CommunityId, UserId),
    /// A value story.
    ValueStory(ValueStoryId),
    /// A digest schedule.
    DigestSchedule(UserId),
    /// A report.
    Report(ReportId),
    /// A moderation log entry.
    Moderation(ModerationId),
    /// A mail in the outbox.
    Mail(UserId, MailId),
    /// A notification in an inbox.
    Notification(UserId, ActivityId),
    /// A person's inbox bookkeeping.
    InboxState(UserId),
    /// A person's notification preferences.
    NotificationPreferences(UserId),
    /// An activity queued for notifying.
    Fanout(ActivityId),
    /// An invitation.
    Invitation(InvitationId),
    /// A space.
    Space(SpaceId),
    /// A grant.
    Grant(SpaceId, UserId),
    /// An activity.
    Activity(ActivityId),
    /// A handle claim.
    Handle(Handle),
    /// A person's calendar feed.
    CalendarFeed(UserId),
    /// A calendar feed's token claim.
    FeedToken(TokenHash),
    /// A thread.
    Thread(ThreadId),
    /// A post.
    Post(PostId),
    /// A reaction.
    Reaction(PostId, UserId, ReactionKind),
    /// A document.
    Document(DocumentId),
    /// A document version.
    DocumentVersion(DocumentId, u32),
    /// An event.
    Event(EventId),
    /// An RSVP.
    Rsvp(EventId, String, UserId),
    /// An occurrence's RSVP tally.
    RsvpTally(EventId, String),
    /// An attendance record.
    Attendance(EventId, String, UserId),
    /// A poll.
    Poll(PollId),
    /// A ballot.
    Ballot(PollId, UserId),
    /// A document's queued purge.
    Purge(DocumentId),
}

/// Operations applied together, entirely or not at all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transaction {
    ops: Vec<Op>,
}

impl Transaction {
    /// DynamoDB's limit on items in one transaction.
    pub const MAX_OPS: usize = 100;

    /// An empty transaction.
    pub fn new() -> Self {
        Transaction::default()
    }

    /// Adds an operation.
    pub fn push(&mut self, op: impl Into<Op>) -> &mut Self {
        self.ops.push(op.into());
        self
    }

    /// Adds an operation, builder style.
    pub fn with(mut self, op: impl Into<Op>) -> Self {
        self.ops.push(op.into());
        self
    }

    /// The operations, in order.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// Consumes the transaction, returning its operations.
    pub fn into_ops(self) -> Vec<Op> {
        self.ops
    }

    /// Checks the shape every store requires: 1..=100 operations, no item
    /// written twice.
    pub fn check_shape(&self) -> Result<(), StoreError> {
        if self.ops.is_empty() || self.ops.len() > Self::MAX_OPS {
            return Err(StoreError::InvalidTransaction(format!(
                "{} operations (allowed: 1..={})",
                self.ops.len(),
                Self::MAX_OPS
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for op in &self.ops {
            for key in op.items() {
                if !seen.insert(key.clone()) {
                    return Err(StoreError::InvalidTransaction(format!(
                        "item written twice: {key:?}"
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Which condition of a transaction failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionFailure {
    /// The item (or a unique claim, like a slug) already exists.
    AlreadyExists,
    /// The item's version is not the expected one, or it is gone.
    VersionMismatch,
    /// The owner count would drop below one.
    LastOwner,
    /// A count limit would be exceeded.
    LimitReached,
    /// The invitation cannot be used (revoked, expired, used up, gone).
    InvitationUnusable,
    /// The thread is locked or deleted, or the poll is closed.
    Closed,
}
