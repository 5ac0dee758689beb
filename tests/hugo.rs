//! The Markdown notices in a real Hugo build, as a static site would publish them: raw HTML
//! allowed in Goldmark (the most permissive setting a site can choose) and a site parameter that
//! a `{{% param %}}` shortcode would leak. Every fixture, every shipped policy and the hostile
//! corpus must build, and the pages must hold no script, handler, image or unsafe link.
//!
//! Needs `hugo` on the PATH (Debian's package; `.ci/run` installs it). Without it the test says
//! so and passes, except in CI (`CI` set), where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use klartext::compile;
use klartext::render::{Format, Renderer};

mod common;
use common::{hostile_sources, klar_files, unsafe_html};

const SECRET: &str = "LEAKED-SITE-PARAMETER";

const CONFIG: &str = r#"baseURL = "https://example.org/"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[params]
secret = "LEAKED-SITE-PARAMETER"
[markup.goldmark.renderer]
unsafe = true
"#;

const LAYOUT: &str = "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body>{{ .Content }}</body></html>\n";

fn hugo_available() -> bool {
    Command::new("hugo")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn html_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            html_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "html") {
            found.push(path);
        }
    }
}

#[test]
fn markdown_notices_build_safely_in_hugo() {
    if !hugo_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "hugo is not installed; CI must run the Hugo build"
        );
        println!("hugo: not installed, Hugo build skipped (apt-get install hugo)");
        return;
    }
    let site = tempfile::tempdir().unwrap();
    let content = site.path().join("content");
    let layouts = site.path().join("layouts/_default");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::create_dir_all(&layouts).unwrap();
    std::fs::write(site.path().join("hugo.toml"), CONFIG).unwrap();
    for layout in ["single.html", "list.html"] {
        std::fs::write(layouts.join(layout), LAYOUT).unwrap();
    }

    let renderer = Renderer::new();
    let mut sources: Vec<(String, String)> = Vec::new();
    for folder in ["tests/render", "policies", "examples"] {
        for path in klar_files(folder) {
            let source = std::fs::read_to_string(&path).unwrap();
            sources.push((path.display().to_string(), source));
        }
    }
    sources.extend(hostile_sources());
    let mut pages = 0;
    for (i, (name, source)) in sources.iter().enumerate() {
        let outcome = compile(name, source.as_bytes());
        let Some(policy) = outcome.policy() else {
            continue;
        };
        let markdown = renderer.render(policy, Format::Markdown).unwrap();
        std::fs::write(content.join(format!("notice-{i}.md")), markdown).unwrap();
        pages += 1;
    }
    assert!(pages > 400, "only {pages} notices compiled");

    let public = site.path().join("public");
    let build = Command::new("hugo")
        .arg("--source")
        .arg(site.path())
        .arg("--destination")
        .arg(&public)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "hugo build failed:\n{}{}",
        String::from_utf8_lossy(&build.stdout),
        String::from_utf8_lossy(&build.stderr)
    );

    let mut built = Vec::new();
    html_files(&public, &mut built);
    let notices: Vec<&PathBuf> = built
        .iter()
        .filter(|p| p.to_string_lossy().contains("notice-"))
        .collect();
    assert_eq!(notices.len(), pages, "Hugo did not publish every notice");
    for page in notices {
        let html = std::fs::read_to_string(page).unwrap();
        assert!(
            !html.contains(SECRET),
            "{} leaks a site parameter",
            page.display()
        );
        if let Some(problem) = unsafe_html(&html) {
            panic!("{} has {problem}", page.display());
        }
    }
}
