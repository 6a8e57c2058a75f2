//! How often each category must be disclosed, due dates, and which periods are overdue.

use chrono::{Days, NaiveDate};

use super::*;
use crate::text::all_digits;

/// How often a category must be disclosed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cadence {
    Monthly,
    Quarterly,
    Yearly,
    /// Event-driven: within N days (1..=365) of the decision.
    WithinDays(u32),
}

impl Cadence {
    /// "monthly", "quarterly", "yearly", "within:5".
    pub fn as_str(self) -> String {
        match self {
            Cadence::Monthly => "monthly".into(),
            Cadence::Quarterly => "quarterly".into(),
            Cadence::Yearly => "yearly".into(),
            Cadence::WithinDays(n) => format!("within:{n}"),
        }
    }

    pub fn parse(s: &str) -> Option<Cadence> {
        match s.trim() {
            "monthly" => Some(Cadence::Monthly),
            "quarterly" => Some(Cadence::Quarterly),
            "yearly" => Some(Cadence::Yearly),
            other => {
                let n = other
                    .strip_prefix("within:")
                    .filter(|n| n.len() <= 3 && all_digits(n))?;
                n.parse()
                    .ok()
                    .filter(|n| (1..=365).contains(n))
                    .map(Cadence::WithinDays)
            }
        }
    }
}

/// Organic Law of Villagers' Committees art. 30: finance monthly, matters of major interest
/// at once (here within 5 days of the decision), everything else at least quarterly.
pub fn default_cadence(category: Category) -> Cadence {
    match category {
        Category::Finance => Cadence::Monthly,
        Category::Decisions => Cadence::WithinDays(5),
        _ => Cadence::Quarterly,
    }
}

/// The last on-time day: the day after the period ends, plus `grace_days`.
pub fn period_due(period: Period, grace_days: u32) -> NaiveDate {
    let days = Days::new(1 + u64::from(grace_days));
    period
        .end()
        .checked_add_days(days)
        .unwrap_or(NaiveDate::MAX)
}

/// The last on-time day for an event-driven disclosure decided on `decided_on`.
pub fn event_due(decided_on: NaiveDate, days: u32) -> NaiveDate {
    let days = Days::new(u64::from(days));
    decided_on.checked_add_days(days).unwrap_or(NaiveDate::MAX)
}

/// The complete periods from the one containing `since` to the last that ended before `today`.
pub fn expected_periods(cadence: Cadence, since: NaiveDate, today: NaiveDate) -> Vec<Period> {
    let first = Period::containing(cadence, since);
    let all = std::iter::successors(first, |p| Some(p.next()));
    // `start < end` holds for every real period; it stops at the end of chrono's range.
    all.take_while(|p| p.end() < today && p.start() < p.end())
        .collect()
}

/// Whether `p` was disclosed: published itself, or every part of it published more often
/// (three months make their quarter, four quarters or twelve months their year; art. 30
/// sets how often *at least*). A year's disclosure does not stand for its months.
pub fn covered(p: Period, published: &[Period]) -> bool {
    published.contains(&p) || {
        let parts = p.parts();
        !parts.is_empty() && parts.into_iter().all(|part| covered(part, published))
    }
}

/// Expected periods past their due date (due < today) and not `covered` by `published`,
/// with their due dates.
pub fn overdue(
    cadence: Cadence,
    since: NaiveDate,
    today: NaiveDate,
    grace_days: u32,
    published: &[Period],
) -> Vec<(Period, NaiveDate)> {
    let expected = expected_periods(cadence, since, today).into_iter();
    let due = expected.map(|p| (p, period_due(p, grace_days)));
    due.filter(|(p, d)| *d < today && !covered(*p, published))
        .collect()
}

/// The next deadline: the earliest period (from the one containing `since`) not in
/// `published` whose due date is today or later. Overdue ones are `overdue`'s business.
pub fn next_due(
    cadence: Cadence,
    since: NaiveDate,
    today: NaiveDate,
    grace_days: u32,
    published: &[Period],
) -> Option<(Period, NaiveDate)> {
    let first = Period::containing(cadence, since);
    let mut all =
        std::iter::successors(first, |p| Some(p.next())).take_while(|p| p.start() < p.end());
    let p = all.find(|p| period_due(*p, grace_days) >= today && !covered(*p, published))?;
    Some((p, period_due(p, grace_days)))
}

/// Most days of grace after a period ends: a county catalogue of 村务公开 sets quarterly
/// items "每季度的首个月20日", twenty days after the quarter.
pub const MAX_GRACE_DAYS: u32 = 20;
/// Most days after a decision before its disclosure: art. 30 says "随时公布"; the
/// Shaanxi measure says five days from approval, village charters ten days for answers.
pub const MAX_WITHIN_DAYS: u32 = 10;

/// The loosest cadence the law allows a category (art. 30): general affairs at least
/// quarterly, finance too (monthly where the community sets it), decisions within
/// `MAX_WITHIN_DAYS`. `None` for a category published by a job, with no cadence of its own.
pub fn floor(category: Category) -> Option<Cadence> {
    use Category::*;
    match category {
        Decisions => Some(Cadence::WithinDays(MAX_WITHIN_DAYS)),
        Finance | Assets | Projects | Subsidies | Personnel | Other => Some(Cadence::Quarterly),
        // The work-order bulletin is published by a job on the first of each month.
        WorkOrders => None,
    }
}

/// Months between disclosures of a periodic cadence.
fn months(c: Cadence) -> Option<u32> {
    match c {
        Cadence::Monthly => Some(1),
        Cadence::Quarterly => Some(3),
        Cadence::Yearly => Some(12),
        Cadence::WithinDays(_) => None,
    }
}

/// Why a cadence setting is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CadenceProblem {
    /// Less often than the law's floor for the category (which it names).
    BelowFloor(Cadence),
    /// `within:N` is for decisions only.
    WithinNotDecisions,
    /// Decisions are disclosed within days of each, not by period.
    DecisionsNeedWithin,
    /// More days than `MAX_WITHIN_DAYS`.
    TooManyDays,
    /// The category is published by a job and takes no cadence.
    NoCadence,
    /// The count starts after today.
    StartsLater,
    /// More than `MAX_GRACE_DAYS` of grace.
    TooMuchGrace,
}

impl CadenceProblem {
    /// The message key (arguments: `floor`, `max`).
    pub fn key(self) -> &'static str {
        match self {
            CadenceProblem::BelowFloor(_) => "disclosures.err_below_floor",
            CadenceProblem::WithinNotDecisions => "disclosures.err_within_not_decisions",
            CadenceProblem::DecisionsNeedWithin => "disclosures.err_decisions_need_within",
            CadenceProblem::TooManyDays => "disclosures.err_within_days",
            CadenceProblem::NoCadence => "disclosures.err_no_cadence",
            CadenceProblem::StartsLater => "disclosures.err_since_future",
            CadenceProblem::TooMuchGrace => "disclosures.err_grace",
        }
    }
}

/// A cadence the committee may set for `category`: as often as the law's floor or more.
pub fn check_cadence(category: Category, cadence: Cadence) -> Result<(), CadenceProblem> {
    let floor = floor(category).ok_or(CadenceProblem::NoCadence)?;
    match (floor, cadence) {
        (Cadence::WithinDays(_), Cadence::WithinDays(n)) if n > MAX_WITHIN_DAYS => {
            Err(CadenceProblem::TooManyDays)
        }
        (Cadence::WithinDays(_), Cadence::WithinDays(_)) => Ok(()),
        (Cadence::WithinDays(_), _) => Err(CadenceProblem::DecisionsNeedWithin),
        (_, Cadence::WithinDays(_)) => Err(CadenceProblem::WithinNotDecisions),
        (floor, c) if months(c) > months(floor) => Err(CadenceProblem::BelowFloor(floor)),
        _ => Ok(()),
    }
}

/// The start of the count and the grace days: no later than today (a start in the future
/// would excuse the periods before it), grace at most `MAX_GRACE_DAYS`.
pub fn check_window(since: NaiveDate, grace_days: u32, today: NaiveDate) -> Vec<CadenceProblem> {
    let mut out = Vec::new();
    if since > today {
        out.push(CadenceProblem::StartsLater);
    }
    if grace_days > MAX_GRACE_DAYS {
        out.push(CadenceProblem::TooMuchGrace);
    }
    out
}

/// Whether a disclosure counts as published for its period: one with nothing in it (no
/// text, no ledger) published before its period ended is a placeholder, not a disclosure.
pub fn counts_as_published(period: Period, published_on: NaiveDate, has_content: bool) -> bool {
    has_content || period.end() < published_on
}

/// The last on-time day of a disclosure of `period` under `cadence`: the due date of the
/// cadence's period that `period` completes (March completes Q1 under a quarterly cadence),
/// or of `period` itself when it is the longer. `None` for event-driven cadences.
pub fn due_for(cadence: Cadence, period: Period, grace_days: u32) -> Option<NaiveDate> {
    let of_cadence = Period::containing(cadence, period.end())?;
    let owed = if of_cadence.start() <= period.start() {
        of_cadence
    } else {
        period
    };
    Some(period_due(owed, grace_days))
}

/// Beijing days a disclosure came out after its due date (`published_on` is its Beijing
/// day); `None` when it was on time.
pub fn days_late(due: NaiveDate, published_on: NaiveDate) -> Option<i64> {
    let n = (published_on - due).num_days();
    (n > 0).then_some(n)
}

/// Days after a major item's last work order is confirmed within which its implementation
/// result (实施结果公开, the last step of 四议两公开) is due, unless the community sets
/// fewer; it may not set more.
pub const DEFAULT_RESULT_DAYS: u32 = 10;
/// The cadence settings' row holding a community's days for implementation results.
pub const RESULT_SETTING: &str = "results";

/// Days for the implementation result the committee may set: 1 to `DEFAULT_RESULT_DAYS`.
pub fn check_result_days(days: u32) -> bool {
    (1..=DEFAULT_RESULT_DAYS).contains(&days)
}

/// When a passed major item's implementation result is due: `days` after the day its last
/// work order was confirmed, once every order is (`None` before that, or with no orders).
pub fn result_due(
    order_states: &[&str],
    last_confirmed_on: Option<NaiveDate>,
    days: u32,
) -> Option<NaiveDate> {
    if !crate::agenda::rules::implementation_done(order_states) {
        return None;
    }
    last_confirmed_on.map(|d| event_due(d, days))
}
