//! The spaces operations through the router.

use serde_json::json;

use super::common::requests::{is, problem};
use super::common::world::*;

crate::area_tests!(spaces);

pub async fn spaces(w: &World) {
    let api = &w.api;
    let (c, s) = (w.c.as_str(), w.secret.as_str());
    let body = json!({"name": "Journal club", "description": "Papers", "visibility": {"type": "restricted", "users": [], "roles": ["moderator"]}});
    let first = api
        .post_key(
            "/communities/{id}/spaces",
            &[("id", c)],
            MODERATOR,
            body.clone(),
            "space-key-01",
        )
        .await;
    is(&first, 201);
    assert!(
        api.post_key(
            "/communities/{id}/spaces",
            &[("id", c)],
            MODERATOR,
            body.clone(),
            "space-key-01"
        )
        .await
        .headers
        .contains_key("idempotent-replayed")
    );
    problem(
        &api.post(
            "/communities/{id}/spaces",
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
            "/communities/{id}/spaces",
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
            "/communities/{id}/spaces",
            &[("id", c)],
            MODERATOR,
            json!({"name": "x", "visibility": {"type": "members"}}),
        )
        .await,
        422,
        "invalid_input",
    );
    let listed = api
        .get("/communities/{id}/spaces", &[("id", c)], MEMBER)
        .await;
    is(&listed, 200);
    assert!(
        listed
            .json
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["name"] != "Journal club"),
        "members do not see the moderators' room"
    );
    problem(
        &api.get("/communities/{id}/spaces", &[("id", s)], OUTSIDER)
            .await,
        404,
        "not_found",
    );

    let sp = w.space.as_str();
    let got = api.get("/spaces/{id}", &[("id", sp)], MEMBER).await;
    is(&got, 200);
    problem(
        &api.get("/spaces/{id}", &[("id", sp)], OUTSIDER).await,
        404,
        "not_found",
    );
    let etag = got.etag();
    let changed = api
        .patch(
            "/spaces/{id}",
            &[("id", sp)],
            MODERATOR,
            json!({"description": "Bring a case"}),
            &etag,
        )
        .await;
    is(&changed, 200);
    problem(
        &api.patch(
            "/spaces/{id}",
            &[("id", sp)],
            MODERATOR,
            json!({"description": "Lost"}),
            &etag,
        )
        .await,
        409,
        "version_conflict",
    );
    problem(
        &api.patch(
            "/spaces/{id}",
            &[("id", sp)],
            MEMBER,
            json!({"description": "Mine"}),
            &changed.etag(),
        )
        .await,
        403,
        "moderators_only",
    );
    problem(
        &api.patch(
            "/spaces/{id}",
            &[("id", sp)],
            OUTSIDER,
            json!({"description": "Mine"}),
            &changed.etag(),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.patch(
            "/spaces/{id}",
            &[("id", sp)],
            MODERATOR,
            json!({"name": "\u{7}bell"}),
            &changed.etag(),
        )
        .await,
        422,
        "invalid_input",
    );

    let old = w.archived.as_str();
    let etag = api.get("/spaces/{id}", &[("id", old)], OWNER).await.etag();
    problem(
        &api.put_if("/spaces/{id}/archived", &[("id", old)], MEMBER, None, &etag)
            .await,
        403,
        "moderators_only",
    );
    problem(
        &api.put_if(
            "/spaces/{id}/archived",
            &[("id", old)],
            OUTSIDER,
            None,
            &etag,
        )
        .await,
        404,
        "not_found",
    );
    let archived = api
        .put_if(
            "/spaces/{id}/archived",
            &[("id", old)],
            MODERATOR,
            None,
            &etag,
        )
        .await;
    is(&archived, 200);
    problem(
        &api.put_if(
            "/spaces/{id}/archived",
            &[("id", old)],
            MODERATOR,
            None,
            &etag,
        )
        .await,
        409,
        "version_conflict",
    );
    problem(
        &api.delete_if("/spaces/{id}/archived", &[("id", old)], MODERATOR, &etag)
            .await,
        409,
        "version_conflict",
    );
    problem(
        &api.delete_if(
            "/spaces/{id}/archived",
            &[("id", old)],
            MEMBER,
            &archived.etag(),
        )
        .await,
        403,
        "moderators_only",
    );
    problem(
        &api.delete_if(
            "/spaces/{id}/archived",
            &[("id", old)],
            OUTSIDER,
            &archived.etag(),
        )
        .await,
        404,
        "not_found",
    );
    let restored = api
        .delete_if(
            "/spaces/{id}/archived",
            &[("id", old)],
            MODERATOR,
            &archived.etag(),
        )
        .await;
    is(&restored, 200);

    is(
        &api.put(
            "/spaces/{id}/grants/{user_id}",
            &[("id", sp), ("user_id", GUEST)],
            MODERATOR,
            None,
        )
        .await,
        200,
    );
    problem(
        &api.put(
            "/spaces/{id}/grants/{user_id}",
            &[("id", sp), ("user_id", GUEST)],
            MEMBER,
            None,
        )
        .await,
        403,
        "moderators_only",
    );
    problem(
        &api.put(
            "/spaces/{id}/grants/{user_id}",
            &[("id", sp), ("user_id", GUEST)],
            OUTSIDER,
            None,
        )
        .await,
        404,
        "not_found",
    );
    is(
        &api.get("/spaces/{id}/grants", &[("id", sp)], MODERATOR)
            .await,
        200,
    );
    problem(
        &api.get("/spaces/{id}/grants", &[("id", sp)], MEMBER).await,
        403,
        "moderators_only",
    );
    problem(
        &api.get("/spaces/{id}/grants", &[("id", sp)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    problem(
        &api.delete(
            "/spaces/{id}/grants/{user_id}",
            &[("id", sp), ("user_id", GUEST)],
            MEMBER,
        )
        .await,
        403,
        "moderators_only",
    );
    problem(
        &api.delete(
            "/spaces/{id}/grants/{user_id}",
            &[("id", sp), ("user_id", GUEST)],
            OUTSIDER,
        )
        .await,
        404,
        "not_found",
    );
    is(
        &api.delete(
            "/spaces/{id}/grants/{user_id}",
            &[("id", sp), ("user_id", GUEST)],
            MODERATOR,
        )
        .await,
        204,
    );
}
