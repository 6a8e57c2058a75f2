//! The rule and the result in words, in the reader's language: "Quorum: more than half of
//! 312 adult residents = 157; 201 took part — met." Built from the stored numbers only, so
//! anyone can check them against the counts.

use super::rules::{Body, Counts, CountsError, Fraction, Outcome, PassOf, Rule, Verdict};
use crate::web::ctx::Ctx;

/// The options' labels in the reader's language.
pub fn labels(ctx: &Ctx, stored: &str) -> Vec<String> {
    let named = super::model::option_labels(stored);
    if named.is_empty() {
        ["ballots.for", "ballots.against", "ballots.abstain"]
            .iter()
            .map(|k| ctx.t(k).to_string())
            .collect()
    } else {
        named
    }
}

pub fn fraction(ctx: &Ctx, f: Fraction) -> String {
    let key = match (f.num, f.den, f.strict) {
        (1, 2, true) => return ctx.t("ballots.frac_more_than_half").to_string(),
        (2, 3, false) => return ctx.t("ballots.frac_two_thirds").to_string(),
        (_, _, true) => "ballots.frac_more_than",
        (_, _, false) => "ballots.frac_at_least",
    };
    ctx.f(
        key,
        &[("num", &f.num.to_string()), ("den", &f.den.to_string())],
    )
}

fn unit(ctx: &Ctx, body: Body) -> &'static str {
    ctx.t(match body {
        Body::Residents => "ballots.unit_residents",
        Body::Households => "ballots.unit_households",
        Body::Representatives => "ballots.unit_representatives",
        Body::Committee => "ballots.unit_committee",
        Body::Group => "ballots.unit_group",
        Body::Consultation => "ballots.unit_consultation",
    })
}

fn met(ctx: &Ctx, yes: bool) -> &'static str {
    ctx.t(if yes {
        "ballots.met"
    } else {
        "ballots.not_met"
    })
}

/// What a ballot needs, before anyone has voted.
pub fn requirements(
    ctx: &Ctx,
    rule: &Rule,
    body: Body,
    electorate: u64,
    households: u64,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(f) = rule.quorum_people {
        out.push(ctx.f(
            "ballots.need_quorum_people",
            &[
                ("frac", &fraction(ctx, f)),
                ("n", &electorate.to_string()),
                ("unit", unit(ctx, body)),
                ("need", &f.threshold(electorate).to_string()),
            ],
        ));
    }
    if let Some(f) = rule.quorum_households {
        out.push(ctx.f(
            "ballots.need_quorum_households",
            &[
                ("frac", &fraction(ctx, f)),
                ("n", &households.to_string()),
                ("need", &f.threshold(households).to_string()),
            ],
        ));
    }
    if rule.quorum_people.is_none() && rule.quorum_households.is_none() {
        out.push(ctx.t("ballots.no_quorum_rule").to_string());
    }
    out.push(match rule.pass_of {
        PassOf::Present => ctx.f(
            "ballots.need_pass_present",
            &[("frac", &fraction(ctx, rule.pass))],
        ),
        PassOf::Electorate => ctx.f(
            "ballots.need_pass_electorate",
            &[
                ("frac", &fraction(ctx, rule.pass)),
                ("n", &electorate.to_string()),
                ("unit", unit(ctx, body)),
                ("need", &rule.pass.threshold(electorate).to_string()),
            ],
        ),
    });
    out
}

/// The result in words: each test of the rule with its threshold, the count and whether it
/// was met.
pub fn explain(
    ctx: &Ctx,
    rule: &Rule,
    body: Body,
    counts: &Counts,
    outcome: &Outcome,
    labels: &[String],
) -> Vec<String> {
    let mut out = Vec::new();
    let present_unit = if body == Body::Households {
        ctx.t("ballots.unit_households")
    } else {
        ctx.t("ballots.people")
    };
    if let (Some(f), Some(need)) = (rule.quorum_people, outcome.quorum_people_needed) {
        out.push(ctx.f(
            "ballots.words_quorum_people",
            &[
                ("frac", &fraction(ctx, f)),
                ("n", &counts.electorate.to_string()),
                ("unit", unit(ctx, body)),
                ("need", &need.to_string()),
                ("got", &counts.present.to_string()),
                ("met", met(ctx, counts.present >= need)),
            ],
        ));
    }
    if let (Some(f), Some(need)) = (rule.quorum_households, outcome.quorum_households_needed) {
        out.push(ctx.f(
            "ballots.words_quorum_households",
            &[
                ("frac", &fraction(ctx, f)),
                ("n", &counts.households.to_string()),
                ("need", &need.to_string()),
                ("got", &counts.households_present.to_string()),
                ("met", met(ctx, counts.households_present >= need)),
            ],
        ));
    }
    if rule.quorum_people.is_none() && rule.quorum_households.is_none() {
        out.push(ctx.t("ballots.no_quorum_rule").to_string());
    }
    if !outcome.quorum_met {
        out.push(ctx.t("ballots.words_no_quorum").to_string());
        return out;
    }
    let base = match rule.pass_of {
        PassOf::Present => ctx.f(
            "ballots.base_present",
            &[
                ("n", &outcome.pass_base.to_string()),
                ("unit", present_unit),
            ],
        ),
        PassOf::Electorate => ctx.f(
            "ballots.base_electorate",
            &[
                ("n", &outcome.pass_base.to_string()),
                ("unit", unit(ctx, body)),
            ],
        ),
    };
    let passed = outcome.verdict == Verdict::Passed;
    match outcome.leading {
        Some(i) => out.push(ctx.f(
            "ballots.words_pass",
            &[
                ("frac", &fraction(ctx, rule.pass)),
                ("base", &base),
                ("need", &outcome.pass_needed.to_string()),
                ("option", labels.get(i).map(String::as_str).unwrap_or("?")),
                ("got", &outcome.leading_votes.to_string()),
                (
                    "result",
                    ctx.t(if passed {
                        "ballots.passed"
                    } else {
                        "ballots.not_passed"
                    }),
                ),
            ],
        )),
        None => out.push(ctx.f(
            "ballots.words_tie",
            &[
                ("frac", &fraction(ctx, rule.pass)),
                ("base", &base),
                ("need", &outcome.pass_needed.to_string()),
            ],
        )),
    }
    out
}

pub fn counts_error_key(e: &CountsError) -> &'static str {
    match e {
        CountsError::WrongOptionCount => "ballots.err_numbers",
        CountsError::SumIsNotPresent => "ballots.err_sum",
        CountsError::MorePresentThanElectorate => "ballots.err_more_present",
        CountsError::MoreHouseholdsThanExist => "ballots.err_more_households",
        CountsError::MoreHouseholdsThanPeople => "ballots.err_households_people",
        CountsError::MoreVotesThanSignedIn => "ballots.err_more_than_signed_in",
        CountsError::MoreSignedInThanRoll => "ballots.err_more_present",
        CountsError::MorePresentThanSignedIn => "ballots.err_present_over_register",
    }
}

pub fn verdict_key(v: &str) -> String {
    format!("verdict.{v}")
}

pub fn body_key(b: &str) -> String {
    format!("ballots.body_{b}")
}

/// The label of a stored choice, or "" for none.
pub fn label<'a>(labels: &'a [String], choice: &Option<i32>) -> &'a str {
    choice
        .and_then(|c| usize::try_from(c).ok())
        .and_then(|i| labels.get(i))
        .map(String::as_str)
        .unwrap_or("")
}
