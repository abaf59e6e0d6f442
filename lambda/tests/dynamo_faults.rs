//! DynamoDB failures the emulator cannot produce, through aws-smithy-mocks:
//! throttling becomes 503 with `Retry-After` and no SDK text, a cancelled
//! transaction becomes 409 naming what failed, and a refused write is one
//! refused transaction (nothing written around it).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::ErrorMetadata;
use aws_sdk_dynamodb::operation::batch_get_item::{BatchGetItemError, BatchGetItemOutput};
use aws_sdk_dynamodb::operation::delete_item::DeleteItemOutput;
use aws_sdk_dynamodb::operation::get_item::{GetItemError, GetItemOutput};
use aws_sdk_dynamodb::operation::put_item::PutItemOutput;
use aws_sdk_dynamodb::operation::query::QueryOutput;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemOutput;
use aws_sdk_dynamodb::types::CancellationReason;
use aws_sdk_dynamodb::types::error::{
    ProvisionedThroughputExceededException, TransactionCanceledException,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use copkit_aws::dynamo::DynamoStore;
use copkit_aws::dynamo::codec::{Item, encode};
use copkit_aws::dynamo::keys;
use copkit_core::model::{
    Community, CommunityCounts, CommunityKind, JoinPolicy, Membership, MembershipStatus,
    ParticipationLevel, Role, Slug, Visibility,
};
use copkit_core::store::{
    CommunityOp, ConditionFailure, Expect, StoreError, Transaction, WriteStore,
};
use copkit_core::{CommunityId, Config, Copkit, UserId};
use copkit_lambda::{AppState, Authenticator, Claims, app};
use jiff::Timestamp;
use tower::ServiceExt;

const TABLE: &str = "copkit-prod";
const OWNER: &str = "olivia";

fn community() -> Community {
    Community {
        id: "01KDVDNA0020YM9GGZ01RWHET7".parse().unwrap(),
        slug: Slug::new("st3-group").unwrap(),
        name: "ST3 group".into(),
        purpose: String::new(),
        kind: CommunityKind::TrainingGroup,
        visibility: Visibility::Private,
        join_policy: JoinPolicy::Approval,
        join_question: None,
        created_by: UserId::new(OWNER).unwrap(),
        created_at: Timestamp::from_second(1_767_225_600).unwrap(),
        updated_at: Timestamp::from_second(1_767_225_600).unwrap(),
        version: 4,
        counts: CommunityCounts {
            members: 1,
            guests: 0,
            owners: 1,
            spaces: 0,
        },
        level_rules: Default::default(),
        departed_uploads: Default::default(),
    }
}

fn owner_membership(community: CommunityId) -> Membership {
    Membership {
        community,
        user: UserId::new(OWNER).unwrap(),
        role: Role::Owner,
        status: MembershipStatus::Active,
        level: ParticipationLevel::Core,
        joined_at: Timestamp::from_second(1_767_225_600).unwrap(),
        updated_at: Timestamp::from_second(1_767_225_600).unwrap(),
        version: 1,
    }
}

/// The stored items a request about the community reads.
fn stored_items() -> Vec<Item> {
    let c = community();
    vec![
        encode(&c, &keys::community(&c.id)).unwrap(),
        encode(
            &owner_membership(c.id),
            &keys::membership(&c.id, &UserId::new(OWNER).unwrap()),
        )
        .unwrap(),
    ]
}

/// Rules for single-item writes, which copkit never makes: every write is
/// one transaction.
fn single_writes() -> Vec<Rule> {
    vec![
        mock!(Client::put_item).then_output(|| PutItemOutput::builder().build()),
        mock!(Client::update_item).then_output(|| UpdateItemOutput::builder().build()),
        mock!(Client::delete_item).then_output(|| DeleteItemOutput::builder().build()),
    ]
}

fn reads() -> Vec<Rule> {
    vec![
        mock!(Client::batch_get_item).then_output(|| {
            BatchGetItemOutput::builder()
                .responses(TABLE, stored_items())
                .build()
        }),
        mock!(Client::get_item).then_output(|| GetItemOutput::builder().build()),
        mock!(Client::query).then_output(|| QueryOutput::builder().build()),
    ]
}

fn router(client: Client) -> axum::Router {
    let store = DynamoStore::new(client, TABLE);
    let copkit = Copkit::builder(Arc::new(store))
        .config(Config::with_cursor_key([3; 32]))
        .build()
        .unwrap();
    app::router(AppState::new(copkit, Authenticator::hs256(b"faults")))
}

fn token(user: &str) -> String {
    Authenticator::hs256(b"faults")
        .issue(&Claims {
            sub: user.into(),
            // 2100-01-01: these tests are not about expiry.
            exp: Some(4_102_444_800),
            ..Claims::default()
        })
        .unwrap()
}

async fn send(
    router: axum::Router,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = router.oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn throttling_is_503_with_retry_after_and_no_sdk_text() {
    let throttled = || {
        let message = "Throughput exceeded for table copkit-prod (account 123456789012)";
        ProvisionedThroughputExceededException::builder()
            .message(message)
            .meta(
                ErrorMetadata::builder()
                    .code("ProvisionedThroughputExceededException")
                    .message(message)
                    .build(),
            )
            .build()
    };
    let batch = mock!(Client::batch_get_item)
        .then_error(move || BatchGetItemError::ProvisionedThroughputExceededException(throttled()));
    let get = mock!(Client::get_item)
        .then_error(move || GetItemError::ProvisionedThroughputExceededException(throttled()));
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&batch, &get]);
    let c = community();
    let (status, headers, body) = send(
        router(client),
        Request::get(format!("/communities/{}", c.id))
            .header("authorization", format!("Bearer {}", token(OWNER)))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(headers.get("retry-after").is_some());
    assert!(body.contains("\"code\":\"unavailable\""), "{body}");
    for leak in ["Throughput", "copkit-prod", "123456789012", "Exception"] {
        assert!(!body.contains(leak), "{leak} leaked: {body}");
    }
    assert!(batch.num_calls() + get.num_calls() >= 1);
}

fn cancelled(codes: &'static [&'static str]) -> TransactWriteItemsError {
    TransactWriteItemsError::TransactionCanceledException(
        TransactionCanceledException::builder()
            .message(
                "Transaction cancelled, please refer cancellation reasons for specific reasons",
            )
            .set_cancellation_reasons(Some(
                codes
                    .iter()
                    .map(|c| CancellationReason::builder().code(*c).build())
                    .collect(),
            ))
            .build(),
    )
}

#[tokio::test]
async fn a_cancelled_update_is_409_and_the_only_write_attempted() {
    let transact =
        mock!(Client::transact_write_items).then_error(|| cancelled(&["ConditionalCheckFailed"]));
    let mut rules = reads();
    rules.push(transact);
    rules.extend(single_writes());
    let refs: Vec<&Rule> = rules.iter().collect();
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, refs.as_slice());
    let c = community();
    let (status, _, body) = send(
        router(client),
        Request::patch(format!("/communities/{}", c.id))
            .header("authorization", format!("Bearer {}", token(OWNER)))
            .header("if-match", "\"4\"")
            .header("content-type", "application/json")
            .body(Body::from(r#"{"name": "ST3 small group"}"#))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("\"code\":\"version_conflict\""), "{body}");
    assert!(!body.contains("cancellation"), "{body}");
    let transact = &rules[3];
    assert_eq!(transact.num_calls(), 1, "one transaction, not retried");
    for single in &rules[4..] {
        assert_eq!(single.num_calls(), 0, "no write outside the transaction");
    }
}

#[tokio::test]
async fn the_failed_item_names_its_operation() {
    let transact = mock!(Client::transact_write_items)
        .then_error(|| cancelled(&["None", "None", "ConditionalCheckFailed"]));
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&transact]);
    let store = DynamoStore::new(client, TABLE);
    let c = community();
    // Op 0 writes two items (the community and its slug claim); op 1 the
    // membership, whose condition failed.
    let tx = Transaction::new()
        .with(CommunityOp::CreateCommunity {
            community: c.clone(),
        })
        .with(CommunityOp::PutMembership {
            membership: owner_membership(c.id),
            expect: Expect::Absent,
        });
    assert_eq!(
        store.commit(tx).await,
        Err(StoreError::Condition {
            op: 1,
            failure: ConditionFailure::AlreadyExists
        })
    );
}

#[tokio::test]
async fn transaction_conflicts_are_retried_then_unavailable() {
    let transact =
        mock!(Client::transact_write_items).then_error(|| cancelled(&["TransactionConflict"]));
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&transact]);
    let store = DynamoStore::new(client, TABLE);
    let c = community();
    let tx = Transaction::new().with(CommunityOp::PutMembership {
        membership: owner_membership(c.id),
        expect: Expect::Absent,
    });
    assert!(matches!(
        store.commit(tx).await,
        Err(StoreError::Unavailable { .. })
    ));
    assert!(transact.num_calls() > 1, "conflicts are retried");

    // A conflict that clears is invisible to the caller.
    let flaky = mock!(Client::transact_write_items)
        .sequence()
        .error(|| cancelled(&["TransactionConflict"]))
        .output(|| {
            aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsOutput::builder()
                .build()
        })
        .build();
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::Sequential, [&flaky]);
    let store = DynamoStore::new(client, TABLE);
    let tx = Transaction::new().with(CommunityOp::PutMembership {
        membership: owner_membership(c.id),
        expect: Expect::Absent,
    });
    assert_eq!(store.commit(tx).await, Ok(()));
    assert_eq!(flaky.num_calls(), 2);
}
