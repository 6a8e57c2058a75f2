//! Typed dates and disclosure periods (months, quarters, years): parsing, bounds, labels
//! and order.

use std::cmp::Ordering;

use chrono::{Datelike, NaiveDate};

use super::*;
use crate::text::{all_digits, halfwidth};

/// The first of a month; `NaiveDate::MAX` beyond chrono's range (so nothing panics).
fn ymd(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month.clamp(1, 12), 1).unwrap_or(NaiveDate::MAX)
}

const MONTHS_EN: &str =
    "January February March April May June July August September October November December";

/// A disclosure period. Make it with `parse` or `containing`; a hand-built month or
/// quarter out of range is clamped (month 13 acts as 12), so nothing here panics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    Month { year: i32, month: u32 },
    Quarter { year: i32, quarter: u32 },
    Year { year: i32 },
}

pub(super) fn month(year: i32, month: u32) -> Period {
    Period::Month { year, month }
}

pub(super) fn quarter(year: i32, quarter: u32) -> Period {
    Period::Quarter { year, quarter }
}

impl Period {
    /// "2026-03", "2026-3", "2026-Q1", "2026Q1", "2026" ("/" or "." for "-", "q", full-width).
    pub fn parse(input: &str) -> Option<Period> {
        let norm = halfwidth(input).to_ascii_uppercase();
        let s = norm.trim();
        let year: i32 = s.get(..4).filter(|y| all_digits(y))?.parse().ok()?;
        let rest = &s[4..];
        let (dashed, rest) = match rest.strip_prefix(['-', '/', '.']) {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let small = |t: &str, len| {
            (!t.is_empty() && t.len() <= len && all_digits(t)).then(|| t.parse().ok())
        };
        match rest.strip_prefix('Q') {
            _ if rest.is_empty() && !dashed => Some(Period::Year { year }),
            Some(q) => small(q, 1)
                .flatten()
                .filter(|q| (1..=4).contains(q))
                .map(|q| quarter(year, q)),
            None if dashed => small(rest, 2)
                .flatten()
                .filter(|m| (1..=12).contains(m))
                .map(|m| month(year, m)),
            None => None,
        }
    }

    /// The period of a cadence that contains `date`; `None` for event-driven cadences.
    pub fn containing(cadence: Cadence, date: NaiveDate) -> Option<Period> {
        let (year, m) = (date.year(), date.month());
        match cadence {
            Cadence::Monthly => Some(month(year, m)),
            Cadence::Quarterly => Some(quarter(year, (m - 1) / 3 + 1)),
            Cadence::Yearly => Some(Period::Year { year }),
            Cadence::WithinDays(_) => None,
        }
    }

    /// Canonical form: "2026-03", "2026-Q1", "2026".
    pub fn as_str(&self) -> String {
        match *self {
            Period::Month { year, month } => format!("{year:04}-{month:02}"),
            Period::Quarter { year, quarter } => format!("{year:04}-Q{quarter}"),
            Period::Year { year } => format!("{year:04}"),
        }
    }

    pub fn start(&self) -> NaiveDate {
        match *self {
            Period::Month { year, month } => ymd(year, month),
            Period::Quarter { year, quarter } => ymd(year, quarter.clamp(1, 4) * 3 - 2),
            Period::Year { year } => ymd(year, 1),
        }
    }

    /// The last day, inclusive.
    pub fn end(&self) -> NaiveDate {
        self.next().start().pred_opt().unwrap_or(NaiveDate::MIN)
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start() <= date && date <= self.end()
    }

    /// The following period of the same kind.
    pub fn next(&self) -> Period {
        match *self {
            Period::Month { year, month: 12.. } => month(year.saturating_add(1), 1),
            Period::Month { year, month: m } => month(year, m.max(1) + 1),
            Period::Quarter { year, quarter: 4.. } => quarter(year.saturating_add(1), 1),
            Period::Quarter { year, quarter: q } => quarter(year, q.max(1) + 1),
            Period::Year { year } => Period::Year {
                year: year.saturating_add(1),
            },
        }
    }

    /// The shorter periods that make this one up: a year's quarters, a quarter's months.
    pub fn parts(&self) -> Vec<Period> {
        match *self {
            Period::Month { .. } => Vec::new(),
            Period::Quarter { year, quarter: q } => {
                let first = q.clamp(1, 4) * 3 - 2;
                (first..first + 3).map(|m| month(year, m)).collect()
            }
            Period::Year { year } => (1..=4).map(|q| quarter(year, q)).collect(),
        }
    }

    /// "2026年3月", "2026年第1季度", "2026年" / "March 2026", "Q1 2026", "2026".
    pub fn label(&self, zh: bool) -> String {
        match (*self, zh) {
            (Period::Month { year, month }, true) => format!("{year}年{month}月"),
            (Period::Month { year, month }, false) => {
                let name = MONTHS_EN.split(' ').nth(month.clamp(1, 12) as usize - 1);
                format!("{} {year}", name.unwrap_or_default())
            }
            (Period::Quarter { year, quarter }, true) => format!("{year}年第{quarter}季度"),
            (Period::Quarter { year, quarter }, false) => format!("Q{quarter} {year}"),
            (Period::Year { year }, true) => format!("{year}年"),
            (Period::Year { year }, false) => format!("{year}"),
        }
    }

    /// Ordering key: start, end (so length), then the raw fields to agree with `Eq`.
    fn sort_key(&self) -> (NaiveDate, NaiveDate, i32, u32, u32) {
        let (year, kind, n) = match *self {
            Period::Month { year, month } => (year, 0, month),
            Period::Quarter { year, quarter } => (year, 1, quarter),
            Period::Year { year } => (year, 2, 0),
        };
        (self.start(), self.end(), year, kind, n)
    }
}

/// By start date, then length (a month before the quarter and the year it starts).
impl Ord for Period {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
