//! Mail over SMTP ([`SmtpMailer`], with `lettre`): what `copkit-local` and
//! self-hosters deliver the outbox with.
//!
//! The server is named by a URL in lettre's form: `smtp://host:25` (plain,
//! for a local relay or a test sink), `smtp://user:pass@host:587?tls=required`
//! (STARTTLS) or `smtps://user:pass@host:465` (TLS from the start). TLS is
//! rustls with the system's root certificates.
//!
//! Each mail is one message with a plain-text and an HTML part, from the
//! configured sender to the person's address, with a `Message-ID` made from
//! the mail's stable id (so a repeat after a crash is recognisable).

use async_trait::async_trait;
use copkit_core::mail::{MailError, Mailer};
use copkit_core::model::Mail;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};

/// Why an SMTP mailer could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SmtpSetupError {
    /// The server URL is not one lettre understands.
    #[error("the SMTP URL is not valid: {0}")]
    Url(String),
    /// The sender is not a mailbox (`copkit <digest@example.org>`).
    #[error("the sender address is not valid: {0}")]
    From(String),
}

/// Delivers mail through one SMTP server.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpMailer {
    /// Shows the sender only (the URL may hold a password).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for the server at `url` (see the module documentation),
    /// sending as `from` (`digest@example.org` or `copkit <digest@…>`).
    pub fn new(url: &str, from: &str) -> Result<Self, SmtpSetupError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| SmtpSetupError::Url(e.to_string()))?
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| SmtpSetupError::From(e.to_string()))?;
        Ok(SmtpMailer { transport, from })
    }

    /// The message `mail` becomes.
    fn message(&self, mail: &Mail) -> Result<Message, MailError> {
        let address = mail
            .email
            .as_deref()
            .ok_or_else(|| MailError::Rejected("no address".into()))?;
        let to = address
            .parse::<Mailbox>()
            .map_err(|e| MailError::Rejected(format!("the address is not valid: {e}")))?;
        let mut message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(message_id(mail)));
        for (name, value) in mail.unsubscribe_headers() {
            message = message.raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str(name),
                value,
            ));
        }
        message
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| MailError::Rejected(format!("the message could not be built: {e}")))
    }
}

/// The `Message-ID` of a mail: its stable id at copkit.
pub fn message_id(mail: &Mail) -> String {
    format!("<{}@copkit>", mail.id)
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn deliver(&self, mail: &Mail) -> Result<(), MailError> {
        let message = self.message(mail)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            // A 5xx answer is about this mail (a refused address…); anything
            // else (a 4xx, a lost connection, a timeout) is the server's
            // state, so the run stops and the mail is tried again later.
            Err(e) if e.is_permanent() => Err(MailError::Rejected(e.to_string())),
            Err(e) => Err(MailError::Unavailable(e.to_string())),
        }
    }
}
