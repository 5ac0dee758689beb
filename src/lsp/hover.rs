//! `textDocument/hover`: what the word under the cursor means. A keyword shows its description
//! and example from the language table; an article its legal basis from `law/legal-bases.yaml`;
//! a state code the state, its act and its supervisory authority; a country code the country
//! and its adequacy decision; a right its article; a safeguard what it is; an id the declaration
//! it refers to; a lint name after `allow` the lint's explanation.

use std::fmt::Write as _;

use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

use super::cursor::{self, Token};
use super::{Answer, Document, completion, navigation};
use crate::language::{self, Keyword};
use crate::law::{Bodies, cite, law};
use crate::lints::LINTS;
use crate::model::Language;
use crate::syntax::ValueKind;

pub fn hover(document: &Document, params: HoverParams) -> Answer<Option<Hover>> {
    let position = params.text_document_position_params.position;
    let Some(offset) = document.offset(position) else {
        return Ok(None);
    };
    let Some(token) = cursor::token(&document.tree, &document.text, offset) else {
        return Ok(None);
    };
    let (text, span) = match &token {
        Token::Keyword { item, context } => {
            let name = item.keyword.text.as_str();
            let text =
                match language::keyword_in(name, *context).or_else(|| language::keyword(name)) {
                    Some(keyword) => keyword_text(keyword),
                    None => match language::german(name) {
                        Some(keyword) => format!(
                            "`{name}` is German for `{}`; keywords are English.\n\n{}",
                            keyword.name,
                            keyword_text(keyword)
                        ),
                        None => return Ok(None),
                    },
                };
            (text, item.keyword.span)
        }
        Token::Value { item, index } => {
            let value = &item.values[*index];
            let text = match &value.kind {
                ValueKind::Article(code) => legal_basis(code),
                ValueKind::Word(_) => word_text(document, &token),
                _ => None,
            };
            match text {
                Some(text) => (text, value.span),
                None => return Ok(None),
            }
        }
    };
    Ok(Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(document.lines.range(span)),
    }))
}

/// A keyword: what it means, what it takes and an example.
pub(super) fn keyword_text(keyword: &Keyword) -> String {
    let mut text = format!(
        "**{}**: {}\n\nTakes {}",
        keyword.name, keyword.description, keyword.values
    );
    if keyword.repeats {
        text.push_str("; may be repeated");
    }
    if keyword.default {
        text.push_str("; may stand in `defaults`");
    }
    let _ = write!(text, ".\n\n```klar\n{}\n```", keyword.example);
    text
}

/// A word without quotes: what it names where it stands.
fn word_text(document: &Document, token: &Token) -> Option<String> {
    if let Some((symbol, _)) = navigation::symbol_at(document, token) {
        return Some(navigation::describe(document, symbol));
    }
    let Token::Value { item, index } = token else {
        return None;
    };
    let ValueKind::Word(word) = &item.values[*index].kind else {
        return None;
    };
    match (item.keyword.text.as_str(), index) {
        ("state", _) => state(word),
        ("country", _) => country(word),
        ("right", _) => right(word),
        ("allow", _) => lint(word),
        // After the recipient; `transfer none` in its place says there is no transfer.
        ("transfer", 1) => {
            completion::safeguard(word).map(|meaning| format!("**{word}**: {meaning}"))
        }
        _ => None,
    }
}

/// A legal basis: how it is cited, what it is, and what it asks of the notice.
fn legal_basis(code: &str) -> Option<String> {
    let basis = law().legal_basis(code)?;
    let mut text = format!(
        "**{}** ({}): {}\n\n{}",
        cite(code, Language::De),
        cite(code, Language::En),
        basis.de,
        basis.en
    );
    if basis.needs_law {
        text.push_str("\n\nNeeds the Union or member-state law the processing rests on (Art. 6(3)): name it after the article, e.g. `basis 6(1)(e) \"§ 3 HDSIG\"`.");
    }
    if basis.consent {
        text.push_str(
            "\n\nConsent can be withdrawn at any time (Art. 7(3)); klartext states that right.",
        );
    }
    if basis.opening_clause {
        text.push_str("\n\nAn opening clause for national employment law, not a legal basis on its own: name the basis the processing rests on beside it.");
    }
    Some(text)
}

/// A federal state: its act and the authority that supervises its public bodies (and its
/// private ones, where that is another).
fn state(code: &str) -> Option<String> {
    let law = law();
    let state = law.state(code)?;
    let mut text = format!("**{code}**: {}\n\nAct: {}", state.name, state.act);
    if let Some(basis) = &state.general_basis {
        let _ = write!(text, "\n\nGeneral basis for public bodies: {basis}");
    }
    let public = law.authority(code, Bodies::Public);
    let private = law.authority(code, Bodies::Private);
    let authorities = match (public, private) {
        (Some(public), Some(private)) if public.id == private.id => {
            vec![(public, "public and private bodies")]
        }
        (public, private) => public
            .map(|a| (a, "public bodies"))
            .into_iter()
            .chain(private.map(|a| (a, "private bodies")))
            .collect(),
    };
    for (authority, whom) in authorities {
        let _ = write!(
            text,
            "\n\nSupervisory authority ({whom}): {} ({})",
            authority.name, authority.short
        );
        let lines = if authority.address.is_empty() {
            &authority.po_box
        } else {
            &authority.address
        };
        if !lines.is_empty() {
            let _ = write!(text, "  \n{}", lines.join(", "));
        }
        if let Some(web) = &authority.web {
            let _ = write!(text, "  \n{web}");
        }
        if !authority.verified {
            text.push_str("  \n(address not verified)");
        }
    }
    Some(text)
}

/// A country: its name and whether data may go there without further safeguards.
fn country(code: &str) -> Option<String> {
    let country = law().country(code)?;
    let mut text = format!("**{code}**: {} ({})", country.de, country.en);
    if country.eea {
        text.push_str("\n\nIn the EEA: no transfer to a third country.");
    } else if country.adequacy {
        text.push_str("\n\nA third country with an adequacy decision of the Commission");
        if let Some(decision) = &country.decision {
            let _ = write!(text, ": {decision}");
        }
        if let Some(partial) = &country.partial {
            let _ = write!(text, " (covers {})", partial.en);
        }
        text.push('.');
    } else {
        text.push_str("\n\nA third country without an adequacy decision: a transfer needs a safeguard (`scc`, `bcr`, …).");
    }
    if country.dpf {
        text.push_str("\n\nThe EU-US Data Privacy Framework applies (`dpf`).");
    }
    Some(text)
}

fn right(kind: &str) -> Option<String> {
    let right = law().right(kind)?;
    Some(format!(
        "**{}** (Art. {} GDPR): {}\n\n{}",
        right.kind, right.article, right.de, right.en
    ))
}

/// A lint: its default severity, the law and its explanation (`klartext explain`).
pub(super) fn lint(name: &str) -> Option<String> {
    let lint = LINTS.iter().find(|lint| lint.name == name)?;
    let text = crate::explain::text(name)?;
    let severity = match lint.severity {
        crate::diagnostic::Severity::Error => "error",
        crate::diagnostic::Severity::Warning => "warning",
    };
    let law = if lint.law.is_empty() {
        String::new()
    } else {
        format!("; law: {}", lint.law)
    };
    // The explanation starts with the lint's name as a heading, which the line above replaces.
    let body = text
        .split_once('\n')
        .filter(|(heading, _)| heading.starts_with('#'))
        .map_or(text, |(_, rest)| rest);
    Some(format!(
        "**{name}** ({severity} by default{law})\n\n{}",
        body.trim()
    ))
}
