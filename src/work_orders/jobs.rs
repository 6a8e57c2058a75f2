//! The work-order jobs: escalation past due (to the township staff above the community and
//! its committee), confirmation after seven silent days, the daily reminder to assignees and
//! the weekly supervision list.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{self, Order};
use super::rules::{self, Mover, State};
use crate::communities::model::supervisors_of;
use crate::db::{write_tx, AnyConnection};
use crate::error::AppError;
use crate::jobs::{local_day, local_week, once};
use crate::notifications::{notify, Notice};
use crate::schema::{communities, work_orders};

/// Escalates every open order past its due time, once each; returns how many.
pub fn escalate(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<usize, AppError> {
    let mut n = 0;
    for order in model::to_escalate(conn, now)? {
        if !rules::should_escalate(order.state(), order.due_at, order.escalated_at, now) {
            continue;
        }
        let done = write_tx(conn, |conn| {
            if !model::mark_escalated(conn, &order, now)? {
                return Ok(false);
            }
            let (slug, people) = supervisors_of(conn, order.community_id)?;
            let link = format!("/c/{slug}/orders/{}", order.id);
            for user in people.into_iter().chain(order.assignee_id) {
                notify(
                    conn,
                    &Notice {
                        user_id: user,
                        community_id: Some(order.community_id),
                        kind: "order_escalated",
                        subject: &order.title,
                        detail: "",
                        link: &link,
                    },
                    now,
                )?;
            }
            Ok(true)
        })?;
        n += usize::from(done);
    }
    Ok(n)
}

/// Confirms completed orders the reporter left unanswered for seven days.
pub fn auto_confirm(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<usize, AppError> {
    let mut n = 0;
    for order in model::to_confirm(conn, now)? {
        let facts = rules::Facts {
            has_reporter: order.reporter_id.is_some(),
            completed_at: order.completed_at,
            now: Some(now),
            ..rules::Facts::default()
        };
        if rules::check_move(State::Completed, State::Confirmed, Mover::Clock, facts).is_err() {
            continue;
        }
        let done = write_tx(conn, |conn| {
            Ok(model::move_to(
                conn,
                &order,
                State::Completed,
                State::Confirmed,
                None,
                "auto_confirmed",
                now,
            )?)
        })?;
        n += usize::from(done);
    }
    Ok(n)
}

/// 每日催办: once a day, each assignee hears how many of their orders are due within a day
/// or overdue.
pub fn daily_reminders(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<usize, AppError> {
    let key = local_day(now);
    once(conn, "daily_reminder", &key, now, |conn| {
        let soon: Vec<Order> = work_orders::table
            .filter(work_orders::state.eq_any(State::open_names()))
            .filter(work_orders::assignee_id.is_not_null())
            .filter(work_orders::due_at.le(now + chrono::Duration::hours(24)))
            .select(Order::as_select())
            .load(conn)?;
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
            let slug: String = communities::table
                .find(*community)
                .select(communities::slug)
                .first(conn)?;
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
    })
}

/// 每周督办: once a week, each community's committee and its township staff hear how many
/// orders are overdue, with a link to the supervision page.
pub fn weekly_list(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<usize, AppError> {
    let key = local_week(now);
    once(conn, "weekly_list", &key, now, |conn| {
        let overdue: Vec<i64> = work_orders::table
            .filter(work_orders::state.eq_any(State::open_names()))
            .filter(work_orders::due_at.lt(now))
            .select(work_orders::community_id)
            .load(conn)?;
        let mut per: Vec<(i64, usize)> = Vec::new();
        for c in overdue {
            match per.iter_mut().find(|(x, _)| *x == c) {
                Some(e) => e.1 += 1,
                None => per.push((c, 1)),
            }
        }
        let mut sent = 0;
        for (community, count) in per {
            let (slug, people) = supervisors_of(conn, community)?;
            for user in people {
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
    })
}
