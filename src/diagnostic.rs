//! Problems found in a policy, with the place they were found and what to do about them.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::fmt::Write as _;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::{Files, SimpleFile};
use codespan_reporting::term::{self, Config};
use serde::Serialize;

pub use crate::source::{FileId, Sources};

/// A byte range in a source file, and which file it is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, serde::Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    #[serde(default)]
    pub file: FileId,
}

impl Span {
    /// A span in the policy being compiled ([`FileId::MAIN`]).
    pub fn new(start: usize, end: usize) -> Self {
        Span::in_file(FileId::MAIN, start, end)
    }

    /// A span in the source `file` of the compile's [`Sources`].
    pub fn in_file(file: FileId, start: usize, end: usize) -> Self {
        Span { start, end, file }
    }

    /// Other offsets in the same file.
    pub fn with_bounds(self, start: usize, end: usize) -> Span {
        Span::in_file(self.file, start, end)
    }

    /// The same span, `by` bytes further on.
    pub fn shifted(self, by: usize) -> Span {
        Span::in_file(self.file, self.start + by, self.end + by)
    }

    /// The same offsets in the source `file`: for a tree parsed on its own and then read as
    /// one of a compile's sources (an imported library).
    pub fn with_file(self, file: FileId) -> Span {
        Span::in_file(file, self.start, self.end)
    }

    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }

    /// The start of an item's span as long as its keyword: to point at a block without
    /// underlining all of it.
    pub fn head(self, keyword: &str) -> Span {
        self.with_bounds(self.start, self.start + keyword.len())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable name, e.g. `unknown-reference`; used in `allow` and by tools.
    pub name: &'static str,
    pub message: String,
    pub span: Span,
    /// Short text shown under the caret.
    pub label: Option<String>,
    pub help: Option<String>,
    /// The GDPR article (or other law) a lint enforces, e.g. `Art. 13(1)(c) DSGVO`.
    pub law: Option<&'static str>,
    /// Other places the message speaks of, e.g. where an id was first declared.
    pub related: Vec<Related>,
    /// Edits that remove the problem, the one the help suggests first.
    pub fixes: Vec<Fix>,
}

/// A second place a diagnostic points to, with what it is: "first declared here".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    /// Says what is at the place; written to end in "here", which a note of a place that
    /// cannot be quoted replaces by "at file:line:column".
    pub message: String,
}

/// An edit that removes the problem: replace the text of `span` by `replacement` (an empty
/// replacement deletes it, an empty span inserts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub span: Span,
    pub replacement: String,
    /// What the edit does, for an editor's menu: "replace with `purpose`".
    pub title: String,
}

impl Diagnostic {
    pub fn error(name: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            name,
            message: message.into(),
            span,
            label: None,
            help: None,
            law: None,
            related: Vec::new(),
            fixes: Vec::new(),
        }
    }

    pub fn warning(name: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(name, span, message)
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_law(mut self, law: &'static str) -> Self {
        self.law = Some(law);
        self
    }

    /// Adds a second place the message speaks of, e.g. "first declared here".
    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    /// Adds an edit that removes the problem: `replacement` for the text of `span`.
    pub fn with_fix(
        mut self,
        span: Span,
        replacement: impl Into<String>,
        title: impl Into<String>,
    ) -> Self {
        self.fixes.push(Fix {
            span,
            replacement: replacement.into(),
            title: title.into(),
        });
        self
    }

    /// Adds edits that remove the problem, e.g. the one fix a suggestion may give.
    pub fn with_fixes(mut self, fixes: impl IntoIterator<Item = Fix>) -> Self {
        self.fixes.extend(fixes);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The same diagnostic about the source `file` (see [`Span::with_file`]).
    pub fn with_file(mut self, file: FileId) -> Self {
        self.span = self.span.with_file(file);
        for related in &mut self.related {
            related.span = related.span.with_file(file);
        }
        for fix in &mut self.fixes {
            fix.span = fix.span.with_file(file);
        }
        self
    }
}

/// How many characters of a word and of each candidate "did you mean" compares. Jaro-Winkler
/// costs the product of the two lengths; ids of a thousand characters are not typed by hand, and
/// past this many characters the start of an id says enough about which one was meant.
pub const MAX_COMPARED_CHARS: usize = 64;

/// Suggests the closest of `candidates` to a misspelt `word`, if one is close enough.
///
/// Compares at most the first [`MAX_COMPARED_CHARS`] characters of each, so one comparison costs
/// at most a fixed amount however long the word and the candidates are, and skips candidates
/// whose length alone rules out a close score.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word: Vec<char> = word.chars().take(MAX_COMPARED_CHARS).collect();
    let mut candidate_chars = Vec::with_capacity(MAX_COMPARED_CHARS);
    let mut best: Option<(f64, &'a str)> = None;
    for candidate in candidates {
        candidate_chars.clear();
        candidate_chars.extend(candidate.chars().take(MAX_COMPARED_CHARS));
        if !could_be_close(word.len(), candidate_chars.len()) {
            continue;
        }
        let score = strsim::generic_jaro_winkler(&word, &candidate_chars);
        if score <= 0.8 {
            continue;
        }
        let better = match best {
            None => true,
            Some((best_score, best_candidate)) => score
                .total_cmp(&best_score)
                .then_with(|| best_candidate.cmp(candidate))
                .is_gt(),
        };
        if better {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// Whether words of these lengths (in characters) can score above 0.8 at all. Jaro is at most
/// `(2 + shorter / longer) / 3`, and Winkler's prefix bonus applies only above 0.7, so a pair
/// whose shorter length is less than a tenth of the longer never passes: skipping it changes
/// no suggestion. (At exactly a tenth the bound is 0.7, which rounding can push above; such a
/// pair is compared.)
fn could_be_close(a: usize, b: usize) -> bool {
    let (shorter, longer) = if a <= b { (a, b) } else { (b, a) };
    shorter * 10 >= longer
}

/// The form in which diagnostics show text from a policy: control characters (C0 except tab
/// and line feed, DEL, C1) and the bidirectional overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069) are written as Rust-style escapes such as `\u{1b}`, so that a message never
/// moves the cursor, colours the terminal or reorders what the reader sees.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_hidden(c) {
            let _ = write!(shown, "\\u{{{:x}}}", u32::from(c));
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

/// A character that [`visible`] escapes.
fn is_hidden(c: char) -> bool {
    matches!(c,
        '\0'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The stand-in for a hidden character in a quoted source line: one printable character, so
/// that line and column numbers and the caret stay where they are. C0 controls and DEL become
/// their symbols from the Control Pictures block (ESC is `␛`), the others U+FFFD (`�`).
fn stand_in(c: char) -> char {
    match u32::from(c) {
        code @ 0..=0x1f => char::from_u32(0x2400 + code).unwrap_or('\u{fffd}'),
        0x7f => '\u{2421}',
        _ => '\u{fffd}',
    }
}

/// A source file as diagnostics see it: its name for messages and its text for line numbers.
pub struct SourceFile {
    file: SimpleFile<String, String>,
    /// For each block of [`COUNT_BLOCK`] bytes, how many characters start before it; built on
    /// the first column asked for on a long line, so that columns on a long line of non-ASCII
    /// text cost a block each instead of the whole line.
    chars_before_block: OnceCell<Vec<usize>>,
    /// The copy codespan quotes when the name or text holds hidden characters; `None` when
    /// they hold none.
    display: OnceCell<Option<DisplayCopy>>,
}

/// The file as a diagnostic quotes it: every hidden character replaced by its [`stand_in`].
/// A stand-in is one character, as the original, so lines and columns are the same; it may be
/// longer in bytes, so byte offsets are mapped through `shifts`.
struct DisplayCopy {
    file: SimpleFile<String, String>,
    /// For each replaced character whose stand-in is longer: the offset just after it in the
    /// original and the total number of bytes added up to there.
    shifts: Vec<(usize, usize)>,
}

impl DisplayCopy {
    fn of(name: &str, text: &str) -> Option<DisplayCopy> {
        let hidden_in_text = text
            .char_indices()
            .any(|(at, c)| hidden_in_source(text, at, c));
        if !hidden_in_text && !name.chars().any(is_hidden) {
            return None;
        }
        let mut shown = String::with_capacity(text.len());
        let mut shifts = Vec::new();
        let mut added = 0;
        for (at, c) in text.char_indices() {
            if hidden_in_source(text, at, c) {
                let replacement = stand_in(c);
                shown.push(replacement);
                if replacement.len_utf8() > c.len_utf8() {
                    added += replacement.len_utf8() - c.len_utf8();
                    shifts.push((at + c.len_utf8(), added));
                }
            } else {
                shown.push(c);
            }
        }
        Some(DisplayCopy {
            file: SimpleFile::new(visible(name).into_owned(), shown),
            shifts,
        })
    }

    /// Where a byte offset of the original (a character boundary) lies in the copy.
    fn offset(&self, offset: usize) -> usize {
        let replaced_before = self.shifts.partition_point(|&(end, _)| end <= offset);
        offset
            + replaced_before
                .checked_sub(1)
                .map_or(0, |last| self.shifts[last].1)
    }
}

/// Whether the character at `at` of a source is hidden: a carriage return that ends a line is
/// part of the line break and stays.
fn hidden_in_source(text: &str, at: usize, c: char) -> bool {
    is_hidden(c) && !(c == '\r' && text.as_bytes().get(at + 1) == Some(&b'\n'))
}

/// Columns with at most this many bytes before them on their line are counted directly; further
/// along a line, from the table of blocks.
const COUNT_BLOCK: usize = 256;

/// How many characters start in `bytes` (which need not begin or end on a character boundary).
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

/// Lines longer than this are not quoted in a diagnostic: a terminal full of one line helps no one.
const MAX_QUOTED_LINE: usize = 400;

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            file: SimpleFile::new(name.into(), text.into()),
            chars_before_block: OnceCell::new(),
            display: OnceCell::new(),
        }
    }

    pub fn name(&self) -> &str {
        self.file.name()
    }

    pub fn text(&self) -> &str {
        self.file.source()
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn location(&self, offset: usize) -> (usize, usize) {
        let offset = self.clamp(offset);
        let Ok(line) = self.file.line_index((), offset) else {
            return (1, 1);
        };
        let start = self
            .file
            .line_range((), line)
            .map_or(0, |range| range.start);
        let before = &self.file.source()[start..offset];
        // Counting the characters before the offset costs the length of the line; on a long line
        // with many problems that would add up to its square, so long lines use the table.
        let column = if before.len() <= COUNT_BLOCK {
            before.chars().count()
        } else {
            self.chars_before(offset) - self.chars_before(start)
        };
        (line + 1, column + 1)
    }

    /// How many characters of the text start before a byte offset.
    fn chars_before(&self, offset: usize) -> usize {
        let bytes = self.file.source().as_bytes();
        let table = self.chars_before_block.get_or_init(|| {
            let mut table = Vec::with_capacity(bytes.len() / COUNT_BLOCK + 1);
            let mut count = 0;
            table.push(0);
            for block in bytes.chunks(COUNT_BLOCK) {
                count += char_starts(block);
                table.push(count);
            }
            table
        });
        let offset = offset.min(bytes.len());
        let block = offset / COUNT_BLOCK;
        table.get(block).copied().unwrap_or(0) + char_starts(&bytes[block * COUNT_BLOCK..offset])
    }

    fn clamp(&self, mut offset: usize) -> usize {
        let text = self.file.source();
        offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    fn line_length_at(&self, offset: usize) -> usize {
        let offset = self.clamp(offset);
        self.file
            .line_index((), offset)
            .and_then(|line| self.file.line_range((), line))
            .map_or(0, |range| range.len())
    }

    /// Renders a diagnostic the way compilers do: location, quoted line, caret, help.
    ///
    /// Nothing from the policy reaches the terminal as a control character: the message, label,
    /// help and file name go through [`visible`], and the quoted line comes from a copy of the
    /// text in which each hidden character is one printable stand-in (`␛` for ESC, `�` for C1
    /// controls and bidirectional overrides), so its columns and caret match the original.
    ///
    /// This file is taken to be the file of the diagnostic's span. A related place in it is
    /// quoted as a secondary label; one in another file is named in a note without its place,
    /// since a file alone does not know the others ([`Sources::render`] does).
    pub fn render(&self, diagnostic: &Diagnostic, color: bool) -> String {
        let own = diagnostic.span.file;
        self.render_with(diagnostic, color, &|file| (file == own).then_some(self))
    }

    fn render_with<'a>(
        &'a self,
        diagnostic: &Diagnostic,
        color: bool,
        lookup: &Lookup<'a>,
    ) -> String {
        let display = self
            .display
            .get_or_init(|| DisplayCopy::of(self.name(), self.file.source()))
            .as_ref();
        let (file, name) = match display {
            Some(copy) => (&copy.file, copy.file.name().as_str()),
            None => (&self.file, self.name()),
        };
        let shown = |offset| display.map_or(offset, |copy| copy.offset(offset));
        let message = visible(&diagnostic.message);
        let mut report = match diagnostic.severity {
            Severity::Error => Report::error(),
            Severity::Warning => Report::warning(),
        }
        .with_code(diagnostic.name)
        .with_message(message.as_ref());
        let mut labels = Vec::new();
        let mut notes = Vec::new();
        let primary = self.quotable(diagnostic.span);
        match primary.clone() {
            Some(range) => {
                let label = Label::primary((), shown(range.start)..shown(range.end));
                labels.push(match &diagnostic.label {
                    Some(text) => label.with_message(visible(text)),
                    None => label,
                });
            }
            None => {
                let (line, column) = self.location(diagnostic.span.start);
                notes.push(format!("at {name}:{line}:{column} (line too long to show)"));
            }
        }
        for related in &diagnostic.related {
            let text = visible(&related.message);
            // Quoted beside the primary label; a label of its own would move the header to it.
            let quotable = (primary.is_some() && related.span.file == diagnostic.span.file)
                .then(|| self.quotable(related.span))
                .flatten();
            match (quotable, lookup(related.span.file)) {
                (Some(range), _) => labels.push(
                    Label::secondary((), shown(range.start)..shown(range.end)).with_message(text),
                ),
                (None, Some(source)) => {
                    let (line, column) = source.location(related.span.start);
                    notes.push(placed(&text, &visible(source.name()), line, column));
                }
                (None, None) => notes.push(format!("{text} (in another file)")),
            }
        }
        report = report.with_labels(labels);
        if let Some(law) = diagnostic.law {
            notes.push(format!("law: {}", visible(law)));
        }
        if let Some(help) = &diagnostic.help {
            notes.push(format!("help: {}", visible(help)));
        }
        report = report.with_notes(notes);

        let mut buffer = if color {
            term::termcolor::Buffer::ansi()
        } else {
            term::termcolor::Buffer::no_color()
        };
        let config = Config::default();
        if term::emit_to_write_style(&mut buffer, &config, file, &report).is_err() {
            return format!("{name}: {}: {message}\n", diagnostic.name);
        }
        String::from_utf8_lossy(buffer.as_slice()).into_owned()
    }

    /// The byte range a label underlines for a span of this file, or `None` when its line is
    /// too long to quote. A span that ends on a line too long to quote is shown by its start.
    fn quotable(&self, span: Span) -> Option<Range<usize>> {
        let start = self.clamp(span.start);
        if self.line_length_at(start) > MAX_QUOTED_LINE {
            return None;
        }
        let end = self.clamp(span.end);
        let end = if end > start && self.line_length_at(end) <= MAX_QUOTED_LINE {
            end
        } else {
            start
        };
        Some(start..end)
    }

    /// One JSON object describing a diagnostic, for editors and CI.
    ///
    /// JSON escapes control characters anyway; `message`, `help` and the messages and titles
    /// of `related` and `fixes` also carry the escaped form of [`visible`], so an editor shows
    /// what a person sees in the terminal. `file` stays the exact path, for tools to open, and a
    /// fix's `replacement` the exact text to write.
    ///
    /// This file is taken to be the file of the diagnostic's span; a related place or fix in
    /// another file is left out, since a file alone does not know the others
    /// ([`Sources::to_json`] does).
    pub fn to_json(&self, diagnostic: &Diagnostic) -> serde_json::Value {
        let own = diagnostic.span.file;
        json(diagnostic, Some(self), &|file| {
            (file == own).then_some(self)
        })
    }

    /// Where a span of this file starts and ends: line, column, end line, end column.
    fn place(&self, span: Span) -> (usize, usize, usize, usize) {
        let (line, column) = self.location(span.start);
        let (end_line, end_column) = self.location(span.end);
        (line, column, end_line, end_column)
    }
}

/// Finds the source a [`FileId`] names, for places in other files than the diagnostic's.
type Lookup<'a> = dyn Fn(FileId) -> Option<&'a SourceFile> + 'a;

/// A related place as a note: "first declared here" becomes "first declared at a.klar:3:5".
fn placed(message: &str, name: &str, line: usize, column: usize) -> String {
    match message.strip_suffix(" here") {
        Some(what) => format!("{what} at {name}:{line}:{column}"),
        None => format!("{message}: {name}:{line}:{column}"),
    }
}

/// The JSON object of a diagnostic whose span is in `source` (`None`: in no known file, and
/// then without a place).
fn json(
    diagnostic: &Diagnostic,
    source: Option<&SourceFile>,
    lookup: &Lookup<'_>,
) -> serde_json::Value {
    let (line, column, end_line, end_column) = match source {
        Some(source) => {
            let (line, column, end_line, end_column) = source.place(diagnostic.span);
            (Some(line), Some(column), Some(end_line), Some(end_column))
        }
        None => (None, None, None, None),
    };
    // A place in some file, with the fields that say what is there.
    let located = |span: Span, fields: serde_json::Value| {
        let source = lookup(span.file)?;
        let (line, column, end_line, end_column) = source.place(span);
        let mut object = serde_json::json!({
            "file": source.name(),
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
        });
        if let (Some(object), serde_json::Value::Object(fields)) = (object.as_object_mut(), fields)
        {
            object.extend(fields);
        }
        Some(object)
    };
    let related: Vec<serde_json::Value> = diagnostic
        .related
        .iter()
        .filter_map(|related| {
            located(
                related.span,
                serde_json::json!({ "message": visible(&related.message) }),
            )
        })
        .collect();
    let fixes: Vec<serde_json::Value> = diagnostic
        .fixes
        .iter()
        .filter_map(|fix| {
            located(
                fix.span,
                serde_json::json!({
                    "title": visible(&fix.title),
                    "replacement": fix.replacement,
                }),
            )
        })
        .collect();
    serde_json::json!({
        "file": source.map(SourceFile::name),
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "severity": diagnostic.severity,
        "name": diagnostic.name,
        "message": visible(&diagnostic.message),
        "help": diagnostic.help.as_deref().map(visible),
        "law": diagnostic.law,
        "related": related,
        "fixes": fixes,
    })
}

impl Sources {
    /// Renders a diagnostic for a person (see [`SourceFile::render`]), quoting the file its
    /// span is in; a related place in another of the sources is named in a note with its file,
    /// line and column.
    pub fn render(&self, diagnostic: &Diagnostic, color: bool) -> String {
        match self.get(diagnostic.span.file) {
            Some(file) => file.render_with(diagnostic, color, &|id| self.get(id)),
            None => unplaced(diagnostic),
        }
    }

    /// One JSON object describing a diagnostic (see [`SourceFile::to_json`]); related places
    /// and fixes in any of the sources are given with their file.
    pub fn to_json(&self, diagnostic: &Diagnostic) -> serde_json::Value {
        json(diagnostic, self.get(diagnostic.span.file), &|id| {
            self.get(id)
        })
    }
}

/// A diagnostic whose file is not among the sources: its name and message alone.
fn unplaced(diagnostic: &Diagnostic) -> String {
    format!(
        "{}[{}]: {}\n",
        match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        diagnostic.name,
        visible(&diagnostic.message)
    )
}

#[cfg(test)]
mod tests {
    use super::{
        Diagnostic, MAX_COMPARED_CHARS, MAX_QUOTED_LINE, SourceFile, Sources, Span, did_you_mean,
        visible,
    };

    #[test]
    fn columns_count_characters_on_short_and_long_lines() {
        let file = SourceFile::new("a.klar", "ä x\nü y\n");
        assert_eq!(file.location(3), (1, 3));
        assert_eq!(file.location(5), (2, 1));
        assert_eq!(file.location(8), (2, 3));

        let long_umlauts = format!("{}x\n", "ä".repeat(1000));
        let file = SourceFile::new("b.klar", long_umlauts.clone());
        assert_eq!(file.location(long_umlauts.find('x').unwrap()), (1, 1001));

        let long_ascii = format!("{}x\n", "a".repeat(1000));
        let file = SourceFile::new("c.klar", long_ascii);
        assert_eq!(file.location(1000), (1, 1001));
    }

    #[test]
    fn columns_on_a_long_line_agree_with_counting() {
        // Mixed one-, two-, three- and four-byte characters, so that blocks of the column
        // table start inside characters.
        let line: String = (0..3000)
            .map(|i| ["a", "ä", "€", "𝄞"][i % 4])
            .collect::<Vec<_>>()
            .concat();
        let text = format!("kurz\n{line}\n{line}x\n");
        let file = SourceFile::new("long.klar", text.clone());
        for (offset, _) in text.char_indices().step_by(97) {
            let start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
            let line = text[..offset].matches('\n').count() + 1;
            let column = text[start..offset].chars().count() + 1;
            assert_eq!(file.location(offset), (line, column), "at byte {offset}");
        }
        assert_eq!(file.location(text.len()), (4, 1));
    }

    #[test]
    fn suggestions_are_those_of_plain_jaro_winkler_for_ordinary_words() {
        let candidates = [
            "stadt",
            "sitepark",
            "hoster",
            "landkreis",
            "a",
            "ab",
            "abcd",
            "abcdefghij",
            "gemeinde-musterhausen",
            "",
            "p",
        ];
        let plain = |word: &str| {
            candidates
                .iter()
                .map(|c| (strsim::jaro_winkler(word, c), *c))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
                .map(|(_, c)| c)
        };
        for word in [
            "stadtt",
            "sitpark",
            "hostr",
            "landkries",
            "a",
            "b",
            "abc",
            "abcdefghijklmnopqrstuvwxyzabcdefghijklmnop",
            "gemeinde-musterhausn",
            "",
            "policy",
            "x",
        ] {
            assert_eq!(did_you_mean(word, candidates), plain(word), "{word:?}");
        }
    }

    #[test]
    fn length_alone_rules_out_only_pairs_that_cannot_pass() {
        // The closest a word can come to a longer one: all its characters match, in order,
        // with a common prefix of four. Below a tenth of the length that does not pass.
        let long = format!("abcd{}", "x".repeat(37));
        assert!(strsim::jaro_winkler("abcd", &long) <= 0.8);
        assert_eq!(did_you_mean("abcd", [long.as_str()]), None);
        // At exactly a tenth, rounding lifts Jaro above 0.7 and the prefix bonus applies.
        let tenfold = format!("abcd{}", "x".repeat(36));
        assert!(strsim::jaro_winkler("abcd", &tenfold) > 0.8);
        assert_eq!(
            did_you_mean("abcd", [tenfold.as_str()]),
            Some(tenfold.as_str())
        );
        for longer in 1..=MAX_COMPARED_CHARS {
            for shorter in 1..=longer {
                let a = "y".repeat(shorter);
                let b = "y".repeat(longer);
                let passes = strsim::jaro_winkler(&a, &b) > 0.8;
                assert!(
                    !passes || did_you_mean(&a, [b.as_str()]).is_some(),
                    "{shorter} and {longer} characters"
                );
            }
        }
    }

    #[test]
    fn long_ids_are_compared_by_their_start() {
        let declared = format!("hessische-zentrale-{}", "x".repeat(1000));
        let typo = format!("hesische-zentrale-{}", "x".repeat(1000));
        let other = format!("ganz-anders-{}", "y".repeat(1000));
        assert_eq!(
            did_you_mean(&typo, [other.as_str(), declared.as_str()]),
            Some(declared.as_str())
        );
        // Past the compared length the two are the same to `did_you_mean`; the first in order
        // wins, as on a tie of scores.
        let a = format!("{}a", "x".repeat(MAX_COMPARED_CHARS));
        let b = format!("{}b", "x".repeat(MAX_COMPARED_CHARS));
        assert_eq!(did_you_mean(&b, [b.as_str(), a.as_str()]), Some(a.as_str()));
    }

    #[test]
    fn hidden_characters_are_escaped() {
        assert_eq!(visible("Tab\tund\nZeile"), "Tab\tund\nZeile");
        assert_eq!(visible("a\x1b[31mb"), "a\\u{1b}[31mb");
        assert_eq!(
            visible("\0\r\x7f\u{85}\u{9b}"),
            "\\u{0}\\u{d}\\u{7f}\\u{85}\\u{9b}"
        );
        assert_eq!(
            visible("\u{202a}\u{202e}\u{2066}\u{2069}\u{2029}ä"),
            "\\u{202a}\\u{202e}\\u{2066}\\u{2069}\u{2029}ä"
        );
    }

    #[test]
    fn the_quoted_line_shows_stand_ins_under_the_same_caret() {
        let text = "eins\r\nx\x1b\u{9b}\u{202e}\x7f fehler hier\r\n";
        let file = SourceFile::new("s\x1b.klar", text);
        let at = text.find("fehler").unwrap();
        let diagnostic = Diagnostic::error("test", Span::new(at, at + 6), "`\x1b[2J` dort")
            .with_label("\u{202e}label")
            .with_help("hilfe \x07");
        let rendered = file.render(&diagnostic, false);
        assert!(
            !rendered
                .chars()
                .any(|c| visible(&c.to_string()) != c.to_string() && c != '\n'),
            "{rendered}"
        );
        assert!(rendered.contains("`\\u{1b}[2J` dort"), "{rendered}");
        assert!(rendered.contains("\\u{202e}label"), "{rendered}");
        assert!(rendered.contains("help: hilfe \\u{7}"), "{rendered}");
        assert!(rendered.contains("s\\u{1b}.klar:2:7"), "{rendered}");
        let quoted = rendered.lines().find(|l| l.contains("fehler")).unwrap();
        assert!(quoted.ends_with("x␛��␡ fehler hier"), "{rendered}");
        let caret = rendered.lines().find(|l| l.contains('^')).unwrap();
        let column = |line: &str, c: char| line.chars().position(|x| x == c).unwrap();
        assert_eq!(column(quoted, 'f'), column(caret, '^'), "{rendered}");
        assert_eq!(caret.matches('^').count(), 6, "{rendered}");
    }

    const TWICE: &str = "policy \"T\" {\n  organisation x \"X\"\n  organisation x \"Y\"\n}\n";

    fn declared_twice(text: &str) -> Diagnostic {
        let first = text.find("organisation").unwrap();
        let second = text.rfind("organisation").unwrap();
        Diagnostic::error(
            "duplicate-id",
            Span::new(second, second + 12),
            "the organisation `x` is declared twice",
        )
        .with_related(Span::new(first, first + 12), "first declared here")
    }

    #[test]
    fn a_related_place_on_a_short_line_of_the_same_file_is_a_secondary_label() {
        let sources = Sources::new("a.klar", TWICE);
        let rendered = sources.render(&declared_twice(TWICE), false);
        let lines: Vec<&str> = rendered.lines().collect();
        let at = |needle: &str| lines.iter().position(|l| l.contains(needle)).unwrap();
        // The first declaration is quoted above the second, underlined with `-` and labelled.
        assert!(
            lines[at("organisation x \"X\"")].starts_with("2 │"),
            "{rendered}"
        );
        assert_eq!(
            lines[at("organisation x \"X\"") + 1],
            "  │   ------------ first declared here",
            "{rendered}"
        );
        assert!(
            at("organisation x \"Y\"") > at("first declared here"),
            "{rendered}"
        );
        assert!(lines[at("organisation x \"Y\"") + 1].ends_with("  ^^^^^^^^^^^^"));
        assert!(rendered.contains("┌─ a.klar:3:3"), "{rendered}");
        assert!(!rendered.contains("first declared at"), "{rendered}");
        // A file alone renders the same.
        assert_eq!(
            SourceFile::new("a.klar", TWICE).render(&declared_twice(TWICE), false),
            rendered
        );
    }

    #[test]
    fn a_related_place_that_cannot_be_quoted_is_a_note_with_its_place() {
        // On a line too long to quote.
        let long = format!(
            "policy \"T\" {{\n  organisation x \"{}\"\n  organisation x \"Y\"\n}}\n",
            "X".repeat(MAX_QUOTED_LINE)
        );
        let rendered = Sources::new("a.klar", long.as_str()).render(&declared_twice(&long), false);
        assert!(
            rendered.contains("= first declared at a.klar:2:3"),
            "{rendered}"
        );
        assert!(!rendered.contains("XXXX"), "{rendered}");
        assert!(!rendered.contains("---"), "{rendered}");

        // Beside a primary place on a line too long to quote.
        let long_second = format!(
            "policy \"T\" {{\n  organisation x \"X\"\n  organisation x \"{}\"\n}}\n",
            "Y".repeat(MAX_QUOTED_LINE)
        );
        let rendered = Sources::new("a.klar", long_second.as_str())
            .render(&declared_twice(&long_second), false);
        assert!(
            rendered.contains("= at a.klar:3:3 (line too long to show)"),
            "{rendered}"
        );
        assert!(
            rendered.contains("= first declared at a.klar:2:3"),
            "{rendered}"
        );
        assert!(!rendered.contains("---"), "{rendered}");

        // In another file of the sources.
        let mut sources = Sources::new("a.klar", TWICE);
        let shared = sources.add("\u{1b}shared.klar", "\n\n  organisation x \"X\"\n");
        let second = TWICE.rfind("organisation").unwrap();
        let diagnostic = Diagnostic::error(
            "duplicate-id",
            Span::new(second, second + 12),
            "the organisation `x` is declared twice",
        )
        .with_related(Span::in_file(shared, 4, 16), "first declared here")
        .with_related(Span::in_file(shared, 0, 0), "no \u{202e}place");
        let rendered = sources.render(&diagnostic, false);
        assert!(
            rendered.contains("= first declared at \\u{1b}shared.klar:3:3"),
            "{rendered}"
        );
        assert!(
            rendered.contains("= no \\u{202e}place: \\u{1b}shared.klar:1:1"),
            "{rendered}"
        );
        // A file alone does not know the other file.
        let alone = sources.main().render(&diagnostic, false);
        assert!(
            alone.contains("= first declared here (in another file)"),
            "{alone}"
        );
    }

    #[test]
    fn json_gives_related_places_and_fixes_with_their_files() {
        let mut sources = Sources::new("a.klar", TWICE);
        let shared = sources.add("shared.klar", "organisation x \"X\"\n");
        let second = TWICE.rfind('x').unwrap();
        let diagnostic = Diagnostic::error(
            "duplicate-id",
            Span::new(second - 13, second - 1),
            "the organisation `x` is declared twice",
        )
        .with_help("rename one")
        .with_related(Span::in_file(shared, 0, 12), "first declared \u{1b}here")
        .with_fix(Span::new(second, second + 1), "y", "rename to `y`\u{7}")
        .with_fix(Span::in_file(shared, 13, 14), "\u{1b}z", "rename the first");
        let json = sources.to_json(&diagnostic);
        assert_eq!(
            json["related"],
            serde_json::json!([{
                "file": "shared.klar", "line": 1, "column": 1, "end_line": 1, "end_column": 13,
                "message": "first declared \\u{1b}here",
            }])
        );
        assert_eq!(
            json["fixes"],
            serde_json::json!([
                {
                    "title": "rename to `y`\\u{7}", "file": "a.klar",
                    "line": 3, "column": 16, "end_line": 3, "end_column": 17, "replacement": "y",
                },
                {
                    "title": "rename the first", "file": "shared.klar",
                    "line": 1, "column": 14, "end_line": 1, "end_column": 15,
                    "replacement": "\u{1b}z",
                },
            ])
        );
        // The fields that were there before stay as they were.
        for (field, value) in [
            ("file", serde_json::json!("a.klar")),
            ("line", 3.into()),
            ("column", 3.into()),
            ("end_line", 3.into()),
            ("end_column", 15.into()),
            ("severity", "error".into()),
            ("name", "duplicate-id".into()),
            ("help", "rename one".into()),
            ("law", serde_json::Value::Null),
        ] {
            assert_eq!(json[field], value, "{field}");
        }
        // A file alone leaves out what is in files it does not know.
        let alone = sources.main().to_json(&diagnostic);
        assert_eq!(alone["related"], serde_json::json!([]));
        assert_eq!(alone["fixes"].as_array().map(Vec::len), Some(1));
        // Without related places or fixes, the arrays are there and empty.
        let plain = sources.to_json(&Diagnostic::warning("w", Span::new(0, 6), "m"));
        assert_eq!(plain["related"], serde_json::json!([]));
        assert_eq!(plain["fixes"], serde_json::json!([]));
    }
}
