//! Discussions and questions: threads, posts, one level of replies,
//! reactions, mentions, pins, locks and accepted answers.

use crate::service::rate_limits::Limited;
use serde::{Deserialize, Serialize};

use crate::error::{Conflict, Error, Result};
use crate::ids::{PostId, SpaceId, ThreadId};
use crate::model::Contribution;
use crate::model::{
    ActivityKind, Page, PageRequest, Post, Reaction, ReactionCounts, ReactionKind, Thread,
    ThreadKind,
};
use crate::policy::SpaceAction;
use crate::service::access::SpaceAccess;
use crate::service::content;
use crate::service::moderation;
use crate::service::{Actor, Copkit, check_version};
use crate::store::{DiscussionOp, Expect, Records, Transaction, Wanted};
use crate::validate::Checker;
use crate::validate::limits;

/// What it takes to start a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", schema(example = json!({"kind": "question", "title": "How do you run a random case analysis?", "body": "Our ST1s find it hard to pick cases. What works for you?", "tags": ["teaching", "rca"]})))]
pub struct NewThread {
    /// Discussion or question.
    pub kind: ThreadKind,
    /// Title, 3–200 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:line", min_length = 3, max_length = 200)
    )]
    pub title: String,
    /// Opening text, Markdown, up to 20,000 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:text", max_length = 20000)
    )]
    pub body: String,
    /// Up to 10 tags.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:items-tag", max_items = 10)
    )]
    pub tags: Vec<String>,
}

/// Changes to a thread; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ThreadChanges {
    /// New title.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:line", min_length = 3, max_length = 200)
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub title: Option<String>,
    /// New body.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:text", max_length = 20000)
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub body: Option<String>,
    /// New tags (replacing all).
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:items-tag", max_items = 10)
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub tags: Option<Vec<String>>,
}

/// What it takes to post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "openapi", schema(example = json!({"body": "We ask them to bring two and pick one together at the start of the tutorial."})))]
pub struct NewPost {
    /// Text, Markdown, 1–20,000 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(format = "copkit:nonblank-text", min_length = 1, max_length = 20000)
    )]
    pub body: String,
    /// The post this replies to (a top-level post of the same thread).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub parent: Option<PostId>,
}

impl Copkit {
    pub(crate) async fn thread_access(
        &self,
        actor: &Actor,
        id: &ThreadId,
    ) -> Result<(Thread, SpaceAccess)> {
        let thread = self.store().get_thread(id).await?.ok_or(Error::NotFound)?;
        let access = self
            .space_access_in(actor, &thread.community, &thread.space)
            .await?;
        access.require(actor, SpaceAction::View)?;
        Ok((thread, access))
    }

    /// The post, the caller's access, and `also` (its thread, their
    /// reactions…) read with the access facts (two reads in all).
    async fn post_access(
        &self,
        actor: &Actor,
        id: &PostId,
        also: impl FnOnce(&Post) -> Vec<Wanted>,
    ) -> Result<(Post, SpaceAccess, Records)> {
        let post = self.store().get_post(id).await?.ok_or(Error::NotFound)?;
        let (access, records) = self
            .space_access_with(actor, &post.community, &post.space, also(&post))
            .await?;
        access.require(actor, SpaceAction::View)?;
        Ok((post, access, records))
    }

    /// Starts a discussion or asks a question in a space.
    pub async fn start_thread(
        &self,
        actor: &Actor,
        space: &SpaceId,
        input: NewThread,
    ) -> Result<Thread> {
        let access = self
            .authorize_space(actor, space, SpaceAction::Contribute)
            .await?;
        let mut check = Checker::new();
        let title = check.line("title", &input.title, limits::TITLE_MIN, limits::TITLE_MAX);
        let body = check.text("body", &input.body, 0, limits::BODY_MAX);
        let tags = content::tags(&mut check, &input.tags);
        check.finish()?;
        let mentions = self.mentions(&access, &body).await?;
        let now = self.now();
        let thread = Thread {
            id: ThreadId(self.new_ulid(now)),
            space: *space,
            community: access.space.community,
            kind: input.kind,
            title,
            body,
            tags,
            mentions,
            author: actor.user.clone(),
            created_at: now,
            edited_at: None,
            last_activity_at: now,
            post_count: 0,
            pinned: false,
            locked: false,
            accepted_answer: None,
            hidden: None,
            deleted_at: None,
            version: 1,
        };
        let tx = Transaction::new()
            .with(DiscussionOp::PutThread {
                thread: thread.clone(),
                expect: Expect::Absent,
            })
            .with(self.activity(
                actor,
                thread.community,
                Some(*space),
                now,
                ActivityKind::ThreadStarted {
                    thread: thread.id,
                    kind: thread.kind,
                },
            ));
        self.count_write(actor, Limited::Posts, now).await?;
        self.commit_counting(tx, access.counting(Contribution::Thread))
            .await?;
        Ok(thread)
    }

    /// One thread (a deleted one is a tombstone without its text; a hidden
    /// one is without it for all but its author and the moderators).
    pub async fn get_thread(&self, actor: &Actor, id: &ThreadId) -> Result<Thread> {
        let (mut thread, access) = self.thread_access(actor, id).await?;
        moderation::withhold_hidden_thread(&mut thread, actor, &access);
        Ok(thread)
    }

    /// A space's threads, latest activity first.
    pub async fn list_threads(
        &self,
        actor: &Actor,
        space: &SpaceId,
        page: &PageRequest,
    ) -> Result<Page<Thread>> {
        let access = self
            .authorize_space(actor, space, SpaceAction::View)
            .await?;
        let scope = format!("threads|{space}");
        let range = self.range(&scope, page)?;
        let mut chunk = self.store().list_threads(space, &range).await?;
        for thread in &mut chunk.items {
            moderation::withhold_hidden_thread(thread, actor, &access);
        }
        self.page(&scope, chunk)
    }

    /// A space's pinned threads, newest first.
    pub async fn pinned_threads(&self, actor: &Actor, space: &SpaceId) -> Result<Vec<Thread>> {
        let access = self
            .authorize_space(actor, space, SpaceAction::View)
            .await?;
        let mut pinned = self.store().list_pinned_threads(space).await?;
        for thread in &mut pinned {
            moderation::withhold_hidden_thread(thread, actor, &access);
        }
        Ok(pinned)
    }

    async fn put_thread(
        &self,
        actor: &Actor,
        old: &Thread,
        new: Thread,
        kind: ActivityKind,
    ) -> Result<Thread> {
        let now = self.now();
        let tx = Transaction::new()
            .with(DiscussionOp::PutThread {
                thread: new.clone(),
                expect: Expect::Version(old.version),
            })
            .with(self.activity(actor, old.community, Some(old.space), now, kind));
        self.commit(tx).await?;
        Ok(new)
    }

    /// Edits a thread's title, body or tags (its author, with the version read).
    pub async fn edit_thread(
        &self,
        actor: &Actor,
        id: &ThreadId,
        changes: ThreadChanges,
        expected_version: u64,
    ) -> Result<Thread> {
        let (old, access) = self.thread_access(actor, id).await?;
        self.may_change(actor, &access, &old.author, false)?;
        check_version(old.version, expected_version)?;
        if old.deleted_at.is_some() || old.locked {
            return Err(Error::Conflict(Conflict::Closed));
        }
        let mut check = Checker::new();
        let mut new = old.clone();
        if let Some(t) = changes.title {
            new.title = check.line("title", &t, limits::TITLE_MIN, limits::TITLE_MAX);
        }
        if let Some(b) = changes.body {
            new.body = check.text("body", &b, 0, limits::BODY_MAX);
        }
        if let Some(t) = changes.tags {
            new.tags = content::tags(&mut check, &t);
        }
        check.finish()?;
        new.mentions = self.mentions(&access, &new.body).await?;
        new.edited_at = Some(self.now());
        new.version = old.version + 1;
        self.put_thread(actor, &old, new, ActivityKind::ThreadEdited { thread: *id })
            .await
    }

    /// Deletes a thread (its author or a moderator): the text goes, a
    /// tombstone stays. Deleting twice is harmless.
    pub async fn delete_thread(&self, actor: &Actor, id: &ThreadId) -> Result<Thread> {
        let (old, access) = self.thread_access(actor, id).await?;
        self.may_change(actor, &access, &old.author, true)?;
        if old.deleted_at.is_some() {
            return Ok(old);
        }
        let new = Thread {
            title: String::new(),
            body: String::new(),
            tags: Vec::new(),
            mentions: Vec::new(),
            pinned: false,
            deleted_at: Some(self.now()),
            version: old.version + 1,
            ..old.clone()
        };
        self.put_thread(
            actor,
            &old,
            new,
            ActivityKind::ThreadDeleted { thread: *id },
        )
        .await
    }

    /// Pins or unpins a thread (moderators).
    pub async fn set_thread_pinned(
        &self,
        actor: &Actor,
        id: &ThreadId,
        pinned: bool,
    ) -> Result<Thread> {
        let (old, access) = self.thread_access(actor, id).await?;
        access.require(actor, SpaceAction::Moderate)?;
        if old.pinned == pinned || old.deleted_at.is_some() {
            return Ok(old);
        }
        let new = Thread {
            pinned,
            version: old.version + 1,
            ..old.clone()
        };
        self.put_thread(
            actor,
            &old,
            new,
            ActivityKind::ThreadPinned {
                thread: *id,
                pinned,
            },
        )
        .await
    }

    /// Locks or unlocks a thread (moderators). A locked thread takes no posts.
    pub async fn set_thread_locked(
        &self,
        actor: &Actor,
        id: &ThreadId,
        locked: bool,
    ) -> Result<Thread> {
        let (old, access) = self.thread_access(actor, id).await?;
        access.require(actor, SpaceAction::Moderate)?;
        if old.locked == locked || old.deleted_at.is_some() {
            return Ok(old);
        }
        let new = Thread {
            locked,
            version: old.version + 1,
            ..old.clone()
        };
        self.put_thread(
            actor,
            &old,
            new,
            ActivityKind::ThreadLocked {
                thread: *id,
                locked,
            },
        )
        .await
    }

    /// Accepts a post as a question's answer (`None` withdraws the
    /// acceptance). The asker or a moderator may.
    pub async fn accept_answer(
        &self,
        actor: &Actor,
        id: &ThreadId,
        post: Option<PostId>,
    ) -> Result<Thread> {
        let old = self.store().get_thread(id).await?.ok_or(Error::NotFound)?;
        let (access, mut records) = self
            .space_access_with(
                actor,
                &old.community,
                &old.space,
                post.map(Wanted::Post).into_iter().collect(),
            )
            .await?;
        access.require(actor, SpaceAction::View)?;
        self.may_change(actor, &access, &old.author, true)?;
        if !old.is_question() {
            // Only questions have answers.
            return Err(Error::Conflict(Conflict::WrongState));
        }
        if old.deleted_at.is_some() {
            return Err(Error::Conflict(Conflict::Closed));
        }
        let answer = match post {
            Some(_) => {
                let answer = records
                    .post()
                    .filter(|a| a.thread == *id && a.deleted_at.is_none())
                    .ok_or(Error::NotFound)?;
                Some(answer)
            }
            None => None,
        };
        if old.accepted_answer == post {
            return Ok(old);
        }
        let new = Thread {
            accepted_answer: post,
            version: old.version + 1,
            ..old.clone()
        };
        // The answer's author earns the points (not someone accepting
        // their own reply); their records are read once the post is known.
        let counted = match &answer {
            Some(a) if a.author != actor.user => {
                let mut theirs = self
                    .store()
                    .get_records(&[
                        Wanted::Membership(old.community, a.author.clone()),
                        Wanted::Participation(old.community, a.author.clone()),
                    ])
                    .await?;
                Self::counted(
                    access.community.community.level_rules,
                    theirs.membership().as_ref(),
                    theirs.participation(),
                    Contribution::AcceptedAnswer,
                )
            }
            _ => None,
        };
        let now = self.now();
        let mut tx = Transaction::new().with(DiscussionOp::PutThread {
            thread: new.clone(),
            expect: Expect::Version(old.version),
        });
        if let Some(answer) = answer {
            tx.push(self.activity(
                actor,
                old.community,
                Some(old.space),
                now,
                ActivityKind::AnswerAccepted {
                    thread: *id,
                    post: answer.id,
                    author: answer.author,
                },
            ));
        } else {
            tx.push(self.activity(
                actor,
                old.community,
                Some(old.space),
                now,
                ActivityKind::ThreadEdited { thread: *id },
            ));
        }
        self.commit_counting(tx, counted).await?;
        Ok(new)
    }

    /// Posts in a thread, or replies to one of its top-level posts. The post,
    /// the thread's activity time and its post count change in one write.
    pub async fn add_post(&self, actor: &Actor, thread: &ThreadId, input: NewPost) -> Result<Post> {
        let (t, access) = self.thread_access(actor, thread).await?;
        access.require(actor, SpaceAction::Contribute)?;
        if t.locked || t.deleted_at.is_some() {
            return Err(Error::Conflict(Conflict::Closed));
        }
        let mut check = Checker::new();
        let body = check.text("body", &input.body, 1, limits::BODY_MAX);
        check.finish()?;
        if let Some(parent) = input.parent {
            let p = self.store().get_post(&parent).await?;
            match p {
                Some(p) if p.thread == *thread && p.parent.is_none() => {}
                // Replies go one level deep: reply to the top-level post.
                Some(p) if p.thread == *thread => {
                    return Err(Error::Conflict(Conflict::WrongState));
                }
                // A parent named in the body is authorized like a path id.
                _ => return Err(Error::NotFound),
            }
        }
        let mentions = self.mentions(&access, &body).await?;
        let now = self.now();
        let post = Post {
            id: PostId(self.new_ulid(now)),
            thread: *thread,
            space: t.space,
            community: t.community,
            parent: input.parent,
            author: actor.user.clone(),
            body,
            mentions,
            reactions: ReactionCounts::default(),
            created_at: now,
            edited_at: None,
            deleted_at: None,
            hidden: None,
            version: 1,
        };
        let tx = Transaction::new()
            .with(DiscussionOp::PutPost {
                post: post.clone(),
                expect: Expect::Absent,
            })
            .with(DiscussionOp::TouchThread {
                thread: *thread,
                at: now,
                posts: 1,
            })
            .with(self.activity(
                actor,
                t.community,
                Some(t.space),
                now,
                ActivityKind::PostAdded {
                    thread: *thread,
                    post: post.id,
                    reply: post.parent.is_some(),
                },
            ));
        self.count_write(actor, Limited::Posts, now).await?;
        self.commit_counting(tx, access.counting(Contribution::Post))
            .await?;
        Ok(post)
    }

    /// A thread's posts and replies, oldest first (tombstones included).
    pub async fn list_posts(
        &self,
        actor: &Actor,
        thread: &ThreadId,
        page: &PageRequest,
    ) -> Result<Page<Post>> {
        let (_, access) = self.thread_access(actor, thread).await?;
        let scope = format!("posts|{thread}");
        let range = self.range(&scope, page)?;
        let mut chunk = self.store().list_posts(thread, &range).await?;
        for post in &mut chunk.items {
            moderation::withhold_hidden_post(post, actor, &access);
        }
        self.page(&scope, chunk)
    }

    /// One post.
    pub async fn get_post(&self, actor: &Actor, id: &PostId) -> Result<Post> {
        let (mut post, access, _) = self.post_access(actor, id, |_| Vec::new()).await?;
        moderation::withhold_hidden_post(&mut post, actor, &access);
        Ok(post)
    }

    /// Edits a post (its author, with the version read).
    pub async fn edit_post(
        &self,
        actor: &Actor,
        id: &PostId,
        body: &str,
        expected_version: u64,
    ) -> Result<Post> {
        let (old, access, mut records) = self
            .post_access(actor, id, |p| vec![Wanted::Thread(p.thread)])
            .await?;
        self.may_change(actor, &access, &old.author, false)?;
        check_version(old.version, expected_version)?;
        if old.deleted_at.is_some() {
            return Err(Error::Conflict(Conflict::WrongState));
        }
        let thread = records.thread().ok_or(Error::NotFound)?;
        if thread.locked || thread.deleted_at.is_some() {
            return Err(Error::Conflict(Conflict::Closed));
        }
        let mut check = Checker::new();
        let body = check.text("body", body, 1, limits::BODY_MAX);
        check.finish()?;
        let now = self.now();
        let new = Post {
            mentions: self.mentions(&access, &body).await?,
            body,
            edited_at: Some(now),
            version: old.version + 1,
            ..old.clone()
        };
        let tx = Transaction::new()
            .with(DiscussionOp::PutPost {
                post: new.clone(),
                expect: Expect::Version(old.version),
            })
            .with(self.activity(
                actor,
                old.community,
                Some(old.space),
                now,
                ActivityKind::PostEdited {
                    thread: old.thread,
                    post: *id,
                },
            ));
        self.commit(tx).await?;
        Ok(new)
    }

    /// Deletes a post (its author or a moderator), leaving a tombstone.
    pub async fn delete_post(&self, actor: &Actor, id: &PostId) -> Result<Post> {
        let (old, access, _) = self.post_access(actor, id, |_| Vec::new()).await?;
        self.may_change(actor, &access, &old.author, true)?;
        if old.deleted_at.is_some() {
            return Ok(old);
        }
        let now = self.now();
        let new = Post {
            body: String::new(),
            mentions: Vec::new(),
            deleted_at: Some(now),
            version: old.version + 1,
            ..old.clone()
        };
        let tx = Transaction::new()
            .with(DiscussionOp::PutPost {
                post: new.clone(),
                expect: Expect::Version(old.version),
            })
            .with(self.activity(
                actor,
                old.community,
                Some(old.space),
                now,
                ActivityKind::PostDeleted {
                    thread: old.thread,
                    post: *id,
                },
            ));
        self.commit(tx).await?;
        Ok(new)
    }

    /// Adds a reaction (one of each kind per person per post; repeating is harmless).
    pub async fn react(&self, actor: &Actor, post: &PostId, kind: ReactionKind) -> Result<Post> {
        let (p, access, records) = self
            .post_access(actor, post, |_| {
                vec![Wanted::Reaction(*post, actor.user.clone(), kind)]
            })
            .await?;
        access.require(actor, SpaceAction::Contribute)?;
        if p.deleted_at.is_some() {
            return Err(Error::Conflict(Conflict::WrongState));
        }
        if records.has_reaction(kind) {
            return Ok(p);
        }
        let now = self.now();
        let tx = Transaction::new()
            .with(DiscussionOp::AddReaction {
                reaction: Reaction {
                    post: *post,
                    user: actor.user.clone(),
                    kind,
                    at: now,
                },
            })
            .with(self.activity(
                actor,
                p.community,
                Some(p.space),
                now,
                ActivityKind::Reacted {
                    post: *post,
                    reaction: kind,
                },
            ));
        self.commit(tx).await?;
        Ok(with_reaction(p, kind, 1))
    }

    /// Takes a reaction back (harmless if not given).
    pub async fn unreact(&self, actor: &Actor, post: &PostId, kind: ReactionKind) -> Result<Post> {
        let (p, access, records) = self
            .post_access(actor, post, |_| {
                vec![Wanted::Reaction(*post, actor.user.clone(), kind)]
            })
            .await?;
        access.require(actor, SpaceAction::Contribute)?;
        if !records.has_reaction(kind) {
            return Ok(p);
        }
        self.commit(Transaction::new().with(DiscussionOp::RemoveReaction {
            post: *post,
            user: actor.user.clone(),
            kind,
        }))
        .await?;
        Ok(with_reaction(p, kind, -1))
    }

    /// The caller's reactions to a post (not found once the post is deleted).
    pub async fn my_reactions(&self, actor: &Actor, post: &PostId) -> Result<Vec<ReactionKind>> {
        const KINDS: [ReactionKind; 3] = [
            ReactionKind::Like,
            ReactionKind::Thanks,
            ReactionKind::Insightful,
        ];
        let (found, _, records) = self
            .post_access(actor, post, |_| {
                KINDS
                    .iter()
                    .map(|k| Wanted::Reaction(*post, actor.user.clone(), *k))
                    .collect()
            })
            .await?;
        if found.deleted_at.is_some() {
            return Err(Error::NotFound);
        }
        Ok(KINDS
            .into_iter()
            .filter(|k| records.has_reaction(*k))
            .collect())
    }
}

/// The post as one reaction change left it (others show on the next read).
fn with_reaction(post: Post, kind: ReactionKind, delta: i64) -> Post {
    Post {
        reactions: post
            .reactions
            .adjusted(kind, delta)
            .unwrap_or(post.reactions),
        ..post
    }
}
