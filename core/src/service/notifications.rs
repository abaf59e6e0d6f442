//! Notifications: the in-app inbox, people's choices of how they hear, and
//! the producer that turns recorded activity into notifications.
//!
//! A write whose activity concerns someone (a reply, a mention, a join
//! request, a ban…) queues that activity in the **same transaction**
//! ([`Copkit::commit`] adds a [`FanoutJob`]). The producer
//! ([`Copkit::notify_due`], run by the scheduler, copkit-local's loop or the
//! host) takes each queued activity under a lease, works out who it
//! concerns, **re-checks each person's access at that moment** (someone
//! removed from a restricted space in between hears nothing of it), and
//! writes one notification per person and activity — its id is the
//! activity's, so a producer that crashes and runs again makes no
//! duplicate, and the job leaves the queue only when every notification is
//! written. Each notification is one transaction with the person's unread
//! count and, when they chose email, the mail in the outbox.
//!
//! The inbox lists newest first and shows only what its owner may still
//! see (a notification from a space they lost is left out of the page).

use std::collections::BTreeMap;

use askama::Template;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::{Error, FieldError, Result};
use crate::ids::{ActivityId, CommunityId, MailId, SpaceId, ThreadId, UserId};
use crate::model::{
    Activity, ActivityKind, CommunityChannels, Digest, DigestNotice, FanoutJob, Inbox, InboxState,
    JoinedVia, Mail, MailDelivery, Notification, NotificationChannel, NotificationChoices,
    NotificationKind, NotificationPreferences, NotificationTopic, PageRequest, RsvpResponse,
    TopicChannel,
};
use crate::policy::{CommunityAction, SpaceAction};
use crate::recurrence;
use crate::service::unsubscribe::MailStream;
use crate::service::{Actor, Copkit};
use crate::store::{Chunk, DigestOp, Expect, MemberFilter, NotificationOp, Op, Range, Transaction};

/// How long one producer holds a queued activity before another may take
/// it over (a crashed producer's work is taken up after this).
const FANOUT_LEASE: SignedDuration = SignedDuration::from_mins(5);
/// Attempts at one activity before it is given up.
pub const MAX_FANOUT_ATTEMPTS: u32 = 5;
/// Queued activities read per round of the producer.
const FANOUT_BATCH: u32 = 50;
/// Posts of a thread read to find who took part in it.
const THREAD_PARTICIPANTS_READ: u32 = 500;
/// Upcoming sessions of a changed event whose RSVPs are told.
const CHANGED_EVENT_OCCURRENCES: usize = 20;
/// How far ahead a changed event's sessions are looked for.
const CHANGED_EVENT_HORIZON_DAYS: i64 = 365;
/// Most per-community choices one person keeps.
pub const NOTIFICATION_COMMUNITIES_MAX: usize = 200;
/// Most topic choices in one list (general, or one community's).
pub const NOTIFICATION_TOPIC_CHOICES_MAX: usize = 50;
/// Reads of one inbox page (of up to 100 notifications each) before a page
/// that found too little it may show ends early.
const INBOX_PAGE_READS: u32 = 5;
/// Invitations to the caller's address looked at when their inbox is read.
const INVITATIONS_SHOWN: u32 = 20;
/// Tries at one inbox write that meets a concurrent one.
const INBOX_WRITE_TRIES: u32 = 5;

/// What one run of the notification producer did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NotificationRun {
    /// Queued activities taken.
    pub examined: u32,
    /// Notifications written.
    pub notified: u32,
    /// Of those, also queued as mail.
    pub emailed: u32,
    /// Activities left for a later run after a failure.
    pub retrying: u32,
    /// Activities given up after their last attempt.
    pub failed: u32,
    /// Activities another producer held.
    pub skipped: u32,
    /// Whether activities were still queued when the run reached its limit.
    pub more_due: bool,
}

/// Whether an activity of this kind may concern someone other than its
/// actor (and so is queued for the producer).
pub(crate) fn may_notify(kind: &ActivityKind) -> bool {
    matches!(
        kind,
        ActivityKind::ThreadStarted { .. }
            | ActivityKind::PostAdded { .. }
            | ActivityKind::AnswerAccepted { .. }
            | ActivityKind::JoinRequested { .. }
            | ActivityKind::MemberJoined {
                via: JoinedVia::Approval,
                ..
            }
            | ActivityKind::JoinRequestDenied { .. }
            | ActivityKind::ContentReported { .. }
            | ActivityKind::RoleChanged { .. }
            | ActivityKind::MemberBanned { .. }
            | ActivityKind::EventScheduled { .. }
            | ActivityKind::EventUpdated { .. }
            | ActivityKind::OccurrenceCancelled { .. }
            | ActivityKind::PollClosed { .. }
    )
}

/// Adds a fan-out job for each activity of `tx` that may concern someone.
pub(crate) fn queue_fanouts(tx: &mut Transaction) {
    let jobs: Vec<FanoutJob> = tx
        .ops()
        .iter()
        .filter_map(|op| match op {
            Op::Activity(crate::store::ActivityOp::RecordActivity { activity })
                if may_notify(&activity.kind) =>
            {
                Some(FanoutJob {
                    due: activity.at,
                    activity: activity.clone(),
                    attempts: 0,
                    version: 1,
                })
            }
            _ => None,
        })
        .collect();
    for job in jobs {
        tx.push(NotificationOp::PutFanout {
            job,
            expect: Expect::Absent,
        });
    }
}

/// Who must be allowed to see a notification when it is made and shown.
enum Audience {
    /// Someone who may view this space.
    Space(SpaceId),
    /// An active moderator or owner (join requests, reports).
    Moderators(CommunityAction),
    /// The person it is about (a decision about them): no check.
    Themself,
}

fn audience(kind: &NotificationKind, space: Option<SpaceId>) -> Audience {
    use NotificationKind as K;
    match (kind, space) {
        (K::JoinRequested { .. }, _) => Audience::Moderators(CommunityAction::ReviewRequests),
        (K::ContentReported { .. }, _) => Audience::Moderators(CommunityAction::Moderate),
        (
            K::Invited { .. }
            | K::JoinApproved
            | K::JoinDenied
            | K::RoleChanged { .. }
            | K::Banned { .. },
            _,
        ) => Audience::Themself,
        (_, Some(space)) => Audience::Space(space),
        // Content always has a space; without one only the person
        // themself could be meant.
        (_, None) => Audience::Themself,
    }
}

/// The stable id of the mail carrying `activity`'s notification to `user`.
fn mail_id(activity: &ActivityId, user: &UserId) -> MailId {
    let hash = user.as_str().bytes().fold(0x84222325_cbf29ce4_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let ulid = activity.0;
    let random = ulid.random() ^ (u128::from(hash) << 16);
    MailId(ulid::Ulid::from_parts(ulid.timestamp_ms(), random))
}

#[derive(Template)]
#[template(path = "notification.txt", escape = "none")]
struct TextNotification<'a> {
    line: &'a str,
    community: &'a str,
    footer: &'a str,
    unsubscribe: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "notification.html")]
struct HtmlNotification<'a> {
    line: &'a str,
    community: &'a str,
    footer: &'a str,
    unsubscribe: Option<&'a str>,
}

/// What happened, in one line of English for a mail's subject and body.
pub(crate) fn describe(kind: &NotificationKind, actor: &str, title: &str) -> String {
    use NotificationKind as K;
    match kind {
        K::Invited { .. } => format!("{actor} invited you to join {title}"),
        K::Mentioned { .. } => format!("{actor} mentioned you in “{title}”"),
        K::Replied { .. } => format!("{actor} replied in “{title}”"),
        K::AnswerAccepted { .. } => format!("{actor} accepted your answer to “{title}”"),
        K::JoinRequested { .. } => format!("{actor} asked to join {title}"),
        K::JoinApproved => format!("You are now a member of {title}"),
        K::JoinDenied => format!("Your request to join {title} was not approved"),
        K::ContentReported { .. } => format!("Content in {title} was reported to the moderators"),
        K::RoleChanged { to, .. } => {
            format!(
                "You are now {} of {title}",
                format!("{to:?}").to_lowercase()
            )
        }
        K::Banned { until: Some(until) } => {
            format!(
                "You were banned from {title} until {}",
                until.strftime("%-d %b %Y")
            )
        }
        K::Banned { until: None } => format!("You were banned from {title}"),
        K::EventScheduled { .. } => format!("{actor} scheduled “{title}”"),
        K::EventChanged { .. } => format!("“{title}” changed"),
        K::OccurrenceCancelled {
            cancelled: true, ..
        } => format!("A session of “{title}” was cancelled"),
        K::OccurrenceCancelled { .. } => format!("A session of “{title}” is back on"),
        K::PollClosed { .. } => format!("The poll “{title}” closed"),
    }
}

impl Copkit {
    /// Turns queued activity into notifications, at most `max` activities
    /// (the scheduled job, copkit-local's loop or the host call this;
    /// `more_due` says when some wait for the next run). An activity whose
    /// notifications could not all be written stays queued and is taken up
    /// again after its lease; the run stops only when the store is
    /// unavailable.
    pub async fn notify_due(&self, max: u32) -> Result<NotificationRun> {
        let mut run = NotificationRun::default();
        loop {
            let now = self.now();
            if run.examined >= max {
                run.more_due = !self.store().fanouts_due(now, 1).await?.is_empty();
                return Ok(run);
            }
            let batch = (max - run.examined).min(FANOUT_BATCH);
            let due = self.store().fanouts_due(now, batch).await?;
            if due.is_empty() {
                return Ok(run);
            }
            for job in due {
                run.examined += 1;
                match self.take_fanout(job, now, &mut run).await {
                    Ok(()) => {}
                    Err(error @ Error::Unavailable { .. }) => return Err(error),
                    Err(_) => run.retrying += 1,
                }
            }
        }
    }

    /// Leases `job`, writes its notifications and removes it.
    async fn take_fanout(
        &self,
        job: FanoutJob,
        now: Timestamp,
        run: &mut NotificationRun,
    ) -> Result<()> {
        let leased = FanoutJob {
            due: now + FANOUT_LEASE,
            attempts: job.attempts + 1,
            version: job.version + 1,
            ..job.clone()
        };
        let lease = Transaction::new().with(NotificationOp::PutFanout {
            job: leased.clone(),
            expect: Expect::Version(job.version),
        });
        match self.commit_unqueued(lease).await {
            Ok(()) => {}
            Err(Error::Conflict(_)) => {
                run.skipped += 1;
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        let outcome = self.fan_out(&job.activity, run).await;
        let finished = match &outcome {
            Ok(()) => true,
            Err(Error::Unavailable { .. }) => false,
            Err(_) => leased.attempts >= MAX_FANOUT_ATTEMPTS,
        };
        if finished {
            if outcome.is_err() {
                run.failed += 1;
            }
            let done = Transaction::new().with(NotificationOp::ForgetFanout {
                activity: job.activity.id,
            });
            self.commit_unqueued(done).await?;
            return Ok(());
        }
        outcome
    }

    /// Writes the notifications of one activity (those written before are
    /// recognised and left alone).
    async fn fan_out(&self, activity: &Activity, run: &mut NotificationRun) -> Result<()> {
        let recipients = self.recipients(activity).await?;
        if recipients.is_empty() {
            return Ok(());
        }
        let actor_name = self.display_name(&activity.actor).await?;
        // The community's name, read once for all the mail of this activity.
        let mut community = None;
        // Nobody is told of what they did themselves; a deadline is nobody's
        // doing (its activity names the poll's author).
        let tells_actor = matches!(
            activity.kind,
            ActivityKind::PollClosed {
                on_deadline: true,
                ..
            }
        );
        for (user, told) in recipients {
            if user == activity.actor && !tells_actor {
                continue;
            }
            self.notify_one(activity, &user, told, &actor_name, &mut community, run)
                .await?;
        }
        Ok(())
    }

    async fn display_name(&self, user: &UserId) -> Result<String> {
        Ok(self
            .store()
            .get_profile(user)
            .await?
            .map_or_else(|| user.to_string(), |p| p.display_name))
    }

    /// Who `activity` concerns, each with what it tells them (one per
    /// person: a mention wins over a reply).
    async fn recipients(
        &self,
        activity: &Activity,
    ) -> Result<BTreeMap<UserId, (NotificationKind, String)>> {
        use ActivityKind as A;
        let mut to: BTreeMap<UserId, (NotificationKind, String)> = BTreeMap::new();
        match &activity.kind {
            A::ThreadStarted { thread, .. } => {
                if let Some(t) = self.live_thread(thread).await? {
                    for user in &t.mentions {
                        to.insert(
                            user.clone(),
                            (
                                NotificationKind::Mentioned {
                                    thread: t.id,
                                    post: None,
                                },
                                t.title.clone(),
                            ),
                        );
                    }
                }
            }
            A::PostAdded { thread, post, .. } => {
                let (Some(t), Some(p)) = (
                    self.live_thread(thread).await?,
                    self.store().get_post(post).await?,
                ) else {
                    return Ok(to);
                };
                if p.deleted_at.is_some() {
                    return Ok(to);
                }
                let replied = (
                    NotificationKind::Replied {
                        thread: t.id,
                        post: p.id,
                    },
                    t.title.clone(),
                );
                to.insert(t.author.clone(), replied.clone());
                for user in self.thread_participants(&t.id, &p.id).await? {
                    to.insert(user, replied.clone());
                }
                for user in &p.mentions {
                    to.insert(
                        user.clone(),
                        (
                            NotificationKind::Mentioned {
                                thread: t.id,
                                post: Some(p.id),
                            },
                            t.title.clone(),
                        ),
                    );
                }
            }
            A::AnswerAccepted {
                thread,
                post,
                author,
            } => {
                if let Some(t) = self.live_thread(thread).await? {
                    to.insert(
                        author.clone(),
                        (
                            NotificationKind::AnswerAccepted {
                                thread: t.id,
                                post: *post,
                            },
                            t.title,
                        ),
                    );
                }
            }
            A::JoinRequested { user } => {
                let name = self.community_name(&activity.community).await?;
                for moderator in self.moderators(&activity.community).await? {
                    to.insert(
                        moderator,
                        (
                            NotificationKind::JoinRequested { user: user.clone() },
                            name.clone(),
                        ),
                    );
                }
            }
            A::ContentReported { report } => {
                let name = self.community_name(&activity.community).await?;
                for moderator in self.moderators(&activity.community).await? {
                    to.insert(
                        moderator,
                        (
                            NotificationKind::ContentReported { report: *report },
                            name.clone(),
                        ),
                    );
                }
            }
            A::MemberJoined {
                user,
                via: JoinedVia::Approval,
                ..
            } => {
                let name = self.community_name(&activity.community).await?;
                to.insert(user.clone(), (NotificationKind::JoinApproved, name));
            }
            A::JoinRequestDenied { user } => {
                let name = self.community_name(&activity.community).await?;
                to.insert(user.clone(), (NotificationKind::JoinDenied, name));
            }
            A::RoleChanged {
                user,
                from,
                to: role,
            } => {
                let name = self.community_name(&activity.community).await?;
                to.insert(
                    user.clone(),
                    (
                        NotificationKind::RoleChanged {
                            from: *from,
                            to: *role,
                        },
                        name,
                    ),
                );
            }
            A::MemberBanned { user, until } => {
                let name = self.community_name(&activity.community).await?;
                to.insert(
                    user.clone(),
                    (NotificationKind::Banned { until: *until }, name),
                );
            }
            A::EventScheduled { event } => {
                if let Some(e) = self.store().get_event(event).await? {
                    let mut range = Range::first(100);
                    loop {
                        let chunk = self
                            .store()
                            .list_members(&activity.community, MemberFilter::Active, &range)
                            .await?;
                        for m in chunk.items {
                            to.insert(
                                m.user,
                                (
                                    NotificationKind::EventScheduled { event: e.id },
                                    e.title.clone(),
                                ),
                            );
                        }
                        match chunk.next {
                            Some(next) => range.after = Some(next),
                            None => break,
                        }
                    }
                }
            }
            A::EventUpdated { event } => {
                if let Some(e) = self.store().get_event(event).await? {
                    let from = activity.at;
                    let until = from + SignedDuration::from_hours(24 * CHANGED_EVENT_HORIZON_DAYS);
                    let occurrences = recurrence::expand(&e, from, until)?;
                    for occurrence in occurrences.iter().take(CHANGED_EVENT_OCCURRENCES) {
                        for user in self.coming(&e.id, &occurrence.key).await? {
                            to.insert(
                                user,
                                (
                                    NotificationKind::EventChanged { event: e.id },
                                    e.title.clone(),
                                ),
                            );
                        }
                    }
                }
            }
            A::OccurrenceCancelled {
                event,
                occurrence,
                cancelled,
            } => {
                if let Some(e) = self.store().get_event(event).await? {
                    for user in self.coming(&e.id, occurrence).await? {
                        to.insert(
                            user,
                            (
                                NotificationKind::OccurrenceCancelled {
                                    event: e.id,
                                    occurrence: occurrence.clone(),
                                    cancelled: *cancelled,
                                },
                                e.title.clone(),
                            ),
                        );
                    }
                }
            }
            A::PollClosed { poll, on_deadline } => {
                let Some(p) = self.store().get_poll(poll).await? else {
                    return Ok(to);
                };
                // A deadline closing queued before the poll was closed
                // early: that closing told them.
                if *on_deadline && p.closes_at != activity.at {
                    return Ok(to);
                }
                let closed = (NotificationKind::PollClosed { poll: p.id }, p.question);
                to.insert(p.created_by.clone(), closed.clone());
                for user in self.voters(&p.id).await? {
                    to.insert(user, closed.clone());
                }
            }
            _ => {}
        }
        Ok(to)
    }

    async fn live_thread(&self, id: &ThreadId) -> Result<Option<crate::model::Thread>> {
        Ok(self
            .store()
            .get_thread(id)
            .await?
            .filter(|t| t.deleted_at.is_none()))
    }

    /// Authors of the thread's posts written before `new_post` (among the
    /// first [`THREAD_PARTICIPANTS_READ`]).
    async fn thread_participants(
        &self,
        thread: &ThreadId,
        new_post: &crate::ids::PostId,
    ) -> Result<Vec<UserId>> {
        let mut users = Vec::new();
        let mut range = Range::first(100);
        let mut read = 0;
        loop {
            let chunk = self.store().list_posts(thread, &range).await?;
            read += chunk.items.len() as u32;
            users.extend(
                chunk
                    .items
                    .into_iter()
                    .filter(|p| p.id < *new_post && p.deleted_at.is_none())
                    .map(|p| p.author),
            );
            match chunk.next {
                Some(next) if read < THREAD_PARTICIPANTS_READ => range.after = Some(next),
                _ => return Ok(users),
            }
        }
    }

    /// The active owners and moderators (the roster lists them first).
    async fn moderators(&self, community: &CommunityId) -> Result<Vec<UserId>> {
        let mut users = Vec::new();
        let mut range = Range::first(100);
        loop {
            let chunk = self
                .store()
                .list_members(community, MemberFilter::Active, &range)
                .await?;
            let before = users.len();
            users.extend(
                chunk
                    .items
                    .iter()
                    .filter(|m| m.role.moderates())
                    .map(|m| m.user.clone()),
            );
            let all_moderators = users.len() - before == chunk.items.len();
            match chunk.next {
                Some(next) if all_moderators => range.after = Some(next),
                _ => return Ok(users),
            }
        }
    }

    /// Everyone who voted in a poll.
    async fn voters(&self, poll: &crate::ids::PollId) -> Result<Vec<UserId>> {
        let mut users = Vec::new();
        let mut range = Range::first(100);
        loop {
            let chunk = self.store().list_ballots(poll, &range).await?;
            users.extend(chunk.items.into_iter().map(|b| b.user));
            match chunk.next {
                Some(next) => range.after = Some(next),
                None => return Ok(users),
            }
        }
    }

    /// Those who answered going or maybe to one occurrence.
    async fn coming(&self, event: &crate::ids::EventId, occurrence: &str) -> Result<Vec<UserId>> {
        let mut users = Vec::new();
        let mut range = Range::first(100);
        loop {
            let chunk = self.store().list_rsvps(event, occurrence, &range).await?;
            users.extend(
                chunk
                    .items
                    .into_iter()
                    .filter(|r| r.response != RsvpResponse::Declined)
                    .map(|r| r.user),
            );
            match chunk.next {
                Some(next) => range.after = Some(next),
                None => return Ok(users),
            }
        }
    }

    async fn community_name(&self, id: &CommunityId) -> Result<String> {
        Ok(self
            .store()
            .get_community(id)
            .await?
            .map_or_else(|| id.to_string(), |c| c.name))
    }

    /// Whether `user` may see a notification of `kind` about `space` in
    /// `community` now.
    pub(crate) async fn may_see(
        &self,
        user: &UserId,
        community: &CommunityId,
        kind: &NotificationKind,
        space: Option<SpaceId>,
    ) -> Result<bool> {
        let actor = Actor::new(user.clone());
        let allowed = match audience(kind, space) {
            Audience::Themself => return Ok(true),
            Audience::Moderators(action) => self
                .community_access(&actor, community)
                .await
                .and_then(|access| access.require(action)),
            Audience::Space(space) => self
                .space_access_in(&actor, community, &space)
                .await
                .and_then(|access| access.require(&actor, SpaceAction::View)),
        };
        match allowed {
            Ok(()) => Ok(true),
            Err(Error::NotFound | Error::Forbidden(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Writes one person's notification of `activity`, with their unread
    /// count and (when they chose email) the mail, unless they may not see
    /// it now, chose to hear nothing, or already have it.
    async fn notify_one(
        &self,
        activity: &Activity,
        user: &UserId,
        (kind, title): (NotificationKind, String),
        actor_name: &str,
        community: &mut Option<String>,
        run: &mut NotificationRun,
    ) -> Result<()> {
        if !self
            .may_see(user, &activity.community, &kind, activity.space)
            .await?
        {
            return Ok(());
        }
        let preferences = self.store().get_notification_preferences(user).await?;
        let choices = preferences
            .as_ref()
            .map(|p| p.choices.clone())
            .unwrap_or_default();
        let channel = choices.channel(&activity.community, kind.topic());
        if channel == NotificationChannel::Off {
            return Ok(());
        }
        let notification = Notification {
            id: activity.id,
            user: user.clone(),
            community: activity.community,
            space: activity.space,
            actor: activity.actor.clone(),
            at: activity.at,
            kind,
            title,
            channel,
            read_at: None,
            version: 1,
        };
        let mail = if channel == NotificationChannel::Email {
            let email = match preferences.and_then(|p| p.email) {
                Some(email) => Some(email),
                None => self
                    .store()
                    .get_digest_schedule(user)
                    .await?
                    .and_then(|s| s.email),
            };
            match email {
                Some(email) => {
                    let name = match community {
                        Some(name) => name.clone(),
                        None => community
                            .insert(self.community_name(&activity.community).await?)
                            .clone(),
                    };
                    Some(self.notification_mail(&notification, email, actor_name, &name))
                }
                // No address known: the inbox alone.
                None => None,
            }
        } else {
            None
        };
        if self.put_in_inbox(&notification, mail.as_ref()).await? {
            run.notified += 1;
            if mail.is_some() {
                run.emailed += 1;
            }
        }
        Ok(())
    }

    /// Writes `notification` (and `mail`, if any) with its person's unread
    /// count, unless they have it already. True when written now.
    async fn put_in_inbox(&self, notification: &Notification, mail: Option<&Mail>) -> Result<bool> {
        let user = &notification.user;
        for _ in 0..INBOX_WRITE_TRIES {
            let state = self.store().get_inbox_state(user).await?;
            let mut next = state
                .clone()
                .unwrap_or_else(|| InboxState::empty(user.clone()));
            if !next.has_read(notification) {
                next.unread = next.unread.saturating_add(1);
            }
            next.version += 1;
            let mut tx = Transaction::new()
                .with(NotificationOp::PutNotification {
                    notification: notification.clone(),
                    expect: Expect::Absent,
                })
                .with(NotificationOp::PutInboxState {
                    state: next,
                    expect: Expect::from_version(state.map(|s| s.version)),
                });
            if let Some(mail) = mail {
                tx.push(DigestOp::PutMail {
                    mail: Box::new(mail.clone()),
                    expect: Expect::Absent,
                });
            }
            match self.commit_unqueued(tx).await {
                Ok(()) => return Ok(true),
                Err(Error::Conflict(_)) => {
                    // Written before (a producer that stopped half-way), or
                    // the inbox moved meanwhile: look again.
                    if self
                        .store()
                        .get_notification(user, &notification.id)
                        .await?
                        .is_some()
                    {
                        return Ok(false);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Err(Error::Unavailable {
            retry_after_secs: 1,
        })
    }

    /// Puts the usable invitations addressed to the caller's verified email
    /// into their inbox (once each: the notification's id is the
    /// invitation's), the first time they look after it was made: an
    /// address has no person until someone signs in with it.
    async fn invitations_into_inbox(&self, actor: &Actor) -> Result<()> {
        let Some(address) = actor.email.as_deref() else {
            return Ok(());
        };
        let now = self.now();
        let invitations = self
            .store()
            .list_invitations_to(&address.to_lowercase(), &Range::first(INVITATIONS_SHOWN))
            .await?;
        let mut choices: Option<NotificationChoices> = None;
        for invitation in invitations.items {
            if !invitation.is_usable_at(now) {
                continue;
            }
            let id = ActivityId(invitation.id.0);
            if self
                .store()
                .get_notification(&actor.user, &id)
                .await?
                .is_some()
            {
                continue;
            }
            let kind = NotificationKind::Invited {
                invitation: invitation.id,
            };
            let choices = match &choices {
                Some(choices) => choices,
                None => choices.insert(
                    self.store()
                        .get_notification_preferences(&actor.user)
                        .await?
                        .map(|p| p.choices)
                        .unwrap_or_default(),
                ),
            };
            let channel = match choices.channel(&invitation.community, kind.topic()) {
                NotificationChannel::Off => continue,
                // The invitation was mailed already; the inbox is the rest.
                _ => NotificationChannel::InApp,
            };
            let notification = Notification {
                id,
                user: actor.user.clone(),
                community: invitation.community,
                space: None,
                actor: invitation.created_by.clone(),
                at: invitation.created_at,
                kind,
                title: self.community_name(&invitation.community).await?,
                channel,
                read_at: None,
                version: 1,
            };
            self.put_in_inbox(&notification, None).await?;
        }
        Ok(())
    }

    fn notification_mail(
        &self,
        notification: &Notification,
        email: String,
        actor_name: &str,
        community: &str,
    ) -> Mail {
        let now = self.now();
        let line = describe(&notification.kind, actor_name, &notification.title);
        let unsubscribe_url = self.unsubscribe_url(
            &notification.user,
            MailStream::Topic {
                topic: notification.kind.topic(),
            },
        );
        let footer = "You receive this because you chose to hear of this by email. Change it in your copkit notification settings.";
        let text = TextNotification {
            line: &line,
            community,
            footer,
            unsubscribe: unsubscribe_url.as_deref(),
        }
        .render()
        .unwrap_or_else(|e| format!("{line}\n\n(rendering failed: {e})"));
        let html = HtmlNotification {
            line: &line,
            community,
            footer,
            unsubscribe: unsubscribe_url.as_deref(),
        }
        .render()
        .unwrap_or_else(|_| "<p>See the plain-text part of this message.</p>".to_owned());
        Mail {
            id: mail_id(&notification.id, &notification.user),
            to: notification.user.clone(),
            email: Some(email),
            subject: line,
            text,
            html,
            digest: Digest {
                user: notification.user.clone(),
                since: notification.at,
                until: notification.at,
                communities: Vec::new(),
            },
            notification: Some(notification.clone()),
            unsubscribe_url,
            created_at: now,
            delivery: MailDelivery::pending(now),
            version: 1,
        }
    }

    /// The member's unread notifications of `[since, until)` whose channel
    /// is the digest and which they may still see, by community, newest
    /// first (at most [`crate::service::digest::DIGEST_SECTION_LIMIT`] per
    /// community).
    pub(crate) async fn digest_notices(
        &self,
        user: &UserId,
        since: Timestamp,
        until: Timestamp,
    ) -> Result<BTreeMap<CommunityId, Vec<DigestNotice>>> {
        let state = self
            .store()
            .get_inbox_state(user)
            .await?
            .unwrap_or_else(|| InboxState::empty(user.clone()));
        let mut kept: Vec<Notification> = Vec::new();
        let mut range = Range::first(crate::validate::limits::PAGE_MAX);
        'read: for _ in 0..INBOX_PAGE_READS {
            let chunk = self.store().list_notifications(user, &range).await?;
            for n in chunk.items {
                if n.at < since {
                    break 'read;
                }
                let wanted = n.channel == NotificationChannel::Digest
                    && n.at < until
                    && !state.has_read(&n)
                    && kept.iter().filter(|k| k.community == n.community).count()
                        < crate::service::digest::DIGEST_SECTION_LIMIT;
                if wanted && self.may_see(user, &n.community, &n.kind, n.space).await? {
                    kept.push(n);
                }
            }
            match chunk.next {
                Some(next) => range.after = Some(next),
                None => break,
            }
        }
        let mut actors: Vec<UserId> = kept.iter().map(|n| n.actor.clone()).collect();
        actors.sort();
        actors.dedup();
        let names: BTreeMap<UserId, String> = if actors.is_empty() {
            BTreeMap::new()
        } else {
            self.store()
                .get_profiles(&actors)
                .await?
                .into_iter()
                .map(|p| (p.user, p.display_name))
                .collect()
        };
        let mut by_community: BTreeMap<CommunityId, Vec<DigestNotice>> = BTreeMap::new();
        for n in kept {
            let actor = names
                .get(&n.actor)
                .cloned()
                .unwrap_or_else(|| n.actor.to_string());
            by_community
                .entry(n.community)
                .or_default()
                .push(DigestNotice {
                    id: n.id,
                    line: describe(&n.kind, &actor, &n.title),
                    kind: n.kind,
                });
        }
        Ok(by_community)
    }

    /// The caller's inbox, newest first: only what they may still see,
    /// with their unread count. With `since`, only notifications of
    /// activity after that instant (what an app polling for news needs).
    pub async fn notifications(
        &self,
        actor: &Actor,
        since: Option<Timestamp>,
        page: &PageRequest,
    ) -> Result<Inbox> {
        if page.cursor.is_none() {
            self.invitations_into_inbox(actor).await?;
        }
        let scope = format!(
            "inbox|{}|{}",
            actor.user,
            since.map(|s| s.to_string()).unwrap_or_default()
        );
        let state = self
            .store()
            .get_inbox_state(&actor.user)
            .await?
            .unwrap_or_else(|| InboxState::empty(actor.user.clone()));
        let range = self.range(&scope, page)?;
        let mut shown = Vec::new();
        let mut after = range.after;
        let limit = range.limit as usize;
        let mut seen: BTreeMap<(CommunityId, Option<SpaceId>, NotificationTopic), bool> =
            BTreeMap::new();
        let mut reads = 0;
        let mut last_examined: Option<String> = None;
        let next = 'read: loop {
            if reads == INBOX_PAGE_READS {
                // Much hidden in a row: end the page here, the next one
                // goes on from the last notification examined.
                break 'read last_examined;
            }
            reads += 1;
            let chunk: Chunk<Notification> = self
                .store()
                .list_notifications(
                    &actor.user,
                    &Range {
                        limit: crate::validate::limits::PAGE_MAX,
                        after: after.clone(),
                    },
                )
                .await?;
            for (item, position) in chunk.items.into_iter().zip(chunk.positions) {
                if since.is_some_and(|s| item.at <= s) {
                    break 'read None;
                }
                let key = (item.community, item.space, item.kind.topic());
                let visible = match seen.get(&key) {
                    Some(v) => *v,
                    None => {
                        let v = self
                            .may_see(&actor.user, &item.community, &item.kind, item.space)
                            .await?;
                        seen.insert(key, v);
                        v
                    }
                };
                last_examined = Some(position.clone());
                if visible {
                    let mut item = item;
                    if item.read_at.is_none() && state.has_read(&item) {
                        item.read_at = Some(item.at);
                    }
                    shown.push(item);
                    if shown.len() == limit {
                        break 'read Some(position);
                    }
                }
            }
            match chunk.next {
                Some(n) => after = Some(n),
                None => break None,
            }
        };
        // A full page ends at its last item; whether more follow is found
        // by the next request (an empty page ends the list).
        let page = self.page_after(&scope, shown, next)?;
        Ok(Inbox {
            items: page.items,
            next: page.next.map(|c| c.0),
            unread: state.unread,
        })
    }

    /// Marks one of the caller's notifications read (`NotFound` when they
    /// have none with this id).
    pub async fn mark_notification_read(
        &self,
        actor: &Actor,
        id: &ActivityId,
    ) -> Result<Notification> {
        for _ in 0..INBOX_WRITE_TRIES {
            let notification = self
                .store()
                .get_notification(&actor.user, id)
                .await?
                .ok_or(Error::NotFound)?;
            let state = self.store().get_inbox_state(&actor.user).await?;
            let current = state
                .clone()
                .unwrap_or_else(|| InboxState::empty(actor.user.clone()));
            if current.has_read(&notification) {
                let mut shown = notification;
                shown.read_at = shown.read_at.or(Some(shown.at));
                return Ok(shown);
            }
            let read = Notification {
                read_at: Some(self.now()),
                version: notification.version + 1,
                ..notification.clone()
            };
            let next = InboxState {
                unread: current.unread.saturating_sub(1),
                version: current.version + 1,
                ..current
            };
            let tx = Transaction::new()
                .with(NotificationOp::PutNotification {
                    notification: read.clone(),
                    expect: Expect::Version(notification.version),
                })
                .with(NotificationOp::PutInboxState {
                    state: next,
                    expect: Expect::from_version(state.map(|s| s.version)),
                });
            match self.commit(tx).await {
                Ok(()) => return Ok(read),
                Err(Error::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::Unavailable {
            retry_after_secs: 1,
        })
    }

    /// Marks everything in the caller's inbox read.
    pub async fn mark_all_notifications_read(&self, actor: &Actor) -> Result<()> {
        for _ in 0..INBOX_WRITE_TRIES {
            let newest = self
                .store()
                .list_notifications(&actor.user, &Range::first(1))
                .await?
                .items
                .into_iter()
                .next();
            let Some(newest) = newest else {
                return Ok(());
            };
            let state = self.store().get_inbox_state(&actor.user).await?;
            let current = state
                .clone()
                .unwrap_or_else(|| InboxState::empty(actor.user.clone()));
            let next = InboxState {
                unread: 0,
                read_through: Some(current.read_through.map_or(newest.id, |r| r.max(newest.id))),
                version: current.version + 1,
                ..current
            };
            let tx = Transaction::new().with(NotificationOp::PutInboxState {
                state: next,
                expect: Expect::from_version(state.map(|s| s.version)),
            });
            match self.commit(tx).await {
                Ok(()) => return Ok(()),
                Err(Error::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::Unavailable {
            retry_after_secs: 1,
        })
    }

    /// The caller's notification preferences (the defaults, version 0,
    /// when never chosen).
    pub async fn notification_preferences(&self, actor: &Actor) -> Result<NotificationPreferences> {
        let stored = self
            .store()
            .get_notification_preferences(&actor.user)
            .await?;
        Ok(match stored {
            Some(mut p) => {
                p.effective = effective(&p.choices);
                p
            }
            None => NotificationPreferences {
                user: actor.user.clone(),
                choices: NotificationChoices::default(),
                email: actor.email.clone(),
                effective: effective(&NotificationChoices::default()),
                updated_at: self.now(),
                version: 0,
            },
        })
    }

    /// Replaces the caller's choices. `expected_version` is the version
    /// read (0 before the first choice); a change made meanwhile is a
    /// `version_conflict`. At most [`NOTIFICATION_COMMUNITIES_MAX`]
    /// communities and [`NOTIFICATION_TOPIC_CHOICES_MAX`] choices per list;
    /// a topic (or community) named twice: the later choice counts, and
    /// what is stored has one of each. The caller's verified
    /// email (when the identity carries one) becomes the address.
    pub async fn set_notification_preferences(
        &self,
        actor: &Actor,
        choices: NotificationChoices,
        expected_version: u64,
    ) -> Result<NotificationPreferences> {
        validate_choices(&choices)?;
        let choices = normalised(choices);
        let current = self
            .store()
            .get_notification_preferences(&actor.user)
            .await?;
        let version = current.as_ref().map_or(0, |p| p.version);
        if expected_version != version {
            return Err(Error::Conflict(crate::error::Conflict::VersionMismatch));
        }
        let preferences = NotificationPreferences {
            user: actor.user.clone(),
            effective: effective(&choices),
            choices,
            email: actor
                .email
                .clone()
                .or_else(|| current.as_ref().and_then(|p| p.email.clone())),
            updated_at: self.now(),
            version: version + 1,
        };
        let tx = Transaction::new().with(NotificationOp::PutNotificationPreferences {
            preferences: preferences.clone(),
            expect: Expect::from_version(current.map(|p| p.version)),
        });
        self.commit(tx).await?;
        Ok(preferences)
    }
}

/// Every topic's channel outside any per-community choice.
fn effective(choices: &NotificationChoices) -> Vec<TopicChannel> {
    NotificationTopic::ALL
        .iter()
        .map(|&topic| TopicChannel {
            topic,
            channel: choices
                .topics
                .iter()
                .find(|t| t.topic == topic)
                .map_or_else(|| topic.default_channel(), |t| t.channel),
        })
        .collect()
}

/// Checks the sizes of `choices` (every problem at once).
fn validate_choices(choices: &NotificationChoices) -> Result<()> {
    let mut errors = Vec::new();
    let mut at_most = |field: String, len: usize, max: usize, what: &str| {
        if len > max {
            errors.push(FieldError::new(
                &field,
                "too_many",
                format!("at most {max} {what}"),
            ));
        }
    };
    at_most(
        "topics".into(),
        choices.topics.len(),
        NOTIFICATION_TOPIC_CHOICES_MAX,
        "topic choices",
    );
    at_most(
        "communities".into(),
        choices.communities.len(),
        NOTIFICATION_COMMUNITIES_MAX,
        "communities",
    );
    for (i, c) in choices.communities.iter().enumerate() {
        at_most(
            format!("communities[{i}].topics"),
            c.topics.len(),
            NOTIFICATION_TOPIC_CHOICES_MAX,
            "topic choices",
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

/// One choice per topic (a topic chosen twice: the later choice counts),
/// in the order topics were first named.
fn one_per_topic(list: Vec<TopicChannel>) -> Vec<TopicChannel> {
    let mut kept: Vec<TopicChannel> = Vec::with_capacity(list.len());
    for choice in list {
        match kept.iter_mut().find(|k| k.topic == choice.topic) {
            Some(earlier) => earlier.channel = choice.channel,
            None => kept.push(choice),
        }
    }
    kept
}

/// `choices` with one entry per topic and per community (a community
/// listed twice: its choices merged, the later counting).
fn normalised(choices: NotificationChoices) -> NotificationChoices {
    let mut communities: Vec<CommunityChannels> = Vec::new();
    for c in choices.communities {
        match communities.iter_mut().find(|k| k.community == c.community) {
            Some(earlier) => earlier.topics.extend(c.topics),
            None => communities.push(c),
        }
    }
    NotificationChoices {
        topics: one_per_topic(choices.topics),
        communities: communities
            .into_iter()
            .map(|c| CommunityChannels {
                community: c.community,
                topics: one_per_topic(c.topics),
            })
            .collect(),
    }
}
