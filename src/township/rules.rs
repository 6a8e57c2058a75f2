//! The township's rules for orders a community sends up by hand (逐级上报): what may happen
//! to an order sent up, and the township's time limit once it takes one.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, Weekday};

use crate::work_orders::rules::{Mover, State};

/// Working days the township has for an order it takes, unless its staff set another:
/// five, the limit 12345 hotlines give a request for help or a suggestion (求助 / 建议 5 日,
/// RULES-zh.md "Closed loop"); weekends and public holidays do not count, make-up working
/// days (调休上班) do ([`Calendar`]).
pub const WORKING_DAYS: u32 = 5;
/// The shortest time limit a township may set: one working day.
pub const MIN_DAYS: u32 = 1;
/// The longest: twenty working days, twice the 10 日 the same hotlines give a complaint
/// (举报 / 投诉), about a calendar month.
pub const MAX_DAYS: u32 = 20;

/// A typed time limit that is not whole working days in range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadDays;

/// Parses the township's time limit as typed: whole working days from [`MIN_DAYS`] to
/// [`MAX_DAYS`], both included (以上 / 以下 include the number itself).
pub fn parse_days(typed: &str) -> Result<u32, BadDays> {
    crate::text::whole_number(typed, MIN_DAYS.into(), MAX_DAYS.into())
        .map(|d| d as u32)
        .map_err(|_| BadDays)
}

/// The due time that counts for an order: the township's once it has taken the order (it
/// works on its own clock then), else the order's own.
pub fn due_in_force(
    order_due: NaiveDateTime,
    with_township: Option<(Upward, Option<NaiveDateTime>)>,
) -> NaiveDateTime {
    match with_township {
        Some((Upward::Taken | Upward::Done, Some(due))) => due,
        _ => order_due,
    }
}

/// Who may move the work of an order the township holds (has taken): its staff, in the
/// assignee's place; the assignee and the committee no longer start or finish it, nor does
/// the committee give it to someone else. The reporter still confirms or reopens, and the
/// committee still accepts work from a decision. Township staff move only what they hold.
/// The roles of `roles` that may ask for `to`, or why none may.
pub fn movers_while(held: bool, roles: &[Mover], to: Option<State>) -> Result<Vec<Mover>, UpError> {
    let work = to.is_none_or(|t| matches!(t, State::InProgress | State::Completed));
    let kept: Vec<Mover> = roles
        .iter()
        .copied()
        .filter(|m| match m {
            Mover::Township => held,
            Mover::Assignee | Mover::Committee => !(held && work),
            Mover::Reporter | Mover::Clock => true,
        })
        .collect();
    match (kept.is_empty(), roles.is_empty(), held) {
        (true, false, true) => Err(UpError::HeldByTownship),
        (true, false, false) => Err(UpError::NotHeld),
        _ => Ok(kept),
    }
}

/// Characters a reason or the township's instructions may hold.
pub const MAX_TEXT: usize = 2000;

/// Where an order sent up stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upward {
    /// Sent up by the committee, waiting for the township.
    Sent,
    /// Taken by the township, due on its clock.
    Taken,
    /// Sent back to the community with instructions.
    Returned,
    /// Taken by the township and the order confirmed done (办结): closed.
    Done,
    /// Sent up but never taken: the community finished the work itself and the order was
    /// confirmed, so the sending up is withdrawn (撤回上报): closed.
    Withdrawn,
}

impl Upward {
    pub const ALL: [Upward; 5] = [
        Upward::Sent,
        Upward::Taken,
        Upward::Returned,
        Upward::Done,
        Upward::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Upward::Sent => "sent",
            Upward::Taken => "taken",
            Upward::Returned => "returned",
            Upward::Done => "done",
            Upward::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Upward> {
        Upward::ALL.into_iter().find(|u| u.as_str() == s)
    }

    /// Still with the township (sent or taken): at most one such per order.
    pub fn is_open(self) -> bool {
        matches!(self, Upward::Sent | Upward::Taken)
    }
}

/// What becomes of the order's open sending up once the order is confirmed (by its reporter,
/// by the committee for a decision's work, or by the clock): the township finished what it
/// took (办结, [`Upward::Done`]); what it never took is withdrawn, the community having done
/// the work itself ([`Upward::Withdrawn`]), so it does not wait on the township's desk for
/// ever. Nothing for a sending up that is not open.
pub fn closed_on_confirmation(now: Upward) -> Option<Upward> {
    match now {
        Upward::Taken => Some(Upward::Done),
        Upward::Sent => Some(Upward::Withdrawn),
        Upward::Returned | Upward::Done | Upward::Withdrawn => None,
    }
}

/// Why a step of sending up was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpError {
    /// Only open work goes up.
    OrderClosed,
    /// The community belongs to no township.
    NoTownship,
    /// It is with the township already.
    AlreadyUp,
    /// Sending up needs a reason; sending back needs instructions.
    NeedsText,
    /// Nothing waits for the township on this order.
    NotSent,
    /// Another member of staff took it (or sent it back) first.
    AlreadyTaken,
    /// The township has taken it: its staff do the work now.
    HeldByTownship,
    /// The township has not taken it: there is nothing for its staff to move.
    NotHeld,
    /// Sent up, but the community finished the work meanwhile (it waits for the
    /// confirmation): nothing for the township to take or send back, unless it is reopened.
    FinishedMeanwhile,
}

impl UpError {
    pub fn message_key(self) -> &'static str {
        match self {
            UpError::OrderClosed => "upward.err_closed",
            UpError::NoTownship => "upward.err_no_township",
            UpError::AlreadyUp => "upward.err_already_up",
            UpError::NeedsText => "upward.err_text",
            UpError::NotSent => "upward.err_not_sent",
            UpError::AlreadyTaken => "upward.err_taken",
            UpError::HeldByTownship => "upward.err_held",
            UpError::NotHeld => "upward.err_not_held",
            UpError::FinishedMeanwhile => "upward.err_finished",
        }
    }
}

/// The committee sends an order up: it must be open, the community under a township, not
/// with the township already, and the reason given.
pub fn check_send_up(
    order_open: bool,
    has_township: bool,
    with_township: Option<Upward>,
    has_reason: bool,
) -> Result<(), UpError> {
    if !order_open {
        Err(UpError::OrderClosed)
    } else if !has_township {
        Err(UpError::NoTownship)
    } else if with_township.is_some_and(Upward::is_open) {
        Err(UpError::AlreadyUp)
    } else if !has_reason {
        Err(UpError::NeedsText)
    } else {
        Ok(())
    }
}

/// Township staff take an order sent up, or send it back (`instructions`: `Some(given)`):
/// only while it waits for them and its work is still open — not once the community
/// finished it meanwhile (`order_open` false). An open order the clock escalated past due
/// (`by_clock`) they may take too, though nobody sent it up; there is nothing to send back.
pub fn check_answer(
    now: Option<Upward>,
    (by_clock, order_open): (bool, bool),
    instructions: Option<bool>,
) -> Result<(), UpError> {
    match now {
        Some(Upward::Sent) if !order_open => Err(UpError::FinishedMeanwhile),
        Some(Upward::Sent) if instructions == Some(false) => Err(UpError::NeedsText),
        Some(Upward::Sent) => Ok(()),
        Some(Upward::Taken) => Err(UpError::AlreadyTaken),
        _ if by_clock && instructions.is_none() => Ok(()),
        _ => Err(UpError::NotSent),
    }
}

/// The working calendar: the days off the State Council sets (放假) and the weekend days it
/// makes working days (调休上班); every other Saturday and Sunday is off.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calendar {
    pub holidays: BTreeSet<NaiveDate>,
    pub workdays: BTreeSet<NaiveDate>,
}

/// What a day of the calendar is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayKind {
    /// A public holiday or a day off in lieu (放假).
    Holiday,
    /// A make-up working day (调休上班).
    Workday,
}

impl DayKind {
    pub const ALL: [DayKind; 2] = [DayKind::Holiday, DayKind::Workday];

    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }

    pub fn parse(s: &str) -> Option<DayKind> {
        DayKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl Calendar {
    /// The calendar of the days in force: (day, kind) of each.
    pub fn of(days: impl IntoIterator<Item = (NaiveDate, DayKind)>) -> Calendar {
        let mut c = Calendar::default();
        for (day, kind) in days {
            match kind {
                DayKind::Holiday => c.holidays.insert(day),
                DayKind::Workday => c.workdays.insert(day),
            };
        }
        c
    }

    /// Is `day` a working day: a make-up working day, or a weekday that is not a holiday.
    pub fn is_working(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        !self.holidays.contains(&day) && !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }
}

/// Why a change of the calendar was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalendarError {
    /// Not a date as YYYY-MM-DD.
    BadDate,
    /// Neither a holiday nor a make-up working day.
    BadKind,
    /// A holiday or make-up working day needs its name (春节, 国庆节调休上班…).
    NeedsName,
    /// The day is in the calendar already.
    Duplicate,
    /// The day is not in the calendar.
    NotThere,
    /// The day is past (or today): the due dates already counted on it stay as given, and
    /// the calendar they were counted on is not rewritten.
    Past,
}

impl CalendarError {
    pub fn message_key(self) -> &'static str {
        match self {
            CalendarError::BadDate => "holidays.err_date",
            CalendarError::BadKind => "holidays.err_kind",
            CalendarError::NeedsName => "holidays.err_name",
            CalendarError::Duplicate => "holidays.err_duplicate",
            CalendarError::NotThere => "holidays.err_not_there",
            CalendarError::Past => "holidays.err_past",
        }
    }
}

/// Characters a day's name may hold.
pub const MAX_NAME: usize = 40;

/// Parses a typed date (YYYY-MM-DD, as a date field sends it).
pub fn parse_day(typed: &str) -> Result<NaiveDate, CalendarError> {
    NaiveDate::parse_from_str(typed.trim(), "%Y-%m-%d").map_err(|_| CalendarError::BadDate)
}

/// May `day` be added to the calendar as it stands (`calendar`)? Any day not in it yet, past
/// ones too (an old schedule entered late changes only due dates counted from now on: each
/// due date is stored when the township takes the order).
pub fn check_add(calendar: &Calendar, day: NaiveDate) -> Result<(), CalendarError> {
    if calendar.holidays.contains(&day) || calendar.workdays.contains(&day) {
        Err(CalendarError::Duplicate)
    } else {
        Ok(())
    }
}

/// May `day` be removed? Only a day in the calendar, and only from tomorrow (Beijing) on: a
/// day already past was counted on, and removing it would make the calendar disagree with
/// the due dates given on it.
pub fn check_remove(
    calendar: &Calendar,
    day: NaiveDate,
    today: NaiveDate,
) -> Result<(), CalendarError> {
    if !(calendar.holidays.contains(&day) || calendar.workdays.contains(&day)) {
        Err(CalendarError::NotThere)
    } else if day <= today {
        Err(CalendarError::Past)
    } else {
        Ok(())
    }
}

/// When an order the township takes at `taken` (UTC) is due under its default limit.
pub fn due(taken: NaiveDateTime, calendar: &Calendar) -> NaiveDateTime {
    due_in(taken, WORKING_DAYS, calendar)
}

/// When an order the township takes at `taken` (UTC) is due with a limit of `days` working
/// days: the end of the `days`th working day in Beijing after the day it was taken, as UTC.
pub fn due_in(taken: NaiveDateTime, days: u32, calendar: &Calendar) -> NaiveDateTime {
    let mut day = crate::clock::local_day(taken);
    let mut left = days.max(1);
    while left > 0 {
        let Some(next) = day.checked_add_days(Days::new(1)) else {
            break;
        };
        day = next;
        if calendar.is_working(day) {
            left -= 1;
        }
    }
    let next = day.checked_add_days(Days::new(1)).unwrap_or(day);
    crate::clock::day_start(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    /// No holidays: weekends only.
    const NONE: Calendar = Calendar {
        holidays: BTreeSet::new(),
        workdays: BTreeSet::new(),
    };

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a day")
    }

    /// The State Council's 2026 schedule, as the migration seeds it.
    fn cal_2026() -> Calendar {
        let off = [
            ((1, 1), (1, 3)),
            ((2, 15), (2, 23)),
            ((4, 4), (4, 6)),
            ((5, 1), (5, 5)),
            ((6, 19), (6, 21)),
            ((9, 25), (9, 27)),
            ((10, 1), (10, 7)),
        ];
        let mut days = Vec::new();
        for ((m1, d1), (m2, d2)) in off {
            let mut d = day(2026, m1, d1);
            while d <= day(2026, m2, d2) {
                days.push((d, DayKind::Holiday));
                d = d.succ_opt().expect("next");
            }
        }
        for (m, d) in [(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)] {
            days.push((day(2026, m, d), DayKind::Workday));
        }
        Calendar::of(days)
    }

    fn utc(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, 0, 0))
            .expect("a time")
    }

    #[test]
    fn the_national_day_week_is_not_counted() {
        let c = cal_2026();
        // Taken Wednesday 30 Sep 2026, 10:00 Beijing, with five working days: 1–7 Oct are off,
        // Thursday 8, Friday 9, make-up Saturday 10, Monday 12, Tuesday 13 — due at the end of
        // Tuesday 13 Oct (16:00 UTC).
        assert_eq!(due_in(utc(2026, 9, 30, 2), 5, &c), utc(2026, 10, 13, 16));
        // Weekends only, it would have been Wednesday 7 Oct, in the middle of the holiday.
        assert_eq!(due_in(utc(2026, 9, 30, 2), 5, &NONE), utc(2026, 10, 7, 16));
    }

    #[test]
    fn the_spring_festival_and_its_make_up_saturdays() {
        let c = cal_2026();
        // Taken Friday 13 Feb 2026: Saturday 14 Feb is a make-up working day (the first),
        // 15–23 Feb are off, then Tue 24, Wed 25, Thu 26, Fri 27: five, due end of Fri 27 Feb.
        assert_eq!(due_in(utc(2026, 2, 13, 2), 5, &c), utc(2026, 2, 27, 16));
        // One working day from Friday 13 Feb is the make-up Saturday 14 Feb.
        assert_eq!(due_in(utc(2026, 2, 13, 2), 1, &c), utc(2026, 2, 14, 16));
        // Six: Saturday 28 Feb is a make-up working day too.
        assert_eq!(due_in(utc(2026, 2, 13, 2), 6, &c), utc(2026, 2, 28, 16));
        assert!(c.is_working(day(2026, 2, 14)));
        assert!(c.is_working(day(2026, 9, 20)), "a make-up Sunday");
        assert!(!c.is_working(day(2026, 2, 23)), "a holiday Monday");
        assert!(
            !c.is_working(day(2026, 2, 21)),
            "a weekend inside the holiday"
        );
        assert!(!c.is_working(day(2026, 3, 1)), "an ordinary Sunday");
        assert!(c.is_working(day(2026, 3, 2)));
    }

    #[test]
    fn a_day_is_added_once_and_removed_only_before_it_comes() {
        let c = cal_2026();
        let today = day(2026, 12, 4);
        assert_eq!(parse_day(" 2026-12-31 "), Ok(day(2026, 12, 31)));
        for bad in [
            "",
            "2026-02-30",
            "2026/12/31",
            "12-31",
            "明天",
            "2026-13-01",
        ] {
            assert_eq!(parse_day(bad), Err(CalendarError::BadDate), "{bad}");
        }
        assert_eq!(
            check_add(&c, day(2026, 10, 1)),
            Err(CalendarError::Duplicate)
        );
        assert_eq!(
            check_add(&c, day(2026, 10, 10)),
            Err(CalendarError::Duplicate)
        );
        assert_eq!(check_add(&c, day(2027, 1, 1)), Ok(()));
        // A past day may be entered late: it changes only dues counted from now on.
        assert_eq!(check_add(&c, day(2026, 3, 3)), Ok(()));
        assert_eq!(
            check_remove(&c, day(2026, 10, 1), today),
            Err(CalendarError::Past)
        );
        assert_eq!(
            check_remove(&c, day(2027, 1, 1), today),
            Err(CalendarError::NotThere)
        );
        let mut later = c.clone();
        later.holidays.insert(day(2026, 12, 5));
        later.holidays.insert(day(2026, 12, 4));
        assert_eq!(check_remove(&later, day(2026, 12, 5), today), Ok(()));
        assert_eq!(
            check_remove(&later, day(2026, 12, 4), today),
            Err(CalendarError::Past),
            "today has begun"
        );
        for k in DayKind::ALL {
            assert_eq!(DayKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(DayKind::parse("weekend"), None);
    }

    proptest! {
        #[test]
        fn the_due_day_is_a_working_day_and_more_days_never_come_earlier(
            offset in 0i64..(366 * 24),
            days in MIN_DAYS..=MAX_DAYS,
        ) {
            let c = cal_2026();
            let taken = utc(2025, 12, 20, 0) + chrono::Duration::hours(offset);
            let due = due_in(taken, days, &c);
            // The due time is the start of the next Beijing day: its day before is the last
            // working day counted.
            let last = crate::clock::local_day(due - chrono::Duration::seconds(1));
            prop_assert!(c.is_working(last), "{last} is not a working day");
            prop_assert!(last > crate::clock::local_day(taken));
            prop_assert!(due_in(taken, days + 1, &c) > due);
            if days > MIN_DAYS {
                prop_assert!(due_in(taken, days - 1, &c) < due);
            }
        }
    }

    #[test]
    fn five_working_days_skip_the_weekend_12345_qinglong() {
        // Taken Monday 7 Dec 2026 10:00 Beijing (02:00 UTC): due at the end of Monday 14 Dec,
        // Beijing, which is 16:00 UTC that day.
        assert_eq!(due(utc(2026, 12, 7, 2), &NONE), utc(2026, 12, 14, 16));
        // Taken Friday 11 Dec: Mon–Fri of the next week; due at the end of Friday 18 Dec.
        assert_eq!(due(utc(2026, 12, 11, 2), &NONE), utc(2026, 12, 18, 16));
        // Taken on a Saturday: the week after counts from Monday.
        assert_eq!(due(utc(2026, 12, 12, 2), &NONE), utc(2026, 12, 18, 16));
    }

    #[test]
    fn the_day_taken_is_the_beijing_day() {
        // 17:00 UTC on Sunday 6 Dec is 01:00 on Monday 7 Dec in Beijing.
        assert_eq!(due(utc(2026, 12, 6, 17), &NONE), utc(2026, 12, 14, 16));
        // 15:59 UTC on Sunday 6 Dec is still Sunday in Beijing: Mon–Fri, due end of Friday.
        assert_eq!(due(utc(2026, 12, 6, 15), &NONE), utc(2026, 12, 11, 16));
    }

    #[test]
    fn the_time_limit_is_one_to_twenty_working_days_both_included() {
        assert_eq!(parse_days("1"), Ok(1));
        assert_eq!(parse_days(" 20 "), Ok(20));
        assert_eq!(parse_days("5"), Ok(5));
        for bad in ["0", "21", "", "-1", "2.5", "五", "99999999999"] {
            assert_eq!(parse_days(bad), Err(BadDays), "{bad}");
        }
    }

    #[test]
    fn a_set_limit_counts_working_days_in_beijing() {
        // Taken Monday 7 Dec 2026 10:00 Beijing: one working day is the end of Tuesday.
        assert_eq!(due_in(utc(2026, 12, 7, 2), 1, &NONE), utc(2026, 12, 8, 16));
        // Taken Friday 11 Dec: one working day is the end of Monday 14 Dec.
        assert_eq!(
            due_in(utc(2026, 12, 11, 2), 1, &NONE),
            utc(2026, 12, 14, 16)
        );
        // Twenty working days from Monday 7 Dec: four weeks on, the end of Monday 4 Jan.
        assert_eq!(due_in(utc(2026, 12, 7, 2), 20, &NONE), utc(2027, 1, 4, 16));
        assert_eq!(
            due_in(utc(2026, 12, 7, 2), WORKING_DAYS, &NONE),
            due(utc(2026, 12, 7, 2), &NONE)
        );
    }

    #[test]
    fn the_townships_due_counts_once_it_has_taken_the_order() {
        let (own, township) = (utc(2026, 12, 7, 2), utc(2026, 12, 14, 16));
        assert_eq!(due_in_force(own, None), own);
        assert_eq!(due_in_force(own, Some((Upward::Sent, None))), own);
        assert_eq!(due_in_force(own, Some((Upward::Returned, None))), own);
        assert_eq!(
            due_in_force(own, Some((Upward::Taken, Some(township)))),
            township
        );
        // Finished there (办结): its due time still the township's, for the bulletin.
        assert_eq!(
            due_in_force(own, Some((Upward::Done, Some(township)))),
            township
        );
        assert!(!Upward::Done.is_open());
        assert_eq!(Upward::parse("done"), Some(Upward::Done));
    }

    #[test]
    fn while_the_township_holds_an_order_only_its_staff_do_the_work() {
        use Mover::*;
        for to in [State::InProgress, State::Completed] {
            assert_eq!(
                movers_while(true, &[Township], Some(to)),
                Ok(vec![Township])
            );
            assert_eq!(
                movers_while(true, &[Assignee], Some(to)),
                Err(UpError::HeldByTownship)
            );
            assert_eq!(
                movers_while(true, &[Committee], Some(to)),
                Err(UpError::HeldByTownship)
            );
            // Not held: the assignee works as before, township staff have nothing to move.
            assert_eq!(
                movers_while(false, &[Assignee], Some(to)),
                Ok(vec![Assignee])
            );
            assert_eq!(
                movers_while(false, &[Township], Some(to)),
                Err(UpError::NotHeld)
            );
        }
        // Giving it to someone else (no state named) is refused to the committee too.
        assert_eq!(
            movers_while(true, &[Committee], None),
            Err(UpError::HeldByTownship)
        );
        assert_eq!(movers_while(false, &[Committee], None), Ok(vec![Committee]));
        // The reporter confirms or reopens as usual; the committee accepts a decision's work.
        for to in [State::Confirmed, State::Reopened] {
            assert_eq!(
                movers_while(true, &[Reporter], Some(to)),
                Ok(vec![Reporter])
            );
        }
        assert_eq!(
            movers_while(true, &[Committee], Some(State::Confirmed)),
            Ok(vec![Committee])
        );
        // A committee member who reported it keeps the reporter's part only.
        assert_eq!(
            movers_while(true, &[Reporter, Committee], Some(State::Completed)),
            Ok(vec![Reporter])
        );
        assert_eq!(movers_while(true, &[], Some(State::Completed)), Ok(vec![]));
    }

    #[test]
    fn sending_up_needs_open_work_a_township_and_a_reason() {
        assert_eq!(check_send_up(true, true, None, true), Ok(()));
        assert_eq!(
            check_send_up(true, true, Some(Upward::Returned), true),
            Ok(())
        );
        assert_eq!(
            check_send_up(false, true, None, true),
            Err(UpError::OrderClosed)
        );
        assert_eq!(
            check_send_up(true, false, None, true),
            Err(UpError::NoTownship)
        );
        for with in [Upward::Sent, Upward::Taken] {
            assert_eq!(
                check_send_up(true, true, Some(with), true),
                Err(UpError::AlreadyUp)
            );
        }
        assert_eq!(
            check_send_up(true, true, None, false),
            Err(UpError::NeedsText)
        );
    }

    #[test]
    fn the_township_answers_once_and_sending_back_needs_instructions() {
        let open = (false, true);
        assert_eq!(check_answer(Some(Upward::Sent), open, None), Ok(()));
        assert_eq!(check_answer(Some(Upward::Sent), open, Some(true)), Ok(()));
        assert_eq!(
            check_answer(Some(Upward::Sent), open, Some(false)),
            Err(UpError::NeedsText)
        );
        for by_clock in [false, true] {
            assert_eq!(
                check_answer(Some(Upward::Taken), (by_clock, true), None),
                Err(UpError::AlreadyTaken)
            );
        }
        assert_eq!(check_answer(None, open, None), Err(UpError::NotSent));
        assert_eq!(
            check_answer(Some(Upward::Returned), open, Some(true)),
            Err(UpError::NotSent)
        );
        for closed in [Upward::Done, Upward::Withdrawn] {
            assert_eq!(
                check_answer(Some(closed), open, None),
                Err(UpError::NotSent)
            );
        }
    }

    #[test]
    fn an_order_escalated_by_the_clock_may_be_taken_not_sent_back() {
        assert_eq!(check_answer(None, (true, true), None), Ok(()));
        assert_eq!(
            check_answer(Some(Upward::Returned), (true, true), None),
            Ok(())
        );
        assert_eq!(
            check_answer(None, (true, true), Some(true)),
            Err(UpError::NotSent)
        );
    }

    #[test]
    fn work_the_community_finished_meanwhile_is_not_taken_or_sent_back() {
        for instructions in [None, Some(true), Some(false)] {
            assert_eq!(
                check_answer(Some(Upward::Sent), (false, false), instructions),
                Err(UpError::FinishedMeanwhile)
            );
        }
    }

    #[test]
    fn a_confirmed_order_closes_its_sending_up_either_way() {
        assert_eq!(closed_on_confirmation(Upward::Taken), Some(Upward::Done));
        assert_eq!(
            closed_on_confirmation(Upward::Sent),
            Some(Upward::Withdrawn)
        );
        for closed in [Upward::Returned, Upward::Done, Upward::Withdrawn] {
            assert_eq!(closed_on_confirmation(closed), None);
            assert!(!closed.is_open());
        }
        for u in Upward::ALL {
            assert_eq!(Upward::parse(u.as_str()), Some(u));
            // Whatever closes is open now, and closed after.
            if let Some(after) = closed_on_confirmation(u) {
                assert!(u.is_open() && !after.is_open(), "{u:?}");
            }
        }
    }
}
