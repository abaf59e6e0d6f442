//! One signed-in person: every core use case as an async method.
//!
//! Each method delegates to the matching `copkit_core::Copkit` use case with
//! this session's actor; lists take `limit` (default 20, at most 100) and
//! the `cursor` of the previous page.

mod communities;
mod digests;
mod discussions;
mod documents;
mod events;
mod invitations;
mod members;
mod moderation;
mod polls;
mod profiles;
mod requests;
mod rights;
mod spaces;
mod value;

#[cfg(feature = "bench")]
mod bench;

use std::sync::Arc;

use copkit_core::ffi::CopkitError;
use copkit_core::{Actor, UserId};
use jiff::Timestamp;

use crate::shared::Shared;

uniffi::use_remote_type!(copkit_core::jiff::Timestamp);
uniffi::use_remote_type!(copkit_core::jiff::civil::Date);

/// What every session method returns.
type SessionResult<T> = Result<T, CopkitError>;

/// One signed-in person's view of copkit. Cheap to create; create one per
/// person (or per request in a portal).
#[derive(uniffi::Object)]
pub struct Session {
    shared: Arc<Shared>,
    actor: Actor,
}

impl Session {
    pub(crate) fn new(shared: Arc<Shared>, actor: Actor) -> Self {
        Session { shared, actor }
    }

    fn core(&self) -> &copkit_core::Copkit {
        &self.shared.core
    }
}

#[uniffi::export]
impl Session {
    /// The signed-in person's subject id.
    pub fn user(&self) -> UserId {
        self.actor.user.clone()
    }

    /// The current time on copkit's clock.
    pub fn now(&self) -> Timestamp {
        self.core().now()
    }
}
