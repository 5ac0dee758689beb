//! Contact details a reader uses as they stand: phone and fax numbers a phone can dial.

use crate::diagnostic::Diagnostic;
use crate::model::{Contact, Part, Policy, Text};
use crate::phone;

use super::warning;

/// Every phone and fax number of the controllers, their officers, the supervisory authorities
/// and the organisations that is not one number a phone can dial.
pub fn policy_contacts(policy: &Policy, findings: &mut Vec<Diagnostic>) {
    let mut contacts = Vec::new();
    parts(&policy.contents, &mut contacts);
    for organisation in &policy.organisations {
        contacts.push(&organisation.contact);
        contacts.extend(organisation.officers.iter().map(|o| &o.contact));
    }
    for contact in contacts {
        for (number, what) in contact
            .phone
            .iter()
            .map(|n| (&n.value, "phone"))
            .chain(contact.fax.iter().map(|n| (&n.value, "fax")))
        {
            unclear(number, what, findings);
        }
    }
}

fn parts<'a>(parts: &'a [Part], into: &mut Vec<&'a Contact>) {
    for part in parts {
        match part {
            Part::Controller(controller) => {
                into.push(&controller.contact);
                into.extend(controller.officers.iter().map(|o| &o.contact));
            }
            Part::SupervisoryAuthority(authority) => into.push(&authority.contact),
            Part::Section(section) => self::parts(&section.contents, into),
            Part::Activity(_) | Part::Rights(_) => {}
        }
    }
}

/// A number klartext wrote itself (from the law data) is not the author's to fix.
fn unclear(number: &Text, what: &str, findings: &mut Vec<Diagnostic>) {
    if !number.is_written() || phone::normalise(number).is_some() {
        return;
    }
    let message = if what == "phone" {
        format!(
            "the phone number “{}” cannot be turned into a number a phone can dial, so the notice shows it without a link",
            number.as_str()
        )
    } else {
        format!(
            "the fax number “{}” cannot be turned into a number a fax machine can dial",
            number.as_str()
        )
    };
    findings.push(warning(
        "unclear-phone-number",
        number.span(),
        message,
        format!(
            "write one number per `{what}`, with its area code, e.g. `{what} \"02921 30-2510\"` and `{what} \"02921 30-2511\"`"
        ),
    ));
}
