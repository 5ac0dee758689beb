//! Diagnostics for CI systems: a SARIF 2.1.0 log (code scanning, editors) and GitHub Actions
//! workflow commands (annotations on a pull request).
//!
//! Both work for every diagnostic, also for those that are not lints of [`LINTS`] (a syntax
//! error such as `unknown-keyword`): those have a rule id but no rule in the log.

use serde_json::{Value, json};

use crate::Outcome;
use crate::diagnostic::{Diagnostic, FileId, Severity, Span, visible};
use crate::lints::LINTS;

/// The SARIF version written, and the schema that describes it.
const SARIF_VERSION: &str = "2.1.0";
const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// A compiled policy as a report sees it: the outcome and the text of the policy
/// ([`FileId::MAIN`]), from which SARIF columns are counted in UTF-16 code units.
#[derive(Clone, Copy)]
pub struct Checked<'a> {
    pub outcome: &'a Outcome,
    pub text: &'a str,
}

/// Lines and UTF-16 columns of a text, both from 1.
struct Lines<'a> {
    text: &'a str,
    /// Byte offset at which each line starts.
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Lines { text, starts }
    }

    /// 1-based line and column (in UTF-16 code units) of a byte offset; an offset past the end
    /// or inside a character is taken back to the character's start.
    fn place(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let column: usize = self.text[self.starts[line]..offset]
            .chars()
            .map(char::len_utf16)
            .sum();
        (line + 1, column + 1)
    }
}

/// Where a span lies, as SARIF wants it: the artifact's URI and a region.
struct Located {
    uri: String,
    region: Value,
}

/// Places spans of one compile's sources.
struct Placer<'a> {
    checked: Checked<'a>,
    main: Lines<'a>,
}

impl<'a> Placer<'a> {
    fn new(checked: Checked<'a>) -> Placer<'a> {
        Placer {
            checked,
            main: Lines::new(checked.text),
        }
    }

    /// The place of a span, `None` when its file is not among the sources. A span in the policy
    /// gets UTF-16 columns; one in another source (which a compile does not read today) gets the
    /// character columns the sources know.
    fn locate(&self, span: Span) -> Option<Located> {
        let source = self.checked.outcome.source.get(span.file)?;
        let ((line, column), (end_line, end_column)) = if span.file == FileId::MAIN {
            (self.main.place(span.start), self.main.place(span.end))
        } else {
            (source.location(span.start), source.location(span.end))
        };
        Some(Located {
            uri: uri(source.name()),
            region: json!({
                "startLine": line,
                "startColumn": column,
                "endLine": end_line,
                "endColumn": end_column,
            }),
        })
    }

    fn physical(&self, span: Span) -> Option<Value> {
        let located = self.locate(span)?;
        Some(json!({
            "artifactLocation": { "uri": located.uri },
            "region": located.region,
        }))
    }
}

/// A file name as a URI reference: relative names stay relative (with `/` between folders),
/// absolute ones become `file://` URIs, and every byte that may not stand in a URI path is
/// percent-encoded (also `:`, so that a relative name is never read as a scheme).
pub fn uri(name: &str) -> String {
    let name = if cfg!(windows) {
        name.replace('\\', "/")
    } else {
        name.to_string()
    };
    let mut encoded = String::with_capacity(name.len());
    for byte in name.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b'@' => encoded.push(char::from(byte)),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    if name.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The text of a result: the message, and the help on a line of its own.
fn message_text(diagnostic: &Diagnostic) -> String {
    let mut text = visible(&diagnostic.message).into_owned();
    if let Some(help) = &diagnostic.help {
        text.push_str("\nhelp: ");
        text.push_str(&visible(help));
    }
    text
}

/// The SARIF results of one compiled policy, in the order of its diagnostics.
pub fn sarif_results(checked: Checked<'_>) -> Vec<Value> {
    let placer = Placer::new(checked);
    checked
        .outcome
        .diagnostics
        .iter()
        .map(|diagnostic| sarif_result(&placer, diagnostic))
        .collect()
}

fn sarif_result(placer: &Placer<'_>, diagnostic: &Diagnostic) -> Value {
    let mut result = json!({
        "ruleId": diagnostic.name,
        "level": level(diagnostic.severity),
        "message": { "text": message_text(diagnostic) },
    });
    if let Some(index) = LINTS.iter().position(|lint| lint.name == diagnostic.name) {
        result["ruleIndex"] = index.into();
    }
    if let Some(physical) = placer.physical(diagnostic.span) {
        result["locations"] = json!([{ "physicalLocation": physical }]);
    }
    let related: Vec<Value> = diagnostic
        .related
        .iter()
        .filter_map(|related| {
            let physical = placer.physical(related.span)?;
            Some((physical, visible(&related.message).into_owned()))
        })
        .enumerate()
        .map(|(id, (physical, message))| {
            json!({ "id": id, "physicalLocation": physical, "message": { "text": message } })
        })
        .collect();
    if !related.is_empty() {
        result["relatedLocations"] = related.into();
    }
    let fixes: Vec<Value> = diagnostic
        .fixes
        .iter()
        .filter_map(|fix| {
            let located = placer.locate(fix.span)?;
            Some(json!({
                "description": { "text": visible(&fix.title) },
                "artifactChanges": [{
                    "artifactLocation": { "uri": located.uri },
                    "replacements": [{
                        "deletedRegion": located.region,
                        "insertedContent": { "text": fix.replacement },
                    }],
                }],
            }))
        })
        .collect();
    if !fixes.is_empty() {
        result["fixes"] = fixes.into();
    }
    if let Some(law) = diagnostic.law {
        result["properties"] = json!({ "law": law });
    }
    result
}

/// The rules of the log: every lint of the catalogue, in its order (a result's `ruleIndex`),
/// with its summary, the law it enforces, its default level and its explanation
/// (`klartext explain`) as help.
fn rules() -> Vec<Value> {
    LINTS
        .iter()
        .map(|lint| {
            let full = if lint.law.is_empty() {
                format!("{}.", capitalised(lint.summary))
            } else {
                format!("{} ({}).", capitalised(lint.summary), lint.law)
            };
            let mut rule = json!({
                "id": lint.name,
                "shortDescription": { "text": lint.summary },
                "fullDescription": { "text": full },
                "defaultConfiguration": { "level": level(lint.severity) },
            });
            if let Some(text) = crate::explain::text(lint.name) {
                rule["help"] = json!({ "text": text, "markdown": text });
            }
            if !lint.law.is_empty() {
                rule["properties"] = json!({ "law": lint.law });
            }
            rule
        })
        .collect()
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The SARIF log of a run: one run of klartext with the given results.
pub fn sarif_log(results: Vec<Value>) -> Value {
    let mut driver = json!({
        "name": "klartext",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules(),
    });
    // The address of the project, once the manifest names one.
    let home = [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|address| !address.is_empty());
    if let Some(home) = home {
        driver["informationUri"] = home.into();
    }
    json!({
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": { "driver": driver },
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    })
}

/// Escapes the message of a workflow command (after `::`), as `@actions/core` does.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property of a workflow command (`file=…`, `title=…`), as `@actions/core` does.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One GitHub Actions workflow command for a diagnostic: `::error` or `::warning` with the file,
/// line, column, end line and end column (columns in characters, from 1), the lint's name as the
/// title, and the message with its help and law.
pub fn github(outcome: &Outcome, diagnostic: &Diagnostic) -> String {
    let mut properties = Vec::new();
    if let Some(source) = outcome.source.get(diagnostic.span.file) {
        let (line, column) = source.location(diagnostic.span.start);
        let (end_line, end_column) = source.location(diagnostic.span.end);
        properties.push(format!("file={}", escape_property(source.name())));
        properties.push(format!("line={line}"));
        properties.push(format!("col={column}"));
        properties.push(format!("endLine={end_line}"));
        properties.push(format!("endColumn={end_column}"));
    }
    properties.push(format!("title={}", escape_property(diagnostic.name)));
    let mut message = message_text(diagnostic);
    if let Some(law) = diagnostic.law {
        message.push_str("\nlaw: ");
        message.push_str(law);
    }
    format!(
        "::{} {}::{}",
        level(diagnostic.severity),
        properties.join(","),
        escape_data(&message)
    )
}

#[cfg(test)]
mod tests {
    use super::{Lines, escape_data, escape_property, uri};

    #[test]
    fn columns_count_utf16_code_units() {
        // `ä` is one code unit, `𝄞` two; the line break is `\n` (a `\r` before it is on the line).
        let lines = Lines::new("ab\näx𝄞y\r\nz");
        assert_eq!(lines.place(0), (1, 1));
        assert_eq!(lines.place(2), (1, 3));
        assert_eq!(lines.place(3), (2, 1));
        assert_eq!(lines.place(5), (2, 2));
        assert_eq!(lines.place(6), (2, 3));
        assert_eq!(lines.place(10), (2, 5));
        assert_eq!(lines.place(11), (2, 6));
        assert_eq!(lines.place(13), (3, 1));
        // Inside a character: its start; past the end: the end.
        assert_eq!(lines.place(8), (2, 3));
        assert_eq!(lines.place(99), (3, 2));
    }

    #[test]
    fn names_become_uri_references() {
        assert_eq!(
            uri("policies/stadt-kassel.klar"),
            "policies/stadt-kassel.klar"
        );
        assert_eq!(uri("a b/ä.klar"), "a%20b/%C3%A4.klar");
        assert_eq!(uri("<stdin>"), "%3Cstdin%3E");
        assert_eq!(uri("c:x%.klar"), "c%3Ax%25.klar");
        assert_eq!(uri("/tmp/p.klar"), "file:///tmp/p.klar");
    }

    #[test]
    fn workflow_commands_are_escaped_as_the_toolkit_does() {
        assert_eq!(escape_data("100%\r\n::x,y:"), "100%25%0D%0A::x,y:");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
