//! The checker: what GDPR Art. 13/14 require a notice to say, and law it should no longer cite.
//!
//! Every lint has a stable name, the provision it enforces and a help text. Findings are
//! warnings; an author accepts one with `allow <lint> "reason"` in the policy (for the whole
//! policy) or in an activity (for that activity).

mod contact;
mod duties;
mod style;
mod transfers;
mod words;

use crate::diagnostic::{Diagnostic, Span};
use crate::law::law;
pub use crate::lints::{LINTS, Lint};
use crate::model::DataCategory;
use crate::model::{
    Activity, Allowance, Article, AutomatedDecisions, Contact, ControllerKind, Lifetime, Officer,
    Part, Party, Policy, RetentionRule, Section, Text,
};

fn lint(name: &str) -> &'static Lint {
    LINTS
        .iter()
        .find(|lint| lint.name == name)
        .unwrap_or(&LINTS[LINTS.len() - 1])
}

pub(crate) fn warning(
    name: &'static str,
    span: Span,
    message: impl Into<String>,
    help: impl Into<String>,
) -> Diagnostic {
    let lint = lint(name);
    let mut diagnostic = Diagnostic::warning(name, span, message).with_help(help);
    diagnostic.severity = lint.severity;
    let law = lint.law;
    if law.is_empty() {
        diagnostic
    } else {
        diagnostic.with_law(law)
    }
}

/// The node of the model a finding is about: its allowances, and the policy's, can accept it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    Policy,
    /// The activity at this index of [`Policy::activities`].
    Activity(usize),
}

/// How to check.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Ignore every `allow`: report each finding the author has accepted (for a review).
    pub strict: bool,
}

/// Runs every lint over a policy and returns the findings that are not allowed. The model is
/// all it needs: every text knows where it was written.
pub fn check(policy: &Policy, options: Options) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    let mut found = Vec::new();
    policy_lints(policy, &mut found);
    findings.extend(found.drain(..).map(|f| (Node::Policy, f)));
    duties::policy_duties(policy, &mut found);
    style::represented_by(policy, &mut found);
    contact::policy_contacts(policy, &mut found);
    findings.extend(found.drain(..).map(|f| (Node::Policy, f)));
    let activities = policy.activities();
    // With `defaults once`, the statement for all processing is checked in every activity that
    // takes its facts, not as an activity of its own.
    let processing = activities.iter().any(|activity| !activity.notice_wide);
    for (index, activity) in activities.iter().enumerate() {
        if (activity.notice_wide && processing) || activity.incomplete {
            continue;
        }
        // Findings on facts the activity inherited from `defaults` point into the defaults, but
        // are the activity's: its `allow` accepts them.
        activity_lints(policy, activity, &mut found);
        authority_positions(activity, &mut found);
        duties::activity_duties(policy, activity, &mut found);
        style::none_in_words(activity, &mut found);
        transfers::activity_transfers(policy, activity, &mut found);
        findings.extend(found.drain(..).map(|f| (Node::Activity(index), f)));
    }
    let mut texts = Texts::default();
    texts.parts(&policy.contents, Node::Policy);
    texts.policy(policy);
    outdated_law(&texts, &mut findings);
    placeholders(policy, &texts, &mut findings);
    if options.strict {
        return in_order(findings.into_iter().map(|(_, f)| f).collect());
    }
    in_order(apply_allowances(policy, &activities, findings))
}

/// The findings in the order of the source. A fact inherited from `defaults` is checked in every
/// activity, but reported once.
fn in_order(mut findings: Vec<Diagnostic>) -> Vec<Diagnostic> {
    findings.sort_by_key(|d| (d.span.file, d.span.start, d.name));
    findings.dedup();
    findings
}

fn policy_lints(policy: &Policy, findings: &mut Vec<Diagnostic>) {
    let header = policy.span.head("policy");
    let controllers: Vec<_> = policy
        .contents
        .iter()
        .filter_map(|part| match part {
            Part::Controller(c) => Some(c),
            _ => None,
        })
        .collect();
    if controllers.is_empty() {
        findings.push(warning(
            "missing-controller",
            header,
            "the notice does not say who is responsible for the processing",
            "add `controller id \"Name\" { address \"…\" email \"…\" }`",
        ));
    }
    for controller in &controllers {
        let span = controller.span.head("controller");
        let c = &controller.contact;
        if c.address.is_empty() || (c.phone.is_empty() && c.email.is_empty() && c.web.is_empty()) {
            findings.push(warning(
                "missing-controller-contact",
                span,
                format!(
                    "the notice gives no complete contact details for {}",
                    controller.name
                ),
                "add its postal `address` and an `email` or `phone`",
            ));
        }
        if controller.officers.is_empty() {
            findings.push(warning(
                "missing-officer",
                span,
                format!("{} names no data protection officer", controller.name),
                "add `officer \"Name\" { email \"…\" }` inside the controller; public bodies must appoint one",
            ));
        }
        for officer in &controller.officers {
            if officer.contact.is_empty() {
                findings.push(warning(
                    "missing-officer-contact",
                    officer.span.head("officer"),
                    "the notice gives no way to reach the data protection officer",
                    "add an `email`, `phone` or `address` to the officer",
                ));
            }
        }
    }
    let names_authority = policy
        .contents
        .iter()
        .any(|p| matches!(p, Part::SupervisoryAuthority(_)));
    if !names_authority {
        findings.push(warning(
            "missing-supervisory-authority",
            header,
            "the notice does not name the supervisory authority one can complain to, and klartext cannot tell which it is",
            "add the federal state (`state DE-HE`, or `state DE` for a federal body), and klartext states its authority; or write `supervisory-authority \"Name\" { address … }`",
        ));
    }
    // A placeholder for the date is reported as a placeholder (`placeholders`), not as missing.
    if policy.stand().is_none() && policy.revised_placeholder.is_none() {
        findings.push(warning(
            "missing-revision-date",
            header,
            "the notice does not say when it was last revised",
            "add `revised 2024-05-02` with the date of the last change",
        ));
    }
    // The notice shows the latest date as its "Stand"; a `revised` left behind would say
    // otherwise to whoever reads the source.
    if let (Some(revised), Some(stand)) = (&policy.revised, policy.stand())
        && stand.value > revised.value
    {
        findings.push(
            warning(
                "revised-before-revision",
                revised.span,
                format!(
                    "`revised {}` is older than the revision of {}, which the notice shows as its date",
                    revised.value, stand.value
                ),
                format!("write `revised {}`", stand.value),
            )
            .with_related(stand.span, "the latest revision")
            .with_fix(
                revised.span,
                stand.value.to_string(),
                "write the date of the latest revision",
            ),
        );
    }
}

fn activity_lints(policy: &Policy, activity: &Activity, findings: &mut Vec<Diagnostic>) {
    let span = activity.span.head("activity");
    let title = &activity.title;
    if activity.data.is_empty() {
        findings.push(warning(
            "missing-data-categories",
            span,
            format!("“{title}” does not say which personal data are processed"),
            "add e.g. `data \"IP-Adresse\", \"Datum und Uhrzeit\"`",
        ));
    }
    if activity.purposes.is_empty() {
        findings.push(warning(
            "missing-purpose",
            span,
            format!("“{title}” states no purpose"),
            "add e.g. `purpose \"Versand des Newsletters\"`",
        ));
    }
    if activity.legal_bases.is_empty() {
        findings.push(warning(
            "missing-legal-basis",
            span,
            format!("“{title}” states no legal basis"),
            match general_basis(policy) {
                Some(general) => format!(
                    "add e.g. `basis 6(1)(e) \"{general}\"` for a public task, with the law that assigns it"
                ),
                None => "add e.g. `basis 6(1)(e) \"…\"` with the law that assigns the task, or `basis 6(1)(a)` for consent".to_string(),
            },
        ));
    }
    for basis in &activity.legal_bases {
        let basis_span = basis.span.head("basis");
        match basis.article {
            Article::Lawfulness(None) | Article::SpecialCategories(None) => findings.push(warning(
                "incomplete-legal-basis",
                basis_span,
                format!(
                    "Art. {} GDPR is given without the point that applies",
                    basis.article
                ),
                "name the point, e.g. `6(1)(e)` for a task in the public interest",
            )),
            Article::Lawfulness(Some('f')) => {
                if activity.legitimate_interests.is_empty() {
                    findings.push(warning(
                        "missing-legitimate-interest",
                        basis_span,
                        "Art. 6(1)(f) requires the notice to state the legitimate interests pursued",
                        "add `legitimate-interest \"…\"`",
                    ));
                }
                if duties::kind_of(policy, activity) == ControllerKind::Public {
                    let general = general_basis(policy)
                        .unwrap_or_else(|| "the state's data protection act".to_string());
                    findings.push(warning(
                        "legitimate-interest-by-authority",
                        basis_span,
                        "public authorities cannot rely on Art. 6(1)(f) for the performance of their tasks",
                        format!("use `basis 6(1)(e) \"{general}\"` for a public task, or `kind private` in a controller that is not a public body, or allow this with the reason"),
                    ));
                }
            }
            _ => {}
        }
        let needs_law = law()
            .legal_basis(&basis.article.code())
            .is_some_and(|b| b.needs_law);
        if needs_law && basis.laws.is_empty() {
            let help = match general_basis(policy) {
                Some(general) => {
                    format!("name the law, e.g. `basis {} \"{general}\"`", basis.article)
                }
                None => format!("name the law, e.g. `basis {} \"§ 3 …\"`", basis.article),
            };
            findings.push(warning(
                "missing-national-law",
                basis_span,
                format!(
                    "Art. {} GDPR needs the law that obliges or entitles you to process",
                    basis.article
                ),
                help,
            ));
        }
    }
    let states_recipients = activity.recipients.is_stated()
        || !activity.processors.is_empty()
        || !activity.joint_controllers.is_empty()
        || !activity.operators.is_empty()
        || !activity.partners.is_empty();
    if !states_recipients {
        findings.push(warning(
            "missing-recipients",
            span,
            format!("“{title}” says nothing about who receives the data"),
            "add `recipients \"…\"`, or `recipients none` if no one else receives them",
        ));
    }
    // A cookie's lifetime is how long its data are kept; an activity of cookies that all state
    // one has stated its retention.
    let cookies_state_it =
        !activity.cookies.is_empty() && activity.cookies.iter().all(|c| c.lifetime.is_some());
    if activity.retention.is_empty() && !cookies_state_it {
        findings.push(warning(
            "missing-retention",
            span,
            format!("“{title}” does not say how long the data are kept"),
            "add e.g. `retention 30 days` or `retention criteria \"…\"`",
        ));
    }
}

/// The published positions of the supervisory authorities an activity names: each is reported
/// until the activity, or the policy, accepts it with the reason the authority still runs it.
fn authority_positions(activity: &Activity, findings: &mut Vec<Diagnostic>) {
    for reference in &activity.positions {
        let Some(position) = law().position(&reference.id) else {
            continue;
        };
        let mut help = format!(
            "if you run “{}” nonetheless, say why in the activity: `allow authority-position \"…\"`; the position: {}",
            activity.title,
            position.source.join(", ")
        );
        if let Some(status) = &position.status {
            help.push_str(&format!("; since then: {status}"));
        }
        findings.push(warning(
            "authority-position",
            reference.span,
            format!(
                "the supervisory authorities hold that {} ({}, {} of {}; position `{}`)",
                position.summary,
                position.short,
                position.kind,
                english_date(&position.date),
                position.id
            ),
            help,
        ));
    }
}

/// The marker of a placeholder: `klartext init` writes it where only the author knows the answer.
const PLACEHOLDER: &str = "TODO";

/// Every text that holds a placeholder (`TODO`), and a placeholder for the date of revision: a
/// notice must not be published before each is replaced by what it stands for.
fn placeholders(policy: &Policy, texts: &Texts, findings: &mut Vec<(Node, Diagnostic)>) {
    let help = "replace the placeholder by what it asks for; the notice is written only without placeholders";
    for &(node, text) in &texts.texts {
        let Some(at) = text.find(PLACEHOLDER) else {
            continue;
        };
        let span = text
            .source_span(at..at + PLACEHOLDER.len())
            .unwrap_or_else(|| text.span());
        findings.push((
            node,
            warning(
                "placeholder",
                span,
                format!("“{}” is a placeholder, not yet the answer", quoted(text)),
                help,
            ),
        ));
    }
    if let Some(placeholder) = &policy.revised_placeholder {
        findings.push((
            Node::Policy,
            warning(
                "placeholder",
                placeholder.span(),
                format!(
                    "“{}” is a placeholder for the date of the last revision",
                    quoted(placeholder)
                ),
                "write the date of the last change, e.g. `revised 2024-05-02`",
            ),
        ));
    }
}

/// A text as a message quotes a placeholder in it: the line that holds the placeholder (the
/// first line, if none does), at most 80 characters.
fn quoted(text: &Text) -> String {
    let mut lines = text.as_str().trim().lines();
    let line = lines
        .clone()
        .find(|line| line.contains(PLACEHOLDER))
        .or_else(|| lines.next())
        .unwrap_or_default()
        .trim();
    match line.char_indices().nth(80) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line.to_string(),
    }
}

/// The general legal basis for public bodies in the policy's state, e.g. `§ 3 HDSIG`.
pub(crate) fn general_basis(policy: &Policy) -> Option<String> {
    let state = law().state(policy.state.as_ref()?)?;
    state.general_basis.clone()
}

/// Looks for repealed or renamed law in every text of the policy, at its exact place: each
/// entry once per text. A finding in an activity's text, or in a text it took from `defaults`,
/// is that activity's.
fn outdated_law(texts: &Texts, findings: &mut Vec<(Node, Diagnostic)>) {
    let patterns = words::outdated();
    for &(node, text) in &texts.texts {
        let mut reported = Vec::new();
        for (pattern, range) in patterns.words.find_all(text) {
            let index = patterns.entries[pattern];
            if reported.contains(&index) {
                continue;
            }
            reported.push(index);
            let outdated = &law().outdated[index];
            if let Some(span) = text.source_span(range) {
                findings.push((
                    node,
                    warning(
                        "outdated-law",
                        span,
                        format!(
                            "the {} was {} on {}",
                            outdated.name,
                            outdated.change,
                            english_date(&outdated.since)
                        ),
                        format!("instead cite {}", outdated.replaced_by),
                    ),
                ));
            }
        }
    }
}

/// Every text a person wrote in the policy, with the node it belongs to. Activities are counted
/// in the order of [`Policy::activities`].
#[derive(Default)]
struct Texts<'a> {
    texts: Vec<(Node, &'a Text)>,
    activities: usize,
}

impl<'a> Texts<'a> {
    fn add(&mut self, node: Node, texts: impl IntoIterator<Item = &'a Text>) {
        self.texts
            .extend(texts.into_iter().map(|text| (node, text)));
    }

    fn policy(&mut self, policy: &'a Policy) {
        let node = Node::Policy;
        self.add(node, [&policy.title]);
        self.add(node, &policy.websites);
        self.add(node, &policy.applies_to);
        self.add(node, &policy.published_at);
        self.add(node, &policy.preamble);
        self.add(node, policy.labels.values());
        for organisation in &policy.organisations {
            self.add(node, [&organisation.name]);
            self.add(node, &organisation.represented_by);
            self.add(node, &organisation.privacy_policy);
            self.add(node, &organisation.text);
            self.contact(node, &organisation.contact);
            for officer in &organisation.officers {
                self.officer(node, officer);
            }
        }
        self.add(node, policy.allowances.iter().map(|a| &a.reason));
    }

    fn officer(&mut self, node: Node, officer: &'a Officer) {
        self.add(node, &officer.name);
        self.add(node, &officer.role);
        self.add(node, &officer.organisation);
        self.add(node, &officer.text);
        self.contact(node, &officer.contact);
    }

    fn contact(&mut self, node: Node, contact: &'a Contact) {
        self.add(node, contact.texts());
    }

    /// The parts of the policy or of a section: `node` unless they are activities.
    fn parts(&mut self, parts: &'a [Part], node: Node) {
        for part in parts {
            match part {
                Part::Controller(controller) => {
                    self.add(node, [&controller.name]);
                    self.add(node, &controller.represented_by);
                    self.add(node, &controller.responsible_for);
                    self.add(node, &controller.text);
                    self.contact(node, &controller.contact);
                    for officer in &controller.officers {
                        self.officer(node, officer);
                    }
                }
                Part::SupervisoryAuthority(authority) => {
                    self.add(node, [&authority.name]);
                    self.add(node, &authority.text);
                    self.contact(node, &authority.contact);
                }
                Part::Activity(activity) => {
                    let index = self.activities;
                    self.activities += 1;
                    self.activity(activity, Node::Activity(index));
                }
                Part::Section(section) => self.section(section, node),
                Part::Rights(rights) => {
                    self.add(node, &rights.title);
                    self.add(node, &rights.text);
                    for right in &rights.rights {
                        self.add(node, &right.laws);
                        self.add(node, &right.text);
                    }
                }
            }
        }
    }

    fn section(&mut self, section: &'a Section, node: Node) {
        self.add(node, [&section.title]);
        self.add(node, &section.text);
        self.parts(&section.contents, node);
    }

    fn activity(&mut self, activity: &'a Activity, node: Node) {
        self.add(node, [&activity.title]);
        self.add(node, &activity.text);
        self.add(node, activity.lead_ins.values());
        self.add(node, activity.data.iter().flat_map(DataCategory::texts));
        for texts in [
            &activity.subjects,
            &activity.sources,
            &activity.purposes,
            &activity.legitimate_interests,
            &activity.presences,
            &activity.requirement,
            &activity.privacy_policies,
            &activity.objection,
            &activity.withdrawal,
        ] {
            self.add(node, texts);
        }
        for basis in &activity.legal_bases {
            self.add(node, &basis.laws);
            self.add(node, &basis.when);
            self.add(node, &basis.text);
        }
        for recipient in activity.recipients.items() {
            if let Party::Category(category) = &recipient.party {
                self.add(node, [category]);
            }
            self.add(
                node,
                recipient
                    .laws
                    .iter()
                    .chain(&recipient.purposes)
                    .chain(&recipient.text),
            );
        }
        self.add(node, activity.processors.iter().flat_map(|p| &p.role));
        self.add(node, activity.partners.iter().flat_map(|p| &p.offers));
        self.add(
            node,
            activity.transfers.items().iter().flat_map(|t| &t.text),
        );
        for retention in &activity.retention {
            match &retention.rule {
                RetentionRule::Period { from, .. } => self.add(node, from),
                RetentionRule::Until { event: text }
                | RetentionRule::Statutory { law: text }
                | RetentionRule::Criteria { text } => self.add(node, [text]),
                RetentionRule::Archive { archive, law } => {
                    self.add(node, [archive]);
                    self.add(node, law);
                }
            }
            self.add(node, &retention.data);
        }
        if let Some(AutomatedDecisions::Described(text)) = &activity.automated_decisions {
            self.add(node, [text]);
        }
        for cookie in &activity.cookies {
            self.add(node, &cookie.name);
            self.add(node, &cookie.purposes);
            if let Some(Lifetime::Described(text)) = &cookie.lifetime {
                self.add(node, [text]);
            }
            self.add(node, &cookie.text);
        }
        for link in &activity.links {
            self.add(node, [&link.label, &link.url]);
        }
        for section in &activity.sections {
            self.section(section, node);
        }
        self.add(node, activity.allowances.iter().map(|a| &a.reason));
    }
}

fn english_date(iso: &str) -> String {
    crate::model::Date::parse(iso).map_or_else(
        || iso.to_string(),
        |date| date.written(crate::model::Language::En),
    )
}

/// Removes the findings the author has accepted, and reports acceptances that match nothing. An
/// `allow` in the policy accepts a finding anywhere; one in an activity, the findings on that
/// activity, including those on facts it inherited from `defaults`.
fn apply_allowances(
    policy: &Policy,
    activities: &[&Activity],
    findings: Vec<(Node, Diagnostic)>,
) -> Vec<Diagnostic> {
    /// The allowances of one node, and whether each has matched a finding.
    struct Scope<'a> {
        allowances: Vec<(&'a Allowance, bool)>,
    }
    impl Scope<'_> {
        fn allows(&mut self, finding: &Diagnostic) -> bool {
            let mut allowed = false;
            for (allowance, used) in &mut self.allowances {
                if allowance.lint == finding.name {
                    *used = true;
                    allowed = true;
                }
            }
            allowed
        }
    }
    fn scope(allowances: &[Allowance]) -> Scope<'_> {
        Scope {
            allowances: allowances.iter().map(|a| (a, false)).collect(),
        }
    }
    let mut policy_scope = scope(&policy.allowances);
    let mut activity_scopes: Vec<Scope> = activities
        .iter()
        .map(|activity| scope(&activity.allowances))
        .collect();
    let mut kept = Vec::new();
    for (node, finding) in findings {
        let by_policy = policy_scope.allows(&finding);
        let by_activity = match node {
            Node::Activity(index) => activity_scopes
                .get_mut(index)
                .is_some_and(|scope| scope.allows(&finding)),
            Node::Policy => false,
        };
        if !by_policy && !by_activity {
            kept.push(finding);
        }
    }
    for scope in std::iter::once(&policy_scope).chain(&activity_scopes) {
        for (allowance, used) in &scope.allowances {
            if !used {
                let (help, title) = if allowance.shared {
                    (
                        format!(
                            "remove `{}` from this `allow`: the policy now says what was missing",
                            allowance.lint
                        ),
                        format!("remove `{}` from this `allow`", allowance.lint),
                    )
                } else {
                    (
                        "remove this `allow`: the policy now says what was missing".to_string(),
                        "remove this `allow`".to_string(),
                    )
                };
                kept.push(
                    warning(
                        "unused-allow",
                        allowance.span,
                        format!("nothing here triggers `{}`", allowance.lint),
                        help,
                    )
                    .with_fix(
                        allowance.line.unwrap_or(allowance.span),
                        "",
                        title,
                    ),
                );
            }
        }
    }
    kept
}
