//! The words inside uploaded files, for the index: a [`TextExtractor`]
//! turns a document version's bytes into text (the service adds it to the
//! document's entry). [`PlainText`] reads text files and is the default;
//! `copkit-search` adds PDF. No I/O here: the caller reads the bytes.

/// Largest file whose text is indexed (bigger ones are indexed by their
/// title, description and tags only).
pub const EXTRACT_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Reads the text of files of the types it knows.
pub trait TextExtractor: Send + Sync {
    /// The text of a file of `content_type`, or `None` when this extractor
    /// does not read that type or the bytes are not what it expects.
    fn extract(&self, content_type: &str, bytes: &[u8]) -> Option<String>;
}

/// Text files (`text/plain`, `text/markdown`, `text/csv`, …): their
/// characters, invalid UTF-8 replaced.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlainText;

/// The media type without its parameters, lower-cased.
pub fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

impl TextExtractor for PlainText {
    fn extract(&self, content_type: &str, bytes: &[u8]) -> Option<String> {
        media_type(content_type)
            .starts_with("text/")
            .then(|| String::from_utf8_lossy(bytes).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_files_are_read_and_others_are_not() {
        assert_eq!(
            PlainText
                .extract("text/plain; charset=utf-8", b"rota swaps")
                .as_deref(),
            Some("rota swaps")
        );
        assert_eq!(
            PlainText.extract("Text/Markdown", b"# Notes").as_deref(),
            Some("# Notes")
        );
        assert!(PlainText.extract("application/pdf", b"%PDF-1.4").is_none());
        assert_eq!(
            PlainText
                .extract("text/csv", &[b'a', 0xff, b'b'])
                .as_deref(),
            Some("a\u{fffd}b")
        );
    }
}
