//! Snapshot tests over fixture files: adding a case means adding a file.
//!
//! - `tests/diagnostics/*.klar`: what `klartext check` reports, as a person reads it.
//! - `tests/render/*.klar`: the notice in Markdown, plain text and HTML.
//!
//! Snapshots live in `snapshots/` beside the fixtures and are reviewed line by line.

use klartext::compile;
use klartext::render::{Format, Renderer};

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
            let report: String = outcome
                .diagnostics
                .iter()
                .map(|d| outcome.source.render(d, false))
                .collect();
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
                let report: String = outcome
                    .diagnostics
                    .iter()
                    .map(|d| outcome.source.render(d, false))
                    .collect();
                panic!("{} does not compile:\n{report}", path.display())
            });
            for format in [Format::Markdown, Format::Text, Format::Fragment] {
                let text = renderer.render(policy, format).unwrap();
                insta::assert_snapshot!(format.name(), text);
            }
        });
    });
}
