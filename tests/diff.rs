//! `klartext diff`: what changed for the reader between two versions of a notice.
//!
//! - `tests/diff/<case>/{old,new}.klar`: two versions; the report as text, Markdown and JSON is
//!   a snapshot in `tests/diff/snapshots/`, reviewed line by line. Adding a case means adding a
//!   folder.
//! - The command line: exit codes as diff(1) has them (0 the same, 1 changed, 2 trouble), and
//!   `--rev` in a temporary git repository (skipped, with a note, where git is missing).

use std::path::Path;
use std::process::Command;

mod common;
use common::{klartext, report};

use klartext::compile;
use klartext::diff::compare;

fn policy(path: &Path) -> klartext::model::Policy {
    let name = path.display().to_string();
    let outcome = compile(&name, &std::fs::read(path).unwrap());
    let report = report(&outcome);
    // A fixture is a pair of notices a reviewer would accept: nothing to report on either.
    assert!(outcome.diagnostics.is_empty(), "{name}:\n{report}");
    outcome.policy().cloned().unwrap()
}

#[test]
fn reports() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("diff/snapshots");
    settings.set_prepend_module_to_snapshot(false);
    let mut cases: Vec<std::path::PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("old.klar").exists())
        .collect();
    cases.sort();
    assert!(cases.len() >= 3, "only {} cases", cases.len());
    settings.bind(|| {
        for folder in cases {
            let case = folder.file_name().unwrap().to_string_lossy().into_owned();
            let old = policy(&folder.join("old.klar"));
            let new = policy(&folder.join("new.klar"));
            let diff = compare(
                &format!("{case}/old.klar"),
                &old,
                &format!("{case}/new.klar"),
                &new,
            );
            insta::assert_snapshot!(format!("{case}.text"), diff.text());
            insta::assert_snapshot!(format!("{case}.md"), diff.markdown());
            insta::assert_snapshot!(format!("{case}.json"), diff.json());
            // A version compared with itself has no changes.
            assert!(compare("a", &new, "b", &new).is_empty(), "{case}");
        }
    });
}

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff")
}

#[test]
fn exit_codes_are_those_of_diff() {
    let dir = fixtures();
    let same = klartext(
        &["diff", "reworded-only/old.klar", "reworded-only/new.klar"],
        &dir,
    );
    assert_eq!(same.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&same.stdout).contains("no changes"));

    let changed = klartext(
        &[
            "diff",
            "matomo-added/old.klar",
            "matomo-added/new.klar",
            "--format",
            "json",
        ],
        &dir,
    );
    assert_eq!(changed.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&changed.stdout).unwrap();
    assert_eq!(report["new"]["revised"], "2024-05-02");
    assert!(!report["changes"].as_array().unwrap().is_empty());

    let missing = klartext(&["diff", "matomo-added/old.klar", "nowhere.klar"], &dir);
    assert_eq!(missing.status.code(), Some(2));

    let one = klartext(&["diff", "matomo-added/old.klar"], &dir);
    assert_eq!(one.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&one.stderr).contains("--rev"));

    let broken = tempfile::tempdir().unwrap();
    std::fs::write(
        broken.path().join("a.klar"),
        "policy \"A\" {\n  revisd 2024-01-01\n}\n",
    )
    .unwrap();
    std::fs::write(broken.path().join("b.klar"), "policy \"A\" {\n}\n").unwrap();
    let output = klartext(&["diff", "a.klar", "b.klar"], broken.path());
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown-keyword"), "{stderr}");
    assert!(
        stderr.contains("cannot compare: a.klar has errors"),
        "{stderr}"
    );
}

/// Runs git in `dir` with a configuration of its own, so that the user's does not matter.
fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .args([
            "-c",
            "user.name=klartext",
            "-c",
            "user.email=test@example.org",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs")
}

fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn a_file_against_its_version_in_git() {
    if !git_available() {
        eprintln!("note: git is not installed; `klartext diff --rev` is not tested");
        return;
    }
    let repo = tempfile::tempdir().unwrap();
    let folder = repo.path().join("policies");
    std::fs::create_dir(&folder).unwrap();
    let old = std::fs::read_to_string(fixtures().join("matomo-added/old.klar")).unwrap();
    let new = std::fs::read_to_string(fixtures().join("matomo-added/new.klar")).unwrap();
    std::fs::write(folder.join("gemeinde.klar"), &old).unwrap();
    assert!(git(repo.path(), &["init", "-q"]).status.success());
    assert!(git(repo.path(), &["add", "."]).status.success());
    assert!(
        git(repo.path(), &["commit", "-q", "-m", "old"])
            .status
            .success()
    );

    // Unchanged since the commit: no changes. From a folder below the root, with the path
    // relative to it, as from the root.
    let output = klartext(
        &["diff", "policies/gemeinde.klar", "--rev", "HEAD"],
        repo.path(),
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = klartext(&["diff", "gemeinde.klar", "--rev", "HEAD"], &folder);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    std::fs::write(folder.join("gemeinde.klar"), &new).unwrap();
    let output = klartext(
        &[
            "diff",
            "policies/gemeinde.klar",
            "--rev",
            "HEAD",
            "--format",
            "md",
        ],
        repo.path(),
    );
    assert_eq!(output.status.code(), Some(1));
    let report = String::from_utf8(output.stdout).unwrap();
    assert!(
        report.contains("`policies/gemeinde.klar (HEAD) (Stand 2024-01-15)` → `policies/gemeinde.klar (Stand 2024-05-02)`"),
        "{report}"
    );
    assert!(
        report.contains("- **changed** retention: 30 Tage → 14 Tage"),
        "{report}"
    );

    // A revision git does not know, a file it does not have there, and a revision that would
    // be an option: each is trouble, with git's reason or klartext's.
    for (rev, expected) in [
        ("HEAD~5", "cannot read policies/gemeinde.klar at HEAD~5"),
        ("--output=x", "is not a revision klartext passes to git"),
    ] {
        let output = klartext(
            &["diff", "policies/gemeinde.klar", "--rev", rev],
            repo.path(),
        );
        assert_eq!(output.status.code(), Some(2), "{rev}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{rev}: {stderr}");
    }
    assert!(!repo.path().join("x").exists());
    std::fs::write(folder.join("neu.klar"), &new).unwrap();
    let output = klartext(&["diff", "policies/neu.klar", "--rev", "HEAD"], repo.path());
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn without_git_the_diff_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("gemeinde.klar"),
        include_str!("../examples/minimal.klar"),
    )
    .unwrap();
    // No git on an empty PATH: the command cannot start, and klartext says why.
    let output = Command::new(env!("CARGO_BIN_EXE_klartext"))
        .args(["diff", "gemeinde.klar", "--rev", "HEAD"])
        .current_dir(dir.path())
        .env("PATH", "")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("git is not installed"), "{stderr}");
}
