//! The pure rules of the agenda: the stages an item passes through and who may move it,
//! how many supports a proposal needs, and when the committee's answer is overdue.

use chrono::NaiveDateTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    Proposed,
    Adopted,
    Deliberating,
    Voting,
    Passed,
    Rejected,
    NoQuorum,
    Implementing,
    Completed,
    Declined,
    Withdrawn,
}

impl Stage {
    pub const ALL: [Stage; 11] = [
        Stage::Proposed,
        Stage::Adopted,
        Stage::Deliberating,
        Stage::Voting,
        Stage::Passed,
        Stage::Rejected,
        Stage::NoQuorum,
        Stage::Implementing,
        Stage::Completed,
        Stage::Declined,
        Stage::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Proposed => "proposed",
            Stage::Adopted => "adopted",
            Stage::Deliberating => "deliberating",
            Stage::Voting => "voting",
            Stage::Passed => "passed",
            Stage::Rejected => "rejected",
            Stage::NoQuorum => "no_quorum",
            Stage::Implementing => "implementing",
            Stage::Completed => "completed",
            Stage::Declined => "declined",
            Stage::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("stage.{}", self.as_str())
    }

    /// Stages in which an item is finished with: nothing more happens to it.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            Stage::Rejected
                | Stage::NoQuorum
                | Stage::Completed
                | Stage::Declined
                | Stage::Withdrawn
        )
    }
}

/// Who asks to move an item: a person on the item page, or an event elsewhere that moves
/// it (a ballot, a decision, a work order, the published result).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mover {
    Committee,
    Author,
    /// The committee opened a ballot on the item.
    BallotOpened,
    /// A ballot closed and its decision was published.
    Decision,
    /// A published meeting result was corrected and its verdict changed.
    Correction,
    /// The committee turned the passed decision into a work order.
    WorkOrder,
    /// The committee published the implementation result.
    ResultPublished,
}

impl Mover {
    /// The movers that are events rather than a person's choice on the item page.
    pub const EVENTS: [Mover; 5] = [
        Mover::BallotOpened,
        Mover::Decision,
        Mover::Correction,
        Mover::WorkOrder,
        Mover::ResultPublished,
    ];
}

/// What the rule needs to know about the item and the request.
#[derive(Clone, Copy, Debug, Default)]
pub struct Facts {
    pub supports: i64,
    pub threshold: i64,
    /// The note the mover wrote (a public reason, minutes of a judgement).
    pub has_note: bool,
    /// Enough villagers (or representatives) proposed it that a meeting must be convened
    /// (art. 21): it can no longer be declined.
    pub must_convene: bool,
}

/// Why a move is refused; each has a message key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoveError {
    /// The move is not in the table at all.
    NotAllowed,
    /// Adopting below the threshold needs the committee's note.
    BelowThresholdNeedsNote,
    /// Declining needs a public reason.
    ReasonRequired,
    /// Only the author may withdraw.
    OnlyAuthor,
    /// Voting starts by opening a ballot.
    NeedsBallot,
    /// Implementation starts with a work order.
    NeedsWorkOrder,
    /// The item is no longer where the move starts: someone moved it first.
    Stale,
    /// The proposers reached the law's threshold: a meeting must be convened on it.
    MustConvene,
    /// An item becomes major only when it is adopted or its deliberation opens.
    NotMajorNow,
}

impl MoveError {
    pub fn message_key(self) -> &'static str {
        match self {
            MoveError::NotAllowed => "agenda.err_move",
            MoveError::BelowThresholdNeedsNote => "agenda.err_below_threshold",
            MoveError::ReasonRequired => "agenda.err_reason",
            MoveError::OnlyAuthor => "agenda.err_only_author",
            MoveError::NeedsBallot => "agenda.err_needs_ballot",
            MoveError::NeedsWorkOrder => "agenda.err_needs_work_order",
            MoveError::Stale => "agenda.err_move",
            MoveError::MustConvene => "agenda.err_must_convene",
            MoveError::NotMajorNow => "agenda.err_major_when",
        }
    }
}

/// The stage table of DESIGN.md: may `mover` move an item from `from` to `to`?
pub fn check_move(from: Stage, to: Stage, mover: Mover, facts: Facts) -> Result<(), MoveError> {
    use Stage::*;
    match (from, to, mover) {
        (Proposed, Adopted, Mover::Committee) => {
            if facts.supports >= facts.threshold || facts.has_note {
                Ok(())
            } else {
                Err(MoveError::BelowThresholdNeedsNote)
            }
        }
        (Proposed, Declined, Mover::Committee) => {
            if facts.must_convene {
                Err(MoveError::MustConvene)
            } else if facts.has_note {
                Ok(())
            } else {
                Err(MoveError::ReasonRequired)
            }
        }
        (Proposed, Withdrawn, Mover::Author) => Ok(()),
        (Proposed, Withdrawn, Mover::Committee) => Err(MoveError::OnlyAuthor),
        (Adopted, Deliberating, Mover::Committee) => Ok(()),
        // Reconvening after a failed quorum (四议两公开): the item goes back to the meeting
        // with its 提议, 商议 and 审议 standing; a new notice and a new ballot follow.
        (NoQuorum, Deliberating, Mover::Committee) => Ok(()),
        (Deliberating, Voting, Mover::BallotOpened) => Ok(()),
        (Deliberating, Voting, _) => Err(MoveError::NeedsBallot),
        (Voting, Passed | Rejected | NoQuorum, Mover::Decision) => Ok(()),
        (Passed | Rejected | NoQuorum, Passed | Rejected | NoQuorum, Mover::Correction)
            if from != to =>
        {
            Ok(())
        }
        // A corrected decision no longer counts, even once its work has begun.
        (Implementing, Rejected | NoQuorum, Mover::Correction) => Ok(()),
        (Passed, Implementing, Mover::WorkOrder) => Ok(()),
        (Passed, Implementing, _) => Err(MoveError::NeedsWorkOrder),
        (Implementing, Completed, Mover::ResultPublished) => Ok(()),
        _ => Err(MoveError::NotAllowed),
    }
}

/// How an item's followers are told of a move: the notice's kind (`notify.KIND`) and the
/// detail shown beneath it. A person's move carries their note (a reason); an event's note
/// is a reference (`#12`) for the timeline, not for the inbox.
pub fn notice(mover: Mover, to: Stage, note: &str) -> (String, &str) {
    let verdict = || match to {
        Stage::Rejected => "decision_rejected",
        Stage::NoQuorum => "decision_no_quorum",
        _ => "decision_passed",
    };
    match mover {
        Mover::Committee | Mover::Author => (format!("item_stage_{}", to.as_str()), note),
        Mover::BallotOpened => ("ballot_opened".to_string(), ""),
        Mover::Decision | Mover::Correction => (verdict().to_string(), ""),
        Mover::WorkOrder | Mover::ResultPublished => (format!("item_stage_{}", to.as_str()), ""),
    }
}

/// May a ballot of `body` resolve (决议) a major item? Only the villagers' meeting (or its
/// household form) and the representatives' meeting may (四议两公开; 村民委员会组织法 art. 24):
/// never the committee's own roll call, never a consultation.
pub fn may_resolve_major(body: &str) -> bool {
    matches!(body, "residents" | "households" | "representatives")
}

/// May a ballot of `body` resolve a major item of `category`, given the matters the
/// villagers' meeting has delegated to the representatives' meeting? 村民委员会组织法 art. 24:
/// the listed matters must be decided by the villagers' meeting (or its household form),
/// which "可以授权村民代表会议讨论决定". `Err(key)` names the law.
pub fn may_resolve_matter(
    body: &str,
    category: &str,
    delegated: &[String],
) -> Result<(), &'static str> {
    match body {
        "residents" | "households" => Ok(()),
        "representatives" if delegated.iter().any(|d| d == category) => Ok(()),
        "representatives" => Err("steps.err_not_delegated"),
        _ => Err("ballots.err_major_body"),
    }
}

/// The delegated matters as stored (comma-separated categories), unknown ones dropped.
pub fn parse_delegated(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .map(str::trim)
        .filter(|c| valid_category(c))
        .map(str::to_string)
        .collect()
}

/// The moves the committee may offer from `from` on the item page.
pub fn committee_moves(from: Stage) -> &'static [Stage] {
    match from {
        Stage::Proposed => &[Stage::Adopted, Stage::Declined],
        Stage::Adopted => &[Stage::Deliberating],
        Stage::NoQuorum => &[Stage::Deliberating],
        _ => &[],
    }
}

/// The label of the committee's move from `from` to `to`: going back to the meeting after a
/// failed quorum is "reconvening", not a new deliberation.
pub fn move_label_key(from: Stage, to: Stage) -> String {
    if (from, to) == (Stage::NoQuorum, Stage::Deliberating) {
        "agenda.reconvene".to_string()
    } else {
        to.label_key()
    }
}

/// One attempt to resolve an item: a ballot and the convening notice that announced it
/// (the latest published after the previous ballot opened and before this one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub ballot: i64,
    pub notice: Option<i64>,
}

/// Pairs an item's ballots (id, opened) with its notices (id, published), both in the order
/// they were made: each ballot takes the latest notice published since the previous ballot.
pub fn attempts(
    ballots: &[(i64, NaiveDateTime)],
    notices: &[(i64, NaiveDateTime)],
) -> Vec<Attempt> {
    let mut since: Option<NaiveDateTime> = None;
    ballots
        .iter()
        .map(|(id, opened)| {
            let notice = notices
                .iter()
                .filter(|(_, at)| at <= opened && since.is_none_or(|s| *at > s))
                .max_by_key(|(_, at)| *at)
                .map(|(n, _)| *n);
            since = Some(*opened);
            Attempt {
                ballot: *id,
                notice,
            }
        })
        .collect()
}

/// May the decision be recorded as the item's 决议 (四议两公开)? Only a decision that may be
/// cited (`ballots::citable`: passed, binding, not corrected) of a body that may resolve a
/// major matter (村民委员会组织法 art. 24).
pub fn may_be_resolution(
    citable: Result<(), crate::ballots::citable::NotCitable>,
    body: &str,
) -> bool {
    citable.is_ok() && may_resolve_major(body)
}

/// Supports a proposal needs: `percent` of the verified residents, rounded up, and never
/// fewer than `minimum`. Integer arithmetic only.
pub fn support_threshold(verified_residents: i64, percent: i64, minimum: i64) -> i64 {
    let share = (verified_residents.max(0) * percent.max(0) + 99) / 100;
    share.max(minimum)
}

/// A proposal the committee has not answered by its deadline.
pub fn is_overdue(stage: Stage, respond_by: NaiveDateTime, now: NaiveDateTime) -> bool {
    stage == Stage::Proposed && now > respond_by
}

/// Supports are given and withdrawn only while the proposal is open.
pub fn accepts_support(stage: Stage) -> bool {
    stage == Stage::Proposed
}

/// Comments are taken until the item is closed.
pub fn accepts_comments(stage: Stage) -> bool {
    !stage.is_closed()
}

pub const CATEGORIES: [&str; 7] = [
    "infrastructure",
    "environment",
    "traffic",
    "safety",
    "welfare",
    "economy",
    "other",
];

pub fn valid_category(c: &str) -> bool {
    CATEGORIES.contains(&c)
}

pub const TITLE_MAX: usize = 80;
pub const BODY_MAX: usize = 10_000;

// ---- 四议两公开 ----

/// The four deliberations of a major matter, in their required order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// 村党支部会提议
    Proposal,
    /// 村"两委"会商议
    Consultation,
    /// 党员大会审议
    Review,
    /// 村民会议或村民代表会议决议
    Resolution,
}

impl Step {
    pub const ALL: [Step; 4] = [
        Step::Proposal,
        Step::Consultation,
        Step::Review,
        Step::Resolution,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Proposal => "proposal",
            Step::Consultation => "consultation",
            Step::Review => "review",
            Step::Resolution => "resolution",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("steps.{}", self.as_str())
    }
}

/// Why a step cannot be recorded; each has a message key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepError {
    NotMajor,
    WrongStage,
    OutOfOrder,
    /// The resolution is the vote itself: it is recorded with the ballot.
    ResolutionByBallot,
    BadAttendance,
    /// 党员大会审议 needs at least two thirds of the members present.
    ReviewNotQuorate,
}

impl StepError {
    pub fn message_key(self) -> &'static str {
        match self {
            StepError::NotMajor => "steps.err_not_major",
            StepError::WrongStage => "steps.err_stage",
            StepError::OutOfOrder => "steps.err_order",
            StepError::ResolutionByBallot => "steps.err_resolution",
            StepError::BadAttendance => "steps.err_attendance",
            StepError::ReviewNotQuorate => "steps.err_review_quorum",
        }
    }
}

/// The next step to record, given those recorded; `None` when all four are.
pub fn next_step(recorded: &[Step]) -> Option<Step> {
    Step::ALL.into_iter().find(|s| !recorded.contains(s))
}

/// May `step` be recorded now, with this attendance? Steps go in order and none is skipped;
/// only major items on the agenda have them; the review needs 2/3 of members present
/// (三分之二以上: `3·present ≥ 2·expected`).
pub fn check_step(
    major: bool,
    stage: Stage,
    recorded: &[Step],
    step: Step,
    expected: i64,
    present: i64,
) -> Result<(), StepError> {
    if !major {
        return Err(StepError::NotMajor);
    }
    if !matches!(stage, Stage::Adopted | Stage::Deliberating) {
        return Err(StepError::WrongStage);
    }
    if step == Step::Resolution {
        return Err(StepError::ResolutionByBallot);
    }
    if next_step(recorded) != Some(step) {
        return Err(StepError::OutOfOrder);
    }
    if expected <= 0 || present < 0 || present > expected {
        return Err(StepError::BadAttendance);
    }
    if step == Step::Review && 3 * present < 2 * expected {
        return Err(StepError::ReviewNotQuorate);
    }
    Ok(())
}

/// Does a 党员大会审议 agree? At least two thirds of the members due to attend present
/// (三分之二以上: `3·present ≥ 2·due`) and more than half of those *due* voting for
/// (应到会党员半数以上: `2·for > due`), so a vote of exactly half fails.
pub fn review_passes(due: i64, present: i64, votes_for: i64) -> bool {
    3 * present >= 2 * due && 2 * votes_for > due
}

/// The steps that stand, from the records in the order they were made (step, agreed): a
/// review that did not agree sends the item back to 商议, so the consultation and the
/// review must be recorded again before the ballot may open.
pub fn standing_steps(records: &[(Step, bool)]) -> Vec<Step> {
    let mut standing = Vec::new();
    for (step, agreed) in records {
        standing.push(*step);
        if *step == Step::Review && !agreed {
            standing.retain(|s| !matches!(s, Step::Consultation | Step::Review));
        }
    }
    standing
}

/// The round a step recorded now belongs to: one more than the reviews that did not agree.
pub fn current_round(records: &[(Step, bool)]) -> i64 {
    1 + records
        .iter()
        .filter(|(s, agreed)| *s == Step::Review && !agreed)
        .count() as i64
}

/// The largest head count a deliberation form accepts (a party branch or a committee is
/// far smaller; this only keeps arithmetic and typing errors in bounds).
pub const HEADCOUNT_MAX: i64 = 100_000;

/// The head counts of a deliberation as typed: due to attend (应到), present (实到) and, for
/// the review, the votes for and against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    pub expected: i64,
    pub present: i64,
    pub votes: Option<(i64, i64)>,
}

/// Reads the head counts of `step` as typed, every problem named at its field (field name,
/// message key): whole numbers from 0 to [`HEADCOUNT_MAX`], someone due to attend, no more
/// present than due, and on the review votes for and against that add up to no more than
/// those present.
pub fn read_tally(
    step: Step,
    expected: &str,
    present: &str,
    votes_for: &str,
    votes_against: &str,
) -> Result<Tally, Vec<(&'static str, &'static str)>> {
    let mut errs = Vec::new();
    let mut num =
        |field: &'static str, v: &str| match crate::text::whole_number(v, 0, HEADCOUNT_MAX) {
            Ok(n) => Some(n),
            Err(_) => {
                errs.push((field, "steps.err_number"));
                None
            }
        };
    let due = num("expected", expected);
    let here = num("present", present);
    let votes = if step == Step::Review {
        (
            num("votes_for", votes_for),
            num("votes_against", votes_against),
        )
    } else {
        (Some(0), Some(0))
    };
    if due == Some(0) {
        errs.push(("expected", "steps.err_expected_zero"));
    }
    if let (Some(d), Some(p)) = (due, here) {
        if p > d {
            errs.push(("present", "steps.err_present_over"));
        }
    }
    if let (Some(p), (Some(f), Some(a))) = (here, votes) {
        if f + a > p {
            errs.push(("votes_for", "steps.err_votes_over"));
        }
    }
    match (due, here, votes) {
        (Some(expected), Some(present), (Some(f), Some(a))) if errs.is_empty() => Ok(Tally {
            expected,
            present,
            votes: (step == Step::Review).then_some((f, a)),
        }),
        _ => Err(errs),
    }
}

/// Reads the day a deliberation was held, as typed ("2026-11-20", "2026年11月20日", …):
/// a record is of a meeting that took place, so not after `today` (the day in Beijing),
/// and not further back than [`crate::clock::DATE_YEARS`] years. The problem is a message
/// key for the held_on field.
pub fn read_held_on(
    typed: &str,
    today: chrono::NaiveDate,
) -> Result<chrono::NaiveDate, &'static str> {
    match crate::clock::parse_near_date(typed, today) {
        Ok(day) if day > today => Err("steps.err_held_on_future"),
        Ok(day) => Ok(day),
        Err(crate::clock::DateProblem::Empty) => Err("steps.err_held_on_empty"),
        Err(crate::clock::DateProblem::Bad(_)) => Err("steps.err_held_on"),
        Err(crate::clock::DateProblem::Far(_)) => Err("steps.err_held_on_far"),
    }
}

/// A resident's proposal becomes a major matter (四议两公开) when the committee adopts it or
/// opens its deliberation, and not later: the four deliberations must all lie ahead of it.
pub fn may_become_major(to: Stage) -> bool {
    matches!(to, Stage::Adopted | Stage::Deliberating)
}

/// A major item may go to a vote only once 提议, 商议 and 审议 are recorded; any other
/// item once it is under deliberation.
pub fn may_open_ballot(major: bool, stage: Stage, recorded: &[Step]) -> bool {
    stage == Stage::Deliberating
        && (!major
            || [Step::Proposal, Step::Consultation, Step::Review]
                .iter()
                .all(|s| recorded.contains(s)))
}

/// Days after the resolution within which it must be published (决议公开).
pub const RESOLUTION_PUBLICATION_DAYS: i64 = 5;

/// The implementation is done when the item has work orders and every one is confirmed.
pub fn implementation_done(order_states: &[&str]) -> bool {
    !order_states.is_empty() && order_states.iter().all(|s| *s == "confirmed")
}

/// The step name under which the published implementation result is recorded.
pub const RESULT_STEP: &str = "result";

/// The date by which a resolution made at `resolved_at` must be published.
pub fn resolution_publication_due(resolved_at: NaiveDateTime) -> NaiveDateTime {
    resolved_at + chrono::Duration::days(RESOLUTION_PUBLICATION_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stage::*;

    #[test]
    fn a_resolution_at_0730_beijing_is_due_on_the_beijing_day_five_days_on() {
        // 23:30 UTC on 30 November is 07:30 on 1 December in Beijing: the publication of the
        // resolution is due on 6 December, never the UTC 5th.
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
            .and_then(|d| d.and_hms_opt(23, 30, 0))
            .expect("a time");
        assert_eq!(crate::clock::fmt_day(&at), "2026-12-01");
        assert_eq!(
            crate::clock::fmt_day(&resolution_publication_due(at)),
            "2026-12-06"
        );
    }

    #[test]
    fn a_deliberation_is_dated_today_or_earlier_and_never_tomorrow() {
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a day");
        let today = day(2026, 11, 26);
        assert_eq!(read_held_on("2026-11-26", today), Ok(today));
        assert_eq!(read_held_on("2026年11月25日", today), Ok(day(2026, 11, 25)));
        assert_eq!(read_held_on("２０２６-11-20", today), Ok(day(2026, 11, 20)));
        assert_eq!(
            read_held_on("2026-11-27", today),
            Err("steps.err_held_on_future")
        );
        assert_eq!(read_held_on("2021-11-26", today), Ok(day(2021, 11, 26)));
        assert_eq!(
            read_held_on("2021-11-25", today),
            Err("steps.err_held_on_far")
        );
        assert_eq!(read_held_on("  ", today), Err("steps.err_held_on_empty"));
        for bad in ["上周三", "2026-13-01", "2026-02-30", "11/20"] {
            assert_eq!(read_held_on(bad, today), Err("steps.err_held_on"), "{bad}");
        }
    }

    fn facts(supports: i64, threshold: i64, has_note: bool) -> Facts {
        Facts {
            supports,
            threshold,
            has_note,
            must_convene: false,
        }
    }

    #[test]
    fn four_deliberations_reconvening_after_a_failed_quorum_goes_back_to_the_meeting() {
        let f = Facts::default();
        assert_eq!(
            check_move(NoQuorum, Deliberating, Mover::Committee, f),
            Ok(())
        );
        assert_eq!(committee_moves(NoQuorum), &[Deliberating]);
        assert_eq!(
            move_label_key(NoQuorum, Deliberating),
            "agenda.reconvene".to_string()
        );
        assert_eq!(move_label_key(Adopted, Deliberating), "stage.deliberating");
        // Only a failed quorum is reconvened; a rejection stands.
        assert_eq!(
            check_move(Rejected, Deliberating, Mover::Committee, f),
            Err(MoveError::NotAllowed)
        );
        assert_eq!(
            check_move(NoQuorum, Voting, Mover::Committee, f),
            Err(MoveError::NotAllowed)
        );
        // The deliberations stand: the ballot may open again at once they are all recorded.
        assert!(may_open_ballot(
            true,
            Deliberating,
            &[Step::Proposal, Step::Consultation, Step::Review]
        ));
    }

    #[test]
    fn each_attempt_takes_the_notice_published_since_the_previous_ballot() {
        let t = |d: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 11, d)
                .and_then(|d| d.and_hms_opt(9, 0, 0))
                .expect("a time")
        };
        let ballots = [(1, t(11)), (2, t(25))];
        let notices = [(7, t(1)), (8, t(14))];
        assert_eq!(
            attempts(&ballots, &notices),
            vec![
                Attempt {
                    ballot: 1,
                    notice: Some(7)
                },
                Attempt {
                    ballot: 2,
                    notice: Some(8)
                },
            ]
        );
        // A reconvened ballot without a new notice shows none, never the old one.
        assert_eq!(
            attempts(&ballots, &notices[..1])[1],
            Attempt {
                ballot: 2,
                notice: None
            }
        );
    }

    #[test]
    fn art_24_only_a_citable_decision_of_a_lawful_body_becomes_the_resolution() {
        use crate::ballots::citable::{check, NotCitable};
        assert!(may_be_resolution(
            check(true, "residents", false),
            "residents"
        ));
        assert!(may_be_resolution(
            check(true, "representatives", false),
            "representatives"
        ));
        // Corrected by a later decision.
        assert!(!may_be_resolution(
            check(true, "residents", true),
            "residents"
        ));
        assert_eq!(check(true, "residents", true), Err(NotCitable::Corrected));
        // A consultation (意见征集), passed or not.
        assert!(!may_be_resolution(
            check(true, "consultation", false),
            "consultation"
        ));
        // A body that may not resolve a major matter.
        assert!(!may_be_resolution(
            check(true, "committee", false),
            "committee"
        ));
        assert!(!may_be_resolution(check(true, "group", false), "group"));
        // A failed quorum or a rejection is no resolution to act on.
        assert!(!may_be_resolution(
            check(false, "residents", false),
            "residents"
        ));
    }

    #[test]
    fn a_correction_takes_an_item_back_from_implementing() {
        let f = Facts::default();
        assert_eq!(
            check_move(Implementing, Rejected, Mover::Correction, f),
            Ok(())
        );
        assert_eq!(
            check_move(Implementing, NoQuorum, Mover::Correction, f),
            Ok(())
        );
        assert_eq!(
            check_move(Implementing, Rejected, Mover::Committee, f),
            Err(MoveError::NotAllowed)
        );
    }

    #[test]
    fn art_24_only_the_villagers_or_their_representatives_resolve_a_major_item() {
        assert!(may_resolve_major("residents"));
        assert!(may_resolve_major("households"));
        assert!(may_resolve_major("representatives"));
        assert!(!may_resolve_major("committee"));
        assert!(!may_resolve_major("consultation"));
        assert!(!may_resolve_major("group"));
    }

    #[test]
    fn art_24_the_representatives_resolve_only_matters_delegated_to_them() {
        let delegated = parse_delegated("infrastructure, bogus,welfare");
        assert_eq!(delegated, vec!["infrastructure", "welfare"]);
        assert_eq!(may_resolve_matter("residents", "economy", &[]), Ok(()));
        assert_eq!(may_resolve_matter("households", "economy", &[]), Ok(()));
        assert_eq!(
            may_resolve_matter("representatives", "economy", &delegated),
            Err("steps.err_not_delegated")
        );
        assert_eq!(
            may_resolve_matter("representatives", "welfare", &delegated),
            Ok(())
        );
        assert_eq!(
            may_resolve_matter("committee", "welfare", &delegated),
            Err("ballots.err_major_body")
        );
    }

    #[test]
    fn art_21_a_proposal_that_obliges_a_meeting_cannot_be_declined() {
        let owed = Facts {
            must_convene: true,
            ..facts(40, 3, true)
        };
        assert_eq!(
            check_move(Proposed, Declined, Mover::Committee, owed),
            Err(MoveError::MustConvene)
        );
        assert_eq!(
            check_move(Proposed, Adopted, Mover::Committee, owed),
            Ok(())
        );
    }

    #[test]
    fn implementation_is_done_when_every_order_is_confirmed() {
        assert!(
            !implementation_done(&[]),
            "no work orders, no implementation"
        );
        assert!(!implementation_done(&["confirmed", "completed"]));
        assert!(implementation_done(&["confirmed", "confirmed"]));
    }

    #[test]
    fn adoption_needs_the_threshold_or_a_note() {
        assert_eq!(
            check_move(Proposed, Adopted, Mover::Committee, facts(5, 5, false)),
            Ok(())
        );
        assert_eq!(
            check_move(Proposed, Adopted, Mover::Committee, facts(4, 5, false)),
            Err(MoveError::BelowThresholdNeedsNote)
        );
        assert_eq!(
            check_move(Proposed, Adopted, Mover::Committee, facts(0, 5, true)),
            Ok(())
        );
        assert_eq!(
            check_move(Proposed, Adopted, Mover::Author, facts(9, 5, true)),
            Err(MoveError::NotAllowed)
        );
    }

    #[test]
    fn declining_needs_a_public_reason_and_withdrawing_is_the_authors() {
        assert_eq!(
            check_move(Proposed, Declined, Mover::Committee, facts(0, 3, false)),
            Err(MoveError::ReasonRequired)
        );
        assert_eq!(
            check_move(Proposed, Declined, Mover::Committee, facts(0, 3, true)),
            Ok(())
        );
        assert_eq!(
            check_move(Proposed, Withdrawn, Mover::Author, Facts::default()),
            Ok(())
        );
        assert_eq!(
            check_move(Proposed, Withdrawn, Mover::Committee, Facts::default()),
            Err(MoveError::OnlyAuthor)
        );
        assert_eq!(
            check_move(Adopted, Withdrawn, Mover::Author, Facts::default()),
            Err(MoveError::NotAllowed)
        );
    }

    #[test]
    fn no_stage_is_skipped() {
        for from in Stage::ALL {
            for to in Stage::ALL {
                let people = [Mover::Committee, Mover::Author];
                for mover in people.into_iter().chain(Mover::EVENTS) {
                    let ok = check_move(from, to, mover, facts(100, 1, true)).is_ok();
                    let verdict = |s: Stage| matches!(s, Passed | Rejected | NoQuorum);
                    let listed = matches!(
                        (from, to, mover),
                        (Proposed, Adopted, Mover::Committee)
                            | (Proposed, Declined, Mover::Committee)
                            | (Proposed, Withdrawn, Mover::Author)
                            | (Adopted, Deliberating, Mover::Committee)
                            | (NoQuorum, Deliberating, Mover::Committee)
                            | (Deliberating, Voting, Mover::BallotOpened)
                            | (Passed, Implementing, Mover::WorkOrder)
                            | (Implementing, Completed, Mover::ResultPublished)
                    ) || (from == Voting && verdict(to) && mover == Mover::Decision)
                        || (verdict(from)
                            && verdict(to)
                            && from != to
                            && mover == Mover::Correction)
                        || (from == Implementing
                            && matches!(to, Rejected | NoQuorum)
                            && mover == Mover::Correction);
                    assert_eq!(ok, listed, "{from:?} -> {to:?} by {mover:?}");
                }
            }
        }
        assert_eq!(
            check_move(Deliberating, Voting, Mover::Committee, Facts::default()),
            Err(MoveError::NeedsBallot)
        );
    }

    #[test]
    fn followers_hear_a_persons_reason_and_an_events_verdict() {
        assert_eq!(
            notice(Mover::Committee, Declined, "no money"),
            ("item_stage_declined".to_string(), "no money")
        );
        assert_eq!(
            notice(Mover::BallotOpened, Voting, "#3"),
            ("ballot_opened".to_string(), "")
        );
        assert_eq!(
            notice(Mover::Decision, NoQuorum, "#4"),
            ("decision_no_quorum".to_string(), "")
        );
        assert_eq!(
            notice(Mover::Correction, Passed, "#5 typo"),
            ("decision_passed".to_string(), "")
        );
        assert_eq!(
            notice(Mover::WorkOrder, Implementing, "#6"),
            ("item_stage_implementing".to_string(), "")
        );
    }

    #[test]
    fn the_committee_is_offered_only_allowed_moves() {
        for from in Stage::ALL {
            for to in committee_moves(from) {
                assert!(check_move(from, *to, Mover::Committee, facts(100, 1, true)).is_ok());
            }
        }
    }

    #[test]
    fn threshold_is_five_percent_rounded_up_at_least_three() {
        assert_eq!(support_threshold(0, 5, 3), 3);
        assert_eq!(support_threshold(60, 5, 3), 3);
        assert_eq!(support_threshold(61, 5, 3), 4);
        assert_eq!(support_threshold(132, 5, 3), 7);
        assert_eq!(support_threshold(2000, 5, 3), 100);
        assert_eq!(support_threshold(2001, 5, 3), 101);
    }

    #[test]
    fn only_open_proposals_past_their_deadline_are_overdue() {
        let day = |d| {
            chrono::NaiveDate::from_ymd_opt(2026, 11, d)
                .and_then(|x| x.and_hms_opt(0, 0, 0))
                .expect("date")
        };
        assert!(is_overdue(Proposed, day(10), day(11)));
        assert!(!is_overdue(Proposed, day(10), day(10)));
        assert!(!is_overdue(Adopted, day(10), day(11)));
    }

    #[test]
    fn a_proposal_becomes_major_only_when_adopted_or_deliberation_opens() {
        for to in [Stage::Adopted, Stage::Deliberating] {
            assert!(may_become_major(to), "{to:?}");
        }
        for to in [
            Stage::Proposed,
            Stage::Voting,
            Stage::Declined,
            Stage::Implementing,
        ] {
            assert!(!may_become_major(to), "{to:?}");
        }
    }

    #[test]
    fn stages_round_trip() {
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
        }
        assert!(accepts_support(Proposed) && !accepts_support(Adopted));
        assert!(accepts_comments(Deliberating) && !accepts_comments(Declined));
    }

    #[test]
    fn steps_go_in_order_and_none_is_skipped() {
        use Step::*;
        assert_eq!(check_step(true, Adopted, &[], Proposal, 7, 7), Ok(()));
        assert_eq!(
            check_step(true, Adopted, &[], Consultation, 7, 7),
            Err(StepError::OutOfOrder)
        );
        assert_eq!(
            check_step(true, Deliberating, &[Proposal], Consultation, 9, 8),
            Ok(())
        );
        assert_eq!(
            check_step(true, Deliberating, &[Proposal], Proposal, 9, 8),
            Err(StepError::OutOfOrder)
        );
        assert_eq!(
            check_step(false, Adopted, &[], Proposal, 7, 7),
            Err(StepError::NotMajor)
        );
        assert_eq!(
            check_step(true, Proposed, &[], Proposal, 7, 7),
            Err(StepError::WrongStage)
        );
        assert_eq!(
            check_step(
                true,
                Deliberating,
                &[Proposal, Consultation, Review],
                Resolution,
                9,
                9
            ),
            Err(StepError::ResolutionByBallot)
        );
        assert_eq!(
            check_step(true, Adopted, &[], Proposal, 5, 6),
            Err(StepError::BadAttendance)
        );
        assert_eq!(
            check_step(true, Adopted, &[], Proposal, 0, 0),
            Err(StepError::BadAttendance)
        );
        assert_eq!(
            next_step(&[Proposal, Consultation, Review, Resolution]),
            None
        );
    }

    #[test]
    fn the_party_member_review_needs_two_thirds_present() {
        use Step::*;
        let done = [Proposal, Consultation];
        // 三分之二以上 includes two thirds itself: 30 of 45 is enough, 29 is not.
        assert_eq!(
            check_step(true, Deliberating, &done, Review, 45, 30),
            Ok(())
        );
        assert_eq!(
            check_step(true, Deliberating, &done, Review, 45, 29),
            Err(StepError::ReviewNotQuorate)
        );
        assert_eq!(
            check_step(true, Deliberating, &done, Review, 31, 21),
            Ok(())
        );
        assert_eq!(
            check_step(true, Deliberating, &done, Review, 31, 20),
            Err(StepError::ReviewNotQuorate)
        );
    }

    #[test]
    fn party_member_review_needs_two_thirds_present_and_more_than_half_of_those_due_for() {
        // 四议两公开 第三步：三分之二以上党员到会，应到会党员半数以上同意。
        assert!(review_passes(45, 30, 23), "exactly 2/3 present is enough");
        assert!(!review_passes(45, 29, 29), "below 2/3 present fails");
        assert!(review_passes(30, 20, 16));
        assert!(
            !review_passes(30, 30, 15),
            "exactly half of those due fails"
        );
        assert!(
            !review_passes(31, 31, 15) && review_passes(31, 31, 16),
            "more than half of 31 due is 16"
        );
    }

    #[test]
    fn a_review_that_does_not_agree_sends_the_item_back_to_consultation() {
        use Step::*;
        let failed = [(Proposal, true), (Consultation, true), (Review, false)];
        assert_eq!(standing_steps(&failed), vec![Proposal]);
        assert_eq!(next_step(&standing_steps(&failed)), Some(Consultation));
        assert!(!may_open_ballot(
            true,
            Deliberating,
            &standing_steps(&failed)
        ));
        assert_eq!(current_round(&failed), 2);
        let again = [
            (Proposal, true),
            (Consultation, true),
            (Review, false),
            (Consultation, true),
            (Review, true),
        ];
        assert_eq!(standing_steps(&again), vec![Proposal, Consultation, Review]);
        assert!(may_open_ballot(true, Deliberating, &standing_steps(&again)));
        assert_eq!(current_round(&again), 2);
    }

    #[test]
    fn head_counts_are_checked_at_their_field() {
        use Step::*;
        assert_eq!(
            read_tally(Review, "45", "30", "23", "7"),
            Ok(Tally {
                expected: 45,
                present: 30,
                votes: Some((23, 7))
            })
        );
        assert_eq!(
            read_tally(Proposal, "7", "7", "", ""),
            Ok(Tally {
                expected: 7,
                present: 7,
                votes: None
            })
        );
        assert_eq!(
            read_tally(Review, "45", "46", "1", "0"),
            Err(vec![("present", "steps.err_present_over")])
        );
        assert_eq!(
            read_tally(Review, "45", "30", "20", "11"),
            Err(vec![("votes_for", "steps.err_votes_over")])
        );
        assert_eq!(
            read_tally(Review, "45", "30", "20", "10").map(|t| t.votes),
            Ok(Some((20, 10)))
        );
        assert_eq!(
            read_tally(Review, "-1", "abc", "", "3"),
            Err(vec![
                ("expected", "steps.err_number"),
                ("present", "steps.err_number"),
                ("votes_for", "steps.err_number")
            ])
        );
        assert_eq!(
            read_tally(Proposal, "0", "0", "", ""),
            Err(vec![("expected", "steps.err_expected_zero")])
        );
        assert_eq!(
            read_tally(Proposal, "100001", "1", "", ""),
            Err(vec![("expected", "steps.err_number")])
        );
    }

    #[test]
    fn a_major_item_votes_only_after_three_deliberations() {
        use Step::*;
        assert!(!may_open_ballot(
            true,
            Deliberating,
            &[Proposal, Consultation]
        ));
        assert!(may_open_ballot(
            true,
            Deliberating,
            &[Proposal, Consultation, Review]
        ));
        assert!(may_open_ballot(false, Deliberating, &[]));
        assert!(!may_open_ballot(false, Adopted, &[]));
    }
}
