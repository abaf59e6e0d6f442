//! The invitations operations through the router.

use serde_json::json;

use super::common::requests::{is, problem};
use super::common::world::*;

crate::area_tests!(invitations);

pub async fn invitations(w: &World) {
    let api = &w.api;
    let (c, s) = (w.c.as_str(), w.secret.as_str());
    let body = json!({"target": {"type": "link", "max_uses": 5}, "access": {"role": "member"}, "expires_in_hours": 48});
    let first = api
        .post_key(
            "/communities/{id}/invitations",
            &[("id", c)],
            MODERATOR,
            body.clone(),
            "invite-key-01",
        )
        .await;
    is(&first, 201);
    let replay = api
        .post_key(
            "/communities/{id}/invitations",
            &[("id", c)],
            MODERATOR,
            body.clone(),
            "invite-key-01",
        )
        .await;
    assert_eq!(
        replay.json["token"], first.json["token"],
        "the replay repeats the one token"
    );
    problem(
        &api.post(
            "/communities/{id}/invitations",
            &[("id", c)],
            MEMBER,
            body.clone(),
        )
        .await,
        403,
        "moderators_only",
    );
    problem(
        &api.post(
            "/communities/{id}/invitations",
            &[("id", s)],
            OUTSIDER,
            body.clone(),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.post(
            "/communities/{id}/invitations",
            &[("id", c)],
            MODERATOR,
            json!({"target": {"type": "email", "address": "nope"}, "access": {"role": "member"}}),
        )
        .await,
        422,
        "invalid_input",
    );
    problem(&api.post("/communities/{id}/invitations", &[("id", c)], MODERATOR, json!({"target": {"type": "link"}, "access": {"role": "guest", "spaces": ["01ARZ3NDEKTSV4RRFFQ69G5FAV"]}})).await, 404, "not_found");
    let listed = api
        .get("/communities/{id}/invitations", &[("id", c)], MODERATOR)
        .await;
    is(&listed, 200);
    assert!(
        !listed.body.windows(6).any(|w| w == b"token\""),
        "lists never show tokens"
    );
    problem(
        &api.get("/communities/{id}/invitations", &[("id", c)], MEMBER)
            .await,
        403,
        "moderators_only",
    );
    problem(
        &api.get("/communities/{id}/invitations", &[("id", s)], OUTSIDER)
            .await,
        404,
        "not_found",
    );

    let token = first.json["token"].as_str().unwrap();
    let preview = api
        .post(
            "/invitations/preview",
            &[],
            "newcomer",
            json!({"token": token}),
        )
        .await;
    is(&preview, 200);
    assert_eq!(preview.json["community"]["id"], c);
    problem(
        &api.post(
            "/invitations/preview",
            &[],
            "newcomer",
            json!({"token": "nope"}),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.post("/invitations/preview", &[], "newcomer", json!({"token": 7}))
            .await,
        422,
        "invalid_body",
    );
    is(
        &api.post(
            "/invitations/accept",
            &[],
            "newcomer",
            json!({"token": token}),
        )
        .await,
        200,
    );
    problem(
        &api.post(
            "/invitations/accept",
            &[],
            "newcomer",
            json!({"token": "nope"}),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.post("/invitations/accept", &[], "newcomer", json!({}))
            .await,
        422,
        "invalid_body",
    );
    let email = api.post("/communities/{id}/invitations", &[("id", c)], OWNER, json!({"target": {"type": "email", "address": "someone@example.org"}, "access": {"role": "member"}})).await;
    problem(
        &api.post(
            "/invitations/accept",
            &[],
            "intruder",
            json!({"token": email.json["token"]}),
        )
        .await,
        403,
        "invitation_for_someone_else",
    );

    let id = first.json["invitation"]["id"].as_str().unwrap();
    problem(
        &api.delete(
            "/communities/{id}/invitations/{invitation_id}",
            &[("id", c), ("invitation_id", id)],
            MEMBER,
        )
        .await,
        403,
        "moderators_only",
    );
    problem(
        &api.delete(
            "/communities/{id}/invitations/{invitation_id}",
            &[("id", s), ("invitation_id", id)],
            OUTSIDER,
        )
        .await,
        404,
        "not_found",
    );
    let revoked = api
        .delete(
            "/communities/{id}/invitations/{invitation_id}",
            &[("id", c), ("invitation_id", id)],
            MODERATOR,
        )
        .await;
    is(&revoked, 200);
    assert_eq!(revoked.json["state"], "revoked");
}
