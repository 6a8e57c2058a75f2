//! Inquiries as state changes: asking (the committee is told and the clock starts),
//! answering (once, logged, the asker told), and turning an inquiry into a work order; and
//! an inquiry as the pages of other features show it.

use chrono::NaiveDateTime;

use super::model::{self, Row};
use crate::authz::Role;
use crate::communities::model::Community;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::notifications::{notify, Notice};
use crate::projects::rules::{self as r, InquiryState};
use crate::web::AppState;

/// An inquiry as shown: its state now and where its subject is.
pub struct View {
    pub row: Row,
    pub state_key: &'static str,
    pub late: bool,
    pub subject_link: Option<String>,
    pub subject_key: String,
}

pub fn view(slug: &str, row: Row, now: NaiveDateTime) -> View {
    let state = r::inquiry_state(
        now,
        row.q.due_at,
        row.answer.as_ref().map(|a| a.answered_at),
    );
    let subject_link = match (row.q.subject_kind.as_str(), row.q.subject_id) {
        ("disclosure", Some(id)) => Some(format!("/c/{slug}/disclosures/{id}")),
        ("disbursement", Some(id)) => Some(format!("/c/{slug}/disbursements/{id}")),
        ("project", Some(id)) => Some(format!("/c/{slug}/inquiries/project/{id}")),
        _ => None,
    };
    View {
        state_key: state.key(),
        late: matches!(state, InquiryState::Overdue | InquiryState::AnsweredLate),
        subject_key: format!("inquiries.subject_{}", row.q.subject_kind),
        subject_link,
        row,
    }
}

/// For the supervisors' page: the inquiries not yet answered.
pub async fn open_now(state: &AppState, community: &Community) -> Result<Vec<View>, AppError> {
    let cid = community.id;
    let rows = state
        .db(move |conn| Ok(model::list(conn, cid, None, 500)?))
        .await?;
    let now = state.clock.now();
    Ok(rows
        .into_iter()
        .filter(|r| r.answer.is_none())
        .map(|r| view(&community.slug, r, now))
        .collect())
}

/// A question asked of the committee.
pub struct Question<'a> {
    pub community: &'a Community,
    /// What it is about: "general", or a kind of subject with its id.
    pub subject: (&'a str, Option<i64>),
    pub asker: i64,
    pub question: &'a str,
    pub now: NaiveDateTime,
}

/// Asks; the committee is told and the clock starts. `None` if the subject is not this
/// community's.
pub fn ask(conn: &mut AnyConnection, q: &Question) -> Result<Option<i64>, AppError> {
    let c = q.community;
    let subject_id = match q.subject {
        ("general", _) | (_, None) => None,
        (kind, Some(id)) if !subject_is_ours(conn, c.id, kind, id)? => return Ok(None),
        (_, id) => id,
    };
    let kind = if subject_id.is_none() {
        "general"
    } else {
        q.subject.0
    };
    let days = crate::projects::vouchers::settings(conn, c.id)?.inquiry_days;
    let due = r::answer_due(q.now, days);
    let id = model::ask(
        conn,
        c.id,
        (kind, subject_id),
        q.asker,
        q.question,
        q.now,
        due,
    )?;
    for member in crate::communities::model::holders(conn, c.id, Role::Committee)? {
        tell(conn, c, id, (member, "inquiry_asked"), q.now)?;
    }
    Ok(Some(id))
}

/// Whether the disclosure, payment or project `id` is community `cid`'s.
fn subject_is_ours(
    conn: &mut AnyConnection,
    cid: i64,
    kind: &str,
    id: i64,
) -> Result<bool, AppError> {
    Ok(match kind {
        "disclosure" => crate::disclosures::model::find(conn, cid, id)?.is_some(),
        "disbursement" => crate::projects::model::disbursement(conn, cid, id)?.is_some(),
        "project" => crate::projects::model::project_of(conn, cid, id)?.is_some(),
        _ => false,
    })
}

/// Answers inquiry `id` publicly, once (logged), with its attached files, and tells the
/// asker; false if it was answered already.
pub fn answer(
    conn: &mut AnyConnection,
    c: &Community,
    id: i64,
    (by, text, files): (i64, &str, &[super::files::Attached]),
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let row = model::find(conn, c.id, id)?.ok_or(AppError::NotFound)?;
    if !model::answer(conn, &row.q, by, text, now)? {
        return Ok(false);
    }
    super::files::add(conn, c.id, id, files)?;
    tell(conn, c, id, (row.q.asker_id, "inquiry_answered"), now)?;
    Ok(true)
}

fn tell(
    conn: &mut AnyConnection,
    c: &Community,
    id: i64,
    (user, kind): (i64, &str),
    now: NaiveDateTime,
) -> Result<(), AppError> {
    notify(
        conn,
        &Notice {
            user_id: user,
            community_id: Some(c.id),
            kind,
            subject: &c.name,
            detail: "",
            link: &format!("/c/{}/inquiries/{id}", c.slug),
        },
        now,
    )?;
    Ok(())
}

/// A work order the committee makes from an inquiry.
pub struct OrderFromInquiry<'a> {
    pub community: &'a Community,
    pub inquiry: i64,
    pub title: &'a str,
    pub category: &'a str,
    pub place: &'a str,
    pub actor: i64,
    pub now: NaiveDateTime,
}

/// Turns an inquiry into a work order; the one who asked confirms and rates the result, as
/// a reporter does.
pub fn make_order(conn: &mut AnyConnection, m: &OrderFromInquiry) -> Result<i64, AppError> {
    use crate::work_orders::{model as orders, rules as order_rules, service};
    let c = m.community;
    let row = model::find(conn, c.id, m.inquiry)?.ok_or(AppError::NotFound)?;
    let hours = orders::limit_hours(conn, c.id, m.category)?;
    let opening = service::Opening {
        order: orders::NewOrder {
            community_id: c.id,
            source: orders::SOURCE_INQUIRY,
            decision_id: None,
            title: m.title,
            description: &row.q.question,
            category: m.category,
            place: m.place,
            coords: None,
            grid_id: None,
            reporter_id: Some(row.q.asker_id),
            anonymous: false,
            budget_yuan: None,
            override_reason: "",
            due_at: order_rules::due_at(m.now, hours),
        },
        slug: &c.slug,
        photos: &[],
        route: false,
        actor: Some(m.actor),
        now: m.now,
    };
    let order = service::open(conn, &opening)?.id;
    orders::set_inquiry(conn, order, m.inquiry)?;
    Ok(order)
}
