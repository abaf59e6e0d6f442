//! The join requests operations through the router.

use serde_json::json;

use super::common::requests::{is, problem};
use super::common::world::*;

crate::area_tests!(join_requests);

pub async fn join_requests(w: &World) {
    let api = &w.api;
    let (c, s) = (w.c.as_str(), w.secret.as_str());
    let ask = json!({"answer": "Riverside Surgery"});
    let first = api
        .post_key(
            "/communities/{id}/join-requests",
            &[("id", c)],
            APPLICANT,
            ask.clone(),
            "ask-key-0001",
        )
        .await;
    is(&first, 201);
    let replay = api
        .post_key(
            "/communities/{id}/join-requests",
            &[("id", c)],
            APPLICANT,
            ask.clone(),
            "ask-key-0001",
        )
        .await;
    assert!(replay.headers.contains_key("idempotent-replayed"));
    problem(
        &api.post(
            "/communities/{id}/join-requests",
            &[("id", c)],
            "asker2",
            json!({}),
        )
        .await,
        409,
        "answer_required",
    );
    problem(
        &api.post(
            "/communities/{id}/join-requests",
            &[("id", c)],
            "asker2",
            json!({"answer": 5}),
        )
        .await,
        422,
        "invalid_body",
    );
    problem(
        &api.post(
            "/communities/{id}/join-requests",
            &[("id", s)],
            OUTSIDER,
            ask.clone(),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.post(
            "/communities/{id}/join-requests",
            &[("id", &w.open)],
            "asker3",
            ask.clone(),
        )
        .await,
        403,
        "join_policy",
    );
    is(
        &api.get(
            "/communities/{id}/join-requests/mine",
            &[("id", c)],
            APPLICANT,
        )
        .await,
        200,
    );
    problem(
        &api.get(
            "/communities/{id}/join-requests/mine",
            &[("id", s)],
            OUTSIDER,
        )
        .await,
        404,
        "not_found",
    );
    is(
        &api.get("/communities/{id}/join-requests", &[("id", c)], MODERATOR)
            .await,
        200,
    );
    problem(
        &api.get("/communities/{id}/join-requests", &[("id", c)], MEMBER)
            .await,
        403,
        "moderators_only",
    );
    problem(
        &api.get("/communities/{id}/join-requests", &[("id", s)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    problem(
        &api.post_empty(
            "/communities/{id}/join-requests/{user_id}/approve",
            &[("id", c), ("user_id", APPLICANT)],
            MEMBER,
        )
        .await,
        403,
        "moderators_only",
    );
    problem(
        &api.post_empty(
            "/communities/{id}/join-requests/{user_id}/approve",
            &[("id", s), ("user_id", APPLICANT)],
            OUTSIDER,
        )
        .await,
        404,
        "not_found",
    );
    is(
        &api.post_empty(
            "/communities/{id}/join-requests/{user_id}/approve",
            &[("id", c), ("user_id", APPLICANT)],
            MODERATOR,
        )
        .await,
        200,
    );

    is(
        &api.post(
            "/communities/{id}/join-requests",
            &[("id", c)],
            "denied",
            ask.clone(),
        )
        .await,
        201,
    );
    problem(
        &api.post(
            "/communities/{id}/join-requests/{user_id}/deny",
            &[("id", c), ("user_id", "denied")],
            MODERATOR,
            json!({"reason": ""}),
        )
        .await,
        422,
        "invalid_input",
    );
    problem(
        &api.post(
            "/communities/{id}/join-requests/{user_id}/deny",
            &[("id", c), ("user_id", "denied")],
            MEMBER,
            json!({"reason": "No"}),
        )
        .await,
        403,
        "moderators_only",
    );
    problem(
        &api.post(
            "/communities/{id}/join-requests/{user_id}/deny",
            &[("id", s), ("user_id", "denied")],
            OUTSIDER,
            json!({"reason": "No"}),
        )
        .await,
        404,
        "not_found",
    );
    is(
        &api.post(
            "/communities/{id}/join-requests/{user_id}/deny",
            &[("id", c), ("user_id", "denied")],
            MODERATOR,
            json!({"reason": "Not this year"}),
        )
        .await,
        200,
    );

    is(
        &api.post(
            "/communities/{id}/join-requests",
            &[("id", c)],
            "withdrawer",
            ask.clone(),
        )
        .await,
        201,
    );
    is(
        &api.delete(
            "/communities/{id}/join-requests/mine",
            &[("id", c)],
            "withdrawer",
        )
        .await,
        204,
    );
    // Nothing left to withdraw; a withdrawn request is gone from view.
    problem(
        &api.delete(
            "/communities/{id}/join-requests/mine",
            &[("id", c)],
            "withdrawer",
        )
        .await,
        409,
        "wrong_state",
    );
    problem(
        &api.get(
            "/communities/{id}/join-requests/mine",
            &[("id", c)],
            "withdrawer",
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.delete(
            "/communities/{id}/join-requests/mine",
            &[("id", s)],
            OUTSIDER,
        )
        .await,
        404,
        "not_found",
    );
}
