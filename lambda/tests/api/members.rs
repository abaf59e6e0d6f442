//! The members operations through the router.

use serde_json::json;

use super::common::requests::{is, problem};
use super::common::world::*;

crate::area_tests!(membership);

pub async fn membership(w: &World) {
    let api = &w.api;
    let (c, s) = (w.c.as_str(), w.secret.as_str());
    is(
        &api.post_empty("/communities/{id}/join", &[("id", &w.open)], MEMBER)
            .await,
        200,
    );
    problem(
        &api.post_empty("/communities/{id}/join", &[("id", c)], OUTSIDER)
            .await,
        403,
        "join_policy",
    );
    problem(
        &api.post_empty("/communities/{id}/join", &[("id", s)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    is(
        &api.post_empty("/communities/{id}/leave", &[("id", &w.open)], MEMBER)
            .await,
        204,
    );
    problem(
        &api.post_empty("/communities/{id}/leave", &[("id", c)], OUTSIDER)
            .await,
        403,
        "members_only",
    );
    problem(
        &api.post_empty("/communities/{id}/leave", &[("id", s)], OUTSIDER)
            .await,
        404,
        "not_found",
    );

    let roster = api
        .get("/communities/{id}/members?limit=2", &[("id", c)], MEMBER)
        .await;
    is(&roster, 200);
    assert_eq!(roster.json["items"][0]["role"], "owner");
    problem(
        &api.get("/communities/{id}/members", &[("id", c)], GUEST)
            .await,
        403,
        "members_only",
    );
    problem(
        &api.get("/communities/{id}/members", &[("id", s)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    problem(
        &api.get("/communities/{id}/members?limit=-1", &[("id", c)], MEMBER)
            .await,
        400,
        "invalid_query",
    );
    is(
        &api.get(
            "/communities/{id}/members/{user_id}",
            &[("id", c), ("user_id", OWNER)],
            MEMBER,
        )
        .await,
        200,
    );
    problem(
        &api.get(
            "/communities/{id}/members/{user_id}",
            &[("id", c), ("user_id", OWNER)],
            GUEST,
        )
        .await,
        403,
        "members_only",
    );
    problem(
        &api.get(
            "/communities/{id}/members/{user_id}",
            &[("id", s), ("user_id", OWNER)],
            OUTSIDER,
        )
        .await,
        404,
        "not_found",
    );

    // A second member to remove, ban and promote.
    invite_and_accept(api, c, "extra", json!({"role": "member"})).await;
    problem(
        &api.put(
            "/communities/{id}/members/{user_id}/role",
            &[("id", c), ("user_id", "extra")],
            MODERATOR,
            Some(json!({"role": "moderator"})),
        )
        .await,
        403,
        "owners_only",
    );
    problem(
        &api.put(
            "/communities/{id}/members/{user_id}/role",
            &[("id", s), ("user_id", "extra")],
            OUTSIDER,
            Some(json!({"role": "moderator"})),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.put(
            "/communities/{id}/members/{user_id}/role",
            &[("id", c), ("user_id", "extra")],
            OWNER,
            Some(json!({"role": "king"})),
        )
        .await,
        422,
        "invalid_body",
    );
    problem(
        &api.delete(
            "/communities/{id}/members/{user_id}",
            &[("id", c), ("user_id", "extra")],
            MEMBER,
        )
        .await,
        403,
        "moderators_only",
    );
    problem(
        &api.delete(
            "/communities/{id}/members/{user_id}",
            &[("id", s), ("user_id", "extra")],
            OUTSIDER,
        )
        .await,
        404,
        "not_found",
    );
    is(
        &api.delete(
            "/communities/{id}/members/{user_id}",
            &[("id", c), ("user_id", "extra")],
            MODERATOR,
        )
        .await,
        204,
    );

    let ban = json!({"user": "troll", "days": 7, "reason": "Spam"});
    let first = api
        .post_key(
            "/communities/{id}/bans",
            &[("id", c)],
            MODERATOR,
            ban.clone(),
            "ban-key-0001",
        )
        .await;
    is(&first, 200);
    let again = api
        .post_key(
            "/communities/{id}/bans",
            &[("id", c)],
            MODERATOR,
            ban.clone(),
            "ban-key-0001",
        )
        .await;
    assert!(again.headers.contains_key("idempotent-replayed"));
    problem(
        &api.post("/communities/{id}/bans", &[("id", c)], MEMBER, ban.clone())
            .await,
        403,
        "moderators_only",
    );
    problem(
        &api.post(
            "/communities/{id}/bans",
            &[("id", s)],
            OUTSIDER,
            ban.clone(),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.post(
            "/communities/{id}/bans",
            &[("id", c)],
            MODERATOR,
            json!({"user": "troll", "days": 0, "reason": "x"}),
        )
        .await,
        422,
        "invalid_input",
    );
    is(
        &api.get("/communities/{id}/bans", &[("id", c)], MODERATOR)
            .await,
        200,
    );
    problem(
        &api.get("/communities/{id}/bans", &[("id", c)], MEMBER)
            .await,
        403,
        "moderators_only",
    );
    problem(
        &api.get("/communities/{id}/bans", &[("id", s)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    problem(
        &api.delete(
            "/communities/{id}/bans/{user_id}",
            &[("id", c), ("user_id", "troll")],
            MEMBER,
        )
        .await,
        403,
        "moderators_only",
    );
    problem(
        &api.delete(
            "/communities/{id}/bans/{user_id}",
            &[("id", s), ("user_id", "troll")],
            OUTSIDER,
        )
        .await,
        404,
        "not_found",
    );
    is(
        &api.delete(
            "/communities/{id}/bans/{user_id}",
            &[("id", c), ("user_id", "troll")],
            MODERATOR,
        )
        .await,
        204,
    );

    // Ownership moves in the open community (the member joins it first).
    is(
        &api.post_empty("/communities/{id}/join", &[("id", &w.open)], MEMBER)
            .await,
        200,
    );
    problem(
        &api.post(
            "/communities/{id}/transfer",
            &[("id", &w.open)],
            MEMBER,
            json!({"user": MEMBER}),
        )
        .await,
        403,
        "owners_only",
    );
    problem(
        &api.post(
            "/communities/{id}/transfer",
            &[("id", s)],
            OUTSIDER,
            json!({"user": OUTSIDER}),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.post(
            "/communities/{id}/transfer",
            &[("id", &w.open)],
            OWNER,
            json!({"user": ""}),
        )
        .await,
        422,
        "invalid_body",
    );
    is(
        &api.post(
            "/communities/{id}/transfer",
            &[("id", &w.open)],
            OWNER,
            json!({"user": MEMBER}),
        )
        .await,
        204,
    );
}
