//! Moderation: anyone who can read a thread, post or document may report it
//! with a reason (one open report per person on each); moderators
//! (and owners) see the queue of open reports, hide,
//! unhide or remove content with a reason (deciding a report, or on their
//! own initiative), and read the append-only moderation log, which also
//! records bans. Hidden content stays readable by moderators and its author
//! only: others get a thread without its title, body and tags, a post with
//! an empty body, and no document at all.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::{Conflict, Error, Result};
use crate::ids::{CommunityId, ModerationId, ReportId, SpaceId, UserId};
use crate::model::{
    ActivityKind, ContentRef, Document, Hidden, ModerationAction, ModerationEntry,
    ModerationSubject, Page, PageRequest, Post, Report, ReportReason, ReportStatus, Resolution,
    Thread,
};
use crate::policy::{CommunityAction, SpaceAction};
use crate::service::access::SpaceAccess;
use crate::service::rate_limits::{Limited, pseudonym};
use crate::service::{Actor, Copkit};
use crate::store::{DiscussionOp, DocumentOp, Expect, ModerationOp, Op, Remembered, Transaction};
use crate::validate::{Checker, limits};

/// Most characters in a reporter's note.
pub const REPORT_NOTE_MAX: usize = 1_000;

/// How long a person's hold on their one open report on a thread, post or
/// document lasts before it gives way by itself (a decided report gives way
/// at once).
const OPEN_REPORT_HOLD: SignedDuration = SignedDuration::from_hours(90 * 24);

/// How long a report may take to be filed after its hold is taken: a hold
/// younger than this without its report is a report in flight.
const FILING_TIME: SignedDuration = SignedDuration::from_secs(60);

/// What it takes to report a thread, post or document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewReport {
    /// The thread, post or document.
    pub target: ContentRef,
    /// Why.
    pub reason: ReportReason,
    /// What the moderators should know (0–1,000 characters).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = "copkit:text", max_length = 1000))]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub note: String,
}

/// What a moderator does to content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ContentDecision {
    /// Nothing (only when deciding a report; 409 `wrong_state` without one).
    Dismiss,
    /// Hide it from everyone but moderators and its author.
    Hide,
    /// Show hidden content again.
    Unhide,
    /// Remove it (a tombstone stays).
    Remove,
}

/// A moderator's decision about content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Moderation {
    /// The thread, post or document.
    pub target: ContentRef,
    /// What to do.
    pub decision: ContentDecision,
    /// Why (1–500 characters; the author and the log see it).
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:nonblank-text", min_length = 1, max_length = 500)
    )]
    pub reason: String,
    /// The open report this decides, if any.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = "copkit:ulid"))]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub report: Option<ReportId>,
}

/// Reported content, loaded: the record and where it lives.
enum Content {
    Thread(Thread),
    Post(Post),
    Document(Document),
}

impl Content {
    fn community(&self) -> CommunityId {
        match self {
            Content::Thread(t) => t.community,
            Content::Post(p) => p.community,
            Content::Document(d) => d.community,
        }
    }

    fn space(&self) -> SpaceId {
        match self {
            Content::Thread(t) => t.space,
            Content::Post(p) => p.space,
            Content::Document(d) => d.space,
        }
    }

    fn author(&self) -> &UserId {
        match self {
            Content::Thread(t) => &t.author,
            Content::Post(p) => &p.author,
            Content::Document(d) => &d.created_by,
        }
    }

    fn hidden(&self) -> bool {
        match self {
            Content::Thread(t) => t.hidden.is_some(),
            Content::Post(p) => p.hidden.is_some(),
            Content::Document(d) => d.hidden.is_some(),
        }
    }

    fn deleted(&self) -> bool {
        match self {
            Content::Thread(t) => t.deleted_at.is_some(),
            Content::Post(p) => p.deleted_at.is_some(),
            Content::Document(d) => d.deleted_at.is_some(),
        }
    }
}

/// Whether `actor` may read hidden content by `author` in this space:
/// its author, and the space's moderators.
pub(crate) fn sees_hidden(actor: &Actor, access: &SpaceAccess, author: &UserId) -> bool {
    *author == actor.user || access.decide(actor, SpaceAction::Moderate).is_ok()
}

/// Makes `post` what `actor` may read of it: hidden text, and who hid it
/// and why, are withheld from all but its author and the space's
/// moderators. (In place: a page's items are not moved to be checked.)
pub(crate) fn withhold_hidden_post(post: &mut Post, actor: &Actor, access: &SpaceAccess) {
    if let Some(hidden) = &mut post.hidden
        && !sees_hidden(actor, access, &post.author)
    {
        hidden.by = None;
        hidden.reason = None;
        post.body = String::new();
        post.mentions = Vec::new();
    }
}

/// Makes `thread` what `actor` may read of it: a hidden opening post's
/// title, body and tags, and who hid it and why, are withheld from all but
/// its author and the space's moderators.
pub(crate) fn withhold_hidden_thread(thread: &mut Thread, actor: &Actor, access: &SpaceAccess) {
    if let Some(hidden) = &mut thread.hidden
        && !sees_hidden(actor, access, &thread.author)
    {
        hidden.by = None;
        hidden.reason = None;
        thread.title = String::new();
        thread.body = String::new();
        thread.tags = Vec::new();
        thread.mentions = Vec::new();
    }
}

impl Copkit {
    async fn load_content(&self, target: &ContentRef) -> Result<Content> {
        let content = match target {
            ContentRef::Thread { thread } => {
                self.store().get_thread(thread).await?.map(Content::Thread)
            }
            ContentRef::Post { post } => self.store().get_post(post).await?.map(Content::Post),
            ContentRef::Document { document } => self
                .store()
                .get_document(document)
                .await?
                .map(Content::Document),
        };
        content.ok_or(Error::NotFound)
    }

    /// Reports a thread, post or document the caller can read, in `community`.
    pub async fn report_content(
        &self,
        actor: &Actor,
        community: &CommunityId,
        input: NewReport,
    ) -> Result<Report> {
        let content = self.load_content(&input.target).await?;
        if content.community() != *community {
            return Err(Error::NotFound);
        }
        let access = self
            .space_access_in(actor, community, &content.space())
            .await?;
        access.require(actor, SpaceAction::View)?;
        if content.hidden() && !sees_hidden(actor, &access, content.author()) {
            return Err(Error::NotFound);
        }
        let mut check = Checker::new();
        let note = check.text("note", &input.note, 0, REPORT_NOTE_MAX);
        check.finish()?;
        if content.deleted() {
            return Err(Error::Conflict(Conflict::WrongState));
        }
        let now = self.now();
        let id = ReportId(self.new_ulid(now));
        self.count_write(actor, Limited::Reports, now).await?;
        let hold = self
            .hold_open_report(actor, community, &input.target, id, now)
            .await?;
        let report = Report {
            id,
            community: *community,
            space: content.space(),
            target: input.target,
            reporter: actor.user.clone(),
            reason: input.reason,
            note,
            created_at: now,
            status: ReportStatus::Open,
            resolution: None,
            version: 1,
        };
        let tx = Transaction::new()
            .with(ModerationOp::PutReport {
                report: report.clone(),
                expect: Expect::Absent,
            })
            .with(self.activity(
                actor,
                *community,
                Some(report.space),
                now,
                ActivityKind::ContentReported { report: report.id },
            ));
        if let Err(error) = self.commit(tx).await {
            // Nothing was filed: the person may report it again.
            self.store().release_key(&hold).await?;
            return Err(error);
        }
        Ok(report)
    }

    /// Holds the one open report `actor` may have on `target`, for the
    /// report `id` about to be filed: [`Conflict::AlreadyReported`] while
    /// an earlier report of theirs on it is open (or being filed). A hold
    /// whose report was decided, or never filed, gives way. Returns the
    /// hold's name.
    async fn hold_open_report(
        &self,
        actor: &Actor,
        community: &CommunityId,
        target: &ContentRef,
        id: ReportId,
        now: Timestamp,
    ) -> Result<String> {
        let target = match target {
            ContentRef::Thread { thread } => format!("thread:{thread}"),
            ContentRef::Post { post } => format!("post:{post}"),
            ContentRef::Document { document } => format!("document:{document}"),
        };
        let hold = format!(
            "open-report\u{1f}{community}\u{1f}{target}\u{1f}{}",
            pseudonym(&actor.user)
        );
        let claim = Remembered {
            fingerprint: id.to_string(),
            answer: None,
            expires_at: now
                .saturating_add(OPEN_REPORT_HOLD)
                .map_err(|e| Error::Internal(e.to_string()))?,
        };
        for _ in 0..2 {
            let Some(held) = self.store().claim_key(&hold, &claim, now).await? else {
                return Ok(hold);
            };
            let filed = match held.fingerprint.parse::<ReportId>() {
                Ok(earlier) => self.store().get_report(community, &earlier).await?,
                Err(_) => None,
            };
            let being_filed = filed.is_none()
                && held
                    .expires_at
                    .checked_sub(OPEN_REPORT_HOLD)
                    .is_ok_and(|claimed| now.duration_since(claimed) < FILING_TIME);
            if being_filed || filed.is_some_and(|r| r.status == ReportStatus::Open) {
                return Err(Error::Conflict(Conflict::AlreadyReported));
            }
            self.store().release_key(&hold).await?;
        }
        // Another report of theirs took the hold in between.
        Err(Error::Conflict(Conflict::AlreadyReported))
    }

    /// A community's reports in one status, oldest first (moderators).
    pub async fn list_reports(
        &self,
        actor: &Actor,
        community: &CommunityId,
        status: ReportStatus,
        page: &PageRequest,
    ) -> Result<Page<Report>> {
        let access = self
            .authorize(actor, community, CommunityAction::Moderate)
            .await?;
        let visible = self.visible_space_ids(actor, &access).await?;
        let scope = format!("reports|{community}|{status:?}");
        let store = self.store();
        self.visible_page(
            &scope,
            page,
            |range| async move { store.list_reports(community, status, &range).await },
            |r: &Report| visible.contains(&r.space),
        )
        .await
    }

    /// Hides, unhides or removes a thread's opening post, a post or a
    /// document, or dismisses a report
    /// (moderators and owners), with a reason; the decision closes the
    /// report it names and is appended to the moderation log, all in one
    /// write.
    pub async fn moderate(
        &self,
        actor: &Actor,
        community: &CommunityId,
        input: Moderation,
    ) -> Result<ModerationEntry> {
        self.authorize(actor, community, CommunityAction::Moderate)
            .await?;
        let mut check = Checker::new();
        let reason = check.text("reason", &input.reason, 1, limits::REASON_MAX);
        check.finish()?;
        let content = self.load_content(&input.target).await?;
        if content.community() != *community {
            return Err(Error::NotFound);
        }
        // A Restricted space binds moderators too: content in a space they
        // are not admitted to is not there for them.
        let access = self
            .space_access_in(actor, community, &content.space())
            .await?;
        access.require(actor, SpaceAction::Moderate)?;
        let report = match &input.report {
            Some(id) => {
                let report = self
                    .store()
                    .get_report(community, id)
                    .await?
                    .ok_or(Error::NotFound)?;
                if report.target != input.target || report.status != ReportStatus::Open {
                    return Err(Error::Conflict(Conflict::WrongState));
                }
                Some(report)
            }
            None => None,
        };
        let now = self.now();
        let author = content.author().clone();
        let space = content.space();
        let wrong_state = Error::Conflict(Conflict::WrongState);
        let hidden = Hidden {
            by: Some(actor.user.clone()),
            reason: Some(reason.clone()),
            at: now,
        };
        let (action, write) = match (input.decision, content) {
            // Dismissing decides a report: without one there is nothing to do.
            (ContentDecision::Dismiss, _) if report.is_none() => return Err(wrong_state),
            (ContentDecision::Dismiss, _) => (ModerationAction::Dismissed, None),
            (_, c) if c.deleted() => return Err(wrong_state),
            (ContentDecision::Hide, c) if c.hidden() => return Err(wrong_state),
            (ContentDecision::Unhide, c) if !c.hidden() => return Err(wrong_state),
            (decision, Content::Thread(old)) => {
                let new = match decision {
                    ContentDecision::Hide => Thread {
                        hidden: Some(hidden),
                        ..old.clone()
                    },
                    ContentDecision::Unhide => Thread {
                        hidden: None,
                        ..old.clone()
                    },
                    // Removed as its author's deletion would: a tombstone.
                    _ => Thread {
                        title: String::new(),
                        body: String::new(),
                        tags: Vec::new(),
                        mentions: Vec::new(),
                        pinned: false,
                        deleted_at: Some(now),
                        ..old.clone()
                    },
                };
                let op: Op = DiscussionOp::PutThread {
                    thread: Thread {
                        version: old.version + 1,
                        ..new
                    },
                    expect: Expect::Version(old.version),
                }
                .into();
                (decided(decision), Some(op))
            }
            (decision, Content::Post(old)) => {
                let new = match decision {
                    ContentDecision::Hide => Post {
                        hidden: Some(hidden),
                        ..old.clone()
                    },
                    ContentDecision::Unhide => Post {
                        hidden: None,
                        ..old.clone()
                    },
                    _ => Post {
                        body: String::new(),
                        mentions: Vec::new(),
                        deleted_at: Some(now),
                        ..old.clone()
                    },
                };
                let op: Op = DiscussionOp::PutPost {
                    post: Post {
                        version: old.version + 1,
                        ..new
                    },
                    expect: Expect::Version(old.version),
                }
                .into();
                (decided(decision), Some(op))
            }
            (decision, Content::Document(old)) => {
                let new = match decision {
                    ContentDecision::Hide => Document {
                        hidden: Some(hidden),
                        ..old.clone()
                    },
                    ContentDecision::Unhide => Document {
                        hidden: None,
                        ..old.clone()
                    },
                    _ => Document {
                        deleted_at: Some(now),
                        ..old.clone()
                    },
                };
                let op: Op = DocumentOp::PutDocument {
                    document: Document {
                        version: old.version + 1,
                        updated_at: now,
                        ..new
                    },
                    expect: Expect::Version(old.version),
                }
                .into();
                (decided(decision), Some(op))
            }
        };
        let entry = ModerationEntry {
            id: ModerationId(self.new_ulid(now)),
            community: *community,
            moderator: actor.user.clone(),
            action,
            subject: ModerationSubject::Content {
                content: input.target.clone(),
                space,
                author,
            },
            report: input.report,
            reason: reason.clone(),
            at: now,
        };
        let mut tx = Transaction::new();
        if let Some(op) = write {
            tx.push(op);
        }
        // A removed document's bytes go after the grace window.
        if action == ModerationAction::Removed
            && let ContentRef::Document { document } = &input.target
        {
            tx.push(self.purge_later(*document, now));
        }
        if let Some(report) = report {
            tx.push(ModerationOp::PutReport {
                expect: Expect::Version(report.version),
                report: Report {
                    status: ReportStatus::Resolved,
                    resolution: Some(Resolution {
                        action,
                        by: actor.user.clone(),
                        reason,
                        at: now,
                    }),
                    version: report.version + 1,
                    ..report
                },
            });
        }
        tx.push(ModerationOp::RecordModeration {
            entry: entry.clone(),
        });
        tx.push(self.activity(
            actor,
            *community,
            Some(space),
            now,
            ActivityKind::ContentModerated {
                content: input.target,
                action,
            },
        ));
        access.community.hold_authority(&mut tx);
        self.commit(tx).await?;
        Ok(entry)
    }

    /// A community's moderation log, newest first (moderators).
    pub async fn moderation_log(
        &self,
        actor: &Actor,
        community: &CommunityId,
        page: &PageRequest,
    ) -> Result<Page<ModerationEntry>> {
        let access = self
            .authorize(actor, community, CommunityAction::Moderate)
            .await?;
        let visible = self.visible_space_ids(actor, &access).await?;
        let scope = format!("moderation-log|{community}");
        let store = self.store();
        self.visible_page(
            &scope,
            page,
            |range| async move { store.list_moderation_log(community, &range).await },
            |e: &ModerationEntry| match &e.subject {
                ModerationSubject::Content { space, .. } => visible.contains(space),
                ModerationSubject::Member { .. } => true,
            },
        )
        .await
    }

    /// The log entry of a ban or its lifting, for the member use cases.
    pub(crate) fn member_moderation(
        &self,
        actor: &Actor,
        community: CommunityId,
        user: &UserId,
        action: ModerationAction,
        reason: String,
        now: Timestamp,
    ) -> Op {
        ModerationOp::RecordModeration {
            entry: ModerationEntry {
                id: ModerationId(self.new_ulid(now)),
                community,
                moderator: actor.user.clone(),
                action,
                subject: ModerationSubject::Member { user: user.clone() },
                report: None,
                reason,
                at: now,
            },
        }
        .into()
    }
}

fn decided(decision: ContentDecision) -> ModerationAction {
    match decision {
        ContentDecision::Dismiss => ModerationAction::Dismissed,
        ContentDecision::Hide => ModerationAction::Hidden,
        ContentDecision::Unhide => ModerationAction::Unhidden,
        ContentDecision::Remove => ModerationAction::Removed,
    }
}
