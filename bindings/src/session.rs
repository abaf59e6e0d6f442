//! One signed-in person: every core use case as an async method.
//!
//! Each method delegates to the matching `copkit_core::Copkit` use case with
//! this session's actor; lists take `limit` (default 20, at most 100) and
//! the `cursor` of the previous page.

use std::sync::Arc;
use std::time::Instant;

use copkit_core::blob::InMemory;
use copkit_core::ffi::CopkitError;
use copkit_core::model::{
    Attendance, Document, Event, JoinRequest, Membership, Occurrence, Post, Profile, ReactionKind,
    Role, Rsvp, RsvpResponse, RsvpTally, Space, SpaceGrant, Thread,
};
use copkit_core::model::{CommunityKind, LevelStanding, ParticipationLevel, ValueStory};
use copkit_core::model::{DigestPreference, DigestSchedule, Mail};
use copkit_core::model::{ModerationEntry, Report, ReportStatus};
use copkit_core::service::{
    AgendaItem, CommunityChanges, CommunityView, CreatedInvitation, DocumentChanges, Download,
    EventInput, InvitationPreview, InvitationView, NewCommunity, NewDocument, NewInvitation,
    NewPoll, NewPost, NewSpace, NewThread, NewVersion, PollView, ProfileChanges, SpaceChanges,
    ThreadChanges,
};
use copkit_core::service::{CpdEvidence, HealthReport, NewValueStory};
use copkit_core::service::{DataExport, ErasureReport, Moderation, NewReport};
use copkit_core::service::{
    DownloadLink, NewUploadedDocument, UploadIntent, UploadTicket, UploadedVersion,
};
use copkit_core::{
    Actor, CommunityId, DocumentId, EventId, InvitationId, PollId, PostId, SpaceId, ThreadId,
    UserId,
};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use crate::copkit::Shared;
use crate::listener::CopkitEvent;
use crate::pages::{self, *};

uniffi::use_remote_type!(copkit_core::jiff::Timestamp);
uniffi::use_remote_type!(copkit_core::jiff::civil::Date);

/// What every session method returns.
type Outcome<T> = Result<T, CopkitError>;

/// One signed-in person's view of copkit. Cheap to create; create one per
/// person (or per request in a portal).
#[derive(uniffi::Object)]
pub struct Session {
    shared: Arc<Shared>,
    actor: Actor,
}

impl Session {
    pub(crate) fn new(shared: Arc<Shared>, actor: Actor) -> Self {
        Session { shared, actor }
    }

    fn core(&self) -> &copkit_core::Copkit {
        &self.shared.core
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// The signed-in person's subject id.
    pub fn user(&self) -> UserId {
        self.actor.user.clone()
    }

    /// The current time on copkit's clock.
    pub fn now(&self) -> Timestamp {
        self.core().now()
    }

    // --- communities -----------------------------------------------------

    /// Starts a community; the caller becomes its Owner.
    pub async fn create_community(&self, input: NewCommunity) -> Outcome<CommunityView> {
        Ok(self.core().create_community(&self.actor, input).await?)
    }

    /// A community as the caller sees it (NotFound when it is Secret to them).
    pub async fn get_community(&self, id: CommunityId) -> Outcome<CommunityView> {
        Ok(self.core().get_community(&self.actor, &id).await?)
    }

    /// A community by its slug.
    pub async fn get_community_by_slug(&self, slug: String) -> Outcome<CommunityView> {
        Ok(self
            .core()
            .get_community_by_slug(&self.actor, &slug)
            .await?)
    }

    /// Changes a community's settings (owners); `expected_version` from the
    /// card (Conflict when someone changed it since).
    pub async fn update_community(
        &self,
        id: CommunityId,
        changes: CommunityChanges,
        expected_version: u64,
    ) -> Outcome<CommunityView> {
        let core = self.core();
        Ok(core
            .update_community(&self.actor, &id, changes, expected_version)
            .await?)
    }

    /// The directory of listed communities, by name.
    pub async fn directory(
        &self,
        kind: Option<CommunityKind>,
        name_prefix: Option<String>,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<CommunityCardPage> {
        let page = pages::request(limit, cursor);
        let prefix = name_prefix.as_deref();
        Ok(self
            .core()
            .directory(&self.actor, kind, prefix, &page)
            .await?
            .into())
    }

    /// The caller's communities.
    pub async fn my_communities(
        &self,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<MyCommunityPage> {
        let page = pages::request(limit, cursor);
        Ok(self.core().my_communities(&self.actor, &page).await?.into())
    }

    /// A community's activity, newest first (members).
    pub async fn list_activity(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<ActivityPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .list_activity(&self.actor, &community, &page)
            .await?
            .into())
    }

    // --- membership ------------------------------------------------------

    /// Joins an open community.
    pub async fn join(&self, community: CommunityId) -> Outcome<Membership> {
        Ok(self.core().join(&self.actor, &community).await?)
    }

    /// Leaves a community (a last Owner must hand over first).
    pub async fn leave(&self, community: CommunityId) -> Outcome<()> {
        Ok(self.core().leave(&self.actor, &community).await?)
    }

    /// Members with their profiles (members only).
    pub async fn list_members(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<MemberPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .list_members(&self.actor, &community, &page)
            .await?
            .into())
    }

    /// Banned people (moderators).
    pub async fn list_banned(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<MembershipPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .list_banned(&self.actor, &community, &page)
            .await?
            .into())
    }

    /// One member's membership.
    pub async fn get_member(&self, community: CommunityId, user: UserId) -> Outcome<Membership> {
        Ok(self
            .core()
            .get_member(&self.actor, &community, &user)
            .await?)
    }

    /// Removes a member (moderators).
    pub async fn remove_member(&self, community: CommunityId, user: UserId) -> Outcome<()> {
        Ok(self
            .core()
            .remove_member(&self.actor, &community, &user)
            .await?)
    }

    /// Bans a member, for `days` or for good (moderators).
    pub async fn ban_member(
        &self,
        community: CommunityId,
        user: UserId,
        days: Option<u32>,
        reason: String,
    ) -> Outcome<Membership> {
        let core = self.core();
        Ok(core
            .ban_member(&self.actor, &community, &user, days, &reason)
            .await?)
    }

    /// Lifts a ban (moderators).
    pub async fn unban_member(&self, community: CommunityId, user: UserId) -> Outcome<()> {
        Ok(self
            .core()
            .unban_member(&self.actor, &community, &user)
            .await?)
    }

    /// Changes a member's role (owners).
    pub async fn change_role(
        &self,
        community: CommunityId,
        user: UserId,
        role: Role,
    ) -> Outcome<Membership> {
        let core = self.core();
        Ok(core
            .change_role(&self.actor, &community, &user, role)
            .await?)
    }

    /// Hands ownership to another member (owners).
    pub async fn transfer_ownership(&self, community: CommunityId, user: UserId) -> Outcome<()> {
        let core = self.core();
        Ok(core
            .transfer_ownership(&self.actor, &community, &user)
            .await?)
    }

    /// The caller's participation level in a community, the points behind
    /// it and what would move it (active members).
    pub async fn my_level(&self, community: CommunityId) -> Outcome<LevelStanding> {
        Ok(self.core().my_level(&self.actor, &community).await?)
    }

    /// Members at one participation level, by user id (members only).
    pub async fn list_members_at_level(
        &self,
        community: CommunityId,
        level: ParticipationLevel,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<MemberPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .list_members_at_level(&self.actor, &community, level, &page)
            .await?
            .into())
    }

    /// Tells how the community helped you (members); it counts toward your
    /// participation level.
    pub async fn tell_value_story(
        &self,
        community: CommunityId,
        input: NewValueStory,
    ) -> Outcome<ValueStory> {
        let core = self.core();
        Ok(core
            .tell_value_story(&self.actor, &community, input)
            .await?)
    }

    /// Everything copkit holds about you.
    pub async fn export_my_data(&self) -> Outcome<DataExport> {
        let core = self.core();
        Ok(core.export_my_data(&self.actor).await?)
    }

    /// Erases your account (refused with `Conflict("hand_over_first")`
    /// while you are a community's last owner).
    pub async fn erase_my_account(&self) -> Outcome<ErasureReport> {
        let core = self.core();
        Ok(core.erase_my_account(&self.actor).await?)
    }

    /// Reports a post or document you can read to the moderators.
    pub async fn report_content(
        &self,
        community: CommunityId,
        input: NewReport,
    ) -> Outcome<Report> {
        let core = self.core();
        Ok(core.report_content(&self.actor, &community, input).await?)
    }

    /// A community's reports in one status, oldest first (moderators).
    pub async fn list_reports(
        &self,
        community: CommunityId,
        status: ReportStatus,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<ReportPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .list_reports(&self.actor, &community, status, &page)
            .await?
            .into())
    }

    /// Hides, unhides or removes content, or dismisses a report
    /// (moderators), with a reason; appended to the moderation log.
    pub async fn moderate(
        &self,
        community: CommunityId,
        input: Moderation,
    ) -> Outcome<ModerationEntry> {
        let core = self.core();
        Ok(core.moderate(&self.actor, &community, input).await?)
    }

    /// A community's moderation log, newest first (moderators).
    pub async fn moderation_log(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<ModerationEntryPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .moderation_log(&self.actor, &community, &page)
            .await?
            .into())
    }

    /// Your digest schedule (digests off and version 0 when never chosen).
    pub async fn digest_preference(&self) -> Outcome<DigestSchedule> {
        let core = self.core();
        Ok(core.digest_preference(&self.actor).await?)
    }

    /// Chooses your digest rhythm: off, daily, or weekly, at a local hour.
    pub async fn set_digest_preference(
        &self,
        preference: DigestPreference,
    ) -> Outcome<DigestSchedule> {
        let core = self.core();
        Ok(core.set_digest_preference(&self.actor, preference).await?)
    }

    /// Your next digest as it stands now, rendered; nothing is sent.
    pub async fn preview_digest(&self) -> Outcome<Mail> {
        let core = self.core();
        Ok(core.preview_digest(&self.actor).await?)
    }

    /// The digests sent to you, newest first.
    pub async fn list_outbox(
        &self,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<MailPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core.list_outbox(&self.actor, &page).await?.into())
    }

    /// A community's value stories, newest first (members).
    pub async fn list_value_stories(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<ValueStoryPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .list_value_stories(&self.actor, &community, &page)
            .await?
            .into())
    }

    /// Your CPD evidence for `from`–`to` (inclusive): events attended with
    /// minutes, contributions, value stories with their text.
    pub async fn cpd_evidence(&self, from: Date, to: Date) -> Outcome<CpdEvidence> {
        Ok(self.core().cpd_evidence(&self.actor, from, to).await?)
    }

    /// The same evidence as CSV (columns `date, kind, community, activity,
    /// minutes, hours, reflection, reference`).
    pub async fn cpd_csv(&self, from: Date, to: Date) -> Outcome<String> {
        let evidence = self.core().cpd_evidence(&self.actor, from, to).await?;
        Ok(evidence.to_csv()?)
    }

    /// A community's health in a period (moderators).
    pub async fn community_health(
        &self,
        community: CommunityId,
        from: Date,
        to: Date,
    ) -> Outcome<HealthReport> {
        let core = self.core();
        Ok(core
            .community_health(&self.actor, &community, from, to)
            .await?)
    }

    // --- join requests ---------------------------------------------------

    /// Asks to join a community that approves its members.
    pub async fn request_to_join(
        &self,
        community: CommunityId,
        answer: Option<String>,
    ) -> Outcome<JoinRequest> {
        let core = self.core();
        Ok(core
            .request_to_join(&self.actor, &community, answer.as_deref())
            .await?)
    }

    /// The caller's own request to a community.
    pub async fn my_join_request(&self, community: CommunityId) -> Outcome<JoinRequest> {
        Ok(self.core().my_join_request(&self.actor, &community).await?)
    }

    /// Withdraws the caller's pending request.
    pub async fn withdraw_join_request(&self, community: CommunityId) -> Outcome<()> {
        let core = self.core();
        Ok(core.withdraw_join_request(&self.actor, &community).await?)
    }

    /// Pending requests, oldest first (moderators).
    pub async fn list_join_requests(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<JoinRequestPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .list_join_requests(&self.actor, &community, &page)
            .await?
            .into())
    }

    /// Approves a request: the person becomes a member (moderators).
    pub async fn approve_join_request(
        &self,
        community: CommunityId,
        user: UserId,
    ) -> Outcome<Membership> {
        let core = self.core();
        Ok(core
            .approve_join_request(&self.actor, &community, &user)
            .await?)
    }

    /// Denies a request with a reason the person sees (moderators).
    pub async fn deny_join_request(
        &self,
        community: CommunityId,
        user: UserId,
        reason: String,
    ) -> Outcome<JoinRequest> {
        let core = self.core();
        Ok(core
            .deny_join_request(&self.actor, &community, &user, &reason)
            .await?)
    }

    // --- invitations -----------------------------------------------------

    /// Invites by email or makes a link; the token is returned only here.
    pub async fn create_invitation(
        &self,
        community: CommunityId,
        input: NewInvitation,
    ) -> Outcome<CreatedInvitation> {
        let core = self.core();
        Ok(core
            .create_invitation(&self.actor, &community, input)
            .await?)
    }

    /// Invitations of a community (moderators).
    pub async fn list_invitations(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<InvitationPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .list_invitations(&self.actor, &community, &page)
            .await?
            .into())
    }

    /// Revokes an invitation (moderators).
    pub async fn revoke_invitation(
        &self,
        community: CommunityId,
        id: InvitationId,
    ) -> Outcome<InvitationView> {
        let core = self.core();
        Ok(core.revoke_invitation(&self.actor, &community, &id).await?)
    }

    /// What a token leads to, before accepting.
    pub async fn preview_invitation(&self, token: String) -> Outcome<InvitationPreview> {
        Ok(self.core().preview_invitation(&self.actor, &token).await?)
    }

    /// Accepts an invitation.
    pub async fn accept_invitation(&self, token: String) -> Outcome<Membership> {
        Ok(self.core().accept_invitation(&self.actor, &token).await?)
    }

    // --- spaces ----------------------------------------------------------

    /// Creates a space (moderators).
    pub async fn create_space(&self, community: CommunityId, input: NewSpace) -> Outcome<Space> {
        Ok(self
            .core()
            .create_space(&self.actor, &community, input)
            .await?)
    }

    /// A space the caller can see.
    pub async fn get_space(&self, id: SpaceId) -> Outcome<Space> {
        Ok(self.core().get_space(&self.actor, &id).await?)
    }

    /// The spaces of a community the caller can see.
    pub async fn list_spaces(&self, community: CommunityId) -> Outcome<Vec<Space>> {
        Ok(self.core().list_spaces(&self.actor, &community).await?)
    }

    /// Changes a space (moderators).
    pub async fn update_space(
        &self,
        id: SpaceId,
        changes: SpaceChanges,
        expected_version: u64,
    ) -> Outcome<Space> {
        let core = self.core();
        Ok(core
            .update_space(&self.actor, &id, changes, expected_version)
            .await?)
    }

    /// Archives or restores a space (moderators).
    pub async fn set_space_archived(
        &self,
        id: SpaceId,
        archived: bool,
        expected_version: u64,
    ) -> Outcome<Space> {
        let core = self.core();
        Ok(core
            .set_space_archived(&self.actor, &id, archived, expected_version)
            .await?)
    }

    /// Lets one person into a Restricted space (moderators).
    pub async fn grant_space(&self, id: SpaceId, user: UserId) -> Outcome<SpaceGrant> {
        Ok(self.core().grant_space(&self.actor, &id, &user).await?)
    }

    /// Takes a grant back (moderators).
    pub async fn revoke_space_grant(&self, id: SpaceId, user: UserId) -> Outcome<()> {
        Ok(self
            .core()
            .revoke_space_grant(&self.actor, &id, &user)
            .await?)
    }

    /// The grants of a space (moderators).
    pub async fn list_space_grants(&self, id: SpaceId) -> Outcome<Vec<SpaceGrant>> {
        Ok(self.core().list_space_grants(&self.actor, &id).await?)
    }

    // --- threads and posts ----------------------------------------------

    /// Starts a discussion or a question.
    pub async fn start_thread(&self, space: SpaceId, input: NewThread) -> Outcome<Thread> {
        Ok(self.core().start_thread(&self.actor, &space, input).await?)
    }

    /// A thread.
    pub async fn get_thread(&self, id: ThreadId) -> Outcome<Thread> {
        Ok(self.core().get_thread(&self.actor, &id).await?)
    }

    /// Threads of a space, most recently active first.
    pub async fn list_threads(
        &self,
        space: SpaceId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<ThreadPage> {
        let page = pages::request(limit, cursor);
        Ok(self
            .core()
            .list_threads(&self.actor, &space, &page)
            .await?
            .into())
    }

    /// Pinned threads of a space.
    pub async fn pinned_threads(&self, space: SpaceId) -> Outcome<Vec<Thread>> {
        Ok(self.core().pinned_threads(&self.actor, &space).await?)
    }

    /// Edits a thread (its author).
    pub async fn edit_thread(
        &self,
        id: ThreadId,
        changes: ThreadChanges,
        expected_version: u64,
    ) -> Outcome<Thread> {
        let core = self.core();
        Ok(core
            .edit_thread(&self.actor, &id, changes, expected_version)
            .await?)
    }

    /// Deletes a thread (its author or moderators).
    pub async fn delete_thread(&self, id: ThreadId) -> Outcome<Thread> {
        Ok(self.core().delete_thread(&self.actor, &id).await?)
    }

    /// Pins or unpins a thread (moderators).
    pub async fn set_thread_pinned(&self, id: ThreadId, pinned: bool) -> Outcome<Thread> {
        Ok(self
            .core()
            .set_thread_pinned(&self.actor, &id, pinned)
            .await?)
    }

    /// Locks or unlocks a thread (moderators).
    pub async fn set_thread_locked(&self, id: ThreadId, locked: bool) -> Outcome<Thread> {
        Ok(self
            .core()
            .set_thread_locked(&self.actor, &id, locked)
            .await?)
    }

    /// Marks a reply as a question's answer (or clears it with `None`).
    pub async fn accept_answer(&self, id: ThreadId, post: Option<PostId>) -> Outcome<Thread> {
        Ok(self.core().accept_answer(&self.actor, &id, post).await?)
    }

    /// Replies in a thread.
    pub async fn add_post(&self, thread: ThreadId, input: NewPost) -> Outcome<Post> {
        Ok(self.core().add_post(&self.actor, &thread, input).await?)
    }

    /// Posts of a thread, oldest first.
    pub async fn list_posts(
        &self,
        thread: ThreadId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<PostPage> {
        let page = pages::request(limit, cursor);
        Ok(self
            .core()
            .list_posts(&self.actor, &thread, &page)
            .await?
            .into())
    }

    /// A post.
    pub async fn get_post(&self, id: PostId) -> Outcome<Post> {
        Ok(self.core().get_post(&self.actor, &id).await?)
    }

    /// Edits a post (its author).
    pub async fn edit_post(
        &self,
        id: PostId,
        body: String,
        expected_version: u64,
    ) -> Outcome<Post> {
        let core = self.core();
        Ok(core
            .edit_post(&self.actor, &id, &body, expected_version)
            .await?)
    }

    /// Deletes a post (its author or moderators).
    pub async fn delete_post(&self, id: PostId) -> Outcome<Post> {
        Ok(self.core().delete_post(&self.actor, &id).await?)
    }

    /// Reacts to a post (once per kind).
    pub async fn react(&self, post: PostId, kind: ReactionKind) -> Outcome<Post> {
        Ok(self.core().react(&self.actor, &post, kind).await?)
    }

    /// Takes a reaction back.
    pub async fn unreact(&self, post: PostId, kind: ReactionKind) -> Outcome<Post> {
        Ok(self.core().unreact(&self.actor, &post, kind).await?)
    }

    /// The caller's reactions to a post.
    pub async fn my_reactions(&self, post: PostId) -> Outcome<Vec<ReactionKind>> {
        Ok(self.core().my_reactions(&self.actor, &post).await?)
    }

    // --- documents -------------------------------------------------------

    /// Adds a document with its bytes to a space's library.
    pub async fn upload_document(&self, space: SpaceId, input: NewDocument) -> Outcome<Document> {
        Ok(self
            .core()
            .upload_document(&self.actor, &space, input)
            .await?)
    }

    /// Uploads a new version of a document.
    pub async fn add_document_version(
        &self,
        id: DocumentId,
        input: NewVersion,
        expected_version: u64,
    ) -> Outcome<Document> {
        let core = self.core();
        Ok(core
            .add_document_version(&self.actor, &id, input, expected_version)
            .await?)
    }

    /// Changes a document's title, description or tags.
    pub async fn update_document(
        &self,
        id: DocumentId,
        changes: DocumentChanges,
        expected_version: u64,
    ) -> Outcome<Document> {
        let core = self.core();
        Ok(core
            .update_document(&self.actor, &id, changes, expected_version)
            .await?)
    }

    /// Deletes a document (its uploader or moderators).
    pub async fn delete_document(&self, id: DocumentId) -> Outcome<()> {
        Ok(self.core().delete_document(&self.actor, &id).await?)
    }

    /// A document's details.
    pub async fn get_document(&self, id: DocumentId) -> Outcome<Document> {
        Ok(self.core().get_document(&self.actor, &id).await?)
    }

    /// Documents of a space.
    pub async fn list_documents(
        &self,
        space: SpaceId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<DocumentPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .list_documents(&self.actor, &space, &page)
            .await?
            .into())
    }

    /// Versions of a document, newest first.
    pub async fn list_document_versions(
        &self,
        id: DocumentId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<DocumentVersionPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .list_document_versions(&self.actor, &id, &page)
            .await?
            .into())
    }

    /// A version's bytes (the current one without `number`), checked
    /// against their SHA-256.
    pub async fn download_document(
        &self,
        id: DocumentId,
        number: Option<u32>,
    ) -> Outcome<Download> {
        Ok(self
            .core()
            .download_document(&self.actor, &id, number)
            .await?)
    }

    /// Asks to upload bytes (large files, or straight to S3 with the
    /// DynamoDB store): the ticket's `put`, when present, is a presigned
    /// request to send them with; otherwise send them with `send_upload`.
    pub async fn begin_upload(
        &self,
        space: SpaceId,
        intent: UploadIntent,
    ) -> Outcome<UploadTicket> {
        Ok(self
            .core()
            .begin_upload(&self.actor, &space, intent)
            .await?)
    }

    /// Sends the bytes of a ticket without a presigned `put`.
    pub async fn send_upload(&self, upload: String, bytes: Vec<u8>) -> Outcome<()> {
        let mut source = InMemory::new(bytes);
        let core = self.core();
        Ok(core
            .receive_upload(&self.actor, &upload, &mut source)
            .await?)
    }

    /// Files uploaded bytes as a new document.
    pub async fn add_uploaded_document(
        &self,
        space: SpaceId,
        input: NewUploadedDocument,
    ) -> Outcome<Document> {
        let core = self.core();
        Ok(core
            .add_uploaded_document(&self.actor, &space, input)
            .await?)
    }

    /// Files uploaded bytes as a document's new version.
    pub async fn add_uploaded_version(
        &self,
        id: DocumentId,
        input: UploadedVersion,
        expected_version: u64,
    ) -> Outcome<Document> {
        let core = self.core();
        Ok(core
            .add_uploaded_version(&self.actor, &id, input, expected_version)
            .await?)
    }

    /// Where to fetch a version's bytes: a presigned `get` with S3, or
    /// nothing (then use `download_document`).
    pub async fn document_download_link(
        &self,
        id: DocumentId,
        number: Option<u32>,
    ) -> Outcome<DownloadLink> {
        let core = self.core();
        Ok(core
            .document_download_link(&self.actor, &id, number)
            .await?)
    }

    // --- events ----------------------------------------------------------

    /// Schedules an event, one-off or repeating (moderators).
    pub async fn schedule_event(&self, space: SpaceId, input: EventInput) -> Outcome<Event> {
        Ok(self
            .core()
            .schedule_event(&self.actor, &space, input)
            .await?)
    }

    /// Replaces an event's details and schedule (moderators).
    pub async fn update_event(
        &self,
        id: EventId,
        input: EventInput,
        expected_version: u64,
    ) -> Outcome<Event> {
        let core = self.core();
        Ok(core
            .update_event(&self.actor, &id, input, expected_version)
            .await?)
    }

    /// Cancels or restores one occurrence (moderators).
    pub async fn set_occurrence_cancelled(
        &self,
        id: EventId,
        occurrence: String,
        cancelled: bool,
        expected_version: u64,
    ) -> Outcome<Event> {
        let core = self.core();
        Ok(core
            .set_occurrence_cancelled(&self.actor, &id, &occurrence, cancelled, expected_version)
            .await?)
    }

    /// An event.
    pub async fn get_event(&self, id: EventId) -> Outcome<Event> {
        Ok(self.core().get_event(&self.actor, &id).await?)
    }

    /// Events of a community in spaces the caller can see.
    pub async fn list_events(
        &self,
        community: CommunityId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<EventPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .list_events(&self.actor, &community, &page)
            .await?
            .into())
    }

    /// An event's occurrences starting in `[from, to)`, in its time zone.
    pub async fn event_occurrences(
        &self,
        id: EventId,
        from: Timestamp,
        to: Timestamp,
    ) -> Outcome<Vec<Occurrence>> {
        Ok(self
            .core()
            .event_occurrences(&self.actor, &id, from, to)
            .await?)
    }

    /// Every occurrence of a community's events in `[from, to)`, in order.
    pub async fn agenda(
        &self,
        community: CommunityId,
        from: Timestamp,
        to: Timestamp,
    ) -> Outcome<Vec<AgendaItem>> {
        Ok(self
            .core()
            .agenda(&self.actor, &community, from, to)
            .await?)
    }

    /// The agenda as an iCalendar (RFC 5545) document.
    pub async fn calendar_feed(
        &self,
        community: CommunityId,
        from: Timestamp,
        to: Timestamp,
    ) -> Outcome<String> {
        let core = self.core();
        Ok(core
            .calendar_feed(&self.actor, &community, from, to)
            .await?)
    }

    /// Answers an occurrence (Conflict `full` when capacity is reached).
    pub async fn rsvp(
        &self,
        id: EventId,
        occurrence: String,
        response: RsvpResponse,
    ) -> Outcome<Rsvp> {
        let core = self.core();
        Ok(core.rsvp(&self.actor, &id, &occurrence, response).await?)
    }

    /// Answers to an occurrence.
    pub async fn list_rsvps(
        &self,
        id: EventId,
        occurrence: String,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<RsvpPage> {
        let page = pages::request(limit, cursor);
        let core = self.core();
        Ok(core
            .list_rsvps(&self.actor, &id, &occurrence, &page)
            .await?
            .into())
    }

    /// Counts of answers to an occurrence.
    pub async fn rsvp_tally(&self, id: EventId, occurrence: String) -> Outcome<RsvpTally> {
        Ok(self
            .core()
            .rsvp_tally(&self.actor, &id, &occurrence)
            .await?)
    }

    /// Records whether someone attended (moderators).
    pub async fn record_attendance(
        &self,
        id: EventId,
        occurrence: String,
        user: UserId,
        attended: bool,
    ) -> Outcome<Attendance> {
        let core = self.core();
        Ok(core
            .record_attendance(&self.actor, &id, &occurrence, &user, attended)
            .await?)
    }

    /// Attendance of an occurrence (moderators).
    pub async fn list_attendance(
        &self,
        id: EventId,
        occurrence: String,
    ) -> Outcome<Vec<Attendance>> {
        Ok(self
            .core()
            .list_attendance(&self.actor, &id, &occurrence)
            .await?)
    }

    /// Tells the listeners about occurrences in the caller's communities
    /// starting within `within_hours` (1–168), each once; returns how many
    /// were new. Call it periodically (a WorkManager job, a background
    /// task, a portal's scheduler).
    pub async fn announce_upcoming(&self, within_hours: u32) -> Outcome<u32> {
        if !(1..=168).contains(&within_hours) {
            return Err(CopkitError::Invalid {
                field: "within_hours".into(),
                reason: "must be 1 to 168".into(),
            });
        }
        let core = self.core();
        let from = core.now();
        let to = from
            .checked_add(SignedDuration::from_hours(i64::from(within_hours)))
            .map_err(|_| CopkitError::Internal)?;
        let mut announced = 0;
        let mut cursor = None;
        loop {
            let page = core
                .my_communities(&self.actor, &pages::request(Some(100), cursor))
                .await?;
            for mine in &page.items {
                let agenda = core.agenda(&self.actor, &mine.card.id, from, to).await?;
                for item in agenda {
                    let response = self.my_response(&item).await?;
                    let event = CopkitEvent::UpcomingEvent {
                        user: self.actor.user.clone(),
                        item: item.clone(),
                        response,
                    };
                    if self.shared.announce(event, &self.actor.user, &item) {
                        announced += 1;
                    }
                }
            }
            match page.next {
                Some(next) => cursor = Some(next.0),
                None => return Ok(announced),
            }
        }
    }

    // --- polls -----------------------------------------------------------

    /// Opens a poll in a space.
    pub async fn create_poll(&self, space: SpaceId, input: NewPoll) -> Outcome<PollView> {
        Ok(self.core().create_poll(&self.actor, &space, input).await?)
    }

    /// A poll with the caller's ballot and, when visible, its results.
    pub async fn get_poll(&self, id: PollId) -> Outcome<PollView> {
        Ok(self.core().get_poll(&self.actor, &id).await?)
    }

    /// Polls of a space.
    pub async fn list_polls(
        &self,
        space: SpaceId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> Outcome<PollPage> {
        let page = pages::request(limit, cursor);
        Ok(self
            .core()
            .list_polls(&self.actor, &space, &page)
            .await?
            .into())
    }

    /// Votes (again, replacing the earlier ballot) while the poll is open.
    pub async fn vote(&self, id: PollId, choices: Vec<u32>) -> Outcome<PollView> {
        Ok(self.core().vote(&self.actor, &id, &choices).await?)
    }

    /// Closes a poll early (its creator or moderators).
    pub async fn close_poll(&self, id: PollId) -> Outcome<PollView> {
        Ok(self.core().close_poll(&self.actor, &id).await?)
    }

    // --- profiles --------------------------------------------------------

    /// The caller's profile (made from their identity on first use).
    pub async fn my_profile(&self) -> Outcome<Profile> {
        Ok(self.core().my_profile(&self.actor).await?)
    }

    /// Changes the caller's profile.
    pub async fn update_my_profile(
        &self,
        changes: ProfileChanges,
        expected_version: u64,
    ) -> Outcome<Profile> {
        let core = self.core();
        Ok(core
            .update_my_profile(&self.actor, changes, expected_version)
            .await?)
    }

    /// Someone's public profile.
    pub async fn profile(&self, user: UserId) -> Outcome<Profile> {
        Ok(self.core().profile(&self.actor, &user).await?)
    }

    // --- diagnostics -----------------------------------------------------

    /// Runs `get_community` `iterations` times inside Rust and returns the
    /// mean nanoseconds per call: the baseline that binding benchmarks set
    /// their own per-call time against.
    pub async fn measure_native_reads(&self, id: CommunityId, iterations: u32) -> Outcome<u64> {
        let iterations = iterations.max(1);
        let started = Instant::now();
        for _ in 0..iterations {
            self.core().get_community(&self.actor, &id).await?;
        }
        let nanos = started.elapsed().as_nanos() / u128::from(iterations);
        Ok(u64::try_from(nanos).unwrap_or(u64::MAX))
    }
}

impl Session {
    /// The caller's answer to an occurrence, if any.
    async fn my_response(&self, item: &AgendaItem) -> Outcome<Option<RsvpResponse>> {
        let core = self.core();
        let mut cursor = None;
        loop {
            let page = core
                .list_rsvps(
                    &self.actor,
                    &item.event.id,
                    &item.occurrence.key,
                    &pages::request(Some(100), cursor),
                )
                .await?;
            if let Some(mine) = page.items.iter().find(|r| r.user == self.actor.user) {
                return Ok(Some(mine.response));
            }
            match page.next {
                Some(next) => cursor = Some(next.0),
                None => return Ok(None),
            }
        }
    }
}
