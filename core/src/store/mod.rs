//! The storage contract (DESIGN §4): async read traits, one per aggregate,
//! and one atomic write ([`WriteStore::commit`]) that applies a
//! [`Transaction`] of typed operations entirely or not at all.
//!
//! Reads return `Option` for single items and a [`Chunk`] for lists. Lists
//! take a [`Range`] whose `after` is a raw position the same store returned
//! earlier; services sign positions into opaque cursors (see
//! [`crate::cursor`]), so stores never see caller-made positions unless
//! they were signed by this deployment — but they still validate them.
//!
//! A transaction maps one-to-one onto DynamoDB's `TransactWriteItems`: each
//! [`Op`] touches its own items (no item twice), carries its own condition,
//! and the whole thing holds at most [`Transaction::MAX_OPS`] operations.
//! Cross-item invariants (member and owner counts, the last owner, invitation
//! use limits, slug uniqueness) are conditions inside that one write.
//!
//! The contract is sliced by family of records, one file each, and every
//! store follows the same slicing (`memory/events.rs`, the conformance
//! suite's `conformance/events.rs`, DynamoDB's `reads/events.rs` and
//! `write/events.rs`, ...):
//!
//! | file | reads | writes |
//! |---|---|---|
//! | `profiles.rs` | [`ProfileStore`] | [`ProfileOp`] |
//! | `communities.rs` | [`CommunityStore`], [`MembershipStore`] | [`CommunityOp`] |
//! | `spaces.rs` | [`SpaceStore`] | [`SpaceOp`] |
//! | `discussions.rs` | [`ThreadStore`] | [`DiscussionOp`] |
//! | `documents.rs` | [`DocumentStore`] | [`DocumentOp`] |
//! | `events.rs` | [`EventStore`] | [`EventOp`] |
//! | `polls.rs` | [`PollStore`] | [`PollOp`] |
//! | `moderation.rs` | [`ModerationStore`] | [`ModerationOp`] |
//! | `digests.rs` | [`DigestStore`] | [`DigestOp`] |
//! | `notifications.rs` | [`NotificationStore`] | [`NotificationOp`] |
//! | `activity.rs` | [`ActivityStore`], [`ParticipationStore`], [`ValueStoryStore`] | [`ActivityOp`] |
//! | `invitations.rs` | [`InvitationStore`], [`JoinRequestStore`] | [`InvitationOp`] |
//! | `ephemeral.rs` | [`EphemeralStore`]: remembered writes and rate-limit tallies, each call atomic on its own, outside transactions | — |
//!
//! `transaction.rs` holds the write itself ([`Transaction`], [`Op`]),
//! `batch.rs` the batched read of several records, `rules.rs` the count
//! rules every store applies inside its write.

mod activity;
pub mod batch;
mod communities;
#[cfg(feature = "conformance")]
pub mod conformance;
#[cfg(feature = "conformance")]
pub mod counting;
mod digests;
mod discussions;
mod documents;
mod ephemeral;
mod events;
mod invitations;
pub mod keys;
mod memory;
mod moderation;
mod notifications;
mod polls;
mod profiles;
pub mod rules;
mod spaces;
mod transaction;

pub use activity::{ActivityOp, ActivityStore, ParticipationStore, ValueStoryStore};
pub use batch::{BatchStore, Record, Records, Wanted};
pub use communities::{
    AccessFacts, CommunityOp, CommunityStore, DirectoryQuery, MemberFilter, MembershipStore,
};
pub use digests::{DigestOp, DigestStore};
pub use discussions::{DiscussionOp, ThreadStore};
pub use documents::{DocumentOp, DocumentStore};
pub use ephemeral::{EphemeralStore, Remembered};
pub use events::{EventOp, EventStore};
pub use invitations::{InvitationOp, InvitationStore, JoinRequestStore};
pub use memory::MemoryStore;
pub use moderation::{ModerationOp, ModerationStore};
pub use notifications::{NotificationOp, NotificationStore};
pub use polls::{PollOp, PollStore};
pub use profiles::{ProfileOp, ProfileStore};
pub use spaces::{SpaceOp, SpaceStore};
pub use transaction::{ConditionFailure, Expect, ItemKey, Op, Transaction, WriteStore};

/// Where a list page starts and how long it is, as the store sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    /// At most this many items (1..=100).
    pub limit: u32,
    /// Start after this position (from a previous [`Chunk::next`]).
    pub after: Option<String>,
}

impl Range {
    /// The first `limit` items.
    pub fn first(limit: u32) -> Self {
        Range { limit, after: None }
    }
}

/// One page of a list, as the store returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk<T> {
    /// The items.
    pub items: Vec<T>,
    /// The position right after each item, one per item: the list read
    /// again from `positions[i]` continues with `items[i + 1]`. A caller
    /// that keeps only some items can end its page at any of them.
    pub positions: Vec<String>,
    /// The position to continue after; `None` when the list is exhausted.
    pub next: Option<String>,
}

impl<T> Chunk<T> {
    /// An empty, exhausted chunk.
    pub fn empty() -> Self {
        Chunk {
            items: Vec::new(),
            positions: Vec::new(),
            next: None,
        }
    }
}

/// Everything a copkit store provides.
pub trait Store:
    ProfileStore
    + CommunityStore
    + MembershipStore
    + JoinRequestStore
    + InvitationStore
    + SpaceStore
    + ActivityStore
    + ParticipationStore
    + DigestStore
    + NotificationStore
    + ModerationStore
    + ValueStoryStore
    + ThreadStore
    + DocumentStore
    + EventStore
    + PollStore
    + BatchStore
    + WriteStore
    + EphemeralStore
{
}

impl<T> Store for T where
    T: ProfileStore
        + CommunityStore
        + MembershipStore
        + JoinRequestStore
        + InvitationStore
        + SpaceStore
        + ActivityStore
        + ParticipationStore
        + DigestStore
        + NotificationStore
        + ModerationStore
        + ValueStoryStore
        + ThreadStore
        + DocumentStore
        + EventStore
        + PollStore
        + BatchStore
        + WriteStore
        + EphemeralStore
{
}

/// Why a store call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The condition of operation `op` (its index in the transaction) failed;
    /// nothing was written.
    #[error("condition of operation {op} failed: {failure:?}")]
    Condition {
        /// Index of the failing operation.
        op: usize,
        /// What failed.
        failure: ConditionFailure,
    },
    /// The transaction is malformed (a bug in the caller).
    #[error("invalid transaction: {0}")]
    InvalidTransaction(String),
    /// A list position that this store did not produce for this list.
    #[error("invalid list position")]
    InvalidPosition,
    /// The store is throttling or unreachable.
    #[error("store unavailable")]
    Unavailable {
        /// Seconds to wait before retrying.
        retry_after_secs: u32,
    },
    /// Anything else (the message is for logs only).
    #[error("store failure: {0}")]
    Internal(String),
}
