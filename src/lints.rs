//! The catalogue of lints: every check's stable name, the provision it enforces and what it finds.
//!
//! It stands apart from the checker so that lowering can tell a known lint in an `allow` from an
//! unknown one without depending on the stage after it.

use crate::diagnostic::Severity;

pub struct Lint {
    pub name: &'static str,
    pub law: &'static str,
    /// An error blocks the output until it is fixed or allowed; a warning does not.
    pub severity: Severity,
    pub summary: &'static str,
}

pub const LINTS: &[Lint] = &[
    Lint {
        name: "missing-controller",
        law: "Art. 13(1)(a) DSGVO",
        severity: Severity::Warning,
        summary: "the notice names no controller",
    },
    Lint {
        name: "missing-controller-contact",
        law: "Art. 13(1)(a) DSGVO",
        severity: Severity::Warning,
        summary: "a controller has no postal address, or no phone, e-mail or web contact",
    },
    Lint {
        name: "missing-officer",
        law: "Art. 13(1)(b), Art. 37(1)(a) DSGVO",
        severity: Severity::Warning,
        summary: "a controller names no data protection officer",
    },
    Lint {
        name: "missing-officer-contact",
        law: "Art. 13(1)(b) DSGVO",
        severity: Severity::Warning,
        summary: "a data protection officer has no contact details",
    },
    Lint {
        name: "missing-supervisory-authority",
        law: "Art. 13(2)(d) DSGVO",
        severity: Severity::Warning,
        summary: "the notice names no supervisory authority to complain to",
    },
    Lint {
        name: "missing-revision-date",
        law: "good practice (Art. 12(1) DSGVO)",
        severity: Severity::Warning,
        summary: "the notice does not say when it was last revised (good practice, not a duty of Art. 13/14)",
    },
    Lint {
        name: "revised-before-revision",
        law: "good practice (Art. 12(1) DSGVO)",
        severity: Severity::Warning,
        summary: "`revised` is older than a `revision`, whose date the notice shows instead",
    },
    Lint {
        name: "missing-data-categories",
        law: "Art. 14(1)(d) DSGVO",
        severity: Severity::Warning,
        summary: "an activity does not say which personal data it processes",
    },
    Lint {
        name: "missing-purpose",
        law: "Art. 13(1)(c) DSGVO",
        severity: Severity::Warning,
        summary: "an activity states no purpose",
    },
    Lint {
        name: "missing-legal-basis",
        law: "Art. 13(1)(c) DSGVO",
        severity: Severity::Warning,
        summary: "an activity states no legal basis",
    },
    Lint {
        name: "incomplete-legal-basis",
        law: "Art. 13(1)(c) DSGVO",
        severity: Severity::Warning,
        summary: "a legal basis leaves out the point (e.g. Art. 6(1) without a letter)",
    },
    Lint {
        name: "missing-national-law",
        law: "Art. 6(3) DSGVO",
        severity: Severity::Warning,
        summary: "a basis of Art. 6(1)(c) or (e) does not name the law it rests on",
    },
    Lint {
        name: "missing-legitimate-interest",
        law: "Art. 13(1)(d) DSGVO",
        severity: Severity::Warning,
        summary: "Art. 6(1)(f) is used without stating the legitimate interests",
    },
    Lint {
        name: "legitimate-interest-by-authority",
        law: "Art. 6(1) subpara. 2 DSGVO",
        severity: Severity::Warning,
        summary: "a public authority relies on Art. 6(1)(f), which does not apply to the performance of its tasks",
    },
    Lint {
        name: "missing-recipients",
        law: "Art. 13(1)(e) DSGVO",
        severity: Severity::Warning,
        summary: "an activity says nothing about recipients (write `recipients none` if there are none)",
    },
    Lint {
        name: "missing-transfer-safeguard",
        law: "Art. 13(1)(f) DSGVO",
        severity: Severity::Warning,
        summary: "a transfer to a third country names no safeguard",
    },
    Lint {
        name: "missing-retention",
        law: "Art. 13(2)(a) DSGVO",
        severity: Severity::Warning,
        summary: "an activity does not say how long data are kept",
    },
    Lint {
        name: "outdated-law",
        law: "Art. 13(1)(c) DSGVO",
        severity: Severity::Warning,
        summary: "the notice cites law that has been repealed, renamed or invalidated",
    },
    Lint {
        name: "wrong-supervisory-authority",
        law: "Art. 13(2)(d), Art. 55 DSGVO",
        severity: Severity::Warning,
        summary: "the notice names a supervisory authority that is not the one for its state and kind of controller",
    },
    Lint {
        name: "unverified-authority-address",
        law: "Art. 13(2)(d) DSGVO",
        severity: Severity::Warning,
        summary: "the supervisory authority klartext states has an address its sources dispute: confirm it",
    },
    Lint {
        name: "missing-requirement",
        law: "Art. 13(2)(e) DSGVO",
        severity: Severity::Warning,
        summary: "data collected from the person through a form or contract, but the notice does not say whether they must be provided",
    },
    Lint {
        name: "missing-automated-decisions",
        law: "Art. 13(2)(f) DSGVO",
        severity: Severity::Warning,
        summary: "an activity does not say whether automated decisions or profiling take place",
    },
    Lint {
        name: "missing-source",
        law: "Art. 14(2)(f) DSGVO",
        severity: Severity::Warning,
        summary: "data are not collected from the person, but the notice does not say where they come from",
    },
    Lint {
        name: "missing-joint-control-essence",
        law: "Art. 26(2) DSGVO",
        severity: Severity::Warning,
        summary: "a joint controller is named without the essence of the arrangement",
    },
    Lint {
        name: "missing-transfer",
        law: "Art. 13(1)(f) DSGVO",
        severity: Severity::Warning,
        summary: "a recipient, processor or operator outside the EEA, but the activity states no transfer",
    },
    Lint {
        name: "unsuitable-transfer-safeguard",
        law: "Art. 44–49 DSGVO",
        severity: Severity::Error,
        summary: "a transfer rests on no safeguard, or on one that does not cover its country",
    },
    Lint {
        name: "transfer-contradicts-country",
        law: "Art. 13(1)(f) DSGVO",
        severity: Severity::Error,
        summary: "the notice says there is no third-country transfer, but an organisation of the activity is outside the EEA",
    },
    Lint {
        name: "transfer-within-eea",
        law: "Art. 44 DSGVO",
        severity: Severity::Error,
        summary: "a transfer is listed for an organisation inside the EEA, which is no third-country transfer",
    },
    Lint {
        name: "missing-safeguard-copy",
        law: "Art. 13(1)(f) DSGVO",
        severity: Severity::Warning,
        summary: "a transfer on standard contractual clauses or binding corporate rules does not say where a copy can be obtained",
    },
    Lint {
        name: "portability-not-applicable",
        law: "Art. 20 DSGVO",
        severity: Severity::Warning,
        summary: "the notice offers data portability, but no activity rests on consent or a contract",
    },
    Lint {
        name: "objection-denied",
        law: "Art. 21(1) DSGVO",
        severity: Severity::Warning,
        summary: "a text denies the right to object to processing on Art. 6(1)(e) or (f) without the law that restricts it",
    },
    Lint {
        name: "missing-special-category-basis",
        law: "Art. 9 DSGVO",
        severity: Severity::Warning,
        summary: "special categories of data without an Art. 9(2) basis, or an Art. 9(2) basis without an Art. 6 basis",
    },
    Lint {
        name: "cookie-consent-required",
        law: "§ 25 TDDDG",
        severity: Severity::Warning,
        summary: "a cookie is neither marked strictly necessary nor set with consent, or its consent has no basis or withdrawal",
    },
    Lint {
        name: "vague-retention",
        law: "Art. 13(2)(a), Art. 5(1)(e) DSGVO",
        severity: Severity::Warning,
        summary: "a retention that sets no limit (\"unbegrenzt\", \"bis auf Weiteres\")",
    },
    Lint {
        name: "wrong-state-law",
        law: "Art. 6(3) DSGVO",
        severity: Severity::Warning,
        summary: "a basis or right cites another state's act, or a part of the act that is not about the GDPR",
    },
    Lint {
        name: "missing-activities",
        law: "Art. 13(1)(c) DSGVO",
        severity: Severity::Warning,
        summary: "the notice states no processing at all: no activity, and no defaults said for all processing",
    },
    Lint {
        name: "legitimate-interest-without-6f",
        law: "Art. 13(1)(d) DSGVO",
        severity: Severity::Warning,
        summary: "legitimate interests are stated for an activity that does not rest on Art. 6(1)(f)",
    },
    Lint {
        name: "opening-clause-as-basis",
        law: "Art. 88(1), Art. 6(1) DSGVO",
        severity: Severity::Warning,
        summary: "Art. 88(1) is an opening clause for national law, not a legal basis on its own",
    },
    Lint {
        name: "unused-organisation",
        law: "",
        severity: Severity::Warning,
        summary: "a declared organisation is referenced nowhere, so no format shows it",
    },
    Lint {
        name: "represented-by-article",
        law: "",
        severity: Severity::Warning,
        summary: "`represented-by` starts with an article that reads wrong after \"vertreten durch\"",
    },
    Lint {
        name: "none-in-words",
        law: "Art. 13(1)(e) DSGVO",
        severity: Severity::Warning,
        summary: "\"keine\" is listed as a recipient instead of `recipients none`",
    },
    Lint {
        name: "unclear-phone-number",
        law: "Art. 12(1) DSGVO",
        severity: Severity::Warning,
        summary: "a `phone` or `fax` is not one number that can be dialled (a range, two numbers, words), so no link dials it",
    },
    Lint {
        name: "authority-position",
        law: "Art. 5(2) DSGVO",
        severity: Severity::Warning,
        summary: "the supervisory authorities have published that this kind of processing cannot be run compliantly (law/positions.yaml)",
    },
    Lint {
        name: "placeholder",
        law: "Art. 12(1) DSGVO",
        severity: Severity::Error,
        summary: "a text holds a placeholder (`TODO`) that only the author can fill in, so no notice is written",
    },
    Lint {
        name: "unused-allow",
        law: "",
        severity: Severity::Warning,
        summary: "an `allow` accepts a finding that does not occur",
    },
];
