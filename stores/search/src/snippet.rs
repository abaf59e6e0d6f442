//! The words around a match, as parts marked where they matched.

use std::ops::Range;

use copkit_core::model::SnippetPart;
use copkit_core::search::SNIPPET_MAX_CHARS;

/// The parts of `fragment` with `highlighted` byte ranges marked, cut to
/// [`SNIPPET_MAX_CHARS`] characters.
pub(crate) fn parts(fragment: &str, highlighted: &[Range<usize>]) -> Vec<SnippetPart> {
    let mut parts = Vec::new();
    let mut at = 0;
    for range in highlighted {
        let (Some(before), Some(marked)) =
            (fragment.get(at..range.start), fragment.get(range.clone()))
        else {
            continue;
        };
        push(&mut parts, before, false);
        push(&mut parts, marked, true);
        at = range.end;
    }
    push(&mut parts, fragment.get(at..).unwrap_or_default(), false);
    cut(parts)
}

/// The start of `text`, unmarked (what matched was not in it).
pub(crate) fn opening(text: &str) -> Vec<SnippetPart> {
    let mut parts = Vec::new();
    push(&mut parts, text, false);
    cut(parts)
}

fn push(parts: &mut Vec<SnippetPart>, text: &str, highlighted: bool) {
    if !text.is_empty() {
        parts.push(SnippetPart {
            text: text.to_owned(),
            highlighted,
        });
    }
}

/// At most [`SNIPPET_MAX_CHARS`] characters in all, ending at a word when
/// it has to cut.
fn cut(parts: Vec<SnippetPart>) -> Vec<SnippetPart> {
    let mut left = SNIPPET_MAX_CHARS;
    let mut kept = Vec::new();
    for part in parts {
        let chars = part.text.chars().count();
        if chars <= left {
            left -= chars;
            kept.push(part);
            continue;
        }
        if left > 0 && !part.highlighted {
            let head: String = part.text.chars().take(left).collect();
            let head = match head.rfind(char::is_whitespace) {
                Some(space) if space > 0 => head[..space].to_owned(),
                _ => head,
            };
            push(&mut kept, &head, false);
        }
        break;
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(parts: &[SnippetPart]) -> String {
        parts.iter().map(|p| p.text.as_str()).collect()
    }

    #[test]
    fn marks_the_ranges_and_keeps_the_rest() {
        let marked = [Range { start: 4, end: 10 }];
        let got = parts("the sepsis pathway", &marked);
        assert_eq!(text(&got), "the sepsis pathway");
        assert_eq!(
            got.iter().map(|p| p.highlighted).collect::<Vec<_>>(),
            vec![false, true, false]
        );
        assert_eq!(got[1].text, "sepsis");
    }

    #[test]
    fn long_text_is_cut_at_a_word() {
        let long = "word ".repeat(100);
        let got = opening(&long);
        let t = text(&got);
        assert!(t.chars().count() <= SNIPPET_MAX_CHARS);
        assert!(t.ends_with("word"), "{t:?}");
        let accented = "é".repeat(500);
        assert_eq!(text(&opening(&accented)).chars().count(), SNIPPET_MAX_CHARS);
    }

    #[test]
    fn ranges_outside_the_text_are_ignored() {
        let got = parts("short", &[3..99, 1..2]);
        assert_eq!(text(&got), "short");
    }
}
