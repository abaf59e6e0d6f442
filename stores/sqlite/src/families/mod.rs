//! The families of records in SQLite, one file each with the same name as
//! the store contract's (`core/src/store/<family>.rs`) and the memory
//! store's: each holds the family's keys, the checks and effects of its
//! operations, and its reads, as functions over a connection inside the
//! caller's transaction.
//!
//! Every family of the contract is here.

pub(crate) mod activity;
pub(crate) mod communities;
pub(crate) mod digests;
pub(crate) mod discussions;
pub(crate) mod documents;
pub(crate) mod events;
pub(crate) mod invitations;
pub(crate) mod moderation;
pub(crate) mod polls;
pub(crate) mod profiles;
pub(crate) mod spaces;

use copkit_core::store::{ConditionFailure, Expect};
use jiff::Timestamp;

/// Whether a record at `current` version meets `expect`.
pub(crate) fn check_expect(current: Option<u64>, expect: Expect) -> Result<(), ConditionFailure> {
    match (current, expect) {
        (None, Expect::Absent) => Ok(()),
        (Some(_), Expect::Absent) => Err(ConditionFailure::AlreadyExists),
        (Some(v), Expect::Version(want)) if v == want => Ok(()),
        (_, Expect::Version(_)) => Err(ConditionFailure::VersionMismatch),
    }
}

/// An instant as a fixed-width string that sorts like the instant
/// (nanoseconds, offset so that every representable instant is positive).
pub(crate) fn time_key(t: Timestamp) -> String {
    const OFFSET: i128 = 400_000_000_000_000_000_000;
    format!("{:021}", t.as_nanosecond() + OFFSET)
}
