use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;

use super::ast::{Comment, File, Item, Value, ValueKind, Word};
use crate::diagnostic::{Diagnostic, Span};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/klartext.pest"]
struct Grammar;

/// Deepest nesting of blocks a policy may have. Real policies use four levels; the limit keeps the
/// recursive-descent parser far from the end of its stack on hostile input.
pub const MAX_NESTING: usize = 32;

/// Parses a policy source. Returns the tree, or every syntax error found.
pub fn parse(source: &str) -> Result<File, Vec<Diagnostic>> {
    if let Some(problem) = lexical_check(source) {
        return Err(vec![problem]);
    }
    let mut pairs = match Grammar::parse(Rule::file, source) {
        Ok(pairs) => pairs,
        Err(error) => return Err(vec![syntax_error(source, &error)]),
    };
    let mut builder = Builder::default();
    let items = pairs
        .next()
        .map(|file| builder.items(file.into_inner()))
        .unwrap_or_default();
    if builder.problems.is_empty() {
        Ok(File {
            items,
            comments: builder.comments,
        })
    } else {
        Err(builder.problems)
    }
}

#[derive(Default)]
struct Builder {
    comments: Vec<Comment>,
    problems: Vec<Diagnostic>,
}

impl Builder {
    fn items(&mut self, pairs: pest::iterators::Pairs<'_, Rule>) -> Vec<Item> {
        let mut items = Vec::new();
        for pair in pairs {
            match pair.as_rule() {
                Rule::item => items.push(self.item(pair)),
                Rule::COMMENT => self.comment(pair),
                _ => {}
            }
        }
        items
    }

    fn comment(&mut self, pair: Pair<'_, Rule>) {
        self.comments.push(Comment {
            text: pair.as_str()[1..].to_string(),
            span: span_of(&pair),
        });
    }

    fn item(&mut self, pair: Pair<'_, Rule>) -> Item {
        let span = span_of(&pair);
        let mut keyword = None;
        let mut values = Vec::new();
        let mut block = None;
        let mut block_span = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::keyword => keyword = Some(word(&part)),
                Rule::block => {
                    block_span = Some(span_of(&part));
                    block = Some(self.items(part.into_inner()));
                }
                Rule::COMMENT => self.comment(part),
                _ => values.push(self.value(part)),
            }
        }
        // The grammar lets an item swallow a comment after its last value; the item ends where
        // its last value or block ends, so a formatter can put the comment back behind it.
        let end = block_span
            .or_else(|| values.last().map(|v| v.span))
            .or_else(|| keyword.as_ref().map(|k| k.span))
            .map_or(span.end, |last| last.end);
        let span = Span::new(span.start, end);
        Item {
            keyword: keyword.unwrap_or_else(|| Word {
                text: String::new(),
                span,
            }),
            values,
            block,
            block_span,
            span,
        }
    }

    fn value(&mut self, pair: Pair<'_, Rule>) -> Value {
        let span = span_of(&pair);
        let kind = match pair.as_rule() {
            Rule::string => {
                let body = pair.into_inner().next().map_or("", |p| p.as_str());
                ValueKind::String(self.unescape(body, span.start + 1))
            }
            Rule::text_block => {
                let body = pair.into_inner().next().map_or("", |p| p.as_str());
                self.check_control_characters(body, span.start + 3, true);
                ValueKind::TextBlock(dedent(body))
            }
            Rule::date => ValueKind::Date(pair.as_str().to_string()),
            Rule::article => ValueKind::Article(pair.as_str().to_string()),
            Rule::duration => {
                let mut inner = pair.into_inner();
                let amount = inner.next().map_or(0, |n| self.number(&n));
                let unit = inner.next().map_or_else(
                    || Word {
                        text: String::new(),
                        span,
                    },
                    |u| word(&u),
                );
                ValueKind::Duration { amount, unit }
            }
            Rule::number => ValueKind::Number(self.number(&pair)),
            _ => ValueKind::Word(pair.as_str().to_string()),
        };
        Value { kind, span }
    }

    fn number(&mut self, pair: &Pair<'_, Rule>) -> u64 {
        pair.as_str().parse().unwrap_or_else(|_| {
            self.problems.push(
                Diagnostic::error(
                    "number-too-large",
                    span_of(pair),
                    "this number is too large",
                )
                .with_help("numbers in a policy are counts of days, months or years"),
            );
            0
        })
    }

    fn unescape(&mut self, body: &str, offset: usize) -> String {
        self.check_control_characters(body, offset, false);
        let mut text = String::with_capacity(body.len());
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                text.push(c);
                continue;
            }
            match chars.next() {
                Some((_, '"')) => text.push('"'),
                Some((_, '\\')) => text.push('\\'),
                Some((j, other)) => {
                    self.problems.push(
                        Diagnostic::error(
                            "invalid-escape",
                            Span::new(offset + i, offset + j + other.len_utf8()),
                            format!("`\\{other}` is not a valid escape"),
                        )
                        .with_help(
                            "inside quotes, write `\\\"` for a quote and `\\\\` for a backslash",
                        ),
                    );
                }
                None => {}
            }
        }
        text
    }

    fn check_control_characters(&mut self, text: &str, offset: usize, multiline: bool) {
        let allowed = |c: char| c == '\t' || (multiline && (c == '\n' || c == '\r'));
        if let Some((i, c)) = text
            .char_indices()
            .find(|&(_, c)| c.is_control() && !allowed(c))
        {
            self.problems.push(
                Diagnostic::error(
                    "control-character",
                    Span::new(offset + i, offset + i + c.len_utf8()),
                    format!(
                        "the text contains the invisible control character {}",
                        describe_char(c)
                    ),
                )
                .with_help("delete it; it was probably copied in by accident"),
            );
        }
    }
}

fn word(pair: &Pair<'_, Rule>) -> Word {
    Word {
        text: pair.as_str().to_string(),
        span: span_of(pair),
    }
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let span = pair.as_span();
    Span::new(span.start(), span.end())
}

/// Removes the indentation that a text block shares with its lines, and the blank first and
/// last lines that come from putting `"""` on lines of their own.
fn dedent(body: &str) -> String {
    let body = body.replace("\r\n", "\n").replace('\r', "\n");
    let mut lines: Vec<&str> = body.split('\n').collect();
    if lines.first().is_some_and(|line| line.trim().is_empty()) {
        lines.remove(0);
    }
    if lines.last().is_some_and(|line| line.trim().is_empty()) {
        lines.pop();
    }
    let indent = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|line| line.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("`{c}`")
    }
}

/// Scans quotes and braces before parsing, so that absurd nesting is refused without recursing
/// into it, and so that a text or block left open is reported where it was opened, not where the
/// parser gave up.
fn lexical_check(source: &str) -> Option<Diagnostic> {
    let bytes = source.as_bytes();
    // Each open block: where its `{` is, and the indentation of the line it is on.
    let mut open: Vec<(usize, usize)> = Vec::new();
    // A block whose `}` stood left of its opening line: the likeliest one to have lost its `}`.
    let mut suspect: Option<usize> = None;
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
            b'"' if source[i..].starts_with("\"\"\"") => match source[i + 3..].find("\"\"\"") {
                Some(end) => {
                    let close = i + 3 + end;
                    if let Some(newline) = source[i..close].rfind('\n') {
                        line = Line::starting_at(i + newline + 1);
                    }
                    i = close + 2;
                }
                None => {
                    return Some(
                        Diagnostic::error(
                            "unterminated-text-block",
                            Span::new(i, i + 3),
                            "this text block is never closed",
                        )
                        .with_label("the text block starts here")
                        .with_help("end the text block with `\"\"\"`"),
                    );
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
                    return Some(
                        Diagnostic::error(
                            "unterminated-string",
                            Span::new(start, start + 1),
                            "this text has no closing quote",
                        )
                        .with_label("the text starts here")
                        .with_help("end the text with `\"` on the same line; for text over several lines use `\"\"\"`"),
                    );
                }
            }
            b'{' => {
                open.push((i, line.indent(bytes)));
                if open.len() > MAX_NESTING {
                    return Some(
                        Diagnostic::error(
                            "too-deeply-nested",
                            Span::new(i, i + 1),
                            format!("blocks are nested more than {MAX_NESTING} levels deep"),
                        )
                        .with_label("this block is too deep")
                        .with_help("a policy needs only a few levels: policy, activity, and a block inside it"),
                    );
                }
            }
            b'}' => {
                let Some((start, indent)) = open.pop() else {
                    return Some(
                        Diagnostic::error(
                            "unexpected-closing-brace",
                            Span::new(i, i + 1),
                            "this `}` closes no block",
                        )
                        .with_label("no block is open here")
                        .with_help("delete it, or add the `{` it belongs to"),
                    );
                };
                let first_on_line = i - line.start == line.indent(bytes);
                if first_on_line && line.indent(bytes) < indent && suspect.is_none() {
                    suspect = Some(start);
                }
            }
            _ => {}
        }
        i += 1;
    }
    let (innermost, _) = open.pop()?;
    let start = suspect.unwrap_or(innermost);
    Some(
        Diagnostic::error("unclosed-block", Span::new(start, start + 1), "this block is never closed")
            .with_label("the block opens here")
            .with_help("add a `}` where the block ends; klartext goes by the indentation to guess which block it is"),
    )
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

fn syntax_error(source: &str, error: &pest::error::Error<Rule>) -> Diagnostic {
    let position = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    };
    let found = source[position..].chars().next();
    let expected = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => expected(positives),
        ErrorVariant::CustomError { .. } => None,
    };
    let (message, span) = match found {
        None => (
            "the file ends too early".to_string(),
            Span::new(position, position),
        ),
        Some(c) if c == '\n' || c == '\r' => (
            "this line ends too early".to_string(),
            Span::new(position, position),
        ),
        Some(c) => (
            format!("klartext did not expect {} here", describe_char(c)),
            Span::new(position, position + c.len_utf8()),
        ),
    };
    let mut diagnostic = Diagnostic::error("syntax-error", span, message);
    if let Some(expected) = expected {
        diagnostic = diagnostic.with_label(format!("expected {expected}"));
    }
    let line_start = source[..position].rfind('\n').map_or(0, |i| i + 1);
    let keyword: String = source[line_start..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let help = if position == 0 || source[..position].trim().is_empty() {
        "a policy starts with `policy \"Title\" {`".to_string()
    } else if let Some(date) = german_date(source, position) {
        format!("dates are written year-month-day: `{date}`")
    } else if let Some(example) = crate::lower::example(&keyword) {
        format!("write it like `{example}`")
    } else {
        "a fact is a keyword followed by its values, e.g. `retention 30 days`; a value is a text in \
         quotes, a date, a duration, an article or a word"
            .to_string()
    };
    diagnostic.with_help(help)
}

/// `02.05.2024` at the error, as `2024-05-02`: German notices write dates day first.
fn german_date(source: &str, position: usize) -> Option<String> {
    let is_part = |c: char| c.is_ascii_digit() || c == '.';
    let start = source[..position]
        .rfind(|c: char| !is_part(c))
        .map_or(0, |i| i + 1);
    let end = source[position..]
        .find(|c: char| !is_part(c))
        .map_or(source.len(), |i| position + i);
    let parts: Vec<&str> = source[start..end]
        .trim_end_matches('.')
        .split('.')
        .collect();
    match parts.as_slice() {
        [day, month, year]
            if day.len() <= 2 && month.len() <= 2 && year.len() == 4 && !day.is_empty() =>
        {
            Some(format!("{year}-{month:0>2}-{day:0>2}"))
        }
        _ => None,
    }
}

fn expected(rules: &[Rule]) -> Option<String> {
    let mut names: Vec<&str> = rules
        .iter()
        .filter_map(|rule| match rule {
            Rule::keyword | Rule::item => Some("a keyword"),
            Rule::block => Some("`{`"),
            Rule::EOI => Some("the end of the file"),
            Rule::string
            | Rule::text_block
            | Rule::date
            | Rule::article
            | Rule::duration
            | Rule::number
            | Rule::word => Some("a value"),
            _ => None,
        })
        .collect();
    names.dedup();
    match names.as_slice() {
        [] => None,
        [one] => Some((*one).to_string()),
        [rest @ .., last] => Some(format!("{} or {last}", rest.join(", "))),
    }
}
