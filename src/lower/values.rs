//! Reading the values of a fact, with a diagnostic for each one that is not what the keyword takes.

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::diagnostic::{Diagnostic, Fix, Span, did_you_mean};
use crate::language::{self, Context};
use crate::model::*;
use crate::syntax::{Item, Value, ValueKind};

use super::*;

/// German units of time, and the unit klartext writes.
const GERMAN_UNITS: &[(&str, &str)] = &[
    ("minute", "minutes"),
    ("minuten", "minutes"),
    ("stunde", "hours"),
    ("stunden", "hours"),
    ("tag", "days"),
    ("tage", "days"),
    ("tagen", "days"),
    ("woche", "weeks"),
    ("wochen", "weeks"),
    ("monat", "months"),
    ("monate", "months"),
    ("monaten", "months"),
    ("jahr", "years"),
    ("jahre", "years"),
    ("jahren", "years"),
];

/// A period written in words, `90 Tage` or `6 months`, as klartext writes it: `90 days`.
pub(super) fn duration_in_words(text: &str) -> Option<String> {
    let mut words = text.split_whitespace();
    let amount: u64 = words.next()?.parse().ok()?;
    let unit = english_unit(words.next()?, amount)?;
    words.next().is_none().then(|| format!("{amount} {unit}"))
}

/// A unit of time, English in either number or German (`Tage`), as klartext writes it after
/// `amount`: `1 day`, `30 days`.
fn english_unit(word: &str, amount: u64) -> Option<String> {
    let english = TIME_UNITS
        .iter()
        .copied()
        .find(|unit| word.eq_ignore_ascii_case(unit))
        .or_else(|| {
            GERMAN_UNITS
                .iter()
                .find(|(german, _)| word.eq_ignore_ascii_case(german))
                .map(|(_, unit)| *unit)
        })?;
    Some(in_number(english, amount))
}

/// An English unit of time in the number `amount` asks for.
fn in_number(unit: &str, amount: u64) -> String {
    let singular = unit.trim_end_matches('s');
    if amount == 1 {
        singular.to_string()
    } else {
        format!("{singular}s")
    }
}

/// A block whose facts are being lowered, and the facts given once in it so far (keyword and
/// its span), for "first given here".
pub(super) struct Scope {
    span: Span,
    given: Vec<(String, Span)>,
}

impl Lowerer<'_> {
    /// The id and title of a block, e.g. `controller kassel "Stadt Kassel" {`. The id is optional.
    pub(super) fn header(
        &mut self,
        item: &Item,
        what: &str,
        example: &str,
    ) -> (Option<String>, Text) {
        match item.values.as_slice() {
            [
                Value {
                    kind: ValueKind::Word(id),
                    ..
                },
                Value {
                    kind: ValueKind::String(title),
                    ..
                },
            ] => (Some(id.clone()), title.clone()),
            _ => (
                None,
                self.title_needing(item, what, example, "an optional id and a title in quotes"),
            ),
        }
    }

    pub(super) fn title(&mut self, item: &Item, what: &str, example: &str) -> Text {
        self.title_needing(item, what, example, "a title in quotes")
    }

    pub(super) fn title_needing(
        &mut self,
        item: &Item,
        what: &str,
        example: &str,
        needs: &str,
    ) -> Text {
        match item.values.as_slice() {
            [
                Value {
                    kind: ValueKind::String(title),
                    ..
                },
            ] => title.clone(),
            _ => {
                let span = item.values.first().map_or(item.keyword.span, |v| v.span);
                self.error(
                    Diagnostic::error("missing-title", span, format!("`{what}` needs {needs}"))
                        .with_help(format!("write e.g. `{example}`")),
                );
                Text::unwritten("")
            }
        }
    }

    /// The facts inside a block; reports a missing block.
    pub(super) fn block<'a>(&mut self, item: &'a Item, what: &str) -> &'a [Item] {
        match &item.block {
            Some(items) => {
                self.enter(item);
                items
            }
            None => {
                self.error(
                    Diagnostic::error(
                        "missing-block",
                        item.span,
                        format!("`{what}` needs its facts in braces"),
                    )
                    .with_label("expected `{` after this")
                    .with_help(format!(
                        "write `{what} … {{`, the facts on the following lines, and `}}`"
                    )),
                );
                &[]
            }
        }
    }

    pub(super) fn no_block(&mut self, fact: &Item) {
        if let Some(span) = fact.block_span {
            // The block and the spaces before it; not a block left open, which runs to the end
            // of the file.
            let closed = self
                .source
                .get(span.range())
                .is_some_and(|b| b.ends_with('}'));
            let removal = self.text_of(span).get(..span.start).map(|before| {
                span.with_bounds(before.trim_end_matches([' ', '\t']).len(), span.end)
            });
            self.error(
                Diagnostic::error(
                    "unexpected-block",
                    span.with_bounds(span.start, span.start + 1),
                    format!("`{}` does not take a block", fact.keyword.text),
                )
                .with_help("remove the braces and what is between them")
                .with_fixes(removal.filter(|_| closed).map(|removal| Fix {
                    span: removal,
                    replacement: String::new(),
                    title: "remove the block".to_string(),
                })),
            );
        }
    }

    pub(super) fn no_values(&mut self, fact: &Item) {
        self.no_block(fact);
        if let (Some(value), Some(last)) = (fact.values.first(), fact.values.last()) {
            self.error(
                Diagnostic::error(
                    "wrong-value",
                    value.span,
                    format!("`{}` stands alone", fact.keyword.text),
                )
                .with_help("remove what follows it")
                .with_fix(
                    value.span.with_bounds(fact.keyword.span.end, last.span.end),
                    "",
                    format!("remove what follows `{}`", fact.keyword.text),
                ),
            );
        }
    }

    pub(super) fn once<T>(&mut self, slot: &mut Option<T>, value: Option<T>, fact: &Item) {
        if slot.is_some() && value.is_some() {
            let first = self.scope_of(fact).and_then(|scope| {
                scope
                    .given
                    .iter()
                    .find(|(keyword, _)| *keyword == fact.keyword.text)
                    .map(|&(_, span)| span)
            });
            let mut problem = Diagnostic::error(
                "duplicate-fact",
                fact.keyword.span,
                format!("`{}` is given more than once", fact.keyword.text),
            )
            .with_label("given again here");
            if let Some(first) = first {
                problem = problem.with_related(first, "first given here");
            }
            self.error(problem.with_help("keep one of them"));
        } else if value.is_some() {
            *slot = value;
            if let Some(scope) = self.scope_of(fact) {
                scope
                    .given
                    .push((fact.keyword.text.clone(), fact.keyword.span));
            }
        }
    }

    /// Notes that the facts of `item`'s block are lowered next, so that [`Lowerer::once`] can
    /// tell where a fact given twice was first given.
    pub(super) fn enter(&mut self, item: &Item) {
        self.scope_of(item);
        self.scopes.push(Scope {
            span: item.span,
            given: Vec::new(),
        });
    }

    /// The innermost block being lowered that holds `fact`; closes the blocks that ended
    /// before it. Blocks nest, and their facts are lowered in the order of the source.
    fn scope_of(&mut self, fact: &Item) -> Option<&mut Scope> {
        let holds = |outer: Span, inner: Span| {
            outer != inner
                && outer.file == inner.file
                && outer.start <= inner.start
                && inner.end <= outer.end
        };
        while let Some(scope) = self.scopes.last() {
            if holds(scope.span, fact.span) {
                break;
            }
            self.scopes.pop();
        }
        self.scopes.last_mut()
    }

    /// Reports a keyword that `context` does not have, with the keyword meant if it is a
    /// misspelling or a German word for one, and else every keyword `context` has.
    pub(super) fn unknown(&mut self, fact: &Item, context: Context) {
        let word = fact.keyword.text.as_str();
        let german = language::in_context(context)
            .find(|keyword| keyword.german.iter().any(|g| word.eq_ignore_ascii_case(g)));
        let candidates = language::in_context(context).map(|keyword| keyword.name);
        let suggestion = did_you_mean(word, candidates);
        let help = match (german, suggestion) {
            (Some(keyword), _) => format!("keywords are English: `{word}` is `{}`", keyword.name),
            (None, Some(suggestion)) => format!("did you mean `{suggestion}`?"),
            (None, None) => {
                let all: Vec<&str> = language::in_context(context).map(|k| k.name).collect();
                format!("{} can have: {}", context.noun(), list(&all))
            }
        };
        self.error(
            Diagnostic::error(
                "unknown-keyword",
                fact.keyword.span,
                format!("`{word}` is not something {} can have", context.noun()),
            )
            .with_label("unknown keyword")
            .with_help(help)
            .with_fixes(replacing(
                fact.keyword.span,
                german.map(|keyword| keyword.name).or(suggestion),
            )),
        );
    }

    pub(super) fn missing_value(&mut self, fact: &Item, example: &str) {
        self.error(
            Diagnostic::error(
                "missing-value",
                fact.keyword.span,
                format!("`{}` needs a value", fact.keyword.text),
            )
            .with_help(format!("write e.g. `{example}`")),
        );
    }

    pub(super) fn wrong_value(
        &mut self,
        fact: &Item,
        value: &Value,
        expected: &str,
        example: &str,
    ) {
        self.error(
            Diagnostic::error(
                "wrong-value",
                value.span,
                format!(
                    "`{}` takes {expected}, not {}",
                    fact.keyword.text,
                    value.kind.describe()
                ),
            )
            .with_help(format!("write e.g. `{example}`")),
        );
    }

    /// The texts of a fact, each with the span of its value, for checks that point at one.
    pub(super) fn strings(&mut self, fact: &Item, example: &str) -> Vec<Text> {
        self.no_block(fact);
        if fact.values.is_empty() {
            self.missing_value(fact, example);
        }
        let mut strings = Vec::new();
        let mut values = fact.values.iter().peekable();
        while let Some(value) = values.next() {
            match &value.kind {
                ValueKind::String(text) => strings.push(text.clone()),
                // Text written without quotes reads as several words: one problem, not one a word.
                ValueKind::Word(_) | ValueKind::Number(_) | ValueKind::Duration { .. } => {
                    let mut run = vec![value];
                    while let Some(next) = values.next_if(|v| bare_text(v).is_some()) {
                        run.push(next);
                    }
                    let end = run.last().map_or(value.span.end, |last| last.span.end);
                    let span = value.span.with_bounds(value.span.start, end);
                    let quoted = self.quoted(&run);
                    self.error(
                        Diagnostic::error(
                            "missing-quotes",
                            span,
                            format!("`{}` takes texts in quotes", fact.keyword.text),
                        )
                        .with_label("this text has no quotes")
                        .with_help(format!("write `{} {}`", fact.keyword.text, quoted.texts))
                        .with_fix(
                            span,
                            quoted.replacement,
                            "put the text in quotes",
                        ),
                    );
                }
                _ => self.wrong_value(fact, value, "texts in quotes", example),
            }
        }
        strings
    }

    /// Values written without quotes where texts belong, in quotes as the author wrote them:
    /// values with spaces between them are one text, a comma starts the next.
    fn quoted(&self, run: &[&Value]) -> Quoted {
        let quote = |text: &str| format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""));
        let mut texts: Vec<String> = Vec::new();
        let mut between: Vec<&str> = Vec::new();
        let mut current = String::new();
        let mut previous: Option<&Value> = None;
        for value in run {
            if let Some(previous) = previous {
                match self
                    .text_of(value.span)
                    .get(previous.span.end..value.span.start)
                {
                    None => current.push(' '),
                    Some(gap) if gap.chars().all(|c| c == ' ' || c == '\t') => {
                        current.push_str(gap)
                    }
                    Some(gap) => {
                        texts.push(std::mem::take(&mut current));
                        between.push(gap);
                    }
                }
            }
            match self.text_of(value.span).get(value.span.range()) {
                Some(written) => current.push_str(written),
                None => current.push_str(&bare_text(value).unwrap_or_default()),
            }
            previous = Some(value);
        }
        texts.push(current);
        let mut replacement = String::new();
        for (i, text) in texts.iter().enumerate() {
            if let Some(gap) = i.checked_sub(1).and_then(|before| between.get(before)) {
                replacement.push_str(gap);
            }
            replacement.push_str(&quote(text));
        }
        Quoted {
            texts: texts
                .iter()
                .map(|t| quote(t))
                .collect::<Vec<_>>()
                .join(", "),
            replacement,
        }
    }

    pub(super) fn string(&mut self, fact: &Item, example: &str) -> Option<Text> {
        let strings = self.strings(fact, example);
        self.single(fact, strings, "one text in quotes", example)
    }

    /// The one value of a fact that takes one; reports the second if there are more.
    fn single<T>(
        &mut self,
        fact: &Item,
        mut values: Vec<T>,
        expected: &str,
        example: &str,
    ) -> Option<T> {
        if values.len() > 1 {
            self.wrong_value(fact, &fact.values[1], expected, example);
            return None;
        }
        values.pop()
    }

    /// `text "…"` or `text """…"""`, given at most once.
    pub(super) fn text_once(&mut self, fact: &Item, slot: &mut Option<Prose>) {
        let value = self.text(fact, "text \"\"\"…\"\"\"");
        self.once(slot, value, fact);
    }

    /// Prose: a string or a text block.
    pub(super) fn text(&mut self, fact: &Item, example: &str) -> Option<Prose> {
        self.no_block(fact);
        match fact.values.as_slice() {
            [
                value @ Value {
                    kind: ValueKind::String(text) | ValueKind::TextBlock(text),
                    ..
                },
            ] => {
                if prose_depth(text) > MAX_PROSE_NESTING {
                    self.error(
                        Diagnostic::error(
                            "too-deeply-nested",
                            value.span,
                            format!(
                                "lists and quotes in this text are nested more than \
                                 {MAX_PROSE_NESTING} levels deep"
                            ),
                        )
                        .with_help("a notice is read by citizens: flatten the lists and quotes"),
                    );
                    return None;
                }
                Some(text.clone())
            }
            [] => {
                self.missing_value(fact, example);
                None
            }
            [value, ..] => {
                let value = if matches!(value.kind, ValueKind::String(_) | ValueKind::TextBlock(_))
                {
                    &fact.values[1]
                } else {
                    value
                };
                self.wrong_value(fact, value, "one text or text block", example);
                None
            }
        }
    }

    pub(super) fn word(&mut self, fact: &Item, example: &str) -> Option<String> {
        self.no_block(fact);
        match fact.values.as_slice() {
            [
                Value {
                    kind: ValueKind::Word(word),
                    ..
                },
            ] => Some(word.clone()),
            [] => {
                self.missing_value(fact, example);
                None
            }
            [value, ..] => {
                self.wrong_value(fact, value, "one word without quotes", example);
                None
            }
        }
    }

    pub(super) fn reference(&mut self, fact: &Item, example: &str) -> Option<Reference> {
        let id = self.word(fact, example)?;
        Some(Reference {
            id,
            span: fact.values[0].span,
        })
    }

    pub(super) fn references(&mut self, fact: &Item, example: &str) -> Vec<Reference> {
        self.no_block(fact);
        self.references_allowing_block(fact, example)
    }

    pub(super) fn references_allowing_block(
        &mut self,
        fact: &Item,
        example: &str,
    ) -> Vec<Reference> {
        if fact.values.is_empty() {
            self.missing_value(fact, example);
        }
        let mut references = Vec::new();
        for value in &fact.values {
            match &value.kind {
                ValueKind::Word(id) => references.push(Reference {
                    id: id.clone(),
                    span: value.span,
                }),
                _ => self.wrong_value(
                    fact,
                    value,
                    "ids of organisations declared in the policy",
                    example,
                ),
            }
        }
        references
    }

    /// `kind public` or `kind private`.
    pub(super) fn controller_kind(&mut self, fact: &Item) -> Option<ControllerKind> {
        let word = self.word(fact, "kind private")?;
        match word.as_str() {
            "public" => Some(ControllerKind::Public),
            "private" => Some(ControllerKind::Private),
            _ => {
                let suggestion = did_you_mean(&word, ["public", "private"]);
                self.error(
                    Diagnostic::error(
                        "unknown-controller-kind",
                        fact.values[0].span,
                        format!("`{word}` is not a kind of controller"),
                    )
                    .with_label("unknown kind")
                    .with_help(match suggestion {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "write `kind public` for a public body (the default) or \
                                 `kind private` for a company or an association"
                            .to_string(),
                    })
                    .with_fixes(replacing(fact.values[0].span, suggestion)),
                );
                None
            }
        }
    }

    pub(super) fn state(&mut self, fact: &Item) -> Option<String> {
        let code = self.word(fact, "state DE-HE")?;
        if law().state(&code).is_some() {
            return Some(code);
        }
        let codes: Vec<&str> = law().states.iter().map(|s| s.code.as_str()).collect();
        let upper = code.to_uppercase();
        let suggestion = codes
            .iter()
            .copied()
            .find(|c| *c == upper || c.ends_with(&format!("-{upper}")));
        let help = match suggestion {
            Some(c) => format!("did you mean `{c}`?"),
            None => format!("the states are {}", list(&codes)),
        };
        self.error(
            Diagnostic::error(
                "unknown-state",
                fact.values[0].span,
                format!("`{code}` is not the code of a German federal state"),
            )
            .with_help(help)
            .with_fixes(replacing(fact.values[0].span, suggestion)),
        );
        None
    }

    pub(super) fn country(&mut self, fact: &Item) -> Option<String> {
        let code = self.word(fact, "country IE")?;
        if law().country(&code).is_some() {
            return Some(code);
        }
        let upper = code.to_uppercase();
        let suggestion = law().country(&upper).map(|_| upper.as_str());
        let help = match suggestion {
            Some(upper) => format!("did you mean `{upper}`?"),
            None => "write the two-letter ISO 3166-1 code, e.g. `IE` for Ireland or `US` for the United States".to_string(),
        };
        self.error(
            Diagnostic::error(
                "unknown-country",
                fact.values[0].span,
                format!("`{code}` is not a country klartext knows"),
            )
            .with_help(help)
            .with_fixes(replacing(fact.values[0].span, suggestion)),
        );
        None
    }

    pub(super) fn date(&mut self, fact: &Item) -> Option<Date> {
        const EXAMPLE: &str = "revised 2024-05-02";
        self.no_block(fact);
        match fact.values.as_slice() {
            [value] => self.date_value(fact, value, EXAMPLE),
            [] => {
                self.missing_value(fact, EXAMPLE);
                None
            }
            [_, extra, ..] => {
                self.wrong_value(fact, extra, "one date", EXAMPLE);
                None
            }
        }
    }

    /// `revision 2024-05-02 ["what changed"]`: a date, and what changed in quotes.
    pub(super) fn revision(&mut self, fact: &Item) -> Option<Revision> {
        const EXAMPLE: &str = "revision 2024-05-02 \"Matomo ergänzt\"";
        self.no_block(fact);
        let (date, rest) = match fact.values.as_slice() {
            [] => {
                self.missing_value(fact, EXAMPLE);
                return None;
            }
            [date, rest @ ..] => (self.date_value(fact, date, EXAMPLE)?, rest),
        };
        let changes = match rest {
            [] => None,
            [first, more @ ..] => {
                let ValueKind::String(text) = &first.kind else {
                    self.wrong_value(fact, first, "a date and what changed in quotes", EXAMPLE);
                    return None;
                };
                if let Some(extra) = more.first() {
                    self.wrong_value(fact, extra, "one text in quotes after the date", EXAMPLE);
                    return None;
                }
                Some(text.clone())
            }
        };
        Some(Revision {
            date,
            changes,
            span: fact.span,
        })
    }

    /// A value that must be a date of the calendar.
    fn date_value(&mut self, fact: &Item, value: &Value, example: &str) -> Option<Date> {
        match &value.kind {
            ValueKind::Date(text) => match Date::parse(text) {
                Some(date) => Some(date),
                None => {
                    self.error(
                        Diagnostic::error(
                            "invalid-date",
                            value.span,
                            format!("{text} is not a date in the calendar"),
                        )
                        .with_help("write year-month-day, e.g. `2024-05-02`"),
                    );
                    None
                }
            },
            _ => {
                self.wrong_value(fact, value, "a date", example);
                None
            }
        }
    }

    pub(super) fn duration(&mut self, value: &Value) -> Option<Duration> {
        let ValueKind::Duration { amount, unit } = &value.kind else {
            return None;
        };
        let time_unit = match unit.text.as_str() {
            "minute" | "minutes" => TimeUnit::Minute,
            "hour" | "hours" => TimeUnit::Hour,
            "day" | "days" => TimeUnit::Day,
            "week" | "weeks" => TimeUnit::Week,
            "month" | "months" => TimeUnit::Month,
            "year" | "years" => TimeUnit::Year,
            other => {
                let suggestion = english_unit(other, *amount).or_else(|| {
                    did_you_mean(other, TIME_UNITS.iter().copied())
                        .map(|unit| in_number(unit, *amount))
                });
                let help = match &suggestion {
                    Some(unit) => format!("did you mean `{amount} {unit}`?"),
                    None => {
                        "write the unit in English: minutes, hours, days, weeks, months or years"
                            .to_string()
                    }
                };
                self.error(
                    Diagnostic::error(
                        "unknown-unit",
                        unit.span,
                        format!("`{other}` is not a unit of time"),
                    )
                    .with_label("expected a duration like `30 days`")
                    .with_help(help)
                    .with_fixes(replacing(unit.span, suggestion.as_deref())),
                );
                return None;
            }
        };
        Some(Duration {
            amount: *amount,
            unit: time_unit,
        })
    }

    pub(super) fn emails(&mut self, fact: &Item, example: &str) -> Vec<Text> {
        let mut emails = Vec::new();
        for email in self.strings(fact, example) {
            let span = email.span();
            match crate::address::email_problem(&email) {
                None => emails.push(email),
                Some(problem) => self.error(
                    Diagnostic::error(
                        "invalid-email",
                        span,
                        format!("`{email}` is not an e-mail address: {problem}"),
                    )
                    .with_help(
                        "an e-mail address looks like `name@example.de`; klartext accepts letters, \
                         digits and `.-_+='/*^~$` before the `@`",
                    ),
                ),
            }
        }
        emails
    }

    pub(super) fn urls(&mut self, fact: &Item, example: &str) -> Vec<Text> {
        let mut urls = Vec::new();
        for url in self.strings(fact, example) {
            if self.check_url(&url, url.span()) {
                urls.push(url);
            }
        }
        urls
    }

    /// Whether `url` is a web address klartext links to; reports it if not.
    pub(super) fn check_url(&mut self, url: &str, span: Span) -> bool {
        let Some(problem) = crate::address::web_address_problem(url) else {
            return true;
        };
        self.error(
            Diagnostic::error(
                "invalid-url",
                span,
                format!("`{url}` is not a web address klartext can link to: {problem}"),
            )
            .with_help(
                "write an address starting with `https://`, e.g. `https://www.example.de`, or a \
                 host name with an optional path, e.g. `www.example.de/kontakt`",
            ),
        );
        false
    }

    pub(super) fn url(&mut self, fact: &Item, example: &str) -> Option<Text> {
        let urls = self.urls(fact, example);
        self.single(fact, urls, "one address", example)
    }
}

/// Deepest nesting of lists and quotes in prose. Every level indents each line below it in the
/// Markdown and text output, so the limit keeps their size linear in the size of the policy.
pub const MAX_PROSE_NESTING: usize = 8;

/// How deeply lists and quotes nest in Markdown prose.
fn prose_depth(markdown: &str) -> usize {
    let mut depth: usize = 0;
    let mut deepest = 0;
    for event in pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::List(_) | Tag::BlockQuote(_)) => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            Event::End(TagEnd::List(_) | TagEnd::BlockQuote(_)) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Bare values in quotes: `texts` on one line for the help, `replacement` keeping what stood
/// between them (a comma, a line break, a comment) for the fix.
struct Quoted {
    texts: String,
    replacement: String,
}

/// The text of a value written without quotes, as the author wrote it.
fn bare_text(value: &Value) -> Option<String> {
    match &value.kind {
        ValueKind::Word(word) => Some(word.clone()),
        ValueKind::Number(number) => Some(number.to_string()),
        ValueKind::Duration { amount, unit } => Some(format!("{amount} {}", unit.text)),
        _ => None,
    }
}
