//! `textDocument/codeAction`: quick fixes for the diagnostics at the cursor.
//!
//! Each fix a diagnostic carries ([`Diagnostic::fixes`]) is one action: "did you mean", the text
//! in quotes, the English keyword for a German one, `none` for "keine", the removal of an unused
//! `allow`. Besides them, every lint can be accepted with an `allow` and a reason to fill in, in
//! the activity it is about or for the whole policy; and an activity that says nothing about
//! recipients can say that there are none.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse,
    TextEdit, WorkspaceEdit,
};

use super::{Answer, Document, diagnostics};
use crate::diagnostic::{Diagnostic, Span, visible};
use crate::lints::LINTS;
use crate::syntax::Item;

pub fn code_actions(
    document: &Document,
    params: CodeActionParams,
) -> Answer<Option<CodeActionResponse>> {
    let wanted = params.context.only.as_ref().is_none_or(|kinds| {
        kinds
            .iter()
            .any(|kind| CodeActionKind::QUICKFIX.as_str().starts_with(kind.as_str()))
    });
    let Some(range) = document.lines.span(&document.text, params.range) else {
        return Ok(None);
    };
    if !wanted {
        return Ok(None);
    }
    let mut actions = Vec::new();
    for diagnostic in &document.outcome.diagnostics {
        let span = diagnostic.span;
        if span.start > range.end || range.start > span.end {
            continue;
        }
        let shown = diagnostics::convert(document, diagnostic);
        let mut add = |title: String, span: Span, text: String, preferred: bool| {
            let edit = TextEdit::new(diagnostics::range(document, span), text);
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![shown.clone()]),
                edit: Some(WorkspaceEdit::new(HashMap::from([(
                    document.uri.clone(),
                    vec![edit],
                )]))),
                is_preferred: Some(preferred),
                ..CodeAction::default()
            }));
        };
        for (index, fix) in diagnostic.fixes.iter().enumerate() {
            add(
                visible(&fix.title).into_owned(),
                fix.span,
                fix.replacement.clone(),
                index == 0,
            );
        }
        for (title, span, text) in insertions(document, diagnostic) {
            add(title, span, text, false);
        }
    }
    Ok(Some(actions))
}

/// The facts an action can add for a diagnostic: `recipients none` for an activity that says
/// nothing about recipients, and an `allow` for any lint but `unused-allow` (whose fix removes
/// the `allow`), in the activity the finding is in and in the policy.
fn insertions(document: &Document, diagnostic: &Diagnostic) -> Vec<(String, Span, String)> {
    let mut found = Vec::new();
    let at = diagnostic.span.start;
    let activity = innermost(&document.tree.items, at, "activity");
    let name = diagnostic.name;
    if name == "missing-recipients"
        && let Some(activity) = activity
        && let Some((span, text)) = insertion(document, activity, "recipients none")
    {
        found.push((
            "add `recipients none`: no one else receives the data".to_string(),
            span,
            text,
        ));
    }
    if name == "unused-allow" || !LINTS.iter().any(|lint| lint.name == name) {
        return found;
    }
    let allow = format!("allow {name} \"…\"");
    if let Some((span, text)) = activity.and_then(|activity| insertion(document, activity, &allow))
    {
        found.push((
            format!("allow `{name}` in this activity, with a reason"),
            span,
            text,
        ));
    }
    let policy = innermost(&document.tree.items, at, "policy");
    if let Some((span, text)) = policy.and_then(|policy| insertion(document, policy, &allow)) {
        found.push((
            format!("allow `{name}` in the whole policy, with a reason"),
            span,
            text,
        ));
    }
    found
}

/// The innermost item with `keyword` whose span holds `offset`.
fn innermost<'t>(items: &'t [Item], offset: usize, keyword: &str) -> Option<&'t Item> {
    let item = items
        .iter()
        .find(|item| item.span.start <= offset && offset < item.span.end)?;
    let inner = innermost(item.block.as_deref().unwrap_or_default(), offset, keyword);
    inner.or((item.keyword.text == keyword).then_some(item))
}

/// Where and how to write `fact` as the first fact of `block`'s block: on a line of its own
/// after the line of the `{`, indented as the block's first fact (or two spaces further than
/// the block); in a block written on one line, right after the `{`, ending in `;`.
fn insertion(document: &Document, block: &Item, fact: &str) -> Option<(Span, String)> {
    let text = document.text.as_str();
    let braces = block.block_span?;
    let after_brace = braces.start + 1;
    let rest = text.get(after_brace..)?;
    let line_end = rest.find(['\n', '\r']).map(|at| after_brace + at);
    let on_one_line = match line_end {
        Some(end) => {
            let between = &text[after_brace..end];
            let code = between.split('#').next().unwrap_or_default();
            !code.trim().is_empty()
        }
        None => true,
    };
    if on_one_line {
        return Some((
            braces.with_bounds(after_brace, after_brace),
            format!(" {fact};"),
        ));
    }
    let line_end = line_end?;
    let break_len = if text[line_end..].starts_with("\r\n") {
        2
    } else {
        1
    };
    let next_line = line_end + break_len;
    let indent = match block.block.as_deref().and_then(|items| items.first()) {
        Some(first) => indentation(text, first.span.start),
        None => format!("{}  ", indentation(text, block.span.start)),
    };
    let newline = &text[line_end..next_line];
    Some((
        braces.with_bounds(next_line, next_line),
        format!("{indent}{fact}{newline}"),
    ))
}

/// The spaces and tabs before `offset` on its line (none, if other text stands there).
fn indentation(text: &str, offset: usize) -> String {
    let before = &text[..offset];
    let line_start = before.rfind(['\n', '\r']).map_or(0, |at| at + 1);
    let indent = &before[line_start..];
    if indent.chars().all(|c| c == ' ' || c == '\t') {
        indent.to_string()
    } else {
        String::new()
    }
}
