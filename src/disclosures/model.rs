//! Disclosures in the database: a disclosure (category and period), its versions with
//! ledger lines and attachments, and the community's cadence settings. Everything here is
//! append-only; a correction is a new version.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::rules::{Category, LedgerLine, Period};
use crate::db::AnyConnection;
use crate::schema::{
    disclosure_cadences, disclosure_files, disclosure_versions, disclosures, ledger_lines,
};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = disclosures)]
pub struct Disclosure {
    pub id: i64,
    pub community_id: i64,
    pub category: String,
    pub period: String,
    pub decision_id: Option<i64>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    /// The last on-time day, fixed at publication (`None` before it was kept).
    pub due_on: Option<NaiveDate>,
}

impl Disclosure {
    pub fn category(&self) -> Option<Category> {
        Category::parse(&self.category)
    }

    pub fn period(&self) -> Option<Period> {
        Period::parse(&self.period)
    }
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = disclosure_versions)]
pub struct Version {
    pub id: i64,
    pub community_id: i64,
    pub disclosure_id: i64,
    pub version: i32,
    pub title: String,
    pub body: String,
    pub responsible: String,
    pub opening_fen: Option<i64>,
    pub reason: String,
    pub published_by: i64,
    pub published_at: NaiveDateTime,
}

/// An attachment: a photo (re-encoded, under /photos) or a PDF (under /files).
#[derive(Queryable, Clone, Debug)]
pub struct File {
    pub kind: String,
    pub name: String,
    pub label: String,
}

pub const PHOTO: &str = "photo";
pub const PDF: &str = "pdf";

/// What a publication or a correction carries.
pub struct NewVersion<'a> {
    /// Who publishes it.
    pub by: i64,
    pub title: &'a str,
    pub body: &'a str,
    pub responsible: &'a str,
    pub opening_fen: Option<i64>,
    pub reason: &'a str,
    pub lines: &'a [LedgerLine],
    pub files: &'a [File],
}

/// What a new disclosure is of: its category and period, the decision it discloses, and
/// its last on-time day.
pub struct Heading<'a> {
    pub category: Category,
    pub period: &'a str,
    pub decision_id: Option<i64>,
    pub due_on: Option<NaiveDate>,
}

/// Publishes a new disclosure with its first version, in the caller's transaction; returns
/// (disclosure id, version id).
pub fn publish(
    conn: &mut AnyConnection,
    community_id: i64,
    h: &Heading,
    v: &NewVersion,
    now: NaiveDateTime,
) -> QueryResult<(i64, i64)> {
    let id: i64 = diesel::insert_into(disclosures::table)
        .values((
            disclosures::community_id.eq(community_id),
            disclosures::category.eq(h.category.as_str()),
            disclosures::period.eq(h.period),
            disclosures::decision_id.eq(h.decision_id),
            disclosures::created_by.eq(v.by),
            disclosures::created_at.eq(now),
            disclosures::due_on.eq(h.due_on),
        ))
        .returning(disclosures::id)
        .get_result(conn)?;
    let vid = add_version(conn, community_id, id, 1, v, now)?;
    Ok((id, vid))
}

/// Adds version `number` (1 for the first publication, then each correction) with its
/// lines and files, and logs it.
pub fn add_version(
    conn: &mut AnyConnection,
    community_id: i64,
    disclosure_id: i64,
    number: i32,
    v: &NewVersion,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let vid: i64 = diesel::insert_into(disclosure_versions::table)
        .values((
            disclosure_versions::community_id.eq(community_id),
            disclosure_versions::disclosure_id.eq(disclosure_id),
            disclosure_versions::version.eq(number),
            disclosure_versions::title.eq(v.title),
            disclosure_versions::body.eq(v.body),
            disclosure_versions::responsible.eq(v.responsible),
            disclosure_versions::opening_fen.eq(v.opening_fen),
            disclosure_versions::reason.eq(v.reason),
            disclosure_versions::published_by.eq(v.by),
            disclosure_versions::published_at.eq(now),
        ))
        .returning(disclosure_versions::id)
        .get_result(conn)?;
    for (i, l) in v.lines.iter().enumerate() {
        diesel::insert_into(ledger_lines::table)
            .values((
                ledger_lines::community_id.eq(community_id),
                ledger_lines::version_id.eq(vid),
                ledger_lines::line_no.eq(i as i32 + 1),
                ledger_lines::paid_on.eq(l.date),
                ledger_lines::description.eq(&l.description),
                ledger_lines::income_fen.eq(l.income),
                ledger_lines::expense_fen.eq(l.expense),
                ledger_lines::counterparty.eq(&l.counterparty),
                ledger_lines::voucher.eq(&l.voucher),
            ))
            .execute(conn)?;
    }
    for f in v.files {
        diesel::insert_into(disclosure_files::table)
            .values((
                disclosure_files::community_id.eq(community_id),
                disclosure_files::version_id.eq(vid),
                disclosure_files::kind.eq(&f.kind),
                disclosure_files::name.eq(&f.name),
                disclosure_files::label.eq(&f.label),
            ))
            .execute(conn)?;
    }
    super::record::publish_version(conn, community_id, vid, now)?;
    Ok(vid)
}

pub fn find(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
) -> QueryResult<Option<Disclosure>> {
    disclosures::table
        .filter(disclosures::community_id.eq(community_id))
        .filter(disclosures::id.eq(id))
        .select(Disclosure::as_select())
        .first(conn)
        .optional()
}

/// Every version of a disclosure, oldest first.
pub fn versions(conn: &mut AnyConnection, disclosure_id: i64) -> QueryResult<Vec<Version>> {
    disclosure_versions::table
        .filter(disclosure_versions::disclosure_id.eq(disclosure_id))
        .order(disclosure_versions::version)
        .select(Version::as_select())
        .load(conn)
}

pub fn version(
    conn: &mut AnyConnection,
    community_id: i64,
    id: i64,
) -> QueryResult<Option<Version>> {
    disclosure_versions::table
        .filter(disclosure_versions::community_id.eq(community_id))
        .filter(disclosure_versions::id.eq(id))
        .select(Version::as_select())
        .first(conn)
        .optional()
}

/// Ledger lines of some versions, in order, keyed by version: one query.
pub fn lines_of(
    conn: &mut AnyConnection,
    version_ids: &[i64],
) -> QueryResult<Vec<(i64, LedgerLine)>> {
    type Row = (i64, NaiveDate, String, i64, i64, String, String);
    let rows: Vec<Row> = ledger_lines::table
        .filter(ledger_lines::version_id.eq_any(version_ids))
        .order((ledger_lines::version_id, ledger_lines::line_no))
        .select((
            ledger_lines::version_id,
            ledger_lines::paid_on,
            ledger_lines::description,
            ledger_lines::income_fen,
            ledger_lines::expense_fen,
            ledger_lines::counterparty,
            ledger_lines::voucher,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(v, date, description, income, expense, counterparty, voucher)| {
                (
                    v,
                    LedgerLine {
                        date,
                        description,
                        income,
                        expense,
                        counterparty,
                        voucher,
                    },
                )
            },
        )
        .collect())
}

pub fn files_of(conn: &mut AnyConnection, version_id: i64) -> QueryResult<Vec<File>> {
    disclosure_files::table
        .filter(disclosure_files::version_id.eq(version_id))
        .order(disclosure_files::id)
        .select((
            disclosure_files::kind,
            disclosure_files::name,
            disclosure_files::label,
        ))
        .load(conn)
}

/// A disclosure with its newest version, for lists.
#[derive(Clone, Debug)]
pub struct Listed {
    pub d: Disclosure,
    pub latest: Version,
}

/// A community's disclosures with their newest versions, newest first: two queries.
pub fn list(conn: &mut AnyConnection, community_id: i64, limit: i64) -> QueryResult<Vec<Listed>> {
    let ds: Vec<Disclosure> = disclosures::table
        .filter(disclosures::community_id.eq(community_id))
        .order(disclosures::id.desc())
        .limit(limit)
        .select(Disclosure::as_select())
        .load(conn)?;
    let ids: Vec<i64> = ds.iter().map(|d| d.id).collect();
    let vs: Vec<Version> = disclosure_versions::table
        .filter(disclosure_versions::disclosure_id.eq_any(&ids))
        .order(disclosure_versions::version)
        .select(Version::as_select())
        .load(conn)?;
    Ok(ds
        .into_iter()
        .filter_map(|d| {
            let latest = vs.iter().rfind(|v| v.disclosure_id == d.id)?.clone();
            Some(Listed { d, latest })
        })
        .collect())
}

/// A disclosure as the cadence sees it.
#[derive(Clone, Debug)]
pub struct PublishedRow {
    pub category: String,
    pub period: String,
    pub created_at: NaiveDateTime,
    /// Some version has text, or a ledger.
    pub has_content: bool,
}

/// A community's disclosures, by category and period, and whether any version holds
/// something: three queries.
pub fn published_periods(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<PublishedRow>> {
    Ok(published_rows(conn, &[community_id])?
        .into_iter()
        .map(|(_, row)| row)
        .collect())
}

/// `published_periods` of several communities at once, each row with its community: three
/// queries whatever the number of communities.
pub fn published_rows(
    conn: &mut AnyConnection,
    community_ids: &[i64],
) -> QueryResult<Vec<(i64, PublishedRow)>> {
    let ds: Vec<(i64, i64, String, String, NaiveDateTime)> = disclosures::table
        .filter(disclosures::community_id.eq_any(community_ids))
        .select((
            disclosures::id,
            disclosures::community_id,
            disclosures::category,
            disclosures::period,
            disclosures::created_at,
        ))
        .load(conn)?;
    let versions: Vec<(i64, i64, bool)> = disclosure_versions::table
        .filter(disclosure_versions::community_id.eq_any(community_ids))
        .select((
            disclosure_versions::id,
            disclosure_versions::disclosure_id,
            disclosure_versions::body.ne(""),
        ))
        .load(conn)?;
    let with_lines: std::collections::HashSet<i64> = ledger_lines::table
        .filter(ledger_lines::community_id.eq_any(community_ids))
        .select(ledger_lines::version_id)
        .distinct()
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    Ok(ds
        .into_iter()
        .map(|(id, community_id, category, period, created_at)| {
            let row = PublishedRow {
                has_content: versions
                    .iter()
                    .any(|(vid, did, text)| *did == id && (*text || with_lines.contains(vid))),
                category,
                period,
                created_at,
            };
            (community_id, row)
        })
        .collect())
}

/// A community's disclosures with a due date, for lateness.
pub fn with_due_dates(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<Disclosure>> {
    disclosures::table
        .filter(disclosures::community_id.eq(community_id))
        .filter(disclosures::due_on.is_not_null())
        .order(disclosures::id)
        .select(Disclosure::as_select())
        .load(conn)
}

/// A community's cadence for a category, as last set.
#[derive(Clone, Debug)]
pub struct CadenceSetting {
    pub category: String,
    pub cadence: String,
    pub since: NaiveDate,
    pub grace_days: i32,
}

/// The newest setting per category.
pub fn cadences(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<CadenceSetting>> {
    let rows: Vec<(String, String, NaiveDate, i32)> = disclosure_cadences::table
        .filter(disclosure_cadences::community_id.eq(community_id))
        .order(disclosure_cadences::id)
        .select((
            disclosure_cadences::category,
            disclosure_cadences::cadence,
            disclosure_cadences::since,
            disclosure_cadences::grace_days,
        ))
        .load(conn)?;
    let mut out: Vec<CadenceSetting> = Vec::new();
    for (category, cadence, since, grace_days) in rows {
        out.retain(|c| c.category != category);
        out.push(CadenceSetting {
            category,
            cadence,
            since,
            grace_days,
        });
    }
    Ok(out)
}

pub fn set_cadence(
    conn: &mut AnyConnection,
    community_id: i64,
    s: &CadenceSetting,
    by: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(disclosure_cadences::table)
        .values((
            disclosure_cadences::community_id.eq(community_id),
            disclosure_cadences::category.eq(&s.category),
            disclosure_cadences::cadence.eq(&s.cadence),
            disclosure_cadences::since.eq(s.since),
            disclosure_cadences::grace_days.eq(s.grace_days),
            disclosure_cadences::set_by.eq(by),
            disclosure_cadences::set_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Ledger lines of every newest version of a community, for open data: (disclosure id,
/// period, line).
pub fn all_lines(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<(i64, String, LedgerLine)>> {
    let listed = list(conn, community_id, i64::MAX / 2)?;
    let ids: Vec<i64> = listed.iter().map(|l| l.latest.id).collect();
    let lines = lines_of(conn, &ids)?;
    Ok(lines
        .into_iter()
        .filter_map(|(vid, line)| {
            let l = listed.iter().find(|l| l.latest.id == vid)?;
            Some((l.d.id, l.d.period.clone(), line))
        })
        .collect())
}

/// (id, (category, period)) of a community's disclosures.
pub fn published_periods_with_ids(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<(i64, (String, String))>> {
    let rows: Vec<(i64, String, String)> = disclosures::table
        .filter(disclosures::community_id.eq(community_id))
        .select((disclosures::id, disclosures::category, disclosures::period))
        .load(conn)?;
    Ok(rows.into_iter().map(|(i, c, p)| (i, (c, p))).collect())
}

/// A work order of an item: (item id, item title, order state, order confirmed at).
pub type ItemOrderRow = (i64, String, String, Option<NaiveDateTime>);

/// The work orders of passed major items whose implementation result is not yet recorded,
/// by item: one query.
pub fn results_pending(
    conn: &mut AnyConnection,
    community_id: i64,
) -> QueryResult<Vec<ItemOrderRow>> {
    use crate::schema::{agenda_items, agenda_steps, decisions, work_orders};
    let passed = crate::ballots::rules::Verdict::Passed.as_str();
    work_orders::table
        .inner_join(decisions::table.on(work_orders::decision_id.eq(decisions::id.nullable())))
        .inner_join(agenda_items::table.on(decisions::item_id.eq(agenda_items::id)))
        .filter(agenda_items::community_id.eq(community_id))
        .filter(agenda_items::major.eq(true))
        .filter(decisions::verdict.eq(passed))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            agenda_steps::table
                .filter(agenda_steps::item_id.eq(agenda_items::id))
                .filter(agenda_steps::step.eq(crate::agenda::rules::RESULT_STEP)),
        )))
        .order((agenda_items::id, work_orders::id))
        .select((
            agenda_items::id,
            agenda_items::title,
            work_orders::state,
            work_orders::confirmed_at,
        ))
        .load(conn)
}
