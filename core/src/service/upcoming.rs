//! What is coming up for a person: the occurrences in their communities
//! that start soon, each with their own answer, and a record of which ones
//! they were already reminded of, so a reminder goes out once.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};

use crate::error::{Error, Result};
use crate::ids::{EventId, UserId};
use crate::model::{PageRequest, RsvpResponse};
use crate::service::{Actor, AgendaItem, Copkit};

/// The longest look ahead, in hours (a week).
pub const UPCOMING_MAX_HOURS: u32 = 168;

/// An occurrence starting soon, and the person's answer to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upcoming {
    /// The event and the occurrence.
    pub item: AgendaItem,
    /// What the person answered, if they did.
    pub response: Option<RsvpResponse>,
}

impl Copkit {
    /// The occurrences in the caller's communities (only the events they
    /// may see) starting within `within_hours` (1–168) from now, soonest
    /// first per community, each with the caller's own RSVP.
    pub async fn upcoming(&self, actor: &Actor, within_hours: u32) -> Result<Vec<Upcoming>> {
        if !(1..=UPCOMING_MAX_HOURS).contains(&within_hours) {
            return Err(Error::invalid(
                "within_hours",
                "out_of_range",
                format!("must be 1 to {UPCOMING_MAX_HOURS}"),
            ));
        }
        let from = self.now();
        let to = from
            .checked_add(SignedDuration::from_hours(i64::from(within_hours)))
            .map_err(|e| Error::Internal(format!("look-ahead past the calendar: {e}")))?;
        let mut upcoming = Vec::new();
        for item in self.my_agenda(actor, from, to).await? {
            let response = self
                .store()
                .get_rsvp(&item.event.id, &item.occurrence.key, &actor.user)
                .await?
                .map(|rsvp| rsvp.response);
            upcoming.push(Upcoming { item, response });
        }
        Ok(upcoming)
    }

    /// The occurrences between `from` and `to` of the events the caller may
    /// see in every community they are an active member or guest of,
    /// soonest first per community, community by community.
    pub(crate) async fn my_agenda(
        &self,
        actor: &Actor,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<AgendaItem>> {
        let mut items = Vec::new();
        let mut request = PageRequest::of(100);
        loop {
            let page = self.my_communities(actor, &request).await?;
            for mine in &page.items {
                items.extend(self.agenda(actor, &mine.card.id, from, to).await?);
            }
            match page.next {
                Some(next) => request = PageRequest::after(next, 100),
                None => return Ok(items),
            }
        }
    }
}

/// Which upcoming occurrences each person was already reminded of (kept
/// until the occurrence starts), for hosts that remind by polling
/// [`Copkit::upcoming`].
#[derive(Debug, Default)]
pub struct Reminders {
    told: HashMap<(UserId, EventId, String), Timestamp>,
}

impl Reminders {
    /// An empty record.
    pub fn new() -> Self {
        Reminders::default()
    }

    /// True the first time `user` is reminded of `item` (and records it);
    /// false after. Entries of occurrences that started by `now` are
    /// dropped.
    pub fn first_time(&mut self, user: &UserId, item: &AgendaItem, now: Timestamp) -> bool {
        self.told.retain(|_, starts| *starts > now);
        let key = (user.clone(), item.event.id, item.occurrence.key.clone());
        self.told.insert(key, item.occurrence.starts_at).is_none()
    }

    /// How many reminders are remembered.
    pub fn len(&self) -> usize {
        self.told.len()
    }

    /// True when none are.
    pub fn is_empty(&self) -> bool {
        self.told.is_empty()
    }
}
