//! The in-memory store: every table a map behind one lock, so a transaction
//! is checked and applied while holding it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use jiff::Timestamp;

use super::{
    AccessFacts, ActivityStore, BatchStore, Chunk, CommunityStore, ConditionFailure, DigestStore,
    DirectoryQuery, DocumentStore, EventStore, Expect, Forgotten, InvitationStore,
    JoinRequestStore, MemberFilter, MembershipStore, ModerationStore, Op, ParticipationStore,
    PollStore, ProfileStore, Range, Record, Records, SpaceStore, StoreError, ThreadStore,
    Transaction, ValueStoryStore, Wanted, WriteStore, batch::check_wanted, rules,
};
use crate::ids::{
    ActivityId, CommunityId, DocumentId, EventId, InvitationId, MailId, ModerationId, PollId,
    PostId, ReportId, SpaceId, ThreadId, UserId, ValueStoryId,
};
use crate::model::{
    Activity, Attendance, Ballot, Community, DigestSchedule, Document, DocumentVersion, Event,
    Handle, Invitation, JoinRequest, Mail, Membership, MembershipStatus, ModerationEntry,
    Participation, Poll, Post, Profile, ReactionKind, Report, ReportStatus, Rsvp, RsvpTally, Slug,
    Space, SpaceGrant, Thread, TokenHash, ValueStory,
};
use crate::validate::limits;

/// A complete store in memory. Cloning shares the data.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    profiles: HashMap<UserId, Profile>,
    communities: HashMap<CommunityId, Community>,
    slugs: HashMap<Slug, CommunityId>,
    /// Listed communities by (lower-cased name, id).
    directory: BTreeSet<(String, CommunityId)>,
    memberships: BTreeMap<(CommunityId, UserId), Membership>,
    user_memberships: BTreeSet<(UserId, CommunityId)>,
    join_requests: BTreeMap<(CommunityId, UserId), JoinRequest>,
    participations: HashMap<(CommunityId, UserId), Participation>,
    /// Participation records by review time.
    participation_reviews: BTreeSet<(Timestamp, CommunityId, UserId)>,
    /// Activity by actor.
    user_activity: BTreeMap<(UserId, ActivityId), CommunityId>,
    /// Attendance by person and position (recorded time, event, occurrence).
    user_attendance: BTreeMap<(UserId, String), (EventId, String)>,
    value_stories: BTreeMap<(CommunityId, ValueStoryId), ValueStory>,
    digest_schedules: HashMap<UserId, DigestSchedule>,
    /// Digest schedules by due time.
    digests_due: BTreeSet<(Timestamp, UserId)>,
    outbox: BTreeMap<(UserId, MailId), Mail>,
    reports: HashMap<ReportId, Report>,
    /// Reports by community, status and id.
    report_queues: BTreeSet<(CommunityId, ReportStatus, ReportId)>,
    moderation_log: BTreeMap<(CommunityId, ModerationId), ModerationEntry>,
    user_value_stories: BTreeMap<(UserId, ValueStoryId), CommunityId>,
    invitations: HashMap<InvitationId, Invitation>,
    invitation_tokens: HashMap<TokenHash, InvitationId>,
    community_invitations: BTreeSet<(CommunityId, InvitationId)>,
    spaces: HashMap<SpaceId, Space>,
    community_spaces: BTreeSet<(CommunityId, SpaceId)>,
    grants: BTreeMap<(SpaceId, UserId), SpaceGrant>,
    user_grants: BTreeSet<(CommunityId, UserId, SpaceId)>,
    activity: BTreeMap<(CommunityId, ActivityId), Activity>,
    handles: HashMap<Handle, UserId>,
    threads: HashMap<ThreadId, Thread>,
    space_threads: BTreeSet<(SpaceId, ThreadId)>,
    posts: HashMap<PostId, Post>,
    thread_posts: BTreeSet<(ThreadId, PostId)>,
    reactions: BTreeSet<(PostId, UserId, ReactionKind)>,
    documents: HashMap<DocumentId, Document>,
    space_documents: BTreeSet<(SpaceId, DocumentId)>,
    document_versions: BTreeMap<(DocumentId, u32), DocumentVersion>,
    events: HashMap<EventId, Event>,
    community_events: BTreeSet<(CommunityId, EventId)>,
    rsvps: BTreeMap<(EventId, String, UserId), Rsvp>,
    tallies: HashMap<(EventId, String), RsvpTally>,
    attendance: BTreeMap<(EventId, String, UserId), Attendance>,
    polls: HashMap<PollId, Poll>,
    space_polls: BTreeSet<(SpaceId, PollId)>,
    ballots: BTreeMap<(PollId, UserId), Ballot>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-applied
        // transaction (conditions are checked before anything is written),
        // so the data behind a poisoned lock is still consistent.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn directory_key(c: &Community) -> (String, CommunityId) {
    (c.name.to_lowercase(), c.id)
}

/// Separates the parts of a composite position. Names and ids never contain
/// control characters, so this cannot be confused with content.
const SEP: char = '\u{1f}';

fn parse_ulid_position<T: std::str::FromStr>(
    after: &Option<String>,
) -> Result<Option<T>, StoreError> {
    after
        .as_deref()
        .map(|p| p.parse::<T>().map_err(|_| StoreError::InvalidPosition))
        .transpose()
}

/// Takes up to `limit` items from an ordered iterator and computes the next position.
fn chunk_of<T>(
    items: impl Iterator<Item = T>,
    limit: u32,
    position: impl Fn(&T) -> String,
) -> Chunk<T> {
    let limit = limit.clamp(1, limits::PAGE_MAX) as usize;
    let mut taken: Vec<T> = Vec::with_capacity(limit);
    let mut more = false;
    for item in items {
        if taken.len() == limit {
            more = true;
            break;
        }
        taken.push(item);
    }
    let next = if more {
        taken.last().map(&position)
    } else {
        None
    };
    Chunk { items: taken, next }
}

fn check_expect(current: Option<u64>, expect: Expect) -> Result<(), ConditionFailure> {
    match (current, expect) {
        (None, Expect::Absent) => Ok(()),
        (Some(_), Expect::Absent) => Err(ConditionFailure::AlreadyExists),
        (Some(v), Expect::Version(want)) if v == want => Ok(()),
        (_, Expect::Version(_)) => Err(ConditionFailure::VersionMismatch),
    }
}

impl State {
    /// Deletes an erased person's record and its index entries.
    fn forget(&mut self, item: Forgotten) {
        match item {
            Forgotten::Profile { user, handle } => {
                self.profiles.remove(&user);
                if let Some(h) = handle
                    && self.handles.get(&h) == Some(&user)
                {
                    self.handles.remove(&h);
                }
            }
            Forgotten::Participation { community, user } => {
                if let Some(old) = self.participations.remove(&(community, user.clone()))
                    && let Some(at) = old.review_at
                {
                    self.participation_reviews.remove(&(at, community, user));
                }
            }
            Forgotten::Attendance {
                event,
                occurrence,
                user,
            } => {
                if let Some(old) = self.attendance.remove(&(event, occurrence, user)) {
                    self.user_attendance
                        .remove(&(old.user.clone(), attendance_position(&old)));
                }
            }
            Forgotten::Mail { user, id } => {
                self.outbox.remove(&(user, id));
            }
            Forgotten::DigestSchedule { user } => {
                if let Some(old) = self.digest_schedules.remove(&user)
                    && let Some(at) = old.next_due
                {
                    self.digests_due.remove(&(at, user));
                }
            }
        }
    }

    fn check(&self, op: &Op) -> Result<(), ConditionFailure> {
        match op {
            Op::PutProfile {
                profile,
                expect,
                previous_handle,
            } => {
                check_expect(self.profiles.get(&profile.user).map(|p| p.version), *expect)?;
                match &profile.handle {
                    Some(h) if profile.handle != *previous_handle => match self.handles.get(h) {
                        Some(owner) if *owner != profile.user => {
                            Err(ConditionFailure::AlreadyExists)
                        }
                        _ => Ok(()),
                    },
                    _ => Ok(()),
                }
            }
            Op::CreateCommunity { community } => {
                if self.communities.contains_key(&community.id)
                    || self.slugs.contains_key(&community.slug)
                {
                    Err(ConditionFailure::AlreadyExists)
                } else {
                    Ok(())
                }
            }
            Op::UpdateCommunity {
                community,
                previous_slug,
                expect_version,
            } => {
                let current = self
                    .communities
                    .get(&community.id)
                    .ok_or(ConditionFailure::VersionMismatch)?;
                if current.version != *expect_version || current.slug != *previous_slug {
                    return Err(ConditionFailure::VersionMismatch);
                }
                if community.slug != *previous_slug && self.slugs.contains_key(&community.slug) {
                    return Err(ConditionFailure::AlreadyExists);
                }
                Ok(())
            }
            Op::AdjustCounts { community, delta } => {
                rules::adjust_counts(self.communities.get(community).map(|c| &c.counts), *delta)
                    .map(drop)
            }
            Op::PutMembership { membership, expect } => check_expect(
                self.memberships
                    .get(&(membership.community, membership.user.clone()))
                    .map(|m| m.version),
                *expect,
            ),
            Op::PutParticipation {
                participation,
                expect,
            } => check_expect(
                self.participations
                    .get(&(participation.community, participation.user.clone()))
                    .map(|p| p.version),
                *expect,
            ),
            Op::PutDigestSchedule { schedule, expect } => check_expect(
                self.digest_schedules.get(&schedule.user).map(|s| s.version),
                *expect,
            ),
            Op::PutReport { report, expect } => {
                check_expect(self.reports.get(&report.id).map(|r| r.version), *expect)
            }
            Op::RecordModeration { entry } => {
                if self
                    .moderation_log
                    .contains_key(&(entry.community, entry.id))
                {
                    Err(ConditionFailure::AlreadyExists)
                } else {
                    Ok(())
                }
            }
            Op::AnonymiseActivity { activity } => {
                if self
                    .activity
                    .contains_key(&(activity.community, activity.id))
                {
                    Ok(())
                } else {
                    Err(ConditionFailure::VersionMismatch)
                }
            }
            Op::Forget { .. } => Ok(()),
            Op::PutMail { mail } => {
                if self.outbox.contains_key(&(mail.to.clone(), mail.id)) {
                    Err(ConditionFailure::AlreadyExists)
                } else {
                    Ok(())
                }
            }
            Op::PutValueStory { story, expect } => check_expect(
                self.value_stories
                    .get(&(story.community, story.id))
                    .map(|s| s.version),
                *expect,
            ),
            Op::PutJoinRequest { request, expect } => check_expect(
                self.join_requests
                    .get(&(request.community, request.user.clone()))
                    .map(|r| r.version),
                *expect,
            ),
            Op::CreateInvitation { invitation } => {
                if self.invitations.contains_key(&invitation.id)
                    || self.invitation_tokens.contains_key(&invitation.token_hash)
                {
                    Err(ConditionFailure::AlreadyExists)
                } else {
                    Ok(())
                }
            }
            Op::UpdateInvitation {
                invitation,
                expect_version,
            } => check_expect(
                self.invitations.get(&invitation.id).map(|i| i.version),
                Expect::Version(*expect_version),
            ),
            Op::ConsumeInvitation { community, id, now } => match self.invitations.get(id) {
                Some(i) if i.community == *community && i.is_usable_at(*now) => Ok(()),
                _ => Err(ConditionFailure::InvitationUnusable),
            },
            Op::PutSpace { space, expect } => {
                check_expect(self.spaces.get(&space.id).map(|s| s.version), *expect)
            }
            Op::PutGrant { .. } | Op::DeleteGrant { .. } => Ok(()),
            Op::RecordActivity { activity } => {
                if self
                    .activity
                    .contains_key(&(activity.community, activity.id))
                {
                    Err(ConditionFailure::AlreadyExists)
                } else {
                    Ok(())
                }
            }
            Op::PutThread { thread, expect } => {
                check_expect(self.threads.get(&thread.id).map(|t| t.version), *expect)
            }
            Op::TouchThread { thread, posts, .. } => {
                rules::touch_thread(self.threads.get(thread), *posts).map(drop)
            }
            Op::PutPost { post, expect } => {
                check_expect(self.posts.get(&post.id).map(|p| p.version), *expect)
            }
            Op::AddReaction { reaction } => {
                if !self.posts.contains_key(&reaction.post) {
                    Err(ConditionFailure::VersionMismatch)
                } else if self.reactions.contains(&(
                    reaction.post,
                    reaction.user.clone(),
                    reaction.kind,
                )) {
                    Err(ConditionFailure::AlreadyExists)
                } else {
                    Ok(())
                }
            }
            Op::RemoveReaction { post, user, kind } => {
                if self.reactions.contains(&(*post, user.clone(), *kind)) {
                    Ok(())
                } else {
                    Err(ConditionFailure::VersionMismatch)
                }
            }
            Op::PutDocument { document, expect } => {
                check_expect(self.documents.get(&document.id).map(|d| d.version), *expect)
            }
            Op::AddDocumentVersion { version } => {
                if self
                    .document_versions
                    .contains_key(&(version.document, version.number))
                {
                    Err(ConditionFailure::AlreadyExists)
                } else {
                    Ok(())
                }
            }
            Op::PutEvent { event, expect } => {
                check_expect(self.events.get(&event.id).map(|e| e.version), *expect)
            }
            Op::PutRsvp { rsvp, expect } => check_expect(
                self.rsvps
                    .get(&(rsvp.event, rsvp.occurrence.clone(), rsvp.user.clone()))
                    .map(|r| r.version),
                *expect,
            ),
            Op::AdjustRsvpTally {
                event,
                occurrence,
                going,
                maybe,
                declined,
                capacity,
            } => rules::adjust_rsvp_tally(
                self.tallies
                    .get(&(*event, occurrence.clone()))
                    .copied()
                    .unwrap_or_default(),
                *going,
                *maybe,
                *declined,
                *capacity,
            )
            .map(drop),
            Op::PutAttendance { .. } => Ok(()),
            Op::PutPoll { poll, expect } => {
                check_expect(self.polls.get(&poll.id).map(|p| p.version), *expect)
            }
            Op::PutBallot { ballot, expect } => check_expect(
                self.ballots
                    .get(&(ballot.poll, ballot.user.clone()))
                    .map(|b| b.version),
                *expect,
            ),
            Op::AdjustTally {
                poll,
                deltas,
                voters,
                now,
            } => rules::adjust_poll_tally(self.polls.get(poll), deltas, *voters, *now).map(drop),
        }
    }

    fn apply(&mut self, op: Op) {
        match op {
            Op::PutProfile {
                profile,
                previous_handle,
                ..
            } => {
                if profile.handle != previous_handle {
                    if let Some(old) = previous_handle
                        && self.handles.get(&old) == Some(&profile.user)
                    {
                        self.handles.remove(&old);
                    }
                    if let Some(new) = &profile.handle {
                        self.handles.insert(new.clone(), profile.user.clone());
                    }
                }
                self.profiles.insert(profile.user.clone(), profile);
            }
            Op::CreateCommunity { community } => {
                self.slugs.insert(community.slug.clone(), community.id);
                if community.visibility.is_listed() {
                    self.directory.insert(directory_key(&community));
                }
                self.communities.insert(community.id, community);
            }
            Op::UpdateCommunity {
                mut community,
                previous_slug,
                ..
            } => {
                if let Some(current) = self.communities.get(&community.id) {
                    community.counts = current.counts;
                    self.directory.remove(&directory_key(current));
                }
                if community.slug != previous_slug {
                    self.slugs.remove(&previous_slug);
                    self.slugs.insert(community.slug.clone(), community.id);
                }
                if community.visibility.is_listed() {
                    self.directory.insert(directory_key(&community));
                }
                self.communities.insert(community.id, community);
            }
            Op::AdjustCounts { community, delta } => {
                if let Some(c) = self.communities.get_mut(&community)
                    && let Ok(after) = rules::adjust_counts(Some(&c.counts), delta)
                {
                    c.counts = after;
                }
            }
            Op::PutMembership { membership, .. } => {
                self.user_memberships
                    .insert((membership.user.clone(), membership.community));
                self.memberships
                    .insert((membership.community, membership.user.clone()), membership);
            }
            Op::PutParticipation { participation, .. } => {
                let key = (participation.community, participation.user.clone());
                if let Some(old) = self.participations.get(&key)
                    && let Some(at) = old.review_at
                {
                    self.participation_reviews
                        .remove(&(at, key.0, key.1.clone()));
                }
                if let Some(at) = participation.review_at {
                    self.participation_reviews
                        .insert((at, key.0, key.1.clone()));
                }
                self.participations.insert(key, participation);
            }
            Op::PutDigestSchedule { schedule, .. } => {
                if let Some(old) = self.digest_schedules.get(&schedule.user)
                    && let Some(at) = old.next_due
                {
                    self.digests_due.remove(&(at, schedule.user.clone()));
                }
                if let Some(at) = schedule.next_due {
                    self.digests_due.insert((at, schedule.user.clone()));
                }
                self.digest_schedules
                    .insert(schedule.user.clone(), schedule);
            }
            Op::PutMail { mail } => {
                self.outbox.insert((mail.to.clone(), mail.id), mail);
            }
            Op::AnonymiseActivity { activity } => {
                let key = (activity.community, activity.id);
                if let Some(old) = self.activity.get(&key) {
                    self.user_activity.remove(&(old.actor.clone(), old.id));
                }
                self.activity.insert(key, activity);
            }
            Op::Forget { item } => self.forget(item),
            Op::PutReport { report, .. } => {
                if let Some(old) = self.reports.get(&report.id) {
                    self.report_queues
                        .remove(&(old.community, old.status, old.id));
                }
                self.report_queues
                    .insert((report.community, report.status, report.id));
                self.reports.insert(report.id, report);
            }
            Op::RecordModeration { entry } => {
                self.moderation_log
                    .insert((entry.community, entry.id), entry);
            }
            Op::PutValueStory { story, .. } => {
                if let Some(old) = self.value_stories.get(&(story.community, story.id)) {
                    self.user_value_stories
                        .remove(&(old.author.clone(), old.id));
                }
                if !story.author.is_former_member() {
                    self.user_value_stories
                        .insert((story.author.clone(), story.id), story.community);
                }
                self.value_stories
                    .insert((story.community, story.id), story);
            }
            Op::PutJoinRequest { request, .. } => {
                self.join_requests
                    .insert((request.community, request.user.clone()), request);
            }
            Op::CreateInvitation { invitation } => {
                self.invitation_tokens
                    .insert(invitation.token_hash.clone(), invitation.id);
                self.community_invitations
                    .insert((invitation.community, invitation.id));
                self.invitations.insert(invitation.id, invitation);
            }
            Op::UpdateInvitation { invitation, .. } => {
                self.invitations.insert(invitation.id, invitation);
            }
            Op::ConsumeInvitation { id, .. } => {
                if let Some(i) = self.invitations.get_mut(&id) {
                    i.uses += 1;
                    i.version += 1;
                }
            }
            Op::PutSpace { space, .. } => {
                self.community_spaces.insert((space.community, space.id));
                self.spaces.insert(space.id, space);
            }
            Op::PutGrant { grant } => {
                self.user_grants
                    .insert((grant.community, grant.user.clone(), grant.space));
                self.grants.insert((grant.space, grant.user.clone()), grant);
            }
            Op::DeleteGrant { space, user } => {
                if let Some(grant) = self.grants.remove(&(space, user.clone())) {
                    self.user_grants.remove(&(grant.community, user, space));
                }
            }
            Op::RecordActivity { activity } => {
                self.user_activity
                    .insert((activity.actor.clone(), activity.id), activity.community);
                self.activity
                    .insert((activity.community, activity.id), activity);
            }
            Op::PutThread { mut thread, .. } => {
                if let Some(current) = self.threads.get(&thread.id) {
                    thread.last_activity_at = current.last_activity_at;
                    thread.post_count = current.post_count;
                }
                self.space_threads.insert((thread.space, thread.id));
                self.threads.insert(thread.id, thread);
            }
            Op::TouchThread { thread, at, posts } => {
                if let Some(t) = self.threads.get_mut(&thread)
                    && let Ok(count) = rules::touch_thread(Some(t), posts)
                {
                    t.last_activity_at = t.last_activity_at.max(at);
                    t.post_count = count;
                }
            }
            Op::PutPost { mut post, .. } => {
                if let Some(current) = self.posts.get(&post.id) {
                    post.reactions = current.reactions;
                }
                self.thread_posts.insert((post.thread, post.id));
                self.posts.insert(post.id, post);
            }
            Op::AddReaction { reaction } => {
                if let Some(p) = self.posts.get_mut(&reaction.post)
                    && let Some(next) = p.reactions.adjusted(reaction.kind, 1)
                {
                    p.reactions = next;
                }
                self.reactions
                    .insert((reaction.post, reaction.user, reaction.kind));
            }
            Op::RemoveReaction { post, user, kind } => {
                if let Some(p) = self.posts.get_mut(&post)
                    && let Some(next) = p.reactions.adjusted(kind, -1)
                {
                    p.reactions = next;
                }
                self.reactions.remove(&(post, user, kind));
            }
            Op::PutDocument { document, .. } => {
                self.space_documents.insert((document.space, document.id));
                self.documents.insert(document.id, document);
            }
            Op::AddDocumentVersion { version } => {
                self.document_versions
                    .insert((version.document, version.number), version);
            }
            Op::PutEvent { event, .. } => {
                self.community_events.insert((event.community, event.id));
                self.events.insert(event.id, event);
            }
            Op::PutRsvp { rsvp, .. } => {
                self.rsvps.insert(
                    (rsvp.event, rsvp.occurrence.clone(), rsvp.user.clone()),
                    rsvp,
                );
            }
            Op::AdjustRsvpTally {
                event,
                occurrence,
                going,
                maybe,
                declined,
                ..
            } => {
                let entry = self.tallies.entry((event, occurrence)).or_default();
                if let Ok(next) = rules::adjust_rsvp_tally(*entry, going, maybe, declined, None) {
                    *entry = next;
                }
            }
            Op::PutAttendance { attendance } => {
                let key = (
                    attendance.event,
                    attendance.occurrence.clone(),
                    attendance.user.clone(),
                );
                if let Some(old) = self.attendance.get(&key) {
                    self.user_attendance
                        .remove(&(old.user.clone(), attendance_position(old)));
                }
                self.user_attendance.insert(
                    (attendance.user.clone(), attendance_position(&attendance)),
                    (attendance.event, attendance.occurrence.clone()),
                );
                self.attendance.insert(
                    (
                        attendance.event,
                        attendance.occurrence.clone(),
                        attendance.user.clone(),
                    ),
                    attendance,
                );
            }
            Op::PutPoll { mut poll, .. } => {
                if let Some(current) = self.polls.get(&poll.id) {
                    poll.tally = current.tally.clone();
                    poll.voters = current.voters;
                }
                self.space_polls.insert((poll.space, poll.id));
                self.polls.insert(poll.id, poll);
            }
            Op::PutBallot { ballot, .. } => {
                self.ballots
                    .insert((ballot.poll, ballot.user.clone()), ballot);
            }
            Op::AdjustTally {
                poll,
                deltas,
                voters,
                now,
            } => {
                if let Some(p) = self.polls.get_mut(&poll)
                    && let Ok((tally, count)) =
                        rules::adjust_poll_tally(Some(p), &deltas, voters, now)
                {
                    p.tally = tally;
                    p.voters = count;
                }
            }
        }
    }
}

/// A position for lists ordered newest-first by (time, id): both descending.
fn time_id_position(at: Timestamp, id: impl std::fmt::Display) -> String {
    format!("{:020}{SEP}{id}", at.as_millisecond())
}

fn parse_time_id<T: std::str::FromStr>(p: &str) -> Result<(i64, T), StoreError> {
    let (ms, id) = p.split_once(SEP).ok_or(StoreError::InvalidPosition)?;
    let ms = ms.parse::<i64>().map_err(|_| StoreError::InvalidPosition)?;
    let id = id.parse::<T>().map_err(|_| StoreError::InvalidPosition)?;
    Ok((ms, id))
}

#[async_trait]
impl WriteStore for MemoryStore {
    async fn commit(&self, tx: Transaction) -> Result<(), StoreError> {
        tx.check_shape()?;
        let mut state = self.lock();
        for (index, op) in tx.ops().iter().enumerate() {
            state
                .check(op)
                .map_err(|failure| StoreError::Condition { op: index, failure })?;
        }
        for op in tx.into_ops() {
            state.apply(op);
        }
        Ok(())
    }
}

#[async_trait]
impl ProfileStore for MemoryStore {
    async fn get_profile(&self, user: &UserId) -> Result<Option<Profile>, StoreError> {
        Ok(self.lock().profiles.get(user).cloned())
    }

    async fn get_profiles(&self, users: &[UserId]) -> Result<Vec<Profile>, StoreError> {
        let state = self.lock();
        Ok(users
            .iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter_map(|u| state.profiles.get(u).cloned())
            .collect())
    }

    async fn get_profile_by_handle(&self, handle: &Handle) -> Result<Option<Profile>, StoreError> {
        let state = self.lock();
        Ok(state
            .handles
            .get(handle)
            .and_then(|u| state.profiles.get(u))
            .cloned())
    }
}

#[async_trait]
impl CommunityStore for MemoryStore {
    async fn get_community(&self, id: &CommunityId) -> Result<Option<Community>, StoreError> {
        Ok(self.lock().communities.get(id).cloned())
    }

    async fn get_communities(&self, ids: &[CommunityId]) -> Result<Vec<Community>, StoreError> {
        let state = self.lock();
        Ok(ids
            .iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter_map(|id| state.communities.get(id).cloned())
            .collect())
    }

    async fn get_community_by_slug(&self, slug: &Slug) -> Result<Option<Community>, StoreError> {
        let state = self.lock();
        Ok(state
            .slugs
            .get(slug)
            .and_then(|id| state.communities.get(id))
            .cloned())
    }

    async fn community_id_by_slug(&self, slug: &Slug) -> Result<Option<CommunityId>, StoreError> {
        Ok(self.lock().slugs.get(slug).copied())
    }

    async fn list_directory(
        &self,
        query: &DirectoryQuery,
        range: &Range,
    ) -> Result<Chunk<Community>, StoreError> {
        let prefix = query
            .name_prefix
            .as_deref()
            .map(str::to_lowercase)
            .unwrap_or_default();
        let start = match &range.after {
            Some(p) => {
                let (name, id) = p.split_once(SEP).ok_or(StoreError::InvalidPosition)?;
                let id: CommunityId = id.parse().map_err(|_| StoreError::InvalidPosition)?;
                Bound::Excluded((name.to_owned(), id))
            }
            None => Bound::Included((prefix.clone(), CommunityId(ulid::Ulid(0)))),
        };
        let state = self.lock();
        let items = state
            .directory
            .range((start, Bound::Unbounded))
            .take_while(|(name, _)| name.starts_with(&prefix))
            .filter_map(|(_, id)| state.communities.get(id))
            .filter(|c| query.kind.is_none_or(|k| c.kind == k))
            .cloned();
        Ok(chunk_of(items, range.limit, |c| {
            format!("{}{SEP}{}", c.name.to_lowercase(), c.id)
        }))
    }
}

fn member_position(m: &Membership) -> String {
    format!("{}{SEP}{}", m.role as u8, m.user)
}

#[async_trait]
impl MembershipStore for MemoryStore {
    async fn get_membership(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<Membership>, StoreError> {
        Ok(self
            .lock()
            .memberships
            .get(&(*community, user.clone()))
            .cloned())
    }

    async fn access_facts(
        &self,
        community: &CommunityId,
        user: &UserId,
        space: Option<&SpaceId>,
    ) -> Result<AccessFacts, StoreError> {
        let state = self.lock();
        Ok(AccessFacts {
            community: state.communities.get(community).cloned(),
            membership: state.memberships.get(&(*community, user.clone())).cloned(),
            grant: space.and_then(|s| state.grants.get(&(*s, user.clone())).cloned()),
        })
    }

    async fn list_members(
        &self,
        community: &CommunityId,
        filter: MemberFilter,
        range: &Range,
    ) -> Result<Chunk<Membership>, StoreError> {
        if let MemberFilter::Level(level) = filter {
            let after = match &range.after {
                Some(p) => Some(UserId::new(p.as_str()).map_err(|_| StoreError::InvalidPosition)?),
                None => None,
            };
            let state = self.lock();
            let items = state
                .memberships
                .range((*community, UserId::range_start())..)
                .take_while(|((c, _), _)| c == community)
                .map(|(_, m)| m)
                .filter(|m| m.is_active() && m.level == level)
                .filter(|m| after.as_ref().is_none_or(|a| m.user > *a))
                .cloned()
                .collect::<Vec<_>>();
            return Ok(chunk_of(items.into_iter(), range.limit, |m| {
                m.user.to_string()
            }));
        }
        let after = match &range.after {
            Some(p) => {
                let (role, user) = p.split_once(SEP).ok_or(StoreError::InvalidPosition)?;
                let role: u8 = role.parse().map_err(|_| StoreError::InvalidPosition)?;
                let user = UserId::new(user).map_err(|_| StoreError::InvalidPosition)?;
                Some((role, user))
            }
            None => None,
        };
        let state = self.lock();
        let mut members: Vec<&Membership> = state
            .memberships
            .range((*community, UserId::range_start())..)
            .take_while(|((c, _), _)| c == community)
            .map(|(_, m)| m)
            .filter(|m| match filter {
                MemberFilter::Active => m.is_active(),
                MemberFilter::Banned => matches!(m.status, MembershipStatus::Banned { .. }),
                MemberFilter::Level(_) => false,
            })
            .collect();
        members.sort_by(|a, b| (a.role, &a.user).cmp(&(b.role, &b.user)));
        let items = members
            .into_iter()
            .filter(|m| {
                after
                    .as_ref()
                    .is_none_or(|(role, user)| (m.role as u8, &m.user) > (*role, user))
            })
            .cloned();
        Ok(chunk_of(items, range.limit, member_position))
    }

    async fn list_user_memberships(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Membership>, StoreError> {
        let after: Option<CommunityId> = parse_ulid_position(&range.after)?;
        let start = match after {
            Some(c) => Bound::Excluded((user.clone(), c)),
            None => Bound::Included((user.clone(), CommunityId(ulid::Ulid(0)))),
        };
        let state = self.lock();
        let items = state
            .user_memberships
            .range((start, Bound::Unbounded))
            .take_while(|(u, _)| u == user)
            .filter_map(|(u, c)| state.memberships.get(&(*c, u.clone())))
            .filter(|m| m.is_active())
            .cloned();
        Ok(chunk_of(items, range.limit, |m| m.community.to_string()))
    }
}

fn request_position(r: &JoinRequest) -> String {
    format!("{:020}{SEP}{}", r.requested_at.as_millisecond(), r.user)
}

#[async_trait]
impl JoinRequestStore for MemoryStore {
    async fn get_join_request(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<JoinRequest>, StoreError> {
        Ok(self
            .lock()
            .join_requests
            .get(&(*community, user.clone()))
            .cloned())
    }

    async fn list_pending_requests(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<JoinRequest>, StoreError> {
        if let Some(p) = &range.after {
            let (ms, user) = p.split_once(SEP).ok_or(StoreError::InvalidPosition)?;
            if ms.parse::<i64>().is_err() || UserId::new(user).is_err() {
                return Err(StoreError::InvalidPosition);
            }
        }
        let state = self.lock();
        let mut pending: Vec<&JoinRequest> = state
            .join_requests
            .iter()
            .filter(|((c, _), r)| c == community && r.is_pending())
            .map(|(_, r)| r)
            .collect();
        pending.sort_by_key(|r| request_position(r));
        let items = pending
            .into_iter()
            .filter(|r| {
                range
                    .after
                    .as_ref()
                    .is_none_or(|after| request_position(r) > *after)
            })
            .cloned();
        Ok(chunk_of(items, range.limit, request_position))
    }
}

#[async_trait]
impl InvitationStore for MemoryStore {
    async fn get_invitation(
        &self,
        community: &CommunityId,
        id: &InvitationId,
    ) -> Result<Option<Invitation>, StoreError> {
        Ok(self
            .lock()
            .invitations
            .get(id)
            .filter(|i| i.community == *community)
            .cloned())
    }

    async fn get_invitation_by_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<Invitation>, StoreError> {
        let state = self.lock();
        Ok(state
            .invitation_tokens
            .get(hash)
            .and_then(|id| state.invitations.get(id))
            .cloned())
    }

    async fn list_invitations(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Invitation>, StoreError> {
        let after: Option<InvitationId> = parse_ulid_position(&range.after)?;
        let end = match after {
            Some(id) => Bound::Excluded((*community, id)),
            None => Bound::Included((*community, InvitationId(ulid::Ulid(u128::MAX)))),
        };
        let state = self.lock();
        let items = state
            .community_invitations
            .range((
                Bound::Included((*community, InvitationId(ulid::Ulid(0)))),
                end,
            ))
            .rev()
            .filter_map(|(_, id)| state.invitations.get(id))
            .cloned();
        Ok(chunk_of(items, range.limit, |i| i.id.to_string()))
    }
}

#[async_trait]
impl SpaceStore for MemoryStore {
    async fn get_space(&self, id: &SpaceId) -> Result<Option<Space>, StoreError> {
        Ok(self.lock().spaces.get(id).cloned())
    }

    async fn list_spaces(&self, community: &CommunityId) -> Result<Vec<Space>, StoreError> {
        let state = self.lock();
        Ok(state
            .community_spaces
            .range(
                (*community, SpaceId(ulid::Ulid(0)))..=(*community, SpaceId(ulid::Ulid(u128::MAX))),
            )
            .filter_map(|(_, id)| state.spaces.get(id))
            .cloned()
            .collect())
    }

    async fn list_user_grants(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Vec<SpaceGrant>, StoreError> {
        let state = self.lock();
        Ok(state
            .user_grants
            .range(
                (*community, user.clone(), SpaceId(ulid::Ulid(0)))
                    ..=(*community, user.clone(), SpaceId(ulid::Ulid(u128::MAX))),
            )
            .filter_map(|(_, u, s)| state.grants.get(&(*s, u.clone())))
            .cloned()
            .collect())
    }

    async fn list_space_grants(&self, space: &SpaceId) -> Result<Vec<SpaceGrant>, StoreError> {
        let state = self.lock();
        Ok(state
            .grants
            .range((*space, UserId::range_start())..)
            .take_while(|((s, _), _)| s == space)
            .map(|(_, g)| g.clone())
            .collect())
    }
}

#[async_trait]
impl ValueStoryStore for MemoryStore {
    async fn list_value_stories(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<ValueStory>, StoreError> {
        let after: Option<ValueStoryId> = parse_ulid_position(&range.after)?;
        let end = match after {
            Some(id) => Bound::Excluded((*community, id)),
            None => Bound::Included((*community, ValueStoryId(ulid::Ulid(u128::MAX)))),
        };
        let state = self.lock();
        let items = state
            .value_stories
            .range((
                Bound::Included((*community, ValueStoryId(ulid::Ulid(0)))),
                end,
            ))
            .rev()
            .map(|(_, s)| s.clone())
            .collect::<Vec<_>>();
        Ok(chunk_of(items.into_iter(), range.limit, |s| {
            s.id.to_string()
        }))
    }

    async fn list_user_value_stories(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<ValueStory>, StoreError> {
        let after: Option<ValueStoryId> = parse_ulid_position(&range.after)?;
        let end = match after {
            Some(id) => Bound::Excluded((user.clone(), id)),
            None => Bound::Included((user.clone(), ValueStoryId(ulid::Ulid(u128::MAX)))),
        };
        let state = self.lock();
        let items = state
            .user_value_stories
            .range((
                Bound::Included((user.clone(), ValueStoryId(ulid::Ulid(0)))),
                end,
            ))
            .rev()
            .filter_map(|((_, id), c)| state.value_stories.get(&(*c, *id)).cloned())
            .collect::<Vec<_>>();
        Ok(chunk_of(items.into_iter(), range.limit, |s| {
            s.id.to_string()
        }))
    }
}

#[async_trait]
impl ModerationStore for MemoryStore {
    async fn get_report(
        &self,
        community: &CommunityId,
        id: &ReportId,
    ) -> Result<Option<Report>, StoreError> {
        Ok(self
            .lock()
            .reports
            .get(id)
            .filter(|r| r.community == *community)
            .cloned())
    }

    async fn list_reports(
        &self,
        community: &CommunityId,
        status: ReportStatus,
        range: &Range,
    ) -> Result<Chunk<Report>, StoreError> {
        let after: Option<ReportId> = parse_ulid_position(&range.after)?;
        let start = match after {
            Some(id) => Bound::Excluded((*community, status, id)),
            None => Bound::Included((*community, status, ReportId(ulid::Ulid(0)))),
        };
        let state = self.lock();
        let items = state
            .report_queues
            .range((
                start,
                Bound::Included((*community, status, ReportId(ulid::Ulid(u128::MAX)))),
            ))
            .filter_map(|(_, _, id)| state.reports.get(id).cloned())
            .collect::<Vec<_>>();
        Ok(chunk_of(items.into_iter(), range.limit, |r| {
            r.id.to_string()
        }))
    }

    async fn list_moderation_log(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<ModerationEntry>, StoreError> {
        let after: Option<ModerationId> = parse_ulid_position(&range.after)?;
        let end = match after {
            Some(id) => Bound::Excluded((*community, id)),
            None => Bound::Included((*community, ModerationId(ulid::Ulid(u128::MAX)))),
        };
        let state = self.lock();
        let items = state
            .moderation_log
            .range((
                Bound::Included((*community, ModerationId(ulid::Ulid(0)))),
                end,
            ))
            .rev()
            .map(|(_, e)| e.clone())
            .collect::<Vec<_>>();
        Ok(chunk_of(items.into_iter(), range.limit, |e| {
            e.id.to_string()
        }))
    }
}

#[async_trait]
impl DigestStore for MemoryStore {
    async fn get_digest_schedule(
        &self,
        user: &UserId,
    ) -> Result<Option<DigestSchedule>, StoreError> {
        Ok(self.lock().digest_schedules.get(user).cloned())
    }

    async fn digests_due(
        &self,
        due: Timestamp,
        limit: u32,
    ) -> Result<Vec<DigestSchedule>, StoreError> {
        let state = self.lock();
        Ok(state
            .digests_due
            .iter()
            .take_while(|(at, _)| *at <= due)
            .take(limit.clamp(1, 100) as usize)
            .filter_map(|(_, u)| state.digest_schedules.get(u).cloned())
            .collect())
    }

    async fn list_outbox(&self, user: &UserId, range: &Range) -> Result<Chunk<Mail>, StoreError> {
        let after: Option<MailId> = parse_ulid_position(&range.after)?;
        let end = match after {
            Some(id) => Bound::Excluded((user.clone(), id)),
            None => Bound::Included((user.clone(), MailId(ulid::Ulid(u128::MAX)))),
        };
        let state = self.lock();
        let items = state
            .outbox
            .range((Bound::Included((user.clone(), MailId(ulid::Ulid(0)))), end))
            .rev()
            .map(|(_, m)| m.clone())
            .collect::<Vec<_>>();
        Ok(chunk_of(items.into_iter(), range.limit, |m| {
            m.id.to_string()
        }))
    }
}

#[async_trait]
impl ParticipationStore for MemoryStore {
    async fn get_participation(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<Participation>, StoreError> {
        Ok(self
            .lock()
            .participations
            .get(&(*community, user.clone()))
            .cloned())
    }

    async fn participation_due(
        &self,
        due: Timestamp,
        limit: u32,
    ) -> Result<Vec<Participation>, StoreError> {
        let state = self.lock();
        Ok(state
            .participation_reviews
            .iter()
            .take_while(|(at, _, _)| *at <= due)
            .take(limit.clamp(1, 100) as usize)
            .filter_map(|(_, c, u)| state.participations.get(&(*c, u.clone())).cloned())
            .collect())
    }
}

#[async_trait]
impl ActivityStore for MemoryStore {
    async fn list_activity(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Activity>, StoreError> {
        let after: Option<ActivityId> = parse_ulid_position(&range.after)?;
        let end = match after {
            Some(id) => Bound::Excluded((*community, id)),
            None => Bound::Included((*community, ActivityId(ulid::Ulid(u128::MAX)))),
        };
        let state = self.lock();
        let items = state
            .activity
            .range((
                Bound::Included((*community, ActivityId(ulid::Ulid(0)))),
                end,
            ))
            .rev()
            .map(|(_, a)| a.clone());
        Ok(chunk_of(items, range.limit, |a| a.id.to_string()))
    }

    async fn list_user_activity(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Activity>, StoreError> {
        let after: Option<ActivityId> = parse_ulid_position(&range.after)?;
        let end = match after {
            Some(id) => Bound::Excluded((user.clone(), id)),
            None => Bound::Included((user.clone(), ActivityId(ulid::Ulid(u128::MAX)))),
        };
        let state = self.lock();
        let items = state
            .user_activity
            .range((
                Bound::Included((user.clone(), ActivityId(ulid::Ulid(0)))),
                end,
            ))
            .rev()
            .filter_map(|((_, id), c)| state.activity.get(&(*c, *id)).cloned())
            .collect::<Vec<_>>();
        Ok(chunk_of(items.into_iter(), range.limit, |a| {
            a.id.to_string()
        }))
    }
}

/// Items of one parent ordered newest-first by (time, id).
fn newest_first<'a, K: Copy + Ord + std::fmt::Display + std::str::FromStr + 'a, T: Clone + 'a>(
    items: impl Iterator<Item = &'a T>,
    key: impl Fn(&T) -> (Timestamp, K),
    range: &Range,
) -> Result<Chunk<T>, StoreError> {
    let after: Option<(i64, K)> = range.after.as_deref().map(parse_time_id).transpose()?;
    // Positions keep milliseconds (as DynamoDB sort keys do), so the order
    // must too: ordering by the finer instant would put two items of one
    // millisecond in an order the cursor cannot resume from.
    let mut sorted: Vec<&T> = items.collect();
    sorted.sort_by(|a, b| {
        let (ta, ia) = key(a);
        let (tb, ib) = key(b);
        (tb.as_millisecond(), ib).cmp(&(ta.as_millisecond(), ia))
    });
    let kept = sorted.into_iter().filter(|item| {
        let (t, id) = key(item);
        after
            .as_ref()
            .is_none_or(|(ms, aid)| (t.as_millisecond(), id) < (*ms, *aid))
    });
    Ok(chunk_of(kept.cloned(), range.limit, |item| {
        let (t, id) = key(item);
        time_id_position(t, id)
    }))
}

#[async_trait]
impl ThreadStore for MemoryStore {
    async fn get_thread(&self, id: &ThreadId) -> Result<Option<Thread>, StoreError> {
        Ok(self.lock().threads.get(id).cloned())
    }

    async fn list_threads(
        &self,
        space: &SpaceId,
        range: &Range,
    ) -> Result<Chunk<Thread>, StoreError> {
        let state = self.lock();
        let threads = state
            .space_threads
            .range((*space, ThreadId(ulid::Ulid(0)))..=(*space, ThreadId(ulid::Ulid(u128::MAX))))
            .filter_map(|(_, id)| state.threads.get(id))
            .filter(|t| t.deleted_at.is_none());
        newest_first(threads, |t| (t.last_activity_at, t.id), range)
    }

    async fn list_pinned_threads(&self, space: &SpaceId) -> Result<Vec<Thread>, StoreError> {
        let state = self.lock();
        Ok(state
            .space_threads
            .range((*space, ThreadId(ulid::Ulid(0)))..=(*space, ThreadId(ulid::Ulid(u128::MAX))))
            .rev()
            .filter_map(|(_, id)| state.threads.get(id))
            .filter(|t| t.pinned && t.deleted_at.is_none())
            .cloned()
            .collect())
    }

    async fn get_post(&self, id: &PostId) -> Result<Option<Post>, StoreError> {
        Ok(self.lock().posts.get(id).cloned())
    }

    async fn list_posts(
        &self,
        thread: &ThreadId,
        range: &Range,
    ) -> Result<Chunk<Post>, StoreError> {
        let after: Option<PostId> = parse_ulid_position(&range.after)?;
        let start = match after {
            Some(p) => Bound::Excluded((*thread, p)),
            None => Bound::Included((*thread, PostId(ulid::Ulid(0)))),
        };
        let state = self.lock();
        let items = state
            .thread_posts
            .range((
                start,
                Bound::Included((*thread, PostId(ulid::Ulid(u128::MAX)))),
            ))
            .filter_map(|(_, id)| state.posts.get(id))
            .cloned();
        Ok(chunk_of(items, range.limit, |p| p.id.to_string()))
    }

    async fn get_reactions(
        &self,
        post: &PostId,
        user: &UserId,
    ) -> Result<Vec<ReactionKind>, StoreError> {
        let state = self.lock();
        Ok(ReactionKind::ALL
            .into_iter()
            .filter(|k| state.reactions.contains(&(*post, user.clone(), *k)))
            .collect())
    }
}

#[async_trait]
impl DocumentStore for MemoryStore {
    async fn get_document(&self, id: &DocumentId) -> Result<Option<Document>, StoreError> {
        Ok(self.lock().documents.get(id).cloned())
    }

    async fn list_documents(
        &self,
        space: &SpaceId,
        range: &Range,
    ) -> Result<Chunk<Document>, StoreError> {
        let state = self.lock();
        let docs = state
            .space_documents
            .range(
                (*space, DocumentId(ulid::Ulid(0)))..=(*space, DocumentId(ulid::Ulid(u128::MAX))),
            )
            .filter_map(|(_, id)| state.documents.get(id))
            .filter(|d| d.deleted_at.is_none());
        newest_first(docs, |d| (d.updated_at, d.id), range)
    }

    async fn get_document_version(
        &self,
        document: &DocumentId,
        number: u32,
    ) -> Result<Option<DocumentVersion>, StoreError> {
        Ok(self
            .lock()
            .document_versions
            .get(&(*document, number))
            .cloned())
    }

    async fn list_document_versions(
        &self,
        document: &DocumentId,
        range: &Range,
    ) -> Result<Chunk<DocumentVersion>, StoreError> {
        let after = range
            .after
            .as_deref()
            .map(|p| p.parse::<u32>().map_err(|_| StoreError::InvalidPosition))
            .transpose()?;
        let start = match after {
            Some(n) => Bound::Excluded((*document, n)),
            None => Bound::Included((*document, 0)),
        };
        let state = self.lock();
        let items = state
            .document_versions
            .range((start, Bound::Included((*document, u32::MAX))))
            .map(|(_, v)| v.clone());
        Ok(chunk_of(items, range.limit, |v| v.number.to_string()))
    }
}

#[async_trait]
impl EventStore for MemoryStore {
    async fn get_event(&self, id: &EventId) -> Result<Option<Event>, StoreError> {
        Ok(self.lock().events.get(id).cloned())
    }

    async fn list_events(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Event>, StoreError> {
        let after: Option<EventId> = parse_ulid_position(&range.after)?;
        let start = match after {
            Some(e) => Bound::Excluded((*community, e)),
            None => Bound::Included((*community, EventId(ulid::Ulid(0)))),
        };
        let state = self.lock();
        let items = state
            .community_events
            .range((
                start,
                Bound::Included((*community, EventId(ulid::Ulid(u128::MAX)))),
            ))
            .filter_map(|(_, id)| state.events.get(id))
            .cloned();
        Ok(chunk_of(items, range.limit, |e| e.id.to_string()))
    }

    async fn get_rsvp(
        &self,
        event: &EventId,
        occurrence: &str,
        user: &UserId,
    ) -> Result<Option<Rsvp>, StoreError> {
        Ok(self
            .lock()
            .rsvps
            .get(&(*event, occurrence.to_owned(), user.clone()))
            .cloned())
    }

    async fn list_rsvps(
        &self,
        event: &EventId,
        occurrence: &str,
        range: &Range,
    ) -> Result<Chunk<Rsvp>, StoreError> {
        let after = range
            .after
            .as_deref()
            .map(|p| UserId::new(p).map_err(|_| StoreError::InvalidPosition))
            .transpose()?;
        let start = match after {
            Some(u) => Bound::Excluded((*event, occurrence.to_owned(), u)),
            None => Bound::Included((*event, occurrence.to_owned(), UserId::range_start())),
        };
        let state = self.lock();
        let items = state
            .rsvps
            .range((start, Bound::Unbounded))
            .take_while(|((e, o, _), _)| e == event && o == occurrence)
            .map(|(_, r)| r.clone());
        Ok(chunk_of(items, range.limit, |r| r.user.to_string()))
    }

    async fn get_rsvp_tally(
        &self,
        event: &EventId,
        occurrence: &str,
    ) -> Result<RsvpTally, StoreError> {
        Ok(self
            .lock()
            .tallies
            .get(&(*event, occurrence.to_owned()))
            .copied()
            .unwrap_or_default())
    }

    async fn list_attendance(
        &self,
        event: &EventId,
        occurrence: &str,
    ) -> Result<Vec<Attendance>, StoreError> {
        let state = self.lock();
        Ok(state
            .attendance
            .range((*event, occurrence.to_owned(), UserId::range_start())..)
            .take_while(|((e, o, _), _)| e == event && o == occurrence)
            .map(|(_, a)| a.clone())
            .collect())
    }

    async fn list_user_attendance(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Attendance>, StoreError> {
        let state = self.lock();
        let end = match &range.after {
            Some(p) => Bound::Excluded((user.clone(), p.clone())),
            None => Bound::Included((user.clone(), "\u{10FFFF}".to_owned())),
        };
        let items = state
            .user_attendance
            .range((Bound::Included((user.clone(), String::new())), end))
            .rev()
            .filter_map(|((u, _), (e, o))| {
                state.attendance.get(&(*e, o.clone(), u.clone())).cloned()
            })
            .collect::<Vec<_>>();
        Ok(chunk_of(
            items.into_iter(),
            range.limit,
            attendance_position,
        ))
    }
}

/// Where an attendance record sits in its person's list: recorded time,
/// event, occurrence.
fn attendance_position(a: &Attendance) -> String {
    format!(
        "{:020}{SEP}{}{SEP}{}",
        a.recorded_at.as_millisecond(),
        a.event,
        a.occurrence
    )
}

#[async_trait]
impl BatchStore for MemoryStore {
    async fn get_records(&self, wanted: &[Wanted]) -> Result<Records, StoreError> {
        check_wanted(wanted)?;
        let state = self.lock();
        let found = wanted.iter().filter_map(|w| match w {
            Wanted::Community(id) => state.communities.get(id).cloned().map(Record::Community),
            Wanted::Space(id) => state.spaces.get(id).cloned().map(Record::Space),
            Wanted::Grant(space, user) => state
                .grants
                .get(&(*space, user.clone()))
                .cloned()
                .map(Record::Grant),
            Wanted::Thread(id) => state.threads.get(id).cloned().map(Record::Thread),
            Wanted::Post(id) => state.posts.get(id).cloned().map(Record::Post),
            Wanted::Poll(id) => state.polls.get(id).cloned().map(Record::Poll),
            Wanted::Ballot(poll, user) => state
                .ballots
                .get(&(*poll, user.clone()))
                .cloned()
                .map(Record::Ballot),
            Wanted::Reaction(post, user, kind) => state
                .reactions
                .contains(&(*post, user.clone(), *kind))
                .then(|| Record::Reaction(*post, user.clone(), *kind)),
            Wanted::Event(id) => state.events.get(id).cloned().map(Record::Event),
            Wanted::Rsvp(event, occurrence, user) => state
                .rsvps
                .get(&(*event, occurrence.clone(), user.clone()))
                .cloned()
                .map(Record::Rsvp),
            Wanted::RsvpTally(event, occurrence) => state
                .tallies
                .get(&(*event, occurrence.clone()))
                .cloned()
                .map(Record::RsvpTally),
            Wanted::Document(id) => state.documents.get(id).cloned().map(Record::Document),
            Wanted::DocumentVersion(id, number) => state
                .document_versions
                .get(&(*id, *number))
                .cloned()
                .map(Record::DocumentVersion),
            Wanted::Membership(community, user) => state
                .memberships
                .get(&(*community, user.clone()))
                .cloned()
                .map(Record::Membership),
            Wanted::Attendance(event, occurrence, user) => state
                .attendance
                .get(&(*event, occurrence.clone(), user.clone()))
                .cloned()
                .map(Record::Attendance),
            Wanted::Participation(community, user) => state
                .participations
                .get(&(*community, user.clone()))
                .cloned()
                .map(Record::Participation),
            Wanted::JoinRequest(community, user) => state
                .join_requests
                .get(&(*community, user.clone()))
                .cloned()
                .map(Record::JoinRequest),
        });
        Ok(Records(found.collect()))
    }
}

#[async_trait]
impl PollStore for MemoryStore {
    async fn get_poll(&self, id: &PollId) -> Result<Option<Poll>, StoreError> {
        Ok(self.lock().polls.get(id).cloned())
    }

    async fn list_polls(&self, space: &SpaceId, range: &Range) -> Result<Chunk<Poll>, StoreError> {
        let after: Option<PollId> = parse_ulid_position(&range.after)?;
        let end = match after {
            Some(p) => Bound::Excluded((*space, p)),
            None => Bound::Included((*space, PollId(ulid::Ulid(u128::MAX)))),
        };
        let state = self.lock();
        let items = state
            .space_polls
            .range((Bound::Included((*space, PollId(ulid::Ulid(0)))), end))
            .rev()
            .filter_map(|(_, id)| state.polls.get(id))
            .cloned();
        Ok(chunk_of(items, range.limit, |p| p.id.to_string()))
    }

    async fn get_ballot(&self, poll: &PollId, user: &UserId) -> Result<Option<Ballot>, StoreError> {
        Ok(self.lock().ballots.get(&(*poll, user.clone())).cloned())
    }
}
