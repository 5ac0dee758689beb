//! What changed between two versions of a notice, for the person who reads it: `klartext diff`.
//!
//! Two compiled policies are compared in the GDPR's terms, not line by line: an activity added
//! or removed, a recipient, processor or transfer added or removed, a changed safeguard, legal
//! basis or retention, a changed contact of the controller, the officer or the authority,
//! purposes and data categories added or removed. Rewording a sentence, moving a block or
//! renaming an id changes nothing a reader is told about (organisations are compared by name,
//! activities by id or, without one, by title), so it is no change here.
//!
//! Values are written as the notice shows them, in its language ("30 Tage", "Art. 6 Abs. 1
//! lit. e DSGVO"); the words around them are English, like klartext's other messages. The
//! changes come in a fixed order (the notice, controllers, the authority, the rights, then the
//! activities in the order of the new notice, removed ones last), so the same two versions give
//! the same report.

use serde::Serialize;

use crate::law::{cite_article, law};
use crate::model::{
    Activity, AutomatedDecisions, Contact, Controller, DataCategory, Language, Officer, Part,
    Party, Policy, Safeguard, SupervisoryAuthority,
};
use crate::render::{escape_markdown, filters};

/// The comparison of two versions of a notice.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub old: Version,
    pub new: Version,
    pub changes: Vec<Change>,
}

/// One of the two versions compared: what it is called (a file, or a file at a git revision)
/// and the date it shows.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    pub name: String,
    pub revised: Option<String>,
}

/// One change a reader of the notice is told about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub change: Kind,
    /// The provision that makes the notice state it: `Art. 13(1)(e)`; empty for the date.
    pub gdpr: &'static str,
    /// The activity the change is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity: Option<ActivityName>,
    /// The controller, officer or authority whose details changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
    /// Which of its details changed: `email`, `address`, `name`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    /// What was added or removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// What a changed fact said before, and says now (`null` when it was not stated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityName {
    pub id: Option<String>,
    pub title: String,
}

/// The kinds of change, by their names in the JSON report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    DateChanged,
    RevisionAdded,
    RevisionRemoved,
    ControllerAdded,
    ControllerRemoved,
    ControllerChanged,
    OfficerAdded,
    OfficerRemoved,
    OfficerChanged,
    AuthorityChanged,
    RightAdded,
    RightRemoved,
    ActivityAdded,
    ActivityRemoved,
    PurposeAdded,
    PurposeRemoved,
    DataAdded,
    DataRemoved,
    SourceAdded,
    SourceRemoved,
    LegalBasisChanged,
    LegitimateInterestAdded,
    LegitimateInterestRemoved,
    RecipientAdded,
    RecipientRemoved,
    ProcessorAdded,
    ProcessorRemoved,
    JointControllerAdded,
    JointControllerRemoved,
    TransferAdded,
    TransferRemoved,
    TransferSafeguardChanged,
    RetentionChanged,
    AutomatedDecisionsChanged,
    CookieAdded,
    CookieRemoved,
}

impl Kind {
    /// The provision of the GDPR that makes a notice say it.
    fn gdpr(self) -> &'static str {
        use Kind::*;
        match self {
            DateChanged | RevisionAdded | RevisionRemoved => "",
            ControllerAdded | ControllerRemoved | ControllerChanged => "Art. 13(1)(a)",
            OfficerAdded | OfficerRemoved | OfficerChanged => "Art. 13(1)(b)",
            AuthorityChanged => "Art. 13(2)(d)",
            RightAdded | RightRemoved => "Art. 13(2)(b)-(d)",
            ActivityAdded | ActivityRemoved | PurposeAdded | PurposeRemoved | LegalBasisChanged => {
                "Art. 13(1)(c)"
            }
            DataAdded | DataRemoved => "Art. 14(1)(d)",
            SourceAdded | SourceRemoved => "Art. 14(2)(f)",
            LegitimateInterestAdded | LegitimateInterestRemoved => "Art. 13(1)(d)",
            RecipientAdded | RecipientRemoved | ProcessorAdded | ProcessorRemoved => {
                "Art. 13(1)(e)"
            }
            JointControllerAdded | JointControllerRemoved => "Art. 26(2)",
            TransferAdded | TransferRemoved | TransferSafeguardChanged => "Art. 13(1)(f)",
            RetentionChanged => "Art. 13(2)(a)",
            AutomatedDecisionsChanged => "Art. 13(2)(f)",
            CookieAdded | CookieRemoved => "§ 25 TDDDG",
        }
    }

    /// What the change is about, in the words of the report: `recipient`.
    fn noun(self) -> &'static str {
        use Kind::*;
        match self {
            DateChanged => "date (Stand)",
            RevisionAdded | RevisionRemoved => "revision",
            ControllerAdded | ControllerRemoved | ControllerChanged => "controller",
            OfficerAdded | OfficerRemoved | OfficerChanged => "data protection officer",
            AuthorityChanged => "supervisory authority",
            RightAdded | RightRemoved => "right",
            ActivityAdded | ActivityRemoved => "processing activity",
            PurposeAdded | PurposeRemoved => "purpose",
            DataAdded | DataRemoved => "data",
            SourceAdded | SourceRemoved => "source of the data",
            LegalBasisChanged => "legal basis",
            LegitimateInterestAdded | LegitimateInterestRemoved => "legitimate interest",
            RecipientAdded | RecipientRemoved => "recipient",
            ProcessorAdded | ProcessorRemoved => "processor",
            JointControllerAdded | JointControllerRemoved => "joint controller",
            TransferAdded | TransferRemoved => "third-country transfer",
            TransferSafeguardChanged => "transfer safeguard",
            RetentionChanged => "retention",
            AutomatedDecisionsChanged => "automated decisions",
            CookieAdded | CookieRemoved => "cookie",
        }
    }

    /// `+` added, `-` removed, `~` changed.
    fn mark(self) -> char {
        use Kind::*;
        match self {
            RevisionAdded
            | ControllerAdded
            | OfficerAdded
            | RightAdded
            | ActivityAdded
            | PurposeAdded
            | DataAdded
            | SourceAdded
            | LegitimateInterestAdded
            | RecipientAdded
            | ProcessorAdded
            | JointControllerAdded
            | TransferAdded
            | CookieAdded => '+',
            RevisionRemoved
            | ControllerRemoved
            | OfficerRemoved
            | RightRemoved
            | ActivityRemoved
            | PurposeRemoved
            | DataRemoved
            | SourceRemoved
            | LegitimateInterestRemoved
            | RecipientRemoved
            | ProcessorRemoved
            | JointControllerRemoved
            | TransferRemoved
            | CookieRemoved => '-',
            _ => '~',
        }
    }

    fn verb(self) -> &'static str {
        match self.mark() {
            '+' => "added",
            '-' => "removed",
            _ => "changed",
        }
    }
}

impl Change {
    fn new(change: Kind) -> Change {
        Change {
            change,
            gdpr: change.gdpr(),
            activity: None,
            of: None,
            field: None,
            value: None,
            old: None,
            new: None,
        }
    }

    fn value(mut self, value: impl Into<String>) -> Change {
        self.value = Some(value.into());
        self
    }

    fn was_is(mut self, old: Option<String>, new: Option<String>) -> Change {
        self.old = Some(old);
        self.new = Some(new);
        self
    }

    fn of(mut self, of: impl Into<String>) -> Change {
        self.of = Some(of.into());
        self
    }

    fn field(mut self, field: &'static str) -> Change {
        self.field = Some(field);
        self
    }

    fn in_activity(mut self, activity: &Activity) -> Change {
        self.activity = Some(ActivityName {
            id: activity.id.clone(),
            title: activity.title.to_string(),
        });
        self
    }

    /// The heading the change is listed under.
    fn group(&self) -> String {
        match (&self.activity, &self.of) {
            (Some(activity), _) => match &activity.id {
                Some(id) => format!("Activity “{}” ({id})", activity.title),
                None => format!("Activity “{}”", activity.title),
            },
            (None, Some(of)) => match self.change {
                Kind::OfficerChanged | Kind::OfficerAdded | Kind::OfficerRemoved => {
                    format!("Data protection officer of “{of}”")
                }
                Kind::AuthorityChanged => "Supervisory authority".to_string(),
                _ => format!("Controller “{of}”"),
            },
            (None, None) => match self.change {
                Kind::RightAdded | Kind::RightRemoved => "Rights".to_string(),
                _ => "The notice".to_string(),
            },
        }
    }

    /// The change in one line, without its group: `+ recipient: Sitepark GmbH`.
    fn line(&self, markdown: bool) -> String {
        let text = |value: &str| {
            if markdown {
                escape_markdown(value)
            } else {
                value.to_string()
            }
        };
        let stated = |value: &Option<String>| match value {
            Some(value) => text(value),
            None => "(not stated)".to_string(),
        };
        let what = match (self.field, &self.activity, &self.of) {
            // The heading names the controller, officer or authority.
            (Some(field), _, _) => field.to_string(),
            // A transfer's safeguard: the organisation the transfer goes to.
            (None, Some(_), Some(of)) => format!("{} for {}", self.change.noun(), text(of)),
            _ => self.change.noun().to_string(),
        };
        let body = match (&self.value, &self.old, &self.new) {
            (Some(value), _, _) => format!("{what}: {}", text(value)),
            (None, Some(old), Some(new)) => {
                format!("{what}: {} → {}", stated(old), stated(new))
            }
            _ => what,
        };
        let gdpr = if self.gdpr.is_empty() {
            String::new()
        } else {
            format!(" ({} GDPR)", self.gdpr)
        };
        if markdown {
            format!("- **{}** {body}{gdpr}", self.change.verb())
        } else {
            format!("  {} {body}{gdpr}", self.change.mark())
        }
    }
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The changes under their headings, in order.
    fn groups(&self) -> Vec<(String, Vec<&Change>)> {
        let mut groups: Vec<(String, Vec<&Change>)> = Vec::new();
        for change in &self.changes {
            let group = change.group();
            match groups.iter_mut().find(|(name, _)| *name == group) {
                Some((_, changes)) => changes.push(change),
                None => groups.push((group, vec![change])),
            }
        }
        groups
    }

    fn summary(&self) -> String {
        match self.changes.len() {
            0 => "no changes for the reader of the notice".to_string(),
            1 => "1 change".to_string(),
            n => format!("{n} changes"),
        }
    }

    fn version(version: &Version) -> String {
        match &version.revised {
            Some(date) => format!("{} (Stand {date})", version.name),
            None => version.name.clone(),
        }
    }

    /// The report as plain text, for a terminal.
    pub fn text(&self) -> String {
        let mut out = format!(
            "{} → {}: {}\n",
            Diff::version(&self.old),
            Diff::version(&self.new),
            self.summary()
        );
        for (group, changes) in self.groups() {
            out.push('\n');
            out.push_str(&group);
            out.push('\n');
            for change in changes {
                out.push_str(&change.line(false));
                out.push('\n');
            }
        }
        out
    }

    /// The report as Markdown, for a pull request comment.
    pub fn markdown(&self) -> String {
        let code = |name: &str| format!("`{}`", name.replace('`', "'"));
        let mut out = format!(
            "### Changes to the privacy notice\n\n{} → {}: {}\n",
            code(&Diff::version(&self.old)),
            code(&Diff::version(&self.new)),
            self.summary()
        );
        for (group, changes) in self.groups() {
            out.push_str(&format!("\n#### {}\n\n", escape_markdown(&group)));
            for change in changes {
                out.push_str(&change.line(true));
                out.push('\n');
            }
        }
        out
    }

    /// The report as JSON: `{"old": {"name", "revised"}, "new": …, "changes": […]}`.
    pub fn json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_string());
        json.push('\n');
        json
    }
}

/// Compares two versions of a notice, `old` and `new`, named as the report should name them.
pub fn compare(old_name: &str, old: &Policy, new_name: &str, new: &Policy) -> Diff {
    let mut changes = Vec::new();
    notice(old, new, &mut changes);
    controllers(old, new, &mut changes);
    authority(old, new, &mut changes);
    rights(old, new, &mut changes);
    activities(old, new, &mut changes);
    Diff {
        old: Version {
            name: old_name.to_string(),
            revised: old.stand().map(|d| d.value.to_string()),
        },
        new: Version {
            name: new_name.to_string(),
            revised: new.stand().map(|d| d.value.to_string()),
        },
        changes,
    }
}

/// The items of `new` that `old` lacks, and those of `old` that `new` lacks, each in its order.
fn added_and_removed(old: &[String], new: &[String]) -> (Vec<String>, Vec<String>) {
    let added = new.iter().filter(|v| !old.contains(v)).cloned().collect();
    let removed = old.iter().filter(|v| !new.contains(v)).cloned().collect();
    (added, removed)
}

fn push_sets(
    changes: &mut Vec<Change>,
    old: &[String],
    new: &[String],
    (added, removed): (Kind, Kind),
    make: impl Fn(Kind) -> Change,
) {
    let (plus, minus) = added_and_removed(old, new);
    changes.extend(plus.into_iter().map(|v| make(added).value(v)));
    changes.extend(minus.into_iter().map(|v| make(removed).value(v)));
}

fn notice(old: &Policy, new: &Policy, changes: &mut Vec<Change>) {
    let (old_date, new_date) = (old.stand(), new.stand());
    if old_date.as_ref().map(|d| d.value) != new_date.as_ref().map(|d| d.value) {
        changes.push(Change::new(Kind::DateChanged).was_is(
            old_date.map(|d| d.value.to_string()),
            new_date.map(|d| d.value.to_string()),
        ));
    }
    let revisions = |policy: &Policy| -> Vec<String> {
        policy
            .revisions
            .iter()
            .map(|r| match &r.changes {
                Some(text) => format!("{}: {text}", r.date),
                None => r.date.to_string(),
            })
            .collect()
    };
    push_sets(
        changes,
        &revisions(old),
        &revisions(new),
        (Kind::RevisionAdded, Kind::RevisionRemoved),
        Change::new,
    );
}

fn controllers_of(policy: &Policy) -> Vec<&Controller> {
    policy
        .contents
        .iter()
        .filter_map(|part| match part {
            Part::Controller(controller) => Some(controller),
            _ => None,
        })
        .collect()
}

/// A controller is the same in both versions when it has the same id, or, without one, the
/// same name.
fn same_controller(a: &Controller, b: &Controller) -> bool {
    match (&a.id, &b.id) {
        (Some(x), Some(y)) => x == y,
        _ => a.name.as_str() == b.name.as_str(),
    }
}

fn controllers(old: &Policy, new: &Policy, changes: &mut Vec<Change>) {
    let (old_controllers, new_controllers) = (controllers_of(old), controllers_of(new));
    for controller in &new_controllers {
        let Some(before) = old_controllers
            .iter()
            .find(|c| same_controller(c, controller))
        else {
            changes.push(Change::new(Kind::ControllerAdded).value(controller.name.as_str()));
            continue;
        };
        let name = controller.name.to_string();
        let mut fields = vec![("name", Some(before.name.to_string()), Some(name.clone()))];
        fields.push((
            "represented-by",
            before.represented_by.as_ref().map(|t| t.to_string()),
            controller.represented_by.as_ref().map(|t| t.to_string()),
        ));
        fields.extend(contact_fields(&before.contact, &controller.contact));
        for (field, was, is) in fields {
            if was != is {
                changes.push(
                    Change::new(Kind::ControllerChanged)
                        .of(name.clone())
                        .field(field)
                        .was_is(was, is),
                );
            }
        }
        officers(&name, &before.officers, &controller.officers, changes);
    }
    for controller in &old_controllers {
        if !new_controllers
            .iter()
            .any(|c| same_controller(c, controller))
        {
            changes.push(Change::new(Kind::ControllerRemoved).value(controller.name.as_str()));
        }
    }
}

fn officer_name(officer: &Officer) -> String {
    officer
        .name
        .as_ref()
        .or(officer.role.as_ref())
        .map_or_else(|| "(without a name)".to_string(), |n| n.to_string())
}

/// A controller's officers, compared in their order: the first with the first.
fn officers(controller: &str, old: &[Officer], new: &[Officer], changes: &mut Vec<Change>) {
    for (index, officer) in new.iter().enumerate() {
        let Some(before) = old.get(index) else {
            changes.push(
                Change::new(Kind::OfficerAdded)
                    .of(controller)
                    .value(officer_name(officer)),
            );
            continue;
        };
        let text = |t: &Option<crate::model::Text>| t.as_ref().map(|t| t.to_string());
        let mut fields = vec![
            ("name", text(&before.name), text(&officer.name)),
            ("role", text(&before.role), text(&officer.role)),
            (
                "organisation",
                text(&before.organisation),
                text(&officer.organisation),
            ),
        ];
        fields.extend(contact_fields(&before.contact, &officer.contact));
        for (field, was, is) in fields {
            if was != is {
                changes.push(
                    Change::new(Kind::OfficerChanged)
                        .of(controller)
                        .field(field)
                        .was_is(was, is),
                );
            }
        }
    }
    for officer in old.iter().skip(new.len()) {
        changes.push(
            Change::new(Kind::OfficerRemoved)
                .of(controller)
                .value(officer_name(officer)),
        );
    }
}

/// The contact details that differ between two versions, each as the notice shows it (a line
/// with its label: "Telefonzentrale: 0561 787-0"); `None` where a version has none.
fn contact_fields(
    old: &Contact,
    new: &Contact,
) -> Vec<(&'static str, Option<String>, Option<String>)> {
    fn lines(values: &[crate::model::Labelled]) -> Option<String> {
        let lines: Vec<String> = values
            .iter()
            .map(|line| match &line.label {
                Some(label) => format!("{label}: {}", line.value),
                None => line.value.to_string(),
            })
            .collect();
        (!lines.is_empty()).then(|| lines.join(", "))
    }
    fn address(contact: &Contact) -> Option<String> {
        let addresses: Vec<String> = contact
            .addresses
            .iter()
            .map(|address| {
                let lines: Vec<&str> = address.lines.iter().map(|l| l.as_str()).collect();
                match &address.label {
                    Some(label) => format!("{label}: {}", lines.join(", ")),
                    None => lines.join(", "),
                }
            })
            .collect();
        (!addresses.is_empty()).then(|| addresses.join("; "))
    }
    let country = |c: &Contact| c.country.as_ref().map(|c| c.value.clone());
    vec![
        ("address", address(old), address(new)),
        ("country", country(old), country(new)),
        ("phone", lines(&old.phone), lines(&new.phone)),
        ("fax", lines(&old.fax), lines(&new.fax)),
        ("email", lines(&old.email), lines(&new.email)),
        ("de-mail", lines(&old.de_mail), lines(&new.de_mail)),
        ("web", lines(&old.web), lines(&new.web)),
        ("hours", lines(&old.hours), lines(&new.hours)),
    ]
}

fn authority_of(policy: &Policy) -> Option<&SupervisoryAuthority> {
    policy.contents.iter().find_map(|part| match part {
        Part::SupervisoryAuthority(authority) => Some(authority),
        _ => None,
    })
}

fn authority(old: &Policy, new: &Policy, changes: &mut Vec<Change>) {
    let (before, now) = (authority_of(old), authority_of(new));
    let name = |a: Option<&SupervisoryAuthority>| a.map(|a| a.name.to_string());
    let of = name(now).or(name(before)).unwrap_or_default();
    let empty = Contact::default();
    let mut fields = vec![("name", name(before), name(now))];
    fields.extend(contact_fields(
        before.map_or(&empty, |a| &a.contact),
        now.map_or(&empty, |a| &a.contact),
    ));
    for (field, was, is) in fields {
        if was != is {
            changes.push(
                Change::new(Kind::AuthorityChanged)
                    .of(of.clone())
                    .field(field)
                    .was_is(was, is),
            );
        }
    }
}

/// The rights a notice states, by name in its language.
fn rights_of(policy: &Policy) -> Vec<String> {
    policy
        .contents
        .iter()
        .filter_map(|part| match part {
            Part::Rights(rights) => Some(&rights.rights),
            _ => None,
        })
        .flatten()
        .map(|right| {
            law().right(&right.kind).map_or_else(
                || right.kind.clone(),
                |info| match policy.language {
                    Language::De => info.de.clone(),
                    Language::En => info.en.clone(),
                },
            )
        })
        .collect()
}

fn rights(old: &Policy, new: &Policy, changes: &mut Vec<Change>) {
    push_sets(
        changes,
        &rights_of(old),
        &rights_of(new),
        (Kind::RightAdded, Kind::RightRemoved),
        Change::new,
    );
}

/// The key an activity is known by in both versions: its id, or without one its title.
fn key(activity: &Activity) -> String {
    match &activity.id {
        Some(id) => format!("id {id}"),
        None => format!("title {}", activity.title),
    }
}

fn activities(old: &Policy, new: &Policy, changes: &mut Vec<Change>) {
    let old_activities = old.activities();
    let new_activities = new.activities();
    for activity in &new_activities {
        match old_activities.iter().find(|a| key(a) == key(activity)) {
            Some(before) => activity_changes(old, before, new, activity, changes),
            None => changes.push(
                Change::new(Kind::ActivityAdded)
                    .in_activity(activity)
                    .value(activity.title.as_str()),
            ),
        }
    }
    for activity in &old_activities {
        if !new_activities.iter().any(|a| key(a) == key(activity)) {
            changes.push(
                Change::new(Kind::ActivityRemoved)
                    .in_activity(activity)
                    .value(activity.title.as_str()),
            );
        }
    }
}

fn texts(values: &[crate::model::Text]) -> Vec<String> {
    values.iter().map(|t| t.to_string()).collect()
}

fn data_category(data: &DataCategory) -> String {
    match data {
        DataCategory::Item(text) => text.to_string(),
        DataCategory::Group { title, items } => {
            format!("{title} ({})", texts(items).join(", "))
        }
    }
}

/// The name of an organisation as the notice shows it, with its country outside Germany.
fn organisation(policy: &Policy, id: &str) -> String {
    match policy.organisation(id) {
        Some(organisation) => match organisation.contact.country.as_ref() {
            Some(country) if country.value != "DE" => {
                format!("{} ({})", organisation.name, country.value)
            }
            _ => organisation.name.to_string(),
        },
        None => id.to_string(),
    }
}

fn legal_bases(policy: &Policy, activity: &Activity) -> Option<String> {
    let bases: Vec<String> = activity
        .legal_bases
        .iter()
        .map(|basis| {
            let mut text = cite_article(basis.article, policy.language);
            for law in &basis.laws {
                text.push_str(&format!(", {law}"));
            }
            if let Some(when) = &basis.when {
                text.push_str(&format!(" ({when})"));
            }
            text
        })
        .collect();
    (!bases.is_empty()).then(|| bases.join("; "))
}

/// The retention rules as the notice words them: "30 Tage", "bis Sie … kündigen".
fn retention(policy: &Policy, activity: &Activity) -> Option<String> {
    let rules: Vec<String> = activity
        .retention
        .iter()
        .map(|retention| filters::retention_in_words(retention, policy.language))
        .collect();
    (!rules.is_empty()).then(|| rules.join("; "))
}

fn safeguard(transfer: &crate::model::Transfer) -> String {
    let name = match transfer.safeguard {
        Some(Safeguard::Adequacy) => "adequacy",
        Some(Safeguard::Dpf) => "dpf",
        Some(Safeguard::Scc) => "scc",
        Some(Safeguard::Bcr) => "bcr",
        Some(Safeguard::Derogation) => "derogation",
        Some(Safeguard::None) => "none",
        None => "not stated",
    };
    match &transfer.derogation {
        Some(point) => format!("{name} {}", point.value),
        None => name.to_string(),
    }
}

fn automated(activity: &Activity) -> Option<String> {
    activity
        .automated_decisions
        .as_ref()
        .map(|decisions| match decisions {
            AutomatedDecisions::None => "none".to_string(),
            AutomatedDecisions::Described(text) => text.to_string(),
        })
}

fn activity_changes(
    old_policy: &Policy,
    old: &Activity,
    new_policy: &Policy,
    new: &Activity,
    changes: &mut Vec<Change>,
) {
    let at = |kind: Kind| Change::new(kind).in_activity(new);
    let data = |a: &Activity| -> Vec<String> { a.data.iter().map(data_category).collect() };
    push_sets(
        changes,
        &texts(&old.purposes),
        &texts(&new.purposes),
        (Kind::PurposeAdded, Kind::PurposeRemoved),
        at,
    );
    push_sets(
        changes,
        &data(old),
        &data(new),
        (Kind::DataAdded, Kind::DataRemoved),
        at,
    );
    push_sets(
        changes,
        &texts(&old.sources),
        &texts(&new.sources),
        (Kind::SourceAdded, Kind::SourceRemoved),
        at,
    );
    let (was, is) = (legal_bases(old_policy, old), legal_bases(new_policy, new));
    if was != is {
        changes.push(at(Kind::LegalBasisChanged).was_is(was, is));
    }
    push_sets(
        changes,
        &texts(&old.legitimate_interests),
        &texts(&new.legitimate_interests),
        (
            Kind::LegitimateInterestAdded,
            Kind::LegitimateInterestRemoved,
        ),
        at,
    );
    let recipients = |policy: &Policy, a: &Activity| -> Vec<String> {
        a.recipients
            .items()
            .iter()
            .map(|r| match &r.party {
                Party::Organisation(reference) => organisation(policy, &reference.id),
                Party::Category(text) => text.to_string(),
            })
            .collect()
    };
    push_sets(
        changes,
        &recipients(old_policy, old),
        &recipients(new_policy, new),
        (Kind::RecipientAdded, Kind::RecipientRemoved),
        at,
    );
    let processors = |policy: &Policy, a: &Activity| -> Vec<String> {
        a.processors
            .iter()
            .map(|p| organisation(policy, &p.organisation.id))
            .collect()
    };
    push_sets(
        changes,
        &processors(old_policy, old),
        &processors(new_policy, new),
        (Kind::ProcessorAdded, Kind::ProcessorRemoved),
        at,
    );
    let joint = |policy: &Policy, a: &Activity| -> Vec<String> {
        a.joint_controllers
            .iter()
            .map(|j| organisation(policy, &j.organisation.id))
            .collect()
    };
    push_sets(
        changes,
        &joint(old_policy, old),
        &joint(new_policy, new),
        (Kind::JointControllerAdded, Kind::JointControllerRemoved),
        at,
    );
    // Transfers by the organisation they go to: one that stays with another safeguard changed.
    let transfers = |policy: &Policy, a: &Activity| -> Vec<(String, String)> {
        a.transfers
            .items()
            .iter()
            .map(|t| (organisation(policy, &t.recipient.id), safeguard(t)))
            .collect()
    };
    let (before, now) = (transfers(old_policy, old), transfers(new_policy, new));
    for (to, safeguard) in &now {
        match before.iter().find(|(was_to, _)| was_to == to) {
            None => changes.push(at(Kind::TransferAdded).value(format!("{to}: {safeguard}"))),
            Some((_, was)) if was != safeguard => changes.push(
                at(Kind::TransferSafeguardChanged)
                    .of(to.clone())
                    .was_is(Some(was.clone()), Some(safeguard.clone())),
            ),
            Some(_) => {}
        }
    }
    for (to, safeguard) in &before {
        if !now.iter().any(|(is_to, _)| is_to == to) {
            changes.push(at(Kind::TransferRemoved).value(format!("{to}: {safeguard}")));
        }
    }
    let (was, is) = (retention(old_policy, old), retention(new_policy, new));
    if was != is {
        changes.push(at(Kind::RetentionChanged).was_is(was, is));
    }
    let (was, is) = (automated(old), automated(new));
    if was != is {
        changes.push(at(Kind::AutomatedDecisionsChanged).was_is(was, is));
    }
    let cookies = |a: &Activity| -> Vec<String> {
        a.cookies
            .iter()
            .map(|c| match &c.name {
                Some(name) => name.to_string(),
                None => texts(&c.purposes).join(", "),
            })
            .collect()
    };
    push_sets(
        changes,
        &cookies(old),
        &cookies(new),
        (Kind::CookieAdded, Kind::CookieRemoved),
        at,
    );
}
