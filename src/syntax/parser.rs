use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;

use super::ast::{Comment, File, Item, Value, ValueKind, Word};
use super::lexical::lexical_check;
use crate::diagnostic::{Diagnostic, Span};
use crate::text::TextBuilder;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/klartext.pest"]
struct Grammar;

/// Deepest nesting of blocks a policy may have. Real policies use four levels; the limit keeps the
/// recursive-descent parser far from the end of its stack on hostile input.
pub const MAX_NESTING: usize = 32;

/// An item that takes the lines after it that stand further right than `column`.
struct Header {
    item: Item,
    kind: HeaderKind,
    column: usize,
}

enum HeaderKind {
    /// A damaged line (reported) that may have lost the `{` of its block: kept only if facts
    /// follow.
    Damaged,
    /// An item without a block: if facts follow, it lost its `{`, which is reported.
    Intact,
    /// A block whose `}` was taken by a header inside it: what stands further right after it is
    /// still its own.
    ClosedEarly,
    /// Lines further right than the facts around them, after no line that could hold them: the
    /// line that opened their block was lost. They are reported once and left out.
    Lost,
}

/// A parsed source: the tree of everything that could be read, and every problem found.
#[derive(Debug, Clone, PartialEq)]
pub struct Parse {
    pub file: File,
    pub problems: Vec<Diagnostic>,
}

/// Parses a policy source. Never gives up: a line that cannot be read costs that line (and the
/// block it opens), the items around it stay in the tree, and every problem is reported.
pub fn parse(source: &str) -> Parse {
    let lexical = lexical_check(source);
    let mut builder = Builder {
        source,
        comments: Vec::new(),
        damaged: Vec::new(),
        problems: lexical.problems,
        suspect: lexical.suspect,
        stray_close: false,
    };
    if lexical.fatal {
        builder.damaged.push(Span::new(0, source.len()));
        return builder.finish(Vec::new());
    }
    let items = match Grammar::parse(Rule::file, source) {
        Ok(mut pairs) => pairs
            .next()
            .map(|file| builder.top(file.into_inner()))
            .unwrap_or_default(),
        // The grammar reads any input; this is a guard, not a path.
        Err(error) => {
            let (position, positives) = failure(&error);
            builder
                .problems
                .push(syntax_error(source, position, &positives, false));
            builder.damaged.push(Span::new(0, source.len()));
            Vec::new()
        }
    };
    builder.finish(items)
}

struct Builder<'s> {
    source: &'s str,
    comments: Vec<Comment>,
    damaged: Vec<Span>,
    problems: Vec<Diagnostic>,
    /// The `{` of the block the lexical check found to have lost its `}`.
    suspect: Option<usize>,
    /// Whether a `}` closed nothing at the top of the file.
    stray_close: bool,
}

impl Builder<'_> {
    fn finish(mut self, items: Vec<Item>) -> Parse {
        self.problems.sort_by_key(|problem| problem.span.start);
        Parse {
            file: File {
                items,
                comments: self.comments,
                damaged: self.damaged,
            },
            problems: self.problems,
        }
    }

    /// The items of the file. A `}` that closes nothing there usually means a `}` too many
    /// above it closed the policy early: what stands between is put back into the policy.
    fn top(&mut self, pairs: pest::iterators::Pairs<'_, Rule>) -> Vec<Item> {
        let mut items = self.items(pairs);
        let closed_early = items.len() > 1
            && items[0].keyword.text == "policy"
            && items[0].block.is_some()
            && self.stray_close;
        if closed_early {
            let rest = items.split_off(1);
            if let Some(block) = &mut items[0].block {
                block.extend(rest);
            }
        }
        items
    }

    fn items(&mut self, pairs: pest::iterators::Pairs<'_, Rule>) -> Vec<Item> {
        let (mut items, overflow, _) = self.block_items(pairs);
        items.extend(overflow);
        items
    }

    /// The items of a block, and those that follow the block that lost its `}` (the suspect)
    /// among them: the `}` that closed it in the parse was this block's own, so they belong
    /// after this block.
    fn block_items(
        &mut self,
        pairs: pest::iterators::Pairs<'_, Rule>,
    ) -> (Vec<Item>, Vec<Item>, bool) {
        let mut items = Vec::new();
        let mut suspect_at = None;
        // A line that may be the header of a block whose `{` was lost (a damaged line, or an
        // item without a block): the lines after it that stand further right are its facts, and
        // the `}` at its own column ends it.
        let mut header: Option<Header> = None;
        // The column of the block's facts, from its first one.
        let mut facts_column = None;
        for pair in pairs {
            match pair.as_rule() {
                Rule::item => {
                    let (item, hoisted, closed_early) = self.item(pair);
                    let column = self.column(item.span.start);
                    if let Some(header) = &mut header
                        && self.takes(header, &item)
                    {
                        let block = header.item.block.get_or_insert_with(Vec::new);
                        block.push(item);
                        block.extend(hoisted);
                        continue;
                    }
                    self.end_header(&mut header, &mut items, None);
                    if let Some(facts) = facts_column
                        && column > facts
                        && self.first_on_line(item.span.start)
                    {
                        let span = item.span;
                        header = Some(Header {
                            item: Item {
                                keyword: Word {
                                    text: String::new(),
                                    span,
                                },
                                values: Vec::new(),
                                block: Some(vec![item]),
                                block_span: None,
                                span,
                            },
                            kind: HeaderKind::Lost,
                            column: facts,
                        });
                        continue;
                    }
                    facts_column.get_or_insert(column);
                    if item
                        .block_span
                        .is_some_and(|b| Some(b.start) == self.suspect)
                    {
                        suspect_at = Some(items.len() + 1 + hoisted.len());
                    }
                    let kind = if closed_early && hoisted.is_empty() {
                        Some(HeaderKind::ClosedEarly)
                    } else if item.block.is_none() && hoisted.is_empty() {
                        Some(HeaderKind::Intact)
                    } else {
                        None
                    };
                    match kind {
                        Some(kind) => header = Some(Header { item, kind, column }),
                        None => {
                            items.push(item);
                            items.extend(hoisted);
                        }
                    }
                }
                Rule::damaged => {
                    self.end_header(&mut header, &mut items, None);
                    let column = self.column(span_of(&pair).start);
                    facts_column.get_or_insert(column);
                    header = self.damaged(pair).map(|item| Header {
                        item,
                        kind: HeaderKind::Damaged,
                        column,
                    });
                }
                Rule::stray_close => {
                    let at = span_of(&pair).start;
                    self.damaged.push(span_of(&pair));
                    let closes_header =
                        header.as_ref().is_some_and(|h| self.column(at) == h.column);
                    self.stray_close |= !closes_header;
                    self.end_header(&mut header, &mut items, closes_header.then_some(at));
                }
                Rule::COMMENT => self.comment(pair),
                _ => {}
            }
        }
        let close = header.as_ref().and_then(|h| {
            let end = h.item.block.as_ref()?.last()?.span.end;
            self.brace_at_column_after(end, h.column)
        });
        self.end_header(&mut header, &mut items, close);
        let overflow = suspect_at.map_or_else(Vec::new, |at| items.split_off(at.min(items.len())));
        // The `}` after the last item was taken by a header: this block ends later.
        (items, overflow, close.is_some())
    }

    /// Ends a recovered header: with facts after it, it is kept as the block it was meant to be
    /// (its `}` at `close`, which then needs no report of its own); without, it was a damaged
    /// fact and is left out.
    fn end_header(
        &mut self,
        header: &mut Option<Header>,
        items: &mut Vec<Item>,
        close: Option<usize>,
    ) {
        let Some(Header { mut item, kind, .. }) = header.take() else {
            return;
        };
        if let HeaderKind::Lost = kind {
            if let Some(at) = close {
                self.problems
                    .retain(|p| !(p.name == "unexpected-closing-brace" && p.span.start == at));
            }
            let first = item.span;
            self.problems.push(
                Diagnostic::error(
                    "missing-block-start",
                    Span::new(first.start, first.start),
                    "these lines stand further right than the facts around them, but no line above opens their block",
                )
                .with_label("the line that opens their block seems to be missing above")
                .with_help("add the line that opens the block (e.g. `basis 6(1)(a) {`) above them, or move them left"),
            );
            return;
        }
        let Some(block) = &item.block else {
            if !matches!(kind, HeaderKind::Damaged) {
                items.push(item);
            }
            return;
        };
        if let HeaderKind::ClosedEarly = kind {
            let end = close.map_or_else(
                || block.last().map_or(item.span.end, |l| l.span.end),
                |at| at + 1,
            );
            if let Some(at) = close {
                self.problems
                    .retain(|p| !(p.name == "unexpected-closing-brace" && p.span.start == at));
            }
            if let Some(braces) = &mut item.block_span {
                braces.end = braces.end.max(end);
            }
            item.span.end = item.span.end.max(end);
            items.push(item);
            return;
        }
        if let HeaderKind::Intact = kind {
            let at = item.span.end;
            self.problems.push(
                Diagnostic::error(
                    "missing-block",
                    Span::new(at, at),
                    format!("`{}` is missing the `{{` of its block", item.keyword.text),
                )
                .with_label("expected `{` here")
                .with_help("the lines below stand further right, so they belong to it: add `{` at the end of this line"),
            );
        }
        let start = block
            .first()
            .map_or(item.span.end, |first| first.span.start);
        let end = close.map_or_else(
            || block.last().map_or(start, |last| last.span.end),
            |at| at + 1,
        );
        if let Some(at) = close {
            self.problems
                .retain(|p| !(p.name == "unexpected-closing-brace" && p.span.start == at));
        }
        item.block_span = Some(Span::new(start, end));
        item.span = Span::new(item.span.start, end);
        items.push(item);
    }

    /// The first `}` after `offset`, past white space, line breaks and comments, if it stands at
    /// the header's column.
    fn brace_at_column_after(&self, offset: usize, column: usize) -> Option<usize> {
        let mut at = offset;
        let rest = &self.source[offset..];
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                ' ' | '\t' | '\r' | '\n' => {}
                '#' => {
                    for (_, c) in chars.by_ref() {
                        if c == '\n' {
                            break;
                        }
                    }
                }
                '}' => {
                    at = offset + i;
                    break;
                }
                _ => return None,
            }
        }
        (self.source[at..].starts_with('}') && self.column(at) == column).then_some(at)
    }

    /// A line that is not an item: reported once, unless the lexical check already reported
    /// what damaged it. Items inside a block it opens are read for their own problems. If it
    /// opens no block, the words that could be read are returned as an item, to become the
    /// header of a block whose `{` is missing if the lines after it say so.
    fn damaged(&mut self, pair: Pair<'_, Rule>) -> Option<Item> {
        let span = span_of(&pair);
        self.damaged.push(span);
        let covered = self
            .problems
            .iter()
            .any(|p| p.span.start >= span.start && p.span.start < span.end.max(span.start + 1));
        let mut header = None;
        let mut opens_block = false;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::damaged_text => {
                    let (problem, readable) = self.explain_damage(&part);
                    if !covered {
                        self.problems.push(problem);
                    }
                    header = readable;
                }
                Rule::block => {
                    opens_block = true;
                    if !covered && span.start == span_of(&part).start {
                        self.problems.push(
                            Diagnostic::error(
                                "syntax-error",
                                Span::new(span.start, span.start + 1),
                                "this block has no keyword",
                            )
                            .with_label("expected a keyword before `{`")
                            .with_help("a block starts with its keyword, e.g. `activity logs \"Protokolle\" {`"),
                        );
                    }
                    self.items(part.into_inner());
                }
                Rule::COMMENT => self.comment(part),
                _ => {}
            }
        }
        header.filter(|_| !opens_block)
    }

    /// Says where a damaged line stops being an item and what was expected there, and returns
    /// what comes before as an item if it reads as one.
    fn explain_damage(&mut self, text: &Pair<'_, Rule>) -> (Diagnostic, Option<Item>) {
        let start = text.as_span().start();
        let (problem, readable) = match Grammar::parse(Rule::damaged_line, text.as_str()) {
            Err(error) => {
                let (position, positives) = failure(&error);
                (
                    syntax_error(self.source, start + position, &positives, true),
                    &text.as_str()[..position.min(text.as_str().len())],
                )
            }
            // The words read as an item alone; what follows them on the line is the problem.
            Ok(_) => {
                let end = text.as_span().end();
                (syntax_error(self.source, end, &[], true), text.as_str())
            }
        };
        let header = Grammar::parse(Rule::damaged_line, readable.trim_end())
            .ok()
            .and_then(|mut pairs| pairs.next())
            .map(|line| {
                let mut keyword = None;
                let mut values = Vec::new();
                for part in line.into_inner() {
                    match part.as_rule() {
                        Rule::keyword => keyword = Some(part),
                        Rule::EOI => {}
                        _ => values.push(part),
                    }
                }
                (keyword, values)
            });
        let item = match header {
            Some((Some(keyword), values)) => {
                let keyword = Word {
                    text: keyword.as_str().to_string(),
                    span: span_of(&keyword).shifted(start),
                };
                let values: Vec<Value> = values
                    .into_iter()
                    .map(|v| self.value_at(v, start))
                    .collect();
                let end = values.last().map_or(keyword.span.end, |v| v.span.end);
                Some(Item {
                    span: Span::new(keyword.span.start, end),
                    keyword,
                    values,
                    block: None,
                    block_span: None,
                })
            }
            _ => None,
        };
        (problem, item)
    }

    fn comment(&mut self, pair: Pair<'_, Rule>) {
        self.comments.push(Comment {
            text: pair.as_str()[1..].to_string(),
            span: span_of(&pair),
        });
    }

    /// An item, and the items to put after it: when its block is the one that lost its `}`, the
    /// items in it that stand no further right than its keyword belong after it.
    fn item(&mut self, pair: Pair<'_, Rule>) -> (Item, Vec<Item>, bool) {
        let span = span_of(&pair);
        let mut keyword = None;
        let mut values = Vec::new();
        let mut block = None;
        let mut block_span = None;
        let mut hoisted = Vec::new();
        let mut closed_early = false;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::keyword => keyword = Some(word(&part)),
                Rule::block => {
                    let mut braces = span_of(&part);
                    let (mut items, overflow, early) = self.block_items(part.into_inner());
                    hoisted.extend(overflow);
                    // A `}` that stands right of the line it would close belongs to a block
                    // inside that lost its opening line: this block ends at a later `}`.
                    let brace = braces.end.saturating_sub(1);
                    let foreign_brace = self.source.as_bytes().get(brace) == Some(&b'}')
                        && brace > braces.start
                        && self.column(brace) > self.column(span.start)
                        && self.source[..brace]
                            .rfind('\n')
                            .is_some_and(|line| self.source[line + 1..brace].trim().is_empty());
                    closed_early = early || foreign_brace;
                    if self.suspect == Some(braces.start) {
                        let column = self.column(span.start);
                        let cut = items
                            .iter()
                            .position(|item| self.column(item.span.start) <= column)
                            .unwrap_or(items.len());
                        hoisted.splice(0..0, items.split_off(cut));
                        braces.end = items.last().map_or(braces.start + 1, |i| i.span.end);
                    }
                    block_span = Some(braces);
                    block = Some(items);
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
        let item = Item {
            keyword: keyword.unwrap_or_else(|| Word {
                text: String::new(),
                span,
            }),
            values,
            block,
            block_span,
            span,
        };
        (item, hoisted, closed_early)
    }

    /// Whether `item` stands on a line below the header and further right: one of its facts.
    fn takes(&self, header: &Header, item: &Item) -> bool {
        let below = header.item.block.is_some()
            || self
                .source
                .get(header.item.span.end..item.span.start)
                .is_some_and(|between| between.contains('\n'));
        below && self.column(item.span.start) > header.column
    }

    /// Whether only white space stands before `offset` on its line.
    fn first_on_line(&self, offset: usize) -> bool {
        let line_start = self.source[..offset].rfind('\n').map_or(0, |i| i + 1);
        self.source[line_start..offset].trim().is_empty()
    }

    /// How far right an offset stands on its line, in bytes.
    fn column(&self, offset: usize) -> usize {
        offset - self.source[..offset].rfind('\n').map_or(0, |i| i + 1)
    }

    fn value(&mut self, pair: Pair<'_, Rule>) -> Value {
        self.value_at(pair, 0)
    }

    /// A value parsed from the text that starts at `base` in the source.
    fn value_at(&mut self, pair: Pair<'_, Rule>, base: usize) -> Value {
        let span = span_of(&pair).shifted(base);
        let kind = match pair.as_rule() {
            Rule::string => {
                let body = pair.into_inner().next().map_or("", |p| p.as_str());
                ValueKind::String(self.unescape(body, span.start + 1).finish(span))
            }
            Rule::text_block => {
                let body = pair.into_inner().next().map_or("", |p| p.as_str());
                self.check_control_characters(body, span.start + 3, true);
                ValueKind::TextBlock(dedent(body, span.start + 3).finish(span))
            }
            Rule::date => ValueKind::Date(pair.as_str().to_string()),
            Rule::article => ValueKind::Article(pair.as_str().to_string()),
            Rule::duration => {
                let mut inner = pair.into_inner();
                let amount = inner.next().map_or(0, |n| self.number(&n, base));
                let unit = inner.next().map_or_else(
                    || Word {
                        text: String::new(),
                        span,
                    },
                    |u| {
                        let mut unit = word(&u);
                        unit.span = unit.span.shifted(base);
                        unit
                    },
                );
                ValueKind::Duration { amount, unit }
            }
            Rule::number => ValueKind::Number(self.number(&pair, base)),
            _ => ValueKind::Word(pair.as_str().to_string()),
        };
        Value { kind, span }
    }

    fn number(&mut self, pair: &Pair<'_, Rule>, base: usize) -> u64 {
        pair.as_str().parse().unwrap_or_else(|_| {
            self.problems.push(
                Diagnostic::error(
                    "number-too-large",
                    span_of(pair).shifted(base),
                    "this number is too large",
                )
                .with_help("numbers in a policy are counts of days, months or years"),
            );
            0
        })
    }

    /// The text of a string whose body starts at `offset` in the source, escapes resolved: an
    /// escaped character maps to where it is written, after its backslash.
    fn unescape(&mut self, body: &str, offset: usize) -> TextBuilder {
        self.check_control_characters(body, offset, false);
        let mut text = TextBuilder::new();
        text.continue_at(offset);
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                text.push(c);
                continue;
            }
            let Some((j, other)) = chars.next() else {
                continue;
            };
            if other == '"' || other == '\\' {
                // The escaped character stands where it is written, after its backslash.
                text.continue_at(offset + j);
                text.push(other);
            } else {
                let span = Span::new(offset + i, offset + j + other.len_utf8());
                self.problems.push(
                    Diagnostic::error(
                        "invalid-escape",
                        span,
                        format!("`\\{other}` is not a valid escape"),
                    )
                    .with_help("inside quotes, write `\\\"` for a quote and `\\\\` for a backslash")
                    .with_fix(
                        span,
                        format!("\\\\{other}"),
                        "write the backslash as `\\\\`",
                    ),
                );
                // The text goes on after the escape it leaves out.
                text.continue_at(offset + j + other.len_utf8());
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
                .with_help("delete it; it was probably copied in by accident")
                .with_fix(
                    Span::new(offset + i, offset + i + c.len_utf8()),
                    "",
                    "delete the control character",
                ),
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
/// last lines that come from putting `"""` on lines of their own; each line of the text goes on
/// with the source where its text starts (the body starts at `offset` in the source). A line
/// break is `\n`, `\r\n` or `\r`. Trailing white space goes, except on a line that ends with
/// two spaces and is followed by a line of the same paragraph: that is a hard line break in
/// Markdown, and the line is kept whole.
fn dedent(body: &str, offset: usize) -> TextBuilder {
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut start = 0;
    let mut rest = body;
    while let Some(at) = rest.find(['\r', '\n']) {
        lines.push((start, &rest[..at]));
        let width = if rest[at..].starts_with("\r\n") { 2 } else { 1 };
        start += at + width;
        rest = &rest[at + width..];
    }
    lines.push((start, rest));
    if lines
        .first()
        .is_some_and(|(_, line)| line.trim().is_empty())
    {
        lines.remove(0);
    }
    if lines.last().is_some_and(|(_, line)| line.trim().is_empty()) {
        lines.pop();
    }
    let indent = lines
        .iter()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(_, line)| line.len() - line.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let mut text = TextBuilder::new();
    for (n, (start, line)) in lines.iter().enumerate() {
        if n > 0 {
            text.push('\n');
        }
        let kept = line.get(indent..);
        text.continue_at(offset + start + kept.map_or(0, |_| indent));
        let kept = kept.unwrap_or("");
        let paragraph_goes_on = lines
            .get(n + 1)
            .is_some_and(|(_, next)| !next.trim().is_empty());
        if paragraph_goes_on && !kept.trim().is_empty() && kept.ends_with("  ") {
            text.push_str(kept);
        } else {
            text.push_str(kept.trim_end());
        }
    }
    if lines.is_empty() {
        text.continue_at(offset);
    }
    text
}

fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("`{c}`")
    }
}

/// Where pest stopped, and what it would have accepted there.
fn failure(error: &pest::error::Error<Rule>) -> (usize, Vec<Rule>) {
    let position = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    };
    let positives = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    (position, positives)
}

/// A syntax error at `position`. `in_line`: the error is in one line of a file that was read
/// around it, so what ends the line ends the item (a block may still follow).
fn syntax_error(source: &str, position: usize, positives: &[Rule], in_line: bool) -> Diagnostic {
    let position = position.min(source.len());
    let found = source[position..].chars().next();
    let expected = expected(positives, in_line);
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
    let mut fix = None;
    let help = if position == 0 || source[..position].trim().is_empty() {
        "a policy starts with `policy \"Title\" {`".to_string()
    } else if let Some((written, date)) = german_date(source, position) {
        let help = format!("dates are written year-month-day: `{date}`");
        fix = Some((written, date));
        help
    } else if let Some(example) = crate::language::example(&keyword) {
        format!("write it like `{example}`")
    } else {
        "a fact is a keyword followed by its values, e.g. `retention 30 days`; a value is a text in \
         quotes, a date, a duration, an article or a word"
            .to_string()
    };
    let diagnostic = diagnostic.with_help(help);
    // Written where a value stands, that is after something on its line, the date as klartext
    // writes it is read.
    let is_value = |written: &Span| {
        source[..written.start]
            .trim_end_matches([' ', '\t'])
            .ends_with(|c: char| !matches!(c, '\n' | '\r' | ';' | '{' | '}'))
    };
    match fix.filter(|(written, _)| is_value(written)) {
        Some((written, date)) => {
            let title = format!("write `{date}`");
            diagnostic.with_fix(written, date, title)
        }
        None => diagnostic,
    }
}

/// `02.05.2024` at the error, where it is written and as `2024-05-02`: German notices write
/// dates day first.
fn german_date(source: &str, position: usize) -> Option<(Span, String)> {
    let is_part = |c: char| c.is_ascii_digit() || c == '.';
    let start = source[..position]
        .rfind(|c: char| !is_part(c))
        .map_or(0, |i| i + 1);
    let end = source[position..]
        .find(|c: char| !is_part(c))
        .map_or(source.len(), |i| position + i);
    let written = source[start..end].trim_end_matches('.');
    let parts: Vec<&str> = written.split('.').collect();
    match parts.as_slice() {
        [day, month, year]
            if day.len() <= 2 && month.len() <= 2 && year.len() == 4 && !day.is_empty() =>
        {
            Some((
                Span::new(start, start + written.len()),
                format!("{year}-{month:0>2}-{day:0>2}"),
            ))
        }
        _ => None,
    }
}

fn expected(rules: &[Rule], in_line: bool) -> Option<String> {
    let mut names: Vec<&str> = rules
        .iter()
        .flat_map(|rule| match rule {
            Rule::keyword | Rule::item => vec!["a keyword"],
            Rule::block => vec!["`{`"],
            Rule::EOI if in_line => vec!["`{`", "the end of the line"],
            Rule::EOI => vec!["the end of the file"],
            Rule::string
            | Rule::text_block
            | Rule::date
            | Rule::article
            | Rule::duration
            | Rule::number
            | Rule::word => vec!["a value"],
            _ => vec![],
        })
        .collect();
    names.sort_by_key(|name| {
        [
            "a keyword",
            "a value",
            "`{`",
            "the end of the line",
            "the end of the file",
        ]
        .iter()
        .position(|n| n == name)
    });
    names.dedup();
    match names.as_slice() {
        [] => None,
        [one] => Some((*one).to_string()),
        [rest @ .., last] => Some(format!("{} or {last}", rest.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexical::{TextBlockEnd, ends_text, text_block_end};
    use super::*;

    /// The lexical check and the grammar must agree on where a text block left open ends, or
    /// the one reports a problem the other does not see.
    #[test]
    fn the_lexical_check_ends_an_open_text_the_way_the_grammar_does() {
        for line in [
            "}",
            "  }  ",
            "text \"\"\"",
            "activity logs \"Protokolle\" {",
            "basis 6(1)(e) \"§ 3 \\\"HDSIG\\\"\" {",
            "processor cisco { role \"x\" }",
            "Die Daten { werden",
            "wir nutzen {",
            "wir nutzen, was {",
            "\"Zitat\" {",
            "Ende \"\"\"",
            "- Punkt",
            "}}",
        ] {
            let source = format!("policy \"T\" {{\n  preamble \"\"\"\n    Text\n{line}\n");
            let body = source.find("\"\"\"").unwrap_or(0) + 3;
            let lexical = matches!(text_block_end(&source, body), TextBlockEnd::Open(end) if end < source.len() - line.len() - 1);
            let parsed = parse(&source);
            let grammar = parsed
                .file
                .items
                .first()
                .and_then(|policy| policy.block.as_ref()?.first().cloned())
                .and_then(|preamble| match &preamble.values.first()?.kind {
                    ValueKind::TextBlock(text) => Some(!text.contains(line.trim())),
                    _ => None,
                })
                .unwrap_or(false);
            assert_eq!(lexical, ends_text(line), "{line:?}");
            assert_eq!(grammar, ends_text(line), "{line:?}: the grammar disagrees");
        }
    }

    /// The dedent klartext had before texts kept their origin: the texts must not change.
    fn dedent_text(body: &str) -> String {
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

    const BODIES: &[&str] = &[
        "",
        "\n",
        "  a",
        "\n    a\n      b\n\n    c  \n  ",
        "\r\n\ta\r\n\t\tb\r\n",
        "\r\r\n  x\r  y\n",
        "\n    ü TMG\n  \n    ä\n",
        "  a\n b\n",
        "x\n\n\n",
    ];

    #[test]
    fn dedent_keeps_the_texts_it_always_made() {
        for body in BODIES {
            assert_eq!(
                dedent(body, 0).finish(Span::new(0, 0)).as_str(),
                dedent_text(body),
                "{body:?}"
            );
        }
    }

    /// Text blocks with hard line breaks: two spaces that end a line of a paragraph stay, with
    /// the whole line; elsewhere trailing white space goes.
    const HARD_BREAKS: &[(&str, &str)] = &[
        (
            "\n    Stadt X  \n    Markt 1  \n    12345 X  \n  ",
            "Stadt X  \nMarkt 1  \n12345 X",
        ),
        ("\r\n  a \t  \r\n  b\r\n", "a \t  \nb"),
        ("\n  a   \n  b \n  c\t\n", "a   \nb\nc"),
        ("\n  a  \n\n  b  \n   \n  c", "a\n\nb\n\nc"),
        ("\n    a  \n      b  \n    c", "a  \n  b  \nc"),
        ("\n  a\\\n  b\n", "a\\\nb"),
        ("\n    \n  a  \n  b", "\na  \nb"),
    ];

    #[test]
    fn dedent_keeps_hard_line_breaks() {
        for (body, text) in HARD_BREAKS {
            assert_eq!(
                dedent(body, 0).finish(Span::new(0, 0)).as_str(),
                *text,
                "{body:?}"
            );
        }
    }

    /// Every character of every text stands where its origin says, an escaped one after its
    /// backslash, and a word at its place.
    #[test]
    fn every_character_of_a_text_maps_to_its_place() {
        let mut source = String::from("policy \"P\" {\n");
        source.push_str("  preamble \"a\\\"b \\\\ TMG ü \\\" \\x c\"\n");
        source.push_str("  data \"TMG\\x\"\n");
        let bodies = BODIES
            .iter()
            .chain(HARD_BREAKS.iter().map(|(body, _)| body));
        for body in bodies {
            source.push_str("  text \"\"\"");
            source.push_str(body);
            source.push_str("\"\"\"\n");
        }
        source.push_str("  text \"\"\"\r\n    Grundlage:\r\n      § 5 TMG\r\n  \"\"\"\n}\n");
        let parsed = parse(&source);
        let mut texts = Vec::new();
        let mut items: Vec<&Item> = parsed.file.items.iter().collect();
        while let Some(item) = items.pop() {
            items.extend(item.block.iter().flatten());
            for value in &item.values {
                if let ValueKind::String(text) | ValueKind::TextBlock(text) = &value.kind {
                    texts.push(text);
                }
            }
        }
        assert_eq!(texts.len(), BODIES.len() + HARD_BREAKS.len() + 4);
        for text in texts {
            for (at, c) in text.char_indices() {
                if c == '\n' {
                    continue;
                }
                let span = text.source_span(at..at + c.len_utf8()).unwrap();
                let written = &source[span.range()];
                assert_eq!(written, c.to_string(), "{text:?} at {at}");
            }
            if let Some(at) = text.find("TMG") {
                let span = text.source_span(at..at + 3).unwrap();
                assert_eq!(&source[span.range()], "TMG");
            }
        }
    }
}
