//! Polls and ballots, in SQLite. The same rules as the memory store's
//! `polls.rs`.
//!
//! | record | key | also listed under |
//! |---|---|---|
//! | poll | `POLL#id` / `META` | index 1: `POLLS␟space` / `id` |
//! | ballot | `POLL#poll` / `BALLOT#user` | — |

use copkit_core::model::{Ballot, Poll};
use copkit_core::store::{Chunk, ConditionFailure, PollOp, Range, StoreError, rules};
use copkit_core::{PollId, SpaceId, UserId};
use rusqlite::Connection;

use super::check_expect;
use crate::items::{self, Index, Key, Listed, Order, SEP, Source};

fn poll_key(id: &PollId) -> Key {
    Key::new(format!("POLL#{id}"), "META")
}

const BALLOT_PREFIX: &str = "BALLOT#";

fn ballot_key(poll: &PollId, user: &UserId) -> Key {
    Key::new(format!("POLL#{poll}"), format!("{BALLOT_PREFIX}{user}"))
}

fn polls_of(space: &SpaceId) -> String {
    format!("POLLS{SEP}{space}")
}

fn put_poll(conn: &Connection, poll: &Poll) -> Result<(), StoreError> {
    let listed = Listed::nowhere().on(Index::One, polls_of(&poll.space), poll.id.to_string());
    items::put(conn, &poll_key(&poll.id), poll, &listed)
}

/// Whether `op` may be applied now.
pub(crate) fn check(
    conn: &Connection,
    op: &PollOp,
) -> Result<Result<(), ConditionFailure>, StoreError> {
    Ok(match op {
        PollOp::PutPoll { poll, expect } => {
            check_expect(get_poll(conn, &poll.id)?.map(|p| p.version), *expect)
        }
        PollOp::PutBallot { ballot, expect } => check_expect(
            get_ballot(conn, &ballot.poll, &ballot.user)?.map(|b| b.version),
            *expect,
        ),
        PollOp::AdjustTally {
            poll,
            deltas,
            voters,
            now,
        } => rules::adjust_poll_tally(get_poll(conn, poll)?.as_ref(), deltas, *voters, *now)
            .map(drop),
        PollOp::ForgetBallot { .. } => Ok(()),
    })
}

/// Applies `op` (checked already).
pub(crate) fn apply(conn: &Connection, op: PollOp) -> Result<(), StoreError> {
    match op {
        PollOp::PutPoll { mut poll, .. } => {
            if let Some(current) = get_poll(conn, &poll.id)? {
                poll.tally = current.tally;
                poll.voters = current.voters;
            }
            put_poll(conn, &poll)
        }
        PollOp::PutBallot { ballot, .. } => items::put(
            conn,
            &ballot_key(&ballot.poll, &ballot.user),
            &ballot,
            &Listed::nowhere(),
        ),
        PollOp::AdjustTally {
            poll,
            deltas,
            voters,
            now,
        } => {
            if let Some(mut p) = get_poll(conn, &poll)?
                && let Ok((tally, count)) = rules::adjust_poll_tally(Some(&p), &deltas, voters, now)
            {
                p.tally = tally;
                p.voters = count;
                put_poll(conn, &p)?;
            }
            Ok(())
        }
        PollOp::ForgetBallot { poll, user } => items::delete(conn, &ballot_key(&poll, &user)),
    }
}

/// One poll.
pub(crate) fn get_poll(conn: &Connection, id: &PollId) -> Result<Option<Poll>, StoreError> {
    items::get(conn, &poll_key(id))
}

/// A space's polls, newest first.
pub(crate) fn list_polls(
    conn: &Connection,
    space: &SpaceId,
    range: &Range,
) -> Result<Chunk<Poll>, StoreError> {
    if let Some(p) = &range.after {
        p.parse::<PollId>()
            .map_err(|_| StoreError::InvalidPosition)?;
    }
    items::chunk(
        conn,
        Source::Index {
            index: Index::One,
            pk: &polls_of(space),
            prefix: "",
        },
        Order::Descending,
        range,
        |_: &Poll| true,
    )
}

/// A person's ballot in a poll.
pub(crate) fn get_ballot(
    conn: &Connection,
    poll: &PollId,
    user: &UserId,
) -> Result<Option<Ballot>, StoreError> {
    items::get(conn, &ballot_key(poll, user))
}

/// A poll's ballots, by user id.
pub(crate) fn list_ballots(
    conn: &Connection,
    poll: &PollId,
    range: &Range,
) -> Result<Chunk<Ballot>, StoreError> {
    if let Some(p) = &range.after {
        p.strip_prefix(BALLOT_PREFIX)
            .and_then(|user| UserId::new(user).ok())
            .ok_or(StoreError::InvalidPosition)?;
    }
    items::chunk(
        conn,
        Source::Partition {
            pk: &format!("POLL#{poll}"),
            prefix: BALLOT_PREFIX,
        },
        Order::Ascending,
        range,
        |_: &Ballot| true,
    )
}
