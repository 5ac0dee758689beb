//! Transfers to third countries (Chapter V GDPR), judged by the countries of the organisations
//! an activity names and `law/countries.yaml`.

use crate::diagnostic::Diagnostic;
use crate::law::{Country, law};
use crate::model::{Activity, Policy, Reference, Safeguard, Stated};

use super::warning;

/// The country of an organisation, when it is outside the EEA.
fn third_country<'a>(policy: &Policy, reference: &Reference) -> Option<&'a Country> {
    let organisation = policy.organisation(&reference.id)?;
    let code = organisation.contact.country.as_ref()?;
    law().country(code).filter(|country| !country.eea)
}

pub fn activity_transfers(policy: &Policy, activity: &Activity, findings: &mut Vec<Diagnostic>) {
    // Those who receive the data: recipients, processors and platform operators.
    let receivers = activity
        .recipient_organisations()
        .chain(activity.processors.iter().map(|p| &p.organisation))
        .chain(&activity.operators);
    let mut seen: Vec<&str> = Vec::new();
    for reference in receivers {
        if seen.contains(&reference.id.as_str()) {
            continue;
        }
        seen.push(&reference.id);
        let Some(country) = third_country(policy, reference) else {
            continue;
        };
        let declared = policy
            .organisation(&reference.id)
            .map_or(reference.span, |o| o.span.head("organisation"));
        match &activity.transfers {
            Stated::None(none) => findings.push(
                warning(
                    "transfer-contradicts-country",
                    *none,
                    format!(
                        "the notice says no data go to a third country, but `{}` is in {}",
                        reference.id, country.en
                    ),
                    format!(
                        "replace `transfer none` by `transfer {} <safeguard>` with the ground of the transfer",
                        reference.id
                    ),
                )
                .with_related(declared, "its country is given here"),
            ),
            transfers
                if !transfers
                    .items()
                    .iter()
                    .any(|t| t.recipient.id == reference.id) =>
            {
                findings.push(
                    warning(
                        "missing-transfer",
                        reference.span,
                        format!(
                            "`{}` is in {}, outside the EEA, but the activity states no transfer to it",
                            reference.id, country.en
                        ),
                        format!(
                            "add `transfer {} {}` with the ground of the transfer",
                            reference.id,
                            if country.adequacy {
                                "adequacy"
                            } else if country.dpf {
                                "dpf"
                            } else {
                                "scc"
                            }
                        ),
                    )
                    .with_related(declared, "its country is given here"),
                );
            }
            _ => {}
        }
    }
    for transfer in activity.transfers.items() {
        let span = transfer.span.head("transfer");
        let organisation = policy.organisation(&transfer.recipient.id);
        let code = organisation.and_then(|o| o.contact.country.as_ref());
        let country = code.and_then(|code| law().country(code));
        if organisation.is_some() && country.is_none_or(|c| c.eea) {
            let place = country.map_or("Germany".to_string(), |c| c.en.clone());
            findings.push(warning(
                "transfer-within-eea",
                span,
                format!(
                    "`{}` is in {place}, inside the EEA: a transfer there is no transfer to a third country",
                    transfer.recipient.id
                ),
                "remove this `transfer` (name the organisation as a recipient or processor), or give its `country` if it is outside the EEA",
            ));
            continue;
        }
        let Some(country) = country else { continue };
        match transfer.safeguard {
            None => findings.push(warning(
                "missing-transfer-safeguard",
                span,
                "a transfer to a third country must name its safeguard",
                "add it after the recipient: `adequacy`, `dpf`, `scc`, `bcr` or `derogation 49(1)(a)`",
            )),
            Some(Safeguard::None) => findings.push(warning(
                "unsuitable-transfer-safeguard",
                span,
                format!("data may go to {} only with a ground of Chapter V GDPR; `none` names none", country.en),
                "name the safeguard (`scc`, `bcr`), the adequacy decision or the derogation of Art. 49(1); without one, the transfer is unlawful",
            )),
            Some(Safeguard::Adequacy) if !country.adequacy => findings.push(warning(
                "unsuitable-transfer-safeguard",
                span,
                format!("the Commission has no adequacy decision for {}", country.en),
                if country.dpf {
                    "for a US organisation certified under the Data Privacy Framework write `dpf`, else `scc`"
                } else {
                    "use `scc` or `bcr`, or a derogation of Art. 49(1)"
                },
            )),
            Some(Safeguard::Dpf) if !country.dpf => findings.push(warning(
                "unsuitable-transfer-safeguard",
                span,
                format!("the Data Privacy Framework covers only certified organisations in the United States, not {}", country.en),
                if country.adequacy {
                    "write `adequacy`"
                } else {
                    "use `scc` or `bcr`, or a derogation of Art. 49(1)"
                },
            )),
            Some(Safeguard::Derogation) if transfer.derogation.is_none() => findings.push(warning(
                "missing-transfer-safeguard",
                span,
                "a derogation must say which case of Art. 49(1) applies",
                "add the point, e.g. `derogation 49(1)(a)` for explicit consent",
            )),
            Some(Safeguard::Scc | Safeguard::Bcr) if transfer.copy.is_none() => {
                findings.push(warning(
                    "missing-safeguard-copy",
                    span,
                    "the notice must say how to obtain a copy of the clauses or rules, or where they are available (Art. 13(1)(f))",
                    "add `copy \"…\"` in the transfer's block, e.g. where to ask for the clauses or a link to them",
                ))
            }
            _ => {}
        }
    }
}
