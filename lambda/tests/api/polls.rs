//! The polls operations through the router.

use serde_json::json;

use super::common::requests::{is, problem};
use super::common::world::*;

crate::area_tests!(archive, polls);

pub async fn polls(w: &World) {
    let api = &w.api;
    let (sp, old) = (w.space.as_str(), w.archived.as_str());
    let body = json!({"question": "Next topic?", "options": ["Dermatology", "Safeguarding"], "closes_in_hours": 48, "results": "after_vote"});
    let first = api
        .post_key(
            "/spaces/{id}/polls",
            &[("id", sp)],
            MODERATOR,
            body.clone(),
            "poll-key-001",
        )
        .await;
    is(&first, 201);
    assert!(
        api.post_key(
            "/spaces/{id}/polls",
            &[("id", sp)],
            MODERATOR,
            body.clone(),
            "poll-key-001"
        )
        .await
        .headers
        .contains_key("idempotent-replayed")
    );
    let p = first.json["poll"]["id"].as_str().unwrap().to_owned();
    problem(
        &api.post("/spaces/{id}/polls", &[("id", sp)], OUTSIDER, body.clone())
            .await,
        404,
        "not_found",
    );
    problem(
        &api.post("/spaces/{id}/polls", &[("id", old)], MEMBER, body.clone())
            .await,
        403,
        "archived",
    );
    problem(&api.post("/spaces/{id}/polls", &[("id", sp)], MEMBER, json!({"question": "Next?", "options": ["A", "A"], "closes_in_hours": 1, "results": "after_vote"})).await, 422, "invalid_input");
    is(
        &api.get("/spaces/{id}/polls", &[("id", sp)], MEMBER).await,
        200,
    );
    problem(
        &api.get("/spaces/{id}/polls", &[("id", sp)], OUTSIDER).await,
        404,
        "not_found",
    );
    let hidden = api.get("/polls/{id}", &[("id", &p)], MEMBER).await;
    is(&hidden, 200);
    assert_eq!(hidden.json["results_visible"], false);
    problem(
        &api.get("/polls/{id}", &[("id", &p)], OUTSIDER).await,
        404,
        "not_found",
    );
    let voted = api
        .put(
            "/polls/{id}/ballot",
            &[("id", &p)],
            MEMBER,
            Some(json!({"choices": [1]})),
        )
        .await;
    is(&voted, 200);
    assert_eq!(voted.json["poll"]["tally"], json!([0, 1]));
    problem(
        &api.put(
            "/polls/{id}/ballot",
            &[("id", &p)],
            MEMBER,
            Some(json!({"choices": [0, 1]})),
        )
        .await,
        409,
        "ballot_mismatch",
    );
    problem(
        &api.put(
            "/polls/{id}/ballot",
            &[("id", &p)],
            MEMBER,
            Some(json!({"choices": []})),
        )
        .await,
        422,
        "invalid_input",
    );
    problem(
        &api.put(
            "/polls/{id}/ballot",
            &[("id", &p)],
            OUTSIDER,
            Some(json!({"choices": [0]})),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.post_empty("/polls/{id}/close", &[("id", &p)], MEMBER)
            .await,
        403,
        "not_author",
    );
    problem(
        &api.post_empty("/polls/{id}/close", &[("id", &p)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    is(
        &api.post_empty("/polls/{id}/close", &[("id", &p)], MODERATOR)
            .await,
        200,
    );
    problem(
        &api.put(
            "/polls/{id}/ballot",
            &[("id", &p)],
            MEMBER,
            Some(json!({"choices": [0]})),
        )
        .await,
        409,
        "closed",
    );
    let etag = api.get("/spaces/{id}", &[("id", old)], OWNER).await.etag();
    let archived_poll = {
        is(
            &api.delete_if("/spaces/{id}/archived", &[("id", old)], MODERATOR, &etag)
                .await,
            200,
        );
        let made = api
            .post(
                "/spaces/{id}/polls",
                &[("id", old)],
                MODERATOR,
                body.clone(),
            )
            .await;
        let etag = api.get("/spaces/{id}", &[("id", old)], OWNER).await.etag();
        is(
            &api.put_if(
                "/spaces/{id}/archived",
                &[("id", old)],
                MODERATOR,
                None,
                &etag,
            )
            .await,
            200,
        );
        made.json["poll"]["id"].as_str().unwrap().to_owned()
    };
    problem(
        &api.put(
            "/polls/{id}/ballot",
            &[("id", &archived_poll)],
            MEMBER,
            Some(json!({"choices": [0]})),
        )
        .await,
        403,
        "archived",
    );
}
