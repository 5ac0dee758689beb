//! Source text to syntax tree: the first stage of the pipeline.
//!
//! The tree is generic (facts and blocks); meaning is given to it by [`crate::lower`]. Every node
//! carries its byte span, and comments are kept beside the tree so a formatter can put them back.

mod ast;
mod lexical;
mod parser;

pub use ast::{Comment, File, Item, Value, ValueKind, Word};
pub(crate) use lexical::ends_text;
pub use parser::{MAX_NESTING, Parse, parse};
