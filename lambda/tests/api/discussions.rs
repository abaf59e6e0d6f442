//! The discussions operations through the router.

use axum::http::Method;
use serde_json::json;

use super::common::requests::{is, problem};
use super::common::world::*;

crate::area_tests!(archive, discussions);

pub async fn discussions(w: &World) {
    let api = &w.api;
    let (sp, old) = (w.space.as_str(), w.archived.as_str());
    let body = json!({"kind": "question", "title": "Antibiotics for sore throat?", "body": "When do you prescribe?", "tags": ["prescribing"]});
    let first = api
        .post_key(
            "/spaces/{id}/threads",
            &[("id", sp)],
            MEMBER,
            body.clone(),
            "thread-key-01",
        )
        .await;
    is(&first, 201);
    assert!(
        api.post_key(
            "/spaces/{id}/threads",
            &[("id", sp)],
            MEMBER,
            body.clone(),
            "thread-key-01"
        )
        .await
        .headers
        .contains_key("idempotent-replayed")
    );
    let t = first.id();
    problem(
        &api.post(
            "/spaces/{id}/threads",
            &[("id", sp)],
            OUTSIDER,
            body.clone(),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.post("/spaces/{id}/threads", &[("id", sp)], GUEST, body.clone())
            .await,
        404,
        "not_found",
    );
    problem(
        &api.post("/spaces/{id}/threads", &[("id", old)], MEMBER, body.clone())
            .await,
        403,
        "archived",
    );
    problem(
        &api.post(
            "/spaces/{id}/threads",
            &[("id", sp)],
            MEMBER,
            json!({"kind": "question", "title": "ab", "body": ""}),
        )
        .await,
        422,
        "invalid_input",
    );
    is(
        &api.get("/spaces/{id}/threads", &[("id", sp)], MEMBER).await,
        200,
    );
    problem(
        &api.get("/spaces/{id}/threads", &[("id", sp)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    is(
        &api.get("/spaces/{id}/threads/pinned", &[("id", sp)], MEMBER)
            .await,
        200,
    );
    problem(
        &api.get("/spaces/{id}/threads/pinned", &[("id", sp)], OUTSIDER)
            .await,
        404,
        "not_found",
    );

    let got = api.get("/threads/{id}", &[("id", &t)], MEMBER).await;
    is(&got, 200);
    problem(
        &api.get("/threads/{id}", &[("id", &t)], OUTSIDER).await,
        404,
        "not_found",
    );
    let etag = got.etag();
    let edited = api
        .patch(
            "/threads/{id}",
            &[("id", &t)],
            MEMBER,
            json!({"title": "Antibiotics for sore throats?"}),
            &etag,
        )
        .await;
    is(&edited, 200);
    problem(
        &api.patch(
            "/threads/{id}",
            &[("id", &t)],
            MEMBER,
            json!({"title": "Lost update"}),
            &etag,
        )
        .await,
        409,
        "version_conflict",
    );
    problem(
        &api.patch(
            "/threads/{id}",
            &[("id", &t)],
            MODERATOR,
            json!({"title": "Not mine"}),
            &edited.etag(),
        )
        .await,
        403,
        "not_author",
    );
    problem(
        &api.patch(
            "/threads/{id}",
            &[("id", &t)],
            OUTSIDER,
            json!({"title": "Not mine"}),
            &edited.etag(),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.patch(
            "/threads/{id}",
            &[("id", &t)],
            MEMBER,
            json!({"tags": ["no spaces"]}),
            &edited.etag(),
        )
        .await,
        422,
        "invalid_input",
    );

    for (verb_on, verb_off, path) in [
        (Method::PUT, Method::DELETE, "/threads/{id}/pin"),
        (Method::PUT, Method::DELETE, "/threads/{id}/lock"),
    ] {
        is(
            &api.call(
                verb_on.clone(),
                path,
                &[("id", &t)],
                Some(MODERATOR),
                None,
                &[],
            )
            .await,
            200,
        );
        problem(
            &api.call(
                verb_on.clone(),
                path,
                &[("id", &t)],
                Some(MEMBER),
                None,
                &[],
            )
            .await,
            403,
            "moderators_only",
        );
        problem(
            &api.call(verb_on, path, &[("id", &t)], Some(OUTSIDER), None, &[])
                .await,
            404,
            "not_found",
        );
        problem(
            &api.call(
                verb_off.clone(),
                path,
                &[("id", &t)],
                Some(MEMBER),
                None,
                &[],
            )
            .await,
            403,
            "moderators_only",
        );
        problem(
            &api.call(
                verb_off.clone(),
                path,
                &[("id", &t)],
                Some(OUTSIDER),
                None,
                &[],
            )
            .await,
            404,
            "not_found",
        );
        is(
            &api.call(verb_off, path, &[("id", &t)], Some(MODERATOR), None, &[])
                .await,
            200,
        );
    }

    let post_body = json!({"body": "I use FeverPAIN."});
    let p1 = api
        .post_key(
            "/threads/{id}/posts",
            &[("id", &t)],
            MODERATOR,
            post_body.clone(),
            "post-key-001",
        )
        .await;
    is(&p1, 201);
    assert!(
        api.post_key(
            "/threads/{id}/posts",
            &[("id", &t)],
            MODERATOR,
            post_body.clone(),
            "post-key-001"
        )
        .await
        .headers
        .contains_key("idempotent-replayed")
    );
    let p = p1.id();
    problem(
        &api.post(
            "/threads/{id}/posts",
            &[("id", &t)],
            OUTSIDER,
            post_body.clone(),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.post(
            "/threads/{id}/posts",
            &[("id", &t)],
            MEMBER,
            json!({"body": "   "}),
        )
        .await,
        422,
        "invalid_input",
    );
    is(
        &api.get("/threads/{id}/posts", &[("id", &t)], MEMBER).await,
        200,
    );
    problem(
        &api.get("/threads/{id}/posts", &[("id", &t)], OUTSIDER)
            .await,
        404,
        "not_found",
    );

    is(
        &api.put(
            "/threads/{id}/answer",
            &[("id", &t)],
            MEMBER,
            Some(json!({"post": p})),
        )
        .await,
        200,
    );
    problem(
        &api.put(
            "/threads/{id}/answer",
            &[("id", &t)],
            "extra2",
            Some(json!({"post": p})),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.put(
            "/threads/{id}/answer",
            &[("id", &t)],
            OUTSIDER,
            Some(json!({"post": p})),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.put(
            "/threads/{id}/answer",
            &[("id", &t)],
            MEMBER,
            Some(json!({"post": 1})),
        )
        .await,
        422,
        "invalid_body",
    );
    problem(
        &api.delete("/threads/{id}/answer", &[("id", &t)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    is(
        &api.delete("/threads/{id}/answer", &[("id", &t)], MEMBER)
            .await,
        200,
    );

    let got = api.get("/posts/{id}", &[("id", &p)], MEMBER).await;
    is(&got, 200);
    problem(
        &api.get("/posts/{id}", &[("id", &p)], OUTSIDER).await,
        404,
        "not_found",
    );
    let edited = api
        .patch(
            "/posts/{id}",
            &[("id", &p)],
            MODERATOR,
            json!({"body": "I use FeverPAIN, then safety-net."}),
            &got.etag(),
        )
        .await;
    is(&edited, 200);
    problem(
        &api.patch(
            "/posts/{id}",
            &[("id", &p)],
            MODERATOR,
            json!({"body": "Lost"}),
            &got.etag(),
        )
        .await,
        409,
        "version_conflict",
    );
    problem(
        &api.patch(
            "/posts/{id}",
            &[("id", &p)],
            MEMBER,
            json!({"body": "Not mine"}),
            &edited.etag(),
        )
        .await,
        403,
        "not_author",
    );
    problem(
        &api.patch(
            "/posts/{id}",
            &[("id", &p)],
            OUTSIDER,
            json!({"body": "Not mine"}),
            &edited.etag(),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.patch(
            "/posts/{id}",
            &[("id", &p)],
            MODERATOR,
            json!({"body": ""}),
            &edited.etag(),
        )
        .await,
        422,
        "invalid_input",
    );

    let reacted = api
        .put(
            "/posts/{id}/reactions/{kind}",
            &[("id", &p), ("kind", "thanks")],
            MEMBER,
            None,
        )
        .await;
    is(&reacted, 200);
    assert_eq!(reacted.json["reactions"]["thanks"], 1);
    problem(
        &api.put(
            "/posts/{id}/reactions/{kind}",
            &[("id", &p), ("kind", "thanks")],
            OUTSIDER,
            None,
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.put(
            "/posts/{id}/reactions/{kind}",
            &[("id", &p), ("kind", "love")],
            MEMBER,
            None,
        )
        .await,
        404,
        "not_found",
    );
    let mine = api
        .get("/posts/{id}/reactions", &[("id", &p)], MEMBER)
        .await;
    is(&mine, 200);
    assert_eq!(mine.json, json!(["thanks"]));
    problem(
        &api.get("/posts/{id}/reactions", &[("id", &p)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    problem(
        &api.delete(
            "/posts/{id}/reactions/{kind}",
            &[("id", &p), ("kind", "thanks")],
            OUTSIDER,
        )
        .await,
        404,
        "not_found",
    );
    is(
        &api.delete(
            "/posts/{id}/reactions/{kind}",
            &[("id", &p), ("kind", "thanks")],
            MEMBER,
        )
        .await,
        200,
    );

    problem(
        &api.delete("/posts/{id}", &[("id", &p)], MEMBER).await,
        403,
        "not_author",
    );
    problem(
        &api.delete("/posts/{id}", &[("id", &p)], OUTSIDER).await,
        404,
        "not_found",
    );
    is(
        &api.delete("/posts/{id}", &[("id", &p)], MODERATOR).await,
        204,
    );
    problem(
        &api.get("/posts/{id}", &[("id", &p)], MEMBER).await,
        404,
        "deleted",
    );
    problem(
        &api.get("/posts/{id}/reactions", &[("id", &p)], MEMBER)
            .await,
        404,
        "not_found",
    );
    problem(
        &api.delete("/threads/{id}", &[("id", &t)], "extra2").await,
        404,
        "not_found",
    );
    problem(
        &api.delete("/threads/{id}", &[("id", &t)], OUTSIDER).await,
        404,
        "not_found",
    );
    let other = api
        .post(
            "/spaces/{id}/threads",
            &[("id", sp)],
            MODERATOR,
            json!({"kind": "discussion", "title": "Not yours", "body": ""}),
        )
        .await
        .id();
    problem(
        &api.delete("/threads/{id}", &[("id", &other)], MEMBER).await,
        403,
        "not_author",
    );
    is(
        &api.delete("/threads/{id}", &[("id", &t)], MEMBER).await,
        204,
    );
    problem(
        &api.get("/threads/{id}", &[("id", &t)], MEMBER).await,
        404,
        "deleted",
    );

    // In an archived space nothing new is added.
    let etag = api.get("/spaces/{id}", &[("id", old)], OWNER).await.etag();
    is(
        &api.delete_if("/spaces/{id}/archived", &[("id", old)], MODERATOR, &etag)
            .await,
        200,
    );
    let t_old = api
        .post(
            "/spaces/{id}/threads",
            &[("id", old)],
            MEMBER,
            json!({"kind": "discussion", "title": "Before archiving", "body": ""}),
        )
        .await
        .id();
    let p_old = api
        .post(
            "/threads/{id}/posts",
            &[("id", &t_old)],
            MEMBER,
            json!({"body": "hello"}),
        )
        .await
        .id();
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
    problem(
        &api.post(
            "/threads/{id}/posts",
            &[("id", &t_old)],
            MEMBER,
            json!({"body": "late"}),
        )
        .await,
        403,
        "archived",
    );
    problem(
        &api.put(
            "/posts/{id}/reactions/{kind}",
            &[("id", &p_old), ("kind", "like")],
            MEMBER,
            None,
        )
        .await,
        403,
        "archived",
    );
}
