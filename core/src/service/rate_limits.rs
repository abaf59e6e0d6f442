//! Per-person limits on the writes that can flood others: founding
//! communities, reporting, inviting, posting (threads, posts and replies)
//! and asking to join. Each is a fixed window (so many per hour, say),
//! tallied in the store ([`crate::store::EphemeralStore::count_toward`]),
//! so a limit holds across Lambda instances and worker processes.
//!
//! A use case counts the write after its input is valid and the caller is
//! allowed, just before it commits: a refused or invalid request costs
//! nothing. Past the limit the use case answers [`Error::RateLimited`]
//! with the seconds until the window ends (HTTP 429 + `Retry-After`).

use jiff::{SignedDuration, Timestamp};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::service::{Actor, Copkit};

/// At most `count` writes of one kind per person in each `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Writes allowed in one window.
    pub count: u32,
    /// The window's length (at least one second).
    pub window: SignedDuration,
}

impl RateLimit {
    /// `count` writes per `window`.
    pub const fn per(count: u32, window: SignedDuration) -> Self {
        RateLimit { count, window }
    }
}

/// The limit of each kind of write; `None` leaves a kind unlimited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    /// Communities founded (default 20 an hour).
    pub communities: Option<RateLimit>,
    /// Reports filed (default 30 an hour).
    pub reports: Option<RateLimit>,
    /// Invitations created (default 200 an hour).
    pub invitations: Option<RateLimit>,
    /// Threads started, posts and replies added (default 300 in ten
    /// minutes, beyond any person typing).
    pub posts: Option<RateLimit>,
    /// Join requests made (default 60 an hour).
    pub join_requests: Option<RateLimit>,
}

impl Default for RateLimits {
    fn default() -> Self {
        let hour = SignedDuration::from_hours(1);
        RateLimits {
            communities: Some(RateLimit::per(20, hour)),
            reports: Some(RateLimit::per(30, hour)),
            invitations: Some(RateLimit::per(200, hour)),
            posts: Some(RateLimit::per(300, SignedDuration::from_mins(10))),
            join_requests: Some(RateLimit::per(60, hour)),
        }
    }
}

impl RateLimits {
    /// No limits (tools that load data, benchmarks).
    pub fn off() -> Self {
        RateLimits {
            communities: None,
            reports: None,
            invitations: None,
            posts: None,
            join_requests: None,
        }
    }

    /// Reads limits from text, as an operator writes them in
    /// `COPKIT_RATE_LIMITS`: `off` (no limits), or a comma-separated list
    /// changing the defaults, each `kind=COUNT/WINDOW` or `kind=off`, where
    /// the kinds are `communities`, `reports`, `invitations`, `posts` and
    /// `join_requests`, and the window is a duration such as `1h` or `10m`
    /// (`communities=5/1h,posts=off`). Blank text keeps the defaults.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(RateLimits::off());
        }
        let mut limits = RateLimits::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (kind, limit) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}`: expected kind=COUNT/WINDOW or kind=off"))?;
            let limit = match limit.trim() {
                "off" => None,
                limit => {
                    let (count, window) = limit
                        .split_once('/')
                        .ok_or_else(|| format!("`{part}`: expected COUNT/WINDOW, as 20/1h"))?;
                    let count: u32 = count
                        .trim()
                        .parse()
                        .map_err(|_| format!("`{part}`: the count is not a whole number"))?;
                    let window: SignedDuration = window
                        .trim()
                        .parse()
                        .map_err(|e| format!("`{part}`: the window is not a duration: {e}"))?;
                    if window.as_secs() < 1 {
                        return Err(format!("`{part}`: the window is under a second"));
                    }
                    Some(RateLimit::per(count, window))
                }
            };
            let slot = match kind.trim() {
                "communities" => &mut limits.communities,
                "reports" => &mut limits.reports,
                "invitations" => &mut limits.invitations,
                "posts" => &mut limits.posts,
                "join_requests" => &mut limits.join_requests,
                other => return Err(format!("`{other}` is not a limited kind of write")),
            };
            *slot = limit;
        }
        Ok(limits)
    }

    fn of(&self, kind: Limited) -> Option<RateLimit> {
        match kind {
            Limited::Communities => self.communities,
            Limited::Reports => self.reports,
            Limited::Invitations => self.invitations,
            Limited::Posts => self.posts,
            Limited::JoinRequests => self.join_requests,
        }
    }
}

/// The kinds of limited write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Limited {
    Communities,
    Reports,
    Invitations,
    Posts,
    JoinRequests,
}

impl Limited {
    fn name(self) -> &'static str {
        match self {
            Limited::Communities => "communities",
            Limited::Reports => "reports",
            Limited::Invitations => "invitations",
            Limited::Posts => "posts",
            Limited::JoinRequests => "join_requests",
        }
    }
}

/// How a person is named in short-lived records (tallies, holds): a digest
/// of their id, so that no record outside the person's own ever carries
/// it, and erasure leaves nothing of them behind while the records lapse.
pub(crate) fn pseudonym(user: &UserId) -> String {
    let digest = Sha256::new()
        .chain_update(b"copkit ephemeral\x1f")
        .chain_update(user.as_str().as_bytes())
        .finalize();
    hex::encode(&digest[..16])
}

/// The window holding `now`: its tally's name and its end.
fn window(kind: Limited, user: &str, limit: RateLimit, now: Timestamp) -> (String, Timestamp) {
    let length = limit.window.as_secs().max(1);
    let index = now.as_second().div_euclid(length);
    let end = index
        .checked_add(1)
        .and_then(|i| i.checked_mul(length))
        .and_then(|s| Timestamp::from_second(s).ok())
        .unwrap_or(Timestamp::MAX);
    (
        format!("rate\u{1f}{}\u{1f}{user}\u{1f}{index}", kind.name()),
        end,
    )
}

/// Whole seconds from `now` to `end`, at least one.
fn seconds_until(now: Timestamp, end: Timestamp) -> u32 {
    let nanos = end.duration_since(now).as_nanos().max(0);
    let secs = (nanos + 999_999_999) / 1_000_000_000;
    let secs = secs.max(1);
    u32::try_from(secs).unwrap_or(u32::MAX)
}

impl Copkit {
    /// Counts one write of `kind` by `actor` at `now`; past the limit,
    /// [`Error::RateLimited`] with the seconds until the window ends.
    pub(crate) async fn count_write(
        &self,
        actor: &Actor,
        kind: Limited,
        now: Timestamp,
    ) -> Result<()> {
        let Some(limit) = self.config().rate_limits.of(kind) else {
            return Ok(());
        };
        let (tally, end) = window(kind, &pseudonym(&actor.user), limit, now);
        if self
            .store()
            .count_toward(&tally, limit.count, end, now)
            .await?
        {
            Ok(())
        } else {
            Err(Error::RateLimited {
                retry_after_secs: seconds_until(now, end),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_named_by_a_digest_in_short_lived_records() {
        let ann = UserId::new("ann").unwrap();
        let name = pseudonym(&ann);
        assert_eq!(name.len(), 32);
        assert!(!name.contains("ann"));
        assert_eq!(name, pseudonym(&ann));
        assert_ne!(name, pseudonym(&UserId::new("anna").unwrap()));
    }

    #[test]
    fn windows_are_fixed_and_named_by_kind_person_and_index() {
        let limit = RateLimit::per(5, SignedDuration::from_hours(1));
        let at = |s: i64| Timestamp::from_second(s).unwrap();
        let (a, end_a) = window(Limited::Reports, "u1", limit, at(7_200));
        let (b, end_b) = window(Limited::Reports, "u1", limit, at(10_799));
        assert_eq!(a, b);
        assert_eq!(end_a, at(10_800));
        assert_eq!(end_b, at(10_800));
        let (next, _) = window(Limited::Reports, "u1", limit, at(10_800));
        assert_ne!(a, next);
        assert_ne!(a, window(Limited::Posts, "u1", limit, at(7_200)).0);
        assert_ne!(a, window(Limited::Reports, "u2", limit, at(7_200)).0);
    }

    #[test]
    fn limits_are_read_as_an_operator_writes_them() {
        assert_eq!(RateLimits::parse("off").unwrap(), RateLimits::off());
        assert_eq!(RateLimits::parse(" ").unwrap(), RateLimits::default());
        let read = RateLimits::parse("communities=5/1h, posts=off,reports=2/10m").unwrap();
        assert_eq!(
            read.communities,
            Some(RateLimit::per(5, SignedDuration::from_hours(1)))
        );
        assert_eq!(read.posts, None);
        assert_eq!(
            read.reports,
            Some(RateLimit::per(2, SignedDuration::from_mins(10)))
        );
        assert_eq!(read.invitations, RateLimits::default().invitations);
        for bad in [
            "communities",
            "communities=5",
            "communities=x/1h",
            "communities=5/soon",
            "communities=5/0s",
            "threads=5/1h",
        ] {
            assert!(RateLimits::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_wait_is_whole_seconds_to_the_window_end_and_never_zero() {
        let at = |s: i64| Timestamp::from_second(s).unwrap();
        assert_eq!(seconds_until(at(100), at(160)), 60);
        assert_eq!(seconds_until(at(160), at(160)), 1);
        let half = at(100)
            .checked_add(SignedDuration::from_millis(500))
            .unwrap();
        assert_eq!(seconds_until(half, at(160)), 60);
    }
}
