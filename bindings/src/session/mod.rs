//! One signed-in person: every core use case as an async method.
//!
//! Each method calls the matching `copkit_core::Copkit` use case with this
//! session's actor, or, for a session of a `CopkitClient`, the API
//! operation of the same name through `copkit-client` (the `both!` macro).
//! Lists take `limit` (default 20, at most 100) and the `cursor` of the
//! previous page.

/// Calls the use case `$method` on whichever side the session is: the
/// embedded services (with the session's actor in front of the arguments)
/// or the remote API through `copkit-client` (same name, same arguments).
macro_rules! both {
    ($session:ident, $method:ident($($arg:expr),* $(,)?)) => {
        match &$session.backend {
            $crate::session::Backend::Embedded { shared, actor } => shared
                .core
                .$method(actor, $($arg),*)
                .await
                .map_err(copkit_core::ffi::CopkitError::from),
            $crate::session::Backend::Remote { client, .. } => client
                .$method($($arg),*)
                .await
                .map_err($crate::remote::remote_error),
        }
    };
}

mod communities;
mod digests;
mod discussions;
mod documents;
mod events;
mod invitations;
mod members;
mod moderation;
mod notifications;
mod polls;
mod profiles;
mod requests;
mod rights;
mod search;
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

/// Where a session's use cases run.
pub(crate) enum Backend {
    /// In this process, over the host's store.
    Embedded { shared: Arc<Shared>, actor: Actor },
    /// On a copkit API, as whoever the client's tokens name.
    Remote {
        client: copkit_client::Client,
        user: UserId,
    },
}

/// One signed-in person's view of copkit: embedded (`Copkit.session`) or
/// remote (`CopkitClient.session`), with the same methods and records
/// either way. Cheap to create; create one per person (or per request in a
/// portal).
#[derive(uniffi::Object)]
pub struct Session {
    pub(crate) backend: Backend,
}

impl Session {
    pub(crate) fn new(shared: Arc<Shared>, actor: Actor) -> Self {
        Session {
            backend: Backend::Embedded { shared, actor },
        }
    }

    pub(crate) fn remote(client: copkit_client::Client, user: UserId) -> Self {
        Session {
            backend: Backend::Remote { client, user },
        }
    }

    /// The embedded services, or `Unsupported` for a remote session.
    pub(crate) fn embedded(&self, operation: &str) -> SessionResult<(&Arc<Shared>, &Actor)> {
        match &self.backend {
            Backend::Embedded { shared, actor } => Ok((shared, actor)),
            Backend::Remote { .. } => Err(CopkitError::Unsupported {
                operation: operation.to_owned(),
            }),
        }
    }
}

#[uniffi::export]
impl Session {
    /// The signed-in person's subject id.
    pub fn user(&self) -> UserId {
        match &self.backend {
            Backend::Embedded { actor, .. } => actor.user.clone(),
            Backend::Remote { user, .. } => user.clone(),
        }
    }

    /// The current time on copkit's clock (the device's clock for a remote
    /// session).
    pub fn now(&self) -> Timestamp {
        match &self.backend {
            Backend::Embedded { shared, .. } => shared.core.now(),
            Backend::Remote { .. } => Timestamp::now(),
        }
    }

    /// True for a session on a remote API.
    pub fn is_remote(&self) -> bool {
        matches!(self.backend, Backend::Remote { .. })
    }
}
