//! The periodic work of work orders, run by `crate::jobs` on its timer: escalation past due
//! (to the township staff above the community and its committee), confirmation after seven
//! silent days, the daily reminder to assignees (每日催办) and the weekly supervision list
//! (每周督办). Escalation and confirmation pass the order's one door in `service`; the
//! reminders are exactly-once by the run key the timer claims around them.

use chrono::NaiveDateTime;

use super::model;
use super::service::{self, Change, Step};
use crate::communities::model as communities;
use crate::db::{write_tx, AnyConnection};
use crate::error::AppError;
use crate::notifications::{notify, Notice};

/// Escalates every open order past its due time, once each; returns how many.
pub fn escalate(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<usize, AppError> {
    let due = model::to_escalate(conn, now)?;
    by_the_clock(conn, due, Step::Escalate, now)
}

/// Confirms completed orders the reporter left unanswered for seven days.
pub fn auto_confirm(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<usize, AppError> {
    let due = model::to_confirm(conn, now)?;
    by_the_clock(conn, due, Step::AutoConfirm, now)
}

/// Puts each order through the door with a change made by the clock, each in its own
/// transaction; returns how many changed.
fn by_the_clock(
    conn: &mut AnyConnection,
    orders: Vec<model::Order>,
    step: Step,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let mut n = 0;
    for order in orders {
        let c = Change {
            order: &order,
            slug: "",
            step,
            actor: None,
            note: "",
            now,
        };
        if service::check(&c).is_err() {
            continue;
        }
        let done = write_tx(conn, |conn| {
            let slug = communities::by_id(conn, order.community_id)?.slug;
            Ok(service::change(conn, &Change { slug: &slug, ..c })?.is_ok())
        })?;
        n += usize::from(done);
    }
    Ok(n)
}

/// 每日催办: each assignee hears how many of their orders are due within a day or overdue.
/// The caller runs it once a day.
pub fn daily_reminders(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<usize, AppError> {
    let soon = model::assigned_due_by(conn, now + chrono::Duration::hours(24))?;
    let mut per: Vec<(i64, i64, usize)> = Vec::new();
    for o in &soon {
        let Some(a) = o.assignee_id else { continue };
        match per
            .iter_mut()
            .find(|(u, c, _)| *u == a && *c == o.community_id)
        {
            Some(entry) => entry.2 += 1,
            None => per.push((a, o.community_id, 1)),
        }
    }
    for (user, community, count) in &per {
        let slug = communities::by_id(conn, *community)?.slug;
        notify(
            conn,
            &Notice {
                user_id: *user,
                community_id: Some(*community),
                kind: "order_reminder",
                subject: &count.to_string(),
                detail: "",
                link: &format!("/c/{slug}/orders?filter=mine"),
            },
            now,
        )?;
    }
    Ok(per.len())
}

/// 每周督办: each community's committee and its township staff hear how many orders are
/// overdue, with a link to the supervision page. The caller runs it once a week.
pub fn weekly_list(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<usize, AppError> {
    let mut per: Vec<(i64, usize)> = Vec::new();
    for c in model::overdue_communities(conn, now)? {
        match per.iter_mut().find(|(x, _)| *x == c) {
            Some(e) => e.1 += 1,
            None => per.push((c, 1)),
        }
    }
    let mut sent = 0;
    for (community, count) in per {
        let slug = communities::by_id(conn, community)?.slug;
        for user in service::supervisors_of(conn, community)? {
            notify(
                conn,
                &Notice {
                    user_id: user,
                    community_id: Some(community),
                    kind: "order_weekly",
                    subject: &count.to_string(),
                    detail: "",
                    link: &format!("/c/{slug}/supervision"),
                },
                now,
            )?;
            sent += 1;
        }
    }
    Ok(sent)
}
