//! The examples of `klartext explain` (`docs/lints/<lint>.md`) do what they say: the first
//! example triggers its lint, the one after "Fixed:" does not. An example is a whole policy, or
//! facts that are put into a complete policy (at its top, or into an activity, whichever reads).

use klartext::check::LINTS;

mod common;
use common::klar_examples;

const HEAD: &str = "policy \"Beispiel\" {\n  language de\n  state DE-HE\n  revised 2024-05-02\n  \
    controller stadt \"Stadt Beispiel\" {\n    address \"Markt 1\" \"34117 Kassel\"\n    \
    email \"info@beispiel.de\"\n    officer { email \"datenschutz@beispiel.de\" }\n  }\n";

/// What stands in a policy rather than in an activity.
const POLICY_PARTS: &[&str] = &[
    "organisation",
    "supervisory-authority",
    "rights",
    "controller",
    "activity",
    "section",
];

/// The example split into what belongs to the policy and what to an activity: a line that starts
/// one of [`POLICY_PARTS`] goes to the policy with its block.
fn split(example: &str) -> (String, String) {
    let (mut policy, mut activity) = (String::new(), String::new());
    let mut depth = 0usize;
    let mut in_policy = false;
    for line in example.lines() {
        if depth == 0 {
            let word = line.split_whitespace().next().unwrap_or_default();
            in_policy = POLICY_PARTS.contains(&word);
        }
        depth = (depth + line.matches('{').count()).saturating_sub(line.matches('}').count());
        let into = if in_policy {
            &mut policy
        } else {
            &mut activity
        };
        into.push_str(line);
        into.push('\n');
    }
    (policy, activity)
}

/// The example in a policy, and the names of what checking it reports; `None` when no way of
/// placing it compiles without errors other than those of `lint`.
fn place(example: &str, lint: &str) -> Option<(String, Vec<&'static str>)> {
    let candidates = if example.trim_start().starts_with("policy") {
        vec![example.to_string()]
    } else {
        let (policy, activity) = split(example);
        vec![
            format!("{HEAD}{example}}}\n"),
            format!("{HEAD}activity a \"Beispiel\" {{\n{example}}}\n}}\n"),
            format!("{HEAD}{policy}activity a \"Beispiel\" {{\n{activity}}}\n}}\n"),
        ]
    };
    candidates.into_iter().find_map(|source| {
        let outcome = klartext::compile("example.klar", source.as_bytes());
        let clean = outcome
            .diagnostics
            .iter()
            .all(|d| !d.is_error() || d.name == lint);
        clean.then(|| {
            let names = outcome.diagnostics.iter().map(|d| d.name).collect();
            (source, names)
        })
    })
}

#[test]
fn every_explanation_triggers_its_lint_and_its_fix_does_not() {
    let mut problems = Vec::new();
    for lint in LINTS.iter().filter(|lint| lint.name != "unused-allow") {
        let path = format!("{}/docs/lints/{}.md", env!("CARGO_MANIFEST_DIR"), lint.name);
        let text = std::fs::read_to_string(&path).expect("every lint has an explanation");
        let blocks = klar_examples(&text);
        let [trigger, fixed, ..] = blocks.as_slice() else {
            problems.push(format!("{}: needs an example and its fix", lint.name));
            continue;
        };
        match place(trigger, lint.name) {
            Some((_, names)) if names.contains(&lint.name) => {}
            Some((source, names)) => problems.push(format!(
                "{}: the example does not trigger it; it reports {names:?}\n{source}",
                lint.name
            )),
            None => problems.push(format!("{}: the example does not compile", lint.name)),
        }
        match place(fixed, lint.name) {
            Some((_, names)) if !names.contains(&lint.name) => {}
            Some((source, _)) => problems.push(format!(
                "{}: the fixed example still triggers it\n{source}",
                lint.name
            )),
            None => problems.push(format!("{}: the fixed example does not compile", lint.name)),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
