//! Threads, posts and reactions.

use copkit_core::model::{Post, ReactionKind, Thread};
use copkit_core::service::{NewPost, NewThread, ThreadChanges};
use copkit_core::{PostId, SpaceId, ThreadId};

use super::{Session, SessionResult};
use crate::pages::{self, *};

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Starts a discussion or a question.
    pub async fn start_thread(&self, space: SpaceId, input: NewThread) -> SessionResult<Thread> {
        Ok(self.core().start_thread(&self.actor, &space, input).await?)
    }

    /// A thread.
    pub async fn get_thread(&self, id: ThreadId) -> SessionResult<Thread> {
        Ok(self.core().get_thread(&self.actor, &id).await?)
    }

    /// Threads of a space, most recently active first.
    pub async fn list_threads(
        &self,
        space: SpaceId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<ThreadPage> {
        let page = pages::request(limit, cursor);
        Ok(self
            .core()
            .list_threads(&self.actor, &space, &page)
            .await?
            .into())
    }

    /// Pinned threads of a space.
    pub async fn pinned_threads(&self, space: SpaceId) -> SessionResult<Vec<Thread>> {
        Ok(self.core().pinned_threads(&self.actor, &space).await?)
    }

    /// Edits a thread (its author).
    pub async fn edit_thread(
        &self,
        id: ThreadId,
        changes: ThreadChanges,
        expected_version: u64,
    ) -> SessionResult<Thread> {
        let core = self.core();
        Ok(core
            .edit_thread(&self.actor, &id, changes, expected_version)
            .await?)
    }

    /// Deletes a thread (its author or moderators).
    pub async fn delete_thread(&self, id: ThreadId) -> SessionResult<Thread> {
        Ok(self.core().delete_thread(&self.actor, &id).await?)
    }

    /// Pins or unpins a thread (moderators).
    pub async fn set_thread_pinned(&self, id: ThreadId, pinned: bool) -> SessionResult<Thread> {
        Ok(self
            .core()
            .set_thread_pinned(&self.actor, &id, pinned)
            .await?)
    }

    /// Locks or unlocks a thread (moderators).
    pub async fn set_thread_locked(&self, id: ThreadId, locked: bool) -> SessionResult<Thread> {
        Ok(self
            .core()
            .set_thread_locked(&self.actor, &id, locked)
            .await?)
    }

    /// Marks a reply as a question's answer (or clears it with `None`).
    pub async fn accept_answer(&self, id: ThreadId, post: Option<PostId>) -> SessionResult<Thread> {
        Ok(self.core().accept_answer(&self.actor, &id, post).await?)
    }

    /// Replies in a thread.
    pub async fn add_post(&self, thread: ThreadId, input: NewPost) -> SessionResult<Post> {
        Ok(self.core().add_post(&self.actor, &thread, input).await?)
    }

    /// Posts of a thread, oldest first.
    pub async fn list_posts(
        &self,
        thread: ThreadId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<PostPage> {
        let page = pages::request(limit, cursor);
        Ok(self
            .core()
            .list_posts(&self.actor, &thread, &page)
            .await?
            .into())
    }

    /// A post.
    pub async fn get_post(&self, id: PostId) -> SessionResult<Post> {
        Ok(self.core().get_post(&self.actor, &id).await?)
    }

    /// Edits a post (its author).
    pub async fn edit_post(
        &self,
        id: PostId,
        body: String,
        expected_version: u64,
    ) -> SessionResult<Post> {
        let core = self.core();
        Ok(core
            .edit_post(&self.actor, &id, &body, expected_version)
            .await?)
    }

    /// Deletes a post (its author or moderators).
    pub async fn delete_post(&self, id: PostId) -> SessionResult<Post> {
        Ok(self.core().delete_post(&self.actor, &id).await?)
    }

    /// Reacts to a post (once per kind).
    pub async fn react(&self, post: PostId, kind: ReactionKind) -> SessionResult<Post> {
        Ok(self.core().react(&self.actor, &post, kind).await?)
    }

    /// Takes a reaction back.
    pub async fn unreact(&self, post: PostId, kind: ReactionKind) -> SessionResult<Post> {
        Ok(self.core().unreact(&self.actor, &post, kind).await?)
    }

    /// The caller's reactions to a post.
    pub async fn my_reactions(&self, post: PostId) -> SessionResult<Vec<ReactionKind>> {
        Ok(self.core().my_reactions(&self.actor, &post).await?)
    }
}
