//! Snapshot tests over fixture files: adding a case means adding a file.
//!
//! - `tests/diagnostics/*.klar`: what `klartext check` reports, as a person reads it.
//! - `tests/render/*.klar`: the notice in Markdown, plain text and HTML.
//! - `tests/rights/*.klar`: the rights and the authority klartext states on its own, as text.
//! - `tests/recovery/*.klar`: broken files. Each says how many errors it has (`# errors: N`); the
//!   snapshot holds every diagnostic `check` reports and the outline of what was still read.
//!
//! Snapshots live in `snapshots/` beside the fixtures and are reviewed line by line.

use klartext::compile;
use klartext::model::{Part, Policy};
use klartext::render::{Format, Renderer};

mod common;
use common::report;

fn settings(folder: &str) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(format!("{folder}/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}

#[test]
fn diagnostics() {
    settings("diagnostics").bind(|| {
        insta::glob!("diagnostics/*.klar", |path| {
            let bytes = std::fs::read(path).unwrap();
            let name = format!(
                "diagnostics/{}",
                path.file_name().unwrap().to_string_lossy()
            );
            let outcome = compile(&name, &bytes);
            assert!(
                !outcome.diagnostics.is_empty(),
                "{name} is a diagnostics fixture but compiles cleanly"
            );
            let report = report(&outcome);
            insta::assert_snapshot!(report);
        });
    });
}

#[test]
fn render() {
    let renderer = Renderer::new();
    settings("render").bind(|| {
        insta::glob!("render/*.klar", |path| {
            let bytes = std::fs::read(path).unwrap();
            let outcome = compile(&path.display().to_string(), &bytes);
            let policy = outcome.policy().unwrap_or_else(|| {
                let report = report(&outcome);
                panic!("{} does not compile:\n{report}", path.display())
            });
            for format in [Format::Markdown, Format::Text, Format::Fragment] {
                let text = renderer.render(policy, format).unwrap();
                insta::assert_snapshot!(format.name(), text);
            }
        });
    });
}

/// `tests/rights/*.klar`: the rights klartext derives from the legal bases, and the authority it
/// resolves, in the plain-text notice. Each fixture is a complete policy: it must check cleanly.
#[test]
fn rights() {
    let renderer = Renderer::new();
    settings("rights").bind(|| {
        insta::glob!("rights/*.klar", |path| {
            let bytes = std::fs::read(path).unwrap();
            let outcome = compile(&path.display().to_string(), &bytes);
            let report = report(&outcome);
            assert!(
                outcome.diagnostics.is_empty(),
                "{} is a complete policy, but check reports:\n{report}",
                path.display()
            );
            let policy = outcome.policy().expect("a policy without errors");
            insta::assert_snapshot!(renderer.render(policy, Format::Text).unwrap());
        });
    });
}

/// What an editor's outline would show: the parts found, with how many facts each kept.
fn outline(policy: &Policy) -> String {
    fn walk(parts: &[Part], depth: usize, out: &mut String) {
        let indent = "  ".repeat(depth);
        for part in parts {
            match part {
                Part::Controller(c) => out.push_str(&format!(
                    "{indent}controller {:?}: {} address lines, {} e-mail\n",
                    c.name,
                    c.contact.address.len(),
                    c.contact.email.len()
                )),
                Part::SupervisoryAuthority(a) => {
                    out.push_str(&format!("{indent}supervisory authority {:?}\n", a.name))
                }
                Part::Activity(a) => out.push_str(&format!(
                    "{indent}activity {} {:?}: {} data, {} purposes, {} bases, {} retention\n",
                    a.id.as_deref().unwrap_or("-"),
                    a.title,
                    a.data.len(),
                    a.purposes.len(),
                    a.legal_bases.len(),
                    a.retention.len()
                )),
                Part::Section(s) => {
                    out.push_str(&format!("{indent}section {:?}\n", s.title));
                    walk(&s.contents, depth + 1, out);
                }
                Part::Rights(r) => {
                    out.push_str(&format!("{indent}rights: {} rights\n", r.rights.len()))
                }
            }
        }
    }
    let mut out = format!(
        "policy {:?}, revised {}\n",
        policy.title,
        policy
            .revised
            .as_ref()
            .map_or("-".to_string(), |d| d.to_string())
    );
    walk(&policy.contents, 1, &mut out);
    out
}

#[test]
fn recovery() {
    settings("recovery").bind(|| {
        insta::glob!("recovery/*.klar", |path| {
            let bytes = std::fs::read(path).unwrap();
            let name = format!("recovery/{}", path.file_name().unwrap().to_string_lossy());
            let expected: usize = String::from_utf8_lossy(&bytes)
                .lines()
                .next()
                .and_then(|line| line.strip_prefix("# errors: "))
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or_else(|| panic!("{name} does not start with `# errors: N`"));
            let outcome = compile(&name, &bytes);
            // Errors as a person reads them; the lints of what is intact, one a line.
            let report: String = outcome
                .diagnostics
                .iter()
                .map(|d| {
                    if d.is_error() {
                        outcome.source.render(d, false)
                    } else {
                        let (line, column) = outcome.source.location(d.span.start);
                        format!("warning[{}] at {line}:{column}: {}\n", d.name, d.message)
                    }
                })
                .collect();
            let errors = outcome.diagnostics.iter().filter(|d| d.is_error()).count();
            assert_eq!(errors, expected, "{name}:\n{report}");
            let outline = outcome
                .model
                .as_ref()
                .map_or("no policy\n".to_string(), outline);
            insta::assert_snapshot!(format!("{report}\noutline:\n{outline}"));
        });
    });
}
