//! Arbitrary input to what parses outside text: `@mentions` in bodies,
//! pagination cursors, time-zone names and the JSON inputs of the use
//! cases (recurrence rules included). Nothing panics; what is accepted is
//! well-formed.
//!
//! `COPKIT_FUZZ_CASES` sets the cases per property (512 by default, the CI
//! profile; `COPKIT_FUZZ_CASES=1000000 cargo test --release -p copkit-core
//! --test fuzz_parsers` for the long run outside CI).

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use copkit_core::cursor::CursorCodec;
use copkit_core::model::{Cursor, Handle, Recurrence};
use copkit_core::recurrence::{check_recurrence, time_zone};
use copkit_core::service::moderation::NewReport;
use copkit_core::service::{EventInput, NewCommunity, NewInvitation};
use proptest::prelude::*;
use serde_json::Value;

fn cases() -> u32 {
    std::env::var("COPKIT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

fn any_json() -> impl Strategy<Value = Value> {
    let names = prop_oneof![
        Just("type".to_owned()),
        Just("frequency".to_owned()),
        Just("interval".to_owned()),
        Just("end".to_owned()),
        Just("count".to_owned()),
        Just("date".to_owned()),
        Just("weekdays".to_owned()),
        Just("by".to_owned()),
        Just("day".to_owned()),
        Just("nth".to_owned()),
        Just("weekday".to_owned()),
        Just("title".to_owned()),
        Just("starts_at".to_owned()),
        Just("time_zone".to_owned()),
        Just("duration_minutes".to_owned()),
        Just("recurrence".to_owned()),
        Just("slug".to_owned()),
        Just("name".to_owned()),
        Just("access".to_owned()),
        Just("target".to_owned()),
        "[a-z_]{1,10}",
    ];
    let words = prop_oneof![
        Just("weekly".to_owned()),
        Just("monthly".to_owned()),
        Just("daily".to_owned()),
        Just("day_of_month".to_owned()),
        Just("weekday_of_month".to_owned()),
        Just("until".to_owned()),
        Just("count".to_owned()),
        Just("monday".to_owned()),
        Just("last".to_owned()),
        Just("2026-03-29T01:30".to_owned()),
        Just("Europe/London".to_owned()),
        ".{0,20}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-3i64..60).prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        words.prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::vec((names.clone(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mentions_are_well_formed_handles_written_in_the_text(text in ".{0,200}") {
        let lower = text.to_lowercase();
        let found = Handle::mentioned_in(&text);
        for handle in &found {
            prop_assert!(Handle::new(handle.as_str()).is_ok());
            prop_assert!(lower.contains(&format!("@{}", handle.as_str())), "{handle:?} in {text:?}");
        }
        let distinct: std::collections::BTreeSet<_> = found.iter().map(Handle::as_str).collect();
        prop_assert_eq!(distinct.len(), found.len());
    }

    #[test]
    fn cursors_open_only_for_their_list(junk in ".{0,120}", position in ".{0,60}", scope in "[a-z:0-9]{1,20}") {
        let codec = CursorCodec::new([7; 32]);
        let _ = codec.decode(&scope, &Cursor(junk));
        let cursor = codec.encode(&scope, &position).unwrap();
        prop_assert_eq!(codec.decode(&scope, &cursor).unwrap(), position);
        let other = format!("{scope}x");
        prop_assert!(codec.decode(&other, &cursor).is_err());
    }

    #[test]
    fn time_zone_names_resolve_or_are_refused(name in ".{0,40}") {
        let _ = time_zone(&name);
    }

    #[test]
    fn recurrence_rules_read_from_json_are_checked_without_panicking(value in any_json()) {
        if let Ok(rule) = serde_json::from_value::<Recurrence>(value.clone()) {
            let _ = check_recurrence(&rule);
        }
        let _ = serde_json::from_value::<EventInput>(value.clone());
        let _ = serde_json::from_value::<NewCommunity>(value.clone());
        let _ = serde_json::from_value::<NewInvitation>(value.clone());
        let _ = serde_json::from_value::<NewReport>(value);
    }

    #[test]
    fn json_text_of_any_shape_is_read_or_refused(text in ".{0,200}") {
        let _ = serde_json::from_str::<EventInput>(&text);
        let _ = serde_json::from_str::<Recurrence>(&text);
        let _ = serde_json::from_str::<NewCommunity>(&text);
    }
}
