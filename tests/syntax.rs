//! The syntax tree keeps what a formatter and a language server need: a span on every node and
//! every comment with its place.

use klartext::syntax::{ValueKind, parse};

const SOURCE: &str = "# Kopf\npolicy \"T\" { # hinter der Klammer\n  # eigene Zeile\n  retention 30 days # am Ende\n}\n# Schluss\n";

#[test]
fn comments_are_kept_in_order_with_their_spans() {
    let parsed = parse(SOURCE);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let file = parsed.file;
    let comments: Vec<&str> = file.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        comments,
        [
            " Kopf",
            " hinter der Klammer",
            " eigene Zeile",
            " am Ende",
            " Schluss"
        ]
    );
    for comment in &file.comments {
        assert_eq!(&SOURCE[comment.span.range()], format!("#{}", comment.text));
    }
}

#[test]
fn every_node_has_the_span_of_its_text() {
    let parsed = parse(SOURCE);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let file = parsed.file;
    let policy = &file.items[0];
    assert_eq!(&SOURCE[policy.keyword.span.range()], "policy");
    assert_eq!(&SOURCE[policy.values[0].span.range()], "\"T\"");
    let block = policy.block.as_ref().unwrap();
    assert_eq!(
        &SOURCE[policy.block_span.unwrap().range()].chars().next(),
        &Some('{')
    );
    let retention = &block[0];
    assert_eq!(&SOURCE[retention.span.range()], "retention 30 days");
    assert_eq!(&SOURCE[retention.values[0].span.range()], "30 days");
    let ValueKind::Duration { amount, unit } = &retention.values[0].kind else {
        panic!("30 days is a duration");
    };
    assert_eq!((*amount, &SOURCE[unit.span.range()]), (30, "days"));
}

/// Every fact in the model that a person wrote keeps its place: texts, dates, codes, retention.
#[test]
fn facts_in_the_model_keep_their_places() {
    let minimal = include_str!("../examples/minimal.klar");
    let outcome = klartext::compile("minimal.klar", minimal.as_bytes());
    let policy = outcome.policy().unwrap();
    let revised = policy.revised.as_ref().unwrap();
    assert_eq!(&minimal[revised.span.range()], revised.to_string());
    let state = policy.state.as_ref().unwrap();
    assert_eq!(&minimal[state.span.range()], state.value);
    assert_eq!(
        minimal[policy.title.span().range()].trim_matches('"'),
        policy.title.as_str()
    );

    let kassel = include_str!("../policies/stadt-kassel.klar");
    // By its path, so that its import is found.
    let outcome = klartext::compile("policies/stadt-kassel.klar", kassel.as_bytes());
    let at = |span: klartext::diagnostic::Span| &kassel[span.range()];
    let mut retentions = 0;
    for activity in outcome.policy().unwrap().activities() {
        assert!(at(activity.span).starts_with("activity"));
        for retention in &activity.retention {
            assert!(
                at(retention.span).starts_with("retention"),
                "{}",
                at(retention.span)
            );
            retentions += 1;
        }
        for purpose in &activity.purposes {
            assert!(at(purpose.span()).contains(purpose.as_str()));
        }
    }
    assert!(retentions > 10, "{retentions}");
}
