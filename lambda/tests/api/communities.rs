//! The communities operations through the router.

use axum::body::Body;
use axum::http::{Method, Request};
use futures::StreamExt;
use serde_json::json;

use super::common::requests::{is, problem};
use super::common::world::*;
use copkit_core::{Clock, Config, Copkit};
use copkit_lambda::{AppState, app, idempotency};
use tower::ServiceExt;

crate::area_tests!(communities, retries_and_limits);

pub async fn communities(w: &World) {
    let api = &w.api;
    let body = json!({"slug": "idem-group", "name": "Idempotent group", "purpose": "", "kind": "learning_set",
                      "access": {"visibility": "private", "join_policy": "invite_only"}});
    let first = api
        .post_key("/communities", &[], OWNER, body.clone(), "create-key-001")
        .await;
    is(&first, 201);
    let again = api
        .post_key("/communities", &[], OWNER, body.clone(), "create-key-001")
        .await;
    is(&again, 201);
    assert_eq!(again.json, first.json, "a replay answers the first result");
    assert_eq!(again.headers["location"], first.headers["location"]);
    let other = api
        .post_key(
            "/communities",
            &[],
            OWNER,
            json!({"slug": "different"}),
            "create-key-001",
        )
        .await;
    problem(&other, 422, "idempotency_key_reused");
    // Keys are the caller's: another person's request with the same key is
    // neither a replay of the owner's answer nor refused as a reuse.
    let someone_else = api
        .post_key(
            "/communities",
            &[],
            MEMBER,
            json!({"slug": "members-group", "name": "Member's group", "purpose": "",
                   "kind": "learning_set", "access": {"visibility": "private", "join_policy": "invite_only"}}),
            "create-key-001",
        )
        .await;
    is(&someone_else, 201);
    assert_ne!(someone_else.json["card"]["id"], first.json["card"]["id"]);
    problem(
        &api.post_key("/communities", &[], OWNER, body.clone(), "bad key!")
            .await,
        400,
        "invalid_idempotency_key",
    );
    problem(
        &api.post("/communities", &[], OWNER, json!({"slug": "x"}))
            .await,
        422,
        "invalid_body",
    );
    let invalid = api.post("/communities", &[], OWNER, json!({"slug": "ok-slug", "name": "ab", "purpose": "", "kind": "learning_set", "access": {"visibility": "secret"}})).await;
    problem(&invalid, 422, "invalid_input");
    assert_eq!(invalid.json["errors"][0]["field"], "name");
    problem(&api.post("/communities", &[], OWNER, json!({"slug": "x-y-z", "name": "Secret", "purpose": "", "kind": "learning_set", "access": {"visibility": "secret", "join_policy": "open"}})).await, 422, "invalid_body");
    let raw = api
        .send(
            Method::POST,
            "/communities",
            Request::builder()
                .method(Method::POST)
                .uri("/communities")
                .header("authorization", format!("Bearer {}", api.token(OWNER)))
                .header("content-type", "application/json")
                .body(Body::from("{not json"))
                .unwrap(),
        )
        .await;
    problem(&raw, 400, "malformed_json");
    let huge = api
        .send(
            Method::POST,
            "/communities",
            Request::builder()
                .method(Method::POST)
                .uri("/communities")
                .header("authorization", format!("Bearer {}", api.token(OWNER)))
                .header("content-type", "application/json")
                .body(Body::from(vec![b' '; 1024 * 1024 + 10]))
                .unwrap(),
        )
        .await;
    problem(&huge, 413, "payload_too_large");
    // With an Idempotency-Key too, and the JSON limit applies before the body
    // is buffered: a body that goes on past 1 MB and never ends is refused
    // at once instead of being read up to the upload limit.
    let piece = axum::body::Bytes::from(vec![b' '; 64 * 1024]);
    let endless =
        futures::stream::iter(std::iter::repeat_n(piece, 17).map(Ok::<_, std::io::Error>))
            .chain(futures::stream::pending());
    let keyed = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        api.send(
            Method::POST,
            "/communities",
            Request::builder()
                .method(Method::POST)
                .uri("/communities")
                .header("authorization", format!("Bearer {}", api.token(OWNER)))
                .header("content-type", "application/json")
                .header("idempotency-key", "endless-body-01")
                .body(Body::from_stream(endless))
                .unwrap(),
        ),
    )
    .await
    .expect("refused without reading on");
    problem(&keyed, 413, "payload_too_large");

    let list = api.get("/communities?limit=1", &[], OUTSIDER).await;
    is(&list, 200);
    let cursor = list.json["next"].as_str().unwrap().to_owned();
    is(
        &api.get(
            &format!("/communities?limit=1&cursor={cursor}"),
            &[],
            OUTSIDER,
        )
        .await,
        200,
    );
    problem(
        &api.get(
            &format!("/communities?limit=1&cursor={cursor}x"),
            &[],
            OUTSIDER,
        )
        .await,
        400,
        "invalid_cursor",
    );
    problem(
        &api.get("/communities?limit=101", &[], OUTSIDER).await,
        400,
        "invalid_query",
    );
    // Unknown query parameters are ignored, as HTTP clients expect.
    is(
        &api.get("/communities?colour=red", &[], OUTSIDER).await,
        200,
    );
    let names: Vec<&str> = list.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].as_str().unwrap())
        .collect();
    assert!(
        !names.contains(&"trainers"),
        "secret communities are never listed"
    );

    is(
        &api.get("/communities/{id}", &[("id", &w.c)], OUTSIDER)
            .await,
        200,
    );
    problem(
        &api.get("/communities/{id}", &[("id", &w.secret)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    problem(
        &api.get("/communities/{id}", &[("id", "not-a-ulid")], OWNER)
            .await,
        404,
        "not_found",
    );
    is(
        &api.get(
            "/communities/by-slug/{slug}",
            &[("slug", "st3-group")],
            OUTSIDER,
        )
        .await,
        200,
    );
    problem(
        &api.get(
            "/communities/by-slug/{slug}",
            &[("slug", "trainers")],
            OUTSIDER,
        )
        .await,
        404,
        "not_found",
    );

    let etag = api
        .get("/communities/{id}", &[("id", &w.open)], OWNER)
        .await
        .etag();
    let renamed = api
        .patch(
            "/communities/{id}",
            &[("id", &w.open)],
            OWNER,
            json!({"name": "Open SIG"}),
            &etag,
        )
        .await;
    is(&renamed, 200);
    assert_ne!(renamed.etag(), etag);
    problem(
        &api.patch(
            "/communities/{id}",
            &[("id", &w.open)],
            OWNER,
            json!({"name": "Again"}),
            &etag,
        )
        .await,
        409,
        "version_conflict",
    );
    let etag_c = api
        .get("/communities/{id}", &[("id", &w.c)], OWNER)
        .await
        .etag();
    problem(
        &api.patch(
            "/communities/{id}",
            &[("id", &w.c)],
            MODERATOR,
            json!({"name": "Mine"}),
            &etag_c,
        )
        .await,
        403,
        "owners_only",
    );
    problem(
        &api.patch(
            "/communities/{id}",
            &[("id", &w.secret)],
            OUTSIDER,
            json!({"name": "Mine"}),
            "\"1\"",
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.patch(
            "/communities/{id}",
            &[("id", &w.c)],
            OWNER,
            json!({"slug": "NO"}),
            &etag_c,
        )
        .await,
        422,
        "invalid_input",
    );
    problem(
        &api.patch(
            "/communities/{id}",
            &[("id", &w.c)],
            OWNER,
            json!({"name": "x"}),
            "3",
        )
        .await,
        400,
        "invalid_if_match",
    );

    is(
        &api.get("/communities/{id}/activity", &[("id", &w.c)], MODERATOR)
            .await,
        200,
    );
    problem(
        &api.get("/communities/{id}/activity", &[("id", &w.c)], MEMBER)
            .await,
        403,
        "moderators_only",
    );
    problem(
        &api.get("/communities/{id}/activity", &[("id", &w.secret)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    problem(
        &api.get(
            "/communities/{id}/activity?limit=abc",
            &[("id", &w.c)],
            MODERATOR,
        )
        .await,
        400,
        "invalid_query",
    );
}

fn new_group(slug: &str) -> serde_json::Value {
    json!({"slug": slug, "name": format!("Group {slug}"), "purpose": "", "kind": "learning_set",
           "access": {"visibility": "private", "join_policy": "invite_only"}})
}

/// Idempotency-Key records live in the store, not in one instance; a
/// request in progress on an instance that died lapses by the clock; and
/// the per-person limit on founding communities answers 429 + Retry-After.
pub async fn retries_and_limits(w: &World) {
    let api = &w.api;
    let body = new_group("retried-group");
    let first = api
        .post_key("/communities", &[], OWNER, body.clone(), "retry-key-0001")
        .await;
    is(&first, 201);
    // The retry reaches another instance: other services and another
    // router over the same store.
    let other = Copkit::builder(api.copkit.store().clone())
        .clock(api.clock.clone())
        .config(Config::with_cursor_key([9; 32]))
        .build()
        .unwrap();
    let other = app::router(AppState::new(other, api.auth.clone()));
    let retry = Request::builder()
        .method(Method::POST)
        .uri("/communities")
        .header("authorization", format!("Bearer {}", api.token(OWNER)))
        .header("content-type", "application/json")
        .header("idempotency-key", "retry-key-0001")
        .body(Body::from(body.to_string()))
        .unwrap();
    let replayed = other.oneshot(retry).await.unwrap();
    assert_eq!(replayed.status(), 201);
    assert_eq!(replayed.headers()[idempotency::REPLAYED], "true");
    assert_eq!(replayed.headers()["location"], first.headers["location"]);
    let answer = axum::body::to_bytes(replayed.into_body(), usize::MAX)
        .await
        .unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(answer, first.json, "the first answer, from the store");

    // An instance took a key and died before answering: the key stays
    // taken (here by a request with another body: refused as a reuse)
    // until the in-progress limit passes, then it is free.
    let now = api.clock.now();
    let stuck = idempotency::record_key(OWNER, &Method::POST, "/communities", "stuck-key-0001");
    let claim = copkit_core::Remembered {
        fingerprint: "from the instance that died".into(),
        answer: None,
        expires_at: now
            .checked_add(jiff::SignedDuration::try_from(idempotency::IN_FLIGHT_LIMIT).unwrap())
            .unwrap(),
    };
    assert!(
        api.copkit
            .store()
            .claim_key(&stuck, &claim, now)
            .await
            .unwrap()
            .is_none()
    );
    let stuck_body = new_group("stuck-group");
    problem(
        &api.post_key(
            "/communities",
            &[],
            OWNER,
            stuck_body.clone(),
            "stuck-key-0001",
        )
        .await,
        422,
        "idempotency_key_reused",
    );
    api.clock
        .advance(jiff::SignedDuration::try_from(idempotency::IN_FLIGHT_LIMIT).unwrap());
    is(
        &api.post_key("/communities", &[], OWNER, stuck_body, "stuck-key-0001")
            .await,
        201,
    );

    // Founding communities is limited per person and hour; the 429 says
    // how long to wait (to the end of the hour), and others go on.
    let flooder = "flooder";
    let mut refused = None;
    for i in 0..=20 {
        let answer = api
            .post(
                "/communities",
                &[],
                flooder,
                new_group(&format!("flood-{i}")),
            )
            .await;
        if answer.status == 429 {
            refused = Some((i, answer));
            break;
        }
        is(&answer, 201);
    }
    let (at, refused) = refused.expect("the limit is reached");
    assert_eq!(at, 20, "20 communities an hour");
    problem(&refused, 429, "rate_limited");
    let now = api.clock.now().as_second();
    let hour_end = (now.div_euclid(3600) + 1) * 3600;
    assert_eq!(
        refused.headers["retry-after"].to_str().unwrap(),
        (hour_end - now).to_string()
    );
    is(
        &api.post("/communities", &[], MEMBER, new_group("not-flooding"))
            .await,
        201,
    );
}
