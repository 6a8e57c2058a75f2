//! Inquiry pages: the community's list (open, overdue, answered), asking, one inquiry with
//! its public answer, and answering (the committee only, once, logged).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;

use super::model::{self, Row, SUBJECTS};
use crate::authz::{allows, Action};
use crate::communities::model::Community;
use crate::db::write_tx;
use crate::error::AppError;
use crate::notifications::{notify, Notice};
use crate::projects::rules::{self as r, InquiryState};
use crate::web::community::{load_as, load_community};
use crate::web::ctx::Ctx;
use crate::web::forms::{FieldErrors, Posted};
use crate::web::{render, see_other, AppState};

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

#[derive(Template)]
#[template(path = "inquiries/list.html")]
struct ListPage {
    ctx: Ctx,
    community: Community,
    inquiries: Vec<View>,
    can_ask: bool,
    subject: String,
    subject_key: String,
    subject_id: String,
    question: String,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AskForm {
    subject: String,
    subject_id: String,
    question: String,
}

#[allow(clippy::too_many_arguments)]
async fn list_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    can_ask: bool,
    form: AskForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let cid = community.id;
    let rows = state
        .db(move |conn| Ok(model::list(conn, cid, None, 200)?))
        .await?;
    let now = state.clock.now();
    render(
        status,
        &ListPage {
            inquiries: rows
                .into_iter()
                .map(|row| view(&community.slug, row, now))
                .collect(),
            ctx,
            community,
            can_ask,
            subject_key: format!("inquiries.subject_{}", form.subject),
            subject: form.subject,
            subject_id: form.subject_id,
            question: form.question,
            errors,
        },
    )
}

/// `GET /c/{slug}/inquiries` (`?subject=disclosure&subject_id=7` starts a question about it).
pub async fn list(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<String>,
    q: web::Query<AskForm>,
) -> Result<HttpResponse, AppError> {
    let (community, actor) = load_community(&state, &ctx, path.into_inner()).await?;
    let can_ask = allows(&actor, Action::Inquire);
    list_page(
        &state,
        ctx,
        community,
        can_ask,
        q.into_inner(),
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /c/{slug}/inquiries`: asks; the committee is told, and the clock starts.
pub async fn ask(
    state: web::Data<AppState>,
    path: web::Path<String>,
    p: Posted<AskForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (community, _, me) = load_as(&state, &ctx, path.into_inner(), Action::Inquire).await?;
    let mut errors = FieldErrors::default();
    let question = r::check_question(&form.question)
        .map_err(|e| {
            let n = r::INQUIRY_TEXT_MAX.to_string();
            errors.add("question", ctx.f(e.key(), &[("n", n.as_str())]))
        })
        .ok();
    let kind = SUBJECTS
        .into_iter()
        .find(|s| *s == form.subject)
        .unwrap_or("general");
    let subject_id = match form.subject_id.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add("subject_id", ctx.t("inquiries.err_subject"));
                None
            }
        },
    };
    let (Some(question), true) = (question, errors.is_empty()) else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return list_page(&state, ctx, community, true, form, errors, status).await;
    };
    let (c, now) = (community.clone(), state.clock.now());
    let due = r::answer_due(now, r::DEFAULT_ANSWER_DAYS);
    let asked = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                // The subject must be this community's: another's, or none, is refused.
                let subject_id = match (kind, subject_id) {
                    ("general", _) | (_, None) => None,
                    (_, Some(id)) if !subject_is_ours(conn, c.id, kind, id)? => {
                        return Ok(None);
                    }
                    (_, id) => id,
                };
                let kind = if subject_id.is_none() {
                    "general"
                } else {
                    kind
                };
                let id = model::ask(conn, c.id, (kind, subject_id), me, &question, now, due)?;
                for member in
                    crate::communities::model::holders(conn, c.id, crate::authz::Role::Committee)?
                {
                    notify(
                        conn,
                        &Notice {
                            user_id: member,
                            community_id: Some(c.id),
                            kind: "inquiry_asked",
                            subject: &c.name,
                            detail: "",
                            link: &format!("/c/{}/inquiries/{id}", c.slug),
                        },
                        now,
                    )?;
                }
                Ok(Some(id))
            })
        })
        .await?;
    let Some(id) = asked else {
        let mut errors = FieldErrors::default();
        errors.add("subject_id", ctx.t("inquiries.err_subject"));
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return list_page(&state, ctx, community, true, form, errors, status).await;
    };
    Ok(see_other(&format!(
        "/c/{}/inquiries/{id}?done=asked",
        community.slug
    )))
}

/// Whether the disclosure, payment or project `id` is community `cid`'s.
fn subject_is_ours(
    conn: &mut crate::db::AnyConnection,
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

#[derive(Template)]
#[template(path = "inquiries/show.html")]
struct ShowPage {
    ctx: Ctx,
    community: Community,
    v: View,
    can_answer: bool,
    can_make_order: bool,
    answer: String,
    log_index: Option<i64>,
    /// Work orders made from this inquiry: (id, title, state).
    orders: Vec<(i64, String, String)>,
    categories: &'static [&'static str],
    errors: FieldErrors,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    can_answer: bool,
    id: i64,
    answer: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let cid = community.id;
    let (row, log_index, orders) = state
        .db(move |conn| {
            let row = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
            let log_index = crate::transparency::log::index_of(
                conn,
                crate::transparency::log::Kind::InquiryAnswer,
                id,
            )?;
            let orders = crate::work_orders::model::of_inquiry(conn, id)?;
            Ok((row, log_index, orders))
        })
        .await?;
    let v = view(&community.slug, row, state.clock.now());
    render(
        status,
        &ShowPage {
            orders,
            categories: &crate::work_orders::model::CATEGORIES,
            can_make_order: can_answer,
            can_answer: can_answer && v.row.answer.is_none(),
            ctx,
            community,
            v,
            answer,
            log_index,
            errors,
            notice,
        },
    )
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, actor) = load_community(&state, &ctx, slug).await?;
    let notice = match q.done.as_str() {
        "asked" => Some("inquiries.done_asked"),
        "answered" => Some("inquiries.done_answered"),
        _ => None,
    };
    let can_answer = allows(&actor, Action::ManageAgenda);
    show_page(
        &state,
        ctx,
        community,
        can_answer,
        id,
        String::new(),
        FieldErrors::default(),
        notice,
        StatusCode::OK,
    )
    .await
}

/// The inquiry's page again, for the committee, with `message` beside `field` and the
/// answer typed so far kept (422).
async fn refuse(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    id: i64,
    field: &'static str,
    message: String,
    kept: String,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    errors.add(field, message);
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    show_page(state, ctx, community, true, id, kept, errors, None, status).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerForm {
    answer: String,
}

/// `POST /c/{slug}/inquiries/{id}/answer`: the committee's public answer, once, logged.
pub async fn answer(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, id) = path.into_inner();
    let (community, _, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let text = match r::check_answer(&form.answer) {
        Ok(t) => t,
        Err(e) => {
            let n = r::INQUIRY_TEXT_MAX.to_string();
            let msg = ctx.f(e.key(), &[("n", n.as_str())]);
            return refuse(&state, ctx, community, id, "answer", msg, form.answer).await;
        }
    };
    let (c, now) = (community.clone(), state.clock.now());
    let done = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let row = model::find(conn, c.id, id)?.ok_or(AppError::NotFound)?;
                if !model::answer(conn, &row.q, me, &text, now)? {
                    return Ok(false);
                }
                notify(
                    conn,
                    &Notice {
                        user_id: row.q.asker_id,
                        community_id: Some(c.id),
                        kind: "inquiry_answered",
                        subject: &c.name,
                        detail: "",
                        link: &format!("/c/{}/inquiries/{id}", c.slug),
                    },
                    now,
                )?;
                Ok(true)
            })
        })
        .await?;
    if !done {
        let msg = ctx.t("inquiries.err_answered").to_string();
        return refuse(&state, ctx, community, id, "answer", msg, form.answer).await;
    }
    Ok(see_other(&format!(
        "/c/{}/inquiries/{id}?done=answered",
        community.slug
    )))
}

/// For the supervisors' page and a disclosure's page: the inquiries not yet answered, and
/// those about one subject.
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

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OrderForm {
    title: String,
    category: String,
    place: String,
}

/// `POST /c/{slug}/inquiries/{id}/order`: the committee turns an inquiry into a work order;
/// the one who asked confirms and rates the result, as a reporter does.
pub async fn make_order(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<OrderForm>,
) -> Result<HttpResponse, AppError> {
    use crate::work_orders::{model as orders, rules as order_rules};
    let Posted { ctx, form } = p;
    let (slug, id) = path.into_inner();
    let (community, _, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let title = crate::web::forms::text_field(&form.title, 1, 80);
    let category = orders::CATEGORIES
        .iter()
        .find(|c| **c == form.category)
        .copied()
        .unwrap_or("other");
    let Ok(title) = title else {
        let msg = ctx.t("orders.err_title").to_string();
        return refuse(&state, ctx, community, id, "order", msg, String::new()).await;
    };
    let (c, now) = (community.clone(), state.clock.now());
    let order = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let row = model::find(conn, c.id, id)?.ok_or(AppError::NotFound)?;
                let order = orders::insert(
                    conn,
                    &orders::NewOrder {
                        community_id: c.id,
                        source: orders::SOURCE_INQUIRY,
                        decision_id: None,
                        title: &title,
                        description: &row.q.question,
                        category,
                        place: form.place.trim(),
                        coords: None,
                        grid_id: None,
                        reporter_id: Some(row.q.asker_id),
                        anonymous: false,
                        budget_yuan: None,
                        override_reason: "",
                        due_at: order_rules::due_at(now, order_rules::DEFAULT_LIMIT_HOURS),
                    },
                    Some(me),
                    now,
                )?;
                orders::set_inquiry(conn, order, id)?;
                Ok(order)
            })
        })
        .await?;
    Ok(see_other(&format!(
        "/c/{}/orders/{order}?done=created",
        community.slug
    )))
}

/// A project's code, if `id` is one of the community's projects.
fn project_of(
    conn: &mut crate::db::AnyConnection,
    community_id: i64,
    id: i64,
) -> diesel::QueryResult<Option<String>> {
    use crate::schema::projects;
    use diesel::prelude::*;
    projects::table
        .filter(projects::community_id.eq(community_id))
        .filter(projects::id.eq(id))
        .select(projects::code)
        .first(conn)
        .optional()
}

/// `GET /c/{slug}/inquiries/project/{id}`: an inquiry's subject link, to the project's page.
pub async fn project_page(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, _) = load_community(&state, &ctx, slug).await?;
    let cid = community.id;
    let code = state
        .db(move |conn| Ok(project_of(conn, cid, id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(see_other(&format!("/p/{code}")))
}
