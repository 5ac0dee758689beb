//! `klartext explain <lint>`: what a lint checks, the provision it enforces, why it matters, and
//! a policy that triggers it with its fix. The text of each lint is `docs/lints/<name>.md`,
//! embedded here; the provision comes from the catalogue ([`LINTS`]), so the two cannot disagree.

use crate::diagnostic::did_you_mean;
use crate::lints::{LINTS, Lint};

/// The explanation of every lint: its name and the text of `docs/lints/<name>.md`.
macro_rules! explanations {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../docs/lints/", $name, ".md")))),*]
    };
}

const EXPLANATIONS: &[(&str, &str)] = explanations![
    "missing-controller",
    "missing-controller-contact",
    "missing-officer",
    "missing-officer-contact",
    "missing-supervisory-authority",
    "missing-revision-date",
    "revised-before-revision",
    "missing-data-categories",
    "missing-purpose",
    "missing-legal-basis",
    "incomplete-legal-basis",
    "missing-national-law",
    "missing-legitimate-interest",
    "legitimate-interest-by-authority",
    "missing-recipients",
    "missing-transfer-safeguard",
    "missing-retention",
    "outdated-law",
    "wrong-supervisory-authority",
    "unverified-authority-address",
    "missing-requirement",
    "missing-automated-decisions",
    "missing-source",
    "missing-joint-control-essence",
    "missing-transfer",
    "unsuitable-transfer-safeguard",
    "transfer-contradicts-country",
    "transfer-within-eea",
    "missing-safeguard-copy",
    "portability-not-applicable",
    "objection-denied",
    "missing-special-category-basis",
    "cookie-consent-required",
    "vague-retention",
    "wrong-state-law",
    "missing-activities",
    "legitimate-interest-without-6f",
    "opening-clause-as-basis",
    "unused-organisation",
    "represented-by-article",
    "none-in-words",
    "unclear-phone-number",
    "authority-position",
    "placeholder",
    "unused-allow",
];

/// The text of `docs/lints/<name>.md` for a lint, `None` for a name that is no lint.
pub fn text(name: &str) -> Option<&'static str> {
    EXPLANATIONS
        .iter()
        .find(|(lint, _)| *lint == name)
        .map(|(_, text)| *text)
}

/// What `klartext explain <name>` prints: a line with the lint's name, severity and the law it
/// enforces, then its explanation. An unknown name is an error that suggests the closest lint.
pub fn explain(name: &str) -> Result<String, String> {
    let lint = LINTS.iter().find(|lint| lint.name == name);
    match (lint, text(name)) {
        (Some(lint), Some(text)) => Ok(format!("{}\n\n{}", heading(lint), text.trim_end())),
        _ => {
            let mut message = format!("there is no lint `{name}`");
            if let Some(close) = did_you_mean(name, LINTS.iter().map(|lint| lint.name)) {
                message.push_str(&format!("; did you mean `{close}`?"));
            }
            message.push_str(" (`klartext lints` lists them all)");
            Err(message)
        }
    }
}

fn heading(lint: &Lint) -> String {
    let severity = match lint.severity {
        crate::diagnostic::Severity::Error => "error",
        crate::diagnostic::Severity::Warning => "warning",
    };
    let law = if lint.law.is_empty() {
        "no provision: it keeps the source tidy"
    } else {
        lint.law
    };
    format!("{} ({severity} by default)\nLaw: {law}", lint.name)
}

#[cfg(test)]
mod tests {
    use super::{EXPLANATIONS, explain, text};
    use crate::lints::LINTS;
    use std::collections::BTreeSet;

    #[test]
    fn every_lint_has_an_explanation_and_every_explanation_a_lint() {
        let lints: BTreeSet<&str> = LINTS.iter().map(|lint| lint.name).collect();
        let table: BTreeSet<&str> = EXPLANATIONS.iter().map(|(name, _)| *name).collect();
        assert_eq!(table.len(), EXPLANATIONS.len(), "a lint is explained twice");
        assert_eq!(lints, table, "src/explain.rs and src/lints.rs disagree");
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/lints");
        let files: BTreeSet<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let expected: BTreeSet<String> = lints.iter().map(|name| format!("{name}.md")).collect();
        assert_eq!(files, expected, "docs/lints holds a file without a lint");
    }

    #[test]
    fn explanations_are_short_and_show_a_finding_and_its_fix() {
        for (name, text) in EXPLANATIONS {
            let lines = text.lines().count();
            assert!((10..=40).contains(&lines), "{name}: {lines} lines");
            assert!(
                text.matches("```klar").count() >= 2,
                "{name}: needs an example that fires and its fix"
            );
            assert!(
                text.contains(name),
                "{name}: the text does not name its lint"
            );
        }
    }

    #[test]
    fn explain_heads_the_text_with_the_law_and_refuses_unknown_names() {
        let shown = explain("missing-retention").unwrap();
        assert!(
            shown.starts_with(
                "missing-retention (warning by default)\nLaw: Art. 13(2)(a) DSGVO\n\n"
            )
        );
        assert!(shown.ends_with(text("missing-retention").unwrap().trim_end()));
        let error = explain("missing-retentoin").unwrap_err();
        assert!(
            error.contains("did you mean `missing-retention`?"),
            "{error}"
        );
        assert!(explain("unknown-keyword").is_err());
    }
}
