//! Planning the writes of [`SpaceOp`]: the items each operation puts,
//! updates or deletes, with their conditions.

use copkit_core::model::{Space, SpaceGrant};
use copkit_core::store::{ConditionFailure, SpaceOp, StoreError};

use super::{Expr, Parts, fixed};
use crate::dynamo::DynamoStore;
use crate::dynamo::codec::{Item, encode, set_index};
use crate::dynamo::keys::{self};
use crate::dynamo::table::GSI1;

impl DynamoStore {
    /// The written items of `op`.
    pub(super) fn plan_spaces(&self, op: &SpaceOp, parts: &mut Parts) -> Result<(), StoreError> {
        match op {
            SpaceOp::PutSpace { space, expect } => {
                parts.put_expecting(self, space_item(space)?, *expect)?;
            }
            SpaceOp::PutGrant { grant } => {
                parts.add(
                    self.put(grant_item(grant)?, &[], Expr::default())?,
                    fixed(ConditionFailure::VersionMismatch),
                );
            }
            SpaceOp::DeleteGrant { space, user } => {
                parts.add(
                    self.delete(&keys::grant(space, user), &[], Expr::default())?,
                    fixed(ConditionFailure::VersionMismatch),
                );
            }
        }
        Ok(())
    }
}

fn space_item(space: &Space) -> Result<Item, StoreError> {
    let mut item = encode(space, &keys::space(&space.id))?;
    set_index(
        &mut item,
        GSI1,
        keys::community_spaces(&space.community),
        space.id.to_string(),
    );
    Ok(item)
}

fn grant_item(g: &SpaceGrant) -> Result<Item, StoreError> {
    let mut item = encode(g, &keys::grant(&g.space, &g.user))?;
    set_index(
        &mut item,
        GSI1,
        keys::user_grants(&g.user),
        format!("{}{}", keys::user_grants_prefix(&g.community), g.space),
    );
    Ok(item)
}
