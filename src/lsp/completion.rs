//! `textDocument/completion`: what may be written at the cursor.
//!
//! At the start of a fact, the keywords of the block the cursor is in (inside an activity, the
//! facts of an activity: [`language::in_context`]), less those that may stand once and already
//! do. After a keyword, its values: the declared ids where a reference is expected
//! (`processor `), lint names after `allow`, state and country codes, units after a number,
//! rights, legal-basis articles, safeguards, and the words a keyword takes (`none`, `public`).
//! Nothing inside quotes or comments.

use std::borrow::Cow;

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, CompletionTextEdit,
    CompletionTriggerKind, Documentation, MarkupContent, MarkupKind, TextEdit,
};

use super::cursor;
use super::{Answer, Document, hover};
use crate::diagnostic::Span;
use crate::language::{self, Context};
use crate::law::law;
use crate::lints::LINTS;
use crate::lower::{SAFEGUARDS, TIME_UNITS};
use crate::syntax::{Item, ValueKind};

pub fn completion(
    document: &Document,
    params: CompletionParams,
) -> Answer<Option<CompletionResponse>> {
    let Some(offset) = document.offset(params.text_document_position.position) else {
        return Ok(None);
    };
    let text = document.text.as_str();
    if in_text_or_comment(document, offset) {
        return Ok(None);
    }
    let start = word_start(text, offset);
    // A space typed at the start of a line is indentation, not a request for keywords.
    let by_space = params
        .context
        .is_some_and(|context| context.trigger_kind == CompletionTriggerKind::TRIGGER_CHARACTER);
    let offers = match site(document, offset, start) {
        Site::Keyword {
            context,
            block,
            typed,
        } if !by_space => keywords(context, block, typed),
        Site::Value {
            context,
            item,
            index,
        } => values(document, context, &item, index, start),
        _ => Vec::new(),
    };
    let range = document
        .lines
        .range(Span::new(start, word_end(text, offset)));
    let items = offers
        .into_iter()
        .enumerate()
        .map(|(order, offer)| CompletionItem {
            label: offer.label.clone(),
            kind: Some(offer.kind),
            detail: offer.detail,
            documentation: offer.documentation.map(|value| {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value,
                })
            }),
            // Ours is the order of the notice (keywords) or of the source (ids).
            sort_text: Some(format!("{order:04}")),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, offer.label))),
            ..CompletionItem::default()
        })
        .collect();
    Ok(Some(CompletionResponse::Array(items)))
}

/// One thing that may be written at the cursor.
struct Offer {
    label: String,
    kind: CompletionItemKind,
    detail: Option<String>,
    documentation: Option<String>,
}

impl Offer {
    fn new(label: impl Into<String>, kind: CompletionItemKind, detail: impl Into<String>) -> Offer {
        Offer {
            label: label.into(),
            kind,
            detail: Some(detail.into()).filter(|d: &String| !d.is_empty()),
            documentation: None,
        }
    }
}

/// Where the cursor stands.
enum Site<'t> {
    /// Where a fact starts, in a block of `context`.
    Keyword {
        context: Context,
        block: Option<&'t Item>,
        /// The item whose keyword is being typed, if the tree has it.
        typed: Option<&'t Item>,
    },
    /// After the keyword of `item`, where its value number `index` goes. The item is the
    /// tree's or, for a fact the parser could not read (a list that still ends in a comma while
    /// its next value is typed), the fact up to the cursor read alone.
    Value {
        context: Context,
        item: Cow<'t, Item>,
        index: usize,
    },
    Nothing,
}

/// Where the cursor at `offset`, in a word that starts at `start`, stands.
fn site<'t>(document: &'t Document, offset: usize, start: usize) -> Site<'t> {
    let text = document.text.as_str();
    let tree = &document.tree;
    let scopes = cursor::scopes(tree, text, offset);
    let Some(&(context, block)) = scopes.last() else {
        return Site::Nothing;
    };
    let items = block.map_or(tree.items.as_slice(), |item| {
        item.block.as_deref().unwrap_or_default()
    });
    // The last item that starts before the word: the cursor may be in its values.
    if let Some(item) = items.iter().rev().find(|item| item.span.start <= start) {
        if item.keyword.span.start == start {
            return Site::Keyword {
                context,
                block,
                typed: Some(item),
            };
        }
        let continues = start >= item.keyword.span.end
            && (start <= item.span.end || goes_on(&text[item.span.end..start]));
        if continues {
            let index = item
                .values
                .iter()
                .filter(|value| value.span.end <= start && value.span.start < start)
                .count();
            return Site::Value {
                context,
                item: Cow::Borrowed(item),
                index,
            };
        }
    }
    let fact = &text[fact_start(text, start)..start];
    if fact.chars().all(|c| c == ' ' || c == '\t') {
        return Site::Keyword {
            context,
            block,
            typed: None,
        };
    }
    let read = crate::syntax::parse(fact.trim_end().trim_end_matches(','));
    match <[Item; 1]>::try_from(read.file.items) {
        Ok([item]) if read.problems.is_empty() && item.block.is_none() => Site::Value {
            context,
            index: item.values.len(),
            item: Cow::Owned(item),
        },
        _ => Site::Nothing,
    }
}

/// Where the fact that holds `start` starts: after the last line break, `{` or `;` before it,
/// or on a line further up while the lines before it end in a comma (a list that goes on).
fn fact_start(text: &str, start: usize) -> usize {
    let mut end = start;
    loop {
        let before = &text[..end];
        let begin = before.rfind(['\n', '\r', '{', ';']).map_or(0, |at| at + 1);
        let above = &before[..begin];
        let goes_on = above.ends_with(['\n', '\r']) && above.trim_end().ends_with(',');
        if !goes_on {
            return begin;
        }
        end = above.trim_end().len() - 1;
    }
}

/// Whether the text between the end of an item and the cursor keeps the cursor in the item:
/// spaces, or a comma that continues the list, also on the next line.
fn goes_on(gap: &str) -> bool {
    let gap = gap.trim_start_matches([' ', '\t']);
    match gap.strip_prefix(',') {
        Some(rest) => rest.chars().all(char::is_whitespace),
        None => gap.is_empty(),
    }
}

/// Whether a byte is part of a word: ids, keywords and articles (`6(1)(e)`) count as one.
fn in_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'(' | b')')
}

/// Where the word the cursor is in (or right after) starts.
fn word_start(text: &str, offset: usize) -> usize {
    let before = &text.as_bytes()[..offset];
    offset - before.iter().rev().take_while(|&&b| in_word(b)).count()
}

/// Where the word the cursor is in (or right before) ends: a completion replaces all of it.
fn word_end(text: &str, offset: usize) -> usize {
    let after = &text.as_bytes()[offset..];
    offset + after.iter().take_while(|&&b| in_word(b)).count()
}

/// Whether the cursor is inside quotes, a text block or a comment, where nothing is completed.
fn in_text_or_comment(document: &Document, offset: usize) -> bool {
    fn in_text(items: &[Item], offset: usize) -> bool {
        items.iter().any(|item| {
            item.values.iter().any(|value| {
                matches!(value.kind, ValueKind::String(_) | ValueKind::TextBlock(_))
                    && value.span.start < offset
                    && offset < value.span.end
            }) || in_text(item.block.as_deref().unwrap_or_default(), offset)
        })
    }
    if in_text(&document.tree.items, offset) {
        return true;
    }
    // The line up to the cursor: a quote still open, or a `#` outside quotes.
    let text = &document.text[..offset];
    let line = &text[text.rfind(['\n', '\r']).map_or(0, |at| at + 1)..];
    let mut quoted = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' if quoted => {
                chars.next();
            }
            '#' if !quoted => return true,
            _ => {}
        }
    }
    quoted
}

/// The keywords that may start a fact in a block of `context`: each once if it may stand only
/// once and the block does not have it yet (apart from the one being typed).
fn keywords(context: Context, block: Option<&Item>, typed: Option<&Item>) -> Vec<Offer> {
    let present: Vec<&str> = block
        .and_then(|block| block.block.as_deref())
        .unwrap_or_default()
        .iter()
        .filter(|item| typed.is_none_or(|typed| !std::ptr::eq(*item, typed)))
        .map(|item| item.keyword.text.as_str())
        .collect();
    language::in_context(context)
        .filter(|keyword| keyword.repeats || !present.contains(&keyword.name))
        .map(|keyword| Offer {
            documentation: Some(hover::keyword_text(keyword)),
            ..Offer::new(
                keyword.name,
                CompletionItemKind::KEYWORD,
                keyword.description,
            )
        })
        .collect()
}

/// The values that may follow the keyword of `item` as its value number `index`.
fn values(
    document: &Document,
    context: Context,
    item: &Item,
    index: usize,
    start: usize,
) -> Vec<Offer> {
    let keyword = item.keyword.text.as_str();
    let previous = item.values.get(index.wrapping_sub(1));
    // After a number, or in place of a duration's unit, comes a unit.
    let amount = match previous.map(|value| &value.kind) {
        Some(ValueKind::Number(amount)) => Some(*amount),
        _ => item.values.iter().find_map(|value| match &value.kind {
            ValueKind::Duration { amount, unit } if unit.span.start == start => Some(*amount),
            _ => None,
        }),
    };
    if let Some(amount) = amount {
        return units(amount);
    }
    let in_activity = matches!(context, Context::Activity | Context::Defaults);
    match (keyword, context) {
        ("allow", _) => lints(item),
        ("state", Context::Policy) => states(),
        ("language", Context::Policy) => words(&[("de", "German"), ("en", "English")]),
        ("defaults", Context::Policy) if index == 0 => words(&[(
            "once",
            "the notice says the defaults once for all processing",
        )]),
        ("kind", Context::Controller) => words(&[
            ("public", "a public body (the default)"),
            ("private", "a company or an association"),
        ]),
        ("country", context) if context.has_contact_details() => countries(),
        ("right", Context::Rights) => rights(),
        ("provider", Context::Cookie) => organisations(document),
        ("processor" | "joint-controller" | "operator", _) if in_activity => {
            organisations(document)
        }
        ("partner", _) if in_activity && index == 0 => organisations(document),
        ("recipients" | "recipient" | "transfer", _) if in_activity && index == 0 => {
            let mut offers = words(&[("none", "there are none")]);
            offers.extend(organisations(document));
            offers
        }
        ("recipients" | "recipient", _) if in_activity => organisations(document),
        ("transfer", _) if in_activity && index == 1 => safeguards(),
        ("controller", _) if in_activity && index == 0 => controllers(document),
        ("basis", _) if in_activity && index == 0 => articles(),
        ("retention", _) if in_activity && index == 0 => words(&[
            ("at-most", "an upper limit: `retention at-most 1 year`"),
            ("until", "until an event: `retention until \"…\"`"),
            (
                "statutory",
                "a statutory period, with the law: `retention statutory \"§ 147 AO\"`",
            ),
            (
                "criteria",
                "the criteria for the period: `retention criteria \"…\"`",
            ),
            (
                "archive",
                "offered to an archive: `retention archive \"Stadtarchiv …\" \"law\"`",
            ),
        ]),
        ("automated-decisions", _) if in_activity && index == 0 => {
            words(&[("none", "there are none")])
        }
        ("lead-in", _) if in_activity && index == 0 => words(&[
            ("data", "a sentence before the list of data"),
            ("purpose", "a sentence before the list of purposes"),
        ]),
        _ => Vec::new(),
    }
}

fn words(words: &[(&str, &str)]) -> Vec<Offer> {
    words
        .iter()
        .map(|(word, detail)| Offer::new(*word, CompletionItemKind::KEYWORD, *detail))
        .collect()
}

/// The lints an `allow` can accept, less those it names already.
fn lints(item: &Item) -> Vec<Offer> {
    let named: Vec<&str> = item
        .values
        .iter()
        .filter_map(|value| match &value.kind {
            ValueKind::Word(word) => Some(word.as_str()),
            _ => None,
        })
        .collect();
    LINTS
        .iter()
        // An unused `allow` cannot itself be allowed: it is found after the allowances.
        .filter(|lint| lint.name != "unused-allow" && !named.contains(&lint.name))
        .map(|lint| Offer {
            documentation: hover::lint(lint.name),
            ..Offer::new(lint.name, CompletionItemKind::VALUE, lint.summary)
        })
        .collect()
}

fn states() -> Vec<Offer> {
    law()
        .states
        .iter()
        .map(|state| {
            Offer::new(
                &state.code,
                CompletionItemKind::ENUM_MEMBER,
                format!("{}: {}", state.name, state.act),
            )
        })
        .collect()
}

fn countries() -> Vec<Offer> {
    law()
        .countries
        .iter()
        .map(|country| Offer::new(&country.code, CompletionItemKind::ENUM_MEMBER, &country.de))
        .collect()
}

fn rights() -> Vec<Offer> {
    law()
        .rights
        .iter()
        .map(|right| {
            Offer::new(
                &right.kind,
                CompletionItemKind::ENUM_MEMBER,
                format!("Art. {}: {}", right.article, right.de),
            )
        })
        .collect()
}

/// The articles a legal basis may name, each with its point where it has points (`6(1)` alone
/// is incomplete).
fn articles() -> Vec<Offer> {
    let bases = &law().legal_bases;
    bases
        .iter()
        .filter(|basis| {
            !bases.iter().any(|other| {
                other.code.len() > basis.code.len() && other.code.starts_with(&basis.code)
            })
        })
        .map(|basis| Offer::new(&basis.code, CompletionItemKind::CONSTANT, &basis.de))
        .collect()
}

/// What a safeguard of a transfer means, for a word that is one.
pub(super) fn safeguard(word: &str) -> Option<&'static str> {
    Some(match word {
        "adequacy" => "an adequacy decision of the Commission for the country (Art. 45)",
        "dpf" => "the EU-US Data Privacy Framework (United States only)",
        "scc" => "standard contractual clauses (Art. 46(2)(c))",
        "bcr" => "binding corporate rules (Art. 47)",
        "derogation" => "a derogation of Art. 49(1), with its point: `derogation 49(1)(a)`",
        "none" => "no safeguard: the checker reports the transfer",
        _ => return None,
    })
}

fn safeguards() -> Vec<Offer> {
    SAFEGUARDS
        .iter()
        .map(|word| {
            let meaning = safeguard(word).unwrap_or_default();
            Offer::new(*word, CompletionItemKind::ENUM_MEMBER, meaning)
        })
        .collect()
}

/// The units of time, singular after 1 and plural after any other number.
fn units(amount: u64) -> Vec<Offer> {
    TIME_UNITS
        .iter()
        .filter(|unit| unit.ends_with('s') != (amount == 1))
        .map(|unit| Offer::new(*unit, CompletionItemKind::UNIT, ""))
        .collect()
}

/// The organisations of the policy, in the order of their declarations, each once.
fn organisations(document: &Document) -> Vec<Offer> {
    let Some(policy) = document.policy() else {
        return Vec::new();
    };
    let mut offers: Vec<Offer> = Vec::new();
    for organisation in &policy.organisations {
        if offers.iter().all(|offer| offer.label != organisation.id) {
            offers.push(Offer::new(
                &organisation.id,
                CompletionItemKind::REFERENCE,
                organisation.name.as_str(),
            ));
        }
    }
    offers
}

/// The controllers of the policy that have an id.
fn controllers(document: &Document) -> Vec<Offer> {
    let Some(policy) = document.policy() else {
        return Vec::new();
    };
    policy
        .contents
        .iter()
        .filter_map(|part| match part {
            crate::model::Part::Controller(controller) => controller
                .id
                .as_ref()
                .map(|id| Offer::new(id, CompletionItemKind::REFERENCE, controller.name.as_str())),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    /// A policy with `line` (its cursor written `|`) in the block `place` (`activity`, `policy`,
    /// `controller`, `organisation` or `rights`), and the byte offset of the cursor.
    fn policy_with(place: &str, line: &str) -> (String, usize) {
        let template = "policy \"P\" {\n  @policy\n  controller stadt \"Stadt\" {\n    address \"Markt 1\"\n    @controller\n  }\n  \
             organisation hoster \"Hosting AG\" {\n    @organisation\n  }\n  organisation cloud \"Cloud Inc.\" { country US }\n  \
             rights {\n    right access\n    @rights\n  }\n  activity a \"A\" {\n    data \"IP\"\n    @activity\n  }\n}\n";
        let mut text = template.replace(&format!("@{place}"), line);
        for other in ["policy", "controller", "organisation", "rights", "activity"] {
            text = text.replace(&format!("@{other}"), "");
        }
        let cursor = text.find('|').unwrap();
        (text.replacen('|', "", 1), cursor)
    }

    fn document(text: &str) -> Document {
        Document::new(&"file:///t.klar".parse().unwrap(), 1, text.to_string())
    }

    /// The labels completion offers at the cursor of `line` in `place`.
    fn offered(place: &str, line: &str) -> Vec<String> {
        let (text, cursor) = policy_with(place, line);
        let document = document(&text);
        let start = word_start(&text, cursor);
        let Site::Value {
            context,
            item,
            index,
        } = site(&document, cursor, start)
        else {
            panic!("{line}: not after a keyword");
        };
        values(&document, context, &item, index, start)
            .into_iter()
            .map(|offer| offer.label)
            .collect()
    }

    /// Every value offered after a keyword, written there (with what must follow it), is read by
    /// lowering without an error on its line: the word lists agree with the language. The
    /// cursor after a comma at the end of a list is on a line the parser cannot read yet.
    #[test]
    fn every_value_offered_is_one_the_language_takes() {
        let sites = [
            ("activity", "processor |", "", "hoster"),
            ("activity", "recipients \"Presse\", |", "", "cloud"),
            ("activity", "transfer |", "", "none"),
            ("activity", "transfer cloud |", "", "scc"),
            ("activity", "joint-controller |", "", "hoster"),
            ("activity", "controller |", "", "stadt"),
            ("activity", "basis |", " \"§ 3 HDSIG\"", "6(1)(e)"),
            ("activity", "retention |", " \"x\"", "until"),
            ("activity", "retention 30 |", "", "days"),
            ("activity", "retention 1 |", "", "year"),
            ("activity", "automated-decisions |", "", "none"),
            ("activity", "lead-in |", " \"x\"", "data"),
            ("activity", "allow |", " \"x\"", "missing-purpose"),
            (
                "activity",
                "cookie \"c\" { provider |; necessary }",
                "",
                "cloud",
            ),
            (
                "activity",
                "cookie \"c\" { lifetime 2 |; necessary }",
                "",
                "months",
            ),
            ("policy", "state |", "", "DE-HE"),
            ("policy", "language |", "", "en"),
            ("policy", "allow |", " \"x\"", "missing-revision-date"),
            ("controller", "kind |", "", "private"),
            ("organisation", "country |", "", "IE"),
            ("rights", "right |", "", "portability"),
        ];
        for (place, line, rest, expected) in sites {
            let words = offered(place, line);
            assert!(words.iter().any(|w| w == expected), "{line}: {words:?}");
            for word in words {
                // `derogation` needs its point of Art. 49(1), `at-most` a duration.
                let rest = match word.as_str() {
                    "derogation" => " 49(1)(a)",
                    "at-most" => " 1 year",
                    _ => rest,
                };
                let written = line.replacen('|', &format!("{word}{rest}"), 1);
                let (text, cursor) = policy_with(place, &format!("{written}|"));
                let document = document(&text);
                let line_of = |offset: usize| text[..offset].matches('\n').count();
                let errors: Vec<_> = document
                    .outcome
                    .diagnostics
                    .iter()
                    // Lints judge what the value says (a transfer inside the EEA); the language
                    // is what is tested here.
                    .filter(|d| !LINTS.iter().any(|lint| lint.name == d.name))
                    .filter(|d| {
                        d.severity == Severity::Error && line_of(d.span.start) == line_of(cursor)
                    })
                    .map(|d| &d.message)
                    .collect();
                assert!(errors.is_empty(), "`{written}`: {errors:?}");
            }
        }
    }

    #[test]
    fn values_outside_an_activity_and_nothing_in_quotes_or_comments() {
        let at = |text: &str, needle: &str| -> Vec<String> {
            let document = document(text);
            let cursor = text.find(needle).unwrap() + needle.len();
            let start = word_start(text, cursor);
            match site(&document, cursor, start) {
                Site::Value {
                    context,
                    item,
                    index,
                } => values(&document, context, &item, index, start)
                    .into_iter()
                    .map(|offer| offer.label)
                    .collect(),
                _ => Vec::new(),
            }
        };
        let text = "policy \"P\" {\n  state DE-\n  language \n  controller c \"C\" { kind p; country I }\n  rights { right acc }\n}\n";
        assert!(at(text, "state DE-").contains(&"DE-HE".to_string()));
        assert_eq!(at(text, "language "), ["de", "en"]);
        assert_eq!(at(text, "kind p"), ["public", "private"]);
        assert!(at(text, "country I").contains(&"IE".to_string()));
        assert!(at(text, "right acc").contains(&"access".to_string()));

        let text = "policy \"P\" {\n  # processor \n  activity a \"A\" { purpose \"processor \"\n    text \"\"\"\n      processor \n    \"\"\"\n  }\n}\n";
        let document = document(text);
        for needle in ["# processor ", "purpose \"processor ", "      processor "] {
            let cursor = text.find(needle).unwrap() + needle.len();
            assert!(in_text_or_comment(&document, cursor), "{needle}");
        }
    }

    #[test]
    fn keywords_that_stand_once_are_offered_until_they_do() {
        let text = "policy \"P\" {\n  language de\n  \n}\n";
        let document = document(text);
        let cursor = text.find("\n  \n").unwrap() + 3;
        let Site::Keyword {
            context,
            block,
            typed,
        } = site(&document, cursor, cursor)
        else {
            panic!("not where a fact starts");
        };
        assert_eq!(context, Context::Policy);
        let names: Vec<String> = keywords(context, block, typed)
            .into_iter()
            .map(|offer| offer.label)
            .collect();
        assert!(!names.contains(&"language".to_string()), "{names:?}");
        assert!(names.contains(&"state".to_string()), "{names:?}");
        assert!(names.contains(&"activity".to_string()), "{names:?}");
    }
}
