//! Finding words in prose: the outdated law and the signal words of `law/wording.yaml`, each
//! list searched by one multi-pattern automaton, so a text is read once whatever the number of
//! patterns.

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::law::law;

/// A list of words, searched anywhere, as the start of a word (`Gesundheit` finds
/// `Gesundheitsdaten`) or as whole words only.
pub struct Words {
    automaton: AhoCorasick,
    whole: bool,
    anywhere: bool,
}

impl Words {
    fn new<I, P>(patterns: I, case_insensitive: bool, whole: bool) -> Words
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(case_insensitive)
            .match_kind(MatchKind::LeftmostLongest)
            // A DFA searches faster but took 14 million instructions to build for the outdated
            // law alone, more than checking a large policy; the texts searched are short.
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(patterns)
            .expect("the law data's patterns are few and short");
        Words {
            automaton,
            whole,
            anywhere: false,
        }
    }

    /// The same words, found also inside a word.
    fn anywhere(mut self) -> Words {
        self.anywhere = true;
        self
    }

    /// The first match in `text` that stands at the start of a word (and, for whole words, at
    /// its end): the pattern's index and the range.
    pub fn find(&self, text: &str) -> Option<(usize, Range<usize>)> {
        self.find_all(text).next()
    }

    /// Every such match, in the order of the text.
    pub fn find_all<'t>(
        &'t self,
        text: &'t str,
    ) -> impl Iterator<Item = (usize, Range<usize>)> + 't {
        self.automaton.find_iter(text).filter_map(move |found| {
            let range = found.range();
            let before = text[..range.start].chars().next_back();
            let after = text[range.end..].chars().next();
            let starts = self.anywhere || !before.is_some_and(is_word_char);
            let ends = !self.whole || !after.is_some_and(is_word_char);
            (starts && ends).then(|| (found.pattern().as_usize(), range))
        })
    }

    pub fn contains(&self, text: &str) -> bool {
        self.find(text).is_some()
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-'
}

/// Every pattern of `law/outdated-law.yaml`, with the entry it belongs to.
pub struct OutdatedPatterns {
    pub words: Words,
    /// For each pattern, the index of its entry.
    pub entries: Vec<usize>,
}

pub fn outdated() -> &'static OutdatedPatterns {
    static PATTERNS: OnceLock<OutdatedPatterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let mut patterns = Vec::new();
        let mut entries = Vec::new();
        for (index, entry) in law().outdated.iter().enumerate() {
            for pattern in &entry.patterns {
                patterns.push(pattern.as_str());
                entries.push(index);
            }
        }
        OutdatedPatterns {
            words: Words::new(patterns, false, true),
            entries,
        }
    })
}

/// The signal words of one list of `law/wording.yaml`, found at the start of a word or, where
/// `whole`, as whole words.
macro_rules! word_list {
    ($($name:ident: $whole:expr),*) => {$(
        pub fn $name() -> &'static Words {
            static WORDS: OnceLock<Words> = OnceLock::new();
            WORDS.get_or_init(|| Words::new(&law().wording.$name, true, $whole))
        }
    )*};
}

word_list!(
    vague_retention: false,
    indirect_collection: false,
    objection_denied: false,
    // "anonymisiert" is said of IP addresses and is no claim about the identifier.
    anonymous: true
);

/// Words for data a person provides, found inside compounds too (`Kontaktformular`).
pub fn forms() -> &'static Words {
    static WORDS: OnceLock<Words> = OnceLock::new();
    WORDS.get_or_init(|| Words::new(&law().wording.forms, true, false).anywhere())
}

/// The special categories of data (Art. 9(1)): one automaton over all words, and for each
/// word the category it names.
pub fn special_categories() -> &'static (Words, Vec<&'static str>) {
    static WORDS: OnceLock<(Words, Vec<&'static str>)> = OnceLock::new();
    WORDS.get_or_init(|| {
        let categories = &law().wording.special_categories;
        let words = categories.iter().flat_map(|c| &c.words);
        let names = categories
            .iter()
            .flat_map(|c| c.words.iter().map(|_| c.category.as_str()))
            .collect();
        (Words::new(words, true, false), names)
    })
}

/// The state acts a text cites (the `cites` of `law/states.yaml`), with the state of each.
pub fn state_acts() -> &'static (Words, Vec<&'static str>) {
    static WORDS: OnceLock<(Words, Vec<&'static str>)> = OnceLock::new();
    WORDS.get_or_init(|| {
        let states = &law().states;
        let words = states.iter().flat_map(|s| &s.cites);
        let codes = states
            .iter()
            .flat_map(|s| s.cites.iter().map(|_| s.code.as_str()))
            .collect();
        (Words::new(words, false, true), codes)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_start_a_word_and_whole_words_end_one() {
        let start = Words::new(["Gesundheit"], true, false);
        assert_eq!(start.find("Ihre gesundheitsdaten"), Some((0, 5..15)));
        assert!(!start.contains("Ihre Krankengesundheit"));
        let whole = Words::new(["TMG", "§ 13 TMG"], false, true);
        assert_eq!(
            whole.find("nach § 13 TMG"),
            Some((1, 5..5 + "§ 13 TMG".len()))
        );
        assert!(!whole.contains("TMGesetz"));
        assert!(!whole.contains("tmg"));
    }
}
