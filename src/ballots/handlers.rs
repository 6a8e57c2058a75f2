//! Ballot pages: opening a ballot on an agenda item, the ballot page with its voting form,
//! casting a vote, the frozen electorate, and meeting results confirmed by a second
//! committee member.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::QueryResult;
use serde::Deserialize;

use super::hall::HallForm;
use super::model::{self, Ballot, HallResult};
use super::rules::{Body, Rule, WindowError};
use super::{jobs, tracker, words};
use crate::agenda::model::{self as agenda, Item};
use crate::agenda::rules::{may_open_ballot, Stage, Step};
use crate::authz::{allows, Action, Actor};
use crate::communities::model::Community;
use crate::db::{is_unique_violation, write_tx, AnyConnection};
use crate::error::AppError;
use crate::web::community::{load_as, load_community};
use crate::web::ctx::Ctx;
use crate::web::forms::{FieldErrors, Posted};
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
    ready: bool,
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
    let (item, bodies, recorded) = state
        .db(move |conn| {
            let item = agenda::find(conn, cid, id)?.ok_or(AppError::NotFound)?;
            let mut bodies = Vec::new();
            for b in Body::ALL {
                let electors = model::electors_for(conn, cid, b)?;
                let n = if b == Body::Households {
                    let mut hs: Vec<i64> = electors.iter().filter_map(|e| e.1).collect();
                    hs.sort_unstable();
                    hs.dedup();
                    hs.len() as i64
                } else {
                    electors.len() as i64
                };
                bodies.push((b.as_str(), n));
            }
            let recorded = recorded_steps(conn, id)?;
            Ok((item, bodies, recorded))
        })
        .await?;
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
            ready,
        },
    )
}

fn recorded_steps(
    conn: &mut crate::db::AnyConnection,
    item_id: i64,
) -> Result<Vec<Step>, AppError> {
    Ok(agenda::steps(conn, item_id)?
        .iter()
        .filter_map(|r| r.kind())
        .collect())
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

/// Opens a ballot: the electorate is frozen as of now and the item goes to the vote.
pub async fn open(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    p: Posted<OpenForm>,
) -> Result<HttpResponse, AppError> {
    let Posted { ctx, form } = p;
    let (slug, id) = path.into_inner();
    let (community, _, me) = load_as(&state, &ctx, slug, Action::ManageAgenda).await?;
    let now = state.clock.now();
    let mut errors = FieldErrors::default();
    let body = Body::parse(&form.body);
    if body.is_none() {
        errors.add("body", ctx.t("ballots.err_body"));
    }
    let mode = match form.mode.as_str() {
        model::ONLINE => model::ONLINE,
        model::HALL => model::HALL,
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
        (Some(o), Some(c)) => match super::rules::check_window(o, c, now) {
            Ok(()) => {}
            Err(e @ (WindowError::OpensInThePast | WindowError::OpensTooLate)) => {
                errors.add("opens_at", ctx.t(e.message_key()))
            }
            Err(e) => errors.add("closes_at", ctx.t(e.message_key())),
        },
        (None, _) => errors.add("opens_at", ctx.t("ballots.err_time")),
        _ => errors.add("closes_at", ctx.t("ballots.err_time")),
    }
    let rule = body.and_then(|b| Rule::from_choices(b, &form.quorum, &form.pass));
    if body.is_some() && rule.is_none() {
        errors.add("quorum", ctx.t("ballots.err_rule"));
    }
    let (Some(body), Some(rule), Some(opens_at), Some(closes_at), true) =
        (body, rule, opens_at, closes_at, errors.is_empty())
    else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return open_page(&state, ctx, community, id, form, errors, status).await;
    };
    let c = community.clone();
    let result = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let item = agenda::find(conn, c.id, id)?.ok_or(AppError::NotFound)?;
                let recorded = recorded_steps(conn, id)?;
                if !may_open_ballot(item.major, item.stage(), &recorded) {
                    return Ok(Err("ballots.err_not_ready"));
                }
                let electors = model::electors_for(conn, c.id, body)?;
                if electors.is_empty() {
                    return Ok(Err("ballots.err_no_electors"));
                }
                let ballot_id = model::open(
                    conn,
                    &model::NewBallot {
                        community_id: c.id,
                        item_id: id,
                        body,
                        mode,
                        options: &options,
                        rule: &rule,
                        opens_at,
                        closes_at,
                        created_by: me,
                    },
                    now,
                )?;
                let note = format!("#{ballot_id}");
                agenda::move_stage(
                    conn,
                    &item,
                    Stage::Deliberating,
                    Stage::Voting,
                    Some(me),
                    &note,
                    now,
                )?;
                crate::audit::record(
                    conn,
                    &crate::audit::Entry {
                        community_id: Some(c.id),
                        actor_id: me,
                        action: crate::audit::Action::OpenBallot,
                        target_user_id: None,
                        detail: &format!("{} · {}", item.title, body.as_str()),
                        reason: "",
                    },
                    now,
                )?;
                crate::agenda::handlers::tell_followers(
                    conn,
                    &c,
                    &item,
                    "open_ballot",
                    "",
                    me,
                    now,
                )?;
                Ok(Ok(ballot_id))
            })
        })
        .await?;
    match result {
        Ok(ballot_id) => Ok(see_other(&format!(
            "/c/{}/ballots/{ballot_id}",
            community.slug
        ))),
        Err(key) => {
            errors.add("body", ctx.t(key));
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            open_page(&state, ctx, community, id, form, errors, status).await
        }
    }
}

// ---- the ballot page ----

/// Where the signed-in user stands on a ballot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Standing {
    Anonymous,
    NotElector,
    MayVote,
    Voted,
    /// A household ballot another member of the household has cast.
    HouseholdVoted(String),
}

#[derive(Template)]
#[template(path = "ballots/ballot.html")]
struct BallotPage {
    ctx: Ctx,
    community: Community,
    ballot: Ballot,
    item_title: String,
    labels: Vec<String>,
    rule_words: Vec<String>,
    standing: Standing,
    tracker: String,
    tracker_seal: String,
    tracker_shown: String,
    can_manage: bool,
    can_see_electorate: bool,
    hall: Vec<HallView>,
    pending: bool,
    me: i64,
    errors: FieldErrors,
    notice: Option<String>,
    voted_tracker: Option<String>,
    hall_form: HallForm,
}

pub(super) struct HallView {
    r: HallResult,
    recorder: String,
    decider: String,
    counts: Vec<(String, u64)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BallotQuery {
    done: String,
}

/// Closes the ballot first if its time is up, so the first request after the closing time
/// sees the decision.
pub(super) async fn load_ballot(
    state: &AppState,
    community_id: i64,
    id: i64,
) -> Result<(Ballot, Option<i64>), AppError> {
    let now = state.clock.now();
    state
        .db(move |conn| {
            let ballot = model::find(conn, community_id, id)?.ok_or(AppError::NotFound)?;
            if ballot.is_due(now) {
                jobs::close_one(conn, community_id, id, now)?;
            }
            let ballot = model::find(conn, community_id, id)?.ok_or(AppError::NotFound)?;
            let latest = model::decisions_of_ballot(conn, id)?.last().map(|d| d.id);
            Ok((ballot, latest))
        })
        .await
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
        errors: FieldErrors::default(),
        notice,
        tracker: None,
        voted_tracker: None,
        hall_form: HallForm::default(),
    };
    ballot_page(&state, ctx, community, actor, ballot, view, StatusCode::OK).await
}

/// What a ballot page shows besides what it loads.
pub(super) struct BallotView {
    pub(super) errors: FieldErrors,
    pub(super) notice: Option<String>,
    /// The tracker on the voter's form (its seal checked), kept when the form comes back
    /// with an error so that the code the voter copied stays theirs.
    pub(super) tracker: Option<String>,
    pub(super) voted_tracker: Option<String>,
    pub(super) hall_form: HallForm,
}

pub(super) async fn ballot_page(
    state: &AppState,
    ctx: Ctx,
    community: Community,
    actor: Actor,
    ballot: Ballot,
    view: BallotView,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let me = ctx.user_id();
    let b = ballot.clone();
    let (item_title, standing, voter_key, hall, names) = state
        .db(move |conn| {
            let item_title = agenda::find(conn, b.community_id, b.item_id)?
                .map(|i| i.title)
                .unwrap_or_default();
            let mut voter_key = None;
            let standing = match me {
                None => Standing::Anonymous,
                Some(u) => match model::elector(conn, b.id, u)? {
                    None => Standing::NotElector,
                    Some(h) => {
                        let key = if b.body() == Body::Households {
                            h.unwrap_or(-1)
                        } else {
                            u
                        };
                        voter_key = Some(key);
                        if model::has_voted(conn, b.id, key)? {
                            match (b.body(), h) {
                                (Body::Households, Some(h)) => {
                                    let who =
                                        model::household_vote(conn, b.id, h)?.unwrap_or_default();
                                    Standing::HouseholdVoted(who)
                                }
                                _ => Standing::Voted,
                            }
                        } else {
                            Standing::MayVote
                        }
                    }
                },
            };
            let hall = model::hall_results_of(conn, b.id)?;
            let ids: Vec<i64> = hall
                .iter()
                .flat_map(|r| [Some(r.recorded_by), r.decided_by])
                .flatten()
                .collect();
            let names = crate::accounts::model::names(conn, &ids)?;
            Ok((item_title, standing, voter_key, hall, names))
        })
        .await?;
    let labels = words::labels(&ctx, &ballot.options);
    let name_of = |id: Option<i64>| {
        id.and_then(|i| names.iter().find(|(n, _)| *n == i).map(|(_, s)| s.clone()))
            .unwrap_or_default()
    };
    let pending = hall.iter().any(|r| r.state == model::PENDING);
    let hall = hall
        .into_iter()
        .map(|r| HallView {
            recorder: name_of(Some(r.recorded_by)),
            decider: name_of(r.decided_by),
            counts: labels
                .iter()
                .cloned()
                .zip(model::parse_counts(&r.counts))
                .collect(),
            r,
        })
        .collect();
    let tracker = view.tracker.unwrap_or_else(tracker::generate);
    // Only a voter gets a sealed code; anyone else's form would be refused anyway.
    let tracker_seal = match (ballot.secret, voter_key) {
        (true, Some(key)) => tracker::seal(&state.secret, ballot.id, key, &tracker),
        _ => String::new(),
    };
    let rule_words = words::requirements(
        &ctx,
        &ballot.rule(),
        ballot.body(),
        ballot.electorate as u64,
        ballot.households as u64,
    );
    render(
        status,
        &BallotPage {
            can_manage: allows(&actor, Action::ManageAgenda),
            can_see_electorate: allows(&actor, Action::ViewResidents),
            tracker_shown: tracker::grouped(&tracker),
            tracker,
            tracker_seal,
            ctx,
            community,
            ballot,
            item_title,
            labels,
            rule_words,
            standing,
            hall,
            pending,
            me: me.unwrap_or(0),
            errors: view.errors,
            notice: view.notice,
            voted_tracker: view.voted_tracker.map(|t| tracker::grouped(&t)),
            hall_form: view.hall_form,
        },
    )
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

/// Why a vote was refused, as a message key.
fn refusal(ballot: &Ballot, now: NaiveDateTime) -> Option<&'static str> {
    if !ballot.is_online() {
        Some("ballots.err_hall")
    } else if !ballot.is_open() || now >= ballot.closes_at {
        Some("ballots.err_closed")
    } else if now < ballot.opens_at {
        Some("ballots.err_not_open")
    } else {
        None
    }
}

enum Cast {
    Recorded,
    Already,
    Refused(&'static str),
}

/// Who casts the vote: the key the one-vote rule counts (the household on a household
/// ballot, else the user) and their household; `None` outside the frozen electorate.
fn voter(conn: &mut AnyConnection, b: &Ballot, me: i64) -> QueryResult<Option<(i64, Option<i64>)>> {
    Ok(match (b.body(), model::elector(conn, b.id, me)?) {
        (_, None) | (Body::Households, Some(None)) => None,
        (Body::Households, Some(Some(h))) => Some((h, Some(h))),
        (_, Some(h)) => Some((me, h)),
    })
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
    let now = state.clock.now();
    let code = tracker::normalize(&form.tracker);
    let b = ballot.clone();
    let voter = state.db(move |conn| Ok(voter(conn, &b, me)?)).await?;
    // A code counts only with the seal issued for this ballot and this voter.
    let sealed = voter.is_some_and(|(key, _)| {
        tracker::is_sealed(&state.secret, ballot.id, key, &code, &form.tracker_seal)
    });
    let choice = form
        .choice
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|c| *c < ballot.option_count());
    let early = refusal(&ballot, now).or(match choice {
        None => Some("ballots.err_choice"),
        Some(_) if voter.is_none() => Some("ballots.err_not_elector"),
        Some(_) if ballot.secret && !tracker::is_valid(&code) => Some("ballots.err_tracker"),
        Some(_) if ballot.secret && !sealed => Some("ballots.err_tracker_foreign"),
        Some(_) => None,
    });
    let result = match (early, choice, voter) {
        (Some(key), _, _) => Cast::Refused(key),
        (None, None, _) => Cast::Refused("ballots.err_choice"),
        (None, _, None) => Cast::Refused("ballots.err_not_elector"),
        (None, Some(choice), Some((voter_key, household))) => {
            let b = ballot.clone();
            let tracker = code.clone();
            // Votes on one ballot wait their turn here, without a database connection: each
            // would only wait for the ballot's row lock with one in hand.
            let turn = state.ballot_writers.enter(ballot.id).await?;
            let r = state
                .db(move |conn| {
                    write_tx(conn, |conn| {
                        let vote = model::NewVote {
                            voter_key,
                            user_id: me,
                            household_id: household,
                            choice: choice as i32,
                            tracker: b.secret.then_some(tracker.as_str()),
                        };
                        match model::cast(conn, &b, &vote, now)? {
                            Ok(()) => Ok(Ok(())),
                            Err(model::CastRefusal::Closed) => Ok(Err("ballots.err_closed")),
                        }
                    })
                })
                .await;
            drop(turn);
            match r {
                Ok(Ok(())) => Cast::Recorded,
                Ok(Err(key)) => Cast::Refused(key),
                Err(AppError::Db(e)) if is_unique_violation(&e) => {
                    // "Already recorded" only to a voter who has voted: a code that is on
                    // the board already is not a vote of theirs.
                    let id = ballot.id;
                    let voted = state
                        .db(move |conn| Ok(model::has_voted(conn, id, voter_key)?))
                        .await?;
                    if voted {
                        Cast::Already
                    } else {
                        Cast::Refused("ballots.err_tracker_used")
                    }
                }
                Err(e) => return Err(e),
            }
        }
    };
    // Once the vote is in, "busy, nothing was saved" would be untrue: if the full page
    // cannot be loaded in time, a short one says the vote is recorded.
    let receipt = match result {
        Cast::Recorded => Some(RecordedPage {
            ctx: ctx.clone(),
            notice: ctx.t("ballots.done_voted"),
            voted_tracker: ballot.secret.then(|| code.clone()),
            back: format!("/c/{}/ballots/{id}", community.slug),
        }),
        Cast::Already => Some(RecordedPage {
            ctx: ctx.clone(),
            notice: ctx.t("ballots.already"),
            voted_tracker: None,
            back: format!("/c/{}/ballots/{id}", community.slug),
        }),
        Cast::Refused(_) => None,
    };
    let page = async {
        let (ballot, _) = load_ballot(&state, community.id, id).await?;
        let mut view = BallotView {
            errors: FieldErrors::default(),
            notice: None,
            tracker: (ballot.secret && sealed).then(|| code.clone()),
            voted_tracker: None,
            hall_form: HallForm::default(),
        };
        let status = match result {
            Cast::Recorded => {
                view.notice = Some(ctx.t("ballots.done_voted").to_string());
                view.voted_tracker = ballot.secret.then_some(code);
                StatusCode::OK
            }
            Cast::Already => {
                view.notice = Some(ctx.t("ballots.already").to_string());
                StatusCode::OK
            }
            Cast::Refused(key) => {
                if key == "ballots.err_tracker_used" {
                    // A code already on the board cannot be this voter's: issue another.
                    view.tracker = None;
                }
                view.errors.add("vote", ctx.t(key));
                StatusCode::UNPROCESSABLE_ENTITY
            }
        };
        ballot_page(&state, ctx, community, actor, ballot, view, status).await
    };
    match (page.await, receipt) {
        (Err(AppError::Busy(why)), Some(receipt)) => {
            tracing::warn!(reason = %why, "vote recorded; busy, so a short page answers");
            render(StatusCode::OK, &receipt)
        }
        (page, _) => page,
    }
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
