//! The first layer of a notice, "Das Wichtigste in Kürze": who is responsible and how to reach
//! the officer, what is processed for which purposes, who receives data, whether anything
//! leaves the EU and the EEA, the rights and where to complain, each pointing to the part of
//! the notice that says it in full (the layered approach of the EDPB's transparency guidelines,
//! WP260 rev.01, paras. 35–38).
//!
//! It is gathered from the notice as the templates show it (after `defaults once` moved the
//! shared facts into the statement for all processing, and with the anchors assigned), so that
//! every link leads to a part that states what the summary says. It holds the policy's own texts;
//! the templates escape them for each format, as they escape the rest of the notice.

use std::collections::HashMap;

use serde::Serialize;

use crate::model::{Activity, Officer, Part, Party, Policy};

#[derive(Debug, Serialize)]
pub(crate) struct Summary<'a> {
    pub controllers: Vec<Controller<'a>>,
    /// The activities, with their purposes; the statement for all processing is left out, as
    /// it has no purpose of its own.
    pub activities: Vec<Purposes<'a>>,
    /// Recipients, processors and joint controllers, each once, with the activities naming
    /// them; those that the same activities name share a line.
    pub recipients: Vec<Receiving<'a>>,
    /// Whether the notice says that no one receives the data: every activity says
    /// `recipients none` (itself or in the statement for all processing) and none has a processor
    /// or joint controller.
    pub no_recipients: bool,
    /// The organisations data are transferred to outside the EU and the EEA.
    pub transfers: Vec<Receiving<'a>>,
    /// Whether the notice says that nothing is transferred to a third country (as
    /// `no_recipients` says it of recipients). When it says neither this nor names a transfer,
    /// the summary says that the notice names none.
    pub no_transfers: bool,
    pub rights: Option<Rights<'a>>,
    /// Where to complain: the supervisory authority's part, or the rights, where the right to
    /// complain names it.
    pub authority: Option<Link<'a>>,
}

/// A part of the notice: its title and its anchor.
#[derive(Debug, Serialize, Clone, Copy)]
pub(crate) struct Link<'a> {
    pub title: &'a str,
    pub anchor: &'a str,
}

#[derive(Debug, Serialize)]
pub(crate) struct Controller<'a> {
    pub name: &'a str,
    pub anchor: &'a str,
    pub officers: &'a [Officer],
}

#[derive(Debug, Serialize)]
pub(crate) struct Purposes<'a> {
    pub title: &'a str,
    pub anchor: &'a str,
    pub purposes: Vec<&'a str>,
}

/// Someone who receives data: an organisation (by its name) or a category of recipients in
/// words, in a role (`recipient`, `processor`, `joint_controller`), with the country of an
/// organisation outside Germany.
#[derive(Debug, Serialize)]
pub(crate) struct Receiver<'a> {
    pub name: &'a str,
    pub role: &'static str,
    pub country: Option<&'a str>,
}

/// Receivers named by the same activities, and those activities: one line of the summary.
#[derive(Debug, Serialize)]
pub(crate) struct Receiving<'a> {
    pub receivers: Vec<Receiver<'a>>,
    pub activities: Vec<Link<'a>>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Rights<'a> {
    pub anchor: &'a str,
    /// The kinds of the rights (`access`, `objection`), in the order the notice states them:
    /// the right to object last, apart from the others (Art. 21(4) GDPR).
    pub kinds: Vec<&'a str>,
}

/// The summary of a notice whose anchors are assigned.
pub(crate) fn of(policy: &Policy) -> Summary<'_> {
    let mut summary = Summary {
        controllers: Vec::new(),
        activities: Vec::new(),
        recipients: Vec::new(),
        no_recipients: false,
        transfers: Vec::new(),
        no_transfers: false,
        rights: None,
        authority: None,
    };
    let mut parts = Vec::new();
    flatten(&policy.contents, &mut parts);
    for part in &parts {
        match part {
            Part::Controller(c) => summary.controllers.push(Controller {
                name: &c.name,
                anchor: &c.anchor,
                officers: &c.officers,
            }),
            Part::SupervisoryAuthority(a) if summary.authority.is_none() => {
                summary.authority = Some(Link {
                    title: &a.name,
                    anchor: &a.anchor,
                });
            }
            Part::Rights(r) if summary.rights.is_none() => {
                let (objection, others): (Vec<_>, Vec<_>) =
                    r.rights.iter().partition(|right| right.kind == "objection");
                summary.rights = Some(Rights {
                    anchor: &r.anchor,
                    kinds: others
                        .iter()
                        .chain(&objection)
                        .map(|right| right.kind.as_str())
                        .collect(),
                });
            }
            _ => {}
        }
    }
    if summary.authority.is_none()
        && let Some(Part::Rights(r)) = parts.iter().find(|p| matches!(p, Part::Rights(_)))
        && let Some(authority) = r.rights.iter().find_map(|right| right.authority.as_ref())
    {
        summary.authority = Some(Link {
            title: &authority.name,
            anchor: &r.anchor,
        });
    }

    let activities = policy.activities();
    let mut recipients = Receivers::default();
    let mut transfers = Receivers::default();
    for activity in &activities {
        let link = Link {
            title: &activity.title,
            anchor: &activity.anchor,
        };
        if !activity.notice_wide {
            summary.activities.push(Purposes {
                title: &activity.title,
                anchor: &activity.anchor,
                purposes: activity.purposes.iter().map(|p| p.as_str()).collect(),
            });
        }
        for recipient in activity.recipients.items() {
            let name = match &recipient.party {
                Party::Organisation(reference) => organisation_name(policy, &reference.id),
                Party::Category(category) => category,
            };
            recipients.add(name, "recipient", None, link);
        }
        for processor in &activity.processors {
            let name = organisation_name(policy, &processor.organisation.id);
            recipients.add(name, "processor", None, link);
        }
        for joint in &activity.joint_controllers {
            let name = organisation_name(policy, &joint.organisation.id);
            recipients.add(name, "joint_controller", None, link);
        }
        for transfer in activity.transfers.items() {
            let organisation = policy.organisation(&transfer.recipient.id);
            let name = organisation.map_or(transfer.recipient.id.as_str(), |o| o.name.as_str());
            let country = organisation
                .and_then(|o| o.contact.country.as_ref())
                .map(|c| c.value.as_str());
            transfers.add(name, "recipient", country, link);
        }
    }
    summary.recipients = recipients.grouped();
    summary.transfers = transfers.grouped();
    summary.no_recipients =
        summary.recipients.is_empty() && said_none(&activities, |a| a.recipients.is_none());
    summary.no_transfers =
        summary.transfers.is_empty() && said_none(&activities, |a| a.transfers.is_none());
    summary
}

/// Whether the notice says `none` of a fact for every activity: each says it, or the statement
/// for all processing says it for those that say nothing (what they say themselves is listed).
fn said_none(activities: &[&Activity], none: impl Fn(&Activity) -> bool) -> bool {
    !activities.is_empty()
        && (activities.iter().all(|a| none(a))
            || activities.iter().any(|a| a.notice_wide && none(a)))
}

fn organisation_name<'a>(policy: &'a Policy, id: &'a str) -> &'a str {
    policy.organisation(id).map_or(id, |o| o.name.as_str())
}

/// The receivers of one kind, each once, with the activities that name them: by name and role,
/// the place in `list`, so that a notice of thousands of activities is summarised in linear
/// time.
#[derive(Default)]
struct Receivers<'a> {
    list: Vec<(Receiver<'a>, Vec<Link<'a>>)>,
    index: HashMap<(&'a str, &'static str), usize>,
}

impl<'a> Receivers<'a> {
    /// Adds an activity to the receiver of that name and role, or the receiver, in the order
    /// the notice names them.
    fn add(
        &mut self,
        name: &'a str,
        role: &'static str,
        country: Option<&'a str>,
        activity: Link<'a>,
    ) {
        match self.index.get(&(name, role)) {
            Some(&at) => {
                let activities = &mut self.list[at].1;
                // Activities come in order: one that names a receiver twice is the last one.
                if activities
                    .last()
                    .is_none_or(|a| a.anchor != activity.anchor)
                {
                    activities.push(activity);
                }
            }
            None => {
                self.index.insert((name, role), self.list.len());
                let country = country.filter(|code| *code != "DE");
                self.list.push((
                    Receiver {
                        name,
                        role,
                        country,
                    },
                    vec![activity],
                ));
            }
        }
    }

    /// The receivers in lines: those named by the same activities together, in the order the
    /// first of them is named. An organisation that the same activities name as a recipient and
    /// in a role (a processor listed among the recipients too) is named once, in its role.
    fn grouped(self) -> Vec<Receiving<'a>> {
        let mut lines: Vec<Receiving<'a>> = Vec::new();
        let mut by_activities: HashMap<Vec<&'a str>, usize> = HashMap::new();
        // By line and name: the place of the receiver in its line.
        let mut named: HashMap<(usize, &'a str), usize> = HashMap::new();
        for (receiver, activities) in self.list {
            let key: Vec<&str> = activities.iter().map(|a| a.anchor).collect();
            match by_activities.get(&key) {
                Some(&at) => {
                    let receivers = &mut lines[at].receivers;
                    match named.get(&(at, receiver.name)) {
                        // Named already, in its role or as a recipient.
                        Some(_) if receiver.role == "recipient" => {}
                        Some(&same) if receivers[same].role == "recipient" => {
                            receivers[same].role = receiver.role;
                        }
                        _ => {
                            named.insert((at, receiver.name), receivers.len());
                            receivers.push(receiver);
                        }
                    }
                }
                None => {
                    named.insert((lines.len(), receiver.name), 0);
                    by_activities.insert(key, lines.len());
                    lines.push(Receiving {
                        receivers: vec![receiver],
                        activities,
                    });
                }
            }
        }
        lines
    }
}

/// The parts of the notice at every depth of its sections, in order.
fn flatten<'a>(parts: &'a [Part], into: &mut Vec<&'a Part>) {
    for part in parts {
        into.push(part);
        if let Part::Section(section) = part {
            flatten(&section.contents, into);
        }
    }
}
