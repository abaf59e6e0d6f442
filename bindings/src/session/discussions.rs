//! Threads, posts and reactions.

use copkit_core::model::{Post, ReactionKind, Thread};
use copkit_core::service::{NewPost, NewThread, ThreadChanges};
use copkit_core::{PostId, SpaceId, ThreadId};

use super::{Backend, Session, SessionResult};
use crate::pages::{self, *};
use crate::remote::remote_error;

#[uniffi::export(async_runtime = "tokio")]
impl Session {
    /// Starts a discussion or a question.
    pub async fn start_thread(&self, space: SpaceId, input: NewThread) -> SessionResult<Thread> {
        Ok(both!(self, start_thread(&space, input))?)
    }

    /// A thread.
    pub async fn get_thread(&self, id: ThreadId) -> SessionResult<Thread> {
        Ok(both!(self, get_thread(&id))?)
    }

    /// Threads of a space, most recently active first.
    pub async fn list_threads(
        &self,
        space: SpaceId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<ThreadPage> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, list_threads(&space, &page))?.into())
    }

    /// Pinned threads of a space.
    pub async fn pinned_threads(&self, space: SpaceId) -> SessionResult<Vec<Thread>> {
        Ok(both!(self, pinned_threads(&space))?)
    }

    /// Edits a thread (its author).
    pub async fn edit_thread(
        &self,
        id: ThreadId,
        changes: ThreadChanges,
        expected_version: u64,
    ) -> SessionResult<Thread> {
        Ok(both!(self, edit_thread(&id, changes, expected_version))?)
    }

    /// Deletes a thread (its author or moderators).
    pub async fn delete_thread(&self, id: ThreadId) -> SessionResult<()> {
        match &self.backend {
            Backend::Embedded { shared, actor } => {
                shared.core.delete_thread(actor, &id).await?;
                Ok(())
            }
            Backend::Remote { client, .. } => client.delete_thread(&id).await.map_err(remote_error),
        }
    }

    /// Pins or unpins a thread (moderators).
    pub async fn set_thread_pinned(&self, id: ThreadId, pinned: bool) -> SessionResult<Thread> {
        Ok(both!(self, set_thread_pinned(&id, pinned))?)
    }

    /// Locks or unlocks a thread (moderators).
    pub async fn set_thread_locked(&self, id: ThreadId, locked: bool) -> SessionResult<Thread> {
        Ok(both!(self, set_thread_locked(&id, locked))?)
    }

    /// Marks a reply as a question's answer (or clears it with `None`).
    pub async fn accept_answer(&self, id: ThreadId, post: Option<PostId>) -> SessionResult<Thread> {
        Ok(both!(self, accept_answer(&id, post))?)
    }

    /// Replies in a thread.
    pub async fn add_post(&self, thread: ThreadId, input: NewPost) -> SessionResult<Post> {
        Ok(both!(self, add_post(&thread, input))?)
    }

    /// Posts of a thread, oldest first.
    pub async fn list_posts(
        &self,
        thread: ThreadId,
        limit: Option<u32>,
        cursor: Option<String>,
    ) -> SessionResult<PostPage> {
        let page = pages::request(limit, cursor);
        Ok(both!(self, list_posts(&thread, &page))?.into())
    }

    /// A post.
    pub async fn get_post(&self, id: PostId) -> SessionResult<Post> {
        Ok(both!(self, get_post(&id))?)
    }

    /// Edits a post (its author).
    pub async fn edit_post(
        &self,
        id: PostId,
        body: String,
        expected_version: u64,
    ) -> SessionResult<Post> {
        Ok(both!(self, edit_post(&id, &body, expected_version))?)
    }

    /// Deletes a post (its author or moderators).
    pub async fn delete_post(&self, id: PostId) -> SessionResult<()> {
        match &self.backend {
            Backend::Embedded { shared, actor } => {
                shared.core.delete_post(actor, &id).await?;
                Ok(())
            }
            Backend::Remote { client, .. } => client.delete_post(&id).await.map_err(remote_error),
        }
    }

    /// Reacts to a post (once per kind).
    pub async fn react(&self, post: PostId, kind: ReactionKind) -> SessionResult<Post> {
        Ok(both!(self, react(&post, kind))?)
    }

    /// Takes a reaction back.
    pub async fn unreact(&self, post: PostId, kind: ReactionKind) -> SessionResult<Post> {
        Ok(both!(self, unreact(&post, kind))?)
    }

    /// The caller's reactions to a post.
    pub async fn my_reactions(&self, post: PostId) -> SessionResult<Vec<ReactionKind>> {
        Ok(both!(self, my_reactions(&post))?)
    }
}
