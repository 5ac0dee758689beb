//! The notice in the Transparency Information Language and Toolkit (TILT), `--format tilt`:
//! GDPR transparency information as one JSON document, as the TILT schema (draft-07, copied into
//! `tests/tilt/`) describes it.
//!
//! TILT is organised by category of data (`dataDisclosed`), the model by processing activity, so
//! each category of an activity becomes an entry with the activity's purposes, legal bases,
//! recipients and retention. TILT requires fields a notice need not state (an e-mail address of
//! the data protection officer, the booleans of Art. 13(2)(e)); where the model lacks one, the
//! document gets the choice `docs/tilt.md` lists, never a made-up fact: an empty string for a
//! text or address the notice does not give, `false` for a yes-or-no it does not answer. The
//! output is deterministic: no clock, and ids derived from the notice.

use serde_json::{Map, Value, json};

use super::{RenderError, filters, prose, sha256};
use crate::law::{cite_article, law};
use crate::model::{
    Activity, Article, AutomatedDecisions, Contact, Controller, DataCategory, Date, Export,
    Language, Officer, Organisation, Part, Party, Policy, RetentionRule, Right, Safeguard,
    SupervisoryAuthority, TimeUnit,
};

/// The date TILT's `meta.created` and `meta.modified` get when the notice gives none: the Unix
/// epoch, which reproducible builds use where a time is unknown (`SOURCE_DATE_EPOCH=0`). The
/// checker reports the missing date (`missing-revision-date`).
const NO_DATE: &str = "1970-01-01";

/// The TILT document of a policy, pretty-printed with a final newline. `policy` is prepared as
/// for the JSON export (its `revised` is the date shown); `revised` is the date the policy wrote,
/// which may be its earliest.
pub fn export(policy: &Policy, revised: Option<Date>) -> Result<String, RenderError> {
    let document = document(policy, revised)?;
    let mut text =
        serde_json::to_string_pretty(&document).map_err(|e| RenderError(e.to_string()))?;
    text.push('\n');
    Ok(text)
}

fn document(policy: &Policy, revised: Option<Date>) -> Result<Value, RenderError> {
    let words = Words::of(policy.language);
    let controller = first_controller(policy);
    let activities: Vec<&Activity> = policy
        .activities()
        .into_iter()
        .filter(|activity| !activity.incomplete)
        .collect();
    let authority = policy.contents.iter().find_map(|part| match part {
        Part::SupervisoryAuthority(authority) => Some(authority),
        _ => None,
    });
    let rights: Vec<&Right> = policy
        .contents
        .iter()
        .filter_map(|part| match part {
            Part::Rights(rights) => Some(&rights.rights),
            _ => None,
        })
        .flatten()
        .collect();
    let controller_email = controller.and_then(|c| first(&c.contact.email));
    let right = |kinds: &[&str]| -> Value {
        let given: Vec<&&Right> = rights
            .iter()
            .filter(|r| kinds.contains(&r.kind.as_str()))
            .collect();
        let mut object = Map::new();
        object.insert("available".into(), Value::Bool(!given.is_empty()));
        let description = given
            .iter()
            .map(|r| right_text(r, policy.language))
            .collect::<Vec<_>>()
            .join("\n\n");
        if !description.is_empty() {
            object.insert("description".into(), Value::from(description));
        }
        if !given.is_empty()
            && let Some(email) = &controller_email
        {
            object.insert("email".into(), Value::from(email.as_str()));
        }
        Value::Object(object)
    };
    let mut complain = right(&["complaint"]);
    if complain["available"] == Value::Bool(true) {
        // TILT requires the authority with the right; without a `state` klartext cannot tell
        // which it is (`missing-supervisory-authority`), and it gets no name.
        complain["supervisoryAuthority"] = match authority {
            Some(authority) => supervisory_authority(authority),
            None => json!({ "name": "" }),
        };
    }
    let json_export = serde_json::to_string_pretty(&Export::new(policy))
        .map_err(|e| RenderError(e.to_string()))?
        + "\n";
    Ok(json!({
        "meta": meta(policy, revised, controller, &json_export),
        "controller": controller_entry(controller),
        "dataProtectionOfficer": officer_entry(controller.and_then(|c| c.officers.first()), &words),
        "dataDisclosed": activities
            .iter()
            .flat_map(|activity| data_disclosed(policy, activity, &words))
            .collect::<Vec<_>>(),
        "thirdCountryTransfers": transfers(policy, &activities, &words),
        "accessAndDataPortability": right(&["access", "portability"]),
        "sources": activities
            .iter()
            .filter(|activity| !activity.sources.is_empty())
            .map(|activity| sources(activity))
            .collect::<Vec<_>>(),
        "rightToInformation": right(&["access"]),
        "rightToRectificationOrDeletion": right(&["rectification", "erasure"]),
        "rightToDataPortability": right(&["portability"]),
        "rightToWithdrawConsent": right(&["withdraw-consent"]),
        "rightToComplain": complain,
        "automatedDecisionMaking": automated_decisions(&activities),
        "changesOfPurpose": [],
    }))
}

/// The few phrases klartext writes into a TILT document itself, in the notice's language.
struct Words {
    language: Language,
    officer: String,
    recipient: String,
    processor: String,
    joint_controller: String,
    operator: String,
    dpf: &'static str,
    scc: &'static str,
    bcr: &'static str,
    derogation: &'static str,
    no_safeguard: &'static str,
    copy: &'static str,
}

impl Words {
    fn of(language: Language) -> Words {
        let label = |name: &str| crate::labels::label(language, name);
        let (dpf, scc, bcr, derogation, no_safeguard, copy) = match language {
            Language::De => (
                "EU-US Data Privacy Framework (Angemessenheitsbeschluss für zertifizierte Organisationen)",
                "Standardvertragsklauseln (Art. 46 Abs. 2 lit. c DSGVO)",
                "verbindliche interne Datenschutzvorschriften (Art. 47 DSGVO)",
                "Ausnahme für bestimmte Fälle nach",
                "Die Datenschutzerklärung nennt keine Garantie.",
                "Kopie der Garantien",
            ),
            Language::En => (
                "EU-US Data Privacy Framework (adequacy decision for certified organisations)",
                "standard contractual clauses (Art. 46(2)(c) GDPR)",
                "binding corporate rules (Art. 47 GDPR)",
                "derogation for specific situations under",
                "The notice names no safeguard.",
                "Copy of the safeguards",
            ),
        };
        Words {
            language,
            officer: label("officer"),
            recipient: label("recipients_one"),
            processor: label("processors_one"),
            joint_controller: label("joint_controllers_one"),
            operator: label("operators_one"),
            dpf,
            scc,
            bcr,
            derogation,
            no_safeguard,
            copy,
        }
    }
}

fn first_controller(policy: &Policy) -> Option<&Controller> {
    policy.contents.iter().find_map(|part| match part {
        Part::Controller(controller) => Some(controller),
        _ => None,
    })
}

fn first(values: &[crate::model::Labelled]) -> Option<String> {
    values.first().map(|value| value.value.to_string())
}

/// The first phone number that can be dialled, in E.164 (`+495617870`), which TILT's pattern
/// for phone numbers accepts; a number klartext cannot normalise is left out.
fn phone(contact: &Contact) -> Option<String> {
    contact
        .phone
        .iter()
        .find_map(|number| crate::phone::normalise(&number.value))
}

/// The address on one line: every line of every address, separated by commas.
fn address(contact: &Contact) -> String {
    contact
        .address
        .iter()
        .map(|line| line.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn country(contact: &Contact) -> String {
    contact
        .country
        .as_ref()
        .map_or_else(|| "DE".to_string(), |c| c.value.clone())
}

/// Prose as plain text: Markdown reduced to its words, paragraphs separated by a blank line.
fn plain(markdown: &str) -> String {
    let mut out = String::new();
    for block in prose::to_text_blocks(markdown) {
        if !out.is_empty() {
            out.push_str(if block.spaced { "\n\n" } else { "\n" });
        }
        out.push_str(&block.first);
        out.push_str(&block.text);
    }
    out
}

fn meta(
    policy: &Policy,
    revised: Option<Date>,
    controller: Option<&Controller>,
    json_export: &str,
) -> Value {
    let dates: Vec<Date> = revised
        .into_iter()
        .chain(policy.revisions.iter().map(|revision| revision.date))
        .collect();
    let created = dates
        .iter()
        .min()
        .map_or_else(|| NO_DATE.to_string(), Date::to_string);
    let modified = policy
        .stand()
        .map_or_else(|| NO_DATE.to_string(), |stand| stand.value.to_string());
    let url = policy
        .published_at
        .as_ref()
        .or(policy.websites.first())
        .map(|url| crate::address::href(url))
        .unwrap_or_default();
    // The notice is known by where it is published, else by its site, else by its title: the
    // same notice keeps its id from one revision to the next.
    let identity = policy
        .published_at
        .as_ref()
        .or(policy.websites.first())
        .map_or_else(|| policy.title.to_string(), |url| url.to_string());
    json!({
        "_id": name_based_uuid(&identity),
        "name": controller.map_or_else(|| policy.title.to_string(), |c| c.name.to_string()),
        "created": created,
        "modified": modified,
        "version": policy.revisions.len().max(1),
        "language": policy.language.code(),
        "status": "active",
        "url": url,
        "_hash": sha256::hex(json_export.as_bytes()),
    })
}

/// A name-based UUID of version 8 from SHA-256 (RFC 9562, appendix B.2): the first 16 bytes of
/// the digest of the name, with the version and variant bits set.
fn name_based_uuid(name: &str) -> String {
    let digest = sha256::digest(format!("klartext notice {name}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn controller_entry(controller: Option<&Controller>) -> Value {
    let Some(controller) = controller else {
        return json!({
            "name": "",
            "address": "",
            "country": "DE",
            "representative": { "name": "", "email": "" },
        });
    };
    let contact = &controller.contact;
    let mut representative = json!({
        "name": controller
            .represented_by
            .as_ref()
            .map_or_else(|| controller.name.to_string(), |r| r.to_string()),
        "email": first(&contact.email).unwrap_or_default(),
    });
    if let Some(phone) = phone(contact) {
        representative["phone"] = Value::from(phone);
    }
    let mut entry = json!({
        "name": controller.name.as_str(),
        "address": address(contact),
        "country": country(contact),
        "representative": representative,
    });
    if !controller.units.is_empty() {
        entry["division"] = Value::from(
            controller
                .units
                .iter()
                .map(|u| u.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    entry
}

fn officer_entry(officer: Option<&Officer>, words: &Words) -> Value {
    let Some(officer) = officer else {
        return json!({ "name": "", "address": "", "country": "DE", "email": "" });
    };
    let contact = &officer.contact;
    let name = officer
        .name
        .as_ref()
        .or(officer.role.as_ref())
        .map_or_else(|| words.officer.clone(), |n| n.to_string());
    let mut address = address(contact);
    if address.is_empty()
        && let Some(organisation) = &officer.organisation
    {
        address = organisation.to_string();
    }
    let mut entry = json!({
        "name": name,
        "address": address,
        "country": country(contact),
        "email": first(&contact.email).unwrap_or_default(),
    });
    if let Some(phone) = phone(contact) {
        entry["phone"] = Value::from(phone);
    }
    entry
}

fn supervisory_authority(authority: &SupervisoryAuthority) -> Value {
    let contact = &authority.contact;
    let mut entry = json!({
        "name": authority.name.as_str(),
        "address": address(contact),
        "country": country(contact),
    });
    if let Some(email) = first(&contact.email) {
        entry["email"] = Value::from(email);
    }
    if let Some(phone) = phone(contact) {
        entry["phone"] = Value::from(phone);
    }
    entry
}

/// A category of data as TILT names it: a group by its title with its items in brackets.
fn category(data: &DataCategory) -> String {
    match data {
        DataCategory::Item(text) => text.to_string(),
        DataCategory::Group { title, items } => {
            let items: Vec<&str> = items.iter().map(|i| i.as_str()).collect();
            format!("{title} ({})", items.join(", "))
        }
    }
}

/// A legal basis as TILT references it, `GDPR-6-1-e` (its pattern: capitals, then numbers and
/// small letters separated by hyphens).
fn reference(article: Article) -> String {
    let (number, paragraph, point) = article.parts();
    match point {
        Some(point) => format!("GDPR-{number}-{paragraph}-{point}"),
        None => format!("GDPR-{number}-{paragraph}"),
    }
}

fn data_disclosed(policy: &Policy, activity: &Activity, words: &Words) -> Vec<Value> {
    let language = policy.language;
    let purposes: Vec<Value> = activity
        .purposes
        .iter()
        .map(|purpose| json!({ "purpose": purpose.as_str(), "description": activity.title.as_str() }))
        .collect();
    let legal_bases: Vec<Value> = activity
        .legal_bases
        .iter()
        .map(|basis| {
            let mut description = cite_article(basis.article, language);
            if let Some(info) = law().legal_basis(&basis.article.code()) {
                let meaning = match language {
                    Language::De => &info.de,
                    Language::En => &info.en,
                };
                description.push_str(&format!(" ({meaning})"));
            }
            for law in &basis.laws {
                description.push_str(match language {
                    Language::De => " in Verbindung mit ",
                    Language::En => " in conjunction with ",
                });
                description.push_str(law);
            }
            if let Some(when) = &basis.when {
                description.push_str(&format!(": {when}"));
            }
            json!({ "reference": reference(basis.article), "description": description })
        })
        .collect();
    let legitimate = activity
        .legal_bases
        .iter()
        .any(|basis| basis.article == Article::Lawfulness(Some('f')));
    let legitimate_interests: Vec<Value> = if !legitimate {
        vec![json!({ "exists": false })]
    } else if activity.legitimate_interests.is_empty() {
        // TILT requires the reasoning with a legitimate interest; the notice gives none
        // (`missing-legitimate-interest`).
        vec![json!({ "exists": true, "reasoning": "" })]
    } else {
        activity
            .legitimate_interests
            .iter()
            .map(|interest| json!({ "exists": true, "reasoning": interest.as_str() }))
            .collect()
    };
    let recipients = recipients(policy, activity, words);
    let storage = storage(activity, language);
    let non_disclosure = json!({
        "legalRequirement": false,
        "contractualRegulation": false,
        "obligationToProvide": false,
        "consequences": activity
            .requirement
            .iter()
            .map(|r| plain(r))
            .collect::<Vec<_>>()
            .join("\n\n"),
    });
    activity
        .data
        .iter()
        .enumerate()
        .map(|(index, data)| {
            json!({
                "_id": format!("{}-{}", activity.anchor, index + 1),
                "category": category(data),
                "purposes": purposes,
                "legalBases": legal_bases,
                "legitimateInterests": legitimate_interests,
                "recipients": recipients,
                "storage": storage,
                "nonDisclosure": non_disclosure,
            })
        })
        .collect()
}

/// An organisation as a TILT recipient, of the given category (its role).
fn organisation_recipient(organisation: &Organisation, category: &str) -> Value {
    let contact = &organisation.contact;
    let mut entry = json!({
        "name": organisation.name.as_str(),
        "category": category,
        "country": country(contact),
    });
    let address = address(contact);
    if !address.is_empty() {
        entry["address"] = Value::from(address);
    }
    if let Some(name) = &organisation.represented_by {
        let mut representative = json!({ "name": name.as_str() });
        if let Some(email) = first(&contact.email) {
            representative["email"] = Value::from(email);
        }
        entry["representative"] = representative;
    }
    entry
}

/// Everyone the data go to (Art. 4(9) GDPR): the recipients, processors, joint controllers and
/// platform operators, each organisation with its role as the category.
fn recipients(policy: &Policy, activity: &Activity, words: &Words) -> Vec<Value> {
    let mut entries = Vec::new();
    for recipient in activity.recipients.items() {
        match &recipient.party {
            Party::Category(category) => entries.push(json!({ "category": category.as_str() })),
            Party::Organisation(reference) => {
                if let Some(organisation) = policy.organisation(&reference.id) {
                    entries.push(organisation_recipient(organisation, &words.recipient));
                }
            }
        }
    }
    let roles = activity
        .processors
        .iter()
        .map(|p| {
            let role = p
                .role
                .as_ref()
                .map_or_else(|| words.processor.clone(), |r| r.to_string());
            (&p.organisation, role)
        })
        .chain(
            activity
                .joint_controllers
                .iter()
                .map(|j| (&j.organisation, words.joint_controller.clone())),
        )
        .chain(
            activity
                .operators
                .iter()
                .map(|o| (o, words.operator.clone())),
        );
    for (reference, role) in roles {
        if let Some(organisation) = policy.organisation(&reference.id) {
            entries.push(organisation_recipient(organisation, &role));
        }
    }
    entries
}

/// A duration as ISO 8601, as TILT's `ttl` takes it; weeks as days, because TILT's pattern has
/// no weeks.
fn iso_duration(amount: u64, unit: TimeUnit) -> String {
    match unit {
        TimeUnit::Minute => format!("PT{amount}M"),
        TimeUnit::Hour => format!("PT{amount}H"),
        TimeUnit::Day => format!("P{amount}D"),
        TimeUnit::Week => format!("P{}D", amount.saturating_mul(7)),
        TimeUnit::Month => format!("P{amount}M"),
        TimeUnit::Year => format!("P{amount}Y"),
    }
}

/// The retention of an activity: periods as `temporal` with their ISO duration, every other
/// rule (until an event, a statutory period, criteria, an archive) in the notice's words as
/// `purposeConditional`. `max`: the data are kept as long as the longest rule says.
fn storage(activity: &Activity, language: Language) -> Vec<Value> {
    if activity.retention.is_empty() {
        return Vec::new();
    }
    let mut temporal = Vec::new();
    let mut conditional = Vec::new();
    for retention in &activity.retention {
        let words = filters::retention_in_words(retention, language);
        match &retention.rule {
            RetentionRule::Period { duration, .. } => temporal.push(json!({
                "description": words,
                "ttl": iso_duration(duration.amount, duration.unit),
            })),
            _ => conditional.push(words),
        }
    }
    vec![json!({
        "temporal": temporal,
        "purposeConditional": conditional,
        "legalBasisConditional": [],
        "aggregationFunction": "max",
    })]
}

/// The third-country transfers of all activities, each recipient and safeguard once.
fn transfers(policy: &Policy, activities: &[&Activity], words: &Words) -> Vec<Value> {
    let mut seen: Vec<(String, Option<Safeguard>)> = Vec::new();
    let mut entries = Vec::new();
    for activity in activities {
        for transfer in activity.transfers.items() {
            let key = (transfer.recipient.id.clone(), transfer.safeguard);
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let organisation = policy.organisation(&transfer.recipient.id);
            let code =
                organisation.and_then(|o| o.contact.country.as_ref().map(|c| c.value.clone()));
            let name = organisation.map(|o| o.name.to_string()).unwrap_or_default();
            let mut remarks: Vec<String> = Vec::new();
            if let Some(text) = &transfer.text {
                remarks.push(plain(text));
            }
            if let Some(copy) = &transfer.copy {
                remarks.push(format!("{}: {copy}", words.copy));
            }
            let describe = |what: &str| -> String {
                let mut parts = vec![format!("{name}: {what}")];
                parts.extend(remarks.iter().cloned());
                parts.join(" ")
            };
            let adequacy = match transfer.safeguard {
                Some(Safeguard::Adequacy) => {
                    let decision = code
                        .as_deref()
                        .and_then(|c| law().country(c))
                        .and_then(|c| c.decision.clone())
                        .unwrap_or_default();
                    Some(describe(&decision))
                }
                Some(Safeguard::Dpf) => Some(describe(words.dpf)),
                _ => None,
            };
            let guarantee = match transfer.safeguard {
                Some(Safeguard::Scc) => Some(describe(words.scc)),
                Some(Safeguard::Bcr) => Some(describe(words.bcr)),
                _ => None,
            };
            let mut entry = json!({
                "adequacyDecision": available(adequacy.as_deref()),
                "appropriateGuarantees": available(guarantee.as_deref()),
                "standardDataProtectionClause": available(
                    (transfer.safeguard == Some(Safeguard::Scc)).then_some(words.scc),
                ),
            });
            // TILT has no field for a derogation (Art. 49) or for a transfer without a safeguard:
            // both are said in `appropriateGuarantees`, which is then not available.
            match transfer.safeguard {
                Some(Safeguard::Derogation) => {
                    let point = transfer
                        .derogation
                        .as_ref()
                        .map(|d| crate::law::cite(&d.value, words.language))
                        .unwrap_or_else(|| crate::law::cite("49(1)", words.language));
                    entry["appropriateGuarantees"]["description"] =
                        Value::from(describe(&format!("{} {point}", words.derogation)));
                }
                Some(Safeguard::None) | None => {
                    entry["appropriateGuarantees"]["description"] =
                        Value::from(describe(words.no_safeguard));
                }
                _ => {}
            }
            if let Some(code) = code {
                entry["country"] = Value::from(code);
            }
            entries.push(entry);
        }
    }
    entries
}

fn available(description: Option<&str>) -> Value {
    match description {
        Some(description) => json!({ "available": true, "description": description }),
        None => json!({ "available": false }),
    }
}

fn sources(activity: &Activity) -> Value {
    let categories: Vec<String> = activity.data.iter().map(category).collect();
    let data_category = if categories.is_empty() {
        activity.title.to_string()
    } else {
        categories.join(", ")
    };
    json!({
        "_id": format!("{}-sources", activity.anchor),
        "dataCategory": data_category,
        "sources": activity
            .sources
            .iter()
            .map(|source| json!({
                "description": source.as_str(),
                "url": "",
                "publiclyAvailable": false,
            }))
            .collect::<Vec<_>>(),
    })
}

/// Whether decisions are automated: `inUse` where an activity describes one, `false` where
/// activities say there are none, and nothing where no activity says.
fn automated_decisions(activities: &[&Activity]) -> Value {
    let described: Vec<String> = activities
        .iter()
        .filter_map(|activity| match &activity.automated_decisions {
            Some(AutomatedDecisions::Described(text)) => {
                Some(format!("{}: {}", activity.title, plain(text)))
            }
            _ => None,
        })
        .collect();
    if !described.is_empty() {
        // A notice describes automated decisions in one text; TILT asks for the logic and the
        // effects apart, and gets the text as the logic.
        return json!({
            "inUse": true,
            "logicInvolved": described.join("\n\n"),
            "scopeAndIntendedEffects": "",
        });
    }
    if activities
        .iter()
        .any(|a| matches!(a.automated_decisions, Some(AutomatedDecisions::None)))
    {
        return json!({ "inUse": false });
    }
    json!({})
}

/// What a right says: the notice's wording, or the standard one, and the law that restricts it.
fn right_text(right: &Right, language: Language) -> String {
    let info = law().right(&right.kind);
    let name = info.map(|info| match language {
        Language::De => info.de.clone(),
        Language::En => info.en.clone(),
    });
    let text = match &right.text {
        Some(text) => plain(text),
        None => info
            .map(|info| match language {
                Language::De => info.text_de.clone(),
                Language::En => info.text_en.clone(),
            })
            .unwrap_or_default(),
    };
    let mut out = match name {
        Some(name) => format!("{name}: {text}"),
        None => text,
    };
    if !right.restricted_by.is_empty() {
        let restricted: Vec<&str> = right.restricted_by.iter().map(|r| r.as_str()).collect();
        out.push(' ');
        out.push_str(&crate::labels::label(language, "restricted_by"));
        out.push(' ');
        out.push_str(&restricted.join(", "));
        out.push('.');
    }
    out
}
