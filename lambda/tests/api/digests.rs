//! The digests operations through the router.

use serde_json::json;

use super::common::requests::{is, problem};
use super::common::world::*;

crate::area_tests!(digests);

/// Runs last: it moves the clock a day on to produce the digests due.
pub async fn digests(w: &World) {
    let api = &w.api;
    let none = api.get("/me/digest-preference", &[], OUTSIDER).await;
    is(&none, 200);
    assert_eq!(none.json["preference"]["frequency"], "off");
    assert_eq!(none.json["version"], 0);
    let daily = json!({"frequency": "daily", "hour": 7, "time_zone": "Europe/London"});
    let set = api
        .put("/me/digest-preference", &[], MEMBER, Some(daily.clone()))
        .await;
    is(&set, 200);
    assert_eq!(set.headers["etag"], "\"1\"");
    assert!(set.json["next_due"].is_string(), "{}", set.json);
    let read = api.get("/me/digest-preference", &[], MEMBER).await;
    assert_eq!(read.json, set.json);
    // JSON Schema counts 7.0 as an integer, so the API does too.
    let whole = json!({"frequency": "daily", "hour": 7.0, "time_zone": "Europe/London"});
    let again = api
        .put("/me/digest-preference", &[], MEMBER, Some(whole))
        .await;
    is(&again, 200);
    assert_eq!(again.json["preference"]["hour"], 7);
    problem(
        &api.put(
            "/me/digest-preference",
            &[],
            MEMBER,
            Some(json!({"frequency": "daily", "hour": 24})),
        )
        .await,
        422,
        "invalid_input",
    );
    problem(
        &api.put(
            "/me/digest-preference",
            &[],
            MEMBER,
            Some(json!({"frequency": "hourly"})),
        )
        .await,
        422,
        "invalid_body",
    );
    let preview = api.get("/me/digest", &[], MEMBER).await;
    is(&preview, 200);
    assert!(
        preview.json["subject"]
            .as_str()
            .unwrap()
            .starts_with("Your copkit digest")
    );
    assert!(
        preview.json["html"]
            .as_str()
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
    let empty = api.get("/me/outbox", &[], MEMBER).await;
    is(&empty, 200);
    assert_eq!(empty.json["items"], json!([]));

    // Something new in a space the member sees, then the hourly job a day on.
    let thread = api
        .post(
            "/spaces/{id}/threads",
            &[("id", w.space.as_str())],
            OWNER,
            json!({"kind": "discussion", "title": "Digest news", "body": "Read me."}),
        )
        .await;
    is(&thread, 201);
    w.api.clock.advance(jiff::SignedDuration::from_hours(24));
    let outbox = copkit_core::mail::Outbox::new(w.api.copkit.store().clone());
    let run = w.api.copkit.send_due_digests(&outbox, 1000).await.unwrap();
    assert!(run.sent >= 1, "{run:?}");
    let sent = api.get("/me/outbox?limit=1", &[], MEMBER).await;
    is(&sent, 200);
    let mail = &sent.json["items"][0];
    assert!(
        mail["text"].as_str().unwrap().contains("Digest news"),
        "{mail}"
    );
    let outsider = api.get("/me/outbox", &[], OUTSIDER).await;
    assert_eq!(outsider.json["items"], json!([]));
}
