//! The JSON and YAML export hold to their published schema, `docs/schema.json`: every shipped
//! policy, the examples and the render fixtures (which between them use every fact) validate,
//! and the schema refuses what the export must not be, so that a field renamed in the model
//! (which would change the export) fails here instead of reaching the readers of the export.

mod common;
use common::klar_files;

use klartext::compile;
use klartext::model::SCHEMA_VERSION;
use klartext::render::{Format, Renderer};
use serde_json::Value;

fn schema_json() -> Value {
    serde_json::from_str(include_str!("../docs/schema.json")).expect("docs/schema.json is JSON")
}

fn schema() -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema_json())
        .expect("docs/schema.json compiles")
}

fn errors(validator: &jsonschema::Validator, export: &Value) -> Vec<String> {
    validator
        .iter_errors(export)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// The JSON and the YAML export of every policy in the folders, read back as JSON values.
fn exports(folders: &[&str]) -> Vec<(String, Value, Value)> {
    let renderer = Renderer::new();
    let mut exports = Vec::new();
    for folder in folders {
        for path in klar_files(folder) {
            let name = path.display().to_string();
            let outcome = compile(&name, &std::fs::read(&path).unwrap());
            let policy = outcome
                .policy()
                .unwrap_or_else(|| panic!("{name} does not compile"));
            let json = renderer.render(policy, Format::Json).unwrap();
            let yaml = renderer.render(policy, Format::Yaml).unwrap();
            let json: Value = serde_json::from_str(&json).unwrap();
            let yaml: Value = serde_yaml_ng::from_str(&yaml).unwrap();
            exports.push((name, json, yaml));
        }
    }
    exports
}

#[test]
fn every_export_validates_against_the_schema() {
    let validator = schema();
    let exports = exports(&["policies", "examples", "tests/render", "tests/rights"]);
    assert!(exports.len() >= 25, "only {} policies found", exports.len());
    for (name, json, yaml) in &exports {
        let problems = errors(&validator, json);
        assert!(problems.is_empty(), "{name} (JSON): {problems:#?}");
        let problems = errors(&validator, yaml);
        assert!(problems.is_empty(), "{name} (YAML): {problems:#?}");
        assert_eq!(json, yaml, "{name}: the YAML export has another shape");
    }
}

#[test]
fn the_schema_names_the_version_the_export_carries() {
    let schema = schema_json();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(
        schema["properties"]["schema_version"]["const"],
        SCHEMA_VERSION
    );
    assert_eq!(
        schema["$id"],
        format!("urn:klartext:schema:notice:{SCHEMA_VERSION}")
    );
    let exports = exports(&["examples"]);
    assert_eq!(exports[0].1["schema_version"], SCHEMA_VERSION);
}

/// A change that makes an export invalid.
type Mutation = Box<dyn Fn(&mut Value)>;

#[test]
fn the_schema_refuses_what_the_export_must_not_be() {
    let validator = schema();
    let (_, export, _) = exports(&["policies"])
        .into_iter()
        .find(|(name, ..)| name.ends_with("stadt-kassel.klar"))
        .expect("policies/stadt-kassel.klar");
    assert!(errors(&validator, &export).is_empty());
    let activity = |export: &mut Value| -> Value {
        export["contents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|part| part["kind"] == "activity" && part["legal_bases"][0].is_object())
            .cloned()
            .unwrap()
    };
    let mutations: Vec<(&str, Mutation)> = vec![
        (
            "a field the schema does not know",
            Box::new(|e| e["internal"] = Value::Bool(true)),
        ),
        (
            "without schema_version",
            Box::new(|e| {
                e.as_object_mut().unwrap().remove("schema_version");
            }),
        ),
        (
            "another schema version",
            Box::new(|e| e["schema_version"] = Value::from(SCHEMA_VERSION + 1)),
        ),
        (
            "an activity's field renamed",
            Box::new(move |e| {
                let mut a = activity(e);
                let bases = a.as_object_mut().unwrap().remove("legal_bases").unwrap();
                a["legalBases"] = bases;
                e["contents"] = Value::Array(vec![a]);
            }),
        ),
        (
            "a DPV id of DPV 1's namespace",
            Box::new(move |e| {
                let mut a = activity(e);
                a["legal_bases"][0]["dpv"] = Value::from("dpv-gdpr:A6-1-e");
                e["contents"] = Value::Array(vec![a]);
            }),
        ),
        (
            "a country in words",
            Box::new(|e| e["organisations"][0]["country"] = Value::from("Irland")),
        ),
        (
            "a date that is no date",
            Box::new(|e| e["revised"] = Value::from("28.08.2023")),
        ),
    ];
    for (what, mutate) in mutations {
        let mut changed = export.clone();
        mutate(&mut changed);
        assert!(
            !validator.is_valid(&changed),
            "the schema accepts an export with {what}"
        );
    }
}
