//! The responsible person and planned completion date of an adopted item (列明具体负责人和
//! 计划完成时间): when an item takes them, what a valid setting is, and when it is overdue.
//! Pure functions; the dates are Beijing dates (`crate::clock::local_day`).

use chrono::NaiveDate;

use super::rules::Stage;
use crate::clock::DateProblem;

/// The longest responsible person's name or office, in characters.
pub const RESPONSIBLE_MAX: usize = 40;
/// The longest reason for changing a plan, in characters.
pub const REASON_MAX: usize = 500;

/// An item takes a responsible person and a planned date once adopted, until it is closed
/// (completed, rejected, declined, withdrawn, no quorum).
pub fn takes_plan(stage: Stage) -> bool {
    stage != Stage::Proposed && !stage.is_closed()
}

/// Days past its planned completion date (已超期 N 天) of an item not yet completed, on
/// Beijing day `today`: `None` while it is due today or later, or once it is closed. Due
/// today is not overdue; the day after is one day overdue.
pub fn overdue_days(stage: Stage, due_on: NaiveDate, today: NaiveDate) -> Option<i64> {
    if !takes_plan(stage) || today <= due_on {
        return None;
    }
    Some((today - due_on).num_days())
}

/// What is wrong with a plan as typed, field by field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanProblem {
    ResponsibleEmpty,
    ResponsibleLong,
    ResponsibleControl,
    Date(DateProblem),
    /// A planned completion date before today.
    Past,
    /// Changing a plan that stands needs a reason, which the timeline shows.
    ReasonEmpty,
    ReasonLong,
    ReasonControl,
}

impl PlanProblem {
    /// The form field the problem belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            PlanProblem::ResponsibleEmpty
            | PlanProblem::ResponsibleLong
            | PlanProblem::ResponsibleControl => "plan_responsible",
            PlanProblem::Date(_) | PlanProblem::Past => "plan_due_on",
            PlanProblem::ReasonEmpty | PlanProblem::ReasonLong | PlanProblem::ReasonControl => {
                "plan_reason"
            }
        }
    }

    pub fn key(&self) -> &'static str {
        match self {
            PlanProblem::ResponsibleEmpty => "item_plan.err_responsible_empty",
            PlanProblem::ResponsibleLong => "item_plan.err_responsible_long",
            PlanProblem::ResponsibleControl | PlanProblem::ReasonControl => "item_plan.err_control",
            PlanProblem::Date(p) => p.key(),
            PlanProblem::Past => "item_plan.err_past",
            PlanProblem::ReasonEmpty => "item_plan.err_reason_empty",
            PlanProblem::ReasonLong => "item_plan.err_reason_long",
        }
    }

    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            PlanProblem::ResponsibleLong => vec![("max", RESPONSIBLE_MAX.to_string())],
            PlanProblem::ReasonLong => vec![("max", REASON_MAX.to_string())],
            PlanProblem::Date(p) => p.args(true),
            _ => vec![],
        }
    }
}

/// A plan as checked: who, by when, and why it changed (empty for the first setting).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedPlan {
    pub responsible: String,
    pub due_on: NaiveDate,
    pub reason: String,
}

fn clean(s: &str) -> (String, bool) {
    let v = s.trim().to_string();
    let control = v.chars().any(|c| c.is_control() && c != '\n' && c != '\r');
    (v, control)
}

/// Checks a plan as typed on Beijing day `today`: a responsible person (1–40 characters),
/// a date from today to [`crate::clock::DATE_YEARS`] years ahead, and — when `replacing`
/// a plan that stands — a reason (1–500 characters). Every problem, at its field.
pub fn check_plan(
    responsible: &str,
    due_on: &str,
    reason: &str,
    replacing: bool,
    today: NaiveDate,
) -> Result<CheckedPlan, Vec<PlanProblem>> {
    let mut problems = Vec::new();
    let (who, who_control) = clean(responsible);
    let who_len = who.chars().count();
    if who_len == 0 {
        problems.push(PlanProblem::ResponsibleEmpty);
    } else if who_len > RESPONSIBLE_MAX {
        problems.push(PlanProblem::ResponsibleLong);
    } else if who_control || who.contains(['\n', '\r']) {
        problems.push(PlanProblem::ResponsibleControl);
    }
    let day = match crate::clock::parse_near_date(due_on, today) {
        Ok(d) if d < today => {
            problems.push(PlanProblem::Past);
            None
        }
        Ok(d) => Some(d),
        Err(p) => {
            problems.push(PlanProblem::Date(p));
            None
        }
    };
    let (why, why_control) = clean(reason);
    let why_len = why.chars().count();
    if why_len > REASON_MAX {
        problems.push(PlanProblem::ReasonLong);
    } else if why_control {
        problems.push(PlanProblem::ReasonControl);
    } else if replacing && why_len == 0 {
        problems.push(PlanProblem::ReasonEmpty);
    }
    match day {
        Some(due_on) if problems.is_empty() => Ok(CheckedPlan {
            responsible: who,
            due_on,
            reason: why,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    // 列明具体负责人和计划完成时间 (issue #14, the practice the seeds describe; not an article
    // of RULES-zh.md): due today is not overdue, the day after is one day overdue.
    #[test]
    fn due_today_is_not_overdue_the_day_after_is() {
        let due = d("2026-12-01");
        assert_eq!(
            overdue_days(Stage::Implementing, due, d("2026-11-30")),
            None
        );
        assert_eq!(overdue_days(Stage::Implementing, due, due), None);
        assert_eq!(
            overdue_days(Stage::Implementing, due, d("2026-12-02")),
            Some(1)
        );
        assert_eq!(overdue_days(Stage::Adopted, due, d("2027-01-01")), Some(31));
    }

    #[test]
    fn a_completed_or_closed_item_is_never_overdue() {
        let due = d("2026-12-01");
        let late = d("2027-06-01");
        for s in [
            Stage::Completed,
            Stage::Rejected,
            Stage::Declined,
            Stage::Withdrawn,
            Stage::NoQuorum,
            Stage::Proposed,
        ] {
            assert_eq!(overdue_days(s, due, late), None, "{s:?}");
        }
        for s in [
            Stage::Adopted,
            Stage::Deliberating,
            Stage::Voting,
            Stage::Passed,
            Stage::Implementing,
        ] {
            assert!(overdue_days(s, due, late).is_some(), "{s:?}");
        }
    }

    #[test]
    fn a_plan_is_due_today_or_later() {
        let today = d("2026-12-03");
        let ok = check_plan(" 王主任 ", "2026-12-03", "", false, today).unwrap();
        assert_eq!(ok.responsible, "王主任");
        assert_eq!(ok.due_on, today);
        assert_eq!(
            check_plan("王主任", "2026-12-02", "", false, today),
            Err(vec![PlanProblem::Past])
        );
        assert!(check_plan("王主任", "2026年12月31日", "", false, today).is_ok());
        let far = check_plan("王主任", "2099-01-01", "", false, today).unwrap_err();
        assert!(matches!(far[0], PlanProblem::Date(DateProblem::Far(_))));
        let bad = check_plan("王主任", "明天", "", false, today).unwrap_err();
        assert!(matches!(bad[0], PlanProblem::Date(DateProblem::Bad(_))));
    }

    #[test]
    fn every_problem_is_named_at_its_field() {
        let today = d("2026-12-03");
        let p = check_plan("", "", "", true, today).unwrap_err();
        let fields: Vec<&str> = p.iter().map(|p| p.field()).collect();
        assert_eq!(fields, ["plan_responsible", "plan_due_on", "plan_reason"]);
        let long = "王".repeat(RESPONSIBLE_MAX + 1);
        assert_eq!(
            check_plan(&long, "2026-12-09", "", false, today),
            Err(vec![PlanProblem::ResponsibleLong])
        );
        assert!(check_plan(
            &"王".repeat(RESPONSIBLE_MAX),
            "2026-12-09",
            "",
            false,
            today
        )
        .is_ok());
    }

    #[test]
    fn changing_a_standing_plan_needs_a_reason() {
        let today = d("2026-12-03");
        assert_eq!(
            check_plan("李会计", "2026-12-20", " ", true, today),
            Err(vec![PlanProblem::ReasonEmpty])
        );
        let ok = check_plan("李会计", "2026-12-20", "施工队推迟进场", true, today).unwrap();
        assert_eq!(ok.reason, "施工队推迟进场");
        assert_eq!(
            check_plan(
                "李会计",
                "2026-12-20",
                &"因".repeat(REASON_MAX + 1),
                true,
                today
            ),
            Err(vec![PlanProblem::ReasonLong])
        );
    }
}
