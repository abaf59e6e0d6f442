//! The cpd operations through the router.

use serde_json::json;

use super::common::requests::{is, problem};
use super::common::world::*;

// The evidence: the member's thread and reply, and a value story.
crate::area_tests!(super::levels::levels, super::value::value_stories, cpd);

pub async fn cpd(w: &World) {
    let api = &w.api;
    // The member's thread and reply (from `levels`) and value story (from
    // `value_stories`) are their evidence; dates cover any clock.
    // The router's clock starts on 2 March 2026 (tests/common).
    let period = "from=2026-01-01&to=2026-12-31";
    let evidence = api.get(&format!("/me/cpd?{period}"), &[], MEMBER).await;
    is(&evidence, 200);
    let kinds: Vec<&str> = evidence.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"contribution") && kinds.contains(&"value_story"),
        "{kinds:?}"
    );
    let outsider = api.get(&format!("/me/cpd?{period}"), &[], OUTSIDER).await;
    is(&outsider, 200);
    assert_eq!(outsider.json["entries"], json!([]));
    problem(
        &api.get("/me/cpd?from=yesterday&to=2026-01-01", &[], MEMBER)
            .await,
        400,
        "invalid_query",
    );
    let csv = api.get(&format!("/me/cpd.csv?{period}"), &[], MEMBER).await;
    is(&csv, 200);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = String::from_utf8_lossy(&csv.body);
    assert!(text.starts_with("date,kind,community,activity,minutes,hours,reflection,reference\n"));
    problem(
        &api.get("/me/cpd.csv?to=2026-01-01", &[], MEMBER).await,
        400,
        "invalid_query",
    );
    // Out of range, reversed or too long: a 400 naming the parameter (the
    // first used to be a 500, the others a silent cut).
    for (query, field) in [
        ("from=2026-01-01&to=9999-12-31", "to"),
        ("from=2026-03-31&to=2026-03-01", "from"),
        ("from=2020-01-01&to=2026-03-31", "from"),
    ] {
        for path in ["/me/cpd", "/me/cpd.csv"] {
            let bad = api.get(&format!("{path}?{query}"), &[], MEMBER).await;
            problem(&bad, 400, "invalid_query");
            assert_eq!(bad.json["errors"][0]["field"], field, "{path}?{query}");
        }
    }
    let too_long = api
        .get("/me/cpd?from=2020-01-01&to=2026-03-31", &[], MEMBER)
        .await;
    assert!(
        too_long.json["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("366")
    );
}
