//! The township's rules for orders a community sends up by hand (逐级上报): what may happen
//! to an order sent up, and the township's time limit once it takes one.

use chrono::{Datelike, Days, NaiveDateTime, Weekday};

/// Working days the township has for an order it takes: five, the limit 12345 hotlines give
/// a request for help or a suggestion (求助 / 建议 5 日, RULES-zh.md "Closed loop"); weekends
/// do not count (public holidays are not modelled).
pub const WORKING_DAYS: u32 = 5;

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

/// When an order the township takes at `taken` (UTC) is due: the end of the
/// [`WORKING_DAYS`]th working day in Beijing after the day it was taken, as UTC.
pub fn due(taken: NaiveDateTime) -> NaiveDateTime {
    let mut day = crate::clock::local_day(taken);
    let mut left = WORKING_DAYS;
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
