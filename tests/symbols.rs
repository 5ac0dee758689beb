//! The symbol table lowering returns with the model: every id, where it is declared and every
//! place that refers to it, as an editor needs them for "go to definition" and "find uses".

use klartext::compile;
use klartext::model::SymbolKind;

#[test]
fn every_declaration_and_reference_of_the_shipped_policies_is_found() {
    for name in [
        "stadt-kassel",
        "landkreis-kassel",
        "castrop-rauxel",
        "kai-gruppe",
        "lippstadt",
    ] {
        let path = format!("{}/policies/{name}.klar", env!("CARGO_MANIFEST_DIR"));
        let source = std::fs::read_to_string(&path).unwrap();
        let outcome = compile(&path, source.as_bytes());
        let policy = outcome.policy().unwrap();
        let symbols = &policy.symbols.symbols;
        assert_eq!(
            symbols
                .iter()
                .filter(|s| s.kind == SymbolKind::Organisation)
                .count(),
            policy.organisations.len(),
            "{name}"
        );
        // A symbol may be declared in a library the policy imports.
        let text = |span: klartext::diagnostic::Span| {
            let file = outcome
                .source
                .get(span.file)
                .expect("a source of this compile");
            file.text()[span.range()].to_string()
        };
        for symbol in symbols {
            let declared = text(symbol.declared);
            assert!(
                declared.starts_with(match symbol.kind {
                    SymbolKind::Organisation => "organisation",
                    SymbolKind::Controller => "controller",
                    SymbolKind::Activity => "activity",
                    SymbolKind::Section => "section",
                }),
                "{name}: {} declared at {declared:?}",
                symbol.id
            );
            for reference in &symbol.references {
                assert_eq!(text(*reference), symbol.id, "{name}");
            }
            // The table finds the symbol from the place of its declaration.
            assert_eq!(
                policy.symbols.at(symbol.declared).map(|s| &s.id),
                Some(&symbol.id)
            );
        }
        // Every organisation of the corpus is referred to somewhere.
        for symbol in symbols
            .iter()
            .filter(|s| s.kind == SymbolKind::Organisation)
        {
            assert!(
                !symbol.references.is_empty(),
                "{name}: {} is never referred to",
                symbol.id
            );
        }
    }
}

#[test]
fn references_are_listed_once_and_unknown_ids_have_no_symbol() {
    let source = r#"policy "T" {
  controller stadt "Stadt" { address "Markt 1" }
  organisation hoster "Hosting AG" { address "Weg 1" }
  defaults {
    processor hoster
  }
  activity a "A" { controller stadt }
  activity b "B" { recipient hoster; recipient nobody }
}
"#;
    let outcome = compile("t.klar", source.as_bytes());
    let symbols = &outcome.model.as_ref().unwrap().symbols;
    let hoster = symbols.get(SymbolKind::Organisation, "hoster").unwrap();
    // The processor in `defaults` is inherited by both activities but written once.
    let places: Vec<&str> = hoster
        .references
        .iter()
        .map(|span| &source[span.start.saturating_sub(10)..span.end])
        .collect();
    assert_eq!(hoster.references.len(), 2, "{places:?}");
    let stadt = symbols.get(SymbolKind::Controller, "stadt").unwrap();
    assert_eq!(stadt.references.len(), 1);
    assert!(symbols.get(SymbolKind::Organisation, "nobody").is_none());
    assert!(symbols.get(SymbolKind::Organisation, "stadt").is_none());
    assert_eq!(
        symbols.at(hoster.references[0]).map(|s| s.id.as_str()),
        Some("hoster")
    );
}

/// A reference in `defaults` that no activity takes is still a reference: a rename must change it.
#[test]
fn a_reference_in_defaults_no_activity_takes_is_listed() {
    let source = "policy \"T\" {\n  organisation hoster \"Hoster\" { address \"Weg 1\", \"12345 Ort\" }\n  \
                  defaults {\n    processor hoster\n  }\n  activity a \"A\" {\n    processor none-of-them\n  }\n}\n";
    let outcome = compile("defaults.klar", source.as_bytes());
    let policy = outcome.model.as_ref().unwrap();
    let hoster = policy
        .symbols
        .get(SymbolKind::Organisation, "hoster")
        .expect("hoster is declared");
    assert_eq!(hoster.references.len(), 1, "{:?}", hoster.references);
    assert_eq!(&source[hoster.references[0].range()], "hoster");
}
