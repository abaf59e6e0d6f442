//! Planning the writes of [`PollOp`]: the items each operation puts,
//! updates or deletes, with their conditions.

use copkit_core::model::Poll;
use copkit_core::store::{PollOp, StoreError};

use super::{CLOSES, Expr, OPTIONS, OnFail, Parts, exists};
use crate::dynamo::DynamoStore;
use crate::dynamo::codec::{Item, encode, n, s, set_index};
use crate::dynamo::keys::{self};
use crate::dynamo::table::GSI1;

impl DynamoStore {
    /// The written items of `op`.
    pub(super) fn plan_polls(&self, op: &PollOp, parts: &mut Parts) -> Result<(), StoreError> {
        match op {
            PollOp::PutPoll { poll, expect } => {
                // The tally and voter count are the store's: a replace keeps them.
                parts.put_or_replace(
                    self,
                    &keys::poll(&poll.id),
                    poll_item(poll)?,
                    *expect,
                    &["tally", "voters", OPTIONS],
                    &[],
                )?;
            }
            PollOp::PutBallot { ballot, expect } => {
                let key = keys::ballot(&ballot.poll, &ballot.user);
                parts.put_expecting(self, encode(ballot, &key)?, *expect)?;
            }
            PollOp::AdjustTally {
                poll,
                deltas,
                voters,
                now,
            } => {
                let mut e = Expr::default();
                let tally = e.name("tally");
                let closes = e.name(CLOSES);
                let options = e.name(OPTIONS);
                let count = e.name("voters");
                let mut set = Vec::new();
                let mut conditions = vec![
                    exists(&mut e),
                    format!("{closes} > {}", e.value(s(keys::time_key(*now)))),
                    format!("{options} = {}", e.value(n(deltas.len()))),
                ];
                for (i, change) in deltas.iter().enumerate() {
                    if *change == 0 {
                        continue;
                    }
                    set.push(format!(
                        "{tally}[{i}] = {tally}[{i}] + {}",
                        e.value(n(change))
                    ));
                    if *change < 0 {
                        conditions.push(format!("{tally}[{i}] >= {}", e.value(n(-change))));
                    }
                }
                if *voters != 0 {
                    set.push(format!("{count} = {count} + {}", e.value(n(voters))));
                    if *voters < 0 {
                        conditions.push(format!("{count} >= {}", e.value(n(-voters))));
                    }
                }
                parts.add(
                    self.update(&keys::poll(poll), &set, &[], &conditions, e)?,
                    OnFail::PollTally {
                        poll: *poll,
                        deltas: deltas.clone(),
                        voters: *voters,
                        now: *now,
                    },
                );
            }
            PollOp::ForgetBallot { poll, user } => {
                parts.forget(self, &keys::ballot(poll, user))?;
            }
        }
        Ok(())
    }
}

fn poll_item(p: &Poll) -> Result<Item, StoreError> {
    let mut item = encode(p, &keys::poll(&p.id))?;
    item.insert(CLOSES.into(), s(keys::time_key(p.closes_at)));
    item.insert(OPTIONS.into(), n(p.tally.len()));
    set_index(
        &mut item,
        GSI1,
        keys::space_polls(&p.space),
        p.id.to_string(),
    );
    Ok(item)
}
