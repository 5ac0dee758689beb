//! A text a person wrote in a policy, and where each of its characters stands in the source.
//!
//! The parser resolves escapes in strings (`\"`, `\\`) and removes the indentation and line breaks
//! of text blocks, so a position in the text is not the same distance from the start of its value
//! in every text. A [`Text`] keeps what the parser knew: a few breakpoints, each a position in the
//! text and the position in the source where the text goes on from there. A word found in the text
//! can then be reported at its exact place, with no source and no syntax tree at hand.
//!
//! Shared by the syntax tree (string and text-block values) and the model; it imports neither.

use std::borrow::Borrow;
use std::fmt;
use std::ops::{Deref, Range};

use serde::{Serialize, Serializer};

use crate::diagnostic::Span;

/// A text as the reader sees it (escapes resolved, text blocks dedented), the span of the value
/// that wrote it (quotes included) and how its positions map back to the source.
///
/// It reads as a `str` (`Deref`), compares with strings, displays and serialises exactly as the
/// plain text, so exports and templates do not see the difference. Equality is the text's alone.
#[derive(Clone, Default)]
pub struct Text {
    text: String,
    span: Span,
    /// Breakpoints `(offset in the text, offset in the source)`, both ascending: from each, the
    /// text and the source go on byte for byte until the next. Empty for a text the source does
    /// not hold.
    origin: Vec<(usize, usize)>,
}

impl Text {
    /// A text written in the source: its value's span and the breakpoints of its origin.
    pub fn written(text: String, span: Span, origin: Vec<(usize, usize)>) -> Text {
        Text { text, span, origin }
    }

    /// A text with no place in the source, e.g. the empty title of a section without a heading.
    pub fn unwritten(text: impl Into<String>) -> Text {
        Text {
            text: text.into(),
            span: Span::default(),
            origin: Vec::new(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The span of the value that wrote the text, quotes included; the default span for a text
    /// the source does not hold.
    pub fn span(&self) -> Span {
        self.span
    }

    /// Whether the text stands in the source.
    pub fn is_written(&self) -> bool {
        !self.origin.is_empty()
    }

    /// The breakpoints of the text's origin: `(offset in the text, offset in the source)`.
    pub fn origin(&self) -> &[(usize, usize)] {
        &self.origin
    }

    /// Where the bytes `range` of the text stand in the source; `None` for a text the source
    /// does not hold or a range that is not in the text. An escaped character stands where the
    /// character after its backslash does; a range that ends with a line of a text block ends
    /// one byte after it.
    pub fn source_span(&self, range: Range<usize>) -> Option<Span> {
        if range.start > range.end || range.end > self.text.len() {
            return None;
        }
        let start = self.source_offset(range.start, |text| text <= range.start)?;
        let end = if range.is_empty() {
            start
        } else {
            // The end of the last byte of the range: a breakpoint at the end belongs to what
            // follows, e.g. an escape dropped after it.
            self.source_offset(range.end, |text| text < range.end)?
        };
        Some(self.span.with_bounds(start, end.max(start)))
    }

    /// Where the text's byte `at` stands in the source, by the last breakpoint `before` allows.
    fn source_offset(&self, at: usize, before: impl Fn(usize) -> bool) -> Option<usize> {
        let after = self.origin.partition_point(|&(text, _)| before(text));
        let &(text, source) = self.origin.get(after.checked_sub(1)?)?;
        Some(source + (at - text))
    }

    /// The same text, its span in the source `file` (see [`Span::with_file`]).
    pub fn with_file(&self, file: crate::source::FileId) -> Text {
        Text {
            span: self.span.with_file(file),
            ..self.clone()
        }
    }

    pub fn into_string(self) -> String {
        self.text
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.text
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.text == other.text
    }
}

impl Eq for Text {}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.text == *other
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self == other.text
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.text
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.text, f)
    }
}

/// As the plain text, so that debugging output of the model reads as before.
impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl From<Text> for String {
    fn from(text: Text) -> String {
        text.text
    }
}

/// Builds a text and its origin together, as the parser reads a value.
#[derive(Debug, Default)]
pub struct TextBuilder {
    text: String,
    origin: Vec<(usize, usize)>,
}

impl TextBuilder {
    pub fn new() -> Self {
        TextBuilder::default()
    }

    /// From here on, the text goes on with the source at `source`.
    pub fn continue_at(&mut self, source: usize) {
        let at = self.text.len();
        match self.origin.last_mut() {
            Some(last) if last.0 == at => last.1 = source,
            Some(&mut (text, from)) if from + (at - text) == source => {}
            _ => self.origin.push((at, source)),
        }
    }

    pub fn push(&mut self, c: char) {
        self.text.push(c);
    }

    pub fn push_str(&mut self, text: &str) {
        self.text.push_str(text);
    }

    pub fn finish(self, span: Span) -> Text {
        Text::written(self.text, span, self.origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_maps_its_ranges_back_to_the_source() {
        // `"a\"b TMG"` at offset 10: the text `a"b TMG`, the quote at 13.
        let mut builder = TextBuilder::new();
        builder.continue_at(11);
        builder.push_str("a");
        builder.continue_at(13);
        builder.push_str("\"b TMG");
        let text = builder.finish(Span::new(10, 20));
        assert_eq!(text, "a\"b TMG");
        assert_eq!(text.source_span(4..7), Some(Span::new(16, 19)));
        assert_eq!(text.source_span(1..2), Some(Span::new(13, 14)));
        assert_eq!(text.source_span(0..7), Some(Span::new(11, 19)));
        assert_eq!(text.source_span(0..1), Some(Span::new(11, 12)));
        assert_eq!(text.source_span(3..3), Some(Span::new(15, 15)));
        assert_eq!(text.source_span(6..9), None);
        assert_eq!(Text::unwritten("x").source_span(0..1), None);
    }

    #[test]
    fn a_breakpoint_that_changes_nothing_is_left_out() {
        let mut builder = TextBuilder::new();
        builder.continue_at(5);
        builder.push_str("ab");
        builder.continue_at(7);
        builder.push_str("c");
        builder.continue_at(9);
        builder.continue_at(10);
        let text = builder.finish(Span::new(4, 12));
        assert_eq!(text.origin(), &[(0, 5), (3, 10)]);
    }

    #[test]
    fn a_text_serialises_as_a_string() {
        let text = Text::written("ä\"".to_string(), Span::new(0, 5), vec![(0, 1)]);
        assert_eq!(serde_json::to_string(&text).unwrap(), "\"ä\\\"\"");
        assert_eq!(format!("{text:?}"), "\"ä\\\"\"");
        assert_eq!(text.to_string(), "ä\"");
    }
}
