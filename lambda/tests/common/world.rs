//! The world every router scenario starts from: a private approval
//! community with a moderator, a member and a guest of one space, a secret
//! community, an open one, and two spaces (one to archive).

use std::sync::Arc;

use copkit_aws::dynamo::calls::CallCounter;
use copkit_core::MemoryStore;
use serde_json::{Value, json};

use super::requests::is;
use super::{Api, moto};

pub const OWNER: &str = "owner";
pub const MODERATOR: &str = "mod";
pub const MEMBER: &str = "member";
pub const GUEST: &str = "guest";
pub const OUTSIDER: &str = "out";
pub const APPLICANT: &str = "applicant";

/// The content type of the documents the scenarios upload.
pub const DOC_TYPE: &str = "text/markdown";

pub struct World {
    pub api: Api,
    /// A private, approval community with a join question.
    pub c: String,
    /// A secret community the outsider never sees.
    pub secret: String,
    /// An open public community.
    pub open: String,
    /// A Members space of `c`, and an archived one.
    pub space: String,
    pub archived: String,
}

impl World {
    /// The world on the in-memory store.
    pub async fn on_memory() -> World {
        world(Api::with_store(Arc::new(MemoryStore::new()))).await
    }

    /// The world on a fresh SQLite database file.
    pub async fn on_sqlite() -> World {
        world(Api::with_store(Arc::new(super::sqlite::fresh_store()))).await
    }

    /// The world on a fresh DynamoDB table in moto, its calls counted per
    /// operation.
    pub async fn on_dynamodb() -> World {
        let counter = CallCounter::new();
        let store = moto::fresh_store(Some(counter.clone())).await;
        world(Api::with_store(Arc::new(store)).counting(counter)).await
    }
}

pub async fn community(api: &Api, slug: &str, access: Value) -> String {
    let a = api
        .post("/communities", &[], OWNER, json!({
            "slug": slug, "name": format!("Group {slug}"), "purpose": "Learning", "kind": "training_group",
            "access": access, "join_question": "Which practice?"
        }))
        .await;
    is(&a, 201);
    a.json["card"]["id"].as_str().unwrap().to_owned()
}

pub async fn invite_and_accept(api: &Api, c: &str, who: &str, access: Value) {
    let inv = api
        .post(
            "/communities/{id}/invitations",
            &[("id", c)],
            OWNER,
            json!({"target": {"type": "link", "max_uses": 1}, "access": access}),
        )
        .await;
    is(&inv, 201);
    let token = inv.json["token"].as_str().unwrap();
    is(
        &api.post("/invitations/accept", &[], who, json!({ "token": token }))
            .await,
        200,
    );
}

pub async fn world(api: Api) -> World {
    let c = community(
        &api,
        "st3-group",
        json!({"visibility": "private", "join_policy": "approval"}),
    )
    .await;
    let secret = community(&api, "trainers", json!({"visibility": "secret"})).await;
    let open = community(
        &api,
        "open-sig",
        json!({"visibility": "public", "join_policy": "open"}),
    )
    .await;
    let space = api
        .post(
            "/communities/{id}/spaces",
            &[("id", &c)],
            OWNER,
            json!({"name": "Case discussion", "visibility": {"type": "members"}}),
        )
        .await
        .id();
    let archived = api
        .post(
            "/communities/{id}/spaces",
            &[("id", &c)],
            OWNER,
            json!({"name": "Old room", "visibility": {"type": "members"}}),
        )
        .await
        .id();
    for who in [MODERATOR, MEMBER] {
        invite_and_accept(&api, &c, who, json!({"role": "member"})).await;
    }
    let granted = api
        .post(
            "/communities/{id}/spaces",
            &[("id", &c)],
            OWNER,
            json!({"name": "Teaching", "visibility": {"type": "members"}}),
        )
        .await
        .id();
    invite_and_accept(
        &api,
        &c,
        GUEST,
        json!({"role": "guest", "spaces": [granted]}),
    )
    .await;
    is(
        &api.put(
            "/communities/{id}/members/{user_id}/role",
            &[("id", &c), ("user_id", MODERATOR)],
            OWNER,
            Some(json!({"role": "moderator"})),
        )
        .await,
        200,
    );
    World {
        api,
        c,
        secret,
        open,
        space,
        archived,
    }
}

pub async fn archive(w: &World) {
    let etag = w
        .api
        .get("/spaces/{id}", &[("id", &w.archived)], OWNER)
        .await
        .etag();
    is(
        &w.api
            .put_if(
                "/spaces/{id}/archived",
                &[("id", &w.archived)],
                MODERATOR,
                None,
                &etag,
            )
            .await,
        200,
    );
}

pub fn event_body(title: &str) -> Value {
    json!({
        "title": title, "time_zone": "Europe/London", "start_date": "2026-03-10", "start_time": "18:30",
        "duration_minutes": 90, "capacity": 2, "location": "Seminar room 2",
        "recurrence": {"frequency": {"type": "weekly", "weekdays": ["tuesday"]}, "interval": 2, "end": {"type": "count", "count": 6}}
    })
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    copkit_core::blob::sha256_hex(bytes)
}

/// Asks for a ticket and sends the bytes through the API; the token.
pub async fn uploaded(api: &Api, space: &str, user: &str, bytes: &[u8]) -> String {
    let ticket = api
        .post(
            "/spaces/{id}/uploads",
            &[("id", space)],
            user,
            json!({"content_type": DOC_TYPE, "size": bytes.len(), "sha256": sha256_hex(bytes)}),
        )
        .await;
    is(&ticket, 201);
    let token = ticket.json["upload"].as_str().unwrap().to_owned();
    assert_eq!(ticket.json["put"]["url"], format!("/uploads/{token}"));
    assert_eq!(ticket.json["put"]["method"], "PUT");
    is(
        &api.put_bytes("/uploads/{token}", &[("token", &token)], user, bytes)
            .await,
        204,
    );
    token
}
