//! The typed model of a privacy notice, in the GDPR's own terms.
//!
//! This is what lowering produces, what the checker inspects, what templates render and what
//! `--format json|yaml` exports. References between parts are ids (resolved and checked by
//! lowering); organisations are listed once in [`Policy::organisations`]. Spans are kept for
//! diagnostics and left out of exports.

use std::collections::BTreeMap;
use std::fmt;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::diagnostic::Span;
pub use crate::text::Text;

/// Markdown prose written by the policy author.
pub type Prose = Text;

#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    pub title: Text,
    pub language: Language,
    /// ISO 3166-2 code of the federal state, e.g. `DE-HE`.
    pub state: Option<Spanned<String>>,
    /// Date of the last revision ("Stand"), as written. The notice shows [`Policy::stand`],
    /// which is later when a `revision` is; the export's `revised` is that date.
    pub revised: Option<Spanned<Date>>,
    /// `revised "TODO …"`: a placeholder where the date will stand (`klartext init` writes one),
    /// which the checker reports until it is replaced.
    #[serde(skip)]
    pub revised_placeholder: Option<Text>,
    /// The changes the notice records (`revision 2024-05-02 "Matomo ergänzt"`), in source order.
    pub revisions: Vec<Revision>,
    pub websites: Vec<Text>,
    /// The procedures, forms or offices the notice covers, when it is not about a website.
    pub applies_to: Vec<Text>,
    /// Where the notice itself is published.
    pub published_at: Option<Text>,
    pub preamble: Option<Prose>,
    /// The notice's own wording of the headings and phrases around the facts, by label name
    /// (`recipients`), replacing the shipped ones.
    pub labels: BTreeMap<String, Text>,
    /// Controllers, supervisory authority, activities, sections and rights, in source order.
    pub contents: Vec<Part>,
    pub organisations: Vec<Organisation>,
    /// Checker findings the author has accepted, with the reason.
    pub allowances: Vec<Allowance>,
    #[serde(skip)]
    pub span: Span,
    /// The ids, their declarations and references.
    #[serde(skip)]
    pub symbols: Symbols,
}

/// The version of the JSON and YAML export (`docs/schema.json`, `docs/schema.md`): raised
/// whenever a field is added, renamed, removed or changes its meaning.
pub const SCHEMA_VERSION: u32 = 1;

/// The policy as the JSON and YAML export give it: `schema_version`, then the policy's fields.
#[derive(Serialize)]
pub struct Export<'a> {
    pub schema_version: u32,
    #[serde(flatten)]
    pub policy: &'a Policy,
}

impl<'a> Export<'a> {
    pub fn new(policy: &'a Policy) -> Export<'a> {
        Export {
            schema_version: SCHEMA_VERSION,
            policy,
        }
    }
}

impl Policy {
    /// The date the notice shows as its "Stand": the latest of `revised` and the revisions'
    /// dates (on a tie, `revised`, with its place in the source).
    pub fn stand(&self) -> Option<Spanned<Date>> {
        let revisions = self.revisions.iter().map(|revision| Spanned {
            value: revision.date,
            span: revision.span,
        });
        self.revised
            .iter()
            .cloned()
            .chain(revisions)
            .reduce(|latest, next| {
                if next.value > latest.value {
                    next
                } else {
                    latest
                }
            })
    }

    /// The organisation declared with this id.
    pub fn organisation(&self, id: &str) -> Option<&Organisation> {
        self.organisations
            .get(*self.symbols.organisations.get(id)?)
            .filter(|organisation| organisation.id == id)
    }

    /// The controller declared with this id.
    pub fn controller(&self, id: &str) -> Option<&Controller> {
        match self.contents.get(*self.symbols.controllers.get(id)?)? {
            Part::Controller(controller) if controller.id.as_deref() == Some(id) => {
                Some(controller)
            }
            _ => None,
        }
    }

    /// The ids that become anchors on the page (of controllers, activities and sections, at
    /// every depth), in source order, with the head of the block that declares each.
    pub fn anchored_ids(&self) -> Vec<(&str, Span, SymbolKind)> {
        let mut ids = Vec::new();
        collect_ids(&self.contents, &mut ids);
        ids
    }

    /// Every processing activity, those grouped in sections included, in source order.
    pub fn activities(&self) -> Vec<&Activity> {
        fn collect<'a>(parts: &'a [Part], into: &mut Vec<&'a Activity>) {
            for part in parts {
                match part {
                    Part::Activity(activity) => into.push(activity),
                    Part::Section(section) => collect(&section.contents, into),
                    _ => {}
                }
            }
        }
        let mut activities = Vec::new();
        collect(&self.contents, &mut activities);
        activities
    }
}

/// A change the notice records, shown with its date at the end of the notice.
#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    pub date: Date,
    /// What changed ("Matomo ergänzt"); absent when the revision gives only its date.
    pub changes: Option<Text>,
    /// The `revision` fact.
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    De,
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::De => "de",
            Language::En => "en",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Part {
    Controller(Controller),
    SupervisoryAuthority(SupervisoryAuthority),
    Activity(Box<Activity>),
    Section(Section),
    Rights(Rights),
}

/// How to reach a controller, officer, authority or organisation.
///
/// Exported with `address` as before (every line of every address, in order), and `addresses`,
/// each address as written: `{"label": "Postanschrift" | null, "lines": […]}`. A phone number,
/// fax, e-mail, De-Mail, web address or office hours without a label export as a plain string,
/// one with a label as `{"value": "0561 787-0", "label": "Telefonzentrale"}`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Contact {
    /// Lines of the postal address: every line of every address, in order.
    pub address: Vec<Text>,
    /// Each address as written, with its label ("Postanschrift", "Besucheranschrift").
    pub addresses: Vec<Address>,
    /// ISO 3166-1 alpha-2; absent means Germany.
    pub country: Option<Spanned<String>>,
    pub phone: Vec<Labelled>,
    pub fax: Vec<Labelled>,
    pub email: Vec<Labelled>,
    pub de_mail: Vec<Labelled>,
    pub web: Vec<Labelled>,
    pub hours: Vec<Labelled>,
}

impl Contact {
    pub fn is_empty(&self) -> bool {
        self.address.is_empty()
            && self.phone.is_empty()
            && self.fax.is_empty()
            && self.email.is_empty()
            && self.de_mail.is_empty()
            && self.web.is_empty()
    }

    /// Adds one address fact: its lines, and the address as written.
    pub fn add_address(&mut self, lines: Vec<Text>, label: Option<Text>) {
        if lines.is_empty() {
            return;
        }
        self.address.extend(lines.iter().cloned());
        self.addresses.push(Address { label, lines });
    }

    /// Every text of the contact details, labels included, for the checker.
    pub fn texts(&self) -> impl Iterator<Item = &Text> {
        let labelled = [
            &self.phone,
            &self.fax,
            &self.email,
            &self.de_mail,
            &self.web,
            &self.hours,
        ]
        .into_iter()
        .flatten()
        .flat_map(|line| std::iter::once(&line.value).chain(&line.label));
        self.address
            .iter()
            .chain(self.addresses.iter().flat_map(|a| &a.label))
            .chain(labelled)
    }
}

/// One address as the notice gives it, e.g. a postal address beside a visiting address.
#[derive(Debug, Clone, Serialize)]
pub struct Address {
    /// Shown above the lines ("Postanschrift"); absent, the lines stand alone.
    pub label: Option<Text>,
    pub lines: Vec<Text>,
}

/// A line of contact details and the label that replaces the standard one ("Telefonzentrale"
/// for "Telefon"). Reads as its value.
#[derive(Debug, Clone)]
pub struct Labelled {
    pub value: Text,
    pub label: Option<Text>,
}

impl Labelled {
    pub fn plain(value: Text) -> Labelled {
        Labelled { value, label: None }
    }
}

impl std::ops::Deref for Labelled {
    type Target = Text;
    fn deref(&self) -> &Text {
        &self.value
    }
}

/// A plain string without a label, as before labels existed; `{value, label}` with one.
impl Serialize for Labelled {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.label {
            None => self.value.serialize(serializer),
            Some(label) => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("value", &self.value)?;
                map.serialize_entry("label", label)?;
                map.end()
            }
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Controller {
    pub id: Option<String>,
    pub anchor: String,
    pub name: Text,
    /// Exported as `body` (`public` or `private`): `kind` names the kind of part.
    #[serde(rename = "body")]
    pub kind: ControllerKind,
    pub represented_by: Option<Text>,
    /// The department or office responsible ("Stabsstelle für Wahlen").
    pub units: Vec<Text>,
    /// Pages or services this controller is responsible for, when a site has several.
    pub responsible_for: Vec<Text>,
    pub text: Option<Prose>,
    #[serde(flatten)]
    pub contact: Contact,
    pub officers: Vec<Officer>,
    #[serde(skip)]
    pub span: Span,
}

/// Whether a controller is a public body or a private one: it decides the supervisory authority
/// (Bavaria has one for each), the law that restricts the rights, and whether Art. 6(1)(f) is open
/// to it (Art. 6(1) subpara. 2 GDPR).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ControllerKind {
    #[default]
    Public,
    Private,
}

/// A data protection officer (Art. 37–39 GDPR).
#[derive(Debug, Clone, Serialize)]
pub struct Officer {
    pub name: Option<Text>,
    /// A sentence before the contact details ("Unsere Datenschutzbeauftragte erreichen Sie unter:").
    pub lead_in: Option<Text>,
    pub role: Option<Text>,
    /// An external officer's firm, or the authority whose officer is shared.
    pub organisation: Option<Text>,
    pub text: Option<Prose>,
    #[serde(flatten)]
    pub contact: Contact,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct SupervisoryAuthority {
    pub anchor: String,
    pub name: Text,
    pub text: Option<Prose>,
    #[serde(flatten)]
    pub contact: Contact,
    /// The authority's term in the W3C Data Privacy Vocabulary (`legal-de:DPA-DE-HE`), where DPV
    /// has one and the authority is the one the law data know for the policy's state.
    pub dpv: Option<String>,
    /// Set when klartext took the authority from its law data, because the policy names none.
    pub derived: Option<DerivedAuthority>,
    #[serde(skip)]
    pub span: Span,
}

/// Where a supervisory authority klartext states on its own comes from.
#[derive(Debug, Clone, Serialize)]
pub struct DerivedAuthority {
    /// False where the law data's sources disagree on the address.
    pub verified: bool,
    pub source: Vec<String>,
}

/// A recipient, processor, joint controller or platform operator, declared once.
#[derive(Debug, Clone, Serialize)]
pub struct Organisation {
    pub id: String,
    pub name: Text,
    pub represented_by: Option<Text>,
    pub privacy_policy: Option<Text>,
    pub text: Option<Prose>,
    #[serde(flatten)]
    pub contact: Contact,
    /// The organisation's own data protection officer(s), shown wherever it is listed.
    pub officers: Vec<Officer>,
    #[serde(skip)]
    pub span: Span,
}

/// The id of something declared elsewhere in the policy.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct Reference {
    pub id: String,
    #[serde(skip)]
    pub span: Span,
}

/// A processing activity and everything Art. 13/14 GDPR require to be said about it.
#[derive(Debug, Clone, Serialize)]
pub struct Activity {
    pub id: Option<String>,
    pub anchor: String,
    pub title: Text,
    /// Whether this is the notice-wide statement of a notice without activities: its
    /// `defaults`, said once for all processing.
    pub notice_wide: bool,
    /// With `defaults once`: the activity as its notice shows it, without the facts it took from
    /// the policy's defaults, which the notice states once for all. The checker reads the
    /// activity with them; the notice shows this.
    #[serde(skip)]
    pub shown: Option<Box<Activity>>,
    /// The responsible controller; absent means the first controller of the policy.
    pub controller: Option<Reference>,
    pub text: Option<Prose>,
    /// A sentence that leads into a list of facts ("Je nach Wahl zählen dazu:"), by the fact it
    /// leads into: `data` or `purpose`.
    pub lead_ins: BTreeMap<String, Text>,
    pub data: Vec<DataCategory>,
    pub subjects: Vec<Text>,
    pub sources: Vec<Text>,
    pub purposes: Vec<Text>,
    pub legal_bases: Vec<LegalBasis>,
    pub legitimate_interests: Vec<Text>,
    /// `recipients none`: the notice states that there are no recipients; or the recipients it
    /// lists, never both. Exported as `no_recipients` and `recipients`.
    #[serde(flatten, serialize_with = "export_recipients")]
    pub recipients: Stated<Recipient>,
    pub processors: Vec<Processor>,
    pub joint_controllers: Vec<JointController>,
    pub operators: Vec<Reference>,
    pub presences: Vec<Text>,
    pub partners: Vec<Partner>,
    /// `transfer none`: the notice states that no data go to a third country; or the transfers
    /// it lists, never both. Exported as `transfers` and `no_transfers`.
    #[serde(flatten, serialize_with = "export_transfers")]
    pub transfers: Stated<Transfer>,
    pub retention: Vec<Retention>,
    pub requirement: Vec<Text>,
    pub automated_decisions: Option<AutomatedDecisions>,
    pub cookies: Vec<Cookie>,
    pub privacy_policies: Vec<Text>,
    /// Further information elsewhere: a label and an address.
    pub links: Vec<Link>,
    pub objection: Vec<Prose>,
    pub withdrawal: Vec<Prose>,
    pub sections: Vec<Section>,
    /// Published positions of the supervisory authorities on this kind of processing
    /// (`law/positions.yaml`), which the checker reports until they are allowed. Not shown in
    /// the notice; exported only when there are any, so that exports without them keep their
    /// shape.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub positions: Vec<Reference>,
    pub allowances: Vec<Allowance>,
    /// Taken from a library (`from`) that could not give it: the error says so, and the
    /// checker does not also list every fact it lacks.
    #[serde(skip)]
    pub incomplete: bool,
    #[serde(skip)]
    pub span: Span,
}

/// A category of personal data (Art. 13/14 GDPR): one named category, or a group of them under
/// a title (`data "Technische Daten" { items "Browser", "Betriebssystem" }`). A single category
/// exports as its text, as before groups existed; a group as its title and items.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum DataCategory {
    Item(Text),
    Group { title: Text, items: Vec<Text> },
}

impl DataCategory {
    /// Every text of the category: its own, or the group's title and then its items.
    pub fn texts(&self) -> impl Iterator<Item = &Text> {
        let (first, rest) = match self {
            DataCategory::Item(text) => (text, &[][..]),
            DataCategory::Group { title, items } => (title, items.as_slice()),
        };
        std::iter::once(first).chain(rest)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LegalBasis {
    /// Exported as `article` (`6(1)(e)`) and `dpv`, the basis's term in the W3C Data Privacy
    /// Vocabulary (`eu-gdpr:A6-1-e`), `null` where DPV has none.
    #[serde(flatten, serialize_with = "export_article")]
    pub article: Article,
    /// The Union or member-state law the processing rests on (Art. 6(3) GDPR).
    pub laws: Vec<Text>,
    /// The case in which this basis applies, when an activity has several.
    pub when: Option<Text>,
    /// Prose about the basis, shown below it ("Ihre Daten werden auf Grundlage eines Gesetzes
    /// verarbeitet, …").
    pub text: Option<Prose>,
    #[serde(skip)]
    pub span: Span,
    /// Whether the activity took this basis from `defaults` (its span is then in the defaults).
    #[serde(skip)]
    pub inherited: bool,
    /// `state-law`: the general basis of the state's act is one of the laws, added when the
    /// notice is derived (a library does not know the state of the policy that uses it).
    #[serde(skip)]
    pub state_law: bool,
}

fn export_article<S: Serializer>(article: &Article, serializer: S) -> Result<S::Ok, S::Error> {
    let dpv = crate::law::law()
        .legal_basis(&article.code())
        .and_then(|basis| basis.dpv_term());
    let mut map = serializer.serialize_map(Some(2))?;
    map.serialize_entry("article", article)?;
    map.serialize_entry("dpv", &dpv)?;
    map.end()
}

/// A GDPR provision that can be a legal basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Article {
    /// Art. 6(1), point (a) to (f); `None` when the notice leaves the point out.
    Lawfulness(Option<char>),
    /// Art. 9(2), point (a) to (j), for special categories of data.
    SpecialCategories(Option<char>),
    /// Art. 88(1): processing in the context of employment.
    Employment,
}

impl Article {
    /// The article as written in a policy: `6(1)(e)`.
    pub fn code(self) -> String {
        match self {
            Article::Lawfulness(Some(point)) => format!("6(1)({point})"),
            Article::Lawfulness(None) => "6(1)".to_string(),
            Article::SpecialCategories(Some(point)) => format!("9(2)({point})"),
            Article::SpecialCategories(None) => "9(2)".to_string(),
            Article::Employment => "88(1)".to_string(),
        }
    }
}

impl fmt::Display for Article {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

impl Article {
    /// The article, paragraph and point, as a notice cites them.
    pub fn parts(self) -> (u8, u8, Option<char>) {
        match self {
            Article::Lawfulness(point) => (6, 1, point),
            Article::SpecialCategories(point) => (9, 2, point),
            Article::Employment => (88, 1, None),
        }
    }
}

impl Serialize for Article {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if minijinja::value::serializing_for_value() {
            return minijinja::Value::from_object(*self).serialize(serializer);
        }
        serializer.serialize_str(&self.code())
    }
}

// Templates get dates, articles and durations as the values they are, so that the renderer's
// filters write them in words without reading them back from text; every other format, and a
// template that prints one as it is, gets the text the JSON export has.
macro_rules! template_value {
    ($($value:ty),*) => {$(
        impl minijinja::value::Object for $value {
            fn repr(self: &std::sync::Arc<Self>) -> minijinja::value::ObjectRepr {
                minijinja::value::ObjectRepr::Plain
            }

            fn render(self: &std::sync::Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{self}")
            }
        }
    )*};
}

template_value!(Article, Date, Duration);

/// Someone who receives the data, and, when its block gives them, the law that allows the
/// disclosure to it, what it is for and a remark. Exported as `{"organisation": "id"}` or
/// `{"category": "…"}`, with `laws`, `purposes` and `text` beside only when they are given.
#[derive(Debug, Clone, Serialize)]
pub struct Recipient {
    #[serde(flatten)]
    pub party: Party,
    /// `basis "§ 18 GKWO"`: the law that allows the disclosure to this recipient.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub laws: Vec<Text>,
    /// `purpose "Ausstellung des Wahlscheins"`: what the disclosure is for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub purposes: Vec<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<Prose>,
    /// The recipient's value in the source.
    #[serde(skip)]
    pub span: Span,
}

/// Who a recipient is.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Party {
    /// A declared organisation, by id.
    Organisation(Reference),
    /// A category of recipients in words, e.g. "Presseunternehmen".
    Category(Text),
}

#[derive(Debug, Clone, Serialize)]
pub struct Processor {
    pub organisation: Reference,
    /// E.g. "Unterauftragsverarbeiter".
    pub role: Option<Text>,
}

/// A controller that decides on the processing together with the policy's (Art. 26 GDPR).
#[derive(Debug, Clone, Serialize)]
pub struct JointController {
    pub organisation: Reference,
    /// The essence of the arrangement, which Art. 26(2) requires to be made available.
    pub essence: Option<Prose>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Partner {
    pub organisation: Reference,
    /// What the partner's service offers on the site.
    pub offers: Vec<Text>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Transfer {
    pub recipient: Reference,
    pub safeguard: Option<Safeguard>,
    /// For a derogation, the point of Art. 49(1) it rests on: `49(1)(a)`.
    pub derogation: Option<Spanned<String>>,
    /// Where a copy of the clauses or rules can be obtained (Art. 13(1)(f)).
    pub copy: Option<Text>,
    pub text: Option<Prose>,
    #[serde(skip)]
    pub span: Span,
}

/// The ground on which personal data may go to a third country (Chapter V GDPR).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Safeguard {
    /// Adequacy decision, Art. 45.
    Adequacy,
    /// EU-US Data Privacy Framework, an adequacy decision for certified US organisations.
    Dpf,
    /// Standard contractual clauses, Art. 46(2)(c).
    Scc,
    /// Binding corporate rules, Art. 47.
    Bcr,
    /// A derogation for a specific situation, Art. 49.
    Derogation,
    /// The notice states that there is no safeguard.
    None,
}

/// A fact that a block may leave out, state as `none`, or list: `recipients`, `transfer`. The
/// three exclude one another, so a notice cannot say "no recipients" and then list some.
#[derive(Debug, Clone, Default)]
pub enum Stated<T> {
    /// The block says nothing (an activity may then take the fact from `defaults`).
    #[default]
    Unstated,
    /// `recipients none`, `transfer none`: the span of the `none`.
    None(Span),
    /// What the block lists.
    Listed(NonEmpty<T>),
}

impl Activity {
    /// The organisations among the activity's recipients (not the categories in words).
    pub fn recipient_organisations(&self) -> impl Iterator<Item = &Reference> {
        self.recipients
            .items()
            .iter()
            .filter_map(|recipient| match &recipient.party {
                Party::Organisation(reference) => Some(reference),
                Party::Category(_) => None,
            })
    }
}

impl<T> Stated<T> {
    /// Whether the block says anything: `none` or a list.
    pub fn is_stated(&self) -> bool {
        !matches!(self, Stated::Unstated)
    }

    /// Whether the block says `none`.
    pub fn is_none(&self) -> bool {
        matches!(self, Stated::None(_))
    }

    /// What the block lists; empty when it lists nothing.
    pub fn items(&self) -> &[T] {
        match self {
            Stated::Listed(items) => items.as_slice(),
            Stated::Unstated | Stated::None(_) => &[],
        }
    }
}

impl<T: Serialize> Stated<T> {
    /// The two fields the export has always had: a flag that says `none` and the list (empty
    /// unless something is listed), in the order given. `#[serde(flatten)]` puts them into the
    /// activity.
    fn export<S: Serializer>(
        &self,
        serializer: S,
        none: &'static str,
        list: &'static str,
        none_first: bool,
    ) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        if none_first {
            map.serialize_entry(none, &self.is_none())?;
        }
        map.serialize_entry(list, self.items())?;
        if !none_first {
            map.serialize_entry(none, &self.is_none())?;
        }
        map.end()
    }
}

fn export_recipients<S: Serializer>(
    recipients: &Stated<Recipient>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    recipients.export(serializer, "no_recipients", "recipients", true)
}

fn export_transfers<S: Serializer>(
    transfers: &Stated<Transfer>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    transfers.export(serializer, "no_transfers", "transfers", false)
}

/// A list of at least one item.
#[derive(Debug, Clone)]
pub struct NonEmpty<T>(Vec<T>);

impl<T> NonEmpty<T> {
    pub fn new(first: T) -> Self {
        NonEmpty(vec![first])
    }

    pub fn push(&mut self, item: T) {
        self.0.push(item);
    }

    pub fn as_slice(&self) -> &[T] {
        &self.0
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub label: Text,
    pub url: Text,
}

/// One rule of how long data are kept (Art. 13(2)(a) GDPR).
#[derive(Debug, Clone, Serialize)]
pub struct Retention {
    #[serde(flatten)]
    pub rule: RetentionRule,
    /// The data the rule is for, when an activity keeps different data for different times.
    pub data: Option<Text>,
    /// The `retention` fact.
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum RetentionRule {
    /// A period, from an event where one is given; `at_most` when it is an upper limit.
    Period {
        duration: Duration,
        from: Option<Text>,
        at_most: bool,
    },
    Until {
        event: Text,
    },
    Statutory {
        law: Text,
    },
    Criteria {
        text: Text,
    },
    /// Before deletion the data are offered to a public archive, as archive law requires.
    Archive {
        archive: Text,
        law: Option<Text>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duration {
    pub amount: u64,
    pub unit: TimeUnit,
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if minijinja::value::serializing_for_value() {
            return minijinja::Value::from_object(*self).serialize(serializer);
        }
        use serde::ser::SerializeStruct;
        let mut duration = serializer.serialize_struct("Duration", 2)?;
        duration.serialize_field("amount", &self.amount)?;
        duration.serialize_field("unit", &self.unit)?;
        duration.end()
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}", self.amount, self.unit)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AutomatedDecisions {
    None,
    Described(Text),
}

#[derive(Debug, Clone, Serialize)]
pub struct Cookie {
    /// Absent for a kind of cookies described by its purpose alone (`cookie { purpose "…" }`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    pub provider: Option<Reference>,
    pub purposes: Vec<Text>,
    pub lifetime: Option<Lifetime>,
    pub necessity: Option<Necessity>,
    pub text: Option<Prose>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lifetime {
    Duration(Duration),
    Described(Text),
}

/// Whether a cookie needs consent under § 25 TDDDG.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Necessity {
    Necessary,
    Consent,
}

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub id: Option<String>,
    pub anchor: String,
    /// Empty for a section of prose without a heading.
    pub title: Text,
    pub text: Option<Prose>,
    /// Sections, and in a section of the policy also activities, grouped under this heading.
    pub contents: Vec<Part>,
    /// For a section without a heading inside an activity: the facts written before it (since
    /// the previous such section), by their names in the export (`purposes`). The notice shows
    /// it after them and before the facts written after it, so that prose such as "Zu diesem
    /// Zweck …" follows what it refers to. Sections with a heading follow all facts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follows: Option<Vec<&'static str>>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rights {
    pub anchor: String,
    pub title: Option<Text>,
    pub text: Option<Prose>,
    pub rights: Vec<Right>,
    /// Whether klartext wrote the whole block, because the policy has none.
    pub derived: bool,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Right {
    pub kind: String,
    /// Counterparts of the right in state law.
    pub laws: Vec<Text>,
    /// Laws that restrict the right (Art. 23 GDPR), e.g. `§ 33 HDSIG`.
    pub restricted_by: Vec<Text>,
    pub text: Option<Prose>,
    /// For the right to object: the activities it applies to (those on Art. 6(1)(e) or (f)).
    pub activities: Vec<Text>,
    /// For the right to complain: the authority to complain to.
    pub authority: Option<Box<SupervisoryAuthority>>,
    /// Whether klartext added the right because the legal bases make it due.
    pub derived: bool,
    #[serde(skip)]
    pub span: Span,
}

/// A checker finding the author accepts: `allow missing-retention "reason"`.
#[derive(Debug, Clone, Serialize)]
pub struct Allowance {
    pub lint: String,
    pub reason: Text,
    #[serde(skip)]
    pub span: Span,
    /// What the fix for an unused `allow` deletes: the whole line of the `allow`, indentation
    /// and line break included, when nothing else stands on it; or, of several lints, this one
    /// with its comma.
    #[serde(skip)]
    pub line: Option<Span>,
    /// Whether other lints share this `allow` and its reason.
    #[serde(skip)]
    pub shared: bool,
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`, accepting only dates that exist.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.splitn(3, '-');
        let year: u16 = parts.next()?.parse().ok()?;
        let month: u8 = parts.next()?.parse().ok()?;
        let day: u8 = parts.next()?.parse().ok()?;
        let leap =
            year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days_in_month)
            .contains(&day)
            .then_some(Date { year, month, day })
    }
}

impl Date {
    /// The date as a reader of the notice writes it: `2. Mai 2024`, `2 May 2024`.
    pub fn written(self, language: Language) -> String {
        const DE: [&str; 12] = [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ];
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let month = usize::from(self.month.clamp(1, 12) - 1);
        match language {
            Language::De => format!("{}. {} {}", self.day, DE[month], self.year),
            Language::En => format!("{} {} {}", self.day, EN[month], self.year),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if minijinja::value::serializing_for_value() {
            return minijinja::Value::from_object(*self).serialize(serializer);
        }
        serializer.collect_str(self)
    }
}

/// Every id of a policy: what it names, where it is declared and every place that refers to it.
/// Lowering builds it, so that an editor can go to a definition or find the uses of an id.
#[derive(Debug, Clone, Default)]
pub struct Symbols {
    /// In the order of their declarations.
    pub symbols: Vec<Symbol>,
    /// Where each organisation id's organisation is in [`Policy::organisations`].
    pub organisations: BTreeMap<String, usize>,
    /// Where each controller id's controller is in [`Policy::contents`].
    pub controllers: BTreeMap<String, usize>,
}

#[derive(Debug, Clone)]
pub struct Symbol {
    pub kind: SymbolKind,
    pub id: String,
    /// The head of the block that declares it (`organisation sitepark`).
    pub declared: Span,
    /// Every reference, in source order; a reference in `defaults` is listed once.
    pub references: Vec<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Organisation,
    Controller,
    Activity,
    Section,
}

impl Symbols {
    /// The symbol of this kind's namespace with this id: organisations have a namespace of
    /// their own, controllers, activities and sections share one.
    pub fn get(&self, kind: SymbolKind, id: &str) -> Option<&Symbol> {
        let organisation = kind == SymbolKind::Organisation;
        self.symbols
            .iter()
            .find(|s| s.id == id && (s.kind == SymbolKind::Organisation) == organisation)
    }

    /// The symbol declared or referenced at `span`.
    pub fn at(&self, span: Span) -> Option<&Symbol> {
        self.symbols
            .iter()
            .find(|s| s.declared == span || s.references.contains(&span))
    }
}

fn collect_ids<'a>(parts: &'a [Part], ids: &mut Vec<(&'a str, Span, SymbolKind)>) {
    for part in parts {
        match part {
            Part::Controller(c) => ids.extend(
                c.id.as_deref()
                    .map(|id| (id, c.span.head("controller"), SymbolKind::Controller)),
            ),
            Part::Activity(a) => {
                ids.extend(
                    a.id.as_deref()
                        .map(|id| (id, a.span.head("activity"), SymbolKind::Activity)),
                );
                collect_section_ids(&a.sections, ids);
            }
            Part::Section(s) => collect_section_ids(std::slice::from_ref(s), ids),
            Part::SupervisoryAuthority(_) | Part::Rights(_) => {}
        }
    }
}

fn collect_section_ids<'a>(sections: &'a [Section], ids: &mut Vec<(&'a str, Span, SymbolKind)>) {
    for section in sections {
        ids.extend(
            section
                .id
                .as_deref()
                .map(|id| (id, section.span.head("section"), SymbolKind::Section)),
        );
        collect_ids(&section.contents, ids);
    }
}

/// A value a person wrote that is not a text (a date, a code), with the place it was written.
/// It exports as the value alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}
