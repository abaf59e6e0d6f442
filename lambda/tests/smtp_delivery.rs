//! The outbox delivered over SMTP to a real SMTP server: Python's
//! `aiosmtpd`, started by each test as a sink that files every message it
//! accepts in a Maildir. The right people get the right mail once, nobody
//! else gets any; an unreachable server loses nothing.
//!
//! Ignored by default: `tests/run-all.sh` runs them with the Python tools
//! venv (`COPKIT_TEST_PYTHON`, which has `aiosmtpd`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use copkit_core::mail::{Mailer, Outbox};
use copkit_core::model::{DeliveryStatus, Mail, PageRequest};
use copkit_core::store::conformance::pending_mail;
use copkit_core::{Actor, Copkit, MailId, ManualClock, MemoryStore, UserId};
use copkit_lambda::smtp::{SmtpMailer, message_id};
use jiff::Timestamp;

/// An `aiosmtpd` sink on a free loopback port, filing into a Maildir.
struct Sink {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl Sink {
    fn start(name: &str) -> Sink {
        let python = std::env::var("COPKIT_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let port = free_port();
        let maildir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("copkit-smtp-{name}-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&maildir);
        let child = Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{python} -m aiosmtpd did not start: {e}"));
        // Owned from here, so a failed start still stops the process.
        let sink = Sink {
            child,
            port,
            maildir,
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return sink;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("aiosmtpd did not listen on {port} (is aiosmtpd installed for {python}?)");
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message filed so far, as text.
    fn messages(&self) -> Vec<String> {
        let new = self.maildir.join("new");
        let Ok(entries) = std::fs::read_dir(&new) else {
            return Vec::new();
        };
        entries
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start() -> Timestamp {
    "2026-03-02T09:00:00Z".parse().unwrap()
}

fn copkit() -> Copkit {
    Copkit::builder(Arc::new(MemoryStore::new()))
        .clock(Arc::new(ManualClock::new(start())))
        .build()
        .unwrap()
}

fn mail(n: u128, user: &str, email: Option<&str>) -> Mail {
    let id = MailId(ulid::Ulid::from_parts(1_772_000_000_000, n));
    pending_mail(id, user, email.map(str::to_owned), start())
}

async fn file(copkit: &Copkit, mails: &[Mail]) {
    let outbox = Outbox::new(copkit.store().clone());
    for m in mails {
        outbox.deliver(m).await.unwrap();
    }
}

async fn status_of(copkit: &Copkit, user: &str) -> Vec<DeliveryStatus> {
    let actor = Actor::new(UserId::new(user).unwrap());
    copkit
        .list_outbox(&actor, &PageRequest::first())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|m| m.delivery.status)
        .collect()
}

/// One header's value in a raw message (first occurrence, unfolded).
fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

#[tokio::test]
#[ignore = "needs aiosmtpd (tests/run-all.sh sets COPKIT_TEST_PYTHON)"]
async fn each_person_with_an_address_gets_their_mail_once_and_nobody_else_gets_any() {
    let sink = Sink::start("once");
    let copkit = copkit();
    let mut mails = vec![
        mail(1, "tom", Some("tom@example.org")),
        mail(2, "mia", Some("mia@example.org")),
        mail(3, "raj", None),
    ];
    // Tom's mail carries a one-click unsubscribe link; Mia's none.
    mails[0].unsubscribe_url = Some("https://api.copkit.example/unsubscribe/tok-1".into());
    file(&copkit, &mails).await;
    let smtp = SmtpMailer::new(&sink.url(), "copkit <digest@copkit.example>").unwrap();
    let run = copkit.deliver_mail(&smtp, 100).await.unwrap();
    assert_eq!((run.sent, run.no_address, run.stopped), (2, 1, false));
    // A second run finds nothing due and sends nothing.
    let again = copkit.deliver_mail(&smtp, 100).await.unwrap();
    assert_eq!(again.examined, 0);

    let messages = sink.messages();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    let by_recipient: BTreeMap<&str, &String> = messages
        .iter()
        .map(|m| (header(m, "To").unwrap(), m))
        .collect();
    assert_eq!(
        by_recipient.keys().copied().collect::<Vec<_>>(),
        vec!["mia@example.org", "tom@example.org"]
    );
    for (m, who) in [(&mails[0], "tom"), (&mails[1], "mia")] {
        let message = by_recipient[m.email.as_deref().unwrap()];
        assert_eq!(
            header(message, "Subject"),
            Some(format!("Your copkit digest, {who}").as_str())
        );
        assert_eq!(
            header(message, "From"),
            Some("copkit <digest@copkit.example>")
        );
        assert_eq!(header(message, "Message-ID"), Some(message_id(m).as_str()));
        assert!(message.contains("multipart/alternative"), "{message}");
        assert!(message.contains("text/plain") && message.contains("text/html"));
        assert!(message.contains(&format!("Hello {who}, one new thread in Cases.")));
        // Nobody's text reaches anyone else.
        let other = if who == "tom" { "mia" } else { "tom" };
        assert!(!message.contains(&format!("Hello {other}")));
    }
    let tom = by_recipient["tom@example.org"];
    assert_eq!(
        header(tom, "List-Unsubscribe"),
        Some("<https://api.copkit.example/unsubscribe/tok-1>")
    );
    assert_eq!(
        header(tom, "List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    assert_eq!(
        header(by_recipient["mia@example.org"], "List-Unsubscribe"),
        None
    );
    assert_eq!(status_of(&copkit, "tom").await, vec![DeliveryStatus::Sent]);
    assert_eq!(
        status_of(&copkit, "raj").await,
        vec![DeliveryStatus::NoAddress]
    );
}

#[tokio::test]
#[ignore = "needs aiosmtpd (tests/run-all.sh sets COPKIT_TEST_PYTHON)"]
async fn an_unreachable_server_stops_the_run_and_the_mail_waits() {
    // A port nothing listens on.
    let url = format!("smtp://127.0.0.1:{}", free_port());
    let copkit = copkit();
    let mails = vec![
        mail(1, "tom", Some("tom@example.org")),
        mail(2, "mia", Some("mia@example.org")),
    ];
    file(&copkit, &mails).await;
    let smtp = SmtpMailer::new(&url, "digest@copkit.example").unwrap();
    let run = copkit.deliver_mail(&smtp, 100).await.unwrap();
    assert!(run.stopped, "{run:?}");
    assert_eq!((run.sent, run.retrying, run.examined), (0, 1, 1));
    assert_eq!(
        status_of(&copkit, "tom").await,
        vec![DeliveryStatus::Pending]
    );
    assert_eq!(
        status_of(&copkit, "mia").await,
        vec![DeliveryStatus::Pending]
    );

    // Once a server answers, the untried mail goes at once; the tried one
    // waits for its retry time.
    let sink = Sink::start("later");
    let smtp = SmtpMailer::new(&sink.url(), "digest@copkit.example").unwrap();
    let later = copkit.deliver_mail(&smtp, 100).await.unwrap();
    assert_eq!(later.sent, 1, "the untried mail goes at once");
    assert_eq!(sink.messages().len(), 1);
}

#[test]
fn bad_settings_are_refused_with_a_clear_error() {
    let url = SmtpMailer::new("ftp://example.org", "digest@copkit.example").unwrap_err();
    assert!(url.to_string().contains("SMTP URL"), "{url}");
    let from = SmtpMailer::new("smtp://127.0.0.1:25", "not an address").unwrap_err();
    assert!(from.to_string().contains("sender"), "{from}");
}
