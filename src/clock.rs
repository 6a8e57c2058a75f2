//! Time. Injected: the server reads the system clock, tests set their own. And Beijing time,
//! in this one module: every time is stored and compared in UTC, and every date or time a
//! person reads or types is Beijing's (UTC+8 all year; China keeps no daylight saving time).
//! Local days, weeks and months, formatting and parsing all go through here.

use std::sync::Mutex;

use crate::text::{all_digits, halfwidth};

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, IsoWeek, NaiveDate, NaiveDateTime, SecondsFormat,
    Timelike, Utc,
};

pub trait Clock: Send + Sync {
    /// Now, in UTC, truncated to microseconds so both backends store the same value.
    fn now(&self) -> NaiveDateTime;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        truncate(Utc::now())
    }
}

/// A clock that stands still until moved; for tests.
pub struct FixedClock(Mutex<NaiveDateTime>);

impl FixedClock {
    pub fn new(at: NaiveDateTime) -> FixedClock {
        FixedClock(Mutex::new(at))
    }

    pub fn advance(&self, by: chrono::Duration) {
        if let Ok(mut t) = self.0.lock() {
            *t += by;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> NaiveDateTime {
        match self.0.lock() {
            Ok(t) => *t,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}

fn truncate(t: DateTime<Utc>) -> NaiveDateTime {
    let n = t.naive_utc();
    n.with_nanosecond(n.nanosecond() / 1000 * 1000).unwrap_or(n)
}

// ---- Beijing time ----

/// Beijing's offset from UTC, in seconds.
const BEIJING_SECONDS: i32 = 8 * 3600;

/// Beijing's offset from UTC.
pub const BEIJING: FixedOffset = match FixedOffset::east_opt(BEIJING_SECONDS) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// The Beijing wall-clock time of a UTC time.
pub fn local(t: NaiveDateTime) -> NaiveDateTime {
    t + Duration::seconds(BEIJING_SECONDS.into())
}

/// The UTC time of a Beijing wall-clock time.
pub fn from_local(t: NaiveDateTime) -> NaiveDateTime {
    t - Duration::seconds(BEIJING_SECONDS.into())
}

/// The Beijing day of a UTC time: the day it is in China, when things fall due.
pub fn local_day(t: NaiveDateTime) -> NaiveDate {
    local(t).date()
}

/// The ISO week in Beijing of a UTC time.
pub fn local_week(t: NaiveDateTime) -> IsoWeek {
    local(t).iso_week()
}

/// The (year, month) in Beijing of a UTC time.
pub fn local_month(t: NaiveDateTime) -> (i32, u32) {
    let l = local(t);
    (l.year(), l.month())
}

/// The UTC time at which a Beijing day begins (its midnight).
pub fn day_start(d: NaiveDate) -> NaiveDateTime {
    from_local(d.and_time(chrono::NaiveTime::MIN))
}

/// The UTC bounds [start, end) of a Beijing calendar month; `None` for a month that is not one.
pub fn month_bounds(year: i32, month: u32) -> Option<(NaiveDateTime, NaiveDateTime)> {
    let start = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    Some((day_start(start), day_start(next)))
}

// ---- formatting: what a person reads ----

/// A UTC time as a person reads it: Beijing, to the minute (`2026-12-01 07:30`).
pub fn fmt_time(t: &NaiveDateTime) -> String {
    local(*t).format("%Y-%m-%d %H:%M").to_string()
}

/// A deadline as people say it: one that falls at midnight in Beijing is the end of the day
/// before (`2026-12-03 24:00`, not `2026-12-04 00:00`, which reads as a day more); others as
/// [`fmt_time`].
pub fn fmt_deadline(t: &NaiveDateTime) -> String {
    let at = local(*t);
    match (at.hour(), at.minute(), at.date().pred_opt()) {
        (0, 0, Some(day)) => format!("{day} 24:00"),
        _ => fmt_time(t),
    }
}

/// The Beijing day of a UTC time (`2026-12-01`).
pub fn fmt_day(t: &NaiveDateTime) -> String {
    local_day(*t).to_string()
}

/// A UTC time for a feed (Atom's RFC 3339), in UTC to the second: `2026-11-30T23:30:00Z`.
pub fn atom_time(t: &NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A UTC time as W3C (RFC 3339) in Beijing, to the second: `2026-11-26T09:00:00+08:00`.
pub fn w3c_time(t: &NaiveDateTime) -> String {
    t.and_utc()
        .with_timezone(&BEIJING)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

// ---- parsing: what a person types ----

/// A typed date, `2026-11-30` (surrounding spaces ignored).
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// Reads "2026-11-30 18:00", "2026-11-30T18:00" or a bare "2026-11-30" (its midnight) as
/// Beijing time; the answer is UTC.
pub fn parse_local_time(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim().replace('T', " ");
    NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M")
        .ok()
        .or_else(|| parse_day(&s).map(|d| d.and_time(chrono::NaiveTime::MIN)))
        .map(from_local)
}

/// Reads a W3C datetime (RFC 3339 with or without seconds, `…Z` to the minute, or a bare date
/// taken as midnight in Beijing) as UTC.
pub fn parse_w3c(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.naive_utc());
    }
    // `2026-11-26T09:00+08:00` (W3C allows leaving the seconds out).
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%:z") {
        return Some(t.naive_utc());
    }
    if let Some(z) = s.strip_suffix('Z') {
        if let Ok(t) = NaiveDateTime::parse_from_str(z, "%Y-%m-%dT%H:%M") {
            return Some(t);
        }
    }
    parse_day(s).map(day_start)
}

// ---- typed dates ----

/// How far from today a typed date may lie, in years either way: a payment, a project's
/// dates, a work order's due date, a disclosure's period.
pub const DATE_YEARS: u32 = 5;

/// Whether `day` lies within [`DATE_YEARS`] years of `today`, both ends included.
pub fn near_today(day: NaiveDate, today: NaiveDate) -> bool {
    let years = chrono::Months::new(12 * DATE_YEARS);
    match (
        today.checked_sub_months(years),
        today.checked_add_months(years),
    ) {
        (Some(first), Some(last)) => (first..=last).contains(&day),
        _ => false,
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateProblem {
    Empty,
    Bad(String),
    /// Read, but more than [`DATE_YEARS`] years from today.
    Far(String),
}

impl DateProblem {
    pub fn key(&self) -> &'static str {
        match self {
            DateProblem::Empty => "disclosure.err.date_empty",
            DateProblem::Bad(_) => "disclosure.err.date_bad",
            DateProblem::Far(_) => "disclosure.err.date_far",
        }
    }

    pub fn args(&self, _zh: bool) -> Vec<(&'static str, String)> {
        match self {
            DateProblem::Empty => vec![],
            DateProblem::Bad(v) | DateProblem::Far(v) => {
                vec![("value", v.clone()), ("years", DATE_YEARS.to_string())]
            }
        }
    }
}

/// [`parse_date`], and the day within [`DATE_YEARS`] years of `today`.
pub fn parse_near_date(input: &str, today: NaiveDate) -> Result<NaiveDate, DateProblem> {
    let day = parse_date(input)?;
    if near_today(day, today) {
        Ok(day)
    } else {
        Err(DateProblem::Far(input.trim().to_string()))
    }
}

/// "2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", "20260305" (full-width digits too).
pub fn parse_date(input: &str) -> Result<NaiveDate, DateProblem> {
    let norm = halfwidth(input);
    let s = norm.trim();
    if s.is_empty() {
        return Err(DateProblem::Empty);
    }
    let bad = || DateProblem::Bad(input.trim().to_string());
    let parts: Vec<&str> = if s.len() == 8 && all_digits(s) {
        vec![&s[..4], &s[4..6], &s[6..]]
    } else if s.contains('年') {
        s.trim_end_matches('日')
            .split(['年', '月'])
            .map(str::trim)
            .collect()
    } else {
        let sep = s
            .chars()
            .find(|c| matches!(c, '-' | '/' | '.'))
            .ok_or_else(bad)?;
        s.split(sep).map(str::trim).collect()
    };
    let widths_ok = matches!(parts[..], [y, m, d] if y.len() == 4 && m.len() <= 2 && d.len() <= 2);
    if !widths_ok || parts.iter().any(|p| p.is_empty() || !all_digits(p)) {
        return Err(bad());
    }
    let n = |i: usize| parts[i].parse::<u32>().unwrap_or(0);
    NaiveDate::from_ymd_opt(n(0) as i32, n(1), n(2)).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .expect("valid time")
    }

    #[test]
    fn a_deadline_at_beijing_midnight_is_the_end_of_the_day_before() {
        // 16:00 UTC on 3 December is 00:00 on the 4th in Beijing.
        assert_eq!(fmt_deadline(&utc(2026, 12, 3, 16, 0)), "2026-12-03 24:00");
        assert_eq!(fmt_deadline(&utc(2026, 12, 3, 16, 1)), "2026-12-04 00:01");
        assert_eq!(fmt_deadline(&utc(2026, 12, 3, 1, 0)), "2026-12-03 09:00");
    }

    #[test]
    fn half_past_eleven_utc_on_30_november_is_1_december_in_beijing() {
        let t = utc(2026, 11, 30, 23, 30);
        assert_eq!(fmt_day(&t), "2026-12-01");
        assert_eq!(fmt_time(&t), "2026-12-01 07:30");
        assert_eq!(local_month(t), (2026, 12));
        assert_eq!(atom_time(&t), "2026-11-30T23:30:00Z");
        assert_eq!(w3c_time(&t), "2026-12-01T07:30:00+08:00");
    }

    #[test]
    fn a_beijing_day_begins_at_four_in_the_afternoon_utc_the_day_before() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        assert_eq!(day_start(d), utc(2026, 11, 30, 16, 0));
        assert_eq!(local_day(day_start(d)), d);
        assert_eq!(
            month_bounds(2026, 12),
            Some((utc(2026, 11, 30, 16, 0), utc(2026, 12, 31, 16, 0)))
        );
        assert_eq!(month_bounds(2026, 13), None);
    }

    #[test]
    fn typed_times_are_beijing_and_stored_as_utc() {
        assert_eq!(
            parse_local_time("2026-11-30 18:00"),
            Some(utc(2026, 11, 30, 10, 0))
        );
        assert_eq!(
            parse_local_time(" 2026-11-30T18:00 "),
            Some(utc(2026, 11, 30, 10, 0))
        );
        assert_eq!(
            parse_local_time("2026-12-01"),
            Some(utc(2026, 11, 30, 16, 0))
        );
        assert_eq!(parse_local_time("tomorrow"), None);
        assert_eq!(
            parse_w3c("2026-11-26T09:00:00+08:00"),
            Some(utc(2026, 11, 26, 1, 0))
        );
        assert_eq!(
            parse_w3c("2026-11-26T09:00+08:00"),
            Some(utc(2026, 11, 26, 1, 0))
        );
        assert_eq!(
            parse_w3c("2026-11-26T01:00Z"),
            Some(utc(2026, 11, 26, 1, 0))
        );
        assert_eq!(parse_w3c("2026-11-26"), Some(utc(2026, 11, 25, 16, 0)));
    }
}
