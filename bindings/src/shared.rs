//! What every session of one `Copkit` shares: the services, the host's
//! listeners, and the reminders already sent.

use std::sync::{Arc, Mutex};

use copkit_core::UserId;
use copkit_core::service::{Reminders, Upcoming};

use crate::listener::{CopkitEvent, Listeners};

/// The services, listeners and reminder record behind every session.
pub(crate) struct Shared {
    pub(crate) core: copkit_core::Copkit,
    pub(crate) listeners: Arc<Listeners>,
    /// Which upcoming occurrences each person was told about already.
    reminders: Mutex<Reminders>,
}

impl Shared {
    pub(crate) fn new(core: copkit_core::Copkit, listeners: Arc<Listeners>) -> Self {
        Shared {
            core,
            listeners,
            reminders: Mutex::new(Reminders::new()),
        }
    }

    /// Tells the listeners about `upcoming` unless `user` heard of it
    /// already; true when it was news.
    pub(crate) fn remind(&self, user: &UserId, upcoming: Upcoming) -> bool {
        let now = self.core.now();
        let fresh = self
            .reminders
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .first_time(user, &upcoming.item, now);
        if fresh {
            self.listeners.send(&CopkitEvent::UpcomingEvent {
                user: user.clone(),
                item: upcoming.item,
                response: upcoming.response,
            });
        }
        fresh
    }
}
