//! Reading JSON input the way the API's schema promises.
//!
//! - **Variants by name.** serde reads the tag of an internally tagged
//!   enum with `deserialize_any`, so a number (the variant's index) is
//!   taken as readily as its name: `{"type": 0}` would pass for the first
//!   variant. Inputs must name their variant, so the public enums read
//!   through [`tagged`], which refuses a tag that is not a string before
//!   handing the value to serde.
//! - **Whole numbers.** JSON Schema counts `90.0` as an integer, so an API
//!   that declares `"type": "integer"` must take it; serde's own integer
//!   parsing refuses it. The `whole_*` deserializers take any JSON number
//!   with no fractional part that fits the target type, and nothing else.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserializer;
use serde::de::{self, DeserializeOwned, SeqAccess, Visitor};
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
                $crate::json::tagged::<$input>(value, $tag).map(Into::into)
            }
        }
    };
}
pub(crate) use strict_tagged;

struct Whole<T>(PhantomData<T>);

impl<'de, T: TryFrom<u64>> Visitor<'de> for Whole<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number in range")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::custom(format!("{v} is out of range")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        let v = u64::try_from(v).map_err(|_| E::custom(format!("{v} is out of range")))?;
        self.visit_u64(v)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        if v.is_finite() && v.fract() == 0.0 && (0.0..=u64::MAX as f64).contains(&v) {
            // In range and whole, so the conversion is exact.
            self.visit_u64(v as u64)
        } else {
            Err(E::custom(format!("{v} is not a whole number in range")))
        }
    }
}

/// A whole `u32`.
pub fn whole_u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    d.deserialize_any(Whole::<u32>(PhantomData))
}

/// A whole `u64`.
pub fn whole_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    d.deserialize_any(Whole::<u64>(PhantomData))
}

/// A whole `u8`.
pub fn whole_u8<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    d.deserialize_any(Whole::<u8>(PhantomData))
}

/// An optional whole `u32` (`null` or absent is `None`; use with `#[serde(default)]`).
pub fn whole_option_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    struct Opt;
    impl<'de> Visitor<'de> for Opt {
        type Value = Option<u32>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a whole number in range, or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            whole_u32(d).map(Some)
        }
    }
    d.deserialize_option(Opt)
}

/// A list of whole `u32`s.
pub fn whole_vec_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u32>, D::Error> {
    struct List;
    impl<'de> Visitor<'de> for List {
        type Value = Vec<u32>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of whole numbers")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            #[derive(serde::Deserialize)]
            struct Item(#[serde(deserialize_with = "whole_u32")] u32);
            let mut out = Vec::new();
            while let Some(Item(v)) = seq.next_element()? {
                out.push(v);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(List)
}

#[cfg(test)]
mod strict_tests {
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

#[cfg(test)]
mod whole_tests {
    #[derive(Debug, serde::Deserialize)]
    struct Sample {
        #[serde(deserialize_with = "super::whole_u32")]
        n: u32,
        #[serde(default, deserialize_with = "super::whole_option_u32")]
        o: Option<u32>,
        #[serde(default, deserialize_with = "super::whole_vec_u32")]
        v: Vec<u32>,
        #[serde(default, deserialize_with = "super::whole_u8")]
        b: u8,
    }

    fn parse(json: &str) -> Result<Sample, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn whole_floats_are_integers_and_nothing_else_is() {
        let s = parse(r#"{"n": 90.0, "o": 3, "v": [1.0, 2], "b": 31.0}"#).unwrap();
        assert_eq!((s.n, s.o, s.v, s.b), (90, Some(3), vec![1, 2], 31));
        assert_eq!(parse(r#"{"n": 1, "o": null}"#).unwrap().o, None);
        for bad in [
            r#"{"n": 1.5}"#,
            r#"{"n": -1}"#,
            r#"{"n": "1"}"#,
            r#"{"n": 4294967296}"#,
            r#"{"n": 1, "b": 256}"#,
            r#"{"n": 1e300}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
