//! Work-order pages: reporting a problem (随手拍), the community's list with its traffic
//! lights, the order page with its timeline and the moves each role may make, assignment,
//! rating, orders from a passed decision, and the echo wall (回音壁).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;

use super::model::{self, Filter, NewOrder, Order, CATEGORIES};
use super::rules::{self, Facts, Mover, Shown, State};
use crate::authz::{allows, Action, Actor, Role};
use crate::comments::model::Target;
use crate::comments::service::{load_thread, ThreadRows};
use crate::comments::view::{thread_view, ThreadView};
use crate::communities::handlers::{authorize, load_as, load_community};
use crate::communities::model::{self as communities, Community, Grid};
use crate::db::write_tx;
use crate::notifications::{notify, Notice};
use crate::web::ctx::Ctx;
use crate::web::error::AppError;
use crate::web::forms::{text_field, FieldErrors, Posted, Uploaded};
use crate::web::{render, see_other, AppState};

/// Orders per list page.
pub const PAGE_SIZE: i64 = 20;
/// Photos one report or completion may carry.
pub const MAX_PHOTOS: usize = 4;

// ---- reporting ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ReportForm {
    pub title: String,
    pub description: String,
    pub category: String,
    pub place: String,
    pub latitude: String,
    pub longitude: String,
    pub grid: String,
    pub anonymous: String,
}

#[derive(Template)]
#[template(path = "work_orders/new.html")]
struct NewPage {
    ctx: Ctx,
    community: Community,
    form: ReportForm,
    errors: FieldErrors,
    grids: Vec<Grid>,
    categories: [&'static str; 7],
}

pub async fn new_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (community, _, _) = load_as(&state, &ctx, slug.into_inner(), Action::ActAsResident).await?;
    let cid = community.id;
    let grids = state
        .db(move |conn| Ok(communities::grids_of(conn, cid)?))
        .await?;
    render(
        StatusCode::OK,
        &NewPage {
            ctx,
            community,
            form: ReportForm::default(),
            errors: FieldErrors::default(),
            grids,
            categories: CATEGORIES,
        },
    )
}

/// Reads optional coordinates: both or neither, within range.
fn coords(lat: &str, lon: &str) -> Result<Option<(f64, f64)>, ()> {
    match (lat.trim(), lon.trim()) {
        ("", "") => Ok(None),
        (a, b) => match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(a), Ok(b)) if (-90.0..=90.0).contains(&a) && (-180.0..=180.0).contains(&b) => {
                Ok(Some((a, b)))
            }
            _ => Err(()),
        },
    }
}

/// A verified resident reports a problem; it goes to the chosen (or default) grid's worker.
pub async fn create(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Uploaded<ReportForm>,
) -> Result<HttpResponse, AppError> {
    let Uploaded { ctx, form, files } = p;
    let (community, _, me) =
        load_as(&state, &ctx, slug.into_inner(), Action::ActAsResident).await?;
    let cid = community.id;
    let grids = state
        .db(move |conn| Ok(communities::grids_of(conn, cid)?))
        .await?;
    let mut errors = FieldErrors::default();
    let title = text_field(&form.title, 1, 80)
        .map_err(|e| errors.add("title", e.message(&ctx.tr)))
        .ok();
    let description = text_field(&form.description, 1, 5000)
        .map_err(|e| errors.add("description", e.message(&ctx.tr)))
        .ok();
    let place = text_field(&form.place, 1, 200)
        .map_err(|e| errors.add("place", e.message(&ctx.tr)))
        .ok();
    if !CATEGORIES.contains(&form.category.as_str()) {
        errors.add("category", ctx.t("orders.err_category"));
    }
    let coords = coords(&form.latitude, &form.longitude)
        .map_err(|_| errors.add("latitude", ctx.t("orders.err_coords")))
        .ok()
        .flatten();
    let grid = match form.grid.trim() {
        "" => None,
        g => match g
            .parse::<i64>()
            .ok()
            .filter(|g| grids.iter().any(|x| x.id == *g))
        {
            Some(g) => Some(g),
            None => {
                errors.add("grid", ctx.t("orders.err_grid"));
                None
            }
        },
    };
    if files.len() > MAX_PHOTOS {
        errors.add(
            "photos",
            ctx.f("photos.err_count", &[("n", &MAX_PHOTOS.to_string())]),
        );
    }
    // Photos are the heavy part of a report: a resident sending too many is told to wait
    // before any of them is decoded.
    if errors.is_empty() && !files.is_empty() {
        let now = state.clock.now();
        let since = now - chrono::Duration::seconds(rules::PHOTO_REPORT_WINDOW_SECS);
        let recent = state
            .db(move |conn| Ok(model::recent_photo_reports(conn, me, since)?))
            .await?;
        if let Some(wait) = rules::photo_report_wait(&recent, now) {
            errors.add(
                "photos",
                ctx.f("orders.err_photo_rate", &[("n", &wait.to_string())]),
            );
        }
    }
    let photos = if errors.is_empty() && !files.is_empty() {
        match crate::uploads::store_all(&state, files).await? {
            Ok(names) => names,
            Err(key) => {
                errors.add("photos", ctx.t(key));
                Vec::new()
            }
        }
    } else {
        Vec::new()
    };
    let (Some(title), Some(description), Some(place), true) =
        (title, description, place, errors.is_empty())
    else {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewPage {
                ctx,
                community,
                form,
                errors,
                grids,
                categories: CATEGORIES,
            },
        );
    };
    let (category, anonymous, now) = (
        form.category.clone(),
        form.anonymous == "on",
        state.clock.now(),
    );
    let slug = community.slug.clone();
    let id = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let grid = match grid {
                    Some(g) => Some(g),
                    None => model::default_grid(conn, cid)?,
                };
                let hours = model::limit_hours(conn, cid, &category)?;
                let id = model::insert(
                    conn,
                    &NewOrder {
                        community_id: cid,
                        source: model::SOURCE_REPORT,
                        decision_id: None,
                        title: &title,
                        description: &description,
                        category: &category,
                        place: &place,
                        coords,
                        grid_id: grid,
                        reporter_id: Some(me),
                        anonymous,
                        budget_yuan: None,
                        override_reason: "",
                        due_at: rules::due_at(now, hours),
                    },
                    Some(me),
                    now,
                )?;
                let order = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
                for name in &photos {
                    model::add_photo(conn, &order, model::BEFORE, name, me, now)?;
                }
                // Routing: the grid's worker takes it, if the grid has one.
                if let Some(worker) = grid
                    .map(|g| model::grid_worker(conn, cid, g))
                    .transpose()?
                    .flatten()
                {
                    model::assign(conn, &order, worker, None, "routed", now)?;
                    tell(conn, &slug, &order, worker, "order_assigned", now)?;
                }
                Ok(id)
            })
        })
        .await?;
    Ok(see_other(&format!(
        "/c/{}/orders/{id}?done=reported",
        community.slug
    )))
}

fn tell(
    conn: &mut crate::db::AnyConnection,
    slug: &str,
    order: &Order,
    user: i64,
    kind: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    notify(
        conn,
        &Notice {
            user_id: user,
            community_id: Some(order.community_id),
            kind,
            subject: &order.title,
            detail: "",
            link: &format!("/c/{slug}/orders/{}", order.id),
        },
        now,
    )?;
    Ok(())
}

// ---- the list ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    filter: String,
    before: String,
}

#[derive(Template)]
#[template(path = "work_orders/list.html")]
struct ListPage {
    ctx: Ctx,
    community: Community,
    /// Each order with its traffic light ("done" when closed).
    orders: Vec<(Order, &'static str)>,
    filter: &'static str,
    /// (filter, label key, shown now)
    tabs: Vec<(&'static str, &'static str, bool)>,
    next: Option<i64>,
    can_report: bool,
    can_configure: bool,
}

pub async fn list(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let (community, actor) = load_community(&state, &ctx, slug.into_inner()).await?;
    let (filter, key) = match q.filter.as_str() {
        "done" => (Filter::Done, "done"),
        "all" => (Filter::All, "all"),
        _ => (Filter::Open, "open"),
    };
    let before = q.before.parse::<i64>().ok();
    let cid = community.id;
    let orders = state
        .db(move |conn| Ok(model::list(conn, cid, filter, before, PAGE_SIZE)?))
        .await?;
    let next = (orders.len() as i64 == PAGE_SIZE)
        .then(|| orders.last().map(|o| o.id))
        .flatten();
    let now = state.clock.now();
    let orders = orders
        .into_iter()
        .map(|o| {
            let light = o.light_class(&now);
            (o, light)
        })
        .collect();
    render(
        StatusCode::OK,
        &ListPage {
            can_report: allows(&actor, Action::ActAsResident),
            can_configure: allows(&actor, Action::ConfigureCommunity),
            tabs: [
                ("open", "orders.filter_open"),
                ("done", "orders.filter_done"),
                ("all", "orders.filter_all"),
            ]
            .into_iter()
            .map(|(k, l)| (k, l, k == key))
            .collect(),
            ctx,
            community,
            orders,
            filter: key,
            next,
        },
    )
}

// ---- the order page ----

struct MoveView {
    to: &'static str,
    key: String,
    needs_photo: bool,
}

#[derive(Template)]
#[template(path = "work_orders/order.html")]
struct OrderPage {
    ctx: Ctx,
    community: Community,
    o: Order,
    reporter: String,
    assignee: String,
    grid: String,
    timeline: Vec<model::EventRow>,
    before: Vec<String>,
    after: Vec<String>,
    moves: Vec<MoveView>,
    can_assign: bool,
    can_rate: bool,
    /// (user, name, the current assignee) for the assignment form.
    assignable: Vec<(i64, String, bool)>,
    light_class: &'static str,
    light_key: String,
    coords: Option<String>,
    follow_up: bool,
    thread: ThreadView,
    can_comment: bool,
    can_manage: bool,
    comment_body: String,
    /// Text typed into the move, assign or rate form, shown again when it was refused.
    kept: Kept,
    /// The order's leaf in the transparency log.
    log_index: Option<i64>,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

/// What was typed into one of the order page's forms (`form`: "comment", "assign", "rate" or
/// "move-STATE"), shown again with the refusal.
#[derive(Default)]
pub struct Kept {
    pub form: String,
    pub text: String,
}

impl Kept {
    /// The text kept for `form`, or nothing.
    pub fn on(&self, form: &str) -> &str {
        if self.form == form {
            &self.text
        } else {
            ""
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OrderQuery {
    done: String,
}

/// The roles `me` plays on an order.
fn movers(actor: &Actor, me: Option<i64>, o: &Order) -> Vec<Mover> {
    let mut out = Vec::new();
    if me.is_some() && me == o.assignee_id {
        out.push(Mover::Assignee);
    }
    if me.is_some() && me == o.reporter_id {
        out.push(Mover::Reporter);
    }
    if allows(actor, Action::ManageAgenda) {
        out.push(Mover::Committee);
    }
    out
}

#[allow(clippy::too_many_arguments)]
async fn order_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: Actor,
    id: i64,
    errors: FieldErrors,
    notice: Option<&'static str>,
    status: StatusCode,
    kept: Kept,
) -> Result<HttpResponse, AppError> {
    let cid = community.id;
    let committee = allows(&actor, Action::ManageAgenda);
    let target = Target::Order(id);
    let (o, timeline, photos, names, grids, assignable, rows, flags, log_index) = state
        .db(move |conn| {
            let o = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
            let timeline = model::timeline(conn, id)?;
            let ThreadRows { rows, flags } = load_thread(conn, target)?;
            let photos = model::photos(conn, id)?;
            let ids: Vec<i64> = [o.reporter_id, o.assignee_id]
                .into_iter()
                .flatten()
                .collect();
            let names = crate::accounts::model::names(conn, &ids)?;
            let grids = communities::grids_of(conn, cid)?;
            let assignable = if committee {
                model::assignable(conn, cid)?
            } else {
                Vec::new()
            };
            let log_index = crate::transparency::log::index_of(
                conn,
                crate::transparency::log::Kind::OrderCreated,
                id,
            )?;
            Ok((
                o, timeline, photos, names, grids, assignable, rows, flags, log_index,
            ))
        })
        .await?;
    let me = ctx.user_id();
    let name = |id: Option<i64>| {
        id.and_then(|i| names.iter().find(|(n, _)| *n == i).map(|(_, s)| s.clone()))
            .unwrap_or_default()
    };
    let privacy = o.privacy();
    let viewer = rules::Viewer {
        user_id: me,
        committee,
    };
    let anonymous = ctx.t("orders.anonymous").to_string();
    let hidden = |person: Option<i64>| rules::shown(privacy, person, viewer) == Shown::Anonymous;
    let reporter = if o.reporter_id.is_none() {
        ctx.t(if o.source == model::SOURCE_DECISION {
            "orders.from_decision"
        } else {
            "orders.from_api"
        })
        .to_string()
    } else if hidden(o.reporter_id) {
        anonymous.clone()
    } else {
        name(o.reporter_id)
    };
    // An anonymous reporter's own steps (the report, a confirmation) and what they write in
    // the thread do not name them either.
    let timeline = timeline
        .into_iter()
        .map(|mut e| {
            if hidden(e.actor_id) {
                e.actor = Some(anonymous.clone());
            }
            e
        })
        .collect();
    let rows = rows
        .into_iter()
        .map(|mut r| {
            if hidden(Some(r.comment.author_id)) {
                r.author = anonymous.clone();
            }
            r
        })
        .collect();
    let thread = thread_view(&ctx, &actor, &community, target, ThreadRows { rows, flags });
    let roles = movers(&actor, me, &o);
    let mut moves: Vec<MoveView> = Vec::new();
    for m in &roles {
        for to in rules::offered(o.state(), *m, o.reporter_id.is_some()) {
            if !moves.iter().any(|x| x.to == to.as_str()) {
                moves.push(MoveView {
                    to: to.as_str(),
                    key: format!("orders.move_{}", to.as_str()),
                    needs_photo: *to == State::Completed,
                });
            }
        }
    }
    let now = state.clock.now();
    let (before, after) =
        photos
            .into_iter()
            .fold((Vec::new(), Vec::new()), |(mut b, mut a), (k, n)| {
                if k == model::AFTER {
                    a.push(n)
                } else {
                    b.push(n)
                }
                (b, a)
            });
    render(
        status,
        &OrderPage {
            reporter,
            assignee: name(o.assignee_id),
            grid: grids
                .iter()
                .find(|g| Some(g.id) == o.grid_id)
                .map(|g| g.name.clone())
                .unwrap_or_default(),
            can_assign: committee && o.state().is_open(),
            can_rate: me.is_some()
                && me == o.reporter_id
                && o.rating.is_none()
                && matches!(o.state(), State::Completed | State::Confirmed),
            follow_up: o
                .rating
                .is_some_and(|r| rules::needs_follow_up(i64::from(r))),
            light_class: o.light_class(&now),
            light_key: format!("orders.light_{}", o.light_class(&now)),
            coords: o
                .latitude
                .zip(o.longitude)
                .map(|(a, b)| format!("{a:.5}, {b:.5}")),
            assignable: assignable
                .into_iter()
                .map(|(id, n)| (id, n, Some(id) == o.assignee_id))
                .collect(),
            can_comment: allows(&actor, Action::Comment),
            can_manage: committee,
            thread,
            comment_body: kept.on("comment").to_string(),
            kept,
            log_index,
            ctx,
            community,
            timeline,
            before,
            after,
            moves,
            o,
            errors,
            notice,
        },
    )
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    q: web::Query<OrderQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, actor) = load_community(&state, &ctx, slug).await?;
    let notice = match q.done.as_str() {
        "reported" => Some("orders.done_reported"),
        "moved" => Some("orders.done_moved"),
        "assigned" => Some("orders.done_assigned"),
        "rated" => Some("orders.done_rated"),
        "created" => Some("orders.done_created"),
        "commented" => Some("agenda.done_commented"),
        "flagged" => Some("agenda.done_flagged"),
        "hidden" => Some("agenda.done_hidden"),
        "edited" => Some("agenda.done_edited"),
        _ => None,
    };
    order_page(
        &state,
        ctx,
        community,
        actor,
        id,
        FieldErrors::default(),
        notice,
        StatusCode::OK,
        Kept::default(),
    )
    .await
}

async fn refuse(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: Actor,
    id: i64,
    message: String,
) -> Result<HttpResponse, AppError> {
    refuse_keeping(state, ctx, community, actor, id, message, Kept::default()).await
}

/// The order page again with the message of a refused form and what was typed into it (422).
async fn refuse_keeping(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: Actor,
    id: i64,
    message: String,
    kept: Kept,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    errors.add("order", message);
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    order_page(state, ctx, community, actor, id, errors, None, status, kept).await
}

/// The order page again with a refused comment's message and its text kept (422).
pub async fn refuse_comment(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: Actor,
    id: i64,
    message: String,
    kept: String,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    errors.add("comment", message);
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let kept = Kept {
        form: "comment".into(),
        text: kept,
    };
    order_page(state, ctx, community, actor, id, errors, None, status, kept).await
}

/// "Note: too long, at most 2000 characters." — the field's label, then the problem.
fn too_long(ctx: &Ctx, label: &str, e: crate::accounts::rules::FieldProblem) -> String {
    format!("{}：{}", ctx.t(label), e.message(&ctx.tr))
}

/// Who was answered, for the redirect or the refusal that follows a form.
struct Refusal {
    ctx: Ctx,
    community: Community,
    actor: Actor,
    id: i64,
}

/// Sends the user back to the order with a `done` notice, or shows the order page with the
/// message of the refusal.
async fn answer(
    state: &AppState,
    on: Refusal,
    result: Result<(), &'static str>,
    done: &str,
) -> Result<HttpResponse, AppError> {
    let Refusal {
        ctx,
        community,
        actor,
        id,
    } = on;
    match result {
        Ok(()) => Ok(see_other(&format!(
            "/c/{}/orders/{id}?done={done}",
            community.slug
        ))),
        Err(key) => {
            let msg = ctx.t(key).to_string();
            refuse(state, ctx, community, actor, id, msg).await
        }
    }
}

// ---- moves ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    pub to: String,
    pub note: String,
}

/// A state change by whoever may make it: the assignee acknowledges and completes (with a
/// note and an after-photo), the reporter confirms or reopens, the committee accepts work
/// from a decision.
pub async fn move_order(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Uploaded<MoveForm>,
) -> Result<HttpResponse, AppError> {
    let Uploaded { ctx, form, files } = p;
    let (slug, id) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, Action::ViewOwnAccount).await?;
    let cid = community.id;
    let order = state
        .db(move |conn| model::find(conn, cid, id)?.ok_or(AppError::NotFound))
        .await?;
    let note = match text_field(&form.note, 0, 2000) {
        Ok(n) => n,
        Err(e) => {
            let msg = too_long(&ctx, "orders.note", e);
            let kept = Kept {
                form: format!("move-{}", form.to.trim()),
                text: form.note,
            };
            return refuse_keeping(&state, ctx, community, actor, id, msg, kept).await;
        }
    };
    let Some(to) = State::parse(&form.to) else {
        let msg = ctx.t("orders.err_move").to_string();
        return refuse(&state, ctx, community, actor, id, msg).await;
    };
    if files.len() > MAX_PHOTOS {
        let msg = ctx.f("photos.err_count", &[("n", &MAX_PHOTOS.to_string())]);
        return refuse(&state, ctx, community, actor, id, msg).await;
    }
    let now = state.clock.now();
    let facts = Facts {
        has_note: !note.is_empty(),
        after_photos: files.len(),
        has_assignee: order.assignee_id.is_some(),
        has_reporter: order.reporter_id.is_some(),
        completed_at: order.completed_at,
        now: Some(now),
    };
    let roles = movers(&actor, Some(me), &order);
    if roles.is_empty() {
        return Err(AppError::Forbidden);
    }
    let checked: Vec<_> = roles
        .iter()
        .map(|m| rules::check_move(order.state(), to, *m, facts))
        .collect();
    if !checked.iter().any(Result::is_ok) {
        let key = checked
            .iter()
            .filter_map(|r| r.err())
            .find(|e| *e != rules::MoveError::NotAllowed)
            .unwrap_or(rules::MoveError::NotAllowed)
            .message_key();
        let msg = ctx.t(key).to_string();
        return refuse(&state, ctx, community, actor, id, msg).await;
    }
    let photos = if files.is_empty() {
        Vec::new()
    } else {
        match crate::uploads::store_all(&state, files).await? {
            Ok(names) => names,
            Err(key) => {
                let msg = ctx.t(key).to_string();
                return refuse(&state, ctx, community, actor, id, msg).await;
            }
        }
    };
    let from = order.state();
    let slug = community.slug.clone();
    let moved = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                if !model::move_to(conn, &order, from, to, Some(me), &note, now)? {
                    return Ok(false);
                }
                let kind = if to == State::Completed {
                    model::AFTER
                } else {
                    model::BEFORE
                };
                for name in &photos {
                    model::add_photo(conn, &order, kind, name, me, now)?;
                }
                // The reporter hears of every step; the assignee of a reopening.
                let told = match to {
                    State::Reopened => order.assignee_id,
                    _ => order.reporter_id,
                };
                if let Some(user) = told.filter(|u| *u != me) {
                    tell(
                        conn,
                        &slug,
                        &order,
                        user,
                        &format!("order_{}", to.as_str()),
                        now,
                    )?;
                }
                Ok(true)
            })
        })
        .await?;
    if !moved {
        let msg = ctx.t("orders.err_moved_meanwhile").to_string();
        return refuse(&state, ctx, community, actor, id, msg).await;
    }
    Ok(see_other(&format!(
        "/c/{}/orders/{id}?done=moved",
        community.slug
    )))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AssignForm {
    pub assignee: String,
    pub note: String,
}

/// The committee assigns or reassigns an open order, with a note.
pub async fn assign(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<AssignForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, id) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let (cid, now, slug) = (community.id, state.clock.now(), community.slug.clone());
    let assignee = form.assignee.trim().parse::<i64>().ok();
    let note = match text_field(&form.note, 0, 2000) {
        Ok(n) => n,
        Err(e) => {
            let msg = too_long(&ctx, "orders.assign_note", e);
            let kept = Kept {
                form: "assign".into(),
                text: form.note,
            };
            return refuse_keeping(&state, ctx, community, actor, id, msg, kept).await;
        }
    };
    let result = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let order = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
                let allowed = model::assignable(conn, cid)?;
                let Some(user) = assignee.filter(|a| allowed.iter().any(|(u, _)| u == a)) else {
                    return Ok(Err("orders.err_assignee"));
                };
                if !order.state().is_open() {
                    return Ok(Err("orders.err_move"));
                }
                if order.assignee_id.is_some() && note.is_empty() {
                    return Ok(Err("orders.err_reassign_note"));
                }
                model::assign(conn, &order, user, Some(me), &note, now)?;
                tell(conn, &slug, &order, user, "order_assigned", now)?;
                Ok(Ok(()))
            })
        })
        .await?;
    let on = Refusal {
        ctx,
        community,
        actor,
        id,
    };
    answer(&state, on, result, "assigned").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RateForm {
    pub rating: String,
    pub comment: String,
}

/// The reporter rates finished work, 1 to 5, once; 1 or 2 asks the committee to follow up.
pub async fn rate(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<RateForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, id) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, Action::ViewOwnAccount).await?;
    let (cid, now, slug) = (community.id, state.clock.now(), community.slug.clone());
    let rating = form
        .rating
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|r| rules::valid_rating(*r));
    let comment = match text_field(&form.comment, 0, 1000) {
        Ok(c) => c,
        Err(e) => {
            let msg = too_long(&ctx, "orders.rating_comment", e);
            let kept = Kept {
                form: "rate".into(),
                text: form.comment,
            };
            return refuse_keeping(&state, ctx, community, actor, id, msg, kept).await;
        }
    };
    let result = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let order = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
                if order.reporter_id != Some(me) {
                    return Ok(Err("orders.err_not_reporter"));
                }
                if !matches!(order.state(), State::Completed | State::Confirmed) {
                    return Ok(Err("orders.err_rate_state"));
                }
                let Some(r) = rating else {
                    return Ok(Err("orders.err_rating"));
                };
                if !model::rate(conn, &order, r as i32, &comment, now)? {
                    return Ok(Err("orders.err_rated"));
                }
                if rules::needs_follow_up(r) {
                    for user in super::jobs::holders(conn, cid, Role::Committee)? {
                        tell(conn, &slug, &order, user, "order_follow_up", now)?;
                    }
                }
                Ok(Ok(()))
            })
        })
        .await?;
    let on = Refusal {
        ctx,
        community,
        actor,
        id,
    };
    answer(&state, on, result, "rated").await
}

// ---- from a decision ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionOrderForm {
    pub title: String,
    pub description: String,
    pub budget: String,
    pub due: String,
    /// An emergency: why the order goes ahead though the power list refuses its budget.
    pub override_reason: String,
}

/// The committee turns a passed decision into a work order with a budget and a due date.
pub async fn from_decision(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<DecisionOrderForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, decision_id) = path.into_inner();
    let (community, _, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let now = state.clock.now();
    let title = text_field(&form.title, 1, 80).ok();
    let description = text_field(&form.description, 0, 5000);
    let slug = community.slug.clone();
    let budget = match form.budget.trim() {
        "" => Ok(None),
        b => b.parse::<i64>().map(Some).map_err(|_| ()),
    };
    let due = chrono::NaiveDate::parse_from_str(form.due.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(15, 59, 59)); // the end of that day in Beijing
    let today = (now + chrono::Duration::hours(8)).date();
    let problem = match (&title, &budget, due) {
        (None, _, _) => Some(ctx.t("orders.err_title").to_string()),
        (_, Err(()), _) => Some(ctx.t("orders.err_budget").to_string()),
        (_, Ok(Some(b)), _) if !rules::budget_ok(*b) => Some(ctx.f(
            "orders.err_budget_range",
            &[("max", &rules::MAX_BUDGET_YUAN.to_string())],
        )),
        (_, _, None) => Some(ctx.t("orders.err_due").to_string()),
        (_, _, Some(d)) if d <= now => Some(ctx.t("orders.err_due_past").to_string()),
        (_, _, Some(d)) if !crate::disclosures::rules::near_today(d.date(), today) => {
            Some(ctx.t("orders.err_due_far").to_string())
        }
        _ => description
            .as_ref()
            .err()
            .map(|e| too_long(&ctx, "orders.description", *e)),
    };
    if let Some(message) = problem {
        let order = crate::ballots::service::OrderDraft {
            title: form.title,
            description: form.description,
            budget: form.budget,
            due: form.due,
            override_reason: form.override_reason,
        };
        let r = crate::ballots::service::Refused {
            message,
            order,
            note: String::new(),
        };
        return crate::ballots::decision::refused(&state, ctx, slug, decision_id, r).await;
    }
    let override_reason = form.override_reason.clone();
    let description = description.unwrap_or_default();
    let cid = community.id;
    let result = {
        let title = title.unwrap_or_default();
        let budget = budget.unwrap_or_default();
        let due = due.unwrap_or(now);
        state
            .db(move |conn| {
                write_tx(conn, |conn| {
                    let Some(d) = crate::ballots::model::decision(conn, cid, decision_id)? else {
                        return Err(AppError::NotFound);
                    };
                    if !d.passed() {
                        return Ok(Err("order_error=err_not_passed".to_string()));
                    }
                    // A budget above the power list's threshold needs this decision to
                    // be of a body high enough; a refusal is kept for the supervisors,
                    // unless the committee declares an emergency with a written reason.
                    let emergency = match budget_check(
                        conn,
                        cid,
                        &d,
                        budget.unwrap_or(0),
                        &title,
                        &override_reason,
                        me,
                        now,
                    )? {
                        BudgetCheck::Allowed => String::new(),
                        BudgetCheck::Emergency(reason) => reason,
                        BudgetCheck::Refused(id) => return Ok(Err(format!("refusal={id}"))),
                        BudgetCheck::BadReason => {
                            return Ok(Err("order_error=err_override".to_string()))
                        }
                    };
                    let id = model::insert(
                        conn,
                        &NewOrder {
                            community_id: cid,
                            source: model::SOURCE_DECISION,
                            decision_id: Some(d.id),
                            title: &title,
                            description: &description,
                            category: "other",
                            place: "",
                            coords: None,
                            grid_id: None,
                            reporter_id: None,
                            anonymous: false,
                            budget_yuan: budget,
                            override_reason: &emergency,
                            due_at: due,
                        },
                        Some(me),
                        now,
                    )?;
                    if !emergency.is_empty() {
                        tell_supervisors_of_emergency(conn, cid, &slug, id, &title, now)?;
                    }
                    // The item goes from passed to implementing with its first order.
                    // Later orders find it implementing already and leave it there.
                    if let Some(item) = crate::agenda::model::find(conn, cid, d.item_id)? {
                        let note = format!("#{id}");
                        let m = crate::agenda::service::Move {
                            item: &item,
                            to: crate::agenda::rules::Stage::Implementing,
                            mover: crate::agenda::rules::Mover::WorkOrder,
                            by: Some(me),
                            note: &note,
                        };
                        let _ = crate::agenda::service::advance(conn, &m, now)?;
                    }
                    Ok(Ok(id))
                })
            })
            .await?
    };
    match result {
        Ok(id) => Ok(see_other(&format!(
            "/c/{}/orders/{id}?done=created",
            community.slug
        ))),
        Err(query) => Ok(see_other(&format!(
            "/c/{}/decisions/{decision_id}?{query}",
            community.slug,
        ))),
    }
}

/// What the power list says of a work order's budget.
enum BudgetCheck {
    Allowed,
    /// Refused, but the committee declared an emergency with this reason.
    Emergency(String),
    /// Refused; the stored refusal's id.
    Refused(i64),
    /// An emergency was declared with a reason too short (or too long).
    BadReason,
}

/// Checks a work order's budget (yuan) against the power list, citing the decision it comes
/// from. A refusal is stored, unless `override_reason` declares an emergency.
#[allow(clippy::too_many_arguments)]
fn budget_check(
    conn: &mut crate::db::AnyConnection,
    cid: i64,
    d: &crate::ballots::model::Decision,
    budget_yuan: i64,
    title: &str,
    override_reason: &str,
    me: i64,
    now: NaiveDateTime,
) -> Result<BudgetCheck, AppError> {
    use crate::projects::{model as projects, rules as power};
    let amount = budget_yuan.saturating_mul(100);
    let powers = crate::projects::spending::rules_of(&projects::current_powers(conn, cid)?);
    let cited = power::CitedDecision {
        id: d.id,
        body: power::Body::parse(&d.body).unwrap_or(power::Body::Committee),
        passed: d.passed(),
    };
    let refusal = match power::check_spend(
        amount,
        power::SpendKind::WorkOrderBudget,
        &powers,
        Some(&cited),
    ) {
        Ok(_) => return Ok(BudgetCheck::Allowed),
        Err(r) => r,
    };
    if !override_reason.trim().is_empty() {
        return Ok(match power::check_override(override_reason) {
            Ok(reason) => BudgetCheck::Emergency(reason),
            Err(_) => BudgetCheck::BadReason,
        });
    }
    Ok(BudgetCheck::Refused(projects::insert_refusal(
        conn,
        &projects::NewRefusal {
            community_id: cid,
            project_id: None,
            kind: power::SpendKind::WorkOrderBudget,
            amount_fen: amount,
            payee: title,
            refusal: &refusal,
        },
        me,
        now,
    )?))
}

/// Every supervisor of the community hears of an order made in an emergency.
fn tell_supervisors_of_emergency(
    conn: &mut crate::db::AnyConnection,
    cid: i64,
    slug: &str,
    order_id: i64,
    title: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    for user in super::jobs::holders(conn, cid, Role::Supervisor)? {
        notify(
            conn,
            &Notice {
                user_id: user,
                community_id: Some(cid),
                kind: "order_override",
                subject: title,
                detail: "",
                link: &format!("/c/{slug}/orders/{order_id}"),
            },
            now,
        )?;
    }
    Ok(())
}

// ---- the echo wall ----

pub struct EchoCard {
    pub o: Order,
    pub before: Option<String>,
    pub after: Option<String>,
    pub note: String,
}

#[derive(Template)]
#[template(path = "work_orders/echo.html")]
struct EchoPage {
    ctx: Ctx,
    community: Community,
    cards: Vec<EchoCard>,
}

/// 回音壁: finished work with before and after photos, the resolution note and the rating.
pub async fn echo(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (community, actor) = load_community(&state, &ctx, slug.into_inner()).await?;
    authorize(&ctx, &actor, Action::ViewPublic)?;
    let cid = community.id;
    let (orders, photos, notes) = state
        .db(move |conn| {
            let orders = model::echo_wall(conn, cid, 50)?;
            let ids: Vec<i64> = orders.iter().map(|o| o.id).collect();
            let photos = model::cover_photos(conn, &ids)?;
            Ok((orders, photos, model::completion_notes(conn, &ids)?))
        })
        .await?;
    let first = |id: i64, kind: &str| {
        photos
            .iter()
            .find(|(o, k, _)| *o == id && k == kind)
            .map(|(_, _, n)| n.clone())
    };
    let cards = orders
        .into_iter()
        .map(|o| EchoCard {
            before: first(o.id, model::BEFORE),
            after: first(o.id, model::AFTER),
            note: notes
                .iter()
                .rev()
                .find(|(id, _)| *id == o.id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            o,
        })
        .collect();
    render(
        StatusCode::OK,
        &EchoPage {
            ctx,
            community,
            cards,
        },
    )
}

/// A timeline note as shown: the words the system wrote ("routed", "escalated",
/// "auto_confirmed") in the reader's language, people's notes as they wrote them.
pub fn note_text(ctx: &Ctx, note: &str) -> String {
    match note {
        "routed" | "escalated" | "auto_confirmed" => {
            ctx.t(&format!("orders.note_{note}")).to_string()
        }
        other => other.to_string(),
    }
}
