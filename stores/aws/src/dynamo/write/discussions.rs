//! Planning the writes of [`DiscussionOp`]: the items each operation puts,
//! updates or deletes, with their conditions.

use aws_sdk_dynamodb::types::TransactWriteItem;
use copkit_core::model::{Post, Reaction, Thread};
use copkit_core::store::{ConditionFailure, DiscussionOp, StoreError};

use super::{DELETED, Expr, LAST, OnFail, Parts, absent, exists, fixed};
use crate::dynamo::DynamoStore;
use crate::dynamo::codec::{Item, b, encode, n, s, set_index};
use crate::dynamo::keys::{self};
use crate::dynamo::table::{GSI1, GSI2, GSI3};

impl DynamoStore {
    /// The written items of `op`.
    pub(super) fn plan_discussions(
        &self,
        op: &DiscussionOp,
        keep_time: bool,
        parts: &mut Parts,
    ) -> Result<(), StoreError> {
        match op {
            DiscussionOp::PutThread { thread, expect } => {
                // Activity is the store's: its time, count and ordering key
                // survive a replace. A deleted thread leaves both lists; an
                // unpinned one the pinned list.
                let live = thread.deleted_at.is_none();
                let mut keep = vec!["post_count", "last_activity_at", LAST];
                let remove = if !live {
                    vec![
                        GSI2.partition_key,
                        GSI2.sort_key,
                        GSI3.partition_key,
                        GSI3.sort_key,
                    ]
                } else if !thread.pinned {
                    vec![GSI3.partition_key, GSI3.sort_key]
                } else {
                    vec![]
                };
                if live {
                    keep.push(GSI2.sort_key);
                }
                parts.put_or_replace(
                    self,
                    &keys::thread(&thread.id),
                    thread_item(thread)?,
                    *expect,
                    &keep,
                    &remove,
                )?;
            }
            DiscussionOp::TouchThread { thread, at, posts } => {
                let mut e = Expr::default();
                let count = e.name("post_count");
                let locked = e.name("locked");
                let deleted = e.name(DELETED);
                let mut set = vec![format!("{count} = {count} + {}", e.value(n(posts)))];
                let mut conditions = vec![
                    exists(&mut e),
                    format!("{locked} = {}", e.value(b(false))),
                    format!("{deleted} = {}", e.value(b(false))),
                ];
                if *posts < 0 {
                    conditions.push(format!("{count} >= {}", e.value(n(-posts))));
                }
                if !keep_time {
                    let last = e.name(LAST);
                    let at_key = e.value(s(keys::time_key(*at)));
                    let when = e.name("last_activity_at");
                    let order = e.name(GSI2.sort_key);
                    set.push(format!("{last} = {at_key}"));
                    set.push(format!("{when} = {}", e.value(s(at.to_string()))));
                    set.push(format!(
                        "{order} = {}",
                        e.value(s(keys::time_sort(*at, thread)))
                    ));
                    conditions.push(format!("{last} <= {at_key}"));
                }
                parts.add(
                    self.update(&keys::thread(thread), &set, &[], &conditions, e)?,
                    OnFail::Touch(*thread, *posts),
                );
            }
            DiscussionOp::PutPost { post, expect } => {
                // Reaction counts are the store's: a replace keeps them.
                parts.put_or_replace(
                    self,
                    &keys::post(&post.id),
                    post_item(post)?,
                    *expect,
                    &["reactions"],
                    &[],
                )?;
            }
            DiscussionOp::AddReaction { reaction } => {
                parts.add(
                    self.count_reaction(reaction.post, reaction.kind, 1)?,
                    fixed(ConditionFailure::VersionMismatch),
                );
                let mut e = Expr::default();
                let condition = absent(&mut e);
                parts.add(
                    self.put(reaction_item(reaction)?, &[condition], e)?,
                    fixed(ConditionFailure::AlreadyExists),
                );
            }
            DiscussionOp::RemoveReaction { post, user, kind } => {
                let mut e = Expr::default();
                let condition = exists(&mut e);
                parts.add(
                    self.delete(&keys::reaction(post, user, *kind), &[condition], e)?,
                    fixed(ConditionFailure::VersionMismatch),
                );
                parts.add(
                    self.count_reaction(*post, *kind, -1)?,
                    fixed(ConditionFailure::VersionMismatch),
                );
            }
            DiscussionOp::ForgetReaction { post, user, kind } => {
                parts.forget(self, &keys::reaction(post, user, *kind))?;
            }
        }
        Ok(())
    }

    fn count_reaction(
        &self,
        post: copkit_core::PostId,
        kind: copkit_core::model::ReactionKind,
        change: i64,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut e = Expr::default();
        let path = e.name(&format!("reactions.{kind}"));
        let set = vec![format!("{path} = {path} + {}", e.value(n(change)))];
        let mut conditions = vec![exists(&mut e)];
        if change < 0 {
            conditions.push(format!("{path} >= {}", e.value(n(-change))));
        }
        self.update(&keys::post(&post), &set, &[], &conditions, e)
    }
}

fn thread_item(t: &Thread) -> Result<Item, StoreError> {
    let mut item = encode(t, &keys::thread(&t.id))?;
    let live = t.deleted_at.is_none();
    item.insert(LAST.into(), s(keys::time_key(t.last_activity_at)));
    item.insert(DELETED.into(), b(!live));
    if live {
        set_index(
            &mut item,
            GSI2,
            keys::space_threads(&t.space),
            keys::time_sort(t.last_activity_at, t.id),
        );
        if t.pinned {
            set_index(
                &mut item,
                GSI3,
                keys::pinned_threads(&t.space),
                t.id.to_string(),
            );
        }
    }
    Ok(item)
}

fn post_item(p: &Post) -> Result<Item, StoreError> {
    let mut item = encode(p, &keys::post(&p.id))?;
    set_index(
        &mut item,
        GSI1,
        keys::thread_posts(&p.thread),
        p.id.to_string(),
    );
    Ok(item)
}

fn reaction_item(r: &Reaction) -> Result<Item, StoreError> {
    encode(r, &keys::reaction(&r.post, &r.user, r.kind))
}
