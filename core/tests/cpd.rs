//! CPD evidence: a member's own events (with minutes), contributions and
//! value stories in a period, as data and as CSV with the documented
//! columns; nothing of anyone else's, nothing outside the period.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{World, actor, new_space};
use copkit_core::model::{JoinPolicy, SpaceVisibility, ThreadKind, ValueKind, Visibility};
use copkit_core::service::{
    CPD_CSV_COLUMNS, CpdKind, EventInput, NewPost, NewThread, NewValueStory,
};
use jiff::civil::date;

#[tokio::test]
async fn a_members_cpd_evidence_covers_their_own_period() {
    let w = World::new(); // Monday 2 March 2026, 09:00 UTC
    let k = &w.copkit;
    let helen = actor("helen");
    let tom = actor("tom");
    let mia = actor("mia");
    let c = w
        .community(&helen, "st3", Visibility::Private, JoinPolicy::InviteOnly)
        .await;
    w.add_member(&helen, &c, &tom).await;
    w.add_member(&helen, &c, &mia).await;
    let space = k
        .create_space(&helen, &c, new_space("Cases", SpaceVisibility::Members))
        .await
        .unwrap()
        .id;

    // Before the period: a thread on 2 March.
    k.start_thread(
        &tom,
        &space,
        NewThread {
            kind: ThreadKind::Discussion,
            title: "Old thread".into(),
            body: String::new(),
            tags: vec![],
        },
    )
    .await
    .unwrap();

    // In the period (from 3 March): a question, a reply, an event attended
    // and a value story with a comma, quotes and a line break in it.
    w.advance_days(1);
    let q = k
        .start_thread(
            &tom,
            &space,
            NewThread {
                kind: ThreadKind::Question,
                title: "Febrile infant".into(),
                body: String::new(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    k.add_post(
        &tom,
        &q.id,
        NewPost {
            body: "Local guidance?".into(),
            parent: None,
        },
    )
    .await
    .unwrap();
    k.add_post(
        &mia,
        &q.id,
        NewPost {
            body: "Mia's reply is not Tom's evidence".into(),
            parent: None,
        },
    )
    .await
    .unwrap();
    let event = k
        .schedule_event(
            &helen,
            &space,
            EventInput {
                title: "ST3 teaching, cardiology".into(),
                description: String::new(),
                location: None,
                online_url: None,
                time_zone: "Europe/London".into(),
                start_date: date(2026, 3, 3),
                start_time: "08:00".into(),
                duration_minutes: 90,
                recurrence: None,
                capacity: None,
            },
        )
        .await
        .unwrap();
    k.record_attendance(&helen, &event.id, "2026-03-03T08:00:00", &tom.user, true)
        .await
        .unwrap();
    k.record_attendance(&helen, &event.id, "2026-03-03T08:00:00", &mia.user, true)
        .await
        .unwrap();
    let reflection = "We audit lithium, monthly.\nIt \"works\".";
    k.tell_value_story(
        &tom,
        &c,
        NewValueStory {
            kind: ValueKind::Applied,
            title: "Lithium recall".into(),
            story: reflection.into(),
            thread: Some(q.id),
        },
    )
    .await
    .unwrap();

    let evidence = k
        .cpd_evidence(&tom, date(2026, 3, 3), date(2026, 3, 31))
        .await
        .unwrap();
    let lines: Vec<(CpdKind, &str, u32)> = evidence
        .entries
        .iter()
        .map(|e| (e.kind, e.activity.as_str(), e.minutes))
        .collect();
    assert_eq!(
        lines,
        vec![
            (CpdKind::Event, "ST3 teaching, cardiology", 90),
            (CpdKind::Contribution, "asked a question", 0),
            (CpdKind::Contribution, "posted", 0),
            (CpdKind::ValueStory, "Applied value: Lithium recall", 0),
        ],
        "{:#?}",
        evidence.entries
    );
    assert!(
        evidence
            .entries
            .iter()
            .all(|e| e.community_name == "Group st3")
    );
    assert_eq!(
        (
            evidence.event_minutes,
            evidence.contributions,
            evidence.value_stories
        ),
        (90, 2, 1)
    );

    // The CSV has the documented columns and round-trips every field.
    let csv_text = evidence.to_csv().unwrap();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, CPD_CSV_COLUMNS.to_vec());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(&rows[0][0], "2026-03-03");
    assert_eq!(&rows[0][1], "event");
    assert_eq!(&rows[0][3], "ST3 teaching, cardiology");
    assert_eq!((&rows[0][4], &rows[0][5]), ("90", "1.50"));
    assert_eq!(&rows[3][1], "value_story");
    assert_eq!(&rows[3][6], reflection);

    // A period before any of it is empty; Mia's evidence is hers.
    let empty = k
        .cpd_evidence(&tom, date(2025, 1, 1), date(2025, 12, 31))
        .await
        .unwrap();
    assert!(empty.entries.is_empty());
    let mias = k
        .cpd_evidence(&mia, date(2026, 3, 1), date(2026, 3, 31))
        .await
        .unwrap();
    assert_eq!(
        mias.entries.iter().map(|e| e.kind).collect::<Vec<_>>(),
        vec![CpdKind::Event, CpdKind::Contribution]
    );
    // A whole leap year is the longest period.
    let year = k
        .cpd_evidence(&tom, date(2024, 1, 1), date(2024, 12, 31))
        .await
        .unwrap();
    assert_eq!(year.from, date(2024, 1, 1));
}

#[tokio::test]
async fn bad_periods_are_field_errors_never_a_silent_cut_or_a_crash() {
    let w = World::new();
    let tom = actor("tom");
    let cases = [
        // The day after the last representable one used to fail inside.
        (date(2026, 1, 1), date(9999, 12, 31), vec!["to"]),
        (date(1900, 1, 1), date(2026, 1, 1), vec!["from"]),
        // Reversed.
        (date(2026, 3, 31), date(2026, 3, 1), vec!["from"]),
        // Longer than 366 days: said, not shortened.
        (date(2020, 1, 1), date(2026, 3, 31), vec!["from"]),
    ];
    for (from, to, fields) in cases {
        let err = w.copkit.cpd_evidence(&tom, from, to).await.err();
        match err {
            Some(copkit_core::Error::Invalid(errors)) => {
                let got: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(got, fields, "{from}..{to}");
            }
            other => panic!("{from}..{to}: {other:?}"),
        }
    }
    let too_long = w
        .copkit
        .cpd_evidence(&tom, date(2020, 1, 1), date(2026, 3, 31))
        .await
        .err()
        .unwrap();
    assert!(too_long.to_string().contains("366"), "{too_long}");
}

#[test]
fn csv_cells_never_start_a_formula() {
    use copkit_core::service::{CpdEntry, CpdEvidence};
    let entry = |text: &str| CpdEntry {
        date: date(2026, 3, 3),
        kind: CpdKind::ValueStory,
        community: copkit_core::CommunityId(ulid::Ulid::nil()),
        community_name: text.into(),
        activity: text.into(),
        minutes: 0,
        reflection: text.into(),
        reference: text.into(),
    };
    let dangerous = [
        "=HYPERLINK(\"http://x\")",
        "+1+2",
        "-2+3",
        "@SUM(A1)",
        "\tx",
        "\rx",
    ];
    let evidence = CpdEvidence {
        user: copkit_core::UserId::new("tom").unwrap(),
        from: date(2026, 3, 1),
        to: date(2026, 3, 31),
        entries: dangerous.iter().map(|d| entry(d)).collect(),
        event_minutes: 0,
        contributions: 0,
        value_stories: 0,
    };
    let csv = evidence.to_csv().unwrap();
    let mut reader = ::csv::Reader::from_reader(csv.as_bytes());
    for (row, text) in reader.records().zip(dangerous) {
        let row = row.unwrap();
        for column in [2, 3, 6, 7] {
            assert_eq!(&row[column], format!("'{text}"), "column {column}");
        }
    }
    // Plain text is left alone.
    assert_eq!(
        copkit_core::service::cpd::inert_cell("Case review"),
        "Case review"
    );
}
