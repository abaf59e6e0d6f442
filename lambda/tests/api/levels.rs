//! The levels operations through the router.

use serde_json::json;

use super::common::requests::{is, problem};
use super::common::world::*;

crate::area_tests!(levels);

pub async fn levels(w: &World) {
    let api = &w.api;
    let (c, s) = (w.c.as_str(), w.secret.as_str());
    // A thread (2 points) and a reply (1) make the member Active at the
    // default rules; the owner is Core by role.
    let thread = api
        .post(
            "/spaces/{id}/threads",
            &[("id", &w.space)],
            MEMBER,
            json!({"kind": "discussion", "title": "Audit ideas", "body": ""}),
        )
        .await
        .id();
    is(
        &api.post(
            "/threads/{id}/posts",
            &[("id", &thread)],
            MEMBER,
            json!({"body": "Starting with repeat prescribing"}),
        )
        .await,
        201,
    );
    let mine = api
        .get("/communities/{id}/me/level", &[("id", c)], MEMBER)
        .await;
    is(&mine, 200);
    assert_eq!(mine.json["level"], "active");
    assert_eq!(mine.json["points"], 3);
    assert_eq!(mine.json["points_to_next_level"], 12);
    let owner = api
        .get("/communities/{id}/me/level", &[("id", c)], OWNER)
        .await;
    assert_eq!(owner.json["level"], "core");
    problem(
        &api.get("/communities/{id}/me/level", &[("id", c)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    let active = api
        .get(
            "/communities/{id}/levels/{level}/members",
            &[("id", c), ("level", "active")],
            MODERATOR,
        )
        .await;
    is(&active, 200);
    let users: Vec<&str> = active.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user"].as_str().unwrap())
        .collect();
    assert_eq!(users, vec![MEMBER]);
    problem(
        &api.get(
            "/communities/{id}/levels/{level}/members",
            &[("id", c), ("level", "core")],
            GUEST,
        )
        .await,
        403,
        "members_only",
    );
    problem(
        &api.get(
            "/communities/{id}/levels/{level}/members",
            &[("id", s), ("level", "core")],
            OUTSIDER,
        )
        .await,
        404,
        "not_found",
    );
}
