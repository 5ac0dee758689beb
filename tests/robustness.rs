//! Bad input gets a clear error, never a panic: every kind of broken file the issue names, and a
//! few thousand deterministic mutations of a valid policy.

use klartext::diagnostic::{Diagnostic, SourceFile, Span};
use klartext::render::{Format, Renderer};
use klartext::{Outcome, compile};

const MINIMAL: &str = include_str!("../examples/minimal.klar");

fn names(outcome: &Outcome) -> Vec<&'static str> {
    outcome.diagnostics.iter().map(|d| d.name).collect()
}

fn first_error(outcome: &Outcome) -> &Diagnostic {
    outcome
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .expect("an error")
}

/// The names of the errors alone: a damaged file still gets the lints of what is intact.
fn errors(outcome: &Outcome) -> Vec<&'static str> {
    outcome
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.name)
        .collect()
}

/// Every diagnostic of a failed compile must point into the file and carry a name and message.
fn assert_well_formed(outcome: &Outcome, len: usize) {
    for diagnostic in &outcome.diagnostics {
        assert!(!diagnostic.name.is_empty());
        assert!(!diagnostic.message.is_empty());
        assert!(
            diagnostic.span.start <= diagnostic.span.end,
            "{diagnostic:?}"
        );
        assert!(diagnostic.span.start <= len, "{diagnostic:?} beyond {len}");
        let rendered = outcome.source.render(diagnostic, false);
        assert!(rendered.contains(diagnostic.name), "{rendered}");
    }
}

#[test]
fn empty_file() {
    let outcome = compile("empty.klar", b"");
    assert_eq!(names(&outcome), ["empty-file"]);
    assert!(outcome.policy().is_none());
}

#[test]
fn only_whitespace_and_comments() {
    let outcome = compile("blank.klar", b"  \n# nur ein Kommentar\n\n");
    assert_eq!(names(&outcome), ["empty-file"]);
}

#[test]
fn invalid_utf8_names_the_place() {
    let mut bytes = b"policy \"Stadt M".to_vec();
    bytes.extend([0xC3, 0x28]);
    bytes.extend(b"nchen\" {}");
    let outcome = compile("latin1.klar", &bytes);
    assert_eq!(names(&outcome), ["invalid-utf8"]);
    assert_eq!(first_error(&outcome).span.start, 15);
    assert_eq!(outcome.source.location(15), (1, 16));
}

#[test]
fn random_bytes() {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for round in 0..200 {
        let len = (round * 37) % 700;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let outcome = compile("random.klar", &bytes);
        assert!(outcome.policy().is_none(), "random bytes {round} compiled");
        assert!(outcome.has_errors());
        assert_well_formed(&outcome, bytes.len());
    }
}

#[test]
fn nul_bytes() {
    let outcome = compile("nul.klar", b"policy \"A\" {\0}");
    assert_eq!(errors(&outcome), ["syntax-error"]);
    assert!(
        first_error(&outcome).message.contains("U+0000"),
        "{:?}",
        outcome.diagnostics
    );

    let outcome = compile("nul-in-string.klar", b"policy \"A\0B\" {}");
    assert_eq!(errors(&outcome), ["control-character"]);
}

#[test]
fn unterminated_string() {
    let outcome = compile("open.klar", b"policy \"Titel {\n  revised 2024-01-01\n}\n");
    assert_eq!(errors(&outcome), ["unterminated-string"]);
    assert_eq!(
        outcome.source.location(first_error(&outcome).span.start),
        (1, 8)
    );
}

#[test]
fn unterminated_text_block() {
    let outcome = compile(
        "open.klar",
        b"policy \"T\" {\n  preamble \"\"\"\n  Text\n}\n",
    );
    assert_eq!(errors(&outcome), ["unterminated-text-block"]);
    assert_eq!(
        outcome.source.location(first_error(&outcome).span.start),
        (2, 12)
    );
}

#[test]
fn unclosed_block_points_at_its_opening() {
    // The last `}` stands at the indentation of `policy`, so the controller is the block left open.
    let outcome = compile(
        "open.klar",
        b"policy \"T\" {\n  controller c \"C\" {\n    email \"a@b.de\"\n}\n",
    );
    assert_eq!(errors(&outcome), ["unclosed-block"]);
    assert_eq!(
        outcome.source.location(first_error(&outcome).span.start),
        (2, 20)
    );
    // Without a hint from indentation, the innermost open block is named.
    let outcome = compile(
        "open.klar",
        b"policy \"T\" {\n  controller c \"C\" {\n    email \"a@b.de\"\n  }\n",
    );
    assert_eq!(
        outcome.source.location(first_error(&outcome).span.start),
        (1, 12)
    );
}

#[test]
fn stray_closing_brace() {
    let outcome = compile("stray.klar", b"policy \"T\" {\n}\n}\n");
    assert_eq!(errors(&outcome), ["unexpected-closing-brace"]);
    assert_eq!(
        outcome.source.location(first_error(&outcome).span.start),
        (3, 1)
    );
}

#[test]
fn two_hundred_thousand_nested_braces() {
    let mut source = String::from("policy \"T\" ");
    source.push_str(&"{".repeat(200_000));
    source.push_str(&"}".repeat(200_000));
    let outcome = compile("deep.klar", source.as_bytes());
    assert_eq!(names(&outcome), ["too-deeply-nested"]);

    let unbalanced = "{".repeat(200_000);
    let outcome = compile("deep.klar", unbalanced.as_bytes());
    assert_eq!(names(&outcome), ["too-deeply-nested"]);
}

#[test]
fn nesting_up_to_the_limit_is_parsed() {
    let depth = klartext::syntax::MAX_NESTING;
    let mut source = String::from("policy \"T\" ");
    for _ in 1..depth {
        source.push_str("{ section \"S\" ");
    }
    source.push_str("{ text \"tief\" ");
    source.push_str(&"}".repeat(depth));
    let outcome = compile("deep.klar", source.as_bytes());
    assert!(!outcome.has_errors(), "{:?}", names(&outcome));
}

#[test]
fn five_megabyte_line() {
    let long = "a".repeat(5 * 1024 * 1024);
    let valid = MINIMAL.replace(
        "\"Auslieferung der Seiten und Schutz vor Angriffen\"",
        &format!("\"{long}\""),
    );
    let outcome = compile("long.klar", valid.as_bytes());
    assert!(!outcome.has_errors(), "{:?}", names(&outcome));
    let html = Renderer::new()
        .render(outcome.policy().unwrap(), Format::Html)
        .unwrap();
    assert!(html.len() > long.len());

    let invalid = format!("policy \"T\" {{\n  {long}: \"x\"\n}}\n");
    let outcome = compile("long.klar", invalid.as_bytes());
    assert!(outcome.has_errors());
    let rendered = outcome.source.render(first_error(&outcome), false);
    assert!(rendered.len() < 2000, "a diagnostic quoted a 5 MB line");
    assert!(rendered.contains("long.klar:2:"), "{rendered}");
}

#[test]
fn bom_and_crlf_are_accepted() {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(MINIMAL.replace('\n', "\r\n").as_bytes());
    let outcome = compile("windows.klar", &bytes);
    assert!(outcome.diagnostics.is_empty(), "{:?}", names(&outcome));
    let plain = compile("unix.klar", MINIMAL.as_bytes());
    let renderer = Renderer::new();
    for format in Format::ALL {
        assert_eq!(
            renderer.render(outcome.policy().unwrap(), format).unwrap(),
            renderer.render(plain.policy().unwrap(), format).unwrap(),
            "{format:?} differs between CRLF and LF"
        );
    }
}

#[test]
fn crlf_text_blocks_lose_their_carriage_returns() {
    let source = "policy \"T\" {\r\n  preamble \"\"\"\r\n    Zeile eins\r\n    Zeile zwei\r\n  \"\"\"\r\n}\r\n";
    let outcome = compile("crlf.klar", source.as_bytes());
    assert_eq!(
        outcome.policy().unwrap().preamble.as_deref(),
        Some("Zeile eins\nZeile zwei")
    );
}

/// Deterministic mutations of a valid policy: deleted, duplicated and replaced bytes, and
/// truncations. Whatever comes out must be a policy that renders, or diagnostics.
#[test]
fn mutations_of_a_valid_policy_never_panic() {
    let renderer = Renderer::new();
    // `KLARTEXT_MUTANT_BASE=policies/stadt-kassel.klar` mutates another policy.
    let base = match std::env::var_os("KLARTEXT_MUTANT_BASE") {
        Some(path) => std::fs::read(path).expect("the policy named by KLARTEXT_MUTANT_BASE"),
        None => MINIMAL.as_bytes().to_vec(),
    };
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    const TOKENS: [&[u8]; 12] = [
        b"{",
        b"}",
        b"\"",
        b"\"\"\"",
        b"#",
        b"\n",
        b",",
        b"6(1)(e)",
        b"30 days",
        b"2024-02-30",
        b"\\",
        b"\xff",
    ];
    // `KLARTEXT_MUTANTS=200000 cargo test --release --test robustness mutations` runs longer.
    let rounds = std::env::var("KLARTEXT_MUTANTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3000);
    let mut compiled = 0;
    for _ in 0..rounds {
        let mut bytes = base.clone();
        for _ in 0..1 + next(3) {
            let at = next(bytes.len() + 1);
            match next(4) {
                0 if at < bytes.len() => {
                    bytes.remove(at);
                }
                1 => bytes
                    .splice(at..at, TOKENS[next(TOKENS.len())].iter().copied())
                    .for_each(drop),
                2 if at < bytes.len() => bytes[at] = b" {}\"#,a1(-"[next(10)],
                _ => bytes.truncate(at),
            }
        }
        let outcome = compile("mutant.klar", &bytes);
        assert_well_formed(&outcome, bytes.len());
        if let Some(policy) = outcome.policy() {
            compiled += 1;
            for format in Format::ALL {
                renderer
                    .render(policy, format)
                    .unwrap_or_else(|e| panic!("{format:?}: {e}"));
            }
        } else {
            assert!(outcome.has_errors());
        }
    }
    assert!(
        compiled > 100,
        "too few mutants compiled ({compiled}) to exercise the renderers"
    );
}

/// Columns on one long line of non-ASCII text with thousands of problems, as `--message-format
/// json` reports them: each costs a bounded count, not one from the start of the line (which made
/// a 1.9 MB line take 20 s).
#[test]
fn json_columns_on_a_long_non_ascii_line() {
    let items: Vec<String> = (0..5_000)
        .map(|i| format!("\"Bürgeramt Ä\", x{i}"))
        .collect();
    let line = format!("    recipients {}", items.join(", "));
    let source = format!("policy \"T\" {{\n  activity a \"Ä\" {{\n{line}\n  }}\n}}\n");
    let outcome = compile("line.klar", source.as_bytes());
    let mut unknown: Vec<&Diagnostic> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.name == "unknown-reference")
        .collect();
    assert_eq!(unknown.len(), 5_000);
    unknown.sort_by_key(|d| d.span.start);
    // The expected columns, counted along the line once.
    let mut counted_to = source.find("    recipients").unwrap_or_default();
    let mut column = 1;
    for diagnostic in unknown {
        column += source[counted_to..diagnostic.span.start].chars().count();
        counted_to = diagnostic.span.start;
        let json = outcome.source.to_json(diagnostic);
        assert_eq!(
            (&json["line"], &json["column"]),
            (&3.into(), &column.into())
        );
        let width = diagnostic.span.end - diagnostic.span.start;
        assert_eq!(json["end_column"], column + width);
    }

    // 100,000 places on a line of two million characters: with a count from the start of the
    // line for each, this test would take minutes.
    let text = format!("{}\n{}x\n", "ä€𝄞a".repeat(500_000), "ü".repeat(1000));
    let file = SourceFile::new("long.klar", text.clone());
    // Each repeat is 10 bytes and 4 characters.
    for repeat in (0..500_000).step_by(10) {
        assert_eq!(file.location(repeat * 10), (1, repeat * 4 + 1));
        // Inside a character: the column of that character.
        assert_eq!(file.location(repeat * 10 + 1), (1, repeat * 4 + 1));
    }
    assert_eq!(file.location(text.len() - 2), (2, 1001));
}

/// "Did you mean" compares a bounded prefix of each id: 100 unknown ids of 1,000 characters
/// among 100 organisations with ids as long once took minutes in a debug build.
#[test]
fn suggestions_for_long_unknown_ids() {
    let tail = "x".repeat(990);
    let mut source = String::from("policy \"T\" {\n");
    for i in 0..100 {
        source.push_str(&format!(
            "  organisation org-{i:04}-{tail} \"O\" {{ address \"Weg 1\" \"12345 Ort\" }}\n"
        ));
    }
    source.push_str("  activity a \"A\" {\n");
    for i in 0..100 {
        source.push_str(&format!("    processor orgg-{i:04}-{tail}\n"));
    }
    source.push_str("  }\n}\n");
    let outcome = compile("long-ids.klar", source.as_bytes());
    let unknown: Vec<&Diagnostic> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.name == "unknown-reference")
        .collect();
    assert_eq!(unknown.len(), 100);
    for (i, diagnostic) in unknown.iter().enumerate() {
        assert_eq!(
            diagnostic.help.as_deref(),
            Some(format!("did you mean `org-{i:04}-{tail}`?").as_str()),
            "reference {i}"
        );
    }
}

/// What a terminal or an editor could take for something other than text: control characters
/// (C0 except tab and line feed, DEL, C1) and bidirectional overrides and isolates.
fn hidden(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            matches!(c, '\0'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
                | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

#[test]
fn diagnostics_never_echo_control_characters() {
    let sources: [&[u8]; 3] = [
        // ESC in a string and in an unknown keyword.
        b"policy \"Rot \x1b[31m Titel\" {\n  revised 2024-05-02\n  contr\x1bller c \"C\" {\n  }\n}\n",
        b"policy \"Rot \x1b[31m Titel\" {\n  revised 2024-05-02\n  farbe\x1b[0m \"x\"\n}\n",
        "policy \"T\" {\n  \u{202e}revised 2024-05-02\n  controller c \"C\" { email \"a\u{9b}31m@b.de\" }\n}\n"
            .as_bytes(),
    ];
    for bytes in sources {
        let outcome = compile("esc.klar", bytes);
        assert!(outcome.has_errors());
        for diagnostic in &outcome.diagnostics {
            let human = outcome.source.render(diagnostic, false);
            assert_eq!(hidden(&human), [], "{human}");
            assert!(!human.as_bytes().contains(&0x1b), "{human}");
            let json = outcome.source.to_json(diagnostic);
            let line = json.to_string();
            assert!(!line.as_bytes().contains(&0x1b), "{line}");
            for field in ["message", "help"] {
                let text = json[field].as_str().unwrap_or_default();
                assert_eq!(hidden(text), [], "{field} in {line}");
            }
        }
    }

    // Messages, labels and help quote values from the source; they show them escaped.
    let text = "policy \"T\" {\n  email \"\x1b[31mrot@b.de\"\n}\n";
    let source = SourceFile::new("esc.klar", text);
    let at = text.find('\x1b').unwrap_or_default();
    let diagnostic = Diagnostic::error(
        "invalid-email",
        Span::new(at, at + 12),
        "`\x1b[31mrot@b.de` is not an e-mail address",
    )
    .with_label("\u{202e}here")
    .with_help("write `rot@b.de`, not `\x1b[31mrot@b.de`");
    let human = source.render(&diagnostic, false);
    assert_eq!(hidden(&human), [], "{human}");
    assert!(
        human.contains("`\\u{1b}[31mrot@b.de` is not an e-mail address"),
        "{human}"
    );
    assert!(human.contains("\\u{202e}here"), "{human}");
    assert!(
        human.contains("  email \"␛[31mrot@b.de\""),
        "the quoted line shows a stand-in:\n{human}"
    );
    let json = source.to_json(&diagnostic);
    assert_eq!(
        json["message"],
        "`\\u{1b}[31mrot@b.de` is not an e-mail address"
    );
    assert_eq!(json["help"], "write `rot@b.de`, not `\\u{1b}[31mrot@b.de`");
    assert_eq!(
        (json["line"].as_u64(), json["column"].as_u64()),
        (Some(2), Some(10))
    );
}

/// The activities and sections of a policy with the line each starts on, as an outline shows them.
fn outline(outcome: &Outcome) -> Vec<(String, usize)> {
    fn walk(parts: &[klartext::model::Part], outcome: &Outcome, into: &mut Vec<(String, usize)>) {
        for part in parts {
            let (name, span, inner) = match part {
                klartext::model::Part::Activity(a) => {
                    (format!("activity {:?}", a.title), a.span, None)
                }
                klartext::model::Part::Section(s) => {
                    (format!("section {:?}", s.title), s.span, Some(&s.contents))
                }
                _ => continue,
            };
            into.push((name, outcome.source.location(span.start).0));
            if let Some(inner) = inner {
                walk(inner, outcome, into);
            }
        }
    }
    let mut parts = Vec::new();
    if let Some(policy) = &outcome.model {
        walk(&policy.contents, outcome, &mut parts);
    }
    parts
}

/// The lines a cut at `cut` can touch: the block the line opens, or else the rest of the block
/// it stands in (1-based, inclusive).
fn reach(lines: &[&str], cut: usize) -> (usize, usize) {
    let indent = |line: &str| line.len() - line.trim_start().len();
    let line = lines[cut];
    let end = if line.trim_end().ends_with('{') || line.trim_end().ends_with("\"\"\"") {
        (cut + 1..lines.len())
            .find(|&i| !lines[i].trim().is_empty() && indent(lines[i]) <= indent(line))
            .unwrap_or(lines.len() - 1)
    } else {
        (cut + 1..lines.len())
            .find(|&i| !lines[i].trim().is_empty() && indent(lines[i]) < indent(line))
            .unwrap_or(lines.len() - 1)
    };
    (cut + 1, end + 1)
}

#[test]
fn removing_any_one_line_costs_only_what_that_line_held() {
    let kassel = include_str!("../policies/stadt-kassel.klar");
    // Named by its path, so that its import (`use "lib/…"`) is found.
    for (name, source) in [
        ("policies/stadt-kassel.klar", kassel),
        ("minimal.klar", MINIMAL),
    ] {
        let lines: Vec<&str> = source.split_inclusive('\n').collect();
        let whole = outline(&compile(name, source.as_bytes()));
        assert!(!whole.is_empty());
        for cut in 0..lines.len() {
            let cut_source: String = lines
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != cut)
                .map(|(_, line)| *line)
                .collect();
            let outcome = compile(name, cut_source.as_bytes());
            assert_well_formed(&outcome, cut_source.len());
            let (first, last) = reach(&lines, cut);
            // A block's id declared on the cut line: references to it are explained by the cut.
            let declared = lines[cut]
                .split_whitespace()
                .nth(1)
                .filter(|_| lines[cut].trim_end().ends_with('{'))
                .map(|id| format!("`{id}`"));
            let errors = outcome
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .filter(|d| {
                    !(d.name == "unknown-reference"
                        && declared
                            .as_ref()
                            .is_some_and(|id| d.message.contains(id.as_str())))
                })
                .count();
            assert!(
                errors <= last - first + 2,
                "{name} without line {}: {errors} errors for a reach of lines {first}–{last}: {:?}",
                cut + 1,
                errors_of(&outcome)
            );
            // Every part outside the reach of the cut is still in the outline (its line moved up
            // by one if it came after the cut).
            let kept = outline(&outcome);
            for (part, line) in &whole {
                if (first..=last).contains(line) {
                    continue;
                }
                let moved = if *line > cut + 1 { line - 1 } else { *line };
                assert!(
                    kept.contains(&(part.clone(), moved)),
                    "{name} without line {}: {part} (line {line}) is lost",
                    cut + 1
                );
            }
        }
    }
}

fn errors_of(outcome: &Outcome) -> Vec<String> {
    outcome
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{} at {:?}", d.name, outcome.source.location(d.span.start)))
        .collect()
}
