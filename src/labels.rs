//! The words the templates put around the facts (`templates/labels.yaml`), per language of the
//! notice: read by rendering, and by lowering, which checks the names a policy's `labels` block
//! gives and titles the statement for all processing.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::model::Language;

/// `templates/labels.yaml` as shipped.
pub const SHIPPED: &str = include_str!("../templates/labels.yaml");

/// Every label, by language code and name.
pub fn all() -> &'static BTreeMap<String, BTreeMap<String, String>> {
    static LABELS: OnceLock<BTreeMap<String, BTreeMap<String, String>>> = OnceLock::new();
    LABELS.get_or_init(|| {
        // Embedded at build time and parsed in every test run: a failure is a defect of the
        // build, never of a policy.
        // Read from the JSON the build made of it (build.rs): YAML is several times slower.
        let json = include_str!(concat!(env!("OUT_DIR"), "/templates/labels.json"));
        serde_json::from_str(json).unwrap_or_else(|error| panic!("templates/labels.yaml: {error}"))
    })
}

/// The shipped wording of a label in a language.
pub fn label(language: Language, name: &str) -> String {
    all()
        .get(language.code())
        .and_then(|labels| labels.get(name))
        .cloned()
        .unwrap_or_else(|| name.to_string())
}

/// The names of the labels (`recipients`, `no_recipients`): what a policy's `labels` block may
/// replace.
pub fn label_names() -> Vec<&'static str> {
    all()
        .get(Language::De.code())
        .map(|labels| labels.keys().map(String::as_str).collect())
        .unwrap_or_default()
}
