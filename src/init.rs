//! `klartext init`: the source of a new policy for a public body, built on the standard library.
//!
//! What klartext knows is filled in: the state (from which the supervisory authority follows,
//! see `derive`), the usual entries of the standard library, and the state's general legal basis
//! through `state-law` where `law/states.yaml` has it verified. What only the author knows – the
//! address, the e-mail addresses, the website, the date, and where the general basis is not known
//! verified, its paragraph – is a placeholder with `TODO`, which the checker reports as an error
//! (`placeholder`) until it is replaced. The output depends on the options alone, never on the
//! clock, so the same command writes the same bytes.

use std::fmt::Write;

use crate::diagnostic::did_you_mean;
use crate::imports::{Kind, standard_library};
use crate::law::{Bodies, law};
use crate::model::Date;

/// What the author gives `klartext init`.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// ISO 3166-2 code of the state (`DE-NW`), or `DE` for a federal body.
    pub state: &'a str,
    /// The authority's name, as the notice names the controller: `Stadt Musterstadt`.
    pub name: &'a str,
    /// The date of the last revision (`2026-03-01`); without it, a placeholder.
    pub revised: Option<&'a str>,
}

/// A new policy source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub source: String,
    /// How many placeholders it holds, each one finding of `placeholder`.
    pub placeholders: usize,
}

/// The entries of the standard library a new policy takes: every website has them.
const TAKEN: &[&str] = &["std.server-logs", "std.contact-form"];

/// The ids the policy's own declarations use, which the controller's id must not repeat.
const TAKEN_IDS: &[&str] = &["server-logs", "contact-form", "inhalt", "contents", "top"];

/// Writes the source of a new policy, or says why it cannot (an unknown state, a name that cannot
/// stand in a string, a date that is none).
pub fn policy(options: Options) -> Result<Policy, String> {
    let law = law();
    let Some(state) = law.state(options.state) else {
        let codes: Vec<&str> = law.states.iter().map(|s| s.code.as_str()).collect();
        let mut message = format!("`{}` is not a state klartext knows", options.state);
        if let Some(close) = did_you_mean(options.state, codes.iter().copied()) {
            message.push_str(&format!("; did you mean `{close}`?"));
        }
        message.push_str(&format!(" (the states are {})", codes.join(", ")));
        return Err(message);
    };
    let name = options.name.trim();
    if name.is_empty() {
        return Err("the name of the authority is empty".to_string());
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Err(format!(
            "the name holds a control character ({:?}); write it on one line",
            c
        ));
    }
    if let Some(date) = options.revised
        && Date::parse(date).is_none()
    {
        return Err(format!(
            "`{date}` is not a date: write year-month-day, e.g. `2026-03-01`"
        ));
    }
    // Where `state-law` would name no verified paragraph, each entry asks for it in its block.
    let general_basis = state.general_basis.as_deref().filter(|_| state.verified);
    let authority_unverified = law
        .authority(&state.code, Bodies::Public)
        .is_some_and(|authority| !authority.verified);

    let mut out = String::new();
    let mut placeholders = 0;
    let revised = match options.revised {
        Some(date) => date.to_string(),
        None => placeholder(
            &mut placeholders,
            "TODO: Datum der letzten Änderung, z. B. 2026-03-01",
        ),
    };
    let street = placeholder(&mut placeholders, "TODO: Straße und Hausnummer");
    let town = placeholder(&mut placeholders, "TODO: Postleitzahl und Ort");
    // A web or e-mail address must be one to be read at all, so these placeholders are addresses
    // that say TODO, in the domains reserved for examples and invalid names (RFC 2606).
    let website = placeholder(&mut placeholders, "https://TODO.example");
    let email = placeholder(&mut placeholders, "TODO-info@example.invalid");
    let officer_email = placeholder(&mut placeholders, "TODO-datenschutz@example.invalid");

    let _ = writeln!(
        out,
        "# Datenschutzerklärung, begonnen mit `klartext init --state {} --name {}`.",
        state.code,
        quote(name)
    );
    let _ = writeln!(
        out,
        "# Was nur Sie wissen, ist mit TODO markiert: `klartext check` nennt jede dieser Stellen, und\n\
         # eine Datenschutzerklärung wird erst geschrieben, wenn alle ausgefüllt sind. Die Bausteine\n\
         # der Standardbibliothek (std.…) beschreibt docs/std.md; passen Sie an, was bei Ihnen anders ist."
    );
    let _ = writeln!(
        out,
        "policy {} {{",
        quote(&format!("Datenschutzerklärung – {name}"))
    );
    let _ = writeln!(out, "  language de");
    let _ = writeln!(
        out,
        "  # {}: {}.\n  # Die zuständige Aufsichtsbehörde ergibt sich aus dem Land; klartext nennt sie.",
        state.name, state.act
    );
    let _ = writeln!(out, "  state {}", state.code);
    let _ = writeln!(out, "  revised {revised}");
    let _ = writeln!(out, "  website {website}");
    if authority_unverified {
        let reason = placeholder(
            &mut placeholders,
            "TODO: Anschrift der Aufsichtsbehörde auf deren Website prüfen und hier Datum und Ergebnis nennen",
        );
        let _ = writeln!(
            out,
            "  # Die Anschrift der Aufsichtsbehörde ist in klartexts Quellen nicht gesichert."
        );
        let _ = writeln!(out, "  allow unverified-authority-address {reason}");
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  controller {} {} {{",
        controller_id(name),
        quote(name)
    );
    let _ = writeln!(out, "    address {street}, {town}");
    let _ = writeln!(out, "    email {email}");
    let _ = writeln!(
        out,
        "    # Datenschutzbeauftragte Person: ein Name ist freiwillig, ein Kontakt nicht."
    );
    let _ = writeln!(out, "    officer {{");
    let _ = writeln!(out, "      email {officer_email}");
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out, "  }}");
    if general_basis.is_none() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "  # {}: klartext kennt den Paragraphen der allgemeinen Rechtsgrundlage für öffentliche\n  # Stellen nicht geprüft. Nennen Sie ihn bei jeder Verarbeitung, die sich darauf stützt.",
            state.act
        );
    }
    for entry in TAKEN {
        let _ = writeln!(out);
        match general_basis {
            Some(_) => {
                let _ = writeln!(out, "  activity from {entry}");
            }
            None => {
                let basis = placeholder(
                    &mut placeholders,
                    &format!(
                        "TODO: Paragraph der allgemeinen Rechtsgrundlage, Gesetz: {}",
                        state.act
                    ),
                );
                let _ = writeln!(out, "  activity from {entry} {{");
                let _ = writeln!(out, "    basis 6(1)(e) {basis}");
                let _ = writeln!(out, "  }}");
            }
        }
    }
    let others: Vec<&str> = standard_library()
        .iter()
        .flat_map(|library| library.declarations())
        .filter(|(id, kind)| *kind == Kind::Activity && !TAKEN.contains(id))
        .map(|(id, _)| id)
        .collect();
    if !others.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "  # Weitere Bausteine der Standardbibliothek: entfernen Sie das # vor denen, die Sie nutzen."
        );
        for id in others {
            let _ = writeln!(out, "  # activity from {id}");
        }
    }
    let _ = writeln!(out, "}}");
    Ok(Policy {
        source: out,
        placeholders,
    })
}

/// A placeholder in quotes, counted.
fn placeholder(count: &mut usize, text: &str) -> String {
    debug_assert!(text.contains("TODO"));
    *count += 1;
    quote(text)
}

/// A text as a string of the language: in quotes, with `"` and `\` escaped.
fn quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

/// An id for the controller from its name: lower-case letters and digits of the name, umlauts
/// spelt out, joined by `-` (`Stadt Münster` → `stadt-muenster`); `verantwortlicher` where that
/// leaves nothing that can be an id, or an id the policy uses otherwise.
fn controller_id(name: &str) -> String {
    let mut id = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        let spelt = match c {
            'ä' => "ae",
            'ö' => "oe",
            'ü' => "ue",
            'ß' => "ss",
            c if c.is_ascii_alphanumeric() => {
                id.push(c);
                continue;
            }
            _ => "-",
        };
        if spelt == "-" {
            if !id.is_empty() && !id.ends_with('-') {
                id.push('-');
            }
        } else {
            id.push_str(spelt);
        }
    }
    let id = id.trim_end_matches('-').to_string();
    let usable =
        id.starts_with(|c: char| c.is_ascii_lowercase()) && !TAKEN_IDS.contains(&id.as_str());
    if usable {
        id
    } else {
        "verantwortlicher".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn init(state: &str, name: &str) -> Policy {
        policy(Options {
            state,
            name,
            revised: None,
        })
        .unwrap()
    }

    #[test]
    fn a_name_becomes_an_id_and_a_string() {
        assert_eq!(controller_id("Stadt Münster"), "stadt-muenster");
        assert_eq!(
            controller_id("Landkreis Kassel (Der Kreisausschuss)"),
            "landkreis-kassel-der-kreisausschuss"
        );
        assert_eq!(controller_id("1. Bezirk"), "verantwortlicher");
        assert_eq!(controller_id("Top"), "verantwortlicher");
        assert_eq!(controller_id("Server Logs"), "verantwortlicher");
        assert_eq!(
            quote("Amt \"Nord\" \\ Süd"),
            "\"Amt \\\"Nord\\\" \\\\ Süd\""
        );
    }

    #[test]
    fn the_output_depends_on_the_options_alone() {
        assert_eq!(
            init("DE-NW", "Stadt Musterstadt"),
            init("DE-NW", "Stadt Musterstadt")
        );
        let dated = policy(Options {
            state: "DE-NW",
            name: "Stadt Musterstadt",
            revised: Some("2026-03-01"),
        })
        .unwrap();
        assert!(dated.source.contains("  revised 2026-03-01\n"));
        assert_eq!(
            dated.placeholders + 1,
            init("DE-NW", "Stadt Musterstadt").placeholders
        );
    }

    #[test]
    fn what_cannot_be_written_is_refused() {
        let refused = |state, name, revised| {
            policy(Options {
                state,
                name,
                revised,
            })
            .unwrap_err()
        };
        assert!(refused("DE-NRW", "Stadt", None).contains("did you mean `DE-NW`?"));
        assert!(refused("DE-NW", "  ", None).contains("empty"));
        assert!(refused("DE-NW", "Stadt\nMusterstadt", None).contains("control character"));
        assert!(refused("DE-NW", "Stadt", Some("2026-02-30")).contains("not a date"));
    }

    #[test]
    fn a_state_without_a_verified_basis_asks_for_the_paragraph() {
        let verified = init("DE-NW", "Stadt Musterstadt");
        assert!(!verified.source.contains("basis 6(1)(e)"));
        let unverified = init("DE-BY", "Stadt Musterstadt");
        assert!(unverified.source.contains(
            "basis 6(1)(e) \"TODO: Paragraph der allgemeinen Rechtsgrundlage, Gesetz: Bayerisches Datenschutzgesetz (BayDSG)\""
        ));
        assert_eq!(unverified.placeholders, verified.placeholders + TAKEN.len());
    }
}
