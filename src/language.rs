//! The vocabulary of the policy language in one table: every keyword, where it may stand, what
//! it takes, whether it may repeat or be a default, its German aliases, what it means and an
//! example.
//!
//! Lowering takes from it the keywords each block allows (for "did you mean" and "… can have")
//! and the German aliases, the syntax stage its examples, and `tests/docs.rs` checks
//! `docs/language.md` against it. It imports neither stage. What a keyword *does* stays in
//! lowering's `match` arms; a test there checks that they accept exactly what this table lists.

/// Where a keyword may stand: the file, the policy, or the block of one kind of part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// The top of the file, outside every block.
    File,
    /// `policy "…" { … }`.
    Policy,
    /// The contact details controllers, officers, supervisory authorities and organisations share.
    Contact,
    /// `phone "…" { … }`: the block of one contact fact.
    Detail,
    /// `controller id "…" { … }`.
    Controller,
    /// `officer "…" { … }`, inside a controller.
    Officer,
    /// `supervisory-authority "…" { … }`.
    Authority,
    /// `organisation id "…" { … }`.
    Organisation,
    /// `activity id "…" { … }`.
    Activity,
    /// `defaults { … }`: the facts of an activity that may be defaults.
    Defaults,
    /// `section id "…" { … }`.
    Section,
    /// `rights { … }`.
    Rights,
    /// `right access { … }`, inside `rights`.
    Right,
    /// `cookie "…" { … }`, inside an activity.
    Cookie,
    /// `data "…" { … }`: a group of data categories, inside an activity.
    Data,
    /// `basis 6(1)(e) { … }`, inside an activity.
    Basis,
    /// `recipient id { … }`, inside an activity.
    Recipient,
    /// `processor id { … }`, inside an activity.
    Processor,
    /// `transfer id scc { … }`, inside an activity.
    Transfer,
    /// `joint-controller id { … }`, inside an activity.
    JointController,
}

impl Context {
    pub const ALL: &'static [Context] = &[
        Context::File,
        Context::Policy,
        Context::Contact,
        Context::Detail,
        Context::Controller,
        Context::Officer,
        Context::Authority,
        Context::Organisation,
        Context::Activity,
        Context::Defaults,
        Context::Section,
        Context::Rights,
        Context::Right,
        Context::Cookie,
        Context::Data,
        Context::Basis,
        Context::Recipient,
        Context::Processor,
        Context::Transfer,
        Context::JointController,
    ];

    /// How messages name the block: "`x` is not something a policy can have".
    pub fn noun(self) -> &'static str {
        match self {
            Context::File => "the file",
            Context::Policy => "a policy",
            Context::Contact => "contact details",
            Context::Detail => "a contact fact",
            Context::Controller => "a controller",
            Context::Officer => "an officer",
            Context::Authority => "a supervisory authority",
            Context::Organisation => "an organisation",
            Context::Activity => "an activity",
            Context::Defaults => "the defaults",
            Context::Section => "a section",
            Context::Rights => "the rights",
            Context::Right => "a right",
            Context::Cookie => "a cookie",
            Context::Data => "a group of data",
            Context::Basis => "a legal basis",
            Context::Recipient => "a recipient",
            Context::Processor => "a processor",
            Context::JointController => "a joint controller",
            Context::Transfer => "a transfer",
        }
    }

    /// Whether the block has the contact details besides its own keywords.
    pub fn has_contact_details(self) -> bool {
        matches!(
            self,
            Context::Controller | Context::Officer | Context::Authority | Context::Organisation
        )
    }
}

/// One keyword in the contexts where it means the same. A word that means something else
/// elsewhere (`purpose` of an activity and of a cookie, `text` of a right) has a row for each.
#[derive(Debug)]
pub struct Keyword {
    pub name: &'static str,
    /// Where it may stand. Rows of [`Context::Contact`] stand in every block that
    /// [has contact details](Context::has_contact_details); rows of [`Context::Activity`] marked
    /// `default` also in [`Context::Defaults`].
    pub contexts: &'static [Context],
    /// What follows the keyword, in the words lowering's messages use.
    pub values: &'static str,
    /// Whether it may be given more than once in one block (each time adds to a list).
    pub repeats: bool,
    /// Whether it may stand in `defaults` (only for activity facts).
    pub default: bool,
    /// German words an author may write for it, lower case, without umlauts.
    pub german: &'static [&'static str],
    /// What it means, in one line.
    pub description: &'static str,
    /// A line that uses it correctly; it starts with the keyword.
    pub example: &'static str,
}

/// The keyword `name`, in the first context it has (for help that does not know the context).
pub fn keyword(name: &str) -> Option<&'static Keyword> {
    KEYWORDS.iter().find(|k| k.name == name)
}

/// The keyword `name` as it may stand in `context`.
pub fn keyword_in(name: &str, context: Context) -> Option<&'static Keyword> {
    in_context(context).find(|k| k.name == name)
}

/// The keywords that may stand in `context`, in the order the notice shows their facts; in a
/// block with contact details, those come last.
pub fn in_context(context: Context) -> impl Iterator<Item = &'static Keyword> {
    let own = match context {
        Context::Defaults => Context::Activity,
        other => other,
    };
    let contact = context.has_contact_details();
    let mine = KEYWORDS
        .iter()
        .filter(move |k| k.contexts.contains(&own) && (context != Context::Defaults || k.default));
    let shared = KEYWORDS
        .iter()
        .filter(move |k| contact && k.contexts.contains(&Context::Contact));
    mine.chain(shared)
}

/// The context of the block that `keyword` opens in `parent` (`cookie` in an activity opens a
/// [`Context::Cookie`]); `None` for a keyword whose block holds no keywords of the table
/// (`labels`) or that takes no block there. Lowering decides the same in its `match` arms; an
/// editor asks here which keywords may stand at the cursor.
pub fn block_context(parent: Context, keyword: &str) -> Option<Context> {
    let in_activity = matches!(parent, Context::Activity | Context::Defaults);
    let context = match (parent, keyword) {
        (Context::File, "policy") => Context::Policy,
        (Context::Policy, "controller") => Context::Controller,
        (Context::Policy, "supervisory-authority") => Context::Authority,
        (Context::Policy, "organisation") => Context::Organisation,
        (Context::Policy | Context::Section, "activity") => Context::Activity,
        (Context::Policy | Context::Section, "defaults") => Context::Defaults,
        (Context::Policy | Context::Section, "section") => Context::Section,
        (Context::Policy, "rights") => Context::Rights,
        (Context::Rights, "right") => Context::Right,
        (Context::Controller | Context::Organisation, "officer") => Context::Officer,
        (_, "basis") if in_activity => Context::Basis,
        (_, "recipient" | "recipients") if in_activity => Context::Recipient,
        (_, "processor") if in_activity => Context::Processor,
        (_, "joint-controller") if in_activity => Context::JointController,
        (_, "transfer") if in_activity => Context::Transfer,
        (_, "data") if in_activity => Context::Data,
        (_, "cookie") if in_activity => Context::Cookie,
        (Context::Activity, "section") => Context::Section,
        (parent, name) if parent.has_contact_details() && name != "country" => {
            keyword_in(name, Context::Contact)?;
            Context::Detail
        }
        _ => return None,
    };
    Some(context)
}

/// The keyword a German word stands for (`zweck` → `purpose`), ignoring case.
pub fn german(word: &str) -> Option<&'static Keyword> {
    KEYWORDS
        .iter()
        .find(|k| k.german.iter().any(|g| word.eq_ignore_ascii_case(g)))
}

/// How a fact with this keyword is written, for help that does not know where it stands.
pub fn example(name: &str) -> Option<&'static str> {
    keyword(name).map(|k| k.example)
}

/// Ids the page uses for its own headings and links (the contents list, the way back to it, the
/// summary): no controller, activity or section may take them.
pub const RESERVED_IDS: &[&str] = &["inhalt", "contents", "top", "kurzfassung"];

/// Whether a text says "none" in words (`"keine"`, `"Keine Weitergabe."`) where the language has
/// the word `none`: `recipients none`, `transfer none`.
pub fn says_none(text: &str) -> bool {
    const NONE: &[&str] = &[
        "keine",
        "keiner",
        "kein",
        "nein",
        "niemand",
        "keine weitergabe",
        "keine empfänger",
        "keine übermittlung",
        "keine weitergabe an dritte",
        "none",
        "no",
        "no one",
        "no recipients",
    ];
    let folded = text.trim().trim_end_matches('.').to_lowercase();
    NONE.contains(&folded.as_str())
}

use Context::*;

const fn row(
    name: &'static str,
    contexts: &'static [Context],
    values: &'static str,
    repeats: bool,
    german: &'static [&'static str],
    description: &'static str,
    example: &'static str,
) -> Keyword {
    Keyword {
        name,
        contexts,
        values,
        repeats,
        default: false,
        german,
        description,
        example,
    }
}

/// An activity fact that may also stand in `defaults`.
const fn fact(
    name: &'static str,
    values: &'static str,
    repeats: bool,
    german: &'static [&'static str],
    description: &'static str,
    example: &'static str,
) -> Keyword {
    Keyword {
        default: true,
        ..row(
            name,
            &[Activity],
            values,
            repeats,
            german,
            description,
            example,
        )
    }
}

const ONCE: bool = false;
const REPEATS: bool = true;

const TEXTS: &str = "texts in quotes";
const ONE_TEXT: &str = "one text in quotes";
const PROSE: &str = "one text or text block";
const URLS: &str = "web addresses in quotes";
const ALLOW: &str = "the names of one or more lints, separated by commas, and the reason in quotes";
const BLOCK: &str = "an optional id, a title in quotes and its facts in braces";
const SECTION: &str = "an optional id, an optional title in quotes and its facts in braces";

/// Every keyword of the language. Within a context the rows are in the order the notice shows
/// their facts, which is also the order "… can have" lists them in.
pub static KEYWORDS: &[Keyword] = &[
    // The file
    row(
        "policy",
        &[File],
        "a title in quotes and the policy's facts in braces",
        ONCE,
        &[],
        "the privacy notice; a file holds exactly one",
        "policy \"Datenschutzerklärung der Gemeinde Musterhausen\" { language de }",
    ),
    // The policy
    row(
        "use",
        &[Policy],
        "the path of a library file in quotes, relative to this file",
        REPEATS,
        &["importiere"],
        "takes organisations, activities, sections and defaults from a library",
        "use \"lib/hosting.klar\"",
    ),
    row(
        "language",
        &[Policy],
        "one word without quotes: `de` or `en`",
        ONCE,
        &["sprache"],
        "the language of the notice",
        "language de",
    ),
    row(
        "state",
        &[Policy],
        "one word without quotes: the federal state's ISO 3166-2 code",
        ONCE,
        &["bundesland"],
        "the federal state whose law applies",
        "state DE-HE",
    ),
    row(
        "revised",
        &[Policy],
        "a date",
        ONCE,
        &["stand"],
        "the date of the last revision (\"Stand\")",
        "revised 2024-05-02",
    ),
    row(
        "revision",
        &[Policy],
        "a date and, in quotes, what changed",
        REPEATS,
        &["aenderung"],
        "a change of the notice, listed with its date at the end; the latest date is the \"Stand\"",
        "revision 2024-05-02 \"Matomo ergänzt\"",
    ),
    row(
        "website",
        &[Policy],
        URLS,
        REPEATS,
        &["webseite"],
        "the site(s) the notice covers",
        "website \"https://www.example.de\"",
    ),
    row(
        "applies-to",
        &[Policy],
        TEXTS,
        REPEATS,
        &["geltungsbereich"],
        "the procedures, forms or offices the notice covers, when it is not about a website",
        "applies-to \"Antrag auf Erteilung eines Wahlscheins\"",
    ),
    row(
        "published-at",
        &[Policy],
        "a web address in quotes",
        ONCE,
        &["veroeffentlicht"],
        "where the notice itself is published (not what it covers)",
        "published-at \"https://www.example.de/datenschutz/wahlen\"",
    ),
    row(
        "preamble",
        &[Policy],
        PROSE,
        ONCE,
        &[],
        "introductory prose",
        "preamble \"\"\"…\"\"\"",
    ),
    row(
        "labels",
        &[Policy],
        "in braces, labels of the notice (`recipients`, `legal-bases`, …) each with its wording in quotes",
        ONCE,
        &["ueberschriften"],
        "the notice's own headings and phrases in place of the shipped ones",
        "labels { recipients \"An wen werden meine Daten weitergegeben?\" }",
    ),
    row(
        "allow",
        &[Policy],
        ALLOW,
        REPEATS,
        &[],
        "accepts a finding of the checker for the whole policy, with the reason",
        "allow missing-retention \"Das Original nennt keine Frist.\"",
    ),
    row(
        "controller",
        &[Policy],
        BLOCK,
        REPEATS,
        &["verantwortlicher", "verantwortliche"],
        "a controller: who is responsible for the processing",
        "controller stadt \"Stadt Musterhausen\" { email \"info@musterhausen.de\" }",
    ),
    row(
        "supervisory-authority",
        &[Policy],
        "a title in quotes and its facts in braces",
        REPEATS,
        &["aufsichtsbehoerde"],
        "the supervisory authority one can complain to",
        "supervisory-authority \"Der Hessische Beauftragte für Datenschutz und Informationsfreiheit\" { web \"https://datenschutz.hessen.de\" }",
    ),
    row(
        "organisation",
        &[Policy],
        "an id, a name in quotes and optionally its facts in braces",
        REPEATS,
        &[],
        "a recipient, processor, joint controller or platform operator, referred to by its id",
        "organisation kommunix \"Kommunix GmbH\"",
    ),
    row(
        "activity",
        &[Policy],
        BLOCK,
        REPEATS,
        &["verarbeitung"],
        "a processing activity",
        "activity newsletter \"Newsletter\" { purpose \"Versand des Newsletters\" }",
    ),
    row(
        "section",
        &[Policy],
        SECTION,
        REPEATS,
        &["abschnitt"],
        "a section of prose, shown where it stands; it may group activities",
        "section datensicherheit \"Datensicherheit\" { text \"\"\"…\"\"\" }",
    ),
    row(
        "rights",
        &[Policy],
        "an optional title in quotes and its facts in braces",
        REPEATS,
        &["rechte"],
        "the rights of the people whose data are processed",
        "rights { right access }",
    ),
    row(
        "defaults",
        &[Policy],
        "optionally `once`, and facts of an activity in braces",
        ONCE,
        &["vorgaben"],
        "facts every activity of the policy has unless it states them itself; with `once` the notice says them once for all processing",
        "defaults { automated-decisions none }",
    ),
    // Contact details
    row(
        "address",
        &[Contact],
        "texts in quotes, one for each line",
        REPEATS,
        &["adresse", "anschrift"],
        "the postal address",
        "address \"Obere Königsstraße 8\" \"34117 Kassel\"",
    ),
    row(
        "country",
        &[Contact],
        "one word without quotes: the ISO 3166-1 alpha-2 code",
        ONCE,
        &["land"],
        "the country of the address, if not Germany (`DE`)",
        "country IE",
    ),
    row(
        "phone",
        &[Contact],
        TEXTS,
        REPEATS,
        &["telefon"],
        "a telephone number",
        "phone \"0561 115\"",
    ),
    row(
        "fax",
        &[Contact],
        TEXTS,
        REPEATS,
        &[],
        "a fax number",
        "fax \"0561 787-87\"",
    ),
    row(
        "email",
        &[Contact],
        "e-mail addresses in quotes",
        REPEATS,
        &[],
        "an e-mail address",
        "email \"info@example.de\"",
    ),
    row(
        "de-mail",
        &[Contact],
        "e-mail addresses in quotes",
        REPEATS,
        &[],
        "a De-Mail address",
        "de-mail \"service@example.de-mail.de\"",
    ),
    row(
        "web",
        &[Contact],
        URLS,
        REPEATS,
        &[],
        "a web address",
        "web \"https://www.example.de\"",
    ),
    row(
        "hours",
        &[Contact],
        TEXTS,
        REPEATS,
        &["sprechzeiten"],
        "office hours",
        "hours \"Mo–Fr 8:00–16:00 Uhr\"",
    ),
    // The block of a contact fact
    row(
        "label",
        &[Detail],
        ONE_TEXT,
        ONCE,
        &["bezeichnung"],
        "shown in place of the standard word (\"Telefon\") or above an address",
        "label \"Telefonzentrale\"",
    ),
    // A controller
    row(
        "represented-by",
        &[Controller, Organisation],
        ONE_TEXT,
        ONCE,
        &[],
        "who represents it, as it follows \"vertreten durch\"",
        "represented-by \"den Magistrat\"",
    ),
    row(
        "unit",
        &[Controller],
        TEXTS,
        REPEATS,
        &["einheit", "dienststelle"],
        "the department or office responsible, shown between the name and the address",
        "unit \"Stabsstelle für Wahlen\"",
    ),
    row(
        "kind",
        &[Controller],
        "one word without quotes: `public` (the default) or `private`",
        ONCE,
        &["art"],
        "whether the controller is a public body or a private one (a municipal GmbH, an association); \
         it decides the supervisory authority and the bases open to it",
        "kind private",
    ),
    row(
        "responsible-for",
        &[Controller],
        TEXTS,
        REPEATS,
        &[],
        "the pages or services this controller is responsible for, when a site has several",
        "responsible-for \"www.example.de/gaeste\"",
    ),
    row(
        "text",
        &[Controller],
        PROSE,
        ONCE,
        &[],
        "prose about the controller",
        "text \"\"\"…\"\"\"",
    ),
    row(
        "officer",
        &[Controller, Organisation],
        "the officer's name in quotes and, optionally, the officer's facts in braces",
        REPEATS,
        &["datenschutzbeauftragter", "datenschutzbeauftragte"],
        "the data protection officer of a controller or an organisation",
        "officer \"Erika Mustermann\" { email \"datenschutz@example.de\" }",
    ),
    // An officer
    row(
        "role",
        &[Officer],
        ONE_TEXT,
        ONCE,
        &[],
        "the officer's function, when the notice names it",
        "role \"Datenschutzbeauftragter\"",
    ),
    row(
        "lead-in",
        &[Officer],
        ONE_TEXT,
        ONCE,
        &["einleitung"],
        "a sentence before the officer's contact details",
        "lead-in \"Unsere Datenschutzbeauftragte erreichen Sie unter:\"",
    ),
    row(
        "organisation",
        &[Officer],
        ONE_TEXT,
        ONCE,
        &[],
        "an external officer's firm, or the authority whose officer is shared",
        "organisation \"Kreis Soest\"",
    ),
    row(
        "text",
        &[Officer],
        PROSE,
        ONCE,
        &[],
        "prose about the officer",
        "text \"\"\"…\"\"\"",
    ),
    // A supervisory authority
    row(
        "text",
        &[Authority],
        PROSE,
        ONCE,
        &[],
        "prose about the supervisory authority",
        "text \"\"\"…\"\"\"",
    ),
    // An organisation (and `represented-by` above)
    row(
        "privacy-policy",
        &[Organisation],
        "one web address in quotes",
        ONCE,
        &[],
        "the organisation's own privacy notice",
        "privacy-policy \"https://example.com/privacy\"",
    ),
    row(
        "text",
        &[Organisation],
        PROSE,
        ONCE,
        &[],
        "prose shown wherever the organisation is listed",
        "text \"\"\"…\"\"\"",
    ),
    // An activity, and what of it may stand in `defaults`
    fact(
        "controller",
        "the id of a controller of the policy",
        ONCE,
        &["verantwortlicher", "verantwortliche"],
        "the controller responsible, when it is not the first one",
        "controller kassel",
    ),
    row(
        "text",
        &[Activity],
        PROSE,
        ONCE,
        &[],
        "a description of the activity in prose",
        "text \"\"\"…\"\"\"",
    ),
    row(
        "lead-in",
        &[Activity],
        "the fact it leads into (`data` or `purpose`) and a text in quotes",
        ONCE,
        &["einleitung"],
        "a sentence before the list of data or of purposes; once for each of them",
        "lead-in data \"Je nach Wahl zählen dazu:\"",
    ),
    fact(
        "data",
        "texts in quotes, or one title in quotes and a block of `items`",
        REPEATS,
        &["daten"],
        "categories of personal data, or a group of them under a title",
        "data \"IP-Adresse\", \"Datum und Uhrzeit\"",
    ),
    fact(
        "subjects",
        TEXTS,
        REPEATS,
        &["betroffene"],
        "categories of data subjects",
        "subjects \"Besucherinnen und Besucher\"",
    ),
    fact(
        "source",
        TEXTS,
        REPEATS,
        &["herkunft", "quelle"],
        "where the data come from when not from the person",
        "source \"Melderegister\"",
    ),
    fact(
        "purpose",
        TEXTS,
        REPEATS,
        &["zweck", "zwecke"],
        "purposes of the processing",
        "purpose \"Versand des Newsletters\"",
    ),
    fact(
        "basis",
        "a GDPR article, the national law in quotes and optionally `law` and `when` in braces",
        REPEATS,
        &["rechtsgrundlage"],
        "a legal basis of the processing",
        "basis 6(1)(e) \"§ 3 HDSIG\"",
    ),
    fact(
        "legitimate-interest",
        TEXTS,
        REPEATS,
        &[],
        "the interests pursued, for basis 6(1)(f)",
        "legitimate-interest \"Schutz vor Angriffen\"",
    ),
    fact(
        "recipients",
        "organisation ids or categories in quotes, or `none`; one recipient may have `basis`, `purpose` and `text` in braces",
        REPEATS,
        &["empfaenger"],
        "who receives the data; `recipients none` says no one does",
        "recipients \"Presseunternehmen\", sitepark",
    ),
    fact(
        "recipient",
        "organisation ids or categories in quotes, or `none`; one recipient may have `basis`, `purpose` and `text` in braces",
        REPEATS,
        &[],
        "the same as `recipients`",
        "recipient sitepark",
    ),
    fact(
        "processor",
        "ids of organisations declared in the policy and optionally a `role` in braces",
        REPEATS,
        &["auftragsverarbeiter"],
        "processors acting on the controller's behalf",
        "processor sitepark",
    ),
    fact(
        "joint-controller",
        "ids of organisations declared in the policy, and optionally the `essence` of the \
         arrangement in braces",
        REPEATS,
        &[],
        "joint controllers",
        "joint-controller meta",
    ),
    fact(
        "operator",
        "ids of organisations declared in the policy",
        REPEATS,
        &[],
        "the operator of a platform the activity runs on",
        "operator meta",
    ),
    fact(
        "presence",
        URLS,
        REPEATS,
        &[],
        "the authority's own page on that platform",
        "presence \"https://www.facebook.com/stadt.musterhausen\"",
    ),
    fact(
        "partner",
        "the id of an organisation and what it offers, in quotes",
        REPEATS,
        &[],
        "a partner service",
        "partner akdb \"Online-Services zum Aufenthaltstitel\"",
    ),
    fact(
        "transfer",
        "the id of the receiving organisation and the safeguard (after `derogation` the point of \
         Art. 49(1), e.g. `49(1)(a)`), and optionally `text` and `copy` in braces; or `none`",
        REPEATS,
        &[],
        "a transfer to a third country; `transfer none` says there is none",
        "transfer cisco scc",
    ),
    fact(
        "retention",
        "a duration, or `at-most`, `until`, `statutory`, `criteria` or `archive` and what they \
         take; optionally `for` and the data in quotes",
        REPEATS,
        &["speicherdauer", "loeschfrist"],
        "how long the data are kept",
        "retention 30 days",
    ),
    fact(
        "requirement",
        TEXTS,
        REPEATS,
        &[],
        "whether the data must be provided, and what happens if not",
        "requirement \"Pflichtangabe ist die E-Mail-Adresse.\"",
    ),
    fact(
        "automated-decisions",
        "`none` or a description in quotes",
        ONCE,
        &[],
        "automated decision-making, or that there is none",
        "automated-decisions none",
    ),
    row(
        "cookie",
        &[Activity],
        "the cookie's name in quotes and optionally its facts in braces, or for a kind of cookies only its facts",
        REPEATS,
        &[],
        "a cookie or similar technology, or a kind of them described by its purpose",
        "cookie \"_pk_id\" { lifetime 13 months }",
    ),
    fact(
        "privacy-policy",
        URLS,
        REPEATS,
        &[],
        "a third party's own privacy notice",
        "privacy-policy \"https://example.com/privacy\"",
    ),
    fact(
        "link",
        "what the link leads to and its address, both in quotes",
        REPEATS,
        &[],
        "further information elsewhere",
        "link \"Nutzungsbedingungen von Facebook\" \"https://www.facebook.com/terms\"",
    ),
    fact(
        "objection",
        PROSE,
        REPEATS,
        &["widerspruch"],
        "how to object to the processing",
        "objection \"Schreiben Sie an datenschutz@example.de.\"",
    ),
    fact(
        "withdrawal",
        PROSE,
        REPEATS,
        &["widerruf"],
        "how to withdraw consent",
        "withdrawal \"Über den Abmeldelink im Fuß jedes Newsletters.\"",
    ),
    row(
        "section",
        &[Activity],
        SECTION,
        REPEATS,
        &["abschnitt"],
        "a sub-section of prose, shown after the facts",
        "section \"Aufzeichnungen\" { text \"\"\"…\"\"\" }",
    ),
    row(
        "position",
        &[Activity],
        "the id of a position in `law/positions.yaml`, without quotes",
        REPEATS,
        &["stellungnahme"],
        "a published position of the supervisory authorities that this kind of processing cannot be run compliantly; reported until it is allowed with the reason",
        "position dsk-facebook-pages",
    ),
    row(
        "allow",
        &[Activity],
        ALLOW,
        REPEATS,
        &[],
        "accepts a finding of the checker for this activity, with the reason",
        "allow missing-retention \"Das Original nennt keine Frist.\"",
    ),
    // A group of data
    row(
        "items",
        &[Data],
        TEXTS,
        REPEATS,
        &[],
        "the data categories of the group",
        "items \"Gerätetyp\", \"Browser\", \"Betriebssystem\"",
    ),
    // A legal basis
    row(
        "law",
        &[Basis],
        TEXTS,
        REPEATS,
        &[],
        "the national law the processing rests on (Art. 6(3))",
        "law \"§ 3 HDSIG\"",
    ),
    row(
        "when",
        &[Basis],
        ONE_TEXT,
        ONCE,
        &[],
        "the case in which this basis applies",
        "when \"bei Aufzeichnungen\"",
    ),
    row(
        "text",
        &[Basis],
        PROSE,
        ONCE,
        &[],
        "prose about the basis, shown below it",
        "text \"Ihre Daten werden auf Grundlage eines Gesetzes verarbeitet.\"",
    ),
    // A recipient
    row(
        "basis",
        &[Recipient],
        TEXTS,
        REPEATS,
        &["rechtsgrundlage"],
        "the law that allows the disclosure to this recipient, in quotes (not a GDPR article)",
        "basis \"§ 18 GKWO\"",
    ),
    row(
        "purpose",
        &[Recipient],
        TEXTS,
        REPEATS,
        &["zweck", "zwecke"],
        "what the disclosure to this recipient is for",
        "purpose \"Ausstellung des Wahlscheins\"",
    ),
    row(
        "text",
        &[Recipient],
        PROSE,
        ONCE,
        &[],
        "a remark about this recipient",
        "text \"Nur bei Briefwahl.\"",
    ),
    // A processor
    row(
        "role",
        &[Processor],
        ONE_TEXT,
        ONCE,
        &[],
        "the processor's role",
        "role \"Unterauftragsverarbeiter\"",
    ),
    // A transfer
    row(
        "text",
        &[Transfer],
        PROSE,
        ONCE,
        &[],
        "prose about the transfer and its safeguard",
        "text \"\"\"…\"\"\"",
    ),
    row(
        "copy",
        &[Transfer],
        ONE_TEXT,
        ONCE,
        &["kopie"],
        "where a copy of the standard contractual clauses or binding corporate rules can be obtained",
        "copy \"Eine Kopie erhalten Sie bei datenschutz@example.de.\"",
    ),
    // A joint controller
    row(
        "essence",
        &[JointController],
        PROSE,
        ONCE,
        &["wesentliches"],
        "the essence of the arrangement between the joint controllers (Art. 26(2))",
        "essence \"Die Stadt und Meta haben vereinbart, wer welche Pflichten erfüllt.\"",
    ),
    // A cookie
    row(
        "provider",
        &[Cookie],
        "the id of an organisation",
        ONCE,
        &[],
        "who sets the cookie",
        "provider matomo",
    ),
    row(
        "purpose",
        &[Cookie],
        TEXTS,
        REPEATS,
        &["zweck", "zwecke"],
        "what the cookie is for",
        "purpose \"Statistik\"",
    ),
    row(
        "lifetime",
        &[Cookie],
        "a duration or a text in quotes",
        ONCE,
        &[],
        "how long the cookie is kept",
        "lifetime 13 months",
    ),
    row(
        "necessary",
        &[Cookie],
        "nothing",
        ONCE,
        &[],
        "the cookie is strictly necessary (instead of `consent`)",
        "necessary",
    ),
    row(
        "consent",
        &[Cookie],
        "nothing",
        ONCE,
        &[],
        "the cookie is set only with consent (instead of `necessary`)",
        "consent",
    ),
    row(
        "text",
        &[Cookie],
        PROSE,
        ONCE,
        &[],
        "a remark about the cookie",
        "text \"\"\"…\"\"\"",
    ),
    // A section
    row(
        "text",
        &[Section],
        PROSE,
        ONCE,
        &[],
        "the prose of the section",
        "text \"\"\"…\"\"\"",
    ),
    row(
        "section",
        &[Section],
        SECTION,
        REPEATS,
        &["abschnitt"],
        "a sub-section; in a section of the policy it may group activities too",
        "section \"Hosting\" { text \"\"\"…\"\"\" }",
    ),
    row(
        "activity",
        &[Section],
        BLOCK,
        REPEATS,
        &["verarbeitung"],
        "a processing activity, grouped under the heading of a section of the policy",
        "activity newsletter \"Newsletter\" { purpose \"Versand des Newsletters\" }",
    ),
    row(
        "defaults",
        &[Section],
        "facts of an activity in braces",
        ONCE,
        &["vorgaben"],
        "facts every activity of the section has unless it states them itself; they win over \
         the policy's",
        "defaults { recipients none }",
    ),
    // The rights
    row(
        "title",
        &[Rights],
        ONE_TEXT,
        ONCE,
        &["titel"],
        "the heading, instead of \"Ihre Rechte\"",
        "title \"Rechte des Nutzers\"",
    ),
    row(
        "text",
        &[Rights],
        PROSE,
        ONCE,
        &[],
        "prose before the list of rights",
        "text \"\"\"…\"\"\"",
    ),
    row(
        "right",
        &[Rights],
        "the kind of right, e.g. `access`, its counterparts in state law in quotes, and \
         optionally a `text` in braces",
        REPEATS,
        &["recht"],
        "a right of the data subject",
        "right access { restricted-by \"§ 34 BDSG\" }",
    ),
    // A right
    row(
        "text",
        &[Right],
        PROSE,
        ONCE,
        &[],
        "replaces the standard wording of the right",
        "text \"\"\"…\"\"\"",
    ),
    row(
        "restricted-by",
        &[Right],
        TEXTS,
        REPEATS,
        &["eingeschraenkt"],
        "a law that restricts the right (Art. 23), shown as \"eingeschränkt nach …\"",
        "restricted-by \"§ 34 BDSG\"",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_context_has_keywords() {
        for &context in Context::ALL {
            assert!(
                in_context(context).next().is_some(),
                "{context:?} has no keywords"
            );
        }
    }

    #[test]
    fn a_name_stands_once_in_a_context() {
        for &context in Context::ALL {
            let mut names: Vec<&str> = in_context(context).map(|k| k.name).collect();
            names.sort_unstable();
            let before = names.len();
            names.dedup();
            assert_eq!(before, names.len(), "a keyword twice in {context:?}");
        }
    }

    #[test]
    fn rows_are_well_formed() {
        for k in KEYWORDS {
            let what = k.name;
            assert!(
                k.name.starts_with(|c: char| c.is_ascii_lowercase())
                    && k.name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{what}: a keyword is lower case letters, digits and `-`"
            );
            assert!(!k.contexts.is_empty(), "{what}: no context");
            assert!(
                !k.contexts.contains(&Defaults),
                "{what}: `Defaults` is given by `default`, not listed"
            );
            assert!(
                !k.default || k.contexts == [Activity],
                "{what}: only activity facts can be defaults"
            );
            for text in [k.values, k.description, k.example] {
                assert!(
                    !text.is_empty() && !text.contains('\n') && text.trim() == text,
                    "{what}: {text:?} is not one line"
                );
            }
            let rest = k.example.strip_prefix(k.name);
            assert!(
                rest.is_some_and(|rest| rest.is_empty() || rest.starts_with(' ')),
                "{what}: the example {:?} does not start with the keyword",
                k.example
            );
        }
    }

    #[test]
    fn german_words_are_not_keywords_and_mean_one_keyword() {
        for k in KEYWORDS {
            for word in k.german {
                assert!(
                    word.chars().all(|c| c.is_ascii_lowercase()),
                    "{word}: German aliases are written in lower case without umlauts"
                );
                assert!(keyword(word).is_none(), "{word} is a keyword itself");
                assert_eq!(german(word).map(|g| g.name), Some(k.name), "{word}");
            }
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(keyword("retention").map(|k| k.name), Some("retention"));
        assert!(keyword("colour").is_none());
        assert_eq!(german("Zweck").map(|k| k.name), Some("purpose"));
        assert!(german("purpose").is_none());
        assert_eq!(example("revised"), Some("revised 2024-05-02"));
        assert_eq!(
            keyword_in("purpose", Cookie).map(|k| k.example),
            Some("purpose \"Statistik\"")
        );
        assert!(keyword_in("text", Defaults).is_none());
        assert!(keyword_in("data", Defaults).is_some());
        assert!(keyword_in("email", Officer).is_some());
        assert!(keyword_in("email", Activity).is_none());
        let controller: Vec<&str> = in_context(Controller).map(|k| k.name).collect();
        assert_eq!(
            controller[..4],
            ["represented-by", "unit", "kind", "responsible-for"]
        );
        assert_eq!(controller.last(), Some(&"hours"));
    }
}
