//! References between parts, and the anchors of the parts on the page.

use std::collections::BTreeSet;

use crate::diagnostic::{Diagnostic, Span, did_you_mean};
use crate::model::*;

use super::*;

impl Lowerer {
    pub(super) fn resolve(&mut self, policy: &Policy) {
        let mut organisation_ids = BTreeSet::new();
        let mut controller_ids = BTreeSet::new();
        // Organisations have ids of their own; controllers, activities and sections share one
        // namespace, because their ids are the anchors of the page.
        let mut all: Vec<(&str, Span)> = Vec::new();
        for organisation in &policy.organisations {
            if !organisation_ids.insert(organisation.id.as_str()) {
                self.error(
                    Diagnostic::error(
                        "duplicate-id",
                        head(organisation.span, "organisation"),
                        format!("the organisation `{}` is declared twice", organisation.id),
                    )
                    .with_help("declare each organisation once and refer to it by its id"),
                );
            }
        }
        for part in &policy.contents {
            match part {
                Part::Controller(c) => {
                    if let Some(id) = &c.id {
                        controller_ids.insert(id.as_str());
                        all.push((id, head(c.span, "controller")));
                    }
                }
                Part::Activity(a) => {
                    if let Some(id) = &a.id {
                        all.push((id, head(a.span, "activity")));
                    }
                    for section in &a.sections {
                        collect_section_ids(section, &mut all);
                    }
                }
                Part::Section(s) => collect_section_ids(s, &mut all),
                Part::SupervisoryAuthority(_) | Part::Rights(_) => {}
            }
        }
        let mut seen = BTreeSet::new();
        for (id, span) in all {
            if !seen.insert(id) {
                self.error(
                    Diagnostic::error("duplicate-id", span, format!("the id `{id}` is used twice"))
                        .with_label("second use")
                        .with_help("controllers, activities and sections need ids of their own, because they are the anchors of the page; rename one"),
                );
            }
        }
        for part in &policy.contents {
            let Part::Activity(activity) = part else {
                continue;
            };
            if let Some(controller) = &activity.controller {
                self.check_reference(controller, &controller_ids, "controller");
            }
            let organisation_refs = activity
                .recipients
                .iter()
                .filter_map(|r| match r {
                    Recipient::Organisation(reference) => Some(reference),
                    Recipient::Category(_) => None,
                })
                .chain(activity.processors.iter().map(|p| &p.organisation))
                .chain(&activity.joint_controllers)
                .chain(&activity.operators)
                .chain(activity.partners.iter().map(|p| &p.organisation))
                .chain(activity.transfers.iter().map(|t| &t.recipient))
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
        let help = match did_you_mean(&reference.id, known.iter().copied()) {
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
            .with_help(help),
        );
    }
}

/// The span of the keyword that starts an item, to point at a block without underlining all of it.
fn head(span: Span, keyword: &str) -> Span {
    Span::new(span.start, span.start + keyword.len())
}

fn collect_section_ids<'a>(section: &'a Section, all: &mut Vec<(&'a str, Span)>) {
    if let Some(id) = &section.id {
        all.push((id, head(section.span, "section")));
    }
    for inner in &section.sections {
        collect_section_ids(inner, all);
    }
}

/// Gives every part a stable, unique HTML anchor: its id where it has one, else a slug of its
/// title. Ids are claimed first, so adding a part never moves the anchor of a part with an id.
pub(super) fn assign_anchors(policy: &mut Policy) {
    let mut taken: BTreeSet<String> = ["inhalt", "contents", "top"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for part in &policy.contents {
        match part {
            Part::Controller(Controller { id: Some(id), .. }) => {
                taken.insert(id.clone());
            }
            Part::Activity(activity) => {
                if let Some(id) = &activity.id {
                    taken.insert(id.clone());
                }
                activity
                    .sections
                    .iter()
                    .for_each(|s| claim_section_ids(s, &mut taken));
            }
            Part::Section(section) => claim_section_ids(section, &mut taken),
            _ => {}
        }
    }
    for part in &mut policy.contents {
        match part {
            Part::Controller(c) => c.anchor = anchor(c.id.as_deref(), &c.name, &mut taken),
            Part::SupervisoryAuthority(a) => {
                a.anchor = anchor(None, "aufsichtsbehoerde", &mut taken)
            }
            Part::Activity(a) => {
                a.anchor = anchor(a.id.as_deref(), &a.title, &mut taken);
                for section in &mut a.sections {
                    section_anchors(section, &mut taken);
                }
            }
            Part::Section(s) => section_anchors(s, &mut taken),
            Part::Rights(r) => r.anchor = anchor(None, "rechte", &mut taken),
        }
    }
}

fn claim_section_ids(section: &Section, taken: &mut BTreeSet<String>) {
    if let Some(id) = &section.id {
        taken.insert(id.clone());
    }
    section
        .sections
        .iter()
        .for_each(|s| claim_section_ids(s, taken));
}

fn section_anchors(section: &mut Section, taken: &mut BTreeSet<String>) {
    section.anchor = anchor(section.id.as_deref(), &section.title, taken);
    for inner in &mut section.sections {
        section_anchors(inner, taken);
    }
}

fn anchor(id: Option<&str>, title: &str, taken: &mut BTreeSet<String>) -> String {
    if let Some(id) = id {
        return id.to_string();
    }
    let base = slug(title);
    let mut candidate = base.clone();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    candidate
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
