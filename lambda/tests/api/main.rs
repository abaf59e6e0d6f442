//! Every endpoint through the router the Lambda uses, one file per area
//! (the operations of one or two OpenAPI tags): success, validation error,
//! the outsider's 404, the wrong role's 403, a stale `If-Match` (409), a
//! replayed `Idempotency-Key`, no identity's 401. The client records what
//! each operation answered; each area's test then holds its operations to
//! the document ([`common::coverage::check_answers`]), so a new endpoint
//! without tests fails here.
//!
//! Each area runs as independent tests on the in-memory store and, with a
//! moto server (`--ignored`), on DynamoDB, where each operation's calls
//! are held to their target ([`common::coverage::check_calls`]).

// Test code: a panic is the failure report.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_arguments
)]

#[path = "../common/mod.rs"]
mod common;

mod communities;
mod cpd;
mod digests;
mod discussions;
mod documents;
mod events;
mod invitations;
mod join_requests;
mod levels;
mod me;
mod members;
mod moderation;
mod notifications;
mod polls;
mod search;
mod spaces;
mod value;

use std::collections::{BTreeMap, BTreeSet};

pub use common::calls_table;
pub use common::coverage::OVER_TARGET;
use common::world::World;

/// Each area (a file of this folder) and the OpenAPI tags whose operations
/// its scenarios must cover.
pub const AREAS: &[(&str, &[&str])] = &[
    ("communities", &["communities"]),
    ("cpd", &["cpd"]),
    ("digests", &["digests"]),
    ("discussions", &["discussions"]),
    ("documents", &["documents"]),
    ("events", &["events"]),
    ("invitations", &["invitations"]),
    ("join_requests", &["join requests"]),
    ("levels", &["levels"]),
    ("me", &["service", "me"]),
    ("members", &["members"]),
    ("moderation", &["moderation"]),
    ("notifications", &["notifications"]),
    ("polls", &["polls"]),
    ("search", &["search"]),
    ("spaces", &["spaces"]),
    ("value", &["value"]),
];

/// The tags of `area`.
pub fn tags(area: &str) -> &'static [&'static str] {
    AREAS
        .iter()
        .find(|(name, _)| *name == area)
        .map(|(_, tags)| *tags)
        .unwrap_or_else(|| panic!("{area} is not in AREAS"))
}

/// An area's tests: its scenarios, in order, on a fresh world of the
/// in-memory store (`on_memory`) and of DynamoDB in moto (`on_dynamodb`,
/// ignored without `--ignored`), then its operations held to the document
/// and, on DynamoDB, to their call targets. The area is the module's name.
#[macro_export]
macro_rules! area_tests {
    ($($scenario:path),+ $(,)?) => {
        /// The area's scenarios, in order (all areas run them in one world
        /// for the `dynamo_calls` bench).
        pub async fn scenarios(w: &super::common::world::World) {
            $( $scenario(w).await; )+
        }

        fn area() -> &'static str {
            module_path!().rsplit("::").next().unwrap()
        }

        #[tokio::test]
        async fn on_memory() {
            let w = super::common::world::World::on_memory().await;
            scenarios(&w).await;
            super::common::coverage::check_answers(&w, super::tags(area())).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn on_sqlite() {
            let w = super::common::world::World::on_sqlite().await;
            scenarios(&w).await;
            super::common::coverage::check_answers(&w, super::tags(area())).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        #[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --ignored)"]
        async fn on_dynamodb() {
            let w = super::common::world::World::on_dynamodb().await;
            scenarios(&w).await;
            super::common::coverage::check_answers(&w, super::tags(area())).await;
            super::common::coverage::check_calls(&w, area(), super::tags(area()));
        }
    };
}

/// Every scenario of every area in one world, in an order where each
/// finds what the earlier ones made (the `dynamo_calls` bench).
pub async fn all_scenarios(w: &World) {
    me::service_and_me(w).await;
    communities::communities(w).await;
    members::membership(w).await;
    levels::levels(w).await;
    value::value_stories(w).await;
    cpd::cpd(w).await;
    value::health(w).await;
    join_requests::join_requests(w).await;
    invitations::invitations(w).await;
    spaces::spaces(w).await;
    common::world::archive(w).await;
    discussions::discussions(w).await;
    documents::documents(w).await;
    documents::uploads(w).await;
    events::events(w).await;
    events::calendar_feed_url(w).await;
    polls::polls(w).await;
    search::search(w).await;
    moderation::moderation(w).await;
    digests::digests(w).await;
    notifications::notifications(w).await;
    me::data_rights(w).await;
}

/// Runs every scenario on a fresh DynamoDB table in moto and returns the
/// most calls each operation's successful answers took (the `dynamo_calls`
/// bench).
pub async fn dynamodb_calls_per_operation() -> BTreeMap<(String, String), common::Calls> {
    let w = World::on_dynamodb().await;
    all_scenarios(&w).await;
    w.api.calls()
}

#[test]
fn every_tag_belongs_to_exactly_one_area() {
    let doc = copkit_lambda::app::openapi_document();
    let mut documented = BTreeSet::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let tags = op["tags"].as_array().unwrap();
            assert_eq!(tags.len(), 1, "one tag per operation: {op}");
            documented.insert(tags[0].as_str().unwrap().to_owned());
        }
    }
    let mut claimed = BTreeSet::new();
    for (area, tags) in AREAS {
        for tag in *tags {
            assert!(
                claimed.insert((*tag).to_owned()),
                "{tag} claimed twice ({area})"
            );
        }
    }
    assert_eq!(documented, claimed, "tags of the document vs AREAS");
}
