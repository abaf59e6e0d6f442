//! Search through the router: what a member may see is found, with its
//! words marked; nobody else finds it; bad input is refused.

use serde_json::{Value, json};

use super::common::requests::{is, problem};
use super::common::world::*;

crate::area_tests!(search);

fn kinds_of(answer: &Value) -> Vec<String> {
    answer["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap().to_owned())
        .collect()
}

pub async fn search(w: &World) {
    let api = &w.api;
    let (c, sp) = (w.c.as_str(), w.space.as_str());
    for (title, body) in [
        ("Quokka protocol", "How we run the quokka protocol on call."),
        ("Rota", "Another quokka note."),
    ] {
        is(
            &api.post(
                "/spaces/{id}/threads",
                &[("id", sp)],
                MEMBER,
                json!({"kind": "discussion", "title": title, "body": body}),
            )
            .await,
            201,
        );
    }

    let found = api
        .get("/communities/{id}/search?q=quokka", &[("id", c)], MEMBER)
        .await;
    is(&found, 200);
    assert_eq!(
        kinds_of(&found.json),
        vec!["thread", "thread"],
        "{}",
        found.json
    );
    let first = &found.json["items"][0];
    assert_eq!(
        first["title"], "Quokka protocol",
        "the title match ranks first"
    );
    assert_eq!(first["community"], c);
    assert_eq!(first["space"], sp);
    assert!(
        first["snippet"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["highlighted"] == true && p["text"] == "quokka"),
        "{}",
        first["snippet"]
    );
    // A prefix of a title word, a kind filter, pages.
    let typed = api
        .get(
            "/communities/{id}/search?q=quok&kinds=thread,document",
            &[("id", c)],
            MEMBER,
        )
        .await;
    assert_eq!(kinds_of(&typed.json), vec!["thread"]);
    let page = api
        .get(
            "/communities/{id}/search?q=quokka&limit=1",
            &[("id", c)],
            MEMBER,
        )
        .await;
    is(&page, 200);
    let cursor = page.json["next"].as_str().unwrap().to_owned();
    let next = api
        .get(
            &format!("/communities/{{id}}/search?q=quokka&limit=1&cursor={cursor}"),
            &[("id", c)],
            MEMBER,
        )
        .await;
    is(&next, 200);
    assert_ne!(next.json["items"][0]["id"], page.json["items"][0]["id"]);
    assert!(next.json["next"].is_null());
    let mine = api.get("/me/search?q=quokka", &[], MEMBER).await;
    is(&mine, 200);
    assert_eq!(kinds_of(&mine.json).len(), 2);

    // Nobody else finds it: the outsider, the guest of another space.
    for who in [OUTSIDER, GUEST] {
        let none = api
            .get("/communities/{id}/search?q=quokka", &[("id", c)], who)
            .await;
        is(&none, 200);
        assert_eq!(none.json["items"], json!([]), "{who}");
        assert!(none.json["next"].is_null());
        let none = api.get("/me/search?q=quokka", &[], who).await;
        assert_eq!(none.json["items"], json!([]), "{who}");
    }
    problem(
        &api.get(
            "/communities/{id}/search?q=quokka",
            &[("id", w.secret.as_str())],
            OUTSIDER,
        )
        .await,
        404,
        "not_found",
    );

    // An empty window finds nothing; a window around now finds it.
    let empty = api
        .get(
            "/communities/{id}/search?q=quokka&since=2026-03-02T00:00:00Z&before=2026-03-01T00:00:00Z",
            &[("id", c)],
            MEMBER,
        )
        .await;
    assert_eq!(empty.json["items"], json!([]));
    let around = api
        .get(
            "/communities/{id}/search?q=quokka&since=2026-01-01T00:00:00Z&before=2027-01-01T00:00:00Z",
            &[("id", c)],
            MEMBER,
        )
        .await;
    assert_eq!(kinds_of(&around.json).len(), 2, "{}", around.json);

    // Bad input.
    for (query, status, code) in [
        ("q=%20", 422, "invalid_input"),
        ("q=quokka&kinds=threads", 422, "invalid_input"),
        ("q=quokka&since=yesterday", 400, "invalid_query"),
        ("kinds=thread", 400, "invalid_query"),
    ] {
        problem(
            &api.get(
                &format!("/communities/{{id}}/search?{query}"),
                &[("id", c)],
                MEMBER,
            )
            .await,
            status,
            code,
        );
        problem(
            &api.get(&format!("/me/search?{query}"), &[], MEMBER).await,
            status,
            code,
        );
    }
}
