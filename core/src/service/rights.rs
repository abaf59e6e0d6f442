//! Data rights: a person exports everything copkit holds about them, and
//! erases their account.
//!
//! **Export** ([`Copkit::export_my_data`]) gathers, through the person's own
//! indexes: their profile, active memberships and participation records,
//! the threads, posts and documents they wrote (found through their
//! activity), their value stories, attendance, activity record, digest
//! schedule and the digests sent to them. Each list holds at most
//! [`EXPORT_MAX_ITEMS`] (`truncated` says when one was cut).
//!
//! **Erasure** ([`Copkit::erase_my_account`]) is refused while they are the
//! last owner of a community ([`Conflict::HandOverFirst`] names it). Then,
//! in order: each membership's participation record is deleted and the
//! membership left (grants go with it); their value stories, threads,
//! posts and documents are kept for the community but attributed to
//! [`UserId::former_member`] (documents are removed instead, their bytes
//! purged after the grace window, where the community's
//! [`DepartedUploads`] says so; versions they added to others' documents
//! stay with those documents, anonymised); their activity is anonymised the same way
//! (and leaves their activity list), and each activity's traces go with it:
//! reactions and ballots are deleted (counts and tallies, aggregates, stay),
//! RSVPs deleted with their place in the tally, join requests (with their
//! answer) deleted so no stale request can re-add them, the document
//! versions they uploaded and the reports they filed anonymised. Then, in
//! every community they were in or asked to join, their leftover
//! membership record is deleted (a ban stays: it must outlive the account)
//! and what others recorded about them (an approval, attendance, an
//! accepted answer) names the former member; invitations addressed to
//! their email are revoked and lose the address; attendance records, the
//! digest schedule, the outbox and finally the profile (releasing the
//! handle) are deleted. Every step is found again through the person's own
//! indexes, so an erasure cut short by a failure is completed by running it
//! again. Afterwards an export finds nothing, and no record of any store
//! holds their id, handle, name or email (the residue test,
//! `store::conformance::residue_after_erasure`).
//!
//! Not reached: others' words (a post of someone else's that names them in
//! its text), moderation log entries about their content (an accountability
//! record), and digests already sent to others.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::blob::SignedRequest;
use crate::error::{Conflict, Error, Result};
use crate::ids::{ActivityId, CommunityId, MailId, UserId};
use crate::model::{
    Activity, ActivityKind, Attendance, Ballot, DepartedUploads, DigestSchedule, Document,
    DocumentVersion, FanoutJob, Invitation, InvitationTarget, JoinRequest, Mail, Membership,
    MembershipStatus, Notification, NotificationKind, NotificationPreferences, Participation, Poll,
    Post, Profile, Report, Role, Rsvp, RsvpResponse, SpaceGrant, Thread, ValueStory,
};
use crate::service::polls::{deadline_closing, deadline_job};
use crate::service::{Actor, Copkit, InvitationView};
use crate::store::batch::MAX_WANTED;
use crate::store::{
    ActivityOp, CommunityOp, DigestOp, DiscussionOp, DocumentOp, EventOp, Expect, InvitationOp,
    ModerationOp, NotificationOp, Op, PollOp, ProfileOp, Range, Record, Records, Transaction,
    Wanted,
};

/// Most items per list in an export.
pub const EXPORT_MAX_ITEMS: usize = 50_000;
/// Activities handled per erasure transaction: each may bring its
/// anonymised copy, its content and two trace operations (an RSVP and its
/// tally), so a batch stays within a transaction's 100 operations.
const ERASE_BATCH: u32 = 24;

/// Everything copkit holds about one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DataExport {
    /// Whose.
    pub user: UserId,
    /// When it was made.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub exported_at: Timestamp,
    /// Their profile.
    pub profile: Option<Profile>,
    /// Their current memberships.
    pub memberships: Vec<Membership>,
    /// Their contribution points per community.
    pub participation: Vec<Participation>,
    /// Threads they started.
    pub threads: Vec<Thread>,
    /// Posts they wrote (their text included, even if hidden).
    pub posts: Vec<Post>,
    /// Documents they added.
    pub documents: Vec<Document>,
    /// Polls they asked.
    pub polls: Vec<Poll>,
    /// Value stories they told.
    pub value_stories: Vec<ValueStory>,
    /// Their attendance records.
    pub attendance: Vec<Attendance>,
    /// Everything they did, newest first.
    pub activity: Vec<Activity>,
    /// Their digest schedule.
    pub digest_schedule: Option<DigestSchedule>,
    /// Digests and notification mail sent to them, newest first.
    pub outbox: Vec<Mail>,
    /// Their notifications, newest first.
    pub notifications: Vec<Notification>,
    /// Their notification preferences, when they chose any.
    pub notification_preferences: Option<NotificationPreferences>,
    /// When their private calendar feed URL was made (copkit keeps only a
    /// hash of its token, so the URL itself cannot be given back).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub calendar_feed_created_at: Option<Timestamp>,
    /// Their join requests (with their answers), by community.
    pub join_requests: Vec<JoinRequest>,
    /// Their RSVPs.
    pub rsvps: Vec<Rsvp>,
    /// Their ballots.
    pub ballots: Vec<Ballot>,
    /// The reports they filed.
    pub reports: Vec<Report>,
    /// Invitations they created.
    pub invitations_sent: Vec<InvitationView>,
    /// Invitations addressed to their (verified) email.
    pub invitations_received: Vec<InvitationView>,
    /// Their grants to spaces, in their current communities.
    pub grants: Vec<SpaceGrant>,
    /// Whether a list was cut at [`EXPORT_MAX_ITEMS`].
    pub truncated: bool,
}

impl DataExport {
    /// Whether nothing at all is held about the person.
    pub fn is_empty(&self) -> bool {
        self.profile.is_none()
            && self.memberships.is_empty()
            && self.participation.is_empty()
            && self.threads.is_empty()
            && self.posts.is_empty()
            && self.documents.is_empty()
            && self.polls.is_empty()
            && self.value_stories.is_empty()
            && self.attendance.is_empty()
            && self.activity.is_empty()
            && self.digest_schedule.is_none()
            && self.outbox.is_empty()
            && self.notifications.is_empty()
            && self.notification_preferences.is_none()
            && self.calendar_feed_created_at.is_none()
            && self.join_requests.is_empty()
            && self.rsvps.is_empty()
            && self.ballots.is_empty()
            && self.reports.is_empty()
            && self.invitations_sent.is_empty()
            && self.invitations_received.is_empty()
            && self.grants.is_empty()
    }
}

/// The largest export answered inline (an AWS Lambda response holds at
/// most 6 MB); a larger one is stored and downloaded from the blob store.
pub const EXPORT_INLINE_MAX: usize = 5 * 1024 * 1024;

/// How long the download link of a stored export works.
pub const EXPORT_LINK_TTL: jiff::SignedDuration = jiff::SignedDuration::from_mins(15);

/// An export as the caller receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportDelivery {
    /// The JSON document itself (at most [`EXPORT_INLINE_MAX`] bytes, or
    /// any size when the blob store cannot sign a download).
    Inline(Vec<u8>),
    /// Too large to answer inline: stored under `exports/`, fetched with
    /// this short-lived request (deployments expire the stored copy, see
    /// the SAM template's lifecycle rule).
    Download {
        /// The request that fetches the document.
        get: SignedRequest,
        /// Its size in bytes.
        size: u64,
        /// When the request stops working.
        expires_at: Timestamp,
    },
}

/// What an erasure did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ErasureReport {
    /// Communities left.
    pub communities_left: u32,
    /// Threads, posts, documents and value stories now by a former member.
    pub content_anonymised: u32,
    /// Activities anonymised.
    pub activities_anonymised: u32,
    /// Records deleted (participation, attendance, mail, schedule, calendar
    /// feed, profile).
    pub records_deleted: u32,
    /// Their documents removed, where the community does not keep a
    /// departed member's uploads ([`DepartedUploads::Remove`]); the bytes
    /// are purged after the grace window.
    #[serde(default)]
    pub documents_removed: u32,
}

/// Every item of a list, page by page, up to [`EXPORT_MAX_ITEMS`] (a
/// macro rather than a function over an async closure, so the use cases'
/// futures stay `Send`).
macro_rules! drain {
    ($truncated:expr, |$range:ident| $list:expr) => {{
        let mut items = Vec::new();
        let mut $range = Range::first(100);
        loop {
            let chunk = $list.await?;
            items.extend(chunk.items);
            if items.len() >= EXPORT_MAX_ITEMS {
                *$truncated |= items.len() > EXPORT_MAX_ITEMS || chunk.next.is_some();
                items.truncate(EXPORT_MAX_ITEMS);
                break;
            }
            match chunk.next {
                Some(next) => $range.after = Some(next),
                None => break,
            }
        }
        items
    }};
}

/// The thread, post or document an activity created, as a batch key.
fn created_content(kind: &ActivityKind) -> Option<Wanted> {
    match kind {
        ActivityKind::ThreadStarted { thread, .. } => Some(Wanted::Thread(*thread)),
        ActivityKind::PostAdded { post, .. } => Some(Wanted::Post(*post)),
        ActivityKind::DocumentAdded { document } => Some(Wanted::Document(*document)),
        ActivityKind::PollOpened { poll } => Some(Wanted::Poll(*poll)),
        _ => None,
    }
}

/// The records of the person's own an activity points to that erasure
/// deletes or anonymises (read in one batch): their reaction, RSVP,
/// ballot, join request, and the document versions they uploaded.
fn traces(activity: &Activity, user: &UserId) -> Vec<Wanted> {
    match &activity.kind {
        ActivityKind::Reacted { post, reaction } => {
            vec![Wanted::Reaction(*post, user.clone(), *reaction)]
        }
        ActivityKind::Rsvped {
            event, occurrence, ..
        } => vec![Wanted::Rsvp(*event, occurrence.clone(), user.clone())],
        ActivityKind::Voted { poll } => vec![Wanted::Ballot(*poll, user.clone())],
        ActivityKind::JoinRequested { .. } => {
            vec![Wanted::JoinRequest(activity.community, user.clone())]
        }
        ActivityKind::DocumentAdded { document } => vec![Wanted::DocumentVersion(*document, 1)],
        ActivityKind::DocumentVersionAdded { document, number } => {
            vec![Wanted::DocumentVersion(*document, *number)]
        }
        _ => Vec::new(),
    }
}

/// The activity kind with every mention of `user` replaced by the former
/// member, whatever field names them (read through the kind's JSON, so a
/// new kind naming a person is covered without a change here).
fn anonymised(kind: ActivityKind, user: &UserId) -> ActivityKind {
    fn swap(value: &mut serde_json::Value, user: &str, former: &str) -> bool {
        match value {
            serde_json::Value::String(s) if s == user => {
                *s = former.to_owned();
                true
            }
            // Every element is visited (no short cut): all mentions go.
            serde_json::Value::Array(items) => {
                let mut any = false;
                for v in items {
                    any |= swap(v, user, former);
                }
                any
            }
            serde_json::Value::Object(fields) => {
                let mut any = false;
                for v in fields.values_mut() {
                    any |= swap(v, user, former);
                }
                any
            }
            _ => false,
        }
    }
    let Ok(mut json) = serde_json::to_value(&kind) else {
        return kind;
    };
    if !swap(&mut json, user.as_str(), UserId::former_member().as_str()) {
        return kind;
    }
    serde_json::from_value(json).unwrap_or(kind)
}

/// Whether an activity by someone else names `user` (an approval, a ban,
/// attendance recorded for them...).
fn names(kind: &ActivityKind, user: &UserId) -> bool {
    anonymised(kind.clone(), user) != *kind
}

impl Copkit {
    /// The caller's export as JSON, delivered whatever its size: inline up
    /// to [`EXPORT_INLINE_MAX`]; larger, written to the blob store and
    /// answered with a download request valid for [`EXPORT_LINK_TTL`]
    /// (inline still when the blob store cannot sign requests: a local
    /// server has no response limit).
    pub async fn deliver_export(&self, actor: &Actor) -> Result<ExportDelivery> {
        let export = self.export_my_data(actor).await?;
        let bytes = serde_json::to_vec(&export)
            .map_err(|e| Error::Internal(format!("writing an export: {e}")))?;
        if bytes.len() <= EXPORT_INLINE_MAX {
            return Ok(ExportDelivery::Inline(bytes));
        }
        let now = self.now();
        let key = format!("exports/{}.json", self.new_ulid(now));
        let size = bytes.len() as u64;
        let ttl = std::time::Duration::from_secs(EXPORT_LINK_TTL.as_secs().unsigned_abs());
        self.blobs()
            .put(&key, bytes.clone(), "application/json")
            .await?;
        match self
            .blobs()
            .presign_get(&key, "copkit-export.json", ttl)
            .await?
        {
            Some(get) => Ok(ExportDelivery::Download {
                get,
                size,
                expires_at: now.saturating_add(EXPORT_LINK_TTL).unwrap_or(now),
            }),
            None => {
                // Nothing can fetch it later: answer inline, keep nothing.
                let _ = self.blobs().delete(&key).await;
                Ok(ExportDelivery::Inline(bytes))
            }
        }
    }

    /// Everything copkit holds about the caller, as one document.
    pub async fn export_my_data(&self, actor: &Actor) -> Result<DataExport> {
        let user = &actor.user;
        let store = self.store();
        let mut truncated = false;
        let memberships = drain!(&mut truncated, |r| store.list_user_memberships(user, &r));
        let activity = drain!(&mut truncated, |r| store.list_user_activity(user, &r));
        let value_stories = drain!(&mut truncated, |r| store.list_user_value_stories(user, &r));
        let attendance = drain!(&mut truncated, |r| store.list_user_attendance(user, &r));
        let outbox = drain!(&mut truncated, |r| store.list_outbox(user, &r));
        let notifications = drain!(&mut truncated, |r| store.list_notifications(user, &r));

        let mut wanted: Vec<Wanted> = memberships
            .iter()
            .map(|m| Wanted::Participation(m.community, user.clone()))
            .collect();
        for w in activity
            .iter()
            .flat_map(|a| created_content(&a.kind).into_iter().chain(traces(a, user)))
        {
            if !wanted.contains(&w) {
                wanted.push(w);
            }
        }
        let (mut participation, mut threads, mut posts, mut documents, mut polls) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut join_requests, mut rsvps, mut ballots) = (Vec::new(), Vec::new(), Vec::new());
        for batch in wanted.chunks(MAX_WANTED) {
            let mut records = store.get_records(batch).await?;
            while let Some(p) = records.participation() {
                participation.push(p);
            }
            while let Some(r) = records.join_request() {
                join_requests.push(r);
            }
            while let Some(r) = records.rsvp() {
                rsvps.push(r);
            }
            while let Some(b) = records.ballot() {
                ballots.push(b);
            }
            while let Some(t) = records.thread() {
                threads.extend((t.author == *user).then_some(t));
            }
            while let Some(p) = records.post() {
                posts.extend((p.author == *user).then_some(p));
            }
            while let Some(d) = records.document() {
                documents.extend((d.created_by == *user).then_some(d));
            }
            while let Some(p) = records.poll() {
                polls.extend((p.created_by == *user).then_some(p));
            }
        }
        threads.sort_by_key(|t| t.id);
        posts.sort_by_key(|p| p.id);
        documents.sort_by_key(|d| d.id);
        polls.sort_by_key(|p| p.id);
        let now = self.now();
        let mut reports = Vec::new();
        let mut invitations_sent = Vec::new();
        for a in &activity {
            match &a.kind {
                ActivityKind::ContentReported { report } => {
                    if let Some(r) = store.get_report(&a.community, report).await?
                        && r.reporter == *user
                    {
                        reports.push(r);
                    }
                }
                ActivityKind::InvitationCreated { invitation } => {
                    if let Some(i) = store.get_invitation(&a.community, invitation).await?
                        && i.created_by == *user
                    {
                        invitations_sent.push(InvitationView::of(&i, now));
                    }
                }
                _ => {}
            }
        }
        let invitations_received = match &actor.email {
            Some(address) => {
                let address = address.to_lowercase();
                drain!(&mut truncated, |r| store.list_invitations_to(&address, &r))
                    .iter()
                    .map(|i| InvitationView::of(i, now))
                    .collect()
            }
            None => Vec::new(),
        };
        let mut grants = Vec::new();
        for m in &memberships {
            let held = store.list_user_grants(&m.community, user).await?;
            grants.extend(held.into_iter().filter(|g| g.holds_for(Some(m))));
        }
        Ok(DataExport {
            user: user.clone(),
            exported_at: self.now(),
            profile: store.get_profile(user).await?,
            memberships,
            participation,
            threads,
            posts,
            documents,
            polls,
            value_stories,
            attendance,
            activity,
            digest_schedule: store.get_digest_schedule(user).await?,
            outbox,
            notifications,
            notification_preferences: store.get_notification_preferences(user).await?,
            calendar_feed_created_at: store
                .get_calendar_feed(user)
                .await?
                .map(|feed| feed.created_at),
            join_requests,
            rsvps,
            ballots,
            reports,
            invitations_sent,
            invitations_received,
            grants,
            truncated,
        })
    }

    /// Erases the caller's account (see the module documentation). Refused
    /// with [`Conflict::HandOverFirst`] while they are a community's last
    /// owner; running it again completes an erasure cut short.
    pub async fn erase_my_account(&self, actor: &Actor) -> Result<ErasureReport> {
        let user = &actor.user;
        let store = self.store().clone();
        let mut report = ErasureReport::default();
        let mut ignored = false;
        let memberships = drain!(&mut ignored, |r| store.list_user_memberships(user, &r));
        let owned: Vec<_> = memberships
            .iter()
            .filter(|m| m.role == Role::Owner)
            .map(|m| m.community)
            .collect();
        for chunk in owned.chunks(MAX_WANTED) {
            for community in store.get_communities(chunk).await? {
                if community.counts.owners <= 1 {
                    return Err(Error::Conflict(Conflict::HandOverFirst {
                        community: community.id,
                    }));
                }
            }
        }
        for m in &memberships {
            self.forget(
                ActivityOp::ForgetParticipation {
                    community: m.community,
                    user: user.clone(),
                },
                &mut report,
            )
            .await?;
            self.leave(actor, &m.community).await?;
            report.communities_left += 1;
        }
        // Every community they were ever in or asked to join, from their
        // memberships and their own activity (read before it is
        // anonymised): their leftover membership records go, and what
        // others recorded about them is anonymised.
        let mut communities: BTreeSet<CommunityId> =
            memberships.iter().map(|m| m.community).collect();
        let own = drain!(&mut ignored, |r| store.list_user_activity(user, &r));
        communities.extend(own.iter().map(|a| a.community));
        self.anonymise_value_stories(user, &mut report).await?;
        self.anonymise_activity(user, &mut report).await?;
        for community in &communities {
            self.forget_membership_record(community, user, &mut report)
                .await?;
            self.anonymise_mentions(community, user, &mut report)
                .await?;
        }
        if let Some(address) = &actor.email {
            self.revoke_invitations_to(address, &mut report).await?;
        }
        loop {
            let chunk = store.list_user_attendance(user, &Range::first(100)).await?;
            if chunk.items.is_empty() {
                break;
            }
            for a in chunk.items {
                self.forget(
                    EventOp::ForgetAttendance {
                        event: a.event,
                        occurrence: a.occurrence,
                        user: user.clone(),
                    },
                    &mut report,
                )
                .await?;
            }
        }
        loop {
            let chunk = store.list_outbox(user, &Range::first(100)).await?;
            if chunk.items.is_empty() {
                break;
            }
            for mail in chunk.items {
                self.forget(
                    DigestOp::ForgetMail {
                        user: user.clone(),
                        id: mail.id,
                    },
                    &mut report,
                )
                .await?;
            }
        }
        loop {
            let chunk = store.list_notifications(user, &Range::first(100)).await?;
            if chunk.items.is_empty() {
                break;
            }
            for notification in chunk.items {
                self.forget(
                    NotificationOp::ForgetNotification {
                        user: user.clone(),
                        id: notification.id,
                    },
                    &mut report,
                )
                .await?;
            }
        }
        // Others' notifications of what the person did name them as actor
        // (and a join request's notification as the one who asked).
        loop {
            let chunk = store
                .list_notifications_by_actor(user, &Range::first(100))
                .await?;
            if chunk.items.is_empty() {
                break;
            }
            for n in chunk.items {
                let kind = match n.kind {
                    NotificationKind::JoinRequested { user: asked } if asked == *user => {
                        NotificationKind::JoinRequested {
                            user: UserId::former_member(),
                        }
                    }
                    kind => kind,
                };
                let tx = Transaction::new().with(NotificationOp::PutNotification {
                    expect: Expect::Version(n.version),
                    notification: Notification {
                        actor: UserId::former_member(),
                        kind,
                        version: n.version + 1,
                        ..n
                    },
                });
                match self.commit(tx).await {
                    Ok(()) => report.activities_anonymised += 1,
                    // Read meanwhile: the next round reads it again.
                    Err(Error::Conflict(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        if store.get_inbox_state(user).await?.is_some() {
            self.forget(
                NotificationOp::ForgetInboxState { user: user.clone() },
                &mut report,
            )
            .await?;
        }
        if store.get_notification_preferences(user).await?.is_some() {
            self.forget(
                NotificationOp::ForgetNotificationPreferences { user: user.clone() },
                &mut report,
            )
            .await?;
        }
        if store.get_digest_schedule(user).await?.is_some() {
            self.forget(
                DigestOp::ForgetDigestSchedule { user: user.clone() },
                &mut report,
            )
            .await?;
        }
        if let Some(feed) = store.get_calendar_feed(user).await? {
            self.forget(
                ProfileOp::ForgetCalendarFeed {
                    user: user.clone(),
                    token: Some(feed.token_hash),
                },
                &mut report,
            )
            .await?;
        }
        if let Some(profile) = store.get_profile(user).await? {
            self.forget(
                ProfileOp::ForgetProfile {
                    user: user.clone(),
                    handle: profile.handle,
                },
                &mut report,
            )
            .await?;
        }
        Ok(report)
    }

    /// Puts the deadline closings of the person's open polls back on the
    /// queue naming the former member (`polls`: each queued closing's id and
    /// the anonymised poll; one queued before closings were, is queued now).
    async fn requeue_deadlines(
        &self,
        polls: Vec<(ActivityId, Poll)>,
        tx: &mut Transaction,
    ) -> Result<()> {
        if polls.is_empty() {
            return Ok(());
        }
        let wanted: Vec<Wanted> = polls.iter().map(|(id, _)| Wanted::Fanout(*id)).collect();
        let mut queued = self.store().get_records(&wanted).await?;
        let mut found = BTreeMap::new();
        while let Some(job) = queued.fanout() {
            found.insert(job.activity.id, job);
        }
        for (id, poll) in polls {
            tx.push(match found.remove(&id) {
                Some(job) => NotificationOp::PutFanout {
                    expect: Expect::Version(job.version),
                    job: FanoutJob {
                        activity: Activity {
                            actor: UserId::former_member(),
                            ..job.activity
                        },
                        version: job.version + 1,
                        ..job
                    },
                },
                None => NotificationOp::PutFanout {
                    expect: Expect::Absent,
                    job: deadline_job(&poll),
                },
            });
        }
        Ok(())
    }

    /// Takes `activities` off the notification queue (those not turned
    /// into notifications yet would name the erased person in them).
    async fn unqueue_notifications(&self, activities: &[Activity]) -> Result<()> {
        let queued: Vec<&Activity> = activities
            .iter()
            .filter(|a| crate::service::notifications::may_notify(&a.kind))
            .collect();
        for batch in queued.chunks(Transaction::MAX_OPS) {
            let mut tx = Transaction::new();
            for a in batch {
                tx.push(NotificationOp::ForgetFanout { activity: a.id });
            }
            if !tx.ops().is_empty() {
                self.commit(tx).await?;
            }
        }
        Ok(())
    }

    /// Deletes the person's membership record in `community` once it is no
    /// longer active (a ban stays: it must outlive the account, or the same
    /// sign-in could come back).
    async fn forget_membership_record(
        &self,
        community: &CommunityId,
        user: &UserId,
        report: &mut ErasureReport,
    ) -> Result<()> {
        let Some(membership) = self.store().get_membership(community, user).await? else {
            return Ok(());
        };
        if membership.is_active() || matches!(membership.status, MembershipStatus::Banned { .. }) {
            return Ok(());
        }
        self.forget(
            CommunityOp::ForgetMembership {
                community: *community,
                user: user.clone(),
            },
            report,
        )
        .await
    }

    /// What others recorded about the person in `community` (an approval,
    /// attendance, an accepted answer...) keeps the event but names the
    /// former member.
    async fn anonymise_mentions(
        &self,
        community: &CommunityId,
        user: &UserId,
        report: &mut ErasureReport,
    ) -> Result<()> {
        let mut range = Range::first(100);
        loop {
            let chunk = self.store().list_activity(community, &range).await?;
            let naming: Vec<Activity> = chunk
                .items
                .iter()
                .filter(|a| a.actor != *user && names(&a.kind, user))
                .cloned()
                .collect();
            self.unqueue_notifications(&naming).await?;
            let mut tx = Transaction::new();
            for a in chunk.items {
                if a.actor != *user && names(&a.kind, user) {
                    report.activities_anonymised += 1;
                    tx.push(ActivityOp::AnonymiseActivity {
                        activity: Activity {
                            kind: anonymised(a.kind.clone(), user),
                            ..a
                        },
                    });
                }
            }
            if !tx.ops().is_empty() {
                self.commit(tx).await?;
            }
            match chunk.next {
                Some(next) => range.after = Some(next),
                None => return Ok(()),
            }
        }
    }

    /// Invitations addressed to the person's (verified) email are revoked
    /// and lose the address, so none can bring the erased account back.
    async fn revoke_invitations_to(&self, address: &str, report: &mut ErasureReport) -> Result<()> {
        let address = address.to_lowercase();
        let now = self.now();
        loop {
            let chunk = self
                .store()
                .list_invitations_to(&address, &Range::first(ERASE_BATCH))
                .await?;
            if chunk.items.is_empty() {
                return Ok(());
            }
            let mut tx = Transaction::new();
            for invitation in chunk.items {
                report.records_deleted += 1;
                // The mail that carried it holds the address too.
                tx.push(DigestOp::ForgetMail {
                    user: UserId::invitee(&invitation.id),
                    id: MailId(invitation.id.0),
                });
                tx.push(InvitationOp::UpdateInvitation {
                    expect_version: invitation.version,
                    invitation: Invitation {
                        target: InvitationTarget::Link,
                        revoked_at: invitation.revoked_at.or(Some(now)),
                        version: invitation.version + 1,
                        ..invitation
                    },
                });
            }
            self.commit(tx).await?;
        }
    }

    /// Deletes one of the person's records.
    async fn forget(&self, op: impl Into<Op>, report: &mut ErasureReport) -> Result<()> {
        self.commit(Transaction::new().with(op)).await?;
        report.records_deleted += 1;
        Ok(())
    }

    /// Adds to `tx` the deletion or anonymisation of what `records` found
    /// of the person's traces, and anonymises the reports they filed (read
    /// one by one: a report is found by its id alone).
    async fn forget_traces(
        &self,
        activities: &[Activity],
        user: &UserId,
        records: &mut Records,
        tx: &mut Transaction,
        report: &mut ErasureReport,
    ) -> Result<()> {
        let mut ops: Vec<Op> = Vec::new();
        for record in std::mem::take(&mut records.0) {
            match record {
                Record::Reaction(post, _, kind) => ops.push(
                    DiscussionOp::ForgetReaction {
                        post,
                        user: user.clone(),
                        kind,
                    }
                    .into(),
                ),
                Record::Rsvp(rsvp) => {
                    let (going, maybe, declined) = match rsvp.response {
                        RsvpResponse::Going => (-1, 0, 0),
                        RsvpResponse::Maybe => (0, -1, 0),
                        RsvpResponse::Declined => (0, 0, -1),
                    };
                    ops.push(
                        EventOp::AdjustRsvpTally {
                            event: rsvp.event,
                            occurrence: rsvp.occurrence.clone(),
                            going,
                            maybe,
                            declined,
                            capacity: None,
                        }
                        .into(),
                    );
                    ops.push(
                        EventOp::ForgetRsvp {
                            event: rsvp.event,
                            occurrence: rsvp.occurrence,
                            user: user.clone(),
                        }
                        .into(),
                    );
                }
                Record::Ballot(ballot) => ops.push(
                    PollOp::ForgetBallot {
                        poll: ballot.poll,
                        user: user.clone(),
                    }
                    .into(),
                ),
                Record::JoinRequest(request) => ops.push(
                    InvitationOp::ForgetJoinRequest {
                        community: request.community,
                        user: user.clone(),
                    }
                    .into(),
                ),
                Record::DocumentVersion(version) if version.uploaded_by == *user => ops.push(
                    DocumentOp::AnonymiseVersion {
                        version: DocumentVersion {
                            uploaded_by: UserId::former_member(),
                            ..version
                        },
                    }
                    .into(),
                ),
                other => records.0.push(other),
            }
        }
        for a in activities {
            if let ActivityKind::ContentReported { report: id } = &a.kind
                && let Some(filed) = self.store().get_report(&a.community, id).await?
                && filed.reporter == *user
            {
                ops.push(
                    ModerationOp::PutReport {
                        expect: Expect::Version(filed.version),
                        report: Report {
                            reporter: UserId::former_member(),
                            version: filed.version + 1,
                            ..filed
                        },
                    }
                    .into(),
                );
            }
        }
        report.records_deleted += ops.len() as u32;
        for op in ops {
            tx.push(op);
        }
        Ok(())
    }

    /// What `community` does with a departed member's documents (read once
    /// per erasure; a community since deleted keeps nothing to decide).
    async fn departed_uploads(
        &self,
        community: &CommunityId,
        known: &mut BTreeMap<CommunityId, DepartedUploads>,
    ) -> Result<DepartedUploads> {
        if let Some(policy) = known.get(community) {
            return Ok(*policy);
        }
        let policy = self
            .store()
            .get_community(community)
            .await?
            .map(|c| c.departed_uploads)
            .unwrap_or_default();
        known.insert(*community, policy);
        Ok(policy)
    }

    /// Value stories stay with the community, told by a former member.
    async fn anonymise_value_stories(
        &self,
        user: &UserId,
        report: &mut ErasureReport,
    ) -> Result<()> {
        loop {
            let chunk = self
                .store()
                .list_user_value_stories(user, &Range::first(ERASE_BATCH))
                .await?;
            if chunk.items.is_empty() {
                return Ok(());
            }
            let mut tx = Transaction::new();
            for story in chunk.items {
                report.content_anonymised += 1;
                tx.push(ActivityOp::PutValueStory {
                    expect: Expect::Version(story.version),
                    story: ValueStory {
                        author: UserId::former_member(),
                        version: story.version + 1,
                        ..story
                    },
                });
            }
            self.commit(tx).await?;
        }
    }

    /// The person's activity, a batch at a time: each activity anonymised,
    /// with the thread, post or document it created.
    async fn anonymise_activity(&self, user: &UserId, report: &mut ErasureReport) -> Result<()> {
        let mut policies = BTreeMap::new();
        loop {
            let chunk = self
                .store()
                .list_user_activity(user, &Range::first(ERASE_BATCH))
                .await?;
            if chunk.items.is_empty() {
                return Ok(());
            }
            self.unqueue_notifications(&chunk.items).await?;
            let mut wanted: Vec<Wanted> = Vec::new();
            for a in &chunk.items {
                for w in created_content(&a.kind).into_iter().chain(traces(a, user)) {
                    if !wanted.contains(&w) {
                        wanted.push(w);
                    }
                }
            }
            let mut records = if wanted.is_empty() {
                Default::default()
            } else {
                self.store().get_records(&wanted).await?
            };
            let mut tx = Transaction::new();
            self.forget_traces(&chunk.items, user, &mut records, &mut tx, report)
                .await?;
            while let Some(t) = records.thread() {
                if t.author == *user {
                    report.content_anonymised += 1;
                    tx.push(DiscussionOp::PutThread {
                        expect: Expect::Version(t.version),
                        thread: Thread {
                            author: UserId::former_member(),
                            version: t.version + 1,
                            ..t
                        },
                    });
                }
            }
            while let Some(p) = records.post() {
                if p.author == *user {
                    report.content_anonymised += 1;
                    tx.push(DiscussionOp::PutPost {
                        expect: Expect::Version(p.version),
                        post: Post {
                            author: UserId::former_member(),
                            version: p.version + 1,
                            ..p
                        },
                    });
                }
            }
            while let Some(d) = records.document() {
                if d.created_by == *user {
                    report.content_anonymised += 1;
                    let remove = d.deleted_at.is_none()
                        && self.departed_uploads(&d.community, &mut policies).await?
                            == DepartedUploads::Remove;
                    let now = self.now();
                    if remove {
                        report.documents_removed += 1;
                        tx.push(self.purge_later(d.id, now));
                    }
                    tx.push(DocumentOp::PutDocument {
                        expect: Expect::Version(d.version),
                        document: Document {
                            created_by: UserId::former_member(),
                            deleted_at: if remove { Some(now) } else { d.deleted_at },
                            version: d.version + 1,
                            ..d
                        },
                    });
                }
            }
            let mut open_polls = Vec::new();
            while let Some(p) = records.poll() {
                if p.created_by == *user {
                    report.content_anonymised += 1;
                    let anonymised = Poll {
                        created_by: UserId::former_member(),
                        version: p.version + 1,
                        ..p.clone()
                    };
                    if !p.is_closed_at(self.now()) {
                        open_polls.push((deadline_closing(&p).id, anonymised.clone()));
                    }
                    tx.push(PollOp::PutPoll {
                        expect: Expect::Version(p.version),
                        poll: anonymised,
                    });
                }
            }
            self.requeue_deadlines(open_polls, &mut tx).await?;
            for a in chunk.items {
                report.activities_anonymised += 1;
                tx.push(ActivityOp::AnonymiseActivity {
                    activity: Activity {
                        actor: UserId::former_member(),
                        kind: anonymised(a.kind, user),
                        ..a
                    },
                });
            }
            self.commit(tx).await?;
        }
    }
}
