//! `--format tilt` writes documents the TILT schema accepts. The schema (MIT, Transparency
//! Information Language and Toolkit, as of 2023-05-04) is kept with its licence and its two
//! examples in `tests/tilt/`, so the test runs on a clone alone.
//!
//! The schema's patterns are not safe in Unicode mode: they use look-ahead (`(?!…)`),
//! back-references (`\3`, `\17`) and identity escapes (`\:`), which ECMA-262's Unicode mode
//! refuses (`\:`) and Rust's `regex` crate cannot run (look-ahead, back-references). The validator
//! is told to use the backtracking fancy-regex engine, and the example documents and the
//! mutations below show that the patterns are applied.

mod common;
use common::{klar_files, klartext};

use jsonschema::PatternOptions;
use klartext::compile;
use klartext::render::{Format, Renderer};
use serde_json::Value;

fn schema() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!("tilt/tilt-schema.json")).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .with_pattern_options(PatternOptions::fancy_regex())
        .should_validate_formats(true)
        .build(&schema)
        .expect("the TILT schema compiles")
}

/// What the schema finds wrong with a document, but for the one thing `docs/tilt.md` accepts:
/// an e-mail address the notice does not give, which TILT requires, is an empty string.
fn problems(validator: &jsonschema::Validator, document: &Value) -> Vec<String> {
    validator
        .iter_errors(document)
        .filter(|e| {
            let path = e.instance_path().to_string();
            let empty_email = path.ends_with("/email")
                && e.instance().as_ref() == &Value::from("")
                && matches!(
                    e.kind(),
                    jsonschema::error::ValidationErrorKind::Format { .. }
                );
            !empty_email
        })
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn tilt(path: &std::path::Path) -> Value {
    let name = path.display().to_string();
    let outcome = compile(&name, &std::fs::read(path).unwrap());
    let policy = outcome
        .policy()
        .unwrap_or_else(|| panic!("{name} does not compile"));
    let text = Renderer::new().render(policy, Format::Tilt).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: not JSON ({e})"))
}

#[test]
fn the_schema_accepts_its_example_and_refuses_the_invalid_one() {
    let validator = schema();
    let valid: Value = serde_json::from_str(include_str!("tilt/tilt.json")).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&valid)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let invalid: Value = serde_json::from_str(include_str!("tilt/tilt-NOT-valid.json")).unwrap();
    assert!(!validator.is_valid(&invalid));
    // The patterns are applied: a date TILT's pattern refuses, a phone number with letters.
    let mut document = valid.clone();
    document["meta"]["modified"] = Value::from("2. Mai 2024");
    assert!(!validator.is_valid(&document));
    let mut document = valid;
    document["dataProtectionOfficer"]["phone"] = Value::from("0561 787-0 (Zentrale)");
    assert!(!validator.is_valid(&document));
}

#[test]
fn every_shipped_policy_and_fixture_exports_valid_tilt() {
    let validator = schema();
    let mut files = klar_files("policies");
    assert!(files.len() >= 5, "only {} shipped policies", files.len());
    files.extend(klar_files("examples"));
    files.extend(klar_files("tests/render"));
    for path in files {
        let document = tilt(&path);
        let problems = problems(&validator, &document);
        assert!(problems.is_empty(), "{}: {problems:#?}", path.display());
    }
}

#[test]
fn the_minimal_policy_in_tilt() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let document = tilt(&root.join("examples/minimal.klar"));
    let meta = &document["meta"];
    assert_eq!(meta["modified"], "2024-05-02");
    assert_eq!(meta["created"], "2024-05-02");
    assert_eq!(meta["language"], "de");
    assert_eq!(meta["name"], "Gemeinde Musterhausen");
    assert!(
        meta["_hash"]
            .as_str()
            .is_some_and(|h| h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()))
    );
    assert_eq!(
        document["controller"]["representative"]["email"],
        "info@musterhausen.de"
    );
    assert_eq!(
        document["dataProtectionOfficer"]["email"],
        "datenschutz@musterhausen.de"
    );
    let disclosed = document["dataDisclosed"].as_array().unwrap();
    assert_eq!(disclosed.len(), 3, "one entry a category of data");
    assert_eq!(disclosed[0]["category"], "IP-Adresse");
    assert_eq!(disclosed[0]["legalBases"][0]["reference"], "GDPR-6-1-e");
    assert_eq!(
        disclosed[0]["storage"][0]["temporal"][0]["ttl"], "P30D",
        "{disclosed:#?}"
    );
    assert_eq!(disclosed[0]["recipients"], serde_json::json!([]));
    assert_eq!(document["automatedDecisionMaking"]["inUse"], false);
    assert_eq!(
        document["rightToComplain"]["supervisoryAuthority"]["email"],
        "poststelle@datenschutz.hessen.de"
    );
    assert_eq!(document["rightToDataPortability"]["available"], false);
}

#[test]
fn a_revision_keeps_the_id_and_changes_the_hash() {
    let dir = tempfile::tempdir().unwrap();
    let minimal = include_str!("../examples/minimal.klar");
    let revised = minimal.replace(
        "  revised 2024-05-02\n",
        "  revised 2024-05-02\n  revision 2025-01-10 \"Speicherdauer verkürzt\"\n",
    );
    std::fs::write(dir.path().join("a.klar"), minimal).unwrap();
    std::fs::write(dir.path().join("b.klar"), revised).unwrap();
    let a = tilt(&dir.path().join("a.klar"));
    let b = tilt(&dir.path().join("b.klar"));
    assert_eq!(a["meta"]["_id"], b["meta"]["_id"]);
    assert_ne!(a["meta"]["_hash"], b["meta"]["_hash"]);
    assert_eq!(b["meta"]["created"], "2024-05-02");
    assert_eq!(b["meta"]["modified"], "2025-01-10");
    // The same notice gives the same document.
    assert_eq!(a, tilt(&dir.path().join("a.klar")));
}

#[test]
fn compile_writes_the_tilt_file_beside_the_others() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("gemeinde.klar"),
        include_str!("../examples/minimal.klar"),
    )
    .unwrap();
    let output = klartext(
        &["compile", "gemeinde.klar", "--format", "json,tilt"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0));
    let written = std::fs::read_to_string(dir.path().join("out/gemeinde.tilt.json")).unwrap();
    let document: Value = serde_json::from_str(&written).unwrap();
    assert!(schema().is_valid(&document));
    assert!(dir.path().join("out/gemeinde.json").exists());
}
