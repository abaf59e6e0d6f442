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
//! [`UserId::former_member`]; their activity is anonymised the same way
//! (and leaves their activity list); attendance records, the digest
//! schedule, the outbox and finally the profile (releasing the handle) are
//! deleted. Every step is found again through the person's own indexes, so
//! an erasure cut short by a failure is completed by running it again.
//! Afterwards an export finds nothing.
//!
//! Kept, by design or for now: membership records (their status says Left),
//! RSVPs and ballots (tallies stay right), and activity by *others* that
//! names them (an approval, a ban) keep the opaque sign-in subject id, never
//! a name; reports they filed keep their id as reporter.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Conflict, Error, Result};
use crate::ids::UserId;
use crate::model::{
    Activity, ActivityKind, Attendance, DigestSchedule, Document, Mail, Membership, Participation,
    Post, Profile, Role, Thread, ValueStory,
};
use crate::service::{Actor, Copkit};
use crate::store::batch::MAX_WANTED;
use crate::store::{
    ActivityOp, DigestOp, DiscussionOp, DocumentOp, EventOp, Expect, Op, ProfileOp, Range,
    Transaction, Wanted,
};

/// Most items per list in an export.
pub const EXPORT_MAX_ITEMS: usize = 10_000;
/// Activities anonymised per transaction (each may rewrite its content too).
const ERASE_BATCH: u32 = 40;

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
    /// Value stories they told.
    pub value_stories: Vec<ValueStory>,
    /// Their attendance records.
    pub attendance: Vec<Attendance>,
    /// Everything they did, newest first.
    pub activity: Vec<Activity>,
    /// Their digest schedule.
    pub digest_schedule: Option<DigestSchedule>,
    /// Digests sent to them, newest first.
    pub outbox: Vec<Mail>,
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
            && self.value_stories.is_empty()
            && self.attendance.is_empty()
            && self.activity.is_empty()
            && self.digest_schedule.is_none()
            && self.outbox.is_empty()
    }
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
    /// Records deleted (participation, attendance, mail, schedule, profile).
    pub records_deleted: u32,
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
        _ => None,
    }
}

/// The activity kind with every mention of `user` replaced by the former
/// member.
fn anonymised(kind: ActivityKind, user: &UserId) -> ActivityKind {
    let swap = |u: UserId| {
        if u == *user {
            UserId::former_member()
        } else {
            u
        }
    };
    use ActivityKind as K;
    match kind {
        K::MemberJoined { user: u, role, via } => K::MemberJoined {
            user: swap(u),
            role,
            via,
        },
        K::MemberLeft { user: u } => K::MemberLeft { user: swap(u) },
        K::JoinRequested { user: u } => K::JoinRequested { user: swap(u) },
        K::JoinRequestWithdrawn { user: u } => K::JoinRequestWithdrawn { user: swap(u) },
        K::AnswerAccepted {
            thread,
            post,
            author,
        } => K::AnswerAccepted {
            thread,
            post,
            author: swap(author),
        },
        other => other,
    }
}

impl Copkit {
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

        let mut wanted: Vec<Wanted> = memberships
            .iter()
            .map(|m| Wanted::Participation(m.community, user.clone()))
            .collect();
        wanted.extend(activity.iter().filter_map(|a| created_content(&a.kind)));
        let (mut participation, mut threads, mut posts, mut documents) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for batch in wanted.chunks(MAX_WANTED) {
            let mut records = store.get_records(batch).await?;
            while let Some(p) = records.participation() {
                participation.push(p);
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
        }
        threads.sort_by_key(|t| t.id);
        posts.sort_by_key(|p| p.id);
        documents.sort_by_key(|d| d.id);
        Ok(DataExport {
            user: user.clone(),
            exported_at: self.now(),
            profile: store.get_profile(user).await?,
            memberships,
            participation,
            threads,
            posts,
            documents,
            value_stories,
            attendance,
            activity,
            digest_schedule: store.get_digest_schedule(user).await?,
            outbox,
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
        self.anonymise_value_stories(user, &mut report).await?;
        self.anonymise_activity(user, &mut report).await?;
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
        if store.get_digest_schedule(user).await?.is_some() {
            self.forget(
                DigestOp::ForgetDigestSchedule { user: user.clone() },
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

    /// Deletes one of the person's records.
    async fn forget(&self, op: impl Into<Op>, report: &mut ErasureReport) -> Result<()> {
        self.commit(Transaction::new().with(op)).await?;
        report.records_deleted += 1;
        Ok(())
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
        loop {
            let chunk = self
                .store()
                .list_user_activity(user, &Range::first(ERASE_BATCH))
                .await?;
            if chunk.items.is_empty() {
                return Ok(());
            }
            let wanted: Vec<Wanted> = chunk
                .items
                .iter()
                .filter_map(|a| created_content(&a.kind))
                .collect();
            let mut records = if wanted.is_empty() {
                Default::default()
            } else {
                self.store().get_records(&wanted).await?
            };
            let mut tx = Transaction::new();
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
                    tx.push(DocumentOp::PutDocument {
                        expect: Expect::Version(d.version),
                        document: Document {
                            created_by: UserId::former_member(),
                            version: d.version + 1,
                            ..d
                        },
                    });
                }
            }
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
