//! Polls, ballots and tallies.
//!
//! The reads ([`PollStore`]) and the writes ([`PollOp`]) of one
//! family of records; every store implements them in a file of the same name.

use async_trait::async_trait;
use jiff::Timestamp;

use super::{Chunk, Expect, ItemKey, Op, Range, StoreError};
use crate::ids::{PollId, SpaceId, UserId};
use crate::model::{Ballot, Poll};

/// Polls and ballots.
#[async_trait]
pub trait PollStore: Send + Sync {
    /// One poll.
    async fn get_poll(&self, id: &PollId) -> Result<Option<Poll>, StoreError>;
    /// A space's polls, newest first.
    async fn list_polls(&self, space: &SpaceId, range: &Range) -> Result<Chunk<Poll>, StoreError>;
    /// One person's ballot.
    async fn get_ballot(&self, poll: &PollId, user: &UserId) -> Result<Option<Ballot>, StoreError>;
    /// A poll's ballots, by user id (to tell the voters when it closes).
    async fn list_ballots(&self, poll: &PollId, range: &Range)
    -> Result<Chunk<Ballot>, StoreError>;
}

/// The writes to this family, each inside a [`Transaction`](super::Transaction)
/// (see [`Op`]).
#[derive(Debug, Clone, PartialEq)]
pub enum PollOp {
    /// Create or replace a poll's question and settings (its tally and voter
    /// count are the store's and survive a replace).
    PutPoll {
        /// The new record.
        poll: Poll,
        /// Its expected current state.
        expect: Expect,
    },
    /// Create or replace a ballot.
    PutBallot {
        /// The new record.
        ballot: Ballot,
        /// Its expected current state.
        expect: Expect,
    },
    /// Change a poll's tally (one delta per option) and voter count. Fails
    /// `Closed` if the poll is closed at `now`, `VersionMismatch` if gone or
    /// if the deltas do not match its options.
    AdjustTally {
        /// The poll.
        poll: PollId,
        /// One change per option.
        deltas: Vec<i64>,
        /// Change in voters.
        voters: i64,
        /// The time of the vote.
        now: Timestamp,
    },
    /// Delete a ballot, keeping the poll's tally (an aggregate; erasure).
    /// Nothing happens when absent.
    ForgetBallot {
        /// The poll.
        poll: PollId,
        /// Whose.
        user: UserId,
    },
}

impl PollOp {
    /// The items this operation writes.
    pub fn items(&self) -> Vec<ItemKey> {
        match self {
            PollOp::PutPoll { poll, .. } => vec![ItemKey::Poll(poll.id)],
            PollOp::PutBallot { ballot, .. } => {
                vec![ItemKey::Ballot(ballot.poll, ballot.user.clone())]
            }
            PollOp::AdjustTally { poll, .. } => vec![ItemKey::Poll(*poll)],
            PollOp::ForgetBallot { poll, user } => vec![ItemKey::Ballot(*poll, user.clone())],
        }
    }
}

impl From<PollOp> for Op {
    fn from(op: PollOp) -> Op {
        Op::Poll(op)
    }
}
