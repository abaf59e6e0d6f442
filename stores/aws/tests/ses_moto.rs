//! The outbox, on DynamoDB, delivered through SES, both on moto (which
//! records the mail SES accepted): each person with an address gets their
//! mail once and nobody else gets any; a refused sender is retried later;
//! an unreachable SES stops the run and loses nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod moto;

use std::sync::Arc;

use aws_sdk_sesv2::config::Credentials;
use copkit_aws::SesMailer;
use copkit_aws::emulator;
use copkit_core::mail::{Mailer, Outbox};
use copkit_core::model::{DeliveryStatus, Mail, MailDelivery, PageRequest};
use copkit_core::store::conformance::pending_mail;
use copkit_core::{Actor, Copkit, MailId, ManualClock, UserId};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use jiff::Timestamp;
use serde_json::Value;

const SENDER: &str = "digest@copkit.example";

fn start() -> Timestamp {
    "2026-03-02T09:00:00Z".parse().unwrap()
}

/// A service on a table of its own (the delivery run reads every pending
/// mail of its table, so it must not share one with other tests).
async fn copkit() -> Copkit {
    let config = moto::sdk_config().await;
    let table = emulator::unique_name("copkit-ses").unwrap();
    let store = emulator::store_on(&config, &table, None).await.unwrap();
    Copkit::builder(Arc::new(store))
        .clock(Arc::new(ManualClock::new(start())))
        .build()
        .unwrap()
}

async fn ses() -> aws_sdk_sesv2::Client {
    aws_sdk_sesv2::Client::new(&moto::sdk_config().await)
}

/// A per-run suffix, so recipients are unique on the shared moto server.
fn run_tag() -> String {
    emulator::unique_name("r").unwrap()
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

async fn delivery_of(copkit: &Copkit, user: &str) -> MailDelivery {
    let actor = Actor::new(UserId::new(user).unwrap());
    let page = copkit
        .list_outbox(&actor, &PageRequest::first())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    page.items[0].delivery.clone()
}

/// The messages moto's SES accepted, from its model dump.
async fn accepted() -> Vec<Value> {
    let endpoint = emulator::endpoint_from_env().unwrap();
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let uri: hyper::Uri = format!("{}/moto-api/data.json", endpoint.trim_end_matches('/'))
        .parse()
        .unwrap();
    let response = client.get(uri).await.unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let data: Value = serde_json::from_slice(&body).unwrap();
    data["ses"]["Message"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Accepted messages addressed to `address`.
async fn accepted_for(address: &str) -> Vec<Value> {
    accepted()
        .await
        .into_iter()
        .filter(|m| {
            m["destinations"]["ToAddresses"]
                .as_array()
                .is_some_and(|to| to.iter().any(|a| a == address))
        })
        .collect()
}

#[tokio::test]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --include-ignored)"]
async fn each_person_with_an_address_gets_their_mail_once_through_ses() {
    let ses = ses().await;
    ses.create_email_identity()
        .email_identity(SENDER)
        .send()
        .await
        .unwrap();
    let tag = run_tag();
    let (tom, mia) = (
        format!("tom-{tag}@example.org"),
        format!("mia-{tag}@example.org"),
    );
    let copkit = copkit().await;
    file(
        &copkit,
        &[
            mail(1, "tom", Some(&tom)),
            mail(2, "mia", Some(&mia)),
            mail(3, "raj", None),
        ],
    )
    .await;
    let mailer = SesMailer::new(ses, SENDER);
    let run = copkit.deliver_mail(&mailer, 100).await.unwrap();
    assert_eq!((run.sent, run.no_address, run.stopped), (2, 1, false));
    let again = copkit.deliver_mail(&mailer, 100).await.unwrap();
    assert_eq!(again.examined, 0);

    for (address, who) in [(&tom, "tom"), (&mia, "mia")] {
        let got = accepted_for(address).await;
        assert_eq!(got.len(), 1, "{address}: {got:#?}");
        assert_eq!(got[0]["subject"], format!("Your copkit digest, {who}"));
        assert_eq!(got[0]["source"], SENDER);
        let body = got[0]["body"].as_str().unwrap();
        assert!(body.contains(&format!("Hello {who}")), "{body}");
        let to = got[0]["destinations"]["ToAddresses"].as_array().unwrap();
        assert_eq!(to.len(), 1, "one recipient per message");
    }
    let tom_delivery = delivery_of(&copkit, "tom").await;
    assert_eq!(tom_delivery.status, DeliveryStatus::Sent);
    assert_eq!(tom_delivery.sent_at, Some(start()));
    assert_eq!(
        delivery_of(&copkit, "raj").await.status,
        DeliveryStatus::NoAddress
    );
}

#[tokio::test]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --include-ignored)"]
async fn a_sender_ses_refuses_is_retried_later_and_nothing_is_sent() {
    let tag = run_tag();
    let address = format!("ann-{tag}@example.org");
    let copkit = copkit().await;
    file(&copkit, &[mail(1, "ann", Some(&address))]).await;
    // Never verified as an SES identity: SES rejects the message.
    let mailer = SesMailer::new(ses().await, format!("nobody-{tag}@unverified.example"));
    let run = copkit.deliver_mail(&mailer, 100).await.unwrap();
    assert_eq!((run.sent, run.retrying, run.stopped), (0, 1, false));
    let delivery = delivery_of(&copkit, "ann").await;
    assert_eq!(delivery.status, DeliveryStatus::Pending);
    assert_eq!(delivery.attempts, 1);
    assert!(
        delivery
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("rejected")),
        "{delivery:?}"
    );
    assert!(accepted_for(&address).await.is_empty());
}

#[tokio::test]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --include-ignored)"]
async fn an_unreachable_ses_stops_the_run_and_the_mail_waits() {
    let copkit = copkit().await;
    let tag = run_tag();
    file(
        &copkit,
        &[
            mail(1, "tom", Some(&format!("tom-{tag}@example.org"))),
            mail(2, "mia", Some(&format!("mia-{tag}@example.org"))),
        ],
    )
    .await;
    // An endpoint nothing listens on, and no retries inside the SDK.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = aws_sdk_sesv2::Config::builder()
        .behavior_version(aws_sdk_sesv2::config::BehaviorVersion::latest())
        .region(aws_sdk_sesv2::config::Region::new("us-east-1"))
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .retry_config(aws_sdk_sesv2::config::retry::RetryConfig::disabled())
        .build();
    let mailer = SesMailer::new(aws_sdk_sesv2::Client::from_conf(config), SENDER);
    let run = copkit.deliver_mail(&mailer, 100).await.unwrap();
    assert!(run.stopped, "{run:?}");
    assert_eq!((run.examined, run.sent, run.retrying), (1, 0, 1));
    let untried = [
        delivery_of(&copkit, "tom").await,
        delivery_of(&copkit, "mia").await,
    ];
    assert!(untried.iter().all(|d| d.status == DeliveryStatus::Pending));
    assert_eq!(
        untried.iter().map(|d| d.attempts).sum::<u32>(),
        1,
        "only the mail tried was counted"
    );
}
