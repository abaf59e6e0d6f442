//! The events operations through the router.

use axum::http::Method;
use serde_json::json;

use super::common::requests::{is, problem};
use super::common::world::*;

crate::area_tests!(archive, events, calendar_feed_url);

pub async fn events(w: &World) {
    let api = &w.api;
    let (c, s, sp, old) = (
        w.c.as_str(),
        w.secret.as_str(),
        w.space.as_str(),
        w.archived.as_str(),
    );
    let first = api
        .post_key(
            "/spaces/{id}/events",
            &[("id", sp)],
            MEMBER,
            event_body("ST3 small group"),
            "event-key-01",
        )
        .await;
    is(&first, 201);
    assert!(
        api.post_key(
            "/spaces/{id}/events",
            &[("id", sp)],
            MEMBER,
            event_body("ST3 small group"),
            "event-key-01"
        )
        .await
        .headers
        .contains_key("idempotent-replayed")
    );
    let e = first.id();
    problem(
        &api.post(
            "/spaces/{id}/events",
            &[("id", sp)],
            OUTSIDER,
            event_body("x y z"),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.post(
            "/spaces/{id}/events",
            &[("id", old)],
            MEMBER,
            event_body("Archived"),
        )
        .await,
        403,
        "archived",
    );
    let mut bad = event_body("Bad zone");
    bad["time_zone"] = json!("Mars/Olympus");
    problem(
        &api.post("/spaces/{id}/events", &[("id", sp)], MEMBER, bad)
            .await,
        422,
        "invalid_input",
    );

    is(
        &api.get("/communities/{id}/events", &[("id", c)], MEMBER)
            .await,
        200,
    );
    problem(
        &api.get("/communities/{id}/events", &[("id", s)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    let agenda = api
        .get(
            "/communities/{id}/agenda?from=2026-03-01&days=60",
            &[("id", c)],
            MEMBER,
        )
        .await;
    is(&agenda, 200);
    assert_eq!(
        agenda.json.as_array().unwrap().len(),
        4,
        "10 and 24 March, 7 and 21 April"
    );
    problem(
        &api.get("/communities/{id}/agenda?days=0", &[("id", c)], MEMBER)
            .await,
        400,
        "invalid_query",
    );
    problem(
        &api.get("/communities/{id}/agenda", &[("id", s)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    let ics = api
        .get(
            "/communities/{id}/calendar.ics?from=2026-03-01&days=30",
            &[("id", c)],
            MEMBER,
        )
        .await;
    is(&ics, 200);
    assert!(
        ics.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(String::from_utf8_lossy(&ics.body).contains("BEGIN:VEVENT"));
    problem(
        &api.get("/communities/{id}/calendar.ics", &[("id", s)], OUTSIDER)
            .await,
        404,
        "not_found",
    );
    problem(
        &api.get(
            "/communities/{id}/calendar.ics?from=yesterday",
            &[("id", c)],
            MEMBER,
        )
        .await,
        400,
        "invalid_query",
    );

    let got = api.get("/events/{id}", &[("id", &e)], MEMBER).await;
    is(&got, 200);
    problem(
        &api.get("/events/{id}", &[("id", &e)], OUTSIDER).await,
        404,
        "not_found",
    );
    let replaced = api
        .put_if(
            "/events/{id}",
            &[("id", &e)],
            MEMBER,
            Some(event_body("ST3 small group (room 3)")),
            &got.etag(),
        )
        .await;
    is(&replaced, 200);
    problem(
        &api.put_if(
            "/events/{id}",
            &[("id", &e)],
            MEMBER,
            Some(event_body("Lost")),
            &got.etag(),
        )
        .await,
        409,
        "version_conflict",
    );
    problem(
        &api.put_if(
            "/events/{id}",
            &[("id", &e)],
            "extra2",
            Some(event_body("Mine")),
            &replaced.etag(),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.put_if(
            "/events/{id}",
            &[("id", &e)],
            GUEST,
            Some(event_body("Mine")),
            &replaced.etag(),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.put_if(
            "/events/{id}",
            &[("id", &e)],
            OUTSIDER,
            Some(event_body("Mine")),
            &replaced.etag(),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.put_if(
            "/events/{id}",
            &[("id", &e)],
            MEMBER,
            Some(json!({"title": "No schedule"})),
            &replaced.etag(),
        )
        .await,
        422,
        "invalid_body",
    );
    let mods_event = api
        .post(
            "/spaces/{id}/events",
            &[("id", sp)],
            MODERATOR,
            event_body("Moderators' event"),
        )
        .await;
    problem(
        &api.put_if(
            "/events/{id}",
            &[("id", &mods_event.id())],
            MEMBER,
            Some(event_body("Mine")),
            &mods_event.etag(),
        )
        .await,
        403,
        "not_author",
    );

    is(
        &api.get(
            "/events/{id}/occurrences?from=2026-03-01&days=400",
            &[("id", &e)],
            MEMBER,
        )
        .await,
        200,
    );
    problem(
        &api.get("/events/{id}/occurrences?days=500", &[("id", &e)], MEMBER)
            .await,
        400,
        "invalid_query",
    );
    problem(
        &api.get("/events/{id}/occurrences", &[("id", &e)], OUTSIDER)
            .await,
        404,
        "not_found",
    );

    let occ = "2026-03-24T18:30:00";
    let path = "/events/{id}/occurrences/{occurrence}/cancelled";
    let cancelled = api
        .put_if(
            path,
            &[("id", &e), ("occurrence", occ)],
            MEMBER,
            None,
            &replaced.etag(),
        )
        .await;
    is(&cancelled, 200);
    problem(
        &api.put_if(
            path,
            &[("id", &e), ("occurrence", occ)],
            MEMBER,
            None,
            &replaced.etag(),
        )
        .await,
        409,
        "version_conflict",
    );
    problem(
        &api.put_if(
            path,
            &[("id", &mods_event.id()), ("occurrence", occ)],
            MEMBER,
            None,
            &mods_event.etag(),
        )
        .await,
        403,
        "not_author",
    );
    problem(
        &api.put_if(
            path,
            &[("id", &e), ("occurrence", occ)],
            OUTSIDER,
            None,
            &cancelled.etag(),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.put_if(
            path,
            &[("id", &e), ("occurrence", "2026-03-25T18:30:00")],
            MEMBER,
            None,
            &cancelled.etag(),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.delete_if(
            path,
            &[("id", &e), ("occurrence", occ)],
            MEMBER,
            &replaced.etag(),
        )
        .await,
        409,
        "version_conflict",
    );
    problem(
        &api.delete_if(
            path,
            &[("id", &mods_event.id()), ("occurrence", occ)],
            MEMBER,
            &mods_event.etag(),
        )
        .await,
        403,
        "not_author",
    );
    problem(
        &api.delete_if(
            path,
            &[("id", &e), ("occurrence", occ)],
            OUTSIDER,
            &cancelled.etag(),
        )
        .await,
        404,
        "not_found",
    );
    is(
        &api.delete_if(
            path,
            &[("id", &e), ("occurrence", occ)],
            MEMBER,
            &cancelled.etag(),
        )
        .await,
        200,
    );

    let first_occ = "2026-03-10T18:30:00";
    let rsvp = "/events/{id}/occurrences/{occurrence}/rsvp";
    is(
        &api.put(
            rsvp,
            &[("id", &e), ("occurrence", first_occ)],
            MEMBER,
            Some(json!({"response": "going"})),
        )
        .await,
        200,
    );
    is(
        &api.put(
            rsvp,
            &[("id", &e), ("occurrence", first_occ)],
            MODERATOR,
            Some(json!({"response": "going"})),
        )
        .await,
        200,
    );
    problem(
        &api.put(
            rsvp,
            &[("id", &e), ("occurrence", first_occ)],
            OWNER,
            Some(json!({"response": "going"})),
        )
        .await,
        409,
        "limit_reached",
    );
    problem(
        &api.put(
            rsvp,
            &[("id", &e), ("occurrence", first_occ)],
            OUTSIDER,
            Some(json!({"response": "going"})),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.put(
            rsvp,
            &[("id", &e), ("occurrence", first_occ)],
            MEMBER,
            Some(json!({"response": "perhaps"})),
        )
        .await,
        422,
        "invalid_body",
    );
    is(
        &api.get(
            "/events/{id}/occurrences/{occurrence}/rsvps",
            &[("id", &e), ("occurrence", first_occ)],
            MEMBER,
        )
        .await,
        200,
    );
    problem(
        &api.get(
            "/events/{id}/occurrences/{occurrence}/rsvps",
            &[("id", &e), ("occurrence", first_occ)],
            OUTSIDER,
        )
        .await,
        404,
        "not_found",
    );
    let tally = api
        .get(
            "/events/{id}/occurrences/{occurrence}/tally",
            &[("id", &e), ("occurrence", first_occ)],
            MEMBER,
        )
        .await;
    is(&tally, 200);
    assert_eq!(tally.json["going"], 2);
    problem(
        &api.get(
            "/events/{id}/occurrences/{occurrence}/tally",
            &[("id", &e), ("occurrence", first_occ)],
            OUTSIDER,
        )
        .await,
        404,
        "not_found",
    );

    // A week later the first session has happened: attendance opens.
    api.clock.advance(jiff::SignedDuration::from_hours(24 * 9));
    let att = "/events/{id}/occurrences/{occurrence}/attendance/{user_id}";
    let recorded = api
        .put(
            att,
            &[("id", &e), ("occurrence", first_occ), ("user_id", MEMBER)],
            MODERATOR,
            Some(json!({"attended": true})),
        )
        .await;
    is(&recorded, 200);
    assert_eq!(recorded.json["minutes"], 90);
    problem(
        &api.put(
            att,
            &[("id", &e), ("occurrence", first_occ), ("user_id", MEMBER)],
            MEMBER,
            Some(json!({"attended": true})),
        )
        .await,
        403,
        "moderators_only",
    );
    problem(
        &api.put(
            att,
            &[("id", &e), ("occurrence", first_occ), ("user_id", MEMBER)],
            OUTSIDER,
            Some(json!({"attended": true})),
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &api.put(
            att,
            &[("id", &e), ("occurrence", first_occ), ("user_id", MEMBER)],
            MODERATOR,
            Some(json!({"attended": "yes"})),
        )
        .await,
        422,
        "invalid_body",
    );
    is(
        &api.get(
            "/events/{id}/occurrences/{occurrence}/attendance",
            &[("id", &e), ("occurrence", first_occ)],
            MODERATOR,
        )
        .await,
        200,
    );
    problem(
        &api.get(
            "/events/{id}/occurrences/{occurrence}/attendance",
            &[("id", &e), ("occurrence", first_occ)],
            MEMBER,
        )
        .await,
        403,
        "moderators_only",
    );
    problem(
        &api.get(
            "/events/{id}/occurrences/{occurrence}/attendance",
            &[("id", &e), ("occurrence", first_occ)],
            OUTSIDER,
        )
        .await,
        404,
        "not_found",
    );
}

/// The events in an iCalendar answer, by SUMMARY, read by an independent
/// parser.
fn summaries(body: &[u8]) -> Vec<String> {
    let mut calendars = ical::IcalParser::new(std::io::BufReader::new(body));
    let calendar = calendars.next().expect("one calendar").expect("it parses");
    calendar
        .events
        .iter()
        .filter_map(|ev| {
            ev.properties
                .iter()
                .find(|p| p.name == "SUMMARY")
                .and_then(|p| p.value.clone())
        })
        .collect()
}

/// The personal calendar feed URL: made, read without identity by its
/// token (what the member sees, nothing for an outsider), renewed (the old
/// URL is gone), stopped.
pub async fn calendar_feed_url(w: &World) {
    let api = &w.api;
    let made = api.post_empty("/me/calendar-feed", &[], MEMBER).await;
    is(&made, 201);
    let token = made.json["token"].as_str().unwrap().to_owned();
    let url = made.json["url"].as_str().unwrap();
    assert!(url.ends_with(&format!("/calendar/{token}.ics")), "{url}");
    let fetch = |token: String| async move {
        let file = format!("{token}.ics");
        api.call(
            Method::GET,
            "/calendar/{token}",
            &[("token", &file)],
            None,
            None,
            &[],
        )
        .await
    };
    let feed = fetch(token.clone()).await;
    is(&feed, 200);
    assert!(
        feed.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    // The member's feed holds the events of the community's members'
    // space (the one they edited and a moderator's).
    let seen: std::collections::BTreeSet<String> = summaries(&feed.body).into_iter().collect();
    assert_eq!(
        seen,
        ["Moderators' event", "ST3 small group (room 3)"]
            .map(str::to_owned)
            .into()
    );

    let outsider = api.post_empty("/me/calendar-feed", &[], OUTSIDER).await;
    is(&outsider, 201);
    let nothing = fetch(outsider.json["token"].as_str().unwrap().to_owned()).await;
    is(&nothing, 200);
    assert!(
        summaries(&nothing.body).is_empty(),
        "an outsider sees no event"
    );

    let renewed = api.post_empty("/me/calendar-feed", &[], MEMBER).await;
    is(&renewed, 201);
    let new_token = renewed.json["token"].as_str().unwrap().to_owned();
    assert_ne!(new_token, token);
    problem(&fetch(token).await, 404, "not_found");
    is(&fetch(new_token.clone()).await, 200);

    is(&api.delete("/me/calendar-feed", &[], MEMBER).await, 204);
    problem(&fetch(new_token).await, 404, "not_found");
}
