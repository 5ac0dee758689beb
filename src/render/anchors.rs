//! The anchors of the parts on the page: the ids of the `<section>`s, the targets of the contents
//! list and of cross references. They belong to rendering: the model names the parts, the page
//! decides how they are addressed.

use std::collections::{BTreeMap, BTreeSet};

use crate::language::RESERVED_IDS;
use crate::model::{Part, Policy, Section};

/// Gives every part a stable, unique HTML anchor: its id where it has one, else a slug of its
/// title. Ids are claimed first, so adding a part never moves the anchor of a part with an id.
pub(crate) fn assign(policy: &mut Policy) {
    let ids: Vec<String> = policy
        .anchored_ids()
        .into_iter()
        .map(|(id, _, _)| id.to_string())
        .collect();
    let mut anchors = Anchors {
        taken: RESERVED_IDS
            .iter()
            .map(|id| id.to_string())
            .chain(ids)
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
