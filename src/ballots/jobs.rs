//! The ballots' periodic work: closing every online ballot whose time is up.

use chrono::NaiveDateTime;

use super::{model, service};
use crate::db::AnyConnection;
use crate::error::AppError;

/// Closes every online ballot whose time is up; returns how many this call closed.
pub fn close_due(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<usize, AppError> {
    let mut closed = 0;
    for (cid, id) in model::due(conn, now)? {
        if service::close_one(conn, cid, id, now)?.is_some() {
            closed += 1;
        }
    }
    Ok(closed)
}
