//! Processing activities and the facts only they have.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Span, did_you_mean};
use crate::imports::Kind;
use crate::language::{self, Context};
use crate::model::*;
use crate::syntax::{Item, Value, ValueKind};

use super::values::duration_in_words;
use super::*;

impl Lowerer<'_> {
    pub(super) fn activity(&mut self, item: &Item) -> Activity {
        if let Some(from) = self.taken_from(item, "activity") {
            return self.activity_from(item, from);
        }
        let (id, title) = self.header(item, "activity", "activity newsletter \"Newsletter\" {");
        let mut activity = empty_activity(id, title, item.span);
        self.activity_facts(item, &mut activity, "activity");
        activity
    }

    /// `activity kontakt from std.contact-form { retention 6 months }`: the library's activity,
    /// with every fact the block states in place of the library's.
    fn activity_from(&mut self, item: &Item, from: TakenFrom) -> Activity {
        let id = from.id.or_else(|| Some(own_id(&from.base.id)));
        let mut activity = empty_activity(id, from.title.unwrap_or_default(), item.span);
        if item.block.is_some() {
            self.activity_facts(item, &mut activity, "activity");
        }
        match self.take_once(&from.base, Kind::Activity, |l, item| l.activity(item)) {
            Some(base) => adopt(&mut activity, base),
            None => activity.incomplete = true,
        }
        activity
    }

    /// `defaults { … }`: facts every activity of the policy has unless it states them itself.
    /// `defaults { … }`; in the policy also `defaults once { … }`, which the notice shows once
    /// for all processing instead of in every activity. Returns the defaults and whether `once`.
    pub(super) fn defaults(&mut self, item: &Item, once_allowed: bool) -> (Activity, bool) {
        let mut once = false;
        let values = match item.values.as_slice() {
            [first, rest @ ..]
                if once_allowed && matches!(&first.kind, ValueKind::Word(w) if w == "once") =>
            {
                once = true;
                rest
            }
            values => values,
        };
        if let [from_word, base_value] = values
            && matches!(&from_word.kind, ValueKind::Word(w) if w == "from")
            && let ValueKind::Word(base) = &base_value.kind
        {
            let base = Reference {
                id: base.clone(),
                span: base_value.span,
            };
            let mut defaults = empty_activity(None, Text::unwritten(""), item.span);
            if item.block.is_some() {
                self.activity_facts(item, &mut defaults, "defaults");
            }
            let taken = self.take_once(&base, Kind::Defaults, |l, item| {
                // A library names its defaults (`defaults hosting { … }`); the name is not a value.
                let unnamed = Item {
                    values: Vec::new(),
                    ..item.clone()
                };
                l.defaults(&unnamed, false).0
            });
            if let Some(taken) = taken {
                inherit(&mut defaults, &taken);
            }
            return (defaults, once);
        }
        match values {
            [] => {}
            [value, ..] => {
                let expected = if once_allowed {
                    "nothing, or `once`, before the block"
                } else {
                    "nothing before the block (only the policy's defaults can be shown once)"
                };
                self.wrong_value(item, value, expected, "defaults {");
            }
        }
        let mut defaults = empty_activity(None, Text::unwritten(""), item.span);
        self.activity_facts(item, &mut defaults, "defaults");
        (defaults, once)
    }

    fn activity_facts(&mut self, item: &Item, activity: &mut Activity, what: &str) {
        let mut listed = FirstListed::default();
        // The facts written since the last section without a heading, and all facts written.
        let mut pending: Vec<&'static str> = Vec::new();
        let mut written: Vec<&'static str> = Vec::new();
        for fact in self.block(item, what) {
            let keyword = fact.keyword.text.as_str();
            if what == "defaults" && not_a_default(keyword) {
                self.error(
                    Diagnostic::error(
                        "not-a-default",
                        fact.keyword.span,
                        format!("`{keyword}` belongs to one activity and cannot be a default"),
                    )
                    .with_help("write it in the activities it is about"),
                );
                continue;
            }
            self.activity_fact(fact, activity, &mut listed, what);
            if keyword == "section"
                && let Some(section) = activity.sections.last_mut().filter(|s| s.title.is_empty())
            {
                section.follows = Some(std::mem::take(&mut pending));
            }
            for key in fact_keys(keyword) {
                if !written.contains(key) {
                    written.push(key);
                    pending.push(key);
                }
            }
        }
    }

    fn activity_fact(
        &mut self,
        fact: &Item,
        activity: &mut Activity,
        listed: &mut FirstListed,
        what: &str,
    ) {
        match fact.keyword.text.as_str() {
            "controller" => {
                let value = self.reference(fact, "controller kassel");
                self.once(&mut activity.controller, value, fact);
            }
            "text" => self.text_once(fact, &mut activity.text),
            "lead-in" => self.lead_in(fact, activity),
            "data" => activity.data.extend(self.data(fact)),
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
            "recipients" | "recipient" => self.recipients(fact, activity, listed, what),
            "processor" => activity.processors.extend(self.processor(fact)),
            "joint-controller" => activity
                .joint_controllers
                .extend(self.joint_controller(fact)),
            "operator" => activity
                .operators
                .extend(self.references(fact, "operator meta")),
            "presence" => activity
                .presences
                .extend(self.urls(fact, "presence \"https://www.facebook.com/…\"")),
            "partner" => activity.partners.extend(self.partner(fact)),
            "transfer" => self.transfers(fact, activity, listed, what),
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
            "section" => activity.sections.push(self.section(fact, true)),
            "link" => activity.links.extend(self.link(fact)),
            "position" => activity.positions.extend(self.position(fact)),
            "allow" => activity.allowances.extend(self.allowance(fact)),
            _ => self.unknown(fact, Context::Activity),
        }
    }

    /// `position dsk-facebook-pages`: a published position of the supervisory authorities on this
    /// kind of processing, by its id in `law/positions.yaml`.
    fn position(&mut self, fact: &Item) -> Option<Reference> {
        const EXAMPLE: &str = "position dsk-facebook-pages";
        let reference = self.reference(fact, EXAMPLE)?;
        let positions = &crate::law::law().positions;
        if positions.iter().any(|p| p.id == reference.id) {
            return Some(reference);
        }
        let suggestion = did_you_mean(&reference.id, positions.iter().map(|p| p.id.as_str()));
        let known: Vec<&str> = positions.iter().map(|p| p.id.as_str()).collect();
        let help = match suggestion {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("klartext knows: {}", known.join(", ")),
        };
        self.error(
            Diagnostic::error(
                "unknown-position",
                reference.span,
                format!(
                    "`{}` is not a position of the supervisory authorities klartext knows",
                    reference.id
                ),
            )
            .with_help(help)
            .with_fixes(replacing(reference.span, suggestion)),
        );
        None
    }

    /// `link "Nutzungsbedingungen" "https://…"`: further information elsewhere.
    fn link(&mut self, fact: &Item) -> Option<Link> {
        const EXAMPLE: &str =
            "link \"Nutzungsbedingungen von Facebook\" \"https://www.facebook.com/terms\"";
        self.no_block(fact);
        match fact.values.as_slice() {
            [
                Value {
                    kind: ValueKind::String(label),
                    ..
                },
                url_value @ Value {
                    kind: ValueKind::String(url),
                    ..
                },
            ] => {
                self.check_url(url, url_value.span);
                Some(Link {
                    label: label.clone(),
                    url: url.clone(),
                })
            }
            _ => {
                self.error(
                    Diagnostic::error(
                        "wrong-value",
                        fact.keyword.span,
                        "`link` takes what the link leads to and its address, both in quotes",
                    )
                    .with_help(format!("write e.g. `{EXAMPLE}`")),
                );
                None
            }
        }
    }

    pub(super) fn legal_basis(&mut self, fact: &Item) -> Option<LegalBasis> {
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
            text: None,
            span: fact.span,
            inherited: false,
            state_law: false,
        };
        for value in rest {
            match &value.kind {
                ValueKind::String(law) => basis.laws.push(law.clone()),
                ValueKind::Word(word) if word == "state-law" => basis.state_law = true,
                _ => self.wrong_value(
                    fact,
                    value,
                    "the national law in quotes, or `state-law`",
                    EXAMPLE,
                ),
            }
        }
        if let Some(items) = &fact.block {
            self.enter(fact);
            for inner in items {
                match inner.keyword.text.as_str() {
                    "law" => basis.laws.extend(self.strings(inner, "law \"§ 3 HDSIG\"")),
                    "when" => {
                        let value = self.string(inner, "when \"bei Aufzeichnungen\"");
                        self.once(&mut basis.when, value, inner);
                    }
                    "text" => self.text_once(inner, &mut basis.text),
                    _ => self.unknown(inner, Context::Basis),
                }
            }
        }
        Some(basis)
    }

    /// `recipients none`, or recipients: organisation ids and categories in quotes, one of them
    /// with a block of its `basis`, `purpose` and `text`. A block that says both `none` and a
    /// recipient contradicts itself; the line that says the second is reported, once.
    fn recipients(
        &mut self,
        fact: &Item,
        activity: &mut Activity,
        listed: &mut FirstListed,
        what: &str,
    ) {
        const EXAMPLE: &str = "recipients \"Presseunternehmen\", sitepark";
        if fact.values.is_empty() {
            self.missing_value(fact, EXAMPLE);
        }
        let block = self.recipient_block(fact);
        let mut reported = false;
        for value in &fact.values {
            let party = match &value.kind {
                ValueKind::Word(word) if word == "none" => {
                    self.none(
                        &mut activity.recipients,
                        value.span,
                        listed.recipient,
                        &RECIPIENTS,
                        what,
                    );
                    continue;
                }
                ValueKind::Word(word) => Party::Organisation(Reference {
                    id: word.clone(),
                    span: value.span,
                }),
                ValueKind::String(category) => Party::Category(category.clone()),
                _ => {
                    self.wrong_value(
                        fact,
                        value,
                        "organisation ids or categories in quotes",
                        EXAMPLE,
                    );
                    continue;
                }
            };
            let (laws, purposes, text) = block.clone().unwrap_or_default();
            let recipient = Recipient {
                party,
                laws,
                purposes,
                text,
                span: value.span,
            };
            let added = self.list(
                &mut activity.recipients,
                recipient,
                value.span,
                &RECIPIENTS,
                what,
                reported,
            );
            if added {
                listed.recipient.get_or_insert(value.span);
            } else {
                reported = true;
            }
        }
    }

    /// `recipient wahlamt { basis "§ 18 GKWO"; purpose "…"; text "…" }`: the block of one
    /// recipient. A block after `none` or after several recipients is reported and left out.
    fn recipient_block(&mut self, fact: &Item) -> Option<(Vec<Text>, Vec<Text>, Option<Prose>)> {
        let (items, span) = (fact.block.as_ref()?, fact.block_span?);
        let brace = span.with_bounds(span.start, span.start + 1);
        let none = fact
            .values
            .iter()
            .any(|v| matches!(&v.kind, ValueKind::Word(w) if w == "none"));
        if none {
            self.no_block(fact);
            return None;
        }
        if fact.values.len() > 1 {
            self.error(
                Diagnostic::error(
                    "unexpected-block",
                    brace,
                    format!(
                        "a block belongs to one recipient, but this line lists {}",
                        fact.values.len()
                    ),
                )
                .with_help(
                    "write the recipient the block is about on a line of its own: \
                     `recipient wahlamt { basis \"§ 18 GKWO\" }`",
                ),
            );
            return None;
        }
        let (mut laws, mut purposes, mut text) = (Vec::new(), Vec::new(), None);
        self.enter(fact);
        for inner in items {
            match inner.keyword.text.as_str() {
                "basis" => laws.extend(self.recipient_laws(inner)),
                "purpose" => {
                    purposes.extend(self.strings(inner, "purpose \"Ausstellung des Wahlscheins\""))
                }
                "text" => self.text_once(inner, &mut text),
                _ => self.unknown(inner, Context::Recipient),
            }
        }
        Some((laws, purposes, text))
    }

    /// A recipient's `basis`: the law that allows the disclosure, in quotes. A GDPR article is
    /// the activity's basis, not the recipient's.
    fn recipient_laws(&mut self, fact: &Item) -> Vec<Text> {
        const EXAMPLE: &str = "basis \"§ 18 GKWO\"";
        let mut rest = fact.clone();
        rest.values
            .retain(|value| !matches!(value.kind, ValueKind::Article(_)));
        for (i, value) in fact.values.iter().enumerate() {
            if !matches!(value.kind, ValueKind::Article(_)) {
                continue;
            }
            let mut problem = Diagnostic::error(
                "wrong-value",
                value.span,
                "a recipient's `basis` is the law that allows the disclosure, not a GDPR article",
            )
            .with_help(format!(
                "give the GDPR article in the activity's `basis`, and here the law in quotes: `{EXAMPLE}`"
            ));
            if let Some(next) = fact.values.get(i + 1) {
                problem = problem.with_fix(
                    value.span.with_bounds(value.span.start, next.span.start),
                    "",
                    "remove the article",
                );
            }
            self.error(problem);
        }
        if rest.values.is_empty() && !fact.values.is_empty() {
            self.no_block(fact);
            return Vec::new();
        }
        self.strings(&rest, EXAMPLE)
    }

    /// `transfer none`, or one transfer to a third country.
    fn transfers(
        &mut self,
        fact: &Item,
        activity: &mut Activity,
        listed: &mut FirstListed,
        what: &str,
    ) {
        if let [
            value @ Value {
                kind: ValueKind::Word(word),
                ..
            },
        ] = fact.values.as_slice()
            && word == "none"
        {
            self.none(
                &mut activity.transfers,
                value.span,
                listed.transfer,
                &TRANSFERS,
                what,
            );
            return;
        }
        let Some(transfer) = self.transfer(fact) else {
            return;
        };
        // The keyword and its values, without the block of a `text`.
        let span = fact.values.last().map_or(fact.keyword.span, |last| {
            fact.keyword
                .span
                .with_bounds(fact.keyword.span.start, last.span.end)
        });
        if self.list(
            &mut activity.transfers,
            transfer,
            span,
            &TRANSFERS,
            what,
            false,
        ) {
            listed.transfer.get_or_insert(span);
        }
    }

    /// Records `none` written at `span`; when the block listed something before (first at
    /// `first_listed`), reports the contradiction instead.
    fn none<T>(
        &mut self,
        stated: &mut Stated<T>,
        span: Span,
        first_listed: Option<Span>,
        fact: &Contradiction,
        what: &str,
    ) {
        match stated {
            Stated::Unstated => *stated = Stated::None(span),
            // `none` twice says the same thing twice.
            Stated::None(_) => {}
            Stated::Listed(_) => {
                let mut problem = self
                    .contradiction(span, fact, what)
                    .with_label(format!("but `{} none` is written here", fact.keyword));
                if let Some(first) = first_listed {
                    problem = problem.with_related(first, fact.listed);
                }
                self.error(problem);
            }
        }
    }

    /// Adds what a block lists at `span`; when the block said `none` before, reports the
    /// contradiction instead (unless this line has already been reported) and returns false.
    fn list<T>(
        &mut self,
        stated: &mut Stated<T>,
        item: T,
        span: Span,
        fact: &Contradiction,
        what: &str,
        reported: bool,
    ) -> bool {
        match stated {
            Stated::Unstated => *stated = Stated::Listed(NonEmpty::new(item)),
            Stated::Listed(items) => items.push(item),
            Stated::None(none) => {
                let none = *none;
                if !reported {
                    let problem = self
                        .contradiction(span, fact, what)
                        .with_label(format!("but {}", fact.listed))
                        .with_related(none, format!("`{} none` is written here", fact.keyword));
                    self.error(problem);
                }
                return false;
            }
        }
        true
    }

    fn contradiction(&self, span: Span, fact: &Contradiction, what: &str) -> Diagnostic {
        let (block, help) = if what == "defaults" {
            (
                "the defaults",
                "; an activity that differs from the defaults states its own",
            )
        } else {
            ("this activity", "")
        };
        Diagnostic::error(
            "contradictory-facts",
            span,
            format!(
                "`{} none` and {} contradict each other in {block}",
                fact.keyword, fact.one
            ),
        )
        .with_help(format!(
            "keep either `{} none` or the {}: the notice cannot state both{help}",
            fact.keyword, fact.plural
        ))
    }

    pub(super) fn processor(&mut self, fact: &Item) -> Vec<Processor> {
        let organisations = self.references_allowing_block(fact, "processor sitepark");
        let mut role = None;
        if let Some(items) = &fact.block {
            self.enter(fact);
            for inner in items {
                match inner.keyword.text.as_str() {
                    "role" => {
                        let value = self.string(inner, "role \"Unterauftragsverarbeiter\"");
                        self.once(&mut role, value, inner);
                    }
                    _ => self.unknown(inner, Context::Processor),
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

    /// `lead-in data "Je nach Wahl zählen dazu:"`: a sentence before the list of a fact.
    fn lead_in(&mut self, fact: &Item, activity: &mut Activity) {
        const EXAMPLE: &str = "lead-in data \"Je nach Wahl zählen dazu:\"";
        const FACTS: &[&str] = &["data", "purpose"];
        self.no_block(fact);
        let (which, text) = match fact.values.as_slice() {
            [
                Value {
                    kind: ValueKind::Word(which),
                    span,
                },
                Value {
                    kind: ValueKind::String(text),
                    ..
                },
            ] if FACTS.contains(&which.as_str()) => ((which.clone(), *span), text.clone()),
            _ => {
                self.error(
                    Diagnostic::error(
                        "wrong-value",
                        fact.keyword.span,
                        "`lead-in` takes the fact it leads into (`data` or `purpose`) and a text in quotes",
                    )
                    .with_help(format!("write e.g. `{EXAMPLE}`")),
                );
                return;
            }
        };
        let (which, span) = which;
        if activity.lead_ins.contains_key(&which) {
            self.error(
                Diagnostic::error(
                    "duplicate-fact",
                    span,
                    format!("`lead-in {which}` is given more than once"),
                )
                .with_help("keep one"),
            );
            return;
        }
        activity.lead_ins.insert(which, text);
    }

    pub(super) fn joint_controller(&mut self, fact: &Item) -> Vec<JointController> {
        let organisations = self.references_allowing_block(fact, "joint-controller meta");
        let mut essence = None;
        if let Some(items) = &fact.block {
            self.enter(fact);
            for inner in items {
                match inner.keyword.text.as_str() {
                    "essence" => self.text_once(inner, &mut essence),
                    _ => self.unknown(inner, Context::JointController),
                }
            }
        }
        organisations
            .into_iter()
            .map(|organisation| JointController {
                organisation,
                essence: essence.clone(),
            })
            .collect()
    }

    pub(super) fn partner(&mut self, fact: &Item) -> Option<Partner> {
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

    pub(super) fn transfer(&mut self, fact: &Item) -> Option<Transfer> {
        /// Art. 49(1) first subparagraph, points (a) to (g).
        const DEROGATIONS: &[&str] = &[
            "49(1)(a)", "49(1)(b)", "49(1)(c)", "49(1)(d)", "49(1)(e)", "49(1)(f)", "49(1)(g)",
        ];
        const EXAMPLE: &str = "transfer cisco scc";
        let (recipient, safeguard, point) = match fact.values.as_slice() {
            [recipient] => (recipient, None, None),
            [recipient, safeguard] => (recipient, Some(safeguard), None),
            [recipient, safeguard, point] if matches!(&safeguard.kind, ValueKind::Word(w) if w == "derogation") => {
                (recipient, Some(safeguard), Some(point))
            }
            [] => {
                self.missing_value(fact, EXAMPLE);
                return None;
            }
            [_, _, extra, ..] => {
                self.wrong_value(
                    fact,
                    extra,
                    "only the recipient and the safeguard (and after `derogation` its point, \
                     e.g. `49(1)(a)`)",
                    EXAMPLE,
                );
                return None;
            }
        };
        let derogation = match point.map(|value| (value, &value.kind)) {
            None => None,
            Some((value, ValueKind::Article(article)))
                if DEROGATIONS.contains(&article.as_str()) =>
            {
                Some(Spanned {
                    value: article.clone(),
                    span: value.span,
                })
            }
            Some((value, _)) => {
                self.wrong_value(
                    fact,
                    value,
                    "a point of Art. 49(1): `49(1)(a)` to `49(1)(g)`",
                    "transfer cisco derogation 49(1)(a)",
                );
                None
            }
        };
        let ValueKind::Word(id) = &recipient.kind else {
            if let ValueKind::String(text) = &recipient.kind
                && language::says_none(text)
            {
                self.error(
                    Diagnostic::error(
                        "wrong-value",
                        recipient.span,
                        "`transfer` takes the id of the receiving organisation; to say there is no transfer, write `transfer none`",
                    )
                    .with_help("write `transfer none`")
                    .with_fix(recipient.span, "none", "replace with `none`"),
                );
                return None;
            }
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
                problem = problem
                    .with_help(match suggestion {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("write one of {}", list(SAFEGUARDS)),
                    })
                    .with_fixes(replacing(value.span, suggestion));
                self.error(problem);
                None
            }
        };
        let mut text = None;
        let mut copy = None;
        if let Some(items) = &fact.block {
            self.enter(fact);
            for inner in items {
                match inner.keyword.text.as_str() {
                    "text" => self.text_once(inner, &mut text),
                    "copy" => {
                        let value = self.string(
                            inner,
                            "copy \"Eine Kopie erhalten Sie bei datenschutz@example.de.\"",
                        );
                        self.once(&mut copy, value, inner);
                    }
                    _ => self.unknown(inner, Context::Transfer),
                }
            }
        }
        Some(Transfer {
            recipient: Reference {
                id: id.clone(),
                span: recipient.span,
            },
            safeguard,
            derogation,
            copy,
            text,
            span: fact.span,
        })
    }

    /// `retention [at-most] 30 days ["from"]`, `retention until|statutory|criteria "…"` or
    /// `retention archive "archive" ["law"]`, each optionally followed by `for "the data"`.
    pub(super) fn retention(&mut self, fact: &Item) -> Option<Retention> {
        const FORMS: &str = "write `retention 30 days`, `retention until \"…\"`, `retention statutory \"§ …\"`, \
                             `retention criteria \"…\"` or `retention archive \"Stadtarchiv …\"`";
        self.no_block(fact);
        let (values, data) = match fact.values.as_slice() {
            [
                rest @ ..,
                Value {
                    kind: ValueKind::Word(word),
                    ..
                },
                Value {
                    kind: ValueKind::String(data),
                    ..
                },
            ] if word == "for" => (rest, Some(data.clone())),
            [
                ..,
                Value {
                    kind: ValueKind::Word(word),
                    span,
                },
            ] if word == "for" => {
                self.error(
                    Diagnostic::error(
                        "missing-value",
                        *span,
                        "`for` needs the data the rule is for, in quotes",
                    )
                    .with_help("write e.g. `retention 14 days for \"Termindaten\"`"),
                );
                return None;
            }
            all => (all, None),
        };
        let rule = match values {
            [] => {
                self.missing_value(fact, "retention 30 days");
                return None;
            }
            [
                Value {
                    kind: ValueKind::Word(word),
                    ..
                },
                rest @ ..,
            ] if word == "at-most" => self.period(fact, rest, true)?,
            [
                Value {
                    kind: ValueKind::Duration { .. },
                    ..
                },
                ..,
            ] => self.period(fact, values, false)?,
            [
                Value {
                    kind: ValueKind::Word(form),
                    ..
                },
                rest @ ..,
            ] if ["until", "statutory", "criteria", "archive"].contains(&form.as_str()) => {
                let example = match form.as_str() {
                    "until" => "retention until \"Sie das Abonnement kündigen\"",
                    "statutory" => "retention statutory \"§ 147 AO\"",
                    "archive" => "retention archive \"Stadtarchiv Musterstadt\" \"§ 3 NArchG\"",
                    _ => "retention criteria \"solange es für den Zweck erforderlich ist\"",
                };
                let most = if form == "archive" { 2 } else { 1 };
                let not_text = rest.iter().position(|v| {
                    !matches!(v.kind, ValueKind::String(_) | ValueKind::TextBlock(_))
                });
                if rest.is_empty() {
                    self.missing_value(fact, example);
                    return None;
                }
                if let Some(bad) = not_text {
                    self.wrong_value(fact, &rest[bad], "texts in quotes after the form", example);
                    return None;
                }
                if rest.len() > most {
                    let takes = if most == 1 {
                        "one text"
                    } else {
                        "the archive and the law"
                    };
                    self.error(
                        Diagnostic::error(
                            "wrong-value",
                            rest[most].span,
                            format!("`retention {form}` takes {takes}, no more"),
                        )
                        .with_help(format!("write e.g. `{example}`")),
                    );
                    return None;
                }
                let texts: Vec<Text> = rest
                    .iter()
                    .filter_map(|value| match &value.kind {
                        ValueKind::String(text) | ValueKind::TextBlock(text) => Some(text.clone()),
                        _ => None,
                    })
                    .collect();
                let mut texts = texts.into_iter();
                let first = texts.next().unwrap_or_default();
                match form.as_str() {
                    "until" => RetentionRule::Until { event: first },
                    "statutory" => RetentionRule::Statutory { law: first },
                    "archive" => RetentionRule::Archive {
                        archive: first,
                        law: texts.next(),
                    },
                    _ => RetentionRule::Criteria { text: first },
                }
            }
            [first, ..] => {
                let label =
                    "expected a duration, `at-most`, `until`, `statutory`, `criteria` or `archive`";
                let mut problem = Diagnostic::error(
                    "invalid-retention",
                    first.span,
                    "klartext does not understand this retention period",
                )
                .with_label(label);
                // `retention "90 Tage"`: the period in quotes, as a text.
                problem = match &first.kind {
                    ValueKind::String(text) => match duration_in_words(text) {
                        Some(duration) => problem
                            .with_help(format!(
                                "write the period without quotes: `retention {duration}`"
                            ))
                            .with_fix(first.span, duration, "write the period without quotes"),
                        None => problem.with_help(FORMS),
                    },
                    _ => problem.with_help(FORMS),
                };
                self.error(problem);
                return None;
            }
        };
        Some(Retention {
            rule,
            data,
            span: fact.span,
        })
    }

    /// `30 days ["from when"]`, the values after `retention` or `retention at-most`.
    fn period(&mut self, fact: &Item, values: &[Value], at_most: bool) -> Option<RetentionRule> {
        const EXAMPLE: &str = "retention 12 months \"nach dem letzten Login\"";
        let (first, rest) = match values.split_first() {
            Some(split) => split,
            None => {
                self.missing_value(fact, "retention at-most 1 year");
                return None;
            }
        };
        if !matches!(first.kind, ValueKind::Duration { .. }) {
            self.wrong_value(fact, first, "a duration", EXAMPLE);
            return None;
        }
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
                self.wrong_value(fact, other, "from when, in quotes", EXAMPLE);
                return None;
            }
        };
        Some(RetentionRule::Period {
            duration,
            from,
            at_most,
        })
    }

    pub(super) fn automated_decisions(&mut self, fact: &Item) -> Option<AutomatedDecisions> {
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

    /// `data "IP-Adresse", "Browser"`: categories of data; `data "Technische Daten" { items "…" }`:
    /// a group of them under its title.
    fn data(&mut self, fact: &Item) -> Vec<DataCategory> {
        const EXAMPLE: &str = "data \"IP-Adresse\", \"Datum und Uhrzeit\"";
        if fact.block.is_none() {
            return self
                .strings(fact, EXAMPLE)
                .into_iter()
                .map(DataCategory::Item)
                .collect();
        }
        let title = self.title_needing(
            fact,
            "data",
            "data \"Technische Daten\" { items \"Browser\", \"Betriebssystem\" }",
            "one title in quotes before a block of `items`",
        );
        let mut items = Vec::new();
        for inner in self.block(fact, "data") {
            match inner.keyword.text.as_str() {
                "items" => {
                    items.extend(self.strings(inner, "items \"Browser\", \"Betriebssystem\""))
                }
                _ => self.unknown(inner, Context::Data),
            }
        }
        if items.is_empty() {
            self.error(
                Diagnostic::error(
                    "missing-value",
                    fact.span.head("data"),
                    "a group of data needs its `items`",
                )
                .with_help("write e.g. `data \"Technische Daten\" { items \"Browser\", \"Betriebssystem\" }`, or leave out the braces for one category"),
            );
        }
        vec![DataCategory::Group { title, items }]
    }

    pub(super) fn cookie(&mut self, item: &Item) -> Option<Cookie> {
        // A kind of cookies has no name: `cookie { purpose "funktionaler Betrieb" necessary }`.
        let name = if item.values.is_empty() && item.block.is_some() {
            None
        } else {
            Some(self.title(item, "cookie", "cookie \"_pk_id\" {"))
        };
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
                "text" => self.text_once(fact, &mut cookie.text),
                _ => self.unknown(fact, Context::Cookie),
            }
        }
        if cookie.name.is_none() && cookie.purposes.is_empty() {
            self.error(
                Diagnostic::error(
                    "missing-value",
                    item.span.head("cookie"),
                    "a cookie without a name needs a `purpose`",
                )
                .with_help("write e.g. `cookie { purpose \"funktionaler Betrieb\" necessary }`, or give the cookie's name: `cookie \"_pk_id\" { … }`"),
            );
        }
        Some(cookie)
    }
}

/// Where a block first lists a recipient or a transfer, for a `none` written after it.
#[derive(Default)]
struct FirstListed {
    recipient: Option<Span>,
    transfer: Option<Span>,
}

/// The words for a fact that a block may state as `none` or list, but not both.
struct Contradiction {
    keyword: &'static str,
    /// One of what the block lists: "a recipient".
    one: &'static str,
    /// The label at the place it does: "a recipient is listed here".
    listed: &'static str,
    plural: &'static str,
}

const RECIPIENTS: Contradiction = Contradiction {
    keyword: "recipients",
    one: "a recipient",
    listed: "a recipient is listed here",
    plural: "recipients",
};

const TRANSFERS: Contradiction = Contradiction {
    keyword: "transfer",
    one: "a transfer",
    listed: "a transfer is stated here",
    plural: "transfers",
};

/// Whether a keyword is a fact that describes one activity only (`text`, `cookie`, …), and so
/// cannot be a default. Unknown keywords are not: they are reported as unknown.
/// The head of a block taken from a library: `activity kontakt from std.contact-form "Kontakt"`,
/// its own id and title both optional.
pub(super) struct TakenFrom {
    pub id: Option<String>,
    pub base: Reference,
    pub title: Option<Text>,
}

/// The id a block taken from a library has when it names none: the library's, without the
/// library's prefix (`std.contact-form` → `contact-form`).
pub(super) fn own_id(base: &str) -> String {
    base.rsplit('.').next().unwrap_or(base).to_string()
}

/// Gives an activity taken from a library everything of the library's that it does not state
/// itself: the facts, as `defaults` give them, and its title, text, lead-ins, cookies and
/// sections. The allowances of both hold.
fn adopt(activity: &mut Activity, base: Activity) {
    inherit(activity, &base);
    if activity.title.is_empty() {
        activity.title = base.title;
    }
    if activity.text.is_none() {
        activity.text = base.text;
    }
    for (fact, lead_in) in base.lead_ins {
        activity.lead_ins.entry(fact).or_insert(lead_in);
    }
    if activity.cookies.is_empty() {
        activity.cookies = base.cookies;
    }
    if activity.sections.is_empty() {
        activity.sections = base.sections;
    }
    // A position is about the kind of processing, which the policy takes as the library has it.
    if activity.positions.is_empty() {
        activity.positions = base.positions;
    }
    activity.allowances.extend(base.allowances);
}

/// The names in the export of the facts a keyword states, for placing the prose written between
/// them; none for what is not a fact of the list (`text`, `lead-in`, `allow`, …).
fn fact_keys(keyword: &str) -> &'static [&'static str] {
    match keyword {
        "data" => &["data"],
        "subjects" => &["subjects"],
        "source" => &["sources"],
        "purpose" => &["purposes"],
        "basis" => &["legal_bases"],
        "legitimate-interest" => &["legitimate_interests"],
        "recipients" | "recipient" => &["no_recipients", "recipients"],
        "processor" => &["processors"],
        "joint-controller" => &["joint_controllers"],
        "operator" => &["operators"],
        "presence" => &["presences"],
        "partner" => &["partners"],
        "transfer" => &["no_transfers", "transfers"],
        "retention" => &["retention"],
        "requirement" => &["requirement"],
        "automated-decisions" => &["automated_decisions"],
        "cookie" => &["cookies"],
        "privacy-policy" => &["privacy_policies"],
        "link" => &["links"],
        "objection" => &["objection"],
        "withdrawal" => &["withdrawal"],
        _ => &[],
    }
}

fn not_a_default(keyword: &str) -> bool {
    language::keyword_in(keyword, Context::Activity).is_some_and(|k| !k.default)
}

/// Whether `defaults` state any fact at all.
pub(super) fn states_something(defaults: &Activity) -> bool {
    inherit(
        &mut empty_activity(None, Text::unwritten(""), defaults.span),
        defaults,
    )
    .took
}

fn empty_activity(id: Option<String>, title: Text, span: Span) -> Activity {
    Activity {
        id,
        anchor: String::new(),
        title,
        notice_wide: false,
        shown: None,
        lead_ins: BTreeMap::new(),
        controller: None,
        text: None,
        data: Vec::new(),
        subjects: Vec::new(),
        sources: Vec::new(),
        purposes: Vec::new(),
        legal_bases: Vec::new(),
        legitimate_interests: Vec::new(),
        recipients: Stated::Unstated,
        processors: Vec::new(),
        joint_controllers: Vec::new(),
        operators: Vec::new(),
        presences: Vec::new(),
        partners: Vec::new(),
        transfers: Stated::Unstated,
        retention: Vec::new(),
        requirement: Vec::new(),
        automated_decisions: None,
        cookies: Vec::new(),
        privacy_policies: Vec::new(),
        links: Vec::new(),
        objection: Vec::new(),
        withdrawal: Vec::new(),
        sections: Vec::new(),
        positions: Vec::new(),
        allowances: Vec::new(),
        incomplete: false,
        span,
    }
}

/// What an activity did with the defaults.
#[derive(Default)]
pub(super) struct Inherited {
    /// It took a fact it does not state itself.
    pub took: bool,
    /// It states a fact of its own that the defaults also state.
    pub overrode: bool,
}

/// Gives an activity every fact it does not state itself from `defaults`.
pub(super) fn inherit(activity: &mut Activity, defaults: &Activity) -> Inherited {
    fn fill<T: Clone>(own: &mut Vec<T>, default: &[T], how: &mut Inherited) {
        how.overrode |= !own.is_empty() && !default.is_empty();
        if own.is_empty() && !default.is_empty() {
            own.extend_from_slice(default);
            how.took = true;
        }
    }
    fn fill_one<T: Clone>(own: &mut Option<T>, default: &Option<T>, how: &mut Inherited) {
        how.overrode |= own.is_some() && default.is_some();
        if own.is_none() && default.is_some() {
            own.clone_from(default);
            how.took = true;
        }
    }
    fn fill_stated<T: Clone>(own: &mut Stated<T>, default: &Stated<T>, how: &mut Inherited) {
        how.overrode |= own.is_stated() && default.is_stated();
        if !own.is_stated() && default.is_stated() {
            own.clone_from(default);
            how.took = true;
        }
    }
    let mut how = Inherited::default();
    fill_one(&mut activity.controller, &defaults.controller, &mut how);
    fill_one(
        &mut activity.automated_decisions,
        &defaults.automated_decisions,
        &mut how,
    );
    fill_stated(&mut activity.recipients, &defaults.recipients, &mut how);
    fill_stated(&mut activity.transfers, &defaults.transfers, &mut how);
    fill(&mut activity.data, &defaults.data, &mut how);
    fill(&mut activity.subjects, &defaults.subjects, &mut how);
    fill(&mut activity.sources, &defaults.sources, &mut how);
    fill(&mut activity.purposes, &defaults.purposes, &mut how);
    how.overrode |= !activity.legal_bases.is_empty() && !defaults.legal_bases.is_empty();
    if activity.legal_bases.is_empty() && !defaults.legal_bases.is_empty() {
        activity
            .legal_bases
            .extend(defaults.legal_bases.iter().map(|basis| LegalBasis {
                inherited: true,
                ..basis.clone()
            }));
        how.took = true;
    }
    fill(
        &mut activity.legitimate_interests,
        &defaults.legitimate_interests,
        &mut how,
    );
    fill(&mut activity.processors, &defaults.processors, &mut how);
    fill(
        &mut activity.joint_controllers,
        &defaults.joint_controllers,
        &mut how,
    );
    fill(&mut activity.operators, &defaults.operators, &mut how);
    fill(&mut activity.presences, &defaults.presences, &mut how);
    fill(&mut activity.partners, &defaults.partners, &mut how);
    fill(&mut activity.retention, &defaults.retention, &mut how);
    fill(&mut activity.requirement, &defaults.requirement, &mut how);
    fill(
        &mut activity.privacy_policies,
        &defaults.privacy_policies,
        &mut how,
    );
    fill(&mut activity.links, &defaults.links, &mut how);
    fill(&mut activity.objection, &defaults.objection, &mut how);
    fill(&mut activity.withdrawal, &defaults.withdrawal, &mut how);
    how
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::lower;

    /// Lowers a policy with `body` inside it, beside two organisations.
    fn lowered(body: &str) -> (String, Option<Policy>, Vec<Diagnostic>) {
        let source = format!(
            "policy \"P\" {{\norganisation sitepark \"Sitepark\" {{ }}\n\
             organisation cisco \"Cisco\" {{ country US }}\n{body}\n}}\n"
        );
        let parsed = crate::syntax::parse(&source);
        assert!(parsed.problems.is_empty(), "{source}");
        let (policy, diagnostics) = lower(&source, &parsed.file);
        (source, policy, diagnostics)
    }

    /// Each contradiction in one block: the text under the primary label (the second fact)
    /// and under the related one (the first).
    #[test]
    fn none_and_a_list_in_one_block_is_reported_at_the_second() {
        let cases = [
            (
                "activity a \"A\" { recipients none\n recipients \"Presse\" }",
                "\"Presse\"",
                "none",
                "`recipients none` is written here",
            ),
            (
                "activity a \"A\" { recipient sitepark\n recipients none }",
                "none",
                "sitepark",
                "a recipient is listed here",
            ),
            (
                "activity a \"A\" { recipients none, sitepark, \"Presse\" }",
                "sitepark",
                "none",
                "`recipients none` is written here",
            ),
            (
                "activity a \"A\" { transfer none\n transfer cisco scc { text \"T\" } }",
                "transfer cisco scc",
                "none",
                "`transfer none` is written here",
            ),
            (
                "defaults { transfer cisco\n transfer none }",
                "none",
                "transfer cisco",
                "a transfer is stated here",
            ),
            (
                "section s \"S\" { defaults { recipients \"Presse\"\n recipients none } }",
                "none",
                "\"Presse\"",
                "a recipient is listed here",
            ),
        ];
        for (body, primary, related, message) in cases {
            let (source, _, diagnostics) = lowered(body);
            let found: Vec<&Diagnostic> = diagnostics
                .iter()
                .filter(|d| d.name == "contradictory-facts")
                .collect();
            assert_eq!(found.len(), 1, "{body}: {diagnostics:?}");
            let problem = found[0];
            assert!(problem.is_error());
            assert_eq!(&source[problem.span.range()], primary, "{body}");
            let [place] = problem.related.as_slice() else {
                panic!("{body}: {:?}", problem.related);
            };
            assert_eq!(&source[place.span.range()], related, "{body}");
            assert_eq!(place.message, message, "{body}");
            assert!(place.span.start < problem.span.start, "{body}");
        }
    }

    #[test]
    fn each_line_that_contradicts_is_reported_once() {
        let (_, _, diagnostics) = lowered(
            "activity a \"A\" { recipients none\n recipients \"Presse\", \"Druck\"\n recipients sitepark\n recipients none }",
        );
        let found = diagnostics
            .iter()
            .filter(|d| d.name == "contradictory-facts")
            .count();
        assert_eq!(found, 2, "{diagnostics:?}");
    }

    /// An activity's own facts replace the defaults: stating the other one is no contradiction.
    #[test]
    fn an_activity_that_differs_from_the_defaults_contradicts_nothing() {
        let (_, policy, diagnostics) = lowered(
            "defaults { recipients none\n transfer none }\n\
             section s \"S\" {\n defaults { recipients \"Gruppe\"\n transfer cisco dpf }\n\
             activity keine \"K\" { recipients none\n transfer none }\n}\n\
             activity eigene \"E\" { recipients sitepark\n transfer cisco scc }\n\
             activity geerbt \"G\" { }",
        );
        assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
        let policy = policy.expect("a policy");
        let activities = policy.activities();
        let [keine, eigene, geerbt] = activities.as_slice() else {
            panic!("{activities:?}");
        };
        assert!(keine.recipients.is_none() && keine.transfers.is_none());
        assert_eq!(eigene.recipients.items().len(), 1);
        assert_eq!(eigene.transfers.items().len(), 1);
        assert!(!eigene.recipients.is_none() && !eigene.transfers.is_none());
        assert!(geerbt.recipients.is_none() && geerbt.transfers.is_none());
    }

    /// The export keeps the fields it has always had, in their places: `no_recipients` before
    /// `recipients`, `transfers` before `no_transfers`.
    #[test]
    fn the_export_writes_a_flag_and_a_list() {
        let (_, policy, _) = lowered(
            "activity keine \"K\" { recipients none\n transfer none }\n\
             activity liste \"L\" { recipients \"Presse\"\n transfer cisco scc }\n\
             activity nichts \"N\" { }",
        );
        let json = serde_json::to_string(&policy.expect("a policy")).expect("JSON");
        for expected in [
            r#""legitimate_interests":[],"no_recipients":true,"recipients":[],"processors":[]"#,
            r#""partners":[],"transfers":[],"no_transfers":true,"retention":[]"#,
            r#""no_recipients":false,"recipients":[{"category":"Presse"}],"processors""#,
            r#""transfers":[{"recipient":"cisco","safeguard":"scc","derogation":null,"copy":null,"text":null}],"no_transfers":false"#,
            r#""no_recipients":false,"recipients":[],"processors""#,
            r#""partners":[],"transfers":[],"no_transfers":false,"retention""#,
        ] {
            assert!(json.contains(expected), "{expected}\nnot in\n{json}");
        }
    }

    /// A recipient's block gives it the law, the purposes and a text; a recipient without one
    /// exports as it always has, and one in the defaults keeps its block in every activity.
    #[test]
    fn a_recipient_may_have_a_block() {
        let (_, policy, diagnostics) = lowered(
            "defaults { recipient \"Prüfamt\" { basis \"§ 1 A\" } }\n\
             activity a \"A\" { recipients \"Presse\"\n\
             recipient sitepark { basis \"§ 18 GKWO\", \"§ 19 GKWO\"; purpose \"Wahlschein\"; text \"Nur bei Briefwahl.\" } }\n\
             activity b \"B\" { }",
        );
        assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
        let policy = policy.expect("a policy");
        let activities = policy.activities();
        let [a, b] = activities.as_slice() else {
            panic!("{activities:?}");
        };
        let [presse, sitepark] = a.recipients.items() else {
            panic!("{:?}", a.recipients);
        };
        assert!(presse.laws.is_empty() && presse.purposes.is_empty() && presse.text.is_none());
        assert!(matches!(&sitepark.party, Party::Organisation(r) if r.id == "sitepark"));
        assert_eq!(sitepark.laws.len(), 2);
        assert_eq!(sitepark.purposes.len(), 1);
        assert_eq!(sitepark.text.as_deref(), Some("Nur bei Briefwahl."));
        let [inherited] = b.recipients.items() else {
            panic!("{:?}", b.recipients);
        };
        assert_eq!(inherited.laws.len(), 1);
        let json = serde_json::to_string(&policy).expect("JSON");
        let expected = r#""recipients":[{"category":"Presse"},{"organisation":"sitepark","laws":["§ 18 GKWO","§ 19 GKWO"],"purposes":["Wahlschein"],"text":"Nur bei Briefwahl."}]"#;
        assert!(json.contains(expected), "{expected}\nnot in\n{json}");
    }

    /// A block belongs to one recipient, `none` has none, and a recipient's basis is a law.
    #[test]
    fn a_recipient_block_is_refused_where_it_cannot_stand() {
        let cases = [
            (
                "recipients \"Presse\", sitepark { basis \"§ 1 A\" }",
                "unexpected-block",
                "a block belongs to one recipient, but this line lists 2",
            ),
            (
                "recipients none { basis \"§ 1 A\" }",
                "unexpected-block",
                "`recipients` does not take a block",
            ),
            (
                "recipient sitepark { basis 6(1)(c) \"§ 1 A\" }",
                "wrong-value",
                "a recipient's `basis` is the law that allows the disclosure, not a GDPR article",
            ),
            (
                "recipient sitepark { role \"X\" }",
                "unknown-keyword",
                "`role`",
            ),
        ];
        for (facts, name, message) in cases {
            let (source, _, diagnostics) = lowered(&format!("activity a \"A\" {{ {facts} }}"));
            assert!(
                diagnostics
                    .iter()
                    .any(|d| d.name == name && d.message.starts_with(message)),
                "{source}\n{diagnostics:?}"
            );
        }
        // The article is removed, the law kept.
        let (source, policy, diagnostics) =
            lowered("activity a \"A\" { recipient sitepark { basis 6(1)(c) \"§ 1 A\" } }");
        let fix = &diagnostics[0].fixes[0];
        assert_eq!(&source[fix.span.range()], "6(1)(c) ");
        let policy = policy.expect("a policy");
        assert_eq!(policy.activities()[0].recipients.items()[0].laws.len(), 1);
    }
}
