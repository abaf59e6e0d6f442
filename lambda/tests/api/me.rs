//! The service, me operations through the router.

use axum::http::Method;
use serde_json::{Value, json};

use super::common::requests::{is, problem};
use super::common::world::*;

crate::area_tests!(service_and_me, conditional_gets, data_rights);

/// GET `path` as the member with `If-None-Match: tag`.
async fn revalidate(api: &super::common::Api, path: &str, tag: &str) -> super::common::Answer {
    api.call(
        Method::GET,
        path,
        &[],
        Some(MEMBER),
        None,
        &[("if-none-match", tag)],
    )
    .await
}

/// A GET answered again with the caller's `If-None-Match` is a bodiless
/// 304; any change to the answer (an edit, a new thread) changes the tag.
pub async fn conditional_gets(w: &World) {
    let api = &w.api;
    let first = api.get("/me", &[], MEMBER).await;
    is(&first, 200);
    let tag = first.etag();
    let version = first.json["version"].as_u64().unwrap();
    assert!(tag.starts_with(&format!("\"{version}.")), "{tag}");
    assert_eq!(first.headers["cache-control"], "private, no-cache");
    let again = revalidate(api, "/me", &tag).await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.etag(), tag);
    let other = revalidate(api, "/me", "\"nope\"").await;
    is(&other, 200);
    // The version part of a GET's tag is what If-Match compares.
    is(
        &api.patch("/me", &[], MEMBER, json!({"handle": "tagged_one"}), &tag)
            .await,
        200,
    );
    let changed = revalidate(api, "/me", &tag).await;
    is(&changed, 200);
    assert_ne!(changed.etag(), tag);

    // Lists are tagged by their bytes: a new thread changes the page's tag.
    let path = format!("/spaces/{}/threads", w.space);
    let page = api.get(&path, &[], MEMBER).await;
    is(&page, 200);
    let unchanged = revalidate(api, &path, &page.etag()).await;
    assert_eq!(unchanged.status, 304);
    is(
        &api.post(
            &path,
            &[],
            MEMBER,
            json!({"kind": "discussion", "title": "New", "body": "Text", "tags": []}),
        )
        .await,
        201,
    );
    let fresh = revalidate(api, &path, &page.etag()).await;
    is(&fresh, 200);
    assert_ne!(fresh.etag(), page.etag());
}

pub async fn service_and_me(w: &World) {
    let api = &w.api;
    let health = api.call(Method::GET, "/health", &[], None, None, &[]).await;
    is(&health, 200);
    assert_eq!(health.json["status"], "ok");
    let doc = api
        .call(Method::GET, "/openapi.json", &[], None, None, &[])
        .await;
    is(&doc, 200);
    assert_eq!(doc.json["openapi"], "3.1.0");

    let me = api.get("/me", &[], MEMBER).await;
    is(&me, 200);
    assert_eq!(me.json["display_name"], "Dr member");
    let etag = me.etag();
    is(
        &api.patch("/me", &[], MEMBER, json!({"handle": "member_one"}), &etag)
            .await,
        200,
    );
    problem(
        &api.patch("/me", &[], MEMBER, json!({"handle": "member_two"}), &etag)
            .await,
        409,
        "version_conflict",
    );
    problem(
        &api.patch(
            "/me",
            &[],
            MEMBER,
            json!({"display_name": " padded"}),
            "\"2\"",
        )
        .await,
        422,
        "invalid_input",
    );
    problem(
        &api.call(
            Method::PATCH,
            "/me",
            &[],
            Some(MEMBER),
            Some(json!({})),
            &[],
        )
        .await,
        400,
        "if_match_required",
    );
    problem(
        &api.patch("/me", &[], MEMBER, json!({"unknown": 1}), "\"2\"")
            .await,
        422,
        "invalid_body",
    );
    let mine = api.get("/me/communities", &[], MEMBER).await;
    is(&mine, 200);
    assert_eq!(mine.json["items"].as_array().unwrap().len(), 1);
    problem(
        &api.get("/me/communities?limit=0", &[], MEMBER).await,
        400,
        "invalid_query",
    );
    is(
        &api.get("/users/{user_id}", &[("user_id", MEMBER)], OUTSIDER)
            .await,
        200,
    );
    problem(
        &api.get("/users/{user_id}", &[("user_id", "nobody")], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    let anonymous = api.call(Method::GET, "/me", &[], None, None, &[]).await;
    problem(&anonymous, 401, "unauthorized");
    assert_eq!(
        anonymous.headers["www-authenticate"],
        "Bearer realm=\"copkit\""
    );
    // A body that does not fit the schema is 422, as documented.
    problem(
        &api.patch("/me", &[], OWNER, json!({"displayname": "typo"}), "\"1\"")
            .await,
        422,
        "invalid_body",
    );
    let forged = api
        .call(
            Method::GET,
            "/me",
            &[],
            None,
            None,
            &[(
                "authorization",
                "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad",
            )],
        )
        .await;
    problem(&forged, 401, "unauthorized");
    assert_eq!(
        forged.headers["www-authenticate"],
        "Bearer realm=\"copkit\""
    );
}

/// A newcomer joins the open community, takes part, exports, erases.
pub async fn data_rights(w: &World) {
    let api = &w.api;
    let open = w.open.as_str();
    is(
        &api.post_empty("/communities/{id}/join", &[("id", open)], "leaver")
            .await,
        200,
    );
    let story = json!({"kind": "immediate", "title": "Useful tips", "story": "Thanks all."});
    is(
        &api.post(
            "/communities/{id}/value-stories",
            &[("id", open)],
            "leaver",
            story,
        )
        .await,
        201,
    );
    let export = api.get("/me/export", &[], "leaver").await;
    is(&export, 200);
    assert!(
        export.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(export.json["memberships"].as_array().unwrap().len(), 1);
    assert_eq!(export.json["value_stories"][0]["title"], "Useful tips");
    problem(&api.delete("/me", &[], OWNER).await, 409, "hand_over_first");
    let erased = api.delete("/me", &[], "leaver").await;
    is(&erased, 200);
    assert_eq!(erased.json["communities_left"], 1);
    let after = api.get("/me/export", &[], "leaver").await;
    assert_eq!(after.json["memberships"], json!([]));
    assert_eq!(after.json["value_stories"], json!([]));
    assert_eq!(after.json["profile"], Value::Null);
}
