//! Planning the writes of [`ProfileOp`]: the items each operation puts,
//! updates or deletes, with their conditions.

use copkit_core::store::{ConditionFailure, ProfileOp, StoreError};

use super::{Expr, Parts, absent, expect_condition, expect_failure, fixed};
use crate::dynamo::DynamoStore;
use crate::dynamo::codec::{CLAIM_USER, encode, key_item, s};
use crate::dynamo::keys::{self};

impl DynamoStore {
    /// The written items of `op`.
    pub(super) fn plan_profiles(
        &self,
        op: &ProfileOp,
        parts: &mut Parts,
    ) -> Result<(), StoreError> {
        match op {
            ProfileOp::PutProfile {
                profile,
                expect,
                previous_handle,
            } => {
                let mut e = Expr::default();
                let condition = expect_condition(*expect, &mut e);
                let item = encode(profile, &keys::profile(&profile.user))?;
                parts.add(self.put(item, &[condition], e)?, expect_failure(*expect));
                if profile.handle != *previous_handle {
                    if let Some(new) = &profile.handle {
                        let key = keys::handle(new);
                        let mut claim = key_item(&key);
                        claim.insert(CLAIM_USER.into(), s(profile.user.as_str()));
                        let mut e = Expr::default();
                        let free = absent(&mut e);
                        let user = e.name(CLAIM_USER);
                        let mine =
                            format!("({free} OR {user} = {})", e.value(s(profile.user.as_str())));
                        parts.add(
                            self.put(claim, &[mine], e)?,
                            fixed(ConditionFailure::AlreadyExists),
                        );
                    }
                    if let Some(old) = previous_handle {
                        let mut e = Expr::default();
                        let gone = absent(&mut e);
                        let user = e.name(CLAIM_USER);
                        let mine =
                            format!("({gone} OR {user} = {})", e.value(s(profile.user.as_str())));
                        parts.add(
                            self.delete(&keys::handle(old), &[mine], e)?,
                            fixed(ConditionFailure::VersionMismatch),
                        );
                    }
                }
            }
            ProfileOp::PutCalendarFeed {
                feed,
                expect,
                previous,
            } => {
                let mut e = Expr::default();
                let condition = expect_condition(*expect, &mut e);
                let item = encode(feed, &keys::calendar_feed(&feed.user))?;
                parts.add(self.put(item, &[condition], e)?, expect_failure(*expect));
                let mut claim = key_item(&keys::feed_token(&feed.token_hash));
                claim.insert(CLAIM_USER.into(), s(feed.user.as_str()));
                let mut e = Expr::default();
                let free = absent(&mut e);
                let user = e.name(CLAIM_USER);
                let mine = format!("({free} OR {user} = {})", e.value(s(feed.user.as_str())));
                parts.add(
                    self.put(claim, &[mine], e)?,
                    fixed(ConditionFailure::AlreadyExists),
                );
                if let Some(old) = previous.as_ref().filter(|p| **p != feed.token_hash) {
                    let mut e = Expr::default();
                    let gone = absent(&mut e);
                    let user = e.name(CLAIM_USER);
                    let mine = format!("({gone} OR {user} = {})", e.value(s(feed.user.as_str())));
                    parts.add(
                        self.delete(&keys::feed_token(old), &[mine], e)?,
                        fixed(ConditionFailure::VersionMismatch),
                    );
                }
            }
            ProfileOp::ForgetCalendarFeed { user, token } => {
                parts.forget(self, &keys::calendar_feed(user))?;
                if let Some(token) = token {
                    parts.forget(self, &keys::feed_token(token))?;
                }
            }
            ProfileOp::ForgetProfile { user, handle } => {
                parts.forget(self, &keys::profile(user))?;
                if let Some(handle) = handle {
                    parts.forget(self, &keys::handle(handle))?;
                }
            }
        }
        Ok(())
    }
}
