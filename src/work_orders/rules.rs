//! The pure rules of work orders (接诉即办): the states and who may move an order between
//! them, the 48-hour clock with its yellow and red marks, escalation, the reporter's seven
//! days to confirm or reopen, and what a rating asks of the committee.

use chrono::{Duration, NaiveDateTime};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    Received,
    Assigned,
    InProgress,
    Completed,
    Confirmed,
    Reopened,
}

impl State {
    pub const ALL: [State; 6] = [
        State::Received,
        State::Assigned,
        State::InProgress,
        State::Completed,
        State::Confirmed,
        State::Reopened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Received => "received",
            State::Assigned => "assigned",
            State::InProgress => "in_progress",
            State::Completed => "completed",
            State::Confirmed => "confirmed",
            State::Reopened => "reopened",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The open states as stored, for queries.
    pub fn open_names() -> Vec<&'static str> {
        State::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| s.as_str())
            .collect()
    }

    /// Work still to be done: the clock runs and escalation applies.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            State::Received | State::Assigned | State::InProgress | State::Reopened
        )
    }
}

/// Who asks to move an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mover {
    Committee,
    Assignee,
    Reporter,
    Clock,
    /// Staff of the township above the community, once the township has taken the order
    /// (逐级上报): they do the work in the assignee's place (`township::rules::movers_while`).
    Township,
}

/// What the rule needs to know besides the states.
#[derive(Clone, Copy, Debug, Default)]
pub struct Facts {
    pub has_note: bool,
    pub after_photos: usize,
    pub has_assignee: bool,
    /// The order came from a report (it has a reporter who confirms), not a decision.
    pub has_reporter: bool,
    pub completed_at: Option<NaiveDateTime>,
    pub now: Option<NaiveDateTime>,
    /// The mover did the work (they are its assignee): they may not accept it themselves.
    pub own_work: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoveError {
    NotAllowed,
    NeedsAssignee,
    NeedsNote,
    NeedsAfterPhoto,
    ReopenWindowPassed,
    /// An order already in someone's hands changes hands only with a note saying why.
    NeedsReassignNote,
    /// Nobody confirms or rates work they did themselves.
    OwnWork,
}

impl MoveError {
    pub fn message_key(self) -> &'static str {
        match self {
            MoveError::NotAllowed => "orders.err_move",
            MoveError::NeedsAssignee => "orders.err_assignee",
            MoveError::NeedsNote => "orders.err_note",
            MoveError::NeedsAfterPhoto => "orders.err_after_photo",
            MoveError::ReopenWindowPassed => "orders.err_reopen_window",
            MoveError::NeedsReassignNote => "orders.err_reassign_note",
            MoveError::OwnWork => "orders.err_own_work",
        }
    }
}

/// Days the reporter has to confirm or reopen; after that the clock confirms.
pub const CONFIRM_DAYS: i64 = 7;
/// Hours within which an order should be acknowledged before it shows yellow.
pub const ACK_HOURS: i64 = 24;
/// The default time limit for a report.
pub const DEFAULT_LIMIT_HOURS: i64 = 48;

/// A resident may send at most this many reports with photos within any
/// [`PHOTO_REPORT_WINDOW_SECS`]: each one decodes up to four photos, the heaviest work a
/// resident can ask of the server, so it is throttled like comments are.
pub const MAX_PHOTO_REPORTS_PER_WINDOW: usize = 5;
pub const PHOTO_REPORT_WINDOW_SECS: i64 = 600;

/// Seconds the sender of the photo reports made at `recent` must wait before sending another
/// (`None`: now), by the comments' rule.
pub fn photo_report_wait(recent: &[NaiveDateTime], now: NaiveDateTime) -> Option<i64> {
    crate::comments::rules::rate_wait(
        recent,
        now,
        MAX_PHOTO_REPORTS_PER_WINDOW,
        PHOTO_REPORT_WINDOW_SECS,
    )
}

/// The state machine of DESIGN.md. Anything not listed is refused.
pub fn check_move(from: State, to: State, mover: Mover, f: Facts) -> Result<(), MoveError> {
    use State::*;
    if to == Confirmed && mover != Mover::Clock && f.own_work {
        return Err(MoveError::OwnWork);
    }
    match (from, to, mover) {
        (Received, Assigned, Mover::Committee) => {
            if f.has_assignee {
                Ok(())
            } else {
                Err(MoveError::NeedsAssignee)
            }
        }
        (Assigned, InProgress, Mover::Assignee) | (Reopened, InProgress, Mover::Assignee) => Ok(()),
        // The township starts work it has taken, from wherever it stood, saying what it does.
        (Received | Assigned | Reopened, InProgress, Mover::Township) => {
            if f.has_note {
                Ok(())
            } else {
                Err(MoveError::NeedsNote)
            }
        }
        (InProgress, Completed, Mover::Assignee | Mover::Township) => {
            if !f.has_note {
                Err(MoveError::NeedsNote)
            } else if f.after_photos == 0 {
                Err(MoveError::NeedsAfterPhoto)
            } else {
                Ok(())
            }
        }
        (Completed, Confirmed, Mover::Reporter) => Ok(()),
        // An order from a decision has no reporter: the committee accepts the work.
        (Completed, Confirmed, Mover::Committee) if !f.has_reporter => Ok(()),
        (Completed, Confirmed, Mover::Clock) => match (f.completed_at, f.now) {
            (Some(c), Some(now)) if confirms_itself(c, now) => Ok(()),
            _ => Err(MoveError::NotAllowed),
        },
        (Completed, Reopened, Mover::Reporter) => {
            if !f.has_note {
                Err(MoveError::NeedsNote)
            } else if let (Some(c), Some(now)) = (f.completed_at, f.now) {
                if confirms_itself(c, now) {
                    Err(MoveError::ReopenWindowPassed)
                } else {
                    Ok(())
                }
            } else {
                Ok(())
            }
        }
        _ => Err(MoveError::NotAllowed),
    }
}

/// Giving an open order to someone: a received order becomes assigned (the committee's
/// move, or routing to the grid's worker); an order already in hand changes hands and keeps
/// its state, with a note saying why. The state after.
pub fn check_assign(from: State, has_assignee: bool, has_note: bool) -> Result<State, MoveError> {
    if !from.is_open() {
        return Err(MoveError::NotAllowed);
    }
    if has_assignee && !has_note {
        return Err(MoveError::NeedsReassignNote);
    }
    if from == State::Received {
        let facts = Facts {
            has_assignee: true,
            ..Facts::default()
        };
        check_move(from, State::Assigned, Mover::Committee, facts)?;
        return Ok(State::Assigned);
    }
    Ok(from)
}

/// The moves `mover` may offer on an order in `from`, for the order page's buttons.
pub fn offered(from: State, mover: Mover, has_reporter: bool) -> &'static [State] {
    use State::*;
    match (from, mover) {
        (Assigned | Reopened, Mover::Assignee) => &[InProgress],
        (InProgress, Mover::Assignee) => &[Completed],
        (Received | Assigned | Reopened, Mover::Township) => &[InProgress],
        (InProgress, Mover::Township) => &[Completed],
        (Completed, Mover::Reporter) => &[Confirmed, Reopened],
        (Completed, Mover::Committee) if !has_reporter => &[Confirmed],
        _ => &[],
    }
}

/// Who a new report in a grid goes to: the grid's first worker who is not the reporter
/// (nobody handles and then accepts their own report), else nobody — the committee assigns.
pub fn route_to(workers: &[i64], reporter: Option<i64>) -> Option<i64> {
    workers.iter().copied().find(|w| Some(*w) != reporter)
}

/// When an order received at `received` is due, given its category's limit in hours.
pub fn due_at(received: NaiveDateTime, limit_hours: i64) -> NaiveDateTime {
    received + Duration::hours(limit_hours.max(1))
}

/// The traffic light of an open order: red past due, yellow when not acknowledged within
/// 24 hours, green otherwise. Closed orders have none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Light {
    Green,
    Yellow,
    Red,
}

impl Light {
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
        }
    }
}

pub fn light(
    state: State,
    received: NaiveDateTime,
    acknowledged: Option<NaiveDateTime>,
    due: NaiveDateTime,
    now: NaiveDateTime,
) -> Option<Light> {
    if !state.is_open() {
        None
    } else if now > due {
        Some(Light::Red)
    } else if acknowledged.is_none() && now > received + Duration::hours(ACK_HOURS) {
        Some(Light::Yellow)
    } else {
        Some(Light::Green)
    }
}

/// An open order past its due time that has not been escalated yet.
pub fn should_escalate(
    state: State,
    due: NaiveDateTime,
    escalated: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> bool {
    state.is_open() && now > due && escalated.is_none()
}

/// A completed order the reporter has not answered within seven days.
pub fn confirms_itself(completed: NaiveDateTime, now: NaiveDateTime) -> bool {
    now >= completed + Duration::days(CONFIRM_DAYS)
}

/// Ratings are 1 to 5; 1 and 2 ask the committee to follow up.
pub fn valid_rating(r: i64) -> bool {
    (1..=5).contains(&r)
}

pub fn needs_follow_up(r: i64) -> bool {
    r <= 2
}

/// Due soon: within the next 24 hours (the daily reminder lists these and the overdue).
pub fn due_soon(state: State, due: NaiveDateTime, now: NaiveDateTime) -> bool {
    state.is_open() && due <= now + Duration::hours(24)
}

/// `part` of `whole` as a whole percentage, rounded half up; `None` for an empty sample.
pub fn percent(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (200 * part + whole) / (2 * whole))
}

/// 按期办结率: of the orders that were owed this month — resolved in it, or still open past
/// a due time that fell in it — those resolved by their due time. A grid that leaves its late
/// work open does not show 100 %.
pub fn on_time_rate(on_time: i64, resolved: i64, late_open: i64) -> Option<i64> {
    percent(on_time, resolved + late_open)
}

/// Finished on time: by the due time in force (the township's once it took the order,
/// `township::rules::due_in_force`), the due moment itself included. The bulletin's SQL
/// counts by this rule (`bulletin::counts`).
pub fn finished_on_time(completed_at: NaiveDateTime, due: NaiveDateTime) -> bool {
    completed_at <= due
}

/// Days an open order may go without a step before it is flagged (超3日未反馈进展).
pub const NO_PROGRESS_DAYS: i64 = 3;

/// What the supervisors' page flags on an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Warning {
    /// 连续2次不满意: the last two ratings (across a reopening) both unsatisfied.
    TwiceUnsatisfied,
    /// 超3日未反馈进展: open, and no step on its timeline for more than three days.
    NoProgress,
}

impl Warning {
    pub fn key(self) -> &'static str {
        match self {
            Warning::TwiceUnsatisfied => "orders.warn_twice_unsatisfied",
            Warning::NoProgress => "orders.warn_no_progress",
        }
    }
}

/// The warnings on an order, from its state, its ratings oldest first and its last step.
pub fn warnings(
    state: State,
    ratings: &[i32],
    last_step: NaiveDateTime,
    now: NaiveDateTime,
) -> Vec<Warning> {
    let mut out = Vec::new();
    if let [.., a, b] = ratings {
        if needs_follow_up(i64::from(*a)) && needs_follow_up(i64::from(*b)) {
            out.push(Warning::TwiceUnsatisfied);
        }
    }
    // 超 (more than) three days: exactly three is not yet late (Civil Code art. 1259).
    if state.is_open() && now > last_step + Duration::days(NO_PROGRESS_DAYS) {
        out.push(Warning::NoProgress);
    }
    out
}

/// Who is looking at a person connected with an order.
#[derive(Clone, Copy, Debug)]
pub struct Viewer {
    pub user_id: Option<i64>,
    /// The community's committee: it handles the report, so it sees who made it.
    pub committee: bool,
}

/// An order's privacy: whether its reporter asked to stay anonymous ("hide my name").
#[derive(Clone, Copy, Debug)]
pub struct Privacy {
    pub anonymous: bool,
    pub reporter_id: Option<i64>,
}

/// How a person is shown in connection with an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    Named,
    Anonymous,
}

/// The one rule for showing a person (a comment's author, a step's actor, the reporter) in
/// connection with an order, on every page and export: an anonymous reporter is named only
/// to the committee and to themselves; everyone else is named as usual.
pub fn shown(order: Privacy, person: Option<i64>, viewer: Viewer) -> Shown {
    let is_hidden_reporter = order.anonymous && person.is_some() && person == order.reporter_id;
    if !is_hidden_reporter || viewer.committee || (person.is_some() && viewer.user_id == person) {
        Shown::Named
    } else {
        Shown::Anonymous
    }
}

/// The largest budget an order may carry, in whole yuan: the same 10^9 yuan bound as every
/// amount typed (`money::MAX_AMOUNT_FEN`).
pub const MAX_BUDGET_YUAN: i64 = crate::money::MAX_AMOUNT_FEN / crate::money::FEN_PER_YUAN;

/// A budget in whole yuan: 0 up to [`MAX_BUDGET_YUAN`], both included.
pub fn budget_ok(yuan: i64) -> bool {
    (0..=MAX_BUDGET_YUAN).contains(&yuan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use State::*;

    #[test]
    fn budgets_are_bounded_at_a_billion_yuan() {
        assert!(budget_ok(0) && budget_ok(1_000_000_000));
        assert!(!budget_ok(1_000_000_001) && !budget_ok(-1) && !budget_ok(i64::MAX));
    }

    fn t(h: i64) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d + Duration::hours(h))
            .unwrap_or_default()
    }

    #[test]
    fn photo_reports_are_throttled_per_window() {
        let now = t(10);
        let at = |secs: i64| now - Duration::seconds(secs);
        let four: Vec<_> = (0..4).map(|i| at(i * 60)).collect();
        assert_eq!(photo_report_wait(&four, now), None);
        let five: Vec<_> = (0..5).map(|i| at(i * 60)).collect();
        // The oldest of the five (240 s ago) leaves the window 360 s from now.
        assert_eq!(photo_report_wait(&five, now), Some(360));
        let old: Vec<_> = (0..5).map(|i| at(PHOTO_REPORT_WINDOW_SECS + i)).collect();
        assert_eq!(photo_report_wait(&old, now), None);
    }

    #[test]
    fn township_staff_start_with_a_note_and_finish_with_a_note_and_a_photo() {
        let bare = Facts {
            has_reporter: true,
            ..Facts::default()
        };
        let noted = Facts {
            has_note: true,
            ..bare
        };
        for from in [Received, Assigned, Reopened] {
            assert_eq!(
                check_move(from, InProgress, Mover::Township, bare),
                Err(MoveError::NeedsNote)
            );
            assert_eq!(check_move(from, InProgress, Mover::Township, noted), Ok(()));
            assert_eq!(offered(from, Mover::Township, true), &[InProgress]);
        }
        assert_eq!(
            check_move(InProgress, Completed, Mover::Township, noted),
            Err(MoveError::NeedsAfterPhoto)
        );
        let done = Facts {
            after_photos: 1,
            ..noted
        };
        assert_eq!(
            check_move(InProgress, Completed, Mover::Township, done),
            Ok(())
        );
        assert_eq!(offered(InProgress, Mover::Township, true), &[Completed]);
        // Accepting the work stays the reporter's.
        for to in [Confirmed, Reopened] {
            assert_eq!(
                check_move(Completed, to, Mover::Township, done),
                Err(MoveError::NotAllowed)
            );
        }
        assert!(offered(Completed, Mover::Township, true).is_empty());
    }

    #[test]
    fn only_the_right_role_moves_an_order() {
        let ok = Facts {
            has_note: true,
            after_photos: 1,
            has_assignee: true,
            has_reporter: true,
            ..Facts::default()
        };
        assert_eq!(check_move(Received, Assigned, Mover::Committee, ok), Ok(()));
        assert_eq!(
            check_move(Assigned, InProgress, Mover::Assignee, ok),
            Ok(())
        );
        assert_eq!(
            check_move(Assigned, InProgress, Mover::Reporter, ok),
            Err(MoveError::NotAllowed)
        );
        assert_eq!(
            check_move(InProgress, Completed, Mover::Assignee, ok),
            Ok(())
        );
        assert_eq!(
            check_move(InProgress, Completed, Mover::Committee, ok),
            Err(MoveError::NotAllowed)
        );
        assert_eq!(
            check_move(Completed, Confirmed, Mover::Reporter, ok),
            Ok(())
        );
        assert_eq!(
            check_move(Completed, Confirmed, Mover::Committee, ok),
            Err(MoveError::NotAllowed),
            "a reporter's order is confirmed by the reporter"
        );
        assert_eq!(
            check_move(Reopened, InProgress, Mover::Assignee, ok),
            Ok(())
        );
        assert_eq!(
            check_move(Received, Completed, Mover::Assignee, ok),
            Err(MoveError::NotAllowed),
            "no step is skipped"
        );
    }

    #[test]
    fn nobody_confirms_their_own_work() {
        let own = Facts {
            has_reporter: true,
            own_work: true,
            ..Facts::default()
        };
        assert_eq!(
            check_move(Completed, Confirmed, Mover::Reporter, own),
            Err(MoveError::OwnWork)
        );
        let decided = Facts {
            has_reporter: false,
            ..own
        };
        assert_eq!(
            check_move(Completed, Confirmed, Mover::Committee, decided),
            Err(MoveError::OwnWork)
        );
        assert_eq!(
            check_move(Completed, Confirmed, Mover::Committee, Facts::default()),
            Ok(())
        );
    }

    #[test]
    fn an_order_the_township_took_is_on_time_by_the_townships_due_time() {
        use crate::township::rules::{due_in_force, Upward};
        let own = t(0) + Duration::hours(48);
        let township = own + Duration::days(5);
        let due = due_in_force(own, Some((Upward::Taken, Some(township))));
        assert!(
            finished_on_time(township, due),
            "finished exactly at the township's due time: on time"
        );
        assert!(!finished_on_time(township + Duration::microseconds(1), due));
        assert!(
            finished_on_time(own + Duration::hours(1), due),
            "past its own"
        );
        // Sent up but not taken, or sent back: the order's own due time counts.
        let due = due_in_force(own, Some((Upward::Sent, None)));
        assert!(finished_on_time(own, due));
        assert!(!finished_on_time(own + Duration::microseconds(1), due));
    }

    #[test]
    fn open_late_work_counts_against_the_on_time_rate() {
        assert_eq!(on_time_rate(0, 0, 3), Some(0), "nothing finished, all late");
        assert_eq!(on_time_rate(2, 2, 0), Some(100));
        assert_eq!(on_time_rate(1, 1, 1), Some(50), "exactly half");
        assert_eq!(on_time_rate(0, 0, 0), None, "nothing owed: no rate");
    }

    #[test]
    fn two_unsatisfied_ratings_in_a_row_are_flagged() {
        let w = |r: &[i32]| warnings(Confirmed, r, t(0), t(1));
        assert_eq!(w(&[2, 1]), vec![Warning::TwiceUnsatisfied]);
        assert_eq!(w(&[1, 5, 2]), vec![], "not in a row");
        assert_eq!(w(&[2, 3]), vec![], "3 is not unsatisfied");
        assert_eq!(w(&[1]), vec![]);
    }

    #[test]
    fn more_than_three_days_without_progress_is_flagged_chao_3_ri() {
        let three_days = 24 * NO_PROGRESS_DAYS;
        assert_eq!(warnings(InProgress, &[], t(0), t(three_days)), vec![]);
        let later = t(three_days) + Duration::minutes(1);
        assert_eq!(
            warnings(InProgress, &[], t(0), later),
            vec![Warning::NoProgress]
        );
        assert_eq!(warnings(Confirmed, &[], t(0), later), vec![], "closed");
    }

    #[test]
    fn a_report_is_routed_past_its_reporter() {
        assert_eq!(route_to(&[7, 8], Some(7)), Some(8));
        assert_eq!(route_to(&[7, 8], Some(9)), Some(7));
        assert_eq!(route_to(&[7], Some(7)), None, "the committee assigns it");
        assert_eq!(route_to(&[], None), None);
    }

    #[test]
    fn completion_needs_a_note_and_an_after_photo() {
        let mut f = Facts::default();
        assert_eq!(
            check_move(InProgress, Completed, Mover::Assignee, f),
            Err(MoveError::NeedsNote)
        );
        f.has_note = true;
        assert_eq!(
            check_move(InProgress, Completed, Mover::Assignee, f),
            Err(MoveError::NeedsAfterPhoto)
        );
        f.after_photos = 2;
        assert_eq!(
            check_move(InProgress, Completed, Mover::Assignee, f),
            Ok(())
        );
    }

    #[test]
    fn the_reporter_reopens_within_seven_days_with_a_reason() {
        let f = |note: bool, now: i64| Facts {
            has_note: note,
            has_reporter: true,
            completed_at: Some(t(0)),
            now: Some(t(now)),
            ..Facts::default()
        };
        assert_eq!(
            check_move(Completed, Reopened, Mover::Reporter, f(false, 1)),
            Err(MoveError::NeedsNote)
        );
        assert_eq!(
            check_move(Completed, Reopened, Mover::Reporter, f(true, 24 * 7 - 1)),
            Ok(())
        );
        assert_eq!(
            check_move(Completed, Reopened, Mover::Reporter, f(true, 24 * 7)),
            Err(MoveError::ReopenWindowPassed)
        );
        assert_eq!(
            check_move(Completed, Confirmed, Mover::Clock, f(false, 24 * 7 - 1)),
            Err(MoveError::NotAllowed)
        );
        assert_eq!(
            check_move(Completed, Confirmed, Mover::Clock, f(false, 24 * 7)),
            Ok(())
        );
    }

    #[test]
    fn the_light_turns_yellow_then_red() {
        let due = due_at(t(0), DEFAULT_LIMIT_HOURS);
        assert_eq!(due, t(48));
        assert_eq!(light(Assigned, t(0), None, due, t(23)), Some(Light::Green));
        assert_eq!(light(Assigned, t(0), None, due, t(25)), Some(Light::Yellow));
        assert_eq!(
            light(InProgress, t(0), Some(t(2)), due, t(25)),
            Some(Light::Green)
        );
        assert_eq!(
            light(InProgress, t(0), Some(t(2)), due, t(49)),
            Some(Light::Red)
        );
        assert_eq!(light(Confirmed, t(0), Some(t(2)), due, t(99)), None);
    }

    #[test]
    fn an_order_escalates_once_when_past_due() {
        let due = t(48);
        assert!(!should_escalate(Assigned, due, None, t(48)));
        assert!(should_escalate(Assigned, due, None, t(49)));
        assert!(!should_escalate(Assigned, due, Some(t(49)), t(50)));
        assert!(!should_escalate(Completed, due, None, t(50)));
    }

    #[test]
    fn ratings_and_percentages() {
        assert!(valid_rating(1) && valid_rating(5) && !valid_rating(0) && !valid_rating(6));
        assert!(needs_follow_up(2) && !needs_follow_up(3));
        assert_eq!(percent(1, 3), Some(33));
        assert_eq!(percent(2, 3), Some(67));
        assert_eq!(percent(1, 2), Some(50));
        assert_eq!(percent(0, 0), None);
    }

    #[test]
    fn states_round_trip_as_text() {
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
        assert_eq!(
            State::parse("escalated"),
            None,
            "escalation is a flag, not a state"
        );
    }

    #[test]
    fn an_anonymous_reporter_is_named_only_to_the_committee_and_themselves() {
        let order = Privacy {
            anonymous: true,
            reporter_id: Some(7),
        };
        let visitor = Viewer {
            user_id: None,
            committee: false,
        };
        let neighbour = Viewer {
            user_id: Some(8),
            ..visitor
        };
        let committee = Viewer {
            user_id: Some(9),
            committee: true,
        };
        let reporter = Viewer {
            user_id: Some(7),
            ..visitor
        };
        for v in [visitor, neighbour] {
            assert_eq!(shown(order, Some(7), v), Shown::Anonymous);
            assert_eq!(shown(order, Some(8), v), Shown::Named, "others are named");
            assert_eq!(shown(order, None, v), Shown::Named);
        }
        for v in [committee, reporter] {
            assert_eq!(shown(order, Some(7), v), Shown::Named);
        }
        let open = Privacy {
            anonymous: false,
            ..order
        };
        assert_eq!(shown(open, Some(7), visitor), Shown::Named);
    }

    #[test]
    fn assigning_needs_an_open_order_and_a_note_to_change_hands() {
        assert_eq!(
            check_assign(State::Received, false, false),
            Ok(State::Assigned)
        );
        assert_eq!(
            check_assign(State::InProgress, true, true),
            Ok(State::InProgress)
        );
        assert_eq!(
            check_assign(State::InProgress, true, false),
            Err(MoveError::NeedsReassignNote)
        );
        assert_eq!(
            check_assign(State::Completed, true, true),
            Err(MoveError::NotAllowed)
        );
    }
}
