//! Community pages: the site home, a community's public home, joining, the committee's
//! residents page (requests, members, roles, grids) and the action log.

use crate::roster::service::Refused;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::model::{self, Community, Counts, Grid, Household, MemberRow, PendingRow};
use super::service;
use crate::accounts::rules::Contact;
use crate::audit::{self, LogRow};
use crate::authz::{allows, Action, Actor, Role};
use crate::db::{write_tx, AnyConnection};
use crate::error::AppError;
use crate::roster::link::{self, Choice, Suggestion};
use crate::roster::service::Keeper;
use crate::web::community::{authorize, load_as, load_community};
use crate::web::ctx::Ctx;
use crate::web::forms::{number_at, text_field, FieldErrors, Posted};
use crate::web::{page, render, see_other, AppState};

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
    /// Where the signed-in user belongs or waits to be verified; empty: the next step is to
    /// find their village and apply.
    mine: Vec<Community>,
}

pub async fn site_home(state: web::Data<AppState>, ctx: Ctx) -> Result<HttpResponse, AppError> {
    let me = ctx.user_id();
    let (all, mine) = state
        .db(move |conn| {
            let mine = match me {
                Some(u) => model::landing_of(conn, u)?,
                None => Vec::new(),
            };
            Ok((model::all(conn)?, mine))
        })
        .await?;
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
        mine,
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
    roster: crate::roster::rules::Counts,
    grids: Vec<Grid>,
    my_roles: Vec<Role>,
    is_resident: bool,
    my_request: Option<model::JoinRequest>,
    can_view_residents: bool,
    can_view_log: bool,
    /// Township staff get a way back to their desk (`/t/{slug}`) from the township's page.
    can_view_desk: bool,
    recent: Vec<crate::agenda::model::Item>,
    overdue: Vec<crate::agenda::model::Item>,
    open_ballots: i64,
    /// Convening notices whose meeting is still to come (召集通知 while it runs).
    running_notices: Vec<crate::agenda::notices::ConveningNotice>,
}

pub async fn community_home(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (community, actor) = load_community(&state, &ctx, slug.into_inner()).await?;
    let c = community.clone();
    let (me, now) = (ctx.user_id(), state.clock.now());
    let today = crate::clock::local_day(now);
    let (parent, children, members, counts, my_request, recent, overdue, roster, meetings) = state
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
            let grids = model::grids_of(conn, c.id)?;
            let ids: Vec<i64> = grids.iter().map(|g| g.id).collect();
            let counts_on_roster = crate::roster::model::public_counts(conn, c.id, &ids, today)?;
            let roster = (counts_on_roster, grids);
            let open_ballots = crate::ballots::model::open_count(conn, c.id)?;
            let running = crate::agenda::notices::running(conn, c.id, now)?;
            Ok((
                parent,
                children,
                members,
                counts,
                req,
                recent,
                overdue,
                roster,
                (open_ballots, running),
            ))
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
    let can_view_desk = community.is_township() && allows(&actor, Action::ViewTownship);
    page(&CommunityHome {
        ctx,
        community,
        parent,
        children,
        committee,
        counts,
        roster: roster.0,
        grids: roster.1,
        can_view_residents: allows(&actor, Action::ViewResidents),
        can_view_log: allows(&actor, Action::ViewActionLog),
        can_view_desk,
        is_resident: actor.has(Role::Resident),
        my_roles: actor.roles,
        my_request,
        recent,
        overdue,
        open_ballots: meetings.0,
        running_notices: meetings.1,
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
        .map_err(|e| errors.add("address", e.named(&ctx.tr, "err.field_address")))
        .ok();
    let note = text_field(&form.note, 0, 500)
        .map_err(|e| errors.add("note", e.message(&ctx.tr)))
        .ok();
    // "不清楚" is no grid; anything else typed must be one of this community's grids.
    let grid = parse_optional_id(&form.grid_id);
    if grid.is_none() && !form.grid_id.trim().is_empty() {
        errors.add("grid_id", ctx.t("join.err_grid"));
    }
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
                    if !model::grid_in(conn, cid, g)? {
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

// ---- residents (the committee's page) ----

#[derive(Template)]
#[template(path = "communities/residents.html")]
struct ResidentsPage {
    ctx: Ctx,
    community: Community,
    pending: Vec<PendingRow>,
    /// The roster persons offered for each pending request, by request id.
    offers: Vec<(i64, Vec<Suggestion>)>,
    /// The name searched for on the roster, if any.
    find: String,
    members: Vec<MemberRow>,
    grids: Vec<Grid>,
    households: Vec<Household>,
    can_review: bool,
    can_appoint: bool,
    errors: FieldErrors,
    appoint: AppointForm,
    notice: Option<&'static str>,
    /// The warning that representatives are fewer than four fifths of the representatives'
    /// meeting (art. 25), when they are.
    composition: Option<String>,
    /// The meeting settings form: notice period and delegated matters.
    meetings: super::meetings::MeetingSettingsForm,
    /// A neighbourhood's 居民代表会议 setting, as saved or as typed when refused.
    reps: super::representatives::RepsForm,
    /// The proposal rules form, as saved or as typed when refused.
    settings: SettingsForm,
    /// Members whose account is linked to no roster person, and the persons offered for
    /// each (by user id).
    unlinked: Vec<model::UnlinkedRow>,
    link_offers: Vec<(i64, Vec<Suggestion>)>,
    /// The verifying or linking form as typed when refused: (request or user id, form).
    typed: Option<(i64, ApproveForm)>,
    /// Decisions that may elect or remove a supervisor (art. 32).
    supervisor_decisions: Vec<crate::projects::model::DecisionRef>,
    /// Each supervisor's latest recorded appointment.
    supervisor_record: Vec<model::SupervisorChange>,
    /// The removal refused: (user id, resignation reason as typed).
    revoking: Option<(i64, String)>,
    /// The new grid's name as typed, kept when refused.
    grid_name: String,
    /// Committee members and representatives moved away or deceased: seats to fill (补选).
    to_replace: Vec<crate::ballots::model::SeatToFill>,
}

/// The representatives' meeting's make-up from the member list: (representatives, members),
/// if it falls short of art. 25's four fifths.
fn composition_shortfall(members: &[MemberRow]) -> Option<(usize, usize)> {
    let of = |role: &str| -> Vec<i64> {
        let mut v: Vec<i64> = members
            .iter()
            .filter(|m| m.role == role)
            .map(|m| m.user_id)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let reps = of("representative");
    let meeting = crate::ballots::rules::representatives_electorate(&of("committee"), &reps).len();
    (!crate::ballots::rules::composition_ok(reps.len() as u64, meeting as u64))
        .then_some((reps.len(), meeting))
}

/// What the residents page shows beside the community's lists: a form's messages, the
/// appointment form as typed, the notice of what was just done.
#[derive(Default)]
pub(super) struct Feedback {
    pub(super) errors: FieldErrors,
    appoint: AppointForm,
    notice: Option<&'static str>,
    /// The meeting settings as typed, kept when refused.
    pub(super) meetings: Option<super::meetings::MeetingSettingsForm>,
    /// The 居民代表会议 setting as typed, kept when refused.
    pub(super) reps: Option<super::representatives::RepsForm>,
    /// The proposal rules as typed, kept when refused.
    settings: Option<SettingsForm>,
    find: String,
    /// The verifying or linking form as typed, kept when refused.
    typed: Option<(i64, ApproveForm)>,
    /// The removal refused: (user id, resignation reason as typed).
    revoking: Option<(i64, String)>,
    /// The new grid's name as typed, kept when refused.
    grid_name: String,
}

impl ResidentsPage {
    fn offers_for(&self, request: &i64) -> &[Suggestion] {
        self.offers
            .iter()
            .find(|(id, _)| id == request)
            .map_or(&[], |(_, s)| &s[..])
    }

    fn link_offers_for(&self, user: &i64) -> &[Suggestion] {
        self.link_offers
            .iter()
            .find(|(id, _)| id == user)
            .map_or(&[], |(_, s)| &s[..])
    }

    /// The form as typed for request (or user) `id`, if it was refused.
    fn typed_for(&self, id: &i64) -> Option<&ApproveForm> {
        self.typed.as_ref().filter(|(t, _)| t == id).map(|(_, f)| f)
    }

    /// The decision that appointed supervisor `user`, when recorded: (id, when).
    fn appointed_on(&self, user: &i64) -> Option<&model::SupervisorChange> {
        self.supervisor_record.iter().find(|r| r.user_id == *user)
    }

    /// The resignation reason typed for `user`'s removal, and its message, if refused.
    fn revoke_typed(&self, user: &i64) -> Option<(&str, Option<&str>)> {
        self.revoking
            .as_ref()
            .filter(|(u, _)| u == user)
            .map(|(_, r)| (r.as_str(), self.errors.get("revoke")))
    }

    /// The message at the person field of the form for `id`, if that form was refused.
    fn person_error(&self, id: &i64) -> Option<&str> {
        self.typed_for(id).and(self.errors.get("person_id"))
    }

    /// The person option to select for `id`: as typed when refused, else the first
    /// suggestion when its phone matches.
    fn person_selected(&self, id: &i64, value: &str, first_phone_match: bool) -> bool {
        match self.typed_for(id) {
            Some(f) => f.person_id.trim() == value,
            None => first_phone_match,
        }
    }
}

impl Feedback {
    /// The page again with one message at a form's field.
    pub(super) fn refused(field: &'static str, message: impl Into<String>) -> Feedback {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        Feedback {
            errors,
            ..Feedback::default()
        }
    }
}

pub(super) async fn residents_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: Actor,
    shown: Feedback,
) -> Result<HttpResponse, AppError> {
    authorize(&ctx, &actor, Action::ViewResidents)?;
    let cid = community.id;
    let find = shown.find.trim().chars().take(30).collect::<String>();
    let searched = find.clone();
    let today = crate::clock::local_day(state.clock.now());
    let neighbourhood = community.kind == model::KIND_NEIGHBOURHOOD;
    let (pending, offers, members, grids, households, saved, unlinked, link_offers, elections) =
        state
            .db(move |conn| {
                let pending = model::pending_requests(conn, cid)?;
                let unlinked = model::unlinked_members(conn, cid)?;
                let members_asked: Vec<link::Applicant> = unlinked
                    .iter()
                    .map(|u| link::Applicant {
                        request: u.user_id,
                        contact: &u.contact,
                        name: &u.name,
                    })
                    .collect();
                let link_offers = link::suggestions(conn, cid, &members_asked, "")?;
                let applicants: Vec<link::Applicant> = pending
                    .iter()
                    .map(|p| link::Applicant {
                        request: p.request.id,
                        contact: &p.contact,
                        name: &p.name,
                    })
                    .collect();
                let offers = link::suggestions(conn, cid, &applicants, &searched)?;
                Ok((
                    pending,
                    offers,
                    model::members(conn, cid)?,
                    model::grids_of(conn, cid)?,
                    model::households_of(conn, cid)?,
                    (
                        super::meetings::saved(conn, cid)?,
                        if neighbourhood {
                            super::representatives::setting(conn, cid)?
                        } else {
                            Default::default()
                        },
                    ),
                    unlinked,
                    link_offers,
                    (
                        model::supervisor_decisions(conn, cid)?,
                        model::supervisor_appointments(conn, cid)?,
                        crate::ballots::model::seats_to_fill(conn, cid, today)?,
                    ),
                ))
            })
            .await?;
    let (supervisor_decisions, supervisor_record, to_replace) = elections;
    let (saved, saved_reps) = saved;
    let meetings = shown.meetings.unwrap_or(saved);
    let reps = shown
        .reps
        .unwrap_or_else(|| super::representatives::RepsForm::of(&saved_reps));
    let settings = shown.settings.unwrap_or_else(|| SettingsForm {
        support_percent: community.support_percent.to_string(),
        support_minimum: community.support_minimum.to_string(),
        response_days: community.response_days.to_string(),
    });
    let status = if shown.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let composition = composition_shortfall(&members).map(|(reps, total)| {
        let key = if community.is_village() {
            "residents.composition_village"
        } else {
            "residents.composition_urban"
        };
        let (reps, total) = (reps.to_string(), total.to_string());
        ctx.f(key, &[("reps", &reps), ("members", &total)])
    });
    render(
        status,
        &ResidentsPage {
            ctx,
            community,
            pending,
            offers,
            find,
            members,
            grids,
            households,
            can_review: allows(&actor, Action::ReviewJoinRequests),
            can_appoint: allows(&actor, Action::AppointCommunityRole),
            errors: shown.errors,
            appoint: shown.appoint,
            notice: shown.notice,
            composition,
            meetings,
            reps,
            settings,
            unlinked,
            link_offers,
            typed: shown.typed,
            supervisor_decisions,
            supervisor_record,
            revoking: shown.revoking,
            grid_name: shown.grid_name,
            to_replace,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
    /// A name to look for on the roster when linking.
    find: String,
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
        "meetings" => Some("settings.done_meetings"),
        "representatives" => Some("urban_reps.done"),
        "linked" => Some("residents.done_linked"),
        _ => None,
    };
    let shown = Feedback {
        notice,
        find: q.find.clone(),
        ..Feedback::default()
    };
    residents_page(&state, ctx, community, actor, shown).await
}

/// Where the residents page sends a committee member after a change: back to the page, with
/// the notice of what was done.
pub(super) fn done(community: &Community, what: &str) -> HttpResponse {
    see_other(&format!("/c/{}/residents?done={what}", community.slug))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ApproveForm {
    pub household: String,
    /// The roster person the account is linked to: an id, or "new" to put the applicant on
    /// the roster (with the three fields below). Required: empty is refused.
    pub person_id: String,
    pub name: String,
    pub sex: String,
    pub birth_date: String,
}

impl ApproveForm {
    /// The roster person chosen, or the message saying what is wrong.
    fn choice(&self, ctx: &Ctx, today: chrono::NaiveDate) -> Result<Choice, String> {
        use crate::roster::rules;
        match self.person_id.trim() {
            "" => Err(ctx.t("residents.err_person_needed").to_string()),
            "new" => {
                let name = text_field(&self.name, 1, 30)
                    .map_err(|e| format!("{} {}", ctx.t("roster.name"), e.message(&ctx.tr)))?;
                let sex = rules::parse_sex(&self.sex).ok_or_else(|| ctx.t("roster.err.sex"))?;
                let v = self.birth_date.trim();
                let birth = rules::parse_birth(v)
                    .ok_or_else(|| ctx.tr.f("roster.err.birth", &[("value", v)]))?;
                rules::birth_ok(birth.0, today).map_err(|k| ctx.t(k).to_string())?;
                Ok(Choice::New { name, sex, birth })
            }
            id => id
                .parse::<i64>()
                .ok()
                .filter(|v| *v > 0)
                .map(Choice::Person)
                .ok_or_else(|| ctx.t("roster.err.person").to_string()),
        }
    }
}

/// Verifies a resident into a household and links the account to a roster person as the
/// committee chose, all in one transaction: a refused link verifies nobody.
pub async fn approve(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<ApproveForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, request_id) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, Action::ReviewJoinRequests).await?;
    let (c, now) = (community.clone(), state.clock.now());
    let choice = match form.choice(&ctx, crate::clock::local_day(now)) {
        Ok(choice) => choice,
        Err(message) => {
            let mut shown = Feedback::refused("person_id", message);
            shown.typed = Some((request_id, form));
            return residents_page(&state, ctx, community, actor, shown).await;
        }
    };
    let household = form.household.trim().to_string();
    let k = Keeper {
        community_id: c.id,
        by: me,
        now,
    };
    let result = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let req = model::request(conn, c.id, request_id)?.ok_or(AppError::NotFound)?;
                let into = match super::rules::household_choice(&household) {
                    super::rules::HouseholdChoice::Existing(h) => Some(h),
                    _ => None,
                };
                if let Err(r) = link::check(conn, &k, req.user_id, &choice, into)? {
                    return Ok(Err(r));
                }
                let answer = service::Answer::Approve {
                    household: &household,
                };
                let h = match service::answer_request(conn, &c, request_id, me, answer, now)? {
                    Ok(h) => h,
                    Err(key) => return Ok(Err(("person_id", key).into())),
                };
                if let Some(h) = h {
                    // Checked above in this transaction: a refusal now is a bug, rolled back.
                    if let Err(Refused { key, .. }) =
                        link::link_verified(conn, &k, req.user_id, h, &choice)?
                    {
                        return Err(AppError::Internal(format!("link on verifying: {key}")));
                    }
                }
                Ok(Ok(()))
            })
        })
        .await?;
    match result {
        Ok(()) => Ok(done(&community, "approved")),
        Err(r) => {
            let mut shown = Feedback::refused("person_id", ctx.f(r.key, &r.args()));
            shown.typed = Some((request_id, form));
            residents_page(&state, ctx, community, actor, shown).await
        }
    }
}

/// Links a member's account that is linked to nobody (verified before linking was
/// required) to a roster person, as the committee chooses: one on the roster, or a person
/// put on it now in the member's household.
pub async fn link_member(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<ApproveForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, user_id) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, Action::ReviewJoinRequests).await?;
    let (c, now) = (community.clone(), state.clock.now());
    let refused = |key_or_message: String, form: ApproveForm| {
        let mut shown = Feedback::refused("person_id", key_or_message);
        shown.typed = Some((user_id, form));
        shown
    };
    let choice = match form.choice(&ctx, crate::clock::local_day(now)) {
        Ok(choice) => choice,
        Err(message) => {
            let shown = refused(message, form);
            return residents_page(&state, ctx, community, actor, shown).await;
        }
    };
    let k = Keeper {
        community_id: c.id,
        by: me,
        now,
    };
    let result = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let unlinked = model::unlinked_members(conn, c.id)?;
                let Some(member) = unlinked.iter().find(|u| u.user_id == user_id) else {
                    return Ok(Err(("person_id", "residents.err_not_unlinked").into()));
                };
                if let Err(r) = link::check(conn, &k, user_id, &choice, member.household_id)? {
                    return Ok(Err(r));
                }
                let household = match (&choice, member.household_id) {
                    (Choice::New { .. }, None) => {
                        return Ok(Err(("person_id", "residents.err_no_household").into()))
                    }
                    (_, h) => h.unwrap_or_default(),
                };
                link::link_verified(conn, &k, user_id, household, &choice)
            })
        })
        .await?;
    match result {
        Ok(()) => Ok(done(&community, "linked")),
        Err(r) => {
            let shown = refused(ctx.f(r.key, &r.args()), form);
            residents_page(&state, ctx, community, actor, shown).await
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
            let why = ctx.t("residents.reason_needed");
            let shown = Feedback::refused("request", format!("{why} {}", e.message(&ctx.tr)));
            return residents_page(&state, ctx, community, actor, shown).await;
        }
    };
    let (c, now) = (community.clone(), state.clock.now());
    let result = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let answer = service::Answer::Decline { reason: &reason };
                Ok(service::answer_request(conn, &c, request_id, me, answer, now)?.map(|_| ()))
            })
        })
        .await?;
    match result {
        Ok(()) => Ok(done(&community, "declined")),
        Err(key) => {
            let shown = Feedback::refused("request", ctx.t(key));
            residents_page(&state, ctx, community, actor, shown).await
        }
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AppointForm {
    pub contact: String,
    pub role: String,
    pub grid_id: String,
    /// The decision that elected a supervisor (art. 32).
    pub decision_id: String,
}

pub async fn appoint(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Posted<AppointForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let action = Action::AppointCommunityRole;
    let (community, actor, me) = load_as(&state, &ctx, slug.into_inner(), action).await?;
    let (c, now) = (community.clone(), state.clock.now());
    let (contact, role, grid, decision) = (
        Contact::parse(&form.contact),
        Role::parse(&form.role).filter(|r| r.committee_appoints()),
        parse_optional_id(&form.grid_id),
        parse_optional_id(&form.decision_id),
    );
    let result = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let Ok(contact) = &contact else {
                    return Ok(Err("residents.err_contact".into()));
                };
                let Some(role) = role else {
                    return Ok(Err("residents.err_role".into()));
                };
                let appointment = service::Appointment {
                    community: &c,
                    by: me,
                    contact,
                    role,
                    grid,
                    decision,
                };
                service::appoint(conn, &appointment, now)
            })
        })
        .await?;
    match result {
        Ok(()) => Ok(done(&community, "appointed")),
        Err(r) => {
            let field = super::rules::appoint_field(r.key);
            let shown = Feedback {
                appoint: form,
                ..Feedback::refused(field, ctx.f(r.key, &r.args()))
            };
            residents_page(&state, ctx, community, actor, shown).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RevokeForm {
    pub user_id: String,
    pub role: String,
    /// A supervisor's removal: the decision that removed them (罢免)…
    pub decision_id: String,
    /// …or, with no decision, the reason they resigned.
    pub reason: String,
}

pub async fn revoke(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Posted<RevokeForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let action = Action::AppointCommunityRole;
    let (community, actor, me) = load_as(&state, &ctx, slug.into_inner(), action).await?;
    let (Some(user_id), Some(role)) = (
        parse_optional_id(&form.user_id),
        Role::parse(&form.role).filter(|r| r.committee_appoints()),
    ) else {
        let shown = Feedback::refused("appoint", ctx.t("residents.err_role"));
        return residents_page(&state, ctx, community, actor, shown).await;
    };
    let revocation = service::Revocation {
        community_id: community.id,
        by: me,
        user_id,
        role,
        decision: parse_optional_id(&form.decision_id),
        reason: form.reason.clone(),
    };
    let now = state.clock.now();
    let removed = state
        .db(move |conn| write_tx(conn, |conn| service::revoke(conn, &revocation, now)))
        .await?;
    if let Err(key) = removed {
        // Nobody holds that role here (a user of another community, or none at all), or a
        // supervisor's removal has no ground art. 32 accepts.
        let shown = Feedback {
            revoking: Some((user_id, form.reason)),
            ..Feedback::refused("revoke", ctx.t(key))
        };
        return residents_page(&state, ctx, community, actor, shown).await;
    }
    Ok(done(&community, "revoked"))
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
    let mut errors = FieldErrors::default();
    let mut number = |field: &'static str, typed: &str, range: (i64, i64)| {
        let name = ctx.t(&format!("settings.{field}"));
        number_at(&ctx, &mut errors, field, name, typed, range)
    };
    let read = (
        number("support_percent", &form.support_percent, (1, 100)),
        number("support_minimum", &form.support_minimum, (1, 10_000)),
        number("response_days", &form.response_days, (1, 365)),
    );
    let (Some(percent), Some(minimum), Some(days)) = read else {
        let shown = Feedback {
            errors,
            settings: Some(form),
            ..Feedback::default()
        };
        return residents_page(&state, ctx, community, actor, shown).await;
    };
    let rules = service::ProposalRules {
        community_id: community.id,
        by: me,
        support_percent: percent,
        support_minimum: minimum,
        response_days: days,
    };
    let now = state.clock.now();
    state
        .db(move |conn| write_tx(conn, |conn| service::set_proposal_rules(conn, &rules, now)))
        .await?;
    Ok(done(&community, "settings"))
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
            let shown = Feedback {
                grid_name: form.name,
                ..Feedback::refused("grid_name", e.named(&ctx.tr, "err.field_grid_name"))
            };
            return residents_page(&state, ctx, community, actor, shown).await;
        }
    };
    let (cid, now) = (community.id, state.clock.now());
    let added = state
        .db(move |conn| write_tx(conn, |conn| service::add_grid(conn, cid, me, &name, now)))
        .await?;
    if !added {
        let shown = Feedback {
            grid_name: form.name,
            ..Feedback::refused("grid_name", ctx.t("residents.err_grid_exists"))
        };
        return residents_page(&state, ctx, community, actor, shown).await;
    }
    Ok(done(&community, "grid"))
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
