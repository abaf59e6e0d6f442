//! What every store writes the same way: the separator of composite keys
//! and positions, an instant as a sortable key, and the check of an
//! [`Expect`] against the version a record has.

use jiff::Timestamp;

use super::{ConditionFailure, Expect};

/// Separates the parts of a composite key or list position. No id, user
/// id, slug, handle or name may contain it, so a part never runs into the
/// next and a prefix ending in it is exact.
pub const SEP: char = '\u{1f}';

/// An instant as a fixed-width string that sorts like the instant
/// (nanoseconds, offset so that every representable instant is positive).
pub fn time_key(t: Timestamp) -> String {
    const OFFSET: i128 = 400_000_000_000_000_000_000;
    format!("{:021}", t.as_nanosecond() + OFFSET)
}

/// Whether a record at version `current` (`None`: absent) meets `expect`.
pub fn check_expect(current: Option<u64>, expect: Expect) -> Result<(), ConditionFailure> {
    match (current, expect) {
        (None, Expect::Absent) => Ok(()),
        (Some(_), Expect::Absent) => Err(ConditionFailure::AlreadyExists),
        (Some(v), Expect::Version(want)) if v == want => Ok(()),
        (_, Expect::Version(_)) => Err(ConditionFailure::VersionMismatch),
    }
}
