//! What stands at a place of the source, read from the syntax tree: the blocks around it and
//! the keyword or value there, each with the context ([`Context`]) that gives it its meaning.
//!
//! The tree exists for any text, also one with errors, so hover and completion work while a
//! line is half typed.

use crate::language::{self, Context};
use crate::syntax::{File, Item, Value, ValueKind};

/// A keyword or value of an item, and where the item stands.
pub enum Token<'t> {
    Keyword {
        item: &'t Item,
        context: Context,
    },
    Value {
        item: &'t Item,
        /// Which of the item's values it is, counting from 0.
        index: usize,
    },
}

/// Whether `offset` lies in the span from `start` to `end`, its ends included: the cursor
/// right after a word is still on it.
fn touches(start: usize, end: usize, offset: usize) -> bool {
    start <= offset && offset <= end
}

/// Whether `offset` is inside the braces of `item`'s block. A block left open at the end of
/// the file (its span then ends without a `}`) holds the end of the file too.
fn holds(item: &Item, text: &str, offset: usize) -> bool {
    item.block_span.is_some_and(|span| {
        let closed = text.get(..span.end).is_some_and(|t| t.ends_with('}'));
        span.start < offset && (offset < span.end || (offset == span.end && !closed))
    })
}

/// The blocks that hold `offset`, outermost first, each with the context of its facts; the
/// first entry is the file itself (`None` as its item). A block whose facts are not keywords
/// of the language (`labels`) ends the chain.
pub fn scopes<'t>(tree: &'t File, text: &str, offset: usize) -> Vec<(Context, Option<&'t Item>)> {
    let mut chain = vec![(Context::File, None)];
    let mut items = tree.items.as_slice();
    let mut context = Context::File;
    while let Some(item) = items.iter().find(|item| holds(item, text, offset)) {
        let Some(inner) = language::block_context(context, &item.keyword.text) else {
            break;
        };
        context = inner;
        chain.push((context, Some(item)));
        items = item.block.as_deref().unwrap_or_default();
    }
    chain
}

/// The keyword or value at `offset`, in the innermost item that has one there.
pub fn token<'t>(tree: &'t File, text: &str, offset: usize) -> Option<Token<'t>> {
    let scopes = scopes(tree, text, offset);
    let (context, block) = *scopes.last()?;
    let items = block.map_or(tree.items.as_slice(), |item| {
        item.block.as_deref().unwrap_or_default()
    });
    for item in items {
        if touches(item.keyword.span.start, item.keyword.span.end, offset) {
            return Some(Token::Keyword { item, context });
        }
        for (index, value) in item.values.iter().enumerate() {
            if touches(value.span.start, value.span.end, offset) {
                return Some(Token::Value { item, index });
            }
        }
    }
    None
}

/// The item, at any depth, whose span starts at `start`: the block that declares an id, found
/// from the symbol table's place of its declaration.
pub fn item_at(items: &[Item], start: usize) -> Option<&Item> {
    items.iter().find_map(|item| {
        if item.span.start == start {
            return Some(item);
        }
        let inside = item
            .block_span
            .is_some_and(|span| span.start < start && start < span.end);
        inside
            .then(|| item_at(item.block.as_deref().unwrap_or_default(), start))
            .flatten()
    })
}

/// The first value of `item` in quotes: a block's title.
pub fn title(item: &Item) -> Option<&str> {
    item.values.iter().find_map(|value| match &value.kind {
        ValueKind::String(text) => Some(text.as_str()),
        _ => None,
    })
}

/// The id a block is declared with: its first value, when that is a word.
pub fn id(item: &Item) -> Option<(&str, &Value)> {
    match item.values.first() {
        Some(
            value @ Value {
                kind: ValueKind::Word(word),
                ..
            },
        ) => Some((word, value)),
        _ => None,
    }
}
