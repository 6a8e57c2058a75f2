//! Publishing and correcting disclosures: each in the caller's transaction, logged.

use chrono::NaiveDateTime;

use super::due::due_on_publish;
use super::model::{self, File, Heading, NewVersion};
use super::rules::{Category, LedgerLine, Period};
use crate::communities::model::Community;
use crate::db::AnyConnection;
use crate::error::AppError;

/// A publication (or a correction) that passed every check, with its stored attachments.
pub struct Publication {
    pub category: Category,
    pub period: String,
    pub decision_id: Option<i64>,
    pub title: String,
    pub body: String,
    pub responsible: String,
    pub opening: Option<i64>,
    pub reason: String,
    pub lines: Vec<LedgerLine>,
    pub files: Vec<File>,
}

impl Publication {
    fn version(&self, by: i64) -> NewVersion<'_> {
        NewVersion {
            by,
            title: &self.title,
            body: &self.body,
            responsible: &self.responsible,
            opening_fen: self.opening,
            reason: &self.reason,
            lines: &self.lines,
            files: &self.files,
        }
    }
}

/// What came of a publication.
pub enum Saved {
    /// Published (or corrected): the disclosure's id.
    Done(i64),
    /// The category and period are already published, as this disclosure.
    Duplicate(i64),
    /// The decision named is not one of this community's.
    NotOurDecision,
}

/// Publishes a new disclosure, unless its decision is not the community's or (except the
/// event-driven and miscellaneous ones) its category and period are already published: a
/// second is a correction of the first.
pub fn publish(
    conn: &mut AnyConnection,
    community: &Community,
    by: i64,
    p: &Publication,
    now: NaiveDateTime,
) -> Result<Saved, AppError> {
    let community_id = community.id;
    if let Some(d) = p.decision_id {
        if crate::ballots::model::decision(conn, community_id, d)?.is_none() {
            return Ok(Saved::NotOurDecision);
        }
    }
    if !matches!(p.category, Category::Decisions | Category::Other) {
        if let Some((id, _)) = model::published_periods_with_ids(conn, community_id)?
            .into_iter()
            .find(|(_, (cat, period))| cat == p.category.as_str() && *period == p.period)
        {
            return Ok(Saved::Duplicate(id));
        }
    }
    let due_on = match Period::parse(&p.period) {
        Some(period) => due_on_publish(conn, community, p.category, period, p.decision_id)?,
        None => None,
    };
    let heading = Heading {
        category: p.category,
        period: &p.period,
        decision_id: p.decision_id,
        due_on,
    };
    let (id, _) = model::publish(conn, community_id, &heading, &p.version(by), now)?;
    Ok(Saved::Done(id))
}

/// Adds a correction (the next version, with its reason) to disclosure `id`.
pub fn correct(
    conn: &mut AnyConnection,
    community_id: i64,
    by: i64,
    id: i64,
    p: &Publication,
    now: NaiveDateTime,
) -> Result<Saved, AppError> {
    let d = model::find(conn, community_id, id)?.ok_or(AppError::NotFound)?;
    crate::db::take_turn(conn, crate::db::turns::DISCLOSURE_VERSION, d.id)?;
    let next = model::versions(conn, d.id)?
        .last()
        .map(|v| v.version + 1)
        .unwrap_or(1);
    model::add_version(conn, community_id, d.id, next, &p.version(by), now)?;
    Ok(Saved::Done(d.id))
}
