//! The read traits on DynamoDB: consistent `GetItem` and `BatchGetItem` for
//! things read by key, `Query` on a table or index partition for lists.

use async_trait::async_trait;
use copkit_core::model::{
    Activity, Attendance, Ballot, Community, DigestSchedule, Document, DocumentVersion, Event,
    Handle, Invitation, JoinRequest, Mail, Membership, ModerationEntry, Participation, Poll, Post,
    Profile, Reaction, ReactionKind, Report, ReportStatus, Rsvp, RsvpTally, Slug, Space,
    SpaceGrant, Thread, TokenHash, ValueStory,
};
use copkit_core::store::batch::check_wanted;
use copkit_core::store::{
    AccessFacts, ActivityStore, BatchStore, Chunk, CommunityStore, DigestStore, DirectoryQuery,
    DocumentStore, EventStore, InvitationStore, JoinRequestStore, MemberFilter, MembershipStore,
    ModerationStore, ParticipationStore, PollStore, ProfileStore, Range, Record, Records,
    SpaceStore, StoreError, ThreadStore, ValueStoryStore, Wanted,
};
use copkit_core::{
    CommunityId, DocumentId, EventId, InvitationId, PollId, PostId, ReportId, SpaceId, ThreadId,
    UserId,
};

use super::DynamoStore;
use super::codec::{decode, get_s};
use super::keys;
use super::page::Listing;
use super::table::{GSI1, GSI2, GSI3};
use super::write::{CLAIM_COMMUNITY, CLAIM_ID, CLAIM_USER};

/// The most spaces a community has (the core limit), grants a space lists,
/// attendance records an occurrence holds.
const SHORT_LIST_MAX: usize = 10_000;

/// A serde enum's JSON name (`training_group`).
pub(super) fn json_name<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => Ok(name),
        _ => Err(StoreError::Internal("an enum without a JSON name".into())),
    }
}

#[async_trait]
impl ProfileStore for DynamoStore {
    async fn get_profile(&self, user: &UserId) -> Result<Option<Profile>, StoreError> {
        self.get(&keys::profile(user)).await
    }

    async fn get_profiles(&self, users: &[UserId]) -> Result<Vec<Profile>, StoreError> {
        self.batch_get(users.iter().map(keys::profile).collect())
            .await
    }

    async fn get_profile_by_handle(&self, handle: &Handle) -> Result<Option<Profile>, StoreError> {
        let Some(claim) = self.get_item(&keys::handle(handle)).await? else {
            return Ok(None);
        };
        let user = get_s(&claim, CLAIM_USER)
            .and_then(|u| UserId::new(u).ok())
            .ok_or_else(|| StoreError::Internal("a handle claim without its user".into()))?;
        self.get_profile(&user).await
    }
}

#[async_trait]
impl CommunityStore for DynamoStore {
    async fn get_community(&self, id: &CommunityId) -> Result<Option<Community>, StoreError> {
        self.get(&keys::community(id)).await
    }

    async fn get_communities(&self, ids: &[CommunityId]) -> Result<Vec<Community>, StoreError> {
        self.batch_get(ids.iter().map(keys::community).collect())
            .await
    }

    async fn get_community_by_slug(&self, slug: &Slug) -> Result<Option<Community>, StoreError> {
        match self.community_id_by_slug(slug).await? {
            Some(id) => self.get_community(&id).await,
            None => Ok(None),
        }
    }

    async fn community_id_by_slug(&self, slug: &Slug) -> Result<Option<CommunityId>, StoreError> {
        let Some(claim) = self.get_item(&keys::slug(slug)).await? else {
            return Ok(None);
        };
        let id = get_s(&claim, CLAIM_COMMUNITY)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| StoreError::Internal("a slug claim without its community".into()))?;
        Ok(Some(id))
    }

    async fn list_directory(
        &self,
        query: &DirectoryQuery,
        range: &Range,
    ) -> Result<Chunk<Community>, StoreError> {
        let mut listing = match query.kind {
            Some(kind) => Listing::index(GSI2, keys::directory_of_kind(&json_name(&kind)?)),
            None => Listing::index(GSI3, keys::DIRECTORY.to_owned()),
        };
        if let Some(prefix) = query.name_prefix.as_deref().filter(|p| !p.is_empty()) {
            listing = listing.with_prefix(prefix.to_lowercase());
        }
        self.page(&listing, range).await
    }
}

#[async_trait]
impl MembershipStore for DynamoStore {
    async fn get_membership(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<Membership>, StoreError> {
        self.get(&keys::membership(community, user)).await
    }

    async fn access_facts(
        &self,
        community: &CommunityId,
        user: &UserId,
        space: Option<&SpaceId>,
    ) -> Result<AccessFacts, StoreError> {
        let community_key = keys::community(community);
        let membership_key = keys::membership(community, user);
        let grant_key = space.map(|s| keys::grant(s, user));
        let mut wanted = vec![community_key.clone(), membership_key.clone()];
        wanted.extend(grant_key.clone());
        let mut facts = AccessFacts::default();
        for item in self.batch_get_items(wanted).await? {
            let key = keys::Key {
                pk: get_s(&item, "PK").unwrap_or_default().to_owned(),
                sk: get_s(&item, "SK").unwrap_or_default().to_owned(),
            };
            if key == community_key {
                facts.community = Some(decode(item)?);
            } else if key == membership_key {
                facts.membership = Some(decode(item)?);
            } else if Some(&key) == grant_key.as_ref() {
                facts.grant = Some(decode(item)?);
            }
        }
        Ok(facts)
    }

    async fn list_members(
        &self,
        community: &CommunityId,
        filter: MemberFilter,
        range: &Range,
    ) -> Result<Chunk<Membership>, StoreError> {
        let listing = match filter {
            MemberFilter::Active => Listing::index(GSI2, keys::roster(community)),
            MemberFilter::Banned => Listing::index(GSI2, keys::banned(community)),
            MemberFilter::Level(level) => {
                Listing::index(GSI3, keys::level_roster(community, level))
            }
        };
        self.page(&listing, range).await
    }

    async fn list_user_memberships(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Membership>, StoreError> {
        self.page(&Listing::index(GSI1, keys::user_memberships(user)), range)
            .await
    }
}

#[async_trait]
impl ValueStoryStore for DynamoStore {
    async fn list_value_stories(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<ValueStory>, StoreError> {
        let listing = Listing::table(keys::community(community).pk)
            .with_prefix(keys::VALUE_STORY_PREFIX)
            .descending();
        self.page(&listing, range).await
    }

    async fn list_user_value_stories(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<ValueStory>, StoreError> {
        let listing = Listing::index(GSI1, keys::user_value_stories(user)).descending();
        self.page(&listing, range).await
    }
}

#[async_trait]
impl ModerationStore for DynamoStore {
    async fn get_report(
        &self,
        community: &CommunityId,
        id: &ReportId,
    ) -> Result<Option<Report>, StoreError> {
        self.get(&keys::report(community, id)).await
    }

    async fn list_reports(
        &self,
        community: &CommunityId,
        status: ReportStatus,
        range: &Range,
    ) -> Result<Chunk<Report>, StoreError> {
        let listing = Listing::index(GSI1, keys::report_queue(community, status));
        self.page(&listing, range).await
    }

    async fn list_moderation_log(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<ModerationEntry>, StoreError> {
        let listing = Listing::table(keys::moderation_log(community)).descending();
        self.page(&listing, range).await
    }
}

#[async_trait]
impl DigestStore for DynamoStore {
    async fn get_digest_schedule(
        &self,
        user: &UserId,
    ) -> Result<Option<DigestSchedule>, StoreError> {
        self.get(&keys::digest_schedule(user)).await
    }

    /// One query per shard (a bounded fan-out, no scan), merged by due time.
    async fn digests_due(
        &self,
        due: jiff::Timestamp,
        limit: u32,
    ) -> Result<Vec<DigestSchedule>, StoreError> {
        let limit = limit.clamp(1, 100) as usize;
        let mut due_items = Vec::new();
        for shard in 0..keys::DIGEST_SHARDS {
            let listing =
                Listing::index(GSI3, keys::digest_partition(shard)).upto(keys::review_upto(due));
            due_items.extend(self.query_all(&listing, limit).await?);
        }
        let sort_attribute = GSI3.sort_key;
        due_items.sort_by(|a, b| get_s(a, sort_attribute).cmp(&get_s(b, sort_attribute)));
        due_items.into_iter().take(limit).map(decode).collect()
    }

    async fn list_outbox(&self, user: &UserId, range: &Range) -> Result<Chunk<Mail>, StoreError> {
        let listing = Listing::table(keys::outbox(user))
            .with_prefix(keys::MAIL_PREFIX)
            .descending();
        self.page(&listing, range).await
    }
}

#[async_trait]
impl ParticipationStore for DynamoStore {
    async fn get_participation(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<Participation>, StoreError> {
        self.get(&keys::participation(community, user)).await
    }

    /// One query per review shard (a bounded fan-out, no scan), merged by
    /// review time.
    async fn participation_due(
        &self,
        due: jiff::Timestamp,
        limit: u32,
    ) -> Result<Vec<Participation>, StoreError> {
        let limit = limit.clamp(1, 100) as usize;
        let mut due_items = Vec::new();
        for shard in 0..keys::REVIEW_SHARDS {
            let listing =
                Listing::index(GSI3, keys::review_partition(shard)).upto(keys::review_upto(due));
            due_items.extend(self.query_all(&listing, limit).await?);
        }
        let sort_attribute = GSI3.sort_key;
        due_items.sort_by(|a, b| get_s(a, sort_attribute).cmp(&get_s(b, sort_attribute)));
        due_items.into_iter().take(limit).map(decode).collect()
    }
}

#[async_trait]
impl JoinRequestStore for DynamoStore {
    async fn get_join_request(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Option<JoinRequest>, StoreError> {
        self.get(&keys::join_request(community, user)).await
    }

    async fn list_pending_requests(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<JoinRequest>, StoreError> {
        self.page(
            &Listing::index(GSI3, keys::pending_requests(community)),
            range,
        )
        .await
    }
}

#[async_trait]
impl InvitationStore for DynamoStore {
    async fn get_invitation(
        &self,
        community: &CommunityId,
        id: &InvitationId,
    ) -> Result<Option<Invitation>, StoreError> {
        self.get(&keys::invitation(community, id)).await
    }

    async fn get_invitation_by_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<Invitation>, StoreError> {
        let Some(claim) = self.get_item(&keys::token(hash)).await? else {
            return Ok(None);
        };
        let community: Option<CommunityId> =
            get_s(&claim, CLAIM_COMMUNITY).and_then(|c| c.parse().ok());
        let id: Option<InvitationId> = get_s(&claim, CLAIM_ID).and_then(|i| i.parse().ok());
        let (Some(community), Some(id)) = (community, id) else {
            return Err(StoreError::Internal(
                "a token claim without its invitation".into(),
            ));
        };
        self.get_invitation(&community, &id).await
    }

    async fn list_invitations(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Invitation>, StoreError> {
        let listing = Listing::table(keys::community(community).pk)
            .with_prefix(keys::INVITATION_PREFIX)
            .descending();
        self.page(&listing, range).await
    }
}

#[async_trait]
impl SpaceStore for DynamoStore {
    async fn get_space(&self, id: &SpaceId) -> Result<Option<Space>, StoreError> {
        self.get(&keys::space(id)).await
    }

    async fn list_spaces(&self, community: &CommunityId) -> Result<Vec<Space>, StoreError> {
        self.all(
            &Listing::index(GSI1, keys::community_spaces(community)),
            SHORT_LIST_MAX,
        )
        .await
    }

    async fn list_user_grants(
        &self,
        community: &CommunityId,
        user: &UserId,
    ) -> Result<Vec<SpaceGrant>, StoreError> {
        let listing = Listing::index(GSI1, keys::user_grants(user))
            .with_prefix(keys::user_grants_prefix(community));
        self.all(&listing, SHORT_LIST_MAX).await
    }

    async fn list_space_grants(&self, space: &SpaceId) -> Result<Vec<SpaceGrant>, StoreError> {
        let listing = Listing::table(keys::space(space).pk).with_prefix(keys::GRANT_PREFIX);
        self.all(&listing, SHORT_LIST_MAX).await
    }
}

#[async_trait]
impl ActivityStore for DynamoStore {
    async fn list_activity(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Activity>, StoreError> {
        let listing = Listing::index(GSI2, keys::community_activity(community)).descending();
        self.page(&listing, range).await
    }

    async fn list_user_activity(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Activity>, StoreError> {
        let listing = Listing::index(GSI1, keys::user_activity(user)).descending();
        self.page(&listing, range).await
    }
}

#[async_trait]
impl ThreadStore for DynamoStore {
    async fn get_thread(&self, id: &ThreadId) -> Result<Option<Thread>, StoreError> {
        self.get(&keys::thread(id)).await
    }

    async fn list_threads(
        &self,
        space: &SpaceId,
        range: &Range,
    ) -> Result<Chunk<Thread>, StoreError> {
        let listing = Listing::index(GSI2, keys::space_threads(space)).descending();
        self.page(&listing, range).await
    }

    async fn list_pinned_threads(&self, space: &SpaceId) -> Result<Vec<Thread>, StoreError> {
        let listing = Listing::index(GSI3, keys::pinned_threads(space)).descending();
        self.all(&listing, SHORT_LIST_MAX).await
    }

    async fn get_post(&self, id: &PostId) -> Result<Option<Post>, StoreError> {
        self.get(&keys::post(id)).await
    }

    async fn list_posts(
        &self,
        thread: &ThreadId,
        range: &Range,
    ) -> Result<Chunk<Post>, StoreError> {
        self.page(&Listing::index(GSI1, keys::thread_posts(thread)), range)
            .await
    }

    async fn get_reactions(
        &self,
        post: &PostId,
        user: &UserId,
    ) -> Result<Vec<ReactionKind>, StoreError> {
        let listing = Listing::table(keys::post(post).pk).with_prefix(keys::reaction_prefix(user));
        let given: Vec<Reaction> = self.all(&listing, ReactionKind::ALL.len()).await?;
        Ok(ReactionKind::ALL
            .into_iter()
            .filter(|k| given.iter().any(|r| r.kind == *k))
            .collect())
    }
}

#[async_trait]
impl DocumentStore for DynamoStore {
    async fn get_document(&self, id: &DocumentId) -> Result<Option<Document>, StoreError> {
        self.get(&keys::document(id)).await
    }

    async fn list_documents(
        &self,
        space: &SpaceId,
        range: &Range,
    ) -> Result<Chunk<Document>, StoreError> {
        let listing = Listing::index(GSI2, keys::space_documents(space)).descending();
        self.page(&listing, range).await
    }

    async fn get_document_version(
        &self,
        document: &DocumentId,
        number: u32,
    ) -> Result<Option<DocumentVersion>, StoreError> {
        self.get(&keys::document_version(document, number)).await
    }

    async fn list_document_versions(
        &self,
        document: &DocumentId,
        range: &Range,
    ) -> Result<Chunk<DocumentVersion>, StoreError> {
        let listing = Listing::table(keys::document(document).pk).with_prefix(keys::VERSION_PREFIX);
        self.page(&listing, range).await
    }
}

#[async_trait]
impl EventStore for DynamoStore {
    async fn get_event(&self, id: &EventId) -> Result<Option<Event>, StoreError> {
        self.get(&keys::event(id)).await
    }

    async fn list_events(
        &self,
        community: &CommunityId,
        range: &Range,
    ) -> Result<Chunk<Event>, StoreError> {
        self.page(
            &Listing::index(GSI1, keys::community_events(community)),
            range,
        )
        .await
    }

    async fn get_rsvp(
        &self,
        event: &EventId,
        occurrence: &str,
        user: &UserId,
    ) -> Result<Option<Rsvp>, StoreError> {
        self.get(&keys::rsvp(event, occurrence, user)).await
    }

    async fn list_rsvps(
        &self,
        event: &EventId,
        occurrence: &str,
        range: &Range,
    ) -> Result<Chunk<Rsvp>, StoreError> {
        let listing =
            Listing::table(keys::event(event).pk).with_prefix(keys::rsvp_prefix(occurrence));
        self.page(&listing, range).await
    }

    async fn get_rsvp_tally(
        &self,
        event: &EventId,
        occurrence: &str,
    ) -> Result<RsvpTally, StoreError> {
        Ok(self
            .get(&keys::tally(event, occurrence))
            .await?
            .unwrap_or_default())
    }

    async fn list_attendance(
        &self,
        event: &EventId,
        occurrence: &str,
    ) -> Result<Vec<Attendance>, StoreError> {
        let listing =
            Listing::table(keys::event(event).pk).with_prefix(keys::attendance_prefix(occurrence));
        self.all(&listing, SHORT_LIST_MAX).await
    }

    async fn list_user_attendance(
        &self,
        user: &UserId,
        range: &Range,
    ) -> Result<Chunk<Attendance>, StoreError> {
        let listing = Listing::index(GSI1, keys::user_attendance(user)).descending();
        self.page(&listing, range).await
    }
}

#[async_trait]
impl PollStore for DynamoStore {
    async fn get_poll(&self, id: &PollId) -> Result<Option<Poll>, StoreError> {
        self.get(&keys::poll(id)).await
    }

    async fn list_polls(&self, space: &SpaceId, range: &Range) -> Result<Chunk<Poll>, StoreError> {
        let listing = Listing::index(GSI1, keys::space_polls(space)).descending();
        self.page(&listing, range).await
    }

    async fn get_ballot(&self, poll: &PollId, user: &UserId) -> Result<Option<Ballot>, StoreError> {
        self.get(&keys::ballot(poll, user)).await
    }
}

/// Where a wanted record lives.
fn wanted_key(wanted: &Wanted) -> keys::Key {
    match wanted {
        Wanted::Community(id) => keys::community(id),
        Wanted::Space(id) => keys::space(id),
        Wanted::Grant(space, user) => keys::grant(space, user),
        Wanted::Thread(id) => keys::thread(id),
        Wanted::Post(id) => keys::post(id),
        Wanted::Poll(id) => keys::poll(id),
        Wanted::Ballot(poll, user) => keys::ballot(poll, user),
        Wanted::Reaction(post, user, kind) => keys::reaction(post, user, *kind),
        Wanted::Event(id) => keys::event(id),
        Wanted::Rsvp(event, occurrence, user) => keys::rsvp(event, occurrence, user),
        Wanted::RsvpTally(event, occurrence) => keys::tally(event, occurrence),
        Wanted::Document(id) => keys::document(id),
        Wanted::DocumentVersion(id, number) => keys::document_version(id, *number),
        Wanted::Membership(community, user) => keys::membership(community, user),
        Wanted::JoinRequest(community, user) => keys::join_request(community, user),
        Wanted::Participation(community, user) => keys::participation(community, user),
        Wanted::Attendance(event, occurrence, user) => keys::attendance(event, occurrence, user),
    }
}

#[async_trait]
impl BatchStore for DynamoStore {
    async fn get_records(&self, wanted: &[Wanted]) -> Result<Records, StoreError> {
        check_wanted(wanted)?;
        let keyed: Vec<(keys::Key, &Wanted)> = wanted.iter().map(|w| (wanted_key(w), w)).collect();
        let items = self
            .batch_get_items(keyed.iter().map(|(key, _)| key.clone()).collect())
            .await?;
        let mut records = Vec::with_capacity(items.len());
        for item in items {
            let key = keys::Key {
                pk: get_s(&item, "PK").unwrap_or_default().to_owned(),
                sk: get_s(&item, "SK").unwrap_or_default().to_owned(),
            };
            let Some((_, wanted)) = keyed.iter().find(|(k, _)| *k == key) else {
                continue;
            };
            records.push(match wanted {
                Wanted::Community(_) => Record::Community(decode(item)?),
                Wanted::Space(_) => Record::Space(decode(item)?),
                Wanted::Grant(..) => Record::Grant(decode(item)?),
                Wanted::Thread(_) => Record::Thread(decode(item)?),
                Wanted::Post(_) => Record::Post(decode(item)?),
                Wanted::Poll(_) => Record::Poll(decode(item)?),
                Wanted::Ballot(..) => Record::Ballot(decode(item)?),
                Wanted::Reaction(post, user, kind) => Record::Reaction(*post, user.clone(), *kind),
                Wanted::Event(_) => Record::Event(decode(item)?),
                Wanted::Rsvp(..) => Record::Rsvp(decode(item)?),
                Wanted::RsvpTally(..) => Record::RsvpTally(decode(item)?),
                Wanted::Document(_) => Record::Document(decode(item)?),
                Wanted::DocumentVersion(..) => Record::DocumentVersion(decode(item)?),
                Wanted::Membership(..) => Record::Membership(decode(item)?),
                Wanted::JoinRequest(..) => Record::JoinRequest(decode(item)?),
                Wanted::Participation(..) => Record::Participation(decode(item)?),
                Wanted::Attendance(..) => Record::Attendance(decode(item)?),
            });
        }
        Ok(Records(records))
    }
}
