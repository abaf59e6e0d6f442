//! Planning the writes of [`CommunityOp`]: the items each operation puts,
//! updates or deletes, with their conditions.

use aws_sdk_dynamodb::types::TransactWriteItem;
use copkit_core::model::{Community, Membership, MembershipStatus, Slug};
use copkit_core::store::{CommunityOp, ConditionFailure, Expect, StoreError};

use super::{Expr, OnFail, Parts, absent, exists, expect_condition, expect_failure, fixed};
use crate::dynamo::DynamoStore;
use crate::dynamo::codec::{CLAIM_COMMUNITY, Item, encode, json_name, key_item, n, s, set_index};
use crate::dynamo::keys::{self};
use crate::dynamo::table::{GSI1, GSI2, GSI3};

impl DynamoStore {
    /// The written items of `op`.
    pub(super) fn plan_communities(
        &self,
        op: &CommunityOp,
        parts: &mut Parts,
    ) -> Result<(), StoreError> {
        match op {
            CommunityOp::CreateCommunity { community } => {
                let mut e = Expr::default();
                let condition = absent(&mut e);
                parts.add(
                    self.put(community_item(community)?, &[condition], e)?,
                    fixed(ConditionFailure::AlreadyExists),
                );
                if let Some(slug) = community.slug_claim() {
                    parts.add(
                        self.slug_claim(slug, community)?,
                        fixed(ConditionFailure::AlreadyExists),
                    );
                }
            }
            CommunityOp::UpdateCommunity {
                community,
                previous_claim,
                expect_version,
            } => {
                let key = keys::community(&community.id);
                let item = community_item(community)?;
                let write = self.replace(
                    &key,
                    item,
                    &["counts"],
                    &[
                        GSI2.partition_key,
                        GSI2.sort_key,
                        GSI3.partition_key,
                        GSI3.sort_key,
                    ],
                    |e| {
                        let version = e.name("version");
                        vec![
                            exists(e),
                            format!("{version} = {}", e.value(n(expect_version))),
                        ]
                    },
                )?;
                parts.add(write, fixed(ConditionFailure::VersionMismatch));
                if previous_claim.as_ref() != community.slug_claim() {
                    if let Some(slug) = community.slug_claim() {
                        parts.add(
                            self.slug_claim(slug, community)?,
                            fixed(ConditionFailure::AlreadyExists),
                        );
                    }
                    if let Some(previous) = previous_claim {
                        // Only this community's own claim is released.
                        let mut e = Expr::default();
                        let gone = absent(&mut e);
                        let owner = e.name(CLAIM_COMMUNITY);
                        let mine = format!(
                            "({gone} OR {owner} = {})",
                            e.value(s(community.id.to_string()))
                        );
                        parts.add(
                            self.delete(&keys::slug(previous), &[mine], e)?,
                            fixed(ConditionFailure::VersionMismatch),
                        );
                    }
                }
            }
            CommunityOp::AdjustCounts { community, delta } => {
                let mut e = Expr::default();
                let mut set = Vec::new();
                let mut conditions = vec![exists(&mut e)];
                let fields = [
                    ("members", delta.members, 0),
                    ("guests", delta.guests, 0),
                    ("owners", delta.owners, 1),
                    ("spaces", delta.spaces, 0),
                ];
                for (field, change, floor) in fields {
                    if change == 0 {
                        continue;
                    }
                    let path = e.name(&format!("counts.{field}"));
                    set.push(format!("{path} = {path} + {}", e.value(n(change))));
                    if change < 0 {
                        // After the change the count stays at or above its floor.
                        let least = floor - change;
                        conditions.push(format!("{path} >= {}", e.value(n(least))));
                    }
                }
                if delta.spaces > 0 {
                    let path = e.name("counts.spaces");
                    let most = i64::from(copkit_core::validate::limits::SPACES_PER_COMMUNITY_MAX)
                        - delta.spaces;
                    conditions.push(format!("{path} <= {}", e.value(n(most))));
                }
                parts.add(
                    self.update(&keys::community(community), &set, &[], &conditions, e)?,
                    OnFail::Counts(*community, *delta),
                );
            }
            CommunityOp::PutMembership { membership, expect } => {
                parts.put_expecting(self, membership_item(membership)?, *expect)?;
            }
            CommunityOp::ForgetMembership { community, user } => {
                parts.forget(self, &keys::membership(community, user))?;
            }
            CommunityOp::RequireMembership {
                community,
                user,
                version,
            } => {
                let mut e = Expr::default();
                let condition = expect_condition(Expect::Version(*version), &mut e);
                parts.add(
                    self.check(&keys::membership(community, user), &[condition], e)?,
                    expect_failure(Expect::Version(*version)),
                );
            }
        }
        Ok(())
    }

    /// The claim of `slug` for `community` (only if nobody holds it).
    fn slug_claim(
        &self,
        slug: &Slug,
        community: &Community,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut claim = key_item(&keys::slug(slug));
        claim.insert(CLAIM_COMMUNITY.into(), s(community.id.to_string()));
        let mut e = Expr::default();
        let condition = absent(&mut e);
        self.put(claim, &[condition], e)
    }
}

fn community_item(c: &Community) -> Result<Item, StoreError> {
    let mut item = encode(c, &keys::community(&c.id))?;
    if c.visibility.is_listed() {
        let order = keys::directory_sort(&c.name.to_lowercase(), &c.id);
        set_index(
            &mut item,
            GSI2,
            keys::directory_of_kind(&json_name(&c.kind)?),
            order.clone(),
        );
        set_index(&mut item, GSI3, keys::DIRECTORY.to_owned(), order);
    }
    Ok(item)
}

fn membership_item(m: &Membership) -> Result<Item, StoreError> {
    let mut item = encode(m, &keys::membership(&m.community, &m.user))?;
    match m.status {
        MembershipStatus::Active => {
            set_index(
                &mut item,
                GSI1,
                keys::user_memberships(&m.user),
                m.community.to_string(),
            );
            set_index(
                &mut item,
                GSI2,
                keys::roster(&m.community),
                keys::roster_sort(m.role, &m.user),
            );
            set_index(
                &mut item,
                GSI3,
                keys::level_roster(&m.community, m.level),
                m.user.to_string(),
            );
        }
        MembershipStatus::Banned { .. } => {
            set_index(
                &mut item,
                GSI2,
                keys::banned(&m.community),
                m.user.to_string(),
            );
        }
        _ => {}
    }
    Ok(item)
}
