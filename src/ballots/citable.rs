//! Which decisions count. A decision may be cited — for a payment, a project, a work order,
//! the power list, an appointment or a 四议两公开 resolution — only when it passed, was taken by
//! a binding body (an 意见征集 consultation never is), and no later decision corrects it.
//! Every path that cites a decision asks here, so the rule holds everywhere.

use diesel::prelude::*;

use super::model::Decision;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::schema::decisions;

/// The body string of a non-binding consultation (意见征集).
pub const CONSULTATION: &str = "consultation";

/// Why a decision cannot be cited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotCitable {
    /// No decision of this community has that number.
    Unknown,
    /// It did not pass (rejected, or no quorum).
    NotPassed,
    /// A consultation (意见征集): non-binding by nature.
    Consultation,
    /// A later decision corrects it.
    Corrected,
}

impl NotCitable {
    pub fn message_key(self) -> &'static str {
        match self {
            NotCitable::Unknown => "cite.err_unknown",
            NotCitable::NotPassed => "cite.err_not_passed",
            NotCitable::Consultation => "cite.err_consultation",
            NotCitable::Corrected => "cite.err_corrected",
        }
    }
}

/// The pure rule: may a decision with these facts be cited?
pub fn check(passed: bool, body: &str, corrected: bool) -> Result<(), NotCitable> {
    if body == CONSULTATION {
        Err(NotCitable::Consultation)
    } else if corrected {
        Err(NotCitable::Corrected)
    } else if !passed {
        Err(NotCitable::NotPassed)
    } else {
        Ok(())
    }
}

/// Whether a later decision corrects this one.
pub fn is_corrected(conn: &mut AnyConnection, decision_id: i64) -> QueryResult<bool> {
    let n: i64 = decisions::table
        .filter(decisions::corrects_id.eq(decision_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Decision `id` of the community, if it may be cited.
pub fn citable(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
) -> Result<Result<Decision, NotCitable>, AppError> {
    let Some(d) = super::model::decision(conn, community_id, id)? else {
        return Ok(Err(NotCitable::Unknown));
    };
    let corrected = is_corrected(conn, d.id)?;
    Ok(check(d.passed(), &d.body, corrected).map(|()| d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_passed_binding_uncorrected_decision_counts() {
        assert_eq!(check(true, "residents", false), Ok(()));
        assert_eq!(check(false, "residents", false), Err(NotCitable::NotPassed));
        assert_eq!(check(true, "residents", true), Err(NotCitable::Corrected));
        assert_eq!(
            check(true, CONSULTATION, false),
            Err(NotCitable::Consultation)
        );
    }
}
