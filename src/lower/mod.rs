//! Syntax tree to typed model: gives keywords their meaning, checks values, resolves references.
//!
//! Lowering reports every problem it finds and goes on, so one run shows all of them. It returns
//! the model of what it could read, also when there were errors; only a source without a policy
//! has none.
//!
//! `activity.rs` lowers processing activities, `values.rs` reads and checks single values, and
//! `resolve.rs` checks references and builds the symbol table. Which keywords a block has,
//! for the help on one it does not have, and their German aliases come from the table in
//! [`crate::language`]; a test below checks that the `match` arms here accept exactly those.

mod activity;
mod resolve;
mod values;

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Fix, Span, did_you_mean};
use crate::imports::{Imports, Kind};
use crate::language::Context;
use crate::law::law;
use crate::model::*;
use crate::syntax::{File, Item, Value, ValueKind};

/// Lowers the syntax tree `file` of the policy text `source`, which imports nothing but the
/// standard library.
pub fn lower(source: &str, file: &File) -> (Option<Policy>, Vec<Diagnostic>) {
    let mut sources = crate::source::Sources::new("", source);
    lower_with(source, file, &mut Imports::default(), &mut sources)
}

/// Lowers the syntax tree `file` of the policy text `source`, taking what it uses from
/// `imports`; the libraries it takes from are added to `sources`.
pub fn lower_with(
    source: &str,
    file: &File,
    imports: &mut Imports,
    sources: &mut crate::source::Sources,
) -> (Option<Policy>, Vec<Diagnostic>) {
    let mut lowerer = Lowerer {
        source,
        imports: Some(Imported { imports, sources }),
        ..Lowerer::default()
    };
    let policy = lowerer.file(file);
    let policy = policy.map(|mut policy| {
        lowerer.import_organisations(&mut policy);
        lowerer.resolve(&policy);
        policy.symbols = resolve::symbols(&policy, &lowerer.default_references);
        policy
    });
    if let Some(imported) = &lowerer.imports {
        let unused = imported.imports.unused();
        lowerer.diagnostics.extend(unused);
    }
    (policy, lowerer.diagnostics)
}

/// Lowers every declaration of a library on its own, for the problems a policy that takes it
/// would meet (`klartext check lib/hosting.klar`), and what may not stand at its top.
pub fn lower_library(
    source: &str,
    file: &File,
    imports: &mut Imports,
    sources: &mut crate::source::Sources,
) -> Vec<Diagnostic> {
    let mut lowerer = Lowerer {
        source,
        imports: Some(Imported { imports, sources }),
        ..Lowerer::default()
    };
    for item in &file.items {
        match Kind::of(&item.keyword.text) {
            Some(Kind::Organisation) => {
                lowerer.organisation(item);
            }
            Some(Kind::Activity) => {
                lowerer.activity(item);
            }
            Some(Kind::Section) => {
                lowerer.section(item, false);
            }
            Some(Kind::Defaults) => {
                let unnamed = Item {
                    values: item.values.iter().skip(1).cloned().collect(),
                    ..item.clone()
                };
                lowerer.defaults(&unnamed, false);
            }
            None => {}
        }
    }
    let mut diagnostics = crate::imports::Top::read(file).problems;
    diagnostics.extend(lowerer.diagnostics);
    diagnostics
}

/// The libraries a compile can take from, and the sources they are added to when taken.
struct Imported<'a> {
    imports: &'a mut Imports,
    sources: &'a mut crate::source::Sources,
}

pub(crate) const SAFEGUARDS: &[&str] = &["adequacy", "dpf", "scc", "bcr", "derogation", "none"];
pub(crate) const TIME_UNITS: &[&str] = &[
    "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks", "month", "months",
    "year", "years",
];

#[derive(Default)]
struct Lowerer<'s> {
    /// The text the tree was parsed from, for fixes that keep what the author wrote.
    source: &'s str,
    diagnostics: Vec<Diagnostic>,
    suggestions_made: usize,
    /// The blocks whose facts are being lowered, outermost first.
    scopes: Vec<values::Scope>,
    imports: Option<Imported<'s>>,
    /// The library declarations being taken, innermost last: one that takes itself is a cycle.
    taking: Vec<String>,
    /// The references in `defaults`, also those no activity takes: an editor renames them too.
    default_references: Vec<(SymbolKind, Reference)>,
}

impl Lowerer<'_> {
    fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// The text of the source a span lies in: the policy's, or an imported library's.
    fn text_of(&self, span: Span) -> &str {
        if span.file == crate::source::FileId::MAIN {
            return self.source;
        }
        self.imports
            .as_ref()
            .and_then(|imported| imported.imports.text(span.file))
            .unwrap_or_default()
    }

    /// Keeps the references of `defaults` for the symbol table.
    fn remember_references(&mut self, defaults: &Activity) {
        let controller = defaults
            .controller
            .iter()
            .map(|r| (SymbolKind::Controller, r.clone()));
        let organisations = resolve::organisation_references(defaults)
            .map(|r| (SymbolKind::Organisation, r.clone()));
        let references: Vec<_> = controller.chain(organisations).collect();
        self.default_references.extend(references);
    }

    /// `use "lib/hosting.klar"`: read before lowering ([`Imports::resolve`]); here only its
    /// form is checked.
    fn use_path(&mut self, fact: &Item) {
        self.no_block(fact);
        if !matches!(fact.values.as_slice(), [v] if matches!(v.kind, ValueKind::String(_))) {
            self.error(crate::imports::use_needs_path(fact.keyword.span));
        }
    }

    /// The head of a block taken from a library, if it has `from`: `[id] from base ["Title"]`.
    /// A malformed head with `from` is reported, and read as far as it goes.
    fn taken_from(&mut self, item: &Item, what: &str) -> Option<activity::TakenFrom> {
        let at = item
            .values
            .iter()
            .position(|v| matches!(&v.kind, ValueKind::Word(w) if w == "from"))?;
        let (before, after) = item.values.split_at(at);
        let id = match before {
            [] => None,
            [
                Value {
                    kind: ValueKind::Word(id),
                    ..
                },
            ] => Some(id.clone()),
            [first, ..] => {
                self.wrong_value(
                    item,
                    first,
                    "its own id, or nothing, before `from`",
                    &from_example(what),
                );
                None
            }
        };
        let (base, title) = match &after[1..] {
            [
                base @ Value {
                    kind: ValueKind::Word(base_id),
                    ..
                },
                rest @ ..,
            ] => {
                let title = match rest {
                    [] => None,
                    [
                        Value {
                            kind: ValueKind::String(title),
                            ..
                        },
                    ] => Some(title.clone()),
                    [other, ..] => {
                        self.wrong_value(
                            item,
                            other,
                            "an optional title in quotes after the library's id",
                            &from_example(what),
                        );
                        None
                    }
                };
                (
                    Reference {
                        id: base_id.clone(),
                        span: base.span,
                    },
                    title,
                )
            }
            _ => {
                self.error(
                    Diagnostic::error(
                        "missing-value",
                        after[0].span,
                        format!(
                            "`from` needs the id of the {what} to take, e.g. `std.contact-form`"
                        ),
                    )
                    .with_help(format!("write e.g. `{}`", from_example(what))),
                );
                (
                    Reference {
                        id: String::new(),
                        span: after[0].span,
                    },
                    None,
                )
            }
        };
        Some(activity::TakenFrom { id, base, title })
    }

    /// [`Lowerer::take`], refusing a declaration that is being taken already (it takes itself,
    /// directly or through others).
    fn take_once<T>(
        &mut self,
        base: &Reference,
        kind: Kind,
        lower: impl FnOnce(&mut Self, &Item) -> T,
    ) -> Option<T> {
        if base.id.is_empty() {
            return None;
        }
        if self.taking.contains(&base.id) {
            let circle = self.taking.join(" → ");
            self.error(
                Diagnostic::error(
                    "import-cycle",
                    base.span,
                    format!("`{}` is taken from itself: {circle} → {}", base.id, base.id),
                )
                .with_help("a declaration cannot be built from itself; take it from another one"),
            );
            return None;
        }
        self.taking.push(base.id.clone());
        let taken = self.take(&base.id, kind, base.span, lower);
        self.taking.pop();
        taken
    }

    /// Takes from the libraries every organisation the policy refers to and does not declare
    /// itself, and reports an organisation the policy declares that a library declares too.
    fn import_organisations(&mut self, policy: &mut Policy) {
        let Some(imported) = &self.imports else {
            return;
        };
        let clashes: Vec<Diagnostic> = policy
            .organisations
            .iter()
            .filter(|o| o.span.file == crate::source::FileId::MAIN)
            .filter_map(|o| {
                let (_, there) = imported.imports.declared(&o.id)?;
                Some(
                    Diagnostic::error(
                        "duplicate-id",
                        o.span.head("organisation"),
                        format!(
                            "the id `{}` is declared by the policy and by a library it uses",
                            o.id
                        ),
                    )
                    .with_related(there, "the library declares it here")
                    .with_help("rename one of them, or remove the policy's and use the library's"),
                )
            })
            .collect();
        self.diagnostics.extend(clashes);
        loop {
            let declared: std::collections::BTreeSet<String> =
                policy.organisations.iter().map(|o| o.id.clone()).collect();
            let mut wanted: Vec<Reference> = Vec::new();
            for activity in policy.activities() {
                for reference in resolve::organisation_references(activity) {
                    if !declared.contains(&reference.id)
                        && !wanted.iter().any(|w| w.id == reference.id)
                    {
                        wanted.push(reference.clone());
                    }
                }
            }
            let mut added = false;
            for reference in wanted {
                let provided = self.imports.as_mut().is_some_and(|imported| {
                    imported.imports.provides(&reference.id, Kind::Organisation)
                });
                if !provided {
                    continue;
                }
                if let Some(organisation) = self
                    .take(
                        &reference.id,
                        Kind::Organisation,
                        reference.span,
                        |l, item| l.organisation(item),
                    )
                    .flatten()
                {
                    policy.organisations.push(organisation);
                    added = true;
                }
            }
            if !added {
                break;
            }
        }
    }

    /// The declaration `id` of `kind` from the libraries, lowered by `lower`; reports an id no
    /// library declares at `span`.
    fn take<T>(
        &mut self,
        id: &str,
        kind: Kind,
        span: Span,
        lower: impl FnOnce(&mut Self, &Item) -> T,
    ) -> Option<T> {
        let taken = self
            .imports
            .as_mut()
            .and_then(|imported| imported.imports.take(id, kind, imported.sources));
        match taken {
            Some(item) => {
                // What a library declares is lowered in its own scope, not in the block that
                // takes it.
                let scopes = std::mem::take(&mut self.scopes);
                let lowered = lower(self, &item);
                self.scopes = scopes;
                Some(lowered)
            }
            None => {
                let suggestion = self
                    .imports
                    .as_ref()
                    .and_then(|imported| imported.imports.suggest(id, kind));
                let mut problem = Diagnostic::error(
                    "unknown-import",
                    span,
                    format!(
                        "no library this policy uses declares the {} `{id}`",
                        kind.keyword()
                    ),
                )
                .with_label("not declared");
                problem = match suggestion {
                    Some(s) => problem
                        .with_help(format!("did you mean `{s}`?"))
                        .with_fix(span, s.clone(), format!("replace with `{s}`")),
                    None => problem.with_help(
                        "import the library that declares it (`use \"lib/….klar\"`), or take one of the standard library (`std.…`, see `docs/std.md`)",
                    ),
                };
                self.error(problem);
                None
            }
        }
    }

    fn file(&mut self, file: &File) -> Option<Policy> {
        let mut policy: Option<Policy> = None;
        for item in &file.items {
            if item.keyword.text != "policy" {
                let mut problem = Diagnostic::error(
                    "unknown-keyword",
                    item.keyword.span,
                    format!("`{}` cannot stand outside the policy", item.keyword.text),
                )
                .with_label("expected `policy`");
                if item.keyword.text.len() > 2
                    && did_you_mean(&item.keyword.text, ["policy"]).is_some()
                {
                    problem = problem.with_help("did you mean `policy`?").with_fix(
                        item.keyword.span,
                        "policy",
                        "replace with `policy`",
                    );
                } else {
                    problem = problem.with_help("everything goes inside `policy \"Title\" { … }`");
                }
                self.error(problem);
            } else if let Some(first) = &policy {
                self.error(
                    Diagnostic::error(
                        "duplicate-policy",
                        item.keyword.span,
                        "a file holds one policy only",
                    )
                    .with_related(first.span.head("policy"), "the first policy starts here")
                    .with_help("put the second policy in a file of its own"),
                );
            } else {
                policy = Some(self.policy(item));
            }
        }
        if policy.is_none() && file.items.is_empty() && file.damaged.is_empty() {
            self.error(
                Diagnostic::error("empty-file", Span::new(0, 0), "this file contains no policy")
                    .with_help("a policy starts with `policy \"Datenschutzerklärung der …\" {` and ends with `}`"),
            );
        }
        policy
    }

    fn policy(&mut self, item: &Item) -> Policy {
        let title = self.title(
            item,
            "policy",
            "policy \"Datenschutzerklärung der Stadt …\" {",
        );
        let mut policy = Policy {
            title,
            language: Language::De,
            state: None,
            revised: None,
            revised_placeholder: None,
            revisions: Vec::new(),
            websites: Vec::new(),
            applies_to: Vec::new(),
            published_at: None,
            labels: BTreeMap::new(),
            preamble: None,
            contents: Vec::new(),
            organisations: Vec::new(),
            allowances: Vec::new(),
            span: item.span,
            symbols: Symbols::default(),
        };
        let mut language = None;
        let mut defaults = None;
        let mut defaults_at = 0;
        let mut defaults_once = false;
        for fact in self.block(item, "policy") {
            match fact.keyword.text.as_str() {
                "language" => {
                    let value = self.word(fact, "language de").and_then(|word| match word.as_str() {
                        "de" => Some(Language::De),
                        "en" => Some(Language::En),
                        _ => {
                            self.error(
                                Diagnostic::error(
                                    "unknown-language",
                                    fact.values[0].span,
                                    format!("klartext cannot write notices in `{word}`"),
                                )
                                .with_help("write `language de` for German or `language en` for English"),
                            );
                            None
                        }
                    });
                    self.once(&mut language, value, fact);
                }
                "state" => {
                    let value = self.state(fact).map(|value| spanned(value, fact));
                    self.once(&mut policy.state, value, fact);
                }
                "revised" if is_placeholder(fact) => {
                    let value = self.string(fact, "revised 2024-05-02");
                    self.once(&mut policy.revised_placeholder, value, fact);
                }
                "revised" => {
                    let value = self.date(fact).map(|value| spanned(value, fact));
                    self.once(&mut policy.revised, value, fact);
                }
                "revision" => policy.revisions.extend(self.revision(fact)),
                "website" => {
                    let urls = self.urls(fact, "website \"https://www.example.de\"");
                    policy.websites.extend(urls);
                }
                "applies-to" => {
                    let texts = self.strings(
                        fact,
                        "applies-to \"Antrag auf Erteilung eines Wahlscheins\"",
                    );
                    policy.applies_to.extend(texts);
                }
                "published-at" => {
                    let value = self
                        .string(fact, "published-at \"https://www.example.de/datenschutz\"")
                        .filter(|url| self.check_url(url, url.span()));
                    self.once(&mut policy.published_at, value, fact);
                }
                "preamble" => {
                    let value = self.text(fact, "preamble \"\"\"…\"\"\"");
                    self.once(&mut policy.preamble, value, fact);
                }
                "allow" => policy.allowances.extend(self.allowance(fact)),
                "use" => self.use_path(fact),
                "labels" => self.labels(fact, &mut policy.labels),
                "controller" => {
                    let controller = self.controller(fact);
                    policy.contents.push(Part::Controller(controller));
                }
                "supervisory-authority" => {
                    let authority = self.authority(fact);
                    policy.contents.push(Part::SupervisoryAuthority(authority));
                }
                "organisation" => policy.organisations.extend(self.organisation(fact)),
                "activity" => {
                    let activity = self.activity(fact);
                    policy.contents.push(Part::Activity(Box::new(activity)));
                }
                "section" => {
                    let section = self.section(fact, false);
                    policy.contents.push(Part::Section(section));
                }
                "rights" => {
                    let rights = self.rights(fact);
                    policy.contents.push(Part::Rights(rights));
                }
                "defaults" => {
                    if defaults.is_none() {
                        defaults_at = policy.contents.len();
                    }
                    let (value, once) = self.defaults(fact, true);
                    self.remember_references(&value);
                    if defaults.is_none() {
                        defaults_once = once;
                    }
                    self.once(&mut defaults, Some(value), fact);
                }
                _ => self.unknown(fact, Context::Policy),
            }
        }
        policy.language = language.unwrap_or(Language::De);
        // Whether an activity states a fact of its own where the defaults state one: the
        // notice-wide statement then holds "unless stated otherwise".
        let mut overridden = false;
        if let Some(defaults) = &defaults {
            for_each_activity(&mut policy.contents, &mut |activity| {
                if defaults_once {
                    activity.shown = Some(Box::new(activity.clone()));
                }
                overridden |= activity::inherit(activity, defaults).overrode;
            });
        }
        // A notice without activities, or with `defaults once`, says what it says for all
        // processing once: its defaults are the notice-wide statement, where the block stands.
        if let Some(defaults) = defaults
            && (defaults_once || policy.activities().is_empty())
            && activity::states_something(&defaults)
        {
            let key = if overridden {
                "notice_wide_unless_stated"
            } else {
                "notice_wide"
            };
            let title = policy
                .labels
                .get(key)
                .cloned()
                .unwrap_or_else(|| Text::unwritten(crate::labels::label(policy.language, key)));
            let mut notice_wide = defaults;
            notice_wide.title = title;
            notice_wide.notice_wide = true;
            let at = defaults_at.min(policy.contents.len());
            policy
                .contents
                .insert(at, Part::Activity(Box::new(notice_wide)));
        }
        policy
    }

    fn controller(&mut self, item: &Item) -> Controller {
        let (id, name) = self.header(
            item,
            "controller",
            "controller stadt \"Stadt Musterhausen\" {",
        );
        let mut controller = Controller {
            id,
            anchor: String::new(),
            name,
            kind: ControllerKind::Public,
            represented_by: None,
            units: Vec::new(),
            responsible_for: Vec::new(),
            text: None,
            contact: Contact::default(),
            officers: Vec::new(),
            span: item.span,
        };
        let mut kind = None;
        for fact in self.block(item, "controller") {
            if self.contact(fact, &mut controller.contact) {
                continue;
            }
            match fact.keyword.text.as_str() {
                "kind" => {
                    let value = self.controller_kind(fact);
                    self.once(&mut kind, value, fact);
                }
                "represented-by" => {
                    let value = self.string(fact, "represented-by \"den Magistrat\"");
                    self.once(&mut controller.represented_by, value, fact);
                }
                "unit" => controller
                    .units
                    .extend(self.strings(fact, "unit \"Stabsstelle für Wahlen\"")),
                "responsible-for" => {
                    let pages = self.strings(fact, "responsible-for \"www.example.de/gaeste\"");
                    controller.responsible_for.extend(pages);
                }
                "text" => self.text_once(fact, &mut controller.text),
                "officer" => controller.officers.push(self.officer(fact)),
                _ => self.unknown(fact, Context::Controller),
            }
        }
        controller.kind = kind.unwrap_or_default();
        controller
    }

    fn officer(&mut self, item: &Item) -> Officer {
        let name = match item.values.as_slice() {
            [] => None,
            _ => Some(self.title(item, "officer", "officer \"Erika Mustermann\" {")),
        };
        let mut officer = Officer {
            name,
            lead_in: None,
            role: None,
            organisation: None,
            text: None,
            contact: Contact::default(),
            span: item.span,
        };
        // An officer known only by name needs no block, as an organisation does not.
        let facts = if item.block.is_none() && !item.values.is_empty() {
            &[]
        } else {
            self.block(item, "officer")
        };
        for fact in facts {
            if self.contact(fact, &mut officer.contact) {
                continue;
            }
            match fact.keyword.text.as_str() {
                "role" => {
                    let value = self.string(fact, "role \"Datenschutzbeauftragter\"");
                    self.once(&mut officer.role, value, fact);
                }
                "lead-in" => {
                    let value = self.string(
                        fact,
                        "lead-in \"Unsere Datenschutzbeauftragte erreichen Sie unter:\"",
                    );
                    self.once(&mut officer.lead_in, value, fact);
                }
                "organisation" => {
                    let value = self.string(fact, "organisation \"Kreis Soest\"");
                    self.once(&mut officer.organisation, value, fact);
                }
                "text" => self.text_once(fact, &mut officer.text),
                _ => self.unknown(fact, Context::Officer),
            }
        }
        officer
    }

    fn authority(&mut self, item: &Item) -> SupervisoryAuthority {
        let name = self.title(
            item,
            "supervisory-authority",
            "supervisory-authority \"Der Hessische Beauftragte …\" {",
        );
        let mut authority = SupervisoryAuthority {
            anchor: String::new(),
            name,
            text: None,
            contact: Contact::default(),
            dpv: None,
            derived: None,
            span: item.span,
        };
        for fact in self.block(item, "supervisory-authority") {
            if self.contact(fact, &mut authority.contact) {
                continue;
            }
            match fact.keyword.text.as_str() {
                "text" => self.text_once(fact, &mut authority.text),
                _ => self.unknown(fact, Context::Authority),
            }
        }
        authority
    }

    fn organisation(&mut self, item: &Item) -> Option<Organisation> {
        let (id, name) = self.header(
            item,
            "organisation",
            "organisation sitepark \"Sitepark GmbH\" {",
        );
        let Some(id) = id else {
            self.error(
                Diagnostic::error("missing-id", item.keyword.span, "this organisation has no id")
                    .with_help("give it a short id after the keyword, e.g. `organisation sitepark \"Sitepark GmbH\" {`, so activities can refer to it"),
            );
            return None;
        };
        let mut organisation = Organisation {
            id,
            name,
            represented_by: None,
            privacy_policy: None,
            text: None,
            contact: Contact::default(),
            officers: Vec::new(),
            span: item.span,
        };
        if item.block.is_none() {
            return Some(organisation);
        }
        for fact in self.block(item, "organisation") {
            if self.contact(fact, &mut organisation.contact) {
                continue;
            }
            match fact.keyword.text.as_str() {
                "represented-by" => {
                    let value = self.string(fact, "represented-by \"Geschäftsführer …\"");
                    self.once(&mut organisation.represented_by, value, fact);
                }
                "privacy-policy" => {
                    let value = self.url(fact, "privacy-policy \"https://example.com/privacy\"");
                    self.once(&mut organisation.privacy_policy, value, fact);
                }
                "text" => self.text_once(fact, &mut organisation.text),
                "officer" => organisation.officers.push(self.officer(fact)),
                _ => self.unknown(fact, Context::Organisation),
            }
        }
        Some(organisation)
    }

    /// Handles the contact facts shared by controllers, officers, authorities and organisations.
    /// Each but `country` may have a block with its `label`.
    fn contact(&mut self, fact: &Item, contact: &mut Contact) -> bool {
        let keyword = fact.keyword.text.as_str();
        if !matches!(
            keyword,
            "address" | "country" | "phone" | "fax" | "email" | "de-mail" | "web" | "hours"
        ) {
            return false;
        }
        if keyword == "country" {
            let value = self.country(fact).map(|value| spanned(value, fact));
            self.once(&mut contact.country, value, fact);
            return true;
        }
        let (label, fact) = self.detail_label(fact);
        let fact = &fact;
        let (values, list) = match keyword {
            "address" => {
                let lines = self.strings(fact, "address \"Obere Königsstraße 8\" \"34117 Kassel\"");
                contact.add_address(lines, label);
                return true;
            }
            "phone" => (self.strings(fact, "phone \"0561 115\""), &mut contact.phone),
            "fax" => (self.strings(fact, "fax \"0561 787-87\""), &mut contact.fax),
            "email" => (
                self.emails(fact, "email \"info@example.de\""),
                &mut contact.email,
            ),
            "de-mail" => (
                self.emails(fact, "de-mail \"service@example.de-mail.de\""),
                &mut contact.de_mail,
            ),
            "web" => (
                self.urls(fact, "web \"https://www.example.de\""),
                &mut contact.web,
            ),
            _ => (
                self.strings(fact, "hours \"Mo–Fr 8:00–16:00 Uhr\""),
                &mut contact.hours,
            ),
        };
        list.extend(values.into_iter().map(|value| Labelled {
            value,
            label: label.clone(),
        }));
        true
    }

    /// The `label` in the block of a contact fact (`phone "0561 787-0" { label "Zentrale" }`),
    /// and the fact without its block, whose values the caller reads.
    fn detail_label(&mut self, fact: &Item) -> (Option<Text>, Item) {
        let mut label = None;
        if let Some(items) = &fact.block {
            self.enter(fact);
            for inner in items {
                match inner.keyword.text.as_str() {
                    "label" => {
                        let value = self.string(inner, "label \"Telefonzentrale\"");
                        self.once(&mut label, value, inner);
                    }
                    _ => self.unknown(inner, Context::Detail),
                }
            }
        }
        let bare = Item {
            keyword: fact.keyword.clone(),
            values: fact.values.clone(),
            block: None,
            block_span: None,
            span: fact.span,
        };
        (label, bare)
    }

    /// A section of prose. In the policy (`in_activity` false) it may group activities too.
    fn section(&mut self, item: &Item, in_activity: bool) -> Section {
        if let Some(from) = self.taken_from(item, "section") {
            if item.block.is_some() {
                self.error(
                    Diagnostic::error(
                        "wrong-value",
                        item.block_span.unwrap_or(item.span),
                        "a section taken from a library is shown as the library has it",
                    )
                    .with_help("remove the block; to change an activity of it, take that activity with `activity … from …`"),
                );
            }
            let id = from
                .id
                .clone()
                .or_else(|| Some(activity::own_id(&from.base.id)));
            let taken = self.take_once(&from.base, Kind::Section, |l, item| {
                l.section(item, in_activity)
            });
            return match taken {
                Some(mut section) => {
                    section.id = id;
                    if let Some(title) = from.title {
                        section.title = title;
                    }
                    section.span = item.span;
                    section
                }
                None => Section {
                    id,
                    anchor: String::new(),
                    title: from.title.unwrap_or_default(),
                    text: None,
                    contents: Vec::new(),
                    follows: None,
                    span: item.span,
                },
            };
        }
        let (id, title) = match item.values.as_slice() {
            [] => (None, Text::unwritten("")),
            [
                Value {
                    kind: ValueKind::Word(id),
                    ..
                },
            ] => (Some(id.clone()), Text::unwritten("")),
            _ => self.header(
                item,
                "section",
                "section datensicherheit \"Datensicherheit\" {",
            ),
        };
        let mut section = Section {
            id,
            anchor: String::new(),
            title,
            text: None,
            contents: Vec::new(),
            follows: None,
            span: item.span,
        };
        let mut defaults = None;
        for fact in self.block(item, "section") {
            match fact.keyword.text.as_str() {
                "text" => self.text_once(fact, &mut section.text),
                "section" => {
                    let inner = self.section(fact, in_activity);
                    section.contents.push(Part::Section(inner));
                }
                "activity" if !in_activity => {
                    let activity = self.activity(fact);
                    section.contents.push(Part::Activity(Box::new(activity)));
                }
                "defaults" if !in_activity => {
                    let value = self.defaults(fact, false).0;
                    self.remember_references(&value);
                    let value = Some(value);
                    self.once(&mut defaults, value, fact);
                }
                "activity" | "defaults" => self.error(
                    Diagnostic::error(
                        "nested-activity",
                        fact.keyword.span,
                        format!("`{}` cannot stand inside an activity", fact.keyword.text),
                    )
                    .with_help("move it out of the activity; to group activities, put them in a `section` of the policy"),
                ),
                _ => self.unknown(fact, Context::Section),
            }
        }
        // A section's defaults come before the policy's, which are applied after the whole policy.
        if let Some(defaults) = &defaults {
            for_each_activity(&mut section.contents, &mut |activity| {
                activity::inherit(activity, defaults);
            });
        }
        section
    }

    fn rights(&mut self, item: &Item) -> Rights {
        let title = match item.values.as_slice() {
            [] => None,
            _ => Some(self.title(item, "rights", "rights \"Ihre Rechte\" {")),
        };
        let mut rights = Rights {
            anchor: String::new(),
            title,
            text: None,
            rights: Vec::new(),
            derived: false,
            span: item.span,
        };
        for fact in self.block(item, "rights") {
            match fact.keyword.text.as_str() {
                "title" => {
                    let value = self.string(fact, "title \"Ihre Rechte\"");
                    self.once(&mut rights.title, value, fact);
                }
                "text" => self.text_once(fact, &mut rights.text),
                "right" => rights.rights.extend(self.right(fact)),
                _ => self.unknown(fact, Context::Rights),
            }
        }
        rights
    }

    fn right(&mut self, fact: &Item) -> Option<Right> {
        const EXAMPLE: &str = "right access { restricted-by \"§ 34 BDSG\" }";
        let Some((first, rest)) = fact.values.split_first() else {
            self.missing_value(fact, EXAMPLE);
            return None;
        };
        let ValueKind::Word(kind) = &first.kind else {
            self.wrong_value(fact, first, "the kind of right, e.g. `access`", EXAMPLE);
            return None;
        };
        if law().right(kind).is_none() {
            let kinds: Vec<&str> = law().rights.iter().map(|r| r.kind.as_str()).collect();
            let suggestion = did_you_mean(kind, kinds.iter().copied());
            let help = match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the rights are {}", list(&kinds)),
            };
            self.error(
                Diagnostic::error(
                    "unknown-right",
                    first.span,
                    format!("`{kind}` is not a right of the data subject"),
                )
                .with_label("unknown right")
                .with_help(help)
                .with_fixes(replacing(first.span, suggestion)),
            );
            return None;
        }
        let mut right = Right {
            kind: kind.clone(),
            laws: Vec::new(),
            restricted_by: Vec::new(),
            text: None,
            activities: Vec::new(),
            authority: None,
            derived: false,
            span: fact.span,
        };
        for value in rest {
            match &value.kind {
                ValueKind::String(law) => right.laws.push(law.clone()),
                _ => self.wrong_value(fact, value, "the state-law counterpart in quotes", EXAMPLE),
            }
        }
        if let Some(items) = &fact.block {
            self.enter(fact);
            for inner in items {
                match inner.keyword.text.as_str() {
                    "text" => self.text_once(inner, &mut right.text),
                    "restricted-by" => right
                        .restricted_by
                        .extend(self.strings(inner, "restricted-by \"§ 34 BDSG\"")),
                    _ => self.unknown(inner, Context::Right),
                }
            }
        }
        Some(right)
    }

    /// `labels { recipients "An wen werden meine Daten weitergegeben?" }`: the notice's own
    /// wording of the shipped labels, each named as in `templates/labels.yaml` with `-` for `_`.
    fn labels(&mut self, item: &Item, labels: &mut BTreeMap<String, Text>) {
        let names = crate::labels::label_names();
        for fact in self.block(item, "labels") {
            let name = fact.keyword.text.replace('-', "_");
            if !names.contains(&name.as_str()) {
                let kebab: Vec<String> = names.iter().map(|n| n.replace('_', "-")).collect();
                let suggestion = did_you_mean(&fact.keyword.text, kebab.iter().map(String::as_str));
                self.error(
                    Diagnostic::error(
                        "unknown-label",
                        fact.keyword.span,
                        format!("`{}` is not a label of the notice", fact.keyword.text),
                    )
                    .with_help(match &suggestion {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "the labels are those of `templates/labels.yaml`, written with `-`, e.g. `recipients` or `no-recipients`".to_string(),
                    })
                    .with_fixes(replacing(fact.keyword.span, suggestion)),
                );
                continue;
            }
            let value = self.string(
                fact,
                "recipients \"An wen werden meine Daten weitergegeben?\"",
            );
            if let Some(value) = value {
                if labels.contains_key(&name) {
                    self.error(
                        Diagnostic::error(
                            "duplicate-fact",
                            fact.keyword.span,
                            format!("the label `{}` is given more than once", fact.keyword.text),
                        )
                        .with_help("keep one"),
                    );
                    continue;
                }
                labels.insert(name, value);
            }
        }
    }

    /// `allow lint "reason"`, or several lints with one reason: `allow a, b "reason"`.
    fn allowance(&mut self, fact: &Item) -> Vec<Allowance> {
        const EXAMPLE: &str = "allow missing-retention \"Das Original nennt keine Frist.\"";
        self.no_block(fact);
        let (reason, lints) = match fact.values.split_last() {
            Some((
                Value {
                    kind: ValueKind::String(reason),
                    ..
                },
                lints,
            )) if !lints.is_empty()
                && lints
                    .iter()
                    .all(|value| matches!(value.kind, ValueKind::Word(_))) =>
            {
                (reason, lints)
            }
            _ => {
                self.error(
                    Diagnostic::error(
                        "wrong-value",
                        fact.keyword.span,
                        "`allow` takes the name of a lint (or several, separated by commas) and the reason in quotes",
                    )
                    .with_help(format!("write e.g. `{EXAMPLE}`")),
                );
                return Vec::new();
            }
        };
        let mut allowances = Vec::new();
        for (index, value) in lints.iter().enumerate() {
            let ValueKind::Word(lint) = &value.kind else {
                continue;
            };
            if !crate::lints::LINTS.iter().any(|l| l.name == lint) {
                let names: Vec<&str> = crate::lints::LINTS.iter().map(|l| l.name).collect();
                let suggestion = did_you_mean(lint, names.iter().copied());
                let help = match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "run `klartext lints` to see every lint".to_string(),
                };
                self.error(
                    Diagnostic::error(
                        "unknown-lint",
                        value.span,
                        format!("there is no lint `{lint}`"),
                    )
                    .with_help(help)
                    .with_fixes(replacing(value.span, suggestion)),
                );
                continue;
            }
            // One of several lints is removed with its comma; the only one, with its line.
            let (span, line) = if lints.len() == 1 {
                (fact.span, own_line(self.text_of(fact.span), fact.span))
            } else if let Some(next) = lints.get(index + 1) {
                (
                    value.span,
                    Some(value.span.with_bounds(value.span.start, next.span.start)),
                )
            } else {
                let previous = lints[index - 1].span;
                (
                    value.span,
                    Some(value.span.with_bounds(previous.end, value.span.end)),
                )
            };
            allowances.push(Allowance {
                lint: lint.clone(),
                reason: reason.clone(),
                span,
                line,
                shared: lints.len() > 1,
            });
        }
        allowances
    }
}

fn for_each_activity(parts: &mut [Part], f: &mut impl FnMut(&mut Activity)) {
    for part in parts {
        match part {
            Part::Activity(activity) => f(activity),
            Part::Section(section) => for_each_activity(&mut section.contents, f),
            _ => {}
        }
    }
}

/// How a block taken from a library is written.
fn from_example(what: &str) -> String {
    match what {
        "section" => "section social-media from std.social-media".to_string(),
        _ => format!("{what} kontakt from std.contact-form {{ retention 6 months }}"),
    }
}

/// A value read from a fact, with the place of the value (or of the fact, if it has none).
/// Whether a fact's one value is a placeholder in quotes (`revised "TODO: Datum"`), which stands
/// where a value of another kind will (see `placeholder` in the checker).
fn is_placeholder(fact: &Item) -> bool {
    matches!(fact.values.as_slice(), [Value { kind: ValueKind::String(text), .. }] if text.contains("TODO"))
}

fn spanned<T>(value: T, fact: &Item) -> Spanned<T> {
    Spanned {
        value,
        span: fact.values.first().map_or(fact.span, |v| v.span),
    }
}

/// The fix that writes a suggested word in place of the one at `span`, if there is a suggestion.
fn replacing(span: Span, suggestion: Option<&str>) -> Option<Fix> {
    suggestion.map(|word| Fix {
        span,
        replacement: word.to_string(),
        title: format!("replace with `{word}`"),
    })
}

/// The whole line of the item at `span`, indentation and line break included, when nothing else
/// stands on it: what to delete to remove the item.
fn own_line(source: &str, span: Span) -> Option<Span> {
    let before = source.get(..span.start)?;
    let after = source.get(span.end..)?;
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let rest = after.find(['\n', '\r']).unwrap_or(after.len());
    let blank = |text: &str| text.chars().all(|c| c == ' ' || c == '\t');
    if !blank(&before[line_start..]) || !blank(&after[..rest]) {
        return None;
    }
    let line_break = match &after[rest..] {
        text if text.starts_with("\r\n") => 2,
        "" => 0,
        _ => 1,
    };
    Some(span.with_bounds(line_start, span.end + rest + line_break))
}

fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Lowering and the table of the language agree: what lowering accepts in a block is what
/// `crate::language` lists for it, with the arity and German aliases the table gives.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::{KEYWORDS, in_context};

    #[test]
    fn an_item_alone_on_its_line_has_the_whole_line() {
        let text = "a {\n  allow x \"r\"\r\n  b; allow y \"s\"\n\tallow z \"t\"";
        let span_of = |item: &str| {
            let at = text.find(item).unwrap();
            Span::new(at, at + item.len())
        };
        let removed = |item: &str| {
            let span = own_line(text, span_of(item)).unwrap_or(span_of(item));
            text[..span.start].to_string() + &text[span.end..]
        };
        assert_eq!(
            removed("allow x \"r\""),
            "a {\n  b; allow y \"s\"\n\tallow z \"t\""
        );
        assert_eq!(
            removed("allow y \"s\""),
            "a {\n  allow x \"r\"\r\n  b; \n\tallow z \"t\""
        );
        assert_eq!(
            removed("allow z \"t\""),
            "a {\n  allow x \"r\"\r\n  b; allow y \"s\"\n"
        );
        assert_eq!(own_line(text, span_of("allow y \"s\"")), None);
        // A span that is not in the text has no line.
        assert_eq!(own_line("ä", Span::new(1, 2)), None);
    }

    /// A policy with `body` in a block of the kind `context`, beside a controller and the
    /// organisations the examples of the table refer to. `None` for contact details, which are
    /// tested in each block that has them.
    fn policy_with(context: Context, body: &str) -> Option<String> {
        let block = match context {
            Context::File => return Some(format!("{body}\n")),
            Context::Contact => return None,
            Context::Detail => {
                format!("controller c \"C\" {{ phone \"0561 115\" {{\n{body}\n}} }}")
            }
            Context::Policy => body.to_string(),
            Context::Controller => format!("controller c \"C\" {{\n{body}\n}}"),
            Context::Officer => format!("controller c \"C\" {{ officer \"O\" {{\n{body}\n}} }}"),
            Context::Authority => format!("supervisory-authority \"A\" {{\n{body}\n}}"),
            Context::Organisation => format!("organisation o \"O\" {{\n{body}\n}}"),
            Context::Activity => format!("activity a \"A\" {{\n{body}\n}}"),
            Context::Defaults => format!("defaults {{\n{body}\n}}"),
            Context::Section => format!("section s \"S\" {{\n{body}\n}}"),
            Context::Rights => format!("rights {{\n{body}\n}}"),
            Context::Right => format!("rights {{ right access {{\n{body}\n}} }}"),
            Context::Cookie => format!("activity a \"A\" {{ cookie \"c\" {{\n{body}\n}} }}"),
            Context::Data => format!("activity a \"A\" {{ data \"D\" {{\n{body}\n}} }}"),
            Context::Basis => format!("activity a \"A\" {{ basis 6(1)(e) {{\n{body}\n}} }}"),
            Context::Recipient => {
                format!("activity a \"A\" {{ recipient sitepark {{\n{body}\n}} }}")
            }
            Context::Processor => {
                format!("activity a \"A\" {{ processor sitepark {{\n{body}\n}} }}")
            }
            Context::Transfer => {
                format!("activity a \"A\" {{ transfer cisco scc {{\n{body}\n}} }}")
            }
            Context::JointController => {
                format!("activity a \"A\" {{ joint-controller meta {{\n{body}\n}} }}")
            }
        };
        let declared = ["sitepark", "cisco", "meta", "akdb", "matomo"]
            .map(|id| format!("organisation {id} \"{id}\"\n"))
            .concat();
        Some(format!(
            "policy \"P\" {{\ncontroller kassel \"Stadt Kassel\" {{ }}\n{declared}{block}\n}}\n"
        ))
    }

    /// What parsing and lowering report about `source`.
    fn diagnostics(source: &str) -> Vec<Diagnostic> {
        let parsed = crate::syntax::parse(source);
        let mut diagnostics = parsed.problems;
        diagnostics.extend(lower(source, &parsed.file).1);
        diagnostics
    }

    fn show(diagnostics: &[Diagnostic]) -> String {
        diagnostics
            .iter()
            .map(|d| format!("{}: {} ({:?})\n", d.name, d.message, d.help))
            .collect()
    }

    #[test]
    fn every_keyword_of_the_table_is_accepted_where_the_table_puts_it() {
        let mut tried = 0;
        for &context in Context::ALL {
            for keyword in in_context(context) {
                let Some(source) = policy_with(context, keyword.example) else {
                    continue;
                };
                let found = diagnostics(&source);
                assert!(
                    found.iter().all(|d| !d.is_error()),
                    "`{}` in {context:?}:\n{source}\n{}",
                    keyword.name,
                    show(&found)
                );
                tried += 1;
            }
        }
        assert!(tried > 80, "only {tried} keywords tried");
    }

    #[test]
    fn a_keyword_repeats_if_and_only_if_the_table_says_so() {
        for &context in Context::ALL {
            for keyword in in_context(context) {
                let twice = format!("{}\n{}", keyword.example, keyword.example);
                let Some(source) = policy_with(context, &twice) else {
                    continue;
                };
                let found = diagnostics(&source);
                let duplicate = found
                    .iter()
                    .any(|d| d.name == "duplicate-fact" || d.name == "duplicate-policy");
                assert_eq!(
                    duplicate,
                    !keyword.repeats,
                    "`{}` twice in {context:?}:\n{source}\n{}",
                    keyword.name,
                    show(&found)
                );
            }
        }
    }

    /// The words lowering's `match` arms compare keywords (and values) with: `"data" =>`,
    /// `"recipients" | "recipient" =>`, `"activity" if …`.
    fn words_lowering_matches() -> Vec<&'static str> {
        let sources = [
            include_str!("mod.rs"),
            include_str!("activity.rs"),
            include_str!("values.rs"),
        ];
        let mut words = Vec::new();
        for source in sources {
            for (i, _) in source.match_indices('"') {
                let literal = &source[i + 1..];
                let Some(end) = literal.find('"') else {
                    continue;
                };
                let (word, after) = (&literal[..end], literal[end + 1..].trim_start());
                let is_word = word.starts_with(|c: char| c.is_ascii_lowercase())
                    && word.chars().all(|c| c.is_ascii_lowercase() || c == '-');
                let is_pattern = ["=>", "|", "if "].iter().any(|p| after.starts_with(p));
                if is_word && is_pattern && !words.contains(&word) {
                    words.push(word);
                }
            }
        }
        words
    }

    #[test]
    fn every_other_word_is_refused() {
        let matched = words_lowering_matches();
        for word in ["hours", "recipient", "necessary", "when", "title", "until"] {
            assert!(matched.contains(&word), "`{word}` not found in lowering");
        }
        let mut names: Vec<&str> = KEYWORDS.iter().map(|k| k.name).collect();
        names.extend(matched);
        names.extend(["colour", "zweck"]);
        for &context in Context::ALL {
            for name in &names {
                if in_context(context).any(|k| k.name == *name) {
                    continue;
                }
                let Some(source) = policy_with(context, &format!("{name} \"x\"")) else {
                    continue;
                };
                let found = diagnostics(&source);
                let quoted = format!("`{name}`");
                assert!(
                    found.iter().any(|d| {
                        matches!(d.name, "unknown-keyword" | "not-a-default")
                            && d.message.starts_with(&quoted)
                    }),
                    "`{name}` in {context:?} is not refused:\n{source}\n{}",
                    show(&found)
                );
            }
        }
    }

    #[test]
    fn the_table_knows_the_context_of_every_block_lowering_enters() {
        /// The context of the block that holds the item `marker`, following the blocks from
        /// the top of the file as [`crate::language::block_context`] names them.
        fn context_of(items: &[Item], context: Context, marker: &str) -> Option<Context> {
            for item in items {
                if item.keyword.text == marker {
                    return Some(context);
                }
                let inner = item.block.as_deref().unwrap_or_default();
                let Some(found) = crate::language::block_context(context, &item.keyword.text)
                    .and_then(|block| context_of(inner, block, marker))
                else {
                    continue;
                };
                return Some(found);
            }
            None
        }
        for &context in Context::ALL {
            let Some(source) = policy_with(context, "xylophon \"x\"") else {
                continue;
            };
            let parsed = crate::syntax::parse(&source);
            assert_eq!(
                context_of(&parsed.file.items, Context::File, "xylophon"),
                Some(context),
                "{source}"
            );
        }
        assert_eq!(
            crate::language::block_context(Context::Policy, "labels"),
            None
        );
        assert_eq!(
            crate::language::block_context(Context::Controller, "country"),
            None
        );
        assert_eq!(
            crate::language::block_context(Context::Activity, "retention"),
            None
        );
    }

    #[test]
    fn help_for_an_unknown_keyword_comes_from_the_table() {
        for &context in Context::ALL {
            // The defaults hold an activity's facts and are reported as one.
            let reported = match context {
                Context::File | Context::Contact => continue,
                Context::Defaults => Context::Activity,
                other => other,
            };
            let Some(source) = policy_with(context, "xylophon \"x\"") else {
                continue;
            };
            let found = diagnostics(&source);
            let names: Vec<&str> = in_context(reported).map(|k| k.name).collect();
            let expected = format!("{} can have: {}", reported.noun(), list(&names));
            assert!(
                found.iter().any(|d| d.help.as_deref() == Some(&expected)),
                "in {context:?}, expected {expected:?}:\n{}",
                show(&found)
            );
            for keyword in in_context(context) {
                for german in keyword.german {
                    let source = policy_with(context, &format!("{german} \"x\"")).unwrap();
                    let expected =
                        format!("keywords are English: `{german}` is `{}`", keyword.name);
                    let found = diagnostics(&source);
                    assert!(
                        found.iter().any(|d| d.help.as_deref() == Some(&expected)),
                        "in {context:?}, expected {expected:?}:\n{}",
                        show(&found)
                    );
                }
            }
        }
    }
}
