//! Open data: a community's projects and disbursements as CSV and JSON, for anyone to check.
//! Money is in fen (integers) with a plain yuan column beside it in CSV; dates are ISO.

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::model::{self, Disbursement, Project};
use crate::communities::model::Community;
use crate::error::AppError;
use crate::web::community::load_community;
use crate::web::csv::Csv;
use crate::web::ctx::Ctx;
use crate::web::AppState;

type Projects = Vec<(Project, i64, Vec<i64>)>;

async fn projects_of(
    state: &AppState,
    ctx: &Ctx,
    slug: String,
) -> Result<(Community, Projects), AppError> {
    let (community, _) = load_community(state, ctx, slug).await?;
    let cid = community.id;
    let rows = state
        .db(move |conn| {
            let spent = model::spent_by_project(conn, cid)?;
            let links = model::decision_links(conn, cid)?;
            let mut out = Vec::new();
            for p in model::of_community(conn, cid)?.into_iter().rev() {
                let s = spent.iter().find(|x| x.0 == p.id).map(|x| x.1).unwrap_or(0);
                let d = links.iter().filter(|l| l.0 == p.id).map(|l| l.1).collect();
                out.push((p, s, d));
            }
            Ok(out)
        })
        .await?;
    Ok((community, rows))
}

async fn disbursements_of(
    state: &AppState,
    ctx: &Ctx,
    slug: String,
) -> Result<(Community, Vec<(Disbursement, String)>), AppError> {
    let (community, _) = load_community(state, ctx, slug).await?;
    let cid = community.id;
    let rows = state
        .db(move |conn| Ok(model::disbursements_of_community(conn, cid)?))
        .await?;
    Ok((community, rows))
}

fn json_response(value: &serde_json::Value) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(value.to_string())
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

pub async fn projects_csv(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (community, rows) = projects_of(&state, &ctx, slug.into_inner()).await?;
    let mut csv = Csv::new(&[
        "code",
        "title",
        "budget_fen",
        "budget_yuan",
        "spent_fen",
        "spent_yuan",
        "contractor",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
        "decisions",
    ]);
    for (p, spent, decisions) in &rows {
        let ds: Vec<String> = decisions.iter().map(|d| d.to_string()).collect();
        csv.row(&[
            p.code.clone(),
            p.title.clone(),
            p.budget_fen.to_string(),
            crate::money::plain(p.budget_fen),
            spent.to_string(),
            crate::money::plain(*spent),
            p.contractor.clone(),
            p.planned_start.to_string(),
            p.planned_end.to_string(),
            opt(&p.actual_start),
            opt(&p.actual_end),
            ds.join(" "),
        ]);
    }
    Ok(csv.response(&format!("{}-projects", community.slug)))
}

pub async fn projects_json(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (community, rows) = projects_of(&state, &ctx, slug.into_inner()).await?;
    let list: Vec<_> = rows
        .iter()
        .map(|(p, spent, decisions)| {
            json!({
                "code": p.code,
                "title": p.title,
                "announcement": p.announcement,
                "budget_fen": p.budget_fen,
                "spent_fen": spent,
                "contractor": p.contractor,
                "planned_start": p.planned_start,
                "planned_end": p.planned_end,
                "actual_start": p.actual_start,
                "actual_end": p.actual_end,
                "decisions": decisions,
                "url": format!("/p/{}", p.code),
            })
        })
        .collect();
    Ok(json_response(
        &json!({"community": community.slug, "projects": list}),
    ))
}

pub async fn disbursements_csv(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (community, rows) = disbursements_of(&state, &ctx, slug.into_inner()).await?;
    let mut csv = Csv::new(&[
        "id",
        "project",
        "paid_on",
        "amount_fen",
        "amount_yuan",
        "payee",
        "voucher",
        "decision",
        "power",
        "emergency_reason",
    ]);
    for (d, code) in &rows {
        csv.row(&[
            d.id.to_string(),
            code.clone(),
            d.paid_on.to_string(),
            d.amount_fen.to_string(),
            crate::money::plain(d.amount_fen),
            d.payee.clone(),
            d.voucher.clone(),
            d.decision_id.map(|x| x.to_string()).unwrap_or_default(),
            opt(&d.power_code),
            opt(&d.override_reason),
        ]);
    }
    Ok(csv.response(&format!("{}-disbursements", community.slug)))
}

pub async fn disbursements_json(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (community, rows) = disbursements_of(&state, &ctx, slug.into_inner()).await?;
    let list: Vec<_> = rows
        .iter()
        .map(|(d, code)| {
            json!({
                "id": d.id,
                "project": code,
                "paid_on": d.paid_on,
                "amount_fen": d.amount_fen,
                "payee": d.payee,
                "voucher": d.voucher,
                "decision": d.decision_id,
                "power": d.power_code,
                "emergency_reason": d.override_reason,
                "url": format!("/c/{}/disbursements/{}", community.slug, d.id),
            })
        })
        .collect();
    Ok(json_response(
        &json!({"community": community.slug, "disbursements": list}),
    ))
}
