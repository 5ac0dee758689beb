//! The duties of Art. 13/14 beyond the facts every activity states: the supervisory authority,
//! the rights as the bases make them due, what is said about collection, special categories,
//! cookies and retention, and law of the wrong state.

use crate::derive::{controller_kind, resolve_authority};
use crate::diagnostic::{Diagnostic, Span};
use crate::law::law;
use crate::model::{
    Activity, Article, ControllerKind, Lifetime, Necessity, Part, Policy, RetentionRule, Right,
    SymbolKind, Text,
};

use super::{warning, words};
use crate::model::DataCategory;

/// The kind of the controller responsible for an activity.
pub fn kind_of(policy: &Policy, activity: &Activity) -> ControllerKind {
    activity
        .controller
        .as_ref()
        .and_then(|reference| policy.controller(&reference.id))
        .map_or_else(|| controller_kind(policy), |controller| controller.kind)
}

fn rests_on(activity: &Activity, wanted: impl Fn(Article) -> bool) -> bool {
    activity
        .legal_bases
        .iter()
        .any(|basis| wanted(basis.article))
}

fn public_task_or_interest(article: Article) -> bool {
    matches!(article, Article::Lawfulness(Some('e' | 'f')))
}

/// The place of a text, or of the block it belongs to when klartext wrote the text.
fn place(text: &Text, or: Span) -> Span {
    if text.is_written() { text.span() } else { or }
}

pub fn policy_duties(policy: &Policy, findings: &mut Vec<Diagnostic>) {
    let header = policy.span.head("policy");
    authority(policy, header, findings);
    let activities = policy.activities();
    if activities.is_empty() {
        findings.push(warning(
            "missing-activities",
            header,
            "the notice does not say which personal data are processed, for what and on which basis",
            "add an `activity` for each processing, e.g. `activity website \"Bereitstellung der Webseite\" { … }`",
        ));
    }
    for organisation in &policy.organisations {
        let used = policy
            .symbols
            .get(SymbolKind::Organisation, &organisation.id)
            .is_some_and(|symbol| !symbol.references.is_empty());
        if !used {
            findings.push(warning(
                "unused-organisation",
                organisation.span.head("organisation"),
                format!(
                    "“{}” is declared but no activity names it, so the notice does not show it",
                    organisation.name
                ),
                format!(
                    "name it where it receives or processes data (`recipients {id}`, `processor {id}`), or remove it",
                    id = organisation.id
                ),
            ));
        }
    }
    for part in &policy.contents {
        let Part::Rights(rights) = part else { continue };
        for right in rights.rights.iter().filter(|right| !right.derived) {
            written_right(policy, &activities, right, findings);
        }
        if let Some(text) = &rights.text
            && activities
                .iter()
                .any(|a| rests_on(a, public_task_or_interest))
        {
            objection_denied(text, rights.span.head("rights"), findings);
        }
    }
}

/// The authority: resolved where the policy names none, compared where it names one.
fn authority(policy: &Policy, header: Span, findings: &mut Vec<Diagnostic>) {
    let state_span = policy.state.as_ref().map_or(header, |state| state.span);
    for part in &policy.contents {
        let Part::SupervisoryAuthority(written) = part else {
            continue;
        };
        match &written.derived {
            Some(derived) if !derived.verified => findings.push(warning(
                "unverified-authority-address",
                state_span,
                format!(
                    "klartext states {} as the supervisory authority, but its sources disagree on the address",
                    written.name
                ),
                "compare the address with the authority's own website; if it is right, accept it with `allow unverified-authority-address \"checked on …\"`, else write the authority out with `supervisory-authority`",
            )),
            Some(_) => {}
            None => {
                let Some(expected) = resolve_authority(policy) else {
                    continue;
                };
                if !crate::derive::same_authority(written, &expected) {
                    findings.push(
                        warning(
                            "wrong-supervisory-authority",
                            written.span.head("supervisory-authority"),
                            format!(
                                "for this state and this kind of controller the supervisory authority is {}",
                                expected.name
                            ),
                            "remove the `supervisory-authority` block and klartext states the right one, or correct it",
                        )
                        .with_related(state_span, "the state is given here"),
                    );
                }
            }
        }
    }
}

/// Checks a right the author wrote: portability where it cannot apply, a denied objection, and
/// laws of another state or of the directive's part.
fn written_right(
    policy: &Policy,
    activities: &[&Activity],
    right: &Right,
    findings: &mut Vec<Diagnostic>,
) {
    let span = right.span.head("right");
    if right.kind == "portability" && !activities.is_empty() {
        let applies = activities.iter().any(|activity| {
            rests_on(activity, |article| {
                matches!(
                    article,
                    Article::Lawfulness(Some('a' | 'b')) | Article::SpecialCategories(Some('a'))
                )
            })
        });
        if !applies {
            findings.push(warning(
                "portability-not-applicable",
                span,
                "no activity rests on consent or a contract, so the right to data portability does not apply (Art. 20(1)); for public tasks Art. 20(3) excludes it",
                "remove `right portability`",
            ));
        }
    }
    if right.kind == "objection"
        && let Some(text) = &right.text
        && activities
            .iter()
            .any(|a| rests_on(a, public_task_or_interest))
    {
        objection_denied(text, span, findings);
    }
    for text in right
        .laws
        .iter()
        .chain(&right.restricted_by)
        .chain(&right.text)
    {
        state_law(policy, text, span, true, findings);
    }
}

/// A text that says there is no right to object, without the law that restricts it.
fn objection_denied(text: &Text, or: Span, findings: &mut Vec<Diagnostic>) {
    let Some((_, range)) = words::objection_denied().find(text) else {
        return;
    };
    // A restriction by law (§ 35 HDSIG, § 36 BDSG) is lawful when the text names it.
    if text.contains('§') || text.contains("Art. 23") {
        return;
    }
    findings.push(warning(
        "objection-denied",
        text.source_span(range).unwrap_or(or),
        "the right to object applies to processing on Art. 6(1)(e) or (f); the text denies it without naming a law that restricts it",
        "name the law that restricts the objection (e.g. `restricted-by \"§ 36 BDSG\"`), or state the right",
    ));
}

/// Law of another state than the policy's, or, in rights, a paragraph of the act's part for the
/// law-enforcement directive.
fn state_law(
    policy: &Policy,
    text: &Text,
    or: Span,
    in_rights: bool,
    findings: &mut Vec<Diagnostic>,
) {
    let Some(state) = policy.state.as_ref() else {
        return;
    };
    let (acts, codes) = words::state_acts();
    for (pattern, range) in acts.find_all(text) {
        let code = codes[pattern];
        let span = text.source_span(range.clone()).unwrap_or(or);
        if code != "DE" && code != state.value {
            let name = law().state(code).map_or(code, |s| s.name.as_str());
            findings.push(
                warning(
                    "wrong-state-law",
                    span,
                    format!(
                        "this cites the law of {name}, but the notice is for {}",
                        state.value
                    ),
                    match super::general_basis(policy) {
                        Some(general) => {
                            format!("cite the act of the policy's state, e.g. `{general}`")
                        }
                        None => "cite the act of the policy's state".to_string(),
                    },
                )
                .with_related(state.span, "the state is given here"),
            );
            continue;
        }
        let part = law().state(code).and_then(|s| s.directive_part.as_ref());
        if let (true, Some(part)) = (in_rights, part)
            && let Some(paragraph) = paragraph_before(&text[..range.start])
            && (part.first..=part.last).contains(&paragraph)
        {
            findings.push(warning(
                "wrong-state-law",
                span,
                format!(
                    "§ {paragraph} {} belongs to the act's {}, which implements the law-enforcement directive (EU) 2016/680, not the GDPR",
                    &text[range.clone()],
                    part.name
                ),
                "cite the act's provisions for the GDPR, or the GDPR article alone",
            ));
        }
    }
}

/// The number of the paragraph cited just before an act's name: `§ 52` in `§ 52 Abs. 1 HDSIG`.
fn paragraph_before(text: &str) -> Option<u32> {
    let at = text.rfind('§')?;
    let rest = &text[at..];
    if rest.chars().count() > 24 {
        return None;
    }
    let digits: String = rest
        .trim_start_matches('§')
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

pub fn activity_duties(policy: &Policy, activity: &Activity, findings: &mut Vec<Diagnostic>) {
    let span = activity.span.head("activity");
    let title = &activity.title;
    let prose = || {
        std::iter::once(title)
            .chain(&activity.text)
            .chain(&activity.purposes)
            .chain(activity.data.iter().flat_map(DataCategory::texts))
    };
    let contract = rests_on(activity, |a| a == Article::Lawfulness(Some('b')));
    if activity.requirement.is_empty()
        && activity.sources.is_empty()
        && (contract
            || std::iter::once(title)
                .chain(&activity.purposes)
                .any(|text| words::forms().contains(text)))
    {
        findings.push(warning(
            "missing-requirement",
            span,
            format!("“{title}” collects data from the person, but does not say whether they must provide them and what happens if not"),
            "add e.g. `requirement \"Pflichtangaben sind Name und Anschrift; ohne sie können wir den Antrag nicht bearbeiten.\"`",
        ));
    }
    if activity.automated_decisions.is_none() {
        findings.push(warning(
            "missing-automated-decisions",
            span,
            format!("“{title}” does not say whether decisions are made automatically"),
            "add `automated-decisions none` (to the `defaults`, for every activity), or describe the logic involved",
        ));
    }
    if activity.sources.is_empty()
        && let Some(text) = prose().find(|text| words::indirect_collection().contains(text))
    {
        findings.push(
            warning(
                "missing-source",
                span,
                format!("“{title}” processes data that do not come from the person, but does not say where they come from"),
                "add e.g. `source \"Melderegister der Stadt\"`, and say whether the source is publicly accessible",
            )
            .with_related(place(text, span), "the text says the data come from elsewhere here"),
        );
    }
    for joint in &activity.joint_controllers {
        if joint.essence.is_none() {
            findings.push(warning(
                "missing-joint-control-essence",
                joint.organisation.span,
                "the notice names a joint controller without the essence of the arrangement",
                format!(
                    "add `joint-controller {} {{ essence \"…\" }}` with who fulfils which duty, or a link to the agreement",
                    joint.organisation.id
                ),
            ));
        }
    }
    special_categories(activity, span, findings);
    cookies(activity, findings);
    for retention in &activity.retention {
        let texts: Vec<&Text> = match &retention.rule {
            RetentionRule::Until { event: text } | RetentionRule::Criteria { text } => vec![text],
            RetentionRule::Period { from, .. } => from.iter().collect(),
            _ => Vec::new(),
        };
        for text in texts {
            vague(text, retention.span.head("retention"), findings);
        }
    }
    for cookie in &activity.cookies {
        if let Some(Lifetime::Described(text)) = &cookie.lifetime {
            vague(text, cookie.span.head("cookie"), findings);
        }
    }
    if !activity.legitimate_interests.is_empty()
        && !rests_on(activity, |a| a == Article::Lawfulness(Some('f')))
    {
        findings.push(warning(
            "legitimate-interest-without-6f",
            place(&activity.legitimate_interests[0], span),
            format!("“{title}” states legitimate interests, but does not rest on Art. 6(1)(f)"),
            "remove `legitimate-interest`, or say the interest as a `purpose`; a public task is Art. 6(1)(e), not a legitimate interest",
        ));
    }
    let opening_clause_only = !activity.legal_bases.is_empty()
        && activity.legal_bases.iter().all(|basis| {
            law()
                .legal_basis(&basis.article.code())
                .is_some_and(|info| info.opening_clause)
        });
    if opening_clause_only {
        findings.push(warning(
            "opening-clause-as-basis",
            activity.legal_bases[0].span.head("basis"),
            "Art. 88(1) lets national law regulate employment data, but is no legal basis on its own (CJEU C-34/21)",
            "add the basis the processing rests on: `basis 6(1)(b)` for the employment contract, or `basis 6(1)(c)`/`6(1)(e)` with the law",
        ));
    }
    for basis in &activity.legal_bases {
        for law in basis.laws.iter().chain(&basis.when) {
            state_law(policy, law, basis.span.head("basis"), false, findings);
        }
    }
    for r in activity.recipients.items() {
        for text in r.laws.iter().chain(&r.purposes).chain(&r.text) {
            state_law(policy, text, r.span, false, findings);
        }
    }
    for text in &activity.objection {
        if rests_on(activity, public_task_or_interest) {
            objection_denied(text, span, findings);
        }
    }
}

fn vague(text: &Text, or: Span, findings: &mut Vec<Diagnostic>) {
    if let Some((_, range)) = words::vague_retention().find(text) {
        findings.push(warning(
            "vague-retention",
            text.source_span(range).unwrap_or(or),
            "this sets no limit to how long the data are kept; data may be kept only as long as the purpose needs them",
            "give a period (`retention 6 months`), the event that ends it (`retention until \"…\"`) or the statutory period (`retention statutory \"§ …\"`)",
        ));
    }
}

/// Art. 9: special categories of data need a basis of Art. 9(2), and that basis one of Art. 6
/// beside it (CJEU C-667/21).
fn special_categories(activity: &Activity, span: Span, findings: &mut Vec<Diagnostic>) {
    let special = rests_on(activity, |a| matches!(a, Article::SpecialCategories(_)));
    let lawful = rests_on(activity, |a| matches!(a, Article::Lawfulness(_)));
    let (words, categories) = words::special_categories();
    if !special {
        for text in activity.data.iter().flat_map(DataCategory::texts) {
            if let Some((pattern, range)) = words.find(text) {
                findings.push(warning(
                    "missing-special-category-basis",
                    text.source_span(range).unwrap_or(span),
                    format!(
                        "these data reveal {}, a special category (Art. 9(1)), but the activity names no basis of Art. 9(2)",
                        categories[pattern]
                    ),
                    "add the exception that allows it, e.g. `basis 9(2)(h) \"§ 22 Abs. 1 Nr. 1 lit. b BDSG\"` or `basis 9(2)(a)` for explicit consent",
                ));
                break;
            }
        }
    }
    if special && !lawful {
        let basis = activity
            .legal_bases
            .iter()
            .find(|b| matches!(b.article, Article::SpecialCategories(_)));
        findings.push(warning(
            "missing-special-category-basis",
            basis.map_or(span, |b| b.span.head("basis")),
            "a basis of Art. 9(2) only lifts the ban on special categories; the processing also needs a basis of Art. 6(1) (CJEU C-667/21)",
            "add the Art. 6 basis beside it, e.g. `basis 6(1)(e) \"…\"`",
        ));
    }
}

/// § 25 TDDDG: storing or reading information on a device needs consent unless it is strictly
/// necessary.
fn cookies(activity: &Activity, findings: &mut Vec<Diagnostic>) {
    let consent = rests_on(activity, |a| a == Article::Lawfulness(Some('a')));
    for cookie in &activity.cookies {
        let span = cookie.span.head("cookie");
        // A kind of cookies has no name: its purpose says which it is.
        let name = match &cookie.name {
            Some(name) => format!("“{name}”"),
            None if cookie.purposes.is_empty() => "a cookie without a name".to_string(),
            None => format!("the cookie for “{}”", cookie.purposes.join("; ")),
        };
        match cookie.necessity {
            None => findings.push(warning(
                "cookie-consent-required",
                span,
                format!("the notice does not say whether {name} is strictly necessary or set only with consent"),
                "add `necessary` if the service cannot work without it (§ 25(2) no. 2 TDDDG), else `consent`",
            )),
            Some(Necessity::Consent) if !consent => findings.push(warning(
                "cookie-consent-required",
                span,
                format!("{name} is set with consent, but the activity does not rest on consent"),
                "add `basis 6(1)(a)` to the activity (with § 25(1) TDDDG for the device access)",
            )),
            _ => {}
        }
        let texts = cookie
            .name
            .iter()
            .chain(&cookie.purposes)
            .chain(&cookie.text);
        for text in texts {
            if let Some((_, range)) = words::anonymous().find(text) {
                findings.push(warning(
                    "cookie-consent-required",
                    text.source_span(range).unwrap_or(span),
                    "a cookie's identifier singles out a device: it is pseudonymous, not anonymous",
                    "say “pseudonym” instead of “anonym”",
                ));
                break;
            }
        }
    }
}
