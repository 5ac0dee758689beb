//! Language server latency: `cargo bench --bench lsp` (or `-- --quick`).
//!
//! Drives [`klartext::lsp::Server`] with the messages an editor sends, JSON included, on the Stadt
//! Kassel policy (60 KB): the re-check after an edit (compile, and the diagnostics to publish),
//! a completion and hovers. The targets: p95 of a re-check at most 10 ms, of completion and
//! hover at most 5 ms. Standard input and output are left out; they add a copy of the text.
//! Besides the wall clock (median and 95th percentile), each line gives the mean time a run
//! spent on a CPU, which a machine busy with other work does not inflate.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use klartext::lsp::Server;
use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::{Value, json};

const URI: &str = concat!(
    "file://",
    env!("CARGO_MANIFEST_DIR"),
    "/policies/stadt-kassel.klar"
);

/// How long this thread has run on a CPU, where Linux says (`/proc/thread-self/schedstat`).
/// On a machine shared with other builds the wall clock also counts the time spent waiting for
/// a CPU; this does not.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// The times of `f` run repeatedly for about `budget` (at least 20 times), sorted, and the
/// mean time on a CPU of a run (the kernel counts it per tick, so only the mean over many runs
/// is exact).
struct Times {
    wall: Vec<Duration>,
    cpu: Option<Duration>,
}

fn times(budget: Duration, mut f: impl FnMut()) -> Times {
    f();
    let mut wall = Vec::new();
    let cpu_before = cpu_time();
    let start = Instant::now();
    while start.elapsed() < budget || wall.len() < 20 {
        let t = Instant::now();
        f();
        wall.push(t.elapsed());
    }
    let cpu = cpu_before
        .zip(cpu_time())
        .map(|(before, after)| (after - before) / wall.len() as u32);
    wall.sort();
    Times { wall, cpu }
}

fn report(name: &str, times: &Times, target_ms: f64) {
    let wall = &times.wall;
    let at = |q: f64| wall[((wall.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    let p95 = at(0.95);
    let cpu = times.cpu.map_or(String::new(), |cpu| {
        format!("  on a CPU {:>7.3} ms", cpu.as_secs_f64() * 1e3)
    });
    println!(
        "{name:<40} p50 {:>7.3} ms  p95 {p95:>7.3} ms{cpu}  ({} runs; p95 ≤ {target_ms} ms: {})",
        at(0.5),
        wall.len(),
        if p95 <= target_ms { "met" } else { "MISSED" },
    );
}

/// The protocol's position of a byte offset: line, and column in UTF-16 units.
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |at| at + 1);
    let column: usize = before[start..].chars().map(char::len_utf16).sum();
    json!({"line": line, "character": column})
}

fn request(id: i32, method: &str, params: Value) -> Message {
    Message::Request(Request::new(
        RequestId::from(id),
        method.to_string(),
        params,
    ))
}

fn notification(method: &str, params: Value) -> Message {
    Message::Notification(Notification::new(method.to_string(), params))
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let budget = Duration::from_millis(if quick { 300 } else { 3000 });
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("policies/stadt-kassel.klar"))
        .expect("policies/stadt-kassel.klar");
    // An edit that leaves the policy intact and one that makes a typo, in turn: the second is
    // published with a diagnostic.
    let edited = [
        text.replacen("retention 30 days", "retention 31 days", 1),
        text.replacen("processor sitepark", "processor sitpark", 1),
    ];

    let mut server = Server::new();
    server.handle(request(
        0,
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    ));
    server.handle(notification("initialized", json!({})));
    server.handle(notification(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "klartext", "version": 1, "text": text}}),
    ));

    println!("Language server on Stadt Kassel ({} KB)", text.len() / 1000);
    let mut version = 1;
    let recheck = times(budget, || {
        version += 1;
        let changed = &edited[version as usize % 2];
        let replies = server.handle(notification(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [{"text": changed}]}),
        ));
        // What the transport would write: the diagnostics as JSON.
        assert_eq!(replies.len(), 1);
        black_box(serde_json::to_string(&replies).unwrap());
    });
    report("  re-check after an edit (didChange)", &recheck, 10.0);
    // Where the time of a re-check goes: the stages of the compile, the rest is the server's
    // (its line index, the tree kept, the diagnostics converted and written as JSON).
    let stages = &edited[0];
    let tree = klartext::syntax::parse(stages).file;
    let lowered = klartext::lower::lower(stages, &tree).0.unwrap();
    let mut derived = lowered.clone();
    klartext::derive::derive(&mut derived);
    for (name, time) in [
        (
            "    of which parse",
            times(budget, || {
                black_box(klartext::syntax::parse(black_box(stages)));
            }),
        ),
        (
            "    of which lower",
            times(budget, || {
                black_box(klartext::lower::lower(stages, black_box(&tree)));
            }),
        ),
        (
            "    of which derive",
            times(budget, || {
                let mut policy = lowered.clone();
                klartext::derive::derive(black_box(&mut policy));
            }),
        ),
        (
            "    of which check",
            times(budget, || {
                black_box(klartext::check::check(
                    black_box(&derived),
                    Default::default(),
                ));
            }),
        ),
    ] {
        report(name, &time, 10.0);
    }

    server.handle(notification(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": version + 1}, "contentChanges": [{"text": text}]}),
    ));
    let mut ask = |name: &str, method: &str, offset: usize, target_ms: f64| {
        let params = json!({"textDocument": {"uri": URI}, "position": position(&text, offset)});
        // What is timed is an answer, not an empty one.
        let first = server.handle(request(1, method, params.clone()));
        let answer = match first.as_slice() {
            [Message::Response(response)] => response.response_result.clone().ok(),
            other => panic!("{method}: {other:?}"),
        };
        assert!(
            answer.is_some_and(|a| !a.is_null() && a.as_array().is_none_or(|a| !a.is_empty())),
            "{name}: {first:?}"
        );
        let answered = times(budget, || {
            let replies = server.handle(request(1, method, params.clone()));
            black_box(serde_json::to_string(&replies).unwrap());
        });
        report(name, &answered, target_ms);
    };
    let processor = text.find("processor sitepark").unwrap() + "processor ".len();
    ask(
        "  completion after `processor `",
        "textDocument/completion",
        processor,
        5.0,
    );
    let blank = text.find("activity push").unwrap();
    let line_start = blank + text[blank..].find('\n').unwrap() + 1 + 4;
    ask(
        "  completion of an activity's keywords",
        "textDocument/completion",
        line_start,
        5.0,
    );
    let article = text.rfind("6(1)(e)").unwrap();
    ask("  hover on 6(1)(e)", "textDocument/hover", article, 5.0);
    let state = text.find("DE-HE").unwrap();
    ask("  hover on DE-HE", "textDocument/hover", state, 5.0);
    ask("  hover on an id", "textDocument/hover", processor + 2, 5.0);
    ask(
        "  go to definition",
        "textDocument/definition",
        processor + 2,
        5.0,
    );
}
