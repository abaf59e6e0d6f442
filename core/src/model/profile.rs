use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::ids::UserId;

/// A person's profile: what copkit knows about them beyond the platform identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Profile {
    /// The platform subject id.
    pub user: UserId,
    /// The name other members see.
    pub display_name: String,
    /// The unique handle others `@mention` (without the `@`).
    pub handle: Option<Handle>,
    /// Professional role, such as "GP trainee", "GP trainer" or "appraiser".
    pub professional_role: Option<String>,
    /// Organisation, such as a practice or a deanery.
    pub organisation: Option<String>,
    /// When the profile was first stored.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    /// When the profile last changed.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    /// Optimistic-concurrency version, starting at 1.
    pub version: u64,
}

/// A unique handle for `@mentions`: 3–30 of `a-z`, `0-9` and `_`, stored
/// lower-case (`@Helen_OR` and `@helen_or` are the same person).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Handle(String);

impl Handle {
    /// Shortest handle.
    pub const MIN_LEN: usize = 3;
    /// Longest handle.
    pub const MAX_LEN: usize = 30;

    /// Validates and lower-cases a handle (a leading `@` is ignored).
    pub fn new(value: &str) -> Result<Handle, FieldError> {
        let value = value.strip_prefix('@').unwrap_or(value).to_lowercase();
        let len = value.chars().count();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return Err(FieldError::new(
                "handle",
                if len < Self::MIN_LEN {
                    "too_short"
                } else {
                    "too_long"
                },
                format!("must be {} to {} characters", Self::MIN_LEN, Self::MAX_LEN),
            ));
        }
        if !value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(FieldError::new(
                "handle",
                "invalid_characters",
                "may contain only letters a-z, digits and underscores",
            ));
        }
        Ok(Handle(value))
    }

    /// The handle as text (without `@`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The distinct handles `@mentioned` in a text, in order of first
    /// appearance. An `@` inside a word (as in an email address) is not a mention.
    pub fn mentioned_in(text: &str) -> Vec<Handle> {
        let mut found: Vec<Handle> = Vec::new();
        let mut previous: Option<char> = None;
        for (i, c) in text.char_indices() {
            let starts_word = previous.is_none_or(|p| !(p.is_alphanumeric() || p == '_'));
            previous = Some(c);
            if c != '@' || !starts_word {
                continue;
            }
            let rest = &text[i + 1..];
            let end = rest
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                .unwrap_or(rest.len());
            if let Ok(handle) = Handle::new(&rest[..end])
                && !found.contains(&handle)
            {
                found.push(handle);
            }
        }
        found
    }
}

impl fmt::Display for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@{}", self.0)
    }
}

impl<'de> Deserialize<'de> for Handle {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Handle::new(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handles(text: &str) -> Vec<String> {
        Handle::mentioned_in(text)
            .into_iter()
            .map(|h| h.as_str().to_owned())
            .collect()
    }

    #[test]
    fn mentions_are_found_once_and_lower_cased() {
        assert_eq!(
            handles("@Helen_OR and @tom, thanks @helen_or!"),
            ["helen_or", "tom"]
        );
        assert_eq!(
            handles("mail andrew@example.org or @ab"),
            Vec::<String>::new()
        );
        assert_eq!(handles("(@priya) @@x @ok_1"), ["priya", "ok_1"]);
    }

    #[test]
    fn handles_are_validated() {
        assert!(Handle::new("@helen").is_ok());
        assert!(Handle::new("he").is_err());
        assert!(Handle::new("hélène").is_err());
        assert!(Handle::new(&"x".repeat(31)).is_err());
    }
}
