//! Inquiry pages: the community's list (open, overdue, answered), asking, one inquiry with
//! its public answer, and answering (the committee only, once, logged).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::model::{self, SUBJECTS};
use super::service::{self, view, OrderFromInquiry, Question, View};
use crate::accounts::rules::FieldProblem;
use crate::authz::{allows, Action};
use crate::communities::model::Community;
use crate::db::write_tx;
use crate::error::AppError;
use crate::projects::rules as r;
use crate::web::community::{load_as, load_community};
use crate::web::ctx::Ctx;
use crate::web::forms::{FieldErrors, Posted, Uploaded};
use crate::web::{render, see_other, AppState};

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

/// The list page, with the asking form as typed and its errors.
async fn list_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    can_ask: bool,
    (form, errors): (AskForm, FieldErrors),
) -> Result<HttpResponse, AppError> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
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
    let form = (q.into_inner(), FieldErrors::default());
    list_page(&state, ctx, community, can_ask, form).await
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
        s => s
            .parse::<i64>()
            .map_err(|_| errors.add("subject_id", ctx.t("inquiries.err_subject")))
            .ok(),
    };
    let (Some(question), true) = (question, errors.is_empty()) else {
        return list_page(&state, ctx, community, true, (form, errors)).await;
    };
    let (c, now) = (community.clone(), state.clock.now());
    let asked = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let q = Question {
                    community: &c,
                    subject: (kind, subject_id),
                    asker: me,
                    question: &question,
                    now,
                };
                service::ask(conn, &q)
            })
        })
        .await?;
    let Some(id) = asked else {
        let mut errors = FieldErrors::default();
        errors.add("subject_id", ctx.t("inquiries.err_subject"));
        return list_page(&state, ctx, community, true, (form, errors)).await;
    };
    Ok(see_other(&format!(
        "/c/{}/inquiries/{id}?done=asked",
        community.slug
    )))
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
    /// The files attached to the answer.
    files: Vec<super::files::Attached>,
    categories: &'static [&'static str],
    errors: FieldErrors,
    notice: Option<&'static str>,
    /// The work-order form as typed, kept when refused.
    order: OrderForm,
    /// Whether the work-order form was refused (it is shown open).
    ordering: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

/// What the inquiry's page shows besides the inquiry: a notice, or a refused form with the
/// answer typed so far.
#[derive(Default)]
struct Shown {
    can_answer: bool,
    answer: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
    /// The work-order form as typed, when it was refused.
    order: Option<OrderForm>,
}

async fn show_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    id: i64,
    shown: Shown,
) -> Result<HttpResponse, AppError> {
    let cid = community.id;
    let (row, log_index, orders, files) = state
        .db(move |conn| {
            let row = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
            let log_index = crate::transparency::log::index_of(
                conn,
                crate::transparency::log::Kind::InquiryAnswer,
                id,
            )?;
            let orders = crate::work_orders::model::of_inquiry(conn, id)?;
            let files = super::files::of(conn, id)?;
            Ok((row, log_index, orders, files))
        })
        .await?;
    let v = view(&community.slug, row, state.clock.now());
    let status = if shown.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &ShowPage {
            orders,
            files,
            categories: &crate::work_orders::model::CATEGORIES,
            can_make_order: shown.can_answer,
            can_answer: shown.can_answer && v.row.answer.is_none(),
            ctx,
            community,
            v,
            answer: shown.answer,
            log_index,
            errors: shown.errors,
            notice: shown.notice,
            ordering: shown.order.is_some(),
            order: shown.order.unwrap_or_default(),
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
    let shown = Shown {
        can_answer: allows(&actor, Action::ManageAgenda),
        notice,
        ..Shown::default()
    };
    show_page(&state, ctx, community, id, shown).await
}

/// The inquiry's page again, for the committee, with `message` beside `field` and the
/// answer typed so far kept (422).
async fn refuse(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    id: i64,
    (field, message): (&'static str, String),
    kept: String,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    errors.add(field, message);
    let shown = Shown {
        can_answer: true,
        answer: kept,
        errors,
        ..Shown::default()
    };
    show_page(state, ctx, community, id, shown).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerForm {
    answer: String,
}

/// `POST /c/{slug}/inquiries/{id}/answer`: the committee's public answer, once, logged,
/// with any PDFs or photos attached (an acceptance record, say).
pub async fn answer(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    up: Uploaded<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let Uploaded { ctx, form, files } = up;
    let (slug, id) = path.into_inner();
    let (community, _, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let text = match r::check_answer(&form.answer) {
        Ok(t) => t,
        Err(e) => {
            let n = r::INQUIRY_TEXT_MAX.to_string();
            let msg = ctx.f(e.key(), &[("n", n.as_str())]);
            return refuse(&state, ctx, community, id, ("answer", msg), form.answer).await;
        }
    };
    let files = match super::files::store(&state, &ctx, files).await? {
        Ok(f) => f,
        Err(msg) => return refuse(&state, ctx, community, id, ("files", msg), form.answer).await,
    };
    let (c, now) = (community.clone(), state.clock.now());
    let done = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                service::answer(conn, &c, id, (me, &text, &files), now)
            })
        })
        .await?;
    if !done {
        // The answer form is gone from the page: the message is shown at its top.
        let msg = ctx.t("inquiries.err_answered").to_string();
        return refuse(&state, ctx, community, id, ("answered", msg), form.answer).await;
    }
    Ok(see_other(&format!(
        "/c/{}/inquiries/{id}?done=answered",
        community.slug
    )))
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
    let Posted { ctx, form } = p;
    let (slug, id) = path.into_inner();
    let (community, _, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let mut errors = FieldErrors::default();
    let title = crate::web::forms::text_field(&form.title, 1, 80)
        .map_err(|e| match e {
            FieldProblem::Empty => errors.add("order_title", ctx.t("orders.err_title")),
            e => errors.add("order_title", e.message(&ctx.tr)),
        })
        .ok();
    let category = crate::work_orders::model::CATEGORIES
        .iter()
        .find(|c| **c == form.category)
        .copied();
    if category.is_none() {
        errors.add("order_category", ctx.t("orders.err_category"));
    }
    let place = crate::web::forms::text_field(&form.place, 0, 200)
        .map_err(|e| errors.add("order_place", e.message(&ctx.tr)))
        .ok();
    let (Some(title), Some(category), Some(place), true) =
        (title, category, place, errors.is_empty())
    else {
        let shown = Shown {
            can_answer: true,
            errors,
            order: Some(form),
            ..Shown::default()
        };
        return show_page(&state, ctx, community, id, shown).await;
    };
    let (c, now) = (community.clone(), state.clock.now());
    let order = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let m = OrderFromInquiry {
                    community: &c,
                    inquiry: id,
                    title: &title,
                    category,
                    place: &place,
                    actor: me,
                    now,
                };
                service::make_order(conn, &m)
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
