//! What a community owes the public: the periods (and passed decisions) that should have
//! been disclosed by today and were not, by each category's cadence. Read by the board and
//! by the supervisors' page.

use chrono::{NaiveDate, NaiveDateTime};

use super::model::{self, CadenceSetting, PublishedRow};
use super::rules::{self, Cadence, Category, Period};
use crate::communities::model::Community;
use crate::error::AppError;

/// The day in China (UTC+8), which is when a disclosure falls due.
fn china_today(now: NaiveDateTime) -> NaiveDate {
    crate::clock::local_day(now)
}

/// A period (or decision) that should have been disclosed and was not.
#[derive(Clone, Debug)]
pub struct Overdue {
    pub category: Category,
    pub period: String,
    pub label: String,
    pub due: NaiveDate,
}

/// The periods of category `c` that count as published (a placeholder does not).
pub fn published_of(published: &[PublishedRow], c: Category) -> Vec<Period> {
    published
        .iter()
        .filter(|r| r.category == c.as_str())
        .filter_map(|r| {
            let p = Period::parse(&r.period)?;
            let on = china_today(r.created_at);
            rules::counts_as_published(p, on, r.has_content).then_some(p)
        })
        .collect()
}

/// A category's cadence as the community set it, or the legal default. A setting looser
/// than the law's floor (stored before the floor was checked) gives way to the default,
/// and grace beyond the most allowed is cut to it.
pub fn cadence_of(
    settings: &[CadenceSetting],
    c: Category,
    since: NaiveDate,
) -> (Cadence, NaiveDate, u32) {
    settings
        .iter()
        .find(|s| s.category == c.as_str())
        .and_then(|s| {
            let cadence = Cadence::parse(&s.cadence)?;
            rules::check_cadence(c, cadence).ok()?;
            let grace = u32::try_from(s.grace_days).ok()?;
            Some((cadence, s.since, grace.min(rules::MAX_GRACE_DAYS)))
        })
        .unwrap_or((rules::default_cadence(c), since, rules::DEFAULT_GRACE_DAYS))
}

/// The last on-time day of a disclosure being published now, by the cadence in force: the
/// period's (or, for a decision, the decision's) due date; `None` when nothing is owed.
pub fn due_on_publish(
    conn: &mut crate::db::AnyConnection,
    community: &Community,
    category: Category,
    period: Period,
    decision_id: Option<i64>,
) -> Result<Option<NaiveDate>, AppError> {
    rules::floor(category).map_or(Ok(None), |_| {
        let settings = model::cadences(conn, community.id)?;
        let since = china_today(community.created_at);
        let (cadence, since, grace) = cadence_of(&settings, category, since);
        if period.end() < since {
            // Before the count began: nothing was owed.
            return Ok(None);
        }
        Ok(match (cadence, decision_id) {
            (Cadence::WithinDays(days), Some(d)) => {
                crate::ballots::model::decision(conn, community.id, d)?
                    .map(|d| rules::event_due(china_today(d.published_at), days))
            }
            (Cadence::WithinDays(_), None) => None,
            (cadence, _) => rules::due_for(cadence, period, grace),
        })
    })
}

/// A disclosure published after its due date.
#[derive(Clone, Debug)]
pub struct Late {
    pub id: i64,
    pub category: Category,
    pub label: String,
    pub due: NaiveDate,
    pub days: i64,
}

/// Disclosures first published in Beijing year `year` after their due dates, oldest first.
pub fn late_in_year(
    conn: &mut crate::db::AnyConnection,
    community_id: i64,
    year: i32,
    zh: bool,
) -> Result<Vec<Late>, AppError> {
    use chrono::Datelike;
    let rows = model::with_due_dates(conn, community_id)?;
    Ok(rows
        .into_iter()
        .filter_map(|d| {
            let on = china_today(d.created_at);
            let due = d.due_on?;
            let days = rules::days_late(due, on)?;
            Some(Late {
                id: d.id,
                category: d.category()?,
                label: d.period().map(|p| p.label(zh)).unwrap_or_default(),
                due,
                days,
            })
            .filter(|_| on.year() == year)
        })
        .collect())
}

/// Everything overdue in a community on `today`, by the cadence of each category; passed
/// decisions not disclosed within their days count for the decisions category.
pub fn overdue(
    conn: &mut crate::db::AnyConnection,
    community: &Community,
    today: NaiveDate,
    zh: bool,
) -> Result<Vec<Overdue>, AppError> {
    let settings = model::cadences(conn, community.id)?;
    let published = model::published_periods(conn, community.id)?;
    let undisclosed = undisclosed_decisions(conn, community.id)?;
    let since = china_today(community.created_at);
    Ok(overdue_from(
        &settings,
        &published,
        &undisclosed,
        since,
        today,
        zh,
    ))
}

/// What is overdue on `today`, from a community's cadence settings, its published periods
/// and its passed decisions not disclosed (decision id, published at): the rule both the
/// community's own pages and the township's page (loading many communities at once) apply.
pub fn overdue_from(
    settings: &[CadenceSetting],
    published: &[PublishedRow],
    undisclosed: &[(i64, NaiveDateTime)],
    since: NaiveDate,
    today: NaiveDate,
    zh: bool,
) -> Vec<Overdue> {
    let mut out = Vec::new();
    // A category published by a job has no cadence of its own.
    for c in Category::ALL
        .into_iter()
        .filter(|c| rules::floor(*c).is_some())
    {
        let (cadence, since, grace) = cadence_of(settings, c, since);
        match cadence {
            Cadence::WithinDays(days) => {
                for (decision_id, at) in undisclosed {
                    let due = rules::event_due(china_today(*at), days);
                    if due < today && china_today(*at) >= since {
                        out.push(Overdue {
                            category: c,
                            period: String::new(),
                            label: format!("#{decision_id}"),
                            due,
                        });
                    }
                }
            }
            _ => {
                let done = published_of(published, c);
                for (p, due) in rules::overdue(cadence, since, today, grace, &done) {
                    out.push(Overdue {
                        category: c,
                        period: p.as_str(),
                        label: p.label(zh),
                        due,
                    });
                }
            }
        }
    }
    out
}

/// Passed decisions of a community with no decisions-category disclosure citing them.
fn undisclosed_decisions(
    conn: &mut crate::db::AnyConnection,
    community_id: i64,
) -> diesel::QueryResult<Vec<(i64, NaiveDateTime)>> {
    use crate::schema::{decisions, disclosures};
    use diesel::prelude::*;
    decisions::table
        .filter(decisions::community_id.eq(community_id))
        .filter(decisions::verdict.eq(crate::ballots::rules::Verdict::Passed.as_str()))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            disclosures::table.filter(disclosures::decision_id.eq(decisions::id.nullable())),
        )))
        .select((decisions::id, decisions::published_at))
        .load(conn)
}

/// A passed major item whose work is all accepted and whose implementation result is not
/// yet published.
#[derive(Clone, Debug)]
pub struct ResultDue {
    pub item_id: i64,
    pub title: String,
    pub due: NaiveDate,
}

/// The community's days for implementation results, as set (within the default) or the
/// default.
pub fn result_days(settings: &[CadenceSetting]) -> u32 {
    settings
        .iter()
        .find(|s| s.category == rules::RESULT_SETTING)
        .and_then(|s| match Cadence::parse(&s.cadence)? {
            Cadence::WithinDays(n) if rules::check_result_days(n) => Some(n),
            _ => None,
        })
        .unwrap_or(rules::DEFAULT_RESULT_DAYS)
}

/// Implementation results owed (实施结果公开), soonest due first.
pub fn results_due(
    conn: &mut crate::db::AnyConnection,
    community_id: i64,
) -> Result<Vec<ResultDue>, AppError> {
    let days = result_days(&model::cadences(conn, community_id)?);
    let rows = model::results_pending(conn, community_id)?;
    let mut out = Vec::new();
    for chunk in rows.chunk_by(|a, b| a.0 == b.0) {
        let states: Vec<&str> = chunk.iter().map(|r| r.2.as_str()).collect();
        let last = chunk.iter().filter_map(|r| r.3).max().map(china_today);
        if let Some(due) = rules::result_due(&states, last, days) {
            out.push(ResultDue {
                item_id: chunk[0].0,
                title: chunk[0].1.clone(),
                due,
            });
        }
    }
    out.sort_by_key(|r| r.due);
    Ok(out)
}
