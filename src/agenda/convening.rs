//! The law of convening, pure: how long before a statutory meeting its convening notice
//! (召集通知) must be published (村民委员会组织法 art. 21: 应当提前十天通知村民), and when the
//! supporters of a proposal oblige the committee to convene a meeting on it (art. 21 for
//! villages; 城市居民委员会组织法 art. 10 for urban communities).

use chrono::{Duration, NaiveDate, NaiveDateTime};

/// The villagers' (and urban residents') meeting: notice at least ten days ahead (art. 21).
pub const VILLAGERS_NOTICE_DAYS: i64 = 10;
/// Representatives' and group meetings: the community's period, three days unless it sets
/// a longer one.
pub const DEFAULT_NOTICE_DAYS: i64 = 3;
/// Longest notice period accepted, so a typo cannot postpone a meeting by years.
pub const MAX_NOTICE_DAYS: i64 = 90;

/// The meetings a convening notice may announce (the body strings of ballots).
pub const NOTICED_BODIES: [&str; 4] = ["residents", "households", "representatives", "group"];

/// The shortest notice, in days, a meeting of `body` needs; `setting` is the community's
/// period for representatives' and group meetings, which may be longer than three days and
/// never shorter. `None`: the body needs no notice (the committee's roll call, a
/// consultation).
pub fn minimum_notice_days(body: &str, setting: i64) -> Option<i64> {
    match body {
        "residents" | "households" => Some(VILLAGERS_NOTICE_DAYS),
        "representatives" | "group" => Some(setting.clamp(DEFAULT_NOTICE_DAYS, MAX_NOTICE_DAYS)),
        _ => None,
    }
}

/// Checks the period the committee typed on a notice against the minimum: it may announce
/// a longer period, never a shorter one.
pub fn check_period(days: i64, minimum: i64) -> Result<(), &'static str> {
    if days < minimum {
        Err("notice.err_days_short")
    } else if days > MAX_NOTICE_DAYS {
        Err("notice.err_days_long")
    } else {
        Ok(())
    }
}

/// Reads the notice period the committee sets for representatives' and group meetings:
/// whole days from [`DEFAULT_NOTICE_DAYS`] (the floor) to [`MAX_NOTICE_DAYS`].
pub fn read_setting_days(typed: &str) -> Result<i64, &'static str> {
    // Full-width digits (as Chinese input methods type them) read as digits; anything but
    // digits (a sign, a decimal point) is refused before it is read as a number.
    let norm = crate::text::halfwidth(typed);
    let digits = Some(norm.trim()).filter(|t| crate::text::all_digits(t));
    match digits.map(str::parse::<i64>) {
        Some(Ok(d)) if (0..DEFAULT_NOTICE_DAYS).contains(&d) => Err("settings.err_notice_short"),
        Some(Ok(d)) if (DEFAULT_NOTICE_DAYS..=MAX_NOTICE_DAYS).contains(&d) => Ok(d),
        _ => Err("settings.err_notice_days"),
    }
}

/// The first Beijing day on which the meeting may be held (and its ballot open) after a
/// notice published on Beijing day `published_on` with a period of `days`: "提前十天" counts
/// whole days, so a notice of 1 December allows a meeting from 11 December.
pub fn earliest_day(published_on: NaiveDate, days: i64) -> NaiveDate {
    published_on + Duration::days(days)
}

/// May a ballot open at Beijing time `opens_local`, given its notice?
pub fn may_open(published_on: NaiveDate, days: i64, opens_local: NaiveDateTime) -> bool {
    opens_local.date() >= earliest_day(published_on, days)
}

/// What the law counts to decide whether supporters oblige the committee to convene.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConveningBase {
    /// Persons listed on the roster, 18 or over today.
    pub adults: i64,
    /// Households with at least one such person.
    pub households: i64,
    /// The community's representatives (村民代表 / 居民代表).
    pub representatives: i64,
}

/// Who proposes: the author and supporters who are adults on the roster, their distinct
/// households, and the representatives among them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Proposers {
    pub adults: i64,
    pub households: i64,
    pub representatives: i64,
}

/// Must the committee convene a meeting on the proposal? Villages (art. 21): one tenth or
/// more (十分之一以上) of the adult villagers, or one third or more of the representatives.
/// Urban communities (art. 10): one fifth or more of the adult residents or of the
/// households, or one third of the groups (a group's proposal is not a support here; the
/// committee records it on the item). 以上 includes the number itself; an empty base obliges
/// nobody.
pub fn must_convene(urban: bool, p: Proposers, base: ConveningBase) -> bool {
    let at_least = |x: i64, num: i64, den: i64, of: i64| of > 0 && x * den >= num * of;
    let representatives = at_least(p.representatives, 1, 3, base.representatives);
    if urban {
        at_least(p.adults, 1, 5, base.adults)
            || at_least(p.households, 1, 5, base.households)
            || representatives
    } else {
        at_least(p.adults, 1, 10, base.adults) || representatives
    }
}

/// Is a duty to convene that arose at `since` overdue, the community answering proposals
/// within `response_days`?
pub fn convening_overdue(since: NaiveDateTime, response_days: i64, now: NaiveDateTime) -> bool {
    now > since + Duration::days(response_days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_representatives_notice_period_is_three_days_or_longer_never_shorter() {
        assert_eq!(read_setting_days("3"), Ok(3));
        assert_eq!(read_setting_days(" 7 "), Ok(7));
        assert_eq!(read_setting_days("2"), Err("settings.err_notice_short"));
        assert_eq!(read_setting_days("90"), Ok(90));
        assert_eq!(read_setting_days("91"), Err("settings.err_notice_days"));
        assert_eq!(read_setting_days("三"), Err("settings.err_notice_days"));
        assert_eq!(read_setting_days("-1"), Err("settings.err_notice_days"));
    }

    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a day")
    }

    fn at(d: NaiveDate, h: u32) -> NaiveDateTime {
        d.and_hms_opt(h, 0, 0).expect("a time")
    }

    #[test]
    fn art_21_villagers_meeting_opens_exactly_ten_days_after_its_notice() {
        let published = day(2026, 12, 1);
        let days = minimum_notice_days("residents", 3).expect("needs notice");
        assert_eq!(days, 10);
        assert_eq!(earliest_day(published, days), day(2026, 12, 11));
        assert!(may_open(published, days, at(day(2026, 12, 11), 0)));
        assert!(!may_open(published, days, at(day(2026, 12, 10), 23)));
        assert_eq!(minimum_notice_days("households", 30), Some(10));
    }

    #[test]
    fn representatives_and_group_meetings_take_the_setting_never_below_three_days() {
        assert_eq!(minimum_notice_days("representatives", 3), Some(3));
        assert_eq!(minimum_notice_days("group", 7), Some(7));
        assert_eq!(minimum_notice_days("representatives", 1), Some(3));
        assert_eq!(minimum_notice_days("committee", 3), None);
        assert_eq!(minimum_notice_days("consultation", 3), None);
        let published = day(2026, 12, 1);
        assert!(may_open(published, 3, at(day(2026, 12, 4), 8)));
        assert!(!may_open(published, 3, at(day(2026, 12, 3), 23)));
    }

    #[test]
    fn a_notice_may_announce_a_longer_period_never_a_shorter_one() {
        assert_eq!(check_period(10, 10), Ok(()));
        assert_eq!(check_period(14, 10), Ok(()));
        assert_eq!(check_period(9, 10), Err("notice.err_days_short"));
        assert_eq!(check_period(91, 10), Err("notice.err_days_long"));
    }

    #[test]
    fn art_21_exactly_one_tenth_of_adult_villagers_obliges_the_committee() {
        let base = ConveningBase {
            adults: 312,
            households: 100,
            representatives: 30,
        };
        let p = |adults| Proposers {
            adults,
            ..Proposers::default()
        };
        // 31.2 is a tenth of 312: 32 reach it, 31 do not.
        assert!(!must_convene(false, p(31), base));
        assert!(must_convene(false, p(32), base));
        let even = ConveningBase {
            adults: 300,
            ..base
        };
        assert!(must_convene(false, p(30), even));
        assert!(!must_convene(false, p(29), even));
    }

    #[test]
    fn art_21_one_third_of_the_representatives_obliges_the_committee() {
        let base = ConveningBase {
            adults: 1000,
            households: 300,
            representatives: 30,
        };
        let reps = |representatives| Proposers {
            adults: representatives,
            households: representatives,
            representatives,
        };
        assert!(must_convene(false, reps(10), base));
        assert!(!must_convene(false, reps(9), base));
    }

    #[test]
    fn urban_art_10_one_fifth_of_adults_or_of_households() {
        let base = ConveningBase {
            adults: 500,
            households: 200,
            representatives: 0,
        };
        let p = |adults, households| Proposers {
            adults,
            households,
            representatives: 0,
        };
        assert!(must_convene(true, p(100, 10), base));
        assert!(!must_convene(true, p(99, 39), base));
        assert!(must_convene(true, p(60, 40), base));
        // A tenth is enough in a village, not in a neighbourhood.
        assert!(!must_convene(true, p(50, 20), base));
        assert!(must_convene(false, p(50, 20), base));
    }

    #[test]
    fn an_empty_roster_obliges_nobody() {
        let p = Proposers {
            adults: 5,
            households: 5,
            representatives: 0,
        };
        assert!(!must_convene(false, p, ConveningBase::default()));
    }

    #[test]
    fn the_duty_is_overdue_after_the_response_days() {
        let since = at(day(2026, 12, 1), 9);
        assert!(!convening_overdue(since, 30, at(day(2026, 12, 31), 9)));
        assert!(convening_overdue(since, 30, at(day(2026, 12, 31), 10)));
    }

    proptest! {
        #[test]
        fn opening_before_the_earliest_day_is_always_refused(
            offset in 0i64..400, days in 3i64..60, early in 1i64..60
        ) {
            let published = day(2026, 1, 1) + Duration::days(offset);
            let earliest = earliest_day(published, days);
            prop_assert!(may_open(published, days, at(earliest, 0)));
            prop_assert!(!may_open(published, days, at(earliest - Duration::days(early), 23)));
        }

        #[test]
        fn more_proposers_never_lift_the_duty(adults in 0i64..2000, n in 0i64..2000) {
            let base = ConveningBase { adults, households: 0, representatives: 0 };
            let p = |adults| Proposers { adults, households: 0, representatives: 0 };
            if must_convene(false, p(n), base) {
                prop_assert!(must_convene(false, p(n + 1), base));
            }
        }
    }
}
