//! The families of records in SQLite, one file each with the same name as
//! the store contract's (`core/src/store/<family>.rs`) and the memory
//! store's: each holds the family's keys, the checks and effects of its
//! operations, and its reads, as functions over a connection inside the
//! caller's transaction.
//!
//! Ported so far: profiles, spaces. The rest follow the same shape.

pub(crate) mod profiles;
pub(crate) mod spaces;

use copkit_core::store::{ConditionFailure, Expect};

/// Whether a record at `current` version meets `expect`.
pub(crate) fn check_expect(current: Option<u64>, expect: Expect) -> Result<(), ConditionFailure> {
    match (current, expect) {
        (None, Expect::Absent) => Ok(()),
        (Some(_), Expect::Absent) => Err(ConditionFailure::AlreadyExists),
        (Some(v), Expect::Version(want)) if v == want => Ok(()),
        (_, Expect::Version(_)) => Err(ConditionFailure::VersionMismatch),
    }
}
