//! Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) at `/open311/v2/`: other
//! systems (a 12345 hotline, a city's service platform) read a community's work orders and
//! submit reports into them. The endpoint serves every community, so each call names one by
//! `jurisdiction_id` = its slug. Reading is public, as the order pages are; submitting needs
//! an API key the community's committee made (only its SHA-256 is stored). A submitted
//! request becomes an anonymous work order with no reporter account, routed to the default
//! grid's worker like a resident's report. JSON only; errors are GeoReport error bodies
//! `[{"code":400,"description":"..."}]`. Times are RFC 3339 in UTC+8, the time every user
//! here lives in.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::accounts::model::{hash_token, random_token};
use crate::accounts::rules::FieldProblem;
use crate::audit::{self, Entry};
use crate::authz::Action;
use crate::communities::handlers::load_as;
use crate::communities::model::{self as communities, Community};
use crate::db::{write_tx, AnyConnection};
use crate::schema::{api_keys, work_order_events, work_orders};
use crate::web::ctx::Ctx;
use crate::web::error::AppError;
use crate::web::forms::{text_field, Empty, FieldErrors, Posted};
use crate::web::i18n::{Lang, Tr};
use crate::web::{fmt_time, render, see_other, AppState};
use crate::work_orders::model::{self, NewOrder, Order, CATEGORIES};
use crate::work_orders::rules::{self, State};

/// `work_orders.source` of a request that came in through Open311.
pub const SOURCE_OPEN311: &str = "open311";
/// Most requests one list answer carries (the spec's limit).
pub const MAX_RESULTS: i64 = 1000;
/// Days a list covers when the caller names no start.
pub const DEFAULT_DAYS: i64 = 90;
/// Longest description and address accepted.
const MAX_DESCRIPTION: usize = 5000;
const MAX_ADDRESS: usize = 200;
/// Characters of the description that make an order's title.
const TITLE_CHARS: usize = 30;

/// The text the API answers in: the site's first language.
const TR: Tr = Tr(Lang::Zh);

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

/// Why a call is refused, before it becomes a response (which is not `Send`).
#[derive(Debug)]
struct Refusal(StatusCode, String);

impl Refusal {
    fn bad(description: impl Into<String>) -> Refusal {
        Refusal(StatusCode::BAD_REQUEST, description.into())
    }

    fn response(self) -> HttpResponse {
        error(self.0, self.1)
    }
}

/// RFC 3339 in UTC+8, seconds precision: `2026-11-26T09:00:00+08:00`.
pub fn w3c_time(t: &NaiveDateTime) -> String {
    let cst = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    t.and_utc()
        .with_timezone(&cst)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// Reads a W3C datetime (RFC 3339, or a bare date taken as midnight in UTC+8) as UTC.
pub fn parse_w3c(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.naive_utc());
    }
    // `2026-11-26T09:00+08:00` (W3C allows leaving the seconds out).
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%:z") {
        return Some(t.naive_utc());
    }
    if let Some(z) = s.strip_suffix('Z') {
        if let Ok(t) = NaiveDateTime::parse_from_str(z, "%Y-%m-%dT%H:%M") {
            return Some(t);
        }
    }
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let cst = FixedOffset::east_opt(8 * 3600)?;
    cst.from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
        .single()
        .map(|t| t.naive_utc())
}

/// Decoded `application/x-www-form-urlencoded` pairs (a query string or a form body); the
/// first value of a repeated name counts.
struct Params(HashMap<String, String>);

impl Params {
    fn decode(raw: &[u8]) -> Option<Params> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(raw).ok()?;
        let mut map = HashMap::new();
        for (k, v) in pairs {
            map.entry(k).or_insert(v);
        }
        Some(Params(map))
    }

    fn of_query(req: &HttpRequest) -> Result<Params, Refusal> {
        Params::decode(req.query_string().as_bytes())
            .ok_or_else(|| Refusal::bad("the query string does not decode"))
    }

    fn get(&self, name: &str) -> &str {
        self.0.get(name).map(|v| v.trim()).unwrap_or("")
    }
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
            Err(r) => return Ok(Refusal::response(r)),
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
    let q = refuse!(Params::of_query(&req));
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

/// What a list asks for.
#[derive(Debug, Default)]
struct ListFilter {
    /// Named requests: when given, every other filter is ignored (the spec).
    ids: Option<Vec<i64>>,
    codes: Option<Vec<String>>,
    start: Option<NaiveDateTime>,
    end: Option<NaiveDateTime>,
    /// Some(true) open only, Some(false) closed only, None both.
    open: Option<bool>,
}

fn list_filter(q: &Params) -> Result<ListFilter, Refusal> {
    let split = |v: &str| -> Vec<String> {
        v.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let mut f = ListFilter::default();
    let ids = q.get("service_request_id");
    if !ids.is_empty() {
        let parsed: Option<Vec<i64>> = split(ids).iter().map(|s| s.parse().ok()).collect();
        f.ids = Some(parsed.ok_or_else(|| {
            Refusal::bad("service_request_id must be request ids separated by commas")
        })?);
        return Ok(f);
    }
    let codes = q.get("service_code");
    if !codes.is_empty() {
        let codes = split(codes);
        if let Some(bad) = codes.iter().find(|c| !CATEGORIES.contains(&c.as_str())) {
            return Err(Refusal::bad(format!(
                "service_code {bad:?} is not a service here; see services.json"
            )));
        }
        f.codes = Some(codes);
    }
    for (name, slot) in [("start_date", &mut f.start), ("end_date", &mut f.end)] {
        let v = q.get(name);
        if !v.is_empty() {
            *slot = Some(parse_w3c(v).ok_or_else(|| {
                Refusal::bad(format!(
                    "{name} must be a W3C datetime such as 2026-11-26T09:00:00+08:00"
                ))
            })?);
        }
    }
    let status = q.get("status");
    if !status.is_empty() {
        let (mut open, mut closed) = (false, false);
        for s in split(status) {
            match s.as_str() {
                "open" => open = true,
                "closed" => closed = true,
                _ => return Err(Refusal::bad("status must be open, closed or open,closed")),
            }
        }
        f.open = if open && closed { None } else { Some(open) };
    }
    Ok(f)
}

/// The community's orders a filter names, newest first.
fn find_orders(
    conn: &mut AnyConnection,
    community_id: i64,
    f: &ListFilter,
    now: NaiveDateTime,
) -> QueryResult<Vec<Order>> {
    let mut q = work_orders::table
        .filter(work_orders::community_id.eq(community_id))
        .into_boxed();
    if let Some(ids) = &f.ids {
        q = q.filter(work_orders::id.eq_any(ids.clone()));
    } else {
        let start = f
            .start
            .unwrap_or_else(|| f.end.unwrap_or(now) - chrono::Duration::days(DEFAULT_DAYS));
        q = q.filter(work_orders::received_at.ge(start));
        if let Some(end) = f.end {
            q = q.filter(work_orders::received_at.le(end));
        }
        if let Some(codes) = &f.codes {
            q = q.filter(work_orders::category.eq_any(codes.clone()));
        }
        match f.open {
            Some(true) => q = q.filter(work_orders::state.eq_any(State::open_names())),
            Some(false) => q = q.filter(work_orders::state.ne_all(State::open_names())),
            None => {}
        }
    }
    q.order((work_orders::received_at.desc(), work_orders::id.desc()))
        .limit(MAX_RESULTS)
        .select(Order::as_select())
        .load(conn)
}

/// The last step's note of each order, in words (empty when that step had none).
fn last_notes(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, String>> {
    let rows: Vec<(i64, String)> = work_order_events::table
        .filter(work_order_events::order_id.eq_any(ids))
        .order(work_order_events::id)
        .select((work_order_events::order_id, work_order_events::note))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

fn note_words(note: &str) -> String {
    match note {
        "routed" | "escalated" | "auto_confirmed" => TR.t(&format!("orders.note_{note}")).into(),
        other => other.to_string(),
    }
}

/// Where a photo can be fetched: absolute when the site knows its public address.
fn photo_url(base: Option<&str>, name: &str) -> String {
    match base {
        Some(base) => format!("{}/photos/{name}", base.trim_end_matches('/')),
        None => format!("/photos/{name}"),
    }
}

/// The orders as GeoReport service requests. Reporters are never named.
fn views(
    conn: &mut AnyConnection,
    base_url: Option<&str>,
    community: &Community,
    orders: Vec<Order>,
) -> QueryResult<Vec<RequestView>> {
    let ids: Vec<i64> = orders.iter().map(|o| o.id).collect();
    let notes = last_notes(conn, &ids)?;
    let mut photos: HashMap<i64, String> = HashMap::new();
    for (order, kind, name) in model::cover_photos(conn, &ids)? {
        if kind == model::BEFORE {
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
    let q = refuse!(Params::of_query(&req));
    let community = refuse!(jurisdiction(&state, q.get("jurisdiction_id")).await?);
    let filter = refuse!(list_filter(&q));
    let now = state.clock.now();
    let base = state.config.base_url.clone();
    let list = state
        .db(move |conn| {
            let orders = find_orders(conn, community.id, &filter, now)?;
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
    let q = refuse!(Params::of_query(&req));
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
            let orders: Vec<Order> = model::find(conn, community.id, id)?.into_iter().collect();
            Ok(views(conn, base.as_deref(), &community, orders)?)
        })
        .await?;
    if list.is_empty() {
        return Ok(missing());
    }
    Ok(public_json(&list))
}

// ---- submitting a request ----

/// A request that passed the checks.
#[derive(Debug)]
struct NewRequest {
    category: String,
    title: String,
    description: String,
    place: String,
    coords: Option<(f64, f64)>,
}

/// The order's title: the start of the description's first line.
fn title_of(description: &str) -> String {
    let line = description.lines().next().unwrap_or("").trim();
    if line.chars().count() > TITLE_CHARS {
        let mut t: String = line.chars().take(TITLE_CHARS).collect();
        t.push('…');
        t
    } else {
        line.to_string()
    }
}

/// Checks the fields of a submission. Contact fields (`first_name`, `last_name`, `email`,
/// `phone`) are accepted and dropped: the order page is public, and no account is made.
fn check_request(f: &Params) -> Result<NewRequest, Refusal> {
    let category = f.get("service_code");
    if category.is_empty() {
        return Err(Refusal::bad("service_code is required; see services.json"));
    }
    if !CATEGORIES.contains(&category) {
        return Err(Refusal::bad(format!(
            "service_code {category:?} is not a service here; see services.json"
        )));
    }
    let control = |field: &str| format!("{field} must not contain control characters");
    let description =
        text_field(f.get("description"), 1, MAX_DESCRIPTION).map_err(|e| match e {
            FieldProblem::ControlChar => Refusal::bad(control("description")),
            _ => Refusal::bad(format!(
                "description is required, at most {MAX_DESCRIPTION} characters"
            )),
        })?;
    let address = text_field(f.get("address_string"), 0, MAX_ADDRESS).map_err(|e| match e {
        FieldProblem::ControlChar => Refusal::bad(control("address_string")),
        _ => Refusal::bad(format!(
            "address_string must be at most {MAX_ADDRESS} characters"
        )),
    })?;
    let coords = match (f.get("lat"), f.get("long")) {
        ("", "") => None,
        ("", _) => return Err(Refusal::bad("lat is required with long")),
        (_, "") => return Err(Refusal::bad("long is required with lat")),
        (a, b) => {
            let lat = a
                .parse::<f64>()
                .ok()
                .filter(|v| (-90.0..=90.0).contains(v))
                .ok_or_else(|| Refusal::bad("lat must be a number from -90 to 90"))?;
            let long = b
                .parse::<f64>()
                .ok()
                .filter(|v| (-180.0..=180.0).contains(v))
                .ok_or_else(|| Refusal::bad("long must be a number from -180 to 180"))?;
            Some((lat, long))
        }
    };
    let place = match (address.is_empty(), coords) {
        (false, _) => address,
        (true, Some((a, b))) => format!("{a:.5}, {b:.5}"),
        (true, None) => {
            return Err(Refusal::bad(
                "address_string or lat and long is required: where is the problem?",
            ))
        }
    };
    Ok(NewRequest {
        category: category.to_string(),
        title: title_of(&description),
        description,
        place,
        coords,
    })
}

/// The live key of a community with this hash, if any.
fn live_key(conn: &mut AnyConnection, community_id: i64, key: &str) -> QueryResult<Option<i64>> {
    api_keys::table
        .filter(api_keys::key_hash.eq(hash_token(key)))
        .filter(api_keys::community_id.eq(community_id))
        .filter(api_keys::revoked_at.is_null())
        .select(api_keys::id)
        .first(conn)
        .optional()
}

fn bad_key() -> Refusal {
    Refusal(
        StatusCode::FORBIDDEN,
        "api_key is not a valid key of this jurisdiction".to_string(),
    )
}

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
    let query = Params::of_query(&req).unwrap_or(Params(HashMap::new()));
    let slug = match form.get("jurisdiction_id") {
        "" => query.get("jurisdiction_id"),
        s => s,
    };
    let community = refuse!(jurisdiction(&state, slug).await?);
    let cid = community.id;
    let k = key.clone();
    let live = state.db(move |conn| Ok(live_key(conn, cid, &k)?)).await?;
    if live.is_none() {
        return Ok(bad_key().response());
    }
    let new = refuse!(check_request(&form));
    let (now, slug) = (state.clock.now(), community.slug.clone());
    let outcome = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                // Checked again inside the write: a key revoked meanwhile adds nothing.
                if live_key(conn, cid, &key)?.is_none() {
                    return Ok(Err(bad_key()));
                }
                let grid = model::default_grid(conn, cid)?;
                let hours = model::limit_hours(conn, cid, &new.category)?;
                // Routed, as a resident's report is: the grid's worker takes it.
                let opening = crate::work_orders::service::Opening {
                    order: NewOrder {
                        community_id: cid,
                        source: SOURCE_OPEN311,
                        decision_id: None,
                        title: &new.title,
                        description: &new.description,
                        category: &new.category,
                        place: &new.place,
                        coords: new.coords,
                        grid_id: grid,
                        reporter_id: None,
                        anonymous: true,
                        budget_yuan: None,
                        override_reason: "",
                        due_at: rules::due_at(now, hours),
                    },
                    slug: &slug,
                    photos: &[],
                    route: true,
                    actor: None,
                    now,
                };
                let id = crate::work_orders::service::open(conn, &opening)?.id;
                Ok(Ok((id, hours)))
            })
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

#[derive(Queryable, Clone, Debug)]
pub struct KeyRow {
    pub id: i64,
    pub label: String,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

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
    let rows: Vec<KeyRow> = api_keys::table
        .filter(api_keys::community_id.eq(community_id))
        .order(api_keys::id.desc())
        .select((
            api_keys::id,
            api_keys::label,
            api_keys::created_by,
            api_keys::created_at,
            api_keys::revoked_at,
        ))
        .load(conn)?;
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

#[allow(clippy::too_many_arguments)]
async fn keys_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    new_key: Option<String>,
    label: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let cid = community.id;
    let keys = state.db(move |conn| Ok(key_views(conn, cid)?)).await?;
    let mut res = render(
        status,
        &KeysPage {
            ctx,
            community,
            keys,
            new_key,
            label,
            errors,
            notice,
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
    keys_page(
        &state,
        ctx,
        community,
        None,
        String::new(),
        FieldErrors::default(),
        notice,
        StatusCode::OK,
    )
    .await
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
            errors.add("label", e.message(&ctx.tr));
            return keys_page(
                &state,
                ctx,
                community,
                None,
                form.label,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let key = random_token();
    let (hash, cid, now, l) = (hash_token(&key), community.id, state.clock.now(), label);
    state
        .db(move |conn| {
            write_tx(conn, |conn| {
                diesel::insert_into(api_keys::table)
                    .values((
                        api_keys::community_id.eq(cid),
                        api_keys::key_hash.eq(&hash),
                        api_keys::label.eq(&l),
                        api_keys::created_by.eq(me),
                        api_keys::created_at.eq(now),
                    ))
                    .execute(conn)?;
                audit::record(
                    conn,
                    &Entry {
                        community_id: Some(cid),
                        actor_id: me,
                        action: "create_api_key",
                        target_user_id: None,
                        detail: &l,
                        reason: "",
                    },
                    now,
                )?;
                Ok(())
            })
        })
        .await?;
    keys_page(
        &state,
        ctx,
        community,
        Some(key),
        String::new(),
        FieldErrors::default(),
        Some("open311.done_created"),
        StatusCode::OK,
    )
    .await
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
        .db(move |conn| {
            write_tx(conn, |conn| {
                let label: String = api_keys::table
                    .filter(api_keys::id.eq(id))
                    .filter(api_keys::community_id.eq(cid))
                    .select(api_keys::label)
                    .first(conn)
                    .optional()?
                    .ok_or(AppError::NotFound)?;
                let n = diesel::update(
                    api_keys::table
                        .filter(api_keys::id.eq(id))
                        .filter(api_keys::revoked_at.is_null()),
                )
                .set(api_keys::revoked_at.eq(Some(now)))
                .execute(conn)?;
                if n == 1 {
                    audit::record(
                        conn,
                        &Entry {
                            community_id: Some(cid),
                            actor_id: me,
                            action: "revoke_api_key",
                            target_user_id: None,
                            detail: &label,
                            reason: "",
                        },
                        now,
                    )?;
                }
                Ok(())
            })
        })
        .await?;
    Ok(see_other(&format!(
        "/c/{}/api-keys?done=revoked",
        community.slug
    )))
}

// ---- XML ----

/// Writes a JSON answer (a list of flat objects) as GeoReport XML: `<root><item>…</item></root>`,
/// one element per field, empty for null. Errors become `<errors><error>…`.
pub fn xml_of(value: &serde_json::Value, root: &str, item: &str) -> String {
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }
    let mut out = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<{root}>\n");
    for obj in value.as_array().into_iter().flatten() {
        out.push_str(&format!("  <{item}>\n"));
        for (k, v) in obj.as_object().into_iter().flatten() {
            let text = match v {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => esc(s),
                other => esc(&other.to_string()),
            };
            out.push_str(&format!("    <{k}>{text}</{k}>\n"));
        }
        out.push_str(&format!("  </{item}>\n"));
    }
    out.push_str(&format!("</{root}>\n"));
    crate::web::xml::clean(out)
}

/// The same answer as its JSON twin, in XML.
async fn as_xml(resp: HttpResponse, root: &str, item: &str) -> Result<HttpResponse, AppError> {
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = actix_web::body::to_bytes(resp.into_body())
        .await
        .map_err(|_| AppError::Internal("open311: unreadable body".into()))?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let body = if status.is_success() {
        xml_of(&value, root, item)
    } else {
        xml_of(&value, "errors", "error")
    };
    let mut out = HttpResponse::build(status);
    for name in ["cache-control", "access-control-allow-origin"] {
        if let Some(v) = headers.get(name) {
            out.insert_header((name, v.clone()));
        }
    }
    Ok(out
        .content_type("application/xml; charset=utf-8")
        .body(body))
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn params(s: &str) -> Params {
        Params::decode(s.as_bytes()).expect("decodes")
    }

    #[test]
    fn times_are_utc_plus_8_and_read_back() {
        let t = NaiveDate::from_ymd_opt(2026, 11, 26)
            .and_then(|d| d.and_hms_opt(1, 0, 0))
            .expect("time");
        assert_eq!(w3c_time(&t), "2026-11-26T09:00:00+08:00");
        assert_eq!(parse_w3c("2026-11-26T09:00:00+08:00"), Some(t));
        assert_eq!(parse_w3c("2026-11-26T01:00:00Z"), Some(t));
        assert_eq!(parse_w3c("2026-11-26T09:00+08:00"), Some(t));
        assert_eq!(parse_w3c("2026-11-26T01:00Z"), Some(t));
        assert_eq!(
            parse_w3c("2026-11-26"),
            Some(t - chrono::Duration::hours(9))
        );
        assert_eq!(parse_w3c("yesterday"), None);
    }

    #[test]
    fn a_submission_needs_a_service_a_description_and_a_place() {
        let ok = check_request(&params(
            "service_code=lighting&description=%E8%B7%AF%E7%81%AF%E4%B8%8D%E4%BA%AE&lat=30.5&long=120.1",
        ))
        .expect("valid");
        assert_eq!(ok.place, "30.50000, 120.10000");
        assert_eq!(ok.title, "路灯不亮");
        for (body, field) in [
            ("description=x&address_string=a", "service_code"),
            (
                "service_code=moon&description=x&address_string=a",
                "service_code",
            ),
            ("service_code=road&address_string=a", "description"),
            ("service_code=road&description=x", "address_string"),
            ("service_code=road&description=x&lat=31", "long"),
            ("service_code=road&description=x&lat=91&long=1", "lat"),
        ] {
            let err = check_request(&params(body)).expect_err(body);
            assert_eq!(err.0, StatusCode::BAD_REQUEST);
            assert!(err.1.contains(field), "{body}: {}", err.1);
        }
    }

    #[test]
    fn list_filters_read_the_spec_parameters() {
        let f = list_filter(&params("status=open,closed&service_code=road,water")).expect("ok");
        assert_eq!(f.open, None);
        assert_eq!(f.codes.as_deref().map(<[String]>::len), Some(2));
        assert_eq!(
            list_filter(&params("status=closed")).expect("ok").open,
            Some(false)
        );
        let ids = list_filter(&params("service_request_id=3,4&status=bogus")).expect("ids win");
        assert_eq!(ids.ids, Some(vec![3, 4]));
        assert!(list_filter(&params("status=done")).is_err());
        assert!(list_filter(&params("start_date=soon")).is_err());
        assert!(list_filter(&params("service_request_id=x")).is_err());
    }

    #[test]
    fn titles_are_the_start_of_the_first_line() {
        assert_eq!(title_of("短\n第二行"), "短");
        let long = "长".repeat(40);
        assert_eq!(title_of(&long).chars().count(), TITLE_CHARS + 1);
    }
}
