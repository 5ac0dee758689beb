//! What a site makes of klartext's output. A `.md` notice is rendered by the site's own Markdown
//! renderer, with raw HTML allowed, after its template engine has read the raw file; the HTML is
//! pasted into pages that a template engine may read too. Every fixture, every shipped policy and
//! a corpus of hostile values in every kind of field must come out with no script, no event
//! handler, no image or frame, no link with another scheme than http(s), mailto or tel, and no
//! template syntax.

use klartext::compile;
use klartext::render::{Format, Renderer};
use pulldown_cmark::{Options, Parser, html};

mod common;
use common::{hostile_sources, klar_files, template_syntax, unsafe_html};

/// HTML as a permissive CommonMark renderer makes it: raw HTML passed through, every extension on.
fn rendered(markdown: &str) -> String {
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(markdown, Options::all()));
    out
}

/// The Markdown without the ids klartext gives its headings (`## Server-Logs {#server-logs}`): the
/// one `{#` klartext writes itself, at the end of a heading line, with an anchor of letters,
/// digits, `-`, `_` and `.` and no `#}` after it, so a Jinja-like engine that reads it as the
/// start of a comment finds no end and fails instead of hiding text. Anything else stays, and
/// fails the check.
fn without_heading_ids(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for line in markdown.lines() {
        let stripped = line
            .strip_suffix('}')
            .filter(|_| line.starts_with('#'))
            .and_then(|rest| rest.rsplit_once(" {#"))
            .filter(|(_, id)| {
                !id.is_empty()
                    && id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            });
        out.push_str(stripped.map_or(line, |(heading, _)| heading));
        out.push('\n');
    }
    out
}

/// Compiles a source and checks what every web format makes of it; `None` if it does not compile.
fn check_outputs(name: &str, source: &[u8], renderer: &Renderer) -> Option<()> {
    let outcome = compile(name, source);
    let policy = outcome.policy()?;
    let markdown = renderer.render(policy, Format::Markdown).unwrap();
    if let Some(delimiter) = template_syntax(&without_heading_ids(&markdown)) {
        panic!("{name}: the .md holds `{delimiter}`:\n{markdown}");
    }
    if let Some(problem) = unsafe_html(&rendered(&markdown)) {
        panic!("{name}: the .md renders to {problem}:\n{markdown}");
    }
    for format in [Format::Html, Format::Fragment] {
        let page = renderer.render(policy, format).unwrap();
        let body = &page[page.find("<body").or(page.find("<article")).unwrap_or(0)..];
        if let Some(delimiter) = template_syntax(body) {
            panic!("{name}: the {} holds `{delimiter}`", format.name());
        }
        if let Some(problem) = unsafe_html(body) {
            panic!("{name}: the {} has {problem}", format.name());
        }
    }
    Some(())
}

#[test]
fn fixtures_and_policies_are_safe_in_every_web_format() {
    let renderer = Renderer::new();
    let mut checked = 0;
    for folder in ["tests/render", "policies", "examples"] {
        for path in klar_files(folder) {
            let source = std::fs::read(&path).unwrap();
            let name = path.display().to_string();
            check_outputs(&name, &source, &renderer)
                .unwrap_or_else(|| panic!("{name} does not compile"));
            checked += 1;
        }
    }
    assert!(checked >= 11, "only {checked} policies were checked");
}

#[test]
fn hostile_values_in_every_field_are_safe_in_every_web_format() {
    let renderer = Renderer::new();
    let sources = hostile_sources();
    let tried = sources.len();
    let mut compiled = 0;
    for (name, source) in sources {
        if check_outputs(&name, source.as_bytes(), &renderer).is_some() {
            compiled += 1;
        }
    }
    // Most payloads are legal text: they must compile and come out harmless, not be refused.
    assert!(
        compiled * 10 >= tried * 9,
        "only {compiled} of {tried} hostile policies compiled"
    );
}

#[test]
fn the_checks_find_what_they_look_for() {
    assert!(unsafe_html("<p><img src=x></p>").is_some());
    assert!(unsafe_html("<div onclick=\"x\">").is_some());
    assert!(unsafe_html("<a href=\"javascript:alert(1)\">").is_some());
    assert!(unsafe_html("<a href=\"https://example.org\">x</a> &lt;script&gt;").is_none());
    assert!(template_syntax("a {% b").is_some());
    assert!(template_syntax(&without_heading_ids("## Logs {#server-logs}\n")).is_none());
    for not_an_id in ["## A {#a b}", "## A {#a#}", "Text {#a}", "## A {#a} b"] {
        assert!(template_syntax(&without_heading_ids(not_an_id)).is_some());
    }
    assert!(rendered("<script>x</script>").contains("<script>"));
}

#[test]
fn yaml_export_has_no_tags_and_says_what_json_says() {
    let renderer = Renderer::new();
    for path in klar_files("policies")
        .into_iter()
        .chain(klar_files("tests/render"))
    {
        // By its path, so that a policy's imports are found.
        let outcome = compile(&path.display().to_string(), &std::fs::read(&path).unwrap());
        let policy = outcome.policy().unwrap();
        let yaml = renderer.render(policy, Format::Yaml).unwrap();
        let json = renderer.render(policy, Format::Json).unwrap();
        let tree: serde_yaml_ng::Value = serde_yaml_ng::from_str(&yaml).unwrap();
        assert!(!has_tag(&tree), "{}: the YAML has a tag", path.display());
        let from_yaml: serde_json::Value = serde_yaml_ng::from_str(&yaml).unwrap();
        let from_json: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(from_yaml, from_json, "{}", path.display());
    }
}

fn has_tag(value: &serde_yaml_ng::Value) -> bool {
    match value {
        serde_yaml_ng::Value::Tagged(_) => true,
        serde_yaml_ng::Value::Sequence(items) => items.iter().any(has_tag),
        serde_yaml_ng::Value::Mapping(map) => map.iter().any(|(k, v)| has_tag(k) || has_tag(v)),
        _ => false,
    }
}
