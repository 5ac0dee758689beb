//! `textDocument/documentSymbol`: the outline of a policy, its controllers, organisations,
//! supervisory authority, activities, sections and rights, nested as in the file.
//!
//! Read from the syntax tree, which exists for any text: a file with errors still has its
//! outline, with what could be read.

use lsp_types::{DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, SymbolKind};

use super::cursor;
use super::{Answer, Document};
use crate::diagnostic::visible;
use crate::language::{self, Context};
use crate::syntax::Item;

pub fn outline(
    document: &Document,
    _params: DocumentSymbolParams,
) -> Answer<Option<DocumentSymbolResponse>> {
    Ok(Some(DocumentSymbolResponse::Nested(symbols(
        document,
        &document.tree.items,
        Context::File,
    ))))
}

/// How the outline shows the parts of a notice, by the context of their facts; `None` for the
/// blocks it does not show (a cookie, a legal basis, contact details).
fn kind(context: Context) -> Option<SymbolKind> {
    Some(match context {
        Context::Policy => SymbolKind::FILE,
        Context::Controller => SymbolKind::CLASS,
        Context::Organisation => SymbolKind::STRUCT,
        Context::Authority => SymbolKind::OBJECT,
        Context::Activity => SymbolKind::FUNCTION,
        Context::Section => SymbolKind::NAMESPACE,
        Context::Rights => SymbolKind::PROPERTY,
        _ => return None,
    })
}

/// The symbols of `items`, facts of a block of `context`, and of the blocks inside them: a part
/// the outline shows takes the symbols found inside it as its children; other blocks pass
/// theirs up. A word is a part only where the language makes it one: `organisation` in the
/// policy, not the officer's firm; `controller` with its block, not an activity's reference.
fn symbols(document: &Document, items: &[Item], context: Context) -> Vec<DocumentSymbol> {
    let mut found = Vec::new();
    for item in items {
        let opens = language::block_context(context, &item.keyword.text);
        let inner = match (opens, item.block.as_deref()) {
            (Some(inner), Some(block)) => symbols(document, block, inner),
            _ => Vec::new(),
        };
        let Some(kind) = opens.and_then(kind) else {
            found.extend(inner);
            continue;
        };
        let id = cursor::id(item);
        let title = cursor::title(item)
            .filter(|title| !title.trim().is_empty())
            .map(|title| visible(title).into_owned());
        // The protocol wants a name that is not empty: the id, else the title, else the keyword.
        let (name, detail) = match (id, title) {
            (Some((id, _)), title) => (id.to_string(), title),
            (None, Some(title)) => (title, None),
            (None, None) => (item.keyword.text.clone(), None),
        };
        let selection = id.map_or(item.keyword.span, |(_, value)| value.span);
        #[allow(deprecated)] // `deprecated` is a field the protocol has replaced by `tags`.
        found.push(DocumentSymbol {
            name,
            detail,
            kind,
            tags: None,
            deprecated: None,
            range: document.lines.range(item.span),
            selection_range: document.lines.range(selection),
            children: Some(inner),
        });
    }
    found
}
