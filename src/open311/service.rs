//! What Open311 changes: a submitted request becomes a routed work order, and the
//! committee's keys are made and revoked, each in one transaction with its log entry.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::live_key;
use super::rules::{NewRequest, Refusal};
use super::SOURCE_OPEN311;
use crate::audit::{self, Action, Entry};
use crate::db::{write_tx, AnyConnection};
use crate::error::AppError;
use crate::schema::api_keys;
use crate::work_orders::model::{self, NewOrder};
use crate::work_orders::rules;

/// A checked submission, for a community, with the key that came with it.
pub struct Submission<'a> {
    pub community_id: i64,
    pub slug: &'a str,
    pub key: &'a str,
    pub request: &'a NewRequest,
}

/// Why a key is refused.
pub fn bad_key() -> Refusal {
    Refusal(
        actix_web::http::StatusCode::FORBIDDEN,
        "api_key is not a valid key of this jurisdiction".to_string(),
    )
}

/// Stores a submission as an anonymous work order and routes it to the default grid's
/// worker, as a resident's report would be. Returns the order's id and its hours to answer.
pub fn submit(
    conn: &mut AnyConnection,
    s: &Submission,
    now: NaiveDateTime,
) -> Result<Result<(i64, i64), Refusal>, AppError> {
    let (cid, new) = (s.community_id, s.request);
    write_tx(conn, |conn| {
        // Checked again inside the write: a key revoked meanwhile adds nothing.
        if live_key(conn, cid, s.key)?.is_none() {
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
            slug: s.slug,
            photos: &[],
            route: true,
            actor: None,
            now,
        };
        let id = crate::work_orders::service::open(conn, &opening)?.id;
        Ok(Ok((id, hours)))
    })
}

/// Stores a new key's hash, with its entry in the action log.
pub fn create_key(
    conn: &mut AnyConnection,
    community_id: i64,
    by: i64,
    label: &str,
    hash: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    write_tx(conn, |conn| {
        diesel::insert_into(api_keys::table)
            .values((
                api_keys::community_id.eq(community_id),
                api_keys::key_hash.eq(hash),
                api_keys::label.eq(label),
                api_keys::created_by.eq(by),
                api_keys::created_at.eq(now),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            &Entry {
                community_id: Some(community_id),
                actor_id: by,
                action: Action::CreateApiKey,
                target_user_id: None,
                detail: label,
                reason: "",
            },
            now,
        )?;
        Ok(())
    })
}

/// Revokes a community's key (not found if it has no such key); a key already revoked stays
/// as it was, and logs nothing more.
pub fn revoke_key(
    conn: &mut AnyConnection,
    community_id: i64,
    by: i64,
    id: i64,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    write_tx(conn, |conn| {
        let label: String = api_keys::table
            .filter(api_keys::id.eq(id))
            .filter(api_keys::community_id.eq(community_id))
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
                    community_id: Some(community_id),
                    actor_id: by,
                    action: Action::RevokeApiKey,
                    target_user_id: None,
                    detail: &label,
                    reason: "",
                },
                now,
            )?;
        }
        Ok(())
    })
}
