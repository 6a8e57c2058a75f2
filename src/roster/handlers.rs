//! The roster's pages: the committee keeps households and persons at `/c/SLUG/roster`,
//! supervisors read them, and both may download the roster as CSV.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::model::{self, HouseholdFields, Person, PersonFields, RosterChange, Snapshot};
use super::page::{self, HouseholdView};
use super::rules::{self, Status};
use super::service::{self, Keeper, Refused};
use crate::authz::{allows, Action, Actor};
use crate::communities::model::{self as communities, Community, Grid, Household};
use crate::db::write_tx;
use crate::error::AppError;
use crate::web::community::{authorize, load_as, load_community};
use crate::web::csv::Csv;
use crate::web::ctx::Ctx;
use crate::web::forms::{text_field, FieldErrors, Posted};
use crate::web::{render, see_other, AppState};

/// Who keeps the roster: the committee (the same right as verifying residents).
const KEEP: Action = Action::ReviewJoinRequests;
/// Who reads it: the committee, supervisors, township staff.
const READ: Action = Action::ViewResidents;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PersonForm {
    pub name: String,
    pub sex: String,
    pub birth_date: String,
    pub relation: String,
    pub household_id: String,
    pub grid_id: String,
    pub phone: String,
}

impl PersonForm {
    fn of(p: &Person) -> PersonForm {
        PersonForm {
            name: p.name.clone(),
            sex: p.sex.clone(),
            birth_date: rules::show_birth(p.birth_date, p.birth_month_only),
            relation: p.relation.clone(),
            household_id: p.household_id.to_string(),
            grid_id: p.grid_id.map(|g| g.to_string()).unwrap_or_default(),
            phone: p.phone.clone(),
        }
    }

    /// The fields, or the message at each field that is wrong.
    fn parse(&self, ctx: &Ctx) -> Result<PersonFields, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = text_field(&self.name, 1, 30)
            .map_err(|e| errors.add("name", e.named(&ctx.tr, "err.field_person_name")))
            .ok();
        let relation = text_field(&self.relation, 0, 20)
            .map_err(|e| errors.add("relation", e.message(&ctx.tr)))
            .ok();
        let sex = rules::parse_sex(&self.sex);
        if sex.is_none() {
            errors.add("sex", ctx.t("roster.err.sex"));
        }
        let birth = rules::parse_birth(&self.birth_date);
        if birth.is_none() {
            let v = self.birth_date.trim();
            errors.add("birth_date", ctx.tr.f("roster.err.birth", &[("value", v)]));
        }
        let household = id(&self.household_id);
        if household.is_none() {
            errors.add("household_id", ctx.t("roster.err.household"));
        }
        let phone = rules::normalize_phone(&self.phone)
            .map_err(|k| errors.add("phone", ctx.t(k)))
            .ok();
        match (name, relation, sex, birth, household, phone) {
            (Some(name), Some(relation), Some(sex), Some((b, month)), Some(h), Some(phone))
                if errors.is_empty() =>
            {
                Ok(PersonFields {
                    household_id: h,
                    name,
                    sex: sex.to_string(),
                    birth_date: b,
                    birth_month_only: month,
                    relation,
                    grid_id: id(&self.grid_id),
                    phone,
                })
            }
            _ => Err(errors),
        }
    }
}

fn id(s: &str) -> Option<i64> {
    s.trim().parse().ok().filter(|v: &i64| *v > 0)
}

fn refused(ctx: &Ctx, r: Refused) -> FieldErrors {
    let mut e = FieldErrors::default();
    e.add(r.field, ctx.f(r.key, &r.args()));
    e
}

fn status_of(errors: &FieldErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

// ---- the roster page ----

#[derive(Template)]
#[template(path = "roster/list.html")]
struct ListPage {
    ctx: Ctx,
    community: Community,
    can_keep: bool,
    q: String,
    counts: rules::Counts,
    grids: Vec<Grid>,
    households: Vec<HouseholdView>,
    all_households: Vec<Household>,
    shown: usize,
    person: PersonForm,
    household: HouseholdForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

impl ListPage {
    fn grid_name(&self, id: &Option<i64>) -> String {
        page::grid_name(&self.grids, *id)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    done: String,
}

/// What the roster page shows beside the lists: forms as typed and their messages.
#[derive(Default)]
struct Shown {
    person: PersonForm,
    household: HouseholdForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
    q: String,
}

async fn list_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: &Actor,
    shown: Shown,
) -> Result<HttpResponse, AppError> {
    authorize(&ctx, actor, READ)?;
    let cid = community.id;
    let (grids, households, persons) = state
        .db(move |conn| {
            Ok((
                communities::grids_of(conn, cid)?,
                model::households(conn, cid)?,
                model::persons_of(conn, cid)?,
            ))
        })
        .await?;
    let today = crate::clock::local_day(state.clock.now());
    let counts = page::counts(&persons, &grids, today);
    let q = shown.q.trim().to_string();
    let views = page::by_household(&households, persons, &q, today);
    let shown_n = views.iter().map(|h| h.persons.len()).sum();
    render(
        status_of(&shown.errors),
        &ListPage {
            ctx,
            community,
            can_keep: allows(actor, KEEP),
            q,
            counts,
            grids,
            households: views,
            all_households: households,
            shown: shown_n,
            person: shown.person,
            household: shown.household,
            errors: shown.errors,
            notice: shown.notice,
        },
    )
}

pub async fn list(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let (community, actor) = load_community(&state, &ctx, slug.into_inner()).await?;
    let notice = match q.done.as_str() {
        "person" => Some("roster.done_person"),
        "household" => Some("roster.done_household"),
        _ => None,
    };
    let shown = Shown {
        notice,
        q: q.q.clone(),
        ..Shown::default()
    };
    list_page(&state, ctx, community, &actor, shown).await
}

/// The committee member `me` changing `community`'s roster now.
pub(super) fn keeper(state: &AppState, community: &Community, me: i64) -> Keeper {
    Keeper {
        community_id: community.id,
        by: me,
        now: state.clock.now(),
    }
}

pub async fn add_person(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Posted<PersonForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (community, actor, me) = load_as(&state, &ctx, slug.into_inner(), KEEP).await?;
    let fields = match form.parse(&ctx) {
        Ok(f) => f,
        Err(errors) => {
            let shown = Shown {
                person: form,
                errors,
                ..Shown::default()
            };
            return list_page(&state, ctx, community, &actor, shown).await;
        }
    };
    let k = keeper(&state, &community, me);
    let result = state
        .db(move |conn| write_tx(conn, |conn| service::add_person(conn, &k, fields.clone())))
        .await?;
    match result {
        Ok(id) => Ok(see_other(&format!(
            "/c/{}/roster/persons/{id}?done=added",
            community.slug
        ))),
        Err(r) => {
            let shown = Shown {
                person: form,
                errors: refused(&ctx, r),
                ..Shown::default()
            };
            list_page(&state, ctx, community, &actor, shown).await
        }
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct HouseholdForm {
    pub number: String,
    pub address: String,
    pub grid_id: String,
    pub representative_id: String,
}

impl HouseholdForm {
    fn parse(&self, ctx: &Ctx) -> Result<HouseholdFields, FieldErrors> {
        let mut errors = FieldErrors::default();
        let number = text_field(&self.number, 0, 20)
            .map_err(|e| errors.add("number", e.message(&ctx.tr)))
            .ok();
        let address = text_field(&self.address, 1, 100)
            .map_err(|e| errors.add("address", e.named(&ctx.tr, "err.field_address")))
            .ok();
        match (number, address) {
            (Some(number), Some(address)) if errors.is_empty() => Ok(HouseholdFields {
                number,
                address,
                grid_id: id(&self.grid_id),
                representative_id: id(&self.representative_id),
            }),
            _ => Err(errors),
        }
    }
}

pub async fn add_household(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Posted<HouseholdForm>,
) -> Result<HttpResponse, AppError> {
    save_household(state, slug.into_inner(), None, p).await
}

pub async fn edit_household(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<HouseholdForm>,
) -> Result<HttpResponse, AppError> {
    let (slug, hid) = path.into_inner();
    save_household(state, slug, Some(hid), p).await
}

async fn save_household(
    state: web::Data<AppState>,
    slug: String,
    hid: Option<i64>,
    p: Posted<HouseholdForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (community, actor, me) = load_as(&state, &ctx, slug, KEEP).await?;
    let fields = match form.parse(&ctx) {
        Ok(f) => f,
        Err(errors) => {
            let shown = Shown {
                household: form,
                errors,
                ..Shown::default()
            };
            return list_page(&state, ctx, community, &actor, shown).await;
        }
    };
    let k = keeper(&state, &community, me);
    let result = state
        .db(move |conn| write_tx(conn, |conn| service::save_household(conn, &k, hid, &fields)))
        .await?;
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/c/{}/roster?done=household",
            community.slug
        ))),
        Err(r) => {
            let shown = Shown {
                household: form,
                errors: refused(&ctx, r),
                ..Shown::default()
            };
            list_page(&state, ctx, community, &actor, shown).await
        }
    }
}

// ---- one person ----

#[derive(Template)]
#[template(path = "roster/person.html")]
struct PersonPage {
    ctx: Ctx,
    community: Community,
    can_keep: bool,
    person: Person,
    age: i32,
    household: Option<Household>,
    households: Vec<Household>,
    grids: Vec<Grid>,
    history: Vec<(RosterChange, String)>,
    as_of: String,
    as_of_record: Option<Snapshot>,
    form: PersonForm,
    status_form: StatusForm,
    link_contact: String,
    linked_name: Option<String>,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

impl PersonPage {
    /// The fields whose messages the page prints beside them, for the forms on the page;
    /// any other message goes in the box at the top.
    fn at_fields(&self) -> Vec<&'static str> {
        let mut shown = vec!["as_of"];
        if self.can_keep {
            shown.extend(["name", "birth_date", "relation", "household_id", "phone"]);
            if self.person.status != "deceased" {
                shown.extend(["status", "status_date", "note"]);
            }
            if self.person.user_id.is_none() {
                shown.extend(["contact", "person_id"]);
            }
        }
        shown
    }

    fn grid_name(&self, id: &Option<i64>) -> String {
        page::grid_name(&self.grids, *id)
    }
    fn household_label(&self, id: &i64) -> String {
        page::household_label(&self.households, *id)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PersonQuery {
    as_of: String,
    done: String,
}

#[derive(Default)]
struct PersonShown {
    form: Option<PersonForm>,
    status_form: StatusForm,
    link_contact: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
    as_of: String,
}

async fn person_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: &Actor,
    pid: i64,
    shown: PersonShown,
) -> Result<HttpResponse, AppError> {
    authorize(&ctx, actor, READ)?;
    let cid = community.id;
    let (person, households, grids, history, linked_name) = state
        .db(move |conn| {
            let p = model::person(conn, cid, pid)?.ok_or(AppError::NotFound)?;
            let linked = match p.user_id {
                Some(u) => Some(crate::accounts::model::find(conn, u)?.display_name),
                None => None,
            };
            Ok((
                p,
                model::households(conn, cid)?,
                communities::grids_of(conn, cid)?,
                model::history(conn, pid)?,
                linked,
            ))
        })
        .await?;
    let mut errors = shown.errors;
    let as_of_day = match shown.as_of.trim() {
        "" => None,
        s => match crate::clock::parse_date(s) {
            Ok(d) => Some(d),
            Err(_) => {
                errors.add("as_of", ctx.tr.f("roster.err.as_of", &[("value", s)]));
                None
            }
        },
    };
    let as_of_record = as_of_day.and_then(|d| page::as_of(&history, d));
    let today = crate::clock::local_day(state.clock.now());
    render(
        status_of(&errors),
        &PersonPage {
            age: rules::age_on(person.birth_date, person.birth_month_only, today),
            household: households
                .iter()
                .find(|h| h.id == person.household_id)
                .cloned(),
            form: shown.form.unwrap_or_else(|| PersonForm::of(&person)),
            ctx,
            community,
            can_keep: allows(actor, KEEP),
            person,
            households,
            grids,
            history,
            as_of: shown.as_of,
            as_of_record,
            status_form: shown.status_form,
            link_contact: shown.link_contact,
            linked_name,
            errors,
            notice: shown.notice,
        },
    )
}

pub async fn show_person(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    q: web::Query<PersonQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, pid) = path.into_inner();
    let (community, actor) = load_community(&state, &ctx, slug).await?;
    let notice = match q.done.as_str() {
        "added" => Some("roster.done_added"),
        "saved" => Some("roster.done_saved"),
        "status" => Some("roster.done_status"),
        "linked" => Some("roster.done_linked"),
        "unlinked" => Some("roster.done_unlinked"),
        _ => None,
    };
    let shown = PersonShown {
        notice,
        as_of: q.as_of.clone(),
        ..PersonShown::default()
    };
    person_page(&state, ctx, community, &actor, pid, shown).await
}

fn to_person(c: &Community, pid: i64, done: &str) -> HttpResponse {
    see_other(&format!("/c/{}/roster/persons/{pid}?done={done}", c.slug))
}

pub async fn edit_person(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<PersonForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, pid) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, KEEP).await?;
    let fields = match form.parse(&ctx) {
        Ok(f) => f,
        Err(errors) => {
            let shown = PersonShown {
                form: Some(form),
                errors,
                ..PersonShown::default()
            };
            return person_page(&state, ctx, community, &actor, pid, shown).await;
        }
    };
    let k = keeper(&state, &community, me);
    let result = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                service::edit_person(conn, &k, pid, fields.clone())
            })
        })
        .await?;
    match result {
        Ok(()) => Ok(to_person(&community, pid, "saved")),
        Err(r) => {
            let shown = PersonShown {
                form: Some(form),
                errors: refused(&ctx, r),
                ..PersonShown::default()
            };
            person_page(&state, ctx, community, &actor, pid, shown).await
        }
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct StatusForm {
    pub status: String,
    pub status_date: String,
    pub note: String,
}

pub async fn change_status(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<StatusForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, pid) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, KEEP).await?;
    let mut errors = FieldErrors::default();
    let to = Status::parse(&form.status).filter(|_| !form.status.trim().is_empty());
    if to.is_none() {
        errors.add("status", ctx.t("roster.err.status"));
    }
    let date: Option<NaiveDate> = crate::clock::parse_date(&form.status_date)
        .map_err(|_| {
            let v = form.status_date.trim();
            errors.add("status_date", ctx.tr.f("roster.err.date", &[("value", v)]))
        })
        .ok();
    let note = text_field(&form.note, 0, 200)
        .map_err(|e| errors.add("note", e.message(&ctx.tr)))
        .ok();
    let (Some(to), Some(date), Some(note), true) = (to, date, note, errors.is_empty()) else {
        let shown = PersonShown {
            status_form: form,
            errors,
            ..PersonShown::default()
        };
        return person_page(&state, ctx, community, &actor, pid, shown).await;
    };
    let k = keeper(&state, &community, me);
    let result = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                service::change_status(conn, &k, pid, to, date, &note)
            })
        })
        .await?;
    match result {
        Ok(()) => Ok(to_person(&community, pid, "status")),
        Err(r) => {
            let shown = PersonShown {
                status_form: form,
                errors: refused(&ctx, r),
                ..PersonShown::default()
            };
            person_page(&state, ctx, community, &actor, pid, shown).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LinkForm {
    /// The account's phone or e-mail; empty to unlink.
    pub contact: String,
    pub unlink: String,
}

/// Links a verified member of the community to this person, or unlinks them: for members
/// verified before the roster.
pub async fn link(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<LinkForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, pid) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, KEEP).await?;
    let unlink = !form.unlink.is_empty();
    let contact = crate::accounts::rules::Contact::parse(&form.contact);
    let k = keeper(&state, &community, me);
    let result = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                if unlink {
                    return service::link(conn, &k, pid, None);
                }
                let Ok(contact) = &contact else {
                    return Ok(Err(("contact", "roster.err.contact").into()));
                };
                let Some(user) = crate::accounts::model::find_by_contact(conn, contact)? else {
                    return Ok(Err(("contact", "roster.err.contact").into()));
                };
                if !communities::roles_of(conn, k.community_id, user.id)?
                    .contains(&crate::authz::Role::Resident)
                {
                    return Ok(Err(("contact", "roster.err.not_member").into()));
                }
                service::link(conn, &k, pid, Some(user.id))
            })
        })
        .await?;
    match result {
        Ok(()) => Ok(to_person(
            &community,
            pid,
            if unlink { "unlinked" } else { "linked" },
        )),
        Err(r) => {
            let shown = PersonShown {
                link_contact: form.contact,
                errors: refused(&ctx, r),
                ..PersonShown::default()
            };
            person_page(&state, ctx, community, &actor, pid, shown).await
        }
    }
}

// ---- export ----

/// The roster as CSV for the committee and supervisors: one line per person, UTF-8 with a
/// byte-order mark, every cell guarded against formulas.
pub async fn export_csv(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (community, _, _) = load_as(&state, &ctx, slug.into_inner(), READ).await?;
    let cid = community.id;
    let (grids, households, persons) = state
        .db(move |conn| {
            Ok((
                communities::grids_of(conn, cid)?,
                model::households(conn, cid)?,
                model::persons_of(conn, cid)?,
            ))
        })
        .await?;
    let header = [
        "roster.csv.number",
        "roster.csv.name",
        "roster.csv.sex",
        "roster.csv.birth",
        "roster.csv.group",
        "roster.csv.status",
        "roster.csv.status_date",
    ]
    .map(|k| ctx.t(k));
    let mut csv = Csv::for_spreadsheets(&header);
    for p in &persons {
        let number = households
            .iter()
            .find(|h| h.id == p.household_id)
            .map(|h| h.number.as_str())
            .unwrap_or("");
        let status = Status::parse(&p.status).unwrap_or(Status::Listed);
        csv.row(&[
            number.to_string(),
            p.name.clone(),
            ctx.t(page::sex_key(&p.sex)).to_string(),
            rules::show_birth(p.birth_date, p.birth_month_only),
            page::grid_name(&grids, p.grid_id),
            ctx.t(status.label_key()).to_string(),
            p.status_date.map(|d| d.to_string()).unwrap_or_default(),
        ]);
    }
    let mut resp = csv.response(&format!("roster-{}", community.slug));
    resp.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}
