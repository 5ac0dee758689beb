//! `klartext fmt`: a policy source in one layout (docs/language.md, "Layout").
//!
//! The layout is printed from the syntax tree, the comments beside it and the source. The tree
//! gives the items, values and blocks; the source gives what the tree does not keep and the
//! author chose: whether values were separated by commas, where a list of values was broken,
//! blank lines between items, whether a block was written on one line. Every value is printed
//! as written (a string with its escapes, a date, an article, a word), except that a duration
//! gets one space and a text block spanning lines is indented anew: so only white space changes,
//! and the model of the policy stays the same.
//!
//! Only a source without syntax problems is formatted: the tree of a damaged one does not hold
//! all of its text.

use crate::diagnostic::Diagnostic;
use crate::syntax::{self, Comment, Item, Value, ValueKind, ends_text};

/// Lists of values are wrapped before they pass this column.
pub const WIDTH: usize = 100;
/// Each block indents its facts by this many spaces.
const INDENT: usize = 2;
const BYTE_ORDER_MARK: &str = "\u{feff}";

/// The source in the canonical layout, ending in exactly one line break (empty if the source
/// holds neither an item nor a comment), or the syntax problems that keep it from being
/// formatted (the problems `klartext check` reports; their spans are in the source without its
/// byte order mark, as `compile` reads it).
///
/// Formatting keeps every comment in its place, a byte order mark and Windows line endings (the
/// first line break of the source decides), and is idempotent: formatting the result again
/// gives the same text.
pub fn format(source: &str) -> Result<String, Vec<Diagnostic>> {
    let (mark, text) = match source.strip_prefix(BYTE_ORDER_MARK) {
        Some(text) => (BYTE_ORDER_MARK, text),
        None => ("", source),
    };
    let parsed = syntax::parse(text);
    if !parsed.problems.is_empty() {
        return Err(parsed.problems);
    }
    let mut comments = parsed.file.comments.clone();
    comments.sort_by_key(|comment| comment.span.start);
    let mut printer = Printer {
        source: text,
        comments: &comments,
        next_comment: 0,
        out: String::with_capacity(text.len() + text.len() / 8),
        column: 0,
        commented: false,
        printed_to: 0,
    };
    printer.body(&parsed.file.items, 0, text.len());
    let mut out = printer.out;
    if !out.is_empty() {
        out.push('\n');
    }
    // A guard, not a path: should the printer ever lose or change a word, the source is left as
    // it is rather than rewritten with another meaning (and the tests, built with debug
    // assertions, fail).
    let same = same_tree(&parsed.file, &out);
    debug_assert!(same, "the layout changed what this source says:\n{text}");
    if !same {
        return Ok(source.to_string());
    }
    if text
        .find(['\n', '\r'])
        .is_some_and(|at| text[at..].starts_with("\r\n"))
    {
        out = out.replace('\n', "\r\n");
    }
    Ok(format!("{mark}{out}"))
}

struct Printer<'a> {
    source: &'a str,
    comments: &'a [Comment],
    /// The first comment not printed yet.
    next_comment: usize,
    out: String,
    /// The width of the last line of `out`, for wrapping.
    column: usize,
    /// Whether the last line of `out` ends in a comment.
    commented: bool,
    /// Where the last thing printed ends in the source: what stands between it and the next
    /// thing tells whether a comment ends its line and whether a blank line stood there.
    printed_to: usize,
}

impl Printer<'_> {
    fn push(&mut self, text: &str) {
        match text.rfind('\n') {
            Some(at) => self.column = width(&text[at + 1..]),
            None => self.column += width(text),
        }
        self.out.push_str(text);
    }

    /// Starts a line at `indent`, after a blank one if `blank`.
    fn start_line(&mut self, indent: usize, blank: bool) {
        if !self.out.is_empty() {
            self.push(if blank { "\n\n" } else { "\n" });
        }
        self.commented = false;
        self.push(&" ".repeat(indent));
    }

    /// The items of the file or a block, one a line at `indent`, and the comments up to `end`
    /// (the block's `}`). Blank lines between them are kept, at most one, but not at the start
    /// or the end of a block.
    fn body(&mut self, items: &[Item], indent: usize, end: usize) {
        let mut first = true;
        for item in items {
            self.comments_before(item.span.start, indent, Some(&mut first));
            let blank = !first && self.blank_line_before(item.span.start);
            self.start_line(indent, blank);
            first = false;
            self.item(item, indent, true);
        }
        self.comments_before(end, indent, Some(&mut first));
    }

    /// Prints the comments that stand before `offset`: one that ends a line of the source ends
    /// the line printed last, one on a line of its own gets a line at `indent`. Before it goes
    /// a blank line if one stood there and something was printed in the block (`first` not set;
    /// it is set no more after the comment); `first` is `None` in a list of values, where no
    /// blank line goes.
    fn comments_before(&mut self, offset: usize, indent: usize, mut first: Option<&mut bool>) {
        while let Some(comment) = self
            .comments
            .get(self.next_comment)
            .filter(|comment| comment.span.start < offset)
        {
            self.next_comment += 1;
            // A comment after another on the line printed last (the parser may have put the
            // `}` between them elsewhere, repairing a block by indentation) gets a line too.
            if self.on_own_line(comment.span.start) || self.commented {
                let blank = match first.as_deref_mut() {
                    Some(first) => !std::mem::replace(first, false),
                    None => false,
                } && self.blank_line_before(comment.span.start);
                self.start_line(indent, blank);
            } else {
                self.push(" ");
            }
            self.push("#");
            self.push(comment.text.trim_end());
            self.printed_to = comment.span.end;
            self.commented = true;
        }
    }

    /// Whether a comment starts between the offsets `start` and `end` of the source.
    fn comment_between(&self, start: usize, end: usize) -> bool {
        let at = self
            .comments
            .partition_point(|comment| comment.span.start < start);
        self.comments
            .get(at)
            .is_some_and(|comment| comment.span.start < end)
    }

    fn on_own_line(&self, offset: usize) -> bool {
        let before = &self.source[..offset];
        let line = before.rfind(['\n', '\r']).map_or(0, |at| at + 1);
        before[line..].trim_matches([' ', '\t']).is_empty()
    }

    /// Whether an empty line stands between what was printed last and `offset`.
    fn blank_line_before(&self, offset: usize) -> bool {
        let between = &self.source[self.printed_to.min(offset)..offset];
        between.replace("\r\n", "\n").matches(['\n', '\r']).count() >= 2
    }

    /// An item at `indent`, the cursor after the indentation. `wrap`: a list of values may be
    /// broken over lines (not in a block written on one line, which stays on it).
    fn item(&mut self, item: &Item, indent: usize, wrap: bool) {
        self.push(&item.keyword.text);
        self.printed_to = item.keyword.span.end;
        // Continuation lines stand under the first value.
        let column = indent + width(&item.keyword.text) + 1;
        let breaks = self.line_breaks(&item.values, indent, column, wrap);
        for (at, value) in item.values.iter().enumerate() {
            if at > 0 {
                let (previous, next) = (item.values[at - 1].span.end, value.span.start);
                if let Some(comma) = comma_between(self.source, previous, next) {
                    self.push(",");
                    self.printed_to = comma + 1;
                }
                if breaks[at] {
                    self.comments_before(next, column, None);
                    self.start_line(column, false);
                } else {
                    self.push(" ");
                }
            } else {
                self.push(" ");
            }
            self.value(value, indent);
        }
        if let (Some(block), Some(braces)) = (&item.block, item.block_span) {
            let written = &self.source[braces.range()];
            if block.is_empty() && !self.comment_between(braces.start, braces.end) {
                self.push(" {}");
            } else if !has_line_break(written) {
                // Nothing in a block on one line can be a comment, which would end the line.
                self.push(" { ");
                for (at, fact) in block.iter().enumerate() {
                    if at > 0 {
                        self.push("; ");
                    }
                    self.item(fact, indent, false);
                }
                self.push(" }");
            } else {
                self.push(" {");
                self.printed_to = braces.start + 1;
                self.body(block, indent + INDENT, braces.end - 1);
                self.start_line(indent, false);
                self.push("}");
            }
            self.printed_to = braces.end;
        }
    }

    /// Before which values a list of values starting at `column` breaks its line. A list keeps
    /// the line breaks its author wrote, and a comment ends its line. A list with a line that
    /// would pass [`WIDTH`] with more than one value on it is filled anew (if `wrap`): as many
    /// values on each line as fit, so that no line is left with one short value. A line breaks
    /// only after a comma, and never before a text block, whose `"""` at the start of a line
    /// would close a text.
    fn line_breaks(&self, values: &[Value], indent: usize, column: usize, wrap: bool) -> Vec<bool> {
        let layout = |keep_breaks: bool| {
            let mut breaks = vec![false; values.len()];
            let mut overflows = false;
            let mut at_column = column;
            for (at, value) in values.iter().enumerate() {
                if at > 0 {
                    let (previous, next) = (values[at - 1].span.end, value.span.start);
                    if comma_between(self.source, previous, next).is_some() {
                        at_column += 1;
                        let broken = self.comment_between(previous, next)
                            || (keep_breaks && has_line_break(&self.source[previous..next]));
                        let too_wide = !matches!(value.kind, ValueKind::TextBlock(_))
                            && at_column + 1 + self.run_width(values, at) > WIDTH;
                        breaks[at] = broken || (!keep_breaks && too_wide);
                        overflows |= too_wide && !breaks[at];
                    }
                    at_column = if breaks[at] { column } else { at_column + 1 };
                }
                at_column = match &value.kind {
                    // After a text block over several lines, the line is its closing `"""`.
                    ValueKind::TextBlock(_) if has_line_break(&self.source[value.span.range()]) => {
                        indent + 3
                    }
                    _ => at_column + self.value_width(value),
                };
            }
            (breaks, overflows)
        };
        let (breaks, overflows) = layout(true);
        if wrap && overflows {
            layout(false).0
        } else {
            breaks
        }
    }

    /// The width of the values from `at` up to the next comma, and the comma.
    fn run_width(&self, values: &[Value], at: usize) -> usize {
        let mut total = self.value_width(&values[at]);
        for next in at + 1..values.len() {
            if comma_between(
                self.source,
                values[next - 1].span.end,
                values[next].span.start,
            )
            .is_some()
            {
                return total + 1;
            }
            total += 1 + self.value_width(&values[next]);
        }
        total
    }

    fn value_width(&self, value: &Value) -> usize {
        let written = &self.source[value.span.range()];
        match &value.kind {
            // A text block over several lines starts with its `"""`.
            ValueKind::TextBlock(_) if has_line_break(written) => 3,
            ValueKind::Duration { amount: _, unit } => {
                width(duration_amount(written)) + 1 + width(&unit.text)
            }
            _ => width(written),
        }
    }

    fn value(&mut self, value: &Value, indent: usize) {
        let written = &self.source[value.span.range()];
        match &value.kind {
            ValueKind::Duration { amount: _, unit } => {
                self.push(duration_amount(written));
                self.push(" ");
                self.push(&unit.text);
            }
            ValueKind::TextBlock(text) if has_line_break(written) => {
                self.text_block(text, written, indent);
            }
            // Strings keep their escapes; a text block on one line, dates, articles, numbers
            // and words are printed as written.
            _ => self.push(written),
        }
        self.printed_to = value.span.end;
    }

    /// A text block over several lines: `"""`, its lines indented one step further than the
    /// item, and `"""` on a line of its own at the item's indentation. It reads back as the same
    /// text: the dedent of the parser removes exactly the indentation added, keeps what the
    /// lines had beyond it, and keeps the trailing spaces of a hard line break.
    fn text_block(&mut self, text: &str, written: &str, indent: usize) {
        // A line that would end the text if it stood on a line of its own (`}`, or a line that
        // opens a block) can only be one written after the opening `"""` or before the closing
        // one: it stays there, and the block is kept as written.
        if text.split('\n').any(ends_text) {
            self.push(&written.replace("\r\n", "\n").replace('\r', "\n"));
            return;
        }
        self.push("\"\"\"");
        let body = " ".repeat(indent + INDENT);
        // An empty text has no line: one empty line would read back as the same, but say more.
        if !text.is_empty() {
            for line in text.split('\n') {
                self.push("\n");
                if !line.is_empty() {
                    self.push(&body);
                    self.push(line);
                }
            }
        }
        self.start_line(indent, false);
        self.push("\"\"\"");
    }
}

/// Where the comma between two values stands, if there is one (only white space can stand
/// before it: a comment would end the line).
fn comma_between(source: &str, previous: usize, next: usize) -> Option<usize> {
    let between = &source[previous..next];
    let rest = between.trim_start_matches([' ', '\t']);
    rest.starts_with(',')
        .then_some(previous + between.len() - rest.len())
}

/// The number of a duration as written (`30` of `30 days`).
fn duration_amount(written: &str) -> &str {
    written.split([' ', '\t']).next().unwrap_or(written)
}

fn has_line_break(text: &str) -> bool {
    text.contains(['\n', '\r'])
}

/// The columns a text takes in a terminal or editor.
fn width(text: &str) -> usize {
    textwrap::core::display_width(text)
}

/// Whether `formatted` reads as the same tree as `original`: the same items, values and blocks,
/// and the same comments.
fn same_tree(original: &syntax::File, formatted: &str) -> bool {
    let reread = syntax::parse(formatted);
    let comments = |file: &syntax::File| -> Vec<String> {
        file.comments
            .iter()
            .map(|comment| comment.text.trim_end().to_string())
            .collect()
    };
    reread.problems.is_empty()
        && same_items(&original.items, &reread.file.items)
        && comments(original) == comments(&reread.file)
}

fn same_items(a: &[Item], b: &[Item]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(a, b)| {
            a.keyword.text == b.keyword.text
                && a.values.len() == b.values.len()
                && a.values
                    .iter()
                    .zip(&b.values)
                    .all(|(a, b)| same_value(&a.kind, &b.kind))
                && match (&a.block, &b.block) {
                    (Some(a), Some(b)) => same_items(a, b),
                    (None, None) => true,
                    _ => false,
                }
        })
}

fn same_value(a: &ValueKind, b: &ValueKind) -> bool {
    match (a, b) {
        (
            ValueKind::Duration { amount, unit },
            ValueKind::Duration {
                amount: other,
                unit: other_unit,
            },
        ) => amount == other && unit.text == other_unit.text,
        // Texts compare by their text; the other kinds hold no span.
        _ => a == b,
    }
}
