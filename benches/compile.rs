//! Compile speed: `cargo bench` (or `cargo bench --bench compile -- --quick`).
//!
//! Measures the Stadt Kassel policy through each stage and into every format, a generated
//! folder of 1,000 policies through the whole command line, and how compile time grows with the
//! size of a policy (it should grow linearly), also for shapes that were once quadratic: long
//! unknown ids, one long line full of problems, deeply nested prose.

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use klartext::compile;
use klartext::render::{Format, Renderer};

/// Runs `f` repeatedly for about `budget` and returns the median time of one run.
fn measure(budget: Duration, mut f: impl FnMut()) -> Duration {
    f();
    let mut times = Vec::new();
    let start = Instant::now();
    while start.elapsed() < budget || times.len() < 5 {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

fn report(name: &str, time: Duration, bytes: usize) {
    let mib_per_s = bytes as f64 / time.as_secs_f64() / (1024.0 * 1024.0);
    println!(
        "{name:<44} {:>10.3} ms  {:>8.1} MiB/s",
        time.as_secs_f64() * 1e3,
        mib_per_s
    );
}

/// Prints a time against its budget in milliseconds.
fn budgeted(name: &str, time: Duration, budget_ms: f64) {
    let ms = time.as_secs_f64() * 1e3;
    let verdict = if ms <= budget_ms {
        "met"
    } else {
        "over budget"
    };
    println!("{name:<44} {ms:>10.3} ms  budget {budget_ms} ms: {verdict}");
}

/// Times `run` on a source of each of three sizes and prints the time per unit at the smallest
/// and the largest: figures that stay the same mean that time grows linearly.
fn growth(
    budget: Duration,
    units: (&str, &str),
    sizes: [usize; 3],
    source: impl Fn(usize) -> String,
    mut run: impl FnMut(&str),
) {
    let (unit, units) = units;
    let mut per_unit = Vec::new();
    for n in sizes {
        let source = source(n);
        let time = measure(budget, || run(&source));
        report(
            &format!("  {n:>6} {units} ({} KiB)", source.len() / 1024),
            time,
            source.len(),
        );
        per_unit.push(time.as_secs_f64() / n as f64);
    }
    println!(
        "  time per {unit}, {} → {} {units}: {:.2} µs → {:.2} µs",
        sizes[0],
        sizes[2],
        per_unit[0] * 1e6,
        per_unit[2] * 1e6
    );
}

/// `organisations` organisations and 200 references to organisations that are not declared, all
/// with ids of 1,000 characters: each unknown id gets a "did you mean" over every organisation.
fn long_unknown_ids(organisations: usize) -> String {
    let tail = "x".repeat(990);
    let mut source = String::from("policy \"T\" {\n");
    for i in 0..organisations {
        source.push_str(&format!(
            "  organisation org{i:06}{tail} \"O\" {{ address \"Weg 1\" \"12345 Ort\" }}\n"
        ));
    }
    source.push_str("  activity a \"A\" {\n");
    for i in 0..200 {
        source.push_str(&format!("    processor ref{i:06}{tail}\n"));
    }
    source.push_str("  }\n}\n");
    source
}

/// One line of non-ASCII text with `problems` unknown references on it.
fn long_line_of_problems(problems: usize) -> String {
    let items: Vec<String> = (0..problems)
        .map(|i| format!("\"Bürgeramt Ä\", x{i}"))
        .collect();
    format!(
        "policy \"T\" {{\n  activity a \"Ä\" {{\n    recipients {}\n  }}\n}}\n",
        items.join(", ")
    )
}

/// The minimal example with a text block of prose `depth` levels deep: `> > > …` or `- - - …`.
fn nested_prose(marker: &str, depth: usize) -> String {
    let minimal = include_str!("../examples/minimal.klar");
    let prose = format!("{}Tief unten.", marker.repeat(depth));
    minimal.replacen(
        "    recipients none\n",
        &format!("    recipients none\n    text \"\"\"\n      {prose}\n    \"\"\"\n"),
        1,
    )
}

/// A policy with `n` activities, built from the shapes the corpus uses.
fn generated(n: usize, variant: usize) -> String {
    let mut source = format!(
        "policy \"Datenschutzerklärung der Gemeinde {variant}\" {{\n  state DE-HE\n  revised 2024-05-02\n  \
         controller g \"Gemeinde {variant}\" {{\n    address \"Rathausplatz 1\" \"12345 Ort\"\n    \
         email \"info@gemeinde{variant}.de\"\n    officer \"Erika Mustermann\" {{ email \"dsb@gemeinde{variant}.de\" }}\n  }}\n  \
         organisation hoster \"Hosting AG\" {{ address \"Weg 1\" \"12345 Ort\" }}\n"
    );
    for i in 0..n {
        source.push_str(&format!(
            "  activity a{i} \"Verarbeitung {i}\" {{\n    text \"\"\"\n      Beschreibung mit **Markdown** und einem [Link](https://example.org/{i}).\n\n      - Punkt eins\n      - Punkt zwei\n    \"\"\"\n    \
             data \"IP-Adresse\", \"Datum und Uhrzeit\", \"Name\"\n    purpose \"Zweck {i}\"\n    \
             basis 6(1)(e) \"§ 3 HDSIG\"\n    processor hoster\n    retention {} days\n  }}\n",
            i % 90 + 1
        ));
    }
    source.push_str(
        "  supervisory-authority \"HBDI\" { address \"Postfach 31 63\" \"65021 Wiesbaden\" }\n  \
         rights {\n    right access\n    right complaint\n  }\n}\n",
    );
    source
}

/// `text` with `count` lines spread over it damaged: a stray `(` at the end of a fact's line.
fn with_broken_lines(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let facts: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let line = lines[i].trim_end();
            line.starts_with("    ") && line.ends_with('"') && !line.contains("\"\"\"")
        })
        .collect();
    let step = (facts.len() / count).max(1);
    let broken: Vec<usize> = facts.iter().step_by(step).take(count).copied().collect();
    let mut out = String::with_capacity(text.len() + count * 2);
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        if broken.contains(&i) {
            out.push_str(" (");
        }
        out.push('\n');
    }
    out
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let budget = Duration::from_millis(if quick { 200 } else { 2000 });
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let renderer = Renderer::new();

    println!("Stadt Kassel (policies/stadt-kassel.klar)");
    let kassel =
        std::fs::read(root.join("policies/stadt-kassel.klar")).expect("policies/stadt-kassel.klar");
    let size = kassel.len();
    let text = std::str::from_utf8(&kassel).unwrap();
    report(
        "  parse",
        measure(budget, || {
            black_box(klartext::syntax::parse(black_box(text)));
        }),
        size,
    );
    let broken = with_broken_lines(text, 10);
    report(
        "  parse, ten lines broken (error recovery)",
        measure(budget, || {
            let parsed = klartext::syntax::parse(black_box(&broken));
            assert!(!parsed.problems.is_empty());
            black_box(parsed);
        }),
        broken.len(),
    );
    report(
        "  parse + lower + check, ten lines broken",
        measure(budget, || {
            black_box(compile("broken.klar", black_box(broken.as_bytes())));
        }),
        broken.len(),
    );
    let tree = klartext::syntax::parse(text).file;
    report(
        "  lower",
        measure(budget, || {
            black_box(klartext::lower::lower(text, black_box(&tree)));
        }),
        size,
    );
    let lowered = klartext::lower::lower(text, &tree).0.unwrap();
    report(
        "  check",
        measure(budget, || {
            black_box(klartext::check::check(
                black_box(&lowered),
                Default::default(),
            ));
        }),
        size,
    );
    report(
        "  parse + lower + check",
        measure(budget, || {
            black_box(compile("policies/stadt-kassel.klar", black_box(&kassel)));
        }),
        size,
    );
    let kassel_outcome = compile("policies/stadt-kassel.klar", &kassel);
    let policy = kassel_outcome.policy().expect("the Kassel policy compiles");
    for format in Format::ALL {
        let time = measure(budget, || {
            black_box(renderer.render(black_box(policy), format).unwrap());
        });
        report(&format!("  render {}", format.name()), time, size);
    }
    report(
        "  compile to every format",
        measure(budget, || {
            let policy = compile("policies/stadt-kassel.klar", &kassel)
                .model
                .unwrap();
            for format in Format::ALL {
                black_box(renderer.render(&policy, format).unwrap());
            }
        }),
        size,
    );

    println!("\nBudgets of issue 11: Stadt Kassel to html + md + txt + json");
    let four = [Format::Html, Format::Markdown, Format::Text, Format::Json];
    let stages = measure(budget, || {
        black_box(compile("policies/stadt-kassel.klar", black_box(&kassel)));
    });
    budgeted("  parse + lower + check", stages, 3.0);
    let renderings = measure(budget, || {
        black_box(
            renderer
                .render_each(black_box(policy), &four, None)
                .unwrap(),
        );
    });
    budgeted("  the four renderings", renderings, 4.0);
    let binary = root.join("target/release/klartext");
    if binary.exists() {
        let out = tempfile::tempdir().expect("a temporary folder");
        let start_up = measure(budget, || {
            let status = Command::new(&binary)
                .arg("--version")
                .output()
                .unwrap()
                .status;
            assert!(status.success());
        });
        budgeted("  start-up (`klartext --version`)", start_up, 1.0);
        let process = measure(budget, || {
            let status = Command::new(&binary)
                .current_dir(root)
                .args([
                    "compile",
                    "policies/stadt-kassel.klar",
                    "--format",
                    "html,md,txt,json",
                ])
                .arg("--out")
                .arg(out.path())
                .stderr(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(status.success());
        });
        budgeted("  one process, all of it", process, 8.0);
    } else {
        println!("  (processes skipped: build the binary first with `cargo build --release`)");
    }

    println!("\nGrowth with policy size (compile to every format)");
    let mut per_activity = Vec::new();
    for n in [10, 100, 1000] {
        let source = generated(n, 0);
        let time = measure(budget, || {
            let policy = compile("generated.klar", source.as_bytes()).model.unwrap();
            for format in Format::ALL {
                black_box(renderer.render(&policy, format).unwrap());
            }
        });
        report(
            &format!("  {n:>5} activities ({} KiB)", source.len() / 1024),
            time,
            source.len(),
        );
        per_activity.push(time.as_secs_f64() / n as f64);
    }
    println!(
        "  time per activity, 10 → 1000 activities: {:.1} µs → {:.1} µs",
        per_activity[0] * 1e6,
        per_activity[2] * 1e6
    );

    println!("\nShapes that were once quadratic (compile, render HTML)");
    let mut same_titles = String::from("policy \"T\" {\n");
    same_titles.push_str(&"  section \"Gleich\" { text \"x\" }\n".repeat(20_000));
    same_titles.push_str("}\n");
    let mut allows = String::from("policy \"T\" {\n");
    for i in 0..10_000 {
        allows.push_str(&format!(
            "  activity a{i} \"A\" {{ allow missing-purpose \"x\" }}\n"
        ));
    }
    allows.push_str("}\n");
    for (name, source) in [
        ("20,000 sections with one title", &same_titles),
        ("10,000 activities with allows", &allows),
    ] {
        let time = measure(budget, || {
            let outcome = compile("shape.klar", source.as_bytes());
            if let Some(policy) = outcome.policy() {
                black_box(renderer.render(policy, Format::Html).unwrap());
            }
        });
        report(&format!("  {name}"), time, source.len());
    }

    println!("\n\"Did you mean\" for 200 unknown ids of 1,000 characters (compile)");
    growth(
        budget,
        ("organisation", "organisations"),
        [100, 400, 1600],
        long_unknown_ids,
        |source| {
            black_box(compile("ids.klar", source.as_bytes()));
        },
    );

    println!("\nOne line of non-ASCII text full of problems (compile, every problem as JSON)");
    growth(
        budget,
        ("problem", "problems"),
        [5_000, 20_000, 80_000],
        long_line_of_problems,
        |source| {
            let outcome = compile("line.klar", source.as_bytes());
            for diagnostic in &outcome.diagnostics {
                black_box(outcome.source.to_json(diagnostic).to_string());
            }
        },
    );

    // Past the nesting limit of prose the policy has an error and only compiling is timed.
    for (title, marker) in [("quotes `> > > …`", "> "), ("lists `- - - …`", "- ")] {
        println!("\nProse of nested {title} (compile, render Markdown)");
        growth(
            budget,
            ("level", "levels"),
            [100, 1000, 10_000],
            |depth| nested_prose(marker, depth),
            |source| {
                let outcome = compile("nested.klar", source.as_bytes());
                if let Some(policy) = outcome.policy() {
                    black_box(renderer.render(policy, Format::Markdown).unwrap());
                }
            },
        );
    }

    println!(
        "\nA folder of 1,000 policies through the command line (compile -f html,fragment,md,txt,json,yaml)"
    );
    let dir = tempfile::tempdir().expect("a temporary folder");
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    let mut total = 0;
    for i in 0..1000 {
        let source = generated(5 + i % 20, i);
        total += source.len();
        std::fs::write(policies.join(format!("gemeinde-{i:04}.klar")), source).unwrap();
    }
    let binary = root.join("target/release/klartext");
    if !binary.exists() {
        println!("  (skipped: build the binary first with `cargo build --release`)");
        return;
    }
    let runs = if quick { 1 } else { 3 };
    let mut times = Vec::new();
    for _ in 0..runs {
        let out = dir.path().join("out");
        let _ = std::fs::remove_dir_all(&out);
        let start = Instant::now();
        let status = Command::new(&binary)
            .args([
                "compile",
                "--format",
                "html,fragment,md,txt,json,yaml",
                "--out",
            ])
            .arg(&out)
            .arg(&policies)
            .stderr(std::process::Stdio::null())
            .status()
            .expect("klartext runs");
        times.push(start.elapsed());
        assert!(status.success());
    }
    times.sort();
    let time = times[times.len() / 2];
    report("  1,000 policies, 6,000 files", time, total);
    println!("  per policy: {:.2} ms", time.as_secs_f64() * 1e3 / 1000.0);
}
