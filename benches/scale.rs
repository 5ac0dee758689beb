//! Thousands of notices: `cargo bench --bench scale` (or `-- --quick` for 1,000 policies).
//!
//! Generates a folder of 10,000 policies of the five corpus shapes (the shipped policies, each
//! copy with a controller of its own name, importing the shipped libraries), compiles it to html,
//! md and txt with the release binary as one process, and prints wall time, CPU time and peak
//! memory (read by `/usr/bin/time` where it is installed) against the budgets of issue 11:
//! 20 s and 100 MiB for 10,000 policies on two cores.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const BUDGET_SECONDS: f64 = 20.0;
const BUDGET_MIB: f64 = 100.0;

/// Files by name (without `.klar`) and text.
type Files = Vec<(String, String)>;

/// The shipped policies, and the libraries they import, by path under `policies/`.
fn shapes(root: &Path) -> (Files, Files) {
    let read = |folder: &Path| -> Files {
        let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
            .expect("the shipped policies")
            .map(|entry| entry.expect("a readable folder").path())
            .filter(|path| path.extension().is_some_and(|e| e == "klar"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|path| {
                let name = path.file_stem().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&path).expect("a policy"))
            })
            .collect()
    };
    let policies = root.join("policies");
    (read(&policies), read(&policies.join("lib")))
}

/// The policy of shape `source` for the `n`th authority: its title names the authority, so
/// that no two notices are the same.
fn authority(source: &str, n: usize) -> String {
    let start = source.find("policy \"").expect("a policy block") + "policy \"".len();
    format!("{}Gemeinde {n:05}: {}", &source[..start], &source[start..])
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let count = if quick { 1_000 } else { 10_000 };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let binary = root.join("target/release/klartext");
    if !binary.exists() {
        println!("(skipped: build the binary first with `cargo build --release`)");
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let folder = dir.path().join("policies");
    std::fs::create_dir_all(folder.join("lib")).unwrap();
    let (policies, libraries) = shapes(root);
    for (name, text) in &libraries {
        std::fs::write(folder.join("lib").join(format!("{name}.klar")), text).unwrap();
    }
    let mut bytes = 0;
    for n in 0..count {
        let (name, text) = &policies[n % policies.len()];
        let text = authority(text, n);
        bytes += text.len();
        std::fs::write(folder.join(format!("{n:05}-{name}.klar")), text).unwrap();
    }
    println!(
        "{count} policies of {} shapes ({} MiB), compiled to html, md and txt as one process",
        policies.len(),
        bytes / (1024 * 1024)
    );
    let out = dir.path().join("out");
    let time = Path::new("/usr/bin/time");
    let mut command = if time.exists() {
        let mut command = Command::new(time);
        command.args(["-f", "%U %S %M"]).arg(&binary);
        command
    } else {
        Command::new(&binary)
    };
    command
        .args(["compile", "--format", "html,md,txt", "--root"])
        .arg(dir.path())
        .arg("--out")
        .arg(&out)
        .arg(&folder);
    let start = Instant::now();
    let output = command.output().expect("klartext runs");
    let wall = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "klartext compile failed:\n{}",
        stderr.lines().rev().take(20).collect::<Vec<_>>().join("\n")
    );
    let written = std::fs::read_dir(&out).unwrap().count();
    assert_eq!(written, count * 3, "every policy gives three files");
    let scale = count as f64 / 10_000.0;
    println!(
        "  wall {wall:.2} s (budget {:.1} s): {}",
        BUDGET_SECONDS * scale,
        verdict(wall <= BUDGET_SECONDS * scale)
    );
    println!(
        "  per policy {:.2} ms of wall time",
        wall * 1e3 / count as f64
    );
    let measured = stderr.lines().last().and_then(|line| {
        let fields: Vec<f64> = line.split(' ').filter_map(|f| f.parse().ok()).collect();
        (fields.len() == 3).then(|| (fields[0] + fields[1], fields[2] / 1024.0))
    });
    match measured {
        Some((cpu, mib)) => {
            println!(
                "  CPU {cpu:.2} s ({:.2} ms a policy)",
                cpu * 1e3 / count as f64
            );
            println!(
                "  peak memory {mib:.1} MiB (budget {BUDGET_MIB:.0} MiB): {}",
                verdict(mib <= BUDGET_MIB)
            );
        }
        None => println!("  (CPU time and peak memory need /usr/bin/time)"),
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "over budget" }
}
