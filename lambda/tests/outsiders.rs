//! The security oracle over HTTP: every route, called by every kind of
//! caller with every id that caller may not reach — in the path or inside
//! the body — answers 404 (401 without a token), exactly like something
//! that does not exist, and changes nothing (the whole store is compared
//! before and after: every record of the memory store, every item of the
//! SQLite database and of the DynamoDB table on moto).
//!
//! The callers: the owner, a moderator not admitted to a Restricted room,
//! the member named on it, a plain member, a guest of one space, an
//! outsider, someone pending, someone denied, someone banned, someone who
//! left, someone erased, and no token at all. What they may not reach: the
//! room and its content, the Members space's content (for the guest and
//! everyone outside), a Secret community and its content, and another
//! Secret community the owner is not in.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request};
use common::Api;
use copkit_core::model::{
    Access, CommunityKind, JoinPolicy, ResultsVisibility, Role, SpaceVisibility, ThreadKind,
};
use copkit_core::service::{
    EventInput, InviteAccess, NewCommunity, NewDocument, NewInvitation, NewPoll, NewPost, NewSpace,
    NewThread,
};
use copkit_core::{Actor, CommunityId, MemoryStore, SpaceId, UserId};
use serde_json::{Value, json};

/// What a route's `{id}` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Community,
    Space,
    Thread,
    Post,
    Document,
    Event,
    Poll,
}

impl Kind {
    fn of(path: &str) -> Option<Kind> {
        let first = path.trim_start_matches('/').split('/').next()?;
        path.contains("{id}").then_some(())?;
        Some(match first {
            "communities" => Kind::Community,
            "spaces" => Kind::Space,
            "threads" => Kind::Thread,
            "posts" => Kind::Post,
            "documents" => Kind::Document,
            "events" => Kind::Event,
            "polls" => Kind::Poll,
            _ => return None,
        })
    }
}

/// One thing someone may not reach, with what its routes need.
#[derive(Debug, Clone)]
struct Target {
    kind: Kind,
    id: String,
    /// Content its routes' bodies name: a community's post, a thread's
    /// post, a post's thread.
    related: String,
}

fn actor(name: &str) -> Actor {
    Actor::new(UserId::new(name).unwrap())
        .with_name(format!("Dr {name}"))
        .with_email(format!("{name}@example.nhs.uk"))
}

fn event_input(title: &str) -> EventInput {
    EventInput {
        title: title.into(),
        description: String::new(),
        location: Some("Room 1".into()),
        online_url: None,
        time_zone: "Europe/London".into(),
        // The router's clock starts on Monday 2 March 2026.
        start_date: jiff::civil::date(2026, 3, 10),
        start_time: "18:30".into(),
        duration_minutes: 60,
        recurrence: None,
        capacity: None,
    }
}
const OCCURRENCE: &str = "2026-03-10T18:30:00";

/// Content of every kind in `space`; the targets it makes.
async fn content(api: &Api, by: &Actor, space: SpaceId) -> Vec<Target> {
    let k = &api.copkit;
    let thread = k
        .start_thread(
            by,
            &space,
            NewThread {
                kind: ThreadKind::Question,
                title: "Private question".into(),
                body: String::new(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    let post = k
        .add_post(
            by,
            &thread.id,
            NewPost {
                body: "Private answer".into(),
                parent: None,
            },
        )
        .await
        .unwrap();
    let document = k
        .upload_document(
            by,
            &space,
            NewDocument {
                title: "Private notes".into(),
                description: String::new(),
                tags: vec![],
                content_type: "text/markdown".into(),
                sha256: None,
                bytes: b"# notes".to_vec(),
            },
        )
        .await
        .unwrap();
    let event = k
        .schedule_event(by, &space, event_input("Private session"))
        .await
        .unwrap();
    let poll = k
        .create_poll(
            by,
            &space,
            NewPoll {
                question: "Private poll?".into(),
                options: vec!["A".into(), "B".into()],
                multiple_choice: false,
                closes_in_hours: 24,
                results: ResultsVisibility::AfterVote,
            },
        )
        .await
        .unwrap();
    let t = |kind, id: String, related: String| Target { kind, id, related };
    vec![
        t(Kind::Space, space.to_string(), post.id.to_string()),
        t(Kind::Thread, thread.id.to_string(), post.id.to_string()),
        t(Kind::Post, post.id.to_string(), thread.id.to_string()),
        t(Kind::Document, document.id.to_string(), String::new()),
        t(Kind::Event, event.id.to_string(), String::new()),
        t(Kind::Poll, poll.poll.id.to_string(), String::new()),
    ]
}

async fn community(api: &Api, owner: &Actor, slug: &str, access: Access) -> CommunityId {
    api.copkit
        .create_community(
            owner,
            NewCommunity {
                slug: slug.into(),
                name: format!("Group {slug}"),
                purpose: String::new(),
                kind: CommunityKind::TrainingGroup,
                access,
                join_question: None,
            },
        )
        .await
        .unwrap()
        .card
        .id
}

async fn join(api: &Api, owner: &Actor, c: &CommunityId, who: &Actor) {
    let invite = api
        .copkit
        .create_invitation(owner, c, NewInvitation::link(1))
        .await
        .unwrap();
    api.copkit
        .accept_invitation(who, &invite.token)
        .await
        .unwrap();
}

/// The world, and who may not reach what.
struct World {
    api: Api,
    store: Snapshot,
    /// Caller name (empty: no token) → targets it may not reach.
    unreachable: BTreeMap<String, Vec<Target>>,
    /// Posts and threads of the Members space (for bodies).
    members_thread: String,
    members_post: String,
    room: String,
    room_post: String,
    room_document: String,
    room_thread: String,
    room_event: String,
    private: String,
}

/// An attribute value printed with its maps in key order (the SDK keeps
/// them in hash maps).
fn canonical(value: &aws_sdk_dynamodb::types::AttributeValue) -> String {
    use aws_sdk_dynamodb::types::AttributeValue as A;
    match value {
        A::M(map) => {
            let sorted: BTreeMap<&String, String> =
                map.iter().map(|(k, v)| (k, canonical(v))).collect();
            format!("M{sorted:?}")
        }
        A::L(items) => format!("L{:?}", items.iter().map(canonical).collect::<Vec<_>>()),
        other => format!("{other:?}"),
    }
}

/// Fails with the records that differ when a refused call changed any.
fn unchanged(before: &str, after: &str) {
    let (old, new): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    let gone: Vec<&&str> = old.iter().filter(|l| !new.contains(l)).collect();
    let came: Vec<&&str> = new.iter().filter(|l| !old.contains(l)).collect();
    assert!(
        gone.is_empty() && came.is_empty(),
        "a refused call changed something:\n- {gone:?}\n+ {came:?}"
    );
}

/// Where the world lives, and how to read every record it holds.
enum Snapshot {
    Memory(MemoryStore),
    Sqlite(copkit_sqlite::Database),
    Dynamo(aws_sdk_dynamodb::Client, String),
}

impl Snapshot {
    /// Every record, printed (to compare before and after).
    async fn dump(&self) -> String {
        match self {
            Snapshot::Memory(store) => format!("{store:#?}"),
            Snapshot::Sqlite(db) => db.every_item().await.unwrap().join("\n"),
            Snapshot::Dynamo(client, table) => {
                let mut items = Vec::new();
                let mut start = None;
                loop {
                    let page = client
                        .scan()
                        .table_name(table)
                        .consistent_read(true)
                        .set_exclusive_start_key(start)
                        .send()
                        .await
                        .unwrap();
                    items.extend(page.items().iter().map(|item| {
                        let sorted: BTreeMap<&String, String> =
                            item.iter().map(|(k, v)| (k, canonical(v))).collect();
                        format!("{sorted:?}")
                    }));
                    match page.last_evaluated_key() {
                        Some(key) => start = Some(key.clone()),
                        None => break,
                    }
                }
                items.sort();
                items.join("\n")
            }
        }
    }
}

async fn world_on_memory() -> World {
    let store = MemoryStore::new();
    let api = Api::with_store(Arc::new(store.clone()));
    world(api, Snapshot::Memory(store)).await
}

async fn world_on_sqlite() -> World {
    let db = copkit_sqlite::Database::open(common::sqlite::fresh_path()).unwrap();
    let api = Api::with_store(Arc::new(copkit_sqlite::SqliteStore::new(db.clone())));
    world(api, Snapshot::Sqlite(db)).await
}

async fn world_on_dynamodb() -> World {
    let endpoint = copkit_aws::emulator::endpoint_from_env()
        .unwrap_or_else(|| panic!("AWS_ENDPOINT_URL is not set"));
    let config = copkit_aws::emulator::sdk_config(&endpoint).await;
    let table = copkit_aws::emulator::unique_name("copkit-outsiders").unwrap();
    let store = copkit_aws::emulator::store_on(&config, &table, None)
        .await
        .unwrap();
    let api = Api::with_store(Arc::new(store));
    world(
        api,
        Snapshot::Dynamo(aws_sdk_dynamodb::Client::new(&config), table),
    )
    .await
}

async fn world(api: Api, store: Snapshot) -> World {
    let k = &api.copkit;
    let owner = actor("owner");
    let private = community(
        &api,
        &owner,
        "private-group",
        Access::Private {
            join_policy: JoinPolicy::Approval,
        },
    )
    .await;
    let secret = community(&api, &owner, "secret-group", Access::Secret).await;
    let stranger = actor("stranger");
    let foreign = community(&api, &stranger, "not-owners-secret", Access::Secret).await;

    let (moderator, named, member, guest) = (
        actor("moderator"),
        actor("named"),
        actor("member"),
        actor("guest"),
    );
    for who in [&moderator, &named, &member] {
        join(&api, &owner, &private, who).await;
    }
    k.change_role(&owner, &private, &moderator.user, Role::Moderator)
        .await
        .unwrap();
    let space = |name: &str, visibility| NewSpace {
        name: name.into(),
        description: String::new(),
        visibility,
    };
    let members_space = k
        .create_space(&owner, &private, space("Cases", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;
    let room = k
        .create_space(
            &owner,
            &private,
            space(
                "Appraisal room",
                SpaceVisibility::Restricted {
                    users: vec![named.user.clone()],
                    roles: vec![],
                },
            ),
        )
        .await
        .unwrap()
        .id;
    let guest_space = k
        .create_space(&owner, &private, space("Talks", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;
    let guest_invite = k
        .create_invitation(
            &owner,
            &private,
            NewInvitation {
                access: InviteAccess::Guest {
                    spaces: vec![guest_space],
                },
                ..NewInvitation::link(1)
            },
        )
        .await
        .unwrap();
    k.accept_invitation(&guest, &guest_invite.token)
        .await
        .unwrap();
    let secret_space = k
        .create_space(&owner, &secret, space("Inner", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;
    let foreign_space = k
        .create_space(
            &stranger,
            &foreign,
            space("Theirs", SpaceVisibility::Members),
        )
        .await
        .unwrap()
        .id;

    let members_content = content(&api, &owner, members_space).await;
    let room_content = content(&api, &named, room).await;
    let secret_content = content(&api, &owner, secret_space).await;
    let foreign_content = content(&api, &stranger, foreign_space).await;

    // Pending, denied, banned, left, erased.
    let (pending, denied, banned, left, erased) = (
        actor("pending"),
        actor("denied"),
        actor("banned"),
        actor("left"),
        actor("erased"),
    );
    k.request_to_join(&pending, &private, Some("Riverside"))
        .await
        .unwrap();
    k.request_to_join(&denied, &private, Some("Riverside"))
        .await
        .unwrap();
    k.deny_join_request(&owner, &private, &denied.user, "Not this year")
        .await
        .unwrap();
    for who in [&banned, &left, &erased] {
        join(&api, &owner, &private, who).await;
    }
    k.ban_member(&owner, &private, &banned.user, None, "Spam")
        .await
        .unwrap();
    k.leave(&left, &private).await.unwrap();
    k.erase_my_account(&erased).await.unwrap();

    // A community's routes name its own post in their bodies.
    let community_target = |id: CommunityId, content: &[Target]| Target {
        kind: Kind::Community,
        id: id.to_string(),
        related: content
            .iter()
            .find(|t| t.kind == Kind::Post)
            .map(|t| t.id.clone())
            .unwrap(),
    };
    let mut secret_all = vec![community_target(secret, &secret_content)];
    secret_all.extend(secret_content.clone());
    let mut foreign_all = vec![community_target(foreign, &foreign_content)];
    foreign_all.extend(foreign_content.clone());
    let outside: Vec<Target> = [&members_content, &room_content, &secret_all, &foreign_all]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let beyond_room: Vec<Target> = [&room_content, &secret_all, &foreign_all]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let mut unreachable = BTreeMap::new();
    unreachable.insert("owner".to_owned(), foreign_all.clone());
    unreachable.insert("moderator".to_owned(), beyond_room.clone());
    unreachable.insert(
        "named".to_owned(),
        [&secret_all, &foreign_all]
            .into_iter()
            .flatten()
            .cloned()
            .collect(),
    );
    unreachable.insert("member".to_owned(), beyond_room);
    unreachable.insert("guest".to_owned(), outside.clone());
    for who in [
        "outsider", "pending", "denied", "banned", "left", "erased", "",
    ] {
        unreachable.insert(who.to_owned(), outside.clone());
    }
    let find = |set: &[Target], kind| {
        set.iter()
            .find(|t| t.kind == kind)
            .map(|t| t.id.clone())
            .unwrap()
    };
    World {
        members_thread: find(&members_content, Kind::Thread),
        members_post: find(&members_content, Kind::Post),
        room: find(&room_content, Kind::Space),
        room_post: find(&room_content, Kind::Post),
        room_document: find(&room_content, Kind::Document),
        room_thread: find(&room_content, Kind::Thread),
        room_event: find(&room_content, Kind::Event),
        private: private.to_string(),
        api,
        store,
        unreachable,
    }
}

/// A valid body for `method path`, naming content of `target` where one
/// is needed, and its content type.
fn body(method: &str, path: &str, target: &Target) -> Option<(Value, &'static str)> {
    let event = json!({"title": "Session", "time_zone": "Europe/London",
        "start_date": "2026-03-10", "start_time": "18:30", "duration_minutes": 60});
    let json = |v: Value| Some((v, "application/json"));
    match (method, path) {
        ("PATCH", "/communities/{id}") => json(json!({"name": "Renamed group"})),
        ("POST", "/communities/{id}/bans") => json(json!({"user": "member", "reason": "Spam"})),
        ("POST", "/communities/{id}/invitations") => {
            json(json!({"target": {"type": "link", "max_uses": 1}, "access": {"role": "member"}}))
        }
        ("POST", "/communities/{id}/join-requests") => json(json!({"answer": "My practice"})),
        ("POST", "/communities/{id}/join-requests/{user_id}/deny") => json(json!({"reason": "No"})),
        ("PUT", "/communities/{id}/members/{user_id}/role") => json(json!({"role": "member"})),
        ("POST", "/communities/{id}/moderation-log") => json(json!({
            "target": {"type": "post", "post": target.related},
            "decision": "hide", "reason": "Identifiable"})),
        ("POST", "/communities/{id}/reports") => json(json!({
            "target": {"type": "post", "post": target.related},
            "reason": "other", "note": ""})),
        ("POST", "/communities/{id}/spaces") => {
            json(json!({"name": "New room", "visibility": {"type": "members"}}))
        }
        ("POST", "/communities/{id}/transfer") => json(json!({"user": "member"})),
        ("POST", "/communities/{id}/value-stories") => {
            json(json!({"kind": "applied", "title": "It helped", "story": "A story."}))
        }
        ("PATCH", "/documents/{id}") => json(json!({"title": "Renamed notes"})),
        ("POST", "/documents/{id}/versions") | ("POST", "/spaces/{id}/documents") => {
            Some((Value::String("# version".into()), "text/markdown"))
        }
        ("POST", "/documents/{id}/versions/uploaded") => json(json!({"upload": "bm90LWEtdG9rZW4"})),
        ("POST", "/spaces/{id}/documents/uploaded") => {
            json(json!({"title": "Uploaded notes", "upload": "bm90LWEtdG9rZW4"}))
        }
        ("PUT", "/events/{id}") | ("POST", "/spaces/{id}/events") => json(event),
        ("PUT", "/events/{id}/occurrences/{occurrence}/attendance/{user_id}") => {
            json(json!({"attended": true}))
        }
        ("PUT", "/events/{id}/occurrences/{occurrence}/rsvp") => json(json!({"response": "going"})),
        ("PUT", "/polls/{id}/ballot") => json(json!({"choices": [0]})),
        ("PATCH", "/posts/{id}") => json(json!({"body": "Edited"})),
        ("PATCH", "/spaces/{id}") => json(json!({"name": "Renamed room"})),
        ("POST", "/spaces/{id}/polls") => json(json!({"question": "Next?",
            "options": ["A", "B"], "closes_in_hours": 24, "results": "after_vote"})),
        ("POST", "/spaces/{id}/threads") => {
            json(json!({"kind": "discussion", "title": "Hello there", "body": ""}))
        }
        ("POST", "/spaces/{id}/uploads") => json(json!({"content_type": "text/markdown",
            "size": 9, "sha256": "0".repeat(64)})),
        ("PATCH", "/threads/{id}") => json(json!({"title": "Renamed question"})),
        ("PUT", "/threads/{id}/answer") => json(json!({"post": target.related})),
        ("POST", "/threads/{id}/posts") => json(json!({"body": "A reply"})),
        _ => None,
    }
}

/// Sends `method path` as `caller` (empty: no token) with `{id}` and
/// the other parameters filled; the status.
async fn send(
    api: &Api,
    caller: &str,
    method: &str,
    path: &str,
    id: &str,
    payload: Option<(Value, &'static str)>,
) -> u16 {
    let mut uri = path
        .replace("{id}", id)
        .replace("{user_id}", "member")
        .replace("{occurrence}", OCCURRENCE)
        .replace("{kind}", "like")
        .replace("{level}", "core")
        .replace("{invitation_id}", "01ARZ3NDEKTSV4RRFFQ69G5FAV");
    // The queries a route needs to be a valid request.
    match (method, path) {
        ("GET", "/communities/{id}/health") => uri.push_str("?from=2026-03-01&to=2026-03-31"),
        ("POST", "/spaces/{id}/documents") => uri.push_str("?title=Notes"),
        ("GET", "/communities/{id}/search") => uri.push_str("?q=private"),
        _ => {}
    }
    let mut request = Request::builder()
        .method(method)
        .uri(&uri)
        .header("if-match", "\"1\"");
    if !caller.is_empty() {
        request = request.header("authorization", format!("Bearer {}", api.token(caller)));
    }
    let body = match payload {
        Some((Value::String(text), content_type)) => {
            request = request.header("content-type", content_type);
            Body::from(text)
        }
        Some((value, content_type)) => {
            request = request.header("content-type", content_type);
            Body::from(serde_json::to_vec(&value).unwrap())
        }
        None => Body::empty(),
    };
    let m: Method = method.parse().unwrap();
    let answer = api.send(m, path, request.body(body).unwrap()).await;
    answer.status.as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_caller_reaches_what_they_may_not_see_on_any_route() {
    every_route_refuses(world_on_memory().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_caller_reaches_what_they_may_not_see_on_any_route_on_sqlite() {
    every_route_refuses(world_on_sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_inside_bodies_are_authorized_like_ids_in_paths_on_sqlite() {
    bodies_are_authorized(world_on_sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --ignored)"]
async fn no_caller_reaches_what_they_may_not_see_on_any_route_on_dynamodb() {
    every_route_refuses(world_on_dynamodb().await).await;
}

#[tokio::test]
async fn ids_inside_bodies_are_authorized_like_ids_in_paths() {
    bodies_are_authorized(world_on_memory().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --ignored)"]
async fn ids_inside_bodies_are_authorized_like_ids_in_paths_on_dynamodb() {
    bodies_are_authorized(world_on_dynamodb().await).await;
}

async fn every_route_refuses(w: World) {
    let before = w.store.dump().await;
    assert!(
        before.contains("Private question"),
        "the dump holds the records"
    );
    let doc = copkit_lambda::app::openapi_document();
    let mut wrong = Vec::new();
    let mut calls = 0;
    for (caller, targets) in &w.unreachable {
        for (path, item) in doc["paths"].as_object().unwrap() {
            let Some(kind) = Kind::of(path) else {
                continue;
            };
            for method in item.as_object().unwrap().keys() {
                let method = method.to_uppercase();
                for target in targets.iter().filter(|t| t.kind == kind) {
                    let payload = body(&method, path, target);
                    let status = send(&w.api, caller, &method, path, &target.id, payload).await;
                    calls += 1;
                    let expected = if caller.is_empty() { 401 } else { 404 };
                    if status != expected {
                        wrong.push(format!(
                            "{caller:>9} {method} {path} on {kind:?} {}: {status}",
                            target.id
                        ));
                    }
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {calls} calls:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(calls > 2_000, "{calls} calls");
    unchanged(&before, &w.store.dump().await);
}

async fn bodies_are_authorized(w: World) {
    // After the session, so attendance could be recorded.
    w.api.clock.set("2026-03-11T09:00:00Z".parse().unwrap());
    let before = w.store.dump().await;
    let post = |p: &str| json!({"type": "post", "post": p});
    let cases: Vec<(&str, &str, &str, String, Value)> = vec![
        // A report or a decision about content in the room.
        (
            "moderator",
            "POST",
            "/communities/{id}/reports",
            w.private.clone(),
            json!({"target": post(&w.room_post), "reason": "other", "note": ""}),
        ),
        (
            "member",
            "POST",
            "/communities/{id}/reports",
            w.private.clone(),
            json!({"target": post(&w.room_post), "reason": "other", "note": ""}),
        ),
        (
            "moderator",
            "POST",
            "/communities/{id}/moderation-log",
            w.private.clone(),
            json!({"target": post(&w.room_post), "decision": "hide", "reason": "x"}),
        ),
        (
            "moderator",
            "POST",
            "/communities/{id}/moderation-log",
            w.private.clone(),
            json!({"target": {"type": "document", "document": w.room_document},
                "decision": "remove", "reason": "x"}),
        ),
        // A guest invitation naming the room.
        (
            "moderator",
            "POST",
            "/communities/{id}/invitations",
            w.private.clone(),
            json!({"target": {"type": "link", "max_uses": 1},
                "access": {"role": "guest", "spaces": [w.room]}}),
        ),
        // A value story pointing at a thread in the room.
        (
            "member",
            "POST",
            "/communities/{id}/value-stories",
            w.private.clone(),
            json!({"kind": "applied", "title": "It helped", "story": "A story.",
                "thread": w.room_thread}),
        ),
        // The room's post as the answer to a visible question, or as the
        // parent of a reply there.
        (
            "moderator",
            "PUT",
            "/threads/{id}/answer",
            w.members_thread.clone(),
            json!({"post": w.room_post}),
        ),
        (
            "member",
            "POST",
            "/threads/{id}/posts",
            w.members_thread.clone(),
            json!({"body": "A reply", "parent": w.room_post}),
        ),
        // Attendance for someone who cannot see the event.
        (
            "owner",
            "PUT",
            "/events/{id}/occurrences/{occurrence}/attendance/{user_id}",
            w.room_event.clone(),
            json!({"attended": true}),
        ),
    ];
    let mut wrong = Vec::new();
    for (caller, method, path, id, body) in cases {
        let status = send(
            &w.api,
            caller,
            method,
            path,
            &id,
            Some((body.clone(), "application/json")),
        )
        .await;
        if status != 404 {
            wrong.push(format!("{caller} {method} {path} {body}: {status}"));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    unchanged(&before, &w.store.dump().await);
    // The same bodies with visible ids do work (the refusals were about
    // the ids): the member reports the Members space's post.
    let ok = send(
        &w.api,
        "member",
        "POST",
        "/communities/{id}/reports",
        &w.private,
        Some((
            json!({"target": post(&w.members_post), "reason": "other", "note": ""}),
            "application/json",
        )),
    )
    .await;
    assert_eq!(ok, 201);
}
