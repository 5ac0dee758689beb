use crate::diagnostic::Span;
use crate::source::FileId;
use crate::text::Text;

/// A parsed policy source.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct File {
    pub items: Vec<Item>,
    /// Every comment in source order, for tools that must reproduce the file.
    pub comments: Vec<Comment>,
    /// The parts of the source that could not be read as items, in source order.
    pub damaged: Vec<Span>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    /// The comment without its leading `#`.
    pub text: String,
    pub span: Span,
}

/// A fact (`retention 30 days`) or a block (`controller kassel "Stadt Kassel" { … }`).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub keyword: Word,
    pub values: Vec<Value>,
    pub block: Option<Vec<Item>>,
    /// Span of the braces of the block, if there is one.
    pub block_span: Option<Span>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    /// A quoted string, escapes resolved, with where its characters stand in the source.
    String(Text),
    /// A `"""` block, common indentation removed, with where its lines stand in the source.
    TextBlock(Text),
    /// `2024-05-02`, not yet checked to be a real date.
    Date(String),
    /// `6(1)(e)`.
    Article(String),
    /// `30 days`; the unit is checked during lowering.
    Duration {
        amount: u64,
        unit: Word,
    },
    Number(u64),
    /// An identifier: a reference, an enumerated word or a code such as `DE-HE`.
    Word(String),
}

impl Item {
    /// The same item with every span in the source `file`: a library is parsed on its own and
    /// read as one of the sources of each compile that imports it.
    pub fn with_file(&self, file: FileId) -> Item {
        Item {
            keyword: self.keyword.with_file(file),
            values: self.values.iter().map(|v| v.with_file(file)).collect(),
            block: self
                .block
                .as_ref()
                .map(|items| items.iter().map(|i| i.with_file(file)).collect()),
            block_span: self.block_span.map(|s| s.with_file(file)),
            span: self.span.with_file(file),
        }
    }
}

impl Word {
    fn with_file(&self, file: FileId) -> Word {
        Word {
            text: self.text.clone(),
            span: self.span.with_file(file),
        }
    }
}

impl Value {
    fn with_file(&self, file: FileId) -> Value {
        let kind = match &self.kind {
            ValueKind::String(text) => ValueKind::String(text.with_file(file)),
            ValueKind::TextBlock(text) => ValueKind::TextBlock(text.with_file(file)),
            ValueKind::Duration { amount, unit } => ValueKind::Duration {
                amount: *amount,
                unit: unit.with_file(file),
            },
            other => other.clone(),
        };
        Value {
            kind,
            span: self.span.with_file(file),
        }
    }
}

impl ValueKind {
    /// How the kind of value is called in messages to the policy author.
    pub fn describe(&self) -> &'static str {
        match self {
            ValueKind::String(_) => "a text in quotes",
            ValueKind::TextBlock(_) => "a text block",
            ValueKind::Date(_) => "a date",
            ValueKind::Article(_) => "a GDPR article",
            ValueKind::Duration { .. } => "a duration",
            ValueKind::Number(_) => "a number",
            ValueKind::Word(_) => "a word without quotes",
        }
    }
}
