//! Mail: the [`Mailer`] trait and [`Outbox`], the implementation that
//! stores every mail in the store where it can be listed (per member,
//! newest first) and waits, pending, to be sent. Producers (the digest run)
//! deliver to the outbox; [`Copkit::deliver_mail`](crate::Copkit::deliver_mail)
//! then hands pending mail to a real [`Mailer`] (Amazon SES, SMTP, a host's
//! mail system: adapters outside core) and records how each attempt went.

use std::sync::Arc;

use async_trait::async_trait;

use crate::model::Mail;
use crate::store::{ConditionFailure, DigestOp, Expect, Store, StoreError, Transaction};

/// Why a mail was not delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The mail service is down or throttling: a delivery run stops, and
    /// this mail and the rest are tried again later.
    #[error("the mail service is unavailable: {0}")]
    Unavailable(String),
    /// The mail service refused this mail (bad address…): it is tried
    /// again later (a fixed address still gets it), then given up.
    #[error("the mail was rejected: {0}")]
    Rejected(String),
}

/// Delivers mail. Implementations must accept the same mail twice (same
/// [`Mail::id`]) without sending it twice where they can: a digest whose
/// schedule could not be advanced is produced again with the same id, and
/// a courier that crashed after sending sends it again.
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Delivers one mail.
    async fn deliver(&self, mail: &Mail) -> Result<(), MailError>;
}

/// A [`Mailer`] that keeps mail in the store (the outbox), listable per
/// member. Delivering a mail whose id is already there changes nothing.
#[derive(Clone)]
pub struct Outbox {
    store: Arc<dyn Store>,
}

impl Outbox {
    /// An outbox in `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Outbox { store }
    }
}

#[async_trait]
impl Mailer for Outbox {
    async fn deliver(&self, mail: &Mail) -> Result<(), MailError> {
        let tx = Transaction::new().with(DigestOp::PutMail {
            mail: Box::new(mail.clone()),
            expect: Expect::Absent,
        });
        match self.store.commit(tx).await {
            Ok(())
            | Err(StoreError::Condition {
                failure: ConditionFailure::AlreadyExists,
                ..
            }) => Ok(()),
            Err(e) => Err(MailError::Unavailable(e.to_string())),
        }
    }
}
