//! Tracker codes are issued by the server, bound to one ballot and one voter (one household
//! on a household ballot): a code the voter chose, or one issued to someone else or for
//! another ballot, is refused and records nothing; the code on a form that comes back with
//! an error is still the voter's.

use crate::both;
use crate::common::ballots::{
    ballot_on_new_item, count_rows, members_on_the_roster, no_household_representatives,
    sealed_tracker, IN_TWO_DAYS,
};
use crate::common::{spawn_app, Backend, Client, Demo, TestApp};

/// A ballot of `body` on a new item of 柳塘村; returns the ballot's path.
async fn open_ballot(committee: &Client, title: &str, body: &str) -> String {
    ballot_on_new_item(committee, title, body, IN_TWO_DAYS).await
}

async fn vote(
    voter: &Client,
    ballot: &str,
    choice: &str,
    (code, seal): &(String, String),
) -> crate::common::Resp {
    voter
        .post(
            &format!("{ballot}/vote"),
            &[
                ("choice", choice),
                ("tracker", code),
                ("tracker_seal", seal),
            ],
        )
        .await
}

/// Votes recorded on the ballot at `ballot`, and rows on its board.
async fn recorded(app: &TestApp, ballot: &str) -> (i64, i64) {
    (
        count_rows(app, "ballot_voters", ballot).await,
        count_rows(app, "ballot_choices", ballot).await,
    )
}

const NOT_YOURS: &str = "这串核验码不是系统在本次表决中发给你的";
const ALREADY: &str = "已经记录过了";

async fn signed_in_all(app: &TestApp, demo: &Demo) -> (Client, Client, Client) {
    (
        app.signed_in(&demo.contact("committee")).await,
        app.signed_in(&demo.contact("resident")).await,
        app.signed_in(&demo.contact("representative")).await,
    )
}

async fn a_tracker_the_voter_chose_is_refused_and_records_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    members_on_the_roster(&app).await;
    let (committee, resident, _) = signed_in_all(&app, &demo).await;
    let ballot = open_ballot(&committee, "自选核验码", "residents").await;

    // All zeros, and a well-formed code the server never issued, with or without a seal.
    let zeros = ("0".repeat(28), String::new());
    let made_up = (yishi::ballots::tracker::generate(), "00".repeat(16));
    for forged in [&zeros, &made_up] {
        let r = vote(&resident, &ballot, "0", forged).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains(NOT_YOURS), "{}", r.body);
    }
    assert_eq!(recorded(&app, &ballot).await, (0, 0), "nothing recorded");

    // The code the server issued: a form that comes back with an error (no option chosen)
    // keeps it, still good for this voter, and the vote is recorded under it.
    let issued = sealed_tracker(&resident.get(&ballot).await.body);
    let r = vote(&resident, &ballot, "", &issued).await;
    assert_eq!(r.status, 422);
    let again = sealed_tracker(&r.body);
    assert_eq!(again, issued, "the code the voter copied is still theirs");
    let r = vote(&resident, &ballot, "0", &again).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r
        .body
        .contains(&yishi::ballots::tracker::grouped(&issued.0)));
    assert_eq!(recorded(&app, &ballot).await, (1, 1));
}
both!(a_tracker_the_voter_chose_is_refused_and_records_nothing);

async fn another_voters_or_another_ballots_tracker_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    members_on_the_roster(&app).await;
    let (committee, resident, rep) = signed_in_all(&app, &demo).await;
    let ballot = open_ballot(&committee, "第一次表决", "residents").await;
    let other = open_ballot(&committee, "第二次表决", "residents").await;
    let theirs = sealed_tracker(&resident.get(&ballot).await.body);

    // Another voter's valid pair, before and after its owner votes: refused, never "already
    // recorded" to someone who has not voted.
    let r = vote(&rep, &ballot, "1", &theirs).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains(NOT_YOURS));
    assert_eq!(vote(&resident, &ballot, "0", &theirs).await.status, 200);
    let r = vote(&rep, &ballot, "1", &theirs).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains(NOT_YOURS) && !r.body.contains(ALREADY));
    assert_eq!(recorded(&app, &ballot).await, (1, 1));

    // The owner's pair on another ballot: refused there too.
    let r = vote(&resident, &other, "0", &theirs).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains(NOT_YOURS));
    assert_eq!(recorded(&app, &other).await, (0, 0));

    // The representative votes with their own code.
    let own = sealed_tracker(&rep.get(&ballot).await.body);
    assert_eq!(vote(&rep, &ballot, "1", &own).await.status, 200);
    assert_eq!(recorded(&app, &ballot).await, (2, 2));
}
both!(another_voters_or_another_ballots_tracker_is_refused);

async fn a_household_tracker_belongs_to_the_household(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    members_on_the_roster(&app).await;
    // No 户代表 named: any adult member may cast the household's vote.
    no_household_representatives(&app).await;
    let (committee, resident, _) = signed_in_all(&app, &demo).await;
    let ballot = open_ballot(&committee, "一户一票：自来水改造", "households").await;
    // The first two committee members share a household; the resident is in another.
    let first: u64 = demo.contact("committee").parse().expect("phone");
    let partner = app.signed_in(&(first + 1).to_string()).await;
    let household = sealed_tracker(&committee.get(&ballot).await.body);

    let r = vote(&resident, &ballot, "1", &household).await;
    assert_eq!(r.status, 422, "another household's code: {}", r.body);
    assert!(r.body.contains(NOT_YOURS));
    assert_eq!(recorded(&app, &ballot).await, (0, 0));

    // The household's vote, cast by either member with the code issued to the household.
    let r = vote(&partner, &ballot, "0", &household).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(recorded(&app, &ballot).await, (1, 1));
}
both!(a_household_tracker_belongs_to_the_household);
