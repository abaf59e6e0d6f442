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
pub(crate) mod notifications;
pub(crate) mod polls;
pub(crate) mod profiles;
pub(crate) mod spaces;

pub(crate) use copkit_core::store::keys::{check_expect, time_key};
