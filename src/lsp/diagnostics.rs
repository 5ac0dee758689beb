//! `textDocument/publishDiagnostics`: every error and lint `klartext check` reports, after each
//! change.

use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location, NumberOrString,
    PublishDiagnosticsParams,
};

use super::Document;
use crate::diagnostic::{Diagnostic, FileId, Severity, Span, visible};
use crate::explain;

pub fn publish(document: &Document) -> PublishDiagnosticsParams {
    PublishDiagnosticsParams {
        uri: document.uri.clone(),
        diagnostics: document
            .outcome
            .diagnostics
            .iter()
            .map(|diagnostic| convert(document, diagnostic))
            .collect(),
        version: Some(document.version),
    }
}

/// One diagnostic as the protocol has it: its name as the code, the help and the law under
/// the message (as `check` prints them as notes), the other places it speaks of as related
/// information, and for a lint, in `data`, the command that explains it. Texts from the policy
/// are shown as `check` shows them, control characters escaped ([`visible`]).
pub fn convert(document: &Document, diagnostic: &Diagnostic) -> lsp_types::Diagnostic {
    let mut message = String::new();
    // A finding in an imported library is shown at the start of the document, saying where.
    if let Some(file) = document
        .outcome
        .source
        .get(diagnostic.span.file)
        .filter(|_| diagnostic.span.file != FileId::MAIN)
    {
        let (line, column) = file.location(diagnostic.span.start);
        message.push_str(&format!("{}:{line}:{column}: ", visible(file.name())));
    }
    message.push_str(&visible(&diagnostic.message));
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(&visible(help));
    }
    if let Some(law) = diagnostic.law {
        message.push_str("\nlaw: ");
        message.push_str(law);
    }
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .related
        .iter()
        .filter(|related| related.span.file == FileId::MAIN)
        .map(|related| DiagnosticRelatedInformation {
            location: Location::new(document.uri.clone(), range(document, related.span)),
            message: visible(&related.message).into_owned(),
        })
        .collect();
    // An `allow` or organisation that nothing needs can be shown faded, as unused code is.
    let unused = matches!(diagnostic.name, "unused-allow" | "unused-organisation");
    let explained = explain::text(diagnostic.name).is_some();
    lsp_types::Diagnostic {
        range: range(document, diagnostic.span),
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.name.to_string())),
        code_description: None,
        source: Some("klartext".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: unused.then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: explained.then(
            || serde_json::json!({ "explain": format!("klartext explain {}", diagnostic.name) }),
        ),
    }
}

/// The range of a span in the document; a span in another file (an imported library) is shown
/// at the start of this one rather than dropped.
pub fn range(document: &Document, span: Span) -> lsp_types::Range {
    if span.file == FileId::MAIN {
        document.lines.range(span)
    } else {
        lsp_types::Range::default()
    }
}
