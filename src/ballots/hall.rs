//! Meeting results (会场表决): what the hall counted, entered by one committee member and
//! published only when a second confirms it (four eyes); and corrections of a published
//! result, which are new decisions naming the one they correct and wait the same way.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::model::{self, Ballot};
use super::page::{ballot_page, load_ballot, BallotView, HallForm, OnBallot};
use super::rules::{self, Body, Counts};
use super::{service, words};
use crate::authz::{Action, Actor};
use crate::communities::model::Community;
use crate::db::write_tx;
use crate::error::AppError;
use crate::uploads::UploadedFile;
use crate::web::community::load_as;
use crate::web::ctx::Ctx;
use crate::web::forms::{number_at, text_field, Empty, FieldErrors, Posted, Uploaded};
use crate::web::{see_other, AppState};

/// Households present as the rule reads them: on a household ballot, those present; where
/// the rule has no household test, not asked (0); otherwise as counted in the hall.
fn households_counted(ballot: &Ballot, present: u64, typed: u64) -> u64 {
    if ballot.body() == Body::Households {
        present
    } else if ballot.rule().quorum_households.is_none() {
        0
    } else {
        typed
    }
}

/// The hall form's count fields, by option.
pub const COUNT_FIELDS: [&str; 10] = [
    "count_0", "count_1", "count_2", "count_3", "count_4", "count_5", "count_6", "count_7",
    "count_8", "count_9",
];

/// Whether the form asks households present: not at a meeting also held online, not on a
/// household ballot (there those present are households), and only where the rule counts them.
fn asks_households(ballot: &Ballot) -> bool {
    !ballot.is_mixed()
        && ballot.body() != Body::Households
        && ballot.rule().quorum_households.is_some()
}

/// Each typed number read at its own field and range-checked before any sum is made:
/// present up to the electorate, households present up to the households, each option's
/// count up to those present (the electorate at a meeting also held online). Gives
/// (per option, present, households present as typed) or the messages at the fields.
fn read_fields(
    ctx: &Ctx,
    ballot: &Ballot,
    form: &HallForm,
) -> Result<(Vec<u64>, u64, u64), FieldErrors> {
    let mut errors = FieldErrors::default();
    let electorate = ballot.electorate.max(0);
    let present = match ballot.is_mixed() {
        true => Some(0),
        false => number_at(
            ctx,
            &mut errors,
            "present",
            ctx.t("ballots.present_people"),
            &form.present,
            (0, electorate),
        ),
    };
    let households = match asks_households(ballot) {
        false => Some(0),
        true => number_at(
            ctx,
            &mut errors,
            "households_present",
            ctx.t("ballots.present_households"),
            &form.households_present,
            (0, ballot.households.max(0)),
        ),
    };
    let most = match (ballot.is_mixed(), present) {
        (false, Some(p)) => p,
        _ => electorate,
    };
    let labels = words::labels(ctx, &ballot.options);
    let mut per_option = Vec::new();
    for (i, field) in COUNT_FIELDS.iter().enumerate().take(ballot.option_count()) {
        let label = labels.get(i).map(String::as_str).unwrap_or_default();
        let name = ctx.f("ballots.count_named", &[("option", label)]);
        let typed = form.count(&i);
        per_option.extend(number_at(ctx, &mut errors, field, &name, typed, (0, most)));
    }
    match (present, households, errors.is_empty()) {
        (Some(p), Some(h), true) => Ok((
            per_option.into_iter().map(|n| n as u64).collect(),
            p as u64,
            h as u64,
        )),
        _ => Err(errors),
    }
}

/// Records what the hall counted; it is published once a second committee member confirms.
pub async fn record_result(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Uploaded<HallForm>,
) -> Result<HttpResponse, AppError> {
    let Uploaded { ctx, form, files } = p;
    let (slug, id) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let (ballot, _) = load_ballot(&state, community.id, id).await?;
    let problem = (!ballot.has_hall() || !ballot.is_open()).then(|| ctx.t("ballots.err_not_hall"));
    let entry = Entry {
        ctx,
        community,
        actor,
        me,
        ballot,
        form,
        files,
    };
    record(&state, entry, problem, None).await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CorrectionForm {
    pub reason: String,
    #[serde(flatten)]
    pub hall: HallForm,
}

/// Records a correction of a published meeting result, with its reason; it is published as
/// a new decision once a second committee member confirms it. The old decision stays.
pub async fn correct(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Uploaded<CorrectionForm>,
) -> Result<HttpResponse, AppError> {
    let Uploaded { ctx, form, files } = p;
    let (slug, id) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let cid = community.id;
    let (decision, later) = state
        .db(move |conn| {
            let d = model::decision(conn, cid, id)?.ok_or(AppError::NotFound)?;
            let later = model::decisions_of_ballot(conn, d.ballot_id)?
                .iter()
                .any(|x| x.corrects_id == Some(d.id));
            Ok((d, later))
        })
        .await?;
    let (ballot, _) = load_ballot(&state, cid, decision.ballot_id).await?;
    let reason = text_field(&form.reason, 1, 500);
    let problem = if !rules::may_correct(&decision.mode) || later {
        Some(ctx.t("ballots.err_not_correctable"))
    } else {
        None
    };
    if problem.is_none() {
        // The numbers (and the reason) are read at their fields on the decision's page.
        let mut errors = match read_fields(&ctx, &ballot, &form.hall) {
            Ok(_) => FieldErrors::default(),
            Err(errors) => errors,
        };
        if reason.is_err() {
            errors.add("reason", ctx.t("ballots.err_correction_reason"));
        }
        if !errors.is_empty() {
            let typed = (errors, form);
            return super::decision::refuse_correction(&state, ctx, community.slug, id, typed)
                .await;
        }
    }
    let reason = reason.unwrap_or_default();
    let entry = Entry {
        ctx,
        community,
        actor,
        me,
        ballot,
        form: form.hall,
        files,
    };
    record(&state, entry, problem, Some((decision.id, reason))).await
}

/// A meeting result being entered: who, where, on which ballot, what they typed.
struct Entry {
    ctx: Ctx,
    community: Community,
    actor: Actor,
    me: i64,
    ballot: Ballot,
    form: HallForm,
    files: Vec<UploadedFile>,
}

/// The typed counts read and checked against the frozen electorate: per option, present,
/// households present (as the rule reads them) and the minutes; or the message to show.
/// A meeting also held online (`signed_in`: those on the hall's register) counts its hall
/// part against the register: present is who signed in, and the votes may fall short.
fn read_counts(
    ctx: &Ctx,
    ballot: &Ballot,
    form: &HallForm,
    (signed_in, register): (Option<u64>, u64),
) -> Result<(Vec<u64>, u64, u64, String), FieldErrors> {
    let (per_option, present, hp) = read_fields(ctx, ballot, form)?;
    let Ok(minutes) = text_field(&form.minutes, 0, 20_000) else {
        return Err(hall_error(ctx.t("ballots.err_numbers").to_string()));
    };
    if let Some(signed_in) = signed_in {
        let part = rules::HallPart {
            signed_in,
            per_option,
        };
        if let Err(e) = rules::check_hall_part(ballot.options(), ballot.electorate as u64, &part) {
            return Err(hall_error(ctx.t(words::counts_error_key(&e)).to_string()));
        }
        return Ok((part.per_option, signed_in, 0, minutes));
    }
    let counts = Counts {
        electorate: ballot.electorate as u64,
        households: ballot.households as u64,
        present,
        households_present: households_counted(ballot, present, hp),
        per_option,
    };
    if let Err(e) = rules::check_counts(ballot.options(), &counts)
        .and_then(|()| rules::check_against_register(present, register))
    {
        return Err(hall_error(ctx.t(words::counts_error_key(&e)).to_string()));
    }
    let hp = counts.households_present;
    Ok((counts.per_option, present, hp, minutes))
}

/// Checks the typed counts against the frozen electorate and stores them as a pending
/// result (or correction); one pending result per ballot at a time.
async fn record(
    state: &AppState,
    entry: Entry,
    problem: Option<&'static str>,
    corrects: Option<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let Entry {
        ctx,
        community,
        actor,
        me,
        ballot,
        form,
        files,
    } = entry;
    // Those signed in on the hall's register: a mixed meeting's hall part is who signed
    // in; a hall-only meeting's typed attendance may not exceed them.
    let bid = ballot.id;
    let register = state
        .db(move |conn| Ok(super::attendance::signed_in(conn, bid)?))
        .await?;
    let signed_in = ballot.is_mixed().then_some(register);
    let read = match problem {
        Some(key) => Err(hall_error(ctx.t(key).to_string())),
        None => read_counts(&ctx, &ballot, &form, (signed_in, register)),
    };
    let (per_option, present, households_present, minutes) = match read {
        Ok(r) => r,
        Err(errors) => {
            return refused(
                state,
                Refusal {
                    ctx,
                    community,
                    actor,
                    ballot,
                    form,
                    errors,
                },
            )
            .await
        }
    };
    let photo = match files.into_iter().next() {
        None => None,
        Some(f) => match crate::uploads::store_upload(state, f).await? {
            Ok(name) => Some(name),
            Err(key) => {
                let msg = ctx.t(key).to_string();
                return refuse_hall(state, ctx, community, actor, ballot, form, msg).await;
            }
        },
    };
    let (b, now) = (ballot.clone(), state.clock.now());
    let recorded = state
        .db(move |conn| {
            let typed = model::NewHallResult {
                corrects: corrects.as_ref().map(|(d, r)| (*d, r.as_str())),
                present: present as i64,
                households_present: households_present as i64,
                per_option: &per_option,
                minutes: &minutes,
                photo: photo.as_deref(),
            };
            write_tx(conn, |conn| service::record_hall(conn, &b, &typed, me, now))
        })
        .await?;
    if !recorded {
        let msg = ctx.t("ballots.err_pending").to_string();
        return refuse_hall(state, ctx, community, actor, ballot, form, msg).await;
    }
    Ok(see_other(&format!(
        "/c/{}/ballots/{}?done=recorded",
        community.slug, ballot.id
    )))
}

/// A message about the form as a whole (not one field), shown in the box at its top.
fn hall_error(message: String) -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add("hall", message);
    errors
}

async fn refuse_hall(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: Actor,
    ballot: Ballot,
    form: HallForm,
    message: String,
) -> Result<HttpResponse, AppError> {
    let errors = hall_error(message);
    refused(
        state,
        Refusal {
            ctx,
            community,
            actor,
            ballot,
            form,
            errors,
        },
    )
    .await
}

/// A refused hall form, with the messages to show.
struct Refusal {
    ctx: Ctx,
    community: Community,
    actor: Actor,
    ballot: Ballot,
    form: HallForm,
    errors: FieldErrors,
}

async fn refused(state: &AppState, r: Refusal) -> Result<HttpResponse, AppError> {
    let Refusal {
        ctx,
        community,
        actor,
        ballot,
        form,
        errors,
    } = r;
    let on = OnBallot {
        ctx,
        community,
        actor,
        ballot,
    };
    let view = BallotView::refused(errors, form);
    ballot_page(state, on, view, StatusCode::UNPROCESSABLE_ENTITY).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RejectForm {
    pub reason: String,
}

/// A second committee member confirms a meeting result: the decision is published.
pub async fn confirm_result(
    state: web::Data<AppState>,
    path: web::Path<(String, i64, i64)>,
    p: Posted<Empty>,
) -> Result<HttpResponse, AppError> {
    let ctx = p.ctx;
    let (slug, id, rid) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let (ballot, _) = load_ballot(&state, community.id, id).await?;
    let (b, now) = (ballot.clone(), state.clock.now());
    let published = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let Some(r) = model::hall_results_of(conn, b.id)?
                    .into_iter()
                    .find(|r| r.id == rid && r.state == model::PENDING)
                else {
                    return Ok(Err("ballots.err_no_pending"));
                };
                if r.recorded_by == me {
                    return Ok(Err("ballots.err_four_eyes"));
                }
                if b.is_mixed() && r.corrects_id.is_none() && now < b.closes_at {
                    // The hall's count waits for the online part: those away vote until
                    // the announced closing time.
                    return Ok(Err("ballots.err_online_still_open"));
                }
                let published = match r.corrects_id {
                    Some(_) => service::publish_correction(conn, &b, &r, me, now)?,
                    None => service::publish_hall(conn, &b, &r, me, now)?,
                };
                let Some(decision_id) = published else {
                    return Ok(Err("ballots.err_no_pending"));
                };
                crate::audit::record(
                    conn,
                    &crate::audit::Entry {
                        community_id: Some(b.community_id),
                        actor_id: me,
                        action: crate::audit::Action::ConfirmResult,
                        target_user_id: Some(r.recorded_by),
                        detail: &format!("#{}", decision_id),
                        reason: "",
                    },
                    now,
                )?;
                Ok(Ok(decision_id))
            })
        })
        .await?;
    match published {
        Ok(d) => Ok(see_other(&format!("/c/{}/decisions/{d}", community.slug))),
        Err(key) => {
            let msg = ctx.t(key).to_string();
            refuse_hall(
                &state,
                ctx,
                community,
                actor,
                ballot,
                HallForm::default(),
                msg,
            )
            .await
        }
    }
}

/// Sends a meeting result back with a reason (the recorder may withdraw their own).
pub async fn reject_result(
    state: web::Data<AppState>,
    path: web::Path<(String, i64, i64)>,
    p: Posted<RejectForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, id, rid) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let (ballot, _) = load_ballot(&state, community.id, id).await?;
    let Ok(reason) = text_field(&form.reason, 1, 500) else {
        let msg = ctx.t("ballots.err_reason").to_string();
        return refuse_hall(
            &state,
            ctx,
            community,
            actor,
            ballot,
            HallForm::default(),
            msg,
        )
        .await;
    };
    let (bid, now) = (ballot.id, state.clock.now());
    let done = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let pending = model::hall_results_of(conn, bid)?
                    .into_iter()
                    .any(|r| r.id == rid && r.state == model::PENDING);
                Ok(pending && model::settle_hall(conn, rid, model::REJECTED, me, &reason, now)?)
            })
        })
        .await?;
    if !done {
        let msg = ctx.t("ballots.err_no_pending").to_string();
        return refuse_hall(
            &state,
            ctx,
            community,
            actor,
            ballot,
            HallForm::default(),
            msg,
        )
        .await;
    }
    Ok(see_other(&format!(
        "/c/{}/ballots/{id}?done=rejected",
        community.slug
    )))
}
