//! The serverless search path end to end on moto: writes through the
//! services on DynamoDB, the table's change stream read as Lambda would
//! get it, forwarded to an SQS FIFO queue, indexed into per-community
//! objects in S3 by the search function, and searched by an API function
//! that hands each search to the search function through the Lambda
//! `Invoke` API (served here by a stand-in of that API on loopback, which
//! runs the search function's handler in this process: moto runs functions
//! only in Docker). A word planted in a Restricted space is found by
//! its members and nobody else; a deletion reaches the index; messages
//! delivered twice change nothing; a rebuild queued by an operator keeps
//! the same answers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodbstreams::types::{AttributeValue, ShardIteratorType};
use copkit_aws::search_function::InvokedSearch;
use copkit_aws::{S3BlobStore, S3SearchIndex, emulator};
use copkit_core::model::{
    Access, CommunityKind, JoinPolicy, PageRequest, SearchHit, SearchKind, SpaceVisibility,
    ThreadKind, Visibility,
};
use copkit_core::service::{
    EventInput, NewCommunity, NewDocument, NewInvitation, NewPost, NewSpace, NewThread, SearchQuery,
};
use copkit_core::{Actor, CommunityId, Config, Copkit, Error, ManualClock, SpaceId, UserId};
use copkit_lambda::search_feed::{self, Delivered, FeedMessage, StreamChange};

/// The deployment: the API function's services, the search function's,
/// the queue and the stream between them.
struct Serverless {
    api: Copkit,
    indexer: Arc<Copkit>,
    search_index: Arc<S3SearchIndex>,
    /// The services on the same table and bucket with another search.
    services: ServicesWith,
    /// The SDK's settings.
    config: aws_config::SdkConfig,
    sqs: aws_sdk_sqs::Client,
    queue: String,
    streams: aws_sdk_dynamodbstreams::Client,
    iterators: Vec<String>,
    /// Every message forwarded so far (to deliver some again).
    forwarded: Vec<(String, FeedMessage)>,
}

/// A scratch folder under cargo's target/tmp (not the system's /tmp, which
/// these tests would otherwise fill with index copies).
fn scratch(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(emulator::unique_name(name).unwrap())
}

async fn deployment() -> Serverless {
    let endpoint = emulator::endpoint_from_env()
        .unwrap_or_else(|| panic!("AWS_ENDPOINT_URL is not set: {}", emulator::HOW_TO_START));
    let config = emulator::sdk_config(&endpoint).await;
    let table = emulator::unique_name("copkit-search").unwrap();
    let store = Arc::new(emulator::store_on(&config, &table, None).await.unwrap());
    let s3 = copkit_aws::config::s3_client(&config);
    s3.create_bucket().bucket(&table).send().await.unwrap();
    let sqs = aws_sdk_sqs::Client::new(&config);
    let queue = sqs
        .create_queue()
        .queue_name(format!("{table}.fifo"))
        .attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let clock = Arc::new(ManualClock::new("2026-03-02T09:00:00Z".parse().unwrap()));
    let services: ServicesWith = {
        let (s3, table) = (s3.clone(), table.clone());
        Arc::new(move |search| {
            Copkit::builder(store.clone())
                .clock(clock.clone())
                .config(Config::with_cursor_key([7; 32]))
                .blobs(Arc::new(S3BlobStore::new(s3.clone(), table.clone())))
                .search(search)
                .build()
                .unwrap()
        })
    };
    let index = |name: &str| {
        S3SearchIndex::new(
            s3.clone(),
            &table,
            "search/",
            &scratch(name),
            Duration::ZERO,
        )
        .unwrap()
    };
    let search_index = Arc::new(index("search-function"));
    let indexer = Arc::new(services(search_index.clone()));
    let function = SearchFunction {
        copkit: indexer.clone(),
        index: search_index.clone(),
        sqs: sqs.clone(),
        queue: queue.clone(),
        fail: false,
    };
    let lambda = lambda_client(&config, invoke_api(function).await);
    let api = services(Arc::new(InvokedSearch::new(lambda, "copkit-search")));

    let dynamo = aws_sdk_dynamodb::Client::new(&config);
    let arn = dynamo
        .describe_table()
        .table_name(&table)
        .send()
        .await
        .unwrap()
        .table
        .unwrap()
        .latest_stream_arn
        .expect("the table has a stream");
    let streams = aws_sdk_dynamodbstreams::Client::new(&config);
    let shards = streams
        .describe_stream()
        .stream_arn(&arn)
        .send()
        .await
        .unwrap()
        .stream_description
        .unwrap()
        .shards
        .unwrap_or_default();
    let mut iterators = Vec::new();
    for shard in shards {
        iterators.push(
            streams
                .get_shard_iterator()
                .stream_arn(&arn)
                .shard_id(shard.shard_id.unwrap())
                .shard_iterator_type(ShardIteratorType::TrimHorizon)
                .send()
                .await
                .unwrap()
                .shard_iterator
                .unwrap(),
        );
    }
    Serverless {
        api,
        indexer,
        search_index,
        services,
        config,
        sqs,
        queue,
        streams,
        iterators,
        forwarded: Vec::new(),
    }
}

fn string(
    item: Option<&std::collections::HashMap<String, AttributeValue>>,
    name: &str,
) -> Option<String> {
    item.and_then(|i| i.get(name))
        .and_then(|v| v.as_s().ok())
        .cloned()
}

type ServicesWith = Arc<dyn Fn(Arc<dyn copkit_core::search::SearchIndex>) -> Copkit + Send + Sync>;

/// The search function as the stand-in Lambda API runs it.
#[derive(Clone)]
struct SearchFunction {
    copkit: Arc<Copkit>,
    index: Arc<S3SearchIndex>,
    sqs: aws_sdk_sqs::Client,
    queue: String,
    /// Every invocation fails (as an unhandled error would).
    fail: bool,
}

/// A stand-in of the Lambda `Invoke` API on loopback
/// (`POST /2015-03-31/functions/{name}/invocations`) that runs `function`'s
/// handler; a failed handler answers as Lambda does, with
/// `X-Amz-Function-Error`. Its base URL.
async fn invoke_api(function: SearchFunction) -> String {
    use axum::extract::State;
    use axum::http::HeaderMap;
    async fn invoke(
        State(f): State<SearchFunction>,
        payload: axum::body::Bytes,
    ) -> (HeaderMap, String) {
        let mut headers = HeaderMap::new();
        let payload: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        let answer = if f.fail {
            Err("the search function fell over".to_owned())
        } else {
            search_feed::handle(
                &f.copkit,
                f.index.as_ref(),
                &f.sqs,
                &f.queue,
                payload,
                "r-1",
            )
            .await
        };
        match answer {
            Ok(answer) => (headers, answer.to_string()),
            Err(message) => {
                headers.insert("x-amz-function-error", "Unhandled".parse().unwrap());
                let error = serde_json::json!({ "errorMessage": message, "errorType": "Error" });
                (headers, error.to_string())
            }
        }
    }
    let router = axum::Router::new()
        .route(
            "/2015-03-31/functions/{name}/invocations",
            axum::routing::post(invoke),
        )
        .with_state(function);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}

fn lambda_client(config: &aws_config::SdkConfig, endpoint: String) -> aws_sdk_lambda::Client {
    aws_sdk_lambda::Client::from_conf(
        aws_sdk_lambda::config::Builder::from(config)
            .endpoint_url(endpoint)
            .build(),
    )
}

impl Serverless {
    /// The stream's new changes, as the feed sees them.
    async fn stream_changes(&mut self) -> Vec<StreamChange> {
        let mut changes = Vec::new();
        for iterator in &mut self.iterators {
            let got = self
                .streams
                .get_records()
                .shard_iterator(iterator.clone())
                .send()
                .await
                .unwrap();
            if let Some(next) = got.next_shard_iterator {
                *iterator = next;
            }
            for record in got.records.unwrap_or_default() {
                let change = record.dynamodb.unwrap();
                changes.push(StreamChange {
                    event_id: record.event_id.unwrap(),
                    pk: string(change.keys.as_ref(), "PK").unwrap(),
                    sk: string(change.keys.as_ref(), "SK").unwrap(),
                    community: string(change.new_image.as_ref(), "community")
                        .or_else(|| string(change.old_image.as_ref(), "community")),
                });
            }
        }
        changes
    }

    /// Runs the feed until the queue is empty: stream → queue → index.
    /// Returns how many messages were indexed.
    async fn settle(&mut self) -> usize {
        let changes = self.stream_changes().await;
        let messages = search_feed::messages_for(&changes);
        search_feed::forward(&self.sqs, &self.queue, &messages)
            .await
            .unwrap();
        self.forwarded.extend(messages);
        self.drain().await
    }

    /// Delivers every queued message to the indexer, deleting those it
    /// took (as Lambda's SQS source does).
    async fn drain(&self) -> usize {
        let mut indexed = 0;
        loop {
            let received = self
                .sqs
                .receive_message()
                .queue_url(&self.queue)
                .max_number_of_messages(10)
                .send()
                .await
                .unwrap()
                .messages
                .unwrap_or_default();
            if received.is_empty() {
                return indexed;
            }
            let batch: Vec<Delivered> = received
                .iter()
                .map(|m| Delivered {
                    id: m.message_id.clone().unwrap(),
                    message: serde_json::from_str(m.body.as_deref().unwrap()).ok(),
                })
                .collect();
            let response = search_feed::index(&self.indexer, &batch).await;
            assert!(
                response.batch_item_failures.is_empty(),
                "the indexer failed: {:?}",
                response.batch_item_failures
            );
            for m in &received {
                self.sqs
                    .delete_message()
                    .queue_url(&self.queue)
                    .receipt_handle(m.receipt_handle.clone().unwrap())
                    .send()
                    .await
                    .unwrap();
            }
            indexed += batch.len();
        }
    }
}

fn actor(name: &str) -> Actor {
    Actor::new(UserId::new(name).unwrap()).with_name(name.to_uppercase())
}

fn query(q: &str) -> SearchQuery {
    SearchQuery {
        q: q.into(),
        ..Default::default()
    }
}

async fn community(k: &Copkit, owner: &Actor, slug: &str, visibility: Visibility) -> CommunityId {
    k.create_community(
        owner,
        NewCommunity {
            slug: slug.into(),
            name: format!("Group {slug}"),
            purpose: "We learn from each other.".into(),
            kind: CommunityKind::TrainingGroup,
            access: Access::new(visibility, JoinPolicy::Approval),
            join_question: None,
        },
    )
    .await
    .unwrap()
    .card
    .id
}

async fn space(
    k: &Copkit,
    owner: &Actor,
    c: &CommunityId,
    name: &str,
    v: SpaceVisibility,
) -> SpaceId {
    k.create_space(
        owner,
        c,
        NewSpace {
            name: name.into(),
            description: String::new(),
            visibility: v,
        },
    )
    .await
    .unwrap()
    .id
}

async fn hits(k: &Copkit, who: &Actor, c: &CommunityId, q: &str) -> Result<Vec<SearchHit>, Error> {
    Ok(k.search(who, c, &query(q), &PageRequest::of(50))
        .await?
        .items)
}

async fn kinds(k: &Copkit, who: &Actor, c: &CommunityId, q: &str) -> Vec<SearchKind> {
    let mut kinds: Vec<SearchKind> = hits(k, who, c, q)
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.kind)
        .collect();
    kinds.sort();
    kinds
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --ignored)"]
async fn the_stream_feeds_the_index_and_only_members_find_a_restricted_word() {
    let mut d = deployment().await;
    let k = d.api.clone();
    let (helen, tom, ann, zoe) = (actor("helen"), actor("tom"), actor("ann"), actor("zoe"));
    let c = community(&k, &helen, "notes", Visibility::Private).await;
    for who in [&tom, &ann] {
        let invite = k
            .create_invitation(&helen, &c, NewInvitation::link(1))
            .await
            .unwrap();
        k.accept_invitation(who, &invite.token).await.unwrap();
    }
    let leads = space(
        &k,
        &helen,
        &c,
        "Leads",
        SpaceVisibility::Restricted {
            users: vec![tom.user.clone()],
            roles: vec![],
        },
    )
    .await;
    let thread = k
        .start_thread(
            &tom,
            &leads,
            NewThread {
                kind: ThreadKind::Discussion,
                title: "Succession".into(),
                body: "The zebrafinch plan".into(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    k.add_post(
        &tom,
        &thread.id,
        NewPost {
            body: "More on the zebrafinch.".into(),
            parent: None,
        },
    )
    .await
    .unwrap();
    k.upload_document(
        &tom,
        &leads,
        NewDocument {
            title: "zebrafinch notes".into(),
            description: String::new(),
            tags: vec![],
            content_type: "text/plain".into(),
            sha256: None,
            bytes: b"notes".to_vec(),
        },
    )
    .await
    .unwrap();
    k.schedule_event(
        &tom,
        &leads,
        EventInput {
            title: "Leads meeting".into(),
            description: "About the zebrafinch.".into(),
            location: None,
            online_url: None,
            time_zone: "Europe/London".into(),
            start_date: jiff::civil::date(2026, 4, 1),
            start_time: "12:00".into(),
            duration_minutes: 60,
            recurrence: None,
            capacity: None,
        },
    )
    .await
    .unwrap();

    // The API function's writes did not touch the index: the feed does.
    // (Its searches go to the search function.)
    assert!(hits(&k, &tom, &c, "zebrafinch").await.unwrap().is_empty());
    assert!(d.settle().await >= 4);
    let all = vec![
        SearchKind::Thread,
        SearchKind::Post,
        SearchKind::Document,
        SearchKind::Event,
    ];
    assert_eq!(kinds(&k, &tom, &c, "zebrafinch").await, all);
    assert_eq!(kinds(&k, &helen, &c, "zebrafinch").await, all, "the owner");
    assert!(
        hits(&k, &ann, &c, "zebrafinch").await.unwrap().is_empty(),
        "a plain member"
    );
    let outsider = hits(&k, &zoe, &c, "zebrafinch").await;
    assert!(
        matches!(&outsider, Ok(h) if h.is_empty()) || matches!(outsider, Err(Error::NotFound)),
        "{outsider:?}"
    );
    let mine = k
        .search_mine(&ann, &query("zebrafinch"), &PageRequest::of(50))
        .await
        .unwrap();
    assert!(mine.items.is_empty() && mine.next.is_none());

    // Every message delivered again (at least once): nothing changes.
    let again = d.forwarded.clone();
    let batch: Vec<Delivered> = again
        .iter()
        .enumerate()
        .map(|(n, (_, m))| Delivered {
            id: format!("again-{n}"),
            message: Some(m.clone()),
        })
        .collect();
    assert!(
        search_feed::index(&d.indexer, &batch)
            .await
            .batch_item_failures
            .is_empty()
    );
    assert_eq!(kinds(&k, &tom, &c, "zebrafinch").await, all);

    // Deleting the thread takes its reply with it.
    k.delete_thread(&tom, &thread.id).await.unwrap();
    d.settle().await;
    assert_eq!(
        kinds(&k, &tom, &c, "zebrafinch").await,
        [SearchKind::Document, SearchKind::Event]
    );
    // A late copy of the thread's first message cannot bring it back: the
    // indexer reads the thread as it is now.
    let late: Vec<Delivered> = again
        .iter()
        .filter(|(_, m)| matches!(m, FeedMessage::Current(r) if r.kind == SearchKind::Thread))
        .map(|(_, m)| Delivered {
            id: "late".into(),
            message: Some(m.clone()),
        })
        .collect();
    assert!(!late.is_empty());
    search_feed::index(&d.indexer, &late).await;
    assert_eq!(
        kinds(&k, &tom, &c, "zebrafinch").await,
        [SearchKind::Document, SearchKind::Event]
    );

    // An operator's rebuild goes through the queue in the community's turn.
    let queued = search_feed::handle(
        &d.indexer,
        &*d.search_index,
        &d.sqs,
        &d.queue,
        serde_json::json!({ "reindex": [c.to_string()] }),
        "request-1",
    )
    .await
    .unwrap();
    assert_eq!(queued["queued"], 1);
    assert_eq!(d.drain().await, 1);
    assert_eq!(
        kinds(&k, &tom, &c, "zebrafinch").await,
        [SearchKind::Document, SearchKind::Event]
    );
    assert!(hits(&k, &ann, &c, "zebrafinch").await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --ignored)"]
async fn a_secret_communitys_search_is_not_found_by_outsiders() {
    let mut d = deployment().await;
    let k = d.api.clone();
    let (helen, zoe) = (actor("helen"), actor("zoe"));
    let secret = community(&k, &helen, "hidden", Visibility::Secret).await;
    let inner = space(&k, &helen, &secret, "Inner", SpaceVisibility::Members).await;
    k.start_thread(
        &helen,
        &inner,
        NewThread {
            kind: ThreadKind::Discussion,
            title: "Inner".into(),
            body: "Planted quetzal word".into(),
            tags: vec![],
        },
    )
    .await
    .unwrap();
    d.settle().await;
    assert_eq!(hits(&k, &helen, &secret, "quetzal").await.unwrap().len(), 1);
    let answer = hits(&k, &zoe, &secret, "quetzal").await;
    assert!(matches!(answer, Err(Error::NotFound)), "{answer:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --ignored)"]
async fn a_failing_search_function_is_an_error_not_an_empty_answer() {
    let mut d = deployment().await;
    let helen = actor("helen");
    let c = community(&d.api, &helen, "broken", Visibility::Private).await;
    let general = space(&d.api, &helen, &c, "General", SpaceVisibility::Members).await;
    d.api
        .start_thread(
            &helen,
            &general,
            NewThread {
                kind: ThreadKind::Discussion,
                title: "Planted".into(),
                body: "A kakapo word".into(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    d.settle().await;
    assert_eq!(hits(&d.api, &helen, &c, "kakapo").await.unwrap().len(), 1);
    let failing = SearchFunction {
        copkit: d.indexer.clone(),
        index: d.search_index.clone(),
        sqs: d.sqs.clone(),
        queue: d.queue.clone(),
        fail: true,
    };
    let lambda = lambda_client(&d.config, invoke_api(failing).await);
    let api = (d.services)(Arc::new(InvokedSearch::new(lambda, "copkit-search")));
    let answer = hits(&api, &helen, &c, "kakapo").await;
    assert!(matches!(answer, Err(Error::Internal(_))), "{answer:?}");
}
