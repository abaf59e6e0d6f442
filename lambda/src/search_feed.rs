//! The serverless search feed: the table's change stream → one SQS FIFO
//! queue → the indexer, which keeps each community's index in S3
//! (`copkit_aws::S3SearchIndex`).
//!
//! 1. **From the stream** ([`changes_from_stream`], [`forward`]): each
//!    change of a thread, post, document or event item (`THREAD#…`,
//!    `POST#…`, `DOC#…`, `EVENT#…` with sort key `META`) becomes a
//!    [`FeedMessage::Current`] naming that content, sent with the
//!    community as the message group (changes of one community are
//!    indexed one batch at a time, in order) and the stream record's id as
//!    the deduplication id (a stream batch retried after a partial send
//!    sends nothing twice). Every committed write is in the stream, so
//!    nothing the write path does can be missed: at least once.
//! 2. **Into the index** ([`index`]): the indexer reads each named piece
//!    of content as the store has it **now** and puts or removes its entry
//!    (`Copkit::index_current`), so a message delivered twice or late does
//!    no harm. [`FeedMessage::Reindex`] rebuilds a community in its turn.
//!    A failure reports that message and every later one of the same
//!    community as failed (SQS delivers them again, in order).

use std::collections::BTreeMap;

use aws_lambda_events::event::dynamodb::Event as StreamEvent;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsMessage};
use copkit_aws::search_function;
use copkit_core::Copkit;
use copkit_core::ids::CommunityId;
use copkit_core::model::SearchKind;
use copkit_core::search::{ContentRef, SearchIndex};
use serde::{Deserialize, Serialize};

/// Messages SQS takes in one batch call.
const SEND_BATCH: usize = 10;

/// A message on the search queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum FeedMessage {
    /// Index this content as it is now.
    Current(ContentRef),
    /// Rebuild this community's index from the store.
    Reindex {
        /// The community.
        community: CommunityId,
    },
}

impl FeedMessage {
    /// The community whose index it changes (its message group).
    pub fn community(&self) -> CommunityId {
        match self {
            FeedMessage::Current(content) => content.community,
            FeedMessage::Reindex { community } => *community,
        }
    }
}

/// One change the table's stream reported, as the feed needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamChange {
    /// The stream record's id (unique per change).
    pub event_id: String,
    /// The item's partition key.
    pub pk: String,
    /// The item's sort key.
    pub sk: String,
    /// The `community` attribute of its new image, else its old one.
    pub community: Option<String>,
}

/// The searchable content a change is about, if any.
pub fn content_of(change: &StreamChange) -> Option<ContentRef> {
    if change.sk != "META" {
        return None;
    }
    let (prefix, id) = change.pk.split_once('#')?;
    let kind = match prefix {
        "THREAD" => SearchKind::Thread,
        "POST" => SearchKind::Post,
        "DOC" => SearchKind::Document,
        "EVENT" => SearchKind::Event,
        _ => return None,
    };
    let community = change.community.as_deref()?.parse().ok()?;
    Some(ContentRef {
        community,
        kind,
        id: id.to_owned(),
    })
}

fn string(item: &serde_dynamo::Item, name: &str) -> Option<String> {
    match item.get(name) {
        Some(serde_dynamo::AttributeValue::S(value)) => Some(value.clone()),
        _ => None,
    }
}

/// The changes in a DynamoDB stream event (as Lambda delivers it).
pub fn changes_from_stream(event: &StreamEvent) -> Vec<StreamChange> {
    event
        .records
        .iter()
        .filter_map(|record| {
            let change = &record.change;
            Some(StreamChange {
                event_id: record.event_id.clone(),
                pk: string(&change.keys, "PK")?,
                sk: string(&change.keys, "SK")?,
                community: string(&change.new_image, "community")
                    .or_else(|| string(&change.old_image, "community")),
            })
        })
        .collect()
}

/// The feed's messages for `changes`, each with its deduplication id.
pub fn messages_for(changes: &[StreamChange]) -> Vec<(String, FeedMessage)> {
    changes
        .iter()
        .filter_map(|c| {
            content_of(c).map(|content| (c.event_id.clone(), FeedMessage::Current(content)))
        })
        .collect()
}

/// Sends `messages` (deduplication id, message) to the FIFO queue at
/// `queue_url`, in order, the community as the message group. An error
/// when any was not taken: the caller's batch is retried, and SQS drops
/// the ones it already has (same deduplication id, within five minutes).
pub async fn forward(
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    messages: &[(String, FeedMessage)],
) -> Result<usize, String> {
    for chunk in messages.chunks(SEND_BATCH) {
        let mut entries = Vec::with_capacity(chunk.len());
        for (n, (dedup, message)) in chunk.iter().enumerate() {
            let body = serde_json::to_string(message).map_err(|e| e.to_string())?;
            entries.push(
                aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                    .id(n.to_string())
                    .message_body(body)
                    .message_group_id(message.community().to_string())
                    .message_deduplication_id(dedup)
                    .build()
                    .map_err(|e| e.to_string())?,
            );
        }
        let sent = sqs
            .send_message_batch()
            .queue_url(queue_url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| {
                format!(
                    "sending to the search queue: {}",
                    aws_sdk_sqs::error::DisplayErrorContext(&e)
                )
            })?;
        if !sent.failed().is_empty() {
            return Err(format!(
                "the search queue refused {} of {} messages: {:?}",
                sent.failed().len(),
                chunk.len(),
                sent.failed().first().map(|f| f.message())
            ));
        }
    }
    Ok(messages.len())
}

/// One queue message as the indexer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// Its SQS message id (for a partial batch failure).
    pub id: String,
    /// What it asks (`None`: a body the feed did not write).
    pub message: Option<FeedMessage>,
}

/// The messages of an SQS event, in order.
pub fn delivered(messages: &[SqsMessage]) -> Vec<Delivered> {
    messages
        .iter()
        .map(|m| Delivered {
            id: m.message_id.clone().unwrap_or_default(),
            message: m
                .body
                .as_deref()
                .and_then(|body| serde_json::from_str(body).ok()),
        })
        .collect()
}

/// Applies a batch of queue messages to the index, community by community
/// and in order within each; the messages to deliver again.
pub async fn index(copkit: &Copkit, batch: &[Delivered]) -> SqsBatchResponse {
    let mut by_community: BTreeMap<CommunityId, Vec<(&str, &FeedMessage)>> = BTreeMap::new();
    let mut response = SqsBatchResponse::default();
    for delivered in batch {
        match &delivered.message {
            Some(message) => by_community
                .entry(message.community())
                .or_default()
                .push((&delivered.id, message)),
            // Never indexable: dropped, with a log line, rather than retried forever.
            None => {
                tracing::error!(message_id = %delivered.id, "a search feed message that is not one")
            }
        }
    }
    for (community, messages) in by_community {
        if let Some(failed_from) = apply_in_order(copkit, &messages).await {
            tracing::warn!(%community, "search indexing failed; the rest of the community's batch comes again");
            for (id, _) in &messages[failed_from..] {
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = (*id).to_owned();
                response.batch_item_failures.push(failure);
            }
        }
    }
    response
}

/// What the search function does with one invocation's payload: a
/// DynamoDB stream batch is forwarded to the queue, an SQS batch is
/// indexed (the answer names the messages to deliver again),
/// `{"search": …}` (the API function handing over a search, see
/// `copkit_aws::search_function`) is answered from `search_index`, and
/// `{"reindex": ["<community id>", …]}` (an operator's invocation) queues
/// a rebuild of each, in its community's turn. `request_id` keeps two
/// rebuild requests apart.
pub async fn handle(
    copkit: &Copkit,
    search_index: &dyn SearchIndex,
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    payload: serde_json::Value,
    request_id: &str,
) -> Result<serde_json::Value, String> {
    if let Some(search) = payload.get(search_function::SEARCH_KEY) {
        let answer = search_function::answer(search_index, search.clone()).await?;
        return serde_json::to_value(answer).map_err(|e| e.to_string());
    }
    let source = payload
        .get("Records")
        .and_then(|r| r.get(0))
        .and_then(|r| r.get("eventSource").or_else(|| r.get("EventSource")))
        .and_then(|s| s.as_str())
        .map(str::to_owned);
    match source.as_deref() {
        Some("aws:dynamodb") => {
            let event: StreamEvent =
                serde_json::from_value(payload).map_err(|e| format!("a stream event: {e}"))?;
            let sent = forward(sqs, queue_url, &messages_for(&changes_from_stream(&event))).await?;
            Ok(serde_json::json!({ "forwarded": sent }))
        }
        Some("aws:sqs") => {
            let event: aws_lambda_events::event::sqs::SqsEvent =
                serde_json::from_value(payload).map_err(|e| format!("an SQS event: {e}"))?;
            let response = index(copkit, &delivered(&event.records)).await;
            serde_json::to_value(response).map_err(|e| e.to_string())
        }
        _ => {
            let Some(communities) = payload.get("reindex").and_then(|r| r.as_array()) else {
                return Err("expected a DynamoDB stream batch, an SQS batch, {\"search\": …} or {\"reindex\": [community ids]}".into());
            };
            let mut messages = Vec::with_capacity(communities.len());
            for community in communities {
                let community: CommunityId = community
                    .as_str()
                    .and_then(|c| c.parse().ok())
                    .ok_or_else(|| format!("not a community id: {community}"))?;
                messages.push((
                    format!("reindex-{community}-{request_id}"),
                    FeedMessage::Reindex { community },
                ));
            }
            let queued = forward(sqs, queue_url, &messages).await?;
            Ok(serde_json::json!({ "queued": queued }))
        }
    }
}

/// Applies one community's messages in order: runs of content together,
/// a rebuild on its own. The position of the first that failed, if any.
async fn apply_in_order(copkit: &Copkit, messages: &[(&str, &FeedMessage)]) -> Option<usize> {
    let mut at = 0;
    while at < messages.len() {
        match messages[at].1 {
            FeedMessage::Reindex { community } => {
                if let Err(e) = copkit.reindex_community(community).await {
                    tracing::warn!(error = %e, "search rebuild failed");
                    return Some(at);
                }
                at += 1;
            }
            FeedMessage::Current(_) => {
                let run: Vec<ContentRef> = messages[at..]
                    .iter()
                    .map_while(|(_, m)| match m {
                        FeedMessage::Current(content) => Some(content.clone()),
                        FeedMessage::Reindex { .. } => None,
                    })
                    .collect();
                if let Err(e) = copkit.index_current(&run).await {
                    tracing::warn!(error = %e, "search indexing failed");
                    return Some(at);
                }
                at += run.len();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(pk: &str, sk: &str, community: Option<&str>) -> StreamChange {
        StreamChange {
            event_id: "e1".into(),
            pk: pk.into(),
            sk: sk.into(),
            community: community.map(str::to_owned),
        }
    }

    const COMMUNITY: &str = "01KDVDNA0020YM9GGZ01RWHET7";

    #[test]
    fn only_content_items_name_content() {
        let thread = content_of(&change(
            "THREAD#01KDVDNA0020YM9GGZ01RWHET8",
            "META",
            Some(COMMUNITY),
        ))
        .unwrap();
        assert_eq!(thread.kind, SearchKind::Thread);
        assert_eq!(thread.id, "01KDVDNA0020YM9GGZ01RWHET8");
        assert_eq!(thread.community.to_string(), COMMUNITY);
        for (pk, kind) in [
            ("POST#x", SearchKind::Post),
            ("DOC#x", SearchKind::Document),
            ("EVENT#x", SearchKind::Event),
        ] {
            assert_eq!(
                content_of(&change(pk, "META", Some(COMMUNITY)))
                    .unwrap()
                    .kind,
                kind
            );
        }
        // A document's version, a reaction, a community, no community attribute.
        assert!(content_of(&change("DOC#x", "V#0000000001", Some(COMMUNITY))).is_none());
        assert!(content_of(&change("POST#x", "REACT#u#like", Some(COMMUNITY))).is_none());
        assert!(content_of(&change("COMMUNITY#x", "META", Some(COMMUNITY))).is_none());
        assert!(content_of(&change("THREAD#x", "META", None)).is_none());
        assert!(content_of(&change("THREAD#x", "META", Some("not-an-id"))).is_none());
    }

    #[test]
    fn a_lambda_stream_event_gives_its_changes() {
        // The shape Lambda delivers (NEW_AND_OLD_IMAGES): an insert, and a
        // removal that only has its old image.
        let event: StreamEvent = serde_json::from_value(serde_json::json!({
            "Records": [
                {
                    "eventID": "c4ca4238a0b923820dcc509a6f75849b",
                    "eventName": "INSERT",
                    "eventVersion": "1.1",
                    "eventSource": "aws:dynamodb",
                    "awsRegion": "eu-west-2",
                    "dynamodb": {
                        "Keys": {"PK": {"S": "POST#01KDVDNA0020YM9GGZ01RWHET9"}, "SK": {"S": "META"}},
                        "NewImage": {
                            "PK": {"S": "POST#01KDVDNA0020YM9GGZ01RWHET9"}, "SK": {"S": "META"},
                            "community": {"S": COMMUNITY}, "body": {"S": "hello"}
                        },
                        "SequenceNumber": "111", "SizeBytes": 26, "StreamViewType": "NEW_AND_OLD_IMAGES"
                    },
                    "eventSourceARN": "arn:aws:dynamodb:eu-west-2:123456789012:table/copkit/stream/2026-01-01T00:00:00.000"
                },
                {
                    "eventID": "c81e728d9d4c2f636f067f89cc14862c",
                    "eventName": "REMOVE",
                    "eventVersion": "1.1",
                    "eventSource": "aws:dynamodb",
                    "awsRegion": "eu-west-2",
                    "dynamodb": {
                        "Keys": {"PK": {"S": "EVENT#01KDVDNA0020YM9GGZ01RWHETA"}, "SK": {"S": "META"}},
                        "OldImage": {"community": {"S": COMMUNITY}},
                        "SequenceNumber": "222", "SizeBytes": 26, "StreamViewType": "NEW_AND_OLD_IMAGES"
                    },
                    "eventSourceARN": "arn:aws:dynamodb:eu-west-2:123456789012:table/copkit/stream/2026-01-01T00:00:00.000"
                }
            ]
        }))
        .unwrap();
        let messages = messages_for(&changes_from_stream(&event));
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].0, "c4ca4238a0b923820dcc509a6f75849b");
        let FeedMessage::Current(post) = &messages[0].1 else {
            panic!("not content: {:?}", messages[0].1);
        };
        assert_eq!(
            (post.kind, post.id.as_str()),
            (SearchKind::Post, "01KDVDNA0020YM9GGZ01RWHET9")
        );
        assert_eq!(messages[1].1.community().to_string(), COMMUNITY);
    }

    #[test]
    fn messages_round_trip_and_strangers_are_recognised() {
        let message = FeedMessage::Reindex {
            community: COMMUNITY.parse().unwrap(),
        };
        let body = serde_json::to_string(&message).unwrap();
        assert_eq!(
            body,
            format!(r#"{{"op":"reindex","community":"{COMMUNITY}"}}"#)
        );
        let mut sqs = SqsMessage::default();
        sqs.message_id = Some("m1".into());
        sqs.body = Some(body);
        let mut stranger = SqsMessage::default();
        stranger.message_id = Some("m2".into());
        stranger.body = Some("{\"hello\":1}".into());
        let batch = delivered(&[sqs, stranger]);
        assert_eq!(batch[0].message, Some(message));
        assert_eq!(batch[1].message, None);
    }
}
