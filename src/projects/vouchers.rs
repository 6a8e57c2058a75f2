//! The supervisors' review of payment vouchers (监委会审查签署) and a community's oversight
//! settings: how long a payment may wait for its review and how long the committee has to
//! answer an inquiry. Reviews are
//! append-only; a query raised on a voucher becomes an inquiry about the payment.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::model::{self, Disbursement};
use crate::communities::model::Community;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::schema::{disbursements, oversight_settings, projects, voucher_reviews};

/// Unreviewed payments older than this many days are listed for the supervisors.
pub const DEFAULT_REVIEW_DAYS: i64 = 10;
/// The committee answers an inquiry within this many days (some village rules say 10).
pub const DEFAULT_INQUIRY_DAYS: i64 = 7;
/// A setting in days lies in 1..=MAX_DAYS.
pub const MAX_DAYS: i64 = 365;

/// A community's oversight settings, the defaults when it set none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    pub voucher_review_days: i64,
    pub inquiry_days: i64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            voucher_review_days: DEFAULT_REVIEW_DAYS,
            inquiry_days: DEFAULT_INQUIRY_DAYS,
        }
    }
}

pub fn settings(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Settings> {
    let row: Option<(i64, i64)> = oversight_settings::table
        .filter(oversight_settings::community_id.eq(community_id))
        .select((
            oversight_settings::voucher_review_days,
            oversight_settings::inquiry_days,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map_or_else(Settings::default, |r| Settings {
        voucher_review_days: r.0,
        inquiry_days: r.1,
    }))
}

/// Sets a community's settings (the committee), recorded in the action log.
pub fn set(
    conn: &mut AnyConnection,
    community_id: i64,
    s: Settings,
    actor: i64,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    diesel::delete(
        oversight_settings::table.filter(oversight_settings::community_id.eq(community_id)),
    )
    .execute(conn)?;
    diesel::insert_into(oversight_settings::table)
        .values((
            oversight_settings::community_id.eq(community_id),
            oversight_settings::voucher_review_days.eq(s.voucher_review_days),
            oversight_settings::inquiry_days.eq(s.inquiry_days),
            oversight_settings::updated_at.eq(now),
        ))
        .execute(conn)?;
    let detail = format!(
        "voucher_review_days={} inquiry_days={}",
        s.voucher_review_days, s.inquiry_days
    );
    crate::audit::setting_changed(conn, community_id, actor, &detail, now)?;
    Ok(())
}

// ---- reviews ----

/// What a supervisor said of a voucher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// 审查无误: reviewed and signed, with a note.
    Reviewed,
    /// A query raised, which becomes an inquiry about the payment.
    Queried,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Reviewed => "reviewed",
            Verdict::Queried => "queried",
        }
    }
    pub fn parse(s: &str) -> Option<Verdict> {
        match s.trim() {
            "reviewed" => Some(Verdict::Reviewed),
            "queried" => Some(Verdict::Queried),
            _ => None,
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Reviewed => "vouchers.reviewed",
            Verdict::Queried => "vouchers.queried",
        }
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = voucher_reviews)]
pub struct Review {
    pub id: i64,
    pub community_id: i64,
    pub disbursement_id: i64,
    pub reviewer_id: i64,
    pub verdict: String,
    pub note: String,
    pub inquiry_id: Option<i64>,
    pub reviewed_at: NaiveDateTime,
}

impl Review {
    pub fn key(&self) -> &'static str {
        Verdict::parse(&self.verdict)
            .unwrap_or(Verdict::Reviewed)
            .key()
    }
}

/// The reviews of these payments, oldest first, with the reviewer's name: one query.
pub fn reviews_of(
    conn: &mut AnyConnection,
    community_id: i64,
    ids: &[i64],
) -> QueryResult<Vec<(Review, String)>> {
    use crate::schema::users;
    voucher_reviews::table
        .inner_join(users::table.on(users::id.eq(voucher_reviews::reviewer_id)))
        .filter(voucher_reviews::community_id.eq(community_id))
        .filter(voucher_reviews::disbursement_id.eq_any(ids))
        .order(voucher_reviews::id)
        .select((Review::as_select(), users::display_name))
        .load(conn)
}

/// Payments recorded before `now - days` that no supervisor has reviewed, oldest first,
/// with their project's code.
pub fn unreviewed(
    conn: &mut AnyConnection,
    community_id: i64,
    now: NaiveDateTime,
    days: i64,
) -> QueryResult<Vec<(Disbursement, String)>> {
    let before = now - Duration::days(days.clamp(0, MAX_DAYS));
    disbursements::table
        .inner_join(projects::table.on(projects::id.eq(disbursements::project_id)))
        .filter(disbursements::community_id.eq(community_id))
        .filter(disbursements::recorded_at.lt(before))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            voucher_reviews::table.filter(voucher_reviews::disbursement_id.eq(disbursements::id)),
        )))
        .order(disbursements::id)
        .select((Disbursement::as_select(), projects::code))
        .load(conn)
}

/// A supervisor's review of a payment's voucher.
pub struct Reviewing<'a> {
    pub community: &'a Community,
    pub disbursement: i64,
    pub verdict: Verdict,
    pub note: &'a str,
    pub reviewer: i64,
    pub now: NaiveDateTime,
}

/// Records a review; a query becomes an inquiry about the payment, which the committee is
/// told of and must answer in the community's time. `None` if the payment is not the
/// community's.
pub fn review(conn: &mut AnyConnection, r: &Reviewing) -> Result<Option<i64>, AppError> {
    let c = r.community;
    if model::disbursement(conn, c.id, r.disbursement)?.is_none() {
        return Ok(None);
    }
    let inquiry = match r.verdict {
        Verdict::Reviewed => None,
        Verdict::Queried => crate::inquiries::service::ask(
            conn,
            &crate::inquiries::service::Question {
                community: c,
                subject: ("disbursement", Some(r.disbursement)),
                asker: r.reviewer,
                question: r.note,
                now: r.now,
            },
        )?,
    };
    let id = diesel::insert_into(voucher_reviews::table)
        .values((
            voucher_reviews::community_id.eq(c.id),
            voucher_reviews::disbursement_id.eq(r.disbursement),
            voucher_reviews::reviewer_id.eq(r.reviewer),
            voucher_reviews::verdict.eq(r.verdict.as_str()),
            voucher_reviews::note.eq(r.note),
            voucher_reviews::inquiry_id.eq(inquiry),
            voucher_reviews::reviewed_at.eq(r.now),
        ))
        .returning(voucher_reviews::id)
        .get_result(conn)?;
    Ok(Some(id))
}
