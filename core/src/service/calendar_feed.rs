//! A person's calendar feed URL: a secret token in a URL that Google
//! Calendar, Outlook and Apple Calendar subscribe to without headers.
//!
//! The token is shown once, when made; copkit keeps only its SHA-256.
//! Making a new one revokes the old (its URL then answers 404 like any
//! unknown one), and stopping the feed revokes it without a successor.
//! What the feed shows is decided at each fetch, for the person the token
//! belongs to: the occurrences of the events they may see **now** in the
//! communities they are an active member or guest of, from
//! [`FEED_PAST_DAYS`] ago to [`FEED_AHEAD_DAYS`] ahead. Someone removed,
//! banned or gone from a restricted space stops seeing those events at
//! the next refresh.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ical;
use crate::model::{CalendarFeed, Event, Occurrence, TokenHash};
use crate::service::{Actor, Copkit};
use crate::store::{Expect, ProfileOp, Transaction};

/// How far back a feed reaches.
pub const FEED_PAST_DAYS: i64 = 30;
/// How far ahead a feed reaches.
pub const FEED_AHEAD_DAYS: i64 = 365;
/// The longest token a feed URL may hold (longer ones are not looked up).
const TOKEN_MAX: usize = 256;

/// A new calendar feed token (shown only this once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewCalendarFeed {
    /// The secret that goes in the feed's URL.
    pub token: String,
    /// When it was made.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// A calendar feed as the HTTP API hands it out: its URL, and the token in
/// it (shown only this once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CalendarFeedLink {
    /// The URL a calendar app subscribes to.
    pub url: String,
    /// The secret in it.
    pub token: String,
    /// When it was made.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

impl Copkit {
    /// Makes the caller a new calendar feed token, revoking the one they
    /// had (if any).
    pub async fn renew_calendar_feed(&self, actor: &Actor) -> Result<NewCalendarFeed> {
        let current = self.store().get_calendar_feed(&actor.user).await?;
        let token = self.secret_token()?;
        let now = self.now();
        let feed = CalendarFeed {
            user: actor.user.clone(),
            token_hash: TokenHash::of(&token),
            created_at: now,
            version: current.as_ref().map_or(1, |f| f.version + 1),
        };
        let tx = Transaction::new().with(ProfileOp::PutCalendarFeed {
            feed,
            expect: Expect::from_version(current.as_ref().map(|f| f.version)),
            previous: current.map(|f| f.token_hash),
        });
        self.commit(tx).await?;
        Ok(NewCalendarFeed {
            token,
            created_at: now,
        })
    }

    /// Revokes the caller's calendar feed (nothing happens without one).
    pub async fn stop_calendar_feed(&self, actor: &Actor) -> Result<()> {
        let Some(feed) = self.store().get_calendar_feed(&actor.user).await? else {
            return Ok(());
        };
        let tx = Transaction::new().with(ProfileOp::ForgetCalendarFeed {
            user: actor.user.clone(),
            token: Some(feed.token_hash),
        });
        self.commit(tx).await
    }

    /// The iCalendar feed a token opens: what its person may see now (see
    /// the module documentation). An unknown or revoked token is
    /// [`Error::NotFound`].
    pub async fn calendar_feed_by_token(&self, token: &str) -> Result<String> {
        if token.is_empty() || token.len() > TOKEN_MAX {
            return Err(Error::NotFound);
        }
        let feed = self
            .store()
            .get_calendar_feed_by_token(&TokenHash::of(token))
            .await?
            .ok_or(Error::NotFound)?;
        let actor = Actor::new(feed.user);
        let now = self.now();
        let from = now - SignedDuration::from_hours(24 * FEED_PAST_DAYS);
        let to = now + SignedDuration::from_hours(24 * FEED_AHEAD_DAYS);
        let mut items = self.my_agenda(&actor, from, to).await?;
        items.sort_by(|a, b| {
            (a.occurrence.starts_at, a.event.id).cmp(&(b.occurrence.starts_at, b.event.id))
        });
        let entries: Vec<(&Event, Occurrence)> = items
            .iter()
            .map(|i| (&i.event, i.occurrence.clone()))
            .collect();
        Ok(ical::feed("My copkit communities", &entries, now))
    }
}
