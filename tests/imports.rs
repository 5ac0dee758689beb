//! Imports: `tests/imports/<case>/policy.klar` with the libraries beside it, compiled in a project
//! rooted at the case's folder. The snapshot holds what `check` reports, as a person reads it,
//! and the plain-text notice when the policy compiles: adding a case means adding a folder.

use std::path::Path;

use klartext::check::Options;
use klartext::compile_in;
use klartext::imports::Project;
use klartext::render::{Format, Renderer};

mod common;
use common::report;

#[test]
fn cases() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("imports/snapshots");
    settings.set_prepend_module_to_snapshot(false);
    let renderer = Renderer::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cases: Vec<_> = std::fs::read_dir(root.join("tests/imports"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("policy.klar").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 5, "the import cases are missing");
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let policy = format!("tests/imports/{name}/policy.klar");
        let bytes = std::fs::read(root.join(&policy)).unwrap();
        let outcome = compile_in(&Project::new(&case), &policy, &bytes, Options::default());
        let mut report = report(&outcome);
        if let Some(policy) = outcome.policy() {
            report.push_str("\n---- the notice, as text ----\n\n");
            report.push_str(&renderer.render(policy, Format::Text).unwrap());
        }
        settings.bind(|| insta::assert_snapshot!(name, report));
    }
}

/// A symbolic link inside the project that leads out of it is refused: the link is resolved
/// before the path is tested against the root.
#[cfg(unix)]
#[test]
fn a_link_out_of_the_project_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.klar"),
        "organisation geheim \"Geheim\" {\n  address \"A 1\", \"12345 B\"\n}\n",
    )
    .unwrap();
    let project = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.klar"),
        project.path().join("lib.klar"),
    )
    .unwrap();
    let policy = project.path().join("policy.klar");
    let text = "policy \"P\" {\n  use \"lib.klar\"\n}\n";
    let outcome = compile_in(
        &Project::new(project.path()),
        &policy.display().to_string(),
        text.as_bytes(),
        Options::default(),
    );
    let refused: Vec<_> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.name == "unreadable-import")
        .collect();
    assert_eq!(refused.len(), 1, "{:?}", outcome.diagnostics);
    assert!(refused[0].message.contains("outside the project root"));
}

/// Policies of one project share the libraries they import: each is read and parsed once.
#[test]
fn a_library_is_read_once_for_all_policies() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/imports/adjust");
    let project = Project::new(&case);
    let policy = case.join("policy.klar");
    let bytes = std::fs::read(&policy).unwrap();
    let name = policy.display().to_string();
    let first = compile_in(&project, &name, &bytes, Options::default());
    let second = compile_in(&project, &name, &bytes, Options::default());
    assert!(first.policy().is_some() && second.policy().is_some());
    assert_eq!(project.libraries_read(), 1);
}
