//! The activity record, participation and value stories, in SQLite. The
//! same rules as the memory store's `activity.rs`.
//!
//! | record | key | also listed under |
//! |---|---|---|
//! | activity | `COMM#community` / `ACT#id` | index 1: `ACTIVITY␟community` / `id`; index 2 (until anonymised): `USER_ACTIVITY␟actor` / `id` |
//! | participation | `COMM#community` / `PART#user` | index 1 (review due): `REVIEWS` / `due (ns)␟community␟user` |
//! | value story | `COMM#community` / `STORY#id` | index 1: `STORIES␟community` / `id`; index 2 (author not former): `USER_STORIES␟author` / `id` |

use copkit_core::model::{Activity, Participation, ValueStory};
use copkit_core::store::{ActivityOp, Chunk, ConditionFailure, Range, StoreError};
use copkit_core::{ActivityId, CommunityId, UserId, ValueStoryId};
use jiff::Timestamp;
use rusqlite::Connection;

use super::{check_expect, time_key};
use crate::items::{self, Index, Key, Listed, Order, SEP, Source};

fn activity_key(community: &CommunityId, id: &ActivityId) -> Key {
    Key::new(format!("COMM#{community}"), format!("ACT#{id}"))
}

fn participation_key(community: &CommunityId, user: &UserId) -> Key {
    Key::new(format!("COMM#{community}"), format!("PART#{user}"))
}

fn story_key(community: &CommunityId, id: &ValueStoryId) -> Key {
    Key::new(format!("COMM#{community}"), format!("STORY#{id}"))
}

fn activity_of(community: &CommunityId) -> String {
    format!("ACTIVITY{SEP}{community}")
}

fn activity_by(user: &UserId) -> String {
    format!("USER_ACTIVITY{SEP}{user}")
}

const REVIEWS: &str = "REVIEWS";

fn stories_of(community: &CommunityId) -> String {
    format!("STORIES{SEP}{community}")
}

fn stories_by(user: &UserId) -> String {
    format!("USER_STORIES{SEP}{user}")
}

fn find_activity(
    conn: &Connection,
    community: &CommunityId,
    id: &ActivityId,
) -> Result<Option<Activity>, StoreError> {
    items::get(conn, &activity_key(community, id))
}

/// Whether `op` may be applied now.
pub(crate) fn check(
    conn: &Connection,
    op: &ActivityOp,
) -> Result<Result<(), ConditionFailure>, StoreError> {
    Ok(match op {
        ActivityOp::RecordActivity { activity } => {
            if find_activity(conn, &activity.community, &activity.id)?.is_some() {
                Err(ConditionFailure::AlreadyExists)
            } else {
                Ok(())
            }
        }
        ActivityOp::AnonymiseActivity { activity } => {
            if find_activity(conn, &activity.community, &activity.id)?.is_some() {
                Ok(())
            } else {
                Err(ConditionFailure::VersionMismatch)
            }
        }
        ActivityOp::PutParticipation {
            participation,
            expect,
        } => check_expect(
            get_participation(conn, &participation.community, &participation.user)?
                .map(|p| p.version),
            *expect,
        ),
        ActivityOp::PutValueStory { story, expect } => {
            let current: Option<ValueStory> =
                items::get(conn, &story_key(&story.community, &story.id))?;
            check_expect(current.map(|s| s.version), *expect)
        }
        ActivityOp::ForgetParticipation { .. } => Ok(()),
    })
}

/// Applies `op` (checked already).
pub(crate) fn apply(conn: &Connection, op: ActivityOp) -> Result<(), StoreError> {
    match op {
        ActivityOp::RecordActivity { activity } => {
            let listed = Listed::nowhere()
                .on(
                    Index::One,
                    activity_of(&activity.community),
                    activity.id.to_string(),
                )
                .on(
                    Index::Two,
                    activity_by(&activity.actor),
                    activity.id.to_string(),
                );
            items::put(
                conn,
                &activity_key(&activity.community, &activity.id),
                &activity,
                &listed,
            )
        }
        ActivityOp::AnonymiseActivity { activity } => {
            let listed = Listed::nowhere().on(
                Index::One,
                activity_of(&activity.community),
                activity.id.to_string(),
            );
            items::put(
                conn,
                &activity_key(&activity.community, &activity.id),
                &activity,
                &listed,
            )
        }
        ActivityOp::PutParticipation { participation, .. } => {
            let listed = match participation.review_at {
                Some(at) => Listed::nowhere().on(
                    Index::One,
                    REVIEWS,
                    format!(
                        "{}{SEP}{}{SEP}{}",
                        time_key(at),
                        participation.community,
                        participation.user
                    ),
                ),
                None => Listed::nowhere(),
            };
            items::put(
                conn,
                &participation_key(&participation.community, &participation.user),
                &participation,
                &listed,
            )
        }
        ActivityOp::PutValueStory { story, .. } => {
            let mut listed = Listed::nowhere().on(
                Index::One,
                stories_of(&story.community),
                story.id.to_string(),
            );
            if !story.author.is_former_member() {
                listed = listed.on(Index::Two, stories_by(&story.author), story.id.to_string());
            }
            items::put(
                conn,
                &story_key(&story.community, &story.id),
                &story,
                &listed,
            )
        }
        ActivityOp::ForgetParticipation { community, user } => {
            items::delete(conn, &participation_key(&community, &user))
        }
    }
}

/// A list read newest first by ULID positions.
fn newest_first<T: serde::de::DeserializeOwned, I: std::str::FromStr>(
    conn: &Connection,
    index: Index,
    pk: &str,
    range: &Range,
) -> Result<Chunk<T>, StoreError> {
    if let Some(p) = &range.after {
        p.parse::<I>().map_err(|_| StoreError::InvalidPosition)?;
    }
    items::chunk(
        conn,
        Source::Index {
            index,
            pk,
            prefix: "",
        },
        Order::Descending,
        range,
        |_: &T| true,
    )
}

/// A community's activity, newest first.
pub(crate) fn list_activity(
    conn: &Connection,
    community: &CommunityId,
    range: &Range,
) -> Result<Chunk<Activity>, StoreError> {
    newest_first::<_, ActivityId>(conn, Index::One, &activity_of(community), range)
}

/// A person's own activity (not yet anonymised), newest first.
pub(crate) fn list_user_activity(
    conn: &Connection,
    user: &UserId,
    range: &Range,
) -> Result<Chunk<Activity>, StoreError> {
    newest_first::<_, ActivityId>(conn, Index::Two, &activity_by(user), range)
}

/// A member's participation record.
pub(crate) fn get_participation(
    conn: &Connection,
    community: &CommunityId,
    user: &UserId,
) -> Result<Option<Participation>, StoreError> {
    items::get(conn, &participation_key(community, user))
}

/// Up to `limit` (1–100) participation records due for review at `due`.
pub(crate) fn participation_due(
    conn: &Connection,
    due: Timestamp,
    limit: u32,
) -> Result<Vec<Participation>, StoreError> {
    items::due(
        conn,
        Source::Index {
            index: Index::One,
            pk: REVIEWS,
            prefix: "",
        },
        limit.clamp(1, 100) as usize,
        |p: &Participation| p.review_at.is_some_and(|at| at <= due),
    )
}

/// A community's value stories, newest first.
pub(crate) fn list_value_stories(
    conn: &Connection,
    community: &CommunityId,
    range: &Range,
) -> Result<Chunk<ValueStory>, StoreError> {
    newest_first::<_, ValueStoryId>(conn, Index::One, &stories_of(community), range)
}

/// The value stories a person told (not anonymised), newest first.
pub(crate) fn list_user_value_stories(
    conn: &Connection,
    user: &UserId,
    range: &Range,
) -> Result<Chunk<ValueStory>, StoreError> {
    newest_first::<_, ValueStoryId>(conn, Index::Two, &stories_by(user), range)
}
