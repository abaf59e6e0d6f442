use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{CommunityId, PostId, SpaceId, ThreadId, UserId};
use crate::model::Hidden;

/// A discussion or a question in a space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Thread {
    /// Its id.
    pub id: ThreadId,
    /// The space it is in.
    pub space: SpaceId,
    /// The space's community.
    pub community: CommunityId,
    /// Discussion or question.
    pub kind: ThreadKind,
    /// Its title (3–200 characters).
    pub title: String,
    /// Its opening text, Markdown (up to 20,000 characters).
    pub body: String,
    /// Tags, lower-case.
    pub tags: Vec<String>,
    /// People mentioned in the body who can see the space.
    pub mentions: Vec<UserId>,
    /// Who started it.
    pub author: UserId,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// When its title, body or tags last changed.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub edited_at: Option<Timestamp>,
    /// Kept by the store: when it last had a post, reply or edit.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub last_activity_at: Timestamp,
    /// Kept by the store: posts and replies, tombstones included.
    pub post_count: u32,
    /// Pinned to the top by a moderator.
    pub pinned: bool,
    /// Locked by a moderator: no new posts or replies.
    pub locked: bool,
    /// For questions: the post accepted as the answer.
    pub accepted_answer: Option<PostId>,
    /// When it was deleted; its text is then gone and only a tombstone stays.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub deleted_at: Option<Timestamp>,
    /// Set while a moderator hides its opening post: only moderators and
    /// its author then read its title, body and tags (others get them
    /// empty; the replies stay).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub hidden: Option<Hidden>,
    /// Optimistic-concurrency version of its content and flags.
    pub version: u64,
}

impl Thread {
    /// True for questions.
    pub fn is_question(&self) -> bool {
        self.kind == ThreadKind::Question
    }

    /// True for a question with an accepted answer.
    pub fn is_answered(&self) -> bool {
        self.accepted_answer.is_some()
    }
}

/// What a thread is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ThreadKind {
    /// An open discussion.
    Discussion,
    /// A question that can have an accepted answer.
    Question,
}

/// A post in a thread, or a reply to one (one level deep).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Post {
    /// Its id.
    pub id: PostId,
    /// Its thread.
    pub thread: ThreadId,
    /// The thread's space.
    pub space: SpaceId,
    /// The space's community.
    pub community: CommunityId,
    /// The post it replies to, if it is a reply.
    pub parent: Option<PostId>,
    /// Who wrote it.
    pub author: UserId,
    /// Its text, Markdown (up to 20,000 characters; empty once deleted).
    pub body: String,
    /// People mentioned who can see the space.
    pub mentions: Vec<UserId>,
    /// Kept by the store: reactions by kind.
    pub reactions: ReactionCounts,
    /// When it was written.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// When it was last edited.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub edited_at: Option<Timestamp>,
    /// When it was deleted (a tombstone: the text is gone).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub deleted_at: Option<Timestamp>,
    /// Set while a moderator hides it: only moderators and its author then
    /// read its text (others get an empty body).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub hidden: Option<Hidden>,
    /// Optimistic-concurrency version of its text.
    pub version: u64,
}

/// The fixed set of reactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ReactionKind {
    /// 👍
    Like,
    /// 🙏
    Thanks,
    /// 💡
    Insightful,
}

impl ReactionKind {
    /// Every reaction.
    pub const ALL: [ReactionKind; 3] = [
        ReactionKind::Like,
        ReactionKind::Thanks,
        ReactionKind::Insightful,
    ];
}

impl fmt::Display for ReactionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReactionKind::Like => "like",
            ReactionKind::Thanks => "thanks",
            ReactionKind::Insightful => "insightful",
        })
    }
}

/// How many of each reaction a post has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ReactionCounts {
    /// Likes.
    pub like: u32,
    /// Thanks.
    pub thanks: u32,
    /// Insightful.
    pub insightful: u32,
}

impl ReactionCounts {
    /// The count for one kind.
    pub fn get(&self, kind: ReactionKind) -> u32 {
        match kind {
            ReactionKind::Like => self.like,
            ReactionKind::Thanks => self.thanks,
            ReactionKind::Insightful => self.insightful,
        }
    }

    /// The counts with one kind changed by `delta`, or `None` below zero.
    pub fn adjusted(&self, kind: ReactionKind, delta: i64) -> Option<ReactionCounts> {
        let v = u32::try_from(i64::from(self.get(kind)) + delta).ok()?;
        let mut next = *self;
        match kind {
            ReactionKind::Like => next.like = v,
            ReactionKind::Thanks => next.thanks = v,
            ReactionKind::Insightful => next.insightful = v,
        }
        Some(next)
    }
}

/// One person's reaction of one kind to one post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    /// The post.
    pub post: PostId,
    /// Who reacted.
    pub user: UserId,
    /// How.
    pub kind: ReactionKind,
    /// When.
    pub at: Timestamp,
}
