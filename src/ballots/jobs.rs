//! Closing ballots and what follows a decision: the item's stage, the 决议 step of a major
//! item, and the followers' notices — one transaction each, whether the clock closes the
//! ballot (the job, or the first request after its closing time) or a second committee
//! member confirms a meeting result.

use chrono::NaiveDateTime;

use super::model::{self, Ballot};
use super::rules::{self, Body, Counts, Outcome, Verdict};
use crate::agenda::model as agenda;
use crate::agenda::rules::{Stage, Step};
use crate::db::{write_tx, AnyConnection};
use crate::error::AppError;

/// Closes every online ballot whose time is up; returns how many this call closed.
pub fn close_due(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<usize, AppError> {
    let mut closed = 0;
    for (cid, id) in model::due(conn, now)? {
        if close_one(conn, cid, id, now)?.is_some() {
            closed += 1;
        }
    }
    Ok(closed)
}

/// Closes one ballot if its time is up, in one transaction: no vote commits after it.
/// Returns the published decision's id, or `None` if it was not due or someone else closed
/// it first.
pub fn close_one(
    conn: &mut AnyConnection,
    community_id: i64,
    ballot_id: i64,
    now: NaiveDateTime,
) -> Result<Option<i64>, AppError> {
    write_tx(conn, |conn| {
        let Some((ballot, decision_id, outcome)) =
            model::close_online(conn, community_id, ballot_id, now)?
        else {
            return Ok(None);
        };
        after_decision(conn, &ballot, decision_id, &outcome, ballot.created_by, now)?;
        Ok(Some(decision_id))
    })
}

/// Confirms a pending meeting result and publishes its decision, in the caller's
/// transaction: closes the ballot, applies the rule, moves the item. `None` if the result
/// was no longer pending or the ballot no longer open.
pub fn publish_hall(
    conn: &mut AnyConnection,
    ballot: &Ballot,
    r: &model::HallResult,
    confirmer: i64,
    now: NaiveDateTime,
) -> Result<Option<i64>, AppError> {
    if !model::settle_hall(conn, r.id, model::CONFIRMED, confirmer, "", now)?
        || !model::close_hall(conn, ballot.id, now)?
    {
        return Ok(None);
    }
    let (decision_id, outcome) = publish_result(conn, ballot, r, confirmer, None, now)?;
    after_decision(conn, ballot, decision_id, &outcome, confirmer, now)?;
    Ok(Some(decision_id))
}

/// Confirms a pending correction of a published meeting result: a new decision naming the
/// one it corrects, with the reason. If the verdict changes, the item follows (when it is
/// still where the old verdict put it).
pub fn publish_correction(
    conn: &mut AnyConnection,
    ballot: &Ballot,
    r: &model::HallResult,
    confirmer: i64,
    now: NaiveDateTime,
) -> Result<Option<i64>, AppError> {
    let Some(old_id) = r.corrects_id else {
        return Ok(None);
    };
    let Some(old) = model::decision(conn, ballot.community_id, old_id)? else {
        return Ok(None);
    };
    if !model::settle_hall(conn, r.id, model::CONFIRMED, confirmer, "", now)? {
        return Ok(None);
    }
    let corrects = Some((old.id, r.correction_reason.as_str(), old.photo.as_deref()));
    let (decision_id, outcome) = publish_result(conn, ballot, r, confirmer, corrects, now)?;
    let (from, to) = (stage_for(old.outcome().verdict), stage_for(outcome.verdict));
    if from != to {
        if let Some(item) = agenda::find(conn, ballot.community_id, ballot.item_id)? {
            let note = format!("#{decision_id} {}", r.correction_reason);
            agenda::move_stage(conn, &item, from, to, Some(confirmer), &note, now)?;
        }
    }
    Ok(Some(decision_id))
}

/// Tallies a confirmed meeting result and stores its decision; a correction names the
/// decision it corrects, why, and keeps its photo unless a new one was given.
fn publish_result(
    conn: &mut AnyConnection,
    ballot: &Ballot,
    r: &model::HallResult,
    confirmer: i64,
    corrects: Option<(i64, &str, Option<&str>)>,
    now: NaiveDateTime,
) -> Result<(i64, Outcome), AppError> {
    let counts = Counts {
        electorate: ballot.electorate as u64,
        households: ballot.households as u64,
        present: r.present as u64,
        households_present: r.households_present as u64,
        per_option: model::parse_counts(&r.counts),
    };
    let outcome = rules::tally(&ballot.rule(), ballot.options(), &counts);
    let photo = r.photo.as_deref().or(corrects.and_then(|c| c.2));
    let decision_id = model::publish(
        conn,
        ballot,
        &model::Publication {
            counts: &counts,
            outcome: &outcome,
            minutes: &r.minutes,
            photo,
            board_sha256: "",
            recorded_by: Some(r.recorded_by),
            confirmed_by: Some(confirmer),
            corrects: corrects.map(|c| (c.0, c.1)),
        },
        now,
    )?;
    Ok((decision_id, outcome))
}

pub fn stage_for(verdict: Verdict) -> Stage {
    match verdict {
        Verdict::Passed => Stage::Passed,
        Verdict::Rejected => Stage::Rejected,
        Verdict::NoQuorum => Stage::NoQuorum,
    }
}

/// The body's name on the 四议两公开 registration form, which is kept in Chinese.
fn body_name(body: Body) -> &'static str {
    match body {
        Body::Residents => "村民会议",
        Body::Households => "村民会议（户代表）",
        Body::Representatives => "村民代表会议",
        Body::Committee => "村两委会",
    }
}

/// Moves the item to its result, records the 决议 step of a major item, and tells the
/// item's followers — in the caller's transaction.
pub fn after_decision(
    conn: &mut AnyConnection,
    ballot: &Ballot,
    decision_id: i64,
    outcome: &Outcome,
    by: i64,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let community = crate::communities::model::by_id(conn, ballot.community_id)?;
    let Some(item) = agenda::find(conn, ballot.community_id, ballot.item_id)? else {
        return Ok(());
    };
    let to = stage_for(outcome.verdict);
    let note = format!("#{decision_id}");
    agenda::move_stage(conn, &item, Stage::Voting, to, None, &note, now)?;
    if item.major {
        let recorded: Vec<Step> = agenda::steps(conn, item.id)?
            .iter()
            .filter_map(|r| r.kind())
            .collect();
        if !recorded.contains(&Step::Resolution) {
            let held_on = now;
            let present = outcome_present(conn, decision_id, ballot)?;
            agenda::record_step(
                conn,
                &item,
                &agenda::NewStep {
                    step: Step::Resolution,
                    held_on,
                    body: body_name(ballot.body()),
                    expected: ballot.electorate,
                    present,
                    outcome: outcome.verdict.as_str(),
                    minutes: "",
                    photo: None,
                },
                by,
                now,
            )?;
        }
    }
    let kind = format!("decision_{}", outcome.verdict.as_str());
    crate::agenda::handlers::tell_followers(conn, &community, &item, &kind, "", 0, now)?;
    Ok(())
}

fn outcome_present(
    conn: &mut AnyConnection,
    decision_id: i64,
    ballot: &Ballot,
) -> Result<i64, AppError> {
    Ok(model::decision(conn, ballot.community_id, decision_id)?
        .map(|d| d.present)
        .unwrap_or(0))
}
