//! Community pages: the site home, a community's public home, joining, the committee's
//! residents page (requests, members, roles, grids) and the action log.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::model::{self, Community, Counts, Grid, Household, MemberRow, PendingRow};
use super::rules;
use crate::accounts::model as accounts;
use crate::accounts::rules::Contact;
use crate::audit::{self, Entry, LogRow};
use crate::authz::{allows, Action, Actor, Role};
use crate::db::{write_tx, AnyConnection};
use crate::notifications::{notify, Notice};
use crate::web::ctx::Ctx;
use crate::web::error::AppError;
use crate::web::forms::{text_field, FieldErrors, Posted};
use crate::web::{fmt_time, page, render, see_other, AppState};

/// Loads the community named in the path and the current user as seen from it.
pub async fn load_community(
    state: &AppState,
    ctx: &Ctx,
    slug: String,
) -> Result<(Community, Actor), AppError> {
    let user = ctx.user.clone();
    state
        .db(move |conn| {
            let community = model::by_slug(conn, &slug)?.ok_or(AppError::NotFound)?;
            let actor = model::actor(conn, user.as_ref(), &community)?;
            Ok((community, actor))
        })
        .await
}

/// Loads the community, refuses the action unless the signed-in user may take it there,
/// and returns the community, the user as seen from it, and their id.
pub async fn load_as(
    state: &AppState,
    ctx: &Ctx,
    slug: String,
    action: Action,
) -> Result<(Community, Actor, i64), AppError> {
    let (community, actor) = load_community(state, ctx, slug).await?;
    authorize(ctx, &actor, action)?;
    let me = ctx.require_user()?.id;
    Ok((community, actor, me))
}

/// Refuses an action the actor may not take: anonymous users are sent to sign in.
pub fn authorize(ctx: &Ctx, actor: &Actor, action: Action) -> Result<(), AppError> {
    if allows(actor, action) {
        Ok(())
    } else if ctx.user.is_none() {
        Err(AppError::SignIn(ctx.here.clone()))
    } else {
        Err(AppError::Forbidden)
    }
}

// ---- site home ----

struct TownshipView {
    community: Community,
    members: Vec<Community>,
}

#[derive(Template)]
#[template(path = "communities/site_home.html")]
struct SiteHome {
    ctx: Ctx,
    townships: Vec<TownshipView>,
    others: Vec<Community>,
}

pub async fn site_home(state: web::Data<AppState>, ctx: Ctx) -> Result<HttpResponse, AppError> {
    let all = state.db(|conn| Ok(model::all(conn)?)).await?;
    let (townships, rest): (Vec<_>, Vec<_>) = all.into_iter().partition(|c| c.is_township());
    let ids: Vec<i64> = townships.iter().map(|t| t.id).collect();
    let (children, others): (Vec<_>, Vec<_>) = rest
        .into_iter()
        .partition(|c| c.parent_id.is_some_and(|p| ids.contains(&p)));
    let townships = townships
        .into_iter()
        .map(|t| TownshipView {
            members: children
                .iter()
                .filter(|c| c.parent_id == Some(t.id))
                .cloned()
                .collect(),
            community: t,
        })
        .collect();
    page(&SiteHome {
        ctx,
        townships,
        others,
    })
}

// ---- community home ----

#[derive(Template)]
#[template(path = "communities/home.html")]
struct CommunityHome {
    ctx: Ctx,
    community: Community,
    parent: Option<Community>,
    children: Vec<Community>,
    committee: Vec<MemberRow>,
    counts: Counts,
    my_roles: Vec<Role>,
    is_resident: bool,
    my_request: Option<model::JoinRequest>,
    can_view_residents: bool,
    can_view_log: bool,
    recent: Vec<crate::agenda::model::Item>,
    overdue: Vec<crate::agenda::model::Item>,
}

pub async fn community_home(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (community, actor) = load_community(&state, &ctx, slug.into_inner()).await?;
    let c = community.clone();
    let (me, now) = (ctx.user_id(), state.clock.now());
    let (parent, children, members, counts, my_request, recent, overdue) = state
        .db(move |conn| {
            let parent = match c.parent_id {
                Some(p) => Some(model::by_id(conn, p)?),
                None => None,
            };
            let children = model::children(conn, c.id)?;
            let members = model::members(conn, c.id)?;
            let counts = model::counts(conn, c.id)?;
            let req = match me {
                Some(u) => model::open_request_of(conn, c.id, u)?,
                None => None,
            };
            let recent = crate::agenda::model::recent(conn, c.id, 5)?;
            let overdue = crate::agenda::model::overdue(conn, c.id, now)?;
            Ok((parent, children, members, counts, req, recent, overdue))
        })
        .await?;
    let lead_role = if community.is_township() {
        Role::Township
    } else {
        Role::Committee
    };
    let committee = members
        .into_iter()
        .filter(|m| m.role == lead_role.as_str())
        .collect();
    page(&CommunityHome {
        ctx,
        community,
        parent,
        children,
        committee,
        counts,
        can_view_residents: allows(&actor, Action::ViewResidents),
        can_view_log: allows(&actor, Action::ViewActionLog),
        is_resident: actor.has(Role::Resident),
        my_roles: actor.roles,
        my_request,
        recent,
        overdue,
    })
}

// ---- joining ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct JoinForm {
    pub address: String,
    pub grid_id: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "communities/join.html")]
struct JoinPage {
    ctx: Ctx,
    community: Community,
    grids: Vec<Grid>,
    form: JoinForm,
    errors: FieldErrors,
    existing: Option<model::JoinRequest>,
    resident: bool,
    show_form: bool,
}

async fn join_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: &Actor,
    form: JoinForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let (cid, uid) = (community.id, ctx.require_user()?.id);
    let (grids, existing) = state
        .db(move |conn| {
            Ok((
                model::grids_of(conn, cid)?,
                model::open_request_of(conn, cid, uid)?,
            ))
        })
        .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let existing = existing.filter(|r| r.status != model::APPROVED);
    let resident = actor.has(Role::Resident);
    let show_form = !resident
        && existing
            .as_ref()
            .is_none_or(|r| r.status == model::DECLINED);
    render(
        status,
        &JoinPage {
            ctx,
            community,
            grids,
            form,
            errors,
            existing,
            resident,
            show_form,
        },
    )
}

pub async fn join_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (community, actor) = load_community(&state, &ctx, slug.into_inner()).await?;
    authorize(&ctx, &actor, Action::RequestJoin)?;
    if community.is_township() {
        return Err(AppError::NotFound);
    }
    join_page(
        &state,
        ctx,
        community,
        &actor,
        JoinForm::default(),
        FieldErrors::default(),
    )
    .await
}

pub async fn join_submit(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Posted<JoinForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (community, actor) = load_community(&state, &ctx, slug.into_inner()).await?;
    authorize(&ctx, &actor, Action::RequestJoin)?;
    if community.is_township() {
        return Err(AppError::NotFound);
    }
    let mut errors = FieldErrors::default();
    let address = text_field(&form.address, 1, 100)
        .map_err(|e| errors.add("address", e.message(&ctx.tr)))
        .ok();
    let note = text_field(&form.note, 0, 500)
        .map_err(|e| errors.add("note", e.message(&ctx.tr)))
        .ok();
    let grid = parse_optional_id(&form.grid_id);
    if actor.has(Role::Resident) {
        errors.add("address", ctx.t("join.already_resident"));
    }
    let (Some(address), Some(note), true) = (address, note, errors.is_empty()) else {
        return join_page(&state, ctx, community, &actor, form, errors).await;
    };
    let (cid, uid, now) = (community.id, ctx.require_user()?.id, state.clock.now());
    let outcome = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                if let Some(r) = model::open_request_of(conn, cid, uid)? {
                    if r.status == model::PENDING {
                        return Ok(Err(("address", "join.already_pending")));
                    }
                }
                // A grid must be this community's: another's is refused, not dropped.
                if let Some(g) = grid {
                    if !grid_in(conn, cid, g)? {
                        return Ok(Err(("grid_id", "join.err_grid")));
                    }
                }
                model::insert_request(conn, cid, uid, &address, grid, &note, now)?;
                Ok(Ok(()))
            })
        })
        .await?;
    if let Err((field, key)) = outcome {
        errors.add(field, ctx.t(key));
        return join_page(&state, ctx, community, &actor, form, errors).await;
    }
    Ok(see_other(&format!("/c/{}/join", community.slug)))
}

fn parse_optional_id(s: &str) -> Option<i64> {
    s.trim().parse().ok().filter(|v: &i64| *v > 0)
}

fn grid_in(conn: &mut AnyConnection, community_id: i64, grid_id: i64) -> Result<bool, AppError> {
    Ok(model::grids_of(conn, community_id)?
        .iter()
        .any(|g| g.id == grid_id))
}

// ---- residents (the committee's page) ----

#[derive(Template)]
#[template(path = "communities/residents.html")]
struct ResidentsPage {
    ctx: Ctx,
    community: Community,
    pending: Vec<PendingRow>,
    members: Vec<MemberRow>,
    grids: Vec<Grid>,
    households: Vec<Household>,
    can_review: bool,
    can_appoint: bool,
    errors: FieldErrors,
    appoint: AppointForm,
    notice: Option<&'static str>,
}

async fn residents_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: Actor,
    errors: FieldErrors,
    appoint: AppointForm,
    notice: Option<&'static str>,
) -> Result<HttpResponse, AppError> {
    authorize(&ctx, &actor, Action::ViewResidents)?;
    let cid = community.id;
    let (pending, members, grids, households) = state
        .db(move |conn| {
            Ok((
                model::pending_requests(conn, cid)?,
                model::members(conn, cid)?,
                model::grids_of(conn, cid)?,
                model::households_of(conn, cid)?,
            ))
        })
        .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &ResidentsPage {
            ctx,
            community,
            pending,
            members,
            grids,
            households,
            can_review: allows(&actor, Action::ReviewJoinRequests),
            can_appoint: allows(&actor, Action::AppointCommunityRole),
            errors,
            appoint,
            notice,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

pub async fn residents(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let (community, actor) = load_community(&state, &ctx, slug.into_inner()).await?;
    let notice = match q.done.as_str() {
        "approved" => Some("residents.done_approved"),
        "declined" => Some("residents.done_declined"),
        "appointed" => Some("residents.done_appointed"),
        "revoked" => Some("residents.done_revoked"),
        "grid" => Some("residents.done_grid"),
        "settings" => Some("settings.done"),
        _ => None,
    };
    residents_page(
        &state,
        ctx,
        community,
        actor,
        FieldErrors::default(),
        AppointForm::default(),
        notice,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ApproveForm {
    pub household: String,
}

pub async fn approve(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<ApproveForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, request_id) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, Action::ReviewJoinRequests).await?;
    let (c, now) = (community.clone(), state.clock.now());
    let household = form.household.trim().to_string();
    let result = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let Some(req) = model::request(conn, c.id, request_id)? else {
                    return Err(AppError::NotFound);
                };
                let household_id = match rules::household_choice(&household) {
                    rules::HouseholdChoice::New => {
                        model::insert_household(conn, c.id, req.grid_id, &req.address, now)?
                    }
                    rules::HouseholdChoice::Existing(id) => {
                        if !model::households_of(conn, c.id)?.iter().any(|h| h.id == id) {
                            return Ok(Err("residents.err_household"));
                        }
                        id
                    }
                    rules::HouseholdChoice::Invalid => return Ok(Err("residents.err_household")),
                };
                if !model::decide_request(
                    conn,
                    req.id,
                    model::APPROVED,
                    "",
                    Some(household_id),
                    me,
                    now,
                )? {
                    return Ok(Err("residents.err_decided"));
                }
                model::grant(
                    conn,
                    c.id,
                    req.user_id,
                    Role::Resident,
                    Some(household_id),
                    None,
                    now,
                )?;
                audit::record(
                    conn,
                    &Entry {
                        community_id: Some(c.id),
                        actor_id: me,
                        action: crate::audit::Action::VerifyResident,
                        target_user_id: Some(req.user_id),
                        detail: &req.address,
                        reason: "",
                    },
                    now,
                )?;
                notify(
                    conn,
                    &Notice {
                        user_id: req.user_id,
                        community_id: Some(c.id),
                        kind: "join_approved",
                        subject: &c.name,
                        detail: "",
                        link: &format!("/c/{}", c.slug),
                    },
                    now,
                )?;
                Ok(Ok(()))
            })
        })
        .await?;
    match result {
        Ok(()) => Ok(see_other(&format!(
            "/c/{}/residents?done=approved",
            community.slug
        ))),
        Err(key) => {
            let mut errors = FieldErrors::default();
            errors.add("request", ctx.t(key));
            residents_page(
                &state,
                ctx,
                community,
                actor,
                errors,
                AppointForm::default(),
                None,
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeclineForm {
    pub reason: String,
}

pub async fn decline(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<DeclineForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, request_id) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, Action::ReviewJoinRequests).await?;
    let reason = match text_field(&form.reason, 1, 500) {
        Ok(r) => r,
        Err(e) => {
            let mut errors = FieldErrors::default();
            errors.add(
                "request",
                format!(
                    "{} {}",
                    ctx.t("residents.reason_needed"),
                    e.message(&ctx.tr)
                ),
            );
            return residents_page(
                &state,
                ctx,
                community,
                actor,
                errors,
                AppointForm::default(),
                None,
            )
            .await;
        }
    };
    let (c, now) = (community.clone(), state.clock.now());
    let decided = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let Some(req) = model::request(conn, c.id, request_id)? else {
                    return Err(AppError::NotFound);
                };
                if !model::decide_request(conn, req.id, model::DECLINED, &reason, None, me, now)? {
                    return Ok(false);
                }
                audit::record(
                    conn,
                    &Entry {
                        community_id: Some(c.id),
                        actor_id: me,
                        action: crate::audit::Action::DeclineJoin,
                        target_user_id: Some(req.user_id),
                        detail: &req.address,
                        reason: &reason,
                    },
                    now,
                )?;
                notify(
                    conn,
                    &Notice {
                        user_id: req.user_id,
                        community_id: Some(c.id),
                        kind: "join_declined",
                        subject: &c.name,
                        detail: &reason,
                        link: &format!("/c/{}/join", c.slug),
                    },
                    now,
                )?;
                Ok(true)
            })
        })
        .await?;
    if !decided {
        let mut errors = FieldErrors::default();
        errors.add("request", ctx.t("residents.err_decided"));
        return residents_page(
            &state,
            ctx,
            community,
            actor,
            errors,
            AppointForm::default(),
            None,
        )
        .await;
    }
    Ok(see_other(&format!(
        "/c/{}/residents?done=declined",
        community.slug
    )))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AppointForm {
    pub contact: String,
    pub role: String,
    pub grid_id: String,
}

pub async fn appoint(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Posted<AppointForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (community, actor, me) = load_as(
        &state,
        &ctx,
        slug.into_inner(),
        Action::AppointCommunityRole,
    )
    .await?;
    let (c, now) = (community.clone(), state.clock.now());
    let (contact, role, grid) = (
        Contact::parse(&form.contact),
        Role::parse(&form.role).filter(|r| r.committee_appoints()),
        parse_optional_id(&form.grid_id),
    );
    let result = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let Ok(contact) = &contact else {
                    return Ok(Err("residents.err_contact"));
                };
                let Some(role) = role else {
                    return Ok(Err("residents.err_role"));
                };
                let Some(user) = accounts::find_by_contact(conn, contact)? else {
                    return Ok(Err("residents.err_no_user"));
                };
                let held = model::roles_of(conn, c.id, user.id)?;
                let grid = match (role, grid) {
                    (Role::GridWorker, Some(g)) if grid_in(conn, c.id, g)? => Some(g),
                    (Role::GridWorker, _) => return Ok(Err("residents.err_grid")),
                    _ => None,
                };
                if let Err(key) = rules::may_hold(role, &held) {
                    return Ok(Err(key));
                }
                if !model::grant(conn, c.id, user.id, role, None, grid, now)? {
                    return Ok(Err("residents.err_held"));
                }
                audit::record(
                    conn,
                    &Entry {
                        community_id: Some(c.id),
                        actor_id: me,
                        action: crate::audit::Action::Appoint,
                        target_user_id: Some(user.id),
                        detail: role.as_str(),
                        reason: "",
                    },
                    now,
                )?;
                notify(
                    conn,
                    &Notice {
                        user_id: user.id,
                        community_id: Some(c.id),
                        kind: &format!("role_granted_{}", role.as_str()),
                        subject: &c.name,
                        detail: "",
                        link: &format!("/c/{}", c.slug),
                    },
                    now,
                )?;
                Ok(Ok(()))
            })
        })
        .await?;
    match result {
        Ok(()) => Ok(see_other(&format!(
            "/c/{}/residents?done=appointed",
            community.slug
        ))),
        Err(key) => {
            let mut errors = FieldErrors::default();
            errors.add("appoint", ctx.t(key));
            residents_page(&state, ctx, community, actor, errors, form, None).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RevokeForm {
    pub user_id: String,
    pub role: String,
}

pub async fn revoke(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Posted<RevokeForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (community, actor, me) = load_as(
        &state,
        &ctx,
        slug.into_inner(),
        Action::AppointCommunityRole,
    )
    .await?;
    let (Some(user_id), Some(role)) = (
        parse_optional_id(&form.user_id),
        Role::parse(&form.role).filter(|r| r.committee_appoints()),
    ) else {
        let mut errors = FieldErrors::default();
        errors.add("appoint", ctx.t("residents.err_role"));
        return residents_page(
            &state,
            ctx,
            community,
            actor,
            errors,
            AppointForm::default(),
            None,
        )
        .await;
    };
    let (cid, now) = (community.id, state.clock.now());
    let removed = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                if !model::revoke(conn, cid, user_id, role)? {
                    return Ok(false);
                }
                audit::record(
                    conn,
                    &Entry {
                        community_id: Some(cid),
                        actor_id: me,
                        action: crate::audit::Action::Revoke,
                        target_user_id: Some(user_id),
                        detail: role.as_str(),
                        reason: "",
                    },
                    now,
                )?;
                Ok(true)
            })
        })
        .await?;
    if !removed {
        // Nobody holds that role here: a user of another community, or none at all.
        let mut errors = FieldErrors::default();
        errors.add("appoint", ctx.t("residents.err_revoke"));
        return residents_page(
            &state,
            ctx,
            community,
            actor,
            errors,
            AppointForm::default(),
            None,
        )
        .await;
    }
    Ok(see_other(&format!(
        "/c/{}/residents?done=revoked",
        community.slug
    )))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GridForm {
    pub name: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    pub support_percent: String,
    pub support_minimum: String,
    pub response_days: String,
}

/// The community's own rules for proposals: the support threshold and the answer deadline.
/// They apply to proposals raised from now on; each proposal keeps the threshold it was
/// raised with.
pub async fn save_settings(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Posted<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (community, actor, me) =
        load_as(&state, &ctx, slug.into_inner(), Action::ConfigureCommunity).await?;
    let number = |s: &str, lo: i64, hi: i64| {
        s.trim()
            .parse::<i64>()
            .ok()
            .filter(|v| (lo..=hi).contains(v))
    };
    let (Some(percent), Some(minimum), Some(days)) = (
        number(&form.support_percent, 1, 100),
        number(&form.support_minimum, 1, 10_000),
        number(&form.response_days, 1, 365),
    ) else {
        let mut errors = FieldErrors::default();
        errors.add("settings", ctx.t("settings.err"));
        return residents_page(
            &state,
            ctx,
            community,
            actor,
            errors,
            AppointForm::default(),
            None,
        )
        .await;
    };
    let (cid, now) = (community.id, state.clock.now());
    state
        .db(move |conn| {
            write_tx(conn, |conn| {
                model::set_proposal_rules(conn, cid, percent, minimum, days)?;
                audit::record(
                    conn,
                    &Entry {
                        community_id: Some(cid),
                        actor_id: me,
                        action: crate::audit::Action::Settings,
                        target_user_id: None,
                        detail: &format!("{percent}% ≥ {minimum}, {days}d"),
                        reason: "",
                    },
                    now,
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(see_other(&format!(
        "/c/{}/residents?done=settings",
        community.slug
    )))
}

pub async fn add_grid(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Posted<GridForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (community, actor, me) =
        load_as(&state, &ctx, slug.into_inner(), Action::ConfigureCommunity).await?;
    let name = match text_field(&form.name, 1, 40) {
        Ok(n) => n,
        Err(e) => {
            let mut errors = FieldErrors::default();
            errors.add("grid", e.message(&ctx.tr));
            return residents_page(
                &state,
                ctx,
                community,
                actor,
                errors,
                AppointForm::default(),
                None,
            )
            .await;
        }
    };
    let (cid, now) = (community.id, state.clock.now());
    let added = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                if model::grids_of(conn, cid)?.iter().any(|g| g.name == name) {
                    return Ok(false);
                }
                model::insert_grid(conn, cid, &name, now)?;
                audit::record(
                    conn,
                    &Entry {
                        community_id: Some(cid),
                        actor_id: me,
                        action: crate::audit::Action::AddGrid,
                        target_user_id: None,
                        detail: &name,
                        reason: "",
                    },
                    now,
                )?;
                Ok(true)
            })
        })
        .await?;
    if !added {
        let mut errors = FieldErrors::default();
        errors.add("grid", ctx.t("residents.err_grid_exists"));
        return residents_page(
            &state,
            ctx,
            community,
            actor,
            errors,
            AppointForm::default(),
            None,
        )
        .await;
    }
    Ok(see_other(&format!(
        "/c/{}/residents?done=grid",
        community.slug
    )))
}

// ---- action log ----

#[derive(Template)]
#[template(path = "communities/log.html")]
struct LogPage {
    ctx: Ctx,
    community: Community,
    rows: Vec<LogRow>,
    /// (action-log id, transparency-log index) of the appointments and removals shown.
    logged: Vec<(i64, i64)>,
    next: Option<i64>,
}

impl LogPage {
    fn logged_as(&self, id: &i64) -> Option<i64> {
        self.logged.iter().find(|(a, _)| a == id).map(|(_, i)| *i)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LogQuery {
    before: Option<i64>,
}

const LOG_PAGE: i64 = 50;

pub async fn action_log(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
    q: web::Query<LogQuery>,
) -> Result<HttpResponse, AppError> {
    let (community, actor) = load_community(&state, &ctx, slug.into_inner()).await?;
    authorize(&ctx, &actor, Action::ViewActionLog)?;
    let (cid, before) = (community.id, q.before);
    let viewer = crate::work_orders::rules::Viewer {
        user_id: ctx.user_id(),
        committee: allows(&actor, Action::ManageAgenda),
    };
    let anonymous = ctx.t("orders.anonymous").to_string();
    let (rows, logged) = state
        .db(move |conn| {
            let mut rows = audit::page(conn, cid, before, LOG_PAGE)?;
            hide_anonymous_reporters(conn, &mut rows, viewer, &anonymous)?;
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let logged = crate::transparency::log::indexes_of(
                conn,
                crate::transparency::log::Kind::RoleGrant,
                &ids,
            )?;
            Ok((rows, logged))
        })
        .await?;
    let next = (rows.len() as i64 == LOG_PAGE)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    page(&LogPage {
        ctx,
        community,
        rows,
        logged,
        next,
    })
}

/// A moderation row names the comment's author (its detail is `#id`): on an order reported
/// anonymously, its reporter is shown as anonymous to all but the committee, as everywhere.
fn hide_anonymous_reporters(
    conn: &mut AnyConnection,
    rows: &mut [LogRow],
    viewer: crate::work_orders::rules::Viewer,
    anonymous: &str,
) -> diesel::QueryResult<()> {
    use crate::work_orders::rules::{shown, Shown};
    let comment_of = |r: &LogRow| -> Option<i64> {
        matches!(r.action.as_str(), "hide_comment" | "unhide_comment")
            .then(|| r.detail.strip_prefix('#')?.parse().ok())
            .flatten()
    };
    let ids: Vec<i64> = rows.iter().filter_map(comment_of).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let found = crate::comments::model::on_orders(conn, &ids)?;
    for r in rows.iter_mut() {
        let Some(id) = comment_of(r) else { continue };
        if let Some((_, author, privacy)) = found.iter().find(|(c, _, _)| *c == id) {
            if shown(*privacy, Some(*author), viewer) == Shown::Anonymous {
                r.target = Some(anonymous.to_string());
            }
        }
    }
    Ok(())
}

/// Display helpers for templates.
pub fn role_key(role: &str) -> &'static str {
    Role::parse(role)
        .map(|r| r.label_key())
        .unwrap_or("role.resident")
}

pub fn time(t: &chrono::NaiveDateTime) -> String {
    fmt_time(t)
}
