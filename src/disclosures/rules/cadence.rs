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

/// Expected periods past their due date (due < today) and not in `published`, with their
/// due dates. Matching is exact: a year's disclosure does not stand for its months.
pub fn overdue(
    cadence: Cadence,
    since: NaiveDate,
    today: NaiveDate,
    grace_days: u32,
    published: &[Period],
) -> Vec<(Period, NaiveDate)> {
    let expected = expected_periods(cadence, since, today).into_iter();
    let due = expected.map(|p| (p, period_due(p, grace_days)));
    due.filter(|(p, d)| *d < today && !published.contains(p))
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
    let p = all.find(|p| period_due(*p, grace_days) >= today && !published.contains(p))?;
    Some((p, period_due(p, grace_days)))
}
