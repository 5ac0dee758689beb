//! Phone numbers as a phone dials them: German notation turned into E.164 (`+495617872150`).
//!
//! The notices write numbers the way German offices print them: `0561 787-2150`,
//! `02305 / 106-1`, `+49 (0) 43 40 / 409-000`, `0049 611 1408-0`. A `tel:` link needs the one
//! number a phone dials. [`normalise`] returns it only when the text holds exactly one number it
//! can read with confidence; a range (`30-2510, -2511`), two numbers (`… oder …`, `… / 0561 …`),
//! words or a number without area code give `None`, and the notice shows the text without a link.

/// The most digits an E.164 number has, country code included.
const MOST_DIGITS: usize = 15;
/// The fewest digits klartext accepts as a number, country code included.
const FEWEST_DIGITS: usize = 6;

/// What a number is written with: digit groups and the marks between them. Spaces and dots only
/// separate groups.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Digits(String),
    Plus,
    Slash,
    Hyphen,
    Open,
    Close,
}

/// The number in E.164 (`+` and digits), or `None` when the text is not exactly one number that
/// can be dialled: see the module documentation.
pub fn normalise(written: &str) -> Option<String> {
    let number = without_label(written.trim())?;
    let tokens = tokens(number)?;
    check_marks(&tokens)?;
    dial(&tokens)
}

/// The text without a leading label set off by a colon or a full stop (`Tel.: `, `Zentrale: `);
/// `None` when letters stand anywhere else.
fn without_label(text: &str) -> Option<&str> {
    let start = text
        .find(|c: char| c.is_ascii_digit() || c == '+' || c == '(')
        .unwrap_or(text.len());
    let (label, number) = text.split_at(start);
    if number.chars().any(char::is_alphabetic) || number.is_empty() {
        return None;
    }
    let label = label.trim_end();
    if label.is_empty() {
        return Some(number);
    }
    let words = label.strip_suffix(':').unwrap_or(label).trim_end();
    let words = words.strip_suffix('.').unwrap_or(words);
    let separated = label.ends_with(':') || label.ends_with('.');
    let only_words = !words.is_empty()
        && words.chars().next().is_some_and(char::is_alphabetic)
        && words
            .chars()
            .all(|c| c.is_alphabetic() || c == ' ' || c == '.' || c == '-');
    (separated && only_words).then_some(number)
}

/// The tokens of a number; `None` for a character that has no place in one.
fn tokens(number: &str) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    for c in number.chars() {
        let token = match c {
            '0'..='9' => {
                if let Some(Token::Digits(digits)) = tokens.last_mut() {
                    digits.push(c);
                    continue;
                }
                Token::Digits(c.to_string())
            }
            '+' => Token::Plus,
            '/' => Token::Slash,
            // Hyphen-minus, hyphen, non-breaking hyphen, figure dash, en dash.
            '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' => Token::Hyphen,
            '(' => Token::Open,
            ')' => Token::Close,
            // A dot separates groups, like a space.
            c if c == '.' || c.is_whitespace() => {
                separate(&mut tokens);
                continue;
            }
            _ => return None,
        };
        tokens.push(token);
    }
    tokens.retain(|token| !matches!(token, Token::Digits(digits) if digits.is_empty()));
    Some(tokens)
}

/// Ends the digit group being read: the next digit starts a new one.
fn separate(tokens: &mut Vec<Token>) {
    if let Some(Token::Digits(digits)) = tokens.last()
        && !digits.is_empty()
    {
        tokens.push(Token::Digits(String::new()));
    }
}

fn digits(token: Option<&Token>) -> Option<&str> {
    match token {
        Some(Token::Digits(digits)) => Some(digits),
        _ => None,
    }
}

/// Whether the number starts with an international prefix (`+49`, `0049`).
fn international(tokens: &[Token]) -> bool {
    tokens.first() == Some(&Token::Plus)
        || digits(tokens.first()).is_some_and(|first| first.starts_with("00"))
}

/// Checks where the marks stand: `+` only first, one pair of parentheses around the area code or
/// the trunk `(0)`, one slash after the area code, hyphens between digits. `None` when the text
/// reads as more than one number or as no number.
fn check_marks(tokens: &[Token]) -> Option<()> {
    let international = international(tokens);
    // The index of the country code's group in an international number.
    let country = usize::from(tokens.first() == Some(&Token::Plus));
    if let Some(plus) = tokens.iter().rposition(|t| *t == Token::Plus)
        && (plus != 0 || digits(tokens.get(1)).is_none_or(|d| d.starts_with('0')))
    {
        return None;
    }
    // Parentheses: at most one pair, holding digits only, first in a national number or right
    // after the country code in an international one.
    let opens: Vec<usize> = positions(tokens, &Token::Open);
    let closes: Vec<usize> = positions(tokens, &Token::Close);
    let parenthesised = match (opens.as_slice(), closes.as_slice()) {
        ([], []) => None,
        ([open], [close]) if open < close => {
            let inside = &tokens[open + 1..*close];
            let expected = if international { country + 1 } else { 0 };
            if *open != expected
                || inside.is_empty()
                || !inside.iter().all(|t| matches!(t, Token::Digits(_)))
            {
                return None;
            }
            Some(*open..=*close)
        }
        _ => return None,
    };
    if !international && parenthesised.is_some() && digits(tokens.get(1))?.as_bytes()[0] != b'0' {
        return None;
    }
    // Hyphens between digits; two only as in `0561-787-2150`.
    let hyphens = positions(tokens, &Token::Hyphen);
    for &hyphen in &hyphens {
        let before = hyphen.checked_sub(1).and_then(|i| tokens.get(i));
        if !matches!(before, Some(Token::Digits(_) | Token::Close))
            || digits(tokens.get(hyphen + 1)).is_none()
        {
            return None;
        }
    }
    match hyphens.as_slice() {
        [] | [_] => {}
        [first, _] if *first == 1 && !international => {}
        _ => return None,
    }
    // One slash, after the area code: what follows is no second number (it would start with 0).
    let slashes = positions(tokens, &Token::Slash);
    match slashes.as_slice() {
        [] => {}
        [slash] => {
            let before = slash.checked_sub(1).and_then(|i| tokens.get(i));
            let after = digits(tokens.get(slash + 1))?;
            if !matches!(before, Some(Token::Digits(_) | Token::Close))
                || after.starts_with('0')
                || hyphens.first().is_some_and(|hyphen| hyphen < slash)
            {
                return None;
            }
        }
        _ => return None,
    }
    // A group of three digits or more that starts with 0 reads as the area code of a second
    // number, unless it follows a hyphen (an extension, `409-000`), is the trunk in parentheses,
    // or is the first group after the country code (`+49 0561`, read as the trunk).
    let groups: Vec<usize> = (0..tokens.len())
        .filter(|&i| digits(tokens.get(i)).is_some())
        .collect();
    for (n, &index) in groups.iter().enumerate().skip(1) {
        let group = digits(tokens.get(index))?;
        let after_hyphen = index > 0 && tokens[index - 1] == Token::Hyphen;
        let in_parentheses = parenthesised.as_ref().is_some_and(|r| r.contains(&index));
        let after_country = international && n == 1;
        if group.len() >= 3
            && group.starts_with('0')
            && !after_hyphen
            && !in_parentheses
            && !after_country
        {
            return None;
        }
    }
    Some(())
}

fn positions(tokens: &[Token], wanted: &Token) -> Vec<usize> {
    (0..tokens.len())
        .filter(|&i| tokens[i] == *wanted)
        .collect()
}

/// The digits to dial, with `+` and the country code.
fn dial(tokens: &[Token]) -> Option<String> {
    let international = international(tokens);
    let mut written = String::new();
    let mut inside = false;
    for token in tokens {
        match token {
            Token::Open => inside = true,
            Token::Close => inside = false,
            // The trunk `(0)` after a country code is not dialled from abroad.
            Token::Digits(digits) if inside && international && digits == "0" => {}
            Token::Digits(digits) => written.push_str(digits),
            _ => {}
        }
    }
    let mut e164 = if international {
        written.strip_prefix("00").unwrap_or(&written).to_string()
    } else {
        // A national number: the trunk 0 and the area code, or nothing that can be dialled.
        let rest = written.strip_prefix('0')?;
        if rest.starts_with('0') {
            return None;
        }
        format!("49{rest}")
    };
    // `+49 0561 …`: in Germany a number after the country code never starts with 0.
    if let Some(rest) = e164.strip_prefix("490") {
        e164 = format!("49{rest}");
    }
    let valid = !e164.starts_with('0')
        && !e164.starts_with("490")
        && (FEWEST_DIGITS..=MOST_DIGITS).contains(&e164.len());
    valid.then(|| format!("+{e164}"))
}

#[cfg(test)]
mod tests {
    use super::normalise;

    fn dials(written: &str, expected: &str) {
        assert_eq!(
            normalise(written).as_deref(),
            Some(expected),
            "{written:?} should dial {expected}"
        );
    }

    fn no_number(written: &str) {
        assert_eq!(
            normalise(written),
            None,
            "{written:?} should not be a number"
        );
    }

    #[test]
    fn the_examples_of_the_issue() {
        dials("+49 (0) 43 40 / 409-000", "+494340409000");
        no_number("02921 30-2510, -2511");
    }

    #[test]
    fn the_numbers_of_the_shipped_policies() {
        dials("0561 787-2150", "+495617872150");
        dials("0561 787-882150", "+49561787882150");
        dials("0561 115", "+49561115");
        dials("0561 787-87", "+4956178787");
        dials("+49 561 707707", "+49561707707");
        dials("+49 176 707 910 29", "+4917670791029");
        dials("0611 1408-0", "+4961114080");
        dials("0611 1408-900", "+496111408900");
        dials("+49 611 1408-0", "+4961114080");
        dials("02921 30-2510", "+492921302510");
        dials("02921 30-2988", "+492921302988");
        dials("02 11/384 24-0", "+49211384240");
        dials("02 11/384 24-10", "+492113842410");
        dials("02305 / 106-1", "+4923051061");
        dials("02305 / 106-2244", "+4923051062244");
        dials("0211 / 38424-0", "+49211384240");
        dials("+49 4161 501 1210", "+4941615011210");
        dials("+49 4161 5011410", "+4941615011410");
        dials("0511-120 4500", "+495111204500");
    }

    #[test]
    fn the_numbers_of_the_authorities() {
        dials("+49 228 9977990", "+492289977990");
        dials("+49 511 120-4500", "+495111204500");
        dials("+49 361 573112904", "+49361573112904");
    }

    #[test]
    fn notations_of_one_number() {
        dials("0049 611 1408-0", "+4961114080");
        dials("0049 (0) 611 1408-0", "+4961114080");
        dials("+49 (0)561 787-2150", "+495617872150");
        dials("+49(0)5617872150", "+495617872150");
        dials("+49 0561 787-2150", "+495617872150");
        dials("+49 (0561) 787-2150", "+495617872150");
        dials("(0561) 787-2150", "+495617872150");
        dials("(05 61) 7 87-21 50", "+495617872150");
        dials("0561.787.2150", "+495617872150");
        dials("0561-787-2150", "+495617872150");
        dials("0561/787-2150", "+495617872150");
        dials("0561\u{a0}787\u{2011}2150", "+495617872150");
        dials("06 11 / 14 08 - 0", "+4961114080");
        dials("  0561 787-0  ", "+495617870");
        dials("+ 49 561 787", "+49561787");
        dials("+43 1 531 15-0", "+431531150");
        dials("+43 (0)1 531 15-0", "+431531150");
    }

    #[test]
    fn a_label_set_off_stays_out() {
        dials("Tel.: 0561 787-0", "+495617870");
        dials("Tel. 0561 787-0", "+495617870");
        dials("Zentrale: 0561 787-0", "+495617870");
        no_number("Zentrale 0561 787-0");
        no_number("0561 787-0 (Zentrale)");
        no_number("0561 787-0 Zentrale");
    }

    #[test]
    fn more_than_one_number_is_no_number() {
        no_number("02921 30-2510, -2511");
        no_number("02921 30-2510/-2511");
        no_number("02921 30-2510/11");
        no_number("02921 30-2510 oder -2511");
        no_number("0561 787-0 oder 0561 787-1");
        no_number("0561 787-0 bzw. 0561 787-1");
        no_number("0561 787-0; 0561 787-1");
        no_number("0561 787-0, 0561 787-1");
        no_number("0561 787-0 / 0561 787-1");
        no_number("0561 7870 / 0561 7871");
        no_number("0561 7870 0561 7871");
        no_number("0561 787 0 / +49 561 7871");
        no_number("02921 30-2510-2511");
        no_number("0561 787-0 & -1");
        no_number("02921 30-2510 – 2511 –12");
    }

    #[test]
    fn what_cannot_be_dialled_is_no_number() {
        no_number("");
        no_number("   ");
        no_number("keine");
        no_number("0");
        no_number("0561");
        no_number("787-2150");
        no_number("115");
        no_number("+49 115");
        no_number("0000 1234567");
        no_number("+0 561 787");
        no_number("+49 561 787 2150 1234 5678");
        no_number("0561 7872150123456789");
        no_number("0561 787-2150 +1");
        no_number("++49 561 787");
        no_number("0561 787 (2150)");
        no_number("((0561)) 787");
        no_number("(0561 787-2150");
        no_number("0561) 787-2150");
        no_number("(561) 787-2150");
        no_number("0561 787--2150");
        no_number("-0561 787");
        no_number("0561 787-");
        no_number("0561 / / 787");
        no_number("/0561 787");
        no_number("0561 ７８７ 2150");
        no_number("0561 787\u{2014}2150");
        no_number("0561 787-2150\n<script>");
        no_number("javascript:alert(1)");
        no_number("0561 787-2150\"><img src=x>");
        no_number("0561 787e2150");
        no_number("Tel.: ");
        no_number("1.: 0561 787");
        no_number("0561 787 ext. 2150");
        no_number("+49 (0) (0561) 787");
        no_number("+49 (00) 561 787");
    }
}
