//! Byte offsets of klartext's spans ↔ LSP positions: a line and a column counted in UTF-16 code
//! units, the encoding every client understands.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as the protocol counts them. A position past the end
//! of its line means the end of the line (as the protocol says); a line past the end of the text
//! is no position, and the request that names it gets an empty answer.

use lsp_types::{Position, Range};

use crate::diagnostic::Span;

/// Where the lines of a text start, and where its characters outside ASCII are, so that a
/// column costs a binary search and not a walk along the line (a policy may have a line of
/// megabytes and thousands of diagnostics on it).
pub struct LineIndex {
    /// The byte offset of each line's first character; the first is 0.
    starts: Vec<usize>,
    /// For every character of more than one byte: the offset just after it, and how many bytes
    /// more than UTF-16 units the characters up to and including it take. Sorted by offset.
    wide: Vec<(usize, usize)>,
    /// The length of the text in bytes.
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        let mut wide = Vec::new();
        let mut surplus = 0;
        let bytes = text.as_bytes();
        // Byte by byte, since this runs on every keystroke: a line break is one ASCII byte, and
        // the first byte of a character says how long it is (two or three bytes are one UTF-16
        // unit, four bytes two).
        for (at, &byte) in bytes.iter().enumerate() {
            match byte {
                b'\n' => starts.push(at + 1),
                b'\r' if bytes.get(at + 1) != Some(&b'\n') => starts.push(at + 1),
                0xC0..=0xDF => {
                    surplus += 1;
                    wide.push((at + 2, surplus));
                }
                0xE0..=0xEF => {
                    surplus += 2;
                    wide.push((at + 3, surplus));
                }
                0xF0..=0xF7 => {
                    surplus += 2;
                    wide.push((at + 4, surplus));
                }
                _ => {}
            }
        }
        LineIndex {
            starts,
            wide,
            len: text.len(),
        }
    }

    /// The bytes more than UTF-16 units that the characters before `offset` take.
    fn surplus_before(&self, offset: usize) -> usize {
        let ended = self.wide.partition_point(|&(end, _)| end <= offset);
        ended.checked_sub(1).map_or(0, |last| self.wide[last].1)
    }

    /// The position of a byte offset, a character boundary as every span's ends are; an offset
    /// past the end of the text is its end.
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.len);
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let start = self.starts[line];
        let column = (offset - start) - (self.surplus_before(offset) - self.surplus_before(start));
        Position::new(to_u32(line), to_u32(column))
    }

    pub fn range(&self, span: Span) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }

    /// The byte offset of a position in `text` (the text this index was made of), or `None`
    /// for a line past its end. A column past the end of the line is the end of the line; one
    /// in the middle of a character, that character's start.
    pub fn offset(&self, text: &str, position: Position) -> Option<usize> {
        let line = usize::try_from(position.line).ok()?;
        let start = *self.starts.get(line)?;
        let end = self.starts.get(line + 1).copied().unwrap_or(self.len);
        let line_text = text.get(start..end)?;
        let content = line_text.trim_end_matches(['\n', '\r']);
        let wanted = usize::try_from(position.character).unwrap_or(usize::MAX);
        let mut units = 0;
        for (at, c) in content.char_indices() {
            units += c.len_utf16();
            if units > wanted {
                return Some(start + at);
            }
        }
        Some(start + content.len())
    }

    /// The span of a range of `text`, if both ends are positions in it.
    pub fn span(&self, text: &str, range: Range) -> Option<Span> {
        let start = self.offset(text, range.start)?;
        let end = self.offset(text, range.end)?;
        Some(Span::new(start.min(end), end.max(start)))
    }
}

/// Lines and columns of texts above 4 GiB do not fit the protocol; such a text is refused at
/// 64 MiB by the command line and is not typed into an editor, so saturating is enough.
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The position of every character boundary counted the slow way, and back.
    #[test]
    fn positions_count_utf16_units_and_come_back() {
        let text = "aä€𝄞\r\nzweite\rdritte\n\n𝄞x";
        let index = LineIndex::new(text);
        let (mut line, mut column) = (0, 0);
        let mut chars = text.char_indices().peekable();
        loop {
            let offset = chars.peek().map_or(text.len(), |&(at, _)| at);
            let position = index.position(offset);
            assert_eq!(position, Position::new(line, column), "at byte {offset}");
            assert_eq!(
                index.offset(text, position),
                Some(offset),
                "at byte {offset}"
            );
            let Some((_, c)) = chars.next() else { break };
            let crlf = c == '\r' && chars.peek().is_some_and(|&(_, next)| next == '\n');
            if crlf {
                // Between `\r` and `\n` is no position of its own: step over both.
                chars.next();
            }
            if c == '\n' || c == '\r' {
                (line, column) = (line + 1, 0);
            } else {
                column += c.len_utf16() as u32;
            }
        }
        assert_eq!(line, 4);
        assert_eq!(
            index.position(text.rfind('x').unwrap()),
            Position::new(4, 2)
        );
    }

    #[test]
    fn positions_outside_the_text_are_clamped_or_refused() {
        let text = "eins\n𝄞zwei\n";
        let index = LineIndex::new(text);
        // Past the end of a line: its end, before the line break.
        assert_eq!(index.offset(text, Position::new(0, 99)), Some(4));
        assert_eq!(index.offset(text, Position::new(1, u32::MAX)), Some(13));
        // In the middle of a surrogate pair: the character's start.
        assert_eq!(index.offset(text, Position::new(1, 1)), Some(5));
        // The empty line after the last break exists; the one after it does not.
        assert_eq!(index.offset(text, Position::new(2, 0)), Some(text.len()));
        assert_eq!(index.offset(text, Position::new(3, 0)), None);
        // An offset past the text is its end.
        assert_eq!(index.position(1000), Position::new(2, 0));
    }
}
