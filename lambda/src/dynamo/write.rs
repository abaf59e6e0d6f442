//! The one atomic write: a [`Transaction`] as one `TransactWriteItems` call.

use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, CancellationReason, ConditionCheck, Delete, Put, TransactWriteItem, Update,
};
use copkit_core::model::{
    Activity, Community, CountDelta, DigestSchedule, Document, Event, Invitation, JoinRequest,
    Membership, MembershipStatus, Participation, Poll, Post, Reaction, RsvpTally, Space,
    SpaceGrant, Thread, ValueStory,
};
use copkit_core::store::{
    ConditionFailure, Expect, Forgotten, Op, StoreError, Transaction, WriteStore, rules,
};
use copkit_core::{CommunityId, PollId, ThreadId};
use jiff::Timestamp;

use super::codec::{Item, b, encode, key_item, n, s, set_index};
use super::errors::{RETRY_AFTER_SECS, sdk_error};
use super::keys::{self, Key};
use super::reads::json_name;
use super::table::{DEFINITION, GSI1, GSI2, GSI3};
use super::{DynamoStore, backoff};

/// A claim item's user (handle claims).
pub(super) const CLAIM_USER: &str = "K_USER";
/// A claim item's community (slug and token claims).
pub(super) const CLAIM_COMMUNITY: &str = "K_COMMUNITY";
/// A claim item's invitation id (token claims).
pub(super) const CLAIM_ID: &str = "K_ID";
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
/// How long DynamoDB keeps an invitation after it expired.
const INVITATION_GRACE_SECS: i64 = 90 * 24 * 3600;
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

/// What to do after a cancellation.
enum Outcome {
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
    fn plan(&self, op_index: usize, op: &Op, keep_time: bool) -> Result<Vec<Part>, StoreError> {
        let part = |write, on_fail| Part {
            write,
            op: op_index,
            on_fail,
        };
        let fixed = |f| OnFail::Fixed(f);
        let mut parts = Vec::with_capacity(2);
        match op {
            Op::PutProfile {
                profile,
                expect,
                previous_handle,
            } => {
                let mut e = Expr::default();
                let condition = expect_condition(*expect, &mut e);
                let item = encode(profile, &keys::profile(&profile.user))?;
                parts.push(part(
                    self.put(item, &[condition], e)?,
                    expect_failure(*expect),
                ));
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
                        parts.push(part(
                            self.put(claim, &[mine], e)?,
                            fixed(ConditionFailure::AlreadyExists),
                        ));
                    }
                    if let Some(old) = previous_handle {
                        let mut e = Expr::default();
                        let gone = absent(&mut e);
                        let user = e.name(CLAIM_USER);
                        let mine =
                            format!("({gone} OR {user} = {})", e.value(s(profile.user.as_str())));
                        parts.push(part(
                            self.delete(&keys::handle(old), &[mine], e)?,
                            fixed(ConditionFailure::VersionMismatch),
                        ));
                    }
                }
            }
            Op::CreateCommunity { community } => {
                let mut e = Expr::default();
                let condition = absent(&mut e);
                parts.push(part(
                    self.put(community_item(community)?, &[condition], e)?,
                    fixed(ConditionFailure::AlreadyExists),
                ));
                parts.push(part(
                    self.slug_claim(community)?,
                    fixed(ConditionFailure::AlreadyExists),
                ));
            }
            Op::UpdateCommunity {
                community,
                previous_slug,
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
                        let slug = e.name("slug");
                        vec![
                            exists(e),
                            format!("{version} = {}", e.value(n(expect_version))),
                            format!("{slug} = {}", e.value(s(previous_slug.as_str()))),
                        ]
                    },
                )?;
                parts.push(part(write, fixed(ConditionFailure::VersionMismatch)));
                if community.slug != *previous_slug {
                    parts.push(part(
                        self.slug_claim(community)?,
                        fixed(ConditionFailure::AlreadyExists),
                    ));
                    parts.push(part(
                        self.delete(&keys::slug(previous_slug), &[], Expr::default())?,
                        fixed(ConditionFailure::VersionMismatch),
                    ));
                }
            }
            Op::AdjustCounts { community, delta } => {
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
                parts.push(part(
                    self.update(&keys::community(community), &set, &[], &conditions, e)?,
                    OnFail::Counts(*community, *delta),
                ));
            }
            Op::PutMembership { membership, expect } => {
                let mut e = Expr::default();
                let condition = expect_condition(*expect, &mut e);
                parts.push(part(
                    self.put(membership_item(membership)?, &[condition], e)?,
                    expect_failure(*expect),
                ));
            }
            Op::PutParticipation {
                participation,
                expect,
            } => {
                let mut e = Expr::default();
                let condition = expect_condition(*expect, &mut e);
                parts.push(part(
                    self.put(participation_item(participation)?, &[condition], e)?,
                    expect_failure(*expect),
                ));
            }
            Op::PutDigestSchedule { schedule, expect } => {
                let mut e = Expr::default();
                let condition = expect_condition(*expect, &mut e);
                parts.push(part(
                    self.put(digest_schedule_item(schedule)?, &[condition], e)?,
                    expect_failure(*expect),
                ));
            }
            Op::PutReport { report, expect } => {
                let mut e = Expr::default();
                let condition = expect_condition(*expect, &mut e);
                let mut item = encode(report, &keys::report(&report.community, &report.id))?;
                set_index(
                    &mut item,
                    GSI1,
                    keys::report_queue(&report.community, report.status),
                    report.id.to_string(),
                );
                parts.push(part(
                    self.put(item, &[condition], e)?,
                    expect_failure(*expect),
                ));
            }
            Op::RecordModeration { entry } => {
                let mut e = Expr::default();
                let condition = expect_condition(Expect::Absent, &mut e);
                let key = keys::moderation_entry(&entry.community, &entry.id);
                parts.push(part(
                    self.put(encode(entry, &key)?, &[condition], e)?,
                    expect_failure(Expect::Absent),
                ));
            }
            Op::AnonymiseActivity { activity } => {
                let mut e = Expr::default();
                let condition = exists(&mut e);
                parts.push(part(
                    self.put(activity_item(activity)?, &[condition], e)?,
                    fixed(ConditionFailure::VersionMismatch),
                ));
            }
            Op::Forget { item } => {
                for key in forgotten_keys(item) {
                    parts.push(part(
                        self.delete(&key, &[], Expr::default())?,
                        fixed(ConditionFailure::VersionMismatch),
                    ));
                }
            }
            Op::PutMail { mail } => {
                let mut e = Expr::default();
                let condition = expect_condition(Expect::Absent, &mut e);
                parts.push(part(
                    self.put(
                        encode(mail, &keys::mail(&mail.to, &mail.id))?,
                        &[condition],
                        e,
                    )?,
                    expect_failure(Expect::Absent),
                ));
            }
            Op::PutValueStory { story, expect } => {
                let mut e = Expr::default();
                let condition = expect_condition(*expect, &mut e);
                parts.push(part(
                    self.put(value_story_item(story)?, &[condition], e)?,
                    expect_failure(*expect),
                ));
            }
            Op::PutJoinRequest { request, expect } => {
                let mut e = Expr::default();
                let condition = expect_condition(*expect, &mut e);
                parts.push(part(
                    self.put(join_request_item(request)?, &[condition], e)?,
                    expect_failure(*expect),
                ));
            }
            Op::CreateInvitation { invitation } => {
                let mut e = Expr::default();
                let condition = absent(&mut e);
                parts.push(part(
                    self.put(invitation_item(invitation)?, &[condition], e)?,
                    fixed(ConditionFailure::AlreadyExists),
                ));
                let mut claim = key_item(&keys::token(&invitation.token_hash));
                claim.insert(CLAIM_COMMUNITY.into(), s(invitation.community.to_string()));
                claim.insert(CLAIM_ID.into(), s(invitation.id.to_string()));
                claim.insert(DEFINITION.ttl_attribute.into(), invitation_ttl(invitation));
                let mut e = Expr::default();
                let condition = absent(&mut e);
                parts.push(part(
                    self.put(claim, &[condition], e)?,
                    fixed(ConditionFailure::AlreadyExists),
                ));
            }
            Op::UpdateInvitation {
                invitation,
                expect_version,
            } => {
                let mut e = Expr::default();
                let condition = expect_condition(Expect::Version(*expect_version), &mut e);
                parts.push(part(
                    self.put(invitation_item(invitation)?, &[condition], e)?,
                    fixed(ConditionFailure::VersionMismatch),
                ));
            }
            Op::ConsumeInvitation { community, id, now } => {
                let mut e = Expr::default();
                let uses = e.name("uses");
                let max_uses = e.name("max_uses");
                let version = e.name("version");
                let one = e.value(n(1));
                let set = vec![
                    format!("{uses} = {uses} + {one}"),
                    format!("{version} = {version} + {one}"),
                ];
                let revoked = e.name(REVOKED);
                let expires = e.name(EXPIRES);
                let conditions = vec![
                    exists(&mut e),
                    format!("{revoked} = {}", e.value(b(false))),
                    format!("{expires} > {}", e.value(s(keys::time_key(*now)))),
                    format!("{uses} < {max_uses}"),
                ];
                parts.push(part(
                    self.update(&keys::invitation(community, id), &set, &[], &conditions, e)?,
                    fixed(ConditionFailure::InvitationUnusable),
                ));
            }
            Op::PutSpace { space, expect } => {
                let mut e = Expr::default();
                let condition = expect_condition(*expect, &mut e);
                parts.push(part(
                    self.put(space_item(space)?, &[condition], e)?,
                    expect_failure(*expect),
                ));
            }
            Op::PutGrant { grant } => {
                parts.push(part(
                    self.put(grant_item(grant)?, &[], Expr::default())?,
                    fixed(ConditionFailure::VersionMismatch),
                ));
            }
            Op::DeleteGrant { space, user } => {
                parts.push(part(
                    self.delete(&keys::grant(space, user), &[], Expr::default())?,
                    fixed(ConditionFailure::VersionMismatch),
                ));
            }
            Op::RecordActivity { activity } => {
                let mut e = Expr::default();
                let condition = absent(&mut e);
                parts.push(part(
                    self.put(activity_item(activity)?, &[condition], e)?,
                    fixed(ConditionFailure::AlreadyExists),
                ));
            }
            Op::PutThread { thread, expect } => {
                let item = thread_item(thread)?;
                let write = match expect {
                    Expect::Absent => {
                        let mut e = Expr::default();
                        let condition = absent(&mut e);
                        self.put(item, &[condition], e)?
                    }
                    Expect::Version(_) => {
                        // Activity is the store's: its time, count and
                        // ordering key survive a replace. A deleted thread
                        // leaves both lists; an unpinned one the pinned list.
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
                        let expect = *expect;
                        self.replace(&keys::thread(&thread.id), item, &keep, &remove, |e| {
                            vec![expect_condition(expect, e)]
                        })?
                    }
                };
                parts.push(part(write, expect_failure(*expect)));
            }
            Op::TouchThread { thread, at, posts } => {
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
                parts.push(part(
                    self.update(&keys::thread(thread), &set, &[], &conditions, e)?,
                    OnFail::Touch(*thread, *posts),
                ));
            }
            Op::PutPost { post, expect } => {
                let item = post_item(post)?;
                let write = match expect {
                    Expect::Absent => {
                        let mut e = Expr::default();
                        let condition = absent(&mut e);
                        self.put(item, &[condition], e)?
                    }
                    Expect::Version(_) => {
                        let expect = *expect;
                        self.replace(&keys::post(&post.id), item, &["reactions"], &[], |e| {
                            vec![expect_condition(expect, e)]
                        })?
                    }
                };
                parts.push(part(write, expect_failure(*expect)));
            }
            Op::AddReaction { reaction } => {
                parts.push(part(
                    self.count_reaction(reaction.post, reaction.kind, 1)?,
                    fixed(ConditionFailure::VersionMismatch),
                ));
                let mut e = Expr::default();
                let condition = absent(&mut e);
                parts.push(part(
                    self.put(reaction_item(reaction)?, &[condition], e)?,
                    fixed(ConditionFailure::AlreadyExists),
                ));
            }
            Op::RemoveReaction { post, user, kind } => {
                let mut e = Expr::default();
                let condition = exists(&mut e);
                parts.push(part(
                    self.delete(&keys::reaction(post, user, *kind), &[condition], e)?,
                    fixed(ConditionFailure::VersionMismatch),
                ));
                parts.push(part(
                    self.count_reaction(*post, *kind, -1)?,
                    fixed(ConditionFailure::VersionMismatch),
                ));
            }
            Op::PutDocument { document, expect } => {
                let mut e = Expr::default();
                let condition = expect_condition(*expect, &mut e);
                parts.push(part(
                    self.put(document_item(document)?, &[condition], e)?,
                    expect_failure(*expect),
                ));
            }
            Op::AddDocumentVersion { version } => {
                let key = keys::document_version(&version.document, version.number);
                let mut e = Expr::default();
                let condition = absent(&mut e);
                parts.push(part(
                    self.put(encode(version, &key)?, &[condition], e)?,
                    fixed(ConditionFailure::AlreadyExists),
                ));
            }
            Op::PutEvent { event, expect } => {
                let mut e = Expr::default();
                let condition = expect_condition(*expect, &mut e);
                parts.push(part(
                    self.put(event_item(event)?, &[condition], e)?,
                    expect_failure(*expect),
                ));
            }
            Op::PutRsvp { rsvp, expect } => {
                let key = keys::rsvp(&rsvp.event, &rsvp.occurrence, &rsvp.user);
                let mut e = Expr::default();
                let condition = expect_condition(*expect, &mut e);
                parts.push(part(
                    self.put(encode(rsvp, &key)?, &[condition], e)?,
                    expect_failure(*expect),
                ));
            }
            Op::AdjustRsvpTally {
                event,
                occurrence,
                going,
                maybe,
                declined,
                capacity,
            } => {
                let key = keys::tally(event, occurrence);
                // More going than there is room for fails whatever is stored.
                rules::adjust_rsvp_tally(RsvpTally::default(), (*going).max(0), 0, 0, *capacity)
                    .map_err(|failure| StoreError::Condition {
                        op: op_index,
                        failure,
                    })?;
                let mut e = Expr::default();
                let zero = e.value(n(0));
                let mut set = Vec::new();
                let mut conditions = Vec::new();
                for (field, change) in [
                    ("going", *going),
                    ("maybe", *maybe),
                    ("declined", *declined),
                ] {
                    let path = e.name(field);
                    set.push(format!(
                        "{path} = if_not_exists({path}, {zero}) + {}",
                        e.value(n(change))
                    ));
                    if change < 0 {
                        conditions.push(format!("{path} >= {}", e.value(n(-change))));
                    }
                }
                if let Some(cap) = capacity
                    && *going > 0
                {
                    let path = e.name("going");
                    let room = i64::from(*cap) - going;
                    conditions.push(format!(
                        "(attribute_not_exists({path}) OR {path} <= {})",
                        e.value(n(room))
                    ));
                }
                parts.push(part(
                    self.update(&key, &set, &[], &conditions, e)?,
                    OnFail::RsvpTally {
                        key: key.clone(),
                        going: *going,
                        maybe: *maybe,
                        declined: *declined,
                        capacity: *capacity,
                    },
                ));
            }
            Op::PutAttendance { attendance } => {
                let key =
                    keys::attendance(&attendance.event, &attendance.occurrence, &attendance.user);
                let mut item = encode(attendance, &key)?;
                set_index(
                    &mut item,
                    GSI1,
                    keys::user_attendance(&attendance.user),
                    keys::user_attendance_sort(
                        attendance.recorded_at,
                        &attendance.event,
                        &attendance.occurrence,
                    ),
                );
                parts.push(part(
                    self.put(item, &[], Expr::default())?,
                    fixed(ConditionFailure::VersionMismatch),
                ));
            }
            Op::PutPoll { poll, expect } => {
                let item = poll_item(poll)?;
                let write = match expect {
                    Expect::Absent => {
                        let mut e = Expr::default();
                        let condition = absent(&mut e);
                        self.put(item, &[condition], e)?
                    }
                    Expect::Version(_) => {
                        let expect = *expect;
                        self.replace(
                            &keys::poll(&poll.id),
                            item,
                            &["tally", "voters", OPTIONS],
                            &[],
                            |e| vec![expect_condition(expect, e)],
                        )?
                    }
                };
                parts.push(part(write, expect_failure(*expect)));
            }
            Op::PutBallot { ballot, expect } => {
                let key = keys::ballot(&ballot.poll, &ballot.user);
                let mut e = Expr::default();
                let condition = expect_condition(*expect, &mut e);
                parts.push(part(
                    self.put(encode(ballot, &key)?, &[condition], e)?,
                    expect_failure(*expect),
                ));
            }
            Op::AdjustTally {
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
                parts.push(part(
                    self.update(&keys::poll(poll), &set, &[], &conditions, e)?,
                    OnFail::PollTally {
                        poll: *poll,
                        deltas: deltas.clone(),
                        voters: *voters,
                        now: *now,
                    },
                ));
            }
            other => {
                return Err(StoreError::InvalidTransaction(format!(
                    "operation not supported by this store: {other:?}"
                )));
            }
        }
        Ok(parts)
    }

    fn slug_claim(&self, community: &Community) -> Result<TransactWriteItem, StoreError> {
        let mut claim = key_item(&keys::slug(&community.slug));
        claim.insert(CLAIM_COMMUNITY.into(), s(community.id.to_string()));
        let mut e = Expr::default();
        let condition = absent(&mut e);
        self.put(claim, &[condition], e)
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

    /// Explains why DynamoDB cancelled the transaction.
    async fn explain(
        &self,
        parts: &[Part],
        reasons: &[CancellationReason],
    ) -> Result<Outcome, StoreError> {
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
                Ok(Outcome::Retry)
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
            Err(failure) => Outcome::Fail(op, failure),
            Ok(()) => Outcome::Retry,
        };
        Ok(match &part.on_fail {
            OnFail::Fixed(failure) => Outcome::Fail(op, *failure),
            OnFail::Counts(community, delta) => {
                let current: Option<Community> = self.get(&keys::community(community)).await?;
                decided(rules::adjust_counts(current.as_ref().map(|c| &c.counts), *delta).map(drop))
            }
            OnFail::Touch(thread, posts) => {
                let current: Option<Thread> = self.get(&keys::thread(thread)).await?;
                match rules::touch_thread(current.as_ref(), *posts) {
                    Err(failure) => Outcome::Fail(op, failure),
                    Ok(_) => Outcome::KeepTime(op),
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
                Outcome::Fail(op, failure) => return Err(StoreError::Condition { op, failure }),
                Outcome::Retry => {}
                Outcome::KeepTime(op) => {
                    keep_time.insert(op);
                }
            }
        }
        Err(StoreError::Unavailable {
            retry_after_secs: RETRY_AFTER_SECS,
        })
    }
}

// ------------------------------------------------------------ items

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

fn digest_schedule_item(s: &DigestSchedule) -> Result<Item, StoreError> {
    let mut item = encode(s, &keys::digest_schedule(&s.user))?;
    if let Some(at) = s.next_due {
        set_index(
            &mut item,
            GSI3,
            keys::digest_shard(&s.user),
            keys::digest_sort(at, &s.user),
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

fn join_request_item(r: &JoinRequest) -> Result<Item, StoreError> {
    let mut item = encode(r, &keys::join_request(&r.community, &r.user))?;
    if r.is_pending() {
        set_index(
            &mut item,
            GSI3,
            keys::pending_requests(&r.community),
            keys::time_sort(r.requested_at, &r.user),
        );
    }
    Ok(item)
}

fn invitation_ttl(i: &Invitation) -> AttributeValue {
    n(i.expires_at
        .as_second()
        .saturating_add(INVITATION_GRACE_SECS))
}

fn invitation_item(i: &Invitation) -> Result<Item, StoreError> {
    let mut item = encode(i, &keys::invitation(&i.community, &i.id))?;
    item.insert(REVOKED.into(), b(i.revoked_at.is_some()));
    item.insert(EXPIRES.into(), s(keys::time_key(i.expires_at)));
    item.insert(DEFINITION.ttl_attribute.into(), invitation_ttl(i));
    Ok(item)
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

/// The items an erasure deletes.
fn forgotten_keys(item: &Forgotten) -> Vec<Key> {
    match item {
        Forgotten::Profile { user, handle } => {
            let mut keys = vec![keys::profile(user)];
            keys.extend(handle.iter().map(keys::handle));
            keys
        }
        Forgotten::Participation { community, user } => {
            vec![keys::participation(community, user)]
        }
        Forgotten::Attendance {
            event,
            occurrence,
            user,
        } => vec![keys::attendance(event, occurrence, user)],
        Forgotten::Mail { user, id } => vec![keys::mail(user, id)],
        Forgotten::DigestSchedule { user } => vec![keys::digest_schedule(user)],
    }
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

fn document_item(d: &Document) -> Result<Item, StoreError> {
    let mut item = encode(d, &keys::document(&d.id))?;
    if d.deleted_at.is_none() {
        set_index(
            &mut item,
            GSI2,
            keys::space_documents(&d.space),
            keys::time_sort(d.updated_at, d.id),
        );
    }
    Ok(item)
}

fn event_item(ev: &Event) -> Result<Item, StoreError> {
    let mut item = encode(ev, &keys::event(&ev.id))?;
    set_index(
        &mut item,
        GSI1,
        keys::community_events(&ev.community),
        ev.id.to_string(),
    );
    Ok(item)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamo::codec::decode;

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
