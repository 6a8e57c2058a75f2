//! Agenda pages: the community's list of items, raising a proposal or putting an item on
//! the agenda, the item page with its timeline and thread, supports, stage moves, follows,
//! and the Atom feed.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::model::{self, Cursor, Item, ListQuery, ListRow, Sort};
use super::rules::{self, Mover, Stage, Step, CATEGORIES};
use super::service;
use crate::authz::{allows, Action, Actor, Role};
use crate::comments::model::Target;
use crate::comments::view::{thread_view, ThreadView};
use crate::communities::model::{self as communities, Community};
use crate::db::{write_tx, AnyConnection};
use crate::error::AppError;
use crate::uploads::Processed;
use crate::uploads::UploadedFile;
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
    /// Each row's standing plan: responsible person, planned date, days overdue.
    plans: Vec<Option<(super::plans::Plan, Option<i64>)>>,
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
    let (rows, next, mut plans) = state
        .db(move |conn| {
            let (rows, next) = model::list(conn, cid, &query)?;
            let ids: Vec<i64> = rows.iter().map(|r| r.item.id).collect();
            let plans = super::plans::latest_of(conn, &ids)?;
            Ok((rows, next, plans))
        })
        .await?;
    let today = crate::clock::local_day(state.clock.now());
    let plans = rows
        .iter()
        .map(|r| {
            plans.remove(&r.item.id).map(|p| {
                let late = super::plan_rules::overdue_days(r.item.stage(), p.due_on, today);
                (p, late)
            })
        })
        .collect();
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
        plans,
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

/// Checks and re-encodes the photos off the async workers, before anything is stored; a
/// problem goes into `errors`.
async fn checked_photos(
    state: &AppState,
    ctx: &Ctx,
    files: Vec<UploadedFile>,
    errors: &mut FieldErrors,
) -> Result<Vec<Processed>, AppError> {
    if files.len() > MAX_PHOTOS {
        errors.add(
            "photos",
            ctx.f("photos.err_count", &[("n", &MAX_PHOTOS.to_string())]),
        );
        return Ok(Vec::new());
    }
    Ok(match crate::uploads::process_all(state, files).await? {
        Ok(p) => p,
        Err(e) => {
            errors.add("photos", ctx.t(e.message_key()));
            Vec::new()
        }
    })
}

/// Stores checked photos; their names and sizes.
async fn stored_photos(
    state: &AppState,
    photos: Vec<Processed>,
) -> Result<Vec<service::StoredPhoto>, AppError> {
    let data_dir = state.config.data_dir();
    web::block(move || {
        photos
            .iter()
            .map(|p| {
                crate::uploads::store(&data_dir, p).map(|name| service::StoredPhoto {
                    name,
                    size: (p.width, p.height),
                })
            })
            .collect::<std::io::Result<Vec<_>>>()
    })
    .await?
    .map_err(|e| AppError::from_io("storing photos", e))
}

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
        .map_err(|e| errors.add("title", e.named(&ctx.tr, "err.field_title")))
        .ok();
    let body = text_field(&form.body, 1, rules::BODY_MAX)
        .map_err(|e| errors.add("body", e.named(&ctx.tr, "err.field_body")))
        .ok();
    if !rules::valid_category(&form.category) {
        errors.add("category", ctx.t("agenda.err_category"));
    }
    let photos = checked_photos(&state, &ctx, files, &mut errors).await?;
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
    let raised = service::Raised {
        author_id: me,
        title,
        body,
        category: form.category.clone(),
        committee,
        major: committee && form.major == "on",
        photos: stored_photos(&state, photos).await?,
    };
    let (c, now) = (community.clone(), state.clock.now());
    let id = state
        .db(move |conn| write_tx(conn, |conn| service::raise(conn, &c, &raised, now)))
        .await?;
    Ok(see_other(&format!("/c/{}/items/{id}", community.slug)))
}

// ---- item page ----

/// One of the four deliberations on the item page: recorded, or still to come.
struct StepView {
    key: String,
    record: Option<model::StepRecord>,
}

/// The views of the four steps (the record that stands for each, if any) and the records
/// that no longer stand: earlier rounds undone by a review that did not agree.
fn step_views(records: &[model::StepRecord]) -> (Vec<StepView>, Vec<model::StepRecord>) {
    let history: Vec<(Step, bool)> = records
        .iter()
        .filter_map(|r| r.kind().map(|k| (k, r.agreed())))
        .collect();
    let standing = rules::standing_steps(&history);
    let shown: Vec<StepView> = Step::ALL
        .iter()
        .map(|s| StepView {
            key: s.label_key(),
            record: standing
                .contains(s)
                .then(|| records.iter().rev().find(|r| r.kind() == Some(*s)).cloned())
                .flatten(),
        })
        .collect();
    let earlier = records
        .iter()
        .filter(|r| r.kind().is_some())
        .filter(|r| {
            !shown
                .iter()
                .any(|v| v.record.as_ref().map(|x| x.id) == Some(r.id))
        })
        .cloned()
        .collect();
    (shown, earlier)
}

/// One line of the item's timeline: a stage move, or a plan set or changed.
struct TimelineLine {
    /// The label's locale key (a stage's, or the plan's).
    key: String,
    at: chrono::NaiveDateTime,
    actor: Option<String>,
    note: String,
}

struct MoveOption {
    to: &'static str,
    key: String,
}

/// One attempt to resolve the item: its ballot, the notice that announced it, its results.
struct AttemptView {
    number: usize,
    ballot: i64,
    body: String,
    /// The notice's id and when the meeting was called for.
    notice: Option<(i64, String)>,
    /// The ballot's decisions (a correction follows what it corrects): id, verdict, present,
    /// electorate.
    decisions: Vec<(i64, String, i64, i64)>,
}

/// The attempts of an item reconvened after a failed quorum, from rows already read.
fn attempt_views(
    ballots: &[crate::ballots::model::Ballot],
    notices: &[super::notices::ConveningNotice],
    decisions: &[crate::ballots::model::Decision],
) -> Vec<AttemptView> {
    if ballots.len() < 2 {
        return Vec::new();
    }
    let b: Vec<(i64, chrono::NaiveDateTime)> =
        ballots.iter().map(|b| (b.id, b.created_at)).collect();
    let n: Vec<(i64, chrono::NaiveDateTime)> =
        notices.iter().map(|n| (n.id, n.published_at)).collect();
    rules::attempts(&b, &n)
        .into_iter()
        .zip(ballots)
        .enumerate()
        .map(|(k, (a, ballot))| AttemptView {
            number: k + 1,
            ballot: a.ballot,
            body: crate::ballots::words::body_key(&ballot.body),
            notice: a.notice.and_then(|id| {
                notices
                    .iter()
                    .find(|n| n.id == id)
                    .map(|n| (id, n.meets_local()))
            }),
            decisions: decisions
                .iter()
                .filter(|d| d.ballot_id == a.ballot)
                .map(|d| (d.id, d.verdict.clone(), d.present, d.electorate))
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "agenda/item.html")]
struct ItemPage {
    ctx: Ctx,
    community: Community,
    item: Item,
    author: String,
    body_html: String,
    /// The stage moves and the plan settings, in time order.
    timeline: Vec<TimelineLine>,
    /// The standing plan (负责人、计划完成时间) and its days overdue, if any.
    plan: Option<(super::plans::Plan, Option<i64>)>,
    can_plan: bool,
    /// The plan form as typed, kept when it is refused.
    plan_form: super::plans::PlanForm,
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
    /// Deliberations that no longer stand (a review that did not agree, and its round).
    earlier_steps: Vec<model::StepRecord>,
    next_step: Option<Step>,
    /// The deliberation form as typed, kept when it is refused.
    step_form: StepForm,
    photos: Vec<String>,
    ballots: Vec<crate::ballots::model::Ballot>,
    decisions: Vec<crate::ballots::model::Decision>,
    can_open_ballot: bool,
    /// Every attempt to resolve the item once it was reconvened (ballot, its notice, its
    /// results); empty while there was only one ballot.
    attempts: Vec<AttemptView>,
    /// The convening notices of the item's meetings (召集通知), oldest first.
    notices: Vec<super::notices::ConveningNotice>,
    can_notice: bool,
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
    /// The implementation result as typed, kept when it is refused.
    result_text: String,
    notice: Option<&'static str>,
}

impl ItemPage {
    /// The fields whose messages the page prints beside them (and the forms whose messages
    /// it prints at their top), for the forms on the page; any other message goes in the
    /// box at the top of the page.
    fn at_fields(&self) -> Vec<&'static str> {
        let mut shown = Vec::new();
        if self.can_comment {
            shown.push("comment");
        }
        if self.can_plan {
            shown.extend(["plan", "plan_responsible", "plan_due_on", "plan_reason"]);
        }
        if self.item.major && self.next_step.is_some() {
            shown.extend(STEP_FIELDS);
        }
        if self.can_complete && !self.orders.is_empty() {
            shown.push("result");
        }
        shown
    }
}

/// The deliberation form's fields that show their own message (`steps`: the form's top).
const STEP_FIELDS: [&str; 10] = [
    "steps",
    "held_on",
    "step_body",
    "expected",
    "present",
    "votes_for",
    "votes_against",
    "outcome",
    "minutes",
    "photo",
];

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
    thread: crate::comments::service::ThreadRows,
    supported: bool,
    following: bool,
    records: Vec<model::StepRecord>,
    photos: Vec<String>,
    ballots: Vec<crate::ballots::model::Ballot>,
    decisions: Vec<crate::ballots::model::Decision>,
    orders: Vec<crate::work_orders::model::ItemOrder>,
    notices: Vec<super::notices::ConveningNotice>,
    result_days: u32,
    plans: Vec<(super::plans::Plan, String)>,
}

/// How the item page is answered besides the item itself: a message beside a form (with
/// the comment text kept), or a notice of what was just done.
struct Shown {
    errors: FieldErrors,
    comment_body: String,
    result_text: String,
    step_form: StepForm,
    plan_form: super::plans::PlanForm,
    notice: Option<&'static str>,
    status: StatusCode,
}

/// Reads everything the item page shows, in a fixed number of queries whatever the
/// thread's size.
fn load_item(
    conn: &mut AnyConnection,
    cid: i64,
    id: i64,
    me: Option<i64>,
) -> Result<ItemRows, AppError> {
    // The item and its author's name in one query, so the plans' history costs none extra.
    let (item, author) =
        super::plans::item_with_author(conn, cid, id)?.ok_or(AppError::NotFound)?;
    let (supported, following) = match me {
        Some(u) => (
            model::has_supported(conn, id, u)?,
            model::is_following(conn, id, u)?,
        ),
        None => (false, false),
    };
    // The community's days for the implementation result are read only once it is due.
    let orders = crate::work_orders::model::of_item(conn, id)?;
    let states: Vec<&str> = orders.iter().map(|o| o.2.as_str()).collect();
    Ok(ItemRows {
        item,
        author,
        timeline: model::timeline(conn, id)?,
        plans: super::plans::history(conn, id)?,
        thread: crate::comments::service::load_thread(conn, Target::Item(id))?,
        supported,
        following,
        records: model::steps(conn, id)?,
        photos: model::photos_of(conn, id)?,
        ballots: crate::ballots::model::of_item(conn, id)?,
        decisions: crate::ballots::model::decisions_of_item(conn, id)?,
        notices: super::notices::of_item(conn, id)?,
        result_days: if rules::implementation_done(&states) {
            crate::disclosures::due::result_days(&crate::disclosures::model::cadences(conn, cid)?)
        } else {
            0
        },
        orders,
    })
}

/// The moves the committee is offered on the page.
fn moves_for(actor: &Actor, stage: Stage) -> Vec<MoveOption> {
    if !allows(actor, Action::ManageAgenda) {
        return Vec::new();
    }
    rules::committee_moves(stage)
        .iter()
        .map(|s| MoveOption {
            to: s.as_str(),
            key: rules::move_label_key(stage, *s),
        })
        .collect()
}

/// When the implementation result is due: the community's number of days after the last
/// order is confirmed, by the disclosures' rule (the board and the supervisors' page read
/// the same).
fn result_due(orders: &[crate::work_orders::model::ItemOrder], days: u32) -> String {
    let states: Vec<&str> = orders.iter().map(|o| o.2.as_str()).collect();
    let last = orders
        .iter()
        .filter_map(|o| o.3)
        .max()
        .map(crate::clock::local_day);
    crate::disclosures::rules::result_due(&states, last, days)
        .map(|d| d.to_string())
        .unwrap_or_default()
}

async fn item_page(state: &AppState, on: OnItem, shown: Shown) -> Result<HttpResponse, AppError> {
    let OnItem {
        ctx,
        community,
        actor,
        id,
    } = on;
    let (cid, me, now) = (community.id, ctx.user_id(), state.clock.now());
    let r = state.db(move |conn| load_item(conn, cid, id, me)).await?;
    let (item, stage) = (&r.item, r.item.stage());
    let manage = allows(&actor, Action::ManageAgenda);
    let (steps, earlier_steps) = step_views(&r.records);
    let recorded: Vec<Step> = steps
        .iter()
        .zip(Step::ALL)
        .filter(|(v, _)| v.record.is_some())
        .map(|(_, s)| s)
        .collect();
    let next_step = rules::next_step(&recorded)
        .filter(|s| *s != Step::Resolution && item.major && manage)
        .filter(|_| matches!(stage, Stage::Adopted | Stage::Deliberating));
    let thread = thread_view(&ctx, &actor, &community, Target::Item(id), r.thread);
    let order_states: Vec<&str> = r.orders.iter().map(|o| o.2.as_str()).collect();
    let today = crate::clock::local_day(now);
    let plan = r.plans.last().map(|(p, _)| {
        let late = super::plan_rules::overdue_days(stage, p.due_on, today);
        (p.clone(), late)
    });
    let mut timeline: Vec<TimelineLine> = r
        .timeline
        .iter()
        .map(|e| TimelineLine {
            key: e.stage_key(),
            at: e.at,
            actor: e.actor.clone(),
            note: e.note.clone(),
        })
        .collect();
    for (i, (p, by)) in r.plans.iter().enumerate() {
        let due = p.due();
        let args = [("who", p.responsible.as_str()), ("date", due.as_str())];
        let what = ctx.f("item_plan.timeline_set", &args);
        timeline.push(TimelineLine {
            key: if i == 0 {
                "item_plan.timeline_first".to_string()
            } else {
                "item_plan.timeline_changed".to_string()
            },
            at: p.created_at,
            actor: Some(by.clone()),
            note: if p.note.is_empty() {
                what
            } else {
                format!("{what} — {}", p.note)
            },
        });
    }
    // Stable: a plan set in the same instant as a move shows after it.
    timeline.sort_by_key(|l| l.at);
    let page = ItemPage {
        can_plan: manage && super::plan_rules::takes_plan(stage),
        plan,
        plan_form: shown.plan_form,
        timeline,
        body_html: crate::comments::rules::render_markdown(&item.body),
        can_support: rules::accepts_support(stage) && allows(&actor, Action::ActAsResident),
        can_comment: rules::accepts_comments(stage) && allows(&actor, Action::Comment),
        can_manage: manage,
        is_author: me == Some(item.author_id),
        overdue: rules::is_overdue(stage, item.respond_by, now),
        can_open_ballot: manage && rules::may_open_ballot(item.major, stage, &recorded),
        can_notice: manage && matches!(stage, Stage::Adopted | Stage::Deliberating),
        attempts: attempt_views(&r.ballots, &r.notices, &r.decisions),
        resolution_due: r
            .decisions
            .first()
            .map(|d| crate::clock::fmt_day(&rules::resolution_publication_due(d.published_at)))
            .unwrap_or_default(),
        result: r
            .records
            .iter()
            .find(|r| r.step == rules::RESULT_STEP)
            .cloned(),
        result_due: result_due(&r.orders, r.result_days),
        can_complete: manage
            && stage == Stage::Implementing
            && rules::implementation_done(&order_states),
        orders: r
            .orders
            .iter()
            .map(|o| (o.0, o.1.clone(), o.2.clone()))
            .collect(),
        moves: moves_for(&actor, stage),
        ctx,
        community,
        item: r.item,
        author: r.author,
        thread,
        supported: r.supported,
        following: r.following,
        ballots: r.ballots,
        decisions: r.decisions,
        notices: r.notices,
        steps,
        earlier_steps,
        next_step,
        step_form: shown.step_form,
        photos: r.photos,
        errors: shown.errors,
        comment_body: shown.comment_body,
        result_text: shown.result_text,
        notice: shown.notice,
    };
    render(shown.status, &page)
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
        "planned" => Some("item_plan.done"),
        _ => None,
    };
    let on = OnItem {
        ctx,
        community,
        actor,
        id,
    };
    on.show(&state, notice).await
}

/// An item page being answered: who asks, where, about which item.
pub struct OnItem {
    pub ctx: Ctx,
    pub community: Community,
    pub actor: Actor,
    pub id: i64,
}

impl OnItem {
    /// The item page, with a notice of what was just done.
    pub async fn show(
        self,
        state: &AppState,
        notice: Option<&'static str>,
    ) -> Result<HttpResponse, AppError> {
        let shown = Shown {
            errors: FieldErrors::default(),
            comment_body: String::new(),
            result_text: String::new(),
            step_form: StepForm::default(),
            plan_form: Default::default(),
            notice,
            status: StatusCode::OK,
        };
        item_page(state, self, shown).await
    }

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
        // What was typed goes back into the form the message is about.
        let (comment_body, result_text) = match field {
            "result" => (String::new(), kept),
            _ => (kept, String::new()),
        };
        let shown = Shown {
            errors,
            comment_body,
            result_text,
            step_form: StepForm::default(),
            plan_form: Default::default(),
            notice: None,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        };
        item_page(state, self, shown).await
    }

    /// Re-renders the item page with the plan form as typed and a message beside each field
    /// that is wrong; status 422.
    pub async fn refuse_plan(
        self,
        state: &AppState,
        errors: FieldErrors,
        form: super::plans::PlanForm,
    ) -> Result<HttpResponse, AppError> {
        let shown = Shown {
            errors,
            comment_body: String::new(),
            result_text: String::new(),
            step_form: StepForm::default(),
            plan_form: form,
            notice: None,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        };
        item_page(state, self, shown).await
    }

    /// Re-renders the item page with the deliberation form as typed and a message beside
    /// each field that is wrong; status 422.
    async fn refuse_step(
        self,
        state: &AppState,
        errors: FieldErrors,
        form: StepForm,
    ) -> Result<HttpResponse, AppError> {
        let shown = Shown {
            errors,
            comment_body: String::new(),
            result_text: String::new(),
            step_form: form,
            plan_form: Default::default(),
            notice: None,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        };
        item_page(state, self, shown).await
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
    let (cid, now) = (community.id, state.clock.now());
    let outcome = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let item = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
                service::change_support(conn, &item, me, give, now)
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

// ---- stage moves ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    pub to: String,
    pub note: String,
    /// "on" when the committee makes the item a major matter (四议两公开) with this move.
    pub major: String,
}

pub async fn change_stage(
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
    let major = form.major == "on";
    let checked = match (Stage::parse(&form.to), text_field(&form.note, 0, 2000)) {
        (None, _) => Err(ctx.t("agenda.err_move").to_string()),
        (_, Err(e)) => Err(e.message(&ctx.tr)),
        (Some(to), Ok(note)) if major => {
            let marked = ctx.t("agenda.made_major");
            let note = if note.is_empty() {
                marked.to_string()
            } else {
                format!("{note}（{marked}）")
            };
            Ok((to, note))
        }
        (Some(to), Ok(note)) => Ok((to, note)),
    };
    let on = OnItem {
        ctx,
        community,
        actor,
        id,
    };
    let (to, note) = match checked {
        Ok(v) => v,
        Err(msg) => return on.refuse(&state, "move", msg, String::new()).await,
    };
    let (cid, now) = (on.community.id, state.clock.now());
    let outcome = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let item = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
                if mover == Mover::Author && item.author_id != me {
                    return Err(AppError::Forbidden);
                }
                let m = service::Move {
                    item: &item,
                    to,
                    mover,
                    by: Some(me),
                    note: &note,
                };
                if major {
                    service::advance_as_major(conn, &m, now)
                } else {
                    service::advance(conn, &m, now)
                }
            })
        })
        .await?;
    match outcome {
        Ok(()) => Ok(see_other(&format!(
            "/c/{}/items/{id}?done=moved",
            on.community.slug
        ))),
        Err(e) => {
            let msg = on.ctx.t(e.message_key()).to_string();
            on.refuse(&state, "move", msg, String::new()).await
        }
    }
}

// ---- 四议两公开 ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct StepForm {
    pub step: String,
    pub held_on: String,
    pub body: String,
    pub expected: String,
    pub present: String,
    /// The review's votes for and against (党员大会审议 only).
    pub votes_for: String,
    pub votes_against: String,
    pub outcome: String,
    pub minutes: String,
}

/// A deliberation as typed, each field checked for its shape.
struct StepInput {
    step: Step,
    held_on: chrono::NaiveDateTime,
    expected: i64,
    present: i64,
    votes: Option<(i64, i64)>,
    body: String,
    outcome: String,
    minutes: String,
}

impl StepInput {
    /// Reads a deliberation as typed; every problem is a message at its field: the head
    /// counts ([`rules::read_tally`]), the day it was held ([`rules::read_held_on`]: not a
    /// date, in the future or too far back), the meeting's name, its outcome and the minutes.
    fn read(ctx: &Ctx, form: &StepForm, today: chrono::NaiveDate) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let Some(step) = Step::parse(&form.step) else {
            errors.add("steps", ctx.t("steps.err_fields"));
            return Err(errors);
        };
        let tally = rules::read_tally(
            step,
            &form.expected,
            &form.present,
            &form.votes_for,
            &form.votes_against,
        );
        let tally = match tally {
            Ok(t) => Some(t),
            Err(problems) => {
                for (field, key) in problems {
                    // A number that is not whole or out of range: named, with its range.
                    let message = match key {
                        "steps.err_number" => crate::web::forms::whole_number_message(
                            ctx,
                            ctx.t(&format!("steps.number_{field}")),
                            0,
                            rules::HEADCOUNT_MAX,
                        ),
                        _ => ctx.t(key).to_string(),
                    };
                    errors.add(field, message);
                }
                None
            }
        };
        let years = crate::clock::DATE_YEARS.to_string();
        let held_on = rules::read_held_on(&form.held_on, today)
            .map_err(|key| errors.add("held_on", ctx.f(key, &[("years", &years)])))
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0));
        let mut text = |field: &'static str,
                        typed: &str,
                        (min, max): (usize, usize),
                        (empty, label): (&str, &str)| {
            match text_field(typed, min, max) {
                Ok(v) => Some(v),
                Err(crate::accounts::rules::FieldProblem::Empty) => {
                    errors.add(field, ctx.t(empty));
                    None
                }
                Err(e) => {
                    errors.add(field, format!("{}：{}", ctx.t(label), e.message(&ctx.tr)));
                    None
                }
            }
        };
        let body = text(
            "step_body",
            &form.body,
            (1, 200),
            ("steps.err_body", "steps.body"),
        );
        let outcome = text(
            "outcome",
            &form.outcome,
            (1, 500),
            ("steps.err_outcome", "steps.outcome"),
        );
        let minutes = text(
            "minutes",
            &form.minutes,
            (0, rules::BODY_MAX),
            ("steps.err_minutes", "steps.minutes"),
        );
        match (tally, held_on, body, outcome, minutes) {
            (Some(tally), Some(held_on), Some(body), Some(outcome), Some(minutes)) => {
                Ok(StepInput {
                    step,
                    held_on,
                    expected: tally.expected,
                    present: tally.present,
                    votes: tally.votes,
                    body,
                    outcome,
                    minutes,
                })
            }
            _ => Err(errors),
        }
    }

    fn with_photo<'a>(&'a self, photo: Option<&'a str>) -> model::NewStep<'a> {
        model::NewStep {
            step: self.step,
            held_on: self.held_on,
            body: &self.body,
            expected: self.expected,
            present: self.present,
            outcome: &self.outcome,
            minutes: &self.minutes,
            photo,
        }
    }
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
    let on = OnItem {
        ctx,
        community,
        actor,
        id,
    };
    let today = crate::clock::local_day(state.clock.now());
    let input = match StepInput::read(&on.ctx, &form, today) {
        Ok(input) => input,
        Err(errors) => return on.refuse_step(&state, errors, form).await,
    };
    // One optional photo: the sign-in sheet, the meeting in the hall.
    let photo = match files.into_iter().next() {
        None => None,
        Some(f) => match crate::uploads::store_upload(&state, f).await? {
            Ok(name) => Some(name),
            Err(key) => {
                let mut errors = FieldErrors::default();
                errors.add("photo", on.ctx.t(key));
                return on.refuse_step(&state, errors, form).await;
            }
        },
    };
    let (cid, now) = (on.community.id, state.clock.now());
    let outcome = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let item = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
                let new = input.with_photo(photo.as_deref());
                service::record_step(conn, &item, &new, input.votes, me, now)
            })
        })
        .await?;
    match outcome {
        Ok(()) => Ok(see_other(&format!(
            "/c/{}/items/{id}?done=step#steps",
            on.community.slug
        ))),
        Err(e) => {
            let field = match e {
                rules::StepError::BadAttendance | rules::StepError::ReviewNotQuorate => "present",
                _ => "steps",
            };
            let mut errors = FieldErrors::default();
            errors.add(field, on.ctx.t(e.message_key()));
            on.refuse_step(&state, errors, form).await
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
                service::set_follow(conn, (cid, id), me, on, now)
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
        return on.refuse(&state, "result", msg, form.text).await;
    };
    let (cid, now) = (community.id, state.clock.now());
    let done = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let item = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
                service::publish_result(conn, &item, &text, me, now)
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
