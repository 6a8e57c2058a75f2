//! The Open311 endpoints (JSON and XML) and the committee's page of keys.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use diesel::QueryResult;
use serde::{Deserialize, Serialize};

use super::rules::{check_request, list_filter, note_words, photo_url, w3c_time, Params, Refusal};
use super::service::{self, Submission};
use super::xml::as_xml;
use super::{model, TR};
use crate::accounts::model::{hash_token, random_token};
use crate::authz::Action;
use crate::clock::fmt_time;
use crate::communities::model::{self as communities, Community};
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::web::community::load_as;
use crate::web::ctx::Ctx;
use crate::web::forms::{text_field, Empty, FieldErrors, Posted};
use crate::web::{render, see_other, AppState};
use crate::work_orders::model::{self as work, Order, CATEGORIES};

// ---- answers ----

#[derive(Serialize)]
struct ApiError {
    code: u16,
    description: String,
}

/// A GeoReport error body with its status.
fn error(status: StatusCode, description: impl Into<String>) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("cache-control", "no-store"))
        .json([ApiError {
            code: status.as_u16(),
            description: description.into(),
        }])
}

/// A public answer: any site may read it (no cookies are involved).
fn public_json<T: Serialize>(value: &T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("access-control-allow-origin", "*"))
        .json(value)
}

/// A refusal as its GeoReport error.
fn refused(r: Refusal) -> HttpResponse {
    error(r.0, r.1)
}

/// The query string's parameters.
fn query_params(req: &HttpRequest) -> Result<Params, Refusal> {
    Params::decode(req.query_string().as_bytes())
        .ok_or_else(|| Refusal::bad("the query string does not decode"))
}

/// The community a call names by `jurisdiction_id`.
async fn jurisdiction(
    state: &AppState,
    slug: &str,
) -> Result<Result<Community, Refusal>, AppError> {
    if slug.is_empty() {
        return Ok(Err(Refusal::bad(
            "jurisdiction_id is required: the community's short name, e.g. jurisdiction_id=liutang",
        )));
    }
    let slug = slug.to_string();
    let found = state
        .db(move |conn| Ok(communities::by_slug(conn, &slug)?))
        .await?;
    Ok(found.ok_or_else(|| {
        Refusal(
            StatusCode::NOT_FOUND,
            "jurisdiction_id names no community here".to_string(),
        )
    }))
}

/// Runs a handler body whose refusals become GeoReport errors.
macro_rules! refuse {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(r) => return Ok(refused(r)),
        }
    };
}

// ---- services ----

#[derive(Serialize)]
struct Service {
    service_code: &'static str,
    service_name: &'static str,
    description: &'static str,
    metadata: bool,
    #[serde(rename = "type")]
    kind: &'static str,
    keywords: &'static str,
    group: &'static str,
}

/// `GET /open311/v2/services.json`: the categories of reports.
pub async fn services(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let q = refuse!(query_params(&req));
    refuse!(jurisdiction(&state, q.get("jurisdiction_id")).await?);
    let list: Vec<Service> = CATEGORIES
        .iter()
        .map(|c| Service {
            service_code: c,
            service_name: TR.t(&format!("orders.category_{c}")),
            description: TR.t(&format!("open311.desc_{c}")),
            metadata: false,
            kind: "realtime",
            keywords: TR.t(&format!("open311.keywords_{c}")),
            group: TR.t(&format!("open311.group_{c}")),
        })
        .collect();
    Ok(public_json(&list))
}

// ---- reading requests ----

#[derive(Serialize)]
struct RequestView {
    service_request_id: String,
    status: &'static str,
    status_notes: String,
    service_name: &'static str,
    service_code: String,
    description: String,
    agency_responsible: String,
    requested_datetime: String,
    updated_datetime: String,
    expected_datetime: String,
    address: String,
    lat: Option<f64>,
    long: Option<f64>,
    media_url: Option<String>,
}

/// The orders as GeoReport service requests. Reporters are never named.
fn views(
    conn: &mut AnyConnection,
    base_url: Option<&str>,
    community: &Community,
    orders: Vec<Order>,
) -> QueryResult<Vec<RequestView>> {
    let ids: Vec<i64> = orders.iter().map(|o| o.id).collect();
    let notes = model::last_notes(conn, &ids)?;
    let mut photos: HashMap<i64, String> = HashMap::new();
    for (order, kind, name) in work::cover_photos(conn, &ids)? {
        if kind == work::BEFORE {
            photos.entry(order).or_insert(name);
        }
    }
    Ok(orders
        .into_iter()
        .map(|o| {
            let note = notes.get(&o.id).map(|n| note_words(n)).unwrap_or_default();
            let status_notes = if note.is_empty() {
                TR.t(&o.state_key()).to_string()
            } else {
                note
            };
            RequestView {
                service_request_id: o.id.to_string(),
                status: if o.state().is_open() {
                    "open"
                } else {
                    "closed"
                },
                status_notes,
                service_name: TR.t(&o.category_key()),
                description: o.description,
                agency_responsible: community.name.clone(),
                requested_datetime: w3c_time(&o.received_at),
                updated_datetime: w3c_time(&o.updated_at),
                expected_datetime: w3c_time(&o.due_at),
                address: o.place,
                lat: o.latitude,
                long: o.longitude,
                media_url: photos.get(&o.id).map(|n| photo_url(base_url, n)),
                service_code: o.category,
            }
        })
        .collect())
}

/// `GET /open311/v2/requests.json`: requests by the spec's filters; by default those of the
/// last 90 days, at most 1000, newest first.
pub async fn requests(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let q = refuse!(query_params(&req));
    let community = refuse!(jurisdiction(&state, q.get("jurisdiction_id")).await?);
    let filter = refuse!(list_filter(&q));
    let now = state.clock.now();
    let base = state.config.base_url.clone();
    let list = state
        .db(move |conn| {
            let orders = model::find_orders(conn, community.id, &filter, now)?;
            Ok(views(conn, base.as_deref(), &community, orders)?)
        })
        .await?;
    Ok(public_json(&list))
}

/// `GET /open311/v2/requests/{id}.json`: one request, as a one-element list.
pub async fn request(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let q = refuse!(query_params(&req));
    let community = refuse!(jurisdiction(&state, q.get("jurisdiction_id")).await?);
    let missing = || {
        error(
            StatusCode::NOT_FOUND,
            "no service request with this service_request_id",
        )
    };
    let Ok(id) = id.into_inner().parse::<i64>() else {
        return Ok(missing());
    };
    let base = state.config.base_url.clone();
    let list = state
        .db(move |conn| {
            let orders: Vec<Order> = work::find(conn, community.id, id)?.into_iter().collect();
            Ok(views(conn, base.as_deref(), &community, orders)?)
        })
        .await?;
    if list.is_empty() {
        return Ok(missing());
    }
    Ok(public_json(&list))
}

// ---- submitting a request ----
#[derive(Serialize)]
struct Created {
    service_request_id: String,
    service_notice: String,
}

/// `POST /open311/v2/requests.json` (form-encoded): a report from another system, stored
/// as an anonymous work order with no reporter and routed to the default grid's worker.
pub async fn create_request(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let form = refuse!(Params::decode(&body)
        .ok_or_else(|| Refusal::bad("the body must be application/x-www-form-urlencoded")));
    let key = form.get("api_key").to_string();
    if key.is_empty() {
        return Ok(error(StatusCode::FORBIDDEN, "api_key is required"));
    }
    // The spec sends jurisdiction_id in the body; the query string is accepted too.
    let query = query_params(&req).unwrap_or(Params(HashMap::new()));
    let slug = match form.get("jurisdiction_id") {
        "" => query.get("jurisdiction_id"),
        s => s,
    };
    let community = refuse!(jurisdiction(&state, slug).await?);
    let cid = community.id;
    let k = key.clone();
    let live = state
        .db(move |conn| Ok(model::live_key(conn, cid, &k)?))
        .await?;
    if live.is_none() {
        return Ok(refused(service::bad_key()));
    }
    let new = refuse!(check_request(&form));
    let now = state.clock.now();
    let outcome = state
        .db(move |conn| {
            let s = Submission {
                community_id: cid,
                slug: &community.slug,
                key: &key,
                request: &new,
            };
            service::submit(conn, &s, now)
        })
        .await?;
    let (id, hours) = refuse!(outcome);
    Ok(HttpResponse::Created()
        .insert_header(("cache-control", "no-store"))
        .json([Created {
            service_request_id: id.to_string(),
            service_notice: TR.f("open311.notice", &[("hours", &hours.to_string())]),
        }]))
}

// ---- the committee's keys ----

pub struct KeyView {
    pub id: i64,
    pub label: String,
    pub creator: String,
    pub created: String,
    pub revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "open311/keys.html")]
struct KeysPage {
    ctx: Ctx,
    community: Community,
    keys: Vec<KeyView>,
    /// A key just made, shown this once.
    new_key: Option<String>,
    label: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
    endpoint: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct KeysQuery {
    done: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct KeyForm {
    label: String,
}

fn key_views(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<KeyView>> {
    let rows = model::keys_of(conn, community_id)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.created_by).collect();
    let names = crate::accounts::model::names(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| KeyView {
            id: r.id,
            creator: names
                .iter()
                .find(|(i, _)| *i == r.created_by)
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            label: r.label,
            created: fmt_time(&r.created_at),
            revoked: r.revoked_at.as_ref().map(fmt_time),
        })
        .collect())
}

fn endpoint(state: &AppState) -> String {
    format!("{}/open311/v2/", state.config.site_base())
}

/// What the keys page shows besides the keys.
struct KeysShown {
    /// A key just made, shown this once.
    new_key: Option<String>,
    label: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
    status: StatusCode,
}

impl KeysShown {
    fn plain(notice: Option<&'static str>) -> KeysShown {
        KeysShown {
            new_key: None,
            label: String::new(),
            errors: FieldErrors::default(),
            notice,
            status: StatusCode::OK,
        }
    }
}

async fn keys_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    shown: KeysShown,
) -> Result<HttpResponse, AppError> {
    let cid = community.id;
    let keys = state.db(move |conn| Ok(key_views(conn, cid)?)).await?;
    let mut res = render(
        shown.status,
        &KeysPage {
            ctx,
            community,
            keys,
            new_key: shown.new_key,
            label: shown.label,
            errors: shown.errors,
            notice: shown.notice,
            endpoint: endpoint(state),
        },
    )?;
    // The page may carry a key: no cache keeps it.
    res.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

/// `GET /c/{slug}/api-keys`: the committee's Open311 keys.
pub async fn keys(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
    q: web::Query<KeysQuery>,
) -> Result<HttpResponse, AppError> {
    let (community, _, _) = load_as(&state, &ctx, slug.into_inner(), Action::ManageAgenda).await?;
    let notice = match q.done.as_str() {
        "revoked" => Some("open311.done_revoked"),
        _ => None,
    };
    keys_page(&state, ctx, community, KeysShown::plain(notice)).await
}

/// `POST /c/{slug}/api-keys`: makes a key and shows it once.
pub async fn create_key(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Posted<KeyForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (community, _, me) = load_as(&state, &ctx, slug.into_inner(), Action::ManageAgenda).await?;
    let label = match text_field(&form.label, 1, 80) {
        Ok(l) => l,
        Err(e) => {
            let mut errors = FieldErrors::default();
            errors.add("label", e.named(&ctx.tr, "err.field_key_purpose"));
            let shown = KeysShown {
                label: form.label,
                errors,
                status: StatusCode::UNPROCESSABLE_ENTITY,
                ..KeysShown::plain(None)
            };
            return keys_page(&state, ctx, community, shown).await;
        }
    };
    let key = random_token();
    let (hash, cid, now) = (hash_token(&key), community.id, state.clock.now());
    state
        .db(move |conn| service::create_key(conn, cid, me, &label, &hash, now))
        .await?;
    let shown = KeysShown {
        new_key: Some(key),
        ..KeysShown::plain(Some("open311.done_created"))
    };
    keys_page(&state, ctx, community, shown).await
}

/// `POST /c/{slug}/api-keys/{id}/revoke`: the key stops working at once.
pub async fn revoke_key(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<Empty>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, .. } = p;
    let (slug, id) = path.into_inner();
    let (community, _, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let (cid, now) = (community.id, state.clock.now());
    state
        .db(move |conn| service::revoke_key(conn, cid, me, id, now))
        .await?;
    Ok(see_other(&format!(
        "/c/{}/api-keys?done=revoked",
        community.slug
    )))
}

// ---- XML ----

/// `GET /open311/v2/services.xml`.
pub async fn services_xml(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    as_xml(services(state, req).await?, "services", "service").await
}

/// `GET /open311/v2/requests.xml`.
pub async fn requests_xml(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    as_xml(requests(state, req).await?, "service_requests", "request").await
}

/// `GET /open311/v2/requests/{id}.xml`.
pub async fn request_xml(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    as_xml(
        request(state, req, id).await?,
        "service_requests",
        "request",
    )
    .await
}

/// `POST /open311/v2/requests.xml`.
pub async fn create_request_xml(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    as_xml(
        create_request(state, req, body).await?,
        "service_requests",
        "request",
    )
    .await
}
