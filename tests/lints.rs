//! The defect corpus: one policy per case in `tests/lints/`; adding a case means adding a file.
//!
//! - `<lint>.klar` and `<lint>.<variant>.klar`: a policy with the defect the lint is about; the
//!   checker must report `<lint>`.
//! - `<lint>.ok.klar`: the same policy with the defect fixed as the lint's help says; the checker
//!   must not report `<lint>`. Twins are otherwise clean, so any other finding on one is counted
//!   as collateral (shown, not failed).
//! - `clean-<name>.klar`: a complete policy a reviewer would accept; no diagnostic at all.
//!
//! Every lint but `unused-allow` needs a defective file and a twin, so a new lint without a case
//! fails here. A diagnostic that is no lint (a syntax or structure error) means the file itself is
//! broken, which fails too: a twin that does not parse must not pass by saying nothing.
//! The figures (found, missed, false alarms per lint) are printed at the end of the run.

use std::collections::BTreeMap;
use std::path::Path;

use klartext::check::LINTS;
use klartext::compile;

/// What a file of the corpus is, from its name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Role {
    /// `<lint>.klar` or `<lint>.<variant>.klar`: must report the lint.
    Defect(String),
    /// `<lint>.ok.klar`: must not report the lint.
    Twin(String),
    /// `clean-<name>.klar`: must report nothing.
    Clean,
}

fn role(stem: &str) -> Role {
    if stem.starts_with("clean-") {
        return Role::Clean;
    }
    let mut parts = stem.split('.');
    let lint = parts.next().unwrap_or_default().to_string();
    match (parts.next(), parts.next()) {
        (Some("ok"), None) => Role::Twin(lint),
        _ => Role::Defect(lint),
    }
}

/// One diagnostic as the report shows it.
struct Reported {
    name: &'static str,
    error: bool,
    line: usize,
    message: String,
}

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let severity = if self.error { "error" } else { "warning" };
        write!(
            f,
            "{severity}[{}] line {}: {}",
            self.name, self.line, self.message
        )
    }
}

struct Case {
    file: String,
    role: Role,
    reported: Vec<Reported>,
}

impl Case {
    fn reports(&self, lint: &str) -> bool {
        self.reported.iter().any(|r| r.name == lint)
    }

    fn listing(&self) -> String {
        if self.reported.is_empty() {
            return "    (nothing)\n".to_string();
        }
        self.reported.iter().map(|r| format!("    {r}\n")).collect()
    }
}

fn corpus() -> Vec<Case> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lints");
    let mut paths: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", folder.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "klar"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            let stem = file.strip_suffix(".klar").unwrap_or(&file).to_string();
            let bytes = std::fs::read(path).unwrap();
            let outcome = compile(&format!("lints/{file}"), &bytes);
            let reported = outcome
                .diagnostics
                .iter()
                .map(|d| Reported {
                    name: d.name,
                    error: d.is_error(),
                    line: outcome.source.location(d.span.start).0,
                    message: d.message.clone(),
                })
                .collect();
            Case {
                file,
                role: role(&stem),
                reported,
            }
        })
        .collect()
}

/// The figures of one lint over the corpus.
#[derive(Default)]
struct Figures {
    defective: usize,
    found: usize,
    twins: usize,
    /// Its own twin reports it.
    twin_alarms: usize,
    /// A clean policy reports it.
    clean_alarms: usize,
    /// Another lint's twin reports it.
    collateral: usize,
}

#[test]
fn every_lint_finds_its_defects_and_spares_the_fixed_twins() {
    let cases = corpus();
    let is_lint = |name: &str| LINTS.iter().any(|l| l.name == name);
    let covered: Vec<&str> = LINTS
        .iter()
        .map(|l| l.name)
        .filter(|&name| name != "unused-allow")
        .collect();
    let mut figures: BTreeMap<&str, Figures> = covered
        .iter()
        .map(|&name| (name, Figures::default()))
        .collect();
    let mut failures = Vec::new();
    let mut collateral = Vec::new();

    let mut broken_files = 0;
    for case in &cases {
        let file = &case.file;
        // What is wrong with this file, said once with everything it reported.
        let mut problems = Vec::new();
        if case.reported.iter().any(|r| !is_lint(r.name)) {
            broken_files += 1;
            problems.push("it does not compile cleanly (a syntax or structure error)".to_string());
        }
        match &case.role {
            Role::Defect(lint) | Role::Twin(lint) if !figures.contains_key(lint.as_str()) => {
                problems.push(format!(
                    "it is named after `{lint}`, which is no lint of the catalogue with cases"
                ));
            }
            Role::Defect(lint) => {
                let f = figures.get_mut(lint.as_str()).unwrap();
                f.defective += 1;
                if case.reports(lint) {
                    f.found += 1;
                } else {
                    problems.push(format!("it should report `{lint}`"));
                }
            }
            Role::Twin(lint) => {
                figures.get_mut(lint.as_str()).unwrap().twins += 1;
                if case.reports(lint) {
                    figures.get_mut(lint.as_str()).unwrap().twin_alarms += 1;
                    problems.push(format!("it is the fixed twin and must not report `{lint}`"));
                }
                for other in &case.reported {
                    if other.name != lint && is_lint(other.name) {
                        if let Some(f) = figures.get_mut(other.name) {
                            f.collateral += 1;
                        }
                        collateral.push(format!("{file}: {other}"));
                    }
                }
            }
            Role::Clean => {
                for reported in &case.reported {
                    if let Some(f) = figures.get_mut(reported.name) {
                        f.clean_alarms += 1;
                    }
                }
                if case.reported.iter().any(|r| is_lint(r.name)) {
                    problems.push("it is a clean policy and must report nothing".to_string());
                }
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{file}: {}; it reported:\n{}",
                problems.join("; "),
                case.listing()
            ));
        }
    }
    for (lint, f) in &figures {
        if f.defective == 0 {
            failures.push(format!(
                "`{lint}` has no defective case: add tests/lints/{lint}.klar"
            ));
        }
        if f.twins == 0 {
            failures.push(format!(
                "`{lint}` has no fixed twin: add tests/lints/{lint}.ok.klar"
            ));
        }
    }

    let width = covered.iter().map(|name| name.len()).max().unwrap_or(4);
    let mut table = format!(
        "{:width$}  defective  found  missed  twins  twin-alarms  clean-alarms  collateral\n",
        "lint"
    );
    let mut total = Figures::default();
    let mut row = |name: &str, f: &Figures| {
        table.push_str(&format!(
            "{name:width$}  {:>9}  {:>5}  {:>6}  {:>5}  {:>11}  {:>12}  {:>10}\n",
            f.defective,
            f.found,
            f.defective - f.found,
            f.twins,
            f.twin_alarms,
            f.clean_alarms,
            f.collateral
        ));
    };
    for (lint, f) in &figures {
        row(lint, f);
        total.defective += f.defective;
        total.found += f.found;
        total.twins += f.twins;
        total.twin_alarms += f.twin_alarms;
        total.clean_alarms += f.clean_alarms;
        total.collateral += f.collateral;
    }
    row("total", &total);
    let cleans = cases.iter().filter(|c| c.role == Role::Clean).count();
    let clean_ok = cases
        .iter()
        .filter(|c| c.role == Role::Clean && c.reported.is_empty())
        .count();
    let lints_found = figures
        .values()
        .filter(|f| f.defective > 0 && f.found == f.defective)
        .count();
    table.push_str(&format!(
        "{} files ({broken_files} with syntax or structure errors); {lints_found} of {} lints find every defective case; {clean_ok} of {cleans} clean policies report nothing\n",
        cases.len(),
        figures.len()
    ));
    if !collateral.is_empty() {
        table.push_str("\ncollateral findings on twins (other lints than the twin's):\n");
        for line in &collateral {
            table.push_str(&format!("  {line}\n"));
        }
    }
    eprintln!("\n{table}");

    assert!(
        failures.is_empty(),
        "{} problems in the lint corpus:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn file_names_say_what_they_are() {
    assert_eq!(
        role("missing-officer"),
        Role::Defect("missing-officer".into())
    );
    assert_eq!(
        role("unsuitable-transfer-safeguard.adequacy-us"),
        Role::Defect("unsuitable-transfer-safeguard".into())
    );
    assert_eq!(
        role("missing-officer.ok"),
        Role::Twin("missing-officer".into())
    );
    assert_eq!(role("clean-city"), Role::Clean);
}
