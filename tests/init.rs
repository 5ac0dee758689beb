//! `klartext init`: for every state of law/states.yaml the new policy reports its placeholders
//! and nothing else, as many as init counted; filled in, it compiles to a notice without a
//! warning (`tests/init/filled-nw.klar` is that policy for North Rhine-Westphalia, kept equal to
//! init's output with the placeholders replaced); the command line writes a new file or standard
//! output and never replaces a file.

use std::path::Path;

use klartext::compile;
use klartext::init::{Options, policy};

mod common;
use common::{klartext, report};

/// The state codes of law/states.yaml, read from the file, so that a new state is tested too.
fn states() -> Vec<String> {
    let text = include_str!("../law/states.yaml");
    let states: Vec<serde_json::Value> = serde_yaml_ng::from_str(text).unwrap();
    let codes: Vec<String> = states
        .iter()
        .map(|state| state["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 17, "the Federation and the 16 states");
    codes
}

fn init(state: &str) -> klartext::init::Policy {
    policy(Options {
        state,
        name: "Gemeinde Beispiel",
        revised: None,
    })
    .unwrap_or_else(|message| panic!("{state}: {message}"))
}

/// What an author writes in place of each placeholder. The law of a state whose general basis is
/// not known verified is a stand-in: this is a test, not a notice.
fn fill(source: &str) -> String {
    let mut filled = source
        .replace(
            "revised \"TODO: Datum der letzten Änderung, z. B. 2026-03-01\"",
            "revised 2026-03-01",
        )
        .replace("\"https://TODO.example\"", "\"https://www.beispiel.example\"")
        .replace("\"TODO: Straße und Hausnummer\"", "\"Markt 1\"")
        .replace("\"TODO: Postleitzahl und Ort\"", "\"12345 Beispiel\"")
        .replace("\"TODO-info@example.invalid\"", "\"info@beispiel.example\"")
        .replace(
            "\"TODO-datenschutz@example.invalid\"",
            "\"datenschutz@beispiel.example\"",
        )
        .replace(
            "\"TODO: Anschrift der Aufsichtsbehörde auf deren Website prüfen und hier Datum und Ergebnis nennen\"",
            "\"Anschrift am 2. März 2026 auf der Website der Behörde geprüft.\"",
        );
    while let Some(start) = filled.find("\"TODO: Paragraph der allgemeinen Rechtsgrundlage") {
        let end = start + 1 + filled[start + 1..].find('"').unwrap() + 1;
        filled.replace_range(start..end, "\"§ 1 des Beispielgesetzes\"");
    }
    filled
}

#[test]
fn every_state_reports_its_placeholders_and_nothing_else() {
    for state in states() {
        let new = init(&state);
        let outcome = compile(&format!("{state}.klar"), new.source.as_bytes());
        let report = report(&outcome);
        assert!(
            outcome.diagnostics.iter().all(|d| d.name == "placeholder"),
            "{state}:\n{report}"
        );
        assert_eq!(
            outcome.diagnostics.len(),
            new.placeholders,
            "{state}: init counted {} placeholders\n{report}",
            new.placeholders
        );
        assert!(new.placeholders >= 6, "{state}: {}", new.placeholders);
        assert!(
            outcome.policy().is_none(),
            "{state}: a notice with placeholders"
        );
        assert!(new.source.contains(&format!("  state {state}\n")));
    }
}

#[test]
fn every_state_filled_in_compiles_without_a_warning() {
    for state in states() {
        let filled = fill(&init(&state).source);
        let left = filled
            .lines()
            .filter(|line| !line.trim_start().starts_with('#'))
            .any(|line| line.contains("TODO"));
        assert!(!left, "{state}: a placeholder is left\n{filled}");
        let outcome = compile(&format!("{state}.klar"), filled.as_bytes());
        let report = report(&outcome);
        assert!(
            outcome.diagnostics.is_empty(),
            "{state}:\n{report}\n{filled}"
        );
        assert!(outcome.policy().is_some(), "{state}: no notice");
    }
}

#[test]
fn the_filled_fixture_is_init_filled_in() {
    let fixture = include_str!("init/filled-nw.klar");
    assert_eq!(fill(&init("DE-NW").source), fixture);
    let outcome = compile("filled-nw.klar", fixture.as_bytes());
    assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
}

#[test]
fn init_writes_a_new_file_and_never_replaces_one() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "init",
        "--state",
        "DE-NW",
        "--name",
        "Gemeinde Beispiel",
        "--out",
        "policy.klar",
    ];
    let first = klartext(&args, dir.path());
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    let written = std::fs::read_to_string(dir.path().join("policy.klar")).unwrap();
    assert_eq!(written, init("DE-NW").source);
    assert!(String::from_utf8_lossy(&first.stderr).contains("6 placeholders"));

    std::fs::write(dir.path().join("policy.klar"), "mine").unwrap();
    let second = klartext(&args, dir.path());
    assert_eq!(second.status.code(), Some(2), "{second:?}");
    assert!(String::from_utf8_lossy(&second.stderr).contains("exists already"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("policy.klar")).unwrap(),
        "mine"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "a temporary file was left behind");
}

#[test]
fn init_writes_to_standard_output_and_refuses_what_it_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let out = klartext(
        &[
            "init",
            "--state",
            "DE-HE",
            "--name",
            "Gemeinde Beispiel",
            "--revised",
            "2026-03-01",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("  revised 2026-03-01\n"), "{text}");
    let dash = klartext(
        &[
            "init",
            "--state",
            "DE-HE",
            "--name",
            "Gemeinde Beispiel",
            "--revised",
            "2026-03-01",
            "--out",
            "-",
        ],
        dir.path(),
    );
    assert_eq!(String::from_utf8(dash.stdout).unwrap(), text);

    let unknown = klartext(&["init", "--state", "DE-XX", "--name", "A"], dir.path());
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("not a state"));
    let missing = klartext(&["init", "--state", "DE-HE"], dir.path());
    assert_eq!(missing.status.code(), Some(2));
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
    assert!(!Path::new(dir.path()).join("-").exists());
}
