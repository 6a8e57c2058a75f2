//! The township's rules for orders a community sends up by hand (逐级上报): what may happen
//! to an order sent up, and the township's time limit once it takes one.

use chrono::{Datelike, Days, NaiveDateTime, Weekday};

use crate::work_orders::rules::{Mover, State};

/// Working days the township has for an order it takes, unless its staff set another:
/// five, the limit 12345 hotlines give a request for help or a suggestion (求助 / 建议 5 日,
/// RULES-zh.md "Closed loop"); weekends do not count (public holidays are not modelled).
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
        Some((Upward::Taken, Some(due))) => due,
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
}

impl Upward {
    pub const ALL: [Upward; 3] = [Upward::Sent, Upward::Taken, Upward::Returned];

    pub fn as_str(self) -> &'static str {
        match self {
            Upward::Sent => "sent",
            Upward::Taken => "taken",
            Upward::Returned => "returned",
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
/// only while it waits for them. An open order the clock escalated past due (`by_clock`)
/// they may take too, though nobody sent it up; there is nothing to send back.
pub fn check_answer(
    now: Option<Upward>,
    by_clock: bool,
    instructions: Option<bool>,
) -> Result<(), UpError> {
    match now {
        Some(Upward::Sent) if instructions == Some(false) => Err(UpError::NeedsText),
        Some(Upward::Sent) => Ok(()),
        Some(Upward::Taken) => Err(UpError::AlreadyTaken),
        _ if by_clock && instructions.is_none() => Ok(()),
        _ => Err(UpError::NotSent),
    }
}

/// When an order the township takes at `taken` (UTC) is due under its default limit.
pub fn due(taken: NaiveDateTime) -> NaiveDateTime {
    due_in(taken, WORKING_DAYS)
}

/// When an order the township takes at `taken` (UTC) is due with a limit of `days` working
/// days: the end of the `days`th working day in Beijing after the day it was taken, as UTC.
pub fn due_in(taken: NaiveDateTime, days: u32) -> NaiveDateTime {
    let mut day = crate::clock::local_day(taken);
    let mut left = days.max(1);
    while left > 0 {
        day = day.checked_add_days(Days::new(1)).unwrap_or(day);
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
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

    fn utc(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, 0, 0))
            .expect("a time")
    }

    #[test]
    fn five_working_days_skip_the_weekend_12345_qinglong() {
        // Taken Monday 7 Dec 2026 10:00 Beijing (02:00 UTC): due at the end of Monday 14 Dec,
        // Beijing, which is 16:00 UTC that day.
        assert_eq!(due(utc(2026, 12, 7, 2)), utc(2026, 12, 14, 16));
        // Taken Friday 11 Dec: Mon–Fri of the next week; due at the end of Friday 18 Dec.
        assert_eq!(due(utc(2026, 12, 11, 2)), utc(2026, 12, 18, 16));
        // Taken on a Saturday: the week after counts from Monday.
        assert_eq!(due(utc(2026, 12, 12, 2)), utc(2026, 12, 18, 16));
    }

    #[test]
    fn the_day_taken_is_the_beijing_day() {
        // 17:00 UTC on Sunday 6 Dec is 01:00 on Monday 7 Dec in Beijing.
        assert_eq!(due(utc(2026, 12, 6, 17)), utc(2026, 12, 14, 16));
        // 15:59 UTC on Sunday 6 Dec is still Sunday in Beijing: Mon–Fri, due end of Friday.
        assert_eq!(due(utc(2026, 12, 6, 15)), utc(2026, 12, 11, 16));
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
        assert_eq!(due_in(utc(2026, 12, 7, 2), 1), utc(2026, 12, 8, 16));
        // Taken Friday 11 Dec: one working day is the end of Monday 14 Dec.
        assert_eq!(due_in(utc(2026, 12, 11, 2), 1), utc(2026, 12, 14, 16));
        // Twenty working days from Monday 7 Dec: four weeks on, the end of Monday 4 Jan.
        assert_eq!(due_in(utc(2026, 12, 7, 2), 20), utc(2027, 1, 4, 16));
        assert_eq!(
            due_in(utc(2026, 12, 7, 2), WORKING_DAYS),
            due(utc(2026, 12, 7, 2))
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
        assert_eq!(check_answer(Some(Upward::Sent), false, None), Ok(()));
        assert_eq!(check_answer(Some(Upward::Sent), false, Some(true)), Ok(()));
        assert_eq!(
            check_answer(Some(Upward::Sent), false, Some(false)),
            Err(UpError::NeedsText)
        );
        for by_clock in [false, true] {
            assert_eq!(
                check_answer(Some(Upward::Taken), by_clock, None),
                Err(UpError::AlreadyTaken)
            );
        }
        assert_eq!(check_answer(None, false, None), Err(UpError::NotSent));
        assert_eq!(
            check_answer(Some(Upward::Returned), false, Some(true)),
            Err(UpError::NotSent)
        );
    }

    #[test]
    fn an_order_escalated_by_the_clock_may_be_taken_not_sent_back() {
        assert_eq!(check_answer(None, true, None), Ok(()));
        assert_eq!(check_answer(Some(Upward::Returned), true, None), Ok(()));
        assert_eq!(check_answer(None, true, Some(true)), Err(UpError::NotSent));
    }
}
