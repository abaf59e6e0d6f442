//! [`SqliteStore`]: the store traits over one [`Database`].
//!
//! A commit is one `BEGIN IMMEDIATE` transaction: it takes the database's
//! write lock (other processes wait up to the busy timeout), checks every
//! operation's condition against the current records, then applies them
//! all and commits; any failed condition rolls everything back. Because
//! the lock is held from the first check to the commit, the checks of
//! concurrent writers in other processes can never interleave.
//!
//! Every family's records live in the one `items` table (see
//! [`crate::families`]), so the store implements the whole
//! [`copkit_core::store::Store`] contract.

use async_trait::async_trait;
use copkit_core::model::{
    Activity, Attendance, Ballot, BlobPurge, CalendarFeed, Community, DigestSchedule, Document,
    DocumentVersion, Event, FanoutJob, Handle, InboxState, Invitation, JoinRequest, Mail,
    Membership, ModerationEntry, Notification, NotificationPreferences, Participation, Poll, Post,
    Profile, ReactionKind, Report, ReportStatus, Rsvp, RsvpTally, Slug, Space, SpaceGrant, Thread,
    TokenHash, ValueStory,
};
use copkit_core::store::batch::check_wanted;
use copkit_core::store::{
    AccessFacts, ActivityStore, BatchStore, Chunk, CommunityStore, DigestStore, DirectoryQuery,
    DocumentStore, EventStore, InvitationStore, JoinRequestStore, MemberFilter, MembershipStore,
    ModerationStore, NotificationStore, Op, ParticipationStore, PollStore, ProfileStore, Range,
    Records, SpaceStore, StoreError, ThreadStore, Transaction, ValueStoryStore, Wanted, WriteStore,
};
use copkit_core::{
    ActivityId, CommunityId, DocumentId, EventId, InvitationId, PollId, PostId, ReportId, SpaceId,
    ThreadId, UserId,
};
use jiff::Timestamp;
use rusqlite::{Connection, TransactionBehavior};

use crate::batch;
use crate::database::{Database, store_error};
use crate::families::{
    activity, communities, digests, discussions, documents, events, invitations, moderation,
    notifications, polls, profiles, spaces,
};

/// The store over one SQLite file. Cloning shares the connections.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    db: Database,
}

impl SqliteStore {
    /// The store over an open database.
    pub fn new(db: Database) -> Self {
        SqliteStore { db }
    }

    /// Every community's id, Secret ones included, in id order (for
    /// rebuilding what is derived from all of them: the search index).
    pub async fn community_ids(&self) -> Result<Vec<CommunityId>, StoreError> {
        self.db
            .run(|conn| communities::all_community_ids(conn))
            .await
    }

    /// The database.
    pub fn database(&self) -> &Database {
        &self.db
    }
}

/// Checks every operation, then applies them all, in one immediate
/// transaction.
fn commit_ops(conn: &mut Connection, ops: Vec<Op>) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(store_error)?;
    for (index, op) in ops.iter().enumerate() {
        let checked = match op {
            Op::Activity(op) => activity::check(&tx, op)?,
            Op::Community(op) => communities::check(&tx, op)?,
            Op::Digest(op) => digests::check(&tx, op)?,
            Op::Discussion(op) => discussions::check(&tx, op)?,
            Op::Document(op) => documents::check(&tx, op)?,
            Op::Event(op) => events::check(&tx, op)?,
            Op::Invitation(op) => invitations::check(&tx, op)?,
            Op::Moderation(op) => moderation::check(&tx, op)?,
            Op::Notification(op) => notifications::check(&tx, op)?,
            Op::Poll(op) => polls::check(&tx, op)?,
            Op::Profile(op) => profiles::check(&tx, op)?,
            Op::Space(op) => spaces::check(&tx, op)?,
        };
        checked.map_err(|failure| StoreError::Condition { op: index, failure })?;
    }
    for op in ops {
        match op {
            Op::Activity(op) => activity::apply(&tx, op)?,
            Op::Community(op) => communities::apply(&tx, op)?,
            Op::Digest(op) => digests::apply(&tx, op)?,
            Op::Discussion(op) => discussions::apply(&tx, op)?,
            Op::Document(op) => documents::apply(&tx, op)?,
            Op::Event(op) => events::apply(&tx, op)?,
            Op::Invitation(op) => invitations::apply(&tx, op)?,
            Op::Moderation(op) => moderation::apply(&tx, op)?,
            Op::Notification(op) => notifications::apply(&tx, op)?,
            Op::Poll(op) => polls::apply(&tx, op)?,
            Op::Profile(op) => profiles::apply(&tx, op)?,
            Op::Space(op) => spaces::apply(&tx, op)?,
        }
    }
    tx.commit().map_err(store_error)
}

#[async_trait]
impl WriteStore for SqliteStore {
    async fn commit(&self, tx: Transaction) -> Result<(), StoreError> {
        tx.check_shape()?;
        let ops = tx.into_ops();
        self.db.run(move |conn| commit_ops(conn, ops)).await
    }
}

#[async_trait]
impl ProfileStore for SqliteStore {
    async fn get_profile(&self, user: &UserId) -> Result<Option<Profile>, StoreError> {
        let user = user.clone();
        self.db
            .run(move |conn| profiles::get_profile(conn, &user))
            .await
    }

    async fn get_profiles(&self, users: &[UserId]) -> Result<Vec<Profile>, StoreError> {
        let mut users = users.to_vec();
        users.sort();
        users.dedup();
        self.db
            .run(move |conn| {
                let mut found = Vec::new();
                for user in &users {
                    found.extend(profiles::get_profile(conn, user)?);
                }
                Ok(found)
            })
            .await
    }

    async fn get_calendar_feed(&self, user: &UserId) -> Result<Option<CalendarFeed>, StoreError> {
        let user = user.clone();
        self.db
            .run(move |conn| profiles::get_calendar_feed(conn, &user))
            .await
    }

    async fn get_calendar_feed_by_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<CalendarFeed>, StoreError> {
        let hash = hash.clone();
        self.db
            .run(move |conn| profiles::get_calendar_feed_by_token(conn, &hash))
            .await
    }

    async fn get_profile_by_handle(&self, handle: &Handle) -> Result<Option<Profile>, StoreError> {
        let handle = handle.clone();
        self.db
            .run(move |conn| profiles::get_profile_by_handle(conn, &handle))
            .await
    }
}

#[async_trait]
impl CommunityStore for SqliteStore {
    async fn get_community(&self, id: &CommunityId) -> Result<Option<Community>, StoreError> {
        let id = *id;
        self.db
            .run(move |conn| communities::get_community(conn, &id))
            .await
    }

    async fn get_communities(&self, ids: &[CommunityId]) -> Result<Vec<Community>, StoreError> {
        let mut ids = ids.to_vec();
        ids.sort();
        ids.dedup();
        self.db
            .run(move |conn| {
                let mut found = Vec::new();
                for id in &ids {
                    found.extend(communities::get_community(conn, id)?);
                }
                Ok(found)
            })
            .await
    }

    async fn get_community_by_slug(&self, slug: &Slug) -> Result<Option<Community>, StoreError> {
        let slug = slug.clone();
        self.db
            .run(
                move |conn| match communities::community_id_by_slug(conn, &slug)? {
                    Some(id) => communities::get_community(conn, &id),
                    None => Ok(None),
                },
            )
            .await
    }

    async fn community_id_by_slug(&self, slug: &Slug) -> Result<Option<CommunityId>, StoreError> {
        let slug = slug.clone();
        self.db
            .run(move |conn| communities::community_id_by_slug(conn, &slug))
            .await
    }

    async fn list_directory(
        &self,
        query: &DirectoryQuery,
        range: &Range,
    ) -> Result<Chunk<Community>, StoreError> {
        let (query, range) = (query.clone(), range.clone());
        self.db
            .run(move |conn| communities::list_directory(conn, &query, &range))
            .await
    }
}

#[async_trait]
impl MembershipStore for SqliteStore {
    async fn get_membership(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<Membership>, StoreError> {
        let (community, user) = (*community, user.clone());
        self.db
            .run(move |conn| communities::get_membership(conn, &community, &user))
            .await
    }

    async fn access_facts(
        &self,
        community: &CommunityId,
        user: &UserId,
        space: Option<&SpaceId>,
    ) -> Result<AccessFacts, StoreError> {
        let (community, user, space) = (*community, user.clone(), space.copied());
        self.db
            .run(move |conn| communities::access_facts(conn, &community, &user, space.as_ref()))
            .await
    }

    async fn list_members(
        &self,
        community: &CommunityId,
        filter: MemberFilter,
        range: &Range,
    ) -> Result<Chunk<Membership>, StoreError> {
        let (community, range) = (*community, range.clone());
        self.db
            .run(move |conn| communities::list_members(conn, &community, filter, &range))
            .await
    }

    async fn list_user_memberships(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Membership>, StoreError> {
        let (user, range) = (user.clone(), range.clone());
        self.db
            .run(move |conn| communities::list_user_memberships(conn, &user, &range))
            .await
    }
}

#[async_trait]
impl ThreadStore for SqliteStore {
    async fn get_thread(&self, id: &ThreadId) -> Result<Option<Thread>, StoreError> {
        let id = *id;
        self.db
            .run(move |conn| discussions::get_thread(conn, &id))
            .await
    }

    async fn list_threads(
        &self,
        space: &SpaceId,
        range: &Range,
    ) -> Result<Chunk<Thread>, StoreError> {
        let (space, range) = (*space, range.clone());
        self.db
            .run(move |conn| discussions::list_threads(conn, &space, &range))
            .await
    }

    async fn list_pinned_threads(&self, space: &SpaceId) -> Result<Vec<Thread>, StoreError> {
        let space = *space;
        self.db
            .run(move |conn| discussions::list_pinned_threads(conn, &space))
            .await
    }

    async fn get_post(&self, id: &PostId) -> Result<Option<Post>, StoreError> {
        let id = *id;
        self.db
            .run(move |conn| discussions::get_post(conn, &id))
            .await
    }

    async fn list_posts(
        &self,
        thread: &ThreadId,
        range: &Range,
    ) -> Result<Chunk<Post>, StoreError> {
        let (thread, range) = (*thread, range.clone());
        self.db
            .run(move |conn| discussions::list_posts(conn, &thread, &range))
            .await
    }

    async fn get_reactions(
        &self,
        post: &PostId,
        user: &UserId,
    ) -> Result<Vec<ReactionKind>, StoreError> {
        let (post, user) = (*post, user.clone());
        self.db
            .run(move |conn| discussions::get_reactions(conn, &post, &user))
            .await
    }
}

#[async_trait]
impl DocumentStore for SqliteStore {
    async fn get_document(&self, id: &DocumentId) -> Result<Option<Document>, StoreError> {
        let id = *id;
        self.db
            .run(move |conn| documents::get_document(conn, &id))
            .await
    }

    async fn list_documents(
        &self,
        space: &SpaceId,
        range: &Range,
    ) -> Result<Chunk<Document>, StoreError> {
        let (space, range) = (*space, range.clone());
        self.db
            .run(move |conn| documents::list_documents(conn, &space, &range))
            .await
    }

    async fn get_document_version(
        &self,
        document: &DocumentId,
        number: u32,
    ) -> Result<Option<DocumentVersion>, StoreError> {
        let document = *document;
        self.db
            .run(move |conn| documents::get_document_version(conn, &document, number))
            .await
    }

    async fn list_document_versions(
        &self,
        document: &DocumentId,
        range: &Range,
    ) -> Result<Chunk<DocumentVersion>, StoreError> {
        let (document, range) = (*document, range.clone());
        self.db
            .run(move |conn| documents::list_document_versions(conn, &document, &range))
            .await
    }

    async fn purges_due(&self, now: Timestamp, limit: u32) -> Result<Vec<BlobPurge>, StoreError> {
        self.db
            .run(move |conn| documents::purges_due(conn, now, limit))
            .await
    }
}

#[async_trait]
impl PollStore for SqliteStore {
    async fn get_poll(&self, id: &PollId) -> Result<Option<Poll>, StoreError> {
        let id = *id;
        self.db.run(move |conn| polls::get_poll(conn, &id)).await
    }

    async fn list_polls(&self, space: &SpaceId, range: &Range) -> Result<Chunk<Poll>, StoreError> {
        let (space, range) = (*space, range.clone());
        self.db
            .run(move |conn| polls::list_polls(conn, &space, &range))
            .await
    }

    async fn get_ballot(&self, poll: &PollId, user: &UserId) -> Result<Option<Ballot>, StoreError> {
        let (poll, user) = (*poll, user.clone());
        self.db
            .run(move |conn| polls::get_ballot(conn, &poll, &user))
            .await
    }

    async fn list_ballots(
        &self,
        poll: &PollId,
        range: &Range,
    ) -> Result<Chunk<Ballot>, StoreError> {
        let (poll, range) = (*poll, range.clone());
        self.db
            .run(move |conn| polls::list_ballots(conn, &poll, &range))
            .await
    }
}

#[async_trait]
impl ModerationStore for SqliteStore {
    async fn get_report(
        &self,
        community: &CommunityId,
        id: &ReportId,
    ) -> Result<Option<Report>, StoreError> {
        let (community, id) = (*community, *id);
        self.db
            .run(move |conn| moderation::get_report(conn, &community, &id))
            .await
    }

    async fn list_reports(
        &self,
        community: &CommunityId,
        status: ReportStatus,
        range: &Range,
    ) -> Result<Chunk<Report>, StoreError> {
        let (community, range) = (*community, range.clone());
        self.db
            .run(move |conn| moderation::list_reports(conn, &community, status, &range))
            .await
    }

    async fn list_moderation_log(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<ModerationEntry>, StoreError> {
        let (community, range) = (*community, range.clone());
        self.db
            .run(move |conn| moderation::list_moderation_log(conn, &community, &range))
            .await
    }
}

#[async_trait]
impl DigestStore for SqliteStore {
    async fn get_digest_schedule(
        &self,
        user: &UserId,
    ) -> Result<Option<DigestSchedule>, StoreError> {
        let user = user.clone();
        self.db
            .run(move |conn| digests::get_digest_schedule(conn, &user))
            .await
    }

    async fn digests_due(
        &self,
        due: Timestamp,
        limit: u32,
    ) -> Result<Vec<DigestSchedule>, StoreError> {
        self.db
            .run(move |conn| digests::digests_due(conn, due, limit))
            .await
    }

    async fn list_outbox(&self, user: &UserId, range: &Range) -> Result<Chunk<Mail>, StoreError> {
        let (user, range) = (user.clone(), range.clone());
        self.db
            .run(move |conn| digests::list_outbox(conn, &user, &range))
            .await
    }

    async fn mail_due(&self, due: Timestamp, limit: u32) -> Result<Vec<Mail>, StoreError> {
        self.db
            .run(move |conn| digests::mail_due(conn, due, limit))
            .await
    }
}

#[async_trait]
impl NotificationStore for SqliteStore {
    async fn list_notifications(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Notification>, StoreError> {
        let (user, range) = (user.clone(), range.clone());
        self.db
            .run(move |conn| notifications::list_notifications(conn, &user, &range))
            .await
    }

    async fn list_notifications_by_actor(
        &self,
        actor: &UserId,
        range: &Range,
    ) -> Result<Chunk<Notification>, StoreError> {
        let (actor, range) = (actor.clone(), range.clone());
        self.db
            .run(move |conn| notifications::list_notifications_by_actor(conn, &actor, &range))
            .await
    }

    async fn get_notification(
        &self,
        user: &UserId,
        id: &ActivityId,
    ) -> Result<Option<Notification>, StoreError> {
        let (user, id) = (user.clone(), *id);
        self.db
            .run(move |conn| notifications::get_notification(conn, &user, &id))
            .await
    }

    async fn get_inbox_state(&self, user: &UserId) -> Result<Option<InboxState>, StoreError> {
        let user = user.clone();
        self.db
            .run(move |conn| notifications::get_inbox_state(conn, &user))
            .await
    }

    async fn get_notification_preferences(
        &self,
        user: &UserId,
    ) -> Result<Option<NotificationPreferences>, StoreError> {
        let user = user.clone();
        self.db
            .run(move |conn| notifications::get_notification_preferences(conn, &user))
            .await
    }

    async fn fanouts_due(&self, due: Timestamp, limit: u32) -> Result<Vec<FanoutJob>, StoreError> {
        self.db
            .run(move |conn| notifications::fanouts_due(conn, due, limit))
            .await
    }
}

#[async_trait]
impl EventStore for SqliteStore {
    async fn get_event(&self, id: &EventId) -> Result<Option<Event>, StoreError> {
        let id = *id;
        self.db.run(move |conn| events::get_event(conn, &id)).await
    }

    async fn list_events(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Event>, StoreError> {
        let (community, range) = (*community, range.clone());
        self.db
            .run(move |conn| events::list_events(conn, &community, &range))
            .await
    }

    async fn get_rsvp(
        &self,
        event: &EventId,
        occurrence: &str,
        user: &UserId,
    ) -> Result<Option<Rsvp>, StoreError> {
        let (event, occurrence, user) = (*event, occurrence.to_owned(), user.clone());
        self.db
            .run(move |conn| events::get_rsvp(conn, &event, &occurrence, &user))
            .await
    }

    async fn list_rsvps(
        &self,
        event: &EventId,
        occurrence: &str,
        range: &Range,
    ) -> Result<Chunk<Rsvp>, StoreError> {
        let (event, occurrence, range) = (*event, occurrence.to_owned(), range.clone());
        self.db
            .run(move |conn| events::list_rsvps(conn, &event, &occurrence, &range))
            .await
    }

    async fn get_rsvp_tally(
        &self,
        event: &EventId,
        occurrence: &str,
    ) -> Result<RsvpTally, StoreError> {
        let (event, occurrence) = (*event, occurrence.to_owned());
        self.db
            .run(move |conn| events::get_rsvp_tally(conn, &event, &occurrence))
            .await
    }

    async fn list_attendance(
        &self,
        event: &EventId,
        occurrence: &str,
    ) -> Result<Vec<Attendance>, StoreError> {
        let (event, occurrence) = (*event, occurrence.to_owned());
        self.db
            .run(move |conn| events::list_attendance(conn, &event, &occurrence))
            .await
    }

    async fn list_user_attendance(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Attendance>, StoreError> {
        let (user, range) = (user.clone(), range.clone());
        self.db
            .run(move |conn| events::list_user_attendance(conn, &user, &range))
            .await
    }
}

#[async_trait]
impl InvitationStore for SqliteStore {
    async fn get_invitation(
        &self,
        community: &CommunityId,
        id: &InvitationId,
    ) -> Result<Option<Invitation>, StoreError> {
        let (community, id) = (*community, *id);
        self.db
            .run(move |conn| invitations::get_invitation(conn, &community, &id))
            .await
    }

    async fn get_invitation_by_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<Invitation>, StoreError> {
        let hash = hash.clone();
        self.db
            .run(move |conn| invitations::get_invitation_by_token(conn, &hash))
            .await
    }

    async fn list_invitations(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Invitation>, StoreError> {
        let (community, range) = (*community, range.clone());
        self.db
            .run(move |conn| invitations::list_invitations(conn, &community, &range))
            .await
    }

    async fn list_invitations_to(
        &self,
        address: &str,
        range: &Range,
    ) -> Result<Chunk<Invitation>, StoreError> {
        let (address, range) = (address.to_owned(), range.clone());
        self.db
            .run(move |conn| invitations::list_invitations_to(conn, &address, &range))
            .await
    }
}

#[async_trait]
impl JoinRequestStore for SqliteStore {
    async fn get_join_request(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<JoinRequest>, StoreError> {
        let (community, user) = (*community, user.clone());
        self.db
            .run(move |conn| invitations::get_join_request(conn, &community, &user))
            .await
    }

    async fn list_pending_requests(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<JoinRequest>, StoreError> {
        let (community, range) = (*community, range.clone());
        self.db
            .run(move |conn| invitations::list_pending_requests(conn, &community, &range))
            .await
    }
}

#[async_trait]
impl ActivityStore for SqliteStore {
    async fn list_activity(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Activity>, StoreError> {
        let (community, range) = (*community, range.clone());
        self.db
            .run(move |conn| activity::list_activity(conn, &community, &range))
            .await
    }

    async fn list_user_activity(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Activity>, StoreError> {
        let (user, range) = (user.clone(), range.clone());
        self.db
            .run(move |conn| activity::list_user_activity(conn, &user, &range))
            .await
    }
}

#[async_trait]
impl ParticipationStore for SqliteStore {
    async fn get_participation(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<Participation>, StoreError> {
        let (community, user) = (*community, user.clone());
        self.db
            .run(move |conn| activity::get_participation(conn, &community, &user))
            .await
    }

    async fn participation_due(
        &self,
        due: Timestamp,
        limit: u32,
    ) -> Result<Vec<Participation>, StoreError> {
        self.db
            .run(move |conn| activity::participation_due(conn, due, limit))
            .await
    }
}

#[async_trait]
impl ValueStoryStore for SqliteStore {
    async fn list_value_stories(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<ValueStory>, StoreError> {
        let (community, range) = (*community, range.clone());
        self.db
            .run(move |conn| activity::list_value_stories(conn, &community, &range))
            .await
    }

    async fn list_user_value_stories(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<ValueStory>, StoreError> {
        let (user, range) = (user.clone(), range.clone());
        self.db
            .run(move |conn| activity::list_user_value_stories(conn, &user, &range))
            .await
    }
}

#[async_trait]
impl BatchStore for SqliteStore {
    async fn get_records(&self, wanted: &[Wanted]) -> Result<Records, StoreError> {
        check_wanted(wanted)?;
        let wanted = wanted.to_vec();
        self.db
            .run(move |conn| {
                // One read transaction: the records are read together.
                let tx = conn.transaction().map_err(store_error)?;
                let found = batch::get_records(&tx, &wanted)?;
                tx.commit().map_err(store_error)?;
                Ok(found)
            })
            .await
    }
}

#[async_trait]
impl SpaceStore for SqliteStore {
    async fn get_space(&self, id: &SpaceId) -> Result<Option<Space>, StoreError> {
        let id = *id;
        self.db.run(move |conn| spaces::get_space(conn, &id)).await
    }

    async fn list_spaces(&self, community: &CommunityId) -> Result<Vec<Space>, StoreError> {
        let community = *community;
        self.db
            .run(move |conn| spaces::list_spaces(conn, &community))
            .await
    }

    async fn list_user_grants(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Vec<SpaceGrant>, StoreError> {
        let (community, user) = (*community, user.clone());
        self.db
            .run(move |conn| spaces::list_user_grants(conn, &community, &user))
            .await
    }

    async fn list_space_grants(&self, space: &SpaceId) -> Result<Vec<SpaceGrant>, StoreError> {
        let space = *space;
        self.db
            .run(move |conn| spaces::list_space_grants(conn, &space))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use copkit_core::store::{Expect, ProfileOp};

    fn profile(user: &str) -> Profile {
        Profile {
            user: UserId::new(user).unwrap(),
            display_name: format!("Dr {user}"),
            handle: Some(Handle::new(user).unwrap()),
            professional_role: None,
            organisation: None,
            created_at: jiff::Timestamp::UNIX_EPOCH,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
            version: 1,
        }
    }

    fn put(p: Profile) -> ProfileOp {
        ProfileOp::PutProfile {
            profile: p,
            expect: Expect::Absent,
            previous_handle: None,
        }
    }

    #[tokio::test]
    async fn a_commit_writes_all_or_nothing_and_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("copkit.db");
        let store = SqliteStore::new(Database::open(&path).unwrap());
        store
            .commit(
                Transaction::new()
                    .with(put(profile("ann")))
                    .with(put(profile("bob"))),
            )
            .await
            .unwrap();
        // The second operation fails (Ann exists): Cal is not written.
        let err = store
            .commit(
                Transaction::new()
                    .with(put(profile("cal")))
                    .with(put(profile("ann"))),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Condition { op: 1, .. }), "{err}");
        drop(store);

        let reopened = SqliteStore::new(Database::open(&path).unwrap());
        let users: Vec<UserId> = ["ann", "bob", "cal", "ann"]
            .iter()
            .map(|u| UserId::new(*u).unwrap())
            .collect();
        let found = reopened.get_profiles(&users).await.unwrap();
        let mut names: Vec<&str> = found.iter().map(|p| p.user.as_str()).collect();
        names.sort();
        assert_eq!(names, ["ann", "bob"]);
        let bob = reopened
            .get_profile_by_handle(&Handle::new("bob").unwrap())
            .await
            .unwrap();
        assert_eq!(bob.map(|p| p.display_name), Some("Dr bob".to_owned()));
    }

    #[tokio::test]
    async fn a_full_disk_refuses_the_whole_transaction_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(dir.path().join("copkit.db")).unwrap();
        let store = SqliteStore::new(db.clone());
        store
            .commit(Transaction::new().with(put(profile("ann"))))
            .await
            .unwrap();
        // The file may not grow: a disk with no room left.
        db.run(|conn| {
            let pages: i64 = conn
                .pragma_query_value(None, "page_count", |r| r.get(0))
                .map_err(store_error)?;
            conn.pragma_update(None, "max_page_count", pages)
                .map_err(store_error)
        })
        .await
        .unwrap();
        let mut tx = Transaction::new();
        let mut big = Vec::new();
        for n in 0..60 {
            let mut p = profile(&format!("member{n:02}"));
            p.organisation = Some("x".repeat(2_000));
            big.push(p.user.clone());
            tx.push(put(p));
        }
        let err = store.commit(tx).await.unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Unavailable {
                    retry_after_secs: 30
                }
            ),
            "{err:?}"
        );
        assert!(
            store.get_profiles(&big).await.unwrap().is_empty(),
            "nothing written"
        );
        let ann = store
            .get_profile(&UserId::new("ann").unwrap())
            .await
            .unwrap();
        assert!(ann.is_some(), "what was there stays");
    }

    #[tokio::test]
    async fn spaces_list_by_community_and_grants_both_ways() {
        use copkit_core::model::{SpaceGrant, SpaceVisibility};
        use copkit_core::store::SpaceOp;
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::new(Database::open(dir.path().join("copkit.db")).unwrap());
        let (c1, c2) = (
            CommunityId(ulid::Ulid::from_parts(1, 1)),
            CommunityId(ulid::Ulid::from_parts(1, 2)),
        );
        let space = |n: u128, community| Space {
            id: SpaceId(ulid::Ulid::from_parts(2, n)),
            community,
            name: format!("Space {n}"),
            description: String::new(),
            visibility: SpaceVisibility::Members,
            archived_at: None,
            created_by: UserId::new("ann").unwrap(),
            created_at: jiff::Timestamp::UNIX_EPOCH,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
            version: 1,
        };
        let grant = |s: &Space, user: &str| SpaceGrant {
            space: s.id,
            community: s.community,
            user: UserId::new(user).unwrap(),
            granted_by: UserId::new("ann").unwrap(),
            granted_at: jiff::Timestamp::UNIX_EPOCH,
        };
        let (a, b, other) = (space(2, c1), space(1, c1), space(3, c2));
        let mut tx = Transaction::new();
        for s in [&a, &b, &other] {
            tx.push(SpaceOp::PutSpace {
                space: s.clone(),
                expect: Expect::Absent,
            });
        }
        for g in [grant(&a, "gus"), grant(&b, "gus"), grant(&a, "hal")] {
            tx.push(SpaceOp::PutGrant { grant: g });
        }
        store.commit(tx).await.unwrap();
        let ids = |spaces: Vec<Space>| spaces.into_iter().map(|s| s.id).collect::<Vec<_>>();
        assert_eq!(ids(store.list_spaces(&c1).await.unwrap()), vec![b.id, a.id]);
        let gus = UserId::new("gus").unwrap();
        let granted = store.list_user_grants(&c1, &gus).await.unwrap();
        assert_eq!(
            granted.iter().map(|g| g.space).collect::<Vec<_>>(),
            vec![b.id, a.id]
        );
        store
            .commit(Transaction::new().with(SpaceOp::DeleteGrant {
                space: a.id,
                user: gus.clone(),
            }))
            .await
            .unwrap();
        let left = store.list_space_grants(&a.id).await.unwrap();
        assert_eq!(
            left.iter().map(|g| g.user.as_str()).collect::<Vec<_>>(),
            ["hal"]
        );
        assert_eq!(store.list_user_grants(&c1, &gus).await.unwrap().len(), 1);
        // A stale version is refused.
        let err = store
            .commit(Transaction::new().with(SpaceOp::PutSpace {
                space: a.clone(),
                expect: Expect::Version(9),
            }))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Condition { op: 0, .. }), "{err}");
    }
}
