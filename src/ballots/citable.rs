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

/// A work order or a payment that cites a decision a later one corrects: it no longer has
/// a decision behind it, and the supervisors are shown it.
pub struct CitedAfterCorrection {
    /// `"order"` or `"payment"`.
    pub kind: &'static str,
    pub id: i64,
    /// The order's title, or the payee.
    pub what: String,
    /// Amount in fen (a payment), or the order's budget in yuan times 100.
    pub amount_fen: Option<i64>,
    pub decision_id: i64,
}

/// The community's orders and payments that cite a corrected decision, in three queries.
pub fn cited_after_correction(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<CitedAfterCorrection>> {
    use crate::schema::{disbursements, work_orders};
    let corrected: Vec<Option<i64>> = decisions::table
        .filter(decisions::community_id.eq(community_id))
        .filter(decisions::corrects_id.is_not_null())
        .select(decisions::corrects_id)
        .load(conn)?;
    let corrected: Vec<i64> = corrected.into_iter().flatten().collect();
    if corrected.is_empty() {
        return Ok(Vec::new());
    }
    let orders: Vec<(i64, String, Option<i64>, Option<i64>)> = work_orders::table
        .filter(work_orders::community_id.eq(community_id))
        .filter(work_orders::decision_id.eq_any(&corrected))
        .order(work_orders::id.asc())
        .select((
            work_orders::id,
            work_orders::title,
            work_orders::budget_yuan,
            work_orders::decision_id,
        ))
        .load(conn)?;
    let payments: Vec<(i64, String, i64, Option<i64>)> = disbursements::table
        .filter(disbursements::community_id.eq(community_id))
        .filter(disbursements::decision_id.eq_any(&corrected))
        .order(disbursements::id.asc())
        .select((
            disbursements::id,
            disbursements::payee,
            disbursements::amount_fen,
            disbursements::decision_id,
        ))
        .load(conn)?;
    let orders = orders
        .into_iter()
        .map(|(id, what, yuan, d)| CitedAfterCorrection {
            kind: "order",
            id,
            what,
            amount_fen: yuan.map(|y| y.saturating_mul(100)),
            decision_id: d.unwrap_or_default(),
        });
    let payments = payments
        .into_iter()
        .map(|(id, what, fen, d)| CitedAfterCorrection {
            kind: "payment",
            id,
            what,
            amount_fen: Some(fen),
            decision_id: d.unwrap_or_default(),
        });
    Ok(orders.chain(payments).collect())
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
