//! Filters the templates use to turn model values into words of the notice.

use std::collections::BTreeMap;

use minijinja::value::ValueKind;
use minijinja::{Error, ErrorKind, State, Value};

use super::prose;
use crate::law::law;
use crate::model::{Article, Date, Duration, Language, Retention, RetentionRule, TimeUnit};

const WIDTH: usize = 80;

fn language(state: &State) -> String {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "de".to_string())
}

/// Prose as sanitised HTML, headings placed below `level`. Links to a part of the notice
/// (`#server-logs`) get the ids' prefix, and a table is labelled with the word for it.
pub fn prose_html(state: &State, markdown: &str, level: Option<usize>) -> Value {
    let id_prefix = state
        .lookup("id_prefix")
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let table = state
        .lookup("labels")
        .and_then(|labels| labels.get_attr("table").ok())
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    Value::from_safe_string(prose::to_html(
        markdown,
        level.unwrap_or(2),
        &prose::Page {
            id_prefix: &id_prefix,
            table: &table,
        },
    ))
}

/// Prose as normalised Markdown, headings placed below `level`.
pub fn prose_md(markdown: &str, level: Option<usize>) -> String {
    prose::to_markdown(markdown, level.unwrap_or(2))
}

/// Prose as plain text wrapped at 80 columns, every line indented by `indent` spaces.
pub fn prose_text(markdown: &str, indent: Option<usize>) -> String {
    let pad = " ".repeat(indent.unwrap_or(0));
    let mut out = String::new();
    for (i, block) in prose::to_text_blocks(markdown).iter().enumerate() {
        if i > 0 {
            out.push('\n');
            if block.spaced {
                out.push('\n');
            }
        }
        out.push_str(&wrap_lines(
            &block.text,
            &format!("{pad}{}", block.first),
            &format!("{pad}{}", block.rest),
        ));
    }
    out
}

/// Wraps `text` at 80 columns as textwrap's first fit does with words split at ASCII spaces and
/// never broken (the test below compares the two), without its allocations for every word and
/// line, which cost a quarter of rendering plain text. Each line of `text` is wrapped on its own;
/// the first row written is indented by `first`, every other by `rest`.
fn wrap_lines(text: &str, first: &str, rest: &str) -> String {
    let widths = [
        WIDTH.saturating_sub(textwrap::core::display_width(first)),
        WIDTH.saturating_sub(textwrap::core::display_width(rest)),
    ];
    let mut out = String::with_capacity(text.len() + first.len() + text.len() / 40 * rest.len());
    let mut rows = 0;
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let indent = if rows == 0 { first } else { rest };
        if line.len() < WIDTH && indent.is_empty() {
            out.push_str(line.trim_end_matches(' '));
            rows += 1;
            continue;
        }
        // The words of the line: each a range of the line without the spaces after it, which
        // it keeps for the width of the row it is not the last of.
        let mut row_start: Option<usize> = None;
        let mut row_end = 0;
        let mut width = 0;
        let mut rows_of_line = 0;
        let mut start = 0;
        while start < line.len() {
            let word_end = line[start..].find(' ').map_or(line.len(), |i| start + i);
            let next = line[word_end..]
                .find(|c| c != ' ')
                .map_or(line.len(), |i| word_end + i);
            let word_width = display_width(&line[start..word_end]);
            let limit = widths[rows_of_line.min(1)];
            if row_start.is_some() && width + word_width > limit {
                push_row(&mut out, line, row_start, row_end, rows, first, rest);
                rows += 1;
                rows_of_line += 1;
                out.push('\n');
                row_start = None;
                width = 0;
            }
            row_start.get_or_insert(start);
            row_end = word_end;
            width += word_width + (next - word_end);
            start = next;
        }
        push_row(&mut out, line, row_start, row_end, rows, first, rest);
        rows += 1;
    }
    out
}

/// One row of a wrapped line, `line[start..end]` behind its indent; a line without words is an
/// empty row, without indent.
fn push_row(
    out: &mut String,
    line: &str,
    start: Option<usize>,
    end: usize,
    rows: usize,
    first: &str,
    rest: &str,
) {
    if let Some(start) = start {
        out.push_str(if rows == 0 { first } else { rest });
        out.push_str(&line[start..end]);
    }
}

/// The columns a word takes: one a character for printable ASCII, else as textwrap counts them.
fn display_width(word: &str) -> usize {
    if word.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        word.len()
    } else {
        textwrap::core::display_width(word)
    }
}

/// The label of a list in agreement with how many items it has: `purposes_one` for one item
/// where labels.yaml has it, else `purposes` (`{{ l | label("purposes", items) }}`).
pub fn label(labels: &Value, key: &str, items: &Value) -> Result<Value, Error> {
    if items.len() == Some(1) {
        let one = labels.get_item(&Value::from(format!("{key}_one")))?;
        if !one.is_undefined() {
            return Ok(one);
        }
    }
    labels.get_item(&Value::from(key))
}

/// The tag of a heading of `level`, at most `h6`.
pub fn heading(level: usize) -> String {
    format!("h{}", level.min(6))
}

/// Wraps a line of text at 80 columns: `wrap("- ", "  ")` for a list item.
pub fn wrap(text: &str, first: Option<&str>, rest: Option<&str>) -> String {
    let first = first.unwrap_or("");
    let rest = rest.map_or_else(|| " ".repeat(first.chars().count()), str::to_string);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    wrap_lines(&text, first, &rest)
}

/// Escapes the characters that have a meaning in HTML text and attribute values, and the braces
/// that open template syntax.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Hugo, Jekyll and Zola read `{{` and `{%` in an HTML file before the browser does.
            '{' => out.push_str("&#123;"),
            '}' => out.push_str("&#125;"),
            c => out.push(c),
        }
    }
    out
}

/// A line of `mark` as long as `text` (at most 80 columns), to underline a heading in plain text.
pub fn underline(text: &str, mark: &str) -> String {
    let width = text.chars().count().clamp(1, WIDTH);
    mark.repeat(width)
}

/// A string as a YAML scalar for front matter; JSON strings are valid YAML. Braces and angle
/// brackets are written as `\u` escapes: the value is the same, but nothing in the file reads as
/// template syntax or markup to a tool that scans it raw.
pub fn yaml(text: &str) -> String {
    serde_json::to_string(text)
        .unwrap_or_else(|_| "\"\"".to_string())
        .replace('{', "\\u007b")
        .replace('}', "\\u007d")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
}

fn notice_language(state: &State) -> Language {
    if language(state) == "en" {
        Language::En
    } else {
        Language::De
    }
}

fn expected(what: &str) -> Error {
    Error::new(ErrorKind::InvalidOperation, format!("expected {what}"))
}

/// A date in the words of the notice: `2. Mai 2024`, `2 May 2024`.
pub fn date(state: &State, value: Value) -> Result<String, Error> {
    let date = value
        .downcast_object_ref::<Date>()
        .ok_or_else(|| expected("a date"))?;
    Ok(date.written(notice_language(state)))
}

/// A duration in words: `30 Tage`, `1 Jahr`, `2 months`.
pub fn duration(state: &State, value: Value) -> Result<String, Error> {
    let duration = value
        .downcast_object_ref::<Duration>()
        .ok_or_else(|| expected("a duration"))?;
    Ok(duration_in_words(*duration, notice_language(state)))
}

/// A duration in the words of a language: `30 Tage`, `2 months`.
pub fn duration_in_words(duration: Duration, language: Language) -> String {
    let one = duration.amount == 1;
    let (de_one, de_many, en) = match duration.unit {
        TimeUnit::Minute => ("Minute", "Minuten", "minute"),
        TimeUnit::Hour => ("Stunde", "Stunden", "hour"),
        TimeUnit::Day => ("Tag", "Tage", "day"),
        TimeUnit::Week => ("Woche", "Wochen", "week"),
        TimeUnit::Month => ("Monat", "Monate", "month"),
        TimeUnit::Year => ("Jahr", "Jahre", "year"),
    };
    let word = match (language, one) {
        (Language::En, true) => en.to_string(),
        (Language::En, false) => format!("{en}s"),
        (Language::De, true) => de_one.to_string(),
        (Language::De, false) => de_many.to_string(),
    };
    format!("{} {word}", duration.amount)
}

/// A retention rule as the notice words it, after the data it is for: "IP-Adresse: 30 Tage",
/// "bis Sie sich abmelden". For the formats that are not written by a template (TILT, `diff`).
pub fn retention_in_words(retention: &Retention, language: Language) -> String {
    let label = |name: &str| crate::labels::label(language, name);
    let rule = match &retention.rule {
        RetentionRule::Period {
            duration,
            from,
            at_most,
        } => {
            let mut words = String::new();
            if *at_most {
                words.push_str(&label("retention_at_most"));
                words.push(' ');
            }
            words.push_str(&duration_in_words(*duration, language));
            if let Some(from) = from {
                words.push(' ');
                words.push_str(from);
            }
            words
        }
        RetentionRule::Until { event } => format!("{} {event}", label("retention_until")),
        RetentionRule::Statutory { law } => format!("{} {law}", label("retention_statutory")),
        RetentionRule::Criteria { text } => text.to_string(),
        RetentionRule::Archive { archive, law } => {
            let law = law.as_ref().map(|l| format!(" ({l})")).unwrap_or_default();
            format!("{} {archive}{law}", label("retention_archive"))
        }
    };
    match &retention.data {
        Some(data) => format!("{data}: {rule}"),
        None => rule,
    }
}

/// A GDPR article as lawyers cite it: `Art. 6 Abs. 1 lit. e DSGVO`, `Art. 6(1)(e) GDPR`. The
/// legal bases of the model are articles; the rights of the law data cite theirs as written
/// there (`15`, `21(1)`).
pub fn cite(state: &State, value: Value) -> Result<String, Error> {
    let language = notice_language(state);
    if let Some(article) = value.downcast_object_ref::<Article>() {
        return Ok(crate::law::cite_article(*article, language));
    }
    let code = value.as_str().ok_or_else(|| expected("an article"))?;
    Ok(crate::law::cite(code, language))
}

/// What a legal basis means, from the law data.
pub fn basis_label(state: &State, value: Value) -> Result<String, Error> {
    let article = value
        .downcast_object_ref::<Article>()
        .ok_or_else(|| expected("a legal basis"))?;
    Ok(law()
        .legal_basis(&article.code())
        .map(|basis| match notice_language(state) {
            Language::En => basis.en.clone(),
            Language::De => basis.de.clone(),
        })
        .unwrap_or_default())
}

/// The name of a country in the notice's language.
pub fn country(state: &State, code: &str) -> String {
    law()
        .country(code)
        .map(|country| match language(state).as_str() {
            "en" => country.en.clone(),
            _ => country.de.clone(),
        })
        .unwrap_or_else(|| code.to_string())
}

/// A phone number as a `tel:` link target in E.164 (`+495617872150`), or none when the text is
/// not exactly one number a phone can dial: the templates then show it without a link.
pub fn tel(number: &str) -> Option<String> {
    crate::phone::normalise(number)
}

/// The facts of an activity, by their names in the export: what [`runs`] divides among its runs.
const FACTS: [&str; 23] = [
    "data",
    "subjects",
    "sources",
    "purposes",
    "legal_bases",
    "legitimate_interests",
    "no_recipients",
    "recipients",
    "processors",
    "joint_controllers",
    "operators",
    "presences",
    "partners",
    "no_transfers",
    "transfers",
    "retention",
    "requirement",
    "automated_decisions",
    "cookies",
    "privacy_policies",
    "links",
    "objection",
    "withdrawal",
];

/// An activity's facts in runs, so that a section without a heading stands where it was written
/// among them: each run is the activity with only the facts written before such a section
/// (`facts`), whether it states any (`stated`), and the `sections` that follow it. The last run
/// has the facts not written before any of them (also those taken from the defaults), followed by
/// the sections with a heading. An activity without such sections is one run.
pub fn runs(activity: &Value) -> Result<Value, Error> {
    let mut runs = Vec::new();
    let mut placed: Vec<String> = Vec::new();
    let mut headed = Vec::new();
    for section in activity.get_attr("sections")?.try_iter()? {
        let follows = section.get_attr("follows")?;
        if follows.is_undefined() || follows.is_none() {
            headed.push(section);
            continue;
        }
        let keys: Vec<String> = follows
            .try_iter()?
            .filter_map(|key| key.as_str().map(str::to_string))
            .collect();
        placed.extend(keys.iter().cloned());
        runs.push(run(
            activity,
            |key| keys.iter().any(|k| k == key),
            vec![section],
        )?);
    }
    if placed.is_empty() {
        // The common case, one run of every fact: the activity itself, not a copy of it.
        let mut stated = false;
        for name in FACTS {
            stated |= activity.get_attr(name)?.is_true();
        }
        runs.push(Value::from(BTreeMap::from([
            ("facts", activity.clone()),
            ("sections", Value::from(headed)),
            ("stated", Value::from(stated)),
        ])));
    } else {
        runs.push(run(
            activity,
            |key| !placed.iter().any(|k| k == key),
            headed,
        )?);
    }
    Ok(Value::from(runs))
}

/// A value that states nothing, of the kind of `value`: templates test facts by their truth and
/// iterate lists.
fn nothing_like(value: &Value) -> Value {
    match value.kind() {
        ValueKind::Seq => Value::from(Vec::<Value>::new()),
        ValueKind::Bool => Value::from(false),
        _ => Value::from(()),
    }
}

/// The activity with only the facts `in_run` takes, and the sections after them.
fn run(
    activity: &Value,
    in_run: impl Fn(&str) -> bool,
    sections: Vec<Value>,
) -> Result<Value, Error> {
    let mut facts = BTreeMap::new();
    let mut stated = false;
    for key in activity.try_iter()? {
        let Some(name) = key.as_str() else { continue };
        let value = activity.get_item(&key)?;
        let value = if !FACTS.contains(&name) {
            value
        } else if in_run(name) {
            stated |= value.is_true();
            value
        } else {
            nothing_like(&value)
        };
        facts.insert(name.to_string(), value);
    }
    Ok(Value::from(BTreeMap::from([
        ("facts", Value::from(facts)),
        ("sections", Value::from(sections)),
        ("stated", Value::from(stated)),
    ])))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// textwrap's wrapping with the options `wrap_lines` stands for.
    fn textwrap_lines(text: &str, first: &str, rest: &str) -> String {
        let options = textwrap::Options::new(WIDTH)
            .initial_indent(first)
            .subsequent_indent(rest)
            .break_words(false)
            .word_separator(textwrap::WordSeparator::AsciiSpace)
            .word_splitter(textwrap::WordSplitter::NoHyphenation)
            .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit);
        textwrap::wrap(text, options).join("\n")
    }

    #[test]
    fn wrapping_is_textwraps_first_fit() {
        let words = [
            "a",
            "Wort",
            "Datenschutzbeauftragte",
            "über",
            "E-Mail-Adresse",
            "x",
            "",
            "https://www.example.org/ein/sehr/langer/pfad/der/nicht/umgebrochen/werden/darf/und/länger/ist/als/eine/zeile",
            "漢字",
            "Straße",
            "—",
        ];
        let separators = [" ", "  ", "\n", " \n ", "   "];
        let indents = [
            ("", ""),
            ("- ", "  "),
            ("    ", "    "),
            ("1. ", "   "),
            ("", "  "),
        ];
        let mut state: u64 = 7;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize % n
        };
        for case in 0..3000 {
            let mut text = String::new();
            for _ in 0..next(40) {
                text.push_str(words[next(words.len())]);
                text.push_str(
                    separators[if next(8) == 0 {
                        next(separators.len())
                    } else {
                        0
                    }],
                );
            }
            if next(3) == 0 {
                text = text.trim().to_string();
            }
            let (first, rest) = indents[next(indents.len())];
            assert_eq!(
                wrap_lines(&text, first, rest),
                textwrap_lines(&text, first, rest),
                "case {case}: {text:?} with {first:?}, {rest:?}"
            );
        }
    }

    #[test]
    fn wrapping_respects_eighty_columns_and_indent() {
        let text = "wort ".repeat(40);
        let wrapped = wrap(&text, Some("- "), None);
        assert!(wrapped.lines().all(|line| line.chars().count() <= 80));
        assert!(
            wrapped
                .lines()
                .skip(1)
                .all(|line| line.starts_with("  wort"))
        );
    }

    #[test]
    fn phone_numbers_become_tel_targets() {
        assert_eq!(tel("0561 787-2150").as_deref(), Some("+495617872150"));
        assert_eq!(tel("+49 561 707707").as_deref(), Some("+49561707707"));
        assert_eq!(
            tel("+49 (0) 43 40 / 409-000").as_deref(),
            Some("+494340409000")
        );
        assert_eq!(tel("02921 30-2510, -2511"), None);
    }
}
