//! `klartext fmt` (src/format.rs): the fixture pairs in `tests/fmt/` (`NAME.klar` and the
//! `NAME.formatted.klar` it must become), and over every policy, fixture and documentation
//! example of the project: formatting keeps the model and the diagnostics, and formatting twice
//! changes nothing.

use std::path::{Path, PathBuf};

use klartext::compile;
use klartext::format::{WIDTH, format};

mod common;
use common::{example_policy, klar_examples};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `.klar` file under `folder`, in name order, subfolders included.
fn klar_files_under(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![folder.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|ext| ext == "klar") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// What a compile of `source` means: the model as JSON (what `compile --format json` writes)
/// and every diagnostic by name, severity and message (their places move with the layout).
fn meaning(source: &str) -> (String, Vec<String>) {
    let outcome = compile("policy.klar", source.as_bytes());
    let model = serde_json::to_string(&outcome.model).unwrap();
    let diagnostics = outcome
        .diagnostics
        .iter()
        .map(|d| format!("{:?} {}: {}", d.severity, d.name, d.message))
        .collect();
    (model, diagnostics)
}

/// Formats `source`, if it has no syntax errors, and checks that the result means the same,
/// stays as it is when formatted again, and ends in one line break. Returns whether it was
/// formatted.
fn formats_faithfully(source: &str, what: &str) -> bool {
    let Ok(formatted) = format(source) else {
        return false;
    };
    assert_eq!(
        meaning(&formatted),
        meaning(source),
        "{what}: formatting changed the meaning:\n{formatted}"
    );
    assert_eq!(
        format(&formatted).as_ref(),
        Ok(&formatted),
        "{what}: formatting the formatted text changes it"
    );
    assert!(
        formatted.is_empty() || (formatted.ends_with('\n') && !formatted.ends_with("\n\n")),
        "{what}: the text does not end in exactly one line break"
    );
    true
}

#[test]
fn fixtures_become_their_formatted_twins() {
    let dir = root().join("tests/fmt");
    let inputs: Vec<PathBuf> = klar_files_under(&dir)
        .into_iter()
        .filter(|path| !path.to_string_lossy().ends_with(".formatted.klar"))
        .collect();
    assert!(inputs.len() >= 7, "only {} fixtures", inputs.len());
    for input in inputs {
        let expected_path = input.with_extension("formatted.klar");
        let source = read(&input);
        let expected = read(&expected_path);
        // A file with syntax errors is left as it is.
        let formatted = format(&source).unwrap_or_else(|_| source.clone());
        assert_eq!(
            formatted,
            expected,
            "{} does not become {}",
            input.display(),
            expected_path.display()
        );
        let again = format(&expected).unwrap_or_else(|_| expected.clone());
        assert_eq!(
            again,
            expected,
            "{} changes when formatted",
            expected_path.display()
        );
    }
}

#[test]
fn a_file_with_syntax_errors_is_refused_with_its_problems() {
    let source = read(&root().join("tests/fmt/syntax-error.klar"));
    let problems = format(&source).expect_err("the fixture has a syntax error");
    let parsed = klartext::syntax::parse(&source);
    assert_eq!(problems, parsed.problems);
    assert!(problems.iter().any(|p| p.name == "unterminated-string"));
}

/// Every policy, example and test fixture of the project that parses: the same model and the
/// same diagnostics after formatting, and a second formatting changes nothing.
#[test]
fn every_source_of_the_project_keeps_its_meaning() {
    let mut formatted = 0;
    for folder in ["policies", "examples", "tests"] {
        for path in klar_files_under(&root().join(folder)) {
            let source = read(&path);
            if formats_faithfully(&source, &path.display().to_string()) {
                formatted += 1;
            }
        }
    }
    // The recovery fixtures have syntax errors; nearly all others are formatted.
    assert!(formatted > 180, "only {formatted} sources were formatted");
}

/// Every `klar` example of the documentation, as written and in the policy it stands in.
#[test]
fn every_documentation_example_keeps_its_meaning() {
    let mut pages = vec![root().join("README.md")];
    let mut folders = vec![root().join("docs")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                pages.push(path);
            }
        }
    }
    let mut formatted = 0;
    for page in pages {
        for (n, example) in klar_examples(&read(&page)).iter().enumerate() {
            let what = format!("{} example {}", page.display(), n + 1);
            formats_faithfully(example, &what);
            if let Some(policy) = example_policy(example)
                && formats_faithfully(&policy, &what)
            {
                formatted += 1;
            }
        }
    }
    assert!(formatted > 100, "only {formatted} examples were formatted");
}

/// The shipped policies are formatted (CI runs `klartext fmt --check` on them too).
#[test]
fn the_shipped_policies_are_formatted() {
    for folder in ["policies", "examples"] {
        for path in klar_files_under(&root().join(folder)) {
            let source = read(&path);
            assert!(
                format(&source).as_ref() == Ok(&source),
                "{} is not formatted: run `klartext fmt {folder}/`",
                path.display()
            );
        }
    }
}

#[test]
fn lists_are_wrapped_before_the_width() {
    let values: Vec<String> = (1..=40).map(|n| format!("\"Kategorie {n}\"")).collect();
    let source = format!("policy \"T\" {{\n  data {}\n}}\n", values.join(", "));
    let formatted = format(&source).unwrap();
    let lines: Vec<&str> = formatted.lines().collect();
    assert!(lines.len() > 5, "{formatted}");
    for line in &lines {
        assert!(line.chars().count() <= WIDTH, "{line:?} is too long");
    }
    // Continuation lines stand under the first value.
    for line in &lines[2..lines.len() - 1] {
        assert!(line.starts_with("       \"Kategorie"), "{line:?}");
    }
    assert_eq!(meaning(&formatted), meaning(&source));
}

#[test]
fn windows_line_endings_and_a_byte_order_mark_are_kept() {
    let source = "\u{feff}policy \"T\" {\r\n    language de\r\n  text \"\"\"\r\n      a  \r\n      b\r\n  \"\"\"\r\n}\r\n";
    let formatted = format(source).unwrap();
    assert_eq!(
        formatted,
        "\u{feff}policy \"T\" {\r\n  language de\r\n  text \"\"\"\r\n    a  \r\n    b\r\n  \"\"\"\r\n}\r\n"
    );
    assert_eq!(format(&formatted).as_ref(), Ok(&formatted));
}

#[test]
fn a_source_without_items_or_comments_is_empty() {
    assert_eq!(format("").as_deref(), Ok(""));
    assert_eq!(format(" \n\n\t\n").as_deref(), Ok(""));
    assert_eq!(
        format("\n# nur ein Kommentar\n\n").as_deref(),
        Ok("# nur ein Kommentar\n")
    );
}

/// Deterministic mutations of the fixtures: formatting never panics, and what it formats means
/// what the mutant meant and stays as it is when formatted again.
#[test]
fn mutations_format_faithfully_or_are_refused() {
    let base: String = klar_files_under(&root().join("tests/fmt"))
        .iter()
        .filter(|path| !path.to_string_lossy().contains("syntax-error"))
        .map(|path| read(path))
        .collect();
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    const TOKENS: [&str; 12] = [
        "{", "}", "\"", "\"\"\"", "# c", "\n", ",", ", ", ";", "  ", "\\", "\r\n",
    ];
    let rounds = std::env::var("KLARTEXT_MUTANTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(400);
    let mut formatted = 0;
    for round in 0..rounds {
        let mut bytes = base.clone().into_bytes();
        for _ in 0..1 + next(3) {
            let at = next(bytes.len() + 1);
            match next(3) {
                0 if at < bytes.len() => {
                    bytes.remove(at);
                }
                _ => bytes
                    .splice(at..at, TOKENS[next(TOKENS.len())].bytes())
                    .for_each(drop),
            }
        }
        let source = String::from_utf8_lossy(&bytes);
        if formats_faithfully(&source, &format!("mutant {round}")) {
            formatted += 1;
        }
    }
    assert!(
        formatted > rounds / 10,
        "too few mutants were formatted ({formatted} of {rounds})"
    );
}
