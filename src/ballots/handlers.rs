//! Ballot pages: opening a ballot on an agenda item, the ballot page with its voting form,
//! casting a vote, the frozen electorate, and meeting results confirmed by a second
//! committee member.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;

use super::model::{self, Ballot};
use super::page::{ballot_page, load_ballot, BallotView, HallForm, OnBallot};
use super::rules::{self, Body, VoteFacts, Voter, WindowError};
use super::urban::Standing;
use super::{options, service, tracker, words};
use crate::agenda::model::{self as agenda, Item};
use crate::agenda::rules::may_open_ballot;
use crate::authz::Action;
use crate::communities::model::Community;
use crate::db::{is_unique_violation, write_tx};
use crate::error::AppError;
use crate::uploads::UploadedFile;
use crate::web::community::{load_as, load_community};
use crate::web::ctx::Ctx;
use crate::web::forms::{FieldErrors, Posted, Uploaded};
use crate::web::{render, see_other, AppState};

/// Most named options a ballot may offer.
pub const MAX_OPTIONS: usize = 10;

// ---- opening a ballot ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct OpenForm {
    pub body: String,
    pub mode: String,
    pub options: String,
    pub opens_at: String,
    pub closes_at: String,
    pub quorum: String,
    pub pass: String,
    /// The group (grid id) of a group meeting.
    pub grid: String,
    /// Every other field: the options' descriptions and costs (`options::DESC`, `COST`).
    #[serde(flatten)]
    pub rest: BTreeMap<String, String>,
}

impl OpenForm {
    /// What was typed for option `i`: (description, cost).
    pub fn detail(&self, i: &usize) -> (&str, &str) {
        options::typed(&self.rest, *i)
    }
}

#[derive(Template)]
#[template(path = "ballots/new.html")]
struct OpenPage {
    ctx: Ctx,
    community: Community,
    item: Item,
    form: OpenForm,
    errors: FieldErrors,
    /// (body, how many would vote) for each deciding body, as of now.
    bodies: Vec<(&'static str, i64)>,
    /// The community's groups, for a group meeting: (id, name).
    grids: Vec<(i64, String)>,
    ready: bool,
    /// The convening notice the chosen meeting needs: missing, or from which day it may open.
    notice_line: String,
}

async fn open_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    id: i64,
    form: OpenForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let cid = community.id;
    let today = crate::clock::local_day(state.clock.now());
    let body = form.body.clone();
    let c = community.clone();
    let (item, bodies, grids, recorded, notice) = state
        .db(move |conn| {
            let item = agenda::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
            // A neighbourhood that holds no 居民代表会议 is not offered one.
            let standing = crate::communities::representatives::standing(conn, &c)?;
            let mut bodies = Vec::new();
            for b in Body::ALL.into_iter().filter(|b| standing.offers(*b)) {
                let (n, _) = model::would_vote(conn, cid, b, today, None)?;
                bodies.push((b.as_str(), n));
            }
            let grids = crate::communities::model::grids_of(conn, cid)?
                .into_iter()
                .map(|g| (g.id, g.name))
                .collect::<Vec<_>>();
            let recorded = crate::agenda::service::recorded_steps(conn, id)?;
            let notice = crate::agenda::notices::state_for(conn, cid, id, &body)?;
            Ok((item, bodies, grids, recorded, notice))
        })
        .await?;
    let notice_line = crate::agenda::notices::opening_words(&notice)
        .map(|(key, name, value)| ctx.f(key, &[(name, &value)]))
        .unwrap_or_default();
    let ready = may_open_ballot(item.major, item.stage(), &recorded);
    render(
        status,
        &OpenPage {
            ctx,
            community,
            item,
            form,
            errors,
            bodies,
            grids,
            ready,
            notice_line,
        },
    )
}

pub async fn new_form(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, _, _) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let form = OpenForm {
        body: "residents".into(),
        mode: model::ONLINE.into(),
        quorum: "preset".into(),
        pass: "preset".into(),
        ..OpenForm::default()
    };
    open_page(
        &state,
        ctx,
        community,
        id,
        form,
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// The named options typed one per line; empty for / against / abstain.
fn parse_options(text: &str) -> Result<String, &'static str> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return Ok(String::new());
    }
    if lines.len() < 2 || lines.len() > MAX_OPTIONS {
        return Err("ballots.err_option_count");
    }
    if lines.iter().any(|l| l.chars().count() > 100) {
        return Err("ballots.err_option_long");
    }
    let mut seen = lines.clone();
    seen.sort_unstable();
    seen.dedup();
    if seen.len() != lines.len() {
        return Err("ballots.err_option_twice");
    }
    Ok(lines.join("\n"))
}

/// The opening form read into a ballot; each problem goes into `errors` beside its field.
fn read_open_form(
    ctx: &Ctx,
    standing: &Standing,
    form: &OpenForm,
    now: NaiveDateTime,
    errors: &mut FieldErrors,
) -> Option<service::Opening> {
    let body = Body::parse(&form.body);
    match body {
        None => errors.add("body", ctx.t("ballots.err_body")),
        Some(b) if !standing.offers(b) => errors.add("body", ctx.t("ballots.err_no_urban_reps")),
        Some(_) => {}
    }
    let mode = match form.mode.as_str() {
        model::ONLINE => model::ONLINE,
        model::HALL => model::HALL,
        model::MIXED => model::MIXED,
        _ => {
            errors.add("mode", ctx.t("ballots.err_mode"));
            model::ONLINE
        }
    };
    let options = parse_options(&form.options).unwrap_or_else(|key| {
        errors.add("options", ctx.t(key));
        String::new()
    });
    let opens_at = if form.opens_at.trim().is_empty() {
        Some(now)
    } else {
        crate::clock::parse_local_time(&form.opens_at)
    };
    let closes_at = crate::clock::parse_local_time(&form.closes_at);
    match (opens_at, closes_at) {
        (Some(o), Some(c)) => match rules::check_window(o, c, now) {
            Ok(()) => {}
            Err(e @ (WindowError::OpensInThePast | WindowError::OpensTooLate)) => {
                errors.add("opens_at", ctx.t(e.message_key()))
            }
            Err(e) => errors.add("closes_at", ctx.t(e.message_key())),
        },
        (None, _) => errors.add("opens_at", ctx.t("ballots.err_opens_time")),
        _ => errors.add("closes_at", ctx.t("ballots.err_closes_time")),
    }
    // The preset and floor: the law's, or a neighbourhood's own 居民代表会议 rule.
    let rule = body.and_then(|b| standing.choose(b, &form.quorum, &form.pass));
    match (body, rule) {
        (Some(_), None) => errors.add("quorum", ctx.t("ballots.err_rule")),
        (Some(b), Some(r)) => {
            if let Err(e) = standing.check(&r, b) {
                errors.add("quorum", ctx.t(e.message_key()));
            }
        }
        _ => {}
    }
    if let (model::MIXED, Some(b)) = (mode, body) {
        if !b.may_meet_mixed() {
            errors.add("mode", ctx.t("ballots.err_mixed_body"));
        }
    }
    let grid_id = form.grid.trim().parse::<i64>().ok();
    if body == Some(Body::Group) && grid_id.is_none() {
        errors.add("grid", ctx.t("ballots.err_grid"));
    }
    let (Some(body), Some(rule), Some(opens_at), Some(closes_at), true) =
        (body, rule, opens_at, closes_at, errors.is_empty())
    else {
        return None;
    };
    Some(service::Opening {
        body,
        mode,
        options,
        rule,
        opens_at,
        closes_at,
        grid_id: grid_id.filter(|_| body == Body::Group),
    })
}

/// Opens a ballot: the electorate is frozen as of now and the item goes to the vote. The
/// options' details (description, photo, estimated cost) are stored with it.
pub async fn open(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Uploaded<OpenForm>,
) -> Result<HttpResponse, AppError> {
    let Uploaded { ctx, form, files } = p;
    let (slug, id) = path.into_inner();
    let (community, _, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let now = state.clock.now();
    let mut errors = FieldErrors::default();
    let c = community.clone();
    let standing = state
        .db(move |conn| Ok(crate::communities::representatives::standing(conn, &c)?))
        .await?;
    let opening = read_open_form(&ctx, &standing, &form, now, &mut errors);
    let named = parse_options(&form.options)
        .map(|o| model::option_labels(&o).len())
        .unwrap_or(MAX_OPTIONS);
    let mut details = options::read_all(&ctx, named, &form.rest, &mut errors);
    if errors.is_empty() {
        store_photos(&state, &ctx, named, files, &mut details, &mut errors).await?;
    }
    let (Some(opening), true) = (opening, errors.is_empty()) else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return open_page(&state, ctx, community, id, form, errors, status).await;
    };
    let c = community.clone();
    let result = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let opened = service::open_ballot(conn, &c, (id, me), &opening, now)?;
                if let Ok(ballot_id) = opened {
                    options::save(conn, ballot_id, &details)?;
                }
                Ok(opened)
            })
        })
        .await?;
    match result {
        Ok(ballot_id) => Ok(see_other(&format!(
            "/c/{}/ballots/{ballot_id}",
            community.slug
        ))),
        Err(refusal) => {
            errors.add("body", refusal.message(&ctx));
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            open_page(&state, ctx, community, id, form, errors, status).await
        }
    }
}

/// Checks and stores each option's photo (the same checks as every upload) into its
/// detail; a refused photo is reported beside its own field.
async fn store_photos(
    state: &AppState,
    ctx: &Ctx,
    named: usize,
    files: Vec<UploadedFile>,
    details: &mut [options::Detail],
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    for f in files {
        let Some(i) = options::PHOTO.iter().position(|p| *p == f.field) else {
            continue;
        };
        if i >= named {
            let n = (i + 1).to_string();
            errors.add(
                options::PHOTO[i],
                ctx.f("ballots.err_detail_no_option", &[("n", &n)]),
            );
            continue;
        }
        match crate::uploads::store_upload(state, f).await? {
            Ok(name) => {
                if let Some(d) = details.get_mut(i) {
                    d.position = i as i32;
                    d.photo = Some(name);
                }
            }
            Err(key) => errors.add(options::PHOTO[i], ctx.t(key)),
        }
    }
    Ok(())
}

// ---- the ballot page ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BallotQuery {
    done: String,
}

pub async fn show(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
    q: web::Query<BallotQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, actor) = load_community(&state, &ctx, slug).await?;
    let (ballot, latest) = load_ballot(&state, community.id, id).await?;
    if let (false, Some(d)) = (ballot.is_open(), latest) {
        // A closed ballot is its decision, unless a correction awaits a second member here.
        let bid = ballot.id;
        let pending = state
            .db(move |conn| {
                Ok(model::hall_results_of(conn, bid)?
                    .iter()
                    .any(|r| r.state == model::PENDING))
            })
            .await?;
        if !pending {
            return Ok(see_other(&format!("/c/{}/decisions/{d}", community.slug)));
        }
    }
    let notice = match q.done.as_str() {
        "recorded" => Some(ctx.t("ballots.done_recorded").to_string()),
        "rejected" => Some(ctx.t("ballots.done_rejected").to_string()),
        _ => None,
    };
    let view = BallotView {
        notice,
        ..BallotView::refused(FieldErrors::default(), HallForm::default())
    };
    let on = OnBallot {
        ctx,
        community,
        actor,
        ballot,
    };
    ballot_page(&state, on, view, StatusCode::OK).await
}

// ---- voting ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VoteForm {
    pub choice: String,
    pub tracker: String,
    /// The server's seal over (ballot, voter, tracker), issued with the form.
    pub tracker_seal: String,
}

enum Cast {
    Recorded,
    Already,
    Refused(&'static str),
}

/// A vote checked and ready for the ballot box.
struct Ballotted {
    voter: Voter,
    user_id: i64,
    choice: usize,
    tracker: String,
}

/// Puts a checked vote in the ballot box, one at a time per ballot.
async fn cast(state: &AppState, ballot: &Ballot, v: Ballotted) -> Result<Cast, AppError> {
    let (b, now, key) = (ballot.clone(), state.clock.now(), v.voter.key);
    // Votes on one ballot wait their turn here, without a database connection: each would
    // only wait for the ballot's row lock with one in hand.
    let turn = state.ballot_writers.enter(ballot.id).await?;
    let r = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let vote = model::NewVote {
                    voter_key: v.voter.key,
                    user_id: v.user_id,
                    household_id: v.voter.household,
                    choice: v.choice as i32,
                    tracker: b.secret.then_some(v.tracker.as_str()),
                    person: v.voter.person,
                };
                match model::cast(conn, &b, &vote, now)? {
                    Ok(()) => Ok(Ok(())),
                    Err(model::CastRefusal::Closed) => Ok(Err("ballots.err_closed")),
                }
            })
        })
        .await;
    drop(turn);
    Ok(match r {
        Ok(Ok(())) => Cast::Recorded,
        Ok(Err(key)) => Cast::Refused(key),
        Err(AppError::Db(e)) if is_unique_violation(&e) => {
            // "Already recorded" only to a voter who has voted: a code that is on the
            // board already is not a vote of theirs.
            let (id, person) = (ballot.id, v.voter.person);
            let (voted, via) = state
                .db(move |conn| {
                    let voted = model::has_voted(conn, id, key)?;
                    let via = match person {
                        Some(p) => super::attendance::via(conn, id, p)?,
                        None => None,
                    };
                    Ok((voted, via))
                })
                .await?;
            if voted {
                Cast::Already
            } else if via.as_deref() == Some(model::HALL) {
                Cast::Refused("ballots.err_signed_in_hall")
            } else if via.is_some() {
                Cast::Refused("ballots.err_attended")
            } else {
                Cast::Refused("ballots.err_tracker_used")
            }
        }
        Err(e) => return Err(e),
    })
}

/// The vote's answer: the ballot page with what became of the vote.
async fn vote_page(
    state: &AppState,
    on: OnBallot,
    result: &Cast,
    tracker: Option<String>,
) -> Result<HttpResponse, AppError> {
    let (ballot, _) = load_ballot(state, on.community.id, on.ballot.id).await?;
    let ctx = &on.ctx;
    let mut view = BallotView {
        tracker: tracker.clone().filter(|_| ballot.secret),
        ..BallotView::refused(FieldErrors::default(), HallForm::default())
    };
    let status = match result {
        Cast::Recorded => {
            view.notice = Some(ctx.t("ballots.done_voted").to_string());
            view.voted_tracker = tracker.filter(|_| ballot.secret);
            StatusCode::OK
        }
        Cast::Already => {
            view.notice = Some(ctx.t("ballots.already").to_string());
            StatusCode::OK
        }
        Cast::Refused(key) => {
            if *key == "ballots.err_tracker_used" {
                // A code already on the board cannot be this voter's: issue another.
                view.tracker = None;
            }
            // No option chosen: at the options; any other refusal at the top of the form.
            let field = match *key {
                "ballots.err_choice" => "choice",
                _ => "vote",
            };
            view.errors.add(field, ctx.t(key));
            StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    ballot_page(state, OnBallot { ballot, ..on }, view, status).await
}

pub async fn vote(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<VoteForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, id) = path.into_inner();
    let (community, actor, me) = load_as(&state, &ctx, slug, Action::Vote).await?;
    let (ballot, _) = load_ballot(&state, community.id, id).await?;
    let code = tracker::normalize(&form.tracker);
    let b = ballot.clone();
    let voter = state
        .db(move |conn| Ok(model::voter_on(conn, &b, me)?))
        .await?;
    // A code counts only with the seal issued for this ballot and this voter.
    let sealed = voter.as_ref().is_ok_and(|v| {
        tracker::is_sealed(&state.secret, ballot.id, v.key, &code, &form.tracker_seal)
    });
    let facts = VoteFacts {
        choice: form
            .choice
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|c| *c < ballot.option_count()),
        elector: voter.is_ok(),
        secret: ballot.secret,
        tracker_valid: tracker::is_valid(&code),
        tracker_sealed: sealed,
    };
    let result = match (
        rules::check_vote(&ballot.window(), &facts, state.clock.now()),
        voter,
    ) {
        // Outside the electorate: say why (not linked to the roster, not on the roll, …).
        (Err(rules::VoteRefusal::NotElector), Err(why)) => Cast::Refused(why.message_key()),
        (Err(e), _) => Cast::Refused(e.message_key()),
        (Ok(_), Err(why)) => Cast::Refused(why.message_key()),
        (Ok(choice), Ok(voter)) => {
            let v = Ballotted {
                voter,
                user_id: me,
                choice,
                tracker: code.clone(),
            };
            cast(&state, &ballot, v).await?
        }
    };
    // Once the vote is in, "busy, nothing was saved" would be untrue: if the full page
    // cannot be loaded in time, a short one says the vote is recorded.
    let back = format!("/c/{}/ballots/{id}", community.slug);
    let receipt = receipt(&ctx, &result, ballot.secret.then(|| code.clone()), back);
    // The tracker stays on the form only if it was sealed for this voter.
    let kept = sealed.then_some(code);
    let on = OnBallot {
        ctx,
        community,
        actor,
        ballot,
    };
    match (vote_page(&state, on, &result, kept).await, receipt) {
        (Err(AppError::Busy(why)), Some(receipt)) => {
            tracing::warn!(reason = %why, "vote recorded; busy, so a short page answers");
            render(StatusCode::OK, &receipt)
        }
        (page, _) => page,
    }
}

/// The short answer to a vote that is in (`None` if it was refused); `tracker` is the code
/// it was cast with, on a secret ballot.
fn receipt(
    ctx: &Ctx,
    result: &Cast,
    tracker: Option<String>,
    back: String,
) -> Option<RecordedPage> {
    let (notice, voted_tracker) = match result {
        Cast::Recorded => (ctx.t("ballots.done_voted"), tracker),
        Cast::Already => (ctx.t("ballots.already"), None),
        Cast::Refused(_) => return None,
    };
    Some(RecordedPage {
        ctx: ctx.clone(),
        notice,
        voted_tracker,
        back,
    })
}

/// The answer to a recorded vote when the full ballot page cannot be loaded in time.
#[derive(Template)]
#[template(path = "ballots/recorded.html")]
struct RecordedPage {
    ctx: Ctx,
    notice: &'static str,
    voted_tracker: Option<String>,
    back: String,
}

// ---- the electorate ----

#[derive(Template)]
#[template(path = "ballots/electorate.html")]
struct ElectoratePage {
    ctx: Ctx,
    community: Community,
    ballot: Ballot,
    rows: Vec<model::ElectorRow>,
    labels: Vec<String>,
    /// The list's leaf in the transparency log (its size and digest, frozen at opening).
    log_index: Option<i64>,
}

/// The frozen electorate, for supervisors, the committee and the township.
pub async fn electorate(
    state: web::Data<AppState>,
    ctx: Ctx,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let (community, _, _) = load_as(&state, &ctx, slug, Action::ViewResidents).await?;
    let cid = community.id;
    let (ballot, rows, log_index) = state
        .db(move |conn| {
            let ballot = model::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
            let rows = model::electorate(conn, &ballot)?;
            let log_index = crate::transparency::log::index_of(
                conn,
                crate::transparency::log::Kind::Electorate,
                id,
            )?;
            Ok((ballot, rows, log_index))
        })
        .await?;
    let labels = words::labels(&ctx, &ballot.options);
    render(
        StatusCode::OK,
        &ElectoratePage {
            log_index,
            ctx,
            community,
            ballot,
            rows,
            labels,
        },
    )
}
