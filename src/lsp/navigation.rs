//! `textDocument/definition`, `references`, `prepareRename` and `rename` for every id: of
//! organisations, controllers, activities and sections. All four read the symbol table lowering
//! builds ([`Policy::symbols`](crate::model::Policy)), which exists also for a file with errors.

use std::collections::HashMap;
use std::fmt::Write as _;

use lsp_server::ErrorCode;
use lsp_types::{
    GotoDefinitionParams, GotoDefinitionResponse, Location, PrepareRenameResponse, ReferenceParams,
    RenameParams, TextDocumentPositionParams, TextEdit, WorkspaceEdit,
};

use super::cursor::{self, Token};
use super::{Answer, Document, error};
use crate::diagnostic::{FileId, Span};
use crate::language::RESERVED_IDS;
use crate::model::{Symbol, SymbolKind};
use crate::syntax::ValueKind;

/// The symbol a token names, as a reference or as the id of its declaration, and the span of
/// the id at the token.
pub fn symbol_at<'d>(document: &'d Document, token: &Token) -> Option<(&'d Symbol, Span)> {
    let Token::Value { item, index } = token else {
        return None;
    };
    let value = &item.values[*index];
    let ValueKind::Word(word) = &value.kind else {
        return None;
    };
    let symbols = &document.policy()?.symbols.symbols;
    let symbol = symbols
        .iter()
        .find(|symbol| symbol.references.contains(&value.span))
        .or_else(|| {
            // The id of a declaration: the symbol table places it at the block's keyword.
            symbols.iter().find(|symbol| {
                *index == 0 && symbol.declared == item.keyword.span && symbol.id == *word
            })
        })?;
    Some((symbol, value.span))
}

/// The symbol at a position, if the position is in the text and an id stands there.
fn symbol_at_position<'d>(
    document: &'d Document,
    position: &TextDocumentPositionParams,
) -> Option<(&'d Symbol, Span)> {
    let offset = document.offset(position.position)?;
    let token = cursor::token(&document.tree, &document.text, offset)?;
    symbol_at(document, &token)
}

/// The id in a symbol's declaration (`sitepark` in `organisation sitepark "…"`).
fn declared_id(document: &Document, symbol: &Symbol) -> Option<Span> {
    if symbol.declared.file != FileId::MAIN {
        return None;
    }
    let item = cursor::item_at(&document.tree.items, symbol.declared.start)?;
    let (id, value) = cursor::id(item)?;
    (id == symbol.id).then_some(value.span)
}

/// Every place of a symbol's id: its declaration first, then its references in source order.
fn places(document: &Document, symbol: &Symbol) -> Vec<Span> {
    declared_id(document, symbol)
        .into_iter()
        .chain(symbol.references.iter().copied())
        .collect()
}

/// Where a span is: in the document, or in a library it imports, as a file of the workspace (the
/// folder the server was started in). A span in the standard library, which is no file, is shown
/// at the start of the document.
fn location(document: &Document, span: Span) -> Location {
    if span.file != FileId::MAIN
        && let Some(file) = document.outcome.source.get(span.file)
        && let Ok(folder) = std::env::current_dir()
        && let Some(uri) = file_uri(&folder.join(file.name()))
    {
        let position = |offset: usize| {
            let (line, column) = file.location(offset);
            let line_start = file.text()[..offset.min(file.text().len())]
                .rfind('\n')
                .map_or(0, |at| at + 1);
            let utf16 = file
                .text()
                .get(line_start..offset)
                .map_or(column.saturating_sub(1), |before| {
                    before.encode_utf16().count()
                });
            lsp_types::Position::new(line.saturating_sub(1) as u32, utf16 as u32)
        };
        return Location::new(
            uri,
            lsp_types::Range::new(position(span.start), position(span.end)),
        );
    }
    Location::new(
        document.uri.clone(),
        super::diagnostics::range(document, span),
    )
}

/// The `file:` URI of an existing file, its path percent-encoded where a URI needs it.
fn file_uri(path: &std::path::Path) -> Option<lsp_types::Uri> {
    if !path.is_file() {
        return None;
    }
    let mut uri = String::from("file://");
    for byte in path.to_str()?.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                uri.push(byte as char)
            }
            other => uri.push_str(&format!("%{other:02X}")),
        }
    }
    uri.parse().ok()
}

pub fn definition(
    document: &Document,
    params: GotoDefinitionParams,
) -> Answer<Option<GotoDefinitionResponse>> {
    let Some((symbol, _)) = symbol_at_position(document, &params.text_document_position_params)
    else {
        return Ok(None);
    };
    let declared = declared_id(document, symbol).unwrap_or(symbol.declared);
    Ok(Some(GotoDefinitionResponse::Scalar(location(
        document, declared,
    ))))
}

pub fn references(document: &Document, params: ReferenceParams) -> Answer<Option<Vec<Location>>> {
    let Some((symbol, _)) = symbol_at_position(document, &params.text_document_position) else {
        return Ok(None);
    };
    let spans = if params.context.include_declaration {
        places(document, symbol)
    } else {
        symbol.references.clone()
    };
    Ok(Some(
        spans
            .into_iter()
            .map(|span| location(document, span))
            .collect(),
    ))
}

pub fn prepare_rename(
    document: &Document,
    params: TextDocumentPositionParams,
) -> Answer<Option<PrepareRenameResponse>> {
    if document.offset(params.position).is_none() {
        return Ok(None);
    }
    match symbol_at_position(document, &params) {
        Some((_, span)) => Ok(Some(PrepareRenameResponse::Range(
            super::diagnostics::range(document, span),
        ))),
        None => Err(error(
            ErrorCode::RequestFailed,
            "only the id of an organisation, controller, activity or section can be renamed",
        )),
    }
}

/// Renames an id at its declaration and every reference. Refuses a name that is not an id, that
/// another id of the same kind has (organisations have their own; controllers, activities and
/// sections share theirs), that klartext keeps for the page, or `none`, which says "no one"
/// where an organisation would stand.
pub fn rename(document: &Document, params: RenameParams) -> Answer<Option<WorkspaceEdit>> {
    let Some((symbol, _)) = symbol_at_position(document, &params.text_document_position) else {
        return Err(error(
            ErrorCode::RequestFailed,
            "there is no id here to rename",
        ));
    };
    let name = params.new_name.as_str();
    if name == symbol.id {
        return Ok(None);
    }
    // An id that a library declares or uses is renamed in the library, for every policy that
    // imports it, not from one of them.
    if let Some(elsewhere) = std::iter::once(symbol.declared)
        .chain(symbol.references.iter().copied())
        .find(|span| span.file != FileId::MAIN)
    {
        let library = document
            .outcome
            .source
            .get(elsewhere.file)
            .map_or("a library", |file| file.name());
        return Err(error(
            ErrorCode::RequestFailed,
            format!(
                "`{}` is also written in {library}: rename it there, for every policy that imports it",
                symbol.id
            ),
        ));
    }
    if let Some(problem) = refusal(document, symbol, name) {
        return Err(error(ErrorCode::RequestFailed, problem));
    }
    let edits = places(document, symbol)
        .into_iter()
        .map(|span| TextEdit::new(super::diagnostics::range(document, span), name.to_string()))
        .collect();
    Ok(Some(WorkspaceEdit::new(HashMap::from([(
        document.uri.clone(),
        edits,
    )]))))
}

/// Why `name` cannot be the new id of `symbol`, if it cannot.
fn refusal(document: &Document, symbol: &Symbol, name: &str) -> Option<String> {
    let is_id = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !is_id {
        return Some(format!(
            "`{name}` is not an id: an id is letters, digits, `-` and `_`, starting with a letter"
        ));
    }
    let organisation = symbol.kind == SymbolKind::Organisation;
    if organisation && name == "none" {
        return Some(
            "`none` says that there is no one; it cannot be the id of an organisation".to_string(),
        );
    }
    if !organisation && RESERVED_IDS.contains(&name) {
        return Some(format!(
            "`{name}` is an anchor klartext uses on the page itself"
        ));
    }
    let policy = document.policy()?;
    let taken = policy.symbols.get(symbol.kind, name)?;
    let (line, _) = document.outcome.source.location(taken.declared.start);
    Some(format!(
        "`{name}` is already the id of the {} on line {line}",
        kind_name(taken.kind)
    ))
}

/// How the kind of a symbol is called.
pub fn kind_name(kind: SymbolKind) -> &'static str {
    match kind {
        SymbolKind::Organisation => "organisation",
        SymbolKind::Controller => "controller",
        SymbolKind::Activity => "activity",
        SymbolKind::Section => "section",
    }
}

/// What a hover on an id shows: what it names, where it is declared and how often it is used.
pub fn describe(document: &Document, symbol: &Symbol) -> String {
    let mut text = format!("**{}** `{}`", kind_name(symbol.kind), symbol.id);
    let declaration = cursor::item_at(&document.tree.items, symbol.declared.start);
    if let Some(title) = declaration.and_then(cursor::title) {
        let _ = write!(text, ": {}", crate::diagnostic::visible(title));
    }
    let organisation = document
        .policy()
        .and_then(|policy| policy.organisation(&symbol.id))
        .filter(|_| symbol.kind == SymbolKind::Organisation);
    if let Some(organisation) = organisation {
        let address: Vec<&str> = organisation
            .contact
            .address
            .iter()
            .map(|l| l.as_str())
            .collect();
        if !address.is_empty() {
            let _ = write!(
                text,
                "  \n{}",
                crate::diagnostic::visible(&address.join(", "))
            );
        }
        if let Some(country) = &organisation.contact.country {
            let _ = write!(text, "  \ncountry {}", country.value);
        }
    }
    let (line, _) = document.outcome.source.location(symbol.declared.start);
    let uses = match symbol.references.len() {
        0 => "not referred to".to_string(),
        1 => "referred to once".to_string(),
        n => format!("referred to {n} times"),
    };
    let _ = write!(text, "\n\nDeclared on line {line}; {uses}.");
    text
}
