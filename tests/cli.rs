//! The command line as CI and static-site builds use it: exit codes, files written (and not
//! written), standard output, machine-readable diagnostics.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use klartext::diagnostic::Severity;

mod common;
use common::klartext;

const MINIMAL: &str = include_str!("../examples/minimal.klar");

/// Runs klartext and fails the test if it has not finished after `seconds` (it is killed), so a
/// run that would hang on its input fails instead of hanging the test suite.
fn klartext_within(seconds: u64, mut command: Command) -> Output {
    let mut child = command
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the klartext binary runs");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(seconds) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("klartext did not finish within {seconds} seconds");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// klartext run by `sh` after `prelude` (a `umask`, a `ulimit`).
#[cfg(unix)]
fn klartext_after(prelude: &str, args: &[&str], dir: &Path) -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("{prelude}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_klartext"))
        .args(args)
        .current_dir(dir);
    command
}

fn names_in(dir: &Path) -> Vec<String> {
    files_in(dir)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// Sets a file's modification time to an hour ago.
fn age(path: &Path) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
}

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("policies/gemeinde.klar"), MINIMAL).unwrap();
    dir
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

#[test]
fn compile_writes_the_default_formats() {
    let dir = workspace();
    let output = klartext(&["compile", "policies"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let names: Vec<String> = files_in(&dir.path().join("out"))
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "gemeinde.html",
            "gemeinde.json",
            "gemeinde.md",
            "gemeinde.txt"
        ]
    );
}

#[test]
fn compile_all_formats_into_a_chosen_folder() {
    let dir = workspace();
    let output = klartext(
        &[
            "compile",
            "policies/gemeinde.klar",
            "--format",
            "html,fragment,md,txt,json,yaml,tilt",
            "--out",
            "site/notice",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Each format, and the fragment's stylesheet beside the fragment.
    assert_eq!(
        names_in(&dir.path().join("site/notice")),
        [
            "fragment.css",
            "gemeinde.fragment.html",
            "gemeinde.html",
            "gemeinde.json",
            "gemeinde.md",
            "gemeinde.tilt.json",
            "gemeinde.txt",
            "gemeinde.yaml"
        ]
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("site/notice/gemeinde.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        json["title"],
        "Datenschutzerklärung der Gemeinde Musterhausen"
    );
    assert_eq!(json["contents"][2]["legal_bases"][0]["article"], "6(1)(e)");
}

#[test]
fn output_is_byte_stable() {
    let dir = workspace();
    let all = "html,fragment,md,txt,json,yaml,tilt";
    assert!(
        klartext(&["compile", "policies", "-f", all, "-o", "a"], dir.path())
            .status
            .success()
    );
    assert!(
        klartext(&["compile", "policies", "-f", all, "-o", "b"], dir.path())
            .status
            .success()
    );
    let first = files_in(&dir.path().join("a"));
    let second = files_in(&dir.path().join("b"));
    // Both runs wrote every format and the fragment's stylesheet, under the same names; a
    // missing file is a difference too.
    assert_eq!(first.len(), 8, "{first:?}");
    let names = |files: &[std::path::PathBuf]| -> Vec<std::ffi::OsString> {
        files
            .iter()
            .map(|f| f.file_name().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&first), names(&second));
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(
            std::fs::read(a).unwrap(),
            std::fs::read(b).unwrap(),
            "{} differs",
            a.display()
        );
    }
}

#[test]
fn a_policy_with_errors_writes_nothing_and_keeps_old_output() {
    let dir = workspace();
    assert!(
        klartext(&["compile", "policies"], dir.path())
            .status
            .success()
    );
    let before = std::fs::read(dir.path().join("out/gemeinde.html")).unwrap();
    std::fs::write(
        dir.path().join("policies/gemeinde.klar"),
        MINIMAL.replace("30 days", "30 dayz"),
    )
    .unwrap();
    let output = klartext(&["compile", "policies"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("error[unknown-unit]"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("policies/gemeinde.klar:"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read(dir.path().join("out/gemeinde.html")).unwrap(),
        before
    );
    let leftovers: Vec<PathBuf> = files_in(&dir.path().join("out"))
        .into_iter()
        .filter(|p| {
            !p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("gemeinde.")
        })
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary files left behind: {leftovers:?}"
    );
}

#[test]
fn out_dash_writes_one_format_to_stdout() {
    let dir = workspace();
    let output = klartext(
        &[
            "compile",
            "policies/gemeinde.klar",
            "--format",
            "txt",
            "--out",
            "-",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("Datenschutzerklärung der Gemeinde Musterhausen\n"));
    assert!(!dir.path().join("out").exists());

    let output = klartext(
        &[
            "compile",
            "policies/gemeinde.klar",
            "--format",
            "txt,md",
            "--out",
            "-",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn check_exit_codes() {
    let dir = workspace();
    let output = klartext(&["check", "policies"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("checked 1 policy: 0 errors, 0 warnings"));

    std::fs::write(
        dir.path().join("policies/gemeinde.klar"),
        MINIMAL.replace("  revised 2024-05-02\n", ""),
    )
    .unwrap();
    let output = klartext(&["check", "policies"], dir.path());
    assert_eq!(output.status.code(), Some(0), "warnings alone do not fail");
    assert!(stderr(&output).contains("warning[missing-revision-date]"));
    let output = klartext(&["check", "--deny-warnings", "policies"], dir.path());
    assert_eq!(output.status.code(), Some(1));

    std::fs::write(dir.path().join("policies/gemeinde.klar"), "policy {").unwrap();
    assert_eq!(
        klartext(&["check", "policies"], dir.path()).status.code(),
        Some(1)
    );
}

/// `check --message-format json` on `policy` as the workspace's only policy, which has errors:
/// the output, and its lines as JSON objects.
fn check_json(dir: &tempfile::TempDir, policy: &str) -> (String, Vec<serde_json::Value>) {
    std::fs::write(dir.path().join("policies/gemeinde.klar"), policy).unwrap();
    let output = klartext(
        &["check", "--message-format", "json", "policies"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (stdout, lines)
}

#[test]
fn json_diagnostics_are_one_object_a_line() {
    let dir = workspace();
    let (stdout, lines) = check_json(&dir, &MINIMAL.replace("30 days", "30 dayz"));
    // The error, and the lint that follows from it: the activity states no retention now.
    let names: Vec<&str> = lines.iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["missing-retention", "unknown-unit"], "{stdout}");
    let d = &lines[1];
    assert_eq!(d["file"], "policies/gemeinde.klar");
    assert_eq!(d["name"], "unknown-unit");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["line"], 21);
    assert_eq!(d["column"], 18);
    assert!(d["help"].as_str().unwrap().contains("30 days"));
}

#[test]
fn json_diagnostics_give_related_places_and_fixes() {
    let dir = workspace();
    let policy = MINIMAL
        .replace(
            "revised 2024-05-02",
            "revised 2024-05-02\n  revised 2024-06-01",
        )
        .replace("30 days", "30 Tage");
    let (stdout, lines) = check_json(&dir, &policy);
    let names: Vec<&str> = lines.iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["duplicate-fact", "missing-retention", "unknown-unit"],
        "{stdout}"
    );
    // Every object has the fields it had, and the two arrays, also when they are empty.
    for line in &lines {
        let mut keys: Vec<&str> = line
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "column",
                "end_column",
                "end_line",
                "file",
                "fixes",
                "help",
                "law",
                "line",
                "message",
                "name",
                "related",
                "severity"
            ],
            "{line}"
        );
    }
    let duplicate = &lines[0];
    assert_eq!(
        (&duplicate["line"], &duplicate["column"]),
        (&7.into(), &3.into())
    );
    assert_eq!(
        duplicate["related"],
        serde_json::json!([{
            "file": "policies/gemeinde.klar",
            "line": 6, "column": 3, "end_line": 6, "end_column": 10,
            "message": "first given here",
        }])
    );
    assert_eq!(duplicate["fixes"], serde_json::json!([]));
    assert_eq!(lines[1]["related"], serde_json::json!([]));
    assert_eq!(lines[1]["fixes"], serde_json::json!([]));
    let unit = &lines[2];
    assert_eq!(unit["related"], serde_json::json!([]));
    assert_eq!(
        unit["fixes"],
        serde_json::json!([{
            "title": "replace with `days`",
            "file": "policies/gemeinde.klar",
            "line": 22, "column": 18, "end_line": 22, "end_column": 22,
            "replacement": "days",
        }])
    );
    assert_eq!(unit["help"], "did you mean `30 days`?");

    // A person sees the first `revised` quoted above the second, as a secondary label.
    let output = klartext(&["check", "policies"], dir.path());
    let human = stderr(&output);
    let lines: Vec<&str> = human.lines().collect();
    let quoted = lines
        .iter()
        .position(|l| l.ends_with("│   revised 2024-05-02"))
        .unwrap_or_else(|| panic!("{human}"));
    assert!(lines[quoted].starts_with("6 │"), "{human}");
    assert_eq!(
        lines[quoted + 1],
        "  │   ------- first given here",
        "{human}"
    );
    assert_eq!(lines[quoted + 2], "7 │   revised 2024-06-01", "{human}");
    assert_eq!(
        lines[quoted + 3],
        "  │   ^^^^^^^ given again here",
        "{human}"
    );
}

#[test]
fn usage_and_io_errors_exit_with_two() {
    let dir = workspace();
    let output = klartext(&["check", "nowhere.klar"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot read nowhere.klar"),
        "{}",
        stderr(&output)
    );

    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let output = klartext(&["compile", "empty"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("contains no policies"),
        "{}",
        stderr(&output)
    );

    let output = klartext(&["compile", "policies", "--format", "pdf"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("unknown format `pdf`"),
        "{}",
        stderr(&output)
    );

    assert_eq!(klartext(&["frobnicate"], dir.path()).status.code(), Some(2));
}

#[test]
fn two_policies_with_the_same_name_are_refused() {
    let dir = workspace();
    std::fs::create_dir(dir.path().join("other")).unwrap();
    std::fs::write(dir.path().join("other/gemeinde.klar"), MINIMAL).unwrap();
    let output = klartext(&["compile", "policies", "other"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("would both be written as gemeinde"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn templates_can_be_overridden_one_at_a_time() {
    let dir = workspace();
    std::fs::create_dir(dir.path().join("theme")).unwrap();
    std::fs::write(
        dir.path().join("theme/notice.txt"),
        "{{ policy.title | upper }}\n",
    )
    .unwrap();
    let output = klartext(
        &[
            "compile",
            "policies",
            "-f",
            "txt,md",
            "--templates",
            "theme",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = std::fs::read_to_string(dir.path().join("out/gemeinde.txt")).unwrap();
    assert_eq!(text, "DATENSCHUTZERKLÄRUNG DER GEMEINDE MUSTERHAUSEN\n");
    let markdown = std::fs::read_to_string(dir.path().join("out/gemeinde.md")).unwrap();
    assert!(
        markdown.starts_with("---\ntitle:"),
        "the shipped Markdown template is still used"
    );

    std::fs::write(dir.path().join("theme/notice.txt"), "{% if %}").unwrap();
    let output = klartext(&["compile", "policies", "--templates", "theme"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("theme/notice.txt"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn templates_are_exported_to_restyle_and_not_overwritten() {
    let dir = workspace();
    let output = klartext(&["templates", "export", "theme"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        names_in(&dir.path().join("theme")),
        [
            "fragment.css",
            "fragment.html",
            "labels.yaml",
            "notice.md",
            "notice.txt",
            "page.html",
            "style.css"
        ]
    );
    let labels = std::fs::read_to_string(dir.path().join("theme/labels.yaml")).unwrap();
    assert_eq!(labels, include_str!("../templates/labels.yaml"));

    // An edited template is kept unless --force says otherwise.
    std::fs::write(dir.path().join("theme/notice.txt"), "edited\n").unwrap();
    let output = klartext(&["templates", "export", "theme"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--force"), "{}", stderr(&output));
    let kept = std::fs::read_to_string(dir.path().join("theme/notice.txt")).unwrap();
    assert_eq!(kept, "edited\n");
    let output = klartext(&["templates", "export", "theme", "--force"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("theme/notice.txt")).unwrap(),
        include_str!("../templates/notice.txt")
    );

    // The exported folder, given back, writes what the shipped templates write.
    for (out, templates) in [("a", None), ("b", Some("theme"))] {
        let mut args = vec![
            "compile",
            "policies",
            "-f",
            "html,fragment,md,txt",
            "-o",
            out,
        ];
        args.extend(templates.map(|t| ["--templates", t]).into_iter().flatten());
        let output = klartext(&args, dir.path());
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    for name in names_in(&dir.path().join("a")) {
        assert_eq!(
            std::fs::read(dir.path().join("a").join(&name)).unwrap(),
            std::fs::read(dir.path().join("b").join(&name)).unwrap(),
            "{name} differs"
        );
    }
}

#[test]
fn a_template_folder_may_hold_only_labels() {
    let dir = workspace();
    std::fs::create_dir(dir.path().join("theme")).unwrap();
    std::fs::write(
        dir.path().join("theme/labels.yaml"),
        "de:\n  revised: Zuletzt geändert\n  summary: Auf einen Blick\n",
    )
    .unwrap();
    let output = klartext(
        &["compile", "policies", "-f", "txt", "--templates", "theme"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = std::fs::read_to_string(dir.path().join("out/gemeinde.txt")).unwrap();
    assert!(text.contains("Zuletzt geändert: 2. Mai 2024"), "{text}");
    assert!(text.contains("Auf einen Blick\n---------------"), "{text}");
    // The labels it does not give stay as shipped.
    assert!(text.contains("Verantwortliche Stelle"), "{text}");

    for (labels, problem) in [
        (
            "de:\n  revisd: Stand\n",
            "there is no label `revisd` (in `de`)",
        ),
        ("fr:\n  revised: Mise à jour\n", "there is no language `fr`"),
        ("de: [Stand]\n", "theme/labels.yaml"),
    ] {
        std::fs::write(dir.path().join("theme/labels.yaml"), labels).unwrap();
        let output = klartext(&["compile", "policies", "--templates", "theme"], dir.path());
        assert_eq!(output.status.code(), Some(2), "{labels}");
        assert!(stderr(&output).contains(problem), "{}", stderr(&output));
    }

    std::fs::remove_file(dir.path().join("theme/labels.yaml")).unwrap();
    let output = klartext(&["compile", "policies", "--templates", "theme"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("holds none of the files"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_fragment_fits_into_a_page_of_its_own() {
    let dir = workspace();
    let output = klartext(
        &[
            "compile",
            "policies",
            "-f",
            "html,fragment",
            "--heading-level",
            "2",
            "--id-prefix",
            "dse-",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let fragment = std::fs::read_to_string(dir.path().join("out/gemeinde.fragment.html")).unwrap();
    assert!(!fragment.contains("<h1"), "{fragment}");
    assert!(
        fragment.contains("<h2>Datenschutzerklärung der Gemeinde Musterhausen</h2>"),
        "{fragment}"
    );
    assert!(
        fragment.contains("<h3 id=\"dse-inhalt\">Inhalt</h3>"),
        "{fragment}"
    );
    // Every id has the prefix, and every link into the notice points at one.
    let ids: Vec<&str> = fragment
        .split(" id=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert!(
        ids.len() >= 5 && ids.iter().all(|id| id.starts_with("dse-")),
        "{ids:?}"
    );
    for link in fragment.split("href=\"#").skip(1) {
        let target = &link[..link.find('"').unwrap()];
        assert!(ids.contains(&target), "#{target} has no target");
    }
    // The page keeps its anchors and its <h1>.
    let page = std::fs::read_to_string(dir.path().join("out/gemeinde.html")).unwrap();
    assert!(
        page.contains("<h1>") && page.contains("id=\"inhalt\""),
        "{page}"
    );
    assert!(!page.contains("dse-"), "{page}");

    // The stylesheet beside it touches nothing outside the notice.
    let css = std::fs::read_to_string(dir.path().join("out/fragment.css")).unwrap();
    for rule in css.split('}') {
        let selectors = rule.split('{').next().unwrap_or("");
        let selectors = selectors.rsplit("*/").next().unwrap_or("").trim();
        if selectors.is_empty() || selectors.starts_with('@') {
            continue;
        }
        for selector in selectors.split(',') {
            assert!(selector.trim().starts_with(".klartext"), "{selector}");
        }
    }
    // --check compares it too.
    std::fs::write(dir.path().join("out/fragment.css"), "/* mine */").unwrap();
    let output = klartext(
        &[
            "compile",
            "policies",
            "-f",
            "fragment",
            "--heading-level",
            "2",
            "--id-prefix",
            "dse-",
            "--check",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("differs from its policy: out/fragment.css"),
        "{}",
        stderr(&output)
    );

    for (option, value) in [
        ("--heading-level", "7"),
        ("--id-prefix", "9x"),
        ("--id-prefix", "a\"b"),
    ] {
        let output = klartext(&["compile", "policies", option, value], dir.path());
        assert_eq!(output.status.code(), Some(2), "{option} {value}");
    }
}

#[test]
fn markdown_for_a_static_site() {
    let dir = workspace();
    std::fs::rename(
        dir.path().join("policies/gemeinde.klar"),
        dir.path().join("policies/datenschutz.en.klar"),
    )
    .unwrap();
    let output = klartext(
        &[
            "compile",
            "policies",
            "-f",
            "md",
            "--no-title",
            "--no-summary",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let markdown = std::fs::read_to_string(dir.path().join("out/datenschutz.en.md")).unwrap();
    let (front, body) = markdown[4..].split_once("---\n").unwrap();
    for field in [
        "title: \"Datenschutzerklärung der Gemeinde Musterhausen\"\n",
        "description: \"Informationen nach Art. 13 und 14 DSGVO",
        "lang: de\n",
        "translationKey: \"datenschutz\"\n",
        "date: 2024-05-02\n",
        "lastmod: 2024-05-02\n",
    ] {
        assert!(front.contains(field), "{front}");
    }
    assert!(!body.contains("\n# "), "{body}");
    assert!(!body.contains("Das Wichtigste in Kürze"), "{body}");
    assert!(
        body.contains("## Verantwortliche Stelle: Gemeinde Musterhausen {#gemeinde}"),
        "{body}"
    );
}

#[test]
fn lints_are_listed() {
    let dir = workspace();
    let output = klartext(&["lints"], dir.path());
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), klartext::check::LINTS.len());
    for (line, lint) in lines.iter().zip(klartext::check::LINTS) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let severity = if lint.severity == Severity::Error {
            "error"
        } else {
            "warning"
        };
        assert_eq!(words[..2], [lint.name, severity], "{line}");
        assert!(
            line.contains(lint.law) && line.ends_with(lint.summary),
            "{line}"
        );
    }
}

#[test]
fn lints_are_listed_as_json() {
    let dir = workspace();
    let output = klartext(&["lints", "--format", "json"], dir.path());
    assert_eq!(output.status.code(), Some(0));
    let lints: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(lints.len(), klartext::check::LINTS.len());
    for (json, lint) in lints.iter().zip(klartext::check::LINTS) {
        let severity = if lint.severity == Severity::Error {
            "error"
        } else {
            "warning"
        };
        assert_eq!(
            *json,
            serde_json::json!({
                "name": lint.name, "law": lint.law, "severity": severity, "summary": lint.summary,
            })
        );
    }
    let output = klartext(&["lints", "--format", "yaml"], dir.path());
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn explain_shows_a_lint_and_suggests_for_a_typo() {
    let dir = workspace();
    let output = klartext(&["explain", "missing-retention"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with("missing-retention (warning by default)\nLaw: Art. 13(2)(a) DSGVO\n")
    );
    assert!(stdout.contains("```klar"), "{stdout}");
    let output = klartext(&["explain", "unsuitable-transfer-safeguard"], dir.path());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with(
            "unsuitable-transfer-safeguard (error by default)\nLaw: Art. 44–49 DSGVO\n"
        )
    );

    let output = klartext(&["explain", "missing-retension"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(
        stderr(&output).contains("no lint `missing-retension`; did you mean `missing-retention`?"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn version_names_the_day_the_law_data_were_checked() {
    let dir = workspace();
    let output = klartext(&["--version"], dir.path());
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!(
            "klartext {} (law data checked {})\n",
            env!("CARGO_PKG_VERSION"),
            klartext::law_checked()
        )
    );
}

/// The workspace's policy with the retention of its activity left out and accepted by `allow`.
fn with_allowed_gap(dir: &tempfile::TempDir) {
    let policy = MINIMAL.replace(
        "    retention 30 days\n",
        "    allow missing-retention \"Die Frist wird noch abgestimmt.\"\n",
    );
    std::fs::write(dir.path().join("policies/gemeinde.klar"), policy).unwrap();
}

#[test]
fn strict_ignores_every_allow() {
    let dir = workspace();
    with_allowed_gap(&dir);
    let output = klartext(&["check", "policies"], dir.path());
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stderr(&output).contains("0 errors, 0 warnings"),
        "{}",
        stderr(&output)
    );
    let output = klartext(
        &["check", "--strict", "--deny-warnings", "policies"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("warning[missing-retention]"),
        "{}",
        stderr(&output)
    );
    let output = klartext(
        &["compile", "--strict", "policies", "--out", "out"],
        dir.path(),
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "warnings do not block the output"
    );
    assert!(
        stderr(&output).contains("warning[missing-retention]"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn deny_and_warn_change_the_severity_of_a_lint() {
    let dir = workspace();
    std::fs::write(
        dir.path().join("policies/gemeinde.klar"),
        MINIMAL.replace("  revised 2024-05-02\n", ""),
    )
    .unwrap();
    let output = klartext(
        &["check", "--deny", "missing-revision-date", "policies"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("error[missing-revision-date]"),
        "{}",
        stderr(&output)
    );
    // A denied lint blocks the output like any error.
    let output = klartext(
        &[
            "compile",
            "--deny",
            "missing-revision-date",
            "policies",
            "--out",
            "out",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(!dir.path().join("out/gemeinde.html").exists());
    // Denying another lint changes nothing.
    let output = klartext(
        &[
            "compile",
            "--deny",
            "missing-retention",
            "policies",
            "--out",
            "out",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(dir.path().join("out/gemeinde.html").exists());
    // `--warn` turns an error of a lint into a warning; the JSON says so too.
    let output = klartext(
        &[
            "check",
            "--deny",
            "missing-revision-date",
            "--deny",
            "missing-retention",
            "--warn",
            "unused-allow",
            "--message-format",
            "json",
            "policies",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(1));
    let line: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(line["severity"], "error");
    let output = klartext(
        &[
            "check",
            "--warn",
            "missing-revision-date",
            "--deny-warnings",
            "policies",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("warning[missing-revision-date]"));
}

#[test]
fn only_lints_can_be_warned_or_denied() {
    // `duplicate-id` is no lint: its severity cannot be changed.
    let dir = workspace();
    let output = klartext(&["check", "--warn", "duplicate-id", "policies"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("there is no lint `duplicate-id`"),
        "{}",
        stderr(&output)
    );
    // A lint that is an error by default may be named (it does not fire on this policy).
    let error_lint = klartext::check::LINTS
        .iter()
        .find(|lint| lint.severity == Severity::Error)
        .unwrap();
    let output = klartext(
        &["check", "--warn", error_lint.name, "policies"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn unknown_or_contradictory_lint_names_are_usage_errors() {
    let dir = workspace();
    for command in ["check", "compile"] {
        let output = klartext(
            &[command, "--deny", "missing-retentoin", "policies"],
            dir.path(),
        );
        assert_eq!(output.status.code(), Some(2));
        assert!(
            stderr(&output).contains("did you mean `missing-retention`?"),
            "{}",
            stderr(&output)
        );
        let output = klartext(
            &[
                command,
                "--deny",
                "missing-retention",
                "--warn",
                "missing-retention",
                "policies",
            ],
            dir.path(),
        );
        assert_eq!(output.status.code(), Some(2));
        assert!(
            stderr(&output).contains("both `--deny` and `--warn`"),
            "{}",
            stderr(&output)
        );
    }
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_person_sees_the_first_two_hundred_problems_and_the_count() {
    let dir = workspace();
    let facts = "    retention 3 dayz\n".repeat(300);
    let source = format!("policy \"T\" {{\n  activity a \"A\" {{\n{facts}  }}\n}}\n");
    std::fs::write(dir.path().join("policies/gemeinde.klar"), source).unwrap();
    let output = klartext(&["check", "policies"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr(&output);
    // The errors, and the lints of what is intact or follows from the damage (no retention).
    let shown = stderr.matches("error[").count() + stderr.matches("warning[").count();
    assert_eq!(shown, 200, "{stderr}");
    assert!(
        stderr.contains("… and 109 more problems in policies/gemeinde.klar"),
        "{stderr}"
    );
    assert!(
        stderr.contains("checked 1 policy: 300 errors, 9 warnings"),
        "{stderr}"
    );

    let output = klartext(
        &["check", "--message-format", "json", "policies"],
        dir.path(),
    );
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().lines().count(),
        309
    );
}

#[cfg(unix)]
#[test]
fn output_files_get_the_mode_of_a_new_file_under_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = workspace();
    for (umask, mode) in [("022", 0o644), ("027", 0o640)] {
        let out = format!("out-{umask}");
        let output = klartext_within(
            60,
            klartext_after(
                &format!("umask {umask}"),
                &["compile", "policies", "-f", "html,txt", "-o", &out],
                dir.path(),
            ),
        );
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let files = files_in(&dir.path().join(&out));
        assert_eq!(files.len(), 2);
        for file in files {
            let actual = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(
                actual,
                mode,
                "{} has mode {actual:o} under umask {umask}",
                file.display()
            );
        }
    }
}

#[test]
fn no_two_outputs_of_a_run_have_the_same_path() {
    let dir = workspace();
    std::fs::write(dir.path().join("policies/gemeinde.fragment.klar"), MINIMAL).unwrap();
    let output = klartext(&["compile", "policies", "-f", "html,fragment"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(
            "policies/gemeinde.fragment.klar and policies/gemeinde.klar would both be written \
             as gemeinde.fragment.html in out"
        ),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("out").exists());
    // Without the fragment format the two do not meet.
    let output = klartext(&["compile", "policies", "-f", "html,md"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    std::fs::remove_file(dir.path().join("policies/gemeinde.fragment.klar")).unwrap();

    // Names that differ only in case are one file on Windows and macOS.
    std::fs::create_dir(dir.path().join("other")).unwrap();
    std::fs::write(dir.path().join("other/Gemeinde.klar"), MINIMAL).unwrap();
    let output = klartext(&["compile", "policies", "other", "-o", "site"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("as gemeinde.html and Gemeinde.html in site"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("site").exists());

    // One file named twice, spelled differently, is compiled once.
    let output = klartext(
        &[
            "compile",
            "policies",
            "./policies/gemeinde.klar",
            "policies/gemeinde.klar",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("checked 1 policy:"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_output_never_replaces_a_policy_source() {
    let dir = workspace();
    std::fs::create_dir(dir.path().join("notes")).unwrap();
    std::fs::write(dir.path().join("notes/gemeinde.txt"), MINIMAL).unwrap();
    let output = klartext(
        &[
            "compile",
            "notes/gemeinde.txt",
            "-f",
            "html,txt",
            "-o",
            "notes",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("would replace the policy notes/gemeinde.txt"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes/gemeinde.txt")).unwrap(),
        MINIMAL
    );
    assert_eq!(names_in(&dir.path().join("notes")), ["gemeinde.txt"]);
}

#[test]
fn the_files_of_a_policy_are_replaced_together_or_not_at_all() {
    let dir = workspace();
    let out = dir.path().join("out");
    let output = klartext(&["compile", "policies", "-f", "html,txt"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let old_html = std::fs::read(out.join("gemeinde.html")).unwrap();
    std::fs::write(
        dir.path().join("policies/gemeinde.klar"),
        MINIMAL.replace("Musterhausen", "Neuhausen"),
    )
    .unwrap();
    // The text file cannot be replaced: a folder has taken its name. HTML is renamed first.
    std::fs::remove_file(out.join("gemeinde.txt")).unwrap();
    std::fs::create_dir(out.join("gemeinde.txt")).unwrap();
    let output = klartext(&["compile", "policies", "-f", "html,txt"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        std::fs::read(out.join("gemeinde.html")).unwrap(),
        old_html,
        "the HTML was replaced although the text could not be"
    );
    assert!(
        stderr(&output).contains("cannot write out/gemeinde.txt: there is a folder of that name"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        names_in(&out),
        ["gemeinde.html", "gemeinde.txt"],
        "temporary files are left"
    );

    // Once the way is free, both are replaced.
    std::fs::remove_dir(out.join("gemeinde.txt")).unwrap();
    let output = klartext(&["compile", "policies", "-f", "html,txt"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_ne!(std::fs::read(out.join("gemeinde.html")).unwrap(), old_html);
    assert!(
        std::fs::read_to_string(out.join("gemeinde.txt"))
            .unwrap()
            .contains("Neuhausen")
    );
}

#[test]
fn left_over_temporary_files_are_removed_and_nothing_else() {
    let dir = workspace();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let left_over = [".klartext-tmp-a1B2c3", ".klartext-tmp-x9Y8z7"];
    let kept = [
        ".klartext-tmp",
        ".klartext-tmpa1B2c3",
        "klartext-tmp-a1B2c3",
        "x.klartext-tmp-a1B2c3",
        "notes.txt",
    ];
    for name in left_over.iter().chain(&kept) {
        std::fs::write(out.join(name), "x").unwrap();
        age(&out.join(name));
    }
    // A fresh file of a run whose process is gone is removed at once (no process has this id).
    std::fs::write(out.join(".klartext-tmp-4294967295-dead01"), "x").unwrap();
    // Temporary files of runs writing at this moment (this test's own process is one), and a
    // folder with the prefix.
    let running = format!(".klartext-tmp-{}-live01", std::process::id());
    std::fs::write(out.join(&running), "x").unwrap();
    std::fs::write(out.join(".klartext-tmp-NoW123"), "x").unwrap();
    std::fs::create_dir(out.join(".klartext-tmp-folder")).unwrap();

    let output = klartext(&["compile", "policies", "-f", "html"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let mut expected: Vec<&str> = kept.to_vec();
    expected.extend([
        running.as_str(),
        ".klartext-tmp-NoW123",
        ".klartext-tmp-folder",
        "gemeinde.html",
    ]);
    expected.sort();
    assert_eq!(names_in(&out), expected);

    // A policy whose output would look like a temporary file is refused.
    std::fs::write(dir.path().join("policies/.klartext-tmp-x.klar"), MINIMAL).unwrap();
    let output = klartext(&["compile", "policies", "-f", "html"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(
            "policies/.klartext-tmp-x.klar would be written as .klartext-tmp-x.html, but names \
             starting with .klartext-tmp- are for klartext's temporary files"
        ),
        "{}",
        stderr(&output)
    );
}

#[cfg(unix)]
#[test]
fn symbolic_links_that_lead_outside_a_folder_are_skipped() {
    use std::os::unix::fs::symlink;
    let dir = workspace();
    std::fs::write(dir.path().join("secret.klar"), MINIMAL).unwrap();
    std::fs::create_dir(dir.path().join("policies/sub")).unwrap();
    std::fs::write(dir.path().join("policies/sub/deep.klar"), MINIMAL).unwrap();
    symlink("../secret.klar", dir.path().join("policies/outside.klar")).unwrap();
    symlink(
        dir.path().join("secret.klar"),
        dir.path().join("policies/absolute.klar"),
    )
    .unwrap();
    symlink("gemeinde.klar", dir.path().join("policies/inside.klar")).unwrap();
    symlink("sub/deep.klar", dir.path().join("policies/deep.klar")).unwrap();

    let output = klartext(&["compile", "policies", "-f", "html"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    for link in ["absolute", "outside"] {
        assert!(
            stderr(&output).contains(&format!(
                "note: skipped policies/{link}.klar: a symbolic link that leads outside policies"
            )),
            "{}",
            stderr(&output)
        );
    }
    assert_eq!(
        names_in(&dir.path().join("out")),
        ["deep.html", "gemeinde.html", "inside.html"]
    );

    // A folder with nothing but such links has no policies.
    std::fs::create_dir(dir.path().join("links")).unwrap();
    symlink("../secret.klar", dir.path().join("links/outside.klar")).unwrap();
    let output = klartext(&["check", "links"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(
            "links contains no policies (files ending in .klar); a symbolic link that leads \
             outside it was skipped"
        ),
        "{}",
        stderr(&output)
    );

    // A link named on the command line is read: the person chose it.
    let output = klartext(&["check", "policies/outside.klar"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[cfg(unix)]
#[test]
fn devices_and_pipes_are_refused_at_once() {
    let dir = workspace();
    // The memory limit turns a run that reads /dev/zero without end into a quick failure
    // rather than one that takes the machine's memory.
    let output = klartext_within(
        20,
        klartext_after("ulimit -v 2000000", &["compile", "/dev/zero"], dir.path()),
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("/dev/zero is a device, not a policy file"),
        "{}",
        stderr(&output)
    );

    let made = Command::new("mkfifo")
        .arg(dir.path().join("policies/pipe.klar"))
        .status()
        .unwrap();
    assert!(made.success());
    for (command, path) in [("check", "policies/pipe.klar"), ("compile", "policies")] {
        let mut run = Command::new(env!("CARGO_BIN_EXE_klartext"));
        run.args([command, path]).current_dir(dir.path());
        let output = klartext_within(20, run);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(
            stderr(&output)
                .contains("policies/pipe.klar is a named pipe (FIFO), not a policy file"),
            "{}",
            stderr(&output)
        );
    }
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_policy_file_larger_than_64_mib_is_refused() {
    let dir = workspace();
    std::fs::File::create(dir.path().join("policies/huge.klar"))
        .unwrap()
        .set_len(64 * 1024 * 1024 + 1)
        .unwrap();
    let mut run = Command::new(env!("CARGO_BIN_EXE_klartext"));
    run.args(["check", "policies"]).current_dir(dir.path());
    let output = klartext_within(60, run);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("policies/huge.klar is larger than 64 MiB"),
        "{}",
        stderr(&output)
    );
}

/// klartext run with `args` in `dir`, reading `input` on standard input.
fn klartext_reading(args: &[&str], dir: &Path, input: &str) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_klartext"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A run that refuses its arguments exits without reading: the pipe may close early.
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    child.wait_with_output().unwrap()
}

#[test]
fn a_policy_is_read_from_standard_input_as_stdin() {
    let dir = workspace();
    let run = |args: &[&str], input: &str| klartext_reading(args, dir.path(), input);
    let broken = MINIMAL.replace("30 days", "30 dayz");
    let output = run(&["check", "--message-format", "json", "-"], &broken);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("\"file\":\"<stdin>\""), "{stdout}");
    assert!(stdout.contains("unknown-unit"), "{stdout}");

    let output = run(&["compile", "-", "--format", "md", "--out", "-"], MINIMAL);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .starts_with("---\n")
    );

    // Written to a folder, a policy from standard input would have no name.
    let output = run(&["compile", "-"], MINIMAL);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("add `--out -`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn compile_check_names_the_outputs_that_differ_and_writes_nothing() {
    let dir = workspace();
    std::fs::write(dir.path().join("minimal.klar"), MINIMAL).unwrap();
    let check = || {
        klartext(
            &["compile", "minimal.klar", "--check", "--out", "out"],
            dir.path(),
        )
    };
    let missing = check();
    assert_eq!(missing.status.code(), Some(1), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("4 files in out differ"),
        "{}",
        stderr(&missing)
    );
    assert!(!dir.path().join("out").exists(), "--check wrote the folder");
    let written = klartext(&["compile", "minimal.klar", "--out", "out"], dir.path());
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    let same = check();
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    std::fs::write(dir.path().join("out/minimal.md"), "edited by hand\n").unwrap();
    let edited = check();
    assert_eq!(edited.status.code(), Some(1));
    assert!(
        stderr(&edited).contains("differs from its policy: out/minimal.md"),
        "{}",
        stderr(&edited)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/minimal.md")).unwrap(),
        "edited by hand\n"
    );
}

#[test]
fn a_library_in_a_folder_is_checked_and_writes_no_notice() {
    let dir = workspace();
    std::fs::create_dir(dir.path().join("site")).unwrap();
    std::fs::write(dir.path().join("site/minimal.klar"), MINIMAL).unwrap();
    std::fs::write(
        dir.path().join("site/shared.klar"),
        "organisation rechenzentrum \"Rechenzentrum\" {\n  address \"Weg 1\", \"12345 Ort\"\n}\n",
    )
    .unwrap();
    let output = klartext(&["compile", "site", "--out", "out"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let mut names = names_in(&dir.path().join("out"));
    names.sort();
    assert!(names.iter().all(|n| n.starts_with("minimal.")), "{names:?}");
    assert_eq!(names.len(), 4, "{names:?}");
}

/// The minimal policy, laid out badly: more spaces than needed, and too many blank lines.
fn untidy() -> String {
    MINIMAL
        .replace("retention 30 days", "retention   30 days   ")
        .replace("\n\n", "\n\n\n\n")
}

/// `fmt --check` names the policies whose layout would change and fails; `fmt` rewrites them
/// (keeping their permissions), after which `--check` passes. A policy with a syntax error is
/// reported as `check` reports it and left as it is.
#[test]
fn fmt_rewrites_policies_and_check_fails_until_it_did() {
    let dir = workspace();
    let policy = dir.path().join("policies/gemeinde.klar");
    std::fs::write(&policy, untidy()).unwrap();
    std::fs::write(dir.path().join("policies/tidy.klar"), MINIMAL).unwrap();

    let output = klartext(&["fmt", "--check", "policies"], dir.path());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!(
            "{}\n",
            Path::new("policies").join("gemeinde.klar").display()
        )
    );
    assert_eq!(std::fs::read_to_string(&policy).unwrap(), untidy());

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&policy, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let output = klartext(&["fmt", "policies"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("formatted 2 policies: 1 changed"));
    assert_eq!(std::fs::read_to_string(&policy).unwrap(), MINIMAL);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&policy).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    assert_eq!(
        names_in(&dir.path().join("policies")),
        ["gemeinde.klar", "tidy.klar"]
    );

    let output = klartext(&["fmt", "--check", "policies"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stdout.is_empty());

    let broken = "policy \"T\" {\n    purpose \"offen\n}\n";
    let broken_path = dir.path().join("policies/kaputt.klar");
    std::fs::write(&broken_path, broken).unwrap();
    let output = klartext(&["fmt", "policies"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("error[unterminated-string]"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read_to_string(&broken_path).unwrap(), broken);
}

#[test]
fn fmt_formats_standard_input_to_standard_output() {
    let dir = workspace();
    let output = klartext_reading(&["fmt", "-"], dir.path(), &untidy());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout), MINIMAL);

    let output = klartext_reading(&["fmt", "--check", "-"], dir.path(), &untidy());
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "<stdin>\n");
    let output = klartext_reading(&["fmt", "--check", "-"], dir.path(), MINIMAL);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    // A policy with a syntax error gives an editor nothing to replace its text with.
    let output = klartext_reading(&["fmt", "-"], dir.path(), "policy \"T\" {\n");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(
        stderr(&output).contains("error[unclosed-block]"),
        "{}",
        stderr(&output)
    );
}

/// `check --watch` first checks as `check` does, then watches; what it does on a change depends
/// on the file system's events and their timing, and is left to trying it.
#[test]
fn check_watch_checks_once_then_watches() {
    use std::io::BufRead as _;
    let dir = workspace();
    let mut child = Command::new(env!("CARGO_BIN_EXE_klartext"))
        .args(["check", "--watch", "policies"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pipe = child.stderr.take().unwrap();
    let (sender, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(pipe).lines() {
            if sender.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(60)) {
        let watching = line.starts_with("watching for changes");
        seen.push(line);
        if watching {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        seen,
        [
            "checked 1 policy: 0 errors, 0 warnings",
            "watching for changes (Ctrl-C stops)"
        ]
    );

    // Standard input cannot be watched, and a missing path ends the watch before it begins.
    let output = klartext(&["check", "--watch", "-"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot be watched"));
    let output = klartext(&["check", "--watch", "missing.klar"], dir.path());
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn completions_cover_the_commands() {
    let dir = workspace();
    let output = klartext(&["completions", "bash"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let script = String::from_utf8_lossy(&output.stdout);
    assert!(script.contains("complete -F _klartext"), "{script}");
    for command in ["compile", "check", "fmt", "explain"] {
        assert!(script.contains(command), "{command} is not completed");
    }
    let output = klartext(&["completions", "tcsh"], dir.path());
    assert_eq!(output.status.code(), Some(2));
}
