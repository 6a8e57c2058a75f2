//! Disclosure pages: the community's board (with what is due and overdue), one disclosure
//! with its ledger, versions and diff, publishing and correcting, and the cadence settings.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;

use super::due::{cadence_of, overdue, published_of, result_days, results_due, Overdue, ResultDue};
use super::model::{self, CadenceSetting, File, Listed, Version};
use super::rules::{self, Cadence, Category, DiffKind, LedgerLine, Period};
use super::service::{self, Publication, Saved};
use crate::authz::{allows, Action, Actor};
use crate::clock::fmt_time;
use crate::comments::model::Target;
use crate::comments::view::{thread_view, ThreadView};
use crate::communities::model::Community;
use crate::db::write_tx;
use crate::error::AppError;
use crate::money;
use crate::web::community::{load_as, load_community};
use crate::web::ctx::Ctx;
use crate::web::forms::{FieldErrors, Uploaded};
use crate::web::{page, render, see_other, AppState};

/// The day in China (UTC+8), which is when a disclosure falls due.
pub fn china_today(now: NaiveDateTime) -> NaiveDate {
    crate::clock::local_day(now)
}

fn zh(ctx: &Ctx) -> bool {
    ctx.lang() == crate::web::i18n::Lang::Zh
}

/// Fills a message from rules' `(key, args)`.
fn say(ctx: &Ctx, key: &str, args: &[(&'static str, String)]) -> String {
    let pairs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ctx.f(key, &pairs)
}

// ---- the board ----

struct CategoryRow {
    key: &'static str,
    cadence: String,
    next_due: String,
}

struct ListedRow {
    id: i64,
    title: String,
    category_key: &'static str,
    period: String,
    version: i32,
    at: String,
    /// Beijing days it came out after its due date.
    late: Option<i64>,
}

/// Beijing days a disclosure came out after the due date stored with it.
fn days_late(d: &model::Disclosure) -> Option<i64> {
    rules::days_late(d.due_on?, china_today(d.created_at))
}

fn listed_rows(ctx: &Ctx, listed: Vec<Listed>) -> Vec<ListedRow> {
    listed
        .into_iter()
        .map(|l| ListedRow {
            id: l.d.id,
            category_key: l
                .d
                .category()
                .map(|c| c.label_key())
                .unwrap_or("disclosure.category.other"),
            period: l.d.period().map(|p| p.label(zh(ctx))).unwrap_or_default(),
            version: l.latest.version,
            late: days_late(&l.d),
            at: fmt_time(&l.latest.published_at),
            title: l.latest.title,
        })
        .collect()
}

fn cadence_words(ctx: &Ctx, c: Cadence) -> String {
    match c {
        Cadence::Monthly => ctx.t("disclosures.cadence_monthly").to_string(),
        Cadence::Quarterly => ctx.t("disclosures.cadence_quarterly").to_string(),
        Cadence::Yearly => ctx.t("disclosures.cadence_yearly").to_string(),
        Cadence::WithinDays(n) => ctx.f("disclosures.cadence_within", &[("n", &n.to_string())]),
    }
}

#[derive(Template)]
#[template(path = "disclosures/board.html")]
struct BoardPage {
    ctx: Ctx,
    community: Community,
    categories: Vec<CategoryRow>,
    overdue: Vec<Overdue>,
    /// Implementation results owed, with whether each is past its due date.
    results: Vec<(ResultDue, bool)>,
    listed: Vec<ListedRow>,
    can_publish: bool,
}

pub async fn board(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (community, actor) = load_community(&state, &ctx, path.into_inner()).await?;
    let today = china_today(state.clock.now());
    let (c, z) = (community.clone(), zh(&ctx));
    let (listed, overdue, settings, published, results) = state
        .db(move |conn| {
            Ok((
                model::list(conn, c.id, 200)?,
                overdue(conn, &c, today, z)?,
                model::cadences(conn, c.id)?,
                model::published_periods(conn, c.id)?,
                results_due(conn, c.id)?,
            ))
        })
        .await?;
    let since = china_today(community.created_at);
    let categories = scheduled()
        .map(|c| {
            let (cadence, since, grace) = cadence_of(&settings, c, since);
            let done = published_of(&published, c);
            let next_due = rules::next_due(cadence, since, today, grace, &done)
                .map(|(p, due)| format!("{} · {}", p.label(zh(&ctx)), due.format("%Y-%m-%d")))
                .unwrap_or_default();
            CategoryRow {
                key: c.label_key(),
                cadence: cadence_words(&ctx, cadence),
                next_due,
            }
        })
        .collect();
    page(&BoardPage {
        listed: listed_rows(&ctx, listed),
        results: results
            .into_iter()
            .map(|r| {
                let late = r.due < today;
                (r, late)
            })
            .collect(),
        can_publish: allows(&actor, Action::ManageAgenda),
        categories,
        overdue,
        ctx,
        community,
    })
}

// ---- one disclosure ----

struct LineRow {
    date: String,
    description: String,
    income: String,
    expense: String,
    counterparty: String,
    voucher: String,
    /// The balance after this line, where the ledger has an opening balance.
    balance: String,
}

/// The ledger's lines as shown, each with the balance after it (from `opening`, if known).
fn line_rows(opening: Option<i64>, lines: &[LedgerLine]) -> Vec<LineRow> {
    let mut balance = opening;
    let money = |fen: i64| {
        if fen == 0 {
            String::new()
        } else {
            money::format_amount(fen)
        }
    };
    lines
        .iter()
        .map(|l| {
            balance = balance.map(|b| b.saturating_add(l.income).saturating_sub(l.expense));
            LineRow {
                date: l.date.format("%Y-%m-%d").to_string(),
                description: l.description.clone(),
                income: money(l.income),
                expense: money(l.expense),
                counterparty: l.counterparty.clone(),
                voucher: l.voucher.clone(),
                balance: balance.map(money::format_amount).unwrap_or_default(),
            }
        })
        .collect()
}

struct TotalsView {
    opening: String,
    income: String,
    expense: String,
    closing: String,
}

struct DiffRow {
    class: &'static str,
    sign: &'static str,
    text: String,
}

fn diff_rows(old: &str, new: &str) -> Vec<DiffRow> {
    // Only what changed: a ledger of a hundred lines with one corrected shows two lines.
    rules::diff_text(old, new)
        .into_iter()
        .filter(|d| d.kind != DiffKind::Same)
        .map(|d| match d.kind {
            DiffKind::Same => DiffRow {
                class: "same",
                sign: " ",
                text: d.text,
            },
            DiffKind::Added => DiffRow {
                class: "added",
                sign: "+",
                text: d.text,
            },
            DiffKind::Removed => DiffRow {
                class: "removed",
                sign: "−",
                text: d.text,
            },
        })
        .collect()
}

#[derive(Template)]
#[template(path = "disclosures/show.html")]
struct ShowPage {
    ctx: Ctx,
    community: Community,
    d: model::Disclosure,
    v: Version,
    latest_number: i32,
    category_key: &'static str,
    period: String,
    body_html: String,
    is_finance: bool,
    lines: Vec<LineRow>,
    totals: Option<TotalsView>,
    files: Vec<File>,
    versions: Vec<(i64, i32, String, String)>,
    diff: Vec<DiffRow>,
    log_index: Option<i64>,
    can_correct: bool,
    /// Published late: (Beijing days, the due date).
    late: Option<(i64, NaiveDate)>,
    /// Inquiries about this disclosure.
    inquiries: Vec<crate::inquiries::service::View>,
    notice: Option<&'static str>,
    /// One thread for every version of the disclosure.
    thread: ThreadView,
    can_comment: bool,
    can_manage: bool,
    errors: FieldErrors,
    comment_body: String,
}

impl ShowPage {
    /// The fields whose messages the page prints beside them (the comment); any other
    /// message goes in the box at the top.
    fn at_fields(&self) -> Vec<&'static str> {
        if self.can_comment {
            vec!["comment"]
        } else {
            Vec::new()
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

fn notice(q: &DoneQuery) -> Option<&'static str> {
    match q.done.as_str() {
        "published" => Some("disclosures.done_published"),
        "corrected" => Some("disclosures.done_corrected"),
        "commented" => Some("agenda.done_commented"),
        "flagged" => Some("agenda.done_flagged"),
        "hidden" => Some("agenda.done_hidden"),
        "edited" => Some("agenda.done_edited"),
        _ => None,
    }
}

/// `GET /c/{slug}/disclosures/{id}`: the newest version.
pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, actor) = load_community(&state, &ctx, slug).await?;
    let shown = Shown::ok(notice(&q));
    show_version(&state, ctx, community, actor, (id, None), shown).await
}

/// How a disclosure's page is answered besides the disclosure: a notice of what was just
/// done, or a refused comment's message with its text kept (422).
struct Shown {
    notice: Option<&'static str>,
    errors: FieldErrors,
    comment_body: String,
    status: StatusCode,
}

impl Shown {
    fn ok(notice: Option<&'static str>) -> Shown {
        Shown {
            notice,
            errors: FieldErrors::default(),
            comment_body: String::new(),
            status: StatusCode::OK,
        }
    }
}

/// The disclosure's page again with a refused comment's message beside the comment box
/// and its text kept (422).
pub async fn refuse_comment(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: Actor,
    id: i64,
    message: String,
    kept: String,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    errors.add("comment", message);
    let shown = Shown {
        notice: None,
        errors,
        comment_body: kept,
        status: StatusCode::UNPROCESSABLE_ENTITY,
    };
    show_version(state, ctx, community, actor, (id, None), shown).await
}

/// `GET /c/{slug}/disclosures/v/{vid}`: one version, as published then.
pub async fn show_old(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, vid) = path.into_inner();
    let (community, actor) = load_community(&state, &ctx, slug).await?;
    let cid = community.id;
    let v = state
        .db(move |conn| Ok(model::version(conn, cid, vid)?))
        .await?
        .ok_or(AppError::NotFound)?;
    let at = (v.disclosure_id, Some(vid));
    show_version(&state, ctx, community, actor, at, Shown::ok(None)).await
}

/// What a disclosure's page reads, in one trip to the database.
struct Loaded {
    d: model::Disclosure,
    versions: Vec<Version>,
    /// (version id, line) of every version, for the diffs.
    lines: Vec<(i64, LedgerLine)>,
    files: Vec<File>,
    log_index: Option<i64>,
    inquiries: Vec<crate::inquiries::model::Row>,
    thread: crate::comments::service::ThreadRows,
}

impl Loaded {
    fn read(
        conn: &mut crate::db::AnyConnection,
        cid: i64,
        id: i64,
        version_id: Option<i64>,
    ) -> Result<Loaded, AppError> {
        let d = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
        let versions = model::versions(conn, d.id)?;
        let ids: Vec<i64> = versions.iter().map(|v| v.id).collect();
        let lines = model::lines_of(conn, &ids)?;
        let shown = version_id.or(versions.last().map(|v| v.id)).unwrap_or(0);
        let files = model::files_of(conn, shown)?;
        let log_index = crate::transparency::log::index_of(
            conn,
            crate::transparency::log::Kind::Disclosure,
            shown,
        )?;
        let inquiries = crate::inquiries::model::list(conn, cid, Some(("disclosure", id)), 50)?;
        let thread = crate::comments::service::load_thread(conn, Target::Disclosure(d.id))?;
        Ok(Loaded {
            thread,
            d,
            versions,
            lines,
            files,
            log_index,
            inquiries,
        })
    }

    /// The ledger of one version.
    fn ledger(&self, vid: i64) -> Vec<LedgerLine> {
        self.lines
            .iter()
            .filter(|(x, _)| *x == vid)
            .map(|(_, l)| l.clone())
            .collect()
    }

    /// What the version at `pos` changed from the one before it: text, then ledger.
    fn diff(&self, pos: usize) -> Vec<DiffRow> {
        let Some(before) = pos.checked_sub(1).map(|p| &self.versions[p]) else {
            return Vec::new();
        };
        let v = &self.versions[pos];
        let text = |x: &Version| {
            let ledger = rules::ledger_text(&self.ledger(x.id));
            format!("{}\n{}\n{}", x.title, x.body, ledger)
        };
        diff_rows(&text(before), &text(v))
    }
}

fn totals_view(opening: Option<i64>, lines: &[LedgerLine]) -> TotalsView {
    let t = rules::totals(opening.unwrap_or(0), lines);
    TotalsView {
        opening: money::format_amount(t.opening),
        income: money::format_amount(t.income),
        expense: money::format_amount(t.expense),
        closing: money::format_amount(t.closing),
    }
}

/// A disclosure's page at `(id, version)` (the newest version when `None`).
async fn show_version(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: Actor,
    (id, version_id): (i64, Option<i64>),
    shown: Shown,
) -> Result<HttpResponse, AppError> {
    let cid = community.id;
    let loaded = state
        .db(move |conn| Loaded::read(conn, cid, id, version_id))
        .await?;
    let now = state.clock.now();
    let versions = &loaded.versions;
    let latest_number = versions.last().map(|v| v.version).unwrap_or(1);
    let pos = match version_id {
        Some(vid) => versions.iter().position(|v| v.id == vid),
        None => versions.len().checked_sub(1),
    }
    .ok_or(AppError::NotFound)?;
    let v = versions[pos].clone();
    let shown_lines = loaded.ledger(v.id);
    let d = loaded.d.clone();
    let is_finance = d.category() == Some(Category::Finance);
    let diff = loaded.diff(pos);
    let thread = thread_view(
        &ctx,
        &actor,
        &community,
        Target::Disclosure(d.id),
        loaded.thread,
    );
    let page = ShowPage {
        category_key: d
            .category()
            .map(|c| c.label_key())
            .unwrap_or("disclosure.category.other"),
        period: d.period().map(|p| p.label(zh(&ctx))).unwrap_or_default(),
        body_html: crate::comments::rules::render_markdown(&v.body),
        lines: line_rows(v.opening_fen.filter(|_| is_finance), &shown_lines),
        versions: versions
            .iter()
            .map(|x| (x.id, x.version, fmt_time(&x.published_at), x.reason.clone()))
            .collect(),
        can_correct: allows(&actor, Action::ManageAgenda),
        late: days_late(&d).zip(d.due_on),
        is_finance,
        totals: is_finance.then(|| totals_view(v.opening_fen, &shown_lines)),
        diff,
        files: loaded.files,
        log_index: loaded.log_index,
        latest_number,
        inquiries: loaded
            .inquiries
            .into_iter()
            .map(|r| crate::inquiries::service::view(&community.slug, r, now))
            .collect(),
        notice: shown.notice,
        thread,
        can_comment: allows(&actor, Action::Comment),
        can_manage: allows(&actor, Action::ManageAgenda),
        errors: shown.errors,
        comment_body: shown.comment_body,
        ctx,
        community,
        d,
        v,
    };
    render(shown.status, &page)
}

/// `GET /c/{slug}/disclosures/{id}/ledger.csv`: the newest ledger, as the import reads it.
pub async fn ledger_csv(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, _) = load_community(&state, &ctx, slug).await?;
    let cid = community.id;
    let lines = state
        .db(move |conn| {
            let d = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
            let vs = model::versions(conn, d.id)?;
            let last = vs.last().map(|v| v.id).unwrap_or(0);
            Ok(model::lines_of(conn, &[last])?)
        })
        .await?;
    let lines: Vec<LedgerLine> = lines.into_iter().map(|(_, l)| l).collect();
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"ledger-{id}.csv\""),
        ))
        .body(rules::ledger_csv(&lines)))
}

// ---- publishing and correcting ----

/// The form as typed, kept whole when it is refused.
#[derive(Default, Clone)]
struct Typed {
    category: String,
    period: String,
    title: String,
    body: String,
    responsible: String,
    opening: String,
    reason: String,
    decision_id: String,
    rows: Vec<[String; 6]>,
}

const ROW_FIELDS: [&str; 6] = [
    "date",
    "description",
    "income",
    "expense",
    "counterparty",
    "voucher",
];
/// Blank ledger rows offered on a new form.
const BLANK_ROWS: usize = 8;

impl Typed {
    fn from_pairs(pairs: &[(String, String)]) -> Typed {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let count: usize = get("rows").parse().unwrap_or(0).min(500);
        let rows = (0..count)
            .map(|i| ROW_FIELDS.map(|f| get(&format!("{f}_{i}"))))
            .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
            .collect();
        Typed {
            category: get("category"),
            period: get("period"),
            title: get("title"),
            body: get("body"),
            responsible: get("responsible"),
            opening: get("opening"),
            reason: get("reason"),
            decision_id: get("decision_id"),
            rows,
        }
    }

    fn from_lines(lines: &[LedgerLine]) -> Vec<[String; 6]> {
        let money = |fen: i64| {
            if fen == 0 {
                String::new()
            } else {
                crate::money::plain(fen)
            }
        };
        lines
            .iter()
            .map(|l| {
                [
                    l.date.format("%Y-%m-%d").to_string(),
                    l.description.clone(),
                    money(l.income),
                    money(l.expense),
                    l.counterparty.clone(),
                    l.voucher.clone(),
                ]
            })
            .collect()
    }

    /// The rows to show: what was typed and some blank ones.
    fn shown_rows(&self) -> Vec<[String; 6]> {
        let mut rows = self.rows.clone();
        let blanks = BLANK_ROWS.saturating_sub(rows.len()).max(3);
        rows.extend((0..blanks).map(|_| Default::default()));
        rows
    }
}

#[derive(Template)]
#[template(path = "disclosures/form.html")]
struct FormPage {
    ctx: Ctx,
    community: Community,
    /// `Some(id)` when correcting disclosure `id`.
    correcting: Option<i64>,
    typed: Typed,
    rows: Vec<[String; 6]>,
    categories: Vec<(&'static str, &'static str)>,
    decisions: Vec<(i64, String)>,
    errors: FieldErrors,
    /// Messages about single ledger rows or CSV lines.
    line_errors: Vec<String>,
}

fn categories() -> Vec<(&'static str, &'static str)> {
    Category::ALL
        .into_iter()
        .map(|c| (c.as_str(), c.label_key()))
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    category: String,
    period: String,
}

/// The form as shown: what was typed and what was wrong with it.
struct FormState {
    /// `Some(id)` when correcting disclosure `id`.
    correcting: Option<i64>,
    typed: Typed,
    errors: FieldErrors,
    /// Messages about single ledger rows or CSV lines.
    line_errors: Vec<String>,
}

impl FormState {
    fn new(correcting: Option<i64>, typed: Typed) -> FormState {
        FormState {
            correcting,
            typed,
            errors: FieldErrors::default(),
            line_errors: Vec::new(),
        }
    }
}

async fn form_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    form: FormState,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let cid = community.id;
    let decisions = state
        .db(move |conn| {
            Ok(crate::projects::model::passed_decisions(conn, cid)?
                .into_iter()
                .map(|d| (d.id, d.title))
                .collect::<Vec<_>>())
        })
        .await?;
    render(
        status,
        &FormPage {
            rows: form.typed.shown_rows(),
            categories: categories(),
            ctx,
            community,
            correcting: form.correcting,
            typed: form.typed,
            decisions,
            errors: form.errors,
            line_errors: form.line_errors,
        },
    )
}

/// `GET /c/{slug}/disclosures/new`.
pub async fn new_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<String>,
    q: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let (community, _, _) = load_as(&state, &ctx, path.into_inner(), Action::ManageAgenda).await?;
    let typed = Typed {
        category: q.category.clone(),
        period: q.period.clone(),
        ..Typed::default()
    };
    form_page(
        &state,
        ctx,
        community,
        FormState::new(None, typed),
        StatusCode::OK,
    )
    .await
}

/// The typed fields other than the ledger; each is `None` when refused (and its error added).
struct Fields {
    category: Option<Category>,
    period: Option<Period>,
    title: Option<String>,
    body: Option<String>,
    responsible: Option<String>,
    reason: Option<String>,
    decision_id: Option<i64>,
    opening: Option<i64>,
}

fn check_fields(ctx: &Ctx, today: chrono::NaiveDate, form: &mut FormState) -> Fields {
    let (typed, errors) = (&form.typed, &mut form.errors);
    let correcting = form.correcting.is_some();
    let category = Category::parse(&typed.category);
    if category.is_none() {
        errors.add("category", ctx.t("disclosures.err_category"));
    }
    let period = Period::parse(&typed.period);
    match period {
        None => errors.add("period", ctx.t("disclosures.err_period")),
        // A new publication is for a period near today; a correction may be of any.
        Some(p) if !correcting && !rules::near_today(p.start(), today) => {
            errors.add("period", ctx.t("disclosures.err_period_far"))
        }
        Some(_) => {}
    }
    let text = |v: &str, max: usize| crate::web::forms::text_field(v, 1, max);
    let title = text(&typed.title, 200)
        .map_err(|e| errors.add("title", e.named(&ctx.tr, "err.field_title")))
        .ok();
    let body = crate::web::forms::text_field(&typed.body, 0, 20_000)
        .map_err(|e| errors.add("body", e.message(&ctx.tr)))
        .ok();
    // A period not yet over with nothing in it is a placeholder, not a disclosure (a
    // finance one has its ledger, checked with the lines).
    let early = period.is_some_and(|p| p.end() >= today);
    if early && category != Some(Category::Finance) && typed.body.trim().is_empty() {
        errors.add("body", ctx.t("disclosures.err_empty_early"));
    }
    let responsible = text(&typed.responsible, 50)
        .map_err(|e| errors.add("responsible", e.named(&ctx.tr, "err.field_responsible")))
        .ok();
    let reason = if correcting {
        crate::web::forms::text_field(&typed.reason, 4, 500)
            .map_err(|_| errors.add("reason", ctx.t("disclosures.err_reason")))
            .ok()
    } else {
        Some(String::new())
    };
    let decision_id = match typed.decision_id.trim() {
        "" => None,
        d => d
            .parse::<i64>()
            .map_err(|_| errors.add("decision_id", ctx.t("disclosures.err_decision")))
            .ok(),
    };
    let opening = match category {
        Some(Category::Finance) => money::parse_amount(&typed.opening)
            .map_err(|p| errors.add("opening", say(ctx, p.key(), &p.args(zh(ctx)))))
            .ok(),
        _ => None,
    };
    Fields {
        category,
        period,
        title,
        body,
        responsible,
        reason,
        decision_id,
        opening,
    }
}

/// A finance disclosure's ledger: from the CSV file if one came, else from the rows typed.
fn check_ledger(
    ctx: &Ctx,
    form: &mut FormState,
    csv: Option<&[u8]>,
    period: Period,
) -> Vec<LedgerLine> {
    let lines = match csv {
        Some(bytes) => ledger_from_csv(ctx, form, bytes, period),
        None => ledger_from_rows(ctx, form, period),
    };
    if form.line_errors.is_empty() && lines.is_empty() {
        form.errors.add("ledger", ctx.t("disclosures.err_no_lines"));
    }
    lines
}

/// A CSV that reads well replaces the rows, so the page shows what it held.
fn ledger_from_csv(
    ctx: &Ctx,
    form: &mut FormState,
    bytes: &[u8],
    period: Period,
) -> Vec<LedgerLine> {
    match rules::parse_ledger_csv(bytes, period) {
        Ok(parsed) => {
            form.typed.rows = Typed::from_lines(&parsed);
            parsed
        }
        Err(problems) => {
            for p in problems {
                let args = p.args(zh(ctx));
                let at = p
                    .where_key()
                    .map(|k| say(ctx, k, &args))
                    .unwrap_or_default();
                form.line_errors
                    .push(format!("{at}{}", say(ctx, p.key(), &args)));
            }
            Vec::new()
        }
    }
}

fn ledger_from_rows(ctx: &Ctx, form: &mut FormState, period: Period) -> Vec<LedgerLine> {
    let z = zh(ctx);
    let mut lines = Vec::new();
    for (i, r) in form.typed.rows.iter().enumerate() {
        let at = ctx.f("disclosures.row", &[("n", &(i + 1).to_string())]);
        let mut bad = Vec::new();
        let date = rules::parse_date(&r[0]).map_err(|p| bad.push(say(ctx, p.key(), &p.args(z))));
        let income =
            money::parse_amount(&r[2]).map_err(|p| bad.push(say(ctx, p.key(), &p.args(z))));
        let expense =
            money::parse_amount(&r[3]).map_err(|p| bad.push(say(ctx, p.key(), &p.args(z))));
        if let (Ok(date), Ok(income), Ok(expense)) = (date, income, expense) {
            let line = LedgerLine {
                date,
                description: r[1].trim().to_string(),
                income,
                expense,
                counterparty: r[4].trim().to_string(),
                voucher: r[5].trim().to_string(),
            };
            match rules::check_line(&line, period) {
                Ok(()) => lines.push(line),
                Err(ps) => bad.extend(ps.iter().map(|p| say(ctx, p.key(), &p.args(z)))),
            }
        }
        form.line_errors
            .extend(bad.into_iter().map(|b| format!("{at}{b}")));
    }
    lines
}

/// Checks the typed form and the ledger; `None` when anything was refused (the form then
/// holds every error).
fn check(
    ctx: &Ctx,
    today: chrono::NaiveDate,
    form: &mut FormState,
    csv: Option<&[u8]>,
) -> Option<Publication> {
    let f = check_fields(ctx, today, form);
    let lines = match (f.category, f.period) {
        (Some(Category::Finance), Some(period)) => check_ledger(ctx, form, csv, period),
        _ => Vec::new(),
    };
    if !form.errors.is_empty() || !form.line_errors.is_empty() {
        return None;
    }
    Some(Publication {
        category: f.category?,
        period: f.period?.as_str(),
        decision_id: f.decision_id,
        title: f.title?,
        body: f.body?,
        responsible: f.responsible?,
        opening: f.opening,
        reason: f.reason?,
        lines,
        files: Vec::new(),
    })
}

/// Stores uploaded attachments: PDFs checked (they must parse as PDFs) and kept as they are,
/// photos checked together and re-encoded without metadata. The error is the message to show.
async fn store_files(
    state: &AppState,
    ctx: &Ctx,
    files: Vec<crate::uploads::UploadedFile>,
) -> Result<Result<Vec<File>, String>, AppError> {
    let files: Vec<_> = files
        .into_iter()
        .filter(|f| f.field == "files")
        .take(6)
        .collect();
    let is_pdf: Vec<bool> = files
        .iter()
        .map(|f| super::files::claims_pdf(&f.bytes))
        .collect();
    let (pdfs, photos): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|f| super::files::claims_pdf(&f.bytes));
    let data_dir = state.config.data_dir();
    let pdfs = web::block(move || {
        pdfs.iter()
            .map(|f| super::files::store_pdf(&data_dir, &f.bytes))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    let pdfs = match pdfs {
        Ok(names) => names,
        Err(super::files::PdfProblem::TooBig) => {
            return Ok(Err(ctx.t("disclosures.err_pdf_big").to_string()))
        }
        Err(super::files::PdfProblem::NotPdf) => {
            return Ok(Err(ctx.t("disclosures.err_pdf_invalid").to_string()))
        }
        Err(super::files::PdfProblem::Io(e)) => return Err(AppError::Internal(e)),
    };
    let photos = match crate::uploads::store_all(state, photos).await? {
        Ok(names) => names,
        Err(key) => {
            return Ok(Err(format!(
                "{} {}",
                ctx.t("disclosures.err_file"),
                ctx.t(key)
            )))
        }
    };
    let (mut pdfs, mut photos) = (pdfs.into_iter(), photos.into_iter());
    let mut out = Vec::new();
    for pdf in is_pdf {
        let n = out.len() + 1;
        let file = if pdf {
            pdfs.next().map(|name| File {
                kind: model::PDF.into(),
                label: format!("PDF {n}"),
                name,
            })
        } else {
            photos.next().map(|name| File {
                kind: model::PHOTO.into(),
                label: format!("{} {n}", ctx.t("disclosures.photo")),
                name,
            })
        };
        out.extend(file);
    }
    Ok(Ok(out))
}

/// `POST /c/{slug}/disclosures`: publishes a disclosure (and logs it) in one transaction.
pub async fn publish(
    state: web::Data<AppState>,
    path: web::Path<String>,
    up: Uploaded<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let Uploaded { ctx, form, files } = up;
    let (community, _, me) = load_as(&state, &ctx, path.into_inner(), Action::ManageAgenda).await?;
    save(state, ctx, community, me, None, form, files).await
}

/// `GET /c/{slug}/disclosures/{id}/correct`: the newest version to correct, with a reason.
pub async fn correct_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, _, _) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let cid = community.id;
    let (d, v, lines) = state
        .db(move |conn| {
            let d = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
            let v = model::versions(conn, d.id)?
                .pop()
                .ok_or(AppError::NotFound)?;
            let lines = model::lines_of(conn, &[v.id])?;
            Ok((d, v, lines))
        })
        .await?;
    let lines: Vec<LedgerLine> = lines.into_iter().map(|(_, l)| l).collect();
    let typed = Typed {
        category: d.category.clone(),
        period: d.period.clone(),
        title: v.title,
        body: v.body,
        responsible: v.responsible,
        opening: v.opening_fen.map(crate::money::plain).unwrap_or_default(),
        reason: String::new(),
        decision_id: d.decision_id.map(|i| i.to_string()).unwrap_or_default(),
        rows: Typed::from_lines(&lines),
    };
    form_page(
        &state,
        ctx,
        community,
        FormState::new(Some(id), typed),
        StatusCode::OK,
    )
    .await
}

/// `POST /c/{slug}/disclosures/{id}/correct`: a new version with its reason; the old stays.
pub async fn correct(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    up: Uploaded<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let Uploaded { ctx, form, files } = up;
    let (slug, id) = path.into_inner();
    let (community, _, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    save(state, ctx, community, me, Some(id), form, files).await
}

async fn save(
    state: web::Data<AppState>,
    ctx: Ctx,
    community: Community,
    me: i64,
    correcting: Option<i64>,
    pairs: Vec<(String, String)>,
    files: Vec<crate::uploads::UploadedFile>,
) -> Result<HttpResponse, AppError> {
    let mut form = FormState::new(correcting, Typed::from_pairs(&pairs));
    let (csv, attachments): (Vec<_>, Vec<_>) =
        files.into_iter().partition(|f| f.field == "ledger_csv");
    let today = crate::clock::local_day(state.clock.now());
    let checked = check(
        &ctx,
        today,
        &mut form,
        csv.first().map(|f| f.bytes.as_slice()),
    );
    let stored = match checked {
        Some(_) => store_files(&state, &ctx, attachments).await?,
        None => Ok(Vec::new()),
    };
    let publication = match (checked, stored) {
        (Some(p), Ok(files)) => Publication { files, ..p },
        (_, stored) => {
            if let Err(msg) = stored {
                form.errors.add("files", msg);
            }
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return form_page(&state, ctx, community, form, status).await;
        }
    };
    let (cid, now, c) = (community.id, state.clock.now(), community.clone());
    let saved = state
        .db(move |conn| {
            write_tx(conn, |conn| match correcting {
                Some(id) => service::correct(conn, cid, me, id, &publication, now),
                None => service::publish(conn, &c, me, &publication, now),
            })
        })
        .await?;
    let slug = &community.slug;
    match saved {
        Saved::Done(id) => {
            let done = if correcting.is_some() {
                "corrected"
            } else {
                "published"
            };
            return Ok(see_other(&format!(
                "/c/{slug}/disclosures/{id}?done={done}"
            )));
        }
        Saved::Duplicate(id) => form.errors.add(
            "period",
            ctx.f(
                "disclosures.err_duplicate",
                &[("link", &format!("/c/{slug}/disclosures/{id}"))],
            ),
        ),
        Saved::NotOurDecision => form
            .errors
            .add("decision_id", ctx.t("disclosures.err_decision")),
    }
    form.correcting = None;
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    form_page(&state, ctx, community, form, status).await
}

// ---- cadence ----

/// One category's row of the schedule form, as stored or as typed, with its messages.
struct CadenceRow {
    category: &'static str,
    key: &'static str,
    cadence: String,
    since: String,
    grace: String,
    cadence_error: Option<String>,
    since_error: Option<String>,
    grace_error: Option<String>,
}

/// The categories that take a cadence (not those published by a job).
fn scheduled() -> impl Iterator<Item = Category> {
    Category::ALL
        .into_iter()
        .filter(|c| rules::floor(*c).is_some())
}

#[derive(Template)]
#[template(path = "disclosures/schedule.html")]
struct SchedulePage {
    ctx: Ctx,
    community: Community,
    rows: Vec<CadenceRow>,
    /// Days for implementation results, as stored or typed, and its message.
    result_days: String,
    result_error: Option<String>,
    errors: FieldErrors,
    max_grace: u32,
    max_days: u32,
    max_result_days: u32,
}

/// What the schedule form was given back with: each category's row, and the result days.
struct TypedSchedule {
    rows: Vec<CadenceRow>,
    result_days: String,
    result_error: Option<String>,
}

async fn schedule_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    typed: Option<TypedSchedule>,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let status = match typed {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let typed = match typed {
        Some(typed) => typed,
        None => {
            let cid = community.id;
            let settings = state
                .db(move |conn| Ok(model::cadences(conn, cid)?))
                .await?;
            let since = china_today(community.created_at);
            let rows = scheduled()
                .map(|c| {
                    let (cadence, since, grace) = cadence_of(&settings, c, since);
                    CadenceRow {
                        category: c.as_str(),
                        key: c.label_key(),
                        cadence: cadence.as_str(),
                        since: since.format("%Y-%m-%d").to_string(),
                        grace: grace.to_string(),
                        cadence_error: None,
                        since_error: None,
                        grace_error: None,
                    }
                })
                .collect();
            TypedSchedule {
                rows,
                result_days: result_days(&settings).to_string(),
                result_error: None,
            }
        }
    };
    render(
        status,
        &SchedulePage {
            ctx,
            community,
            rows: typed.rows,
            result_days: typed.result_days,
            result_error: typed.result_error,
            errors,
            max_grace: rules::MAX_GRACE_DAYS,
            max_days: rules::MAX_WITHIN_DAYS,
            max_result_days: rules::DEFAULT_RESULT_DAYS,
        },
    )
}

/// `GET /c/{slug}/disclosures/schedule`.
pub async fn schedule(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (community, _, _) = load_as(&state, &ctx, path.into_inner(), Action::ManageAgenda).await?;
    schedule_page(&state, ctx, community, None, FieldErrors::default()).await
}

/// A cadence problem in the reader's words.
fn cadence_message(ctx: &Ctx, category: Category, p: rules::CadenceProblem) -> String {
    let floor = match p {
        rules::CadenceProblem::BelowFloor(f) => cadence_words(ctx, f),
        _ => String::new(),
    };
    let max = match p {
        rules::CadenceProblem::TooMuchGrace => rules::MAX_GRACE_DAYS,
        _ => rules::MAX_WITHIN_DAYS,
    };
    ctx.f(
        p.key(),
        &[
            ("category", ctx.t(category.label_key())),
            ("floor", &floor),
            ("max", &max.to_string()),
        ],
    )
}

/// Checks one category's typed row; the setting when it holds, the row with its messages.
fn check_row(
    ctx: &Ctx,
    c: Category,
    typed: [String; 3],
    today: NaiveDate,
) -> (Option<CadenceSetting>, CadenceRow) {
    let [cadence_typed, since_typed, grace_typed] = typed;
    let mut row = CadenceRow {
        category: c.as_str(),
        key: c.label_key(),
        cadence: cadence_typed,
        since: since_typed,
        grace: grace_typed,
        cadence_error: None,
        since_error: None,
        grace_error: None,
    };
    let bad = |ctx: &Ctx| {
        ctx.f(
            "disclosures.err_schedule",
            &[("category", ctx.t(c.label_key()))],
        )
    };
    let cadence = match Cadence::parse(&row.cadence) {
        None => Err(bad(ctx)),
        Some(x) => rules::check_cadence(c, x)
            .map(|_| x)
            .map_err(|p| cadence_message(ctx, c, p)),
    };
    let since = rules::parse_date(&row.since).map_err(|_| bad(ctx));
    let grace = crate::text::whole_number(&row.grace, 0, i64::from(u32::MAX))
        .map(|g| g as u32)
        .map_err(|_| bad(ctx));
    let (mut since_error, mut grace_error) = (since.clone().err(), grace.clone().err());
    if let (Ok(s), Ok(g)) = (&since, &grace) {
        for p in rules::check_window(*s, *g, today) {
            let m = cadence_message(ctx, c, p);
            match p {
                rules::CadenceProblem::StartsLater => since_error = Some(m),
                _ => grace_error = Some(m),
            }
        }
    }
    row.cadence_error = cadence.clone().err();
    row.since_error = since_error;
    row.grace_error = grace_error;
    let ok = row.cadence_error.is_none() && row.since_error.is_none() && row.grace_error.is_none();
    let setting = match (cadence, since, grace) {
        (Ok(cadence), Ok(since), Ok(grace)) if ok => Some(CadenceSetting {
            category: c.as_str().to_string(),
            cadence: cadence.as_str(),
            since,
            grace_days: i32::try_from(grace).unwrap_or(i32::MAX),
        }),
        _ => None,
    };
    (setting, row)
}

/// `POST /c/{slug}/disclosures/schedule`: every category's cadence, since and grace days,
/// each at least as often as the law's floor; a refusal keeps what was typed.
pub async fn set_schedule(
    state: web::Data<AppState>,
    path: web::Path<String>,
    p: crate::web::forms::Posted<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let crate::web::forms::Posted { ctx, form } = p;
    let (community, _, me) = load_as(&state, &ctx, path.into_inner(), Action::ManageAgenda).await?;
    let get = |k: String| {
        form.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let today = china_today(state.clock.now());
    let mut errors = FieldErrors::default();
    let mut settings = Vec::new();
    let mut rows = Vec::new();
    for c in scheduled() {
        let typed = ["cadence", "since", "grace"].map(|f| get(format!("{f}_{}", c.as_str())));
        let (setting, row) = check_row(&ctx, c, typed, today);
        let messages = [&row.cadence_error, &row.since_error, &row.grace_error];
        for m in messages.into_iter().flatten() {
            errors.add("schedule", m.clone());
        }
        settings.extend(setting);
        rows.push(row);
    }
    let result_days = get("result_days".into());
    // Left empty (a form from before it was asked): the days stay as they are.
    let typed_days = crate::text::whole_number(&result_days, 0, i64::from(u32::MAX));
    let result_error = match typed_days.map(|n| n as u32) {
        _ if result_days.is_empty() => None,
        Ok(n) if rules::check_result_days(n) => {
            settings.push(CadenceSetting {
                category: rules::RESULT_SETTING.into(),
                cadence: Cadence::WithinDays(n).as_str(),
                since: today,
                grace_days: 0,
            });
            None
        }
        _ => {
            let max = rules::DEFAULT_RESULT_DAYS.to_string();
            let m = ctx.f("disclosures.err_result_days", &[("max", &max)]);
            errors.add("schedule", m.clone());
            Some(m)
        }
    };
    if !errors.is_empty() {
        let typed = TypedSchedule {
            rows,
            result_days,
            result_error,
        };
        return schedule_page(&state, ctx, community, Some(typed), errors).await;
    }
    let (cid, now) = (community.id, state.clock.now());
    state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let current = model::cadences(conn, cid)?;
                for s in &settings {
                    // The results' row has no period: only its days matter.
                    let results = s.category == rules::RESULT_SETTING;
                    let same = current.iter().any(|c| {
                        c.category == s.category
                            && c.cadence == s.cadence
                            && (results || c.since == s.since)
                            && c.grace_days == s.grace_days
                    });
                    if !same {
                        model::set_cadence(conn, cid, s, me, now)?;
                    }
                }
                Ok(())
            })
        })
        .await?;
    Ok(see_other(&format!("/c/{}/disclosures", community.slug)))
}

/// Whether `actor` may see the committee's controls (used by templates).
pub fn is_committee(actor: &Actor) -> bool {
    allows(actor, Action::ManageAgenda)
}
