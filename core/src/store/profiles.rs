//! Profiles and the handles they claim; calendar feeds and their tokens.
//!
//! The reads ([`ProfileStore`]) and the writes ([`ProfileOp`]) of one
//! family of records; every store implements them in a file of the same name.

use async_trait::async_trait;

use super::{Expect, ItemKey, Op, StoreError};
use crate::ids::UserId;
use crate::model::{CalendarFeed, Handle, Profile, TokenHash};

/// Profiles.
#[async_trait]
pub trait ProfileStore: Send + Sync {
    /// One profile.
    async fn get_profile(&self, user: &UserId) -> Result<Option<Profile>, StoreError>;
    /// Several profiles at once (missing ones are left out; order not kept).
    async fn get_profiles(&self, users: &[UserId]) -> Result<Vec<Profile>, StoreError>;
    /// The profile holding a handle.
    async fn get_profile_by_handle(&self, handle: &Handle) -> Result<Option<Profile>, StoreError>;
    /// A person's calendar feed.
    async fn get_calendar_feed(&self, user: &UserId) -> Result<Option<CalendarFeed>, StoreError>;
    /// The calendar feed whose token has `hash` (none once revoked).
    async fn get_calendar_feed_by_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<CalendarFeed>, StoreError>;
}

/// The writes to this family, each inside a [`Transaction`](super::Transaction)
/// (see [`Op`]).
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileOp {
    /// Create or replace a profile. When its handle differs from
    /// `previous_handle`, the new handle is claimed (`AlreadyExists` if
    /// taken) and the previous one released, in the same write.
    PutProfile {
        /// The new record.
        profile: Profile,
        /// Its expected current state.
        expect: Expect,
        /// The handle it had when read.
        previous_handle: Option<Handle>,
    },
    /// Create or replace a person's calendar feed: its new token is claimed
    /// (`AlreadyExists` if taken) and `previous` released, in the same
    /// write.
    PutCalendarFeed {
        /// The new record.
        feed: CalendarFeed,
        /// Its expected current state.
        expect: Expect,
        /// The token hash it had when read (revoked).
        previous: Option<TokenHash>,
    },
    /// Delete a person's calendar feed and release its token (nothing
    /// happens when absent).
    ForgetCalendarFeed {
        /// Whose.
        user: UserId,
        /// Its token hash (released).
        token: Option<TokenHash>,
    },
    /// Delete a profile and release its handle (erasure; nothing happens
    /// when absent).
    ForgetProfile {
        /// Whose.
        user: UserId,
        /// The handle it holds (released).
        handle: Option<Handle>,
    },
}

impl ProfileOp {
    /// The items this operation writes.
    pub fn items(&self) -> Vec<ItemKey> {
        match self {
            ProfileOp::PutProfile {
                profile,
                previous_handle,
                ..
            } => {
                let mut items = vec![ItemKey::Profile(profile.user.clone())];
                if profile.handle != *previous_handle {
                    items.extend(previous_handle.iter().cloned().map(ItemKey::Handle));
                    items.extend(profile.handle.iter().cloned().map(ItemKey::Handle));
                }
                items
            }
            ProfileOp::PutCalendarFeed { feed, previous, .. } => {
                let mut items = vec![
                    ItemKey::CalendarFeed(feed.user.clone()),
                    ItemKey::FeedToken(feed.token_hash.clone()),
                ];
                items.extend(
                    previous
                        .iter()
                        .filter(|p| **p != feed.token_hash)
                        .cloned()
                        .map(ItemKey::FeedToken),
                );
                items
            }
            ProfileOp::ForgetCalendarFeed { user, token } => {
                let mut items = vec![ItemKey::CalendarFeed(user.clone())];
                items.extend(token.iter().cloned().map(ItemKey::FeedToken));
                items
            }
            ProfileOp::ForgetProfile { user, handle } => {
                let mut items = vec![ItemKey::Profile(user.clone())];
                items.extend(handle.iter().cloned().map(ItemKey::Handle));
                items
            }
        }
    }
}

impl From<ProfileOp> for Op {
    fn from(op: ProfileOp) -> Op {
        Op::Profile(op)
    }
}
