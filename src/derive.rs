//! What the law says about a policy without its author writing it: the supervisory authority
//! that follows from the state and the controller's kind, and the rights the legal bases give.
//!
//! Runs after lowering and before the checker, so that every format and the export state the
//! same notice, and the checker judges what a reader will read. What it adds is marked `derived`;
//! what the author wrote always wins.

use crate::law::{Bodies, law};
use crate::model::{
    Activity, Article, Contact, ControllerKind, DerivedAuthority, Labelled, Part, Policy, Right,
    Rights, SupervisoryAuthority, Text,
};

/// Adds the resolved supervisory authority, if the policy names none, and completes the rights.
pub fn derive(policy: &mut Policy) {
    let resolved = resolve_authority(policy);
    let mut written = false;
    for part in &mut policy.contents {
        if let Part::SupervisoryAuthority(authority) = part {
            written = true;
            // A written authority that is the one the law data know carries its DPV id too.
            if let Some(resolved) = &resolved
                && same_authority(authority, resolved)
            {
                authority.dpv = resolved.dpv.clone();
            }
        }
    }
    if !written && let Some(authority) = resolved {
        let at = policy
            .contents
            .iter()
            .rposition(|part| matches!(part, Part::Controller(_)))
            .map_or(0, |last| last + 1);
        policy
            .contents
            .insert(at, Part::SupervisoryAuthority(authority));
    }
    derive_rights(policy);
    derive_state_law(policy);
}

/// Writes the general basis of the state's act where a legal basis says `state-law`, if the
/// law data know it verified; otherwise the basis stays without it, and the checker asks for the
/// law (`missing-national-law`).
fn derive_state_law(policy: &mut Policy) {
    let Some(general) = policy
        .state
        .as_ref()
        .and_then(|state| law().state(state))
        .filter(|state| state.verified)
        .and_then(|state| state.general_basis.clone())
    else {
        return;
    };
    fn fill(activity: &mut Activity, general: &str) {
        for basis in &mut activity.legal_bases {
            if basis.state_law && !basis.laws.iter().any(|law| law.as_str() == general) {
                basis.laws.push(Text::unwritten(general));
            }
        }
        if let Some(shown) = &mut activity.shown {
            fill(shown, general);
        }
    }
    fn walk(parts: &mut [Part], general: &str) {
        for part in parts {
            match part {
                Part::Activity(activity) => fill(activity, general),
                Part::Section(section) => walk(&mut section.contents, general),
                _ => {}
            }
        }
    }
    walk(&mut policy.contents, &general);
}

/// The kind of the controller the notice is mainly about: the first.
pub fn controller_kind(policy: &Policy) -> ControllerKind {
    policy
        .contents
        .iter()
        .find_map(|part| match part {
            Part::Controller(controller) => Some(controller.kind),
            _ => None,
        })
        .unwrap_or_default()
}

/// The authority for the policy's state and controller kind, as the law data have it.
pub fn resolve_authority(policy: &Policy) -> Option<SupervisoryAuthority> {
    let state = policy.state.as_ref()?;
    let bodies = match controller_kind(policy) {
        ControllerKind::Public => Bodies::Public,
        ControllerKind::Private => Bodies::Private,
    };
    let entry = law().authority(state, bodies)?;
    let lines = |lines: &[String]| {
        lines
            .iter()
            .map(|line| Text::unwritten(line.as_str()))
            .collect()
    };
    let one = |value: &Option<String>| {
        value
            .iter()
            .map(|v| Labelled::plain(Text::unwritten(v.as_str())))
            .collect()
    };
    let mut contact = Contact {
        country: None,
        phone: one(&entry.phone),
        fax: one(&entry.fax),
        email: one(&entry.email),
        de_mail: Vec::new(),
        web: one(&entry.web),
        hours: Vec::new(),
        ..Contact::default()
    };
    // The street address and the post-office box, shown one after the other as before.
    contact.add_address(lines(&entry.address), None);
    contact.add_address(lines(&entry.po_box), None);
    Some(SupervisoryAuthority {
        anchor: String::new(),
        name: Text::unwritten(entry.name.as_str()),
        text: None,
        contact,
        dpv: entry.dpv_term(),
        derived: Some(DerivedAuthority {
            verified: entry.verified,
            source: entry.source.clone(),
        }),
        span: policy.span,
    })
}

/// The kinds of right a notice states, in the order of `law/rights.yaml`: those always due, and
/// those the legal bases used make due.
fn due_rights(activities: &[&Activity]) -> Vec<&'static str> {
    let bases: Vec<String> = activities
        .iter()
        .flat_map(|activity| activity.legal_bases.iter().map(|b| b.article.code()))
        .collect();
    law()
        .rights
        .iter()
        .filter(|right| right.required.as_ref().is_some_and(|r| r.applies(&bases)))
        .map(|right| right.kind.as_str())
        .collect()
}

/// Completes the rights: the author's block (or a new one at the end) gets every due right it
/// does not state, in the order of the law data; the author's entries keep their place in that
/// order and their text.
fn derive_rights(policy: &mut Policy) {
    let activities = policy.activities();
    let due = due_rights(&activities);
    let objectionable: Vec<Text> = activities
        .iter()
        .filter(|activity| {
            activity.legal_bases.iter().any(|basis| {
                matches!(
                    basis.article,
                    Article::Lawfulness(Some('e')) | Article::Lawfulness(Some('f'))
                )
            })
        })
        .map(|activity| activity.title.clone())
        .collect();
    let authority = policy.contents.iter().find_map(|part| match part {
        Part::SupervisoryAuthority(authority) => Some(authority.clone()),
        _ => None,
    });
    let restrictions = restrictions(policy);
    let index = match policy
        .contents
        .iter()
        .position(|part| matches!(part, Part::Rights(_)))
    {
        Some(index) => index,
        None => {
            policy.contents.push(Part::Rights(Rights {
                anchor: String::new(),
                title: None,
                text: None,
                rights: Vec::new(),
                derived: true,
                span: policy.span,
            }));
            policy.contents.len() - 1
        }
    };
    let Part::Rights(rights) = &mut policy.contents[index] else {
        return;
    };
    let written = std::mem::take(&mut rights.rights);
    let mut complete = Vec::new();
    for info in &law().rights {
        let mine: Vec<&Right> = written.iter().filter(|r| r.kind == info.kind).collect();
        if mine.is_empty() && due.contains(&info.kind.as_str()) {
            complete.push(Right {
                kind: info.kind.clone(),
                laws: Vec::new(),
                restricted_by: Vec::new(),
                text: None,
                activities: Vec::new(),
                authority: None,
                derived: true,
                span: rights.span,
            });
        }
        complete.extend(mine.into_iter().cloned());
    }
    for right in &mut complete {
        if right.laws.is_empty() && right.restricted_by.is_empty() {
            right.restricted_by = restrictions
                .iter()
                .filter(|(kind, _)| *kind == right.kind)
                .map(|(_, law)| Text::unwritten(law.as_str()))
                .collect();
        }
        match right.kind.as_str() {
            "objection" => right.activities = objectionable.clone(),
            "complaint" => right.authority = authority.clone().map(Box::new),
            _ => {}
        }
    }
    rights.rights = complete;
}

/// The verified provisions that restrict the rights of this policy's data subjects: the state
/// act's for a public body, the BDSG's for a private one.
fn restrictions(policy: &Policy) -> Vec<(String, String)> {
    let kind = controller_kind(policy);
    // A restriction limited to research, archives and the like would mislead a reader of a
    // notice about other processing.
    let applies = |scope: Option<&str>| match scope {
        None => true,
        Some("public-bodies") => kind == ControllerKind::Public,
        Some(_) => false,
    };
    let jurisdiction = match kind {
        ControllerKind::Private => Some("DE"),
        ControllerKind::Public => policy.state.as_ref().map(|state| state.value.as_str()),
    };
    jurisdiction
        .and_then(|code| law().state(code))
        .map(|state| {
            state
                .restrictions
                .iter()
                .filter(|restriction| restriction.verified && applies(restriction.scope.as_deref()))
                .map(|restriction| (restriction.right.clone(), restriction.law.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a written authority is the expected one: by name, or by the domain of its e-mail or
/// web address (names are written in many ways; the domain is the authority's own).
pub fn same_authority(
    written: &crate::model::SupervisoryAuthority,
    expected: &crate::model::SupervisoryAuthority,
) -> bool {
    let fold = |text: &str| text.to_lowercase().split_whitespace().collect::<String>();
    if fold(&written.name) == fold(&expected.name) {
        return true;
    }
    let domains = |authority: &crate::model::SupervisoryAuthority| -> Vec<String> {
        let emails = authority
            .contact
            .email
            .iter()
            .filter_map(|e| e.rsplit_once('@').map(|(_, domain)| domain.to_lowercase()));
        let webs = authority.contact.web.iter().map(|w| {
            let host = w
                .trim_start_matches("https://")
                .trim_start_matches("http://")
                .split('/')
                .next()
                .unwrap_or_default()
                .to_lowercase();
            host.trim_start_matches("www.").to_string()
        });
        emails.chain(webs).collect()
    };
    let expected = domains(expected);
    domains(written)
        .iter()
        .any(|domain| expected.iter().any(|e| e == domain))
}
