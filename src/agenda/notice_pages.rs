//! Convening-notice pages: the committee's form on an item, and the printable A4 notice for
//! the board with a QR code to the item, where the ballot opens.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::convening::{self, NOTICED_BODIES};
use super::model::{self, Item};
use super::notices::{self, ConveningNotice, Draft};
use crate::authz::Action;
use crate::communities::model::Community;
use crate::db::write_tx;
use crate::error::AppError;
use crate::web::community::{load_as, load_community};
use crate::web::ctx::Ctx;
use crate::web::forms::{text_field, FieldErrors, Posted};
use crate::web::{page, render, see_other, AppState};

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct NoticeForm {
    pub body: String,
    pub meets_at: String,
    pub place: String,
    pub matters: String,
    pub online: String,
    pub notice_days: String,
}

#[derive(Template)]
#[template(path = "agenda/notice_new.html")]
struct NewPage {
    ctx: Ctx,
    community: Community,
    item: Item,
    form: NoticeForm,
    errors: FieldErrors,
    /// The meetings that may be convened: not a 居民代表会议 a neighbourhood does not hold.
    bodies: Vec<&'static str>,
    /// The community's period for representatives' and group meetings.
    setting_days: i64,
    villagers_days: i64,
}

async fn new_page(
    state: &AppState,
    (ctx, community): (Ctx, Community),
    id: i64,
    form: NoticeForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let (cid, c) = (community.id, community.clone());
    let (item, setting_days, standing) = state
        .db(move |conn| {
            let item = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
            let standing = crate::communities::representatives::standing(conn, &c)?;
            Ok((item, notices::setting_days(conn, cid)?, standing))
        })
        .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let p = NewPage {
        ctx,
        community,
        item,
        form,
        errors,
        bodies: NOTICED_BODIES
            .into_iter()
            .filter(|b| offered(&standing, b))
            .collect(),
        setting_days: setting_days.max(convening::DEFAULT_NOTICE_DAYS),
        villagers_days: convening::VILLAGERS_NOTICE_DAYS,
    };
    render(status, &p)
}

pub async fn new_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, _, _) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let form = NoticeForm {
        body: "residents".into(),
        ..NoticeForm::default()
    };
    new_page(&state, (ctx, community), id, form, FieldErrors::default()).await
}

/// Whether the community convenes meetings of `body`: not a 居民代表会议 it does not hold.
fn offered(standing: &crate::ballots::urban::Standing, body: &str) -> bool {
    crate::ballots::rules::Body::parse(body).is_none_or(|b| standing.offers(b))
}

/// The form read into a notice; each problem goes beside its field.
fn read_form(ctx: &Ctx, form: &NoticeForm, errors: &mut FieldErrors) -> Option<Draft> {
    if !NOTICED_BODIES.contains(&form.body.as_str()) {
        errors.add("body", ctx.t("notice.err_body"));
    }
    let meets_at = crate::clock::parse_local_time(&form.meets_at);
    if meets_at.is_none() {
        errors.add("meets_at", ctx.t("notice.err_meets_at"));
    }
    let mut text = |name: &'static str, value: &str, min: usize, max: usize| {
        let field = match name {
            "place" => "err.field_meeting_place",
            _ => "err.field_matters",
        };
        text_field(value, min, max)
            .map_err(|p| errors.add(name, p.named(&ctx.tr, field)))
            .ok()
    };
    let place = text("place", &form.place, 1, 200);
    let matters = text("matters", &form.matters, 1, 2000);
    let online = text("online", &form.online, 0, 500);
    let notice_days = match form.notice_days.trim() {
        "" => None,
        // Read like every other number (no sign, full-width digits as digits); the
        // notice's rules then check it against the minimum and the most.
        s => match crate::text::whole_number(s, 0, i64::MAX) {
            Ok(n) => Some(n),
            Err(_) => {
                errors.add("notice_days", ctx.t("notice.err_days"));
                None
            }
        },
    };
    let (Some(meets_at), Some(place), Some(matters), Some(online), true) =
        (meets_at, place, matters, online, errors.is_empty())
    else {
        return None;
    };
    Some(Draft {
        body: form.body.clone(),
        meets_at,
        place,
        matters,
        online,
        notice_days,
    })
}

/// Publishes a convening notice for the item.
pub async fn publish(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<NoticeForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, id) = path.into_inner();
    let (community, _, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let mut errors = FieldErrors::default();
    let Some(draft) = read_form(&ctx, &form, &mut errors) else {
        return new_page(&state, (ctx, community), id, form, errors).await;
    };
    let (c, now) = (community.clone(), state.clock.now());
    let result = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let item = model::find(conn, c.id, id)?.ok_or(AppError::NotFound)?;
                let standing = crate::communities::representatives::standing(conn, &c)?;
                if !offered(&standing, &draft.body) {
                    return Ok(Err(("body", "ballots.err_no_urban_reps")));
                }
                notices::publish(conn, &c, &item, &draft, me, now)
            })
        })
        .await?;
    match result {
        Ok(nid) => Ok(see_other(&format!("/c/{}/notices/{nid}", community.slug))),
        Err((field, key)) => {
            errors.add(field, ctx.t(key));
            new_page(&state, (ctx, community), id, form, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "agenda/notice.html")]
struct NoticePage {
    ctx: Ctx,
    community: Community,
    item: Item,
    n: ConveningNotice,
    url: String,
    svg: String,
}

/// The printable notice (A4, for the board): its facts and a QR code to the item's page.
pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, nid) = path.into_inner();
    let (community, _) = load_community(&state, &ctx, slug).await?;
    let cid = community.id;
    let (n, item) = state
        .db(move |conn| {
            let n = notices::find(conn, cid, nid)?.ok_or(AppError::NotFound)?;
            let item = model::find(conn, cid, n.item_id)?.ok_or(AppError::NotFound)?;
            Ok((n, item))
        })
        .await?;
    let url = format!(
        "{}/c/{}/items/{}",
        state.config.site_base(),
        community.slug,
        item.id
    );
    let svg =
        crate::projects::qr::qr_svg(&url).map_err(|e| AppError::Internal(format!("qr: {e}")))?;
    // Inline in the page: the XML declaration goes.
    let svg = svg
        .split_once("?>\n")
        .map(|(_, s)| s.to_string())
        .unwrap_or(svg);
    page(&NoticePage {
        ctx,
        community,
        item,
        n,
        url,
        svg,
    })
}
