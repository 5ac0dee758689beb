//! How facts are written: words that the notice's own sentence around them makes wrong, and a
//! "none" written as a text where the language has a word for it.

use crate::diagnostic::Diagnostic;
use crate::model::{Activity, Language, Part, Party, Policy, Text};

use super::warning;

/// The notice writes "vertreten durch" / "represented by" before the value, so a value that
/// starts with a nominative article reads "vertreten durch Der Oberbürgermeister".
pub fn represented_by(policy: &Policy, findings: &mut Vec<Diagnostic>) {
    let written = policy
        .contents
        .iter()
        .filter_map(|part| match part {
            Part::Controller(controller) => controller.represented_by.as_ref(),
            _ => None,
        })
        .chain(
            policy
                .organisations
                .iter()
                .filter_map(|organisation| organisation.represented_by.as_ref()),
        );
    for text in written {
        let Some((article, replacement)) = article(text, policy.language) else {
            continue;
        };
        let Some(span) = text.source_span(0..article.len()) else {
            continue;
        };
        let phrase = match policy.language {
            Language::De => "vertreten durch",
            Language::En => "represented by",
        };
        findings.push(
            warning(
                "represented-by-article",
                span,
                format!("the notice writes “{phrase} {text}”"),
                format!("write the value as it follows “{phrase}”: `{replacement}` instead of `{article}`"),
            )
            .with_fix(span, replacement, format!("replace with `{replacement}`")),
        );
    }
}

/// The article a text starts with, and what it becomes after "vertreten durch".
fn article(text: &Text, language: Language) -> Option<(&'static str, &'static str)> {
    let pairs: &[(&str, &str)] = match language {
        Language::De => &[("Der ", "den"), ("Die ", "die"), ("Das ", "das")],
        Language::En => &[("The ", "the")],
    };
    pairs
        .iter()
        .find(|(article, _)| text.starts_with(article))
        .map(|(article, replacement)| (article.trim_end(), *replacement))
}

/// `recipients "keine"` lists a recipient called "keine"; `recipients none` says there is none.
pub fn none_in_words(activity: &Activity, findings: &mut Vec<Diagnostic>) {
    for recipient in activity.recipients.items() {
        let Party::Category(text) = &recipient.party else {
            continue;
        };
        if !crate::language::says_none(text) || !text.is_written() {
            continue;
        }
        findings.push(
            warning(
                "none-in-words",
                text.span(),
                format!("“{text}” is listed as a recipient, as if it were one"),
                "write `recipients none`: the notice then says that no one receives the data",
            )
            .with_fix(text.span(), "none", "replace with `none`"),
        );
    }
}
