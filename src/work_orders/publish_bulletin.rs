//! The monthly bulletin published (每月通报): on the first of each month a job publishes the
//! previous month's bulletin as a work-orders disclosure (so it enters the transparency log
//! like every disclosure version), tells the committee and the township staff, and flags the
//! grids under the community's satisfaction floor for 整改. Once per community and month: the
//! job's run key, then a unique row per month. The floor is a committee setting.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use super::bulletin::{self, Line};
use super::followup_rules as fr;
use super::followups::{self, month_label, previous_month};
use super::service::supervisors_of;
use crate::authz::{Action, Role};
use crate::clock::month_bounds;
use crate::communities::model::{self as communities, Community};
use crate::db::{write_tx, AnyConnection};
use crate::disclosures::rules::Category;
use crate::disclosures::service::{self as disclosures, Publication, Saved};
use crate::error::AppError;
use crate::notifications::{notify, Notice};
use crate::schema::{bulletin_floors, bulletin_publications};
use crate::web::community::load_as;
use crate::web::ctx::Ctx;
use crate::web::forms::{FieldErrors, Posted};
use crate::web::{render, see_other, AppState};

/// The community's satisfaction floor: the newest set, or 85 %.
pub fn floor_of(conn: &mut AnyConnection, community_id: i64) -> QueryResult<i32> {
    Ok(bulletin_floors::table
        .filter(bulletin_floors::community_id.eq(community_id))
        .order(bulletin_floors::id.desc())
        .select(bulletin_floors::floor_percent)
        .first(conn)
        .optional()?
        .unwrap_or(fr::DEFAULT_FLOOR))
}

/// The disclosure a month's bulletin was published as, if it was.
pub fn published(
    conn: &mut AnyConnection,
    community_id: i64,
    month: &str,
) -> QueryResult<Option<i64>> {
    bulletin_publications::table
        .filter(bulletin_publications::community_id.eq(community_id))
        .filter(bulletin_publications::month.eq(month))
        .select(bulletin_publications::disclosure_id)
        .first(conn)
        .optional()
}

/// Adds the month's follow-up answers to the bulletin's lines, per grid and in total.
pub fn with_followups(lines: &mut Vec<Line>, by_grid: &[(Option<i64>, i64, i64)]) {
    for (grid, answered, satisfied) in by_grid {
        if let Some(total) = lines.first_mut() {
            total.called += answered;
            total.called_satisfied += satisfied;
        }
        match lines.iter_mut().skip(1).find(|l| l.grid == *grid) {
            Some(l) => {
                l.called += answered;
                l.called_satisfied += satisfied;
            }
            None => lines.push(Line {
                grid: *grid,
                called: *answered,
                called_satisfied: *satisfied,
                ..Line::default()
            }),
        }
    }
}

/// Flags the grids (never the total) whose rated satisfaction is under `floor`.
pub fn flag(lines: &mut [Line], floor: i32) {
    for l in lines.iter_mut().skip(1) {
        l.rectify = fr::under_floor(l.satisfied, l.rated, floor);
    }
}

/// The month's bulletin with follow-ups and flags, as of `now`.
pub fn compute(
    conn: &mut AnyConnection,
    community_id: i64,
    month: (i32, u32),
    now: NaiveDateTime,
) -> Result<(Vec<Line>, i32), AppError> {
    let bounds = month_bounds(month.0, month.1).ok_or(AppError::NotFound)?;
    let mut lines = bulletin::compute(conn, community_id, bounds, now)?;
    let calls = followups::satisfaction_by_grid(conn, community_id, &month_label(month))?;
    with_followups(&mut lines, &calls);
    let floor = floor_of(conn, community_id)?;
    flag(&mut lines, floor);
    Ok((lines, floor))
}

fn rate(part: i64, whole: i64) -> String {
    match super::rules::percent(part, whole) {
        Some(p) => format!("{p}%（{part}/{whole}）"),
        None => "—".to_string(),
    }
}

/// The published text, in Chinese (the language of the community's notice board).
pub fn text(community: &Community, month: &str, lines: &[Line], floor: i32) -> (String, String) {
    let title = format!("{month} 工单月度通报");
    let mut body = format!(
        "{} {month} 工单办理情况（括号里是样本数；满意指评价4分及以上，回访满意含基本满意）。\n\n",
        community.name
    );
    for (i, l) in lines.iter().enumerate() {
        let name = match (i, l.name.is_empty()) {
            (0, _) => "合计".to_string(),
            (_, true) => "未分网格".to_string(),
            _ => l.name.clone(),
        };
        body.push_str(&format!(
            "{name}：受理 {}，办结 {}，按期办结率 {}，评价满意率 {}，回访满意率 {}{}\n",
            l.received,
            l.resolved,
            rate(l.on_time, l.owed()),
            rate(l.satisfied, l.rated),
            rate(l.called_satisfied, l.called),
            if l.rectify {
                "，低于满意率底线，须整改"
            } else {
                ""
            },
        ));
    }
    let flagged: Vec<&str> = lines
        .iter()
        .filter(|l| l.rectify)
        .map(|l| l.name.as_str())
        .collect();
    body.push('\n');
    if flagged.is_empty() {
        body.push_str(&format!("各网格满意率均不低于 {floor}%。"));
    } else {
        body.push_str(&format!(
            "满意率低于 {floor}% 的网格须整改：{}。",
            flagged.join("、")
        ));
    }
    (title, body)
}

/// Publishes one community's bulletin of `month` (unless published), in the caller's
/// transaction: the disclosure, its publication row and the notices. The disclosure is
/// signed by the committee's first member; a community without a committee is skipped.
pub fn publish_month(
    conn: &mut AnyConnection,
    community: &Community,
    month: (i32, u32),
    now: NaiveDateTime,
) -> Result<Option<i64>, AppError> {
    let label = month_label(month);
    if published(conn, community.id, &label)?.is_some() {
        return Ok(None);
    }
    let Some(by) = communities::holders(conn, community.id, Role::Committee)?
        .into_iter()
        .min()
    else {
        return Ok(None);
    };
    let (lines, floor) = compute(conn, community.id, month, now)?;
    let (title, body) = text(community, &label, &lines, floor);
    let committee = if community.is_village() {
        "村委会"
    } else {
        "居委会"
    };
    let p = Publication {
        category: Category::WorkOrders,
        period: label.clone(),
        decision_id: None,
        title,
        body,
        responsible: committee.to_string(),
        opening: None,
        reason: String::new(),
        lines: Vec::new(),
        files: Vec::new(),
    };
    let id = match disclosures::publish(conn, community, by, &p, now)? {
        Saved::Done(id) => id,
        // Published by hand already: that one stands, and nobody is told twice.
        Saved::Duplicate(_) | Saved::NotOurDecision => return Ok(None),
    };
    let flagged: Vec<String> = lines
        .iter()
        .filter(|l| l.rectify)
        .map(|l| l.name.clone())
        .collect();
    diesel::insert_into(bulletin_publications::table)
        .values((
            bulletin_publications::community_id.eq(community.id),
            bulletin_publications::month.eq(&label),
            bulletin_publications::disclosure_id.eq(id),
            bulletin_publications::flagged.eq(flagged.join("、")),
            bulletin_publications::published_at.eq(now),
        ))
        .execute(conn)?;
    let link = format!("/c/{}/disclosures/{id}", community.slug);
    for user in supervisors_of(conn, community.id)? {
        notify(
            conn,
            &Notice {
                user_id: user,
                community_id: Some(community.id),
                kind: "bulletin_published",
                subject: &label,
                detail: &flagged.join("、"),
                link: &link,
            },
            now,
        )?;
    }
    Ok(Some(id))
}

/// The monthly job: publishes last month's bulletin of every village and urban community
/// that has not published it; returns how many it published. Run once per month by its run
/// key; the unique month row holds if two runs ever got past that.
pub fn publish_all(conn: &mut AnyConnection, now: NaiveDateTime) -> Result<usize, AppError> {
    let month = previous_month(now);
    let mut n = 0;
    for c in communities::all(conn)?.iter().filter(|c| !c.is_township()) {
        n += usize::from(publish_month(conn, c, month, now)?.is_some());
    }
    Ok(n)
}

/// The demo (after the other features' demos, so their disclosures keep their numbers): in
/// 柳塘村 the follow-up draw of the month most demo orders were resolved in, one call
/// answered, and that month's bulletin published.
pub fn seed_demo(
    conn: &mut AnyConnection,
    seeded: &[(i64, Vec<i64>)],
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let Some((liutang, _)) = seeded.first() else {
        return Ok(());
    };
    let month = crate::clock::local_month(now - chrono::Duration::days(20));
    followups::draw_month(conn, *liutang, month, 20_261_130, now)?;
    let caller = communities::holders(conn, *liutang, Role::Committee)?
        .into_iter()
        .min();
    let draw = followups::draw_of(conn, *liutang, &month_label(month))?;
    let first = draw.and_then(|d| d.picks.into_iter().next());
    if let (Some(caller), Some(pick)) = (caller, first) {
        let call = (true, Some(fr::Answer::Basically));
        let note = "电话回访：问题解决了，希望下次来得快一点。";
        followups::record_call(conn, *liutang, pick.id, caller, call, note, now)?;
    }
    let community = communities::by_id(conn, *liutang)?;
    publish_month(conn, &community, month, now)?;
    Ok(())
}

// ---- the floor setting ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct FloorForm {
    pub floor: String,
}

#[derive(Template)]
#[template(path = "work_orders/bulletin_floor.html")]
struct FloorPage {
    ctx: Ctx,
    community: Community,
    form: FloorForm,
    errors: FieldErrors,
    saved: bool,
    min: i32,
    max: i32,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FloorQuery {
    done: String,
}

fn floor_page(
    ctx: Ctx,
    community: Community,
    form: FloorForm,
    errors: FieldErrors,
    saved: bool,
) -> Result<HttpResponse, AppError> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &FloorPage {
            ctx,
            community,
            form,
            errors,
            saved,
            min: *fr::FLOOR_RANGE.start(),
            max: *fr::FLOOR_RANGE.end(),
        },
    )
}

/// `GET /c/{slug}/bulletin/floor`: the committee's satisfaction floor.
pub async fn floor_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
    q: web::Query<FloorQuery>,
) -> Result<HttpResponse, AppError> {
    let (community, _, _) =
        load_as(&state, &ctx, slug.into_inner(), Action::ConfigureCommunity).await?;
    let cid = community.id;
    let floor = state.db(move |conn| Ok(floor_of(conn, cid)?)).await?;
    let form = FloorForm {
        floor: floor.to_string(),
    };
    floor_page(
        ctx,
        community,
        form,
        FieldErrors::default(),
        q.done == "saved",
    )
}

/// `POST /c/{slug}/bulletin/floor`: sets the floor, range-checked, logged.
pub async fn set_floor(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Posted<FloorForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (community, _, me) =
        load_as(&state, &ctx, slug.into_inner(), Action::ConfigureCommunity).await?;
    let Some(floor) = fr::parse_floor(&form.floor) else {
        let mut errors = FieldErrors::default();
        let (min, max) = (fr::FLOOR_RANGE.start(), fr::FLOOR_RANGE.end());
        errors.add(
            "floor",
            ctx.f(
                "bulletin.err_floor",
                &[("min", &min.to_string()), ("max", &max.to_string())],
            ),
        );
        return floor_page(ctx, community, form, errors, false);
    };
    let (cid, now) = (community.id, state.clock.now());
    state
        .db(move |conn| {
            write_tx(conn, |conn| {
                diesel::insert_into(bulletin_floors::table)
                    .values((
                        bulletin_floors::community_id.eq(cid),
                        bulletin_floors::floor_percent.eq(floor),
                        bulletin_floors::set_by.eq(me),
                        bulletin_floors::set_at.eq(now),
                    ))
                    .execute(conn)?;
                crate::audit::setting_changed(
                    conn,
                    cid,
                    me,
                    &format!("bulletin satisfaction floor={floor}%"),
                    now,
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(see_other(&format!(
        "/c/{}/bulletin/floor?done=saved",
        community.slug
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(grid: i64, rated: i64, satisfied: i64) -> Line {
        Line {
            grid: Some(grid),
            name: format!("网格{grid}"),
            rated,
            satisfied,
            ..Line::default()
        }
    }

    #[test]
    fn grids_under_the_floor_are_flagged_and_the_total_never() {
        let mut lines = vec![
            Line {
                rated: 40,
                satisfied: 20,
                ..Line::default()
            },
            line(1, 20, 17),
            line(2, 20, 16),
        ];
        flag(&mut lines, fr::DEFAULT_FLOOR);
        assert_eq!(
            lines.iter().map(|l| l.rectify).collect::<Vec<_>>(),
            [false, false, true]
        );
        with_followups(&mut lines, &[(Some(2), 3, 2), (None, 1, 1)]);
        assert_eq!((lines[0].called, lines[0].called_satisfied), (4, 3));
        assert_eq!((lines[2].called, lines[2].called_satisfied), (3, 2));
        assert_eq!(lines.len(), 4, "a grid seen only in the calls gets a line");
    }
}
