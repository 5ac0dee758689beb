//! Law as data: legal bases, rights, states, countries, outdated law and the published positions
//! of the supervisory authorities, from the reviewed YAML files in `law/`, embedded in the binary.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::model::Language;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LegalBasisInfo {
    pub code: String,
    /// The basis's name in DPV's GDPR extension (`A6-1-e`), or in its pattern where DPV has none.
    pub dpv: String,
    /// Whether `dpv` was found in DPV (`w3c/dpv`, `legal/eu/gdpr/modules/legal_basis*.ttl`).
    #[serde(default)]
    pub dpv_verified: bool,
    #[serde(default)]
    pub consent: bool,
    #[serde(default)]
    pub needs_law: bool,
    /// An opening clause for national law (Art. 88(1)), which is no legal basis on its own.
    #[serde(default)]
    pub opening_clause: bool,
    pub de: String,
    pub en: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RightInfo {
    pub kind: String,
    pub article: String,
    /// When a notice must state this right.
    pub required: Option<Required>,
    pub de: String,
    pub en: String,
    pub text_de: String,
    pub text_en: String,
    /// What follows the standard wording: the exclusion of Art. 20(3), the consequence of an
    /// objection (Art. 21(1) sentence 2).
    pub note_de: Option<String>,
    pub note_en: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Required {
    /// The legal bases (`6(1)(e)`) whose use makes the right apply.
    Bases(Vec<String>),
    /// `always`.
    Always(String),
}

impl Required {
    pub fn applies(&self, bases_used: &[String]) -> bool {
        match self {
            Required::Always(_) => true,
            Required::Bases(bases) => bases.iter().any(|basis| bases_used.contains(basis)),
        }
    }
}

/// The data protection act of a federal state, or (`DE`) the federal BDSG.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct State {
    /// ISO 3166-2 (`DE-HE`), or `DE` for the Federation.
    pub code: String,
    pub name: String,
    pub act: String,
    /// How notices cite the act, matched as whole words: `HDSIG`. Only names no other act has.
    #[serde(default)]
    pub cites: Vec<String>,
    pub general_basis: Option<String>,
    /// Provisions of the act that restrict a GDPR right (Art. 23 GDPR), by kind of right.
    #[serde(default)]
    pub restrictions: Vec<Restriction>,
    /// Paragraphs of the act that implement the law-enforcement directive (EU) 2016/680, not
    /// the GDPR: a notice under the GDPR must not cite them for its rights or bases.
    pub directive_part: Option<DirectivePart>,
    pub source: Option<String>,
    #[serde(default = "yes")]
    pub verified: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Restriction {
    /// The kind of right, as in `rights.yaml`: `access`.
    pub right: String,
    /// `§ 33 HDSIG`.
    pub law: String,
    /// The processing the restriction is limited to (`research`, `archives`, `secrecy`,
    /// `insurance`), or `public-bodies`; none where it applies to every controller under the act.
    pub scope: Option<String>,
    pub source: String,
    #[serde(default = "yes")]
    pub verified: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DirectivePart {
    /// The first and last paragraph (`§`) of that part.
    pub first: u32,
    pub last: u32,
    /// `Teil 3`.
    pub name: String,
    pub source: String,
}

/// Which controllers an authority supervises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bodies {
    All,
    Public,
    Private,
}

/// A data protection supervisory authority (Art. 51 GDPR).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Authority {
    /// The W3C DPV identifier: `DPA-DE-HE`, or one in DPV's pattern where DPV has none.
    pub id: String,
    /// Whether `id` was found in DPV (`w3c/dpv`, `legal/de/modules/de.ttl`).
    #[serde(default)]
    pub dpv_verified: bool,
    /// `DE-HE` for a state's authority, `DE` for the Federal Commissioner.
    pub jurisdiction: String,
    pub bodies: Bodies,
    pub name: String,
    pub short: String,
    /// Lines of the street address.
    #[serde(default)]
    pub address: Vec<String>,
    /// Lines of the postal address by PO box.
    #[serde(default)]
    pub po_box: Vec<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub email: Option<String>,
    pub web: Option<String>,
    pub source: Vec<String>,
    /// The day the entry was last compared with its sources.
    pub checked: String,
    /// False where the sources disagree on the address, or it could not be confirmed.
    #[serde(default = "yes")]
    pub verified: bool,
    /// What is uncertain about an unverified entry.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Country {
    pub code: String,
    pub de: String,
    pub en: String,
    #[serde(default)]
    pub eea: bool,
    #[serde(default)]
    pub adequacy: bool,
    #[serde(default)]
    pub dpf: bool,
    /// What a partial adequacy decision covers (Canada, Japan), in each language.
    pub partial: Option<Partial>,
    /// The adequacy decision and its place in the Official Journal.
    pub decision: Option<String>,
    pub oj: Option<String>,
    #[serde(default = "yes")]
    pub verified: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Partial {
    pub de: String,
    pub en: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct OutdatedLaw {
    pub name: String,
    pub patterns: Vec<String>,
    /// `repealed`, `renamed`, `replaced` or `invalidated`.
    pub change: String,
    pub since: String,
    /// What to cite instead.
    #[serde(rename = "use")]
    pub replaced_by: String,
    pub source: String,
}

/// Words by which the checker recognises what prose says (`law/wording.yaml`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Wording {
    pub special_categories: Vec<SpecialCategory>,
    pub vague_retention: Vec<String>,
    pub indirect_collection: Vec<String>,
    pub forms: Vec<String>,
    pub objection_denied: Vec<String>,
    pub anonymous: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SpecialCategory {
    pub category: String,
    pub words: Vec<String>,
}

/// A published position of the supervisory authorities that a kind of processing cannot be run
/// in compliance with the GDPR (`law/positions.yaml`), named by an activity's `position`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Position {
    /// What `position` names: `dsk-facebook-pages`.
    pub id: String,
    pub authority: String,
    /// How messages name the authority: `DSK`.
    pub short: String,
    /// What it published, in English: `decision`.
    pub kind: String,
    /// The day of the decision, ISO.
    pub date: String,
    pub title: String,
    /// What the position says, in English, one sentence.
    pub summary: String,
    pub source: Vec<String>,
    /// What has happened since (court decisions), in English.
    pub status: Option<String>,
    #[serde(default)]
    pub status_source: Vec<String>,
    #[serde(default = "yes")]
    pub verified: bool,
}

/// All law data, parsed once.
#[derive(Debug, Serialize)]
pub struct Law {
    pub legal_bases: Vec<LegalBasisInfo>,
    pub rights: Vec<RightInfo>,
    pub states: Vec<State>,
    pub authorities: Vec<Authority>,
    pub countries: Vec<Country>,
    pub outdated: Vec<OutdatedLaw>,
    pub wording: Wording,
    pub positions: Vec<Position>,
}

/// A legal basis of the model the way lawyers cite it: `Art. 6 Abs. 1 lit. e DSGVO` in German,
/// `Art. 6(1)(e) GDPR` in English.
pub fn cite_article(article: crate::model::Article, language: Language) -> String {
    match (language, article.parts()) {
        (Language::En, _) => format!("Art. {article} GDPR"),
        (Language::De, (number, paragraph, Some(point))) => {
            format!("Art. {number} Abs. {paragraph} lit. {point} DSGVO")
        }
        (Language::De, (number, paragraph, None)) => {
            format!("Art. {number} Abs. {paragraph} DSGVO")
        }
    }
}

/// An article of the law data, written as there (`15`, `7(3)`, `21(1)`), as lawyers cite it.
pub fn cite(code: &str, language: Language) -> String {
    let parts: Vec<&str> = code.split(['(', ')']).filter(|p| !p.is_empty()).collect();
    match (language, parts.as_slice()) {
        (Language::En, _) => format!("Art. {code} GDPR"),
        (Language::De, [article, paragraph]) => format!("Art. {article} Abs. {paragraph} DSGVO"),
        (Language::De, [article, paragraph, point]) => {
            format!("Art. {article} Abs. {paragraph} lit. {point} DSGVO")
        }
        (Language::De, _) => format!("Art. {code} DSGVO"),
    }
}

fn yes() -> bool {
    true
}

/// A file of the law data, as the build turned it from YAML into JSON (build.rs).
macro_rules! law_file {
    ($name:literal) => {
        load(
            $name,
            include_str!(concat!(env!("OUT_DIR"), "/law/", $name, ".json")),
        )
    };
}

fn load<T: for<'de> Deserialize<'de>>(name: &str, json: &str) -> T {
    // The files are embedded at build time and parsed by a unit test, so a failure here is a
    // defect of the build, never of a policy.
    serde_json::from_str(json).unwrap_or_else(|error| panic!("law/{name}.yaml is invalid: {error}"))
}

pub fn law() -> &'static Law {
    static LAW: OnceLock<Law> = OnceLock::new();
    LAW.get_or_init(|| Law {
        legal_bases: law_file!("legal-bases"),
        rights: law_file!("rights"),
        states: law_file!("states"),
        authorities: law_file!("authorities"),
        countries: law_file!("countries"),
        outdated: law_file!("outdated-law"),
        wording: law_file!("wording"),
        positions: law_file!("positions"),
    })
}

impl LegalBasisInfo {
    /// The basis as a DPV term with its prefix, `eu-gdpr:A6-1-e` (the namespace
    /// `https://w3id.org/dpv/legal/eu/gdpr#`, which DPV 1 called `dpv-gdpr:`); `None` where DPV
    /// has none.
    pub fn dpv_term(&self) -> Option<String> {
        self.dpv_verified.then(|| format!("eu-gdpr:{}", self.dpv))
    }
}

impl Authority {
    /// The authority as a DPV term with its prefix, `legal-de:DPA-DE-HE` (the namespace
    /// `https://w3id.org/dpv/legal/de#`); `None` where DPV has none.
    pub fn dpv_term(&self) -> Option<String> {
        self.dpv_verified.then(|| format!("legal-de:{}", self.id))
    }
}

impl Law {
    pub fn legal_basis(&self, code: &str) -> Option<&LegalBasisInfo> {
        self.legal_bases.iter().find(|basis| basis.code == code)
    }

    pub fn right(&self, kind: &str) -> Option<&RightInfo> {
        self.rights.iter().find(|right| right.kind == kind)
    }

    pub fn state(&self, code: &str) -> Option<&State> {
        self.states.iter().find(|state| state.code == code)
    }

    /// The authority that supervises a controller of this kind in this state (`DE` for the
    /// Federation).
    pub fn authority(&self, jurisdiction: &str, bodies: Bodies) -> Option<&Authority> {
        self.authorities.iter().find(|authority| {
            authority.jurisdiction == jurisdiction
                && (authority.bodies == Bodies::All || authority.bodies == bodies)
        })
    }

    /// The day the law data were last compared with their sources: the latest `checked` date.
    pub fn checked(&self) -> &str {
        self.authorities
            .iter()
            .map(|authority| authority.checked.as_str())
            .max()
            .unwrap_or("unknown")
    }

    pub fn country(&self, code: &str) -> Option<&Country> {
        self.countries.iter().find(|country| country.code == code)
    }

    pub fn position(&self, id: &str) -> Option<&Position> {
        self.positions.iter().find(|position| position.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The DPV terms marked verified are those found in w3c/dpv (`legal/eu/gdpr/modules/
    /// legal_basis.ttl`, `legal_basis_special.ttl`, `legal/de/modules/de.ttl`, DPV 2): a term
    /// marked verified that is not among them, or one of them left unmarked, fails here.
    #[test]
    fn dpv_terms_marked_verified_are_those_dpv_has() {
        let law = law();
        let bases: Vec<String> = law
            .legal_bases
            .iter()
            .filter_map(LegalBasisInfo::dpv_term)
            .collect();
        let mut expected: Vec<String> = ('a'..='f')
            .map(|p| format!("eu-gdpr:A6-1-{p}"))
            .chain(('a'..='j').map(|p| format!("eu-gdpr:A9-2-{p}")))
            .collect();
        let mut sorted = bases.clone();
        sorted.sort();
        expected.sort();
        assert_eq!(sorted, expected);
        for basis in &law.legal_bases {
            let (article, paragraph, point) = match basis
                .code
                .split(['(', ')'])
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()[..]
            {
                [a, p] => (a, p, None),
                [a, p, x] => (a, p, Some(x)),
                _ => panic!("{}", basis.code),
            };
            let pattern = match point {
                Some(point) => format!("A{article}-{paragraph}-{point}"),
                None => format!("A{article}-{paragraph}"),
            };
            assert_eq!(basis.dpv, pattern, "{}", basis.code);
        }
        let authorities: Vec<String> = law
            .authorities
            .iter()
            .filter_map(Authority::dpv_term)
            .collect();
        let dpv_de = [
            "DPA-DE",
            "DPA-DE-BB",
            "DPA-DE-BE",
            "DPA-DE-BY-non-public",
            "DPA-DE-BY-public",
            "DPA-DE-HB",
            "DPA-DE-HE",
            "DPA-DE-HH",
            "DPA-DE-MV",
            "DPA-DE-NI",
            "DPA-DE-NW",
            "DPA-DE-RP",
            "DPA-DE-SH",
            "DPA-DE-SL",
            "DPA-DE-SN",
            "DPA-DE-ST",
            "DPA-DE-TH",
        ];
        let mut expected: Vec<String> = dpv_de.iter().map(|id| format!("legal-de:{id}")).collect();
        let mut sorted = authorities.clone();
        sorted.sort();
        expected.sort();
        assert_eq!(sorted, expected);
        // Baden-Württemberg's id follows the pattern; DPV has no term for it.
        assert!(
            law.authority("DE-BW", Bodies::Public)
                .is_some_and(|a| a.dpv_term().is_none())
        );
    }

    #[test]
    fn every_data_file_parses_and_is_consistent() {
        let law = law();
        assert!(law.legal_basis("6(1)(e)").is_some_and(|b| b.needs_law));
        assert!(law.legal_basis("6(1)(a)").is_some_and(|b| b.consent));
        assert!(law.legal_basis("88(1)").is_some_and(|b| b.opening_clause));
        assert_eq!(law.rights.len(), 10);
        for right in &law.rights {
            match &right.required {
                Some(Required::Always(word)) => assert_eq!(word, "always", "{}", right.kind),
                Some(Required::Bases(bases)) => {
                    assert!(
                        bases.iter().all(|b| law.legal_basis(b).is_some()),
                        "{}",
                        right.kind
                    )
                }
                None => {}
            }
        }
        assert!(law.country("IE").is_some_and(|c| c.eea));
        assert!(law.country("US").is_some_and(|c| !c.eea && c.dpf));
        assert!(law.outdated.iter().all(|o| !o.patterns.is_empty()));
        assert_eq!(cite("7(3)", Language::De), "Art. 7 Abs. 3 DSGVO");
        assert_eq!(cite("6(1)(e)", Language::De), "Art. 6 Abs. 1 lit. e DSGVO");
        assert_eq!(cite("15", Language::En), "Art. 15 GDPR");
        assert!(
            law.outdated
                .iter()
                .all(|o| crate::model::Date::parse(&o.since).is_some())
        );
        assert!(law.outdated.iter().all(|o| {
            ["repealed", "renamed", "replaced", "invalidated"].contains(&o.change.as_str())
        }));
        assert!(law.outdated.iter().all(|o| !o.source.is_empty()));
    }

    #[test]
    fn every_position_is_dated_sourced_and_named_once() {
        let law = law();
        assert!(law.position("dsk-facebook-pages").is_some());
        let mut ids: Vec<&str> = law.positions.iter().map(|p| p.id.as_str()).collect();
        ids.sort_unstable();
        let count = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), count, "a position id is used twice");
        for position in &law.positions {
            let id = &position.id;
            assert!(
                crate::model::Date::parse(&position.date).is_some(),
                "{id}: date"
            );
            assert!(
                !position.source.is_empty()
                    && position.source.iter().all(|s| s.starts_with("https://")),
                "{id}: source"
            );
            assert!(
                position.status.is_none() || !position.status_source.is_empty(),
                "{id}: a status needs its source"
            );
            assert!(
                !position.summary.is_empty() && !position.summary.contains('\n'),
                "{id}: summary"
            );
            // An id is written in a policy as a word.
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{id}: an id is lower case letters, digits and `-`"
            );
        }
    }

    #[test]
    fn the_federation_and_every_state_have_an_act_and_a_public_authority() {
        let law = law();
        assert_eq!(law.states.len(), 17);
        assert!(
            law.state("DE")
                .is_some_and(|s| s.cites.iter().any(|c| c == "BDSG"))
        );
        for state in &law.states {
            assert!(
                law.authority(&state.code, Bodies::Public).is_some(),
                "{} has no authority for public bodies",
                state.code
            );
            assert!(state.source.is_some(), "{} has no source", state.code);
            assert!(
                !state.cites.is_empty(),
                "{} has no citation forms",
                state.code
            );
            if let Some(part) = &state.directive_part {
                assert!(part.first < part.last, "{}", state.code);
                assert!(!part.source.is_empty(), "{}", state.code);
            }
        }
        // No citation form is shared by two acts, and the ambiguous bare `LDSG` is never one.
        let mut cites: Vec<&str> = law
            .states
            .iter()
            .flat_map(|s| s.cites.iter().map(String::as_str))
            .collect();
        assert!(!cites.contains(&"LDSG"));
        cites.sort_unstable();
        let count = cites.len();
        cites.dedup();
        assert_eq!(cites.len(), count, "a citation form is shared by two acts");
        let bavaria: Vec<_> = law
            .authorities
            .iter()
            .filter(|a| a.jurisdiction == "DE-BY")
            .collect();
        assert_eq!(bavaria.len(), 2);
        assert!(
            law.authority("DE-BY", Bodies::Private)
                .is_some_and(|a| a.id == "DPA-DE-BY-non-public")
        );
        assert!(
            law.authority("DE-BY", Bodies::Public)
                .is_some_and(|a| a.id == "DPA-DE-BY-public")
        );
    }

    #[test]
    fn every_authority_is_complete_and_dated() {
        let law = law();
        assert!(!law.authorities.is_empty());
        for authority in &law.authorities {
            let id = &authority.id;
            assert!(!authority.name.is_empty(), "{id}");
            assert!(!authority.short.is_empty(), "{id}");
            assert!(authority.email.is_some() || authority.web.is_some(), "{id}");
            assert!(
                !authority.address.is_empty() || !authority.po_box.is_empty(),
                "{id} has neither an address nor a PO box"
            );
            assert!(!authority.source.is_empty(), "{id} has no source");
            assert!(
                crate::model::Date::parse(&authority.checked).is_some(),
                "{id}: checked {} is no date",
                authority.checked
            );
            assert!(
                authority.verified || authority.note.is_some(),
                "{id} is unverified but says not why"
            );
        }
        assert!(crate::model::Date::parse(law.checked()).is_some());
    }

    #[test]
    fn every_adequacy_country_has_a_decision() {
        let law = law();
        for country in &law.countries {
            if country.adequacy || country.dpf {
                assert!(
                    country.decision.is_some(),
                    "{} has no decision",
                    country.code
                );
            }
            assert!(
                !(country.eea && (country.adequacy || country.dpf)),
                "{}",
                country.code
            );
        }
        assert!(law.country("CA").is_some_and(|c| c.partial.is_some()));
        assert!(law.country("JP").is_some_and(|c| c.partial.is_some()));
    }

    #[test]
    fn every_restriction_names_a_known_right() {
        let law = law();
        for state in &law.states {
            for restriction in &state.restrictions {
                assert!(
                    restriction.right == "information" || law.right(&restriction.right).is_some(),
                    "{}: unknown right {}",
                    state.code,
                    restriction.right
                );
                assert!(!restriction.source.is_empty(), "{}", restriction.law);
            }
        }
    }
}
