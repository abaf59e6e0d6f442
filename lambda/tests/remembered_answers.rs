//! The lists whose JSON the router remembers (a space's threads, its
//! pinned threads, a thread's posts; `lambda/src/json_memo.rs`) answer
//! exactly what the store holds now, as this caller may see it: after a
//! page was answered (and remembered), an outsider still gets 404, a member
//! removed since gets 404, a plain member never gets the moderator's view
//! of hidden content (nor the moderator the member's), and every edit,
//! hide, pin and new post shows at once. Over HTTP, on every store: memory,
//! SQLite and DynamoDB (moto, `--ignored`).

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::requests::{is, problem};
use common::world::{self, MEMBER, MODERATOR, OUTSIDER, OWNER, World};
use serde_json::json;

/// A second plain member, who never wrote what is hidden.
const READER: &str = "reader";

fn text(answer: &common::Answer) -> String {
    String::from_utf8(answer.body.clone()).unwrap()
}

async fn lists_answer_what_the_store_holds_now(w: World) {
    let (api, c, space) = (&w.api, w.c.as_str(), w.space.as_str());
    world::invite_and_accept(api, c, READER, json!({"role": "member"})).await;
    let start = |who: &'static str, title: &'static str| async move {
        let t = api
            .post(
                "/spaces/{id}/threads",
                &[("id", space)],
                who,
                json!({"kind": "discussion", "title": title, "body": "Worth a look.", "tags": []}),
            )
            .await;
        is(&t, 201);
        (t.id(), t.etag())
    };
    let (owners, _) = start(OWNER, "Owner's case").await;
    let (members, members_etag) = start(MEMBER, "Member's case").await;
    // A moderator hides a thread's opening post or a post.
    let hide = |target: serde_json::Value| async move {
        let decided = api
            .post(
                "/communities/{id}/moderation-log",
                &[("id", c)],
                MODERATOR,
                json!({"target": target, "decision": "hide", "reason": "Identifiable"}),
            )
            .await;
        is(&decided, 201);
    };
    let threads = "/spaces/{id}/threads?limit=10";
    let list = |who: &'static str| async move { api.get(threads, &[("id", space)], who).await };

    // Answered, then answered again from memory: the same bytes.
    let first = list(READER).await;
    is(&first, 200);
    assert!(text(&first).contains("Owner's case") && text(&first).contains("Member's case"));
    let again = list(READER).await;
    assert_eq!(again.body, first.body);
    assert_eq!(again.etag(), first.etag());

    // Those who may not see the space get nothing of it.
    problem(&list(OUTSIDER).await, 404, "not_found");
    let anonymous = api
        .call(
            axum::http::Method::GET,
            threads,
            &[("id", space)],
            None,
            None,
            &[],
        )
        .await;
    is(&anonymous, 401);

    // A hidden opening post: moderators and the author read it, others
    // get it empty, whoever asked just before.
    hide(json!({"type": "thread", "thread": owners})).await;
    for _ in 0..2 {
        let moderators = list(MODERATOR).await;
        assert!(text(&moderators).contains("Owner's case"));
        let readers = list(READER).await;
        assert!(
            !text(&readers).contains("Owner's case"),
            "{}",
            text(&readers)
        );
        assert!(text(&readers).contains("Member's case"));
        assert_ne!(readers.body, moderators.body);
        let authors = list(OWNER).await;
        assert!(text(&authors).contains("Owner's case"));
    }

    // An edit shows at once.
    is(
        &api.patch(
            "/threads/{id}",
            &[("id", &members)],
            MEMBER,
            json!({"title": "Member's case, edited"}),
            &members_etag,
        )
        .await,
        200,
    );
    assert!(text(&list(READER).await).contains("Member's case, edited"));

    // Pinned threads: none, then the one pinned.
    let pinned = || async {
        api.get("/spaces/{id}/threads/pinned", &[("id", space)], READER)
            .await
    };
    assert_eq!(pinned().await.json, json!([]));
    assert_eq!(pinned().await.json, json!([]));
    is(
        &api.put("/threads/{id}/pin", &[("id", &members)], MODERATOR, None)
            .await,
        200,
    );
    let now_pinned = pinned().await;
    assert_eq!(now_pinned.json.as_array().unwrap().len(), 1);
    assert_eq!(now_pinned.json[0]["id"], json!(members));
    problem(
        &api.get("/spaces/{id}/threads/pinned", &[("id", space)], OUTSIDER)
            .await,
        404,
        "not_found",
    );

    // A thread's posts: a new post shows, a hidden one is emptied for
    // the reader but not for its author.
    let posts = "/threads/{id}/posts?limit=10";
    let post = |who: &'static str, body: &'static str| {
        let members = members.clone();
        async move {
            let p = api
                .post(
                    "/threads/{id}/posts",
                    &[("id", &members)],
                    who,
                    json!({ "body": body }),
                )
                .await;
            is(&p, 201);
            p.id()
        }
    };
    post(MEMBER, "First thoughts.").await;
    let before = api.get(posts, &[("id", &members)], READER).await;
    is(&before, 200);
    assert_eq!(
        api.get(posts, &[("id", &members)], READER).await.body,
        before.body
    );
    let owners_post = post(OWNER, "A patient's address, by mistake.").await;
    let after = api.get(posts, &[("id", &members)], READER).await;
    assert!(text(&after).contains("by mistake"));
    hide(json!({"type": "post", "post": owners_post})).await;
    for _ in 0..2 {
        assert!(text(&api.get(posts, &[("id", &members)], OWNER).await).contains("by mistake"));
        let readers = api.get(posts, &[("id", &members)], READER).await;
        assert!(!text(&readers).contains("by mistake"), "{}", text(&readers));
        assert!(text(&readers).contains("First thoughts."));
    }
    problem(
        &api.get(posts, &[("id", &members)], OUTSIDER).await,
        404,
        "not_found",
    );

    // Someone removed from the community: every list they read a moment
    // ago is now 404, though nothing in the lists changed.
    is(
        &api.delete(
            "/communities/{id}/members/{user_id}",
            &[("id", c), ("user_id", READER)],
            OWNER,
        )
        .await,
        204,
    );
    problem(&list(READER).await, 404, "not_found");
    problem(&pinned().await, 404, "not_found");
    problem(
        &api.get(posts, &[("id", &members)], READER).await,
        404,
        "not_found",
    );
    // And those still in read on.
    is(&list(MEMBER).await, 200);
}

#[tokio::test]
async fn remembered_lists_answer_what_the_store_holds_now() {
    lists_answer_what_the_store_holds_now(World::on_memory().await).await;
}

#[tokio::test]
async fn remembered_lists_answer_what_the_store_holds_now_on_sqlite() {
    lists_answer_what_the_store_holds_now(World::on_sqlite().await).await;
}

#[tokio::test]
#[ignore = "needs a moto server (tests/run-all.sh starts one; AWS_ENDPOINT_URL + --ignored)"]
async fn remembered_lists_answer_what_the_store_holds_now_on_dynamodb() {
    lists_answer_what_the_store_holds_now(World::on_dynamodb().await).await;
}
