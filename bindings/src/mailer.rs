//! The host's own mail system as copkit's mailer: a portal hands
//! `Copkit.deliver_mail` an object that sends one mail its way (its SMTP
//! relay, its notification service) and says how it went.

use std::sync::Arc;

use async_trait::async_trait;
use copkit_core::mail::{MailError, Mailer};
use copkit_core::model::Mail;

/// Why the host's mail system did not take a mail.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum HostMailError {
    /// The mail system is down or throttling: the delivery run stops, and
    /// this mail and the rest are tried again later.
    #[error("the mail system is unavailable: {reason}")]
    Unavailable {
        /// What the mail system said.
        reason: String,
    },
    /// This mail was refused (a bad address…): it is tried again later,
    /// then given up.
    #[error("the mail was rejected: {reason}")]
    Rejected {
        /// What the mail system said.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for HostMailError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        HostMailError::Unavailable { reason: e.reason }
    }
}

/// Sends one mail with the host's mail system: to `mail.email`, with
/// `mail.subject` and the `mail.text` and `mail.html` parts. Called off the
/// main thread; it may block on the network. A mail may come again after a
/// crash: its `id` stays the same.
#[uniffi::export(with_foreign)]
pub trait CopkitMailer: Send + Sync {
    /// Sends `mail`.
    fn deliver(&self, mail: Mail) -> Result<(), HostMailError>;
}

/// The host's mailer as core's.
pub(crate) struct HostMailer(pub(crate) Arc<dyn CopkitMailer>);

#[async_trait]
impl Mailer for HostMailer {
    async fn deliver(&self, mail: &Mail) -> Result<(), MailError> {
        let host = self.0.clone();
        let mail = mail.clone();
        match tokio::task::spawn_blocking(move || host.deliver(mail)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(HostMailError::Rejected { reason })) => Err(MailError::Rejected(reason)),
            Ok(Err(HostMailError::Unavailable { reason })) => Err(MailError::Unavailable(reason)),
            Err(e) => Err(MailError::Unavailable(format!(
                "the host's mailer failed: {e}"
            ))),
        }
    }
}
