//! The fixes diagnostics offer are correct to apply: for every diagnostic of every fixture in
//! `tests/diagnostics/`, and of policies with typical mistakes made in them, its first fix
//! written into the source removes it: the source compiled again has no diagnostic of that
//! name at that place.

use std::collections::BTreeSet;
use std::path::PathBuf;

use klartext::compile;
use klartext::diagnostic::{Diagnostic, FileId, Fix};

fn fixtures() -> Vec<PathBuf> {
    klar_files("tests/diagnostics")
}

fn klar_files(folder: &str) -> Vec<PathBuf> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "klar"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "policies are in {}", folder.display());
    paths
}

/// Where an offset of the text after `fix` was in the text before it; `None` for an offset in
/// the replacement.
fn before_fix(offset: usize, fix: &Fix) -> Option<usize> {
    let replaced_end = fix.span.start + fix.replacement.len();
    if offset < fix.span.start {
        Some(offset)
    } else if offset < replaced_end {
        None
    } else {
        Some(offset - replaced_end + fix.span.end)
    }
}

/// Whether `later`, found after applying `fix`, is `diagnostic` still there.
fn same_place(diagnostic: &Diagnostic, fix: &Fix, later: &Diagnostic) -> bool {
    let start = diagnostic.span.start;
    later.name == diagnostic.name
        && match before_fix(later.span.start, fix) {
            Some(offset) => offset == start,
            None => fix.span.start <= start && start <= fix.span.end,
        }
}

fn apply(text: &str, fix: &Fix) -> String {
    let range = fix.span.range();
    assert_eq!(fix.span.file, FileId::MAIN);
    assert!(
        range.start <= range.end
            && text.is_char_boundary(range.start)
            && text.is_char_boundary(range.end),
        "{fix:?} does not fit the text"
    );
    format!(
        "{}{}{}",
        &text[..range.start],
        fix.replacement,
        &text[range.end..]
    )
}

#[test]
fn every_first_fix_removes_its_diagnostic() {
    let mut fixed = BTreeSet::new();
    let fixtures = fixtures();
    assert!(fixtures.len() > 20);
    for path in fixtures {
        let name = format!(
            "diagnostics/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let bytes = std::fs::read(&path).unwrap();
        let Ok(text) = String::from_utf8(bytes.clone()) else {
            continue;
        };
        let outcome = compile(&name, &bytes);
        for diagnostic in &outcome.diagnostics {
            if diagnostic
                .help
                .as_deref()
                .is_some_and(|h| h.contains("did you mean"))
            {
                assert!(
                    !diagnostic.fixes.is_empty(),
                    "a suggestion without a fix:\n{}",
                    outcome.source.render(diagnostic, false)
                );
            }
            let Some(fix) = diagnostic.fixes.first() else {
                continue;
            };
            let after = apply(&text, fix);
            let again = compile(&name, after.as_bytes());
            let left: Vec<String> = again
                .diagnostics
                .iter()
                .filter(|later| same_place(diagnostic, fix, later))
                .map(|later| again.source.render(later, false))
                .collect();
            assert!(
                left.is_empty(),
                "the fix {fix:?} of\n{}leaves\n{}in\n{after}",
                outcome.source.render(diagnostic, false),
                left.concat()
            );
            fixed.insert((diagnostic.name, fix.title.clone()));
        }
    }
    let names: BTreeSet<&str> = fixed.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "control-character",
            "invalid-escape",
            "invalid-retention",
            "missing-quotes",
            "none-in-words",
            "represented-by-article",
            "syntax-error",
            "unexpected-block",
            "unknown-country",
            "unknown-keyword",
            "unknown-lint",
            "unknown-reference",
            "unknown-right",
            "unknown-safeguard",
            "unknown-state",
            "unknown-unit",
            "unused-allow",
            "wrong-value",
        ]),
        "the fixtures show every kind of fix"
    );
}

/// The check above can fail: a fix that does not remove its diagnostic is caught, also when it
/// shifts what follows.
#[test]
fn a_fix_that_leaves_its_diagnostic_is_noticed() {
    let text = "policy \"T\" {\n  activity a \"A\" {\n    zweck \"x\"\n  }\n}\n";
    let outcome = compile("t.klar", text.as_bytes());
    let diagnostic = outcome
        .diagnostics
        .iter()
        .find(|d| d.name == "unknown-keyword")
        .unwrap();
    let fix = diagnostic.fixes.first().unwrap();
    assert_eq!(fix.replacement, "purpose");
    assert!(
        compile("t.klar", apply(text, fix).as_bytes())
            .diagnostics
            .iter()
            .all(|later| !same_place(diagnostic, fix, later))
    );
    // A wrong fix: another unknown word in its place, longer, so that what follows shifts.
    let wrong = Fix {
        replacement: "zwecke-und-ziele".to_string(),
        ..fix.clone()
    };
    assert!(
        compile("t.klar", apply(text, &wrong).as_bytes())
            .diagnostics
            .iter()
            .any(|later| same_place(diagnostic, &wrong, later))
    );
    // A fix that inserts before the diagnostic without touching it.
    let before = Fix {
        span: klartext::diagnostic::Span::new(32, 32),
        replacement: "  \n".to_string(),
        title: String::new(),
    };
    assert!(
        compile("t.klar", apply(text, &before).as_bytes())
            .diagnostics
            .iter()
            .any(|later| same_place(diagnostic, &before, later))
    );
}

/// A German date is a value after a keyword; where the keyword belongs, writing it the other
/// way round does not help, and no fix is offered.
#[test]
fn a_german_date_is_fixed_where_a_value_stands() {
    for (text, fixed) in [
        ("policy \"T\" {\n  revised 2.5.2024\n}\n", true),
        ("policy \"T\" {\n  2.5.2024 revised\n}\n", false),
        ("policy \"T\" {\n  language de; 2.5.2024\n}\n", false),
    ] {
        let outcome = compile("t.klar", text.as_bytes());
        let errors: Vec<&Diagnostic> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.name == "syntax-error")
            .collect();
        assert_eq!(errors.len(), 1, "{text}");
        assert_eq!(!errors[0].fixes.is_empty(), fixed, "{text}");
        if fixed {
            let after = apply(text, &errors[0].fixes[0]);
            assert!(after.contains("revised 2024-05-02\n"), "{after}");
        }
    }
}

/// Mistakes made in every policy, example and fixture: a word with two letters swapped, cut
/// short, in lower case, in German, doubled; quotes left out; a block, an escape, a control
/// character or values where none belong. `KLARTEXT_FIX_MUTANTS=20000` runs longer.
#[test]
fn fixes_of_mistakes_in_real_policies_remove_their_diagnostics() {
    let mut bases = Vec::new();
    for folder in ["policies", "examples", "tests/render", "tests/diagnostics"] {
        for path in klar_files(folder) {
            if let Ok(text) = String::from_utf8(std::fs::read(path).unwrap()) {
                bases.push(text);
            }
        }
    }
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound.max(1) as u64) as usize
    };
    let rounds = std::env::var("KLARTEXT_FIX_MUTANTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(400);
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    let mut fixed = BTreeSet::new();
    for round in 0..rounds {
        let mut text = bases[round % bases.len()].clone();
        for _ in 0..1 + next(2) {
            let bytes = text.as_bytes();
            let mut start = next(bytes.len());
            while start > 0 && is_word(bytes[start - 1]) {
                start -= 1;
            }
            let mut end = start;
            while end < bytes.len() && is_word(bytes[end]) {
                end += 1;
            }
            if start == end {
                continue;
            }
            let word = text[start..end].to_string();
            let mistake = match next(14) {
                0 if word.len() > 3 => {
                    let mut chars: Vec<char> = word.chars().collect();
                    let at = next(chars.len() - 1);
                    chars.swap(at, at + 1);
                    chars.into_iter().collect()
                }
                1 if word.len() > 4 => word[..word.len() - 1].to_string(),
                2 => word.to_lowercase(),
                3 => "Tage".to_string(),
                4 => "zweck".to_string(),
                5 => "02.05.2024".to_string(),
                6 => format!("{word} {word}"),
                7 => format!("{word}, {word}"),
                8 => format!("{word} {{ text \"x\" }}"),
                9 => format!("{word}\\q"),
                10 => format!("{word}\u{7}"),
                11 => format!("{word} und 0561"),
                12 => "allow missing-purpose \"Grund\"".to_string(),
                _ => {
                    text = text.replacen('"', "", 2);
                    continue;
                }
            };
            text.replace_range(start..end, &mistake);
        }
        let outcome = compile("mutant.klar", text.as_bytes());
        for diagnostic in &outcome.diagnostics {
            let Some(fix) = diagnostic.fixes.first() else {
                continue;
            };
            let after = apply(&text, fix);
            let again = compile("mutant.klar", after.as_bytes());
            if let Some(left) = again
                .diagnostics
                .iter()
                .find(|later| same_place(diagnostic, fix, later))
            {
                panic!(
                    "the fix {fix:?} of\n{}leaves\n{}",
                    outcome.source.render(diagnostic, false),
                    again.source.render(left, false)
                );
            }
            fixed.insert(diagnostic.name);
        }
    }
    // The mistakes reach the fixes they are meant to reach.
    for name in [
        "invalid-escape",
        "missing-quotes",
        "unexpected-block",
        "unknown-keyword",
        "unknown-unit",
        "wrong-value",
    ] {
        assert!(
            fixed.contains(name),
            "no fix of {name} was tried: {fixed:?}"
        );
    }
}
