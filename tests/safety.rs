//! What a site makes of klartext's output. A `.md` notice is rendered by the site's own Markdown
//! renderer, with raw HTML allowed, after its template engine has read the raw file; the HTML is
//! pasted into pages that a template engine may read too. Every fixture, every shipped policy and
//! a corpus of hostile values in every kind of field must come out with no script, no event
//! handler, no image or frame, no link with another scheme than http(s), mailto or tel, and no
//! template syntax.

use std::path::{Path, PathBuf};

use klartext::compile;
use klartext::render::{Format, Renderer};
use pulldown_cmark::{Options, Parser, html};

/// Values that have broken out of some renderer somewhere.
const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<svg onload=alert(1)>",
    "[klick](javascript:alert(1))",
    "[klick](JaVaScRiPt:alert(1))",
    "[klick](&#106;avascript:alert(1))",
    "[klick](&amp;#106;avascript:alert(1))",
    "[klick](<javascript:alert(1)>)",
    "[klick][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<data:text/html,x>",
    "![pixel](https://evil.example/t.png)",
    "![pixel][img]\n\n[img]: https://evil.example/t.png",
    "[![pixel](https://evil.example/t.png)](https://example.org)",
    "[mail](mailto:a@b.de?bcc=c@d.de)",
    "<!-- [x](javascript:alert(1)) -->",
    "<?php [x](javascript:alert(1)) ?>",
    "<![CDATA[ ![x](https://evil.example/t.png) ]]>",
    "<pre>\n[x](javascript:alert(1))\n</pre>",
    "<table><tr><td>![x](https://evil.example/t.png)</td></tr></table>",
    "<div>\n\n[x](javascript:alert(1))\n\n</div>",
    "{{% param secret %}}",
    "{{< shortcode >}}",
    "{{ site.Params.secret }}",
    "{% include secret.html %}",
    "{# comment #}",
    "`{{< shortcode >}}`",
    "```\n{{% param secret %}}\n```",
    "    {{ indented code }}",
    "\\{{ escaped }}",
    "{\\{ x }}",
    "&#123;&#123; x &#125;&#125;",
    "# heading\n- item\n1. item\n> quote\n***",
    "| a | b |\n| - | - |\n| <script> | ![x](https://evil.example/t.png) |",
    "a\\\n<script>",
    "*[x]* _<b>_ ~~<i>~~",
];

/// Where a payload goes: a policy with `@` in the place of one or more strings or texts.
const PLACES: &[&str] = &[
    "policy \"@\" {\n  controller c \"Stadt\" {\n    address \"Markt 1\"\n  }\n}",
    "policy \"T\" {\n  controller c \"@\" {\n    address \"@\"\n    phone \"@\"\n    hours \"@\"\n  }\n}",
    "policy \"T\" {\n  controller c \"S\" {\n    officer \"@\" {\n      role \"@\"\n      organisation \"@\"\n    }\n  }\n}",
    "policy \"T\" {\n  preamble \"@\"\n}",
    "policy \"T\" {\n  preamble \"\"\"\n@\n  \"\"\"\n}",
    "policy \"T\" {\n  section s \"@\" {\n    text \"@\"\n  }\n}",
    "policy \"T\" {\n  organisation o \"@\" {\n    address \"@\"\n  }\n  activity a \"@\" {\n    recipient o\n  }\n}",
    "policy \"T\" {\n  activity a \"@\" {\n    data \"@\"\n    purpose \"@\"\n    subjects \"@\"\n    source \"@\"\n  }\n}",
    "policy \"T\" {\n  activity a \"A\" {\n    basis 6(1)(e) \"@\"\n    recipients \"@\"\n    retention until \"@\"\n  }\n}",
    "policy \"T\" {\n  activity a \"A\" {\n    cookie \"@\" {\n      purpose \"@\"\n      lifetime \"@\"\n    }\n  }\n}",
    "policy \"T\" {\n  activity a \"A\" {\n    link \"@\" \"https://example.org\"\n    objection \"@\"\n  }\n}",
    "policy \"T\" {\n  activity a \"A\" {\n    text \"\"\"\n@\n    \"\"\"\n  }\n}",
    "policy \"T\" {\n  rights {\n    right access {\n      text \"@\"\n    }\n  }\n}",
];

/// The source of a policy with `payload` in every `@` of `place`.
fn hostile_source(place: &str, payload: &str) -> Option<String> {
    let in_text_block = place.contains("\"\"\"\n@");
    if !in_text_block && payload.contains('\n') {
        return None;
    }
    let quoted = if in_text_block {
        payload.to_string()
    } else {
        payload.replace('\\', "\\\\").replace('"', "\\\"")
    };
    Some(place.replace('@', &quoted))
}

/// HTML as a permissive CommonMark renderer makes it: raw HTML passed through, every extension on.
fn rendered(markdown: &str) -> String {
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(markdown, Options::all()));
    out
}

/// Every opening tag of an HTML document, lower case, as `<name attributes…>`.
fn tags(html: &str) -> Vec<String> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let end = rest.find('>').unwrap_or(rest.len());
            tags.push(rest[..end].to_ascii_lowercase());
        }
    }
    tags
}

/// What is wrong with a page a browser would show, if anything.
fn unsafe_html(html: &str) -> Option<String> {
    for tag in tags(html) {
        let name: String = tag
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        if matches!(
            name.as_str(),
            "script" | "img" | "iframe" | "svg" | "object" | "embed"
        ) {
            return Some(format!("a <{name}> element: <{tag}>"));
        }
        let attributes = &tag[name.len()..];
        if attributes
            .split(|c: char| c.is_whitespace() || c == '"' || c == '\'')
            .any(|word| word.starts_with("on") && word.contains('='))
        {
            return Some(format!("an event handler: <{tag}>"));
        }
        for (at, _) in attributes.match_indices("href=\"") {
            let target = &attributes[at + 6..];
            let target = &target[..target.find('"').unwrap_or(target.len())];
            if let Some((scheme, _)) = target.split_once(':')
                && !scheme.contains(['/', '?', '#'])
                && !matches!(scheme, "http" | "https" | "mailto" | "tel")
            {
                return Some(format!("a link to `{target}`"));
            }
        }
    }
    None
}

fn template_syntax(text: &str) -> Option<&'static str> {
    ["{{", "{%", "{#"].into_iter().find(|d| text.contains(d))
}

/// Compiles a source and checks what every web format makes of it; `None` if it does not compile.
fn check_outputs(name: &str, source: &[u8], renderer: &Renderer) -> Option<()> {
    let outcome = compile(name, source);
    let policy = outcome
        .policy
        .filter(|_| !outcome.diagnostics.iter().any(|d| d.is_error()))?;
    let markdown = renderer.render(&policy, Format::Markdown).unwrap();
    if let Some(delimiter) = template_syntax(&markdown) {
        panic!("{name}: the .md holds `{delimiter}`:\n{markdown}");
    }
    if let Some(problem) = unsafe_html(&rendered(&markdown)) {
        panic!("{name}: the .md renders to {problem}:\n{markdown}");
    }
    for format in [Format::Html, Format::Fragment] {
        let page = renderer.render(&policy, format).unwrap();
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

fn klar_files(folder: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "klar"))
        .collect();
    files.sort();
    files
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
    let mut compiled = 0;
    let mut tried = 0;
    for place in PLACES {
        for payload in PAYLOADS {
            let Some(source) = hostile_source(place, payload) else {
                continue;
            };
            tried += 1;
            let name = format!("{place} with {payload:?}");
            if check_outputs(&name, source.as_bytes(), &renderer).is_some() {
                compiled += 1;
            }
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
    assert!(rendered("<script>x</script>").contains("<script>"));
}

#[test]
fn yaml_export_has_no_tags_and_says_what_json_says() {
    let renderer = Renderer::new();
    for path in klar_files("policies")
        .into_iter()
        .chain(klar_files("tests/render"))
    {
        let outcome = compile("policy", &std::fs::read(&path).unwrap());
        let policy = outcome.policy.unwrap();
        let yaml = renderer.render(&policy, Format::Yaml).unwrap();
        let json = renderer.render(&policy, Format::Json).unwrap();
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
