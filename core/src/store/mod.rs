//! The storage contract (DESIGN §4): async read traits, one per aggregate,
//! and one atomic write ([`WriteStore::commit`]) that applies a
//! [`Transaction`] of typed operations entirely or not at all.
//!
//! Reads return `Option` for single items and a [`Chunk`] for lists. Lists
//! take a [`Range`] whose `after` is a raw position the same store returned
//! earlier; services sign positions into opaque cursors (see
//! [`crate::cursor`]), so stores never see caller-made positions unless
//! they were signed by this deployment — but they still validate them.
//!
//! A transaction maps one-to-one onto DynamoDB's `TransactWriteItems`: each
//! [`Op`] touches its own items (no item twice), carries its own condition,
//! and the whole thing holds at most [`Transaction::MAX_OPS`] operations.
//! Cross-item invariants (member and owner counts, the last owner, invitation
//! use limits, slug uniqueness) are conditions inside that one write.

use async_trait::async_trait;
use jiff::Timestamp;

use crate::ids::{
    ActivityId, CommunityId, DocumentId, EventId, InvitationId, MailId, ModerationId, PollId,
    PostId, ReportId, SpaceId, ThreadId, UserId, ValueStoryId,
};
use crate::model::{
    Activity, Attendance, Ballot, Community, CommunityKind, CountDelta, DigestSchedule, Document,
    DocumentVersion, Event, Handle, Invitation, JoinRequest, Mail, Membership, ModerationEntry,
    Participation, ParticipationLevel, Poll, Post, Profile, Reaction, ReactionKind, Report,
    ReportStatus, Rsvp, RsvpTally, Slug, Space, SpaceGrant, Thread, TokenHash, ValueStory,
};

pub mod batch;
#[cfg(feature = "conformance")]
pub mod counting;
mod memory;
pub mod rules;
pub use batch::{BatchStore, Record, Records, Wanted};
pub use memory::MemoryStore;

#[cfg(feature = "conformance")]
pub mod conformance;

/// Where a list page starts and how long it is, as the store sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    /// At most this many items (1..=100).
    pub limit: u32,
    /// Start after this position (from a previous [`Chunk::next`]).
    pub after: Option<String>,
}

impl Range {
    /// The first `limit` items.
    pub fn first(limit: u32) -> Self {
        Range { limit, after: None }
    }
}

/// One page of a list, as the store returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk<T> {
    /// The items.
    pub items: Vec<T>,
    /// The position to continue after; `None` when the list is exhausted.
    pub next: Option<String>,
}

/// Filters for the community directory (Public and Private communities only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectoryQuery {
    /// Only communities of this kind.
    pub kind: Option<CommunityKind>,
    /// Only communities whose name starts with this (case-insensitive).
    pub name_prefix: Option<String>,
}

/// Which memberships a roster query returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberFilter {
    /// Current members and guests.
    Active,
    /// People whose membership record says banned (expired bans included).
    Banned,
    /// Current members and guests at this stored level, by user id.
    Level(ParticipationLevel),
}

/// The facts an access decision needs, fetched together (one round trip in
/// stores that can batch reads).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessFacts {
    /// The community, if it exists.
    pub community: Option<Community>,
    /// The caller's membership record, if any.
    pub membership: Option<Membership>,
    /// The caller's grant on the space asked about, if any.
    pub grant: Option<SpaceGrant>,
}

/// Profiles.
#[async_trait]
pub trait ProfileStore: Send + Sync {
    /// One profile.
    async fn get_profile(&self, user: &UserId) -> Result<Option<Profile>, StoreError>;
    /// Several profiles at once (missing ones are left out; order not kept).
    async fn get_profiles(&self, users: &[UserId]) -> Result<Vec<Profile>, StoreError>;
    /// The profile holding a handle.
    async fn get_profile_by_handle(&self, handle: &Handle) -> Result<Option<Profile>, StoreError>;
}

/// Communities and the directory.
#[async_trait]
pub trait CommunityStore: Send + Sync {
    /// One community by id.
    async fn get_community(&self, id: &CommunityId) -> Result<Option<Community>, StoreError>;
    /// Several communities at once (missing ones are left out; order not kept).
    async fn get_communities(&self, ids: &[CommunityId]) -> Result<Vec<Community>, StoreError>;
    /// One community by slug.
    async fn get_community_by_slug(&self, slug: &Slug) -> Result<Option<Community>, StoreError>;
    /// The id of the community that holds `slug` (one read of the slug
    /// claim, for callers that read the community with other facts next).
    async fn community_id_by_slug(&self, slug: &Slug) -> Result<Option<CommunityId>, StoreError>;
    /// Listed (Public and Private) communities ordered by lower-cased name, then id.
    async fn list_directory(
        &self,
        query: &DirectoryQuery,
        range: &Range,
    ) -> Result<Chunk<Community>, StoreError>;
}

/// Memberships and access facts.
#[async_trait]
pub trait MembershipStore: Send + Sync {
    /// One membership record.
    async fn get_membership(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<Membership>, StoreError>;
    /// The community, the user's membership and (for `space`) their grant,
    /// read consistently and together.
    async fn access_facts(
        &self,
        community: &CommunityId,
        user: &UserId,
        space: Option<&SpaceId>,
    ) -> Result<AccessFacts, StoreError>;
    /// A community's roster ordered by role (owners first), then user id.
    async fn list_members(
        &self,
        community: &CommunityId,
        filter: MemberFilter,
        range: &Range,
    ) -> Result<Chunk<Membership>, StoreError>;
    /// A person's active memberships ordered by community id.
    async fn list_user_memberships(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Membership>, StoreError>;
}

/// Participation records (contribution points behind levels).
#[async_trait]
pub trait ParticipationStore: Send + Sync {
    /// A member's participation record in a community.
    async fn get_participation(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<Participation>, StoreError>;
    /// Records whose `review_at` is at or before `due`, earliest first, at
    /// most `limit` (1–100). Reading never changes them; a record
    /// rewritten with a later `review_at` stops being due.
    async fn participation_due(
        &self,
        due: Timestamp,
        limit: u32,
    ) -> Result<Vec<Participation>, StoreError>;
}

/// Digest schedules and the mail outbox.
#[async_trait]
pub trait DigestStore: Send + Sync {
    /// A member's digest schedule.
    async fn get_digest_schedule(
        &self,
        user: &UserId,
    ) -> Result<Option<DigestSchedule>, StoreError>;
    /// Schedules whose `next_due` is at or before `due`, earliest first, at
    /// most `limit` (1–100). A schedule rewritten with a later `next_due`
    /// (or none) stops being due.
    async fn digests_due(
        &self,
        due: Timestamp,
        limit: u32,
    ) -> Result<Vec<DigestSchedule>, StoreError>;
    /// The mail sent to a person, newest first.
    async fn list_outbox(&self, user: &UserId, range: &Range) -> Result<Chunk<Mail>, StoreError>;
}

/// Reports and the moderation log.
#[async_trait]
pub trait ModerationStore: Send + Sync {
    /// One report (read consistently: a decision depends on it).
    async fn get_report(
        &self,
        community: &CommunityId,
        id: &ReportId,
    ) -> Result<Option<Report>, StoreError>;
    /// A community's reports in one status, oldest first (a queue).
    async fn list_reports(
        &self,
        community: &CommunityId,
        status: ReportStatus,
        range: &Range,
    ) -> Result<Chunk<Report>, StoreError>;
    /// A community's moderation log, newest first.
    async fn list_moderation_log(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<ModerationEntry>, StoreError>;
}

/// Value stories.
#[async_trait]
pub trait ValueStoryStore: Send + Sync {
    /// A community's value stories, newest first.
    async fn list_value_stories(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<ValueStory>, StoreError>;
    /// The stories a person told, in every community, newest first.
    async fn list_user_value_stories(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<ValueStory>, StoreError>;
}

/// Join requests.
#[async_trait]
pub trait JoinRequestStore: Send + Sync {
    /// A person's request to a community.
    async fn get_join_request(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<JoinRequest>, StoreError>;
    /// Pending requests, oldest first (then by user id).
    async fn list_pending_requests(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<JoinRequest>, StoreError>;
}

/// Invitations.
#[async_trait]
pub trait InvitationStore: Send + Sync {
    /// One invitation by id, within its community.
    async fn get_invitation(
        &self,
        community: &CommunityId,
        id: &InvitationId,
    ) -> Result<Option<Invitation>, StoreError>;
    /// One invitation by the hash of its token.
    async fn get_invitation_by_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<Invitation>, StoreError>;
    /// A community's invitations, newest first.
    async fn list_invitations(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Invitation>, StoreError>;
}

/// Spaces and grants.
#[async_trait]
pub trait SpaceStore: Send + Sync {
    /// One space by id.
    async fn get_space(&self, id: &SpaceId) -> Result<Option<Space>, StoreError>;
    /// Every space of a community (at most 100), oldest first.
    async fn list_spaces(&self, community: &CommunityId) -> Result<Vec<Space>, StoreError>;
    /// A person's grants in a community.
    async fn list_user_grants(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Vec<SpaceGrant>, StoreError>;
    /// A space's grants, ordered by user id.
    async fn list_space_grants(&self, space: &SpaceId) -> Result<Vec<SpaceGrant>, StoreError>;
}

/// The activity record.
#[async_trait]
pub trait ActivityStore: Send + Sync {
    /// A community's activity, newest first.
    async fn list_activity(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Activity>, StoreError>;
    /// What one person did, in every community, newest first.
    async fn list_user_activity(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Activity>, StoreError>;
}

/// Discussion threads, posts and reactions.
#[async_trait]
pub trait ThreadStore: Send + Sync {
    /// One thread.
    async fn get_thread(&self, id: &ThreadId) -> Result<Option<Thread>, StoreError>;
    /// A space's threads that are not deleted, latest activity first (then
    /// newest id first).
    async fn list_threads(
        &self,
        space: &SpaceId,
        range: &Range,
    ) -> Result<Chunk<Thread>, StoreError>;
    /// A space's pinned threads that are not deleted, newest first.
    async fn list_pinned_threads(&self, space: &SpaceId) -> Result<Vec<Thread>, StoreError>;
    /// One post.
    async fn get_post(&self, id: &PostId) -> Result<Option<Post>, StoreError>;
    /// A thread's posts and replies (tombstones included), oldest first.
    async fn list_posts(&self, thread: &ThreadId, range: &Range)
    -> Result<Chunk<Post>, StoreError>;
    /// The reactions one person gave one post.
    async fn get_reactions(
        &self,
        post: &PostId,
        user: &UserId,
    ) -> Result<Vec<ReactionKind>, StoreError>;
}

/// The document library.
#[async_trait]
pub trait DocumentStore: Send + Sync {
    /// One document.
    async fn get_document(&self, id: &DocumentId) -> Result<Option<Document>, StoreError>;
    /// A space's documents that are not deleted, most recently updated first
    /// (then newest id first).
    async fn list_documents(
        &self,
        space: &SpaceId,
        range: &Range,
    ) -> Result<Chunk<Document>, StoreError>;
    /// One version of a document.
    async fn get_document_version(
        &self,
        document: &DocumentId,
        number: u32,
    ) -> Result<Option<DocumentVersion>, StoreError>;
    /// A document's versions, oldest first.
    async fn list_document_versions(
        &self,
        document: &DocumentId,
        range: &Range,
    ) -> Result<Chunk<DocumentVersion>, StoreError>;
}

/// Events, RSVPs and attendance.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// One event.
    async fn get_event(&self, id: &EventId) -> Result<Option<Event>, StoreError>;
    /// A community's events, oldest id first.
    async fn list_events(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Event>, StoreError>;
    /// One person's RSVP to one occurrence.
    async fn get_rsvp(
        &self,
        event: &EventId,
        occurrence: &str,
        user: &UserId,
    ) -> Result<Option<Rsvp>, StoreError>;
    /// RSVPs to one occurrence, by user id.
    async fn list_rsvps(
        &self,
        event: &EventId,
        occurrence: &str,
        range: &Range,
    ) -> Result<Chunk<Rsvp>, StoreError>;
    /// Answers per response for one occurrence (zeroes when nobody answered).
    async fn get_rsvp_tally(
        &self,
        event: &EventId,
        occurrence: &str,
    ) -> Result<RsvpTally, StoreError>;
    /// Attendance recorded for one occurrence, by user id.
    async fn list_attendance(
        &self,
        event: &EventId,
        occurrence: &str,
    ) -> Result<Vec<Attendance>, StoreError>;
    /// One person's attendance records, in every community, most recently
    /// recorded first.
    async fn list_user_attendance(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Attendance>, StoreError>;
}

/// Polls and ballots.
#[async_trait]
pub trait PollStore: Send + Sync {
    /// One poll.
    async fn get_poll(&self, id: &PollId) -> Result<Option<Poll>, StoreError>;
    /// A space's polls, newest first.
    async fn list_polls(&self, space: &SpaceId, range: &Range) -> Result<Chunk<Poll>, StoreError>;
    /// One person's ballot.
    async fn get_ballot(&self, poll: &PollId, user: &UserId) -> Result<Option<Ballot>, StoreError>;
}

/// The one atomic write.
#[async_trait]
pub trait WriteStore: Send + Sync {
    /// Applies every operation of `tx`, or none of them.
    async fn commit(&self, tx: Transaction) -> Result<(), StoreError>;
}

/// Everything a copkit store provides.
pub trait Store:
    ProfileStore
    + CommunityStore
    + MembershipStore
    + JoinRequestStore
    + InvitationStore
    + SpaceStore
    + ActivityStore
    + ParticipationStore
    + DigestStore
    + ModerationStore
    + ValueStoryStore
    + ThreadStore
    + DocumentStore
    + EventStore
    + PollStore
    + BatchStore
    + WriteStore
{
}

impl<T> Store for T where
    T: ProfileStore
        + CommunityStore
        + MembershipStore
        + JoinRequestStore
        + InvitationStore
        + SpaceStore
        + ActivityStore
        + ParticipationStore
        + DigestStore
        + ModerationStore
        + ValueStoryStore
        + ThreadStore
        + DocumentStore
        + EventStore
        + PollStore
        + BatchStore
        + WriteStore
{
}

/// A person's record that erasure deletes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forgotten {
    /// The profile, and the handle it claims.
    Profile {
        /// Whose.
        user: UserId,
        /// The handle it holds (released).
        handle: Option<Handle>,
    },
    /// A participation record (and its review entry).
    Participation {
        /// The community.
        community: CommunityId,
        /// Whose.
        user: UserId,
    },
    /// An attendance record.
    Attendance {
        /// The event.
        event: EventId,
        /// The occurrence key.
        occurrence: String,
        /// Whose.
        user: UserId,
    },
    /// A mail in the outbox.
    Mail {
        /// Whose.
        user: UserId,
        /// Which.
        id: MailId,
    },
    /// The digest schedule (and its due entry).
    DigestSchedule {
        /// Whose.
        user: UserId,
    },
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

/// One operation inside a [`Transaction`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Op {
    /// Create or replace a profile. When its handle differs from
    /// `previous_handle`, the new handle is claimed (`AlreadyExists` if
    /// taken) and the previous one released, in the same write.
    PutProfile {
        /// The new record.
        profile: Profile,
        /// Its expected current state.
        expect: Expect,
        /// The handle it had when read.
        previous_handle: Option<Handle>,
    },
    /// Create a community and claim its slug. Fails `AlreadyExists` if the
    /// slug (or the id) is taken.
    CreateCommunity {
        /// The new community, counts included.
        community: Community,
    },
    /// Replace a community's settings (never its counts). When the slug
    /// changes, the new slug is claimed (`AlreadyExists` if taken) and the
    /// old one released, in the same write.
    UpdateCommunity {
        /// The new settings.
        community: Community,
        /// The slug it had when read (released if the slug changes).
        previous_slug: Slug,
        /// The version read.
        expect_version: u64,
    },
    /// Change a community's counts. Fails `LastOwner` if the owner count
    /// would drop below one, `LimitReached` if the space limit would be
    /// exceeded, `VersionMismatch` if the community is gone.
    AdjustCounts {
        /// The community.
        community: CommunityId,
        /// The change.
        delta: CountDelta,
    },
    /// Create or replace a membership.
    PutMembership {
        /// The new record.
        membership: Membership,
        /// Its expected current state.
        expect: Expect,
    },
    /// Create or replace a member's participation record (and index it
    /// for review at its `review_at`).
    PutParticipation {
        /// The new record.
        participation: Participation,
        /// Its expected current state.
        expect: Expect,
    },
    /// Create or replace a member's digest schedule (and index it by
    /// `next_due`).
    PutDigestSchedule {
        /// The new record.
        schedule: DigestSchedule,
        /// Its expected current state.
        expect: Expect,
    },
    /// Create or replace a report (and move it between the status queues).
    PutReport {
        /// The new record.
        report: Report,
        /// Its expected current state.
        expect: Expect,
    },
    /// Append to a moderation log (`AlreadyExists` if the id is taken).
    RecordModeration {
        /// The entry.
        entry: ModerationEntry,
    },
    /// Replace a recorded activity with its anonymised copy (erasure: the
    /// actor is [`UserId::former_member`], and the activity leaves its
    /// person's activity list). `VersionMismatch` if it is not recorded.
    AnonymiseActivity {
        /// The anonymised record (same id, community and time).
        activity: Activity,
    },
    /// Delete a person's record (erasure; nothing happens when absent).
    Forget {
        /// Which record.
        item: Forgotten,
    },
    /// Store a mail in the outbox (`AlreadyExists` if its id is taken).
    PutMail {
        /// The mail.
        mail: Mail,
    },
    /// Create or replace a value story.
    PutValueStory {
        /// The new record.
        story: ValueStory,
        /// Its expected current state.
        expect: Expect,
    },
    /// Create or replace a join request.
    PutJoinRequest {
        /// The new record.
        request: JoinRequest,
        /// Its expected current state.
        expect: Expect,
    },
    /// Create an invitation (`AlreadyExists` if the id or token hash is taken).
    CreateInvitation {
        /// The new invitation.
        invitation: Invitation,
    },
    /// Replace an invitation (used to revoke it).
    UpdateInvitation {
        /// The new record.
        invitation: Invitation,
        /// The version read.
        expect_version: u64,
    },
    /// Count one use of an invitation. Fails `InvitationUnusable` if it is
    /// revoked, expired at `now`, used up, or gone.
    ConsumeInvitation {
        /// Its community.
        community: CommunityId,
        /// The invitation.
        id: InvitationId,
        /// The time of use.
        now: Timestamp,
    },
    /// Create or replace a space.
    PutSpace {
        /// The new record.
        space: Space,
        /// Its expected current state.
        expect: Expect,
    },
    /// Create or replace a grant.
    PutGrant {
        /// The grant.
        grant: SpaceGrant,
    },
    /// Delete a grant (no-op if absent).
    DeleteGrant {
        /// The space.
        space: SpaceId,
        /// The person.
        user: UserId,
    },
    /// Append to the activity record (`AlreadyExists` if the id is taken).
    RecordActivity {
        /// The activity.
        activity: Activity,
    },
    /// Create or replace a thread's content and flags (its activity time and
    /// post count are the store's and survive a replace).
    PutThread {
        /// The new record.
        thread: Thread,
        /// Its expected current state.
        expect: Expect,
    },
    /// Record activity on a thread: its latest-activity time moves to `at`
    /// (never backwards) and its post count changes by `posts`. Fails
    /// `Closed` if the thread is locked or deleted, `VersionMismatch` if gone.
    TouchThread {
        /// The thread.
        thread: ThreadId,
        /// When.
        at: Timestamp,
        /// Change in posts.
        posts: i64,
    },
    /// Create or replace a post (its reaction counts are the store's and
    /// survive a replace).
    PutPost {
        /// The new record.
        post: Post,
        /// Its expected current state.
        expect: Expect,
    },
    /// Add a reaction and count it on the post (`AlreadyExists` if given
    /// already, `VersionMismatch` if the post is gone).
    AddReaction {
        /// The reaction.
        reaction: Reaction,
    },
    /// Remove a reaction and uncount it (`VersionMismatch` if not given).
    RemoveReaction {
        /// The post.
        post: PostId,
        /// Who.
        user: UserId,
        /// Which.
        kind: ReactionKind,
    },
    /// Create or replace a document record.
    PutDocument {
        /// The new record.
        document: Document,
        /// Its expected current state.
        expect: Expect,
    },
    /// Add an immutable document version (`AlreadyExists` if the number is taken).
    AddDocumentVersion {
        /// The version.
        version: DocumentVersion,
    },
    /// Create or replace an event.
    PutEvent {
        /// The new record.
        event: Event,
        /// Its expected current state.
        expect: Expect,
    },
    /// Create or replace an RSVP.
    PutRsvp {
        /// The new record.
        rsvp: Rsvp,
        /// Its expected current state.
        expect: Expect,
    },
    /// Change an occurrence's RSVP tally. Fails `LimitReached` if `going`
    /// would exceed `capacity`.
    AdjustRsvpTally {
        /// The event.
        event: EventId,
        /// The occurrence key.
        occurrence: String,
        /// Change in going.
        going: i64,
        /// Change in maybe.
        maybe: i64,
        /// Change in declined.
        declined: i64,
        /// The most allowed going, if limited.
        capacity: Option<u32>,
    },
    /// Create or replace an attendance record.
    PutAttendance {
        /// The record.
        attendance: Attendance,
    },
    /// Create or replace a poll's question and settings (its tally and voter
    /// count are the store's and survive a replace).
    PutPoll {
        /// The new record.
        poll: Poll,
        /// Its expected current state.
        expect: Expect,
    },
    /// Create or replace a ballot.
    PutBallot {
        /// The new record.
        ballot: Ballot,
        /// Its expected current state.
        expect: Expect,
    },
    /// Change a poll's tally (one delta per option) and voter count. Fails
    /// `Closed` if the poll is closed at `now`, `VersionMismatch` if gone or
    /// if the deltas do not match its options.
    AdjustTally {
        /// The poll.
        poll: PollId,
        /// One change per option.
        deltas: Vec<i64>,
        /// Change in voters.
        voters: i64,
        /// The time of the vote.
        now: Timestamp,
    },
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
}

impl Op {
    /// The items this operation writes.
    pub fn items(&self) -> Vec<ItemKey> {
        match self {
            Op::PutProfile {
                profile,
                previous_handle,
                ..
            } => {
                let mut items = vec![ItemKey::Profile(profile.user.clone())];
                if profile.handle != *previous_handle {
                    items.extend(previous_handle.iter().cloned().map(ItemKey::Handle));
                    items.extend(profile.handle.iter().cloned().map(ItemKey::Handle));
                }
                items
            }
            Op::CreateCommunity { community } => vec![
                ItemKey::Community(community.id),
                ItemKey::Slug(community.slug.clone()),
            ],
            Op::UpdateCommunity {
                community,
                previous_slug,
                ..
            } => {
                let mut items = vec![ItemKey::Community(community.id)];
                if *previous_slug != community.slug {
                    items.push(ItemKey::Slug(previous_slug.clone()));
                    items.push(ItemKey::Slug(community.slug.clone()));
                }
                items
            }
            Op::AdjustCounts { community, .. } => vec![ItemKey::Community(*community)],
            Op::PutMembership { membership, .. } => vec![ItemKey::Membership(
                membership.community,
                membership.user.clone(),
            )],
            Op::PutParticipation { participation, .. } => vec![ItemKey::Participation(
                participation.community,
                participation.user.clone(),
            )],
            Op::PutValueStory { story, .. } => vec![ItemKey::ValueStory(story.id)],
            Op::PutDigestSchedule { schedule, .. } => {
                vec![ItemKey::DigestSchedule(schedule.user.clone())]
            }
            Op::PutMail { mail } => vec![ItemKey::Mail(mail.to.clone(), mail.id)],
            Op::PutReport { report, .. } => vec![ItemKey::Report(report.id)],
            Op::AnonymiseActivity { activity } => vec![ItemKey::Activity(activity.id)],
            Op::Forget { item } => match item {
                Forgotten::Profile { user, handle } => {
                    let mut items = vec![ItemKey::Profile(user.clone())];
                    items.extend(handle.iter().cloned().map(ItemKey::Handle));
                    items
                }
                Forgotten::Participation { community, user } => {
                    vec![ItemKey::Participation(*community, user.clone())]
                }
                Forgotten::Attendance {
                    event,
                    occurrence,
                    user,
                } => vec![ItemKey::Attendance(
                    *event,
                    occurrence.clone(),
                    user.clone(),
                )],
                Forgotten::Mail { user, id } => vec![ItemKey::Mail(user.clone(), *id)],
                Forgotten::DigestSchedule { user } => vec![ItemKey::DigestSchedule(user.clone())],
            },
            Op::RecordModeration { entry } => vec![ItemKey::Moderation(entry.id)],
            Op::PutJoinRequest { request, .. } => vec![ItemKey::JoinRequest(
                request.community,
                request.user.clone(),
            )],
            Op::CreateInvitation { invitation } => vec![ItemKey::Invitation(invitation.id)],
            Op::UpdateInvitation { invitation, .. } => vec![ItemKey::Invitation(invitation.id)],
            Op::ConsumeInvitation { id, .. } => vec![ItemKey::Invitation(*id)],
            Op::PutSpace { space, .. } => vec![ItemKey::Space(space.id)],
            Op::PutGrant { grant } => vec![ItemKey::Grant(grant.space, grant.user.clone())],
            Op::DeleteGrant { space, user } => vec![ItemKey::Grant(*space, user.clone())],
            Op::RecordActivity { activity } => vec![ItemKey::Activity(activity.id)],
            Op::PutThread { thread, .. } => vec![ItemKey::Thread(thread.id)],
            Op::TouchThread { thread, .. } => vec![ItemKey::Thread(*thread)],
            Op::PutPost { post, .. } => vec![ItemKey::Post(post.id)],
            Op::AddReaction { reaction } => vec![
                ItemKey::Reaction(reaction.post, reaction.user.clone(), reaction.kind),
                ItemKey::Post(reaction.post),
            ],
            Op::RemoveReaction { post, user, kind } => vec![
                ItemKey::Reaction(*post, user.clone(), *kind),
                ItemKey::Post(*post),
            ],
            Op::PutDocument { document, .. } => vec![ItemKey::Document(document.id)],
            Op::AddDocumentVersion { version } => {
                vec![ItemKey::DocumentVersion(version.document, version.number)]
            }
            Op::PutEvent { event, .. } => vec![ItemKey::Event(event.id)],
            Op::PutRsvp { rsvp, .. } => vec![ItemKey::Rsvp(
                rsvp.event,
                rsvp.occurrence.clone(),
                rsvp.user.clone(),
            )],
            Op::AdjustRsvpTally {
                event, occurrence, ..
            } => vec![ItemKey::RsvpTally(*event, occurrence.clone())],
            Op::PutAttendance { attendance } => vec![ItemKey::Attendance(
                attendance.event,
                attendance.occurrence.clone(),
                attendance.user.clone(),
            )],
            Op::PutPoll { poll, .. } => vec![ItemKey::Poll(poll.id)],
            Op::PutBallot { ballot, .. } => vec![ItemKey::Ballot(ballot.poll, ballot.user.clone())],
            Op::AdjustTally { poll, .. } => vec![ItemKey::Poll(*poll)],
        }
    }
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
    pub fn push(&mut self, op: Op) -> &mut Self {
        self.ops.push(op);
        self
    }

    /// Adds an operation, builder style.
    pub fn with(mut self, op: Op) -> Self {
        self.ops.push(op);
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

/// Why a store call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The condition of operation `op` (its index in the transaction) failed;
    /// nothing was written.
    #[error("condition of operation {op} failed: {failure:?}")]
    Condition {
        /// Index of the failing operation.
        op: usize,
        /// What failed.
        failure: ConditionFailure,
    },
    /// The transaction is malformed (a bug in the caller).
    #[error("invalid transaction: {0}")]
    InvalidTransaction(String),
    /// A list position that this store did not produce for this list.
    #[error("invalid list position")]
    InvalidPosition,
    /// The store is throttling or unreachable.
    #[error("store unavailable")]
    Unavailable {
        /// Seconds to wait before retrying.
        retry_after_secs: u32,
    },
    /// Anything else (the message is for logs only).
    #[error("store failure: {0}")]
    Internal(String),
}
