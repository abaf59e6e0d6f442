//! Mail through Amazon SES (API v2): [`SesMailer`], what the deployed
//! `scheduler` delivers the outbox with.
//!
//! Each mail is one `SendEmail` call with simple content (subject, plain
//! text and HTML parts) from the configured sender, which must be a verified
//! SES identity. SES answers are sorted the way [`Copkit::deliver_mail`]
//! needs them: throttling, quota and service faults mean the service is
//! unavailable (the run stops; the mail waits), while a refused message or
//! address is about that one mail (it is retried later, then given up).
//!
//! [`Copkit::deliver_mail`]: copkit_core::Copkit::deliver_mail

use async_trait::async_trait;
use aws_sdk_sesv2::error::SdkError;
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageHeader};
use copkit_core::mail::{MailError, Mailer};
use copkit_core::model::Mail;

/// Delivers mail through SES.
#[derive(Debug, Clone)]
pub struct SesMailer {
    client: aws_sdk_sesv2::Client,
    from: String,
    configuration_set: Option<String>,
}

impl SesMailer {
    /// A mailer sending as `from` (a verified identity, such as
    /// `copkit <digest@example.org>`).
    pub fn new(client: aws_sdk_sesv2::Client, from: impl Into<String>) -> Self {
        SesMailer {
            client,
            from: from.into(),
            configuration_set: None,
        }
    }

    /// Sends through the SES configuration set `name` (where bounce and
    /// complaint events are published).
    pub fn with_configuration_set(mut self, name: impl Into<String>) -> Self {
        self.configuration_set = Some(name.into());
        self
    }

    fn content(mail: &Mail) -> Result<EmailContent, MailError> {
        let text = |data: &str| {
            Content::builder()
                .data(data)
                .charset("UTF-8")
                .build()
                .map_err(|e| MailError::Rejected(format!("the message could not be built: {e}")))
        };
        let mut message = Message::builder().subject(text(&mail.subject)?).body(
            Body::builder()
                .text(text(&mail.text)?)
                .html(text(&mail.html)?)
                .build(),
        );
        for (name, value) in mail.unsubscribe_headers() {
            let header = MessageHeader::builder()
                .name(name)
                .value(value)
                .build()
                .map_err(|e| MailError::Rejected(format!("a header could not be built: {e}")))?;
            message = message.headers(header);
        }
        let message = message.build();
        Ok(EmailContent::builder().simple(message).build())
    }
}

#[async_trait]
impl Mailer for SesMailer {
    async fn deliver(&self, mail: &Mail) -> Result<(), MailError> {
        let to = mail
            .email
            .as_deref()
            .ok_or_else(|| MailError::Rejected("no address".into()))?;
        let result = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(to).build())
            .content(Self::content(mail)?)
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) => Err(classify(error)),
        }
    }
}

/// Sorts an SES failure: about this mail, or about the service.
fn classify(error: SdkError<SendEmailError>) -> MailError {
    let about_this_mail = matches!(
        error.as_service_error(),
        Some(
            SendEmailError::MessageRejected(_)
                | SendEmailError::BadRequestException(_)
                | SendEmailError::NotFoundException(_)
                | SendEmailError::MailFromDomainNotVerifiedException(_)
        )
    );
    let message = aws_sdk_sesv2::error::DisplayErrorContext(&error).to_string();
    if about_this_mail {
        MailError::Rejected(message)
    } else {
        MailError::Unavailable(message)
    }
}

/// The mailer the environment asks for: `COPKIT_MAIL_FROM` (a verified SES
/// identity) and, optionally, `COPKIT_SES_CONFIGURATION_SET`; `None` when
/// no sender is set (mail then stays in the outbox).
pub fn mailer_from_env(config: &aws_config::SdkConfig) -> Option<SesMailer> {
    let setting = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let from = setting("COPKIT_MAIL_FROM")?;
    let mailer = SesMailer::new(aws_sdk_sesv2::Client::new(config), from);
    Some(match setting("COPKIT_SES_CONFIGURATION_SET") {
        Some(set) => mailer.with_configuration_set(set),
        None => mailer,
    })
}
