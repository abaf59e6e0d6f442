//! The value operations through the router.

use serde_json::json;

use super::common::requests::{is, problem};
use super::common::world::*;

// The health report counts the threads of `levels`.
crate::area_tests!(super::levels::levels, value_stories, health);

pub async fn value_stories(w: &World) {
    let api = &w.api;
    let (c, s) = (w.c.as_str(), w.secret.as_str());
    let story = json!({
        "kind": "applied",
        "title": "Lithium recall",
        "story": "We now recall patients on lithium monthly."
    });
    let first = api
        .post_key(
            "/communities/{id}/value-stories",
            &[("id", c)],
            MEMBER,
            story.clone(),
            "story-key-0001",
        )
        .await;
    is(&first, 201);
    assert_eq!(first.json["kind"], "applied");
    let again = api
        .post_key(
            "/communities/{id}/value-stories",
            &[("id", c)],
            MEMBER,
            story.clone(),
            "story-key-0001",
        )
        .await;
    assert!(again.headers.contains_key("idempotent-replayed"));
    assert_eq!(again.json["id"], first.json["id"]);
    problem(
        &api.post(
            "/communities/{id}/value-stories",
            &[("id", c)],
            MEMBER,
            json!({"kind": "applied", "title": "x", "story": "y"}),
        )
        .await,
        422,
        "invalid_input",
    );
    problem(
        &api.post(
            "/communities/{id}/value-stories",
            &[("id", c)],
            GUEST,
            story.clone(),
        )
        .await,
        403,
        "members_only",
    );
    problem(
        &api.post(
            "/communities/{id}/value-stories",
            &[("id", s)],
            OUTSIDER,
            story,
        )
        .await,
        404,
        "not_found",
    );
    let listed = api
        .get("/communities/{id}/value-stories", &[("id", c)], OWNER)
        .await;
    is(&listed, 200);
    assert_eq!(listed.json["items"][0]["title"], "Lithium recall");
    problem(
        &api.get("/communities/{id}/value-stories", &[("id", s)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
}

pub async fn health(w: &World) {
    let api = &w.api;
    let (c, s) = (w.c.as_str(), w.secret.as_str());
    let report = api
        .get(
            "/communities/{id}/health?from=2026-01-01&to=2026-12-31",
            &[("id", c)],
            MODERATOR,
        )
        .await;
    is(&report, 200);
    assert!(report.json["members"].as_u64().unwrap() >= 3);
    assert!(report.json["threads"].as_u64().unwrap() >= 1);
    assert_eq!(
        report.json["value_stories_by_kind"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    problem(
        &api.get(
            "/communities/{id}/health?from=2026-01-01&to=2026-12-31",
            &[("id", c)],
            MEMBER,
        )
        .await,
        403,
        "moderators_only",
    );
    problem(
        &api.get(
            "/communities/{id}/health?from=2026-01-01&to=2026-12-31",
            &[("id", s)],
            OUTSIDER,
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.get(
            "/communities/{id}/health?from=soon",
            &[("id", c)],
            MODERATOR,
        )
        .await,
        400,
        "invalid_query",
    );
}
