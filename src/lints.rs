//! The catalogue of lints: every check's stable name, the provision it enforces and what it finds.
//!
//! It stands apart from the checker so that lowering can tell a known lint in an `allow` from an
//! unknown one without depending on the stage after it.

pub struct Lint {
    pub name: &'static str,
    pub law: &'static str,
    pub summary: &'static str,
}

pub const LINTS: &[Lint] = &[
    Lint {
        name: "missing-controller",
        law: "Art. 13(1)(a) DSGVO",
        summary: "the notice names no controller",
    },
    Lint {
        name: "missing-controller-contact",
        law: "Art. 13(1)(a) DSGVO",
        summary: "a controller has no postal address, or no phone, e-mail or web contact",
    },
    Lint {
        name: "missing-officer",
        law: "Art. 13(1)(b), Art. 37(1)(a) DSGVO",
        summary: "a controller names no data protection officer",
    },
    Lint {
        name: "missing-officer-contact",
        law: "Art. 13(1)(b) DSGVO",
        summary: "a data protection officer has no contact details",
    },
    Lint {
        name: "missing-supervisory-authority",
        law: "Art. 13(2)(d) DSGVO",
        summary: "the notice names no supervisory authority to complain to",
    },
    Lint {
        name: "missing-revision-date",
        law: "Art. 12(1) DSGVO",
        summary: "the notice does not say when it was last revised",
    },
    Lint {
        name: "missing-data-categories",
        law: "Art. 14(1)(d) DSGVO",
        summary: "an activity does not say which personal data it processes",
    },
    Lint {
        name: "missing-purpose",
        law: "Art. 13(1)(c) DSGVO",
        summary: "an activity states no purpose",
    },
    Lint {
        name: "missing-legal-basis",
        law: "Art. 13(1)(c) DSGVO",
        summary: "an activity states no legal basis",
    },
    Lint {
        name: "incomplete-legal-basis",
        law: "Art. 13(1)(c) DSGVO",
        summary: "a legal basis leaves out the point (e.g. Art. 6(1) without a letter)",
    },
    Lint {
        name: "missing-national-law",
        law: "Art. 6(3) DSGVO",
        summary: "a basis of Art. 6(1)(c) or (e) does not name the law it rests on",
    },
    Lint {
        name: "missing-legitimate-interest",
        law: "Art. 13(1)(d) DSGVO",
        summary: "Art. 6(1)(f) is used without stating the legitimate interests",
    },
    Lint {
        name: "legitimate-interest-by-authority",
        law: "Art. 6(1) subpara. 2 DSGVO",
        summary: "a public authority relies on Art. 6(1)(f), which does not apply to the performance of its tasks",
    },
    Lint {
        name: "missing-recipients",
        law: "Art. 13(1)(e) DSGVO",
        summary: "an activity says nothing about recipients (write `recipients none` if there are none)",
    },
    Lint {
        name: "missing-transfer-safeguard",
        law: "Art. 13(1)(f) DSGVO",
        summary: "a transfer to a third country names no safeguard",
    },
    Lint {
        name: "missing-retention",
        law: "Art. 13(2)(a) DSGVO",
        summary: "an activity does not say how long data are kept",
    },
    Lint {
        name: "missing-withdrawal",
        law: "Art. 13(2)(c) DSGVO",
        summary: "consent is a basis, but the notice does not say it can be withdrawn",
    },
    Lint {
        name: "missing-rights",
        law: "Art. 13(2)(b) DSGVO",
        summary: "the notice does not state the data subjects' rights",
    },
    Lint {
        name: "outdated-law",
        law: "Art. 13(1)(c) DSGVO",
        summary: "the notice cites law that has been repealed, renamed or invalidated",
    },
    Lint {
        name: "unused-allow",
        law: "",
        summary: "an `allow` accepts a finding that does not occur",
    },
];
