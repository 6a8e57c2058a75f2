//! Spending under the power list (小微权力清单): recording a disbursement (checked against the
//! list, refused with the rule named, or let through by a published emergency override that
//! the supervisors are told of), the disbursement's public page, and the list itself.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

use super::handlers::{amount_args, amount_field, project_of, project_page, today};
use super::model;
use super::page::{PayForm, PaymentPage, PowerForm, PowersPage, ReviewForm, Shown};
use super::rules::{self, Body, Comparison, Power, SpendKind};
use super::service::{self, Paid, Payment, PowerChange};
use super::vouchers::{Reviewing, Verdict};
use crate::authz::{allows, Action};
use crate::clock::parse_near_date;
use crate::communities::model::Community;
use crate::db::write_tx;
use crate::error::AppError;
use crate::web::community::{load_as, load_community};
use crate::web::ctx::Ctx;
use crate::web::forms::{text_field, FieldErrors, Posted};
use crate::web::refusal::{refusal_message, say};
use crate::web::{render, see_other, AppState};

/// The fields of a payment as read from its form.
struct PayFields {
    amount_fen: i64,
    paid_on: NaiveDate,
    payee: String,
    voucher: String,
    decision: Option<i64>,
    emergency: Option<String>,
}

/// Reads the payment form, or the errors to show with it.
fn read_payment(
    ctx: &Ctx,
    form: &PayForm,
    today: NaiveDate,
    errors: &mut FieldErrors,
) -> Option<PayFields> {
    let amount = amount_field(
        ctx,
        errors,
        "amount",
        &form.amount,
        Some("projects.err_amount"),
    );
    let paid_on = match parse_near_date(&form.paid_on, today) {
        Ok(d) if d > today => {
            errors.add("paid_on", ctx.t("projects.err_paid_future"));
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            errors.add("paid_on", say(ctx, e.key(), &amount_args(e.args(true))));
            None
        }
    };
    let payee = text_field(&form.payee, 1, 100)
        .map_err(|_| errors.add("payee", ctx.t("projects.err_payee")))
        .ok();
    let voucher = text_field(&form.voucher, 1, 50)
        .map_err(|_| errors.add("voucher", ctx.t("projects.err_voucher")))
        .ok();
    let decision = match form.decision.trim() {
        "" => Ok(None),
        d => d.parse::<i64>().map(Some).map_err(|_| ()),
    };
    let decision = decision
        .map_err(|_| errors.add("decision", ctx.t("projects.err_decision")))
        .ok()
        .flatten();
    let emergency = read_emergency(ctx, &form.override_reason, errors, "override_reason");
    Some(PayFields {
        amount_fen: amount?,
        paid_on: paid_on?,
        payee: payee?,
        voucher: voucher?,
        decision,
        emergency,
    })
}

/// An emergency's written reason, if one was typed: 10–1000 characters, else a message at
/// `field` (a payment's or a work order's emergency, whether or not the list refuses).
pub(crate) fn read_emergency(
    ctx: &Ctx,
    typed: &str,
    errors: &mut FieldErrors,
    field: &'static str,
) -> Option<String> {
    match typed.trim() {
        "" => None,
        r => rules::check_override(r)
            .map_err(|e| errors.add(field, say(ctx, e.key(), &e.args())))
            .ok(),
    }
}

/// The committee records a payment of a project. Above a threshold of the power list it needs
/// a passed decision of the required body, or a written emergency reason, which is published
/// and flagged to every supervisor.
pub async fn pay(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    p: Posted<PayForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, code) = path.into_inner();
    let (community, _, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let project = project_of(&state, community.id, code.clone()).await?;
    let mut errors = FieldErrors::default();
    let read = read_payment(&ctx, &form, today(&state), &mut errors);
    let Some(f) = read.filter(|_| errors.is_empty()) else {
        return again(&state, ctx, code, form, errors).await;
    };
    let payment = Payment {
        community_id: community.id,
        slug: community.slug.clone(),
        project_id: project.id,
        project_code: project.code,
        project_title: project.title,
        amount_fen: f.amount_fen,
        paid_on: f.paid_on,
        payee: f.payee,
        voucher: f.voucher,
        decision: f.decision,
        emergency: f.emergency,
        actor: me,
        now: state.clock.now(),
    };
    let paid = state
        .db(move |conn| write_tx(conn, |conn| service::pay(conn, &payment)))
        .await?;
    let mut errors = FieldErrors::default();
    match paid {
        Paid::Paid => return Ok(see_other(&format!("/p/{code}?done=paid"))),
        Paid::BadDecision => errors.add("decision", ctx.t("projects.err_decision")),
        Paid::Refused(r) => errors.add("rule", refusal_message(&ctx, &r)),
    }
    again(&state, ctx, code, form, errors).await
}

async fn again(
    state: &AppState,
    ctx: Ctx,
    code: String,
    form: PayForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let shown = Shown {
        errors,
        form,
        notice: None,
        status: StatusCode::UNPROCESSABLE_ENTITY,
    };
    project_page(state, ctx, code, shown).await
}

// ---- a disbursement's page ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    pub done: String,
}

pub async fn disbursement(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, actor) = load_community(&state, &ctx, slug).await?;
    let notice = (q.done == "reviewed").then_some("vouchers.done");
    payment_page(&state, ctx, community, actor, id, (notice, None)).await
}

async fn payment_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: crate::authz::Actor,
    id: i64,
    (notice, error): (Option<&'static str>, Option<(String, String)>),
) -> Result<HttpResponse, AppError> {
    let cid = community.id;
    let (d, p, power, decision_title, recorder, log_index, reviews) = state
        .db(move |conn| {
            let d = model::disbursement(conn, cid, id)?.ok_or(AppError::NotFound)?;
            let p = model::project(conn, d.project_id)?;
            let power = match &d.power_code {
                Some(code) => model::power_rows(conn, cid)?
                    .into_iter()
                    .rfind(|r| &r.code == code && r.created_at <= d.recorded_at),
                None => None,
            };
            let decision_title = match d.decision_id {
                Some(did) => model::passed_decisions(conn, cid)?
                    .into_iter()
                    .find(|x| x.id == did)
                    .map(|x| x.title),
                None => None,
            };
            let recorder = crate::accounts::model::names(conn, &[d.recorded_by])?
                .into_iter()
                .next()
                .map(|x| x.1)
                .unwrap_or_default();
            let log_index = crate::transparency::log::index_of(
                conn,
                crate::transparency::log::Kind::Disbursement,
                d.id,
            )?;
            let reviews = super::vouchers::reviews_of(conn, cid, &[d.id])?;
            Ok((d, p, power, decision_title, recorder, log_index, reviews))
        })
        .await?;
    let status = if error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &PaymentPage {
            ctx,
            community,
            d,
            p,
            power,
            decision_title,
            recorder,
            log_index,
            reviews,
            can_review: allows(&actor, Action::Countersign),
            notice,
            typed: error.as_ref().map(|e| e.1.clone()).unwrap_or_default(),
            error: error.map(|e| e.0),
        },
    )
}

/// A supervisor reviews a payment's voucher (监委会审查签署) with a note, or raises a query
/// that becomes an inquiry the committee must answer.
pub async fn review_voucher(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<ReviewForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, id) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, Action::Countersign).await?;
    let verdict = Verdict::parse(&form.verdict);
    let note = text_field(&form.note, 1, 500).ok();
    let (Some(verdict), Some(note)) = (verdict, note) else {
        let error = Some((ctx.t("vouchers.err_note").to_string(), form.note.clone()));
        return payment_page(&state, ctx, community, actor, id, (None, error)).await;
    };
    let c = community.clone();
    let now = state.clock.now();
    let done = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let r = Reviewing {
                    community: &c,
                    disbursement: id,
                    verdict,
                    note: &note,
                    reviewer: me,
                    now,
                };
                super::vouchers::review(conn, &r)
            })
        })
        .await?;
    if done.is_none() {
        return Err(AppError::NotFound);
    }
    // To the notice, which sits below the payment's details: on a phone the top of the
    // page would not show that the review was recorded.
    let to = format!(
        "/c/{}/disbursements/{id}?done=reviewed#done",
        community.slug
    );
    Ok(see_other(&to))
}

// ---- the power list ----

/// What the power list page shows besides the list.
struct PowersView {
    can_manage: bool,
    as_of: Option<NaiveDate>,
    /// The day as typed into the "as of" form (kept when it is not a day).
    as_of_typed: String,
    form: PowerForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

async fn powers_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    v: PowersView,
) -> Result<HttpResponse, AppError> {
    let (cid, as_of, can_manage) = (community.id, v.as_of, v.can_manage);
    let (current, history, adopting) = state
        .db(move |conn| {
            let current = match as_of {
                Some(day) => model::powers_on(conn, cid, day)?,
                None => model::current_powers(conn, cid)?,
            };
            let adopting = if can_manage {
                model::passed_decisions(conn, cid)?
                    .into_iter()
                    .filter(|d| d.body != Body::Committee.as_str())
                    .collect()
            } else {
                Vec::new()
            };
            Ok((current, model::power_rows(conn, cid)?, adopting))
        })
        .await?;
    let status = if v.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &PowersPage {
            ctx,
            community,
            history: history.into_iter().rev().collect(),
            current,
            as_of,
            as_of_typed: v.as_of_typed,
            adopting,
            comparisons: Comparison::ALL,
            can_manage,
            form: v.form,
            errors: v.errors,
            notice: v.notice,
            kinds: SpendKind::ALL,
            bodies: Body::ALL,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    pub done: String,
    /// Show the list as it was in force on this day (YYYY-MM-DD).
    pub as_of: String,
}

pub async fn powers(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
    q: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let (community, actor) = load_community(&state, &ctx, slug.into_inner()).await?;
    let notice = (q.done == "added").then_some("projects.done_power");
    let form = PowerForm {
        kind: SpendKind::Disbursement.as_str().into(),
        comparison: Comparison::AtLeast.as_str().into(),
        ..PowerForm::default()
    };
    let mut errors = FieldErrors::default();
    let as_of = match q.as_of.trim() {
        "" => None,
        d => model::parse_day(d).or_else(|| {
            errors.add("as_of", ctx.t("projects.err_as_of"));
            None
        }),
    };
    let v = PowersView {
        can_manage: allows(&actor, Action::ManageAgenda),
        as_of,
        as_of_typed: q.as_of.trim().to_string(),
        form,
        errors,
        notice,
    };
    powers_page(&state, ctx, community, v).await
}

/// Reads a power from its form, or the errors to show with it.
fn read_power(ctx: &Ctx, form: &PowerForm, errors: &mut FieldErrors) -> (Power, Option<i64>) {
    let kind = SpendKind::parse(&form.kind);
    let body = Body::parse(&form.body);
    if kind.is_none() {
        errors.add("kind", ctx.t("projects.err_kind"));
    }
    if body.is_none() {
        errors.add("body", ctx.t("projects.err_body"));
    }
    let comparison = Comparison::parse(&form.comparison);
    if comparison.is_none() {
        errors.add("comparison", ctx.t("projects.err_comparison"));
    }
    let decision = match form.decision.trim() {
        "" => None,
        d => d
            .parse::<i64>()
            .map_err(|_| errors.add("decision", ctx.t("power.err.adopt_unknown")))
            .ok(),
    };
    let threshold = amount_field(ctx, errors, "threshold", &form.threshold, None);
    let limits = [
        ("code", &form.code, 20),
        ("name", &form.name, 100),
        ("procedure", &form.procedure, 2000),
    ];
    for (field, typed, max) in limits {
        if typed.chars().count() > max {
            errors.add(field, ctx.t("projects.err_power_long"));
        }
    }
    let power = Power {
        code: form.code.trim().to_string(),
        name: form.name.trim().to_string(),
        procedure: form.procedure.trim().to_string(),
        kind: kind.unwrap_or(SpendKind::Disbursement),
        body: body.unwrap_or(Body::Committee),
        threshold_fen: threshold.unwrap_or(0),
        comparison: comparison.unwrap_or(Comparison::AtLeast),
    };
    for p in rules::check_power(&power).err().unwrap_or_default() {
        let field = match p {
            rules::PowerProblem::CodeEmpty => "code",
            rules::PowerProblem::NameEmpty => "name",
            rules::PowerProblem::ThresholdNegative => "threshold",
        };
        errors.add(field, say(ctx, p.key(), &p.args()));
    }
    (power, decision)
}

/// The committee adds a power, or changes one by adding a row with the same code.
pub async fn add_power(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Posted<PowerForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (community, _, me) = load_as(&state, &ctx, slug.into_inner(), Action::ManageAgenda).await?;
    let mut errors = FieldErrors::default();
    let (power, decision) = read_power(&ctx, &form, &mut errors);
    if errors.is_empty() {
        let change = PowerChange {
            community_id: community.id,
            slug: community.slug.clone(),
            power,
            decision,
            actor: me,
            now: state.clock.now(),
        };
        let added = state
            .db(move |conn| write_tx(conn, |conn| service::change_power(conn, &change)))
            .await?;
        match added {
            Ok(()) => {
                let to = format!("/c/{}/powers?done=added", community.slug);
                return Ok(see_other(&to));
            }
            Err(p) => errors.add("decision", say(&ctx, p.key(), &p.args())),
        }
    }
    let v = PowersView {
        can_manage: true,
        as_of: None,
        as_of_typed: String::new(),
        form,
        errors,
        notice: None,
    };
    powers_page(&state, ctx, community, v).await
}
