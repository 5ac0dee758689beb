//! `textDocument/formatting`: the document in the layout of `klartext fmt`, as one edit of the
//! whole text. A document with syntax errors is left as it is (no edits), as `fmt` leaves it.

use lsp_types::{DocumentFormattingParams, TextEdit};

use super::{Answer, Document};
use crate::diagnostic::Span;
use crate::format::format;

pub fn formatting(
    document: &Document,
    _params: DocumentFormattingParams,
) -> Answer<Option<Vec<TextEdit>>> {
    let Ok(formatted) = format(&document.text) else {
        return Ok(None);
    };
    if formatted == document.text {
        return Ok(Some(Vec::new()));
    }
    let whole = document.lines.range(Span::new(0, document.text.len()));
    Ok(Some(vec![TextEdit::new(whole, formatted)]))
}
