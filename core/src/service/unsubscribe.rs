//! One-click unsubscribe (RFC 8058): every mail carries a link with a
//! token that names its reader and what the mail was (their digests, or a
//! topic of notifications by email). The token is sealed with the
//! service's secret key (as cursors are), so it cannot be forged or
//! altered, and it needs no sign-in: a mail client `POST`s to it.
//!
//! Stopping digests switches the reader's rhythm off; stopping a topic
//! turns its email into in-app only (in general and in every community
//! where they chose email for it), so nothing else they chose changes.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::model::{
    Cursor, DigestFrequency, NotificationChannel, NotificationChoices, NotificationTopic,
    TopicChannel,
};
use crate::service::{Actor, Copkit};
use crate::store::{DigestOp, Expect, Transaction};

/// The scope unsubscribe tokens are sealed under (no cursor opens as one).
const SCOPE: &str = "unsubscribe v1";

/// What a mail offers to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum MailStream {
    /// The reader's digests.
    Digests,
    /// Notifications of one topic by email.
    Topic {
        /// The topic.
        topic: NotificationTopic,
    },
}

/// What one-click unsubscribe stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Unsubscribed {
    /// The mail that stops.
    pub stopped: MailStream,
}

impl Copkit {
    /// The sealed token that stops `user`'s mail of `stream` (what a
    /// portal sending its own mail puts in its unsubscribe link).
    pub fn unsubscribe_token(&self, user: &UserId, stream: MailStream) -> Result<String> {
        let payload = serde_json::to_string(&(user, stream))
            .map_err(|e| Error::Internal(format!("an unsubscribe token: {e}")))?;
        Ok(self.cursors.encode(SCOPE, &payload)?.0)
    }

    /// The unsubscribe link for `user`'s mail of `stream`, when the
    /// service knows its public URL.
    pub(crate) fn unsubscribe_url(&self, user: &UserId, stream: MailStream) -> Option<String> {
        let base = self.config().public_url.as_deref()?;
        let token = self.unsubscribe_token(user, stream).ok()?;
        Some(format!(
            "{}/unsubscribe/{token}",
            base.trim_end_matches('/')
        ))
    }

    /// Whose mail of which kind the token stops (NotFound for a token not
    /// made here, or altered).
    fn open_token(&self, token: &str) -> Result<(UserId, MailStream)> {
        let payload = self
            .cursors
            .decode(SCOPE, &Cursor(token.to_owned()))
            .map_err(|_| Error::NotFound)?;
        serde_json::from_str(&payload).map_err(|_| Error::NotFound)
    }

    /// What the token's mail is, without changing anything (the page a
    /// browser opens from the link).
    pub fn unsubscribe_preview(&self, token: &str) -> Result<MailStream> {
        Ok(self.open_token(token)?.1)
    }

    /// Stops what the token's mail was (idempotent: stopping twice is
    /// fine). A token that was not made here, or was altered, is NotFound.
    pub async fn unsubscribe(&self, token: &str) -> Result<Unsubscribed> {
        let (user, stopped) = self.open_token(token)?;
        let actor = Actor::new(user);
        match stopped {
            MailStream::Digests => self.stop_digests(&actor).await?,
            MailStream::Topic { topic } => self.stop_topic_email(&actor, topic).await?,
        }
        Ok(Unsubscribed { stopped })
    }

    async fn stop_digests(&self, actor: &Actor) -> Result<()> {
        let Some(schedule) = self.store().get_digest_schedule(&actor.user).await? else {
            return Ok(());
        };
        if schedule.preference.frequency == DigestFrequency::Off {
            return Ok(());
        }
        let mut off = schedule.clone();
        off.preference.frequency = DigestFrequency::Off;
        off.next_due = None;
        off.updated_at = self.now();
        off.version += 1;
        let tx = Transaction::new().with(DigestOp::PutDigestSchedule {
            schedule: off,
            expect: Expect::Version(schedule.version),
        });
        self.commit(tx).await
    }

    async fn stop_topic_email(&self, actor: &Actor, topic: NotificationTopic) -> Result<()> {
        let current = self.notification_preferences(actor).await?;
        let mut choices: NotificationChoices = current.choices.clone();
        let in_app = TopicChannel {
            topic,
            channel: NotificationChannel::InApp,
        };
        let general = choices.topics.iter_mut().find(|t| t.topic == topic);
        match general {
            Some(t) if t.channel == NotificationChannel::Email => t.channel = in_app.channel,
            Some(_) => {}
            None if topic.default_channel() == NotificationChannel::Email => {
                choices.topics.push(in_app);
            }
            None => {}
        }
        for community in &mut choices.communities {
            for t in &mut community.topics {
                if t.topic == topic && t.channel == NotificationChannel::Email {
                    t.channel = in_app.channel;
                }
            }
        }
        if choices == current.choices {
            return Ok(());
        }
        self.set_notification_preferences(actor, choices, current.version)
            .await
            .map(|_| ())
    }
}
