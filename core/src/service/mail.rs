//! Delivering the outbox: [`Copkit::deliver_mail`] hands pending mail to a
//! real [`Mailer`] (Amazon SES, SMTP, a host's mail system) and records
//! how each attempt went.
//!
//! Producers (the digest run, and later notifications) only ever store mail
//! through [`crate::mail::Outbox`]; delivery is a separate, repeatable step.
//! Each mail is claimed before it is handed over (its attempt count and a
//! lease are written with a version check, so two couriers never send the
//! same attempt), then marked sent, or due again after a growing delay.
//! When the mail service says it is unavailable the run stops at once:
//! the mail not yet tried stays pending and untouched, nothing is lost and
//! nothing already taken is sent again. Only a crash between the mail
//! service taking a mail and the mark being written sends it twice (once
//! the lease runs out); the message keeps its stable id for receivers that
//! recognise repeats.

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::mail::{MailError, Mailer};
use crate::model::{DeliveryStatus, Mail, MailDelivery};
use crate::service::Copkit;
use crate::store::{DigestOp, Expect, Transaction};

/// Attempts one mail gets before it is given up as `failed`.
pub const MAX_DELIVERY_ATTEMPTS: u32 = 6;
/// How long an attempt holds its mail: a courier that crashed mid-attempt
/// leaves it due again after this.
pub const DELIVERY_LEASE: SignedDuration = SignedDuration::from_mins(10);
/// Mail read per round of a run.
const DELIVERY_BATCH: u32 = 50;
/// The longest wait between two attempts.
const MAX_RETRY_DELAY: SignedDuration = SignedDuration::from_hours(6);

/// What one delivery run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeliveryRun {
    /// Due mail looked at.
    pub examined: u32,
    /// Mail the mail service took.
    pub sent: u32,
    /// Mail for people without a known address (not sent, not retried).
    pub no_address: u32,
    /// Notification mail whose reader may no longer see what it tells of
    /// (not sent).
    pub withdrawn: u32,
    /// Failed attempts that will be tried again later.
    pub retrying: u32,
    /// Mail given up after its last attempt.
    pub failed: u32,
    /// Mail another courier claimed first (left to it).
    pub skipped: u32,
    /// Whether the run stopped early because the mail service was
    /// unavailable (the rest waits for the next run).
    pub stopped: bool,
    /// Whether mail was still due when the run reached its limit.
    pub more_due: bool,
}

/// The wait after the `attempts`-th failed attempt: 1, 4, 16, 64 minutes…
/// up to 6 hours.
pub fn retry_delay(attempts: u32) -> SignedDuration {
    let factor = 4_i64.saturating_pow(attempts.saturating_sub(1).min(10));
    SignedDuration::from_mins(factor).min(MAX_RETRY_DELAY)
}

/// Whether a run goes on after one mail.
enum Next {
    Continue,
    Stop,
}

impl Copkit {
    /// Hands at most `max` due mail to `mailer`, oldest due first, and
    /// records each outcome on the mail (see the module documentation).
    pub async fn deliver_mail(&self, mailer: &dyn Mailer, max: u32) -> Result<DeliveryRun> {
        let mut run = DeliveryRun::default();
        loop {
            let room = max.saturating_sub(run.examined);
            if room == 0 {
                run.more_due = !self.store().mail_due(self.now(), 1).await?.is_empty();
                return Ok(run);
            }
            let asked = room.min(DELIVERY_BATCH);
            let due = self.store().mail_due(self.now(), asked).await?;
            let full = due.len() as u32 == asked;
            for mail in due {
                run.examined += 1;
                if let Next::Stop = self.deliver_one(mailer, mail, &mut run).await? {
                    run.stopped = true;
                    return Ok(run);
                }
            }
            if !full {
                return Ok(run);
            }
        }
    }

    /// Claims, hands over and records one mail.
    async fn deliver_one(
        &self,
        mailer: &dyn Mailer,
        mail: Mail,
        run: &mut DeliveryRun,
    ) -> Result<Next> {
        let now = self.now();
        if mail.email.is_none() {
            let settled = with_delivery(
                &mail,
                MailDelivery {
                    status: DeliveryStatus::NoAddress,
                    next_attempt_at: None,
                    ..mail.delivery.clone()
                },
            );
            return match self.put_mail(settled, mail.version).await? {
                true => {
                    run.no_address += 1;
                    Ok(Next::Continue)
                }
                false => {
                    run.skipped += 1;
                    Ok(Next::Continue)
                }
            };
        }
        // A notification is checked again before it leaves: access may
        // have changed since it was made.
        if let Some(n) = &mail.notification
            && !self
                .may_see(&n.user, &n.community, &n.kind, n.space)
                .await?
        {
            let settled = with_delivery(
                &mail,
                MailDelivery {
                    status: DeliveryStatus::Withdrawn,
                    next_attempt_at: None,
                    ..mail.delivery.clone()
                },
            );
            if self.put_mail(settled, mail.version).await? {
                run.withdrawn += 1;
            } else {
                run.skipped += 1;
            }
            return Ok(Next::Continue);
        }
        let claimed = with_delivery(
            &mail,
            MailDelivery {
                attempts: mail.delivery.attempts + 1,
                next_attempt_at: Some(now + DELIVERY_LEASE),
                ..mail.delivery.clone()
            },
        );
        if !self.put_mail(claimed.clone(), mail.version).await? {
            run.skipped += 1;
            return Ok(Next::Continue);
        }
        let outcome = mailer.deliver(&claimed).await;
        let now = self.now();
        let (delivery, next) = match &outcome {
            Ok(()) => {
                run.sent += 1;
                let delivery = MailDelivery {
                    status: DeliveryStatus::Sent,
                    next_attempt_at: None,
                    sent_at: Some(now),
                    last_error: None,
                    ..claimed.delivery.clone()
                };
                (delivery, Next::Continue)
            }
            Err(error) => {
                let gave_up = claimed.delivery.attempts >= MAX_DELIVERY_ATTEMPTS;
                if gave_up {
                    run.failed += 1;
                } else {
                    run.retrying += 1;
                }
                let delivery = MailDelivery {
                    status: if gave_up {
                        DeliveryStatus::Failed
                    } else {
                        DeliveryStatus::Pending
                    },
                    next_attempt_at: (!gave_up)
                        .then(|| now + retry_delay(claimed.delivery.attempts)),
                    last_error: Some(error.to_string()),
                    ..claimed.delivery.clone()
                };
                let next = match error {
                    MailError::Unavailable(_) => Next::Stop,
                    MailError::Rejected(_) => Next::Continue,
                };
                (delivery, next)
            }
        };
        // Lost only if the lease ran out and another courier took the mail
        // meanwhile; its record then tells that attempt.
        self.put_mail(with_delivery(&claimed, delivery), claimed.version)
            .await?;
        Ok(next)
    }

    /// Writes `mail` over the version `expected`; false when another
    /// writer changed it first.
    async fn put_mail(&self, mail: Mail, expected: u64) -> Result<bool> {
        let tx = Transaction::new().with(DigestOp::PutMail {
            mail: Box::new(mail),
            expect: Expect::Version(expected),
        });
        match self.commit(tx).await {
            Ok(()) => Ok(true),
            Err(Error::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// `mail` with `delivery` and its version moved on.
fn with_delivery(mail: &Mail, delivery: MailDelivery) -> Mail {
    Mail {
        delivery,
        version: mail.version + 1,
        ..mail.clone()
    }
}
