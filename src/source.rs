//! The sources one compile reads, each with the [`FileId`] its spans carry.
//!
//! Today a compile reads one policy file; a span that does not name its file is in it
//! ([`FileId::MAIN`]). The database is there so that diagnostics can point into several files
//! (an imported file, say) and still be quoted and located.

use serde::{Deserialize, Serialize};

use crate::diagnostic::SourceFile;

/// Which source a [`Span`](crate::diagnostic::Span) lies in: an index into [`Sources`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct FileId(usize);

impl FileId {
    /// The policy being compiled: the first source of every [`Sources`], and the file of every
    /// span made with [`Span::new`](crate::diagnostic::Span::new).
    pub const MAIN: FileId = FileId(0);

    /// The position of the file in its [`Sources`], counting from 0.
    pub fn index(self) -> usize {
        self.0
    }
}

/// Every source of one compile, by [`FileId`]: the policy first, then any other file read
/// while compiling it. Owns their names and texts; hands out the ids.
pub struct Sources {
    main: SourceFile,
    others: Vec<SourceFile>,
}

impl Sources {
    /// The sources of a compile of the policy `name` with the text `text` ([`FileId::MAIN`]).
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Sources {
        Sources {
            main: SourceFile::new(name, text),
            others: Vec::new(),
        }
    }

    /// Adds a further source and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.others.push(SourceFile::new(name, text));
        FileId(self.others.len())
    }

    /// The source with this id; `None` for an id of another compile's sources.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        match id.0.checked_sub(1) {
            None => Some(&self.main),
            Some(other) => self.others.get(other),
        }
    }

    /// The policy being compiled.
    pub fn main(&self) -> &SourceFile {
        &self.main
    }

    /// Every source with its id, the policy first.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        std::iter::once(&self.main)
            .chain(&self.others)
            .enumerate()
            .map(|(index, file)| (FileId(index), file))
    }

    /// The name of the policy being compiled, as diagnostics give it.
    pub fn name(&self) -> &str {
        self.main.name()
    }

    /// 1-based line and column (in characters) of a byte offset in the policy being compiled.
    pub fn location(&self, offset: usize) -> (usize, usize) {
        self.main.location(offset)
    }
}

#[cfg(test)]
mod tests {
    use super::{FileId, Sources};

    #[test]
    fn ids_are_handed_out_in_order_and_found_again() {
        let mut sources = Sources::new("policy.klar", "policy \"T\" {}\n");
        let shared = sources.add("shared.klar", "organisation x \"X\"\n");
        let third = sources.add("third.klar", "");
        assert_eq!(FileId::default(), FileId::MAIN);
        assert_eq!((shared.index(), third.index()), (1, 2));
        assert_eq!(
            sources.get(FileId::MAIN).map(|f| f.name()),
            Some("policy.klar")
        );
        assert_eq!(sources.get(shared).map(|f| f.name()), Some("shared.klar"));
        assert_eq!(sources.get(third).map(|f| f.name()), Some("third.klar"));
        assert!(sources.get(FileId(3)).is_none());
        let names: Vec<(usize, &str)> = sources
            .iter()
            .map(|(id, file)| (id.index(), file.name()))
            .collect();
        assert_eq!(
            names,
            [(0, "policy.klar"), (1, "shared.klar"), (2, "third.klar")]
        );
        // Lines and columns are counted in each file for itself.
        assert_eq!(sources.get(shared).map(|f| f.location(13)), Some((1, 14)));
        assert_eq!(sources.location(13), (1, 14));
        assert_eq!(sources.get(third).map(|f| f.location(13)), Some((1, 1)));
    }
}
