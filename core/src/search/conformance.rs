//! Checks every [`SearchIndex`] passes, run by
//! [`search_conformance_suite!`](crate::search_conformance_suite) on each
//! implementation. Each check uses communities and spaces of its own, so
//! one index may serve them all.

// A test suite: a panic is how a failed check reports itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use jiff::{SignedDuration, Timestamp};

use super::{IndexChange, SearchEntry, SearchIndex, SearchRequest, SearchScope};
use crate::clock::{IdSource, RandomIds};
use crate::ids::{CommunityId, SpaceId, ThreadId, UserId};
use crate::model::{SearchHit, SearchKind};

/// `search_conformance_suite!(expr)` evaluates `expr` (which may `.await`)
/// once per check to get an index; `search_conformance_suite!(ignore =
/// "why", expr)` marks each check ignored (for services started by the test
/// command).
#[macro_export]
macro_rules! search_conformance_suite {
    (ignore = $reason:literal, $make:expr) => {
        $crate::search_conformance_suite!(@with [#[ignore = $reason]] $make);
    };
    ($make:expr) => {
        $crate::search_conformance_suite!(@with [] $make);
    };
    (@with $attrs:tt $make:expr) => {
        $crate::__search_checks!($attrs $make;
            words_are_stemmed_and_phrases_exact,
            the_last_word_matches_titles_by_prefix,
            only_the_scoped_spaces_are_searched,
            filters_narrow_by_kind_tag_author_and_date,
            newer_ranks_higher_among_equals,
            put_replaces_and_removed_text_is_never_found_again,
            pages_are_full_and_disjoint,
            snippets_mark_the_match,
            any_text_is_searched_never_refused,
        );
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __search_checks {
    ($attrs:tt $make:expr; $($name:ident),* $(,)?) => {
        $(
            $crate::__search_check!($attrs $make; $name);
        )*
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __search_check {
    ([$($attrs:tt)*] $make:expr; $name:ident) => {
        #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $($attrs)*
        async fn $name() {
            let index = $make;
            $crate::search::conformance::$name(&index).await;
        }
    };
}

fn t0() -> Timestamp {
    Timestamp::from_second(1_767_225_600).unwrap() // 2026-01-01T00:00:00Z
}

fn ulid() -> ulid::Ulid {
    RandomIds.ulid(t0())
}

/// A community with two spaces, for one check.
struct Place {
    community: CommunityId,
    space: SpaceId,
    other_space: SpaceId,
    author: UserId,
}

fn place() -> Place {
    Place {
        community: CommunityId(ulid()),
        space: SpaceId(ulid()),
        other_space: SpaceId(ulid()),
        author: UserId::new(format!("author-{}", ulid())).unwrap(),
    }
}

fn entry(p: &Place, kind: SearchKind, title: &str, body: &str, days_old: i64) -> SearchEntry {
    let id = ulid();
    SearchEntry {
        kind,
        id: id.to_string(),
        community: p.community,
        space: p.space,
        thread: matches!(kind, SearchKind::Thread | SearchKind::Post).then_some(ThreadId(id)),
        title: title.into(),
        body: body.into(),
        tags: Vec::new(),
        author: p.author.clone(),
        at: t0() - SignedDuration::from_hours(24 * days_old),
    }
}

fn request(p: &Place, text: &str) -> SearchRequest {
    SearchRequest {
        text: text.into(),
        scopes: vec![SearchScope {
            community: p.community,
            spaces: vec![p.space, p.other_space],
        }],
        kinds: Vec::new(),
        tag: None,
        author: None,
        since: None,
        before: None,
        now: t0(),
        offset: 0,
        limit: 50,
    }
}

async fn put<S: SearchIndex + ?Sized>(index: &S, p: &Place, entries: &[&SearchEntry]) {
    index
        .apply(
            &p.community,
            entries
                .iter()
                .map(|e| IndexChange::Put((*e).clone()))
                .collect(),
        )
        .await
        .unwrap();
}

async fn found<S: SearchIndex + ?Sized>(index: &S, request: &SearchRequest) -> Vec<String> {
    index
        .search(request)
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

fn ids(entries: &[&SearchEntry]) -> Vec<String> {
    sorted(entries.iter().map(|e| e.id.clone()).collect())
}

pub async fn words_are_stemmed_and_phrases_exact<S: SearchIndex + ?Sized>(index: &S) {
    let p = place();
    let toolkit = entry(
        &p,
        SearchKind::Thread,
        "The new appraisal toolkit",
        "Has anyone tried the new appraisal toolkit for revalidation?",
        1,
    );
    let appraisals = entry(
        &p,
        SearchKind::Post,
        "Reflections",
        "Appraisals were new to me; the toolkit came later.",
        1,
    );
    let unrelated = entry(&p, SearchKind::Event, "Teaching", "Dermatology cases", 1);
    put(index, &p, &[&toolkit, &appraisals, &unrelated]).await;

    assert_eq!(
        sorted(found(index, &request(&p, "appraisal")).await),
        ids(&[&toolkit, &appraisals]),
        "a plural is found by its singular"
    );
    assert_eq!(
        sorted(found(index, &request(&p, "APPRAISALS Toolkits")).await),
        ids(&[&toolkit, &appraisals]),
        "case and plural do not matter; every word must be there"
    );
    assert_eq!(
        found(index, &request(&p, "\"new appraisal toolkit\"")).await,
        vec![toolkit.id.clone()],
        "a phrase matches its words in order only"
    );
    assert!(found(index, &request(&p, "cardiology")).await.is_empty());
}

pub async fn the_last_word_matches_titles_by_prefix<S: SearchIndex + ?Sized>(index: &S) {
    let p = place();
    let titled = entry(
        &p,
        SearchKind::Document,
        "Safeguarding flowchart",
        "One page.",
        1,
    );
    let in_body = entry(
        &p,
        SearchKind::Post,
        "Other",
        "Safeguarding matters in every consultation.",
        1,
    );
    put(index, &p, &[&titled, &in_body]).await;
    assert_eq!(
        found(index, &request(&p, "safeg")).await,
        vec![titled.id.clone()],
        "a title is found as its word is typed; a body only by whole words"
    );
    assert_eq!(
        found(index, &request(&p, "one flowch")).await,
        vec![titled.id.clone()]
    );
    assert_eq!(
        sorted(found(index, &request(&p, "safeguarding")).await),
        ids(&[&titled, &in_body])
    );
}

pub async fn only_the_scoped_spaces_are_searched<S: SearchIndex + ?Sized>(index: &S) {
    let p = place();
    let open = entry(&p, SearchKind::Thread, "Rota", "Planted zebra word", 1);
    let restricted = SearchEntry {
        space: p.other_space,
        ..entry(&p, SearchKind::Thread, "Leads", "Planted zebra word", 1)
    };
    let elsewhere = place();
    let other_community = entry(&elsewhere, SearchKind::Thread, "Rota", "Planted zebra", 1);
    put(index, &p, &[&open, &restricted]).await;
    put(index, &elsewhere, &[&other_community]).await;

    assert_eq!(
        sorted(found(index, &request(&p, "zebra")).await),
        ids(&[&open, &restricted])
    );
    let mut only_open = request(&p, "zebra");
    only_open.scopes[0].spaces = vec![p.space];
    assert_eq!(found(index, &only_open).await, vec![open.id.clone()]);
    // The text cannot widen the scope, whatever it names.
    for text in [
        format!("zebra OR space:{}", p.other_space),
        format!("space:{}", p.other_space),
        format!("community:{} zebra", elsewhere.community),
        "zebra OR *".to_string(),
    ] {
        let mut q = only_open.clone();
        q.text = text.clone();
        let hits = found(index, &q).await;
        assert!(
            hits.iter().all(|id| *id == open.id),
            "{text:?} found {hits:?}"
        );
    }
    let mut nowhere = request(&p, "zebra");
    nowhere.scopes[0].spaces.clear();
    assert!(
        found(index, &nowhere).await.is_empty(),
        "no spaces, no results"
    );
    let mut no_scope = request(&p, "zebra");
    no_scope.scopes.clear();
    assert!(found(index, &no_scope).await.is_empty());
    // Two communities at once (a person's search across theirs).
    let mut both = request(&p, "zebra");
    both.scopes.push(SearchScope {
        community: elsewhere.community,
        spaces: vec![elsewhere.space],
    });
    assert_eq!(
        sorted(found(index, &both).await),
        ids(&[&open, &restricted, &other_community])
    );
    // A space id given under the wrong community finds nothing there.
    let mut crossed = request(&p, "zebra");
    crossed.scopes[0].spaces = vec![elsewhere.space];
    assert!(found(index, &crossed).await.is_empty());
}

pub async fn filters_narrow_by_kind_tag_author_and_date<S: SearchIndex + ?Sized>(index: &S) {
    let p = place();
    let thread = SearchEntry {
        tags: vec!["audit".into()],
        ..entry(&p, SearchKind::Thread, "Audit", "Prescribing audit", 10)
    };
    let document = SearchEntry {
        tags: vec!["audit".into(), "template".into()],
        ..entry(
            &p,
            SearchKind::Document,
            "Template",
            "Prescribing audit form",
            3,
        )
    };
    let other_author = UserId::new(format!("other-{}", ulid())).unwrap();
    let event = SearchEntry {
        author: other_author.clone(),
        ..entry(
            &p,
            SearchKind::Event,
            "Meeting",
            "Prescribing audit review",
            1,
        )
    };
    put(index, &p, &[&thread, &document, &event]).await;
    let q = request(&p, "prescribing");
    assert_eq!(
        sorted(found(index, &q).await),
        ids(&[&thread, &document, &event])
    );
    let kinds = SearchRequest {
        kinds: vec![SearchKind::Thread, SearchKind::Event],
        ..q.clone()
    };
    assert_eq!(sorted(found(index, &kinds).await), ids(&[&thread, &event]));
    let tagged = SearchRequest {
        tag: Some("template".into()),
        ..q.clone()
    };
    assert_eq!(found(index, &tagged).await, vec![document.id.clone()]);
    let by = SearchRequest {
        author: Some(other_author),
        ..q.clone()
    };
    assert_eq!(found(index, &by).await, vec![event.id.clone()]);
    let recent = SearchRequest {
        since: Some(t0() - SignedDuration::from_hours(24 * 5)),
        ..q.clone()
    };
    assert_eq!(
        sorted(found(index, &recent).await),
        ids(&[&document, &event])
    );
    let window = SearchRequest {
        since: Some(t0() - SignedDuration::from_hours(24 * 5)),
        before: Some(event.at),
        ..q.clone()
    };
    assert_eq!(
        found(index, &window).await,
        vec![document.id.clone()],
        "since is inclusive, before exclusive"
    );
}

pub async fn newer_ranks_higher_among_equals<S: SearchIndex + ?Sized>(index: &S) {
    let p = place();
    let old = entry(&p, SearchKind::Thread, "Asthma plans", "Asthma plans", 400);
    let new = entry(&p, SearchKind::Thread, "Asthma plans", "Asthma plans", 2);
    let middle = entry(&p, SearchKind::Thread, "Asthma plans", "Asthma plans", 60);
    put(index, &p, &[&old, &new, &middle]).await;
    assert_eq!(
        found(index, &request(&p, "asthma")).await,
        vec![new.id.clone(), middle.id.clone(), old.id.clone()]
    );
    // Relevance still counts: a much better match outranks a newer one.
    let strong = entry(
        &p,
        SearchKind::Thread,
        "Inhaler technique",
        "Inhaler technique: inhaler spacers, inhaler checks, inhaler reviews",
        90,
    );
    let weak = entry(
        &p,
        SearchKind::Post,
        "Clinic notes",
        "A long note about many things in clinic today, one of which was an inhaler, \
         and then the rota, the coffee machine, parking, the weather and the audit.",
        1,
    );
    put(index, &p, &[&strong, &weak]).await;
    assert_eq!(
        found(index, &request(&p, "inhaler")).await,
        vec![strong.id.clone(), weak.id.clone()]
    );
}

pub async fn put_replaces_and_removed_text_is_never_found_again<S: SearchIndex + ?Sized>(
    index: &S,
) {
    let p = place();
    let post = entry(
        &p,
        SearchKind::Post,
        "Handover",
        "Use the quokka checklist",
        1,
    );
    let doc = SearchEntry {
        space: p.other_space,
        ..entry(&p, SearchKind::Document, "Quokka leaflet", "Patients", 1)
    };
    let event = entry(&p, SearchKind::Event, "Quokka evening", "Talk", 1);
    put(index, &p, &[&post, &doc, &event]).await;
    assert_eq!(found(index, &request(&p, "quokka")).await.len(), 3);

    // An edit replaces the words; applying it twice changes nothing more.
    let edited = SearchEntry {
        body: "Use the wombat checklist".into(),
        ..post.clone()
    };
    for _ in 0..2 {
        put(index, &p, &[&edited]).await;
    }
    assert_eq!(
        sorted(found(index, &request(&p, "quokka")).await),
        ids(&[&doc, &event])
    );
    assert_eq!(
        found(index, &request(&p, "wombat")).await,
        vec![post.id.clone()]
    );

    let remove = IndexChange::Remove {
        kind: SearchKind::Event,
        id: event.id.clone(),
    };
    index
        .apply(&p.community, vec![remove.clone()])
        .await
        .unwrap();
    index.apply(&p.community, vec![remove]).await.unwrap();
    assert_eq!(
        found(index, &request(&p, "quokka")).await,
        vec![doc.id.clone()]
    );

    // A removal names its kind: a post with the same id as an event stays.
    index
        .apply(
            &p.community,
            vec![IndexChange::Remove {
                kind: SearchKind::Thread,
                id: post.id.clone(),
            }],
        )
        .await
        .unwrap();
    assert_eq!(
        found(index, &request(&p, "wombat")).await,
        vec![post.id.clone()]
    );

    index
        .apply(&p.community, vec![IndexChange::RemoveSpace(p.other_space)])
        .await
        .unwrap();
    assert!(found(index, &request(&p, "quokka")).await.is_empty());
    assert_eq!(found(index, &request(&p, "wombat")).await.len(), 1);

    // A deleted thread takes its replies; another thread's stay.
    let thread = entry(&p, SearchKind::Thread, "Sloth thread", "Sloth", 1);
    let reply = SearchEntry {
        thread: thread.thread,
        title: String::new(),
        ..entry(&p, SearchKind::Post, "", "Sloth reply", 1)
    };
    let elsewhere = entry(&p, SearchKind::Post, "", "Sloth elsewhere", 1);
    put(index, &p, &[&thread, &reply, &elsewhere]).await;
    assert_eq!(found(index, &request(&p, "sloth")).await.len(), 3);
    index
        .apply(
            &p.community,
            vec![IndexChange::RemoveThread(thread.thread.unwrap())],
        )
        .await
        .unwrap();
    assert_eq!(
        found(index, &request(&p, "sloth")).await,
        vec![elsewhere.id.clone()]
    );

    // Changes apply in order: put then remove leaves nothing.
    let fleeting = entry(&p, SearchKind::Post, "Gone", "Ephemeral narwhal", 1);
    index
        .apply(
            &p.community,
            vec![
                IndexChange::Put(fleeting.clone()),
                IndexChange::Remove {
                    kind: SearchKind::Post,
                    id: fleeting.id.clone(),
                },
            ],
        )
        .await
        .unwrap();
    assert!(found(index, &request(&p, "narwhal")).await.is_empty());

    index.clear(&p.community).await.unwrap();
    assert!(found(index, &request(&p, "wombat")).await.is_empty());
}

pub async fn pages_are_full_and_disjoint<S: SearchIndex + ?Sized>(index: &S) {
    let p = place();
    let entries: Vec<SearchEntry> = (0..23)
        .map(|i| {
            entry(
                &p,
                SearchKind::Post,
                &format!("Note {i}"),
                "Capybara sighting",
                i,
            )
        })
        .collect();
    put(index, &p, &entries.iter().collect::<Vec<_>>()).await;
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    for offset in [0, 10, 20] {
        let page = index
            .search(&SearchRequest {
                offset,
                limit: 10,
                ..request(&p, "capybara")
            })
            .await
            .unwrap();
        sizes.push((page.hits.len(), page.more));
        seen.extend(page.hits.into_iter().map(|h| h.id));
    }
    assert_eq!(sizes, vec![(10, true), (10, true), (3, false)]);
    assert_eq!(
        sorted(seen.clone()),
        sorted(entries.iter().map(|e| e.id.clone()).collect())
    );
    assert_eq!(
        seen,
        entries.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
        "equal matches, newest first"
    );
    let beyond = index
        .search(&SearchRequest {
            offset: 30,
            limit: 10,
            ..request(&p, "capybara")
        })
        .await
        .unwrap();
    assert!(beyond.hits.is_empty() && !beyond.more);
}

fn marked(hit: &SearchHit) -> Vec<String> {
    hit.snippet
        .iter()
        .filter(|part| part.highlighted)
        .map(|part| part.text.to_lowercase())
        .collect()
}

pub async fn snippets_mark_the_match<S: SearchIndex + ?Sized>(index: &S) {
    let p = place();
    let long_body = format!(
        "{} The sepsis pathway changed in March. {}",
        "Intro words here. ".repeat(40),
        "Closing words. ".repeat(40)
    );
    let post = entry(&p, SearchKind::Post, "Pathways", &long_body, 1);
    let titled = entry(
        &p,
        SearchKind::Document,
        "Sepsis poster",
        "A poster for the waiting room <b>bold</b> & more.",
        1,
    );
    put(index, &p, &[&post, &titled]).await;
    let hits = index.search(&request(&p, "sepsis")).await.unwrap().hits;
    let hit = hits.iter().find(|h| h.id == post.id).unwrap();
    assert_eq!(marked(hit), vec!["sepsis"]);
    let text: String = hit.snippet.iter().map(|part| part.text.as_str()).collect();
    assert!(text.contains("pathway changed"), "{text}");
    assert!(text.chars().count() <= super::SNIPPET_MAX_CHARS, "{text}");
    assert_eq!(
        (
            hit.kind,
            hit.title.as_str(),
            hit.community,
            hit.space,
            hit.at
        ),
        (post.kind, "Pathways", p.community, p.space, post.at)
    );
    assert_eq!(hit.author, p.author);
    assert_eq!(hit.thread, post.thread);
    // Matched in the title only: the snippet is the start of the text,
    // unescaped and unmarked.
    let doc = hits.iter().find(|h| h.id == titled.id).unwrap();
    let text: String = doc.snippet.iter().map(|part| part.text.as_str()).collect();
    assert!(marked(doc).is_empty(), "{:?}", doc.snippet);
    assert_eq!(text, "A poster for the waiting room <b>bold</b> & more.");
}

pub async fn any_text_is_searched_never_refused<S: SearchIndex + ?Sized>(index: &S) {
    let p = place();
    let e = entry(
        &p,
        SearchKind::Thread,
        "C++ & R: \"stats\"",
        "Über naïve café",
        1,
    );
    put(index, &p, &[&e]).await;
    for text in [
        "\"unbalanced",
        "AND OR NOT",
        "(((",
        "title:",
        "*",
        "-",
        "c++",
        "?~^:{}[]\\/!",
        "",
        "   ",
        "ünïcödé 🩺",
    ] {
        let result = index.search(&request(&p, text)).await;
        assert!(result.is_ok(), "{text:?}: {result:?}");
    }
    assert!(
        found(index, &request(&p, "")).await.is_empty(),
        "no words, no results"
    );
    for text in ["café", "cafe", "CAFÉ", "uber naive"] {
        assert_eq!(
            found(index, &request(&p, text)).await,
            vec![e.id.clone()],
            "accents do not matter: {text:?}"
        );
    }
    assert_eq!(
        found(index, &request(&p, "stats")).await,
        vec![e.id.clone()]
    );
}
