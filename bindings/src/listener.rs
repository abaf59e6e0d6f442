//! Domain events for the host's own notifications.

use std::sync::{Arc, RwLock};

use copkit_core::model::{Activity, RsvpResponse};
use copkit_core::service::AgendaItem;
use copkit_core::{ActivityListener, UserId};

/// Something the embedding portal or app may want to notify someone about.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
// uniffi enums carry their records by value (no `Box`); events are
// short-lived, so the size difference costs nothing that matters.
#[allow(clippy::large_enum_variant)]
pub enum CopkitEvent {
    /// A use case succeeded: a new post, an approved request, a new
    /// document... `activity.kind` says which.
    Activity {
        /// What happened, where and by whom.
        activity: Activity,
    },
    /// An occurrence in one of `user`'s communities starts soon (see
    /// `Session.announce_upcoming`).
    UpcomingEvent {
        /// Whom it is for.
        user: UserId,
        /// The event and the occurrence.
        item: AgendaItem,
        /// What the user answered, if they did.
        response: Option<RsvpResponse>,
    },
}

/// A listener's failure. Hosts rarely return it: anything a listener
/// throws arrives as `Failed` and is contained.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum ListenerError {
    /// The listener could not handle the event.
    #[error("listener failed: {reason}")]
    Failed {
        /// What the listener said.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for ListenerError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        ListenerError::Failed { reason: e.reason }
    }
}

/// Implemented by the host (Kotlin, Swift, Python) to receive events.
/// Called on a copkit thread after the change is stored; keep it quick and
/// hand real work to the host's own queue.
#[uniffi::export(with_foreign)]
pub trait CopkitListener: Send + Sync {
    /// One event. Whatever the listener throws (or returns as an error) is
    /// contained: the change is stored and other listeners still hear it.
    fn on_event(&self, event: CopkitEvent) -> Result<(), ListenerError>;
}

/// The registered listeners, shared by the core subscription and the
/// upcoming-event announcer.
#[derive(Default)]
pub(crate) struct Listeners(RwLock<Vec<Arc<dyn CopkitListener>>>);

impl Listeners {
    pub(crate) fn add(&self, listener: Arc<dyn CopkitListener>) {
        if let Ok(mut all) = self.0.write() {
            all.push(listener);
        }
    }

    pub(crate) fn send(&self, event: &CopkitEvent) {
        let all = match self.0.read() {
            Ok(all) => all.clone(),
            Err(_) => return,
        };
        for listener in all {
            // A failing host listener must not undo or hide the change that
            // was already stored, nor stop the others from hearing of it.
            let event = event.clone();
            let _ =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| listener.on_event(event)));
        }
    }
}

/// Forwards every core activity to the host's listeners.
pub(crate) struct Forward(pub(crate) Arc<Listeners>);

impl ActivityListener for Forward {
    fn on_activity(&self, activity: &Activity) {
        self.0.send(&CopkitEvent::Activity {
            activity: activity.clone(),
        });
    }
}
