//! Each community's time limits per category of report (办理时限): 48 hours unless the
//! committee sets another, from 1 hour to 30 days.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use super::model::CATEGORIES;
use super::rules::DEFAULT_LIMIT_HOURS;
use crate::authz::Action;
use crate::communities::model::Community;
use crate::db::{write_tx, AnyConnection};
use crate::error::AppError;
use crate::schema::work_order_limits;
use crate::web::community::load_as;
use crate::web::ctx::Ctx;
use crate::web::forms::{FieldErrors, Posted};
use crate::web::{render, see_other, AppState};

/// The longest limit a committee may set: thirty days.
pub const MAX_HOURS: i64 = 24 * 30;

/// (category, hours) set for a community; categories not listed use the default.
pub fn of(conn: &mut AnyConnection, community_id: i64) -> QueryResult<Vec<(String, i64)>> {
    work_order_limits::table
        .filter(work_order_limits::community_id.eq(community_id))
        .select((work_order_limits::category, work_order_limits::hours))
        .load(conn)
}

/// A typed limit that is not whole hours in range.
#[derive(Debug, PartialEq, Eq)]
pub struct BadHours;

/// Parses one typed limit: empty means the default; otherwise whole hours in range.
pub fn parse_hours(s: &str) -> Result<Option<i64>, BadHours> {
    match s.trim() {
        "" => Ok(None),
        t => crate::text::whole_number(t, 1, MAX_HOURS)
            .map(Some)
            .map_err(|_| BadHours),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct LimitsForm {
    pub road: String,
    pub lighting: String,
    pub sanitation: String,
    pub water: String,
    pub safety: String,
    pub parking: String,
    pub other: String,
}

impl LimitsForm {
    pub fn get(&self, category: &str) -> &str {
        match category {
            "road" => &self.road,
            "lighting" => &self.lighting,
            "sanitation" => &self.sanitation,
            "water" => &self.water,
            "safety" => &self.safety,
            "parking" => &self.parking,
            _ => &self.other,
        }
    }

    fn set(&mut self, category: &str, v: String) {
        match category {
            "road" => self.road = v,
            "lighting" => self.lighting = v,
            "sanitation" => self.sanitation = v,
            "water" => self.water = v,
            "safety" => self.safety = v,
            "parking" => self.parking = v,
            _ => self.other = v,
        }
    }
}

#[derive(Template)]
#[template(path = "work_orders/limits.html")]
struct LimitsPage {
    ctx: Ctx,
    community: Community,
    form: LimitsForm,
    categories: [&'static str; 7],
    default_hours: i64,
    errors: FieldErrors,
    saved: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LimitsQuery {
    done: String,
}

pub async fn page(
    state: web::Data<AppState>,
    ctx: Ctx,
    slug: web::Path<String>,
    q: web::Query<LimitsQuery>,
) -> Result<HttpResponse, AppError> {
    let (community, _, _) =
        load_as(&state, &ctx, slug.into_inner(), Action::ConfigureCommunity).await?;
    let cid = community.id;
    let set = state.db(move |conn| Ok(of(conn, cid)?)).await?;
    let mut form = LimitsForm::default();
    for (c, h) in set {
        form.set(&c, h.to_string());
    }
    render(
        StatusCode::OK,
        &LimitsPage {
            ctx,
            community,
            form,
            categories: CATEGORIES,
            default_hours: DEFAULT_LIMIT_HOURS,
            errors: FieldErrors::default(),
            saved: q.done == "saved",
        },
    )
}

pub async fn save(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Posted<LimitsForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (community, _, me) =
        load_as(&state, &ctx, slug.into_inner(), Action::ConfigureCommunity).await?;
    let mut errors = FieldErrors::default();
    let mut limits = Vec::new();
    for c in CATEGORIES {
        match parse_hours(form.get(c)) {
            Ok(h) => limits.push((c, h)),
            Err(BadHours) => errors.add(
                c,
                ctx.f("limits.err_hours", &[("max", &MAX_HOURS.to_string())]),
            ),
        }
    }
    if !errors.is_empty() {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &LimitsPage {
                ctx,
                community,
                form,
                categories: CATEGORIES,
                default_hours: DEFAULT_LIMIT_HOURS,
                errors,
                saved: false,
            },
        );
    }
    let (cid, now) = (community.id, state.clock.now());
    state
        .db(move |conn| {
            write_tx(conn, |conn| {
                diesel::delete(
                    work_order_limits::table.filter(work_order_limits::community_id.eq(cid)),
                )
                .execute(conn)?;
                let mut said = Vec::new();
                for (c, h) in &limits {
                    if let Some(h) = h {
                        diesel::insert_into(work_order_limits::table)
                            .values((
                                work_order_limits::community_id.eq(cid),
                                work_order_limits::category.eq(*c),
                                work_order_limits::hours.eq(*h),
                            ))
                            .execute(conn)?;
                        said.push(format!("{c}={h}h"));
                    }
                }
                crate::audit::record(
                    conn,
                    &crate::audit::Entry {
                        community_id: Some(cid),
                        actor_id: me,
                        action: crate::audit::Action::OrderLimits,
                        target_user_id: None,
                        detail: &said.join(", "),
                        reason: "",
                    },
                    now,
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(see_other(&format!(
        "/c/{}/orders/limits?done=saved",
        community.slug
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_whole_hours_up_to_thirty_days() {
        assert_eq!(parse_hours(""), Ok(None));
        assert_eq!(parse_hours(" 24 "), Ok(Some(24)));
        assert_eq!(parse_hours("720"), Ok(Some(720)));
        assert_eq!(parse_hours("721"), Err(BadHours));
        assert_eq!(parse_hours("0"), Err(BadHours));
        assert_eq!(parse_hours("1.5"), Err(BadHours));
    }
}
