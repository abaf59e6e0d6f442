//! [`FileText`]: the words of uploaded PDFs (with
//! [pdf-extract](https://docs.rs/pdf-extract)) and text files, for the
//! search index. A PDF it cannot read (encrypted, scanned images, or one
//! that trips the parser) gives no text: the document is still found by
//! its title, description and tags.

use copkit_core::search::text::media_type;
use copkit_core::search::{PlainText, TextExtractor};

/// Reads PDFs and text files.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileText;

/// Whether the bytes start as a PDF does.
fn is_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF-")
}

impl TextExtractor for FileText {
    fn extract(&self, content_type: &str, bytes: &[u8]) -> Option<String> {
        if media_type(content_type) == "application/pdf" || is_pdf(bytes) {
            if !is_pdf(bytes) {
                return None;
            }
            // The parser panics on some malformed files: a panic here is
            // one unreadable upload, not a failed write.
            let text = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes))
                .ok()?
                .ok()?;
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            return (!text.is_empty()).then_some(text);
        }
        PlainText.extract(content_type, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-page PDF saying `words` (Helvetica, one text object), with a
    /// correct cross-reference table.
    pub(crate) fn pdf(words: &str) -> Vec<u8> {
        let stream = format!("BT /F1 12 Tf 72 720 Td ({words}) Tj ET");
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
            format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
        ];
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (n, object) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n{object}\nendobj\n", n + 1).as_bytes());
        }
        let xref = out.len();
        out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for offset in offsets {
            out.extend(format!("{offset:010} 00000 n \n").as_bytes());
        }
        out.extend(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }

    #[test]
    fn a_pdf_gives_its_words() {
        let text = FileText
            .extract("application/pdf", &pdf("The appraisal toolkit"))
            .unwrap();
        assert!(text.contains("appraisal toolkit"), "{text:?}");
    }

    #[test]
    fn text_files_are_read_and_broken_or_unknown_files_give_nothing() {
        assert_eq!(
            FileText.extract("text/plain", b"rota swaps").as_deref(),
            Some("rota swaps")
        );
        assert!(
            FileText
                .extract("application/pdf", b"%PDF-1.4 garbage")
                .is_none()
        );
        assert!(FileText.extract("application/pdf", b"not a pdf").is_none());
        assert!(FileText.extract("image/png", b"\x89PNG").is_none());
    }
}
