//! A store wrapper that counts the calls made to it (feature
//! `conformance`, for tests and benchmarks): how many store round trips a
//! use case or a report costs, on any store. It can also stop committing
//! after a number of commits ([`CountingStore::crash_after_commits`]), to
//! test what a multi-step operation leaves when the process dies between
//! its steps, and slip a concurrent writer's change in just before a commit
//! ([`CountingStore::interleave_before_next_commit`]).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use jiff::Timestamp;

use super::*;
use crate::ids::{
    CommunityId, DocumentId, EventId, InvitationId, PollId, PostId, ReportId, SpaceId, ThreadId,
    UserId,
};
use crate::model::{
    Activity, Attendance, Ballot, BlobPurge, CalendarFeed, Community, DigestSchedule, Document,
    DocumentVersion, Event, Handle, Invitation, JoinRequest, Mail, Membership, ModerationEntry,
    Participation, Poll, Post, Profile, ReactionKind, Report, ReportStatus, Rsvp, RsvpTally, Slug,
    Space, SpaceGrant, Thread, TokenHash, ValueStory,
};

/// Wraps a store and counts every call by method name.
#[derive(Clone)]
pub struct CountingStore {
    inner: Arc<dyn Store>,
    calls: Arc<Mutex<BTreeMap<&'static str, u64>>>,
    /// Commits still allowed before every commit fails (`None`: no limit).
    commits_left: Arc<Mutex<Option<u64>>>,
    /// A concurrent writer's transaction, committed just before the next one.
    interleaved: Arc<Mutex<Option<Transaction>>>,
}

impl CountingStore {
    /// Counts the calls made to `inner`.
    pub fn new(inner: Arc<dyn Store>) -> Self {
        CountingStore {
            inner,
            calls: Arc::default(),
            commits_left: Arc::default(),
            interleaved: Arc::default(),
        }
    }

    /// Commits `tx` just before the next commit, as a concurrent writer
    /// whose change lands between a use case's reads and its write.
    pub fn interleave_before_next_commit(&self, tx: Transaction) {
        if let Ok(mut slot) = self.interleaved.lock() {
            *slot = Some(tx);
        }
    }

    /// Lets `commits` more commits through, then refuses every commit as
    /// [`StoreError::Unavailable`] (writing nothing) until
    /// [`CountingStore::recover`]: the process died there.
    pub fn crash_after_commits(&self, commits: u64) {
        if let Ok(mut left) = self.commits_left.lock() {
            *left = Some(commits);
        }
    }

    /// Commits go through again.
    pub fn recover(&self) {
        if let Ok(mut left) = self.commits_left.lock() {
            *left = None;
        }
    }

    fn count(&self, method: &'static str) {
        if let Ok(mut calls) = self.calls.lock() {
            *calls.entry(method).or_default() += 1;
        }
    }

    /// The calls so far by method, and resets the count.
    pub fn take(&self) -> BTreeMap<&'static str, u64> {
        self.calls
            .lock()
            .map(|mut calls| std::mem::take(&mut *calls))
            .unwrap_or_default()
    }
}

#[async_trait]
impl BatchStore for CountingStore {
    async fn get_records(&self, wanted: &[Wanted]) -> Result<Records, StoreError> {
        self.count("get_records");
        self.inner.get_records(wanted).await
    }
}

#[async_trait]
impl ProfileStore for CountingStore {
    async fn get_profile(&self, user: &UserId) -> Result<Option<Profile>, StoreError> {
        self.count("get_profile");
        self.inner.get_profile(user).await
    }
    async fn get_profiles(&self, users: &[UserId]) -> Result<Vec<Profile>, StoreError> {
        self.count("get_profiles");
        self.inner.get_profiles(users).await
    }
    async fn get_calendar_feed(&self, user: &UserId) -> Result<Option<CalendarFeed>, StoreError> {
        self.count("get_calendar_feed");
        self.inner.get_calendar_feed(user).await
    }
    async fn get_calendar_feed_by_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<CalendarFeed>, StoreError> {
        self.count("get_calendar_feed_by_token");
        self.inner.get_calendar_feed_by_token(hash).await
    }
    async fn get_profile_by_handle(&self, handle: &Handle) -> Result<Option<Profile>, StoreError> {
        self.count("get_profile_by_handle");
        self.inner.get_profile_by_handle(handle).await
    }
}

#[async_trait]
impl CommunityStore for CountingStore {
    async fn get_community(&self, id: &CommunityId) -> Result<Option<Community>, StoreError> {
        self.count("get_community");
        self.inner.get_community(id).await
    }
    async fn get_communities(&self, ids: &[CommunityId]) -> Result<Vec<Community>, StoreError> {
        self.count("get_communities");
        self.inner.get_communities(ids).await
    }
    async fn get_community_by_slug(&self, slug: &Slug) -> Result<Option<Community>, StoreError> {
        self.count("get_community_by_slug");
        self.inner.get_community_by_slug(slug).await
    }
    async fn community_id_by_slug(&self, slug: &Slug) -> Result<Option<CommunityId>, StoreError> {
        self.count("community_id_by_slug");
        self.inner.community_id_by_slug(slug).await
    }
    async fn list_directory(
        &self,
        query: &DirectoryQuery,
        range: &Range,
    ) -> Result<Chunk<Community>, StoreError> {
        self.count("list_directory");
        self.inner.list_directory(query, range).await
    }
}

#[async_trait]
impl MembershipStore for CountingStore {
    async fn get_membership(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<Membership>, StoreError> {
        self.count("get_membership");
        self.inner.get_membership(community, user).await
    }
    async fn access_facts(
        &self,
        community: &CommunityId,
        user: &UserId,
        space: Option<&SpaceId>,
    ) -> Result<AccessFacts, StoreError> {
        self.count("access_facts");
        self.inner.access_facts(community, user, space).await
    }
    async fn list_members(
        &self,
        community: &CommunityId,
        filter: MemberFilter,
        range: &Range,
    ) -> Result<Chunk<Membership>, StoreError> {
        self.count("list_members");
        self.inner.list_members(community, filter, range).await
    }
    async fn list_user_memberships(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Membership>, StoreError> {
        self.count("list_user_memberships");
        self.inner.list_user_memberships(user, range).await
    }
}

#[async_trait]
impl ParticipationStore for CountingStore {
    async fn get_participation(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<Participation>, StoreError> {
        self.count("get_participation");
        self.inner.get_participation(community, user).await
    }
    async fn participation_due(
        &self,
        due: Timestamp,
        limit: u32,
    ) -> Result<Vec<Participation>, StoreError> {
        self.count("participation_due");
        self.inner.participation_due(due, limit).await
    }
}

#[async_trait]
impl ModerationStore for CountingStore {
    async fn get_report(
        &self,
        community: &CommunityId,
        id: &ReportId,
    ) -> Result<Option<Report>, StoreError> {
        self.count("get_report");
        self.inner.get_report(community, id).await
    }
    async fn list_reports(
        &self,
        community: &CommunityId,
        status: ReportStatus,
        range: &Range,
    ) -> Result<Chunk<Report>, StoreError> {
        self.count("list_reports");
        self.inner.list_reports(community, status, range).await
    }
    async fn list_moderation_log(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<ModerationEntry>, StoreError> {
        self.count("list_moderation_log");
        self.inner.list_moderation_log(community, range).await
    }
}

#[async_trait]
impl DigestStore for CountingStore {
    async fn get_digest_schedule(
        &self,
        user: &UserId,
    ) -> Result<Option<DigestSchedule>, StoreError> {
        self.count("get_digest_schedule");
        self.inner.get_digest_schedule(user).await
    }
    async fn digests_due(
        &self,
        due: Timestamp,
        limit: u32,
    ) -> Result<Vec<DigestSchedule>, StoreError> {
        self.count("digests_due");
        self.inner.digests_due(due, limit).await
    }
    async fn list_outbox(&self, user: &UserId, range: &Range) -> Result<Chunk<Mail>, StoreError> {
        self.count("list_outbox");
        self.inner.list_outbox(user, range).await
    }
    async fn mail_due(&self, due: Timestamp, limit: u32) -> Result<Vec<Mail>, StoreError> {
        self.count("mail_due");
        self.inner.mail_due(due, limit).await
    }
}

#[async_trait]
impl NotificationStore for CountingStore {
    async fn list_notifications(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<crate::model::Notification>, StoreError> {
        self.count("list_notifications");
        self.inner.list_notifications(user, range).await
    }
    async fn get_notification(
        &self,
        user: &UserId,
        id: &crate::ids::ActivityId,
    ) -> Result<Option<crate::model::Notification>, StoreError> {
        self.count("get_notification");
        self.inner.get_notification(user, id).await
    }
    async fn list_notifications_by_actor(
        &self,
        actor: &UserId,
        range: &Range,
    ) -> Result<Chunk<crate::model::Notification>, StoreError> {
        self.count("list_notifications_by_actor");
        self.inner.list_notifications_by_actor(actor, range).await
    }
    async fn get_inbox_state(
        &self,
        user: &UserId,
    ) -> Result<Option<crate::model::InboxState>, StoreError> {
        self.count("get_inbox_state");
        self.inner.get_inbox_state(user).await
    }
    async fn get_notification_preferences(
        &self,
        user: &UserId,
    ) -> Result<Option<crate::model::NotificationPreferences>, StoreError> {
        self.count("get_notification_preferences");
        self.inner.get_notification_preferences(user).await
    }
    async fn fanouts_due(
        &self,
        due: Timestamp,
        limit: u32,
    ) -> Result<Vec<crate::model::FanoutJob>, StoreError> {
        self.count("fanouts_due");
        self.inner.fanouts_due(due, limit).await
    }
}

#[async_trait]
impl ValueStoryStore for CountingStore {
    async fn list_value_stories(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<ValueStory>, StoreError> {
        self.count("list_value_stories");
        self.inner.list_value_stories(community, range).await
    }
    async fn list_user_value_stories(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<ValueStory>, StoreError> {
        self.count("list_user_value_stories");
        self.inner.list_user_value_stories(user, range).await
    }
}

#[async_trait]
impl JoinRequestStore for CountingStore {
    async fn get_join_request(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<JoinRequest>, StoreError> {
        self.count("get_join_request");
        self.inner.get_join_request(community, user).await
    }
    async fn list_pending_requests(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<JoinRequest>, StoreError> {
        self.count("list_pending_requests");
        self.inner.list_pending_requests(community, range).await
    }
}

#[async_trait]
impl InvitationStore for CountingStore {
    async fn get_invitation(
        &self,
        community: &CommunityId,
        id: &InvitationId,
    ) -> Result<Option<Invitation>, StoreError> {
        self.count("get_invitation");
        self.inner.get_invitation(community, id).await
    }
    async fn get_invitation_by_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<Invitation>, StoreError> {
        self.count("get_invitation_by_token");
        self.inner.get_invitation_by_token(hash).await
    }
    async fn list_invitations(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Invitation>, StoreError> {
        self.count("list_invitations");
        self.inner.list_invitations(community, range).await
    }

    async fn list_invitations_to(
        &self,
        address: &str,
        range: &Range,
    ) -> Result<Chunk<Invitation>, StoreError> {
        self.count("list_invitations_to");
        self.inner.list_invitations_to(address, range).await
    }
}

#[async_trait]
impl SpaceStore for CountingStore {
    async fn get_space(&self, id: &SpaceId) -> Result<Option<Space>, StoreError> {
        self.count("get_space");
        self.inner.get_space(id).await
    }
    async fn list_spaces(&self, community: &CommunityId) -> Result<Vec<Space>, StoreError> {
        self.count("list_spaces");
        self.inner.list_spaces(community).await
    }
    async fn list_user_grants(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Vec<SpaceGrant>, StoreError> {
        self.count("list_user_grants");
        self.inner.list_user_grants(community, user).await
    }
    async fn list_space_grants(&self, space: &SpaceId) -> Result<Vec<SpaceGrant>, StoreError> {
        self.count("list_space_grants");
        self.inner.list_space_grants(space).await
    }
}

#[async_trait]
impl ActivityStore for CountingStore {
    async fn list_activity(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Activity>, StoreError> {
        self.count("list_activity");
        self.inner.list_activity(community, range).await
    }
    async fn list_user_activity(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Activity>, StoreError> {
        self.count("list_user_activity");
        self.inner.list_user_activity(user, range).await
    }
}

#[async_trait]
impl ThreadStore for CountingStore {
    async fn get_thread(&self, id: &ThreadId) -> Result<Option<Thread>, StoreError> {
        self.count("get_thread");
        self.inner.get_thread(id).await
    }
    async fn list_threads(
        &self,
        space: &SpaceId,
        range: &Range,
    ) -> Result<Chunk<Thread>, StoreError> {
        self.count("list_threads");
        self.inner.list_threads(space, range).await
    }
    async fn list_pinned_threads(&self, space: &SpaceId) -> Result<Vec<Thread>, StoreError> {
        self.count("list_pinned_threads");
        self.inner.list_pinned_threads(space).await
    }
    async fn get_post(&self, id: &PostId) -> Result<Option<Post>, StoreError> {
        self.count("get_post");
        self.inner.get_post(id).await
    }
    async fn list_posts(
        &self,
        thread: &ThreadId,
        range: &Range,
    ) -> Result<Chunk<Post>, StoreError> {
        self.count("list_posts");
        self.inner.list_posts(thread, range).await
    }
    async fn get_reactions(
        &self,
        post: &PostId,
        user: &UserId,
    ) -> Result<Vec<ReactionKind>, StoreError> {
        self.count("get_reactions");
        self.inner.get_reactions(post, user).await
    }
}

#[async_trait]
impl DocumentStore for CountingStore {
    async fn get_document(&self, id: &DocumentId) -> Result<Option<Document>, StoreError> {
        self.count("get_document");
        self.inner.get_document(id).await
    }
    async fn list_documents(
        &self,
        space: &SpaceId,
        range: &Range,
    ) -> Result<Chunk<Document>, StoreError> {
        self.count("list_documents");
        self.inner.list_documents(space, range).await
    }
    async fn get_document_version(
        &self,
        document: &DocumentId,
        number: u32,
    ) -> Result<Option<DocumentVersion>, StoreError> {
        self.count("get_document_version");
        self.inner.get_document_version(document, number).await
    }
    async fn list_document_versions(
        &self,
        document: &DocumentId,
        range: &Range,
    ) -> Result<Chunk<DocumentVersion>, StoreError> {
        self.count("list_document_versions");
        self.inner.list_document_versions(document, range).await
    }

    async fn purges_due(&self, now: Timestamp, limit: u32) -> Result<Vec<BlobPurge>, StoreError> {
        self.count("purges_due");
        self.inner.purges_due(now, limit).await
    }
}

#[async_trait]
impl EventStore for CountingStore {
    async fn get_event(&self, id: &EventId) -> Result<Option<Event>, StoreError> {
        self.count("get_event");
        self.inner.get_event(id).await
    }
    async fn list_events(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Event>, StoreError> {
        self.count("list_events");
        self.inner.list_events(community, range).await
    }
    async fn get_rsvp(
        &self,
        event: &EventId,
        occurrence: &str,
        user: &UserId,
    ) -> Result<Option<Rsvp>, StoreError> {
        self.count("get_rsvp");
        self.inner.get_rsvp(event, occurrence, user).await
    }
    async fn list_rsvps(
        &self,
        event: &EventId,
        occurrence: &str,
        range: &Range,
    ) -> Result<Chunk<Rsvp>, StoreError> {
        self.count("list_rsvps");
        self.inner.list_rsvps(event, occurrence, range).await
    }
    async fn get_rsvp_tally(
        &self,
        event: &EventId,
        occurrence: &str,
    ) -> Result<RsvpTally, StoreError> {
        self.count("get_rsvp_tally");
        self.inner.get_rsvp_tally(event, occurrence).await
    }
    async fn list_attendance(
        &self,
        event: &EventId,
        occurrence: &str,
    ) -> Result<Vec<Attendance>, StoreError> {
        self.count("list_attendance");
        self.inner.list_attendance(event, occurrence).await
    }
    async fn list_user_attendance(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Attendance>, StoreError> {
        self.count("list_user_attendance");
        self.inner.list_user_attendance(user, range).await
    }
}

#[async_trait]
impl PollStore for CountingStore {
    async fn get_poll(&self, id: &PollId) -> Result<Option<Poll>, StoreError> {
        self.count("get_poll");
        self.inner.get_poll(id).await
    }
    async fn list_polls(&self, space: &SpaceId, range: &Range) -> Result<Chunk<Poll>, StoreError> {
        self.count("list_polls");
        self.inner.list_polls(space, range).await
    }
    async fn get_ballot(&self, poll: &PollId, user: &UserId) -> Result<Option<Ballot>, StoreError> {
        self.count("get_ballot");
        self.inner.get_ballot(poll, user).await
    }

    async fn list_ballots(
        &self,
        poll: &PollId,
        range: &Range,
    ) -> Result<Chunk<Ballot>, StoreError> {
        self.count("list_ballots");
        self.inner.list_ballots(poll, range).await
    }
}

#[async_trait]
impl WriteStore for CountingStore {
    async fn commit(&self, tx: Transaction) -> Result<(), StoreError> {
        self.count("commit");
        let interleaved = self.interleaved.lock().ok().and_then(|mut s| s.take());
        if let Some(concurrent) = interleaved {
            self.inner.commit(concurrent).await?;
        }
        if let Ok(mut left) = self.commits_left.lock()
            && let Some(left) = left.as_mut()
        {
            if *left == 0 {
                return Err(StoreError::Unavailable {
                    retry_after_secs: 1,
                });
            }
            *left -= 1;
        }
        self.inner.commit(tx).await
    }
}

#[async_trait]
impl EphemeralStore for CountingStore {
    async fn claim_key(
        &self,
        key: &str,
        claim: &Remembered,
        now: Timestamp,
    ) -> Result<Option<Remembered>, StoreError> {
        self.count("claim_key");
        self.inner.claim_key(key, claim, now).await
    }

    async fn keep_answer(&self, key: &str, done: &Remembered) -> Result<(), StoreError> {
        self.count("keep_answer");
        self.inner.keep_answer(key, done).await
    }

    async fn release_key(&self, key: &str) -> Result<(), StoreError> {
        self.count("release_key");
        self.inner.release_key(key).await
    }

    async fn count_toward(
        &self,
        key: &str,
        limit: u32,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.count("count_toward");
        self.inner.count_toward(key, limit, expires_at, now).await
    }
}
