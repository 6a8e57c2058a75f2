//! A neighbourhood's 居民代表会议 setting on the residents page (城市居民委员会组织法, 2025
//! revision): whether the community holds one, and its quorum and pass shares. The rules are
//! `ballots::urban`; each setting is appended to `urban_rep_settings` and the action log.

use actix_web::{web, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use super::handlers::{done, residents_page, Feedback};
use super::model::{Community, KIND_NEIGHBOURHOOD};
use crate::authz::Action;
use crate::ballots::urban::{read_share, typed, Part, RepsSetting, ShareProblem, Standing};
use crate::db::{write_tx, AnyConnection};
use crate::error::AppError;
use crate::schema::urban_rep_settings;
use crate::web::community::load_as;
use crate::web::ctx::Ctx;
use crate::web::forms::{whole_number_message, FieldErrors, Posted};
use crate::web::AppState;

/// The shares on the form, in order: the quorum, then the pass share.
pub const SHARES: [&str; 2] = ["quorum", "pass"];

/// The form as typed: the "held" box, and each share's numerator, denominator and
/// comparison (`at_least` 以上 or `more_than` 超过).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RepsForm {
    pub held: String,
    pub quorum_num: String,
    pub quorum_den: String,
    pub quorum_cmp: String,
    pub pass_num: String,
    pub pass_den: String,
    pub pass_cmp: String,
}

impl RepsForm {
    /// The form showing a saved setting.
    pub fn of(s: &RepsSetting) -> RepsForm {
        let (quorum_num, quorum_den, quorum_cmp) = typed(s.quorum);
        let (pass_num, pass_den, pass_cmp) = typed(s.pass);
        RepsForm {
            held: if s.held { "on".into() } else { String::new() },
            quorum_num,
            quorum_den,
            quorum_cmp: quorum_cmp.into(),
            pass_num,
            pass_den,
            pass_cmp: pass_cmp.into(),
        }
    }

    /// Is the "held" box ticked?
    pub fn held(&self) -> bool {
        !self.held.is_empty()
    }

    /// What was typed in `share`'s fields: (numerator, denominator, comparison).
    pub fn share(&self, share: &str) -> (&str, &str, &str) {
        if share == "pass" {
            (&self.pass_num, &self.pass_den, &self.pass_cmp)
        } else {
            (&self.quorum_num, &self.quorum_den, &self.quorum_cmp)
        }
    }
}

/// The field a share's problem is shown at, e.g. `quorum_den`.
fn field(share: &str, part: Part) -> &'static str {
    match (share, part) {
        ("pass", Part::Num) => "pass_num",
        ("pass", Part::Den) => "pass_den",
        ("pass", Part::Cmp) => "pass_cmp",
        (_, Part::Num) => "quorum_num",
        (_, Part::Den) => "quorum_den",
        (_, Part::Cmp) => "quorum_cmp",
    }
}

/// The message for a share's problem, in the user's language.
fn message(ctx: &Ctx, share: &str, problem: ShareProblem) -> String {
    let max = crate::ballots::urban::MAX_DENOMINATOR;
    match problem {
        ShareProblem::Number(part) => {
            let part_name = if part == Part::Den { "den" } else { "num" };
            let name = ctx.t(&format!("urban_reps.{share}_{part_name}_name"));
            whole_number_message(ctx, name, 1, max)
        }
        ShareProblem::Comparison => ctx.t("urban_reps.err_cmp").into(),
        ShareProblem::OverWhole => ctx.t("urban_reps.err_over_whole").into(),
        ShareProblem::MoreThanAll => ctx.t("urban_reps.err_more_than_all").into(),
        ShareProblem::BelowFloor => ctx.t(&format!("urban_reps.err_{share}_floor")).into(),
    }
}

/// Reads the form; each problem goes beside its field.
fn read(ctx: &Ctx, form: &RepsForm, errors: &mut FieldErrors) -> Option<RepsSetting> {
    // Both shares are read, so that every problem is shown at once.
    let [quorum, pass] = SHARES.map(|share| {
        let (num, den, cmp) = form.share(share);
        read_share(num, den, cmp)
            .map_err(|p| errors.add(field(share, p.part()), message(ctx, share, p)))
            .ok()
    });
    Some(RepsSetting {
        held: form.held(),
        quorum: quorum?,
        pass: pass?,
    })
}

/// The community's setting in force: the latest saved, or the default.
pub fn setting(conn: &mut AnyConnection, community_id: i64) -> QueryResult<RepsSetting> {
    let latest: Option<(bool, String)> = urban_rep_settings::table
        .filter(urban_rep_settings::community_id.eq(community_id))
        .order(urban_rep_settings::id.desc())
        .select((urban_rep_settings::held, urban_rep_settings::rule))
        .first(conn)
        .optional()?;
    Ok(latest.map_or_else(RepsSetting::default, |(held, rule)| {
        RepsSetting::from_stored(held, &rule)
    }))
}

/// What `community`'s ballots start from: the law of its kind and, in a neighbourhood, its
/// 居民代表会议 setting (a village's is never read).
pub fn standing(conn: &mut AnyConnection, community: &Community) -> QueryResult<Standing> {
    let reps = if community.kind == KIND_NEIGHBOURHOOD {
        setting(conn, community.id)?
    } else {
        RepsSetting::default()
    };
    Ok(Standing::of(&community.kind, reps))
}

/// Appends a setting and its action-log entry, in one transaction with the caller's.
pub fn save(
    conn: &mut AnyConnection,
    community_id: i64,
    by: i64,
    s: &RepsSetting,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let rule = s.rule().encode();
    diesel::insert_into(urban_rep_settings::table)
        .values((
            urban_rep_settings::community_id.eq(community_id),
            urban_rep_settings::held.eq(s.held),
            urban_rep_settings::rule.eq(&rule),
            urban_rep_settings::set_by.eq(by),
            urban_rep_settings::set_at.eq(now),
        ))
        .execute(conn)?;
    let held = if s.held { "held" } else { "not held" };
    crate::audit::setting_changed(
        conn,
        community_id,
        by,
        &format!("residents' representatives' meeting {held}; {rule}"),
        now,
    )?;
    Ok(())
}

/// Saves the 居民代表会议 setting of a neighbourhood (the committee only). A village has no
/// such setting (its 村民代表会议 follows art. 26): not found. A bad number is refused at its
/// field, the form kept.
pub async fn save_reps_settings(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    p: Posted<RepsForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (community, actor, me) =
        load_as(&state, &ctx, slug.into_inner(), Action::ConfigureCommunity).await?;
    if community.kind != KIND_NEIGHBOURHOOD {
        return Err(AppError::NotFound);
    }
    let mut errors = FieldErrors::default();
    let Some(setting) = read(&ctx, &form, &mut errors) else {
        let mut shown = Feedback::default();
        (shown.errors, shown.reps) = (errors, Some(form));
        return residents_page(&state, ctx, community, actor, shown).await;
    };
    let (cid, now) = (community.id, state.clock.now());
    state
        .db(move |conn| write_tx(conn, |conn| save(conn, cid, me, &setting, now)))
        .await?;
    Ok(done(&community, "representatives"))
}
