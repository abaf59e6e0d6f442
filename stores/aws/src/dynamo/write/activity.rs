//! Planning the writes of [`ActivityOp`]: the items each operation puts,
//! updates or deletes, with their conditions.

use copkit_core::model::{Activity, Participation, ValueStory};
use copkit_core::store::{ActivityOp, ConditionFailure, StoreError};

use super::{Expr, Parts, absent, exists, fixed};
use crate::dynamo::DynamoStore;
use crate::dynamo::codec::{Item, encode, set_index};
use crate::dynamo::keys::{self};
use crate::dynamo::table::{GSI1, GSI2, GSI3};

impl DynamoStore {
    /// The written items of `op`.
    pub(super) fn plan_activity(
        &self,
        op: &ActivityOp,
        parts: &mut Parts,
    ) -> Result<(), StoreError> {
        match op {
            ActivityOp::RecordActivity { activity } => {
                let mut e = Expr::default();
                let condition = absent(&mut e);
                parts.add(
                    self.put(activity_item(activity)?, &[condition], e)?,
                    fixed(ConditionFailure::AlreadyExists),
                );
            }
            ActivityOp::AnonymiseActivity { activity } => {
                let mut e = Expr::default();
                let condition = exists(&mut e);
                parts.add(
                    self.put(activity_item(activity)?, &[condition], e)?,
                    fixed(ConditionFailure::VersionMismatch),
                );
            }
            ActivityOp::PutParticipation {
                participation,
                expect,
            } => {
                parts.put_expecting(self, participation_item(participation)?, *expect)?;
            }
            ActivityOp::PutValueStory { story, expect } => {
                parts.put_expecting(self, value_story_item(story)?, *expect)?;
            }
            ActivityOp::ForgetParticipation { community, user } => {
                parts.forget(self, &keys::participation(community, user))?;
            }
        }
        Ok(())
    }
}

fn participation_item(p: &Participation) -> Result<Item, StoreError> {
    let mut item = encode(p, &keys::participation(&p.community, &p.user))?;
    if let Some(at) = p.review_at {
        set_index(
            &mut item,
            GSI3,
            keys::review_shard(&p.community, &p.user),
            keys::review_sort(at, &p.community, &p.user),
        );
    }
    Ok(item)
}

fn value_story_item(v: &ValueStory) -> Result<Item, StoreError> {
    let mut item = encode(v, &keys::value_story(&v.community, &v.id))?;
    if !v.author.is_former_member() {
        set_index(
            &mut item,
            GSI1,
            keys::user_value_stories(&v.author),
            v.id.to_string(),
        );
    }
    Ok(item)
}

fn activity_item(a: &Activity) -> Result<Item, StoreError> {
    let mut item = encode(a, &keys::activity(&a.community, &a.id, a.at))?;
    // An erased person's activity leaves every person's list (no index
    // partition gathers all former members).
    if !a.actor.is_former_member() {
        set_index(
            &mut item,
            GSI1,
            keys::user_activity(&a.actor),
            a.id.to_string(),
        );
    }
    set_index(
        &mut item,
        GSI2,
        keys::community_activity(&a.community),
        a.id.to_string(),
    );
    Ok(item)
}
