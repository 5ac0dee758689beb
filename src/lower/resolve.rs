//! References between parts, and the anchors of the parts on the page.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Diagnostic, Span, did_you_mean};
use crate::model::*;

use super::*;

/// Anchors the templates use for their own headings and links: no part may take them.
const RESERVED_ANCHORS: &[&str] = &["inhalt", "contents", "top"];

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
        let mut anchored = Vec::new();
        collect_ids(&policy.contents, &mut anchored);
        let mut seen = BTreeMap::new();
        for (id, span) in &anchored {
            if RESERVED_ANCHORS.contains(id) {
                self.error(
                    Diagnostic::error(
                        "reserved-id",
                        *span,
                        format!("the id `{id}` is an anchor klartext uses on the page itself"),
                    )
                    .with_help(format!(
                        "choose another id; klartext reserves {}",
                        list(RESERVED_ANCHORS)
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
            let organisation_refs = activity
                .recipients
                .items()
                .iter()
                .filter_map(|r| match r {
                    Recipient::Organisation(reference) => Some(reference),
                    Recipient::Category(_) => None,
                })
                .chain(activity.processors.iter().map(|p| &p.organisation))
                .chain(&activity.joint_controllers)
                .chain(&activity.operators)
                .chain(activity.partners.iter().map(|p| &p.organisation))
                .chain(activity.transfers.items().iter().map(|t| &t.recipient))
                .chain(activity.cookies.iter().filter_map(|c| c.provider.as_ref()));
            for reference in organisation_refs {
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

/// The ids that become anchors, of every part at every depth, in source order.
fn collect_ids<'a>(parts: &'a [Part], ids: &mut Vec<(&'a str, Span)>) {
    for part in parts {
        match part {
            Part::Controller(c) => {
                ids.extend(c.id.as_deref().map(|id| (id, c.span.head("controller"))))
            }
            Part::Activity(a) => {
                ids.extend(a.id.as_deref().map(|id| (id, a.span.head("activity"))));
                collect_section_ids(&a.sections, ids);
            }
            Part::Section(s) => collect_section_ids(std::slice::from_ref(s), ids),
            Part::SupervisoryAuthority(_) | Part::Rights(_) => {}
        }
    }
}

fn collect_section_ids<'a>(sections: &'a [Section], ids: &mut Vec<(&'a str, Span)>) {
    for section in sections {
        ids.extend(
            section
                .id
                .as_deref()
                .map(|id| (id, section.span.head("section"))),
        );
        collect_ids(&section.contents, ids);
    }
}

/// Gives every part a stable, unique HTML anchor: its id where it has one, else a slug of its
/// title. Ids are claimed first, so adding a part never moves the anchor of a part with an id.
pub(super) fn assign_anchors(policy: &mut Policy) {
    let mut ids = Vec::new();
    collect_ids(&policy.contents, &mut ids);
    let mut anchors = Anchors {
        taken: RESERVED_ANCHORS
            .iter()
            .copied()
            .chain(ids.into_iter().map(|(id, _)| id))
            .map(str::to_string)
            .collect(),
        next_number: BTreeMap::new(),
    };
    anchors.parts(&mut policy.contents);
}

struct Anchors {
    taken: BTreeSet<String>,
    /// For each slug that is taken, the number to try next: so that a thousand parts with one
    /// title get `-2` … `-1000` in linear time.
    next_number: BTreeMap<String, usize>,
}

impl Anchors {
    fn parts(&mut self, parts: &mut [Part]) {
        for part in parts {
            match part {
                Part::Controller(c) => c.anchor = self.anchor(c.id.as_deref(), &c.name),
                Part::SupervisoryAuthority(a) => a.anchor = self.anchor(None, "aufsichtsbehoerde"),
                Part::Activity(a) => {
                    a.anchor = self.anchor(a.id.as_deref(), &a.title);
                    self.sections(&mut a.sections);
                }
                Part::Section(s) => self.sections(std::slice::from_mut(s)),
                Part::Rights(r) => r.anchor = self.anchor(None, "rechte"),
            }
        }
    }

    fn sections(&mut self, sections: &mut [Section]) {
        for section in sections {
            let title = if section.title.is_empty() {
                "abschnitt"
            } else {
                &section.title
            };
            section.anchor = self.anchor(section.id.as_deref(), title);
            self.parts(&mut section.contents);
        }
    }

    fn anchor(&mut self, id: Option<&str>, title: &str) -> String {
        if let Some(id) = id {
            return id.to_string();
        }
        let base = slug(title);
        if self.taken.insert(base.clone()) {
            return base;
        }
        let next = self.next_number.entry(base.clone()).or_insert(2);
        loop {
            let candidate = format!("{base}-{next}");
            *next += 1;
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// A URL-safe form of a title: `Datenschutz & Cookies` becomes `datenschutz-cookies`.
pub fn slug(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => slug.push_str("ae"),
            'ö' => slug.push_str("oe"),
            'ü' => slug.push_str("ue"),
            'ß' => slug.push_str("ss"),
            c if c.is_ascii_alphanumeric() => slug.push(c),
            _ if !slug.ends_with('-') && !slug.is_empty() => slug.push('-'),
            _ => {}
        }
        if slug.len() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() || slug.starts_with(|c: char| c.is_ascii_digit()) {
        format!("abschnitt-{slug}")
            .trim_end_matches('-')
            .to_string()
    } else {
        slug
    }
}
