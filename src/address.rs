//! E-mail and web addresses: which ones klartext accepts from a policy, and which link targets in
//! prose it keeps.
//!
//! Lowering uses these rules to refuse a bad address with a diagnostic, and rendering relies on
//! them: an address that passed can be written into a `mailto:` link, a Markdown autolink or an
//! `href` as it is, because none of the characters that end a link or start markup can be in it.

/// Characters besides letters and digits that the local part of an e-mail address may hold.
///
/// This is RFC 5321's dot-atom without the characters that mean something in a `mailto:` URI, in
/// HTML or in Markdown (`!`, `?`, `#`, `%`, `&`, `{`, `}`, `|`, `` ` ``) and without comments or
/// quoting: every address of a public body fits it.
const EMAIL_LOCAL_SPECIALS: &[char] = &['.', '-', '_', '+', '=', '\'', '/', '*', '^', '~', '$'];

/// Why `address` is not an e-mail address klartext links to, or `None` if it is one.
pub fn email_problem(address: &str) -> Option<String> {
    if let Some(c) = address
        .chars()
        .find(|c| c.is_whitespace() || c.is_control())
    {
        return Some(format!("it contains {}", describe(c)));
    }
    let Some((local, domain)) = address.split_once('@') else {
        return Some("it has no `@`".to_string());
    };
    if local.is_empty() {
        return Some("nothing stands before the `@`".to_string());
    }
    if let Some(c) = local
        .chars()
        .find(|c| !c.is_alphanumeric() && !EMAIL_LOCAL_SPECIALS.contains(c))
    {
        return Some(format!("{} cannot stand before the `@`", describe(c)));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Some("a dot cannot start or end the name or follow another dot".to_string());
    }
    host_problem(domain, true)
}

/// Why `host` is not a domain name, or `None` if it is one. With `dotted`, it must have a dot
/// and end in a top-level domain of letters (`kassel.de`); without, `localhost` passes too.
fn host_problem(host: &str, dotted: bool) -> Option<String> {
    if host.is_empty() {
        return Some("the domain name is missing".to_string());
    }
    let labels: Vec<&str> = host.split('.').collect();
    if dotted && labels.len() < 2 {
        return Some(format!("the domain `{host}` has no dot"));
    }
    for label in &labels {
        if label.is_empty() {
            return Some(format!(
                "the domain `{host}` has an empty part between dots"
            ));
        }
        if let Some(c) = label.chars().find(|c| !c.is_alphanumeric() && *c != '-') {
            return Some(format!("{} cannot stand in a domain name", describe(c)));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some(format!(
                "a part of the domain `{host}` starts or ends with `-`"
            ));
        }
    }
    let top = labels.last().copied().unwrap_or_default();
    if dotted && !top.chars().all(char::is_alphabetic) {
        return Some(format!(
            "the domain `{host}` does not end in a top-level domain like `.de`"
        ));
    }
    None
}

/// Characters that may not stand in a web address: they end a link in Markdown or HTML, start
/// markup or template syntax, or are not allowed in URLs at all.
const URL_FORBIDDEN: &[char] = &[
    '<', '>', '"', '`', '{', '}', '|', '\\', '^', '[', ']', '(', ')',
];

/// Why `url` is not a web address klartext links to, or `None` if it is one.
///
/// Two forms are accepted: an absolute `http://` or `https://` address, and a host name with an
/// optional path (`www.kassel.de/gaeste`), which is linked as `https://`.
pub fn web_address_problem(url: &str) -> Option<String> {
    if url.is_empty() {
        return Some("it is empty".to_string());
    }
    if let Some((scheme, after)) = url.split_once(':') {
        let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        let port = after
            .split(['/', '?', '#'])
            .next()
            .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        let web = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
        if is_scheme && !port && !web {
            return Some(format!(
                "`{scheme}:` addresses cannot be linked, only `https://` and `http://` ones"
            ));
        }
    }
    if let Some(c) = url
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || URL_FORBIDDEN.contains(c))
    {
        return Some(format!("it contains {}", describe(c)));
    }
    let lower = url.to_ascii_lowercase();
    let (rest, dotted) = if let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    {
        (&url[url.len() - rest.len()..], false)
    } else if url.contains("://") {
        return Some("only `http://` and `https://` addresses can be linked".to_string());
    } else {
        (url, true)
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if authority.contains('@') {
        return Some("a name and `@` before the host name are not allowed".to_string());
    }
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => host,
        Some(_) if dotted => {
            return Some(
                "it starts with something other than `https://` or a host name".to_string(),
            );
        }
        Some(_) => return Some("the port after `:` must be a number".to_string()),
        None => authority,
    };
    host_problem(host, dotted)
}

/// Whether a link target in prose may be kept: relative, or http(s), tel, or `mailto:` with an
/// address and nothing else (no `?subject=` or `?bcc=`).
pub fn is_safe_link_target(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    // Entities were decoded when the prose was parsed; one still here was written to be decoded
    // a second time, by the site's renderer, into something the check above did not see.
    if has_character_reference(&cleaned) {
        return false;
    }
    let Some(colon) = cleaned.find(':') else {
        return true;
    };
    let scheme = &cleaned[..colon];
    // A colon after a path, query or fragment character is not a scheme separator.
    if scheme.contains(['/', '?', '#']) {
        return true;
    }
    match scheme {
        "http" | "https" | "tel" => true,
        "mailto" => {
            url.get(..7)
                .is_some_and(|s| s.eq_ignore_ascii_case("mailto:"))
                && email_problem(&url[7..]).is_none()
        }
        _ => false,
    }
}

/// Whether text holds an HTML character reference such as `&#106;` or `&amp;`.
fn has_character_reference(text: &str) -> bool {
    text.match_indices('&').any(|(at, _)| {
        let rest = &text[at + 1..];
        let name_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .unwrap_or(rest.len());
        name_end > 0 && rest[name_end..].starts_with(';')
    })
}

/// A link target for a web address that passed [`web_address_problem`]: host names without a
/// scheme are linked as `https://`.
pub fn href(url: &str) -> String {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        url.to_string()
    } else {
        format!("https://{url}")
    }
}

/// A character as a message names it: `` `(` ``, or its code point when it cannot be seen.
fn describe(c: char) -> String {
    if c.is_whitespace() {
        "a space".to_string()
    } else if c.is_control() {
        format!("the invisible character U+{:04X}", c as u32)
    } else {
        format!("`{c}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyday_email_addresses_pass() {
        for address in [
            "info@kassel.de",
            "poststelle@stadt-kassel.de-mail.de",
            "datenschutz.beauftragter@landkreis-kassel.de",
            "o'brien+news@example.org",
            "müller@bürgeramt.de",
        ] {
            assert_eq!(email_problem(address), None, "{address}");
        }
    }

    #[test]
    fn addresses_that_could_become_markup_or_headers_are_refused() {
        for address in [
            "javascript:alert(document.domain)//@a.de",
            "![x](https://evil.example/t.png)@a.de",
            "a@b.de?bcc=c@d.de",
            "a?bcc=c@d.de",
            "<a@b.de>",
            "a b@c.de",
            "a(comment)@b.de",
            "\"quoted\"@b.de",
            "{{x}}@b.de",
            "a&#63;b@c.de",
            "a#b@c.de",
            "a@[127.0.0.1]",
            "infokasselde",
            "@kassel.de",
            "a@kassel",
            "a@kassel.",
            "a@-kassel.de",
            "a..b@kassel.de",
            "a@b@kassel.de",
            "a@kassel.d3",
        ] {
            assert!(email_problem(address).is_some(), "{address}");
        }
    }

    #[test]
    fn web_addresses_absolute_or_bare_host() {
        for url in [
            "https://www.kassel.de",
            "HTTPS://www.kassel.de/",
            "http://example.org/?a=1&b=2#teil",
            "https://localhost:8080/x",
            "www.kassel.de/gaeste",
            "kreis-soest.de",
            "https://www.münchen.de/rathaus",
            "https://example.org/redirect?to=https://x.de",
        ] {
            assert_eq!(web_address_problem(url), None, "{url}");
        }
    }

    #[test]
    fn other_schemes_and_markup_in_web_addresses_are_refused() {
        for url in [
            "javascript:alert(1)",
            "JAVASCRIPT://%0aalert(1)",
            "data:text/html,x",
            "mailto:a@b.de",
            "ftp://example.org",
            "?![logo](https://evil.example/x.png)://",
            "x https://example.org",
            "text://example.org",
            "https://example.org/>[x](javascript:alert(1))",
            "https://example.org/{{% param secret %}}",
            "https://",
            "https://user@evil.example",
            "https://kassel.de:abc/",
            "kassel",
            "www.kassel.de:x",
            "",
        ] {
            assert!(web_address_problem(url).is_some(), "{url:?}");
        }
    }

    #[test]
    fn prose_link_targets() {
        for url in [
            "https://example.org",
            "mailto:a@b.de",
            "tel:+495617870",
            "/kontakt",
            "#rechte",
            "https://example.org/?a=1&b=2",
        ] {
            assert!(is_safe_link_target(url), "{url}");
        }
        for url in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,x",
            "vbscript:x",
            "mailto:a@b.de?bcc=c@d.de",
            "&#106;avascript:alert(1)",
            "/x?a=1&amp;b=2",
        ] {
            assert!(!is_safe_link_target(url), "{url}");
        }
    }

    #[test]
    fn bare_hosts_are_linked_as_https() {
        assert_eq!(href("www.kassel.de/gaeste"), "https://www.kassel.de/gaeste");
        assert_eq!(href("http://example.org"), "http://example.org");
    }
}
