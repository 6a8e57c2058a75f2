//! The roster import's pages, for the committee: upload the spreadsheet, see what it would
//! change (nothing written), confirm to write exactly that in one transaction.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::handlers::keeper;
use super::import::{self, Problem, Sheet, HEADERS};
use super::import_plan::{Diff, HouseRef, Plan};
use super::model;
use super::page;
use super::rules::Status;
use super::service;
use crate::authz::Action;
use crate::communities::model::{self as communities, Community, Grid, Household};
use crate::db::write_tx;
use crate::error::AppError;
use crate::web::community::load_as;
use crate::web::ctx::Ctx;
use crate::web::forms::{FieldErrors, Uploaded};
use crate::web::{render, see_other, AppState};

/// Who imports: the committee, who keeps the roster (supervisors only read it).
const KEEP: Action = Action::ReviewJoinRequests;

/// What the preview shows and carries to the confirmation.
pub struct Preview {
    plan: Plan,
    /// The sheet as read, for the confirmation to read again.
    sheet: String,
    digest: String,
    grids: Vec<Grid>,
    households: Vec<Household>,
}

#[derive(Template)]
#[template(path = "roster/import.html")]
struct ImportPage {
    ctx: Ctx,
    community: Community,
    headers: Vec<&'static str>,
    errors: FieldErrors,
    notice: Option<String>,
    preview: Option<Preview>,
}

impl ImportPage {
    fn problem(&self, p: &Problem) -> String {
        let message = self
            .ctx
            .f(p.key, &[("value", &p.value), ("other", &p.other)]);
        let line = p.line.to_string();
        self.ctx.tr.f(
            "roster.import.at_line",
            &[("line", &line), ("message", &message)],
        )
    }

    /// A value of a changed field, as a person reads it.
    fn shown(&self, d: &Diff, v: &str) -> String {
        match d.field {
            "roster.sex_label" if !v.is_empty() => self.ctx.t(page::sex_key(v)).to_string(),
            "roster.status_label" => Status::parse(v)
                .map(|s| self.ctx.t(s.label_key()).to_string())
                .unwrap_or_default(),
            "roster.group" => self.grid_name(&v.parse().ok()),
            _ => v.to_string(),
        }
    }

    fn grid_name(&self, id: &Option<i64>) -> String {
        let grids = self.preview.as_ref().map_or(&[][..], |p| &p.grids[..]);
        page::grid_name(grids, *id)
    }

    fn line_no(&self, line: &usize) -> String {
        let line = line.to_string();
        self.ctx.tr.f("roster.import.line_no", &[("line", &line)])
    }

    fn house(&self, h: &HouseRef) -> String {
        let Some(p) = &self.preview else {
            return String::new();
        };
        match *h {
            HouseRef::Old(id) => page::household_label(&p.households, id),
            HouseRef::New(n) => p.plan.houses.get(n).map_or(String::new(), |h| {
                let label = if h.number.is_empty() {
                    &h.head
                } else {
                    &h.number
                };
                format!("{}{label}", self.ctx.t("roster.import.new_house"))
            }),
        }
    }
}

fn page_of(ctx: Ctx, community: Community) -> ImportPage {
    ImportPage {
        ctx,
        community,
        headers: HEADERS.iter().map(|(h, _)| *h).collect(),
        errors: FieldErrors::default(),
        notice: None,
        preview: None,
    }
}

/// The page again with one message about the file.
fn refused(ctx: Ctx, community: Community, message: String) -> Result<HttpResponse, AppError> {
    let mut p = page_of(ctx, community);
    p.errors.add("file", message);
    render(StatusCode::UNPROCESSABLE_ENTITY, &p)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    added: Option<usize>,
    changed: Option<usize>,
    households: Option<usize>,
}

pub async fn form(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let (community, _, _) = load_as(&state, &ctx, slug.into_inner(), KEEP).await?;
    let notice = match (q.added, q.changed, q.households) {
        (Some(a), Some(c), Some(h)) => Some(ctx.tr.f(
            "roster.import.done",
            &[
                ("added", &a.to_string()),
                ("changed", &c.to_string()),
                ("households", &h.to_string()),
            ],
        )),
        _ => None,
    };
    let mut p = page_of(ctx, community);
    p.notice = notice;
    render(StatusCode::OK, &p)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UploadForm {}

/// Reads the uploaded sheet and shows what importing it would change; writes nothing.
pub async fn preview(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    up: Uploaded<UploadForm>,
) -> Result<HttpResponse, AppError> {
    let Uploaded { ctx, files, .. } = up;
    let (community, _, me) = load_as(&state, &ctx, slug.into_inner(), KEEP).await?;
    let Some(file) = files.into_iter().find(|f| f.field == "file") else {
        let message = ctx.t("roster.import.err.no_file").to_string();
        return refused(ctx, community, message);
    };
    let sheet = match import::read(&file.bytes) {
        Ok(sheet) => sheet,
        Err(p) => {
            let message = ctx.tr.f(p.key(), &[("value", p.value())]);
            return refused(ctx, community, message);
        }
    };
    show(&state, ctx, community, me, sheet, None).await
}

/// Plans `sheet` against the roster and shows the preview, with `error` above it.
async fn show(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    me: i64,
    sheet: Sheet,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let k = keeper(state, &community, me);
    let cid = community.id;
    let json = serde_json::to_string(&sheet)
        .map_err(|e| AppError::Internal(format!("import sheet: {e}")))?;
    let (plan, grids, households) = state
        .db(move |conn| {
            Ok((
                service::plan_import(conn, &k, &sheet)?,
                communities::grids_of(conn, cid)?,
                model::households(conn, cid)?,
            ))
        })
        .await?;
    let mut p = page_of(ctx, community);
    let status = match error {
        Some(e) => {
            p.errors.add("file", e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    p.preview = Some(Preview {
        digest: plan.digest(),
        plan,
        sheet: json,
        grids,
        households,
    });
    render(status, &p)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConfirmForm {
    /// The sheet as the preview read it.
    sheet: String,
    /// The digest of the plan the preview showed.
    digest: String,
}

/// Writes the previewed import, all of it or nothing: if the roster changed since the
/// preview, the new plan is shown instead and nothing is written.
pub async fn confirm(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    up: Uploaded<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    let Uploaded { ctx, form, .. } = up;
    let (community, _, me) = load_as(&state, &ctx, slug.into_inner(), KEEP).await?;
    let sheet = serde_json::from_str::<Sheet>(&form.sheet)
        .ok()
        .filter(|s| !s.lines.is_empty() && s.lines.len() <= import::MAX_ROWS);
    let Some(sheet) = sheet else {
        let message = ctx.t("roster.import.err.copy").to_string();
        return refused(ctx, community, message);
    };
    let k = keeper(&state, &community, me);
    let (again, digest) = (sheet.clone(), form.digest);
    let result = state
        .db(move |conn| write_tx(conn, |conn| service::import(conn, &k, &sheet, &digest)))
        .await?;
    match result {
        Ok(done) => Ok(see_other(&format!(
            "/c/{}/roster/import?added={}&changed={}&households={}",
            community.slug, done.added, done.changed, done.households
        ))),
        Err(_) => {
            let message = ctx.t("roster.import.err.changed").to_string();
            show(&state, ctx, community, me, again, Some(message)).await
        }
    }
}
