//! Law as data: legal bases, rights, states, countries and outdated law, from the reviewed YAML
//! files in `law/`, embedded in the binary.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::model::Language;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LegalBasisInfo {
    pub code: String,
    pub dpv: String,
    #[serde(default)]
    pub consent: bool,
    #[serde(default)]
    pub needs_law: bool,
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

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct State {
    pub code: String,
    pub name: String,
    pub act: String,
    pub general_basis: Option<String>,
    #[serde(default = "yes")]
    pub verified: bool,
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

/// All law data, parsed once.
#[derive(Debug, Serialize)]
pub struct Law {
    pub legal_bases: Vec<LegalBasisInfo>,
    pub rights: Vec<RightInfo>,
    pub states: Vec<State>,
    pub countries: Vec<Country>,
    pub outdated: Vec<OutdatedLaw>,
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

fn load<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> T {
    // The files are embedded at build time and parsed by a unit test, so a failure here is a
    // defect of the build, never of a policy.
    serde_yaml_ng::from_str(text).unwrap_or_else(|error| panic!("law/{name} is invalid: {error}"))
}

pub fn law() -> &'static Law {
    static LAW: OnceLock<Law> = OnceLock::new();
    LAW.get_or_init(|| Law {
        legal_bases: load("legal-bases.yaml", include_str!("../law/legal-bases.yaml")),
        rights: load("rights.yaml", include_str!("../law/rights.yaml")),
        states: load("states.yaml", include_str!("../law/states.yaml")),
        countries: load("countries.yaml", include_str!("../law/countries.yaml")),
        outdated: load(
            "outdated-law.yaml",
            include_str!("../law/outdated-law.yaml"),
        ),
    })
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

    pub fn country(&self, code: &str) -> Option<&Country> {
        self.countries.iter().find(|country| country.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_file_parses_and_is_consistent() {
        let law = law();
        assert_eq!(law.states.len(), 16);
        assert!(law.legal_basis("6(1)(e)").is_some_and(|b| b.needs_law));
        assert!(law.legal_basis("6(1)(a)").is_some_and(|b| b.consent));
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
    }
}
