//! Syntax tree to typed model: gives keywords their meaning, checks values, resolves references.
//!
//! Lowering reports every problem it finds and goes on, so one run shows all of them. It returns
//! a model only when there were no errors.

use std::collections::BTreeSet;

use crate::diagnostic::{Diagnostic, Span, did_you_mean};
use crate::law::law;
use crate::model::*;
use crate::syntax::{File, Item, Value, ValueKind};

pub fn lower(file: &File) -> (Option<Policy>, Vec<Diagnostic>) {
    let mut lowerer = Lowerer::default();
    let policy = lowerer.file(file);
    let policy = policy.map(|mut policy| {
        lowerer.resolve(&policy);
        assign_anchors(&mut policy);
        policy
    });
    let failed = lowerer.diagnostics.iter().any(Diagnostic::is_error);
    (if failed { None } else { policy }, lowerer.diagnostics)
}

const POLICY: &[&str] = &[
    "language",
    "state",
    "revised",
    "website",
    "preamble",
    "allow",
    "controller",
    "supervisory-authority",
    "organisation",
    "activity",
    "section",
    "rights",
];
const CONTACT: &[&str] = &[
    "address", "country", "phone", "fax", "email", "de-mail", "web", "hours",
];
const CONTROLLER: &[&str] = &["represented-by", "responsible-for", "text", "officer"];
const OFFICER: &[&str] = &["role", "organisation", "text"];
const AUTHORITY: &[&str] = &["text"];
const ORGANISATION: &[&str] = &["represented-by", "privacy-policy", "text"];
const ACTIVITY: &[&str] = &[
    "controller",
    "text",
    "data",
    "subjects",
    "source",
    "purpose",
    "basis",
    "legitimate-interest",
    "recipients",
    "recipient",
    "processor",
    "joint-controller",
    "operator",
    "presence",
    "partner",
    "transfer",
    "retention",
    "requirement",
    "automated-decisions",
    "cookie",
    "privacy-policy",
    "objection",
    "withdrawal",
    "section",
    "allow",
];
const BASIS: &[&str] = &["law", "when"];
const PROCESSOR: &[&str] = &["role"];
const TRANSFER: &[&str] = &["text"];
const COOKIE: &[&str] = &[
    "provider",
    "purpose",
    "lifetime",
    "necessary",
    "consent",
    "text",
];
const SECTION: &[&str] = &["text", "section"];
const RIGHTS: &[&str] = &["title", "text", "right"];
const RIGHT: &[&str] = &["text"];
const SAFEGUARDS: &[&str] = &["adequacy", "dpf", "scc", "bcr", "derogation", "none"];
const TIME_UNITS: &[&str] = &[
    "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks", "month", "months",
    "year", "years",
];

#[derive(Default)]
struct Lowerer {
    diagnostics: Vec<Diagnostic>,
}

impl Lowerer {
    fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn file(&mut self, file: &File) -> Option<Policy> {
        let mut policy = None;
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
                    problem = problem.with_help("did you mean `policy`?");
                } else {
                    problem = problem.with_help("everything goes inside `policy \"Title\" { … }`");
                }
                self.error(problem);
            } else if policy.is_some() {
                self.error(
                    Diagnostic::error(
                        "duplicate-policy",
                        item.keyword.span,
                        "a file holds one policy only",
                    )
                    .with_help("put the second policy in a file of its own"),
                );
            } else {
                policy = Some(self.policy(item));
            }
        }
        if policy.is_none() && file.items.is_empty() {
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
            websites: Vec::new(),
            preamble: None,
            contents: Vec::new(),
            organisations: Vec::new(),
            allowances: Vec::new(),
            span: item.span,
        };
        let mut language = None;
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
                    let value = self.state(fact);
                    self.once(&mut policy.state, value, fact);
                }
                "revised" => {
                    let value = self.date(fact);
                    self.once(&mut policy.revised, value, fact);
                }
                "website" => {
                    let urls = self.urls(fact, "website \"https://www.example.de\"");
                    policy.websites.extend(urls);
                }
                "preamble" => {
                    let value = self.text(fact, "preamble \"\"\"…\"\"\"");
                    self.once(&mut policy.preamble, value, fact);
                }
                "allow" => policy.allowances.extend(self.allowance(fact)),
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
                    let section = self.section(fact);
                    policy.contents.push(Part::Section(section));
                }
                "rights" => {
                    let rights = self.rights(fact);
                    policy.contents.push(Part::Rights(rights));
                }
                _ => self.unknown(fact, "a policy", &[POLICY]),
            }
        }
        policy.language = language.unwrap_or(Language::De);
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
            represented_by: None,
            responsible_for: Vec::new(),
            text: None,
            contact: Contact::default(),
            officers: Vec::new(),
            span: item.span,
        };
        for fact in self.block(item, "controller") {
            if self.contact(fact, &mut controller.contact) {
                continue;
            }
            match fact.keyword.text.as_str() {
                "represented-by" => {
                    let value = self.string(fact, "represented-by \"den Magistrat\"");
                    self.once(&mut controller.represented_by, value, fact);
                }
                "responsible-for" => {
                    let pages = self.strings(fact, "responsible-for \"www.example.de/gaeste\"");
                    controller.responsible_for.extend(pages);
                }
                "text" => {
                    let value = self.text(fact, "text \"\"\"…\"\"\"");
                    self.once(&mut controller.text, value, fact);
                }
                "officer" => controller.officers.push(self.officer(fact)),
                _ => self.unknown(fact, "a controller", &[CONTROLLER, CONTACT]),
            }
        }
        controller
    }

    fn officer(&mut self, item: &Item) -> Officer {
        let name = match item.values.as_slice() {
            [] => None,
            _ => Some(self.title(item, "officer", "officer \"Erika Mustermann\" {")),
        };
        let mut officer = Officer {
            name,
            role: None,
            organisation: None,
            text: None,
            contact: Contact::default(),
            span: item.span,
        };
        for fact in self.block(item, "officer") {
            if self.contact(fact, &mut officer.contact) {
                continue;
            }
            match fact.keyword.text.as_str() {
                "role" => {
                    let value = self.string(fact, "role \"Datenschutzbeauftragter\"");
                    self.once(&mut officer.role, value, fact);
                }
                "organisation" => {
                    let value = self.string(fact, "organisation \"Kreis Soest\"");
                    self.once(&mut officer.organisation, value, fact);
                }
                "text" => {
                    let value = self.text(fact, "text \"\"\"…\"\"\"");
                    self.once(&mut officer.text, value, fact);
                }
                _ => self.unknown(fact, "an officer", &[OFFICER, CONTACT]),
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
            span: item.span,
        };
        for fact in self.block(item, "supervisory-authority") {
            if self.contact(fact, &mut authority.contact) {
                continue;
            }
            match fact.keyword.text.as_str() {
                "text" => {
                    let value = self.text(fact, "text \"\"\"…\"\"\"");
                    self.once(&mut authority.text, value, fact);
                }
                _ => self.unknown(fact, "a supervisory authority", &[AUTHORITY, CONTACT]),
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
                "text" => {
                    let value = self.text(fact, "text \"\"\"…\"\"\"");
                    self.once(&mut organisation.text, value, fact);
                }
                _ => self.unknown(fact, "an organisation", &[ORGANISATION, CONTACT]),
            }
        }
        Some(organisation)
    }

    /// Handles the contact facts shared by controllers, officers, authorities and organisations.
    fn contact(&mut self, fact: &Item, contact: &mut Contact) -> bool {
        match fact.keyword.text.as_str() {
            "address" => {
                let lines = self.strings(fact, "address \"Obere Königsstraße 8\" \"34117 Kassel\"");
                contact.address.extend(lines);
            }
            "country" => {
                let value = self.country(fact);
                self.once(&mut contact.country, value, fact);
            }
            "phone" => contact
                .phone
                .extend(self.strings(fact, "phone \"0561 115\"")),
            "fax" => contact
                .fax
                .extend(self.strings(fact, "fax \"0561 787-87\"")),
            "email" => contact
                .email
                .extend(self.emails(fact, "email \"info@example.de\"")),
            "de-mail" => contact
                .de_mail
                .extend(self.emails(fact, "de-mail \"service@example.de-mail.de\"")),
            "web" => contact
                .web
                .extend(self.urls(fact, "web \"https://www.example.de\"")),
            "hours" => contact
                .hours
                .extend(self.strings(fact, "hours \"Mo–Fr 8:00–16:00 Uhr\"")),
            _ => return false,
        }
        true
    }

    fn activity(&mut self, item: &Item) -> Activity {
        let (id, title) = self.header(item, "activity", "activity newsletter \"Newsletter\" {");
        let mut activity = Activity {
            id,
            anchor: String::new(),
            title,
            controller: None,
            text: None,
            data: Vec::new(),
            subjects: Vec::new(),
            sources: Vec::new(),
            purposes: Vec::new(),
            legal_bases: Vec::new(),
            legitimate_interests: Vec::new(),
            no_recipients: false,
            recipients: Vec::new(),
            processors: Vec::new(),
            joint_controllers: Vec::new(),
            operators: Vec::new(),
            presences: Vec::new(),
            partners: Vec::new(),
            transfers: Vec::new(),
            retention: Vec::new(),
            requirement: Vec::new(),
            automated_decisions: None,
            cookies: Vec::new(),
            privacy_policies: Vec::new(),
            objection: Vec::new(),
            withdrawal: Vec::new(),
            sections: Vec::new(),
            allowances: Vec::new(),
            span: item.span,
        };
        for fact in self.block(item, "activity") {
            match fact.keyword.text.as_str() {
                "controller" => {
                    let value = self.reference(fact, "controller kassel");
                    self.once(&mut activity.controller, value, fact);
                }
                "text" => {
                    let value = self.text(fact, "text \"\"\"…\"\"\"");
                    self.once(&mut activity.text, value, fact);
                }
                "data" => activity
                    .data
                    .extend(self.strings(fact, "data \"IP-Adresse\", \"Datum und Uhrzeit\"")),
                "subjects" => activity
                    .subjects
                    .extend(self.strings(fact, "subjects \"Besucherinnen und Besucher\"")),
                "source" => activity
                    .sources
                    .extend(self.strings(fact, "source \"Melderegister\"")),
                "purpose" => activity
                    .purposes
                    .extend(self.strings(fact, "purpose \"Versand des Newsletters\"")),
                "basis" => activity.legal_bases.extend(self.legal_basis(fact)),
                "legitimate-interest" => activity
                    .legitimate_interests
                    .extend(self.strings(fact, "legitimate-interest \"Schutz vor Angriffen\"")),
                "recipients" | "recipient" => self.recipients(fact, &mut activity),
                "processor" => activity.processors.extend(self.processor(fact)),
                "joint-controller" => activity
                    .joint_controllers
                    .extend(self.references(fact, "joint-controller meta")),
                "operator" => activity
                    .operators
                    .extend(self.references(fact, "operator meta")),
                "presence" => activity
                    .presences
                    .extend(self.urls(fact, "presence \"https://www.facebook.com/…\"")),
                "partner" => activity.partners.extend(self.partner(fact)),
                "transfer" => activity.transfers.extend(self.transfer(fact)),
                "retention" => activity.retention.extend(self.retention(fact)),
                "requirement" => activity.requirement.extend(self.strings(
                    fact,
                    "requirement \"Pflichtangabe ist die E-Mail-Adresse.\"",
                )),
                "automated-decisions" => {
                    let value = self.automated_decisions(fact);
                    self.once(&mut activity.automated_decisions, value, fact);
                }
                "cookie" => activity.cookies.extend(self.cookie(fact)),
                "privacy-policy" => activity
                    .privacy_policies
                    .extend(self.urls(fact, "privacy-policy \"https://example.com/privacy\"")),
                "objection" => activity
                    .objection
                    .extend(self.text(fact, "objection \"\"\"…\"\"\"")),
                "withdrawal" => activity
                    .withdrawal
                    .extend(self.text(fact, "withdrawal \"\"\"…\"\"\"")),
                "section" => activity.sections.push(self.section(fact)),
                "allow" => activity.allowances.extend(self.allowance(fact)),
                _ => self.unknown(fact, "an activity", &[ACTIVITY]),
            }
        }
        activity
    }

    fn legal_basis(&mut self, fact: &Item) -> Option<LegalBasis> {
        const EXAMPLE: &str = "basis 6(1)(e) \"§ 3 HDSIG\"";
        let Some((first, rest)) = fact.values.split_first() else {
            self.missing_value(fact, EXAMPLE);
            return None;
        };
        let code = match &first.kind {
            ValueKind::Article(code) => code.clone(),
            ValueKind::Number(n) => n.to_string(),
            _ => {
                self.wrong_value(fact, first, "a GDPR article", EXAMPLE);
                return None;
            }
        };
        let article = match parse_article(&code) {
            Some(article) => article,
            None => {
                self.error(
                    Diagnostic::error(
                        "unknown-legal-basis",
                        first.span,
                        format!("Art. {code} GDPR is not a legal basis for processing"),
                    )
                    .with_label("not a legal basis")
                    .with_help("legal bases are 6(1)(a) to 6(1)(f), 9(2)(a) to 9(2)(j) and 88(1)"),
                );
                return None;
            }
        };
        let mut basis = LegalBasis {
            article,
            laws: Vec::new(),
            when: None,
            span: fact.span,
        };
        for value in rest {
            match &value.kind {
                ValueKind::String(law) => basis.laws.push(law.clone()),
                _ => self.wrong_value(fact, value, "the national law in quotes", EXAMPLE),
            }
        }
        if let Some(items) = &fact.block {
            for inner in items {
                match inner.keyword.text.as_str() {
                    "law" => basis.laws.extend(self.strings(inner, "law \"§ 3 HDSIG\"")),
                    "when" => {
                        let value = self.string(inner, "when \"bei Aufzeichnungen\"");
                        self.once(&mut basis.when, value, inner);
                    }
                    _ => self.unknown(inner, "a legal basis", &[BASIS]),
                }
            }
        }
        Some(basis)
    }

    fn recipients(&mut self, fact: &Item, activity: &mut Activity) {
        self.no_block(fact);
        if fact.values.is_empty() {
            self.missing_value(fact, "recipients \"Presseunternehmen\", sitepark");
        }
        for value in &fact.values {
            match &value.kind {
                ValueKind::Word(word) if word == "none" => activity.no_recipients = true,
                ValueKind::Word(word) => {
                    activity.recipients.push(Recipient::Organisation(Reference {
                        id: word.clone(),
                        span: value.span,
                    }))
                }
                ValueKind::String(category) => activity
                    .recipients
                    .push(Recipient::Category(category.clone())),
                _ => self.wrong_value(
                    fact,
                    value,
                    "organisation ids or categories in quotes",
                    "recipients \"Presseunternehmen\", sitepark",
                ),
            }
        }
    }

    fn processor(&mut self, fact: &Item) -> Vec<Processor> {
        let organisations = self.references_allowing_block(fact, "processor sitepark");
        let mut role = None;
        if let Some(items) = &fact.block {
            for inner in items {
                match inner.keyword.text.as_str() {
                    "role" => {
                        let value = self.string(inner, "role \"Unterauftragsverarbeiter\"");
                        self.once(&mut role, value, inner);
                    }
                    _ => self.unknown(inner, "a processor", &[PROCESSOR]),
                }
            }
        }
        organisations
            .into_iter()
            .map(|organisation| Processor {
                organisation,
                role: role.clone(),
            })
            .collect()
    }

    fn partner(&mut self, fact: &Item) -> Option<Partner> {
        const EXAMPLE: &str = "partner akdb \"Online-Services zum Aufenthaltstitel\"";
        self.no_block(fact);
        let Some((first, rest)) = fact.values.split_first() else {
            self.missing_value(fact, EXAMPLE);
            return None;
        };
        let ValueKind::Word(id) = &first.kind else {
            self.wrong_value(fact, first, "the id of an organisation", EXAMPLE);
            return None;
        };
        let mut offers = Vec::new();
        for value in rest {
            match &value.kind {
                ValueKind::String(offer) => offers.push(offer.clone()),
                _ => self.wrong_value(fact, value, "what the partner offers, in quotes", EXAMPLE),
            }
        }
        Some(Partner {
            organisation: Reference {
                id: id.clone(),
                span: first.span,
            },
            offers,
        })
    }

    fn transfer(&mut self, fact: &Item) -> Option<Transfer> {
        const EXAMPLE: &str = "transfer cisco scc";
        let (recipient, safeguard) = match fact.values.as_slice() {
            [recipient] => (recipient, None),
            [recipient, safeguard] => (recipient, Some(safeguard)),
            [] => {
                self.missing_value(fact, EXAMPLE);
                return None;
            }
            [_, _, extra, ..] => {
                self.wrong_value(fact, extra, "only the recipient and the safeguard", EXAMPLE);
                return None;
            }
        };
        let ValueKind::Word(id) = &recipient.kind else {
            self.wrong_value(
                fact,
                recipient,
                "the id of the receiving organisation",
                EXAMPLE,
            );
            return None;
        };
        let safeguard = match safeguard.map(|value| (value, &value.kind)) {
            None => None,
            Some((_, ValueKind::Word(word))) if SAFEGUARDS.contains(&word.as_str()) => {
                Some(match word.as_str() {
                    "adequacy" => Safeguard::Adequacy,
                    "dpf" => Safeguard::Dpf,
                    "scc" => Safeguard::Scc,
                    "bcr" => Safeguard::Bcr,
                    "derogation" => Safeguard::Derogation,
                    _ => Safeguard::None,
                })
            }
            Some((value, kind)) => {
                let mut problem = Diagnostic::error(
                    "unknown-safeguard",
                    value.span,
                    "this is not a safeguard for a transfer to a third country",
                )
                .with_label("unknown safeguard");
                let suggestion = match kind {
                    ValueKind::Word(word) => did_you_mean(word, SAFEGUARDS.iter().copied()),
                    _ => None,
                };
                problem = problem.with_help(match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("write one of {}", list(SAFEGUARDS)),
                });
                self.error(problem);
                None
            }
        };
        let mut text = None;
        if let Some(items) = &fact.block {
            for inner in items {
                match inner.keyword.text.as_str() {
                    "text" => {
                        let value = self.text(inner, "text \"\"\"…\"\"\"");
                        self.once(&mut text, value, inner);
                    }
                    _ => self.unknown(inner, "a transfer", &[TRANSFER]),
                }
            }
        }
        Some(Transfer {
            recipient: Reference {
                id: id.clone(),
                span: recipient.span,
            },
            safeguard,
            text,
            span: fact.span,
        })
    }

    fn retention(&mut self, fact: &Item) -> Option<Retention> {
        const EXAMPLE: &str = "retention 30 days";
        self.no_block(fact);
        match fact.values.as_slice() {
            [] => {
                self.missing_value(fact, EXAMPLE);
                None
            }
            [first, rest @ ..] => match &first.kind {
                ValueKind::Duration { .. } => {
                    let duration = self.duration(first)?;
                    let from = match rest {
                        [] => None,
                        [
                            Value {
                                kind: ValueKind::String(from),
                                ..
                            },
                        ] => Some(from.clone()),
                        [other, ..] => {
                            self.wrong_value(
                                fact,
                                other,
                                "from when, in quotes",
                                "retention 12 months \"nach dem letzten Login\"",
                            );
                            return None;
                        }
                    };
                    Some(Retention::Period { duration, from })
                }
                ValueKind::Word(form)
                    if ["until", "statutory", "criteria"].contains(&form.as_str()) =>
                {
                    let example = match form.as_str() {
                        "until" => "retention until \"Sie das Abonnement kündigen\"",
                        "statutory" => "retention statutory \"§ 147 AO\"",
                        _ => "retention criteria \"solange es für den Zweck erforderlich ist\"",
                    };
                    let text = match rest {
                        [
                            Value {
                                kind: ValueKind::String(text) | ValueKind::TextBlock(text),
                                ..
                            },
                        ] => text.clone(),
                        [] => {
                            self.missing_value(fact, example);
                            return None;
                        }
                        [other, ..] => {
                            self.wrong_value(fact, other, "one text in quotes", example);
                            return None;
                        }
                    };
                    Some(match form.as_str() {
                        "until" => Retention::Until { event: text },
                        "statutory" => Retention::Statutory { law: text },
                        _ => Retention::Criteria { text },
                    })
                }
                _ => {
                    let mut problem = Diagnostic::error(
                        "invalid-retention",
                        first.span,
                        "klartext does not understand this retention period",
                    )
                    .with_label("expected a duration, `until`, `statutory` or `criteria`");
                    problem = problem.with_help(
                        "write `retention 30 days`, `retention until \"…\"`, `retention statutory \"§ …\"` or `retention criteria \"…\"`",
                    );
                    self.error(problem);
                    None
                }
            },
        }
    }

    fn automated_decisions(&mut self, fact: &Item) -> Option<AutomatedDecisions> {
        self.no_block(fact);
        match fact.values.as_slice() {
            [
                Value {
                    kind: ValueKind::Word(word),
                    ..
                },
            ] if word == "none" => Some(AutomatedDecisions::None),
            [
                Value {
                    kind: ValueKind::String(text) | ValueKind::TextBlock(text),
                    ..
                },
            ] => Some(AutomatedDecisions::Described(text.clone())),
            _ => {
                let span = fact.values.first().map_or(fact.keyword.span, |v| v.span);
                self.error(
                    Diagnostic::error("wrong-value", span, "`automated-decisions` takes `none` or a description in quotes")
                        .with_help("write `automated-decisions none` when there is no automated decision-making"),
                );
                None
            }
        }
    }

    fn cookie(&mut self, item: &Item) -> Option<Cookie> {
        let name = self.title(item, "cookie", "cookie \"_pk_id\" {");
        let mut cookie = Cookie {
            name,
            provider: None,
            purposes: Vec::new(),
            lifetime: None,
            necessity: None,
            text: None,
            span: item.span,
        };
        if item.block.is_none() {
            return Some(cookie);
        }
        for fact in self.block(item, "cookie") {
            match fact.keyword.text.as_str() {
                "provider" => {
                    let value = self.reference(fact, "provider matomo");
                    self.once(&mut cookie.provider, value, fact);
                }
                "purpose" => cookie
                    .purposes
                    .extend(self.strings(fact, "purpose \"Statistik\"")),
                "lifetime" => {
                    let value = match fact.values.as_slice() {
                        [
                            value @ Value {
                                kind: ValueKind::Duration { .. },
                                ..
                            },
                        ] => self.duration(value).map(Lifetime::Duration),
                        [
                            Value {
                                kind: ValueKind::String(text),
                                ..
                            },
                        ] => Some(Lifetime::Described(text.clone())),
                        _ => {
                            let span = fact.values.first().map_or(fact.keyword.span, |v| v.span);
                            self.error(
                                Diagnostic::error("wrong-value", span, "`lifetime` takes a duration or a text in quotes")
                                    .with_help("write e.g. `lifetime 13 months` or `lifetime \"bis zum Ende der Sitzung\"`"),
                            );
                            None
                        }
                    };
                    self.once(&mut cookie.lifetime, value, fact);
                }
                "necessary" | "consent" => {
                    self.no_values(fact);
                    let value = Some(if fact.keyword.text == "necessary" {
                        Necessity::Necessary
                    } else {
                        Necessity::Consent
                    });
                    self.once(&mut cookie.necessity, value, fact);
                }
                "text" => {
                    let value = self.text(fact, "text \"\"\"…\"\"\"");
                    self.once(&mut cookie.text, value, fact);
                }
                _ => self.unknown(fact, "a cookie", &[COOKIE]),
            }
        }
        Some(cookie)
    }

    fn section(&mut self, item: &Item) -> Section {
        let (id, title) = match item.values.as_slice() {
            [] => (None, String::new()),
            [
                Value {
                    kind: ValueKind::Word(id),
                    ..
                },
            ] => (Some(id.clone()), String::new()),
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
            sections: Vec::new(),
            span: item.span,
        };
        for fact in self.block(item, "section") {
            match fact.keyword.text.as_str() {
                "text" => {
                    let value = self.text(fact, "text \"\"\"…\"\"\"");
                    self.once(&mut section.text, value, fact);
                }
                "section" => section.sections.push(self.section(fact)),
                _ => self.unknown(fact, "a section", &[SECTION]),
            }
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
            span: item.span,
        };
        for fact in self.block(item, "rights") {
            match fact.keyword.text.as_str() {
                "title" => {
                    let value = self.string(fact, "title \"Ihre Rechte\"");
                    self.once(&mut rights.title, value, fact);
                }
                "text" => {
                    let value = self.text(fact, "text \"\"\"…\"\"\"");
                    self.once(&mut rights.text, value, fact);
                }
                "right" => rights.rights.extend(self.right(fact)),
                _ => self.unknown(fact, "the rights", &[RIGHTS]),
            }
        }
        rights
    }

    fn right(&mut self, fact: &Item) -> Option<Right> {
        const EXAMPLE: &str = "right access \"§ 52 HDSIG\"";
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
            let help = match did_you_mean(kind, kinds.iter().copied()) {
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
                .with_help(help),
            );
            return None;
        }
        let mut right = Right {
            kind: kind.clone(),
            laws: Vec::new(),
            text: None,
            span: fact.span,
        };
        for value in rest {
            match &value.kind {
                ValueKind::String(law) => right.laws.push(law.clone()),
                _ => self.wrong_value(fact, value, "the state-law counterpart in quotes", EXAMPLE),
            }
        }
        if let Some(items) = &fact.block {
            for inner in items {
                match inner.keyword.text.as_str() {
                    "text" => {
                        let value = self.text(inner, "text \"\"\"…\"\"\"");
                        self.once(&mut right.text, value, inner);
                    }
                    _ => self.unknown(inner, "a right", &[RIGHT]),
                }
            }
        }
        Some(right)
    }

    fn allowance(&mut self, fact: &Item) -> Option<Allowance> {
        const EXAMPLE: &str = "allow missing-retention \"Das Original nennt keine Frist.\"";
        self.no_block(fact);
        match fact.values.as_slice() {
            [
                Value {
                    kind: ValueKind::Word(lint),
                    span,
                },
                Value {
                    kind: ValueKind::String(reason),
                    ..
                },
            ] => {
                if !crate::check::LINTS.iter().any(|l| l.name == lint) {
                    let names: Vec<&str> = crate::check::LINTS.iter().map(|l| l.name).collect();
                    let help = match did_you_mean(lint, names.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "run `klartext lints` to see every lint".to_string(),
                    };
                    self.error(
                        Diagnostic::error(
                            "unknown-lint",
                            *span,
                            format!("there is no lint `{lint}`"),
                        )
                        .with_help(help),
                    );
                    return None;
                }
                Some(Allowance {
                    lint: lint.clone(),
                    reason: reason.clone(),
                    span: fact.span,
                })
            }
            _ => {
                self.error(
                    Diagnostic::error(
                        "wrong-value",
                        fact.keyword.span,
                        "`allow` takes the name of a lint and the reason in quotes",
                    )
                    .with_help(format!("write e.g. `{EXAMPLE}`")),
                );
                None
            }
        }
    }

    // ---- reading values ----

    /// The id and title of a block, e.g. `controller kassel "Stadt Kassel" {`. The id is optional.
    fn header(&mut self, item: &Item, what: &str, example: &str) -> (Option<String>, String) {
        match item.values.as_slice() {
            [
                Value {
                    kind: ValueKind::Word(id),
                    ..
                },
                Value {
                    kind: ValueKind::String(title),
                    ..
                },
            ] => (Some(id.clone()), title.clone()),
            [
                Value {
                    kind: ValueKind::String(title),
                    ..
                },
            ] => (None, title.clone()),
            _ => {
                let span = item.values.first().map_or(item.keyword.span, |v| v.span);
                self.error(
                    Diagnostic::error(
                        "missing-title",
                        span,
                        format!("`{what}` needs an optional id and a title in quotes"),
                    )
                    .with_help(format!("write e.g. `{example}`")),
                );
                (None, String::new())
            }
        }
    }

    fn title(&mut self, item: &Item, what: &str, example: &str) -> String {
        match item.values.as_slice() {
            [
                Value {
                    kind: ValueKind::String(title),
                    ..
                },
            ] => title.clone(),
            _ => {
                let span = item.values.first().map_or(item.keyword.span, |v| v.span);
                self.error(
                    Diagnostic::error(
                        "missing-title",
                        span,
                        format!("`{what}` needs a title in quotes"),
                    )
                    .with_help(format!("write e.g. `{example}`")),
                );
                String::new()
            }
        }
    }

    /// The facts inside a block; reports a missing block.
    fn block<'a>(&mut self, item: &'a Item, what: &str) -> &'a [Item] {
        match &item.block {
            Some(items) => items,
            None => {
                self.error(
                    Diagnostic::error(
                        "missing-block",
                        item.span,
                        format!("`{what}` needs its facts in braces"),
                    )
                    .with_label("expected `{` after this")
                    .with_help(format!(
                        "write `{what} … {{`, the facts on the following lines, and `}}`"
                    )),
                );
                &[]
            }
        }
    }

    fn no_block(&mut self, fact: &Item) {
        if let Some(span) = fact.block_span {
            self.error(
                Diagnostic::error(
                    "unexpected-block",
                    Span::new(span.start, span.start + 1),
                    format!("`{}` does not take a block", fact.keyword.text),
                )
                .with_help("remove the braces and what is between them"),
            );
        }
    }

    fn no_values(&mut self, fact: &Item) {
        self.no_block(fact);
        if let Some(value) = fact.values.first() {
            self.error(
                Diagnostic::error(
                    "wrong-value",
                    value.span,
                    format!("`{}` stands alone", fact.keyword.text),
                )
                .with_help("remove what follows it"),
            );
        }
    }

    fn once<T>(&mut self, slot: &mut Option<T>, value: Option<T>, fact: &Item) {
        if slot.is_some() && value.is_some() {
            self.error(
                Diagnostic::error(
                    "duplicate-fact",
                    fact.keyword.span,
                    format!("`{}` is given more than once", fact.keyword.text),
                )
                .with_label("given again here")
                .with_help("keep one of them"),
            );
        } else if value.is_some() {
            *slot = value;
        }
    }

    fn unknown(&mut self, fact: &Item, context: &str, known: &[&[&str]]) {
        let candidates = known.iter().flat_map(|list| list.iter().copied());
        let help = match did_you_mean(&fact.keyword.text, candidates) {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None => {
                let all: Vec<&str> = known.iter().flat_map(|list| list.iter().copied()).collect();
                format!("{context} can have: {}", list(&all))
            }
        };
        self.error(
            Diagnostic::error(
                "unknown-keyword",
                fact.keyword.span,
                format!(
                    "`{}` is not something {context} can have",
                    fact.keyword.text
                ),
            )
            .with_label("unknown keyword")
            .with_help(help),
        );
    }

    fn missing_value(&mut self, fact: &Item, example: &str) {
        self.error(
            Diagnostic::error(
                "missing-value",
                fact.keyword.span,
                format!("`{}` needs a value", fact.keyword.text),
            )
            .with_help(format!("write e.g. `{example}`")),
        );
    }

    fn wrong_value(&mut self, fact: &Item, value: &Value, expected: &str, example: &str) {
        self.error(
            Diagnostic::error(
                "wrong-value",
                value.span,
                format!(
                    "`{}` takes {expected}, not {}",
                    fact.keyword.text,
                    value.kind.describe()
                ),
            )
            .with_help(format!("write e.g. `{example}`")),
        );
    }

    fn strings(&mut self, fact: &Item, example: &str) -> Vec<String> {
        self.no_block(fact);
        if fact.values.is_empty() {
            self.missing_value(fact, example);
        }
        let mut strings = Vec::new();
        for value in &fact.values {
            match &value.kind {
                ValueKind::String(text) => strings.push(text.clone()),
                _ => self.wrong_value(fact, value, "texts in quotes", example),
            }
        }
        strings
    }

    fn string(&mut self, fact: &Item, example: &str) -> Option<String> {
        let mut strings = self.strings(fact, example);
        if strings.len() > 1 {
            self.wrong_value(fact, &fact.values[1], "one text in quotes", example);
            return None;
        }
        strings.pop()
    }

    /// Prose: a string or a text block.
    fn text(&mut self, fact: &Item, example: &str) -> Option<Prose> {
        self.no_block(fact);
        match fact.values.as_slice() {
            [
                Value {
                    kind: ValueKind::String(text) | ValueKind::TextBlock(text),
                    ..
                },
            ] => Some(text.clone()),
            [] => {
                self.missing_value(fact, example);
                None
            }
            [value, ..] => {
                let value = if matches!(value.kind, ValueKind::String(_) | ValueKind::TextBlock(_))
                {
                    &fact.values[1]
                } else {
                    value
                };
                self.wrong_value(fact, value, "one text or text block", example);
                None
            }
        }
    }

    fn word(&mut self, fact: &Item, example: &str) -> Option<String> {
        self.no_block(fact);
        match fact.values.as_slice() {
            [
                Value {
                    kind: ValueKind::Word(word),
                    ..
                },
            ] => Some(word.clone()),
            [] => {
                self.missing_value(fact, example);
                None
            }
            [value, ..] => {
                self.wrong_value(fact, value, "one word without quotes", example);
                None
            }
        }
    }

    fn reference(&mut self, fact: &Item, example: &str) -> Option<Reference> {
        let id = self.word(fact, example)?;
        Some(Reference {
            id,
            span: fact.values[0].span,
        })
    }

    fn references(&mut self, fact: &Item, example: &str) -> Vec<Reference> {
        self.no_block(fact);
        self.references_allowing_block(fact, example)
    }

    fn references_allowing_block(&mut self, fact: &Item, example: &str) -> Vec<Reference> {
        if fact.values.is_empty() {
            self.missing_value(fact, example);
        }
        let mut references = Vec::new();
        for value in &fact.values {
            match &value.kind {
                ValueKind::Word(id) => references.push(Reference {
                    id: id.clone(),
                    span: value.span,
                }),
                _ => self.wrong_value(
                    fact,
                    value,
                    "ids of organisations declared in the policy",
                    example,
                ),
            }
        }
        references
    }

    fn state(&mut self, fact: &Item) -> Option<String> {
        let code = self.word(fact, "state DE-HE")?;
        if law().state(&code).is_some() {
            return Some(code);
        }
        let codes: Vec<&str> = law().states.iter().map(|s| s.code.as_str()).collect();
        let upper = code.to_uppercase();
        let help = match codes
            .iter()
            .find(|c| **c == upper || c.ends_with(&format!("-{upper}")))
        {
            Some(c) => format!("did you mean `{c}`?"),
            None => format!("the states are {}", list(&codes)),
        };
        self.error(
            Diagnostic::error(
                "unknown-state",
                fact.values[0].span,
                format!("`{code}` is not the code of a German federal state"),
            )
            .with_help(help),
        );
        None
    }

    fn country(&mut self, fact: &Item) -> Option<String> {
        let code = self.word(fact, "country IE")?;
        if law().country(&code).is_some() {
            return Some(code);
        }
        let upper = code.to_uppercase();
        let help = if law().country(&upper).is_some() {
            format!("did you mean `{upper}`?")
        } else {
            "write the two-letter ISO 3166-1 code, e.g. `IE` for Ireland or `US` for the United States".to_string()
        };
        self.error(
            Diagnostic::error(
                "unknown-country",
                fact.values[0].span,
                format!("`{code}` is not a country klartext knows"),
            )
            .with_help(help),
        );
        None
    }

    fn date(&mut self, fact: &Item) -> Option<Date> {
        self.no_block(fact);
        match fact.values.as_slice() {
            [value] => match &value.kind {
                ValueKind::Date(text) => match Date::parse(text) {
                    Some(date) => Some(date),
                    None => {
                        self.error(
                            Diagnostic::error(
                                "invalid-date",
                                value.span,
                                format!("{text} is not a date in the calendar"),
                            )
                            .with_help("write year-month-day, e.g. `2024-05-02`"),
                        );
                        None
                    }
                },
                _ => {
                    self.wrong_value(fact, value, "a date", "revised 2024-05-02");
                    None
                }
            },
            [] => {
                self.missing_value(fact, "revised 2024-05-02");
                None
            }
            [_, extra, ..] => {
                self.wrong_value(fact, extra, "one date", "revised 2024-05-02");
                None
            }
        }
    }

    fn duration(&mut self, value: &Value) -> Option<Duration> {
        let ValueKind::Duration { amount, unit } = &value.kind else {
            return None;
        };
        let time_unit = match unit.text.as_str() {
            "minute" | "minutes" => TimeUnit::Minute,
            "hour" | "hours" => TimeUnit::Hour,
            "day" | "days" => TimeUnit::Day,
            "week" | "weeks" => TimeUnit::Week,
            "month" | "months" => TimeUnit::Month,
            "year" | "years" => TimeUnit::Year,
            other => {
                let help = match did_you_mean(other, TIME_UNITS.iter().copied()) {
                    Some(s) => {
                        let singular = s.trim_end_matches('s');
                        let unit = if *amount == 1 {
                            singular.to_string()
                        } else {
                            format!("{singular}s")
                        };
                        format!("did you mean `{amount} {unit}`?")
                    }
                    None => {
                        "write the unit in English: minutes, hours, days, weeks, months or years"
                            .to_string()
                    }
                };
                self.error(
                    Diagnostic::error(
                        "unknown-unit",
                        unit.span,
                        format!("`{other}` is not a unit of time"),
                    )
                    .with_label("expected a duration like `30 days`")
                    .with_help(help),
                );
                return None;
            }
        };
        Some(Duration {
            amount: *amount,
            unit: time_unit,
        })
    }

    fn emails(&mut self, fact: &Item, example: &str) -> Vec<String> {
        let emails = self.strings(fact, example);
        for (email, value) in emails.iter().zip(&fact.values) {
            let valid = email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.ends_with('.')
            }) && !email
                .chars()
                .any(|c| c.is_whitespace() || c == '<' || c == '>');
            if !valid {
                self.error(
                    Diagnostic::error(
                        "invalid-email",
                        value.span,
                        format!("`{email}` is not an e-mail address"),
                    )
                    .with_help("an e-mail address looks like `name@example.de`"),
                );
            }
        }
        emails
    }

    fn urls(&mut self, fact: &Item, example: &str) -> Vec<String> {
        let urls = self.strings(fact, example);
        for (url, value) in urls.iter().zip(&fact.values) {
            if !crate::render::is_safe_url(url) || url.chars().any(char::is_whitespace) {
                self.error(
                    Diagnostic::error(
                        "invalid-url",
                        value.span,
                        format!("`{url}` is not a web address klartext can link to"),
                    )
                    .with_help(
                        "write an address starting with `https://`, e.g. `https://www.example.de`",
                    ),
                );
            }
        }
        urls
    }

    fn url(&mut self, fact: &Item, example: &str) -> Option<String> {
        let mut urls = self.urls(fact, example);
        if urls.len() > 1 {
            self.wrong_value(fact, &fact.values[1], "one address", example);
            return None;
        }
        urls.pop()
    }

    // ---- references ----

    fn resolve(&mut self, policy: &Policy) {
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

    fn check_reference(&mut self, reference: &Reference, known: &BTreeSet<&str>, what: &str) {
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

fn parse_article(code: &str) -> Option<Article> {
    let parts: Vec<&str> = code
        .split(['(', ')'])
        .filter(|part| !part.is_empty())
        .collect();
    let point = |p: &str, last: char| {
        let mut chars = p.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if ('a'..=last).contains(&c.to_ascii_lowercase()) => {
                Some(c.to_ascii_lowercase())
            }
            _ => None,
        }
    };
    match parts.as_slice() {
        ["6", "1"] => Some(Article::Lawfulness(None)),
        ["6", "1", p] => point(p, 'f').map(|c| Article::Lawfulness(Some(c))),
        ["9", "2"] => Some(Article::SpecialCategories(None)),
        ["9", "2", p] => point(p, 'j').map(|c| Article::SpecialCategories(Some(c))),
        ["88"] | ["88", "1"] => Some(Article::Employment),
        _ => None,
    }
}

fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Gives every part a stable, unique HTML anchor: its id where it has one, else a slug of its
/// title. Ids are claimed first, so adding a part never moves the anchor of a part with an id.
fn assign_anchors(policy: &mut Policy) {
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
