//! The platform admin's working calendar (`/admin/holidays`): the State Council's public
//! holidays and make-up working days, by year, which the township's clock counts on. Each
//! addition and removal is a row of its own and a line of the action log.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::calendar::{self, Day};
use super::rules::{self, CalendarError, DayKind};
use crate::audit::{self, Entry};
use crate::authz::Action;
use crate::communities::admin::admin_actor;
use crate::db::write_tx;
use crate::error::AppError;
use crate::web::community::authorize;
use crate::web::ctx::Ctx;
use crate::web::forms::{text_field, FieldErrors, Posted};
use crate::web::{render, see_other, AppState};

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AddForm {
    pub day: String,
    pub kind: String,
    pub name: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RemoveForm {
    pub remove_day: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year: String,
    done: String,
}

/// A row of the year as the page shows it: the day added, and whether it was removed since.
pub struct Line {
    pub d: Day,
    pub removed: bool,
    /// Still to come (Beijing): it may be removed.
    pub removable: bool,
}

#[derive(Template)]
#[template(path = "township/holidays.html")]
struct HolidaysPage {
    ctx: Ctx,
    year: i32,
    lines: Vec<Line>,
    add: AddForm,
    remove: RemoveForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

/// The years the page offers: a few around the current one.
fn year_in_range(typed: &str, this_year: i32) -> i32 {
    typed
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or(this_year)
}

async fn page(
    state: &AppState,
    ctx: Ctx,
    year: i32,
    (add, remove): (AddForm, RemoveForm),
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Result<HttpResponse, AppError> {
    authorize(&ctx, &admin_actor(&ctx), Action::Administer)?;
    let today = crate::clock::local_day(state.clock.now());
    let rows = state
        .db(move |conn| Ok(calendar::year(conn, year)?))
        .await?;
    let removed: Vec<i64> = rows.iter().filter_map(|d| d.removes).collect();
    let lines = rows
        .into_iter()
        .filter(|d| d.removes.is_none())
        .map(|d| Line {
            removed: removed.contains(&d.id),
            removable: d.day > today,
            d,
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &HolidaysPage {
            ctx,
            year,
            lines,
            add,
            remove,
            errors,
            notice,
        },
    )
}

pub async fn holidays(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<YearQuery>,
) -> Result<HttpResponse, AppError> {
    let this_year = crate::clock::local_day(state.clock.now()).year();
    let notice = match q.done.as_str() {
        "added" => Some("holidays.done_added"),
        "removed" => Some("holidays.done_removed"),
        _ => None,
    };
    let year = year_in_range(&q.year, this_year);
    page(
        &state,
        ctx,
        year,
        Default::default(),
        FieldErrors::default(),
        notice,
    )
    .await
}

/// Adds a holiday or a make-up working day.
pub async fn add(state: web::Data<AppState>, p: Posted<AddForm>) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    authorize(&ctx, &admin_actor(&ctx), Action::Administer)?;
    let me = ctx.require_user()?.id;
    let now = state.clock.now();
    let this_year = crate::clock::local_day(now).year();
    let mut errors = FieldErrors::default();
    let day = rules::parse_day(&form.day)
        .map_err(|e| errors.add("day", ctx.t(e.message_key())))
        .ok();
    let kind = DayKind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind", ctx.t(CalendarError::BadKind.message_key()));
    }
    let name = match text_field(&form.name, 1, rules::MAX_NAME) {
        Ok(n) => Some(n),
        Err(crate::accounts::rules::FieldProblem::Empty) => {
            errors.add("name", ctx.t(CalendarError::NeedsName.message_key()));
            None
        }
        Err(e) => {
            errors.add("name", e.message(&ctx.tr));
            None
        }
    };
    let year = day.map_or(this_year, |d| d.year());
    let (Some(day), Some(kind), Some(name), true) = (day, kind, name, errors.is_empty()) else {
        return page(
            &state,
            ctx,
            year,
            (form, RemoveForm::default()),
            errors,
            None,
        )
        .await;
    };
    let done = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let cal = calendar::calendar(conn)?;
                if let Err(e) = rules::check_add(&cal, day) {
                    return Ok(Err(e));
                }
                calendar::add(conn, (day, kind, &name), me, now)?;
                let detail = format!("add {day} {} {name}", kind.as_str());
                log(conn, me, &detail, now)?;
                Ok(Ok(()))
            })
        })
        .await?;
    match done {
        Ok(()) => Ok(see_other(&format!(
            "/admin/holidays?year={year}&done=added"
        ))),
        Err(e) => {
            errors.add("day", ctx.t(e.message_key()));
            page(
                &state,
                ctx,
                year,
                (form, RemoveForm::default()),
                errors,
                None,
            )
            .await
        }
    }
}

/// Removes a day still to come.
pub async fn remove(
    state: web::Data<AppState>,
    p: Posted<RemoveForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    authorize(&ctx, &admin_actor(&ctx), Action::Administer)?;
    let me = ctx.require_user()?.id;
    let now = state.clock.now();
    let today = crate::clock::local_day(now);
    let parsed = rules::parse_day(&form.remove_day);
    let year = parsed.map_or(today.year(), |d: NaiveDate| d.year());
    let done = match parsed {
        Err(e) => Err(e),
        Ok(day) => {
            state
                .db(move |conn| {
                    write_tx(conn, |conn| {
                        let in_force = calendar::in_force(conn)?;
                        let cal = rules::Calendar::of(
                            in_force.iter().filter_map(|d| Some((d.day, d.kind()?))),
                        );
                        if let Err(e) = rules::check_remove(&cal, day, today) {
                            return Ok(Err(e));
                        }
                        let Some(d) = in_force.iter().find(|d| d.day == day) else {
                            return Ok(Err(CalendarError::NotThere));
                        };
                        calendar::remove(conn, d, me, now)?;
                        let detail = format!("remove {day} {} {}", d.kind, d.name);
                        log(conn, me, &detail, now)?;
                        Ok(Ok(()))
                    })
                })
                .await?
        }
    };
    match done {
        Ok(()) => Ok(see_other(&format!(
            "/admin/holidays?year={year}&done=removed"
        ))),
        Err(e) => {
            let mut errors = FieldErrors::default();
            errors.add("remove_day", ctx.t(e.message_key()));
            page(&state, ctx, year, (AddForm::default(), form), errors, None).await
        }
    }
}

/// The change's line in the action log (the calendar belongs to no community).
fn log(
    conn: &mut crate::db::AnyConnection,
    me: i64,
    detail: &str,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    audit::record(
        conn,
        &Entry {
            community_id: None,
            actor_id: me,
            action: audit::Action::Calendar,
            target_user_id: None,
            detail,
            reason: "",
        },
        now,
    )?;
    Ok(())
}
