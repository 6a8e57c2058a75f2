//! Spending under the power list (小微权力清单): recording a disbursement (checked against the
//! list, refused with the rule named, or let through by a published emergency override that
//! the supervisors are told of), the disbursement's public page, and the list itself.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::handlers::{project_page, refusal_message, say, PayForm, Shown};
use super::model::{self, Disbursement, NewDisbursement, NewRefusal, PowerRow, Project};
use super::rules::{
    self, Adopting, Arg, Body, CitedDecision, Comparison, Permit, Power, SpendKind,
};
use crate::authz::{allows, Action, Role};
use crate::communities::handlers::{load_as, load_community};
use crate::communities::model::Community;
use crate::db::{write_tx, AnyConnection};
use crate::disclosures::rules::{parse_amount, parse_near_date};
use crate::notifications::{notify, Notice};
use crate::web::ctx::Ctx;
use crate::web::error::AppError;
use crate::web::forms::{text_field, FieldErrors, Posted};
use crate::web::{page, render, see_other, AppState};

/// A threshold in words, "¥50,000.00 以上" or "超过 ¥50,000.00", in the reader's language.
pub fn limit(ctx: &Ctx, p: &PowerRow) -> String {
    let amount = format!("¥{}", rules::format_yuan(p.threshold_fen));
    ctx.f(p.limit_key(), &[("amount", &amount)])
}

/// The powers in force as rules (rows that no longer read are skipped).
pub fn rules_of(rows: &[PowerRow]) -> Vec<Power> {
    rows.iter().filter_map(PowerRow::rule).collect()
}

/// A decision as the power list sees it, if it is this community's.
pub fn cited(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
) -> Result<Option<CitedDecision>, AppError> {
    Ok(
        crate::ballots::model::decision(conn, community_id, id)?.map(|d| CitedDecision {
            id: d.id,
            body: Body::parse(&d.body).unwrap_or(Body::Committee),
            passed: d.passed(),
        }),
    )
}

/// What became of a payment.
enum Outcome {
    Paid,
    Refused(rules::Refusal),
    BadDecision,
}

fn args(a: Vec<(&'static str, String)>) -> Vec<(&'static str, Arg)> {
    a.into_iter().map(|(n, v)| (n, Arg::Text(v))).collect()
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
    let (cid, c) = (community.id, code.clone());
    let project: Project = state
        .db(move |conn| {
            model::by_code(conn, &c)?
                .filter(|p| p.community_id == cid)
                .ok_or(AppError::NotFound)
        })
        .await?;
    let mut errors = FieldErrors::default();
    let amount = match parse_amount(&form.amount) {
        Ok(0) => {
            errors.add("amount", ctx.t("projects.err_amount"));
            None
        }
        Ok(a) => Some(a),
        Err(e) => {
            errors.add("amount", say(&ctx, e.key(), &args(e.args(true))));
            None
        }
    };
    let paid_on = match parse_near_date(&form.paid_on, super::handlers::today(&state)) {
        Ok(d) if d > super::handlers::today(&state) => {
            errors.add("paid_on", ctx.t("projects.err_paid_future"));
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            errors.add("paid_on", say(&ctx, e.key(), &args(e.args(true))));
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
    let reason = match form.override_reason.trim() {
        "" => None,
        r => match rules::check_override(r) {
            Ok(r) => Some(r),
            Err(e) => {
                errors.add("override_reason", say(&ctx, e.key(), &e.args()));
                None
            }
        },
    };
    let (Some(amount), Some(paid_on), Some(payee), Some(voucher)) =
        (amount, paid_on, payee, voucher)
    else {
        return again(&state, ctx, code, form, errors).await;
    };
    if !errors.is_empty() {
        return again(&state, ctx, code, form, errors).await;
    }
    let (pid, now, slug) = (project.id, state.clock.now(), community.slug.clone());
    let title = project.title.clone();
    let outcome = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                // A payment answers to the list in force on the day it was paid.
                let powers = rules_of(&model::powers_on(conn, cid, paid_on)?);
                let cite = match decision {
                    Some(d) => match cited(conn, cid, d)? {
                        Some(c) => Some(c),
                        None => return Ok(Outcome::BadDecision),
                    },
                    None => None,
                };
                let permit =
                    rules::check_spend(amount, SpendKind::Disbursement, &powers, cite.as_ref());
                let (power_code, flagged) = match (permit, &reason) {
                    (Ok(Permit::Free), _) => (None, false),
                    (Ok(Permit::Decision { power_code, .. }), _) => (Some(power_code), false),
                    (Err(refusal), Some(_)) => (Some(refusal_code(&refusal)), true),
                    (Err(refusal), None) => {
                        model::insert_refusal(
                            conn,
                            &NewRefusal {
                                community_id: cid,
                                project_id: Some(pid),
                                kind: SpendKind::Disbursement,
                                amount_fen: amount,
                                payee: &payee,
                                refusal: &refusal,
                            },
                            me,
                            now,
                        )?;
                        return Ok(Outcome::Refused(refusal));
                    }
                };
                // An override is only for what the list refuses; otherwise the reason is not kept.
                let reason = reason.as_deref().filter(|_| flagged);
                let id = model::insert_disbursement(
                    conn,
                    &NewDisbursement {
                        community_id: cid,
                        project_id: pid,
                        amount_fen: amount,
                        paid_on,
                        payee: &payee,
                        voucher: &voucher,
                        decision_id: decision,
                        power_code: power_code.as_deref(),
                        override_reason: reason,
                    },
                    me,
                    now,
                )?;
                if flagged {
                    let link = format!("/c/{slug}/disbursements/{id}");
                    for u in crate::work_orders::jobs::holders(conn, cid, Role::Supervisor)? {
                        notify(
                            conn,
                            &Notice {
                                user_id: u,
                                community_id: Some(cid),
                                kind: "spend_override",
                                subject: &title,
                                detail: reason.unwrap_or_default(),
                                link: &link,
                            },
                            now,
                        )?;
                    }
                }
                Ok(Outcome::Paid)
            })
        })
        .await?;
    match outcome {
        Outcome::Paid => Ok(see_other(&format!("/p/{code}?done=paid"))),
        Outcome::BadDecision => {
            let mut errors = FieldErrors::default();
            errors.add("decision", ctx.t("projects.err_decision"));
            again(&state, ctx, code, form, errors).await
        }
        Outcome::Refused(r) => {
            let mut errors = FieldErrors::default();
            errors.add("rule", refusal_message(&ctx, &r));
            again(&state, ctx, code, form, errors).await
        }
    }
}

fn refusal_code(r: &rules::Refusal) -> String {
    match r {
        rules::Refusal::NoDecision { power_code, .. }
        | rules::Refusal::NotPassed { power_code, .. }
        | rules::Refusal::BodyTooLow { power_code, .. } => power_code.clone(),
    }
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

#[derive(Template)]
#[template(path = "projects/disbursement.html")]
struct PaymentPage {
    ctx: Ctx,
    community: Community,
    d: Disbursement,
    p: Project,
    power: Option<PowerRow>,
    decision_title: Option<String>,
    recorder: String,
    log_index: Option<i64>,
}

pub async fn disbursement(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, _) = load_community(&state, &ctx, slug).await?;
    let cid = community.id;
    let (d, p, power, decision_title, recorder, log_index) = state
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
            Ok((d, p, power, decision_title, recorder, log_index))
        })
        .await?;
    page(&PaymentPage {
        ctx,
        community,
        d,
        p,
        power,
        decision_title,
        recorder,
        log_index,
    })
}

// ---- the power list ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PowerForm {
    pub code: String,
    pub name: String,
    pub procedure: String,
    pub kind: String,
    pub body: String,
    pub threshold: String,
    /// "at_least" (以上) or "above" (超过).
    pub comparison: String,
    /// The villagers' decision that adopts the change.
    pub decision: String,
}

#[derive(Template)]
#[template(path = "projects/powers.html")]
struct PowersPage {
    ctx: Ctx,
    community: Community,
    current: Vec<PowerRow>,
    history: Vec<PowerRow>,
    /// The day the list is shown as of, if not today.
    as_of: Option<chrono::NaiveDate>,
    /// The decisions a change may cite: passed, of the villagers' or representatives' meeting.
    adopting: Vec<model::DecisionRef>,
    comparisons: &'static [Comparison],
    can_manage: bool,
    form: PowerForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
    kinds: &'static [SpendKind],
    bodies: &'static [Body],
}

#[allow(clippy::too_many_arguments)]
async fn powers_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    can_manage: bool,
    as_of: Option<chrono::NaiveDate>,
    form: PowerForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Result<HttpResponse, AppError> {
    let cid = community.id;
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
    let status = if errors.is_empty() {
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
            adopting,
            comparisons: Comparison::ALL,
            can_manage,
            form,
            errors,
            notice,
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
    let can_manage = allows(&actor, Action::ManageAgenda);
    let mut errors = FieldErrors::default();
    let as_of = match q.as_of.trim() {
        "" => None,
        d => match model::parse_day(d) {
            Some(day) => Some(day),
            None => {
                errors.add("as_of", ctx.t("projects.err_as_of"));
                None
            }
        },
    };
    powers_page(
        &state, ctx, community, can_manage, as_of, form, errors, notice,
    )
    .await
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
        d => match d.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add("decision", ctx.t("power.err.adopt_unknown"));
                None
            }
        },
    };
    let threshold = match parse_amount(&form.threshold) {
        Ok(t) => Some(t),
        Err(e) => {
            errors.add("threshold", say(&ctx, e.key(), &args(e.args(true))));
            None
        }
    };
    let too_long = form.code.chars().count() > 20
        || form.name.chars().count() > 100
        || form.procedure.chars().count() > 2000;
    if too_long {
        errors.add("name", ctx.t("projects.err_power_long"));
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
        errors.add("power", say(&ctx, p.key(), &p.args()));
    }
    if !errors.is_empty() {
        return powers_page(&state, ctx, community, true, None, form, errors, None).await;
    }
    let (cid, now, slug) = (community.id, state.clock.now(), community.slug.clone());
    let added = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let adopting = match decision {
                    Some(id) => Some(adopting(conn, cid, id)?),
                    None => None,
                };
                if let Err(p) = rules::check_adoption(adopting.as_ref().map(Option::as_ref)) {
                    return Ok(Err(p));
                }
                let id = model::insert_power(conn, cid, &power, decision, Some(me), now)?;
                let detail = format!("{} {}", power.code, power.name);
                let reason = format!("#{}", decision.unwrap_or_default());
                crate::audit::record(
                    conn,
                    &crate::audit::Entry {
                        community_id: Some(cid),
                        actor_id: me,
                        action: "power_change",
                        target_user_id: None,
                        detail: &detail,
                        reason: &reason,
                    },
                    now,
                )?;
                crate::transparency::records::publish(
                    conn,
                    crate::transparency::log::Kind::PowerChange,
                    Some(cid),
                    id,
                    now,
                )?;
                let link = format!("/c/{slug}/powers#change-{id}");
                for u in crate::work_orders::jobs::holders(conn, cid, Role::Supervisor)? {
                    notify(
                        conn,
                        &Notice {
                            user_id: u,
                            community_id: Some(cid),
                            kind: "power_changed",
                            subject: &detail,
                            detail: "",
                            link: &link,
                        },
                        now,
                    )?;
                }
                Ok(Ok(()))
            })
        })
        .await?;
    if let Err(p) = added {
        errors.add("decision", say(&ctx, p.key(), &p.args()));
        return powers_page(&state, ctx, community, true, None, form, errors, None).await;
    }
    Ok(see_other(&format!(
        "/c/{}/powers?done=added",
        community.slug
    )))
}

/// A decision cited to change the power list, as the adoption rule sees it; `None` when it
/// is not a decision of this community.
fn adopting(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
) -> Result<Option<Adopting>, AppError> {
    let Some(d) = crate::ballots::model::decision(conn, community_id, id)? else {
        return Ok(None);
    };
    let corrected = !crate::ballots::model::decisions_of_ballot(conn, d.ballot_id)?
        .iter()
        .all(|x| x.corrects_id != Some(d.id));
    Ok(Some(Adopting {
        body: Body::parse(&d.body).unwrap_or(Body::Committee),
        passed: d.passed(),
        corrected,
    }))
}
