//! Delivering the outbox through a mailer, with a clock: every pending mail
//! reaches the mail service once; a mail service that fails in the middle
//! of a batch loses nothing and sends nothing twice; failures are retried
//! later and given up after the last attempt; two couriers never send the
//! same mail; mail without an address is settled, not retried.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use common::{World, actor, new_space};
use copkit_core::mail::{MailError, Mailer, Outbox};
use copkit_core::model::{
    DeliveryStatus, DigestFrequency, DigestPreference, JoinPolicy, Mail, PageRequest,
    SpaceVisibility, ThreadKind, Visibility, Weekday,
};
use copkit_core::service::mail::retry_delay;
use copkit_core::service::{MAX_DELIVERY_ATTEMPTS, NewThread};
use copkit_core::{Actor, Clock, MailId};
use jiff::SignedDuration;

/// A mail service that records what it took and fails when told to.
#[derive(Default)]
struct Recorder {
    taken: Mutex<Vec<MailId>>,
    /// The next calls' failures, in order (`None`: take the mail).
    script: Mutex<Vec<Option<MailError>>>,
}

impl Recorder {
    fn failing(script: Vec<Option<MailError>>) -> Self {
        Recorder {
            script: Mutex::new(script),
            ..Recorder::default()
        }
    }

    fn taken(&self) -> Vec<MailId> {
        self.taken.lock().unwrap().clone()
    }
}

#[async_trait]
impl Mailer for Recorder {
    async fn deliver(&self, mail: &Mail) -> Result<(), MailError> {
        let next = {
            let mut script = self.script.lock().unwrap();
            if script.is_empty() {
                None
            } else {
                script.remove(0)
            }
        };
        match next {
            Some(error) => Err(error),
            None => {
                self.taken.lock().unwrap().push(mail.id);
                Ok(())
            }
        }
    }
}

fn unavailable() -> Option<MailError> {
    Some(MailError::Unavailable("the service is throttling".into()))
}

/// Five members with addresses (and one without) who chose daily digests;
/// a day later each has one digest in the outbox, pending.
async fn five_digests() -> (World, Vec<Actor>) {
    let w = World::new();
    let owner = actor("helen").with_email("helen@example.org");
    let c = w
        .community(&owner, "mail", Visibility::Private, JoinPolicy::InviteOnly)
        .await;
    let mut people = vec![owner.clone()];
    for name in ["tom", "mia", "raj", "ann"] {
        let who = actor(name).with_email(format!("{name}@example.org"));
        w.add_member(&owner, &c, &who).await;
        people.push(who);
    }
    let nobody = actor("noaddress");
    w.add_member(&owner, &c, &nobody).await;
    let space = w
        .copkit
        .create_space(&owner, &c, new_space("Cases", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;
    let daily = DigestPreference {
        frequency: DigestFrequency::Daily,
        hour: 7,
        time_zone: "Europe/London".into(),
        weekday: Weekday::Monday,
    };
    for who in people.iter().chain([&nobody]) {
        w.copkit
            .set_digest_preference(who, daily.clone())
            .await
            .unwrap();
    }
    w.copkit
        .start_thread(
            &people[1],
            &space,
            NewThread {
                kind: ThreadKind::Discussion,
                title: "Appraisal toolkit".into(),
                body: "Has anyone tried the new toolkit?".into(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    w.advance_days(1);
    let outbox = Outbox::new(w.copkit.store().clone());
    let run = w.copkit.send_due_digests(&outbox, 100).await.unwrap();
    assert_eq!(run.sent, 6, "{run:?}");
    people.push(nobody);
    (w, people)
}

/// Everyone's stored mail by id.
async fn stored(w: &World, people: &[Actor]) -> BTreeMap<MailId, Mail> {
    let mut all = BTreeMap::new();
    for who in people {
        let page = w
            .copkit
            .list_outbox(who, &PageRequest::first())
            .await
            .unwrap();
        for mail in page.items {
            all.insert(mail.id, mail);
        }
    }
    all
}

#[tokio::test]
async fn every_pending_mail_is_handed_over_once_and_marked_sent() {
    let (w, people) = five_digests().await;
    let mailer = Recorder::default();
    let run = w.copkit.deliver_mail(&mailer, 100).await.unwrap();
    assert_eq!(
        (run.examined, run.sent, run.no_address, run.stopped),
        (6, 5, 1, false)
    );
    let mail = stored(&w, &people).await;
    let mut taken = mailer.taken();
    taken.sort();
    let with_address: Vec<MailId> = mail
        .values()
        .filter(|m| m.email.is_some())
        .map(|m| m.id)
        .collect();
    assert_eq!(taken, with_address);
    for m in mail.values() {
        let expected = if m.email.is_some() {
            DeliveryStatus::Sent
        } else {
            DeliveryStatus::NoAddress
        };
        assert_eq!(m.delivery.status, expected, "{m:?}");
        assert_eq!(m.delivery.next_attempt_at, None);
        if m.email.is_some() {
            assert_eq!(m.delivery.sent_at, Some(w.clock.now()));
            assert_eq!(m.delivery.attempts, 1);
        }
    }
    // Nothing is due any more: a second run hands nothing over.
    let again = w.copkit.deliver_mail(&mailer, 100).await.unwrap();
    assert_eq!((again.examined, again.sent), (0, 0));
    assert_eq!(mailer.taken().len(), 5);
}

#[tokio::test]
async fn a_mail_service_failing_mid_batch_loses_nothing_and_sends_nothing_twice() {
    let (w, people) = five_digests().await;
    // Two mail go through, then the service is unavailable.
    let mailer = Recorder::failing(vec![None, None, unavailable()]);
    let first = w.copkit.deliver_mail(&mailer, 100).await.unwrap();
    assert!(first.stopped, "{first:?}");
    assert_eq!((first.sent, first.retrying), (2, 1));
    let sent_first = mailer.taken();
    assert_eq!(sent_first.len(), 2);
    let mail = stored(&w, &people).await;
    let failed: Vec<&Mail> = mail
        .values()
        .filter(|m| m.delivery.last_error.is_some())
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].delivery.status, DeliveryStatus::Pending);
    assert_eq!(
        failed[0].delivery.next_attempt_at,
        Some(w.clock.now() + retry_delay(1))
    );
    // The mail not yet tried is still pending and untouched.
    let untouched = mail
        .values()
        .filter(|m| m.delivery.attempts == 0 && m.email.is_some())
        .count();
    assert_eq!(untouched, 2);

    // The next run (the service is back) sends the untouched ones; the
    // failed one waits for its retry time.
    let second = w.copkit.deliver_mail(&mailer, 100).await.unwrap();
    assert!(!second.stopped);
    assert_eq!(mailer.taken().len(), 4);
    w.clock.advance(retry_delay(1));
    let third = w.copkit.deliver_mail(&mailer, 100).await.unwrap();
    assert_eq!(third.sent, 1);
    let mut taken = mailer.taken();
    assert_eq!(taken.len(), 5);
    taken.sort();
    taken.dedup();
    assert_eq!(taken.len(), 5, "a mail was sent twice");
    assert!(
        stored(&w, &people)
            .await
            .values()
            .filter(|m| m.email.is_some())
            .all(|m| m.delivery.status == DeliveryStatus::Sent)
    );
    assert_eq!(second.no_address + first.no_address, 1);
}

#[tokio::test]
async fn a_rejected_mail_is_retried_with_growing_delays_then_given_up() {
    let (w, people) = five_digests().await;
    let rejected = || Some(MailError::Rejected("mailbox unavailable".into()));
    // The first mail in due order is rejected every time; the others pass.
    let mailer = Recorder::failing(vec![rejected()]);
    let first = w.copkit.deliver_mail(&mailer, 100).await.unwrap();
    assert_eq!((first.sent, first.retrying, first.stopped), (4, 1, false));
    for attempt in 2..=MAX_DELIVERY_ATTEMPTS {
        *mailer.script.lock().unwrap() = vec![rejected()];
        // Not due before its delay has passed.
        w.clock
            .advance(retry_delay(attempt - 1) - SignedDuration::from_secs(1));
        let early = w.copkit.deliver_mail(&mailer, 100).await.unwrap();
        assert_eq!(early.examined, 0, "attempt {attempt}");
        w.clock.advance(SignedDuration::from_secs(1));
        let run = w.copkit.deliver_mail(&mailer, 100).await.unwrap();
        assert_eq!(run.examined, 1, "attempt {attempt}");
    }
    let gave_up: Vec<Mail> = stored(&w, &people)
        .await
        .into_values()
        .filter(|m| m.delivery.status == DeliveryStatus::Failed)
        .collect();
    assert_eq!(gave_up.len(), 1);
    assert_eq!(gave_up[0].delivery.attempts, MAX_DELIVERY_ATTEMPTS);
    assert_eq!(gave_up[0].delivery.next_attempt_at, None);
    assert_eq!(
        gave_up[0].delivery.last_error.as_deref(),
        Some("the mail was rejected: mailbox unavailable")
    );
    w.clock.advance(SignedDuration::from_hours(48));
    let after = w.copkit.deliver_mail(&mailer, 100).await.unwrap();
    assert_eq!(after.examined, 0);
    assert_eq!(mailer.taken().len(), 4);
}

#[tokio::test]
async fn a_run_stops_at_its_limit_and_says_more_is_due() {
    let (w, _) = five_digests().await;
    let mailer = Recorder::default();
    let first = w.copkit.deliver_mail(&mailer, 2).await.unwrap();
    assert_eq!((first.examined, first.more_due), (2, true));
    let rest = w.copkit.deliver_mail(&mailer, 100).await.unwrap();
    assert_eq!((rest.examined, rest.more_due), (4, false));
}

#[tokio::test]
async fn two_couriers_at_once_never_hand_over_the_same_mail() {
    let (w, _) = five_digests().await;
    let (one, two) = (Recorder::default(), Recorder::default());
    let (a, b) = tokio::join!(
        w.copkit.deliver_mail(&one, 100),
        w.copkit.deliver_mail(&two, 100)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut all = one.taken();
    all.extend(two.taken());
    let count = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), count, "a mail was handed over twice");
    assert_eq!(count, 5);
    assert_eq!(a.sent + b.sent, 5);
}

#[test]
fn retry_delays_grow_and_are_capped() {
    assert_eq!(retry_delay(1), SignedDuration::from_mins(1));
    assert_eq!(retry_delay(2), SignedDuration::from_mins(4));
    assert_eq!(retry_delay(4), SignedDuration::from_mins(64));
    assert_eq!(retry_delay(9), SignedDuration::from_hours(6));
    assert_eq!(retry_delay(u32::MAX), SignedDuration::from_hours(6));
}
