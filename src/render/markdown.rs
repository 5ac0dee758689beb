//! Writing CommonMark that a site's renderer can only read as text, safe links and structure.
//!
//! A `.md` notice is rendered by Hugo, Jekyll, Zola or a CMS with raw HTML allowed, and their
//! template engines read the raw file before Markdown does. So every character that comes from a
//! policy is written to mean itself: the punctuation Markdown gives a meaning is backslash-escaped,
//! braces as character references (no `{{`, `{%` or `{#` survives), and what would start a block at the start of a
//! line is escaped there. Code has no escapes in CommonMark, so code that holds template syntax is
//! written as escaped text: the reader sees the same characters.

use pulldown_cmark::{Alignment, Event, Tag, TagEnd};

/// Escapes one line of text so that Markdown shows it literally; runs of white space become one
/// space. `Müller & *Partner*` stays as written.
pub fn escape(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(&mut out, &text, true);
    out
}

/// An e-mail address that passed [`crate::address::email_problem`] as a link: written out as an
/// inline link, never as an autolink, which some renderers read with a scheme of its own.
pub fn mailto(address: &str) -> String {
    format!("[{}](mailto:{})", escape(address), destination(address))
}

/// Whether text holds what a static-site template engine would read: Hugo and Zola shortcodes,
/// Liquid and Tera tags, comments and output.
fn has_template_syntax(text: &str) -> bool {
    text.contains("{{") || text.contains("{%") || text.contains("{#")
}

/// Appends `text` (one line, no line breaks) escaped. `line_start`: the text starts a line, where
/// `#`, `-`, `+`, `=`, `>` and `1.` would begin a block.
fn escape_into(out: &mut String, text: &str, line_start: bool) {
    let mut chars = text.chars().peekable();
    // Digits at the start of a line, which a `.` or `)` would make a list marker.
    let mut leading_digits = line_start.then_some(0);
    if line_start && matches!(chars.peek(), Some('-' | '+' | '=')) {
        out.push('\\');
    }
    while let Some(c) = chars.next() {
        match c {
            // As references, because Liquid reads `\\{%` as a tag: no brace reaches the file.
            '{' => out.push_str("&#123;"),
            '}' => out.push_str("&#125;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '&' if chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphanumeric() || *n == '#') =>
            {
                out.push_str("\\&");
            }
            '.' | ')' if leading_digits.is_some_and(|n| n > 0) => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
        leading_digits = leading_digits.filter(|_| c.is_ascii_digit()).map(|n| n + 1);
    }
}

/// A link target as a Markdown destination: characters that would end it, escape from it or be
/// read as an entity are escaped, braces and spaces percent-encoded.
fn destination(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '<' | '>' | '(' | ')' | '\\' | '&' | '|' | '"' | '\'' | '`' => {
                out.push('\\');
                out.push(c);
            }
            '{' => out.push_str("%7B"),
            '}' => out.push_str("%7D"),
            c if c.is_whitespace() || c.is_control() => {
                let mut bytes = [0; 4];
                for byte in c.encode_utf8(&mut bytes).bytes() {
                    out.push_str(&format!("%{byte:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Writes events (already made safe: no HTML, no images, only safe links) as CommonMark.
pub fn write<'a>(events: impl IntoIterator<Item = Event<'a>>) -> String {
    let mut writer = Writer::default();
    for event in merge_text(events) {
        writer.event(event);
    }
    writer.end_line();
    writer.out
}

/// Joins adjacent text events, so that what starts a line is seen whole.
fn merge_text<'a>(events: impl IntoIterator<Item = Event<'a>>) -> Vec<Event<'a>> {
    let mut merged: Vec<Event<'a>> = Vec::new();
    let mut pending: Option<String> = None;
    for event in events {
        match event {
            Event::Text(text) => pending.get_or_insert_with(String::new).push_str(&text),
            event => {
                if let Some(text) = pending.take() {
                    merged.push(Event::Text(text.into()));
                }
                merged.push(event);
            }
        }
    }
    if let Some(text) = pending {
        merged.push(Event::Text(text.into()));
    }
    merged
}

/// A quote or a list item: what it writes before its first line and before the others.
struct Container {
    first: Option<String>,
    rest: String,
    /// Whether a block was written in it, so the next one needs a blank line before it.
    has_block: bool,
}

#[derive(Default)]
struct Writer {
    out: String,
    containers: Vec<Container>,
    /// Whether a block was written outside every container.
    has_block: bool,
    /// Open lists: the next number of an ordered list, or `None` for bullets.
    lists: Vec<Option<u64>>,
    /// Whether the current line has been begun (its prefixes written).
    line_open: bool,
    /// Whether nothing but prefixes stands on the current line.
    fresh: bool,
    /// The text of the code block being read, if one is.
    code: Option<String>,
    /// Targets of the open links.
    links: Vec<String>,
    in_table: bool,
    alignments: Vec<Alignment>,
    /// Whether a heading is being written: it is written on one line, so its line breaks (from
    /// a setext heading) become spaces.
    in_heading: bool,
}

impl Writer {
    fn event(&mut self, event: Event<'_>) {
        if let Some(code) = &mut self.code {
            match event {
                Event::Text(text) => code.push_str(&text),
                Event::End(TagEnd::CodeBlock) => self.code_block(),
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => self.text(&text),
            Event::Code(code) => self.code_span(&code),
            Event::SoftBreak | Event::HardBreak if self.in_heading => self.write(" "),
            Event::SoftBreak => self.end_line(),
            // The backslash form, which survives editors that strip trailing spaces.
            Event::HardBreak => {
                self.write("\\");
                self.end_line();
            }
            Event::Rule => {
                self.start_block();
                self.write("---");
                self.end_line();
            }
            Event::FootnoteReference(text) | Event::InlineMath(text) | Event::DisplayMath(text) => {
                self.text(&text)
            }
            Event::TaskListMarker(done) => self.text(if done { "[x] " } else { "[ ] " }),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph | Tag::HtmlBlock => self.start_block(),
            Tag::Heading { level, .. } => {
                self.start_block();
                self.write(&format!("{} ", "#".repeat(level as usize)));
                self.in_heading = true;
            }
            Tag::BlockQuote(_) => {
                self.start_block();
                self.containers.push(Container {
                    first: None,
                    rest: "> ".to_string(),
                    has_block: false,
                });
            }
            Tag::CodeBlock(_) => self.code = Some(String::new()),
            Tag::List(start) => {
                self.start_block();
                self.lists.push(start);
            }
            Tag::Item => {
                self.end_line();
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        format!("{}. ", *n - 1)
                    }
                    _ => "- ".to_string(),
                };
                let rest = " ".repeat(marker.len());
                self.containers.push(Container {
                    first: Some(marker),
                    rest,
                    has_block: false,
                });
            }
            Tag::Table(alignments) => {
                self.start_block();
                self.in_table = true;
                self.alignments = alignments;
            }
            Tag::TableHead | Tag::TableRow => self.write("|"),
            Tag::TableCell => self.write(" "),
            Tag::Emphasis => self.write("*"),
            Tag::Strong => self.write("**"),
            Tag::Strikethrough => self.write("~~"),
            Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                self.write("[");
                self.links.push(dest_url.to_string());
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::HtmlBlock | TagEnd::Heading(_) | TagEnd::TableRow => {
                self.in_heading = false;
                self.end_line()
            }
            TagEnd::BlockQuote(_) => {
                self.end_line();
                self.containers.pop();
            }
            TagEnd::List(_) => {
                self.end_line();
                self.lists.pop();
            }
            TagEnd::Item => {
                // An empty item still shows its marker.
                if self.containers.last().is_some_and(|c| c.first.is_some()) {
                    self.begin_line();
                }
                self.end_line();
                self.containers.pop();
            }
            TagEnd::Table => {
                self.end_line();
                self.in_table = false;
            }
            TagEnd::TableHead => {
                self.end_line();
                let mut row = "|".to_string();
                for alignment in &self.alignments {
                    row.push_str(match alignment {
                        Alignment::None => " --- |",
                        Alignment::Left => " :-- |",
                        Alignment::Center => " :-: |",
                        Alignment::Right => " --: |",
                    });
                }
                self.write(&row);
                self.end_line();
            }
            TagEnd::TableCell => self.write(" |"),
            TagEnd::Emphasis => self.write("*"),
            TagEnd::Strong => self.write("**"),
            TagEnd::Strikethrough => self.write("~~"),
            TagEnd::Link | TagEnd::Image => {
                let target = self.links.pop().unwrap_or_default();
                self.write(&format!("]({})", destination(&target)));
            }
            _ => {}
        }
    }

    /// Text, escaped; its line breaks (from what was HTML) are kept as line breaks.
    fn text(&mut self, text: &str) {
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                self.end_line();
            }
            let line = if self.line_open && !self.fresh {
                line
            } else {
                line.trim_start()
            };
            if line.is_empty() {
                continue;
            }
            self.begin_line();
            let line_start = self.fresh;
            self.fresh = false;
            escape_into(&mut self.out, line, line_start);
        }
    }

    fn code_span(&mut self, code: &str) {
        if has_template_syntax(code) || (self.in_table && code.contains('|')) {
            self.text(code);
            return;
        }
        let fence = "`".repeat(longest_run(code, '`') + 1);
        let pad = if code.starts_with(['`', ' ']) || code.ends_with(['`', ' ']) {
            " "
        } else {
            ""
        };
        self.write(&format!("{fence}{pad}{code}{pad}{fence}"));
    }

    fn code_block(&mut self) {
        let code = self.code.take().unwrap_or_default();
        self.start_block();
        if has_template_syntax(&code) {
            let lines: Vec<&str> = code.lines().filter(|l| !l.trim().is_empty()).collect();
            for (i, line) in lines.iter().enumerate() {
                self.text(line);
                if i + 1 < lines.len() {
                    self.write("\\");
                }
                self.end_line();
            }
            return;
        }
        let fence = "`".repeat(longest_run(&code, '`').max(2) + 1);
        self.write(&fence);
        self.end_line();
        for line in code.lines() {
            self.begin_line();
            self.out.push_str(line);
            self.end_line();
        }
        self.write(&fence);
        self.end_line();
    }

    /// Ends the current line and, if the container already holds a block, leaves a blank line.
    fn start_block(&mut self) {
        self.end_line();
        let has_block = match self.containers.last_mut() {
            Some(container) => std::mem::replace(&mut container.has_block, true),
            None => std::mem::replace(&mut self.has_block, true),
        };
        if has_block {
            for container in &self.containers {
                self.out.push_str(container.rest.trim_end());
            }
            self.out.push('\n');
        }
    }

    /// Writes the prefixes of the open containers, once a line.
    fn begin_line(&mut self) {
        if self.line_open {
            return;
        }
        for container in &mut self.containers {
            match container.first.take() {
                Some(marker) => self.out.push_str(&marker),
                None => self.out.push_str(&container.rest),
            }
        }
        self.line_open = true;
        self.fresh = true;
    }

    fn write(&mut self, markup: &str) {
        self.begin_line();
        self.fresh = false;
        self.out.push_str(markup);
    }

    fn end_line(&mut self) {
        if self.line_open {
            self.out.push('\n');
            self.line_open = false;
        }
    }
}

/// The longest run of `c` in `text`.
fn longest_run(text: &str, c: char) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::Parser;

    fn roundtrip(markdown: &str) -> String {
        write(Parser::new_ext(
            markdown,
            pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_STRIKETHROUGH,
        ))
    }

    #[test]
    fn escaping_keeps_names_intact() {
        assert_eq!(escape("Müller & *Partner*"), "Müller & \\*Partner\\*");
        assert_eq!(
            escape("a_b [c](d) <e> |f|"),
            "a\\_b \\[c\\](d) \\<e\\> \\|f\\|"
        );
        assert_eq!(escape("# keine Überschrift"), "\\# keine Überschrift");
        assert_eq!(escape("1. kein Listenpunkt"), "1\\. kein Listenpunkt");
        assert_eq!(escape("- kein Punkt"), "\\- kein Punkt");
        assert_eq!(escape("0561 787-87"), "0561 787-87");
        assert_eq!(escape("&amp;"), "\\&amp;");
        assert_eq!(
            escape("{{% param secret %}}"),
            "&#123;&#123;% param secret %&#125;&#125;"
        );
    }

    #[test]
    fn structure_survives() {
        let markdown = "# Titel\n\nEin *Absatz* mit **fett** und [Link](https://example.org).\n\n- eins\n- zwei\n  - drei\n\n> Zitat\n> weiter\n\n1. a\n2. b\n";
        assert_eq!(
            roundtrip(markdown),
            "# Titel\n\nEin *Absatz* mit **fett** und [Link](https://example.org).\n\n- eins\n- zwei\n  - drei\n\n> Zitat\n> weiter\n\n1. a\n2. b\n"
        );
    }

    #[test]
    fn code_keeps_its_characters_without_entities() {
        assert_eq!(roundtrip("`a < b`"), "`a < b`\n");
        assert_eq!(
            roundtrip("```\nif a < b {\n}\n```"),
            "```\nif a < b {\n}\n```\n"
        );
        assert_eq!(
            roundtrip("`{{< x >}}`"),
            "&#123;&#123;\\< x \\>&#125;&#125;\n"
        );
    }

    #[test]
    fn text_that_looked_like_a_block_stays_text() {
        // Text that came from an HTML block keeps its lines; none of them may start a block.
        let events = vec![
            Event::Start(Tag::Paragraph),
            Event::Text("eins\n# zwei\n- drei\n4. vier\n    fünf\n===".into()),
            Event::End(TagEnd::Paragraph),
        ];
        assert_eq!(
            write(events),
            "eins\n\\# zwei\n\\- drei\n4\\. vier\nfünf\n\\===\n"
        );
    }

    #[test]
    fn hard_breaks_are_written_with_a_backslash() {
        assert_eq!(
            roundtrip("Stadt X  \nMarkt 1\\\n12345 X"),
            "Stadt X\\\nMarkt 1\\\n12345 X\n"
        );
        // The line after a break is escaped as the start of a line; containers keep their prefix.
        assert_eq!(
            roundtrip("- Amt  \n  \\# 2. Stock\n\n> Zitat\\\n> 2. Zeile"),
            "- Amt\\\n  \\# 2. Stock\n\n> Zitat\\\n> 2\\. Zeile\n"
        );
        // Soft breaks stay line breaks.
        assert_eq!(roundtrip("Stadt X\nMarkt 1"), "Stadt X\nMarkt 1\n");
    }

    #[test]
    fn a_heading_stays_on_one_line() {
        assert_eq!(
            roundtrip("Stadt X  \nMarkt 1\nEnde\n==="),
            "# Stadt X Markt 1 Ende\n"
        );
    }

    #[test]
    fn destinations_cannot_break_out_or_decode() {
        assert_eq!(
            destination("https://x.de/a(b)&#106;{{x}} y"),
            "https://x.de/a\\(b\\)\\&#106;%7B%7Bx%7D%7D%20y"
        );
    }
}
