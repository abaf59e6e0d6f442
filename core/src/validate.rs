//! Input limits and field validation that collects every problem at once.

use crate::error::{Error, FieldError};

/// Every size limit on user input, in one place.
pub mod limits {
    /// Community and space names: minimum characters.
    pub const NAME_MIN: usize = 3;
    /// Community and space names: maximum characters.
    pub const NAME_MAX: usize = 80;
    /// Community slugs: minimum characters.
    pub const SLUG_MIN: usize = 3;
    /// Community slugs: maximum characters.
    pub const SLUG_MAX: usize = 40;
    /// A community's purpose: maximum characters.
    pub const PURPOSE_MAX: usize = 2_000;
    /// A community's join question: maximum characters.
    pub const QUESTION_MAX: usize = 500;
    /// An answer to the join question: maximum characters.
    pub const ANSWER_MAX: usize = 1_000;
    /// A denial, removal or ban reason: maximum characters.
    pub const REASON_MAX: usize = 500;
    /// A space's description: maximum characters.
    pub const DESCRIPTION_MAX: usize = 1_000;
    /// A person's display name: maximum characters.
    pub const DISPLAY_NAME_MAX: usize = 80;
    /// A professional role ("GP trainee"): maximum characters.
    pub const PROFESSIONAL_ROLE_MAX: usize = 80;
    /// An organisation's name: maximum characters.
    pub const ORGANISATION_MAX: usize = 120;
    /// An email address: maximum characters (RFC 5321 path limit).
    pub const EMAIL_MAX: usize = 254;
    /// People named on a Restricted space.
    pub const RESTRICTED_USERS_MAX: usize = 200;
    /// Spaces a guest invitation may grant.
    pub const GUEST_SPACES_MAX: usize = 20;
    /// Spaces in one community.
    pub const SPACES_PER_COMMUNITY_MAX: u32 = 100;
    /// Uses of one invitation link.
    pub const INVITATION_USES_MAX: u32 = 1_000;
    /// Shortest invitation lifetime, in hours.
    pub const INVITATION_HOURS_MIN: i64 = 1;
    /// Longest invitation lifetime, in hours (90 days).
    pub const INVITATION_HOURS_MAX: i64 = 90 * 24;
    /// Default invitation lifetime, in hours (14 days).
    pub const INVITATION_HOURS_DEFAULT: i64 = 14 * 24;
    /// Longest ban, in days (10 years); longer means permanent.
    pub const BAN_DAYS_MAX: i64 = 3_650;
    /// Default page size.
    pub const PAGE_DEFAULT: u32 = 20;
    /// Largest page size.
    pub const PAGE_MAX: u32 = 100;

    /// Titles: shortest.
    pub const TITLE_MIN: usize = 3;
    /// Titles: longest.
    pub const TITLE_MAX: usize = 200;
    /// Thread and post bodies: longest.
    pub const BODY_MAX: usize = 20_000;
    /// Tags per item.
    pub const TAGS_MAX: usize = 10;
    /// One tag: longest.
    pub const TAG_MAX: usize = 30;
    /// Mentions resolved per text (more are left as plain text).
    pub const MENTIONS_MAX: usize = 20;
    /// Document descriptions: longest.
    pub const DOCUMENT_DESCRIPTION_MAX: usize = 2_000;
    /// Version notes: longest.
    pub const VERSION_NOTE_MAX: usize = 500;
    /// Event descriptions: longest.
    pub const EVENT_DESCRIPTION_MAX: usize = 5_000;
    /// Event locations: longest.
    pub const LOCATION_MAX: usize = 200;
    /// Online meeting links: longest.
    pub const URL_MAX: usize = 500;
    /// Poll options: fewest.
    pub const POLL_OPTIONS_MIN: usize = 2;
    /// Poll options: most.
    pub const POLL_OPTIONS_MAX: usize = 20;
    /// One poll option: longest.
    pub const POLL_OPTION_MAX: usize = 200;
}

/// The text patterns every input field follows, written once so that the
/// checks here and the OpenAPI schema (`crate::validate::patterns`) agree.
/// They are ECMA-262 / Python / Rust-regex compatible.
pub mod patterns {
    /// One line: no control characters, no leading or trailing whitespace.
    pub const LINE: &str = r"^[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?$";
    /// [`LINE`], or empty (to clear an optional field).
    pub const LINE_OR_EMPTY: &str = r"^(?:[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[^\x00-\x1f\x7f-\x9f]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?$";
    /// Free text: line breaks and tabs allowed, other control characters not.
    pub const TEXT: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";
    /// [`TEXT`] with at least one visible character.
    pub const NONBLANK_TEXT: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";
    /// A community slug.
    pub const SLUG: &str = r"^[a-z0-9-]{3,40}$";
    /// A tag (case-insensitive; stored lower-case).
    pub const TAG: &str = r"^[A-Za-z0-9-]{1,30}$";
    /// A handle, with or without `@`, or empty to remove it.
    pub const HANDLE_OR_EMPTY: &str = r"^(?:@?[A-Za-z0-9_]{3,30})?$";
    /// A user id (the platform subject): 1–128 characters without whitespace
    /// or control characters, not `.` or `..`.
    pub const USER_ID: &str = r"^(?:[^.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]{0,127}|\.[^.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]{0,126}|\.\.[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]{1,126})$";
    /// A ULID.
    pub const ULID: &str = r"^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$";
    /// A local time of day, `HH:MM`.
    pub const TIME_OF_DAY: &str = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$";
    /// An http(s) link.
    pub const WEB_LINK: &str = r"^https?://[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::[0-9]{1,4})?(?:/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?(?:\?[A-Za-z0-9._~%!$&'()*+,;=:@/?-]*)?$";
}

/// Unicode White_Space (as `char::is_whitespace`).
fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// A control character (Unicode category Cc, as `char::is_control`).
fn is_control(c: char) -> bool {
    c.is_control()
}

/// Collects field errors while validating one input.
#[derive(Debug, Default)]
#[must_use = "call finish() to turn collected problems into an error"]
pub struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    /// An empty checker.
    pub fn new() -> Self {
        Checker::default()
    }

    /// Records a problem.
    pub fn fail(&mut self, field: &str, code: &'static str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, code, message));
    }

    /// Records the error if `result` failed; passes the value through otherwise.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    /// A single-line text ([`patterns::LINE`]): `min..=max` characters, no
    /// control characters, no leading or trailing whitespace (`min == 0`
    /// allows the empty string).
    pub fn line(&mut self, field: &str, value: &str, min: usize, max: usize) -> String {
        if let Some(e) = length_problem(field, value, min, max) {
            self.errors.push(e);
        } else if value.chars().any(is_control) {
            self.fail(
                field,
                "control_character",
                "must not contain control characters",
            );
        } else if value.starts_with(is_space) || value.ends_with(is_space) {
            self.fail(
                field,
                "surrounding_whitespace",
                "must not start or end with whitespace",
            );
        }
        value.to_owned()
    }

    /// A multi-line text ([`patterns::TEXT`], or [`patterns::NONBLANK_TEXT`]
    /// when `min > 0`): at most `max` characters; line breaks and tabs are
    /// allowed, other control characters are not.
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) -> String {
        if let Some(e) = length_problem(field, value, min, max) {
            self.errors.push(e);
        } else if value
            .chars()
            .any(|c| is_control(c) && !matches!(c, '\t' | '\n' | '\r'))
        {
            self.fail(
                field,
                "control_character",
                "must not contain control characters other than line breaks and tabs",
            );
        } else if min > 0 && value.chars().all(is_space) {
            self.fail(field, "blank", "must contain visible text");
        }
        value.to_owned()
    }

    /// An email address (syntax only), lower-cased.
    pub fn email(&mut self, field: &str, value: &str) -> String {
        if value.chars().count() > limits::EMAIL_MAX
            || !email_address::EmailAddress::is_valid(value)
        {
            self.fail(field, "invalid_email", "must be a valid email address");
        }
        value.to_lowercase()
    }

    /// True when nothing failed so far.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok(())` when nothing failed, otherwise [`Error::Invalid`] with every problem.
    pub fn finish(self) -> Result<(), Error> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.errors))
        }
    }
}

fn length_problem(field: &str, value: &str, min: usize, max: usize) -> Option<FieldError> {
    let len = value.chars().count();
    if len < min {
        Some(if len == 0 {
            FieldError::new(field, "required", "must not be empty")
        } else {
            FieldError::new(
                field,
                "too_short",
                format!("must be at least {min} characters"),
            )
        })
    } else if len > max {
        Some(FieldError::new(
            field,
            "too_long",
            format!("must be at most {max} characters"),
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_reports_every_problem() {
        let mut c = Checker::new();
        assert_eq!(c.line("name", "ok name", 3, 80), "ok name");
        assert!(c.is_ok());
        let _ = c.line("short", "ab", 3, 80);
        let _ = c.line("empty", "", 3, 80);
        let _ = c.line("padded", " abc", 3, 80);
        let _ = c.line("bell", "abc\u{7}", 3, 80);
        let _ = c.line("newline", "abc\ndef", 3, 80);
        let _ = c.line("long", &"x".repeat(81), 3, 80);
        let Err(Error::Invalid(fields)) = c.finish() else {
            panic!("expected invalid");
        };
        let got: Vec<_> = fields.iter().map(|f| (f.field.as_str(), f.code)).collect();
        assert_eq!(
            got,
            vec![
                ("short", "too_short"),
                ("empty", "required"),
                ("padded", "surrounding_whitespace"),
                ("bell", "control_character"),
                ("newline", "control_character"),
                ("long", "too_long"),
            ]
        );
    }

    #[test]
    fn text_allows_line_breaks_but_not_other_controls() {
        let mut c = Checker::new();
        let _ = c.text("body", "line one\nline two\tTabbed", 0, 100);
        assert!(c.is_ok());
        let _ = c.text("body", "null\u{0}byte", 0, 100);
        assert!(!c.is_ok());
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        let mut c = Checker::new();
        let _ = c.line("name", &"é".repeat(80), 3, 80);
        assert!(c.is_ok());
    }

    #[test]
    fn emails_are_checked_and_lowercased() {
        let mut c = Checker::new();
        assert_eq!(c.email("email", "Ann@Example.ORG"), "ann@example.org");
        assert!(c.is_ok());
        let _ = c.email("email", "not an email");
        assert!(!c.is_ok());
    }

    mod patterns_agree_with_the_checker {
        use super::super::*;
        use proptest::prelude::*;

        /// Characters that matter: controls, every kind of whitespace, ASCII, accents.
        fn tricky() -> impl Strategy<Value = String> {
            let chars = prop::sample::select(vec![
                'a', 'Z', '0', '-', '_', ' ', '\t', '\n', '\r', '\u{0}', '\u{7}', '\u{1f}',
                '\u{7f}', '\u{85}', '\u{9f}', '\u{a0}', '\u{a1}', 'é', '\u{1680}', '\u{2003}',
                '\u{200b}', '\u{2028}', '\u{202f}', '\u{3000}', '😀',
            ]);
            prop::collection::vec(chars, 0..8).prop_map(|v| v.into_iter().collect())
        }

        fn matches(pattern: &str, value: &str) -> bool {
            regex::Regex::new(pattern).unwrap().is_match(value)
        }

        proptest! {
            #[test]
            fn line(value in tricky()) {
                let mut c = Checker::new();
                let _ = c.line("f", &value, 1, 100);
                prop_assert_eq!(c.is_ok(), matches(patterns::LINE, &value), "{:?}", value);
                let mut c = Checker::new();
                let _ = c.line("f", &value, 0, 100);
                prop_assert_eq!(c.is_ok(), matches(patterns::LINE_OR_EMPTY, &value), "{:?}", value);
            }

            #[test]
            fn text(value in tricky()) {
                let mut c = Checker::new();
                let _ = c.text("f", &value, 0, 100);
                prop_assert_eq!(c.is_ok(), matches(patterns::TEXT, &value), "{:?}", value);
                let mut c = Checker::new();
                let _ = c.text("f", &value, 1, 100);
                prop_assert_eq!(c.is_ok(), matches(patterns::NONBLANK_TEXT, &value), "{:?}", value);
            }

            #[test]
            fn user_ids(value in tricky().prop_map(|s| s.replace('a', "."))) {
                prop_assert_eq!(
                    crate::ids::UserId::new(value.clone()).is_ok(),
                    matches(patterns::USER_ID, &value),
                    "{:?}", value
                );
            }
        }

        #[test]
        fn the_other_patterns_compile_and_match_examples() {
            assert!(matches(patterns::SLUG, "st3-small-group"));
            assert!(matches(patterns::TAG, "Prescribing"));
            assert!(matches(patterns::HANDLE_OR_EMPTY, "@helen_or"));
            assert!(matches(patterns::HANDLE_OR_EMPTY, ""));
            assert!(matches(patterns::ULID, "01KDVDNA0020YM9GGZ01RWHET7"));
            assert!(matches(patterns::TIME_OF_DAY, "18:30"));
            assert!(!matches(patterns::TIME_OF_DAY, "24:00"));
            assert!(matches(
                patterns::WEB_LINK,
                "https://meet.example.org/st3?pwd=abc"
            ));
            assert!(!matches(patterns::WEB_LINK, "javascript:alert(1)"));
        }
    }
}
