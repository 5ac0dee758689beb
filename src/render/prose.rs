//! Markdown prose from a policy, rendered safely for each output format.
//!
//! Raw HTML in prose is turned into text, links with schemes other than http(s), mailto and tel
//! are dropped (their text stays), and images become links, because a notice must not load
//! anything from elsewhere. Headings are moved below the heading of the part they stand in.

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Parses prose and makes it safe. `part_level` is the heading level of the part the prose
/// stands in: the prose's highest headings go one below it and the others keep their distance,
/// so that whether the author wrote `#` or `##`, the page never skips a level.
fn events(markdown: &str, part_level: usize) -> Vec<Event<'_>> {
    let mut events = Vec::new();
    // For each open link: whether it was kept, so its end is kept or dropped alike.
    let mut links: Vec<bool> = Vec::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => events.push(Event::Text(html)),
            Event::Start(Tag::HtmlBlock) => events.push(Event::Start(Tag::Paragraph)),
            Event::End(TagEnd::HtmlBlock) => events.push(Event::End(TagEnd::Paragraph)),
            Event::Start(Tag::Heading { level, .. }) => events.push(Event::Start(Tag::Heading {
                level,
                id: None,
                classes: Vec::new(),
                attrs: Vec::new(),
            })),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let keep = crate::address::is_safe_link_target(&dest_url);
                links.push(keep);
                if keep {
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                let keep = crate::address::is_safe_link_target(&dest_url);
                links.push(keep);
                if keep {
                    events.push(Event::Start(Tag::Link {
                        link_type: LinkType::Inline,
                        dest_url,
                        title,
                        id: CowStr::Borrowed(""),
                    }));
                }
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if links.pop().unwrap_or(false) {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            other => events.push(other),
        }
    }
    let highest = events
        .iter()
        .filter_map(|event| match event {
            Event::Start(Tag::Heading { level, .. }) => Some(*level as usize),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    for event in &mut events {
        if let Event::Start(Tag::Heading { level, .. }) | Event::End(TagEnd::Heading(level)) = event
        {
            let placed = part_level + 1 + (*level as usize - highest);
            *level = HeadingLevel::try_from(placed.min(6)).unwrap_or(HeadingLevel::H6);
        }
    }
    events
}

/// What prose in HTML needs to know of the page it stands in.
pub struct Page<'a> {
    /// What the ids of the notice start with: a link to a part of it (`#server-logs`) gets it too.
    pub id_prefix: &'a str,
    /// The word for a table, which names the scrolling box a table stands in.
    pub table: &'a str,
}

/// Prose as HTML. Text is escaped by pulldown-cmark's writer, braces here. A table stands in a
/// box of its own that scrolls sideways when the table is wider than the screen (and that can
/// be focused, so the keyboard can scroll it), named by the word for a table and the table's
/// head.
pub fn to_html(markdown: &str, part_level: usize, page: &Page) -> String {
    let events = events(markdown, part_level);
    let mut placed = Vec::with_capacity(events.len());
    for (at, event) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Table(_)) => {
                let name = table_name(&events[at..], page.table);
                placed.push(Event::Html(CowStr::from(format!(
                    "<div class=\"table\" tabindex=\"0\" role=\"region\" aria-label=\"{}\">\n",
                    super::filters::escape_html(&name)
                ))));
                placed.push(event.clone());
            }
            Event::End(TagEnd::Table) => {
                placed.push(event.clone());
                placed.push(Event::Html(CowStr::Borrowed("</div>\n")));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) if dest_url.starts_with('#') => placed.push(Event::Start(Tag::Link {
                link_type: *link_type,
                dest_url: CowStr::from(format!("#{}{}", page.id_prefix, &dest_url[1..])),
                title: title.clone(),
                id: id.clone(),
            })),
            other => placed.push(other.clone()),
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, placed.into_iter());
    // Braces can only come from the author's text; as references they cannot open a template.
    html.replace('{', "&#123;").replace('}', "&#125;")
}

/// The name of the table that `events` start with: `table` and the text of its head
/// ("Tabelle: Name, Zweck, Dauer").
fn table_name(events: &[Event], table: &str) -> String {
    let mut cells: Vec<String> = Vec::new();
    for event in events {
        match event {
            Event::Start(Tag::TableCell) => cells.push(String::new()),
            Event::Text(text) | Event::Code(text) => {
                if let Some(cell) = cells.last_mut() {
                    cell.push_str(text);
                }
            }
            Event::End(TagEnd::TableHead) => break,
            _ => {}
        }
    }
    let cells: Vec<&str> = cells
        .iter()
        .map(|cell| cell.trim())
        .filter(|cell| !cell.is_empty())
        .collect();
    if cells.is_empty() {
        table.to_string()
    } else {
        format!("{table}: {}", cells.join(", "))
    }
}

/// Prose as CommonMark in which nothing the author wrote can become HTML, an image, an unsafe
/// link or template syntax.
pub fn to_markdown(markdown: &str, part_level: usize) -> String {
    super::markdown::write(events(markdown, part_level))
}

/// A block of plain text: the prefix of its first line, the indent of the following lines, and
/// its words.
pub struct TextBlock {
    pub first: String,
    pub rest: String,
    pub text: String,
    /// Whether a blank line goes before the block.
    pub spaced: bool,
}

/// Prose reduced to plain text blocks; links are written as "text (url)".
pub fn to_text_blocks(markdown: &str) -> Vec<TextBlock> {
    let mut out = TextWriter::default();
    // Open links: their target, and where their text starts.
    let mut links: Vec<(String, usize)> = Vec::new();
    for event in events(markdown, 0) {
        match event {
            Event::Start(Tag::List(start)) => {
                out.flush();
                if out.lists.is_empty() {
                    out.spaced_next = true;
                }
                out.lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                out.flush();
                out.lists.pop();
                out.spaced_next = out.lists.is_empty();
            }
            Event::Start(Tag::Item) => {
                out.flush();
                let indent = "  ".repeat(out.lists.len().saturating_sub(1));
                let marker = match out.lists.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        format!("{}. ", *n - 1)
                    }
                    _ => "- ".to_string(),
                };
                let rest = format!("{indent}{}", " ".repeat(marker.len()));
                out.prefix = Some((format!("{indent}{marker}"), rest));
            }
            Event::Start(
                Tag::Paragraph | Tag::Heading { .. } | Tag::BlockQuote(_) | Tag::CodeBlock(_),
            )
            | Event::End(
                TagEnd::Item
                | TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::TableRow
                | TagEnd::TableHead,
            ) => out.flush(),
            Event::Start(Tag::Link { dest_url, .. }) => {
                links.push((dest_url.to_string(), out.current.len()))
            }
            Event::End(TagEnd::Link) => {
                let (target, start) = links.pop().unwrap_or_default();
                let text = out.current.get(start..).unwrap_or("").trim().to_string();
                let shown = target.strip_prefix("mailto:").unwrap_or(&target);
                if text != shown && !shown.is_empty() {
                    out.current.push_str(&format!(" ({shown})"));
                }
            }
            Event::Text(text) | Event::Code(text) => out.current.push_str(&text),
            Event::SoftBreak => out.current.push(' '),
            Event::HardBreak => {
                out.line_break();
                // The text of an open link goes on at the start of the new line.
                for (_, start) in &mut links {
                    *start = 0;
                }
            }
            Event::End(TagEnd::TableCell) => out.current.push_str(" | "),
            _ => {}
        }
    }
    out.flush();
    out.blocks
}

struct TextWriter {
    blocks: Vec<TextBlock>,
    current: String,
    /// Open lists: the next number of an ordered list, or None for bullets.
    lists: Vec<Option<u64>>,
    /// Marker and indent of the list item being written.
    prefix: Option<(String, String)>,
    spaced_next: bool,
    /// After a hard line break: the indent of the block the line breaks, which its next line
    /// keeps.
    continued: Option<String>,
}

impl Default for TextWriter {
    fn default() -> Self {
        TextWriter {
            blocks: Vec::new(),
            current: String::new(),
            lists: Vec::new(),
            prefix: None,
            spaced_next: true,
            continued: None,
        }
    }
}

impl TextWriter {
    /// Ends the block being written; a hard line break that ended the text before it ends there.
    fn flush(&mut self) {
        self.push_block();
    }

    /// A hard line break: the text so far is a block of its own, and the next line goes on below
    /// it with the same indent and no blank line between.
    fn line_break(&mut self) {
        self.continued = self.push_block();
    }

    /// Writes the text so far as a block, if there is any, and returns its indent.
    fn push_block(&mut self) -> Option<String> {
        let text = self
            .current
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        self.current.clear();
        let continued = self.continued.take();
        if text.is_empty() {
            return None;
        }
        let (first, rest, spaced) = match continued {
            Some(indent) => (indent.clone(), indent, false),
            None => {
                let (first, rest) = self.prefix.take().unwrap_or_else(|| {
                    let indent = "  ".repeat(self.lists.len());
                    (indent.clone(), indent)
                });
                (first, rest, self.spaced_next)
            }
        };
        self.blocks.push(TextBlock {
            first,
            rest: rest.clone(),
            text,
            spaced,
        });
        self.spaced_next = self.lists.is_empty();
        Some(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: Page = Page {
        id_prefix: "",
        table: "Tabelle",
    };

    #[test]
    fn a_table_scrolls_in_a_box_named_by_its_head() {
        let html = to_html(
            "| Name | `Zweck` |\n| --- | --- |\n| _pk_id | Statistik |",
            2,
            &PAGE,
        );
        assert!(
            html.starts_with(
                "<div class=\"table\" tabindex=\"0\" role=\"region\" aria-label=\"Tabelle: Name, Zweck\">\n<table>"
            ),
            "{html}"
        );
        assert!(html.ends_with("</table>\n</div>\n"), "{html}");
        let hostile = to_html("| \"><script> |\n| --- |\n| x |", 2, &PAGE);
        assert!(
            hostile.contains("aria-label=\"Tabelle: &quot;&gt;&lt;script&gt;\""),
            "{hostile}"
        );
    }

    #[test]
    fn links_into_the_notice_take_the_prefix_of_its_ids() {
        let page = Page {
            id_prefix: "klartext-",
            table: "Tabelle",
        };
        let html = to_html(
            "[Logs](#server-logs) und [Seite](https://example.org/#top)",
            2,
            &page,
        );
        assert!(html.contains("href=\"#klartext-server-logs\""), "{html}");
        assert!(html.contains("href=\"https://example.org/#top\""), "{html}");
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = to_html(
            "Hallo <script>alert(1)</script> Welt\n\n<div onclick=x>Block</div>",
            0,
            &PAGE,
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn javascript_links_lose_their_target() {
        for target in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,x",
            "vbscript:x",
        ] {
            let html = to_html(&format!("[klick]({target})"), 0, &PAGE);
            assert!(!html.contains("href"), "{target}: {html}");
            assert!(html.contains("klick"), "{target}: {html}");
        }
        let html = to_html(
            "[Seite](https://example.org) und [Mail](mailto:a@b.de)",
            0,
            &PAGE,
        );
        assert!(html.contains("href=\"https://example.org\""), "{html}");
        assert!(html.contains("href=\"mailto:a@b.de\""), "{html}");
    }

    #[test]
    fn images_become_links() {
        let html = to_html("![Logo](https://example.org/logo.png)", 0, &PAGE);
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("<a href=\"https://example.org/logo.png\">Logo</a>"),
            "{html}"
        );
    }

    #[test]
    fn headings_move_below_their_part() {
        assert!(to_html("# Titel", 2, &PAGE).contains("<h3>Titel</h3>"));
        assert!(
            to_html("## Titel\n\n### Unter", 2, &PAGE).contains("<h3>Titel</h3>\n<h4>Unter</h4>")
        );
        assert!(to_html("###### Tief", 3, &PAGE).contains("<h4>Tief</h4>"));
        assert!(to_html("# A\n\n###### Tief", 4, &PAGE).contains("<h6>Tief</h6>"));
    }

    #[test]
    fn markdown_output_escapes_html_and_links() {
        // What a site's renderer makes of it, raw HTML allowed.
        let rendered = |markdown: &str| {
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, Parser::new(markdown));
            html
        };
        let markdown = to_markdown("Text mit <b>fett</b>", 0);
        assert!(!rendered(&markdown).contains("<b>"), "{markdown}");
        let markdown = to_markdown(
            "<div>\n[hier](javascript:alert(1)) ![](https://evil.example/t.png)\n</div>",
            0,
        );
        let html = rendered(&markdown);
        assert!(!html.contains("<div") && !html.contains("<img"), "{html}");
        assert!(!html.contains("href"), "{html}");
    }

    #[test]
    fn text_writes_links_with_their_target() {
        let blocks = to_text_blocks(
            "Siehe [Google](https://policies.google.com) oder <https://example.org>.",
        );
        assert_eq!(blocks.len(), 1);
        assert_eq!(
            blocks[0].text,
            "Siehe Google (https://policies.google.com) oder https://example.org."
        );
    }

    #[test]
    fn hard_breaks_are_line_breaks_in_every_format() {
        for markdown in [
            "Stadt X\\\nMarkt 1\\\n12345 X",
            "Stadt X  \nMarkt 1  \n12345 X",
        ] {
            assert_eq!(
                to_html(markdown, 0, &PAGE),
                "<p>Stadt X<br />\nMarkt 1<br />\n12345 X</p>\n",
                "{markdown:?}"
            );
            assert_eq!(
                to_markdown(markdown, 0),
                "Stadt X\\\nMarkt 1\\\n12345 X\n",
                "{markdown:?}"
            );
            let blocks = to_text_blocks(markdown);
            let lines: Vec<(&str, &str, bool)> = blocks
                .iter()
                .map(|b| (b.first.as_str(), b.text.as_str(), b.spaced))
                .collect();
            assert_eq!(
                lines,
                [
                    ("", "Stadt X", true),
                    ("", "Markt 1", false),
                    ("", "12345 X", false)
                ],
                "{markdown:?}"
            );
        }
    }

    #[test]
    fn soft_breaks_stay_spaces_in_text() {
        let blocks = to_text_blocks("Stadt X\nMarkt 1\n\nZweiter Absatz");
        let texts: Vec<(&str, bool)> = blocks.iter().map(|b| (b.text.as_str(), b.spaced)).collect();
        assert_eq!(texts, [("Stadt X Markt 1", true), ("Zweiter Absatz", true)]);
    }

    #[test]
    fn a_line_broken_in_a_list_item_keeps_its_indent() {
        let blocks = to_text_blocks(
            "- Stadt X\\\n  Markt 1\n- Kreis Y\n\n10. Amt\\\n    [Web](https://y.de)\\\n    Ende",
        );
        let lines: Vec<(&str, &str, &str, bool)> = blocks
            .iter()
            .map(|b| (b.first.as_str(), b.rest.as_str(), b.text.as_str(), b.spaced))
            .collect();
        assert_eq!(
            lines,
            [
                ("- ", "  ", "Stadt X", true),
                ("  ", "  ", "Markt 1", false),
                ("- ", "  ", "Kreis Y", false),
                ("10. ", "    ", "Amt", true),
                ("    ", "    ", "Web (https://y.de)", false),
                ("    ", "    ", "Ende", false),
            ]
        );
    }

    #[test]
    fn text_lists_get_markers() {
        let blocks = to_text_blocks("Daten:\n\n- IP-Adresse\n- Uhrzeit\n\n1. eins\n2. zwei");
        let firsts: Vec<&str> = blocks.iter().map(|b| b.first.as_str()).collect();
        assert_eq!(firsts, ["", "- ", "- ", "1. ", "2. "]);
    }
}
