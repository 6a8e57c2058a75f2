//! Pure rules for projects (一项一码), the power list (小微权力清单) and inquiries (质询).

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

/// A value for a `{placeholder}` in a locale string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Insert as is.
    Text(String),
    /// Translate this locale key first, then insert the result.
    Key(&'static str),
}

fn text(name: &'static str, value: impl ToString) -> (&'static str, Arg) {
    (name, Arg::Text(value.to_string()))
}

/// A fieldless enum with `ALL`, `key()` (its locale key) and `args()` (its placeholders:
/// `n = EXPR` after a key gives that variant `{n}`).
macro_rules! keyed {
    ($(#[$m:meta])* $name:ident {
        $($(#[$vm:meta])* $v:ident => $key:literal $(, n = $n:expr)?;)+
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $v,)+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v,)+];
            pub fn key(&self) -> &'static str { match self { $($name::$v => $key,)+ } }
            pub fn args(&self) -> Vec<(&'static str, Arg)> {
                match self { $($name::$v => vec![$(text("n", $n))?],)+ }
            }
        }
    };
    (stored $(#[$m:meta])* $name:ident {
        $($(#[$vm:meta])* $v:ident => $key:literal as $s:literal;)+
    }) => {
        keyed!($(#[$m])* $name { $($(#[$vm])* $v => $key;)+ });
        impl $name {
            /// The stored (database) form.
            pub fn as_str(&self) -> &'static str { match self { $($name::$v => $s,)+ } }
            /// Reads the stored form (trimmed, exact case).
            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|x| x.as_str() == s.trim())
            }
        }
    };
}

// ---------------------------------------------------------------- codes

pub const PREFIX_MAX: usize = 6;

keyed!(CodeProblem {
    PrefixEmpty => "project.err.prefix_empty";
    PrefixTooLong => "project.err.prefix_too_long", n = PREFIX_MAX;
    PrefixNotLetters => "project.err.prefix_letters";
    /// A whole code like "HQ-2026-003" could not be read.
    CodeBad => "project.err.code_bad";
});

/// "HQ-2026-003": prefix uppercased, year 4 digits, seq zero-padded to 3 (wider if needed).
pub fn format_code(prefix: &str, year: i32, seq: u32) -> String {
    format!("{}-{year:04}-{seq:03}", prefix.trim().to_ascii_uppercase())
}

/// Reads a code typed by hand: trimmed, any case, `-` or full-width `－` between parts,
/// a valid prefix, a 4-digit year, 1 or more digits of seq. Returns (PREFIX, year, seq).
pub fn parse_code(s: &str) -> Option<(String, i32, u32)> {
    let s = s.trim().replace('－', "-");
    let mut parts = s.split('-');
    let (p, y, n) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || y.len() != 4 || !digits(y) || !digits(n) {
        return None;
    }
    Some((check_prefix(p).ok()?, y.parse().ok()?, n.parse().ok()?))
}

/// [`parse_code`] with a problem to show when the code cannot be read.
pub fn check_code(s: &str) -> Result<(String, i32, u32), CodeProblem> {
    parse_code(s).ok_or(CodeProblem::CodeBad)
}

/// A project code prefix: 1–6 ASCII letters after trimming, returned uppercased.
pub fn check_prefix(s: &str) -> Result<String, CodeProblem> {
    let s = s.trim();
    if s.is_empty() {
        Err(CodeProblem::PrefixEmpty)
    } else if !s.bytes().all(|b| b.is_ascii_alphabetic()) {
        Err(CodeProblem::PrefixNotLetters)
    } else if s.len() > PREFIX_MAX {
        Err(CodeProblem::PrefixTooLong)
    } else {
        Ok(s.to_ascii_uppercase())
    }
}

// ---------------------------------------------------------------- money, in fen (分)

/// Whole percent of the budget spent, rounded half up. None when there is no budget (≤ 0).
/// Negative spending counts as 0; saturates at `u32::MAX`.
pub fn spent_percent(spent: i64, budget: i64) -> Option<u32> {
    if budget <= 0 {
        return None;
    }
    let (s, b) = (i128::from(spent.max(0)), i128::from(budget));
    Some(u32::try_from((200 * s + b) / (2 * b)).unwrap_or(u32::MAX))
}

/// Spent strictly more than a positive budget. A budget ≤ 0 means "none set": never over.
pub fn over_budget(spent: i64, budget: i64) -> bool {
    budget > 0 && spent > budget
}

// ---------------------------------------------------------------- schedule

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub actual_start: Option<NaiveDate>,
    pub actual_end: Option<NaiveDate>,
}

keyed!(ScheduleState {
    /// No actual start, planned end not yet passed.
    NotStarted => "project.schedule.not_started";
    /// Started, not finished, planned end not yet passed.
    OnTime => "project.schedule.on_time";
    /// Past the planned end and not finished (started or not).
    Late => "project.schedule.late";
    FinishedOnTime => "project.schedule.finished_on_time";
    FinishedLate => "project.schedule.finished_late";
});

/// Finishing on the planned end day is on time; "late" starts the day after it.
pub fn schedule_state(s: &Schedule, today: NaiveDate) -> ScheduleState {
    match (s.actual_start, s.actual_end) {
        (_, Some(end)) if end <= s.planned_end => ScheduleState::FinishedOnTime,
        (_, Some(_)) => ScheduleState::FinishedLate,
        _ if today > s.planned_end => ScheduleState::Late,
        (None, None) => ScheduleState::NotStarted,
        (Some(_), None) => ScheduleState::OnTime,
    }
}

keyed!(ScheduleProblem {
    PlannedEndBeforeStart => "project.err.planned_end_before_start";
    ActualEndBeforeStart => "project.err.actual_end_before_start";
    EndWithoutStart => "project.err.end_without_start";
});

/// Ends may equal starts (a one-day job); an actual end needs an actual start.
pub fn check_schedule(s: &Schedule) -> Result<(), Vec<ScheduleProblem>> {
    let mut problems = Vec::new();
    if s.planned_end < s.planned_start {
        problems.push(ScheduleProblem::PlannedEndBeforeStart);
    }
    match (s.actual_start, s.actual_end) {
        (Some(a), Some(b)) if b < a => problems.push(ScheduleProblem::ActualEndBeforeStart),
        (None, Some(_)) => problems.push(ScheduleProblem::EndWithoutStart),
        _ => {}
    }
    none_or(problems)
}

fn none_or<P>(problems: Vec<P>) -> Result<(), Vec<P>> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

// ---------------------------------------------------------------- bodies and the power list

keyed!(stored
    /// A deciding body. Not `Ord`: compare with [`Body::rank`] (Residents = Households).
    Body {
        /// 两委会
        Committee => "power.body.committee" as "committee";
        /// 村民代表会议
        Representatives => "power.body.representatives" as "representatives";
        /// 村民会议
        Residents => "power.body.residents" as "residents";
        /// 户代表会议
        Households => "power.body.households" as "households";
    }
);

impl Body {
    /// Committee 0 < Representatives 1 < Residents 2 = Households 2.
    pub fn rank(&self) -> u8 {
        match self {
            Self::Committee => 0,
            Self::Representatives => 1,
            Self::Residents | Self::Households => 2,
        }
    }
}

keyed!(stored SpendKind {
    Disbursement => "power.kind.disbursement" as "disbursement";
    WorkOrderBudget => "power.kind.work_order_budget" as "work_order_budget";
    Contract => "power.kind.contract" as "contract";
});

keyed!(stored
    /// How an amount meets a threshold, as the list says it in words (Civil Code art. 1259):
    /// 以上 includes the threshold ("5万元以上": 50,000 needs a decision), 超过 does not.
    Comparison {
        AtLeast => "power.cmp.at_least" as "at_least";
        Above => "power.cmp.above" as "above";
    }
);

impl Comparison {
    /// Whether `amount_fen` reaches the threshold under this comparison.
    pub fn reaches(self, amount_fen: i64, threshold_fen: i64) -> bool {
        match self {
            Self::AtLeast => amount_fen >= threshold_fen,
            Self::Above => amount_fen > threshold_fen,
        }
    }
}

/// Spending of `kind` that reaches `threshold_fen` (by `comparison`) needs a passed decision
/// of `body` or a higher one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Power {
    pub code: String,
    pub name: String,
    pub procedure: String,
    pub kind: SpendKind,
    pub body: Body,
    pub threshold_fen: i64,
    pub comparison: Comparison,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CitedDecision {
    pub id: i64,
    pub body: Body,
    pub passed: bool,
    /// Corrected by a later decision, or a consultation (意见征集): it counts for nothing.
    pub void: bool,
    /// Linked to what is paid for (the project, or the item of the work order), or naming
    /// the project's code.
    pub about: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permit {
    /// No power in the list covers this amount.
    Free,
    Decision {
        decision_id: i64,
        power_code: String,
    },
}

/// Why spending is refused. Each names the rule (power) that applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NoDecision {
        power_code: String,
        power_name: String,
        threshold_fen: i64,
        body: Body,
    },
    NotPassed {
        decision_id: i64,
        power_code: String,
        power_name: String,
        threshold_fen: i64,
        body: Body,
    },
    BodyTooLow {
        decision_id: i64,
        required: Body,
        cited: Body,
        power_code: String,
        power_name: String,
        threshold_fen: i64,
    },
    /// Corrected by a later decision, or a consultation: not a decision to spend on.
    Void {
        decision_id: i64,
        power_code: String,
        power_name: String,
        threshold_fen: i64,
        body: Body,
    },
    /// A decision about something else (not linked to this project or item).
    Unrelated {
        decision_id: i64,
        power_code: String,
        power_name: String,
        threshold_fen: i64,
        body: Body,
    },
    /// Alone the payment is within the committee's power, but with the earlier payments of
    /// the project that no decision covers it reaches the threshold (a split payment).
    AddsUp {
        /// (payment id, fen) of the earlier payments it adds up with, oldest first.
        earlier: Vec<(i64, i64)>,
        total_fen: i64,
        power_code: String,
        power_name: String,
        threshold_fen: i64,
        body: Body,
    },
}

impl Refusal {
    pub const KEYS: [&'static str; 6] = [
        "power.err.no_decision",
        "power.err.not_passed",
        "power.err.body_too_low",
        "power.err.void",
        "power.err.unrelated",
        "power.err.adds_up",
    ];
    /// The code of the power that refused.
    pub fn power_code(&self) -> &str {
        match self {
            Self::NoDecision { power_code, .. }
            | Self::NotPassed { power_code, .. }
            | Self::BodyTooLow { power_code, .. }
            | Self::Void { power_code, .. }
            | Self::Unrelated { power_code, .. }
            | Self::AddsUp { power_code, .. } => power_code,
        }
    }
    pub fn key(&self) -> &'static str {
        match self {
            Self::NoDecision { .. } => Self::KEYS[0],
            Self::NotPassed { .. } => Self::KEYS[1],
            Self::BodyTooLow { .. } => Self::KEYS[2],
            Self::Void { .. } => Self::KEYS[3],
            Self::Unrelated { .. } => Self::KEYS[4],
            Self::AddsUp { .. } => Self::KEYS[5],
        }
    }
    /// In this order: `{code}`, `{name}`, `{amount}` ("5,000.00", yuan), `{body}` (a key: the
    /// required body); NotPassed, BodyTooLow, Void and Unrelated add `{decision}` (its id);
    /// BodyTooLow then adds `{cited}` (a key); AddsUp adds `{earlier}` ("¥3,200.00 (#3) +
    /// ¥1,000.00 (#5)") and `{total}` (yuan).
    pub fn args(&self) -> Vec<(&'static str, Arg)> {
        use Refusal::*;
        let mut sum = Vec::new();
        let (code, name, fen, body, decision, cited) = match self {
            NoDecision {
                power_code: c,
                power_name: n,
                threshold_fen: t,
                body,
            } => (c, n, *t, *body, None, None),
            NotPassed {
                decision_id: d,
                power_code: c,
                power_name: n,
                threshold_fen: t,
                body,
            } => (c, n, *t, *body, Some(*d), None),
            BodyTooLow {
                decision_id: d,
                required,
                cited,
                power_code: c,
                power_name: n,
                threshold_fen: t,
            } => (c, n, *t, *required, Some(*d), Some(*cited)),
            Void {
                decision_id: d,
                power_code: c,
                power_name: n,
                threshold_fen: t,
                body,
            }
            | Unrelated {
                decision_id: d,
                power_code: c,
                power_name: n,
                threshold_fen: t,
                body,
            } => (c, n, *t, *body, Some(*d), None),
            AddsUp {
                earlier,
                total_fen,
                power_code: c,
                power_name: n,
                threshold_fen: t,
                body,
            } => {
                let each: Vec<String> = earlier
                    .iter()
                    .map(|(id, f)| format!("¥{} (#{id})", crate::money::format_amount(*f)))
                    .collect();
                sum.push(text("earlier", each.join(" + ")));
                sum.push(text("total", crate::money::format_amount(*total_fen)));
                (c, n, *t, *body, None, None)
            }
        };
        let mut a = vec![
            text("code", code),
            text("name", name),
            text("amount", crate::money::format_amount(fen)),
            ("body", Arg::Key(body.key())),
        ];
        a.extend(decision.map(|d| text("decision", d)));
        a.extend(cited.map(|c| ("cited", Arg::Key(c.key()))));
        a.extend(sum);
        a
    }
}

/// The power that decides: among those of `kind` whose threshold `amount_fen` reaches (by
/// each one's comparison), the highest-ranked body; ties go to the higher threshold, then the
/// earlier entry.
pub fn governing_power(amount_fen: i64, kind: SpendKind, powers: &[Power]) -> Option<&Power> {
    let applies = |p: &&Power| p.kind == kind && p.comparison.reaches(amount_fen, p.threshold_fen);
    // max_by_key keeps the last of equals, so reverse to keep the earliest entry.
    let weight = |p: &&Power| (p.body.rank(), p.threshold_fen);
    powers.iter().filter(applies).rev().max_by_key(weight)
}

/// Whether spending `amount_fen` of `kind` may go ahead under the power list.
pub fn check_spend(
    amount_fen: i64,
    kind: SpendKind,
    powers: &[Power],
    cited: Option<&CitedDecision>,
) -> Result<Permit, Refusal> {
    let Some(p) = governing_power(amount_fen, kind, powers) else {
        return Ok(Permit::Free);
    };
    let (power_code, power_name, threshold_fen) = (p.code.clone(), p.name.clone(), p.threshold_fen);
    let body = p.body;
    match cited {
        None => Err(Refusal::NoDecision {
            power_code,
            power_name,
            threshold_fen,
            body,
        }),
        Some(d) if !d.passed => {
            let decision_id = d.id;
            Err(Refusal::NotPassed {
                decision_id,
                power_code,
                power_name,
                threshold_fen,
                body,
            })
        }
        Some(d) if d.void => Err(Refusal::Void {
            decision_id: d.id,
            power_code,
            power_name,
            threshold_fen,
            body,
        }),
        Some(d) if d.body.rank() < body.rank() => Err(Refusal::BodyTooLow {
            decision_id: d.id,
            required: body,
            cited: d.body,
            power_code,
            power_name,
            threshold_fen,
        }),
        Some(d) if !d.about => Err(Refusal::Unrelated {
            decision_id: d.id,
            power_code,
            power_name,
            threshold_fen,
            body,
        }),
        Some(d) => Ok(Permit::Decision {
            decision_id: d.id,
            power_code,
        }),
    }
}

/// A payment with the earlier payments of its project that no decision covers (`earlier`:
/// payment id and fen, oldest first): the running total answers to the list, so a contract
/// paid in instalments each under the threshold still needs its decision. When the payment
/// alone would pass without one, the refusal names the payments it adds up with.
pub fn check_payment(
    amount_fen: i64,
    earlier: &[(i64, i64)],
    kind: SpendKind,
    powers: &[Power],
    cited: Option<&CitedDecision>,
) -> Result<Permit, Refusal> {
    let total = earlier
        .iter()
        .fold(amount_fen, |t, (_, f)| t.saturating_add((*f).max(0)));
    let refusal = match check_spend(total, kind, powers, cited) {
        Err(r) => r,
        ok => return ok,
    };
    let alone = governing_power(amount_fen, kind, powers).map(|p| p.code.as_str());
    match refusal {
        Refusal::NoDecision {
            power_code,
            power_name,
            threshold_fen,
            body,
        } if total != amount_fen && alone != Some(power_code.as_str()) => Err(Refusal::AddsUp {
            earlier: earlier.to_vec(),
            total_fen: total,
            power_code,
            power_name,
            threshold_fen,
            body,
        }),
        r => Err(r),
    }
}

pub const OVERRIDE_MIN_CHARS: usize = 10;
pub const OVERRIDE_MAX_CHARS: usize = 1000;

keyed!(OverrideProblem {
    Empty => "power.err.override_empty";
    TooShort => "power.err.override_short", n = OVERRIDE_MIN_CHARS;
    TooLong => "power.err.override_long", n = OVERRIDE_MAX_CHARS;
});

/// The written reason for an emergency override, trimmed: 10–1000 characters (not bytes).
pub fn check_override(reason: &str) -> Result<String, OverrideProblem> {
    let r = reason.trim();
    match r.chars().count() {
        0 => Err(OverrideProblem::Empty),
        n if n < OVERRIDE_MIN_CHARS => Err(OverrideProblem::TooShort),
        n if n > OVERRIDE_MAX_CHARS => Err(OverrideProblem::TooLong),
        _ => Ok(r.to_string()),
    }
}

keyed!(PowerProblem {
    CodeEmpty => "power.err.code_empty";
    NameEmpty => "power.err.name_empty";
    ThresholdNegative => "power.err.threshold_negative";
});

/// A decision cited to adopt or change the power list, as the rule sees it: `None` when no
/// decision of this community has that id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Adopting {
    pub body: Body,
    pub passed: bool,
    /// A later decision corrected it: it no longer counts for anything.
    pub corrected: bool,
}

keyed!(AdoptionProblem {
    /// No decision was cited.
    NoDecision => "power.err.adopt_none";
    /// The id names no decision of this community.
    Unknown => "power.err.adopt_unknown";
    NotPassed => "power.err.adopt_not_passed";
    Corrected => "power.err.adopt_corrected";
    /// Only the villagers adopt the list that binds their committee.
    Body => "power.err.adopt_body";
});

/// The power list binds the committee, so only the villagers change it: a change must cite a
/// passed, uncorrected decision of the villagers' meeting (村民会议, also held by household
/// representatives, 户代表) or the representatives' meeting (村民代表会议).
pub fn check_adoption(cited: Option<Option<&Adopting>>) -> Result<(), AdoptionProblem> {
    let d = match cited {
        None => return Err(AdoptionProblem::NoDecision),
        Some(None) => return Err(AdoptionProblem::Unknown),
        Some(Some(d)) => d,
    };
    if !d.passed {
        Err(AdoptionProblem::NotPassed)
    } else if d.corrected {
        Err(AdoptionProblem::Corrected)
    } else if d.body == Body::Committee {
        Err(AdoptionProblem::Body)
    } else {
        Ok(())
    }
}

/// Code and name must be non-empty after trimming; the threshold must be ≥ 0.
pub fn check_power(p: &Power) -> Result<(), Vec<PowerProblem>> {
    let checks = [
        (p.code.trim().is_empty(), PowerProblem::CodeEmpty),
        (p.name.trim().is_empty(), PowerProblem::NameEmpty),
        (p.threshold_fen < 0, PowerProblem::ThresholdNegative),
    ];
    none_or(checks.into_iter().filter(|c| c.0).map(|c| c.1).collect())
}

// ---------------------------------------------------------------- inquiries

pub const DEFAULT_ANSWER_DAYS: i64 = 7;
pub const INQUIRY_TEXT_MAX: usize = 2000;

/// `asked_at` plus `days` (negative counts as 0); saturates at the largest date-time.
pub fn answer_due(asked_at: NaiveDateTime, days: i64) -> NaiveDateTime {
    TimeDelta::try_days(days.max(0))
        .and_then(|d| asked_at.checked_add_signed(d))
        .unwrap_or(NaiveDateTime::MAX)
}

keyed!(InquiryState {
    Open => "inquiry.state.open";
    Overdue => "inquiry.state.overdue";
    Answered => "inquiry.state.answered";
    AnsweredLate => "inquiry.state.answered_late";
});

/// Answering exactly at `due` is on time; still open exactly at `due` is not yet overdue.
pub fn inquiry_state(
    now: NaiveDateTime,
    due: NaiveDateTime,
    answered_at: Option<NaiveDateTime>,
) -> InquiryState {
    match answered_at {
        Some(a) if a <= due => InquiryState::Answered,
        Some(_) => InquiryState::AnsweredLate,
        None if now > due => InquiryState::Overdue,
        None => InquiryState::Open,
    }
}

keyed!(InquiryTextProblem {
    QuestionEmpty => "inquiry.err.question_empty";
    QuestionTooLong => "inquiry.err.question_too_long", n = INQUIRY_TEXT_MAX;
    AnswerEmpty => "inquiry.err.answer_empty";
    AnswerTooLong => "inquiry.err.answer_too_long", n = INQUIRY_TEXT_MAX;
});

fn check_text(s: &str, empty: InquiryTextProblem) -> Result<String, InquiryTextProblem> {
    let t = s.trim();
    if t.is_empty() {
        Err(empty)
    } else if t.chars().count() > INQUIRY_TEXT_MAX {
        Err(match empty {
            InquiryTextProblem::QuestionEmpty => InquiryTextProblem::QuestionTooLong,
            _ => InquiryTextProblem::AnswerTooLong,
        })
    } else {
        Ok(t.to_string())
    }
}

/// The question, trimmed: 1–2000 characters.
pub fn check_question(s: &str) -> Result<String, InquiryTextProblem> {
    check_text(s, InquiryTextProblem::QuestionEmpty)
}

/// The answer, trimmed: 1–2000 characters.
pub fn check_answer(s: &str) -> Result<String, InquiryTextProblem> {
    check_text(s, InquiryTextProblem::AnswerEmpty)
}

/// Every locale key this module can return (qr.rs has its own), for a locale-file test.
pub fn locale_keys() -> Vec<&'static str> {
    let mut k: Vec<&'static str> = Refusal::KEYS.to_vec();
    k.extend(CodeProblem::ALL.iter().map(|x| x.key()));
    k.extend(ScheduleState::ALL.iter().map(|x| x.key()));
    k.extend(ScheduleProblem::ALL.iter().map(|x| x.key()));
    k.extend(Body::ALL.iter().map(|x| x.key()));
    k.extend(SpendKind::ALL.iter().map(|x| x.key()));
    k.extend(OverrideProblem::ALL.iter().map(|x| x.key()));
    k.extend(PowerProblem::ALL.iter().map(|x| x.key()));
    k.extend(Comparison::ALL.iter().map(|x| x.key()));
    k.extend(AdoptionProblem::ALL.iter().map(|x| x.key()));
    k.extend(InquiryState::ALL.iter().map(|x| x.key()));
    k.extend(InquiryTextProblem::ALL.iter().map(|x| x.key()));
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use Body::*;
    use SpendKind::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }
    fn dt(day: u32, h: u32) -> NaiveDateTime {
        d(3, day).and_hms_opt(h, 0, 0).unwrap()
    }
    fn power(code: &str, kind: SpendKind, body: Body, threshold_fen: i64) -> Power {
        let (code, name, procedure) = (code.into(), format!("事项{code}"), String::new());
        Power {
            code,
            name,
            procedure,
            kind,
            body,
            threshold_fen,
            comparison: Comparison::Above,
        }
    }
    fn decision(body: Body, passed: bool) -> Option<CitedDecision> {
        Some(CitedDecision {
            id: 42,
            body,
            passed,
            void: false,
            about: true,
        })
    }

    /// The demo's list: 工程建设 needs the representatives from 5,000 yuan (以上).
    fn works() -> Vec<Power> {
        vec![Power {
            comparison: Comparison::AtLeast,
            ..power("3", Disbursement, Representatives, 500_000)
        }]
    }

    #[test]
    fn split_payments_add_up_to_the_threshold_of_the_power_list_article_24() {
        // 40,000 yuan paid as 3,200 + 1,000 + 800: exactly 5,000 reaches "5,000 以上".
        let earlier = [(3, 320_000), (5, 100_000)];
        let r = check_payment(80_000, &earlier, Disbursement, &works(), None);
        let Err(Refusal::AddsUp {
            earlier: e,
            total_fen,
            ..
        }) = r
        else {
            panic!("{r:?}")
        };
        assert_eq!((e, total_fen), (earlier.to_vec(), 500_000));
        // One fen less and it is within the committee's power.
        let under = check_payment(79_999, &earlier, Disbursement, &works(), None);
        assert_eq!(under, Ok(Permit::Free));
        // A payment that alone reaches the threshold is refused for itself.
        let alone = check_payment(500_000, &earlier, Disbursement, &works(), None);
        assert_eq!(alone.map_err(|r| r.key()), Err("power.err.no_decision"));
        // A decision of the right body covers the running total.
        let covered = decision(Representatives, true);
        let ok = check_payment(80_000, &earlier, Disbursement, &works(), covered.as_ref());
        assert!(matches!(ok, Ok(Permit::Decision { .. })));
        let args = Refusal::AddsUp {
            earlier: earlier.to_vec(),
            total_fen: 500_000,
            power_code: "3".into(),
            power_name: "工程建设".into(),
            threshold_fen: 500_000,
            body: Representatives,
        }
        .args();
        assert!(args.contains(&text("earlier", "¥3,200.00 (#3) + ¥1,000.00 (#5)")));
        assert!(args.contains(&text("total", "5,000.00")));
    }

    #[test]
    fn a_cited_decision_must_be_about_this_and_still_count() {
        let about = |about, void| {
            Some(CitedDecision {
                about,
                void,
                ..decision(Residents, true).unwrap()
            })
        };
        let key = |c: Option<CitedDecision>| {
            check_spend(600_000, Disbursement, &works(), c.as_ref()).map_err(|r| r.key())
        };
        assert_eq!(key(about(false, false)), Err("power.err.unrelated"));
        assert_eq!(key(about(true, true)), Err("power.err.void"));
        assert!(key(about(true, false)).is_ok());
        // Under the threshold nothing is asked of a decision.
        let small = about(false, true);
        assert_eq!(
            check_spend(1_000, Disbursement, &works(), small.as_ref()),
            Ok(Permit::Free)
        );
    }

    proptest! {
        /// However a sum is split, the running total meets the same threshold as one payment.
        #[test]
        fn splitting_never_escapes_the_list(parts in proptest::collection::vec(1i64..300_000, 1..6)) {
            let total: i64 = parts.iter().sum();
            let (last, before) = parts.split_last().unwrap();
            let earlier: Vec<(i64, i64)> = before.iter().enumerate().map(|(i, f)| (i as i64, *f)).collect();
            let split = check_payment(*last, &earlier, Disbursement, &works(), None).is_ok();
            let whole = check_spend(total, Disbursement, &works(), None).is_ok();
            prop_assert_eq!(split, whole);
        }
    }
    fn n(v: usize) -> Vec<(&'static str, Arg)> {
        vec![("n", Arg::Text(v.to_string()))]
    }

    #[test]
    fn codes() {
        assert_eq!(format_code("HQ", 2026, 3), "HQ-2026-003");
        assert_eq!(format_code("hq", 2026, 1234), "HQ-2026-1234");
        assert_eq!(parse_code(" hq-2026-003 "), Some(("HQ".into(), 2026, 3)));
        assert_eq!(parse_code("Hq－2026－7"), Some(("HQ".into(), 2026, 7)));
        let bad =
            "|HQ-2026|HQ-26-003|HQ-2026-|HQ1-2026-003|HQ-2026-003-1|HQ-2026-+3|ABCDEFG-2026-001";
        for b in bad.split('|').chain(["HQ-2026-99999999999"]) {
            assert_eq!(parse_code(b), None, "{b}");
        }
        assert_eq!(check_code("x"), Err(CodeProblem::CodeBad));
        assert_eq!(check_prefix(" dl "), Ok("DL".into()));
        assert_eq!(check_prefix("  "), Err(CodeProblem::PrefixEmpty));
        assert_eq!(check_prefix("ABCDEFG"), Err(CodeProblem::PrefixTooLong));
        assert_eq!(check_prefix("道路"), Err(CodeProblem::PrefixNotLetters));
        assert_eq!(check_prefix("A-B"), Err(CodeProblem::PrefixNotLetters));
        assert_eq!(CodeProblem::PrefixTooLong.args(), n(6));
    }

    #[test]
    fn money() {
        assert_eq!((spent_percent(0, 0), spent_percent(5, -1)), (None, None));
        let cases = "0/100 1/200 1/201 2/3 1/3 150/100 -50/100".split(' ');
        let got: Vec<Option<u32>> = cases
            .map(|c| c.split_once('/').unwrap())
            .map(|(s, b)| spent_percent(s.parse().unwrap(), b.parse().unwrap()))
            .collect();
        assert_eq!(got, [0, 1, 0, 67, 33, 150, 0].map(Some));
        assert_eq!(spent_percent(i64::MAX, 1), Some(u32::MAX));
        assert!(over_budget(101, 100) && !over_budget(100, 100) && !over_budget(5, 0));
    }

    #[test]
    fn schedules() {
        let mut s = Schedule {
            planned_start: d(3, 1),
            planned_end: d(3, 31),
            actual_start: None,
            actual_end: None,
        };
        let state = |s: &Schedule, m, day| schedule_state(s, d(m, day));
        assert_eq!(state(&s, 2, 1), ScheduleState::NotStarted);
        assert_eq!(state(&s, 3, 31), ScheduleState::NotStarted);
        assert_eq!(state(&s, 4, 1), ScheduleState::Late);
        s.actual_start = Some(d(3, 5));
        assert_eq!(state(&s, 3, 31), ScheduleState::OnTime);
        assert_eq!(state(&s, 4, 1), ScheduleState::Late);
        s.actual_end = Some(d(3, 31));
        assert_eq!(state(&s, 12, 1), ScheduleState::FinishedOnTime);
        s.actual_end = Some(d(4, 2));
        assert_eq!(state(&s, 4, 2), ScheduleState::FinishedLate);
        assert_eq!(check_schedule(&s), Ok(()));
        (s.planned_end, s.actual_end) = (d(2, 1), Some(d(3, 4)));
        use ScheduleProblem::*;
        assert_eq!(
            check_schedule(&s),
            Err(vec![PlannedEndBeforeStart, ActualEndBeforeStart])
        );
        (s.planned_end, s.actual_start) = (s.planned_start, None);
        assert_eq!(check_schedule(&s), Err(vec![EndWithoutStart]));
        assert_eq!(ScheduleState::Late.key(), "project.schedule.late");
    }

    #[test]
    fn bodies_and_kinds() {
        for b in Body::ALL {
            assert_eq!(Body::parse(b.as_str()), Some(*b));
        }
        for k in SpendKind::ALL {
            assert_eq!(SpendKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(Body::parse("Committee"), None);
        assert_eq!(WorkOrderBudget.as_str(), "work_order_budget");
        assert_eq!(SpendKind::parse(" contract "), Some(Contract));
        assert!(Committee.rank() < Representatives.rank());
        assert!(Representatives.rank() < Residents.rank());
        assert_eq!(Residents.rank(), Households.rank());
    }

    #[test]
    fn spending() {
        let list = [
            power("1", Disbursement, Committee, 100_000),
            power("3", Disbursement, Representatives, 500_000),
            power("5", Disbursement, Residents, 5_000_000),
            power("9", Contract, Households, 0),
        ];
        let spend =
            |fen, kind, cited: Option<CitedDecision>| check_spend(fen, kind, &list, cited.as_ref());
        assert_eq!(spend(100_000, Disbursement, None), Ok(Permit::Free));
        assert_eq!(spend(50_000, WorkOrderBudget, None), Ok(Permit::Free));
        let no = spend(500_001, Disbursement, None).unwrap_err();
        let want = Refusal::NoDecision {
            power_code: "3".into(),
            power_name: "事项3".into(),
            threshold_fen: 500_000,
            body: Representatives,
        };
        assert_eq!(no, want);
        assert_eq!(no.key(), "power.err.no_decision");
        let text = |s: &str| Arg::Text(s.into());
        let (code, name, amount) = (text("3"), text("事项3"), text("5,000.00"));
        let body = Arg::Key("power.body.representatives");
        let args = [
            ("code", code),
            ("name", name),
            ("amount", amount),
            ("body", body),
        ];
        assert_eq!(no.args(), args);
        let permit = Permit::Decision {
            decision_id: 42,
            power_code: "3".into(),
        };
        assert_eq!(
            spend(500_001, Disbursement, decision(Representatives, true)),
            Ok(permit)
        );
        let r = spend(500_001, Disbursement, decision(Residents, false)).unwrap_err();
        assert_eq!(
            (r.key(), &r.args()[4]),
            ("power.err.not_passed", &("decision", text("42")))
        );
        let low = spend(5_000_001, Disbursement, decision(Representatives, true)).unwrap_err();
        assert_eq!(low.key(), "power.err.body_too_low");
        let (body, cited) = (&low.args()[3].1, &low.args()[5].1);
        assert_eq!(body, &Arg::Key("power.body.residents"));
        assert_eq!(cited, &Arg::Key("power.body.representatives"));
        // Households and Residents rank the same; "above 0" catches any positive amount.
        assert!(spend(5_000_001, Disbursement, decision(Households, true)).is_ok());
        assert!(spend(1, Contract, decision(Residents, true)).is_ok());
        assert_eq!(spend(0, Contract, None), Ok(Permit::Free));
        // Same rank: the higher threshold names the rule.
        let tie = [
            power("a", Contract, Residents, 10),
            power("b", Contract, Households, 20),
        ];
        assert_eq!(
            governing_power(30, Contract, &tie).map(|p| p.code.as_str()),
            Some("b")
        );
    }

    #[test]
    fn thresholds_at_least_include_the_amount_above_does_not() {
        let mut p = power("4", Disbursement, Residents, 5_000_000);
        p.comparison = Comparison::AtLeast;
        let list = [p.clone()];
        // 5万元以上: exactly 50,000 needs the decision, a fen less does not.
        assert!(check_spend(5_000_000, Disbursement, &list, None).is_err());
        assert_eq!(
            check_spend(4_999_999, Disbursement, &list, None),
            Ok(Permit::Free)
        );
        // 超过5万元: exactly 50,000 is free, a fen more needs the decision.
        p.comparison = Comparison::Above;
        let list = [p];
        assert_eq!(
            check_spend(5_000_000, Disbursement, &list, None),
            Ok(Permit::Free)
        );
        assert!(check_spend(5_000_001, Disbursement, &list, None).is_err());
        assert!(Comparison::AtLeast.reaches(0, 0) && !Comparison::Above.reaches(0, 0));
        assert_eq!(Comparison::parse("at_least"), Some(Comparison::AtLeast));
    }

    #[test]
    fn only_the_villagers_change_the_power_list() {
        let d = |body, passed, corrected| Adopting {
            body,
            passed,
            corrected,
        };
        use AdoptionProblem as P;
        assert_eq!(check_adoption(None), Err(P::NoDecision));
        assert_eq!(check_adoption(Some(None)), Err(P::Unknown));
        for body in [Residents, Households, Representatives] {
            assert_eq!(check_adoption(Some(Some(&d(body, true, false)))), Ok(()));
        }
        let committee = d(Committee, true, false);
        assert_eq!(check_adoption(Some(Some(&committee))), Err(P::Body));
        let failed = d(Residents, false, false);
        assert_eq!(check_adoption(Some(Some(&failed))), Err(P::NotPassed));
        let corrected = d(Representatives, true, true);
        assert_eq!(check_adoption(Some(Some(&corrected))), Err(P::Corrected));
    }

    #[test]
    fn overrides_and_powers() {
        assert_eq!(check_override("   "), Err(OverrideProblem::Empty));
        assert_eq!(
            check_override("暴雨冲毁桥梁急修"),
            Err(OverrideProblem::TooShort)
        );
        let ok = check_override(" 暴雨冲毁村口桥梁，需连夜抢修 ");
        assert_eq!(ok, Ok("暴雨冲毁村口桥梁，需连夜抢修".into()));
        assert_eq!(
            check_override(&"修".repeat(1000)).map(|s| s.chars().count()),
            Ok(1000)
        );
        assert_eq!(
            check_override(&"修".repeat(1001)),
            Err(OverrideProblem::TooLong)
        );
        assert_eq!(OverrideProblem::TooShort.args(), n(10));
        let mut p = power("3", Contract, Committee, 0);
        assert_eq!(check_power(&p), Ok(()));
        (p.code, p.name, p.threshold_fen) = (" ".into(), String::new(), -1);
        assert_eq!(check_power(&p), Err(PowerProblem::ALL.to_vec()));
    }

    #[test]
    fn inquiries() {
        assert_eq!(answer_due(dt(1, 9), DEFAULT_ANSWER_DAYS), dt(8, 9));
        assert_eq!(answer_due(dt(1, 9), -3), dt(1, 9));
        assert_eq!(answer_due(dt(1, 9), i64::MAX), NaiveDateTime::MAX);
        let due = dt(8, 9);
        assert_eq!(inquiry_state(dt(8, 9), due, None), InquiryState::Open);
        assert_eq!(inquiry_state(dt(8, 10), due, None), InquiryState::Overdue);
        assert_eq!(
            inquiry_state(dt(20, 0), due, Some(dt(8, 9))),
            InquiryState::Answered
        );
        assert_eq!(
            inquiry_state(dt(2, 0), due, Some(dt(9, 0))),
            InquiryState::AnsweredLate
        );
        use InquiryTextProblem::*;
        assert_eq!(check_question(" 路灯何时修？ "), Ok("路灯何时修？".into()));
        assert_eq!(check_question("\n"), Err(QuestionEmpty));
        assert_eq!(check_question(&"问".repeat(2001)), Err(QuestionTooLong));
        assert!(check_answer(&"答".repeat(2000)).is_ok());
        assert_eq!(check_answer(""), Err(AnswerEmpty));
        assert_eq!(check_answer(&"a".repeat(2001)), Err(AnswerTooLong));
        assert_eq!(
            (AnswerTooLong.args(), AnswerEmpty.args()),
            (n(2000), vec![])
        );
    }

    #[test]
    fn keys_are_unique_and_well_formed() {
        let keys = locale_keys();
        let unique: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!((unique.len(), keys.len()), (46, 46));
        for k in keys {
            let parts: Vec<&str> = k.split('.').collect();
            assert!(["project", "power", "inquiry"].contains(&parts[0]) && parts.len() == 3);
            assert!(
                k.bytes()
                    .all(|b| b.is_ascii_lowercase() || b"._".contains(&b)),
                "{k}"
            );
        }
    }

    fn arb_powers() -> impl Strategy<Value = Vec<Power>> {
        let one = (
            0..3usize,
            0..4usize,
            0..2_000_000i64,
            "[0-9]{1,2}",
            0..2usize,
        )
            .prop_map(|(k, b, t, code, c)| Power {
                comparison: Comparison::ALL[c],
                ..power(&code, SpendKind::ALL[k], Body::ALL[b], t)
            });
        proptest::collection::vec(one, 0..6)
    }

    proptest! {
        #[test]
        fn code_round_trip(p in "[a-zA-Z]{1,6}", y in 1000..=9999i32, s: u32, pad in " {0,2}") {
            let typed = format!("{pad}{}{pad}", format_code(&p, y, s).to_lowercase());
            prop_assert_eq!(parse_code(&typed), Some((p.to_ascii_uppercase(), y, s)));
        }

        #[test]
        fn percent_is_nearest(spent in 0..i64::MAX / 200, budget in 1..i64::MAX / 200) {
            let p = i128::from(spent_percent(spent, budget).unwrap());
            let (s, b) = (i128::from(spent), i128::from(budget));
            // |p - 100 s / b| <= 1/2, ties upward.
            prop_assert!(2 * (p * b - 100 * s) <= b && 2 * (100 * s - p * b) < b);
            prop_assert!(spent_percent(spent + 1, budget) >= spent_percent(spent, budget));
        }

        #[test]
        fn more_money_never_frees(powers in arb_powers(), k in 0..3usize, a in -10i64..3_000_000,
                                  extra in 0i64..3_000_000, body in 0..4usize, passed: bool,
                                  cite: bool) {
            let kind = SpendKind::ALL[k];
            let cited = decision(Body::ALL[body], passed).filter(|_| cite);
            let low = check_spend(a, kind, &powers, cited.as_ref());
            let high = check_spend(a + extra, kind, &powers, cited.as_ref());
            if low != Ok(Permit::Free) {
                prop_assert_ne!(high.clone(), Ok(Permit::Free));
            }
            if low.is_err() && cited.is_none() {
                prop_assert!(high.is_err());
            }
            let rank = |x: i64| governing_power(x, kind, &powers).map(|p| p.body.rank());
            prop_assert!(rank(a + extra) >= rank(a));
        }

        #[test]
        fn highest_body_always_permits(powers in arb_powers(), k in 0..3usize, a: i64, h: bool) {
            let cited = decision(if h { Households } else { Residents }, true);
            prop_assert!(check_spend(a, SpendKind::ALL[k], &powers, cited.as_ref()).is_ok());
        }

        #[test]
        fn override_counts_chars(n in 0usize..1100, pick in 0..3usize) {
            let c = ['急', 'a', '😀'][pick];
            let ok = check_override(&c.to_string().repeat(n)).is_ok();
            prop_assert_eq!(ok, (OVERRIDE_MIN_CHARS..=OVERRIDE_MAX_CHARS).contains(&n));
        }

        #[test]
        fn inquiry_state_is_consistent(a in 0u32..48, b in 0u32..48, ans: Option<u32>) {
            let at = |h: u32| dt(1 + h % 48 / 24, h % 24);
            let due = answer_due(at(a), 1);
            let state = inquiry_state(at(b), due, ans.map(at));
            match ans {
                None => prop_assert_eq!(state == InquiryState::Overdue, at(b) > due),
                Some(h) => prop_assert_eq!(state == InquiryState::Answered, at(h) <= due),
            }
        }
    }
}
