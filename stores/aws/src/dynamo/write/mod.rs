//! The one atomic write: a [`Transaction`] as one `TransactWriteItems` call.
//!
//! Each family of operations is planned in the file of its name
//! (`events.rs` plans [`EventOp`](copkit_core::store::EventOp), ...); this
//! module holds what they share: expressions, conditions, the parts of a
//! transaction, and the commit that sends it and explains a cancellation.

mod activity;
mod communities;
mod digests;
mod discussions;
mod documents;
mod events;
mod invitations;
mod moderation;
mod notifications;
mod polls;
mod profiles;
mod spaces;

use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, CancellationReason, ConditionCheck, Delete, Put, TransactWriteItem, Update,
};
use copkit_core::model::{Community, CountDelta, Poll, RsvpTally, Thread};
use copkit_core::store::{
    ConditionFailure, Expect, Op, StoreError, Transaction, WriteStore, rules,
};
use copkit_core::{CommunityId, PollId, ThreadId};
use jiff::Timestamp;

use super::codec::{Item, key_item, n};
use super::errors::{RETRY_AFTER_SECS, sdk_error};
use super::keys::{self, Key};
use super::table::DEFINITION;
use super::{DynamoStore, backoff};

/// A thread's latest activity, as a time key.
const LAST: &str = "K_LAST";
/// Whether a thread is deleted.
const DELETED: &str = "K_DELETED";
/// Whether an invitation is revoked.
const REVOKED: &str = "K_REVOKED";
/// An invitation's expiry, as a time key.
const EXPIRES: &str = "K_EXPIRES";
/// A poll's closing time, as a time key.
const CLOSES: &str = "K_CLOSES";
/// How many options a poll's tally counts.
const OPTIONS: &str = "K_OPTIONS";
/// How many times a transaction is sent before giving up on conflicts.
const ATTEMPTS: u32 = 6;

/// How a failed condition of one written item is explained.
#[derive(Debug, Clone)]
enum OnFail {
    /// Always this.
    Fixed(ConditionFailure),
    /// Read the community back and check its counts.
    Counts(CommunityId, CountDelta),
    /// Read the thread back; if it could take the activity, it was the
    /// "never backwards" guard: retry without moving the time.
    Touch(ThreadId, i64),
    /// Read the tally back and check it.
    RsvpTally {
        key: Key,
        going: i64,
        maybe: i64,
        declined: i64,
        capacity: Option<u32>,
    },
    /// Read the poll back and check it.
    PollTally {
        poll: PollId,
        deltas: Vec<i64>,
        voters: i64,
        now: Timestamp,
    },
}

/// One written item and the operation it belongs to.
struct Part {
    write: TransactWriteItem,
    op: usize,
    on_fail: OnFail,
}

/// The written items of one operation, as its family's planner adds them.
struct Parts {
    op: usize,
    list: Vec<Part>,
}

impl Parts {
    fn new(op: usize) -> Self {
        Parts {
            op,
            list: Vec::with_capacity(2),
        }
    }

    /// Adds a written item and how its failed condition is explained.
    fn add(&mut self, write: TransactWriteItem, on_fail: OnFail) {
        self.list.push(Part {
            write,
            op: self.op,
            on_fail,
        });
    }

    /// Adds a put of `item` conditioned on `expect` (absent, or at the
    /// version read): the write most operations are.
    fn put_expecting(
        &mut self,
        store: &DynamoStore,
        item: Item,
        expect: Expect,
    ) -> Result<(), StoreError> {
        let mut e = Expr::default();
        let condition = expect_condition(expect, &mut e);
        self.add(store.put(item, &[condition], e)?, expect_failure(expect));
        Ok(())
    }

    /// Adds a write of `item` at `key`: a put when creating
    /// (`Expect::Absent`); when replacing, an update at the expected
    /// version that keeps the store-owned attributes `keep` (counts,
    /// activity) and removes `remove` (index keys the record leaves).
    fn put_or_replace(
        &mut self,
        store: &DynamoStore,
        key: &Key,
        item: Item,
        expect: Expect,
        keep: &[&str],
        remove: &[&str],
    ) -> Result<(), StoreError> {
        let write = match expect {
            Expect::Absent => {
                let mut e = Expr::default();
                let condition = absent(&mut e);
                store.put(item, &[condition], e)?
            }
            Expect::Version(_) => store.replace(key, item, keep, remove, |e| {
                vec![expect_condition(expect, e)]
            })?,
        };
        self.add(write, expect_failure(expect));
        Ok(())
    }

    /// Adds an unconditional delete of `key` (erasure: nothing happens
    /// when the item is gone already).
    fn forget(&mut self, store: &DynamoStore, key: &Key) -> Result<(), StoreError> {
        self.add(
            store.delete(key, &[], Expr::default())?,
            fixed(ConditionFailure::VersionMismatch),
        );
        Ok(())
    }

    fn into_parts(self) -> Vec<Part> {
        self.list
    }
}

/// A failure that needs no read-back.
fn fixed(failure: ConditionFailure) -> OnFail {
    OnFail::Fixed(failure)
}

/// What to do after a cancellation.
enum AfterCancellation {
    Fail(usize, ConditionFailure),
    /// The state changed between the write and the read-back: try again.
    Retry,
    /// Retry, with this TouchThread keeping the thread's later time.
    KeepTime(usize),
}

/// Names and values of one item's expressions.
#[derive(Default)]
struct Expr {
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expr {
    /// A placeholder for an attribute path (`counts.owners` → `#a0.#a1`).
    fn name(&mut self, path: &str) -> String {
        path.split('.')
            .map(|part| {
                let existing = self
                    .names
                    .iter()
                    .find(|(_, v)| v.as_str() == part)
                    .map(|(k, _)| k.clone());
                existing.unwrap_or_else(|| {
                    let placeholder = format!("#a{}", self.names.len());
                    self.names.insert(placeholder.clone(), part.to_owned());
                    placeholder
                })
            })
            .collect::<Vec<_>>()
            .join(".")
    }

    /// A placeholder for a value.
    fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    /// The names the expressions use (DynamoDB refuses unused ones).
    fn names(&self, expressions: &[&str]) -> Option<HashMap<String, String>> {
        let used: HashMap<String, String> = self
            .names
            .iter()
            .filter(|(k, _)| expressions.iter().any(|x| uses(x, k)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        (!used.is_empty()).then_some(used)
    }

    /// The values the expressions use.
    fn values(&self, expressions: &[&str]) -> Option<HashMap<String, AttributeValue>> {
        let used: HashMap<String, AttributeValue> = self
            .values
            .iter()
            .filter(|(k, _)| expressions.iter().any(|x| uses(x, k)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        (!used.is_empty()).then_some(used)
    }
}

/// True when `expression` mentions `placeholder` (`#a1` is not in `#a10`).
fn uses(expression: &str, placeholder: &str) -> bool {
    expression.match_indices(placeholder).any(|(at, _)| {
        !expression[at + placeholder.len()..].starts_with(|c: char| c.is_ascii_digit())
    })
}

/// Conditions joined with AND, or `None`.
fn all_of(conditions: &[String]) -> Option<String> {
    (!conditions.is_empty()).then(|| conditions.join(" AND "))
}

fn built<T, E: std::fmt::Display>(result: Result<T, E>) -> Result<T, StoreError> {
    result.map_err(|e| StoreError::Internal(format!("building a write: {e}")))
}

fn exists(e: &mut Expr) -> String {
    format!("attribute_exists({})", e.name(DEFINITION.partition_key))
}

fn absent(e: &mut Expr) -> String {
    format!("attribute_not_exists({})", e.name(DEFINITION.partition_key))
}

fn expect_condition(expect: Expect, e: &mut Expr) -> String {
    match expect {
        Expect::Absent => absent(e),
        Expect::Version(v) => {
            let version = e.name("version");
            format!("{version} = {}", e.value(n(v)))
        }
    }
}

fn expect_failure(expect: Expect) -> OnFail {
    OnFail::Fixed(match expect {
        Expect::Absent => ConditionFailure::AlreadyExists,
        Expect::Version(_) => ConditionFailure::VersionMismatch,
    })
}

impl DynamoStore {
    fn put(
        &self,
        item: Item,
        conditions: &[String],
        e: Expr,
    ) -> Result<TransactWriteItem, StoreError> {
        let condition = all_of(conditions);
        let used = [condition.as_deref().unwrap_or_default()];
        let put = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .set_expression_attribute_names(e.names(&used))
                .set_expression_attribute_values(e.values(&used))
                .set_condition_expression(condition)
                .build(),
        )?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn update(
        &self,
        key: &Key,
        set: &[String],
        remove: &[String],
        conditions: &[String],
        e: Expr,
    ) -> Result<TransactWriteItem, StoreError> {
        if set.is_empty() && remove.is_empty() {
            return self.check(key, conditions, e);
        }
        let mut expression = String::new();
        if !set.is_empty() {
            expression.push_str("SET ");
            expression.push_str(&set.join(", "));
        }
        if !remove.is_empty() {
            expression.push_str(" REMOVE ");
            expression.push_str(&remove.join(", "));
        }
        let condition = all_of(conditions);
        let used = [
            expression.as_str(),
            condition.as_deref().unwrap_or_default(),
        ];
        let update = built(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key_item(key)))
                .set_expression_attribute_names(e.names(&used))
                .set_expression_attribute_values(e.values(&used))
                .update_expression(expression.trim())
                .set_condition_expression(condition)
                .build(),
        )?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    fn delete(
        &self,
        key: &Key,
        conditions: &[String],
        e: Expr,
    ) -> Result<TransactWriteItem, StoreError> {
        let condition = all_of(conditions);
        let used = [condition.as_deref().unwrap_or_default()];
        let delete = built(
            Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key_item(key)))
                .set_expression_attribute_names(e.names(&used))
                .set_expression_attribute_values(e.values(&used))
                .set_condition_expression(condition)
                .build(),
        )?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    fn check(
        &self,
        key: &Key,
        conditions: &[String],
        e: Expr,
    ) -> Result<TransactWriteItem, StoreError> {
        let condition = all_of(conditions)
            .ok_or_else(|| StoreError::Internal("a condition check without a condition".into()))?;
        let used = [condition.as_str()];
        let check = built(
            ConditionCheck::builder()
                .table_name(&self.table)
                .set_key(Some(key_item(key)))
                .set_expression_attribute_names(e.names(&used))
                .set_expression_attribute_values(e.values(&used))
                .condition_expression(condition)
                .build(),
        )?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    /// An update replacing every attribute of `item` except the table key
    /// and `keep` (store-owned fields), removing `remove`.
    fn replace(
        &self,
        key: &Key,
        item: Item,
        keep: &[&str],
        remove: &[&str],
        conditions: impl FnOnce(&mut Expr) -> Vec<String>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut e = Expr::default();
        let conditions = conditions(&mut e);
        let mut set = Vec::with_capacity(item.len());
        let mut names: Vec<&String> = item.keys().collect();
        names.sort();
        for name in names {
            if name == DEFINITION.partition_key
                || name == DEFINITION.sort_key
                || keep.contains(&name.as_str())
            {
                continue;
            }
            if let Some(value) = item.get(name) {
                let path = e.name(name);
                let placeholder = e.value(value.clone());
                set.push(format!("{path} = {placeholder}"));
            }
        }
        let remove: Vec<String> = remove
            .iter()
            .filter(|r| !item.contains_key(**r))
            .map(|r| e.name(r))
            .collect();
        self.update(key, &set, &remove, &conditions, e)
    }

    /// The written items of one operation.
    /// The written items of one operation.
    fn plan(&self, op_index: usize, op: &Op, keep_time: bool) -> Result<Vec<Part>, StoreError> {
        let mut parts = Parts::new(op_index);
        match op {
            Op::Activity(op) => self.plan_activity(op, &mut parts)?,
            Op::Community(op) => self.plan_communities(op, &mut parts)?,
            Op::Digest(op) => self.plan_digests(op, &mut parts)?,
            Op::Notification(op) => self.plan_notifications(op, &mut parts)?,
            Op::Discussion(op) => self.plan_discussions(op, keep_time, &mut parts)?,
            Op::Document(op) => self.plan_documents(op, &mut parts)?,
            Op::Event(op) => self.plan_events(op, &mut parts)?,
            Op::Invitation(op) => self.plan_invitations(op, &mut parts)?,
            Op::Moderation(op) => self.plan_moderation(op, &mut parts)?,
            Op::Poll(op) => self.plan_polls(op, &mut parts)?,
            Op::Profile(op) => self.plan_profiles(op, &mut parts)?,
            Op::Space(op) => self.plan_spaces(op, &mut parts)?,
        }
        Ok(parts.into_parts())
    }

    /// Explains why DynamoDB cancelled the transaction.
    async fn explain(
        &self,
        parts: &[Part],
        reasons: &[CancellationReason],
    ) -> Result<AfterCancellation, StoreError> {
        let failed = reasons
            .iter()
            .position(|r| r.code() == Some("ConditionalCheckFailed"));
        let Some(index) = failed else {
            let transient = reasons.iter().any(|r| {
                matches!(
                    r.code(),
                    Some(
                        "TransactionConflict" | "ThrottlingError" | "ProvisionedThroughputExceeded"
                    )
                )
            });
            return if transient {
                Ok(AfterCancellation::Retry)
            } else {
                let codes: Vec<&str> = reasons.iter().filter_map(|r| r.code()).collect();
                Err(StoreError::Internal(format!(
                    "transaction cancelled: {codes:?}"
                )))
            };
        };
        let part = parts.get(index).ok_or_else(|| {
            StoreError::Internal("a cancellation reason for an item not written".into())
        })?;
        let op = part.op;
        let decided = |r: Result<(), ConditionFailure>| match r {
            Err(failure) => AfterCancellation::Fail(op, failure),
            Ok(()) => AfterCancellation::Retry,
        };
        Ok(match &part.on_fail {
            OnFail::Fixed(failure) => AfterCancellation::Fail(op, *failure),
            OnFail::Counts(community, delta) => {
                let current: Option<Community> = self.get(&keys::community(community)).await?;
                decided(rules::adjust_counts(current.as_ref().map(|c| &c.counts), *delta).map(drop))
            }
            OnFail::Touch(thread, posts) => {
                let current: Option<Thread> = self.get(&keys::thread(thread)).await?;
                match rules::touch_thread(current.as_ref(), *posts) {
                    Err(failure) => AfterCancellation::Fail(op, failure),
                    Ok(_) => AfterCancellation::KeepTime(op),
                }
            }
            OnFail::RsvpTally {
                key,
                going,
                maybe,
                declined,
                capacity,
            } => {
                let current: RsvpTally = self.get(key).await?.unwrap_or_default();
                decided(
                    rules::adjust_rsvp_tally(current, *going, *maybe, *declined, *capacity)
                        .map(drop),
                )
            }
            OnFail::PollTally {
                poll,
                deltas,
                voters,
                now,
            } => {
                let current: Option<Poll> = self.get(&keys::poll(poll)).await?;
                decided(rules::adjust_poll_tally(current.as_ref(), deltas, *voters, *now).map(drop))
            }
        })
    }
}

#[async_trait]
impl WriteStore for DynamoStore {
    async fn commit(&self, tx: Transaction) -> Result<(), StoreError> {
        tx.check_shape()?;
        let mut keep_time = BTreeSet::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(backoff(attempt)).await;
            }
            let mut parts = Vec::new();
            for (index, op) in tx.ops().iter().enumerate() {
                parts.extend(self.plan(index, op, keep_time.contains(&index))?);
            }
            if parts.len() > Transaction::MAX_OPS {
                return Err(StoreError::InvalidTransaction(format!(
                    "{} items (DynamoDB allows {})",
                    parts.len(),
                    Transaction::MAX_OPS
                )));
            }
            let writes = parts.iter().map(|p| p.write.clone()).collect();
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(writes))
                .send()
                .await;
            let error = match result {
                Ok(_) => return Ok(()),
                Err(error) => error,
            };
            let reasons = match error.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                    cancelled.cancellation_reasons().to_vec()
                }
                _ => return Err(sdk_error(error)),
            };
            match self.explain(&parts, &reasons).await? {
                AfterCancellation::Fail(op, failure) => {
                    return Err(StoreError::Condition { op, failure });
                }
                AfterCancellation::Retry => {}
                AfterCancellation::KeepTime(op) => {
                    keep_time.insert(op);
                }
            }
        }
        Err(StoreError::Unavailable {
            retry_after_secs: RETRY_AFTER_SECS,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamo::codec::{decode, encode, s};

    #[test]
    fn placeholders_are_shared_per_name_and_split_paths() {
        let mut e = Expr::default();
        let a = e.name("counts.owners");
        let b = e.name("counts.spaces");
        assert_eq!(a, "#a0.#a1");
        assert_eq!(b, "#a0.#a2");
        assert_eq!(e.value(n(1)), ":v0");
        assert_eq!(e.value(n(1)), ":v1");
        assert_eq!(all_of(&[]), None);
        assert!(uses("#a1 = :v0", "#a1"));
        assert!(!uses("#a10 = :v0", "#a1"));
        assert_eq!(e.names(&["#a0.#a2 = :v1"]).unwrap().len(), 2);
        assert_eq!(e.values(&["#a0.#a2 = :v1"]).unwrap().len(), 1);
    }

    #[test]
    fn decoding_ignores_helpers() {
        let tally = RsvpTally {
            going: 2,
            maybe: 1,
            declined: 0,
        };
        let mut item = encode(
            &tally,
            &Key {
                pk: "EVENT#x".into(),
                sk: "TALLY#y".into(),
            },
        )
        .unwrap();
        item.insert(LAST.into(), s("0"));
        assert_eq!(decode::<RsvpTally>(item).unwrap(), tally);
    }
}
