//! Agenda pages: the community's list of items, raising a proposal or putting an item on
//! the agenda, the item page with its timeline and thread, supports, stage moves, follows,
//! and the Atom feed.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::model::{self, Cursor, Item, ListQuery, ListRow, NewItem, Sort};
use super::rules::{self, Facts, Mover, Stage, Step, CATEGORIES};
use crate::authz::{allows, Action, Actor, Role};
use crate::clock::fmt_day;
use crate::comments::handlers::{thread_view, ThreadView};
use crate::communities::model::{self as communities, Community};
use crate::db::{write_tx, AnyConnection};
use crate::error::AppError;
use crate::notifications::{notify, Notice};
use crate::web::community::{authorize, load_as, load_community};
use crate::web::ctx::Ctx;
use crate::web::forms::{text_field, Empty, FieldErrors, Posted, Uploaded};
use crate::web::{page, render, see_other, AppState};

/// Items per list page: a phone screenful or three.
pub const PAGE_SIZE: i64 = 20;

// ---- list ----

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct ListParams {
    pub stage: String,
    pub category: String,
    pub q: String,
    pub sort: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "agenda/list.html")]
struct ListPage {
    ctx: Ctx,
    community: Community,
    rows: Vec<ListRow>,
    params: ListParams,
    next: Option<String>,
    can_raise: bool,
    stages: [Stage; 11],
    categories: [&'static str; 7],
}

pub async fn list(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    let (community, actor) = load_community(&state, &ctx, slug.into_inner()).await?;
    list_page(&state, ctx, community, &actor, params.into_inner()).await
}

/// The list page for `params`: one query for the page of items, whatever the list's size.
pub async fn list_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: &Actor,
    params: ListParams,
) -> Result<HttpResponse, AppError> {
    let query = ListQuery {
        stage: Stage::parse(&params.stage),
        category: rules::valid_category(&params.category).then(|| params.category.clone()),
        search: Some(params.q.trim().to_string()).filter(|q| !q.is_empty()),
        sort: Sort::parse(&params.sort),
        after: Cursor::parse(&params.after),
        limit: PAGE_SIZE,
    };
    let cid = community.id;
    let (rows, next) = state
        .db(move |conn| Ok(model::list(conn, cid, &query)?))
        .await?;
    let next = next.map(|c| {
        let mut p = params.clone();
        p.after = c.encode();
        serde_urlencoded::to_string(&p).unwrap_or_default()
    });
    page(&ListPage {
        ctx,
        can_raise: allows(actor, Action::RaiseProposal) || allows(actor, Action::ManageAgenda),
        community,
        rows,
        params,
        next,
        stages: Stage::ALL,
        categories: CATEGORIES,
    })
}

// ---- new item ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ItemForm {
    pub title: String,
    pub body: String,
    pub category: String,
    pub major: String,
}

#[derive(Template)]
#[template(path = "agenda/new.html")]
struct NewPage {
    ctx: Ctx,
    community: Community,
    form: ItemForm,
    errors: FieldErrors,
    committee: bool,
    categories: [&'static str; 7],
}

fn may_raise(actor: &Actor) -> Action {
    if allows(actor, Action::ManageAgenda) {
        Action::ManageAgenda
    } else {
        Action::RaiseProposal
    }
}

pub async fn new_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (community, actor) = load_community(&state, &ctx, slug.into_inner()).await?;
    authorize(&ctx, &actor, may_raise(&actor))?;
    page(&NewPage {
        ctx,
        community,
        form: ItemForm::default(),
        errors: FieldErrors::default(),
        committee: actor.has(Role::Committee),
        categories: CATEGORIES,
    })
}

/// Photos one item may carry.
pub const MAX_PHOTOS: usize = 4;

pub async fn create(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Uploaded<ItemForm>,
) -> Result<HttpResponse, AppError> {
    let Uploaded { ctx, form, files } = p;
    let (community, actor) = load_community(&state, &ctx, slug.into_inner()).await?;
    authorize(&ctx, &actor, may_raise(&actor))?;
    let me = ctx.require_user()?.id;
    let mut errors = FieldErrors::default();
    let title = text_field(&form.title, 1, rules::TITLE_MAX)
        .map_err(|e| errors.add("title", e.message(&ctx.tr)))
        .ok();
    let body = text_field(&form.body, 1, rules::BODY_MAX)
        .map_err(|e| errors.add("body", e.message(&ctx.tr)))
        .ok();
    if !rules::valid_category(&form.category) {
        errors.add("category", ctx.t("agenda.err_category"));
    }
    // Photos are checked and re-encoded off the async workers, before anything is stored.
    let photos = if files.len() > MAX_PHOTOS {
        errors.add(
            "photos",
            ctx.f("photos.err_count", &[("n", &MAX_PHOTOS.to_string())]),
        );
        Vec::new()
    } else {
        match crate::uploads::process_all(&state, files).await? {
            Ok(p) => p,
            Err(e) => {
                errors.add("photos", ctx.t(e.message_key()));
                Vec::new()
            }
        }
    };
    let (Some(title), Some(body), true) = (title, body, errors.is_empty()) else {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewPage {
                ctx,
                committee: actor.has(Role::Committee),
                community,
                form,
                errors,
                categories: CATEGORIES,
            },
        );
    };
    // The committee puts items on the agenda directly; residents raise proposals.
    let committee = actor.has(Role::Committee);
    let major = committee && form.major == "on";
    let data_dir = state.config.data_dir();
    let stored = web::block(move || {
        photos
            .iter()
            .map(|p| crate::uploads::store(&data_dir, p).map(|name| (name, (p.width, p.height))))
            .collect::<std::io::Result<Vec<_>>>()
    })
    .await?
    .map_err(|e| AppError::Internal(format!("storing photos: {e}")))?;
    let (c, category, now) = (community.clone(), form.category.clone(), state.clock.now());
    let id = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let verified = model::verified_residents(conn, c.id)?;
                let new = NewItem {
                    community_id: c.id,
                    author_id: me,
                    origin: if committee {
                        model::ORIGIN_COMMITTEE
                    } else {
                        model::ORIGIN_PROPOSAL
                    },
                    title: &title,
                    body: &body,
                    category: &category,
                    stage: if committee {
                        Stage::Adopted
                    } else {
                        Stage::Proposed
                    },
                    major,
                    threshold: rules::support_threshold(
                        verified,
                        c.support_percent,
                        c.support_minimum,
                    ),
                    respond_by: now + chrono::Duration::days(c.response_days),
                };
                let id = model::insert(conn, &new, now)?;
                for (name, size) in &stored {
                    model::add_photo(conn, (c.id, id), me, name, *size, now)?;
                }
                Ok(id)
            })
        })
        .await?;
    Ok(see_other(&format!("/c/{}/items/{id}", community.slug)))
}

// ---- item page ----

/// One of the four deliberations on the item page: recorded, or still to come.
struct StepView {
    key: String,
    record: Option<model::StepRecord>,
}

struct MoveOption {
    to: &'static str,
    key: String,
}

#[derive(Template)]
#[template(path = "agenda/item.html")]
struct ItemPage {
    ctx: Ctx,
    community: Community,
    item: Item,
    author: String,
    body_html: String,
    timeline: Vec<model::EventRow>,
    thread: ThreadView,
    supported: bool,
    following: bool,
    can_support: bool,
    can_comment: bool,
    can_manage: bool,
    is_author: bool,
    overdue: bool,
    moves: Vec<MoveOption>,
    steps: Vec<StepView>,
    next_step: Option<Step>,
    photos: Vec<String>,
    ballots: Vec<crate::ballots::model::Ballot>,
    decisions: Vec<crate::ballots::model::Decision>,
    can_open_ballot: bool,
    /// When the resolution must be published by (决议公开), once there is one.
    resolution_due: String,
    /// The work orders carrying out the decisions: (id, title, state).
    orders: Vec<(i64, String, String)>,
    /// When the implementation result must be published by, once every order is confirmed.
    result_due: String,
    /// The published implementation result (实施结果公开).
    result: Option<model::StepRecord>,
    can_complete: bool,
    errors: FieldErrors,
    comment_body: String,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ItemQuery {
    done: String,
}

/// What the item page reads from the database.
struct ItemRows {
    item: Item,
    author: String,
    timeline: Vec<model::EventRow>,
    rows: Vec<crate::comments::model::ThreadRow>,
    flags: Vec<(i64, String)>,
    supported: bool,
    following: bool,
    records: Vec<model::StepRecord>,
    photos: Vec<String>,
    ballots: Vec<crate::ballots::model::Ballot>,
    decisions: Vec<crate::ballots::model::Decision>,
    orders: Vec<crate::work_orders::model::ItemOrder>,
}

/// Everything the item page shows, in a fixed number of queries whatever the thread's size.
#[allow(clippy::too_many_arguments)]
pub async fn item_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: Actor,
    id: i64,
    errors: FieldErrors,
    comment_body: String,
    notice: Option<&'static str>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (cid, me, now) = (community.id, ctx.user_id(), state.clock.now());
    let ItemRows {
        item,
        author,
        timeline,
        rows,
        flags,
        supported,
        following,
        records,
        photos,
        ballots,
        decisions,
        orders,
    } = state
        .db(move |conn| {
            let item = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
            let author = crate::accounts::model::find(conn, item.author_id)?.display_name;
            let timeline = model::timeline(conn, id)?;
            let target = crate::comments::model::Target::Item(id);
            let rows = crate::comments::model::thread(conn, target)?;
            let flags = crate::comments::model::flags_on(conn, target)?;
            let records = model::steps(conn, id)?;
            let photos = model::photos_of(conn, id)?;
            let ballots = crate::ballots::model::of_item(conn, id)?;
            let decisions = crate::ballots::model::decisions_of_item(conn, id)?;
            let orders = crate::work_orders::model::of_item(conn, id)?;
            let (supported, following) = match me {
                Some(u) => (
                    model::has_supported(conn, id, u)?,
                    model::is_following(conn, id, u)?,
                ),
                None => (false, false),
            };
            Ok(ItemRows {
                item,
                author,
                timeline,
                rows,
                flags,
                supported,
                following,
                records,
                photos,
                ballots,
                decisions,
                orders,
            })
        })
        .await?;
    let stage = item.stage();
    let recorded: Vec<Step> = records.iter().filter_map(|r| r.kind()).collect();
    let next_step = rules::next_step(&recorded)
        .filter(|s| *s != Step::Resolution && item.major && allows(&actor, Action::ManageAgenda))
        .filter(|_| matches!(stage, Stage::Adopted | Stage::Deliberating));
    let steps = Step::ALL
        .iter()
        .map(|s| StepView {
            key: s.label_key(),
            record: records.iter().find(|r| r.kind() == Some(*s)).cloned(),
        })
        .collect();
    let target = crate::comments::model::Target::Item(id);
    let thread = thread_view(&ctx, &actor, &community, target, rows, flags);
    let moves = if allows(&actor, Action::ManageAgenda) {
        rules::committee_moves(stage)
            .iter()
            .map(|s| MoveOption {
                to: s.as_str(),
                key: s.label_key(),
            })
            .collect()
    } else {
        Vec::new()
    };
    render(
        status,
        &ItemPage {
            body_html: crate::comments::rules::render_markdown(&item.body),
            can_support: rules::accepts_support(stage) && allows(&actor, Action::ActAsResident),
            can_comment: rules::accepts_comments(stage) && allows(&actor, Action::Comment),
            can_manage: allows(&actor, Action::ManageAgenda),
            is_author: me == Some(item.author_id),
            overdue: rules::is_overdue(stage, item.respond_by, now),
            can_open_ballot: allows(&actor, Action::ManageAgenda)
                && rules::may_open_ballot(item.major, stage, &recorded),
            resolution_due: decisions
                .first()
                .map(|d| fmt_day(&rules::resolution_publication_due(d.published_at)))
                .unwrap_or_default(),
            ballots,
            decisions,
            result: records
                .iter()
                .find(|r| r.step == rules::RESULT_STEP)
                .cloned(),
            result_due: {
                let states: Vec<&str> = orders.iter().map(|o| o.2.as_str()).collect();
                let last = orders.iter().filter_map(|o| o.3).max();
                match (rules::implementation_done(&states), last) {
                    (true, Some(t)) => fmt_day(&rules::result_publication_due(t)),
                    _ => String::new(),
                }
            },
            can_complete: allows(&actor, Action::ManageAgenda)
                && stage == Stage::Implementing
                && rules::implementation_done(
                    &orders.iter().map(|o| o.2.as_str()).collect::<Vec<_>>(),
                ),
            orders: orders.into_iter().map(|(i, t, s, _)| (i, t, s)).collect(),
            ctx,
            community,
            item,
            author,
            timeline,
            thread,
            supported,
            following,
            moves,
            steps,
            next_step,
            photos,
            errors,
            comment_body,
            notice,
        },
    )
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    q: web::Query<ItemQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, actor) = load_community(&state, &ctx, slug).await?;
    let notice = match q.done.as_str() {
        "supported" => Some("agenda.done_supported"),
        "unsupported" => Some("agenda.done_unsupported"),
        "moved" => Some("agenda.done_moved"),
        "commented" => Some("agenda.done_commented"),
        "flagged" => Some("agenda.done_flagged"),
        "hidden" => Some("agenda.done_hidden"),
        "edited" => Some("agenda.done_edited"),
        "following" => Some("agenda.done_following"),
        "unfollowed" => Some("agenda.done_unfollowed"),
        "step" => Some("steps.done"),
        "completed" => Some("steps.done_result"),
        _ => None,
    };
    item_page(
        &state,
        ctx,
        community,
        actor,
        id,
        FieldErrors::default(),
        String::new(),
        notice,
        StatusCode::OK,
    )
    .await
}

/// An item page being answered: who asks, where, about which item.
pub struct OnItem {
    pub ctx: Ctx,
    pub community: Community,
    pub actor: Actor,
    pub id: i64,
}

impl OnItem {
    /// Re-renders the item page with one message beside `field` and the comment text the
    /// user typed kept; status 422.
    pub async fn refuse(
        self,
        state: &AppState,
        field: &'static str,
        message: String,
        kept: String,
    ) -> Result<HttpResponse, AppError> {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        item_page(
            state,
            self.ctx,
            self.community,
            self.actor,
            self.id,
            errors,
            kept,
            None,
            status,
        )
        .await
    }
}

// ---- supports ----

pub async fn support(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<Empty>,
) -> Result<HttpResponse, AppError> {
    change_support(state, path, p.ctx, true).await
}

pub async fn unsupport(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<Empty>,
) -> Result<HttpResponse, AppError> {
    change_support(state, path, p.ctx, false).await
}

async fn change_support(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    ctx: Ctx,
    give: bool,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, Action::ActAsResident).await?;
    let (c, now) = (community.clone(), state.clock.now());
    let outcome = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let item = model::find(conn, c.id, id)?.ok_or(AppError::NotFound)?;
                if !rules::accepts_support(item.stage()) {
                    return Ok(Err("agenda.err_support_closed"));
                }
                if give {
                    if item.author_id == me {
                        return Ok(Err("agenda.err_own_support"));
                    }
                    if !model::support(conn, &item, me, now)? {
                        return Ok(Err("agenda.err_supported_twice"));
                    }
                    // Reaching the threshold tells the committee, once.
                    if item.support_count + 1 == item.threshold {
                        tell_committee(conn, &c, &item, now)?;
                    }
                } else if !model::unsupport(conn, &item, me)? {
                    return Ok(Err("agenda.err_not_supported"));
                }
                Ok(Ok(()))
            })
        })
        .await?;
    match outcome {
        Ok(()) => Ok(see_other(&format!(
            "/c/{}/items/{id}?done={}",
            community.slug,
            if give { "supported" } else { "unsupported" }
        ))),
        Err(key) => {
            OnItem {
                ctx: ctx.clone(),
                community,
                actor,
                id,
            }
            .refuse(&state, "support", ctx.t(key).to_string(), String::new())
            .await
        }
    }
}

fn tell_committee(
    conn: &mut AnyConnection,
    c: &Community,
    item: &Item,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let link = format!("/c/{}/items/{}", c.slug, item.id);
    for m in communities::members(conn, c.id)?
        .iter()
        .filter(|m| m.role == Role::Committee.as_str())
    {
        notify(
            conn,
            &Notice {
                user_id: m.user_id,
                community_id: Some(c.id),
                kind: "item_threshold",
                subject: &item.title,
                detail: "",
                link: &link,
            },
            now,
        )?;
    }
    Ok(())
}

/// Tells an item's followers (but not `except`, who caused it) what happened.
pub fn tell_followers(
    conn: &mut AnyConnection,
    c: &Community,
    item: &Item,
    kind: &str,
    detail: &str,
    except: i64,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let link = format!("/c/{}/items/{}", c.slug, item.id);
    for user in model::followers(conn, item.id)?
        .into_iter()
        .filter(|u| *u != except)
    {
        notify(
            conn,
            &Notice {
                user_id: user,
                community_id: Some(c.id),
                kind,
                subject: &item.title,
                detail,
                link: &link,
            },
            now,
        )?;
    }
    Ok(())
}

// ---- stage moves ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    pub to: String,
    pub note: String,
}

pub async fn move_stage(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<MoveForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, id) = path.into_inner();
    let (community, actor) = load_community(&state, &ctx, slug).await?;
    // Withdrawing is the author's (checked against the item below); every other move is
    // the committee's, checked before anything else.
    let mover = if form.to == Stage::Withdrawn.as_str() {
        Mover::Author
    } else {
        Mover::Committee
    };
    if mover == Mover::Committee {
        authorize(&ctx, &actor, Action::ManageAgenda)?;
    }
    let me = ctx.require_user()?.id;
    let Some(to) = Stage::parse(&form.to) else {
        let msg = ctx.t("agenda.err_move").to_string();
        return OnItem {
            ctx,
            community,
            actor,
            id,
        }
        .refuse(&state, "move", msg, String::new())
        .await;
    };
    let note = match text_field(&form.note, 0, 2000) {
        Ok(n) => n,
        Err(e) => {
            let msg = e.message(&ctx.tr);
            return OnItem {
                ctx,
                community,
                actor,
                id,
            }
            .refuse(&state, "move", msg, String::new())
            .await;
        }
    };
    let (c, now) = (community.clone(), state.clock.now());
    let outcome = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let item = model::find(conn, c.id, id)?.ok_or(AppError::NotFound)?;
                if mover == Mover::Author && item.author_id != me {
                    return Err(AppError::Forbidden);
                }
                let from = item.stage();
                let facts = Facts {
                    supports: item.support_count,
                    threshold: item.threshold,
                    has_note: !note.is_empty(),
                };
                if let Err(e) = rules::check_move(from, to, mover, facts) {
                    return Ok(Err(e.message_key()));
                }
                if !model::move_stage(conn, &item, from, to, Some(me), &note, now)? {
                    return Ok(Err("agenda.err_move"));
                }
                tell_followers(
                    conn,
                    &c,
                    &item,
                    &format!("item_stage_{}", to.as_str()),
                    &note,
                    me,
                    now,
                )?;
                Ok(Ok(()))
            })
        })
        .await?;
    match outcome {
        Ok(()) => Ok(see_other(&format!(
            "/c/{}/items/{id}?done=moved",
            community.slug
        ))),
        Err(key) => {
            OnItem {
                ctx: ctx.clone(),
                community,
                actor,
                id,
            }
            .refuse(&state, "move", ctx.t(key).to_string(), String::new())
            .await
        }
    }
}

// ---- 四议两公开 ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StepForm {
    pub step: String,
    pub held_on: String,
    pub body: String,
    pub expected: String,
    pub present: String,
    pub outcome: String,
    pub minutes: String,
}

/// Records the next of the four deliberations of a major item, with its attendance.
pub async fn record_step(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Uploaded<StepForm>,
) -> Result<HttpResponse, AppError> {
    let Uploaded { ctx, form, files } = p;
    let (slug, id) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let step = Step::parse(&form.step);
    // A meeting's date is bounded like every typed date: within a few years of today.
    let today = crate::clock::local_day(state.clock.now());
    let held_on = crate::clock::parse_day(&form.held_on)
        .filter(|d| crate::disclosures::rules::near_today(*d, today))
        .and_then(|d| d.and_hms_opt(0, 0, 0));
    let expected = form.expected.trim().parse::<i64>().ok();
    let present = form.present.trim().parse::<i64>().ok();
    let body = text_field(&form.body, 1, 200);
    let outcome = text_field(&form.outcome, 1, 500);
    let minutes = text_field(&form.minutes, 0, rules::BODY_MAX);
    let (
        Some(step),
        Some(held_on),
        Some(expected),
        Some(present),
        Ok(body),
        Ok(outcome),
        Ok(minutes),
    ) = (step, held_on, expected, present, body, outcome, minutes)
    else {
        let msg = ctx.t("steps.err_fields").to_string();
        return OnItem {
            ctx,
            community,
            actor,
            id,
        }
        .refuse(&state, "steps", msg, String::new())
        .await;
    };
    // One optional photo: the sign-in sheet, the meeting in the hall.
    let photo = match files.into_iter().next() {
        None => None,
        Some(f) => match crate::uploads::store_upload(&state, f).await? {
            Ok(name) => Some(name),
            Err(key) => {
                let msg = ctx.t(key).to_string();
                return OnItem {
                    ctx,
                    community,
                    actor,
                    id,
                }
                .refuse(&state, "steps", msg, String::new())
                .await;
            }
        },
    };
    let (cid, now) = (community.id, state.clock.now());
    let outcome_key = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let item = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
                let recorded: Vec<Step> = model::steps(conn, id)?
                    .iter()
                    .filter_map(|r| r.kind())
                    .collect();
                if let Err(e) =
                    rules::check_step(item.major, item.stage(), &recorded, step, expected, present)
                {
                    return Ok(Err(e.message_key()));
                }
                let new = model::NewStep {
                    step,
                    held_on,
                    body: &body,
                    expected,
                    present,
                    outcome: &outcome,
                    minutes: &minutes,
                    photo: photo.as_deref(),
                };
                model::record_step(conn, &item, &new, me, now)?;
                Ok(Ok(()))
            })
        })
        .await?;
    match outcome_key {
        Ok(()) => Ok(see_other(&format!(
            "/c/{}/items/{id}?done=step#steps",
            community.slug
        ))),
        Err(key) => {
            let msg = ctx.t(key).to_string();
            OnItem {
                ctx,
                community,
                actor,
                id,
            }
            .refuse(&state, "steps", msg, String::new())
            .await
        }
    }
}

// ---- follows ----

pub async fn follow(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<Empty>,
) -> Result<HttpResponse, AppError> {
    set_follow(state, path, p.ctx, true).await
}

pub async fn unfollow(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<Empty>,
) -> Result<HttpResponse, AppError> {
    set_follow(state, path, p.ctx, false).await
}

async fn set_follow(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    ctx: Ctx,
    on: bool,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, _, me) = load_as(&state, &ctx, slug, Action::ViewOwnAccount).await?;
    let (cid, now) = (community.id, state.clock.now());
    state
        .db(move |conn| {
            write_tx(conn, |conn| {
                model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
                if on {
                    model::follow(conn, cid, id, me, now)?;
                } else {
                    model::unfollow(conn, id, me)?;
                }
                Ok(())
            })
        })
        .await?;
    Ok(see_other(&format!(
        "/c/{}/items/{id}?done={}",
        community.slug,
        if on { "following" } else { "unfollowed" }
    )))
}

// ---- photos ----

/// Serves a stored photo or thumbnail. Names are content hashes, so the file never changes.
pub async fn photo(
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let name = name.into_inner();
    if !crate::uploads::valid_name(&name) {
        return Err(AppError::NotFound);
    }
    let path = crate::uploads::photo_dir(&state.config.data_dir()).join(&name);
    let bytes = web::block(move || std::fs::read(path))
        .await?
        .map_err(|_| AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header(("cache-control", "public, max-age=31536000, immutable"))
        .body(bytes))
}

// ---- feed ----

#[derive(Template)]
#[template(path = "agenda/feed.xml")]
struct Feed {
    community: Community,
    items: Vec<Item>,
    base: String,
    updated: String,
}

pub async fn feed(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let (community, items) = state
        .db(move |conn| {
            let c = communities::by_slug(conn, &slug)?.ok_or(AppError::NotFound)?;
            let items = model::recent(conn, c.id, 50)?;
            Ok((c, items))
        })
        .await?;
    let base = state.config.site_base();
    let updated = items
        .first()
        .map(|i| crate::clock::atom_time(&i.updated_at))
        .unwrap_or_else(|| crate::clock::atom_time(&community.created_at));
    let body = Feed {
        community,
        items,
        base,
        updated,
    }
    .render()?;
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .body(crate::web::xml::clean(body)))
}

// ---- 实施结果公开 ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResultForm {
    pub text: String,
}

/// The committee publishes the implementation result once every work order is confirmed;
/// the item is then completed.
pub async fn publish_result(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<ResultForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, id) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let Ok(text) = text_field(&form.text, 1, rules::BODY_MAX) else {
        let msg = ctx.t("steps.err_result_text").to_string();
        let on = OnItem {
            ctx,
            community,
            actor,
            id,
        };
        return on.refuse(&state, "result", msg, String::new()).await;
    };
    let (c, now) = (community.clone(), state.clock.now());
    let done = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let item = model::find(conn, c.id, id)?.ok_or(AppError::NotFound)?;
                let orders = crate::work_orders::model::of_item(conn, id)?;
                let states: Vec<&str> = orders.iter().map(|o| o.2.as_str()).collect();
                if item.stage() != Stage::Implementing || !rules::implementation_done(&states) {
                    return Ok(false);
                }
                conn_record_result(conn, &item, &text, me, now)?;
                model::move_stage(
                    conn,
                    &item,
                    Stage::Implementing,
                    Stage::Completed,
                    Some(me),
                    "",
                    now,
                )?;
                tell_followers(conn, &c, &item, "item_stage_completed", "", me, now)?;
                Ok(true)
            })
        })
        .await?;
    if !done {
        let msg = ctx.t("steps.err_result_not_ready").to_string();
        let on = OnItem {
            ctx,
            community,
            actor,
            id,
        };
        return on.refuse(&state, "result", msg, String::new()).await;
    }
    Ok(see_other(&format!(
        "/c/{}/items/{id}?done=completed#steps",
        community.slug
    )))
}

/// Records the published implementation result beside the four deliberations.
fn conn_record_result(
    conn: &mut AnyConnection,
    item: &Item,
    text: &str,
    by: i64,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    use crate::schema::agenda_steps;
    use diesel::prelude::*;
    diesel::insert_into(agenda_steps::table)
        .values((
            agenda_steps::community_id.eq(item.community_id),
            agenda_steps::item_id.eq(item.id),
            agenda_steps::step.eq(rules::RESULT_STEP),
            agenda_steps::held_on.eq(now),
            agenda_steps::body.eq(""),
            agenda_steps::expected.eq(0),
            agenda_steps::present.eq(0),
            agenda_steps::outcome.eq(""),
            agenda_steps::minutes.eq(text),
            agenda_steps::recorded_by.eq(by),
            agenda_steps::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
