//! klartext compiles privacy notices (Datenschutzerklärungen) from policy sources.
//!
//! The pipeline: [`syntax`] parses a source into a tree with spans, [`lower`] turns the tree into
//! the typed [`model`], [`check`] reports what GDPR Art. 13/14 require and the notice lacks, and
//! [`render`] writes HTML, Markdown, text, JSON and YAML. [`compile`] runs the first three.
//! Around them, [`load`] finds and reads policy files safely and [`output`] writes the notices;
//! [`source`] holds the texts a compile read, which [`diagnostic`]s point into; [`lsp`] serves
//! the same checks to editors; [`diff`] compares two versions of a notice. [`imports`] holds the
//! libraries and the embedded standard library, [`init`] writes a new policy built on it.

mod address;
pub mod check;
mod compile;
pub mod derive;
pub mod diagnostic;
pub mod diff;
pub mod explain;
pub mod format;
pub mod imports;
pub mod init;
mod labels;
pub mod language;
mod law;
mod lints;
pub mod load;
pub mod lower;
pub mod lsp;
pub mod model;
pub mod output;
pub mod parallel;
mod phone;
pub mod render;
pub mod report;
pub mod source;
pub mod syntax;
pub mod text;

pub use compile::{Outcome, compile, compile_in, compile_with, decode};

/// The day the embedded law data were last compared with their sources, for `--version`.
pub fn law_checked() -> &'static str {
    law::law().checked()
}
