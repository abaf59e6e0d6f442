//! Profiles and the handles they claim, and calendar feeds and their
//! tokens, in SQLite: the items, the checks
//! and effects of [`ProfileOp`], and the reads. The same rules as the
//! memory store's `profiles.rs`.

use copkit_core::UserId;
use copkit_core::model::{CalendarFeed, Handle, Profile, TokenHash};
use copkit_core::store::{ConditionFailure, ProfileOp, StoreError};
use rusqlite::Connection;

use super::check_expect;
use crate::items::{self, Key, Listed};

/// A profile.
fn profile_key(user: &UserId) -> Key {
    Key::new(format!("USER#{user}"), "PROFILE")
}

/// A handle claim (holds the user id).
fn handle_key(handle: &Handle) -> Key {
    Key::new(format!("HANDLE#{}", handle.as_str()), "HANDLE")
}

/// A person's calendar feed.
fn feed_key(user: &UserId) -> Key {
    Key::new(format!("USER#{user}"), "CALFEED")
}

/// A calendar feed's token claim (holds the user id).
fn feed_token_key(hash: &TokenHash) -> Key {
    Key::new(format!("CALFEED#{}", hash.as_str()), "CALFEED")
}

/// Whether `op` may be applied now.
pub(crate) fn check(
    conn: &Connection,
    op: &ProfileOp,
) -> Result<Result<(), ConditionFailure>, StoreError> {
    Ok(match op {
        ProfileOp::PutProfile {
            profile,
            expect,
            previous_handle,
        } => {
            let current: Option<Profile> = items::get(conn, &profile_key(&profile.user))?;
            check_expect(current.map(|p| p.version), *expect).and(match &profile.handle {
                Some(h) if profile.handle != *previous_handle => {
                    match items::get::<UserId>(conn, &handle_key(h))? {
                        Some(owner) if owner != profile.user => {
                            Err(ConditionFailure::AlreadyExists)
                        }
                        _ => Ok(()),
                    }
                }
                _ => Ok(()),
            })
        }
        ProfileOp::PutCalendarFeed { feed, expect, .. } => {
            let current: Option<CalendarFeed> = items::get(conn, &feed_key(&feed.user))?;
            check_expect(current.map(|f| f.version), *expect).and(
                match items::get::<UserId>(conn, &feed_token_key(&feed.token_hash))? {
                    Some(owner) if owner != feed.user => Err(ConditionFailure::AlreadyExists),
                    _ => Ok(()),
                },
            )
        }
        ProfileOp::ForgetCalendarFeed { .. } | ProfileOp::ForgetProfile { .. } => Ok(()),
    })
}

/// Releases the feed token `hash` if `user` holds it.
fn release_feed_token(
    conn: &Connection,
    hash: &TokenHash,
    user: &UserId,
) -> Result<(), StoreError> {
    let key = feed_token_key(hash);
    if items::get::<UserId>(conn, &key)?.as_ref() == Some(user) {
        items::delete(conn, &key)?;
    }
    Ok(())
}

/// Releases `handle` if `user` holds it.
fn release(conn: &Connection, handle: &Handle, user: &UserId) -> Result<(), StoreError> {
    let key = handle_key(handle);
    if items::get::<UserId>(conn, &key)?.as_ref() == Some(user) {
        items::delete(conn, &key)?;
    }
    Ok(())
}

/// Applies `op` (checked already).
pub(crate) fn apply(conn: &Connection, op: ProfileOp) -> Result<(), StoreError> {
    match op {
        ProfileOp::PutProfile {
            profile,
            previous_handle,
            ..
        } => {
            if profile.handle != previous_handle {
                if let Some(old) = &previous_handle {
                    release(conn, old, &profile.user)?;
                }
                if let Some(new) = &profile.handle {
                    items::put(conn, &handle_key(new), &profile.user, &Listed::nowhere())?;
                }
            }
            items::put(
                conn,
                &profile_key(&profile.user),
                &profile,
                &Listed::nowhere(),
            )
        }
        ProfileOp::PutCalendarFeed { feed, previous, .. } => {
            if let Some(old) = &previous {
                release_feed_token(conn, old, &feed.user)?;
            }
            items::put(
                conn,
                &feed_token_key(&feed.token_hash),
                &feed.user,
                &Listed::nowhere(),
            )?;
            items::put(conn, &feed_key(&feed.user), &feed, &Listed::nowhere())
        }
        ProfileOp::ForgetCalendarFeed { user, token } => {
            items::delete(conn, &feed_key(&user))?;
            if let Some(t) = &token {
                release_feed_token(conn, t, &user)?;
            }
            Ok(())
        }
        ProfileOp::ForgetProfile { user, handle } => {
            items::delete(conn, &profile_key(&user))?;
            if let Some(h) = &handle {
                release(conn, h, &user)?;
            }
            Ok(())
        }
    }
}

/// One profile.
pub(crate) fn get_profile(conn: &Connection, user: &UserId) -> Result<Option<Profile>, StoreError> {
    items::get(conn, &profile_key(user))
}

/// A person's calendar feed.
pub(crate) fn get_calendar_feed(
    conn: &Connection,
    user: &UserId,
) -> Result<Option<CalendarFeed>, StoreError> {
    items::get(conn, &feed_key(user))
}

/// The calendar feed whose token has `hash`.
pub(crate) fn get_calendar_feed_by_token(
    conn: &Connection,
    hash: &TokenHash,
) -> Result<Option<CalendarFeed>, StoreError> {
    match items::get::<UserId>(conn, &feed_token_key(hash))? {
        Some(user) => Ok(get_calendar_feed(conn, &user)?.filter(|f| f.token_hash == *hash)),
        None => Ok(None),
    }
}

/// The profile holding `handle`.
pub(crate) fn get_profile_by_handle(
    conn: &Connection,
    handle: &Handle,
) -> Result<Option<Profile>, StoreError> {
    match items::get::<UserId>(conn, &handle_key(handle))? {
        Some(user) => get_profile(conn, &user),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::Database;
    use copkit_core::store::Expect;
    use rusqlite::TransactionBehavior;

    fn profile(user: &str, handle: Option<&str>, version: u64) -> Profile {
        Profile {
            user: UserId::new(user).unwrap(),
            display_name: format!("Dr {user}"),
            handle: handle.map(|h| Handle::new(h).unwrap()),
            professional_role: None,
            organisation: None,
            created_at: jiff::Timestamp::UNIX_EPOCH,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
            version,
        }
    }

    /// Checks then applies `op` in one immediate transaction, as the
    /// store's commit does.
    fn write(conn: &mut Connection, op: ProfileOp) -> Result<(), ConditionFailure> {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        check(&tx, &op).unwrap()?;
        apply(&tx, op).unwrap();
        tx.commit().unwrap();
        Ok(())
    }

    #[tokio::test]
    async fn profiles_keep_versions_and_handles_are_unique() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(dir.path().join("copkit.db")).unwrap();
        db.run(|conn| {
            let put = |p: Profile, expect, previous: Option<&str>| ProfileOp::PutProfile {
                profile: p,
                expect,
                previous_handle: previous.map(|h| Handle::new(h).unwrap()),
            };
            write(
                conn,
                put(profile("ann", Some("ann"), 1), Expect::Absent, None),
            )
            .unwrap();
            assert_eq!(
                write(conn, put(profile("ann", None, 1), Expect::Absent, None)),
                Err(ConditionFailure::AlreadyExists)
            );
            assert_eq!(
                write(
                    conn,
                    put(
                        profile("ann", Some("ann"), 2),
                        Expect::Version(7),
                        Some("ann")
                    )
                ),
                Err(ConditionFailure::VersionMismatch)
            );
            // Another person cannot take the handle.
            assert_eq!(
                write(
                    conn,
                    put(profile("bob", Some("ann"), 1), Expect::Absent, None)
                ),
                Err(ConditionFailure::AlreadyExists)
            );
            // Ann moves to a new handle; the old one is free again.
            write(
                conn,
                put(
                    profile("ann", Some("annie"), 2),
                    Expect::Version(1),
                    Some("ann"),
                ),
            )
            .unwrap();
            write(
                conn,
                put(profile("bob", Some("ann"), 1), Expect::Absent, None),
            )
            .unwrap();
            let annie = get_profile_by_handle(conn, &Handle::new("annie").unwrap())?;
            assert_eq!(annie.map(|p| p.version), Some(2));
            // Forgetting releases the handle.
            write(
                conn,
                ProfileOp::ForgetProfile {
                    user: UserId::new("ann").unwrap(),
                    handle: Some(Handle::new("annie").unwrap()),
                },
            )
            .unwrap();
            assert!(get_profile(conn, &UserId::new("ann").unwrap())?.is_none());
            assert!(get_profile_by_handle(conn, &Handle::new("annie").unwrap())?.is_none());
            Ok(())
        })
        .await
        .unwrap();
    }
}
