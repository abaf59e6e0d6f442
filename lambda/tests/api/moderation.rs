//! The moderation operations through the router.

use serde_json::{Value, json};

use super::common::requests::{is, problem};
use super::common::world::*;

crate::area_tests!(moderation);

pub async fn moderation(w: &World) {
    let api = &w.api;
    let (c, s) = (w.c.as_str(), w.secret.as_str());
    let thread = api
        .post(
            "/spaces/{id}/threads",
            &[("id", w.space.as_str())],
            OWNER,
            json!({"kind": "discussion", "title": "Case review", "body": "Thoughts?"}),
        )
        .await;
    is(&thread, 201);
    let post = api
        .post(
            "/threads/{id}/posts",
            &[("id", thread.json["id"].as_str().unwrap())],
            OWNER,
            json!({"body": "Mr A. Patient, 12 Elm Street"}),
        )
        .await;
    is(&post, 201);
    let post_id = post.json["id"].as_str().unwrap().to_owned();
    let target = json!({"type": "post", "post": post_id});
    let report_body =
        json!({"target": target, "reason": "patient_identifiable", "note": "Address"});
    let report = api
        .post_key(
            "/communities/{id}/reports",
            &[("id", c)],
            MEMBER,
            report_body.clone(),
            "report-key-0001",
        )
        .await;
    is(&report, 201);
    assert_eq!(report.json["status"], "open");
    let again = api
        .post_key(
            "/communities/{id}/reports",
            &[("id", c)],
            MEMBER,
            report_body.clone(),
            "report-key-0001",
        )
        .await;
    assert!(again.headers.contains_key("idempotent-replayed"));
    assert_eq!(again.json["id"], report.json["id"]);
    problem(
        &api.post(
            "/communities/{id}/reports",
            &[("id", c)],
            MEMBER,
            json!({"target": target, "reason": "boring"}),
        )
        .await,
        422,
        "invalid_body",
    );
    problem(
        &api.post(
            "/communities/{id}/reports",
            &[("id", c)],
            MEMBER,
            json!({"target": target, "reason": "spam", "note": "x".repeat(1001)}),
        )
        .await,
        422,
        "invalid_input",
    );
    problem(
        &api.post(
            "/communities/{id}/reports",
            &[("id", s)],
            OUTSIDER,
            report_body.clone(),
        )
        .await,
        404,
        "not_found",
    );
    let queue = api
        .get("/communities/{id}/reports", &[("id", c)], MODERATOR)
        .await;
    is(&queue, 200);
    assert_eq!(queue.json["items"][0]["id"], report.json["id"]);
    problem(
        &api.get("/communities/{id}/reports", &[("id", c)], MEMBER)
            .await,
        403,
        "moderators_only",
    );
    problem(
        &api.get("/communities/{id}/reports", &[("id", s)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    problem(
        &api.get(
            "/communities/{id}/reports?status=closed",
            &[("id", c)],
            MODERATOR,
        )
        .await,
        400,
        "invalid_query",
    );

    let hide = json!({"target": target, "decision": "hide", "reason": "Identifiable",
        "report": report.json["id"]});
    let decided = api
        .post_key(
            "/communities/{id}/moderation-log",
            &[("id", c)],
            MODERATOR,
            hide.clone(),
            "moderation-key-01",
        )
        .await;
    is(&decided, 201);
    assert_eq!(decided.json["action"], "hidden");
    let replayed = api
        .post_key(
            "/communities/{id}/moderation-log",
            &[("id", c)],
            MODERATOR,
            hide.clone(),
            "moderation-key-01",
        )
        .await;
    assert!(replayed.headers.contains_key("idempotent-replayed"));
    problem(
        &api.post(
            "/communities/{id}/moderation-log",
            &[("id", c)],
            MODERATOR,
            hide.clone(),
        )
        .await,
        409,
        "wrong_state",
    );
    problem(
        &api.post(
            "/communities/{id}/moderation-log",
            &[("id", c)],
            MODERATOR,
            json!({"target": target, "decision": "unhide", "reason": " "}),
        )
        .await,
        422,
        "invalid_input",
    );
    problem(
        &api.post(
            "/communities/{id}/moderation-log",
            &[("id", c)],
            MEMBER,
            hide.clone(),
        )
        .await,
        403,
        "moderators_only",
    );
    problem(
        &api.post(
            "/communities/{id}/moderation-log",
            &[("id", s)],
            OUTSIDER,
            hide,
        )
        .await,
        404,
        "not_found",
    );
    // The member sees that the post was hidden, not what it said.
    let seen = api.get("/posts/{id}", &[("id", &post_id)], MEMBER).await;
    is(&seen, 200);
    assert_eq!(seen.json["body"], "");
    // ... nor who hid it or why: those are for its author and moderators.
    assert!(seen.json["hidden"]["at"].is_string());
    assert_eq!(seen.json["hidden"]["reason"], Value::Null);
    assert_eq!(seen.json["hidden"]["by"], Value::Null);
    let moderated = api.get("/posts/{id}", &[("id", &post_id)], MODERATOR).await;
    assert_eq!(moderated.json["hidden"]["reason"], "Identifiable");
    let log = api
        .get("/communities/{id}/moderation-log", &[("id", c)], OWNER)
        .await;
    is(&log, 200);
    assert_eq!(log.json["items"][0]["action"], "hidden");
    problem(
        &api.get("/communities/{id}/moderation-log", &[("id", c)], MEMBER)
            .await,
        403,
        "moderators_only",
    );
    problem(
        &api.get("/communities/{id}/moderation-log", &[("id", s)], OUTSIDER)
            .await,
        404,
        "not_found",
    );

    // A thread's opening post is reported and hidden like any post.
    let thread_id = thread.json["id"].as_str().unwrap().to_owned();
    let opening = json!({"type": "thread", "thread": thread_id});
    let report = api
        .post(
            "/communities/{id}/reports",
            &[("id", c)],
            MEMBER,
            json!({"target": opening, "reason": "spam"}),
        )
        .await;
    is(&report, 201);
    assert_eq!(report.json["target"], opening);
    problem(
        &api.post(
            "/communities/{id}/reports",
            &[("id", c)],
            MEMBER,
            json!({"target": opening, "reason": "other", "note": "again"}),
        )
        .await,
        409,
        "already_reported",
    );
    let hidden = api
        .post(
            "/communities/{id}/moderation-log",
            &[("id", c)],
            MODERATOR,
            json!({"target": opening, "decision": "hide", "reason": "Advert",
                "report": report.json["id"]}),
        )
        .await;
    is(&hidden, 201);
    let seen = api
        .get("/threads/{id}", &[("id", &thread_id)], MEMBER)
        .await;
    is(&seen, 200);
    assert_eq!(
        (&seen.json["title"], &seen.json["body"]),
        (&json!(""), &json!(""))
    );
    assert_eq!(seen.json["hidden"]["reason"], Value::Null);
    let listed = api
        .get("/spaces/{id}/threads", &[("id", w.space.as_str())], MEMBER)
        .await;
    is(&listed, 200);
    assert!(
        !listed.json.to_string().contains("Case review"),
        "{}",
        listed.json
    );
    let own = api.get("/threads/{id}", &[("id", &thread_id)], OWNER).await;
    assert_eq!(own.json["title"], "Case review");
    assert_eq!(own.json["hidden"]["reason"], "Advert");
}
