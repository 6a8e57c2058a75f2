//! The ballot page: what it shows (the voting form and where the reader stands, the
//! meeting results awaiting a second committee member) and how it is loaded. Both the
//! voting handlers and the meeting-result handlers answer with it.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use askama::Template;
use serde::Deserialize;

use super::model::{self, Ballot, HallResult};
use super::rules::{self, Body};
use super::{service, tracker, words};
use crate::agenda::model as agenda;
use crate::authz::{allows, Action, Actor};
use crate::communities::model::Community;
use crate::db::AnyConnection;
use crate::error::AppError;
use crate::web::ctx::Ctx;
use crate::web::forms::FieldErrors;
use crate::web::{render, AppState};

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct HallForm {
    pub present: String,
    pub households_present: String,
    pub count_0: String,
    pub count_1: String,
    pub count_2: String,
    pub count_3: String,
    pub count_4: String,
    pub count_5: String,
    pub count_6: String,
    pub count_7: String,
    pub count_8: String,
    pub count_9: String,
    pub minutes: String,
}

impl HallForm {
    pub fn count(&self, i: &usize) -> &str {
        [
            &self.count_0,
            &self.count_1,
            &self.count_2,
            &self.count_3,
            &self.count_4,
            &self.count_5,
            &self.count_6,
            &self.count_7,
            &self.count_8,
            &self.count_9,
        ][(*i).min(9)]
    }
}

/// Where the signed-in user stands on a ballot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Standing {
    Anonymous,
    NotElector,
    /// Outside the electorate, with the reason's message key (not linked to the roster, …).
    Refused(&'static str),
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
    /// One card per option, with its description, photo and estimated cost.
    cards: Vec<super::options::Card>,
    /// Whether the cards have more than names (then everyone sees them, not only voters).
    detailed: bool,
    rule_words: Vec<String>,
    standing: Standing,
    /// Who may cast the household's vote: the 户代表's name, or empty for any adult member.
    household_note: Option<String>,
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
    /// Those signed in on the hall's register (a meeting in the hall from the roster).
    signed_in: Option<u64>,
}

impl BallotPage {
    /// Whether the voting form is on the page.
    fn voting(&self) -> bool {
        self.ballot.takes_online() && self.ballot.is_open() && self.standing == Standing::MayVote
    }

    /// Whether the form for what the hall counted is on the page.
    fn hall_form_shown(&self) -> bool {
        self.ballot.has_hall() && self.can_manage && self.ballot.is_open() && !self.pending
    }

    /// The fields whose messages the page prints beside them (and the forms whose messages
    /// it prints at their top); any other message goes in the box at the top of the page.
    fn at_fields(&self) -> Vec<&'static str> {
        let mut shown = Vec::new();
        if self.voting() {
            shown.push("choice");
        }
        if self.ballot.takes_online() && self.ballot.is_open() {
            shown.push("vote");
        }
        if self.hall_form_shown() {
            shown.extend(["hall", "present", "households_present"]);
            shown.extend(super::hall::COUNT_FIELDS);
        }
        shown
    }
}

pub struct HallView {
    r: HallResult,
    recorder: String,
    decider: String,
    counts: Vec<(String, u64)>,
}

/// What a ballot page shows besides what it loads.
pub struct BallotView {
    pub errors: FieldErrors,
    pub notice: Option<String>,
    /// The tracker on the voter's form (its seal checked), kept when the form comes back
    /// with an error so that the code the voter copied stays theirs.
    pub tracker: Option<String>,
    pub voted_tracker: Option<String>,
    pub hall_form: HallForm,
}

impl BallotView {
    /// A view with nothing but `errors` (and the hall form as typed).
    pub fn refused(errors: FieldErrors, hall_form: HallForm) -> BallotView {
        BallotView {
            errors,
            notice: None,
            tracker: None,
            voted_tracker: None,
            hall_form,
        }
    }
}

/// Loads a ballot for a page, closing it first if its time is up so that the first
/// request after the closing time sees the decision; with its latest decision's id.
pub async fn load_ballot(
    state: &AppState,
    community_id: i64,
    id: i64,
) -> Result<(Ballot, Option<i64>), AppError> {
    let now = state.clock.now();
    state
        .db(move |conn| service::load_closing_if_due(conn, community_id, id, now))
        .await
}

/// What the ballot page reads besides the ballot.
struct BallotRows {
    item_title: String,
    standing: Standing,
    voter_key: Option<i64>,
    /// On a household ballot from the roster: who may cast the reader's household's vote.
    household_note: Option<String>,
    hall: Vec<HallResult>,
    names: Vec<(i64, String)>,
    signed_in: Option<u64>,
    details: Vec<super::options::Detail>,
}

/// Where user `me` stands on ballot `b`, and the key their vote counts under.
fn standing(
    conn: &mut AnyConnection,
    b: &Ballot,
    me: Option<i64>,
) -> Result<(Standing, Option<i64>), AppError> {
    let Some(u) = me else {
        return Ok((Standing::Anonymous, None));
    };
    let v = match model::voter_on(conn, b, u)? {
        Ok(v) => v,
        Err(rules::VoteRefusal::NotElector) => return Ok((Standing::NotElector, None)),
        Err(why) => return Ok((Standing::Refused(why.message_key()), None)),
    };
    if !model::has_voted(conn, b.id, v.key)? {
        // Signed in at the hall: counted there, so no online form.
        if let (true, Some(p)) = (b.is_mixed(), v.person) {
            if super::attendance::via(conn, b.id, p)?.as_deref() == Some(model::HALL) {
                return Ok((Standing::Refused("ballots.err_signed_in_hall"), None));
            }
        }
        return Ok((Standing::MayVote, Some(v.key)));
    }
    let standing = match (b.body(), v.household) {
        (Body::Households, Some(h)) => {
            Standing::HouseholdVoted(model::household_vote(conn, b.id, h)?.unwrap_or_default())
        }
        _ => Standing::Voted,
    };
    Ok((standing, Some(v.key)))
}

fn load_rows(
    conn: &mut AnyConnection,
    b: &Ballot,
    me: Option<i64>,
) -> Result<BallotRows, AppError> {
    let item_title = agenda::find(conn, b.community_id, b.item_id)?
        .map(|i| i.title)
        .unwrap_or_default();
    let (standing, voter_key) = standing(conn, b, me)?;
    let household_note = match (b.roll && b.body() == Body::Households, me) {
        (true, Some(u)) => match model::person_of(conn, b.community_id, u)? {
            Some((_, h)) => Some(model::household_representative(conn, h)?.unwrap_or_default()),
            None => None,
        },
        _ => None,
    };
    let hall = model::hall_results_of(conn, b.id)?;
    let ids: Vec<i64> = hall
        .iter()
        .flat_map(|r| [Some(r.recorded_by), r.decided_by])
        .flatten()
        .collect();
    let names = crate::accounts::model::names(conn, &ids)?;
    let signed_in = if b.has_hall() && b.roll {
        Some(super::attendance::signed_in(conn, b.id)?)
    } else {
        None
    };
    let details = super::options::of_ballot(conn, b.id)?;
    Ok(BallotRows {
        signed_in,
        details,
        item_title,
        standing,
        voter_key,
        household_note,
        hall,
        names,
    })
}

/// The meeting results with their people's names and counts labelled.
fn hall_views(rows: Vec<HallResult>, names: &[(i64, String)], labels: &[String]) -> Vec<HallView> {
    let name_of = |id: Option<i64>| {
        id.and_then(|i| names.iter().find(|(n, _)| *n == i).map(|(_, s)| s.clone()))
            .unwrap_or_default()
    };
    rows.into_iter()
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
        .collect()
}

/// A ballot page being answered: who asks, where, about which ballot.
pub struct OnBallot {
    pub ctx: Ctx,
    pub community: Community,
    pub actor: Actor,
    pub ballot: Ballot,
}

pub async fn ballot_page(
    state: &AppState,
    on: OnBallot,
    view: BallotView,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let OnBallot {
        ctx,
        community,
        actor,
        ballot,
    } = on;
    let me = ctx.user_id();
    let b = ballot.clone();
    let rows = state.db(move |conn| load_rows(conn, &b, me)).await?;
    let labels = words::labels(&ctx, &ballot.options);
    let cards = super::options::cards(&labels, &rows.details);
    let pending = rows.hall.iter().any(|r| r.state == model::PENDING);
    let hall = hall_views(rows.hall, &rows.names, &labels);
    let tracker = view.tracker.unwrap_or_else(tracker::generate);
    // Only a voter gets a sealed code; anyone else's form would be refused anyway.
    let tracker_seal = match (ballot.secret, rows.voter_key) {
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
            item_title: rows.item_title,
            labels,
            detailed: super::options::any_details(&cards),
            cards,
            rule_words,
            standing: rows.standing,
            household_note: rows.household_note,
            hall,
            pending,
            me: me.unwrap_or(0),
            errors: view.errors,
            notice: view.notice,
            voted_tracker: view.voted_tracker.map(|t| tracker::grouped(&t)),
            hall_form: view.hall_form,
            signed_in: rows.signed_in,
        },
    )
}
