//! The inbox and notification preferences through the router.

use axum::http::Method;
use copkit_core::service::unsubscribe::MailStream;
use serde_json::json;

use super::common::requests::{is, problem};
use super::common::world::*;

crate::area_tests!(notifications);

/// A reply in the member's thread reaches their inbox (and nobody
/// else's), is read one by one or all at once, and `since` with
/// `If-None-Match` lets an app poll cheaply; preferences are chosen with
/// `If-Match` and checked.
pub async fn notifications(w: &World) {
    let api = &w.api;
    let thread = api
        .post(
            "/spaces/{id}/threads",
            &[("id", w.space.as_str())],
            MEMBER,
            json!({"kind": "question", "title": "Inbox question", "body": "Anyone?"}),
        )
        .await;
    is(&thread, 201);
    let t = thread.id();
    let reply = api
        .post(
            "/threads/{id}/posts",
            &[("id", t.as_str())],
            OWNER,
            json!({"body": "Here is an answer."}),
        )
        .await;
    is(&reply, 201);
    let run = w.api.copkit.notify_due(10_000).await.unwrap();
    assert_eq!(run.failed, 0, "{run:?}");

    let inbox = api.get("/me/notifications?limit=5", &[], MEMBER).await;
    is(&inbox, 200);
    let first = &inbox.json["items"][0];
    assert_eq!(first["title"], "Inbox question", "{}", inbox.json);
    assert_eq!(first["kind"]["type"], "replied");
    assert_eq!(first["kind"]["thread"], t.as_str());
    assert_eq!(first["actor"], OWNER);
    assert!(first["read_at"].is_null());
    let unread = inbox.json["unread"].as_u64().unwrap();
    assert!(unread >= 1);
    let id = first["id"].as_str().unwrap().to_owned();
    // Nobody else has it: the outsider's inbox is empty, and reading the
    // member's notification as someone else is 404.
    let outsider = api.get("/me/notifications", &[], OUTSIDER).await;
    assert_eq!(outsider.json["items"], json!([]));
    assert_eq!(outsider.json["unread"], 0);
    problem(
        &api.post_empty("/me/notifications/{id}/read", &[("id", &id)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    assert!(
        !api.get("/me/notifications", &[], OWNER).await.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["id"] == id.as_str())
    );
    problem(
        &api.get("/me/notifications?since=yesterday", &[], MEMBER)
            .await,
        400,
        "invalid_query",
    );

    // Polling: nothing newer than the newest, and an unchanged answer is 304.
    let at = first["at"].as_str().unwrap().to_owned();
    let since = format!("/me/notifications?since={}", at.replace('+', "%2B"));
    let empty = api.get(&since, &[], MEMBER).await;
    is(&empty, 200);
    assert_eq!(empty.json["items"], json!([]));
    let etag = empty.headers["etag"].to_str().unwrap().to_owned();
    let again = api
        .call(
            Method::GET,
            &since,
            &[],
            Some(MEMBER),
            None,
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(again.status, 304);

    // A write sent twice with one Idempotency-Key: the first answer, then
    // its replay.
    let twice = |path: &'static str, params: Vec<(&'static str, String)>, key: &'static str| async move {
        let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let headers = [("idempotency-key", key)];
        let send = || api.call(Method::POST, path, &params, Some(MEMBER), None, &headers);
        let first = send().await;
        let replayed = send().await;
        assert!(replayed.headers.contains_key("idempotent-replayed"));
        first
    };
    let read = twice(
        "/me/notifications/{id}/read",
        vec![("id", id.clone())],
        "read-one-01",
    )
    .await;
    is(&read, 200);
    assert!(read.json["read_at"].is_string());
    let after = api.get("/me/notifications", &[], MEMBER).await;
    assert_eq!(after.json["unread"].as_u64().unwrap(), unread - 1);
    let all = twice("/me/notifications/read", vec![], "read-all-01").await;
    assert_eq!(all.status, 204);
    assert_eq!(
        api.get("/me/notifications", &[], MEMBER).await.json["unread"],
        0
    );

    // Preferences.
    let defaults = api.get("/me/notification-preferences", &[], MEMBER).await;
    is(&defaults, 200);
    assert_eq!(defaults.json["version"], 0);
    assert!(
        defaults.json["effective"]
            .as_array()
            .unwrap()
            .contains(&json!({"topic": "mention", "channel": "email"}))
    );
    let choices = json!({
        "topics": [{"topic": "reply", "channel": "off"}],
        "communities": [{"community": w.c, "topics": [{"topic": "mention", "channel": "in_app"}]}]
    });
    let choose = |etag: &'static str| {
        api.put_if(
            "/me/notification-preferences",
            &[],
            MEMBER,
            Some(choices.clone()),
            etag,
        )
    };
    let set = choose("\"0\"").await;
    is(&set, 200);
    assert_eq!(set.headers["etag"], "\"1\"");
    assert!(
        set.json["effective"]
            .as_array()
            .unwrap()
            .contains(&json!({"topic": "reply", "channel": "off"}))
    );
    problem(&choose("\"0\"").await, 409, "version_conflict");
    let key = api
        .call(
            Method::PUT,
            "/me/notification-preferences",
            &[],
            Some(MEMBER),
            Some(choices.clone()),
            &[("if-match", "\"1\""), ("idempotency-key", "prefs-01")],
        )
        .await;
    is(&key, 200);
    let replayed = api
        .call(
            Method::PUT,
            "/me/notification-preferences",
            &[],
            Some(MEMBER),
            Some(choices),
            &[("if-match", "\"1\""), ("idempotency-key", "prefs-01")],
        )
        .await;
    assert!(replayed.headers.contains_key("idempotent-replayed"));
    problem(
        &api.put_if(
            "/me/notification-preferences",
            &[],
            MEMBER,
            Some(json!({"topics": vec![json!({"topic": "reply", "channel": "off"}); 51]})),
            "\"2\"",
        )
        .await,
        422,
        "invalid_input",
    );
    problem(
        &api.put_if(
            "/me/notification-preferences",
            &[],
            MEMBER,
            Some(json!({"topics": [{"topic": "gossip", "channel": "off"}]})),
            "\"2\"",
        )
        .await,
        422,
        "invalid_body",
    );

    // Replies are off now: another reply reaches nobody's inbox.
    is(
        &api.post(
            "/threads/{id}/posts",
            &[("id", t.as_str())],
            OWNER,
            json!({"body": "One more thing."}),
        )
        .await,
        201,
    );
    w.api.copkit.notify_due(10_000).await.unwrap();
    assert_eq!(
        api.get("/me/notifications", &[], MEMBER).await.json["unread"],
        0
    );

    // One-click unsubscribe, by the token alone (no identity).
    let member = copkit_core::UserId::new(MEMBER).unwrap();
    let token = |stream| w.api.copkit.unsubscribe_token(&member, stream).unwrap();
    let mentions = token(MailStream::Topic {
        topic: copkit_core::model::NotificationTopic::Mention,
    });
    let page = api
        .call(
            Method::GET,
            "/unsubscribe/{token}",
            &[("token", &mentions)],
            None,
            None,
            &[],
        )
        .await;
    is(&page, 200);
    let page = String::from_utf8_lossy(&page.body);
    assert!(page.contains("Stop emails about mention?"), "{page}");
    assert!(page.contains("<form method=\"post\""));
    problem(
        &api.call(
            Method::GET,
            "/unsubscribe/{token}",
            &[("token", "not-a-token")],
            None,
            None,
            &[],
        )
        .await,
        404,
        "not_found",
    );
    let before = api.get("/me/notification-preferences", &[], MEMBER).await;
    let stop = |token: String| async move {
        api.call(
            Method::POST,
            "/unsubscribe/{token}",
            &[("token", &token)],
            None,
            None,
            &[],
        )
        .await
    };
    let stopped = stop(mentions.clone()).await;
    is(&stopped, 200);
    assert_eq!(
        stopped.json["stopped"],
        json!({"type": "topic", "topic": "mention"})
    );
    let after = api.get("/me/notification-preferences", &[], MEMBER).await;
    assert_eq!(
        after.json["version"].as_u64().unwrap(),
        before.json["version"].as_u64().unwrap() + 1
    );
    assert!(
        after.json["effective"]
            .as_array()
            .unwrap()
            .contains(&json!({"topic": "mention", "channel": "in_app"}))
    );
    // Twice is fine, and changes nothing more.
    is(&stop(mentions.clone()).await, 200);
    assert_eq!(
        api.get("/me/notification-preferences", &[], MEMBER)
            .await
            .json["version"],
        after.json["version"]
    );
    let daily = json!({"frequency": "daily", "hour": 7, "time_zone": "Europe/London"});
    is(
        &api.put("/me/digest-preference", &[], MEMBER, Some(daily))
            .await,
        200,
    );
    is(&stop(token(MailStream::Digests)).await, 200);
    assert_eq!(
        api.get("/me/digest-preference", &[], MEMBER).await.json["preference"]["frequency"],
        "off"
    );
    // A forged or altered token unsubscribes nobody.
    let mut altered = mentions.into_bytes();
    altered[5] = if altered[5] == b'A' { b'B' } else { b'A' };
    problem(
        &stop(String::from_utf8(altered).unwrap()).await,
        404,
        "not_found",
    );
}
