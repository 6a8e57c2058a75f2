//! What a community owes the public: the periods (and passed decisions) that should have
//! been disclosed by today and were not, by each category's cadence. Read by the board and
//! by the supervisors' page.

use chrono::{NaiveDate, NaiveDateTime};

use super::model::{self, CadenceSetting};
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

/// The periods of category `c` among a community's (category, period) pairs.
pub fn published_of(published: &[(String, String)], c: Category) -> Vec<Period> {
    published
        .iter()
        .filter(|(cat, _)| cat == c.as_str())
        .filter_map(|(_, p)| Period::parse(p))
        .collect()
}

/// A category's cadence as the community set it, or the legal default.
pub fn cadence_of(
    settings: &[CadenceSetting],
    c: Category,
    since: NaiveDate,
) -> (Cadence, NaiveDate, u32) {
    settings
        .iter()
        .find(|s| s.category == c.as_str())
        .and_then(|s| {
            Some((
                Cadence::parse(&s.cadence)?,
                s.since,
                u32::try_from(s.grace_days).ok()?,
            ))
        })
        .unwrap_or((rules::default_cadence(c), since, rules::DEFAULT_GRACE_DAYS))
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
    let since = china_today(community.created_at);
    let mut out = Vec::new();
    for c in Category::ALL {
        let (cadence, since, grace) = cadence_of(&settings, c, since);
        let done = published_of(&published, c);
        match cadence {
            Cadence::WithinDays(days) => {
                for (decision_id, at) in undisclosed_decisions(conn, community.id)? {
                    let due = rules::event_due(china_today(at), days);
                    if due < today && china_today(at) >= since {
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
    Ok(out)
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
