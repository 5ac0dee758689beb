//! The standard library (`std/*.klar`, embedded): every entry is usable as it is. Each activity,
//! enumerated from `standard_library()` so that a new entry is tested without being listed here,
//! compiles inside a minimal complete policy to a notice without a single warning, in every state
//! whose general legal basis klartext knows verified; an entry that names a position of the
//! supervisory authorities reports exactly that, and nothing once it is allowed. Every id is
//! prefixed and declared once, every file reads without a problem, and docs/std.md lists every
//! entry.

use std::collections::BTreeSet;

use klartext::compile;
use klartext::imports::{Kind, standard_library};
use klartext::render::{Format, Renderer};

/// The states whose general basis `state-law` names, verified in law/states.yaml.
const VERIFIED_STATES: &[&str] = &["DE", "DE-HE", "DE-NI", "DE-NW"];

/// A complete policy of a public body in `state` that takes `entry` with `block` (facts in
/// braces, or nothing).
fn policy(state: &str, entry: &str, block: &str) -> String {
    format!(
        "policy \"Datenschutzerklärung der Stadt Musterstadt\" {{
  language de
  state {state}
  revised 2026-01-15
  website \"https://www.musterstadt.example\"
  controller stadt \"Stadt Musterstadt\" {{
    address \"Markt 1\", \"12345 Musterstadt\"
    email \"info@musterstadt.example\"
    officer \"Erika Mustermann\" {{ email \"datenschutz@musterstadt.example\" }}
  }}
  activity from {entry}{block}
}}
"
    )
}

fn activities() -> Vec<String> {
    standard_library()
        .iter()
        .flat_map(|library| library.declarations())
        .filter(|(_, kind)| *kind == Kind::Activity)
        .map(|(id, _)| id.to_string())
        .collect()
}

/// What checking a source reports, one line per finding, as a person reads it.
fn report(name: &str, source: &str) -> (klartext::Outcome, Vec<String>) {
    let outcome = compile(name, source.as_bytes());
    let lines = outcome
        .diagnostics
        .iter()
        .map(|d| outcome.source.render(d, false))
        .collect();
    (outcome, lines)
}

#[test]
fn the_standard_library_has_the_entries_a_website_needs() {
    let activities = activities();
    for expected in [
        "std.server-logs",
        "std.contact-form",
        "std.newsletter",
        "std.online-services",
        "std.e-payment",
        "std.appointments",
        "std.job-applications",
        "std.video-conferences",
        "std.web-analytics",
        "std.embedded-videos",
        "std.maps",
        "std.facebook-page",
        "std.instagram-profile",
        "std.x-profile",
        "std.youtube-channel",
        "std.linkedin-page",
        "std.mastodon",
    ] {
        assert!(
            activities.iter().any(|a| a == expected),
            "{expected} is missing"
        );
    }
}

#[test]
fn every_activity_compiles_to_a_notice_without_warnings() {
    let renderer = Renderer::new();
    let mut failures = Vec::new();
    let mut positions = 0;
    for entry in activities() {
        for state in VERIFIED_STATES {
            let name = format!("{entry} in {state}.klar");
            let (outcome, lines) = report(&name, &policy(state, &entry, ""));
            let Some(model) = &outcome.model else {
                failures.push(format!("{name}: no model\n{}", lines.concat()));
                continue;
            };
            let activity = &model.activities()[0];
            assert!(!activity.incomplete, "{name}: the entry was not taken");
            let has_position = !activity.positions.is_empty();
            let names: Vec<&str> = outcome.diagnostics.iter().map(|d| d.name).collect();
            let expected: Vec<&str> = if has_position {
                activity
                    .positions
                    .iter()
                    .map(|_| "authority-position")
                    .collect()
            } else {
                Vec::new()
            };
            if names != expected {
                failures.push(format!(
                    "{name}: expected {expected:?}, found:\n{}",
                    lines.concat()
                ));
                continue;
            }
            let Some(policy) = outcome.policy() else {
                failures.push(format!("{name}: no notice"));
                continue;
            };
            for format in Format::ALL {
                if let Err(error) = renderer.render(policy, format) {
                    failures.push(format!("{name}: cannot render {}: {error}", format.name()));
                }
            }
            if has_position {
                positions += 1;
                // Allowed with a reason, the position is no longer reported, and nothing else is.
                let allowed = policy_with_allow(state, &entry);
                let (outcome, lines) = report(&name, &allowed);
                if !outcome.diagnostics.is_empty() {
                    failures.push(format!("{name}, allowed:\n{}", lines.concat()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        positions >= VERIFIED_STATES.len(),
        "no entry names a position (std.facebook-page should)"
    );
}

fn policy_with_allow(state: &str, entry: &str) -> String {
    policy(
        state,
        entry,
        " {\n    allow authority-position \"Beschluss vom 3. März 2026: die Seite bleibt.\"\n  }",
    )
}

/// The Facebook page is the entry the DSK's position is about; it must keep naming it.
#[test]
fn the_facebook_page_names_the_dsk_position() {
    let (outcome, lines) = report("facebook.klar", &policy("DE-HE", "std.facebook-page", ""));
    assert_eq!(lines.len(), 1, "{}", lines.concat());
    let finding = &outcome.diagnostics[0];
    assert_eq!(finding.name, "authority-position");
    assert!(
        finding.message.contains("dsk-facebook-pages"),
        "{}",
        finding.message
    );
    assert!(
        finding
            .help
            .as_deref()
            .is_some_and(|h| h.contains("allow authority-position")),
        "{:?}",
        finding.help
    );
}

/// In a state whose general basis is not known verified, an entry that says `state-law` asks for
/// the paragraph instead of guessing it.
#[test]
fn an_unverified_state_is_asked_for_its_paragraph() {
    let (outcome, lines) = report("bw.klar", &policy("DE-BW", "std.server-logs", ""));
    let names: BTreeSet<&str> = outcome.diagnostics.iter().map(|d| d.name).collect();
    assert!(names.contains("missing-national-law"), "{}", lines.concat());
}

#[test]
fn every_id_is_prefixed_and_declared_once() {
    let mut seen = BTreeSet::new();
    let mut count = 0;
    for library in standard_library() {
        for (id, kind) in library.declarations() {
            count += 1;
            assert!(
                id.starts_with("std.") && id.len() > 4,
                "{}: `{id}` is not prefixed with `std.`",
                library.name
            );
            assert!(
                seen.insert(id.to_string()),
                "{}: `{id}` ({}) is declared twice",
                library.name,
                kind.keyword()
            );
        }
    }
    assert!(count >= 20, "only {count} declarations in std/");
}

/// Each file parses without a problem, and checked as a library (which lowers every declaration)
/// reports nothing.
#[test]
fn every_file_reads_and_checks_without_problems() {
    assert!(standard_library().len() >= 5, "std/ has too few files");
    for library in standard_library() {
        assert!(
            library.problems().is_empty(),
            "{}: {:?}",
            library.name,
            library.problems()
        );
        let (outcome, lines) = report(&library.name, &library.text);
        assert!(outcome.library, "{} is not read as a library", library.name);
        assert!(lines.is_empty(), "{}:\n{}", library.name, lines.concat());
    }
}

/// Every organisation of the standard library is named by one of its activities: an operator
/// nobody uses would be dead weight.
#[test]
fn every_organisation_is_used() {
    let texts: String = standard_library()
        .iter()
        .map(|l| l.text.to_string())
        .collect();
    for library in standard_library() {
        for (id, kind) in library.declarations() {
            if kind != Kind::Organisation {
                continue;
            }
            let uses = texts.matches(id).count();
            assert!(
                uses >= 2,
                "{}: `{id}` is declared but not used",
                library.name
            );
        }
    }
}

/// docs/std.md lists every entry, and no entry that does not exist.
#[test]
fn the_documentation_lists_every_entry() {
    let doc = include_str!("../docs/std.md");
    let declared: BTreeSet<String> = standard_library()
        .iter()
        .flat_map(|library| library.declarations())
        .map(|(id, _)| id.to_string())
        .collect();
    for id in &declared {
        assert!(
            doc.contains(&format!("`{id}`")),
            "docs/std.md does not list `{id}`"
        );
    }
    let mentioned: BTreeSet<String> = doc
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| span.starts_with("std.") && !span.contains([' ', '…', '<']))
        .map(str::to_string)
        .collect();
    let unknown: Vec<&String> = mentioned.difference(&declared).collect();
    assert!(
        unknown.is_empty(),
        "docs/std.md names entries that do not exist: {unknown:?}"
    );
}
