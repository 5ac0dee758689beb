//! Model to documents: minijinja templates for HTML, Markdown and text; serde for JSON and YAML.
//!
//! Templates are embedded in the binary and can be overridden, one file at a time, from a folder
//! (`--templates DIR`), the way mdBook and zola do it; `klartext templates export` writes them
//! out to start from.

mod anchors;
pub mod filters;
mod markdown;
mod prose;
mod sha256;
mod summary;
mod tilt;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use minijinja::value::{Object, Serde};
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::law::law;
use crate::model::{Export, Language, Policy};

/// An output format of `klartext compile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// A complete, standalone HTML page.
    Html,
    /// The notice as an HTML fragment to embed in a CMS page.
    Fragment,
    /// CommonMark with GFM tables and front matter for static-site generators.
    Markdown,
    /// Plain text, wrapped at 80 columns.
    Text,
    Json,
    Yaml,
    /// The Transparency Information Language and Toolkit's JSON (`docs/tilt.md`).
    Tilt,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Html,
        Format::Fragment,
        Format::Markdown,
        Format::Text,
        Format::Json,
        Format::Yaml,
        Format::Tilt,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Fragment => "fragment",
            Format::Markdown => "md",
            Format::Text => "txt",
            Format::Json => "json",
            Format::Yaml => "yaml",
            Format::Tilt => "tilt",
        }
    }

    /// The extension of the file written for this format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Fragment => "fragment.html",
            Format::Tilt => "tilt.json",
            other => other.name(),
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|format| format.name() == name)
    }

    fn template(self) -> Option<&'static str> {
        match self {
            Format::Html => Some("page.html"),
            Format::Fragment => Some("fragment.html"),
            Format::Markdown => Some("notice.md"),
            Format::Text => Some("notice.txt"),
            Format::Json | Format::Yaml | Format::Tilt => None,
        }
    }
}

/// A line of text escaped for Markdown, as the Markdown notice escapes the author's words.
pub fn escape_markdown(text: &str) -> String {
    markdown::escape(text)
}

/// The templates shipped with klartext.
const TEMPLATES: &[(&str, &str)] = &[
    ("page.html", include_str!("../../templates/page.html")),
    (
        "fragment.html",
        include_str!("../../templates/fragment.html"),
    ),
    ("style.css", include_str!("../../templates/style.css")),
    ("fragment.css", include_str!("../../templates/fragment.css")),
    ("notice.md", include_str!("../../templates/notice.md")),
    ("notice.txt", include_str!("../../templates/notice.txt")),
];

/// The words around the facts, which a template folder may also give (all or some of them).
pub const LABELS_FILE: &str = "labels.yaml";

/// The stylesheet of the fragment, scoped to its root element `.klartext`: the page includes
/// it, and `compile` writes it beside the fragments for a site to link.
pub const FRAGMENT_STYLESHEET: &str = "fragment.css";

/// The files a template folder may hold, with their shipped text: the templates and
/// `labels.yaml`, as `klartext templates export` writes them.
pub fn shipped_files() -> Vec<(&'static str, &'static str)> {
    TEMPLATES
        .iter()
        .copied()
        .chain([(LABELS_FILE, crate::labels::SHIPPED)])
        .collect()
}

/// How the notices of a run are rendered, beyond the templates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The heading level of the fragment's title (1–6); the headings below it follow. The page
    /// is a document of its own, and starts at 1.
    pub heading_level: usize,
    /// What every id of the fragment, and every link to one, starts with, so that they do not
    /// collide with the ids of the page it is embedded in. The page keeps its anchors as they are.
    pub id_prefix: String,
    /// Whether the human formats start with the summary, "Das Wichtigste in Kürze".
    pub summary: bool,
    /// Whether the Markdown notice starts with its title as a heading (a static site's theme
    /// usually prints the title of the front matter itself).
    pub markdown_title: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            heading_level: 1,
            id_prefix: "klartext-".to_string(),
            summary: true,
            markdown_title: true,
        }
    }
}

impl Options {
    /// Whether `prefix` may start the fragment's ids: empty, or a letter followed by letters,
    /// digits, `-` and `_`, so that it neither breaks an attribute nor needs escaping in a URL
    /// or a CSS selector.
    pub fn valid_id_prefix(prefix: &str) -> bool {
        prefix.is_empty()
            || (prefix.starts_with(|c: char| c.is_ascii_alphabetic())
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    }
}

#[derive(Debug)]
pub struct RenderError(pub String);

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RenderError {}

impl From<minijinja::Error> for RenderError {
    fn from(error: minijinja::Error) -> Self {
        let mut message = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            message.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        RenderError(message)
    }
}

pub struct Renderer {
    env: Environment<'static>,
    labels: BTreeMap<String, BTreeMap<String, String>>,
    options: Options,
}

impl Renderer {
    /// The renderer with the shipped templates.
    pub fn new() -> Renderer {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .keep_trailing_newline(true)
                .build()
                .unwrap_or_default(),
        );
        // minijinja's HTML escaping also escapes `/`, which is valid but makes every URL in the
        // page source unreadable; policy text needs only the five characters HTML gives meaning.
        env.set_formatter(|out, state, value| match value.as_str() {
            Some(text) if *state.auto_escape() == AutoEscape::Html && !value.is_safe() => {
                out.write_str(&filters::escape_html(text)).map_err(|_| {
                    minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "cannot write output")
                })
            }
            _ => minijinja::escape_formatter(out, state, value),
        });
        env.add_filter("prose_html", filters::prose_html);
        env.add_filter("prose_md", filters::prose_md);
        env.add_filter("prose_text", filters::prose_text);
        env.add_filter("wrap", filters::wrap);
        env.add_filter("md", |text: &str| markdown::escape(text));
        env.add_filter("mailto_md", |address: &str| markdown::mailto(address));
        env.add_filter("date", filters::date);
        env.add_filter("duration", filters::duration);
        env.add_filter("cite", filters::cite);
        env.add_filter("basis_label", filters::basis_label);
        env.add_filter("country", filters::country);
        env.add_filter("runs", filters::runs);
        // Filters, not template macros: a macro call cost as much as a page's dozen headings.
        env.add_filter("label", filters::label);
        env.add_filter("h", filters::heading);
        env.add_filter("href", |url: &str| crate::address::href(url));
        env.add_filter("tel", |number: &str| filters::tel(number));
        env.add_filter("underline", |text: &str, mark: &str| {
            filters::underline(text, mark)
        });
        env.add_filter("yaml", |text: &str| filters::yaml(text));
        // A label before its facts ends in a colon, unless the author's wording ends in a mark of
        // its own ("An wen werden meine Daten weitergegeben?").
        env.add_filter("colon", |text: &str| {
            if text.trim_end().ends_with(['?', ':', '!', '.']) {
                text.to_string()
            } else {
                format!("{text}:")
            }
        });
        for (name, source) in TEMPLATES {
            // The shipped templates are tested to compile; a failure cannot come from a policy.
            if let Err(error) = env.add_template(name, source) {
                panic!("shipped template {name} does not compile: {error}");
            }
        }
        Renderer {
            env,
            labels: crate::labels::all().clone(),
            options: Options::default(),
        }
    }

    /// The renderer with these options.
    pub fn with_options(mut self, options: Options) -> Renderer {
        self.options = options;
        self
    }

    /// The shipped templates with those found in `dir` put in their place, and the labels of
    /// its `labels.yaml` in place of the shipped ones. A folder may hold any of these files,
    /// `labels.yaml` alone included, but not none of them.
    pub fn with_templates(dir: &Path) -> Result<Renderer, RenderError> {
        let mut renderer = Renderer::new();
        let mut found = false;
        for (name, _) in TEMPLATES {
            let path = dir.join(name);
            if !path.exists() {
                continue;
            }
            found = true;
            let source = std::fs::read_to_string(&path).map_err(|error| {
                RenderError(format!("cannot read template {}: {error}", path.display()))
            })?;
            renderer
                .env
                .add_template_owned(name.to_string(), source)
                .map_err(|error| RenderError(format!("template {}: {error}", path.display())))?;
        }
        let labels = dir.join(LABELS_FILE);
        if labels.exists() {
            found = true;
            let text = std::fs::read_to_string(&labels).map_err(|error| {
                RenderError(format!("cannot read {}: {error}", labels.display()))
            })?;
            renderer
                .replace_labels(&text)
                .map_err(|error| RenderError(format!("{}: {error}", labels.display())))?;
        }
        if !found {
            return Err(RenderError(format!(
                "{} holds none of the files klartext reads from a template folder ({})",
                dir.display(),
                shipped_files()
                    .iter()
                    .map(|(name, _)| *name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        Ok(renderer)
    }

    /// Puts the labels of a `labels.yaml` in place of the shipped ones. It may give some labels
    /// of some languages; each must be one klartext prints, so that a misspelt name is an error
    /// and not a label that silently stays as shipped.
    fn replace_labels(&mut self, text: &str) -> Result<(), String> {
        let given: BTreeMap<String, BTreeMap<String, String>> =
            serde_yaml_ng::from_str(text).map_err(|error| error.to_string())?;
        for (language, labels) in given {
            let Some(shipped) = self.labels.get_mut(&language) else {
                let known: Vec<&str> = self.labels.keys().map(String::as_str).collect();
                return Err(format!(
                    "there is no language `{language}`; the languages are {}",
                    known.join(", ")
                ));
            };
            for (name, label) in labels {
                match shipped.get_mut(&name) {
                    Some(wording) => *wording = label,
                    None => return Err(format!("there is no label `{name}` (in `{language}`)")),
                }
            }
        }
        Ok(())
    }

    /// The fragment's stylesheet (`fragment.css`, or the template folder's), for a site to link.
    pub fn stylesheet(&self) -> Result<String, RenderError> {
        Ok(self
            .env
            .get_template(FRAGMENT_STYLESHEET)?
            .render(minijinja::context! {})?)
    }

    /// The notice in `format`.
    pub fn render(&self, policy: &Policy, format: Format) -> Result<String, RenderError> {
        self.render_keyed(policy, format, None)
    }

    /// The notice in `format`; `key` names the notice across its translations (in the
    /// Markdown front matter's `translationKey`), see [`translation_key`].
    pub fn render_keyed(
        &self,
        written: &Policy,
        format: Format,
        key: Option<&str>,
    ) -> Result<String, RenderError> {
        let mut documents = self.render_each(written, &[format], key)?;
        Ok(documents.remove(0))
    }

    /// The notice in each of `formats`, in their order. The policy is prepared once for the
    /// templates and once for the exports, whatever the number of formats: preparing it (a
    /// copy, its anchors, its values for the templates) costs as much as a rendering.
    pub fn render_each(
        &self,
        written: &Policy,
        formats: &[Format],
        key: Option<&str>,
    ) -> Result<Vec<String>, RenderError> {
        let mut notice: Option<Notice> = None;
        let mut export: Option<Policy> = None;
        let mut documents = Vec::with_capacity(formats.len());
        for &format in formats {
            let document = match format.template() {
                None => {
                    let policy = export.get_or_insert_with(|| prepare(written, false));
                    render_export(policy, written, format)
                }
                Some(name) => {
                    let notice = notice.get_or_insert_with(|| Notice::new(prepare(written, true)));
                    self.render_template(notice, name, format, key)
                }
            };
            documents.push(
                document.map_err(|error| RenderError(format!("as {}: {error}", format.name())))?,
            );
        }
        Ok(documents)
    }

    fn render_template(
        &self,
        notice: &Notice,
        name: &str,
        format: Format,
        key: Option<&str>,
    ) -> Result<String, RenderError> {
        let template = self.env.get_template(name)?;
        let rendered = template.render(self.context(notice, format, key))?;
        Ok(match format {
            Format::Markdown | Format::Text => tidy(&rendered),
            _ => tidy_html(&rendered),
        })
    }

    fn context(&self, notice: &Notice, format: Format, key: Option<&str>) -> Value {
        let policy = &notice.policy;
        let lang = policy.language.code();
        let mut labels = self
            .labels
            .get(lang)
            .or_else(|| self.labels.get(Language::De.code()))
            .cloned()
            .unwrap_or_default();
        // The policy's own headings replace the shipped ones. They are the author's text: HTML
        // escapes them as every text, Markdown needs them escaped here, as templates print
        // labels as they are.
        for (name, text) in &policy.labels {
            let text = match format {
                Format::Markdown => markdown::escape(text),
                _ => text.to_string(),
            };
            // A label with a word for one item (`purposes_one`) takes the author's wording for
            // both, unless the author gives that one too.
            let one = format!("{name}_one");
            if labels.contains_key(&one) && !policy.labels.contains_key(&one) {
                labels.insert(one, text.clone());
            }
            labels.insert(name.clone(), text);
        }
        // Only the fragment is embedded in a page of someone else's: the page is a document of
        // its own, and the Markdown's ids are the page's, for links to keep working.
        let (top, id_prefix) = match format {
            Format::Fragment => (self.options.heading_level, self.options.id_prefix.as_str()),
            _ => (1, ""),
        };
        #[derive(Serialize)]
        struct Context<'a> {
            policy: &'a Value,
            organisations: Value,
            controllers: Value,
            rights: &'a Value,
            labels: BTreeMap<String, String>,
            lang: &'a str,
            generator: &'a str,
            summary: &'a Value,
            show_summary: bool,
            show_title: bool,
            top: usize,
            id_prefix: &'a str,
            translation_key: Option<&'a str>,
        }
        Value::from(Serde(Context {
            policy: &notice.value,
            organisations: Value::from_object(ById::Organisations(Arc::clone(policy))),
            controllers: Value::from_object(ById::Controllers(Arc::clone(policy))),
            rights: &notice.rights,
            labels,
            lang,
            generator: concat!("klartext ", env!("CARGO_PKG_VERSION")),
            summary: &notice.summary,
            show_summary: self.options.summary,
            show_title: format != Format::Markdown || self.options.markdown_title,
            top,
            id_prefix,
            translation_key: key,
        }))
    }
}

/// A policy as every human format shows it, with the values the templates read from it, made
/// once for all of them.
struct Notice {
    policy: Arc<Policy>,
    value: Value,
    summary: Value,
    rights: Value,
}

impl Notice {
    fn new(policy: Policy) -> Notice {
        let rights: BTreeMap<&str, &crate::law::RightInfo> =
            law().rights.iter().map(|r| (r.kind.as_str(), r)).collect();
        Notice {
            value: Value::from(Serde(&policy)),
            summary: Value::from(Serde(summary::of(&policy))),
            rights: Value::from(Serde(rights)),
            policy: Arc::new(policy),
        }
    }
}

/// The policy as written, prepared for the notice (`for_notice`) or for an export: every format
/// gives as the notice's date the one it shows, the latest revision's, and the anchors the
/// notice's parts have.
fn prepare(written: &Policy, for_notice: bool) -> Policy {
    let mut policy = written.clone();
    policy.revised = policy.stand();
    if for_notice {
        show_defaults_once(&mut policy.contents);
        // The notice lists its changes newest first; the export keeps the order written.
        policy.revisions.sort_by_key(|r| std::cmp::Reverse(r.date));
    }
    anchors::assign(&mut policy);
    policy
}

/// The policy in one of the formats that are not templates: JSON, YAML and TILT.
fn render_export(policy: &Policy, written: &Policy, format: Format) -> Result<String, RenderError> {
    match format {
        Format::Json => {
            let mut json = serde_json::to_string_pretty(&Export::new(policy))
                .map_err(|e| RenderError(e.to_string()))?;
            json.push('\n');
            Ok(json)
        }
        Format::Yaml => {
            // Enums as one-key maps, the shape the JSON export has, instead of YAML tags
            // (`!described`) that a YAML 1.2 safe loader refuses.
            let mut yaml = Vec::new();
            serde_yaml_ng::with::singleton_map_recursive::serialize(
                &Export::new(policy),
                &mut serde_yaml_ng::Serializer::new(&mut yaml),
            )
            .map_err(|e| RenderError(e.to_string()))?;
            String::from_utf8(yaml).map_err(|e| RenderError(e.to_string()))
        }
        _ => tilt::export(policy, written.revised.as_deref().copied()),
    }
}

/// The name that links the translations of a notice (Hugo's `translationKey`): the policy file's
/// stem without a language code at its end, so that `datenschutz.klar` and `datenschutz.en.klar`
/// (written as `datenschutz.md` and `datenschutz.en.md`, Hugo's names for translations) share
/// `datenschutz`.
pub fn translation_key(stem: &str) -> &str {
    match stem.rsplit_once('.') {
        Some((base, code))
            if !base.is_empty()
                && [Language::De, Language::En]
                    .iter()
                    .any(|language| language.code() == code) =>
        {
            base
        }
        _ => stem,
    }
}

/// With `defaults once`, a notice shows each activity without the facts it took from the
/// defaults: they stand once in the statement for all processing. The export keeps them.
fn show_defaults_once(parts: &mut [crate::model::Part]) {
    use crate::model::Part;
    for part in parts {
        match part {
            Part::Activity(activity) => {
                if let Some(shown) = activity.shown.take() {
                    **activity = *shown;
                }
            }
            Part::Section(section) => show_defaults_once(&mut section.contents),
            _ => {}
        }
    }
}

/// The organisations or controllers of a policy by id, for `organisations[id]` in a template:
/// looked up in the model's own index, not in a map built for each page.
#[derive(Debug)]
enum ById {
    Organisations(Arc<Policy>),
    Controllers(Arc<Policy>),
}

impl Object for ById {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let id = key.as_str()?;
        match self.as_ref() {
            ById::Organisations(policy) => policy.organisation(id).map(|o| Value::from(Serde(o))),
            ById::Controllers(policy) => policy.controller(id).map(|c| Value::from(Serde(c))),
        }
    }
}

impl Default for Renderer {
    fn default() -> Self {
        Renderer::new()
    }
}

/// Evens out the whitespace that templates leave: no trailing spaces, at most one blank line in a
/// row, one newline at the end. Plain text and Markdown are read as files, so this matters.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_lines = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_lines += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_lines > 0 { "\n\n" } else { "\n" });
        }
        blank_lines = 0;
        out.push_str(line);
    }
    out.push('\n');
    out
}

/// Drops the blank lines templates leave between HTML elements, except in preformatted text.
fn tidy_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_pre = false;
    for line in html.lines() {
        if in_pre || !line.trim().is_empty() {
            out.push_str(line);
            out.push('\n');
        }
        let opened = line.matches("<pre").count();
        let closed = line.matches("</pre>").count();
        if opened != closed {
            in_pre = opened > closed;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translations_share_the_stem_without_their_language() {
        assert_eq!(translation_key("datenschutz"), "datenschutz");
        assert_eq!(translation_key("datenschutz.en"), "datenschutz");
        assert_eq!(translation_key("datenschutz.de"), "datenschutz");
        assert_eq!(translation_key("stadt.kassel"), "stadt.kassel");
        assert_eq!(translation_key(".en"), ".en");
    }
}
