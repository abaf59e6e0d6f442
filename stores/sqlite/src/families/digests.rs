//! Digest schedules and the outbox, in SQLite. The same rules as the
//! memory store's `digests.rs`.
//!
//! | record | key | also listed under |
//! |---|---|---|
//! | schedule | `USER#user` / `DIGEST` | index 1 (when due): `DIGESTS_DUE` / `due (ns)␟user` |
//! | mail | `USER#user` / `MAIL#id` | index 1 (while pending): `MAIL_DUE` / `next attempt (ns)␟user␟id` |

use copkit_core::model::{DigestSchedule, Mail};
use copkit_core::store::{Chunk, ConditionFailure, DigestOp, Range, StoreError};
use copkit_core::{MailId, UserId};
use jiff::Timestamp;
use rusqlite::Connection;

use super::{check_expect, time_key};
use crate::items::{self, Index, Key, Listed, Order, SEP, Source};

fn schedule_key(user: &UserId) -> Key {
    Key::new(format!("USER#{user}"), "DIGEST")
}

fn mail_key(user: &UserId, id: &MailId) -> Key {
    Key::new(format!("USER#{user}"), format!("MAIL#{id}"))
}

const DUE: &str = "DIGESTS_DUE";
const MAIL_DUE: &str = "MAIL_DUE";

/// Where a mail is listed: on the due list while pending.
fn mail_listed(mail: &Mail) -> Listed {
    match mail.due_at() {
        Some(at) => Listed::nowhere().on(
            Index::One,
            MAIL_DUE,
            format!("{}{SEP}{}{SEP}{}", time_key(at), mail.to, mail.id),
        ),
        None => Listed::nowhere(),
    }
}

/// Whether `op` may be applied now.
pub(crate) fn check(
    conn: &Connection,
    op: &DigestOp,
) -> Result<Result<(), ConditionFailure>, StoreError> {
    Ok(match op {
        DigestOp::PutDigestSchedule { schedule, expect } => check_expect(
            get_digest_schedule(conn, &schedule.user)?.map(|s| s.version),
            *expect,
        ),
        DigestOp::PutMail { mail, expect } => check_expect(
            items::get::<Mail>(conn, &mail_key(&mail.to, &mail.id))?.map(|m| m.version),
            *expect,
        ),
        DigestOp::ForgetMail { .. } | DigestOp::ForgetDigestSchedule { .. } => Ok(()),
    })
}

/// Applies `op` (checked already).
pub(crate) fn apply(conn: &Connection, op: DigestOp) -> Result<(), StoreError> {
    match op {
        DigestOp::PutDigestSchedule { schedule, .. } => {
            let listed = match schedule.next_due {
                Some(at) => Listed::nowhere().on(
                    Index::One,
                    DUE,
                    format!("{}{SEP}{}", time_key(at), schedule.user),
                ),
                None => Listed::nowhere(),
            };
            items::put(conn, &schedule_key(&schedule.user), &schedule, &listed)
        }
        DigestOp::PutMail { mail, .. } => items::put(
            conn,
            &mail_key(&mail.to, &mail.id),
            &mail,
            &mail_listed(&mail),
        ),
        DigestOp::ForgetMail { user, id } => items::delete(conn, &mail_key(&user, &id)),
        DigestOp::ForgetDigestSchedule { user } => items::delete(conn, &schedule_key(&user)),
    }
}

/// A person's digest schedule.
pub(crate) fn get_digest_schedule(
    conn: &Connection,
    user: &UserId,
) -> Result<Option<DigestSchedule>, StoreError> {
    items::get(conn, &schedule_key(user))
}

/// Up to `limit` (1–100) schedules due at `due`, earliest first.
pub(crate) fn digests_due(
    conn: &Connection,
    due: Timestamp,
    limit: u32,
) -> Result<Vec<DigestSchedule>, StoreError> {
    items::due(
        conn,
        Source::Index {
            index: Index::One,
            pk: DUE,
            prefix: "",
        },
        limit.clamp(1, 100) as usize,
        |s: &DigestSchedule| s.next_due.is_some_and(|at| at <= due),
    )
}

/// A person's mail, newest first.
pub(crate) fn list_outbox(
    conn: &Connection,
    user: &UserId,
    range: &Range,
) -> Result<Chunk<Mail>, StoreError> {
    if let Some(p) = &range.after {
        p.strip_prefix("MAIL#")
            .and_then(|id| id.parse::<MailId>().ok())
            .ok_or(StoreError::InvalidPosition)?;
    }
    items::chunk(
        conn,
        Source::Partition {
            pk: &format!("USER#{user}"),
            prefix: "MAIL#",
        },
        Order::Descending,
        range,
        |_: &Mail| true,
    )
}

/// Up to `limit` (1–100) pending mail due at `due`, earliest first.
pub(crate) fn mail_due(
    conn: &Connection,
    due: Timestamp,
    limit: u32,
) -> Result<Vec<Mail>, StoreError> {
    items::due(
        conn,
        Source::Index {
            index: Index::One,
            pk: MAIL_DUE,
            prefix: "",
        },
        limit.clamp(1, 100) as usize,
        |m: &Mail| m.due_at().is_some_and(|at| at <= due),
    )
}
