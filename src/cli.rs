//! The command line: a thin layer over the library ([`klartext::load`] reads the policy files,
//! [`klartext::compile`] checks them, [`klartext::output`] writes the notices,
//! [`klartext::format`] lays out their sources) that reports and maps outcomes to exit codes (0
//! success, 1 the input has errors, 2 usage or I/O error; `diff` as diff(1): 0 the same, 1
//! changes, 2 trouble).

use std::collections::{BTreeSet, HashSet};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;
use notify::{EventKind, RecursiveMode, Watcher};

use klartext::check::{self, LINTS};
use klartext::diagnostic::did_you_mean;
use klartext::diagnostic::{Diagnostic, Severity};
use klartext::imports::Project;
use klartext::model::Policy;
use klartext::output::{self, Output};
use klartext::parallel::Next;
use klartext::render::{self as render, Format, Options, Renderer};
use klartext::report::{self, Checked};
use klartext::source::Sources;
use klartext::{Outcome, compile_in, format, load};

#[derive(Parser)]
#[command(
    name = "klartext",
    about = "Compiles privacy notices (Datenschutzerklärungen) from policy sources"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check policies and write the notice in the chosen formats
    Compile {
        /// Policy files, or folders of `.klar` files; `-` reads one policy from standard input
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Formats to write: html, fragment, md, txt, json, yaml, tilt
        #[arg(long, short, value_delimiter = ',', default_value = "html,md,txt,json", value_parser = parse_format)]
        format: Vec<Format>,
        /// Folder to write to; `-` writes one format of one policy to standard output
        #[arg(long, short, default_value = "out")]
        out: PathBuf,
        /// Folder with templates that replace the shipped ones (page.html, fragment.html,
        /// style.css, fragment.css, notice.md, notice.txt) and labels (labels.yaml), any of them
        #[arg(long)]
        templates: Option<PathBuf>,
        #[command(flatten)]
        render: RenderArgs,
        /// Write nothing; exit 1 and name the files whose content on disk differs from what the
        /// policies give (for CI)
        #[arg(long)]
        check: bool,
        #[command(flatten)]
        report: Report,
    },
    /// Check policies and report problems without writing anything
    Check {
        /// Policy files, or folders of `.klar` files; `-` reads one policy from standard input
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        report: Report,
        /// Check again whenever a policy in PATH changes, until interrupted (Ctrl-C)
        #[arg(long)]
        watch: bool,
    },
    /// Rewrite policies in the canonical layout (docs/language.md, "Layout"), comments kept
    Fmt {
        /// Policy files, or folders of `.klar` files; `-` formats standard input to standard output
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Change nothing: list the policies whose layout would change, and fail if there are any
        #[arg(long)]
        check: bool,
    },
    /// Print a script that completes klartext's commands and options in a shell
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell
        shell: Shell,
    },
    /// List every lint the checker knows, with its default severity and the law it enforces
    Lints {
        /// `text` for people, `json` for an array of {name, law, severity, summary}
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Explain a lint: what it checks, the law, why it matters, an example and its fix
    Explain {
        /// The lint's name, as `klartext lints` lists it
        lint: String,
    },
    /// Serve the Language Server Protocol on standard input and output, for editors
    Lsp,
    /// Start a policy for a public body: the standard library's usual entries, the state filled
    /// in, and a `TODO` placeholder wherever only you know the answer
    Init {
        /// The federal state, ISO 3166-2 (`DE-NW`); `DE` for a federal body
        #[arg(long)]
        state: String,
        /// The authority's name, as the notice names it (`Stadt Musterstadt`)
        #[arg(long)]
        name: String,
        /// The date of the last revision (`2026-03-01`); without it, a placeholder
        #[arg(long, value_name = "DATE")]
        revised: Option<String>,
        /// The file to write (never over an existing one); `-` or nothing writes to standard output
        #[arg(long, short, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Show what changed for the reader between two versions of a notice, in the GDPR's terms
    /// (exit 0: no change, 1: changes, 2: trouble)
    Diff {
        /// The old and the new policy file; with `--rev`, one policy file
        #[arg(required = true, num_args = 1..=2, value_name = "OLD NEW")]
        paths: Vec<PathBuf>,
        /// Compare the file with its version at this git revision (`git show REV:path`)
        // A value that starts with `-` reaches klartext, which refuses it with its reason.
        #[arg(long, value_name = "REV", allow_hyphen_values = true)]
        rev: Option<String>,
        /// `text` for people, `md` for a pull request comment, `json` for programs
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// The folder imports (`use "…"`) may not leave [default: the current folder]
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
    /// Work with the templates the notices are written with
    Templates {
        #[command(subcommand)]
        command: TemplatesCommand,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    Text,
    Md,
    Json,
}

#[derive(Subcommand)]
enum TemplatesCommand {
    /// Write the shipped templates and labels.yaml into a folder, to edit and give to
    /// `compile --templates`
    Export {
        /// The folder to write to (created if missing)
        dir: PathBuf,
        /// Replace files of these names that are already in the folder
        #[arg(long)]
        force: bool,
    },
}

/// How the notices are written, beyond the templates.
#[derive(clap::Args)]
struct RenderArgs {
    /// The heading level of the fragment's title, 1 to 6; its other headings follow it
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=6))]
    heading_level: u8,
    /// What every id of the fragment, and every link to one, starts with ("" for none)
    #[arg(long, value_name = "PREFIX", default_value = "klartext-", value_parser = parse_id_prefix)]
    id_prefix: String,
    /// Leave out the summary ("Das Wichtigste in Kürze") at the top of each notice
    #[arg(long)]
    no_summary: bool,
    /// Leave out the title heading of the Markdown notice (a static site's theme prints the
    /// title of its front matter)
    #[arg(long)]
    no_title: bool,
}

impl RenderArgs {
    fn options(&self) -> Options {
        Options {
            heading_level: usize::from(self.heading_level),
            id_prefix: self.id_prefix.clone(),
            summary: !self.no_summary,
            markdown_title: !self.no_title,
        }
    }
}

fn parse_id_prefix(prefix: &str) -> Result<String, String> {
    if Options::valid_id_prefix(prefix) {
        Ok(prefix.to_string())
    } else {
        Err("an id prefix is empty, or a letter followed by letters, digits, `-` and `_`".into())
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
struct Report {
    /// Fail (exit 1) on warnings too
    #[arg(long)]
    deny_warnings: bool,
    /// How to print problems: `human` for people, `json` for one JSON object a line, `sarif`
    /// for one SARIF 2.1.0 log, `github` for GitHub Actions annotations
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
    /// Ignore every `allow` in the policies: report each finding their authors accepted
    #[arg(long)]
    strict: bool,
    /// Report this lint as an error, which fails the run and blocks the output (repeatable)
    #[arg(long, value_name = "LINT", value_parser = parse_lint)]
    deny: Vec<&'static str>,
    /// Report this lint as a warning (repeatable)
    #[arg(long, value_name = "LINT", value_parser = parse_lint)]
    warn: Vec<&'static str>,
    /// The folder imports (`use "…"`) may not leave [default: the current folder]
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

impl Report {
    /// The severity `--deny` or `--warn` gives a lint, if either names it.
    fn severity_of(&self, name: &str) -> Option<Severity> {
        if self.deny.contains(&name) {
            Some(Severity::Error)
        } else if self.warn.contains(&name) {
            Some(Severity::Warning)
        } else {
            None
        }
    }

    /// The project the run's policies are compiled in: each library they import is read once.
    fn project(&self) -> Project {
        Project::new(self.root.as_deref().unwrap_or(Path::new(".")))
    }

    /// A lint named by both `--deny` and `--warn`.
    fn contradiction(&self) -> Option<&str> {
        self.deny
            .iter()
            .find(|name| self.warn.contains(name))
            .copied()
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MessageFormat {
    Human,
    Json,
    Sarif,
    Github,
}

/// A lint's name from the command line, as the catalogue spells it.
fn parse_lint(name: &str) -> Result<&'static str, String> {
    if let Some(lint) = LINTS.iter().find(|lint| lint.name == name) {
        return Ok(lint.name);
    }
    let mut message = format!("there is no lint `{name}`");
    if let Some(close) = did_you_mean(name, LINTS.iter().map(|lint| lint.name)) {
        message.push_str(&format!("; did you mean `{close}`?"));
    }
    message.push_str(" (`klartext lints` lists them all)");
    Err(message)
}

fn parse_format(name: &str) -> Result<Format, String> {
    Format::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!(
            "unknown format `{name}`; the formats are {}",
            names.join(", ")
        )
    })
}

/// Problems shown per file to a person; a file with thousands is broken as a whole, and showing
/// them all would take long and help no one. `--message-format json` reports every one.
const MAX_SHOWN: usize = 200;

/// Exit code for problems in the input.
const INPUT_ERRORS: u8 = 1;
/// Exit code for usage and I/O problems.
const FAILURE: u8 = 2;

/// What `--version` prints after the name: the version and the day the law data were checked.
fn version() -> &'static str {
    let version = format!(
        "{} (law data checked {})",
        env!("CARGO_PKG_VERSION"),
        klartext::law_checked()
    );
    // Made once per run, for clap, which keeps it for the life of the program.
    Box::leak(version.into_boxed_str())
}

pub fn run() -> ExitCode {
    let parsed = Cli::command()
        .version(version())
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { FAILURE } else { 0 });
        }
    };
    let code = match cli.command {
        // The server has exit codes of its own: 0 after `shutdown` and `exit`, 1 without.
        Command::Lsp => return klartext::lsp::run(),
        Command::Compile {
            paths,
            format,
            out,
            templates,
            check,
            render,
            report,
        } => run_compile(
            &paths,
            &format,
            &out,
            Templates {
                dir: templates.as_deref(),
                options: render.options(),
            },
            check,
            &report,
        ),
        Command::Templates {
            command: TemplatesCommand::Export { dir, force },
        } => export_templates(&dir, force),
        Command::Check {
            paths,
            report,
            watch,
        } => {
            if watch {
                watch_check(&paths, &report)
            } else {
                run_check(&paths, &report)
            }
        }
        Command::Fmt { paths, check } => run_fmt(&paths, check),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "klartext", &mut script);
            print_quietly(&String::from_utf8_lossy(&script));
            0
        }
        Command::Diff {
            paths,
            rev,
            format,
            root,
        } => run_diff(&paths, rev.as_deref(), format, root.as_deref()),
        Command::Lints { format } => {
            list_lints(format);
            0
        }
        Command::Explain { lint } => match klartext::explain::explain(&lint) {
            Ok(text) => {
                print_quietly(&format!("{text}\n"));
                0
            }
            Err(message) => fail(message),
        },
        Command::Init {
            state,
            name,
            revised,
            out,
        } => run_init(&state, &name, revised.as_deref(), out.as_deref()),
    };
    ExitCode::from(code)
}

/// `klartext init`: the policy goes to `out` (a new file) or to standard output.
fn run_init(state: &str, name: &str, revised: Option<&str>, out: Option<&Path>) -> u8 {
    let options = klartext::init::Options {
        state,
        name,
        revised,
    };
    let policy = match klartext::init::policy(options) {
        Ok(policy) => policy,
        Err(message) => return fail(message),
    };
    match out.filter(|path| *path != Path::new("-")) {
        None => print_quietly(&policy.source),
        Some(path) => {
            if let Err(message) = output::write_new(path, policy.source.as_bytes()) {
                return fail(message);
            }
            eprintln!(
                "wrote {}; `klartext check {}` lists the {} placeholders to fill in",
                path.display(),
                path.display(),
                policy.placeholders
            );
        }
    }
    0
}

/// `klartext templates export DIR`: the shipped templates and labels, all written or none.
fn export_templates(dir: &Path, force: bool) -> u8 {
    let files = render::shipped_files();
    if !force {
        let present: Vec<String> = files
            .iter()
            .map(|(name, _)| dir.join(name))
            .filter(|path| path.symlink_metadata().is_ok())
            .map(|path| path.display().to_string())
            .collect();
        if !present.is_empty() {
            return fail(format!(
                "{} {} there already; add --force to replace {}",
                present.join(", "),
                if present.len() == 1 { "is" } else { "are" },
                if present.len() == 1 { "it" } else { "them" }
            ));
        }
    }
    let paths: Vec<PathBuf> = files.iter().map(|(name, _)| dir.join(name)).collect();
    let contents: Vec<(&Path, &[u8])> = paths
        .iter()
        .zip(&files)
        .map(|(path, (_, text))| (path.as_path(), text.as_bytes()))
        .collect();
    if let Err(message) = output::write_together(&contents) {
        return fail(message);
    }
    eprintln!(
        "wrote {} files to {}; give the folder to `klartext compile --templates`, with only the files you change",
        paths.len(),
        dir.display()
    );
    0
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn list_lints(format: ListFormat) {
    match format {
        ListFormat::Text => {
            let mut text = String::new();
            for lint in LINTS {
                text.push_str(&format!(
                    "{:<34} {:<8} {:<36} {}\n",
                    lint.name,
                    severity_name(lint.severity),
                    lint.law,
                    lint.summary
                ));
            }
            print_quietly(&text);
        }
        ListFormat::Json => {
            let lints: Vec<serde_json::Value> = LINTS
                .iter()
                .map(|lint| {
                    serde_json::json!({
                        "name": lint.name,
                        "law": lint.law,
                        "severity": lint.severity,
                        "summary": lint.summary,
                    })
                })
                .collect();
            print_quietly(&format!("{}\n", serde_json::Value::from(lints)));
        }
    }
}

/// Writes to standard output; a reader that went away (`klartext lints | head`) is no error.
fn print_quietly(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn fail(message: impl std::fmt::Display) -> u8 {
    eprintln!("error: {message}");
    FAILURE
}

/// The policy files named on the command line, with a note for each link that was skipped.
fn policy_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let found = load::policy_files(paths)?;
    for skipped in &found.skipped {
        eprintln!("note: {skipped}");
    }
    Ok(found.files)
}

/// A compiled policy and its text, which SARIF columns are counted in.
struct Compiled {
    outcome: Outcome,
    text: String,
}

/// Reads and compiles a policy as the report options say: `--strict` ignores every `allow`,
/// `--deny` and `--warn` set the severity of a lint's findings (so a denied lint blocks the
/// output as any error does).
fn read_and_compile(path: &Path, report: &Report, project: &Project) -> Result<Compiled, String> {
    let bytes = load::read_policy(path)?;
    let options = check::Options {
        strict: report.strict,
    };
    let mut outcome = compile_in(project, &load::source_name(path), &bytes, options);
    for diagnostic in &mut outcome.diagnostics {
        if let Some(severity) = report.severity_of(diagnostic.name) {
            diagnostic.severity = severity;
        }
    }
    // The text the compile read: decoded as `compile_in` decodes it.
    let text = match klartext::decode(&bytes) {
        Ok(text) => text,
        Err(_) => String::from_utf8_lossy(&bytes).into_owned(),
    };
    Ok(Compiled { outcome, text })
}

struct Reporter {
    color: bool,
    /// Machine-readable output goes to standard output (else to standard error, when standard
    /// output carries a notice).
    to_stdout: bool,
    errors: usize,
    warnings: usize,
    /// The SARIF results of the policies reported so far, written as one log at the end.
    sarif: Vec<serde_json::Value>,
}

impl Reporter {
    fn new(format: MessageFormat, to_stdout: bool) -> Reporter {
        Reporter {
            color: format == MessageFormat::Human
                && std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none(),
            to_stdout,
            errors: 0,
            warnings: 0,
            sarif: Vec::new(),
        }
    }

    fn report(&mut self, compiled: &Compiled, format: MessageFormat) {
        let outcome = &compiled.outcome;
        if format == MessageFormat::Sarif {
            outcome.diagnostics.iter().for_each(|d| self.count(d));
            self.sarif.extend(report::sarif_results(Checked {
                outcome,
                text: &compiled.text,
            }));
            return;
        }
        for (shown, diagnostic) in outcome.diagnostics.iter().enumerate() {
            if format == MessageFormat::Human && shown == MAX_SHOWN {
                let rest = &outcome.diagnostics[shown..];
                for diagnostic in rest {
                    self.count(diagnostic);
                }
                eprintln!(
                    "… and {} more problems in {}; fix the ones above first",
                    rest.len(),
                    outcome.source.name()
                );
                break;
            }
            self.emit(outcome, diagnostic, format);
        }
    }

    fn count(&mut self, diagnostic: &Diagnostic) {
        match diagnostic.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
        }
    }

    fn emit(&mut self, outcome: &Outcome, diagnostic: &Diagnostic, format: MessageFormat) {
        self.count(diagnostic);
        match format {
            MessageFormat::Human => eprint!("{}", outcome.source.render(diagnostic, self.color)),
            MessageFormat::Json => self.print(&outcome.source.to_json(diagnostic).to_string()),
            MessageFormat::Github => self.print(&report::github(outcome, diagnostic)),
            MessageFormat::Sarif => {}
        }
    }

    fn print(&self, line: &str) {
        if self.to_stdout {
            println!("{line}");
        } else {
            eprintln!("{line}");
        }
    }

    fn failed(&self, deny_warnings: bool) -> bool {
        self.errors > 0 || (deny_warnings && self.warnings > 0)
    }

    fn summary(&mut self, files: usize, format: MessageFormat) {
        if format == MessageFormat::Sarif {
            let log = report::sarif_log(std::mem::take(&mut self.sarif));
            self.print(&format!("{log:#}"));
        }
        if format == MessageFormat::Human {
            eprintln!(
                "checked {}: {}, {}",
                policies(files),
                count(self.errors, "error"),
                count(self.warnings, "warning")
            );
        }
    }
}

fn run_check(paths: &[PathBuf], report: &Report) -> u8 {
    if let Some(message) = usage_problem(report) {
        return fail(message);
    }
    let files = match policy_files(paths) {
        Ok(files) => files,
        Err(message) => return fail(message),
    };
    let project = report.project();
    let mut reporter = Reporter::new(report.message_format, true);
    for path in &files {
        match read_and_compile(path, report, &project) {
            Ok(compiled) => reporter.report(&compiled, report.message_format),
            Err(message) => return fail(message),
        }
    }
    reporter.summary(files.len(), report.message_format);
    if reporter.failed(report.deny_warnings) {
        INPUT_ERRORS
    } else {
        0
    }
}

/// Formats each policy: rewritten in place, written to standard output (`-`), or with `--check`
/// only named if its layout would change. A policy with syntax errors is left as it is, and its
/// errors are reported as `check` reports them.
fn run_fmt(paths: &[PathBuf], check: bool) -> u8 {
    let files = match policy_files(paths) {
        Ok(files) => files,
        Err(message) => return fail(message),
    };
    let mut reporter = Reporter::new(MessageFormat::Human, false);
    let (mut changed, mut broken) = (0, 0);
    let mut cleaned = HashSet::new();
    for path in &files {
        let bytes = match load::read_policy(path) {
            Ok(bytes) => bytes,
            Err(message) => return fail(message),
        };
        let formatted = match formatted(path, &bytes) {
            Ok(text) => text,
            Err(problems) => {
                reporter.report(&problems, MessageFormat::Human);
                broken += 1;
                continue;
            }
        };
        if load::is_stdin(path) && !check {
            if let Err(error) = std::io::stdout().lock().write_all(formatted.as_bytes()) {
                return fail(format!("cannot write to standard output: {error}"));
            }
            continue;
        }
        if formatted.as_bytes() == bytes {
            continue;
        }
        changed += 1;
        if check {
            println!("{}", load::source_name(path));
            continue;
        }
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
        if cleaned.insert(folder.map(Path::to_path_buf)) {
            output::remove_stale_temporaries(folder.unwrap_or(Path::new(".")));
        }
        if let Err(message) = output::replace(path, formatted.as_bytes()) {
            return fail(message);
        }
    }
    let total = files.len();
    let left = match broken {
        0 => String::new(),
        1 => ", 1 has syntax errors and is left as it is".to_string(),
        n => format!(", {n} have syntax errors and are left as they are"),
    };
    if check {
        eprintln!(
            "checked the layout of {}: {changed} would be reformatted{left}",
            policies(total)
        );
    } else if files.iter().any(|path| !load::is_stdin(path)) {
        eprintln!("formatted {}: {changed} changed{left}", policies(total));
    }
    if broken > 0 || (check && changed > 0) {
        INPUT_ERRORS
    } else {
        0
    }
}

/// A policy in the canonical layout, or its problems as `check` reports them.
fn formatted(path: &Path, bytes: &[u8]) -> Result<String, Box<Compiled>> {
    let name = load::source_name(path);
    let (text, problems) = match klartext::decode(bytes) {
        // `format` keeps a byte order mark; the spans of its problems are in the text without
        // it, which `decode` gives.
        Ok(text) => match format::format(&String::from_utf8_lossy(bytes)) {
            Ok(formatted) => return Ok(formatted),
            Err(problems) => (text, problems),
        },
        Err(problem) => (String::from_utf8_lossy(bytes).into_owned(), vec![*problem]),
    };
    Err(Box::new(Compiled {
        outcome: Outcome {
            source: Sources::new(name, text.clone()),
            model: None,
            diagnostics: problems,
            library: false,
        },
        text,
    }))
}

/// How long the files must be quiet before `check --watch` checks again: an editor's save (often
/// a temporary file and a rename) or a `git checkout` is one change, not several.
const WATCH_QUIET: Duration = Duration::from_millis(300);

/// `check --watch`: checks as `check` does, then again whenever a policy in the named paths
/// changes, each run after a line that says what changed, until interrupted. A usage or I/O
/// error of the first run ends it; one of a later run (a folder emptied) is reported and the
/// watch goes on.
fn watch_check(paths: &[PathBuf], report: &Report) -> u8 {
    if paths.iter().any(|path| load::is_stdin(path)) {
        return fail(
            "`--watch` checks files again when they change; standard input (`-`) cannot be watched",
        );
    }
    if run_check(paths, report) == FAILURE {
        return FAILURE;
    }
    let (sender, events) = mpsc::channel();
    let mut watcher = match notify::recommended_watcher(sender) {
        Ok(watcher) => watcher,
        Err(error) => return fail(format!("cannot watch the policies: {error}")),
    };
    // Folders, not files: an editor that saves by renaming a new file over the old one would
    // end the watch of the old file.
    let mut folders: Vec<&Path> = paths
        .iter()
        .map(|path| {
            if path.is_dir() {
                path.as_path()
            } else {
                path.parent()
                    .filter(|parent| !parent.as_os_str().is_empty())
                    .unwrap_or(Path::new("."))
            }
        })
        .collect();
    folders.sort();
    folders.dedup();
    for folder in folders {
        if let Err(error) = watcher.watch(folder, RecursiveMode::NonRecursive) {
            return fail(format!("cannot watch {}: {error}", folder.display()));
        }
    }
    eprintln!("watching for changes (Ctrl-C stops)");
    // Each round waits for an event, then until the files have been quiet for a while.
    while let Ok(first) = events.recv() {
        let mut changed = BTreeSet::new();
        let mut next = Some(first);
        while let Some(event) = next {
            match event {
                Ok(event) => changed.extend(changed_policies(&event, paths)),
                Err(error) => eprintln!("warning: watching the policies: {error}"),
            }
            next = events.recv_timeout(WATCH_QUIET).ok();
        }
        if changed.is_empty() {
            continue;
        }
        let changed: Vec<String> = changed.into_iter().collect();
        eprintln!(
            "\n──── {} changed, checking again ────\n",
            changed.join(", ")
        );
        run_check(paths, report);
    }
    0
}

/// The names of the policies an event changed: `.klar` files in a watched folder and files
/// named on the command line. Reading a file is no change (the check itself reads them all).
fn changed_policies(event: &notify::Event, paths: &[PathBuf]) -> Vec<String> {
    if matches!(event.kind, EventKind::Access(_)) {
        return Vec::new();
    }
    let named = |path: &Path| {
        paths.iter().any(|named| {
            !named.is_dir()
                && named
                    .file_name()
                    .is_some_and(|name| path.file_name() == Some(name))
        })
    };
    event
        .paths
        .iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "klar") || named(path))
        .filter_map(|path| path.file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .collect()
}

/// The templates of a compile run: a folder that replaces some of the shipped ones, and the
/// options they are rendered with.
struct Templates<'a> {
    dir: Option<&'a Path>,
    options: Options,
}

fn run_compile(
    paths: &[PathBuf],
    formats: &[Format],
    out: &Path,
    templates: Templates,
    check_only: bool,
    report: &Report,
) -> u8 {
    if let Some(message) = usage_problem(report) {
        return fail(message);
    }
    let files = match policy_files(paths) {
        Ok(files) => files,
        Err(message) => return fail(message),
    };
    let to_stdout = out == Path::new("-");
    let mut formats = formats.to_vec();
    formats.sort();
    formats.dedup();
    if to_stdout && check_only {
        return fail("`--check` compares the files in a folder; name it with `--out DIR`");
    }
    if to_stdout && (files.len() != 1 || formats.len() != 1) {
        return fail("`--out -` writes one format of one policy; name one file and one `--format`");
    }
    if !to_stdout && files.iter().any(|f| load::is_stdin(f)) {
        return fail(
            "a policy read from standard input (`-`) is written to standard output: add `--out -` and one `--format`",
        );
    }
    let plan = if to_stdout {
        vec![Vec::new(); files.len()]
    } else {
        match output::plan(&files, &formats, out) {
            Ok(plan) => plan,
            Err(message) => return fail(message),
        }
    };
    let renderer = match templates.dir {
        Some(dir) => match Renderer::with_templates(dir) {
            Ok(renderer) => renderer,
            Err(error) => return fail(error),
        },
        None => Renderer::new(),
    }
    .with_options(templates.options);
    // The fragment's stylesheet goes beside the fragments, once for the run, for the site that
    // embeds them to link.
    let stylesheet = if formats.contains(&Format::Fragment) && !to_stdout {
        let path = match output::plan_shared(&files, render::FRAGMENT_STYLESHEET, out) {
            Ok(path) => path,
            Err(message) => return fail(message),
        };
        match renderer.stylesheet() {
            Ok(css) => Some((path, css)),
            Err(error) => return fail(format!("cannot render {}: {error}", path.display())),
        }
    } else {
        None
    };
    if !to_stdout && !check_only {
        output::remove_stale_temporaries(out);
    }
    let project = report.project();
    let mut reporter = Reporter::new(report.message_format, !to_stdout);
    let mut written = 0;
    let mut differing: Vec<PathBuf> = Vec::new();
    if let Some((path, css)) = &stylesheet {
        if check_only {
            if std::fs::read(path).ok().as_deref() != Some(css.as_bytes()) {
                differing.push(path.clone());
            }
        } else {
            if let Err(message) = output::write_together(&[(path, css.as_bytes())]) {
                return fail(message);
            }
            written += 1;
        }
    }
    // Policies are compiled and written in parallel; what is reported comes in the order of the
    // files, so the output of a run does not depend on scheduling, and each policy is dropped
    // once reported, so memory does not grow with the number of policies.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs: Vec<(&PathBuf, &Vec<Output>)> = files.iter().zip(&plan).collect();
    let mut failure = None;
    klartext::parallel::in_order(
        &jobs,
        workers,
        workers * 4,
        |&(path, outputs)| -> Result<Processed, String> {
            let mut compiled = read_and_compile(path, report, &project)?;
            let outcome = &compiled.outcome;
            let documents = match outcome.policy() {
                Some(_) if report.deny_warnings && !outcome.diagnostics.is_empty() => Vec::new(),
                Some(policy) => render_all(&renderer, policy, path, &formats)?,
                None => Vec::new(),
            };
            // Only the diagnostics and their sources are reported from here on.
            compiled.outcome.model = None;
            let mut processed = Processed {
                compiled,
                documents: Vec::new(),
                written: 0,
                differing: Vec::new(),
            };
            if to_stdout {
                processed.documents = documents;
            } else if check_only {
                processed.differing = differing_outputs(&documents, outputs)?;
            } else {
                write_documents(&documents, outputs)?;
                processed.written = documents.len();
            }
            Ok(processed)
        },
        |result| {
            let processed = match result {
                Ok(processed) => processed,
                Err(message) => {
                    failure = Some(message);
                    return Next::Stop;
                }
            };
            reporter.report(&processed.compiled, report.message_format);
            written += processed.written;
            differing.extend(processed.differing);
            let mut stdout = std::io::stdout().lock();
            for (_, text) in &processed.documents {
                if let Err(error) = stdout.write_all(text.as_bytes()) {
                    failure = Some(format!("cannot write to standard output: {error}"));
                    return Next::Stop;
                }
            }
            Next::Continue
        },
    );
    if let Some(message) = failure {
        return fail(message);
    }
    reporter.summary(files.len(), report.message_format);
    if check_only {
        for path in &differing {
            eprintln!("differs from its policy: {}", path.display());
        }
        if report.message_format == MessageFormat::Human {
            match differing.len() {
                0 => eprintln!("the files in {} are what the policies give", out.display()),
                n => eprintln!(
                    "{} in {} {} from what the policies give",
                    count(n, "file"),
                    out.display(),
                    if n == 1 { "differs" } else { "differ" }
                ),
            }
        }
    } else if report.message_format == MessageFormat::Human && !to_stdout {
        eprintln!("wrote {written} files to {}", out.display());
    }
    if reporter.failed(report.deny_warnings) || !differing.is_empty() {
        INPUT_ERRORS
    } else {
        0
    }
}

/// What compiling one policy of a `compile` run gave.
struct Processed {
    compiled: Compiled,
    /// The notice, when it goes to standard output.
    documents: Vec<Document>,
    /// How many files were written.
    written: usize,
    /// With `--check`: the output files whose content differs from the notice.
    differing: Vec<PathBuf>,
}

/// The planned output files whose content is not the document's: missing, unreadable or other.
fn differing_outputs(documents: &[Document], outputs: &[Output]) -> Result<Vec<PathBuf>, String> {
    let mut differing = Vec::new();
    for (format, text) in documents {
        let output = outputs
            .iter()
            .find(|output| output.format == *format)
            .ok_or_else(|| format!("no output file was planned for {}", format.name()))?;
        if std::fs::read(&output.path).ok().as_deref() != Some(text.as_bytes()) {
            differing.push(output.path.clone());
        }
    }
    Ok(differing)
}

/// A problem with the report options that clap cannot see: a lint both denied and warned.
fn usage_problem(report: &Report) -> Option<String> {
    report
        .contradiction()
        .map(|name| format!("`{name}` is named by both `--deny` and `--warn`; choose one"))
}

type Document = (Format, String);

/// Renders every format before any is written, so a failure leaves no partial set behind.
fn render_all(
    renderer: &Renderer,
    policy: &Policy,
    path: &Path,
    formats: &[Format],
) -> Result<Vec<Document>, String> {
    // The notice's name across its translations; a policy from standard input has none.
    let stem = path
        .file_stem()
        .filter(|_| !load::is_stdin(path))
        .map(|stem| stem.to_string_lossy());
    let key = stem.as_deref().map(render::translation_key);
    let documents = renderer
        .render_each(policy, formats, key)
        .map_err(|error| format!("cannot render {} {error}", load::source_name(path)))?;
    Ok(formats.iter().copied().zip(documents).collect())
}

/// Writes a policy's documents to the paths the plan gave their formats, all or none.
fn write_documents(documents: &[Document], outputs: &[Output]) -> Result<(), String> {
    let mut files = Vec::with_capacity(documents.len());
    for (format, text) in documents {
        let output = outputs
            .iter()
            .find(|output| output.format == *format)
            .ok_or_else(|| format!("no output file was planned for {}", format.name()))?;
        files.push((output.path.as_path(), text.as_bytes()));
    }
    output::write_together(&files)
}

fn policies(n: usize) -> String {
    if n == 1 {
        "1 policy".to_string()
    } else {
        format!("{n} policies")
    }
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `klartext diff`: exits like diff(1), 0 when the versions tell the reader the same, 1 when
/// they differ, 2 when they cannot be compared (a file missing, a version with errors, git
/// failing).
fn run_diff(paths: &[PathBuf], rev: Option<&str>, format: DiffFormat, root: Option<&Path>) -> u8 {
    let project = Project::new(root.unwrap_or(Path::new(".")));
    // Each version: the label the report gives it, the name it is compiled under (its path, so
    // that its imports are found beside it) and its bytes.
    let versions = match (paths, rev) {
        ([file], Some(rev)) => {
            let name = load::source_name(file);
            let old = match git_show(file, rev) {
                Ok(bytes) => bytes,
                Err(message) => return fail(message),
            };
            let new = match load::read_policy(file) {
                Ok(bytes) => bytes,
                Err(message) => return fail(message),
            };
            [
                (format!("{name} ({rev})"), name.clone(), old),
                (name.clone(), name, new),
            ]
        }
        ([old, new], None) => {
            let mut read = Vec::new();
            for path in [old, new] {
                match load::read_policy(path) {
                    Ok(bytes) => read.push((load::source_name(path), bytes)),
                    Err(message) => return fail(message),
                }
            }
            let [(old_name, old), (new_name, new)]: [(String, Vec<u8>); 2] = match read.try_into() {
                Ok(pair) => pair,
                Err(_) => return fail("two files are needed"),
            };
            [
                (old_name.clone(), old_name, old),
                (new_name.clone(), new_name, new),
            ]
        }
        ([_], None) => {
            return fail(
                "`klartext diff` compares two files (OLD NEW), or one file with `--rev REV`",
            );
        }
        _ => return fail("`--rev` compares one file with its version in git: name one file"),
    };
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut compiled = Vec::new();
    for (label, name, bytes) in &versions {
        let outcome = compile_in(&project, name, bytes, check::Options::default());
        if outcome.has_errors() {
            for diagnostic in outcome.diagnostics.iter().filter(|d| d.is_error()) {
                eprint!("{}", outcome.source.render(diagnostic, color));
            }
            return fail(format!("cannot compare: {label} has errors"));
        }
        compiled.push((label, outcome));
    }
    let (old_label, old) = &compiled[0];
    let (new_label, new) = &compiled[1];
    let (Some(old), Some(new)) = (old.policy(), new.policy()) else {
        return fail("cannot compare: a version has no policy");
    };
    let diff = klartext::diff::compare(old_label, old, new_label, new);
    print_quietly(&match format {
        DiffFormat::Text => diff.text(),
        DiffFormat::Md => diff.markdown(),
        DiffFormat::Json => diff.json(),
    });
    if diff.is_empty() { 0 } else { INPUT_ERRORS }
}

/// A file as it is at a git revision: `git show REV:./NAME`, run in the file's folder so that
/// the path is the file's wherever the repository's root is. The only process klartext starts.
fn git_show(path: &Path, rev: &str) -> Result<Vec<u8>, String> {
    // A revision that git would read as an option (`--output=…`), or that holds the `:` that
    // separates it from the path, is refused rather than passed on.
    if rev.is_empty() || rev.starts_with('-') || rev.contains(':') {
        return Err(format!(
            "`{rev}` is not a revision klartext passes to git (it may not be empty, start with `-` or hold `:`)"
        ));
    }
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    let Some(file) = path.file_name() else {
        return Err(format!("{} names no file", path.display()));
    };
    let mut spec = std::ffi::OsString::from(format!("{rev}:./"));
    spec.push(file);
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(folder)
        .arg("show")
        .arg(spec)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => {
                "git is not installed (or not on the PATH): `klartext diff --rev` reads the old version with `git show`"
                    .to_string()
            }
            _ => format!("cannot run git: {error}"),
        })?;
    if !output.status.success() {
        return Err(format!(
            "cannot read {} at {rev}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    if output.stdout.len() as u64 > load::MAX_POLICY_BYTES {
        return Err(format!(
            "{} at {rev} is larger than {} MiB",
            path.display(),
            load::MAX_POLICY_BYTES / (1024 * 1024)
        ));
    }
    Ok(output.stdout)
}
