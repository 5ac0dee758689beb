//! The pipeline in one call: bytes → text → syntax tree → model → checked model. Every stage
//! goes on after a problem, so one run reports all of them.

use crate::check;
use crate::derive::derive;
use crate::diagnostic::{Diagnostic, Span};
use std::path::Path;

use crate::imports::{Imports, Project, is_library};
use crate::lower::{lower_library, lower_with};
use crate::model::Policy;
use crate::source::Sources;
use crate::syntax::{File, parse};

/// What compiling one policy source produced.
pub struct Outcome {
    /// The sources diagnostics quote: the policy ([`FileId::MAIN`](crate::source::FileId::MAIN)),
    /// and any other file a diagnostic points into. `source.render` and `source.to_json` write a
    /// diagnostic for people and for tools.
    pub source: Sources,
    /// The model of what could be read, also when the source has errors (for an outline, or an
    /// editor); absent only when the source holds no policy at all. [`Outcome::policy`] is the
    /// model to publish.
    pub model: Option<Policy>,
    /// Errors and warnings, in the order of the source.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the source is a library (declarations for policies to import, no policy): it is
    /// checked, and has no notice of its own.
    pub library: bool,
}

impl Outcome {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The checked model, if the source has no errors: the only one that may be rendered.
    pub fn policy(&self) -> Option<&Policy> {
        self.model.as_ref().filter(|_| !self.has_errors())
    }
}

/// Compiles one policy source. Never panics: any bytes end in a policy or in diagnostics.
pub fn compile(name: &str, bytes: &[u8]) -> Outcome {
    compile_with(name, bytes, check::Options::default())
}

/// Compiles one policy source, checking it as `options` say; its imports may not leave the
/// current directory.
pub fn compile_with(name: &str, bytes: &[u8], options: check::Options) -> Outcome {
    compile_in(&Project::here(), name, bytes, options)
}

/// Compiles one policy source of `project`, named by its path: its imports are relative to
/// the folder it is in and may not leave the project's root. The project reads each library
/// once for all the policies compiled in it.
pub fn compile_in(project: &Project, name: &str, bytes: &[u8], options: check::Options) -> Outcome {
    compile_keeping_tree(project, name, bytes, options).0
}

/// Compiles one policy source and keeps the syntax tree it was lowered from (empty for bytes
/// that are not UTF-8). The language server needs the tree to tell what stands at the cursor,
/// which the model no longer says; keeping it spares a second parse on every keystroke.
pub(crate) fn compile_keeping_tree(
    project: &Project,
    name: &str,
    bytes: &[u8],
    options: check::Options,
) -> (Outcome, File) {
    let text = match decode(bytes) {
        Ok(text) => text,
        Err(diagnostic) => {
            let outcome = Outcome {
                source: Sources::new(name, String::from_utf8_lossy(bytes).into_owned()),
                model: None,
                diagnostics: vec![*diagnostic],
                library: false,
            };
            return (outcome, File::default());
        }
    };
    let mut source = Sources::new(name, text.clone());
    let parsed = parse(&text);
    let folder = Path::new(name).parent().unwrap_or(Path::new(""));
    let (mut imports, import_problems) =
        Imports::resolve(project, folder, &parsed.file, &mut source);
    if is_library(&parsed.file) {
        let mut diagnostics = lower_library(&text, &parsed.file, &mut imports, &mut source);
        diagnostics.extend(import_problems);
        diagnostics.extend(parsed.problems);
        diagnostics.sort_by_key(|d| (d.span.file, d.span.start, std::cmp::Reverse(d.severity)));
        let outcome = Outcome {
            source,
            model: None,
            diagnostics,
            library: true,
        };
        return (outcome, parsed.file);
    }
    let (mut model, mut diagnostics) = lower_with(&text, &parsed.file, &mut imports, &mut source);
    diagnostics.extend(import_problems);
    if let Some(policy) = &mut model {
        derive(policy);
    }
    diagnostics.extend(parsed.problems);
    if let Some(policy) = &model {
        diagnostics.extend(check::check(policy, options));
    }
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start, std::cmp::Reverse(d.severity)));
    let outcome = Outcome {
        source,
        model,
        diagnostics,
        library: false,
    };
    (outcome, parsed.file)
}

/// Bytes to text: UTF-8, with a byte order mark allowed and removed.
pub fn decode(bytes: &[u8]) -> Result<String, Box<Diagnostic>> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(error) => {
            let at = error.valid_up_to();
            Err(Box::new(
                Diagnostic::error(
                    "invalid-utf8",
                    Span::new(at, at + 1),
                    "this file is not UTF-8 text",
                )
                .with_label("this byte is not part of a UTF-8 character")
                .with_help(
                    "save the file as UTF-8 (in most editors: “Save with encoding” → UTF-8)",
                ),
            ))
        }
    }
}
