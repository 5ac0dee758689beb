//! References between parts, and the symbol table of the policy.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Diagnostic, Span, did_you_mean};
use crate::model::*;

use super::*;

/// How many unknown references get a "did you mean" suggestion.
const MAX_SUGGESTIONS: usize = 200;

impl Lowerer<'_> {
    pub(super) fn resolve(&mut self, policy: &Policy) {
        // Organisations have ids of their own; controllers, activities and sections share one
        // namespace, because their ids are the anchors of the page.
        let mut declared = BTreeMap::new();
        for organisation in &policy.organisations {
            let head = organisation.span.head("organisation");
            match declared.entry(organisation.id.as_str()) {
                Entry::Vacant(entry) => {
                    entry.insert(head);
                }
                Entry::Occupied(first) => self.error(
                    Diagnostic::error(
                        "duplicate-id",
                        head,
                        format!("the organisation `{}` is declared twice", organisation.id),
                    )
                    .with_related(*first.get(), "first declared here")
                    .with_help("declare each organisation once and refer to it by its id"),
                ),
            }
        }
        let organisation_ids: BTreeSet<&str> = declared.into_keys().collect();
        let anchored = policy.anchored_ids();
        let mut seen = BTreeMap::new();
        for (id, span, _) in &anchored {
            if crate::language::RESERVED_IDS.contains(id) {
                self.error(
                    Diagnostic::error(
                        "reserved-id",
                        *span,
                        format!("the id `{id}` is an anchor klartext uses on the page itself"),
                    )
                    .with_help(format!(
                        "choose another id; klartext reserves {}",
                        list(crate::language::RESERVED_IDS)
                    )),
                );
            } else if let Some(&first) = seen.get(id) {
                self.error(
                    Diagnostic::error("duplicate-id", *span, format!("the id `{id}` is used twice"))
                        .with_label("second use")
                        .with_related(first, "first used here")
                        .with_help("controllers, activities and sections need ids of their own, because they are the anchors of the page; rename one"),
                );
            } else {
                seen.insert(*id, *span);
            }
        }
        let controller_ids: BTreeSet<&str> = policy
            .contents
            .iter()
            .filter_map(|part| match part {
                Part::Controller(c) => c.id.as_deref(),
                _ => None,
            })
            .collect();
        for activity in policy.activities() {
            if let Some(controller) = &activity.controller {
                self.check_reference(controller, &controller_ids, "controller");
            }
            for reference in organisation_references(activity) {
                self.check_reference(reference, &organisation_ids, "organisation");
            }
        }
    }

    pub(super) fn check_reference(
        &mut self,
        reference: &Reference,
        known: &BTreeSet<&str>,
        what: &str,
    ) {
        if known.contains(reference.id.as_str()) {
            return;
        }
        // Each suggestion compares the id with every declared one (each comparison bounded by
        // `did_you_mean`); past a few hundred unknown references (a generated or broken file)
        // that would make lowering quadratic.
        let suggestion = if self.suggestions_made < MAX_SUGGESTIONS {
            self.suggestions_made += 1;
            did_you_mean(&reference.id, known.iter().copied())
        } else {
            None
        };
        let help = match suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None if what == "organisation" => format!(
                "declare it in the policy: `organisation {} \"Name\" {{ … }}`, or put a category in quotes",
                reference.id
            ),
            None => format!(
                "give a controller the id: `controller {} \"Name\" {{`",
                reference.id
            ),
        };
        self.error(
            Diagnostic::error(
                "unknown-reference",
                reference.span,
                format!("there is no {what} `{}`", reference.id),
            )
            .with_label("not declared in this policy")
            .with_help(help)
            .with_fixes(replacing(reference.span, suggestion)),
        );
    }
}

/// Every reference to an organisation an activity makes, its own and those it inherited.
pub(super) fn organisation_references(activity: &Activity) -> impl Iterator<Item = &Reference> {
    activity
        .recipient_organisations()
        .chain(activity.processors.iter().map(|p| &p.organisation))
        .chain(activity.joint_controllers.iter().map(|j| &j.organisation))
        .chain(&activity.operators)
        .chain(activity.partners.iter().map(|p| &p.organisation))
        .chain(activity.transfers.items().iter().map(|t| &t.recipient))
        .chain(activity.cookies.iter().filter_map(|c| c.provider.as_ref()))
}

/// The symbol table of a policy: its organisations and the ids of its controllers, activities
/// and sections (the first declaration of each), with every reference that resolves to one.
pub(super) fn symbols(policy: &Policy, in_defaults: &[(SymbolKind, Reference)]) -> Symbols {
    let mut symbols = Vec::new();
    let mut index: BTreeMap<(bool, String), usize> = BTreeMap::new();
    let mut declare = |kind: SymbolKind, id: &str, declared: Span, symbols: &mut Vec<Symbol>| {
        let key = (kind == SymbolKind::Organisation, id.to_string());
        if let Entry::Vacant(entry) = index.entry(key) {
            entry.insert(symbols.len());
            symbols.push(Symbol {
                kind,
                id: id.to_string(),
                declared,
                references: Vec::new(),
            });
        }
    };
    for organisation in &policy.organisations {
        let head = organisation.span.head("organisation");
        declare(
            SymbolKind::Organisation,
            &organisation.id,
            head,
            &mut symbols,
        );
    }
    let anchored = policy.anchored_ids();
    for (id, span, kind) in anchored {
        declare(kind, id, span, &mut symbols);
    }
    // Keyed by place, so that a reference inherited by many activities is listed once.
    let mut references: BTreeMap<usize, BTreeMap<(usize, usize, usize), Span>> = BTreeMap::new();
    let mut refer = |organisation: bool, reference: &Reference| {
        if let Some(&at) = index.get(&(organisation, reference.id.clone())) {
            let span = reference.span;
            references
                .entry(at)
                .or_default()
                .insert((span.file.index(), span.start, span.end), span);
        }
    };
    for activity in policy.activities() {
        if let Some(controller) = &activity.controller {
            refer(false, controller);
        }
        for reference in organisation_references(activity) {
            refer(true, reference);
        }
    }
    for (kind, reference) in in_defaults {
        refer(*kind == SymbolKind::Organisation, reference);
    }
    for (at, spans) in references {
        symbols[at].references = spans.into_values().collect();
    }
    let mut organisations = BTreeMap::new();
    for (at, organisation) in policy.organisations.iter().enumerate() {
        organisations
            .entry(organisation.id.to_string())
            .or_insert(at);
    }
    let mut controllers = BTreeMap::new();
    for (at, part) in policy.contents.iter().enumerate() {
        if let Part::Controller(Controller { id: Some(id), .. }) = part {
            controllers.entry(id.to_string()).or_insert(at);
        }
    }
    Symbols {
        symbols,
        organisations,
        controllers,
    }
}
