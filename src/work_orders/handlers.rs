//! Work-order pages: reporting a problem (随手拍), the community's list with its traffic
//! lights, the order page with its timeline and the moves each role may make, assignment,
//! rating, orders from a passed decision, and the echo wall (回音壁). Every change of an
//! order's state goes through `service::change`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::model::{self, Filter, NewOrder, Order, CATEGORIES};
use super::page::{
    Answer, EchoCard, EchoPage, Kept, ListPage, MoveView, NewPage, OrderPage, ReportForm,
};
use super::rules::{self, Mover, Shown, State};
use super::service::{self, Change, FromDecision, Opening, Rating, Step};
use crate::authz::{allows, Action, Actor};
use crate::comments::model::{self as comments, Target};
use crate::comments::view::{thread_view, ThreadView};
use crate::communities::model::{self as communities, Community, Grid};
use crate::db::write_tx;
use crate::error::AppError;
use crate::web::community::{authorize, load_as, load_community};
use crate::web::ctx::Ctx;
use crate::web::forms::{text_field, FieldErrors, Posted, Uploaded};
use crate::web::{render, see_other, AppState};

/// Orders per list page.
pub const PAGE_SIZE: i64 = 20;
/// Photos one report or completion may carry.
pub const MAX_PHOTOS: usize = 4;

// ---- reporting ----

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

/// A report's fields as read from its form.
struct Report {
    title: String,
    description: String,
    place: String,
    coords: Option<(f64, f64)>,
    grid: Option<i64>,
}

/// Reads a report, or the errors to show with it.
fn read_report(
    ctx: &Ctx,
    form: &ReportForm,
    grids: &[Grid],
    errors: &mut FieldErrors,
) -> Option<Report> {
    let mut field = |name: &'static str, v: &str, max| {
        text_field(v, 1, max)
            .map_err(|e| errors.add(name, e.named(&ctx.tr, &format!("err.field_{name}"))))
            .ok()
    };
    let title = field("title", &form.title, 80);
    let description = field("description", &form.description, 5000);
    let place = field("place", &form.place, 200);
    if !CATEGORIES.contains(&form.category.as_str()) {
        errors.add("category", ctx.t("orders.err_category"));
    }
    let coords = coords(&form.latitude, &form.longitude)
        .map_err(|_| errors.add("latitude", ctx.t("orders.err_coords")))
        .ok()
        .flatten();
    let grid = match form.grid.trim() {
        "" => None,
        g => g
            .parse::<i64>()
            .ok()
            .filter(|g| grids.iter().any(|x| x.id == *g))
            .or_else(|| {
                errors.add("grid", ctx.t("orders.err_grid"));
                None
            }),
    };
    Some(Report {
        title: title?,
        description: description?,
        place: place?,
        coords,
        grid,
    })
}

/// Checks and stores a report's photos: at most [`MAX_PHOTOS`], and a resident sending too
/// many reports with photos is told to wait before any of them is decoded.
async fn report_photos(
    state: &AppState,
    ctx: &Ctx,
    me: i64,
    files: Vec<crate::uploads::UploadedFile>,
    errors: &mut FieldErrors,
) -> Result<Vec<String>, AppError> {
    if files.len() > MAX_PHOTOS {
        errors.add(
            "photos",
            ctx.f("photos.err_count", &[("n", &MAX_PHOTOS.to_string())]),
        );
    }
    if !errors.is_empty() || files.is_empty() {
        return Ok(Vec::new());
    }
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
        return Ok(Vec::new());
    }
    Ok(match crate::uploads::store_all(state, files).await? {
        Ok(names) => names,
        Err(key) => {
            errors.add("photos", ctx.t(key));
            Vec::new()
        }
    })
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
    let report = read_report(&ctx, &form, &grids, &mut errors);
    let photos = report_photos(&state, &ctx, me, files, &mut errors).await?;
    let Some(r) = report.filter(|_| errors.is_empty()) else {
        let page = NewPage {
            ctx,
            community,
            form,
            errors,
            grids,
            categories: CATEGORIES,
        };
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let (anonymous, now) = (form.anonymous == "on", state.clock.now());
    let slug = community.slug.clone();
    let id = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                // "Not sure" (no grid) waits for the committee to route it.
                let grid = r.grid;
                let hours = model::limit_hours(conn, cid, &form.category)?;
                let opening = Opening {
                    order: NewOrder {
                        community_id: cid,
                        source: model::SOURCE_REPORT,
                        decision_id: None,
                        title: &r.title,
                        description: &r.description,
                        category: &form.category,
                        place: &r.place,
                        coords: r.coords,
                        grid_id: grid,
                        reporter_id: Some(me),
                        anonymous,
                        budget_yuan: None,
                        override_reason: "",
                        due_at: rules::due_at(now, hours),
                    },
                    slug: &slug,
                    photos: &photos,
                    route: true,
                    actor: Some(me),
                    now,
                };
                Ok(service::open(conn, &opening)?.id)
            })
        })
        .await?;
    Ok(see_other(&format!(
        "/c/{}/orders/{id}?done=reported",
        community.slug
    )))
}

// ---- the list ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    filter: String,
    before: String,
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
    // Staff of the township above: they work on what their township has taken.
    if allows(actor, Action::AnswerForTownship) {
        out.push(Mover::Township);
    }
    out
}

/// Everything the order page shows, as loaded.
struct Loaded {
    o: Order,
    timeline: Vec<model::EventRow>,
    photos: Vec<(String, String)>,
    names: Vec<(i64, String)>,
    grids: Vec<Grid>,
    assignable: Vec<(i64, String)>,
    rows: Vec<comments::ThreadRow>,
    flags: Vec<(i64, String)>,
    log_index: Option<i64>,
    ratings: Vec<(i32, String, chrono::NaiveDateTime)>,
}

async fn load_order(
    state: &AppState,
    cid: i64,
    id: i64,
    committee: bool,
) -> Result<Loaded, AppError> {
    let target = Target::Order(id);
    state
        .db(move |conn| {
            let o = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
            let ids: Vec<i64> = [o.reporter_id, o.assignee_id]
                .into_iter()
                .flatten()
                .collect();
            let assignable = if committee {
                communities::assignable(conn, cid)?
            } else {
                Vec::new()
            };
            Ok(Loaded {
                timeline: model::timeline(conn, id)?,
                rows: comments::thread(conn, target)?,
                flags: comments::flags_on(conn, target)?,
                photos: model::photos(conn, id)?,
                ratings: model::ratings(conn, id)?,
                names: crate::accounts::model::names(conn, &ids)?,
                grids: communities::grids_of(conn, cid)?,
                assignable,
                log_index: crate::transparency::log::index_of(
                    conn,
                    crate::transparency::log::Kind::OrderCreated,
                    id,
                )?,
                o,
            })
        })
        .await
}

/// The people of an order as this viewer may see them: an anonymous reporter's own steps
/// (the report, a confirmation) and what they write in the thread do not name them.
fn shown_people(ctx: &Ctx, committee: bool, l: &mut Loaded) -> (String, String) {
    let me = ctx.user_id();
    let name = |id: Option<i64>| {
        id.and_then(|i| {
            l.names
                .iter()
                .find(|(n, _)| *n == i)
                .map(|(_, s)| s.clone())
        })
        .unwrap_or_default()
    };
    let o = &l.o;
    let viewer = rules::Viewer {
        user_id: me,
        committee,
    };
    let anonymous = ctx.t("orders.anonymous").to_string();
    let privacy = o.privacy();
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
    let assignee = name(o.assignee_id);
    for e in l.timeline.iter_mut().filter(|e| hidden(e.actor_id)) {
        e.actor = Some(anonymous.clone());
    }
    for r in l
        .rows
        .iter_mut()
        .filter(|r| hidden(Some(r.comment.author_id)))
    {
        r.author = anonymous.clone();
    }
    (reporter, assignee)
}

/// The moves the viewer's roles may offer on the order (`held`: the township has taken it).
fn moves(actor: &Actor, me: Option<i64>, o: &Order, held: bool) -> Vec<MoveView> {
    let mut moves: Vec<MoveView> = Vec::new();
    let roles = movers(actor, me, o);
    for m in &roles {
        let may = |to: State| {
            crate::township::rules::movers_while(held, &[*m], Some(to)).is_ok_and(|r| !r.is_empty())
        };
        for to in rules::offered(o.state(), *m, o.reporter_id.is_some()) {
            let own_work = me.is_some() && me == o.assignee_id;
            if (*to == State::Confirmed && own_work) || !may(*to) {
                continue;
            }
            if !moves.iter().any(|x| x.to == to.as_str()) {
                moves.push(MoveView {
                    to: to.as_str(),
                    key: format!("orders.move_{}", to.as_str()),
                    needs_photo: *to == State::Completed,
                });
            }
        }
    }
    moves
}

/// The order page, with a notice or a refused form as `answer` says.
async fn order_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: Actor,
    id: i64,
    answer: Answer,
) -> Result<HttpResponse, AppError> {
    let committee = allows(&actor, Action::ManageAgenda);
    let mut l = load_order(state, community.id, id, committee).await?;
    let staff = allows(&actor, Action::AnswerForTownship);
    let (o, parent) = (l.o.clone(), community.parent_id);
    let upward = state
        .db(move |conn| Ok(super::upward::view(conn, &o, parent, (committee, staff))?))
        .await?;
    let (reporter, mut assignee) = shown_people(&ctx, committee, &mut l);
    // While the township holds the order it is the township's work, whoever had it before;
    // and so it stays once finished there.
    if upward.held() || upward.done.is_some() {
        assignee = upward.township.clone();
    }
    let thread: ThreadView = thread_view(
        &ctx,
        &actor,
        &community,
        Target::Order(id),
        crate::comments::service::ThreadRows {
            rows: l.rows,
            flags: l.flags,
        },
    );
    let me = ctx.user_id();
    let o = l.o;
    let (now, photos) = (state.clock.now(), l.photos);
    let (after, before): (Vec<_>, Vec<_>) =
        photos.into_iter().partition(|(k, _)| k == model::AFTER);
    let moves = moves(&actor, me, &o, upward.held());
    let due = upward.due(&o);
    // Township staff's lines on the timeline name their township.
    for e in l.timeline.iter_mut() {
        if e.actor_id.is_some_and(|a| upward.staff.contains(&a)) {
            if let Some(name) = e.actor.as_mut() {
                *name = format!("{name}（{}）", upward.township);
            }
        }
    }
    let page = OrderPage {
        decide_confirm: moves.iter().any(|m| m.to == "confirmed"),
        decide_reopen: moves.iter().any(|m| m.to == "reopened"),
        reporter,
        assignee,
        grid: l
            .grids
            .iter()
            .find(|g| Some(g.id) == o.grid_id)
            .map(|g| g.name.clone())
            .unwrap_or_default(),
        moves,
        can_assign: committee && o.state().is_open() && !upward.held(),
        can_rate: me.is_some()
            && me == o.reporter_id
            && me != o.assignee_id
            && o.rating.is_none()
            && matches!(o.state(), State::Completed | State::Confirmed),
        follow_up: o
            .rating
            .is_some_and(|r| rules::needs_follow_up(i64::from(r))),
        light_class: o.light_class_due(now, due),
        light_key: format!("orders.light_{}", o.light_class_due(now, due)),
        township_due: upward.held().then_some(due),
        coords: o
            .latitude
            .zip(o.longitude)
            .map(|(a, b)| format!("{a:.5}, {b:.5}")),
        assignable: l
            .assignable
            .into_iter()
            .map(|(id, n)| (id, n, Some(id) == o.assignee_id))
            .collect(),
        can_comment: allows(&actor, Action::Comment),
        can_manage: committee,
        thread,
        comment_body: answer.kept.on("comment").to_string(),
        kept: answer.kept,
        log_index: l.log_index,
        earlier_ratings: {
            let mut r = l.ratings;
            if o.rating.is_some() {
                r.pop();
            }
            r
        },
        ctx,
        community,
        timeline: l.timeline,
        before: before.into_iter().map(|(_, n)| n).collect(),
        after: after.into_iter().map(|(_, n)| n).collect(),
        o,
        errors: answer.errors,
        notice: answer.notice,
        upward,
    };
    render(answer.status, &page)
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
        "sent_up" => Some("upward.done_sent_up"),
        "taken" => Some("upward.done_taken"),
        "sent_back" => Some("upward.done_sent_back"),
        _ => None,
    };
    order_page(&state, ctx, community, actor, id, Answer::ok(notice)).await
}

/// Who was answered, for the redirect or the refusal that follows a form.
struct Refusal {
    ctx: Ctx,
    community: Community,
    actor: Actor,
    id: i64,
}

impl Refusal {
    /// The order page again with the message of a refused form and what was typed into it
    /// (422).
    async fn with(
        self,
        state: &AppState,
        message: String,
        kept: Kept,
    ) -> Result<HttpResponse, AppError> {
        let answer = Answer::refused("order", message, kept);
        order_page(state, self.ctx, self.community, self.actor, self.id, answer).await
    }

    /// The order page again with `message` at the reason of "没解决，退回重办" and what was
    /// typed kept (422).
    async fn at_reason(
        self,
        state: &AppState,
        message: String,
        typed: &str,
    ) -> Result<HttpResponse, AppError> {
        let kept = Kept {
            form: "move-reopened".into(),
            text: typed.to_string(),
        };
        let answer = Answer::refused("reopen_note", message, kept);
        order_page(state, self.ctx, self.community, self.actor, self.id, answer).await
    }

    /// The order page again with the message of `key` (422).
    async fn key(self, state: &AppState, key: &str) -> Result<HttpResponse, AppError> {
        let message = self.ctx.t(key).to_string();
        self.with(state, message, Kept::default()).await
    }

    /// Sends the user back to the order with a `done` notice, or shows the order page with
    /// the message of the refusal.
    async fn answer(
        self,
        state: &AppState,
        result: Result<(), &'static str>,
        done: &str,
    ) -> Result<HttpResponse, AppError> {
        match result {
            Ok(()) => Ok(see_other(&format!(
                "/c/{}/orders/{}?done={done}",
                self.community.slug, self.id
            ))),
            Err(key) => self.key(state, key).await,
        }
    }
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
    let on = (ctx, community, actor, id);
    refuse_form(state, on, "comment", message, kept).await
}

/// The order page again with the message of a refused `form` (posted by another file's
/// handler: sending up) and its text kept (422).
pub async fn refuse_form(
    state: &AppState,
    (ctx, community, actor, id): (Ctx, Community, Actor, i64),
    form: &'static str,
    message: String,
    kept: String,
) -> Result<HttpResponse, AppError> {
    let kept = Kept {
        form: form.into(),
        text: kept,
    };
    let answer = Answer::refused(form, message, kept);
    order_page(state, ctx, community, actor, id, answer).await
}

/// "Note: too long, at most 2000 characters." — the field's label, then the problem.
fn too_long(ctx: &Ctx, label: &str, e: crate::accounts::rules::FieldProblem) -> String {
    format!("{}：{}", ctx.t(label), e.message(&ctx.tr))
}

/// A note of at most `max` characters typed into `form`, or the refusal that keeps it.
fn note_of(
    ctx: &Ctx,
    label: &str,
    typed: &str,
    max: usize,
    form: String,
) -> Result<String, (String, Kept)> {
    text_field(typed, 0, max).map_err(|e| {
        let kept = Kept {
            form,
            text: typed.to_string(),
        };
        (too_long(ctx, label, e), kept)
    })
}

// ---- moves ----

/// A move asked by a person, before and after its photos are stored.
struct Asked {
    order: Order,
    slug: String,
    roles: Vec<Mover>,
    to: State,
    note: String,
    me: i64,
    now: chrono::NaiveDateTime,
}

impl Asked {
    fn change<'a>(&'a self, photos: &'a [String]) -> Change<'a> {
        Change {
            order: &self.order,
            slug: &self.slug,
            step: Step::Move {
                to: self.to,
                roles: &self.roles,
                photos,
            },
            actor: Some(self.me),
            note: &self.note,
            now: self.now,
        }
    }
}

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
    let (order, held) = state
        .db(move |conn| {
            let o = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
            let held = super::upward::held(conn, o.id)?;
            Ok((o, held))
        })
        .await?;
    let roles = movers(&actor, Some(me), &order);
    let slug = community.slug.clone();
    let on = Refusal {
        ctx,
        community,
        actor,
        id,
    };
    let form_name = format!("move-{}", form.to.trim());
    let reopening = State::parse(&form.to) == Some(State::Reopened);
    let note = match note_of(&on.ctx, "orders.note", &form.note, 2000, form_name) {
        Ok(n) => n,
        Err((msg, _)) if reopening => return on.at_reason(&state, msg, &form.note).await,
        Err((msg, kept)) => return on.with(&state, msg, kept).await,
    };
    let Some(to) = State::parse(&form.to) else {
        return on.key(&state, "orders.err_move").await;
    };
    // 没解决，退回重办 asks for the reason, at its field.
    if reopening && !roles.is_empty() && note.trim().is_empty() {
        let msg = on.ctx.t("orders.err_reopen_reason").to_string();
        return on.at_reason(&state, msg, &form.note).await;
    }
    if files.len() > MAX_PHOTOS {
        let msg = on
            .ctx
            .f("photos.err_count", &[("n", &MAX_PHOTOS.to_string())]);
        return on.with(&state, msg, Kept::default()).await;
    }
    if roles.is_empty() {
        return Err(AppError::Forbidden);
    }
    // While the township holds the order only its staff do the work (said at the form).
    let roles = match crate::township::rules::movers_while(held, &roles, Some(to)) {
        Ok(r) => r,
        Err(e) => return on.key(&state, e.message_key()).await,
    };
    let asked = Asked {
        order,
        slug,
        roles,
        to,
        note,
        me,
        now: state.clock.now(),
    };
    // The rules first, with the photos counted: a refused move stores no photos.
    if let Err(key) = service::check(&asked.change(&vec![String::new(); files.len()])) {
        return on.key(&state, key).await;
    }
    let photos = if files.is_empty() {
        Vec::new()
    } else {
        match crate::uploads::store_all(&state, files).await? {
            Ok(names) => names,
            Err(key) => return on.key(&state, key).await,
        }
    };
    let moved = state
        .db(move |conn| write_tx(conn, |conn| service::change(conn, &asked.change(&photos))))
        .await?;
    on.answer(&state, moved, "moved").await
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
    let on = Refusal {
        ctx,
        community,
        actor,
        id,
    };
    let note = match note_of(
        &on.ctx,
        "orders.assign_note",
        &form.note,
        2000,
        "assign".into(),
    ) {
        Ok(n) => n,
        Err((msg, kept)) => return on.with(&state, msg, kept).await,
    };
    let result = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let order = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
                let change = Change {
                    order: &order,
                    slug: &slug,
                    step: Step::Assign { to: 0 },
                    actor: Some(me),
                    note: &note,
                    now,
                };
                service::assign(conn, &change, assignee)
            })
        })
        .await?;
    on.answer(&state, result, "assigned").await
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
    let on = Refusal {
        ctx,
        community,
        actor,
        id,
    };
    let comment = match note_of(
        &on.ctx,
        "orders.rating_comment",
        &form.comment,
        1000,
        "rate".into(),
    ) {
        Ok(c) => c,
        Err((msg, kept)) => return on.with(&state, msg, kept).await,
    };
    let result = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let order = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
                let rating = Rating {
                    order: &order,
                    slug: &slug,
                    reporter: me,
                    rating,
                    comment: &comment,
                    now,
                };
                service::rate(conn, &rating)
            })
        })
        .await?;
    on.answer(&state, result, "rated").await
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

/// Reads an order from a decision into what the service needs, or a message beside each
/// field that is wrong (title, due date, description, budget, emergency reason).
fn read_decision_order(
    ctx: &Ctx,
    form: &DecisionOrderForm,
    now: chrono::NaiveDateTime,
) -> Result<(String, String, Option<i64>, chrono::NaiveDateTime), FieldErrors> {
    use crate::accounts::rules::FieldProblem;
    let mut errors = FieldErrors::default();
    let title = match text_field(&form.title, 1, 80) {
        Ok(t) => Some(t),
        Err(FieldProblem::Empty) => {
            errors.add("order_title", ctx.t("orders.err_title"));
            None
        }
        Err(e) => {
            errors.add("order_title", too_long(ctx, "orders.title_field", e));
            None
        }
    };
    // The budget is optional; typed, it is whole yuan in range before any arithmetic.
    let budget = match form.budget.trim() {
        "" => Some(None),
        b => match crate::web::forms::whole_number(b, 0, rules::MAX_BUDGET_YUAN) {
            Ok(n) => Some(Some(n)),
            Err(_) => {
                let name = ctx.t("orders.budget_yuan");
                let max = rules::MAX_BUDGET_YUAN;
                let message = crate::web::forms::whole_number_message(ctx, name, 0, max);
                errors.add("budget", message);
                None
            }
        },
    };
    let today = crate::clock::local_day(now);
    let due = match chrono::NaiveDate::parse_from_str(form.due.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(15, 59, 59)) // the end of that day in Beijing
    {
        None => Err("orders.err_due"),
        Some(d) if d <= now => Err("orders.err_due_past"),
        Some(d) if !crate::clock::near_today(d.date(), today) => Err("orders.err_due_far"),
        Some(d) => Ok(d),
    };
    let due = due.map_err(|key| errors.add("order_due", ctx.t(key))).ok();
    let description = text_field(&form.description, 0, 5000)
        .map_err(|e| {
            let message = too_long(ctx, "orders.description", e);
            errors.add("order_description", message);
        })
        .ok();
    let reason = &form.override_reason;
    crate::projects::spending::read_emergency(ctx, reason, &mut errors, "order_override");
    match (title, budget, due, description) {
        (Some(t), Some(b), Some(d), Some(desc)) if errors.is_empty() => Ok((t, desc, b, d)),
        _ => Err(errors),
    }
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
    let (title, description, budget, due) = match read_decision_order(&ctx, &form, now) {
        Ok(read) => read,
        Err(errors) => {
            let order = crate::ballots::service::OrderDraft {
                title: form.title,
                description: form.description,
                budget: form.budget,
                due: form.due,
                override_reason: form.override_reason,
            };
            let r = crate::ballots::service::Refused {
                errors,
                order,
                ..Default::default()
            };
            let slug = community.slug.clone();
            return crate::ballots::decision::refused(&state, ctx, slug, decision_id, r).await;
        }
    };
    let made = FromDecision {
        community_id: community.id,
        slug: community.slug.clone(),
        decision_id,
        title,
        description,
        budget_yuan: budget,
        due,
        override_reason: form.override_reason,
        actor: me,
        now,
    };
    let result = state
        .db(move |conn| write_tx(conn, |conn| service::from_decision(conn, &made)))
        .await?;
    let to = match result {
        Ok(id) => format!("/c/{}/orders/{id}?done=created", community.slug),
        Err(query) => format!("/c/{}/decisions/{decision_id}?{query}", community.slug),
    };
    Ok(see_other(&to))
}

// ---- the echo wall ----

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
