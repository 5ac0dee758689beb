//! Fidelity of the acceptance corpus: for each published notice encoded in `policies/`, a list
//! of facts taken from the original (`tests/fidelity/<policy>.facts`, one a line) must appear
//! in every rendered format. A fact that the output loses fails the build.
//!
//! The originals are read from `../shared/seeds/` (or `$KLARTEXT_SEEDS`), so that each plain
//! fact is proven to stand in the original and not only in our own source. A clone without the
//! originals beside it checks the output only and says so in one line; in CI (`CI` set) and with
//! `KLARTEXT_SEEDS` set, missing originals fail the test.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Once;

use klartext::compile;
use klartext::render::{Format, Renderer};

/// The text a reader of the HTML page sees: tags removed, entities decoded, spaces folded.
fn html_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    fold(&text)
}

/// Markdown as its reader sees it: backslash escapes removed, spaces folded.
fn markdown_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    let mut chars = markdown.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|n| n.is_ascii_punctuation()) {
            continue;
        }
        text.push(c);
    }
    fold(&text)
}

fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The seeds lost the `@` and the last dot of every e-mail address (`info@kassel.de` became
/// `infokasselde`); facts carry the restored address.
fn as_scraped(fact: &str) -> String {
    fact.split(' ')
        .map(|word| match word.split_once('@') {
            Some((local, domain)) => match domain.rfind('.') {
                Some(dot) => format!("{local}{}{}", &domain[..dot], &domain[dot + 1..]),
                None => format!("{local}{domain}"),
            },
            None => word.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The folder of the original notices, and whether it was named by `KLARTEXT_SEEDS`.
fn seeds_folder() -> (PathBuf, bool) {
    match std::env::var_os("KLARTEXT_SEEDS") {
        Some(dir) => (PathBuf::from(dir), true),
        None => (
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds"),
            false,
        ),
    }
}

/// Whether the tests run in CI, where the originals must be there.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| !matches!(value.trim(), "" | "0" | "false"))
}

/// The original notice, folded; `None` when the folder of originals is not there (and that
/// is allowed: not in CI, and not named by `KLARTEXT_SEEDS`).
fn original(seed: &str) -> Option<String> {
    let (dir, named) = seeds_folder();
    if !dir.is_dir() {
        assert!(
            !named && !in_ci(),
            "the original notices are not at {}: {}",
            dir.display(),
            if named {
                "KLARTEXT_SEEDS names a folder that does not exist"
            } else {
                "CI is set, and CI checks the facts against the originals; set KLARTEXT_SEEDS to the seeds folder"
            }
        );
        static SKIPPED: Once = Once::new();
        SKIPPED.call_once(|| {
            // Straight to standard error, past the test harness's capture, so that the one line
            // shows in a passing run.
            let _ = writeln!(
                std::io::stderr(),
                "fidelity: originals not found at {} (set KLARTEXT_SEEDS); checked output only",
                dir.display()
            );
        });
        return None;
    }
    let path = dir.join(seed);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read the original notice {}: {error}; set KLARTEXT_SEEDS to the seeds folder",
            path.display()
        )
    });
    Some(fold(&text))
}

fn check_policy(stem: &str, seed: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = root.join("policies").join(format!("{stem}.klar"));
    let facts_file = root.join("tests/fidelity").join(format!("{stem}.facts"));
    let bytes = std::fs::read(&source).unwrap();
    let outcome = compile(&source.display().to_string(), &bytes);
    let errors: String = outcome
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| outcome.source.render(d, false))
        .collect();
    let policy = outcome
        .policy()
        .unwrap_or_else(|| panic!("{stem} does not compile:\n{errors}"));
    let renderer = Renderer::new();
    let outputs = [
        (
            "HTML",
            html_text(&renderer.render(policy, Format::Html).unwrap()),
        ),
        (
            "Markdown",
            markdown_text(&renderer.render(policy, Format::Markdown).unwrap()),
        ),
        (
            "text",
            fold(&renderer.render(policy, Format::Text).unwrap()),
        ),
    ];
    let original = original(seed);
    let mut facts = Vec::new();
    let mut not_in_original = Vec::new();
    for line in std::fs::read_to_string(&facts_file)
        .unwrap()
        .lines()
        .map(str::trim)
    {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.strip_prefix("= ") {
            Some(normalised) => facts.push(fold(normalised)),
            None => {
                let fact = fold(line);
                if let Some(original) = &original
                    && !original.contains(&fact)
                    && !original.contains(&as_scraped(&fact))
                {
                    not_in_original.push(fact.clone());
                }
                facts.push(fact);
            }
        }
    }
    assert!(
        facts.len() >= 40,
        "{stem}: only {} facts; the corpus needs at least 40",
        facts.len()
    );
    assert!(
        not_in_original.is_empty(),
        "{stem}: these facts are not in the original (mark normalised ones with `= `):\n{}",
        not_in_original.join("\n")
    );
    let text = renderer.render(policy, Format::Text).unwrap();
    let too_wide: Vec<&str> = text
        .lines()
        .filter(|line| line.chars().count() > 80 && line.trim().contains(' '))
        .collect();
    assert!(
        too_wide.is_empty(),
        "{stem}: text lines wider than 80 columns:\n{}",
        too_wide.join("\n")
    );
    let mut lost = Vec::new();
    for fact in &facts {
        for (format, text) in &outputs {
            if !text.contains(fact.as_str()) {
                lost.push(format!("{format}: {fact}"));
            }
        }
    }
    assert!(
        lost.is_empty(),
        "{stem} loses {} facts:\n{}",
        lost.len(),
        lost.join("\n")
    );
}

#[test]
fn stadt_kassel() {
    check_policy("stadt-kassel", "000_e09df83061e80a9d.txt");
}

#[test]
fn landkreis_kassel() {
    check_policy("landkreis-kassel", "001_6f5fc85a29f4bbe3.txt");
}

#[test]
fn castrop_rauxel() {
    check_policy("castrop-rauxel", "002_054367c8d0a67a4f.txt");
}

#[test]
fn kai_gruppe() {
    check_policy("kai-gruppe", "003_4b2c8ade790c8b6d.txt");
}

#[test]
fn lippstadt() {
    check_policy("lippstadt", "004_ea4b60637df714d1.txt");
}
