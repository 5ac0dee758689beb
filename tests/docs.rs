//! The language reference stays true: every `klar` example in docs/language.md parses and uses
//! only keywords where they may stand, the complete policies among them compile without errors,
//! and the keywords it documents are those of the table in `src/language.rs`.

use std::collections::BTreeSet;

use klartext::check::Options;
use klartext::compile_in;
use klartext::imports::Project;
use klartext::language::{Context, KEYWORDS, in_context};
use klartext::lower::lower;
use klartext::syntax::parse;

mod common;
use common::{example_policy, first_keyword, klar_examples};

const DOC: &str = include_str!("../docs/language.md");

/// The sections of docs/language.md that document the keywords of each context.
const SECTIONS: &[(&str, &[Context])] = &[
    ("The policy", &[Context::File, Context::Policy]),
    ("Contact details", &[Context::Contact, Context::Detail]),
    ("Controller", &[Context::Controller]),
    ("Data protection officer", &[Context::Officer]),
    ("Supervisory authority", &[Context::Authority]),
    ("Organisations", &[Context::Organisation]),
    ("Processing activity", &[Context::Activity, Context::Data]),
    ("Legal basis", &[Context::Basis]),
    (
        "Recipients, processors, transfers",
        &[
            Context::Recipient,
            Context::Processor,
            Context::Transfer,
            Context::JointController,
        ],
    ),
    ("Cookies", &[Context::Cookie]),
    ("Defaults", &[Context::Defaults]),
    ("Section", &[Context::Section]),
    ("Rights", &[Context::Rights, Context::Right]),
];

fn examples() -> Vec<String> {
    klar_examples(DOC)
}

fn is_complete(example: &str) -> bool {
    first_keyword(example) == "policy"
}

#[test]
fn every_example_parses_and_uses_keywords_where_they_may_stand() {
    let examples = examples();
    assert!(
        examples.len() >= 15,
        "only {} examples found",
        examples.len()
    );
    for example in &examples {
        let source = example_policy(example).unwrap_or_else(|| {
            panic!(
                "`{}` is neither a fact of a policy nor of an activity:\n{example}",
                first_keyword(example)
            )
        });
        let parsed = parse(&source);
        if let Some(problem) = parsed.problems.first() {
            panic!(
                "this example does not parse: {:?}\n{example}",
                problem.message
            );
        }
        let (_, diagnostics) = lower(&source, &parsed.file);
        let misplaced: Vec<String> = diagnostics
            .iter()
            .filter(|d| {
                matches!(
                    d.name,
                    "unknown-keyword" | "not-a-default" | "nested-activity"
                )
            })
            .map(|d| {
                format!(
                    "{}: {} ({})",
                    d.name,
                    d.message,
                    d.help.as_deref().unwrap_or("")
                )
            })
            .collect();
        assert!(
            misplaced.is_empty(),
            "this example uses a keyword where it cannot stand: {}\n{example}",
            misplaced.join("; ")
        );
    }
}

/// Complete examples compile, in a project that holds the libraries the reference shows (an
/// example whose first line is a comment naming its file, `# lib/hosting.klar`).
#[test]
fn complete_examples_compile() {
    let project = tempfile::tempdir().unwrap();
    for example in examples() {
        let first = example.lines().next().unwrap_or_default();
        if let Some(path) = first.strip_prefix("# ").filter(|p| p.ends_with(".klar")) {
            let path = project.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, &example).unwrap();
        }
    }
    let complete: Vec<String> = examples().into_iter().filter(|e| is_complete(e)).collect();
    assert!(!complete.is_empty(), "no complete example found");
    let name = project.path().join("example.klar").display().to_string();
    let libraries = Project::new(project.path());
    for example in &complete {
        let outcome = compile_in(&libraries, &name, example.as_bytes(), Options::default());
        let errors: Vec<String> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| outcome.source.render(d, false))
            .collect();
        assert!(errors.is_empty(), "{}\n{example}", errors.join("\n"));
    }
}

/// A section of the reference: its heading, and its prose and tables without the examples.
struct Section {
    heading: &'static str,
    text: String,
}

fn sections() -> Vec<Section> {
    let mut sections = Vec::new();
    let mut fenced = false;
    for line in DOC.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if line.starts_with('#') {
            sections.push(Section {
                heading: line.trim_start_matches('#').trim(),
                text: String::new(),
            });
        } else if let Some(section) = sections.last_mut() {
            section.text.push_str(line);
            section.text.push('\n');
        }
    }
    sections
}

fn section(heading: &str) -> Section {
    sections()
        .into_iter()
        .find(|s| s.heading == heading)
        .unwrap_or_else(|| panic!("docs/language.md has no section “{heading}”"))
}

/// The code spans of Markdown text (`` `x` ``, ``` `` a ` b `` ```), without their backticks.
fn code_spans(text: &str) -> Vec<&str> {
    let mut spans = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        let ticks = rest[start..].len() - rest[start..].trim_start_matches('`').len();
        let fence = &rest[start..start + ticks];
        let after = &rest[start + ticks..];
        // The span ends at the next run of exactly as many backticks.
        let mut search = 0;
        let mut end = None;
        while let Some(found) = after[search..].find(fence) {
            let at = search + found;
            let run = after[at..].len() - after[at..].trim_start_matches('`').len();
            if run == ticks {
                end = Some(at);
                break;
            }
            search = at + run;
        }
        match end {
            Some(end) => {
                spans.push(after[..end].trim());
                rest = &after[end + ticks..];
            }
            None => rest = after,
        }
    }
    spans
}

/// The keyword a code span names: its first word (`controller <id>` names `controller`).
fn named(span: &str) -> &str {
    span.split(|c: char| c.is_whitespace() || c == '{')
        .next()
        .unwrap_or("")
}

/// The keywords of the contexts, in the table's order, each once.
fn keywords_of(contexts: &[Context]) -> Vec<&'static str> {
    let mut names: Vec<&str> = Vec::new();
    for &context in contexts {
        for keyword in in_context(context) {
            if !names.contains(&keyword.name) {
                names.push(keyword.name);
            }
        }
    }
    names
}

/// The rows of the keyword tables (first column `fact`) in a section: the keyword each row
/// names first, and the row.
fn table_rows(text: &str) -> Vec<(&str, &str)> {
    let mut rows = Vec::new();
    let mut keyword_table = false;
    let mut header = true;
    for line in text.lines() {
        let Some(cells) = line.trim().strip_prefix('|') else {
            header = true;
            continue;
        };
        let first = cells.split('|').next().unwrap_or("").trim();
        if header {
            keyword_table = first == "fact";
            header = false;
        } else if keyword_table && !first.starts_with("---") {
            let keyword = code_spans(first).first().map_or("", |span| named(span));
            rows.push((keyword, line));
        }
    }
    rows
}

#[test]
fn the_keyword_tables_name_keywords_of_their_section() {
    let mut tables = 0;
    for (heading, contexts) in SECTIONS {
        let known = keywords_of(contexts);
        let text = section(heading).text;
        let rows = table_rows(&text);
        let mut last = None;
        for (keyword, row) in &rows {
            let position = known.iter().position(|k| k == keyword);
            let Some(position) = position else {
                panic!(
                    "“{heading}” documents `{keyword}`, which is not a keyword there; it has {}:\n{row}",
                    known.join(", ")
                );
            };
            // The table of the language lists facts in the order the notice shows them.
            assert!(
                last < Some(position),
                "“{heading}” lists `{keyword}` out of the order of src/language.rs ({}):\n{row}",
                known.join(", ")
            );
            last = Some(position);
        }
        tables += usize::from(!rows.is_empty());
    }
    assert!(tables >= 3, "only {tables} keyword tables found");
}

#[test]
fn every_keyword_is_documented_where_it_stands() {
    let documented: BTreeSet<Context> = SECTIONS
        .iter()
        .flat_map(|(_, contexts)| contexts.iter().copied())
        .collect();
    for context in Context::ALL {
        assert!(
            documented.contains(context),
            "no section of docs/language.md is about {context:?}; add one to SECTIONS"
        );
    }
    let mut missing = Vec::new();
    for (heading, contexts) in SECTIONS {
        let text = section(heading).text;
        let named: BTreeSet<&str> = code_spans(&text).into_iter().map(named).collect();
        for &context in *contexts {
            // The defaults are an activity's facts; their section says which cannot be defaults.
            if context == Context::Defaults {
                continue;
            }
            for keyword in KEYWORDS.iter().filter(|k| k.contexts.contains(&context)) {
                if !named.contains(keyword.name) {
                    missing.push(format!(
                        "“{heading}” does not name `{}` ({}) in its text or table",
                        keyword.name, keyword.description
                    ));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn the_defaults_section_names_the_facts_that_cannot_be_defaults() {
    let text = section("Defaults").text.replace('\n', " ");
    let sentence = text
        .split(". ")
        .find(|sentence| sentence.contains("cannot be defaults"))
        .expect("the section “Defaults” says which facts cannot be defaults");
    let documented: BTreeSet<&str> = code_spans(sentence).into_iter().map(named).collect();
    let table: BTreeSet<&str> = in_context(Context::Activity)
        .filter(|k| !k.default)
        .map(|k| k.name)
        .collect();
    assert_eq!(
        documented, table,
        "the facts that cannot be defaults, in docs/language.md and in src/language.rs"
    );
}

#[test]
fn code_spans_are_read_like_markdown() {
    assert_eq!(
        code_spans("a `b c` d ``e ` f`` g `h"),
        vec!["b c", "e ` f"],
        "an unclosed span is text"
    );
    assert_eq!(named("controller <id>"), "controller");
    assert_eq!(named("officer { role \"x\" }"), "officer");
}
