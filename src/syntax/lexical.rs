//! The lexical check that runs before the grammar: it reads quotes and braces, so that a text or
//! block left open is reported where it was opened, a `}` too many where it first stands out, and
//! nesting too deep to parse safely is refused before the parser recurses into it.
//!
//! It must agree with the grammar on where an open text ends (`text_block_stop` in
//! `grammar/klartext.pest`); a test in `parser.rs` holds the two together.

use super::parser::MAX_NESTING;
use crate::diagnostic::{Diagnostic, Span};

/// What the lexical check found.
pub(super) struct Lexical {
    pub(super) problems: Vec<Diagnostic>,
    /// The nesting is too deep to parse: nothing more is read.
    pub(super) fatal: bool,
    /// The `{` of the block that most likely lost its `}`.
    pub(super) suspect: Option<usize>,
}

/// Scans quotes and braces before parsing, so that absurd nesting is refused without recursing
/// into it, and so that a text or block left open is reported where it was opened, not where the
/// parser gave up. Reports every problem it finds and goes on after each, except where the rest of
/// the file cannot be read otherwise (a text block never closed, nesting too deep).
pub(super) fn lexical_check(source: &str) -> Lexical {
    let bytes = source.as_bytes();
    let mut lexical = Lexical {
        problems: Vec::new(),
        fatal: false,
        suspect: None,
    };
    // Each open block: where its `{` is, and the indentation of the line it is on.
    let mut open: Vec<(usize, usize)> = Vec::new();
    // A block whose `}` stood left of its opening line: the likeliest one to have lost its `}`.
    let mut suspect: Option<usize> = None;
    // A `}` that stood right of the line of the block it closed: the likeliest one too many.
    let mut extra: Option<usize> = None;
    let mut line = Line::default();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line = Line::starting_at(i + 1),
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            // A `"""` that starts its line opens no text (openers follow a keyword): it closes a
            // text block whose opening line was lost.
            b'"' if source[i..].starts_with("\"\"\"") && i - line.start == line.indent(bytes) => {
                lexical.problems.push(
                    Diagnostic::error(
                        "unexpected-text-block-end",
                        Span::new(i, i + 3),
                        "this `\"\"\"` ends no text block",
                    )
                    .with_label("no text block is open here")
                    .with_help("delete it, or start the text with e.g. `text \"\"\"` on the line where it begins"),
                );
                i += 3;
                continue;
            }
            b'"' if source[i..].starts_with("\"\"\"") => match text_block_end(source, i + 3) {
                TextBlockEnd::Closed(close) => {
                    if let Some(newline) = source[i..close].rfind('\n') {
                        line = Line::starting_at(i + newline + 1);
                    }
                    i = close + 2;
                }
                TextBlockEnd::Open(end) => {
                    lexical.problems.push(
                        Diagnostic::error(
                            "unterminated-text-block",
                            Span::new(i, i + 3),
                            "this text block is never closed",
                        )
                        .with_label("the text block starts here")
                        .with_help("end the text block with `\"\"\"` on a line of its own"),
                    );
                    if end == source.len() {
                        // The rest of the file is the text; the blocks it leaves open are no news.
                        return lexical;
                    }
                    // The text ends before the `}` of its block, as the parser reads it.
                    i = end;
                    continue;
                }
            },
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n' | b'\r') {
                    let escaped = bytes[i] == b'\\'
                        && !matches!(bytes.get(i + 1), None | Some(b'\n' | b'\r'));
                    i += if escaped { 2 } else { 1 };
                }
                if i >= bytes.len() || bytes[i] != b'"' {
                    lexical.problems.push(
                        Diagnostic::error(
                            "unterminated-string",
                            Span::new(start, start + 1),
                            "this text has no closing quote",
                        )
                        .with_label("the text starts here")
                        .with_help("end the text with `\"` on the same line; for text over several lines use `\"\"\"`"),
                    );
                    // The parser reads the quote as a stray character and the rest of the line
                    // as it is, braces included; so does this check.
                    i = start + 1;
                    continue;
                }
            }
            b'{' => {
                open.push((i, line.indent(bytes)));
                if open.len() > MAX_NESTING {
                    lexical.problems.push(
                        Diagnostic::error(
                            "too-deeply-nested",
                            Span::new(i, i + 1),
                            format!("blocks are nested more than {MAX_NESTING} levels deep"),
                        )
                        .with_label("this block is too deep")
                        .with_help("a policy needs only a few levels: policy, activity, and a block inside it"),
                    );
                    lexical.fatal = true;
                    return lexical;
                }
            }
            b'}' => match open.pop() {
                // The `}` too many is likelier the first one that stood right of the line of
                // the block it closed than the last one of the file.
                None => lexical
                    .problems
                    .push(stray_close_problem(extra.take().unwrap_or(i))),
                Some((start, indent)) => {
                    let first_on_line = i - line.start == line.indent(bytes);
                    if first_on_line && line.indent(bytes) < indent && suspect.is_none() {
                        suspect = Some(start);
                    }
                    if first_on_line && line.indent(bytes) > indent && extra.is_none() {
                        extra = Some(i);
                    }
                }
            },
            _ => {}
        }
        i += 1;
    }
    if let Some(&(innermost, _)) = open.last() {
        let start = suspect.unwrap_or(innermost);
        lexical.suspect = suspect;
        lexical.problems.push(
            Diagnostic::error("unclosed-block", Span::new(start, start + 1), "this block is never closed")
                .with_label("the block opens here")
                .with_help("add a `}` where the block ends; klartext goes by the indentation to guess which block it is"),
        );
    }
    lexical
}

fn stray_close_problem(at: usize) -> Diagnostic {
    Diagnostic::error(
        "unexpected-closing-brace",
        Span::new(at, at + 1),
        "this `}` closes no block",
    )
    .with_label("no block is open here")
    .with_help("delete it, or add the `{` it belongs to; a `}` too many above may have closed the policy early")
}

/// Where a text block whose body starts at `body` ends.
pub(super) enum TextBlockEnd {
    /// At the `\"\"\"` starting at this offset.
    Closed(usize),
    /// It is never closed: its text ends at this offset, before a line that cannot be prose or
    /// at the end of the file.
    Open(usize),
}

/// Finds the end of a text block as the grammar does (`text_block_stop`).
pub(super) fn text_block_end(source: &str, body: usize) -> TextBlockEnd {
    let close = source[body..].find("\"\"\"").map(|at| body + at);
    let mut from = body;
    while let Some(newline) = source[from..].find('\n').map(|at| from + at) {
        if close.is_some_and(|close| close < newline) {
            break;
        }
        let next = &source[newline + 1..];
        let line = next.split('\n').next().unwrap_or("").trim_end_matches('\r');
        if ends_text(line) {
            // The grammar's text ends before the line break that precedes the line.
            let end = if source[..newline].ends_with('\r') {
                newline - 1
            } else {
                newline
            };
            return TextBlockEnd::Open(end);
        }
        from = newline + 1;
    }
    match close {
        Some(close) => TextBlockEnd::Closed(close),
        None => TextBlockEnd::Open(source.len()),
    }
}

/// Whether a line cannot be prose in a text block: it holds only `}`, or opens a block
/// (`activity x "T" {`) or a text (`text """`).
pub(crate) fn ends_text(line: &str) -> bool {
    let line = line.trim_matches([' ', '\t']);
    let keyword_len = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(line.len());
    let starts_with_keyword = line.starts_with(|c: char| c.is_ascii_alphabetic());
    line == "}"
        || (starts_with_keyword
            && line[keyword_len..].starts_with([' ', '\t'])
            && line[keyword_len..].trim_start() == "\"\"\"")
        || (starts_with_keyword && opens_block(line))
}

/// Whether a line is a keyword, values (words, numbers, articles, texts in quotes) and `{`, as
/// the grammar's `text_block_stop` reads it.
fn opens_block(line: &str) -> bool {
    let Some(rest) = line.strip_suffix('{') else {
        return false;
    };
    let mut rest = rest.trim_end_matches([' ', '\t']);
    let keyword_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    rest = &rest[keyword_len..];
    while !rest.is_empty() {
        let trimmed = rest.trim_start_matches([' ', '\t']);
        if trimmed.len() == rest.len() {
            return false;
        }
        rest = trimmed;
        let value_len = if let Some(body) = rest.strip_prefix('"') {
            // The closing quote, past escapes (`\"`, `\\`).
            let mut chars = body.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' => {
                        end = Some(i);
                        break;
                    }
                    _ => {}
                }
            }
            match end {
                Some(end) => end + 2,
                None => return false,
            }
        } else {
            rest.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '(' | ')')))
                .unwrap_or(rest.len())
        };
        if value_len == 0 {
            return false;
        }
        rest = &rest[value_len..];
    }
    true
}

/// The line the lexical check is in, with its indentation measured once.
#[derive(Default)]
struct Line {
    start: usize,
    indent: std::cell::Cell<Option<usize>>,
}

impl Line {
    fn starting_at(start: usize) -> Line {
        Line {
            start,
            indent: std::cell::Cell::new(None),
        }
    }

    fn indent(&self, bytes: &[u8]) -> usize {
        if let Some(indent) = self.indent.get() {
            return indent;
        }
        let indent = bytes[self.start..]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        self.indent.set(Some(indent));
        indent
    }
}
