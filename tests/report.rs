//! Machine-readable reports for CI: the SARIF log validates against the official SARIF 2.1.0
//! schema (copied into `tests/sarif/`, so the test runs offline) and places every result where
//! the human output does, with columns in UTF-16 code units; GitHub workflow commands escape
//! what a policy could use to forge a command.

use std::path::Path;

mod common;
use common::klartext;

const MINIMAL: &str = include_str!("../examples/minimal.klar");

fn schema() -> jsonschema::Validator {
    let text = include_str!("sarif/sarif-schema-2.1.0.json");
    let schema: serde_json::Value = serde_json::from_str(text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// `check --message-format sarif` on the named policies of `dir`: the exit code and the log,
/// which must be valid against the schema.
fn sarif(dir: &Path, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let mut all = vec!["check", "--message-format", "sarif"];
    all.extend_from_slice(args);
    let output = klartext(&all, dir);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let log: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"));
    let validator = schema();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{stdout}");
    (output.status.code(), log)
}

#[test]
fn the_schema_rejects_what_is_not_sarif() {
    // The validation below can fail: a log without a version, or with a column of 0, is refused.
    let validator = schema();
    assert!(!validator.is_valid(&serde_json::json!({ "runs": [] })));
    let bad_region = serde_json::json!({
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "klartext" } },
            "results": [{
                "message": { "text": "m" },
                "locations": [{ "physicalLocation": {
                    "artifactLocation": { "uri": "a.klar" },
                    "region": { "startLine": 1, "startColumn": 0 },
                }}],
            }],
        }],
    });
    assert!(!validator.is_valid(&bad_region));
}

#[test]
fn sarif_of_clean_broken_and_shipped_policies_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("clean.klar"), MINIMAL).unwrap();
    std::fs::write(
        dir.path().join("broken.klar"),
        MINIMAL
            .replace("  revised 2024-05-02\n", "  revisd 2024-05-02\n")
            .replace("30 days", "30 dayz")
            .replace(
                "  activity server-logs",
                "  organisation x \"X\"\n  organisation x \"Y\"\n  activity server-logs",
            ),
    )
    .unwrap();
    std::fs::write(dir.path().join("syntax.klar"), "policy \"T\" {\n  ?!\n").unwrap();
    std::fs::write(dir.path().join("bytes.klar"), b"policy \"\xff\" {}\n").unwrap();

    let (code, log) = sarif(dir.path(), &["clean.klar"]);
    assert_eq!(code, Some(0));
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["results"], serde_json::json!([]));
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), klartext::check::LINTS.len());
    for (rule, lint) in rules.iter().zip(klartext::check::LINTS) {
        assert_eq!(rule["id"], lint.name);
        assert!(rule["help"]["text"].as_str().unwrap().contains(lint.name));
        assert!(rule.get("helpUri").is_none());
    }

    let (code, log) = sarif(
        dir.path(),
        &["broken.klar", "syntax.klar", "bytes.klar", "clean.klar"],
    );
    assert_eq!(code, Some(1));
    let results = log["runs"][0]["results"].as_array().unwrap();
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    for expected in [
        "unknown-keyword",
        "unknown-unit",
        "duplicate-id",
        "invalid-utf8",
    ] {
        assert!(ids.contains(&expected), "{expected} missing from {ids:?}");
    }
    // A syntax error has no rule in the catalogue, so no ruleIndex; a lint has its index.
    for result in results {
        let name = result["ruleId"].as_str().unwrap();
        let index = klartext::check::LINTS
            .iter()
            .position(|lint| lint.name == name);
        assert_eq!(
            result.get("ruleIndex").and_then(|i| i.as_u64()),
            index.map(|i| i as u64),
            "{name}"
        );
    }
    let duplicate = results
        .iter()
        .find(|r| r["ruleId"] == "duplicate-id")
        .unwrap();
    assert_eq!(duplicate["level"], "error");
    let related = &duplicate["relatedLocations"][0];
    assert_eq!(
        related["physicalLocation"]["artifactLocation"]["uri"],
        "broken.klar"
    );
    assert!(
        related["message"]["text"]
            .as_str()
            .unwrap()
            .contains("first")
    );
    let unit = results
        .iter()
        .find(|r| r["ruleId"] == "unknown-unit")
        .unwrap();
    let replacement = &unit["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(replacement["insertedContent"]["text"], "days");
    assert_eq!(
        replacement["deletedRegion"],
        serde_json::json!({ "startLine": 23, "startColumn": 18, "endLine": 23, "endColumn": 22 })
    );
    // The shipped policies, too.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    sarif(root, &["policies", "examples"]);
}

#[test]
fn sarif_columns_count_utf16_code_units() {
    let dir = tempfile::tempdir().unwrap();
    // `𝄞` is two UTF-16 code units, one character; `ä` one of each. The unknown unit stands
    // after them on the same line.
    let policy = MINIMAL.replace(
        "    retention 30 days\n",
        "    purpose \"𝄞ä\"; retention 30 dayz\n",
    );
    std::fs::write(dir.path().join("wide.klar"), &policy).unwrap();
    let (_, log) = sarif(dir.path(), &["wide.klar"]);
    let unit = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "unknown-unit")
        .unwrap()
        .clone();
    let region = &unit["locations"][0]["physicalLocation"]["region"];
    let line = policy.lines().nth(20).unwrap();
    let before = &line[..line.find("dayz").unwrap()];
    let utf16 = before.encode_utf16().count() + 1;
    let chars = before.chars().count() + 1;
    assert_eq!(utf16, chars + 1);
    assert_eq!(region["startLine"], 21);
    assert_eq!(region["startColumn"], utf16);
    assert_eq!(region["endColumn"], utf16 + 4);
    // JSON output keeps counting characters.
    let output = klartext(
        &["check", "--message-format", "json", "wide.klar"],
        dir.path(),
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let json: serde_json::Value = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|d| d["name"] == "unknown-unit")
        .unwrap();
    assert_eq!(json["column"], chars);
}

#[test]
fn github_commands_escape_a_hostile_message() {
    let dir = tempfile::tempdir().unwrap();
    // The activity's title, which the message of `missing-retention` quotes, carries what could
    // end the command or start another; line breaks cannot be in a title, so the file name carries
    // them, with `:` and `,`, which a property must escape.
    let name = "a,b:c%d\n::error::forged.klar";
    let policy = MINIMAL
        .replace(
            "Bereitstellung der Webseite",
            "Logs%0A::error file=x::forged, 100%",
        )
        .replace("    retention 30 days\n", "");
    std::fs::write(dir.path().join(name), &policy).unwrap();
    let output = klartext(&["check", "--message-format", "github", name], dir.path());
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    // Every line is one command, and every command is one of ours.
    assert!(!stdout.is_empty());
    for line in stdout.lines() {
        assert!(line.starts_with("::warning file="), "{stdout}");
    }
    assert!(
        stdout.contains("file=a%2Cb%3Ac%25d%0A%3A%3Aerror%3A%3Aforged.klar,line="),
        "{stdout}"
    );
    // The `%0A` written in the policy is escaped as `%250A`, so it does not become a line
    // break; `::` and `,` may stand in the message, which ends the line.
    assert!(
        stdout.contains("“Logs%250A::error file=x::forged, 100%25”"),
        "{stdout}"
    );
    // Multi-line messages (message, help, law) stay on one line.
    let missing = stdout
        .lines()
        .find(|l| l.contains("title=missing-retention"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(missing.contains("%0Ahelp: "), "{missing}");
    assert!(missing.contains("%0Alaw: Art. 13(2)(a) DSGVO"), "{missing}");
}
