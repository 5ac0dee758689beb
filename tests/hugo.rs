//! The Markdown notices in a real Hugo build, as a static site would publish them: raw HTML
//! allowed in Goldmark (the most permissive setting a site can choose) and a site parameter that
//! a `{{% param %}}` shortcode would leak. Every fixture, every shipped policy and the hostile
//! corpus must build, and the pages must hold no script, handler, image or unsafe link.
//!
//! The example site of `examples/hugo/` is built too, with the shipped policies' Markdown and a
//! page that embeds a fragment: every notice's page must have its title, its headings and the
//! anchors of the HTML page, and the embedded fragment no second `<h1>` and no id twice.
//!
//! Needs `hugo` on the PATH (Debian's package; `.ci/run` installs it). Without it the tests say
//! so and pass, except in CI (`CI` set), where they fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use klartext::compile;
use klartext::render::{self, Format, Options, Renderer};

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

/// Whether Hugo can run; without it, a test says so and passes, except in CI.
fn hugo_available() -> bool {
    let available = Command::new("hugo")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            std::env::var_os("CI").is_none(),
            "hugo is not installed; CI must run the Hugo build"
        );
        println!("hugo: not installed, Hugo build skipped (apt-get install hugo)");
    }
    available
}

/// Builds the site in `site` into `site/public`, failing the test with Hugo's messages.
fn build(site: &Path) -> PathBuf {
    let public = site.join("public");
    let build = Command::new("hugo")
        .arg("--source")
        .arg(site)
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
    public
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

    let public = build(site.path());

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

/// Copies the files of the example site that are not written by a build: the configuration,
/// the layouts and the hand-written content.
fn copy_site(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if ["public", "resources", "assets", ".hugo_build.lock"].contains(&name.as_str()) {
            continue;
        }
        let target = to.join(&name);
        if path.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_site(&path, &target);
        } else if !(from.ends_with("content/datenschutz") && name != "_index.md") {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Text as its reader compares it: letters and digits only, so that entities, Goldmark's
/// typographic quotes and dashes, and markup make no difference.
fn letters(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    let mut entity = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            '&' if !in_tag => entity = true,
            ';' if entity => entity = false,
            c if !in_tag && !entity && c.is_alphanumeric() => text.push(c),
            _ => {}
        }
    }
    text
}

/// The headings of a page, in order: their level, anchor (if any) and text (as [`letters`]).
/// The anchor of a heading is the `id` of the `<section>` it opens (as klartext's page has it),
/// else its own (as Goldmark writes it).
fn headings(html: &str) -> Vec<(u8, Option<String>, String)> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<h") {
        let before = rest[..at].trim_end();
        let section = before
            .rfind('<')
            .map(|open| &before[open..])
            .filter(|tag| tag.starts_with("<section ") && tag.ends_with('>'))
            .and_then(|tag| tag.split_once("id=\""))
            .map(|(_, id)| id[..id.find('"').unwrap()].to_string());
        rest = &rest[at + 2..];
        let Some(level) = rest.chars().next().and_then(|c| c.to_digit(10)) else {
            continue;
        };
        if !(1..=6).contains(&level) || !rest[1..].starts_with([' ', '>']) {
            continue;
        }
        let open_end = rest.find('>').unwrap();
        let attributes = &rest[1..open_end];
        let id = section.or_else(|| {
            attributes
                .split_once("id=\"")
                .map(|(_, id)| id[..id.find('"').unwrap()].to_string())
        });
        let close = format!("</h{level}>");
        let end = rest.find(&close).unwrap();
        found.push((level as u8, id, letters(&rest[open_end + 1..end])));
        rest = &rest[end..];
    }
    found
}

/// Every `id` of a page, in order.
fn ids(html: &str) -> Vec<&str> {
    html.split(" id=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect()
}

/// The targets of the page's links to a place in itself (`href="#x"`) that it does not have.
fn dangling_links(html: &str) -> Vec<String> {
    let ids = ids(html);
    html.split("href=\"#")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_string())
        .filter(|target| !ids.contains(&target.as_str()))
        .collect()
}

#[test]
fn the_example_site_publishes_every_notice_with_its_headings_and_anchors() {
    if !hugo_available() {
        return;
    }
    let site = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/hugo");
    copy_site(&example, site.path());

    // As examples/hugo/README.md says: the Markdown without its title, Stadt Kassel's fragment
    // with its title at level 2.
    let markdown = Renderer::new().with_options(Options {
        markdown_title: false,
        ..Options::default()
    });
    let fragment = Renderer::new().with_options(Options {
        heading_level: 2,
        ..Options::default()
    });
    let assets = site.path().join("assets/klartext");
    std::fs::create_dir_all(&assets).unwrap();
    let mut pages = Vec::new();
    for path in klar_files("policies") {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let outcome = compile(&path.display().to_string(), &std::fs::read(&path).unwrap());
        let policy = outcome.policy().expect("a shipped policy compiles");
        let key = render::translation_key(&stem);
        std::fs::write(
            site.path().join(format!("content/datenschutz/{stem}.md")),
            markdown
                .render_keyed(policy, Format::Markdown, Some(key))
                .unwrap(),
        )
        .unwrap();
        if stem == "stadt-kassel" {
            std::fs::write(
                assets.join("stadt-kassel.fragment.html"),
                fragment.render(policy, Format::Fragment).unwrap(),
            )
            .unwrap();
            std::fs::write(assets.join("fragment.css"), fragment.stylesheet().unwrap()).unwrap();
        }
        let page = Renderer::new().render(policy, Format::Html).unwrap();
        pages.push((stem, policy.title.to_string(), page));
    }
    assert_eq!(pages.len(), 5, "the five notices of the corpus");
    let public = build(site.path());

    for (stem, title, page) in &pages {
        let built = std::fs::read_to_string(public.join(format!("datenschutz/{stem}/index.html")))
            .unwrap_or_else(|_| panic!("Hugo did not publish {stem}"));
        let mut published = headings(&built);
        // The theme's title, once.
        assert_eq!(
            published.iter().filter(|(level, _, _)| *level == 1).count(),
            1,
            "{stem}"
        );
        assert_eq!(published.remove(0), (1, None, letters(title)), "{stem}");
        // Then the notice's headings, as the page has them, with the page's anchors: all but the
        // page's title and its contents list, which a site's theme gives.
        let expected: Vec<(u8, Option<String>, String)> = headings(page)
            .into_iter()
            .filter(|(level, id, _)| *level > 1 && id.as_deref() != Some("inhalt"))
            .collect();
        assert_eq!(
            published.len(),
            expected.len(),
            "{stem}: the headings differ"
        );
        for (published, expected) in published.iter().zip(&expected) {
            assert_eq!(published.0, expected.0, "{stem}: {}", expected.2);
            assert_eq!(published.2, expected.2, "{stem}");
            // Goldmark gives every heading an id; where the page has an anchor, it is the same.
            // (A section of prose without a heading has an anchor on the page only.)
            if expected.1.is_some() {
                assert_eq!(published.1, expected.1, "{stem}: {}", expected.2);
            }
        }
        assert_eq!(dangling_links(&built), Vec::<String>::new(), "{stem}");
    }

    // The page with the fragment: the site's <h1> alone, the notice's title below it, every id
    // once and every link into the notice with its target.
    let embedded = std::fs::read_to_string(public.join("einbettung/index.html")).unwrap();
    let published = headings(&embedded);
    assert_eq!(
        published.iter().filter(|(level, _, _)| *level == 1).count(),
        1
    );
    let kassel = &pages
        .iter()
        .find(|(stem, _, _)| stem == "stadt-kassel")
        .unwrap()
        .1;
    assert_eq!(published[1], (2, None, letters(kassel)));
    let embedded_ids = ids(&embedded);
    for (i, id) in embedded_ids.iter().enumerate() {
        assert!(!embedded_ids[..i].contains(id), "#{id} twice");
        assert!(*id == "inhalt" || id.starts_with("klartext-"), "#{id}");
    }
    assert_eq!(dangling_links(&embedded), Vec::<String>::new());
    assert!(
        embedded.contains("<link rel=\"stylesheet\" href=\"/klartext/fragment.css\">"),
        "the site links the fragment's stylesheet"
    );
}
