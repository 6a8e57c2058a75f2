//! The roster's pure rules: a person's age on a day (who counts as an adult), which status
//! changes are lawful and when, and what a phone number on the roster looks like.

use chrono::{Datelike, NaiveDate};

/// The age from which a villager counts in a villagers' meeting (村民委员会组织法 art. 13, 22).
pub const ADULT_AGE: i32 = 18;

/// The first day on which someone born on `birth` has `years` full years (周岁).
///
/// A birthday counts on the day itself: born 2008-12-03, 18 on 2026-12-03. Someone born on
/// 29 February reaches the age on 1 March in a year without one (the day after 28 February):
/// never a day early. When only the month of birth is known (`month_only`, 出生年月), the day
/// could be the last of the month, so the age is reached only on the first day of the month
/// after the birthday month: counting earlier could count a minor, and the electorate must
/// never hold one.
pub fn reaches_age_on(birth: NaiveDate, month_only: bool, years: i32) -> NaiveDate {
    let year = birth.year() + years;
    if month_only {
        let (y, m) = if birth.month() == 12 {
            (year + 1, 1)
        } else {
            (year, birth.month() + 1)
        };
        return NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MAX);
    }
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
        .unwrap_or(NaiveDate::MAX)
}

/// Whether the person is 18 or over on `day`.
pub fn is_adult_on(birth: NaiveDate, month_only: bool, day: NaiveDate) -> bool {
    day >= reaches_age_on(birth, month_only, ADULT_AGE)
}

/// Full years on `day` (0 before the first birthday), by the same counting as the adult rule.
pub fn age_on(birth: NaiveDate, month_only: bool, day: NaiveDate) -> i32 {
    if day < birth {
        return 0;
    }
    let mut years = day.year() - birth.year();
    while years > 0 && day < reaches_age_on(birth, month_only, years) {
        years -= 1;
    }
    years.max(0)
}

/// A person's standing on the roster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Status {
    /// 在册
    Listed,
    /// 迁出
    Moved,
    /// 去世
    Deceased,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Listed, Status::Moved, Status::Deceased];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Listed => "listed",
            Status::Moved => "moved",
            Status::Deceased => "deceased",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s.trim() {
            "listed" | "在册" | "" => Some(Status::Listed),
            "moved" | "迁出" => Some(Status::Moved),
            "deceased" | "去世" | "死亡" | "已故" => Some(Status::Deceased),
            _ => None,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Status::Listed => "roster.status.listed",
            Status::Moved => "roster.status.moved",
            Status::Deceased => "roster.status.deceased",
        }
    }
}

/// Why a status change is refused: the locale key of the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusRefusal {
    AlreadyMoved,
    DeceasedIsFinal,
    AlreadyListed,
    InFuture,
    BeforeBirth,
    BeforeLastChange,
}

impl StatusRefusal {
    pub fn key(self) -> &'static str {
        match self {
            StatusRefusal::AlreadyMoved => "roster.err.already_moved",
            StatusRefusal::DeceasedIsFinal => "roster.err.deceased_final",
            StatusRefusal::AlreadyListed => "roster.err.already_listed",
            StatusRefusal::InFuture => "roster.err.date_future",
            StatusRefusal::BeforeBirth => "roster.err.date_before_birth",
            StatusRefusal::BeforeLastChange => "roster.err.date_before_last",
        }
    }
}

/// The person as the status rule sees them.
pub struct Standing {
    pub status: Status,
    pub status_date: Option<NaiveDate>,
    pub birth: NaiveDate,
}

/// Whether a person may go from their standing to `to` on `date`, seen on `today`.
/// Moved away → back on the roster (迁回) is allowed; moving away twice is not; death is
/// final. The date is neither in the future nor before birth, nor before the last change.
pub fn check_status(
    now: &Standing,
    to: Status,
    date: NaiveDate,
    today: NaiveDate,
) -> Result<(), StatusRefusal> {
    match (now.status, to) {
        (Status::Deceased, _) => return Err(StatusRefusal::DeceasedIsFinal),
        (Status::Moved, Status::Moved) => return Err(StatusRefusal::AlreadyMoved),
        (Status::Listed, Status::Listed) => return Err(StatusRefusal::AlreadyListed),
        _ => {}
    }
    if date > today {
        return Err(StatusRefusal::InFuture);
    }
    if date < now.birth {
        return Err(StatusRefusal::BeforeBirth);
    }
    if now.status_date.is_some_and(|d| date < d) {
        return Err(StatusRefusal::BeforeLastChange);
    }
    Ok(())
}

/// A birth date is refused when it lies after `today` or more than 130 years before it.
pub fn birth_ok(birth: NaiveDate, today: NaiveDate) -> Result<(), &'static str> {
    if birth > today {
        Err("roster.err.birth_future")
    } else if today.year() - birth.year() > 130 {
        Err("roster.err.birth_old")
    } else {
        Ok(())
    }
}

/// "男" / "女" (or m / f) as stored: "m" or "f".
pub fn parse_sex(s: &str) -> Option<&'static str> {
    match s.trim() {
        "m" | "男" | "M" | "男性" => Some("m"),
        "f" | "女" | "F" | "女性" => Some("f"),
        _ => None,
    }
}

/// A phone number as kept on the roster: digits only, without +86; a mobile number has 11
/// digits and starts with 1, a landline starts with 0 (area code) and has 10 to 12 digits.
/// Empty stays empty (the phone is optional). Full-width digits, spaces and dashes are fine.
pub fn normalize_phone(input: &str) -> Result<String, &'static str> {
    let mut digits = String::new();
    let mut plus = false;
    for c in input.trim().chars() {
        let c = match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        };
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '(' | ')' | '（' | '）' | '　' => {}
            '+' if digits.is_empty() && !plus => plus = true,
            _ => return Err("roster.err.phone"),
        }
    }
    if digits.is_empty() {
        return if plus {
            Err("roster.err.phone")
        } else {
            Ok(digits)
        };
    }
    let national = if plus {
        digits
            .strip_prefix("86")
            .ok_or("roster.err.phone")?
            .to_string()
    } else if let Some(rest) = digits.strip_prefix("0086") {
        rest.to_string()
    } else if digits.len() == 13 && digits.starts_with("861") {
        digits[2..].to_string()
    } else {
        digits
    };
    let mobile = national.len() == 11 && national.starts_with('1');
    let landline = national.starts_with('0') && (10..=12).contains(&national.len());
    if mobile || landline {
        Ok(national)
    } else {
        Err("roster.err.phone")
    }
}

/// A birth date as a committee writes it: a full date ("1962-03-01", "1962/3/1", "19620301",
/// "1962年3月1日") or only a month ("1962.3", "1962-03", "1962年3月", "196203"), which is
/// kept as the first of the month with `month_only` set. `None` when it is no date.
pub fn parse_birth(input: &str) -> Option<(NaiveDate, bool)> {
    if let Ok(d) = crate::clock::parse_date(input) {
        return Some((d, false));
    }
    let s: String = input
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .collect();
    let s = s.trim_end_matches('月');
    let (y, m) = if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        (&s[..4], &s[4..])
    } else {
        s.split_once(['年', '.', '-', '/'])?
    };
    let (y, m) = (y.trim(), m.trim());
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if y.len() != 4 || m.len() > 2 || !digits(y) || !digits(m) {
        return None;
    }
    let d = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)?;
    Some((d, true))
}

/// A birth date as shown and exported: "1962-03-01", or "1962-03" when only the month is known.
pub fn show_birth(birth: NaiveDate, month_only: bool) -> String {
    if month_only {
        birth.format("%Y-%m").to_string()
    } else {
        birth.format("%Y-%m-%d").to_string()
    }
}

/// One person as the public counts see them.
pub struct CountRow {
    pub birth: NaiveDate,
    pub month_only: bool,
    pub listed: bool,
    pub group: Option<i64>,
    pub household: i64,
}

/// What the public sees of the roster on a day: households with someone listed, persons
/// listed, adults listed; and the same by group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub households: i64,
    pub persons: i64,
    pub adults: i64,
    /// (group, households, adults), groups in the order given.
    pub by_group: Vec<(Option<i64>, i64, i64)>,
}

pub fn counts(rows: &[CountRow], groups: &[i64], day: NaiveDate) -> Counts {
    use std::collections::HashSet;
    let listed: Vec<&CountRow> = rows.iter().filter(|r| r.listed).collect();
    let households = |it: &mut dyn Iterator<Item = &&CountRow>| {
        it.map(|r| r.household).collect::<HashSet<_>>().len() as i64
    };
    let adult = |r: &CountRow| is_adult_on(r.birth, r.month_only, day);
    let mut by_group = Vec::new();
    let keys = groups.iter().map(|g| Some(*g)).chain(std::iter::once(None));
    for g in keys {
        let mine: Vec<&CountRow> = listed.iter().copied().filter(|r| r.group == g).collect();
        if g.is_none() && mine.is_empty() {
            continue;
        }
        by_group.push((
            g,
            households(&mut mine.iter()),
            mine.iter().filter(|r| adult(r)).count() as i64,
        ));
    }
    Counts {
        households: households(&mut listed.iter()),
        persons: listed.len() as i64,
        adults: listed.iter().filter(|r| adult(r)).count() as i64,
        by_group,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn art_13_eighteen_on_the_birthday_itself_not_the_day_before() {
        assert!(is_adult_on(d(2008, 12, 3), false, d(2026, 12, 3)));
        assert!(!is_adult_on(d(2008, 12, 3), false, d(2026, 12, 2)));
    }

    #[test]
    fn art_13_leap_day_birth_is_eighteen_on_first_of_march_in_a_common_year() {
        // 2008-02-29 → 2026 has no 29 February.
        assert!(!is_adult_on(d(2008, 2, 29), false, d(2026, 2, 28)));
        assert!(is_adult_on(d(2008, 2, 29), false, d(2026, 3, 1)));
        // 2006-02-29 does not exist; 2004-02-29 → 2022-03-01 as well.
        assert!(!is_adult_on(d(2004, 2, 29), false, d(2022, 2, 28)));
        // And in a leap year the birthday itself.
        assert!(is_adult_on(d(2010, 2, 28), false, d(2028, 2, 28)));
        assert_eq!(reaches_age_on(d(2012, 2, 29), false, 16), d(2028, 2, 29));
    }

    #[test]
    fn art_13_month_only_birth_counts_from_the_month_after_never_a_minor() {
        // 出生年月 2008年12月: the day may be the 31st, so adult only from 2027-01-01.
        assert!(!is_adult_on(d(2008, 12, 1), true, d(2026, 12, 31)));
        assert!(is_adult_on(d(2008, 12, 1), true, d(2027, 1, 1)));
        assert!(!is_adult_on(d(2008, 3, 1), true, d(2026, 3, 31)));
        assert!(is_adult_on(d(2008, 3, 1), true, d(2026, 4, 1)));
    }

    #[test]
    fn age_counts_full_years() {
        assert_eq!(age_on(d(1962, 3, 1), false, d(2026, 12, 3)), 64);
        assert_eq!(age_on(d(2008, 12, 3), false, d(2026, 12, 2)), 17);
        assert_eq!(age_on(d(2008, 12, 3), false, d(2026, 12, 3)), 18);
        assert_eq!(age_on(d(2026, 12, 3), false, d(2026, 12, 3)), 0);
        assert_eq!(age_on(d(2026, 12, 3), false, d(2026, 1, 1)), 0);
    }

    fn standing(status: Status, status_date: Option<NaiveDate>) -> Standing {
        Standing {
            status,
            status_date,
            birth: d(1960, 5, 1),
        }
    }

    #[test]
    fn moving_away_twice_is_refused() {
        let s = standing(Status::Moved, Some(d(2026, 3, 1)));
        let r = check_status(&s, Status::Moved, d(2026, 6, 1), d(2026, 12, 3));
        assert_eq!(r, Err(StatusRefusal::AlreadyMoved));
    }

    #[test]
    fn deceased_is_final() {
        let s = standing(Status::Deceased, Some(d(2026, 3, 1)));
        for to in Status::ALL {
            let r = check_status(&s, to, d(2026, 6, 1), d(2026, 12, 3));
            assert_eq!(r, Err(StatusRefusal::DeceasedIsFinal));
        }
    }

    #[test]
    fn a_date_in_the_future_or_before_birth_is_refused() {
        let s = standing(Status::Listed, None);
        let today = d(2026, 12, 3);
        assert_eq!(
            check_status(&s, Status::Moved, d(2026, 12, 4), today),
            Err(StatusRefusal::InFuture)
        );
        assert_eq!(check_status(&s, Status::Moved, today, today), Ok(()));
        assert_eq!(
            check_status(&s, Status::Deceased, d(1960, 4, 30), today),
            Err(StatusRefusal::BeforeBirth)
        );
        assert_eq!(
            check_status(&s, Status::Deceased, d(1960, 5, 1), today),
            Ok(())
        );
    }

    #[test]
    fn back_on_the_roster_after_moving_away_not_before_the_move() {
        let s = standing(Status::Moved, Some(d(2026, 3, 1)));
        let today = d(2026, 12, 3);
        assert_eq!(
            check_status(&s, Status::Listed, d(2026, 3, 1), today),
            Ok(())
        );
        assert_eq!(
            check_status(&s, Status::Listed, d(2026, 2, 28), today),
            Err(StatusRefusal::BeforeLastChange)
        );
    }

    #[test]
    fn a_birth_date_in_the_future_is_refused() {
        let today = d(2026, 12, 3);
        assert_eq!(
            birth_ok(d(2026, 12, 4), today),
            Err("roster.err.birth_future")
        );
        assert_eq!(birth_ok(today, today), Ok(()));
    }

    #[test]
    fn phones_are_normalized() {
        assert_eq!(normalize_phone("138 0013 8000").unwrap(), "13800138000");
        assert_eq!(normalize_phone("+86 138-0013-8000").unwrap(), "13800138000");
        assert_eq!(normalize_phone("008613800138000").unwrap(), "13800138000");
        assert_eq!(
            normalize_phone("１３８００１３８０００").unwrap(),
            "13800138000"
        );
        assert_eq!(normalize_phone("0571-88881234").unwrap(), "057188881234");
        assert_eq!(normalize_phone("  ").unwrap(), "");
        assert!(normalize_phone("12345").is_err());
        assert!(normalize_phone("138001380001").is_err());
        assert!(normalize_phone("=1+2").is_err());
    }

    #[test]
    fn birth_dates_as_committees_write_them() {
        assert_eq!(parse_birth("1962-03-01"), Some((d(1962, 3, 1), false)));
        assert_eq!(parse_birth("19620301"), Some((d(1962, 3, 1), false)));
        assert_eq!(parse_birth("1962年3月1日"), Some((d(1962, 3, 1), false)));
        assert_eq!(parse_birth("1962.3"), Some((d(1962, 3, 1), true)));
        assert_eq!(parse_birth("1962年3月"), Some((d(1962, 3, 1), true)));
        assert_eq!(parse_birth("196203"), Some((d(1962, 3, 1), true)));
        assert_eq!(parse_birth("1962-13-01"), None);
        assert_eq!(parse_birth("1962.13"), None);
        assert_eq!(parse_birth("abc"), None);
        assert_eq!(show_birth(d(1962, 3, 1), true), "1962-03");
    }

    #[test]
    fn public_counts_leave_out_minors_and_those_gone() {
        let row = |birth, listed, group, household| CountRow {
            birth,
            month_only: false,
            listed,
            group,
            household,
        };
        let rows = [
            row(d(1960, 1, 1), true, Some(1), 10),
            row(d(2010, 1, 1), true, Some(1), 10),
            row(d(1970, 1, 1), false, Some(2), 11),
            row(d(1980, 1, 1), true, Some(2), 12),
        ];
        let c = counts(&rows, &[1, 2], d(2026, 12, 3));
        assert_eq!((c.households, c.persons, c.adults), (2, 3, 2));
        assert_eq!(c.by_group, vec![(Some(1), 1, 1), (Some(2), 1, 1)]);
    }

    proptest! {
        /// Whoever the rule counts as an adult is 18 by any reading of their birth date: for a
        /// month-only birth, on every possible day of that month.
        #[test]
        fn never_counts_a_minor(y in 1950i32..2020, m in 1u32..=12, day in 1u32..=31, off in 0i64..800) {
            let first = d(y, m, 1);
            let on = reaches_age_on(first, true, ADULT_AGE) - chrono::Duration::days(off) ;
            if is_adult_on(first, true, on) {
                // Any real birthday in that month.
                if let Some(b) = NaiveDate::from_ymd_opt(y, m, day) {
                    prop_assert!(is_adult_on(b, false, on));
                }
            }
            if let Some(b) = NaiveDate::from_ymd_opt(y, m, day) {
                let from = reaches_age_on(b, false, ADULT_AGE);
                prop_assert!(age_on(b, false, from) == ADULT_AGE);
                prop_assert!(age_on(b, false, from - chrono::Duration::days(1)) == ADULT_AGE - 1);
            }
        }
    }
}
