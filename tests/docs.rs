//! The language reference stays true: every `klar` example in docs/language.md parses, and the
//! complete policies among them compile without errors.

use klartext::compile;
use klartext::syntax::parse;

fn examples() -> Vec<String> {
    let doc = include_str!("../docs/language.md");
    let mut examples = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match (&mut current, line.trim_start()) {
            (None, "```klar") => current = Some(String::new()),
            (Some(_), "```") => examples.extend(current.take()),
            (Some(text), _) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    examples
}

#[test]
fn every_example_parses() {
    let examples = examples();
    assert!(
        examples.len() >= 15,
        "only {} examples found",
        examples.len()
    );
    for example in &examples {
        // Fragments are parsed inside a policy; `…` stands for text left out.
        let source = if example.trim_start().starts_with("policy") {
            example.clone()
        } else {
            format!(
                "policy \"Beispiel\" {{\n{}\n}}\n",
                example.replace('…', "x")
            )
        };
        let problems = parse(&source).problems;
        if let Some(problem) = problems.first() {
            panic!(
                "this example does not parse: {:?}\n{example}",
                problem.message
            );
        }
    }
}

#[test]
fn complete_examples_compile() {
    for example in examples()
        .iter()
        .filter(|e| e.trim_start().starts_with("policy"))
    {
        let outcome = compile("example.klar", example.as_bytes());
        let errors: Vec<String> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| outcome.source.render(d, false))
            .collect();
        assert!(errors.is_empty(), "{}\n{example}", errors.join("\n"));
    }
}
