//! The platform admin's page: create communities, appoint committees and township staff.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::model::{self, Community, KINDS, KIND_TOWNSHIP};
use super::{rules, service};
use crate::accounts::rules::Contact;
use crate::audit::{self, Entry};
use crate::authz::{Action, Actor, Role};
use crate::db::{is_unique_violation, write_tx};
use crate::error::AppError;
use crate::web::community::authorize;
use crate::web::ctx::Ctx;
use crate::web::forms::{text_field, FieldErrors, Posted};
use crate::web::{render, see_other, AppState};

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CommunityForm {
    pub kind: String,
    pub name: String,
    pub slug: String,
    pub parent: String,
    pub description: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct StaffForm {
    pub community: String,
    pub contact: String,
}

#[derive(Template)]
#[template(path = "communities/admin.html")]
struct AdminPage {
    ctx: Ctx,
    communities: Vec<Community>,
    create: CommunityForm,
    staff: StaffForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

pub(crate) fn admin_actor(ctx: &Ctx) -> Actor {
    Actor {
        signed_in: ctx.user.is_some(),
        is_admin: ctx.user.as_ref().is_some_and(|u| u.is_admin),
        ..Actor::default()
    }
}

async fn admin_page(
    state: &AppState,
    ctx: Ctx,
    create: CommunityForm,
    staff: StaffForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Result<HttpResponse, AppError> {
    authorize(&ctx, &admin_actor(&ctx), Action::Administer)?;
    let communities = state.db(|conn| Ok(model::all(conn)?)).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &AdminPage {
            ctx,
            communities,
            create,
            staff,
            errors,
            notice,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

pub async fn admin(
    state: web::Data<AppState>,
    ctx: Ctx,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let notice = match q.done.as_str() {
        "created" => Some("admin.done_created"),
        "appointed" => Some("admin.done_appointed"),
        _ => None,
    };
    admin_page(
        &state,
        ctx,
        CommunityForm::default(),
        StaffForm::default(),
        FieldErrors::default(),
        notice,
    )
    .await
}

pub async fn create_community(
    state: web::Data<AppState>,
    p: Posted<CommunityForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    authorize(&ctx, &admin_actor(&ctx), Action::Administer)?;
    let me = ctx.require_user()?.id;
    let mut errors = FieldErrors::default();
    let kind = KINDS.iter().find(|k| **k == form.kind).copied();
    if kind.is_none() {
        errors.add("kind", ctx.t("admin.err_kind"));
    }
    let name = text_field(&form.name, 1, 60)
        .map_err(|e| errors.add("name", e.named(&ctx.tr, "err.field_community_name")))
        .ok();
    let description = text_field(&form.description, 0, 2000)
        .map_err(|e| errors.add("description", e.message(&ctx.tr)))
        .ok();
    let slug = form.slug.trim().to_string();
    if !rules::valid_slug(&slug) {
        errors.add("slug", ctx.t("admin.err_slug"));
    }
    let parent_slug = form.parent.trim().to_string();
    let (Some(kind), Some(name), Some(description), true) =
        (kind, name, description, errors.is_empty())
    else {
        return admin_page(&state, ctx, form, StaffForm::default(), errors, None).await;
    };
    let now = state.clock.now();
    let result = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let parent = if kind == KIND_TOWNSHIP {
                    None
                } else {
                    match model::by_slug(conn, &parent_slug)? {
                        Some(p) if p.is_township() => Some(p.id),
                        _ => return Ok(Err(("parent", "admin.err_parent"))),
                    }
                };
                let id = match model::insert_community(
                    conn,
                    parent,
                    kind,
                    &slug,
                    &name,
                    &description,
                    now,
                ) {
                    Ok(id) => id,
                    Err(e) if is_unique_violation(&e) => {
                        return Ok(Err(("slug", "admin.err_slug_taken")))
                    }
                    Err(e) => return Err(e.into()),
                };
                audit::record(
                    conn,
                    &Entry {
                        community_id: Some(id),
                        actor_id: me,
                        action: crate::audit::Action::CreateCommunity,
                        target_user_id: None,
                        detail: &name,
                        reason: "",
                    },
                    now,
                )?;
                Ok(Ok(()))
            })
        })
        .await?;
    match result {
        Ok(()) => Ok(see_other("/admin?done=created")),
        Err((field, key)) => {
            errors.add(field, ctx.t(key));
            admin_page(&state, ctx, form, StaffForm::default(), errors, None).await
        }
    }
}

/// Appoints a committee member of a village or neighbourhood, or staff of a township.
pub async fn appoint_staff(
    state: web::Data<AppState>,
    p: Posted<StaffForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    authorize(&ctx, &admin_actor(&ctx), Action::Administer)?;
    let me = ctx.require_user()?.id;
    let (slug, contact, now) = (
        form.community.trim().to_string(),
        Contact::parse(&form.contact),
        state.clock.now(),
    );
    let result = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let Some(c) = model::by_slug(conn, &slug)? else {
                    return Ok(Err("admin.err_community".into()));
                };
                let Ok(contact) = &contact else {
                    return Ok(Err("residents.err_contact".into()));
                };
                let role = if c.is_township() {
                    Role::Township
                } else {
                    Role::Committee
                };
                let appointment = service::Appointment {
                    community: &c,
                    by: me,
                    contact,
                    role,
                    grid: None,
                    decision: None,
                };
                service::appoint(conn, &appointment, now)
            })
        })
        .await?;
    match result {
        Ok(()) => Ok(see_other("/admin?done=appointed")),
        Err(r) => {
            let mut errors = FieldErrors::default();
            errors.add(rules::appoint_field(r.key), ctx.f(r.key, &r.args()));
            admin_page(&state, ctx, CommunityForm::default(), form, errors, None).await
        }
    }
}
