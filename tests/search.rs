//! Search through the services on the in-memory store with a tantivy index:
//! a word planted in a Restricted space is found by its members and by
//! nobody else, every change to content reaches the index, and a rebuilt
//! index answers the same.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use copkit_core::model::{
    Access, CommunityKind, ContentRef, JoinPolicy, PageRequest, SearchHit, SearchKind,
    SpaceVisibility, ThreadKind, Visibility,
};
use copkit_core::service::{
    ContentDecision, EventInput, Moderation, NewCommunity, NewDocument, NewInvitation, NewPost,
    NewSpace, NewThread, SearchQuery, ThreadChanges,
};
use copkit_core::{
    Actor, CommunityId, Config, Copkit, Error, ManualClock, MemoryStore, SequentialIds, SpaceId,
    UserId,
};
use copkit_search::TantivyIndex;

fn actor(name: &str) -> Actor {
    Actor::new(UserId::new(name).unwrap()).with_name(name.to_uppercase())
}

fn services(store: &MemoryStore, index: &TantivyIndex, clock: &Arc<ManualClock>) -> Copkit {
    Copkit::builder(Arc::new(store.clone()))
        .clock(clock.clone())
        .ids(Arc::new(SequentialIds::new()))
        .config(Config::with_cursor_key([7; 32]))
        .search(Arc::new(index.clone()))
        .text_extractor(Arc::new(copkit_search::FileText))
        .build()
        .unwrap()
}

struct Group {
    k: Copkit,
    store: MemoryStore,
    clock: Arc<ManualClock>,
    c: CommunityId,
    cases: SpaceId,
    leads: SpaceId,
    helen: Actor,
    tom: Actor,
    ann: Actor,
    gus: Actor,
    zoe: Actor,
}

async fn community(k: &Copkit, owner: &Actor, slug: &str, visibility: Visibility) -> CommunityId {
    k.create_community(
        owner,
        NewCommunity {
            slug: slug.into(),
            name: format!("Group {slug}"),
            purpose: "We learn from each other.".into(),
            kind: CommunityKind::TrainingGroup,
            access: Access::new(visibility, JoinPolicy::Approval),
            join_question: None,
        },
    )
    .await
    .unwrap()
    .card
    .id
}

async fn join(k: &Copkit, owner: &Actor, c: &CommunityId, who: &Actor) {
    let invite = k
        .create_invitation(owner, c, NewInvitation::link(1))
        .await
        .unwrap();
    k.accept_invitation(who, &invite.token).await.unwrap();
}

async fn space(
    k: &Copkit,
    owner: &Actor,
    c: &CommunityId,
    name: &str,
    v: SpaceVisibility,
) -> SpaceId {
    k.create_space(
        owner,
        c,
        NewSpace {
            name: name.into(),
            description: String::new(),
            visibility: v,
        },
    )
    .await
    .unwrap()
    .id
}

/// Helen owns a Private community with a members' space (Cases) and a
/// restricted one (Leads: Tom only). Ann is a plain member; Gus is a guest
/// of another restricted space; Zoe is an outsider.
async fn group() -> Group {
    let store = MemoryStore::new();
    let clock = Arc::new(ManualClock::new("2026-03-02T09:00:00Z".parse().unwrap()));
    let k = services(&store, &TantivyIndex::in_memory().unwrap(), &clock);
    let (helen, tom, ann, gus, zoe) = (
        actor("helen"),
        actor("tom"),
        actor("ann"),
        actor("gus"),
        actor("zoe"),
    );
    let c = community(&k, &helen, "notes", Visibility::Private).await;
    for who in [&tom, &ann, &gus] {
        join(&k, &helen, &c, who).await;
    }
    let cases = space(&k, &helen, &c, "Cases", SpaceVisibility::Members).await;
    let restricted = |users: Vec<UserId>| SpaceVisibility::Restricted {
        users,
        roles: vec![],
    };
    let leads = space(&k, &helen, &c, "Leads", restricted(vec![tom.user.clone()])).await;
    space(&k, &helen, &c, "Guests", restricted(vec![gus.user.clone()])).await;
    Group {
        k,
        store,
        clock,
        c,
        cases,
        leads,
        helen,
        tom,
        ann,
        gus,
        zoe,
    }
}

fn query(q: &str) -> SearchQuery {
    SearchQuery {
        q: q.into(),
        ..Default::default()
    }
}

async fn thread(
    g: &Group,
    who: &Actor,
    space: &SpaceId,
    title: &str,
    body: &str,
) -> copkit_core::model::Thread {
    g.k.start_thread(
        who,
        space,
        NewThread {
            kind: ThreadKind::Discussion,
            title: title.into(),
            body: body.into(),
            tags: vec![],
        },
    )
    .await
    .unwrap()
}

async fn hits(g: &Group, who: &Actor, q: &str) -> Result<Vec<SearchHit>, Error> {
    Ok(g.k
        .search(who, &g.c, &query(q), &PageRequest::of(50))
        .await?
        .items)
}

async fn kinds(g: &Group, who: &Actor, q: &str) -> Vec<SearchKind> {
    let mut kinds: Vec<SearchKind> = hits(g, who, q)
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.kind)
        .collect();
    kinds.sort();
    kinds
}

/// A thread, a reply, a document and an event in Leads carrying `word`.
async fn plant(g: &Group, word: &str) {
    let t = thread(
        g,
        &g.tom,
        &g.leads,
        "Succession",
        &format!("The {word} plan"),
    )
    .await;
    g.k.add_post(
        &g.tom,
        &t.id,
        NewPost {
            body: format!("More on the {word}."),
            parent: None,
        },
    )
    .await
    .unwrap();
    g.k.upload_document(
        &g.tom,
        &g.leads,
        NewDocument {
            title: format!("{word} notes"),
            description: String::new(),
            tags: vec![],
            content_type: "text/plain".into(),
            sha256: None,
            bytes: b"notes".to_vec(),
        },
    )
    .await
    .unwrap();
    g.k.schedule_event(
        &g.tom,
        &g.leads,
        EventInput {
            title: "Leads meeting".into(),
            description: format!("About the {word}."),
            location: None,
            online_url: None,
            time_zone: "Europe/London".into(),
            start_date: jiff::civil::date(2026, 4, 1),
            start_time: "12:00".into(),
            duration_minutes: 60,
            recurrence: None,
            capacity: None,
        },
    )
    .await
    .unwrap();
}

const ALL_KINDS: [SearchKind; 4] = [
    SearchKind::Thread,
    SearchKind::Post,
    SearchKind::Document,
    SearchKind::Event,
];

#[tokio::test]
async fn a_word_in_a_restricted_space_is_found_by_its_members_only() {
    let g = group().await;
    plant(&g, "zebrafinch").await;
    assert_eq!(kinds(&g, &g.tom, "zebrafinch").await, ALL_KINDS.to_vec());
    assert_eq!(
        kinds(&g, &g.helen, "zebrafinch").await,
        ALL_KINDS.to_vec(),
        "the owner"
    );
    for who in [&g.ann, &g.gus, &g.zoe] {
        assert!(
            hits(&g, who, "zebrafinch").await.unwrap().is_empty(),
            "{} found it",
            who.user
        );
        let mine =
            g.k.search_mine(who, &query("zebrafinch"), &PageRequest::of(50))
                .await
                .unwrap();
        assert!(mine.items.is_empty() && mine.next.is_none());
    }
    // Tom finds it across his communities too.
    let mine =
        g.k.search_mine(&g.tom, &query("zebrafinch"), &PageRequest::of(50))
            .await
            .unwrap();
    assert_eq!(mine.items.len(), 4);

    // Banned: nothing, in the community or across theirs.
    g.k.ban_member(&g.helen, &g.c, &g.tom.user, None, "Test")
        .await
        .unwrap();
    let banned = hits(&g, &g.tom, "zebrafinch").await;
    assert!(matches!(&banned, Ok(h) if h.is_empty()), "{banned:?}");
    let mine =
        g.k.search_mine(&g.tom, &query("zebrafinch"), &PageRequest::of(50))
            .await
            .unwrap();
    assert!(mine.items.is_empty());
}

#[tokio::test]
async fn a_secret_community_is_not_found_by_outsiders() {
    let g = group().await;
    let secret = community(&g.k, &g.helen, "hidden", Visibility::Secret).await;
    let s = space(&g.k, &g.helen, &secret, "Inner", SpaceVisibility::Members).await;
    thread(&g, &g.helen, &s, "Inner", "Planted quetzal word").await;
    let found =
        g.k.search(&g.helen, &secret, &query("quetzal"), &PageRequest::of(10))
            .await
            .unwrap();
    assert_eq!(found.items.len(), 1);
    for who in [&g.zoe, &g.tom] {
        let answer =
            g.k.search(who, &secret, &query("quetzal"), &PageRequest::of(10))
                .await;
        assert!(matches!(answer, Err(Error::NotFound)), "{answer:?}");
    }
}

#[tokio::test]
async fn an_erased_person_finds_nothing_and_is_named_by_nothing() {
    let g = group().await;
    let t = thread(&g, &g.ann, &g.cases, "Rota", "The wombat rota").await;
    g.k.add_post(
        &g.ann,
        &t.id,
        NewPost {
            body: "Wombat swaps welcome.".into(),
            parent: None,
        },
    )
    .await
    .unwrap();
    let by_ann = SearchQuery {
        q: "wombat".into(),
        author: Some(g.ann.user.clone()),
        ..Default::default()
    };
    let found =
        g.k.search(&g.tom, &g.c, &by_ann, &PageRequest::of(10))
            .await
            .unwrap();
    assert_eq!(found.items.len(), 2);

    g.k.erase_my_account(&g.ann).await.unwrap();
    // The erased person searches nothing: not the community, not theirs.
    let theirs = hits(&g, &g.ann, "wombat").await;
    assert!(matches!(&theirs, Ok(h) if h.is_empty()), "{theirs:?}");
    let mine =
        g.k.search_mine(&g.ann, &query("wombat"), &PageRequest::of(10))
            .await
            .unwrap();
    assert!(mine.items.is_empty());
    // Their words stay (the community keeps its discussions), by nobody.
    let found = hits(&g, &g.tom, "wombat").await.unwrap();
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|h| h.author != g.ann.user), "{found:?}");
    let found =
        g.k.search(&g.tom, &g.c, &by_ann, &PageRequest::of(10))
            .await
            .unwrap();
    assert!(
        found.items.is_empty(),
        "the author filter still finds the erased person"
    );
}

#[tokio::test]
async fn a_person_who_left_finds_nothing_more() {
    let g = group().await;
    thread(&g, &g.helen, &g.cases, "Rota", "The okapi rota").await;
    assert_eq!(hits(&g, &g.ann, "okapi").await.unwrap().len(), 1);
    g.k.leave(&g.ann, &g.c).await.unwrap();
    assert!(hits(&g, &g.ann, "okapi").await.unwrap().is_empty());
    let mine =
        g.k.search_mine(&g.ann, &query("okapi"), &PageRequest::of(10))
            .await
            .unwrap();
    assert!(mine.items.is_empty());
}

#[tokio::test]
async fn edits_deletions_moderation_and_archiving_reach_the_index() {
    let g = group().await;
    let t = thread(
        &g,
        &g.ann,
        &g.cases,
        "Handover",
        "Use the pangolin checklist",
    )
    .await;
    let post =
        g.k.add_post(
            &g.tom,
            &t.id,
            NewPost {
                body: "The axolotl form helps.".into(),
                parent: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        kinds(&g, &g.ann, "pangolin").await,
        vec![SearchKind::Thread]
    );
    assert_eq!(kinds(&g, &g.ann, "axolotl").await, vec![SearchKind::Post]);
    let reply = &hits(&g, &g.ann, "axolotl").await.unwrap()[0];
    assert_eq!(
        (reply.title.as_str(), reply.thread),
        ("Handover", Some(t.id)),
        "a reply shows its thread's title"
    );

    let edited =
        g.k.edit_thread(
            &g.ann,
            &t.id,
            ThreadChanges {
                body: Some("Use the wombat checklist".into()),
                ..Default::default()
            },
            t.version,
        )
        .await
        .unwrap();
    assert!(
        hits(&g, &g.ann, "pangolin").await.unwrap().is_empty(),
        "edited away"
    );
    assert_eq!(hits(&g, &g.ann, "wombat").await.unwrap().len(), 1);

    g.k.moderate(
        &g.helen,
        &g.c,
        Moderation {
            target: ContentRef::Post { post: post.id },
            decision: ContentDecision::Hide,
            reason: "Off topic".into(),
            report: None,
        },
    )
    .await
    .unwrap();
    assert!(
        hits(&g, &g.ann, "axolotl").await.unwrap().is_empty(),
        "hidden"
    );
    assert!(
        hits(&g, &g.helen, "axolotl").await.unwrap().is_empty(),
        "hidden from moderators' search too"
    );

    let leads_thread = thread(&g, &g.tom, &g.cases, "Second", "The ibis pathway").await;
    g.k.add_post(
        &g.ann,
        &leads_thread.id,
        NewPost {
            body: "An ibis reply.".into(),
            parent: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(hits(&g, &g.ann, "ibis").await.unwrap().len(), 2);
    g.k.delete_thread(&g.tom, &leads_thread.id).await.unwrap();
    assert!(
        hits(&g, &g.ann, "ibis").await.unwrap().is_empty(),
        "deleted, with its replies"
    );

    let cases = g.k.get_space(&g.helen, &g.cases).await.unwrap();
    let archived =
        g.k.set_space_archived(&g.helen, &g.cases, true, cases.version)
            .await
            .unwrap();
    assert!(
        hits(&g, &g.ann, "wombat").await.unwrap().is_empty(),
        "archived"
    );
    // An index rebuilt while the space is archived has it back when it is
    // unarchived.
    let rebuilt = TantivyIndex::in_memory().unwrap();
    let k2 = services(&g.store, &rebuilt, &g.clock);
    k2.reindex(&[g.c]).await.unwrap();
    k2.set_space_archived(&g.helen, &g.cases, false, archived.version)
        .await
        .unwrap();
    let back = k2
        .search(&g.ann, &g.c, &query("wombat"), &PageRequest::of(10))
        .await
        .unwrap();
    assert_eq!(back.items.len(), 1, "back with its space");
    let _ = edited;
}

#[tokio::test]
async fn pages_follow_their_cursor_and_a_rebuilt_index_answers_the_same() {
    let g = group().await;
    for i in 0..23 {
        thread(
            &g,
            &g.helen,
            &g.cases,
            &format!("Note {i}"),
            "A capybara sighting",
        )
        .await;
        g.clock.advance(jiff::SignedDuration::from_mins(1));
    }
    let mut seen = Vec::new();
    let mut page = PageRequest::of(10);
    let mut sizes = Vec::new();
    loop {
        let p =
            g.k.search(&g.ann, &g.c, &query("capybara"), &page)
                .await
                .unwrap();
        sizes.push(p.items.len());
        seen.extend(p.items.into_iter().map(|h| h.id));
        match p.next {
            Some(cursor) => page = PageRequest::after(cursor, 10),
            None => break,
        }
    }
    assert_eq!(sizes, vec![10, 10, 3]);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 23);

    // A cursor belongs to its query and its caller's scope.
    let first =
        g.k.search(&g.ann, &g.c, &query("capybara"), &PageRequest::of(10))
            .await
            .unwrap();
    let cursor = first.next.unwrap();
    let other =
        g.k.search(
            &g.ann,
            &g.c,
            &query("sighting"),
            &PageRequest::after(cursor.clone(), 10),
        )
        .await;
    assert!(matches!(other, Err(Error::InvalidCursor)), "{other:?}");

    // Bad input is refused.
    let blank =
        g.k.search(&g.ann, &g.c, &query("  "), &PageRequest::of(10))
            .await;
    assert!(matches!(blank, Err(Error::Invalid(_))));

    // A new index rebuilt from the store answers the same.
    let rebuilt = TantivyIndex::in_memory().unwrap();
    let k2 = services(&g.store, &rebuilt, &g.clock);
    let report = k2.reindex(&[g.c]).await.unwrap();
    assert_eq!((report.communities, report.entries), (1, 23));
    let again = k2
        .search(&g.ann, &g.c, &query("capybara"), &PageRequest::of(50))
        .await
        .unwrap();
    let mut ids: Vec<String> = again.items.into_iter().map(|h| h.id).collect();
    ids.sort();
    assert_eq!(ids, unique);
}

#[tokio::test]
async fn the_words_inside_a_pdf_are_found_by_those_who_may_see_it() {
    let g = group().await;
    let pdf = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/capybara.pdf"
    ))
    .unwrap();
    let doc =
        g.k.upload_document(
            &g.tom,
            &g.leads,
            NewDocument {
                title: "Trainer pack".into(),
                description: "For the leads".into(),
                tags: vec![],
                content_type: "application/pdf".into(),
                sha256: None,
                bytes: pdf,
            },
        )
        .await
        .unwrap();
    let found = hits(&g, &g.tom, "capybara").await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].kind, found[0].id.as_str()),
        (SearchKind::Document, doc.id.to_string().as_str())
    );
    // Words of the title and description still count.
    assert_eq!(hits(&g, &g.tom, "trainer pack").await.unwrap().len(), 1);
    for who in [&g.ann, &g.gus, &g.zoe] {
        assert!(
            hits(&g, who, "capybara")
                .await
                .map(|h| h.is_empty())
                .unwrap_or(true),
            "{} found the PDF's words",
            who.user
        );
    }

    // A new version without the word: the old text is never found again.
    g.k.add_document_version(
        &g.tom,
        &doc.id,
        copkit_core::service::NewVersion {
            content_type: "text/plain".into(),
            sha256: None,
            bytes: b"Rota swaps only".to_vec(),
            note: "Replaced".into(),
        },
        doc.version,
    )
    .await
    .unwrap();
    assert!(hits(&g, &g.tom, "capybara").await.unwrap().is_empty());
    assert_eq!(hits(&g, &g.tom, "swaps").await.unwrap().len(), 1);

    // A rebuilt index reads the files again.
    let k2 = Copkit::builder(Arc::new(g.store.clone()))
        .clock(g.clock.clone())
        .blobs(g.k.blobs().clone())
        .config(Config::with_cursor_key([7; 32]))
        .search(Arc::new(TantivyIndex::in_memory().unwrap()))
        .text_extractor(Arc::new(copkit_search::FileText))
        .build()
        .unwrap();
    k2.reindex_community(&g.c).await.unwrap();
    let found = k2
        .search(&g.tom, &g.c, &query("swaps"), &PageRequest::of(10))
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1);
}
