//! What the test crates share: the klartext binary run as a user runs it, and for the safety
//! tests a corpus of hostile values and places to put them, and the checks of what a browser or a
//! template engine would make of an output.

// Each test crate that includes this module uses a part of it.
#![allow(dead_code)]

/// Every diagnostic of a compile as `klartext check` shows it to a person, for a test's message
/// or snapshot.
pub fn report(outcome: &klartext::Outcome) -> String {
    outcome
        .diagnostics
        .iter()
        .map(|d| outcome.source.render(d, false))
        .collect()
}

/// The ```klar examples of a Markdown text, in order.
pub fn klar_examples(markdown: &str) -> Vec<String> {
    let mut examples = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_start()) {
            (None, "```klar") => current = Some(String::new()),
            (Some(_), "```") => examples.extend(current.take()),
            (Some(text), _) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    examples
}

/// The first keyword of an example, after its comments.
pub fn first_keyword(example: &str) -> &str {
    example
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .and_then(|line| line.split_whitespace().next())
        .unwrap_or("")
}

/// An example of the documentation as the policy it stands in: a complete policy as it is, a
/// fragment in a policy, or in an activity when it starts with an activity's fact; `{ … }`
/// stands for facts left out. `None` for a fragment of neither.
pub fn example_policy(example: &str) -> Option<String> {
    use klartext::language::{Context, keyword_in};
    let fragment = example.replace("{ … }", "{ }");
    let first = first_keyword(example);
    if first == "policy" {
        Some(example.to_string())
    } else if keyword_in(first, Context::Policy).is_some() {
        Some(format!("policy \"Beispiel\" {{\n{fragment}\n}}\n"))
    } else if keyword_in(first, Context::Activity).is_some() {
        Some(format!(
            "policy \"Beispiel\" {{\nactivity beispiel \"Beispiel\" {{\n{fragment}\n}}\n}}\n"
        ))
    } else {
        None
    }
}

/// Runs the klartext binary with `args` in `dir`, without colours.
pub fn klartext(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_klartext"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the klartext binary runs")
}

/// Values that have broken out of some renderer somewhere.
pub const PAYLOADS: &[&str] = &[
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
pub const PLACES: &[&str] = &[
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
    "policy \"T\" {\n  labels {\n    recipients \"@\"\n    rights \"@\"\n    contents \"@\"\n  }\n  activity a \"A\" {\n    recipients \"Presse\"\n  }\n}",
    "policy \"T\" {\n  activity a \"A\" {\n    basis 6(1)(e) \"@\" {\n      text \"@\"\n    }\n  }\n}",
    "policy \"T\" {\n  labels {\n    notice-wide \"@\"\n  }\n  defaults once {\n    recipients \"@\"\n    retention criteria \"@\"\n  }\n  activity a \"A\" {\n    data \"@\"\n  }\n}",
    "policy \"T\" {\n  controller c \"C\" {\n    officer {\n      lead-in \"@\"\n      email \"d@b.de\"\n    }\n  }\n  activity a \"A\" {\n    lead-in data \"@\"\n    data \"x\"\n    lead-in purpose \"@\"\n    purpose \"y\"\n  }\n}",
    "policy \"T\" {\n  applies-to \"@\"\n  controller c \"C\" {\n    unit \"@\"\n    address \"A\"\n  }\n}",
    "policy \"T\" {\n  rights {\n    right access {\n      restricted-by \"@\"\n    }\n    right access \"@\"\n  }\n}",
    "policy \"T\" {\n  organisation o \"@\" {\n    country US\n  }\n  activity a \"@\" {\n    basis 6(1)(e) \"@\"\n    processor o\n    joint-controller o {\n      essence \"@\"\n    }\n    transfer o scc {\n      copy \"@\"\n    }\n  }\n}",
    "policy \"T\" {\n  organisation o \"O\" {\n    address \"A\" { label \"@\" }\n    officer \"@\" {\n      phone \"0561 115\" { label \"@\" }\n    }\n  }\n  controller c \"C\" {\n    address \"A\" { label \"@\" }\n    email \"a@b.de\" { label \"@\" }\n  }\n  activity a \"A\" {\n    recipient o\n  }\n}",
    "policy \"T\" {\n  organisation o \"O\" {\n  }\n  activity a \"A\" {\n    recipient o {\n      basis \"@\"\n      purpose \"@\"\n      text \"@\"\n    }\n    recipient \"@\" {\n      basis \"@\"\n    }\n  }\n}",
    "policy \"T\" {\n  activity a \"A\" {\n    data \"@\" {\n      items \"@\", \"@\"\n    }\n    cookie {\n      purpose \"@\"\n      lifetime \"@\"\n      necessary\n      text \"@\"\n    }\n  }\n}",
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

/// Every policy of the corpus: each payload in each place where it fits.
pub fn hostile_sources() -> Vec<(String, String)> {
    let mut sources = Vec::new();
    for place in PLACES {
        for payload in PAYLOADS {
            if let Some(source) = hostile_source(place, payload) {
                sources.push((format!("{place} with {payload:?}"), source));
            }
        }
    }
    sources
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
pub fn unsafe_html(html: &str) -> Option<String> {
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

pub fn template_syntax(text: &str) -> Option<&'static str> {
    ["{{", "{%", "{#"].into_iter().find(|d| text.contains(d))
}

/// The policy sources (`.klar`) in a folder of the project, in name order.
pub fn klar_files(folder: &str) -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "klar"))
        .collect();
    files.sort();
    files
}
