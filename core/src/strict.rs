//! Strict reading of internally tagged enums from JSON.
//!
//! serde reads the tag of an internally tagged enum with `deserialize_any`,
//! so a number (the variant's index) is taken as readily as its name:
//! `{"type": 0}` would pass for the first variant. Inputs must name their
//! variant, so the public enums read through [`tagged`], which refuses a tag
//! that is not a string before handing the value to serde.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// Reads `value` as `I` when its `tag` field is a string.
pub fn tagged<I: DeserializeOwned>(value: Value, tag: &str) -> Result<I, String> {
    match value.get(tag) {
        Some(Value::String(_)) => serde_json::from_value(value).map_err(|e| e.to_string()),
        Some(_) => Err(format!("`{tag}` must be a string naming the variant")),
        None => Err(format!("missing field `{tag}`")),
    }
}

/// Implements `TryFrom<serde_json::Value>` for `$public` by reading `$input`
/// strictly by `$tag`, then converting.
macro_rules! strict_tagged {
    ($public:ty, $input:ty, $tag:literal) => {
        impl TryFrom<serde_json::Value> for $public {
            type Error = String;
            fn try_from(value: serde_json::Value) -> Result<Self, String> {
                $crate::strict::tagged::<$input>(value, $tag).map(Into::into)
            }
        }
    };
}
pub(crate) use strict_tagged;

#[cfg(test)]
mod tests {
    use crate::model::{Access, Frequency, MonthlyBy, SpaceVisibility, Weekday};

    #[test]
    fn tags_must_be_names() {
        let ok: Result<Access, _> = serde_json::from_str(r#"{"visibility": "secret"}"#);
        assert_eq!(ok.unwrap(), Access::Secret);
        for bad in [
            r#"{"visibility": 2}"#,
            r#"{"visibility": "secret", "join_policy": "open"}"#,
            r#"{}"#,
        ] {
            assert!(serde_json::from_str::<Access>(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<MonthlyBy>(r#"{"type": 0, "day": 1}"#).is_err());
        let weekly: Frequency = serde_json::from_str(
            r#"{"type": "weekly", "weekdays": ["friday", "monday", "friday"]}"#,
        )
        .unwrap();
        assert_eq!(
            weekly,
            Frequency::Weekly {
                weekdays: vec![Weekday::Monday, Weekday::Friday]
            }
        );
        let eight = r#"{"type": "weekly", "weekdays": ["friday","friday","friday","friday","friday","friday","friday","friday"]}"#;
        assert!(serde_json::from_str::<Frequency>(eight).is_err());
        assert!(
            serde_json::from_str::<SpaceVisibility>(r#"{"type": "members", "users": []}"#).is_err()
        );
        assert_eq!(
            serde_json::from_str::<SpaceVisibility>(r#"{"type": "members"}"#).unwrap(),
            SpaceVisibility::Members
        );
    }
}
