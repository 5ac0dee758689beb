//! Filters the templates use to turn model values into words of the notice.

use minijinja::{Error, ErrorKind, State, Value};

use super::prose;
use crate::law::law;
use crate::model::{Date, Language};

const WIDTH: usize = 80;

fn language(state: &State) -> String {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "de".to_string())
}

/// Prose as sanitised HTML, headings placed below `level`.
pub fn prose_html(markdown: &str, level: Option<usize>) -> Value {
    Value::from_safe_string(prose::to_html(markdown, level.unwrap_or(2)))
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

fn wrap_lines(text: &str, first: &str, rest: &str) -> String {
    let options = textwrap::Options::new(WIDTH)
        .initial_indent(first)
        .subsequent_indent(rest)
        .break_words(false)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit);
    textwrap::wrap(text, options).join("\n")
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

/// A date in the words of the notice: `2. Mai 2024`, `2 May 2024`.
pub fn date(state: &State, value: &str) -> Result<String, Error> {
    let date =
        Date::parse(value).ok_or_else(|| Error::new(ErrorKind::InvalidOperation, "not a date"))?;
    let language = if language(state) == "en" {
        Language::En
    } else {
        Language::De
    };
    Ok(date.written(language))
}

/// A duration in words: `30 Tage`, `1 Jahr`, `2 months`.
pub fn duration(state: &State, value: Value) -> Result<String, Error> {
    let amount = value
        .get_attr("amount")?
        .as_usize()
        .ok_or_else(|| Error::new(ErrorKind::InvalidOperation, "duration without amount"))?;
    let unit = value.get_attr("unit")?;
    let unit = unit.as_str().unwrap_or("");
    let one = amount == 1;
    let word = match (language(state).as_str(), unit) {
        ("en", unit) => {
            if one {
                unit.to_string()
            } else {
                format!("{unit}s")
            }
        }
        (_, "minute") => if one { "Minute" } else { "Minuten" }.to_string(),
        (_, "hour") => if one { "Stunde" } else { "Stunden" }.to_string(),
        (_, "day") => if one { "Tag" } else { "Tage" }.to_string(),
        (_, "week") => if one { "Woche" } else { "Wochen" }.to_string(),
        (_, "month") => if one { "Monat" } else { "Monate" }.to_string(),
        (_, "year") => if one { "Jahr" } else { "Jahre" }.to_string(),
        (_, other) => other.to_string(),
    };
    Ok(format!("{amount} {word}"))
}

/// A GDPR article as lawyers cite it: `Art. 6 Abs. 1 lit. e DSGVO`, `Art. 6(1)(e) GDPR`.
pub fn cite(state: &State, code: &str) -> String {
    let language = if language(state) == "en" {
        Language::En
    } else {
        Language::De
    };
    crate::law::cite(code, language)
}

/// What a legal basis means, from the law data.
pub fn basis_label(state: &State, code: &str) -> String {
    law()
        .legal_basis(code)
        .map(|basis| match language(state).as_str() {
            "en" => basis.en.clone(),
            _ => basis.de.clone(),
        })
        .unwrap_or_default()
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

/// A phone number as a `tel:` link target: digits and a leading plus only.
pub fn tel(number: &str) -> String {
    let mut digits: String = number
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    if let Some(rest) = digits.strip_prefix('0') {
        digits = format!("+49{rest}");
    }
    digits
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(tel("0561 787-2150"), "+495617872150");
        assert_eq!(tel("+49 561 707707"), "+49561707707");
    }
}
