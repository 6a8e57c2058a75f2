//! Ballots and decisions: opening with a frozen electorate, secret ballots with tracker
//! codes, households, roll calls, meeting results with four eyes, closing by the clock,
//! the published board, and races on the one-vote rule.

use diesel::connection::SimpleConnection;

use crate::both;
use crate::common::ballots::{
    count_rows, deliberating_item, form_of, members_on_the_roster, no_household_representatives,
    open_ballot, race_setup, sealed_tracker, IN_TWO_DAYS,
};
use crate::common::page::{ids_with_prefix, inner_by_id, number_by_id, text_by_id};
use crate::common::{spawn_app, steps, voters, Backend, Client, Demo, TestApp};

/// The second committee member of 柳塘村 (the demo's members have consecutive numbers).
fn second_member(demo: &Demo) -> String {
    let first: u64 = demo.contact("committee").parse().expect("phone");
    (first + 1).to_string()
}

/// A ballot of 柳塘村, open until `IN_TWO_DAYS`, on a new item in deliberation.
struct OpenBallot {
    app: TestApp,
    demo: Demo,
    committee: Client,
    item: String,
    ballot: String,
}

/// The demo, and a ballot of `body` in `mode` (with the form's `extra` fields) on a new
/// item titled `title`.
async fn a_ballot_with(
    backend: Backend,
    title: &str,
    (body, mode): (&str, &str),
    extra: &[(&str, &str)],
) -> OpenBallot {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    members_on_the_roster(&app).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = deliberating_item(&committee, title).await;
    let mut fields = vec![("body", body), ("mode", mode), ("closes_at", IN_TWO_DAYS)];
    fields.extend_from_slice(extra);
    let ballot = open_ballot(&committee, &item, &fields).await;
    OpenBallot {
        app,
        demo,
        committee,
        item,
        ballot,
    }
}

/// The demo, and a ballot of `body` in `mode` on a new item titled `title`.
async fn a_ballot(backend: Backend, title: &str, body: &str, mode: &str) -> OpenBallot {
    a_ballot_with(backend, title, (body, mode), &[]).await
}

/// A residents' secret ballot, online.
async fn a_secret_ballot(backend: Backend) -> OpenBallot {
    a_ballot(backend, "村集体收入用于修建文化广场", "residents", "online").await
}

/// Votes as `voter` with the tracker on their form; returns the tracker.
async fn vote_with_tracker(voter: &Client, ballot: &str, choice: &str) -> String {
    let (tracker, seal) = sealed_tracker(&voter.get(ballot).await.body);
    let r = voter
        .post(
            &format!("{ballot}/vote"),
            &[
                ("choice", choice),
                ("tracker", &tracker),
                ("tracker_seal", &seal),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("你的票已经记录"), "{}", r.body);
    tracker
}

/// The secret ballot after the resident voted 同意 and the representative 反对, three days
/// on (past its closing time); returns the resident's tracker and the decision's path.
async fn a_closed_secret_ballot(backend: Backend) -> (OpenBallot, String, String) {
    let b = a_secret_ballot(backend).await;
    let resident = b.app.signed_in(&b.demo.contact("resident")).await;
    let tracker = vote_with_tracker(&resident, &b.ballot, "0").await;
    let rep = b.app.signed_in(&b.demo.contact("representative")).await;
    vote_with_tracker(&rep, &b.ballot, "1").await;
    b.app.clock.advance(chrono::Duration::days(3));
    let r = b.app.client().get(&b.ballot).await;
    assert_eq!(r.status, 303, "a closed ballot leads to its decision");
    let decision = r.location().to_string();
    (b, tracker, decision)
}

async fn a_ballot_with_one_option_or_a_past_closing_is_refused_with_the_input_kept(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    members_on_the_roster(&app).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = deliberating_item(&committee, "村集体收入用于修建文化广场").await;

    let bad = committee
        .post(
            &format!("{item}/ballots"),
            &[
                ("body", "residents"),
                ("mode", "online"),
                ("options", "只有一个方案"),
                ("closes_at", "2020-01-01 08:00"),
            ],
        )
        .await;

    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("选项要有2到10个") && bad.body.contains("截止时间不对"));
    assert!(bad.body.contains("只有一个方案"), "what was typed is kept");
}
both!(a_ballot_with_one_option_or_a_past_closing_is_refused_with_the_input_kept);

async fn an_opened_ballot_fixes_its_electorate(backend: Backend) {
    let b = a_secret_ballot(backend).await;

    let latecomer = b.app.bulk_voters("liutang", 1).await.remove(0);

    assert!(b.app.client().get(&b.item).await.body.contains("表决中"));
    let page = latecomer.get(&b.ballot).await;
    assert!(
        page.body.contains("名单在表决开始时固定"),
        "verified after the ballot opened: not in its electorate"
    );
}
both!(an_opened_ballot_fixes_its_electorate);

async fn a_vote_is_recorded_once_with_its_tracker_as_the_receipt(backend: Backend) {
    let b = a_secret_ballot(backend).await;
    let resident = b.app.signed_in(&b.demo.contact("resident")).await;
    let page = resident.get(&b.ballot).await;
    assert!(page.body.contains("你的核验码") && page.body.contains("过半数"));
    let (tracker, seal) = sealed_tracker(&page.body);
    let form = [
        ("choice", "0"),
        ("tracker", tracker.as_str()),
        ("tracker_seal", seal.as_str()),
    ];

    let voted = resident.post(&format!("{}/vote", b.ballot), &form).await;
    let again = resident.post(&format!("{}/vote", b.ballot), &form).await;

    assert_eq!(voted.status, 200, "{}", voted.body);
    assert!(voted.body.contains("你的票已经记录"));
    assert!(
        voted.body.contains(&tracker[..4]),
        "the receipt repeats the tracker"
    );
    assert_eq!(again.status, 200, "the same form again is not an error");
    assert!(again.body.contains("已经记录过了"));
    assert_eq!(number_by_id(&again.body, "cast-count"), 1, "counted once");
}
both!(a_vote_is_recorded_once_with_its_tracker_as_the_receipt);

async fn votes_outside_the_electorate_options_or_trackers_are_refused(backend: Backend) {
    let b = a_secret_ballot(backend).await;
    let vote = format!("{}/vote", b.ballot);
    let t = yishi::ballots::tracker::generate();
    let outsider = b.app.signed_in(&b.demo.contact("unverified")).await;
    let rep = b.app.signed_in(&b.demo.contact("representative")).await;

    let not_a_voter = outsider
        .post(&vote, &[("choice", "0"), ("tracker", &t)])
        .await;
    let no_such_option = rep.post(&vote, &[("choice", "7"), ("tracker", &t)]).await;
    let bad_tracker = rep
        .post(&vote, &[("choice", "1"), ("tracker", "ABC")])
        .await;

    assert_eq!(not_a_voter.status, 422);
    assert!(
        not_a_voter.body.contains("你的账号还没有和村民名册关联"),
        "an account linked to nobody on the roster does not vote"
    );
    assert_eq!(no_such_option.status, 422);
    assert!(no_such_option.body.contains("请选择一项再投票"));
    assert_eq!(bad_tracker.status, 422);
    assert!(bad_tracker.body.contains("核验码不对"));
    assert_eq!(
        number_by_id(&bad_tracker.body, "cast-count"),
        0,
        "nothing recorded"
    );
    assert_eq!(count_rows(&b.app, "ballot_voters", &b.ballot).await, 0);
}
both!(votes_outside_the_electorate_options_or_trackers_are_refused);

async fn after_the_closing_time_a_vote_is_refused(backend: Backend) {
    let b = a_secret_ballot(backend).await;
    b.app.clock.advance(chrono::Duration::days(3));
    let supervisor = b.app.signed_in(&b.demo.contact("supervisor")).await;
    let late = yishi::ballots::tracker::generate();

    let r = supervisor
        .post(
            &format!("{}/vote", b.ballot),
            &[("choice", "0"), ("tracker", &late)],
        )
        .await;

    assert_eq!(r.status, 422);
    assert!(r.body.contains("表决已经结束"));
}
both!(after_the_closing_time_a_vote_is_refused);

async fn a_closed_ballot_publishes_its_decision_with_the_quorum_and_counts(backend: Backend) {
    let (b, _, decision) = a_closed_secret_ballot(backend).await;

    let page = b.app.client().get(&decision).await;
    let json: serde_json::Value = serde_json::from_str(
        &b.app
            .client()
            .get(&format!("{decision}/decision.json"))
            .await
            .body,
    )
    .expect("JSON");

    assert!(decision.contains("/decisions/"));
    assert!(page.body.contains("未达法定人数"), "2 of ~120 is no quorum");
    assert!(page.body.contains("票面共 2 行，参加投票 2 人"));
    assert!(page.body.contains("到会："));
    assert_eq!(json["board"].as_array().map(Vec::len), Some(2));
    assert_eq!(json["verdict"], "no_quorum");
    assert_eq!(json["counts"], serde_json::json!([1, 1, 0]));
}
both!(a_closed_ballot_publishes_its_decision_with_the_quorum_and_counts);

async fn the_published_board_finds_a_voters_tracker_and_exports_as_csv(backend: Backend) {
    let (b, tracker, decision) = a_closed_secret_ballot(backend).await;
    let c = b.app.client();

    let found = c
        .get(&format!(
            "{decision}?tracker={}",
            &tracker[..6].to_lowercase()
        ))
        .await;
    let missing = c.get(&format!("{decision}?tracker=0000")).await;
    let (status, _, csv) = c.get_bytes(&format!("{decision}/board.csv")).await;

    assert!(found
        .body
        .contains(&yishi::ballots::tracker::grouped(&tracker)));
    assert!(found.body.contains("同意"));
    assert!(missing.body.contains("没有找到这串核验码") || missing.body.contains("<code>0000-"));
    assert_eq!(status, 200);
    assert_eq!(String::from_utf8_lossy(&csv).lines().count(), 3);
}
both!(the_published_board_finds_a_voters_tracker_and_exports_as_csv);

async fn a_decision_moves_its_item_and_tells_the_followers(backend: Backend) {
    let (b, _, _) = a_closed_secret_ballot(backend).await;

    let item = b.app.client().get(&b.item).await;
    let inbox = b.committee.get("/inbox").await;

    assert!(item.body.contains("未达法定人数"));
    assert!(
        inbox.body.contains("表决因参加人数不足无效"),
        "followers are told"
    );
}
both!(a_decision_moves_its_item_and_tells_the_followers);

async fn a_published_decision_and_its_board_cannot_be_changed_in_the_database(backend: Backend) {
    let (b, _, _) = a_closed_secret_ballot(backend).await;
    let pool = yishi::db::connect(&b.app.db.url, 1).expect("connect");
    let mut conn = pool.get().expect("connection");

    let verdict = conn.batch_execute("UPDATE decisions SET verdict = 'passed'");
    let board = conn.batch_execute("DELETE FROM ballot_choices");

    assert!(verdict.is_err(), "published decisions are append-only");
    assert!(board.is_err(), "the board is append-only");
}
both!(a_published_decision_and_its_board_cannot_be_changed_in_the_database);

async fn a_household_casts_one_vote_that_its_members_see(backend: Backend) {
    let OpenBallot {
        app,
        demo,
        committee,
        ballot,
        ..
    } = a_ballot(backend, "一户一票：垃圾清运费标准", "households", "online").await;
    // No 户代表 named: either member may cast the household's vote.
    no_household_representatives(&app).await;
    // The first two committee members share the first household.
    let partner = app.signed_in(&second_member(&demo)).await;
    let page = committee.get(&ballot).await;
    let (t, seal) = sealed_tracker(&page.body);
    // The partner's form, fetched before the household votes.
    let (t2, seal2) = sealed_tracker(&partner.get(&ballot).await.body);
    let r = committee
        .post(
            &format!("{ballot}/vote"),
            &[("choice", "0"), ("tracker", &t), ("tracker_seal", &seal)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let seen = partner.get(&ballot).await;
    assert!(seen.body.contains("你家已由"), "{}", seen.body);
    let r = partner
        .post(
            &format!("{ballot}/vote"),
            &[("choice", "1"), ("tracker", &t2), ("tracker_seal", &seal2)],
        )
        .await;
    assert!(r.body.contains("已经记录过了"));
    assert_eq!(number_by_id(&r.body, "cast-count"), 1);
}
both!(a_household_casts_one_vote_that_its_members_see);

async fn a_vote_before_the_opening_is_refused(backend: Backend) {
    let OpenBallot {
        app, demo, ballot, ..
    } = a_ballot_with(
        backend,
        "明天开始的表决",
        ("residents", "online"),
        &[("opens_at", "2026-11-27 09:00")],
    )
    .await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let t = yishi::ballots::tracker::generate();
    let r = resident
        .post(
            &format!("{ballot}/vote"),
            &[("choice", "0"), ("tracker", &t)],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("表决还没有开始"));
    assert_eq!(number_by_id(&r.body, "cast-count"), 0);
    app.clock.advance(chrono::Duration::days(1));
    vote_with_tracker(&resident, &ballot, "0").await;
}
both!(a_vote_before_the_opening_is_refused);

async fn a_committee_roll_call_publishes_each_vote_by_name(backend: Backend) {
    let OpenBallot {
        app,
        demo,
        committee,
        ballot,
        ..
    } = a_ballot_with(
        backend,
        "明年保洁服务合同",
        ("committee", "online"),
        &[("options", "甲公司\n乙公司")],
    )
    .await;
    let page = committee.get(&ballot).await;
    assert!(
        !page.body.contains("你的核验码"),
        "a roll call has no tracker"
    );
    let first: u64 = demo.contact("committee").parse().expect("phone");
    for (k, choice) in ["0", "0", "1", "0"].iter().enumerate() {
        let member = app.signed_in(&(first + k as u64).to_string()).await;
        let r = member
            .post(&format!("{ballot}/vote"), &[("choice", choice)])
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    app.clock.advance(chrono::Duration::days(3));
    let r = app.client().get(&ballot).await;
    assert_eq!(r.status, 303);
    let page = app.client().get(r.location()).await;
    assert_eq!(
        text_by_id(&page.body, "verdict").as_deref(),
        Some("通过"),
        "3 of 5 members is a majority of all"
    );
    assert!(page.body.contains("全体5名委员的过半数 = 3票"));
    assert!(page.body.contains("记名表决情况"));
    let roll_call = inner_by_id(&page.body, "roll-call").expect("the roll call");
    assert_eq!(roll_call.matches("<td>甲公司</td>").count(), 3);
    assert!(
        page.body.contains("未投票"),
        "the fifth member is listed as not voting"
    );
}
both!(a_committee_roll_call_publishes_each_vote_by_name);

/// A representatives' meeting ballot, counted in the hall.
async fn a_hall_ballot(backend: Backend) -> OpenBallot {
    a_ballot(
        backend,
        "村民代表会议：道路养护分工",
        "representatives",
        "hall",
    )
    .await
}

/// The meeting's counts: 9 present of its 13 members (5 committee members and 8
/// representatives, art. 25: exactly the two thirds needed), 7 for, 1 against and 1
/// abstaining unless `against` and `abstain` say otherwise.
fn hall_counts<'a>(against: &'a str, abstain: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("present", "9"),
        ("households_present", "7"),
        ("count_0", "7"),
        ("count_1", against),
        ("count_2", abstain),
        ("minutes", "在村委会议室召开"),
    ]
}

/// The ids of the hall results shown on the ballot's page, oldest first.
async fn hall_results(client: &Client, ballot: &str) -> Vec<String> {
    ids_with_prefix(&client.get(ballot).await.body, "hall-result-")
}

/// The hall ballot with its counts recorded by the committee and confirmed by a second
/// member; returns the second member and the decision's path.
async fn a_confirmed_hall_result(backend: Backend) -> (OpenBallot, Client, String) {
    let h = a_hall_ballot(backend).await;
    h.committee
        .post_ok(&format!("{}/results", h.ballot), &hall_counts("1", "1"))
        .await;
    let rid = hall_results(&h.committee, &h.ballot).await.remove(0);
    let partner = h.app.signed_in(&second_member(&h.demo)).await;
    let decision = partner
        .post_ok(&format!("{}/results/{rid}/confirm", h.ballot), &[])
        .await;
    (h, partner, decision)
}

async fn hall_counts_that_do_not_add_up_are_refused_with_the_input_kept(backend: Backend) {
    let h = a_hall_ballot(backend).await;

    let bad = h
        .committee
        .post(&format!("{}/results", h.ballot), &hall_counts("1", "0"))
        .await;

    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("加起来要等于到会人数") && bad.body.contains("在村委会议室召开"));
}
both!(hall_counts_that_do_not_add_up_are_refused_with_the_input_kept);

async fn a_hall_result_waits_for_a_second_member_not_its_recorder(backend: Backend) {
    let h = a_hall_ballot(backend).await;
    h.committee
        .post_ok(&format!("{}/results", h.ballot), &hall_counts("1", "1"))
        .await;
    let page = h.committee.get(&h.ballot).await;
    let rid = hall_results(&h.committee, &h.ballot).await.remove(0);

    let own = h
        .committee
        .post(&format!("{}/results/{rid}/confirm", h.ballot), &[])
        .await;

    assert!(page.body.contains("待复核") && page.body.contains("需要另一名委员核对确认"));
    assert_eq!(own.status, 422);
    assert!(own.body.contains("录入的人不能自己确认"));
}
both!(a_hall_result_waits_for_a_second_member_not_its_recorder);

async fn a_hall_result_confirmed_by_a_second_member_is_published(backend: Backend) {
    let (h, _, decision) = a_confirmed_hall_result(backend).await;

    let page = h.app.client().get(&decision).await;

    assert_eq!(
        text_by_id(&page.body, "verdict").as_deref(),
        Some("通过"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("13名组成人员（委员和代表）的三分之二以上 = 9人；9人参加 — 达到"),
        "art. 26: two thirds of the committee members and representatives together"
    );
    assert!(page.body.contains("到会的9人的过半数 = 5票"));
    assert!(h.app.client().get(&h.item).await.body.contains("已通过"));
}
both!(a_hall_result_confirmed_by_a_second_member_is_published);

async fn the_supervisor_countersigns_a_decision_and_the_committee_cannot(backend: Backend) {
    let (h, _, decision) = a_confirmed_hall_result(backend).await;
    let supervisor = h.app.signed_in(&h.demo.contact("supervisor")).await;

    supervisor
        .post_ok(
            &format!("{decision}/countersign"),
            &[("note", "已核对计票单")],
        )
        .await;
    let by_committee = h
        .committee
        .post(&format!("{decision}/countersign"), &[])
        .await;

    assert!(h
        .app
        .client()
        .get(&decision)
        .await
        .body
        .contains("已核对计票单"));
    assert_eq!(by_committee.status, 403);
}
both!(the_supervisor_countersigns_a_decision_and_the_committee_cannot);

async fn a_correction_without_a_reason_is_refused(backend: Backend) {
    let (h, _, decision) = a_confirmed_hall_result(backend).await;

    let no_reason = h
        .committee
        .post(&format!("{decision}/correct"), &CORRECTED)
        .await;

    assert_eq!(no_reason.status, 422);
    assert!(no_reason.body.contains("请写明更正原因"));
}
both!(a_correction_without_a_reason_is_refused);

/// The corrected counts of the meeting: 4 for, 5 against.
const CORRECTED: [(&str, &str); 4] = [
    ("present", "9"),
    ("count_0", "4"),
    ("count_1", "5"),
    ("count_2", "0"),
];

async fn a_confirmed_correction_is_a_new_decision_naming_the_old(backend: Backend) {
    let (h, partner, decision) = a_confirmed_hall_result(backend).await;
    let mut fields = CORRECTED.to_vec();
    fields.push(("reason", "计票单第二页漏录，反对票实为5票"));
    h.committee
        .post_ok(&format!("{decision}/correct"), &fields)
        .await;
    let pending = h.committee.get(&h.ballot).await;
    let rid = hall_results(&h.committee, &h.ballot)
        .await
        .pop()
        .expect("the correction");

    let corrected = partner
        .post_ok(&format!("{}/results/{rid}/confirm", h.ballot), &[])
        .await;

    assert!(pending.body.contains("计票单第二页漏录"));
    let corrected = h.app.client().get(&corrected).await;
    assert!(corrected.body.contains("本决议更正了"));
    assert_eq!(
        text_by_id(&corrected.body, "verdict").as_deref(),
        Some("未通过")
    );
    let old = h.app.client().get(&decision).await;
    assert!(
        old.body.contains("这份决议已被更正"),
        "the old decision stays, marked"
    );
    assert!(h.app.client().get(&h.item).await.body.contains("未通过"));
}
both!(a_confirmed_correction_is_a_new_decision_naming_the_old);

async fn a_major_item_goes_to_the_vote_only_after_three_steps(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    members_on_the_roster(&app).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    // The demo's road item has 提议 and 商议 recorded, not 审议.
    let list = app.client().get("/c/liutang/items?q=道路").await;
    let id = ids_with_prefix(&list.body, "item-").remove(0);
    let r = committee
        .post(
            &format!("/c/liutang/items/{id}/ballots"),
            &[
                ("body", "residents"),
                ("mode", "hall"),
                ("closes_at", IN_TWO_DAYS),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("重大事项还要先记录提议、商议、审议三步"));
}
both!(a_major_item_goes_to_the_vote_only_after_three_steps);

/// 200 submissions of one voter at once, each from its own form (its own tracker).
async fn one_voter_many_times(app: &TestApp, ballot: &str, voter: &Client) -> i64 {
    let mut forms = Vec::new();
    for _ in 0..200 {
        forms.push(form_of(voter, ballot).await);
    }
    let mut set = tokio::task::JoinSet::new();
    for (token, t, seal) in forms {
        let (voter, path) = (voter.clone(), format!("{ballot}/vote"));
        set.spawn(async move {
            voter
                .post_raw(
                    &path,
                    &[
                        ("_csrf", &token),
                        ("choice", "0"),
                        ("tracker", &t),
                        ("tracker_seal", &seal),
                    ],
                    &[],
                )
                .await
                .status
        });
    }
    while let Some(status) = set.join_next().await {
        assert_eq!(
            status.expect("task"),
            200,
            "every submission gets a page, never an error"
        );
    }
    count_rows(app, "ballot_voters", ballot).await
}

async fn two_hundred_submissions_by_one_voter_record_one_ballot(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    members_on_the_roster(&app).await;
    let (ballot, voters) = race_setup(&app, 1).await;
    assert_eq!(one_voter_many_times(&app, &ballot, &voters[0]).await, 1);
    assert_eq!(count_rows(&app, "ballot_choices", &ballot).await, 1);
}
both!(two_hundred_submissions_by_one_voter_record_one_ballot);

/// The same race with the unique index dropped records many ballots: the index, not luck
/// or a check in the code, is what keeps it to one.
async fn without_the_unique_index_the_race_records_many(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    members_on_the_roster(&app).await;
    let (ballot, voters) = race_setup(&app, 1).await;
    let pool = yishi::db::connect(&app.db.url, 1).expect("connect");
    let mut conn = pool.get().expect("connection");
    // The vote's attendance row takes the same (ballot, person) key: drop both.
    conn.batch_execute("DROP INDEX ballot_voters_once; DROP INDEX ballot_attendance_once")
        .expect("drop the indexes");
    assert!(one_voter_many_times(&app, &ballot, &voters[0]).await > 1);
}
both!(without_the_unique_index_the_race_records_many);

async fn a_thousand_voters_at_once_give_a_board_of_a_thousand(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    members_on_the_roster(&app).await;
    let (ballot, voters) = race_setup(&app, 1000).await;
    let mut forms = Vec::new();
    for v in &voters {
        forms.push(form_of(v, &ballot).await);
    }
    // All at once, but at most 64 connections open together: a village server's listen
    // queue is not what this test is about.
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(64));
    let mut set = tokio::task::JoinSet::new();
    for (i, (voter, (token, t, seal))) in voters.into_iter().zip(forms).enumerate() {
        let path = format!("{ballot}/vote");
        let gate = gate.clone();
        set.spawn(async move {
            let _permit = gate.acquire_owned().await.expect("semaphore");
            let choice = (i % 3).to_string();
            voter
                .post_raw(
                    &path,
                    &[
                        ("_csrf", &token),
                        ("choice", &choice),
                        ("tracker", &t),
                        ("tracker_seal", &seal),
                    ],
                    &[],
                )
                .await
                .status
        });
    }
    while let Some(status) = set.join_next().await {
        assert_eq!(status.expect("task"), 200);
    }
    app.clock.advance(chrono::Duration::days(3));
    let r = app.client().get(&ballot).await;
    assert_eq!(r.status, 303);
    let page = app.client().get(r.location()).await;
    assert!(
        page.body.contains("票面共 1000 行，参加投票 1000 人"),
        "{}",
        &page.body[..2000.min(page.body.len())]
    );
    assert_eq!(count_rows(&app, "ballot_choices", &ballot).await, 1000);
}
both!(a_thousand_voters_at_once_give_a_board_of_a_thousand);

/// The closing job: run twice at once after the closing time (as two app servers would),
/// exactly one run closes the ballot and one decision is published.
async fn the_closing_job_publishes_exactly_one_decision(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    members_on_the_roster(&app).await;
    let (ballot, voters) = race_setup(&app, 3).await;
    for v in &voters {
        let page = v.get(&ballot).await;
        let (t, seal) = sealed_tracker(&page.body);
        let r = v
            .post(
                &format!("{ballot}/vote"),
                &[("choice", "0"), ("tracker", &t), ("tracker_seal", &seal)],
            )
            .await;
        assert_eq!(r.status, 200);
    }
    let at = yishi::clock::Clock::now(&*app.clock);
    let early = app
        .state
        .db(move |conn| yishi::ballots::jobs::close_due(conn, at))
        .await
        .expect("job");
    assert_eq!(early, 0, "nothing is due before the closing time");
    app.clock.advance(chrono::Duration::days(3));
    let now = yishi::clock::Clock::now(&*app.clock);
    let (a, b) = tokio::join!(
        app.state
            .db(move |conn| yishi::ballots::jobs::close_due(conn, now)),
        app.state
            .db(move |conn| yishi::ballots::jobs::close_due(conn, now)),
    );
    assert_eq!(a.expect("job a") + b.expect("job b"), 1);
    assert_eq!(count_rows(&app, "decisions", &ballot).await, 1);
    let r = app.client().get(&ballot).await;
    assert_eq!(r.status, 303);
    let page = app.client().get(r.location()).await;
    assert!(page.body.contains("票面共 3 行，参加投票 3 人"));
}
both!(the_closing_job_publishes_exactly_one_decision);

/// Opening a villagers' meeting on a roster of 10,000 more persons: one query reads the
/// roster, the pure rule picks the adults on the meeting day, the roll is written a
/// thousand rows a statement. Prints the time the opening request took.
async fn opening_on_a_roster_of_ten_thousand_freezes_its_adults(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let now = yishi::clock::Clock::now(&*app.clock);
    let day = yishi::clock::local_day(now);
    let big = app
        .state
        .db(move |conn| voters::big_roster(conn, "liutang", 10_000, day, now))
        .await
        .expect("a big roster");
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = deliberating_item(&committee, "万人名册上的村民会议").await;

    let started = std::time::Instant::now();
    let ballot = open_ballot(
        &committee,
        &item,
        &[
            ("body", "residents"),
            ("mode", "online"),
            ("closes_at", IN_TWO_DAYS),
        ],
    )
    .await;
    let took = started.elapsed();

    println!(
        "opening a villagers' meeting on a roster of 10,000 more persons ({backend:?}): {took:?}"
    );
    let roll = count_rows(&app, "ballot_roll", &ballot).await;
    assert!(
        roll as usize > big,
        "the demo's adults and the {big} new ones"
    );
    let page = committee.get(&format!("{ballot}/electorate")).await;
    assert_eq!(page.status, 200);
    let moved = steps::count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM ballot_roll r JOIN persons p ON p.id = r.person_id \
             WHERE r.ballot_id = {} AND (p.status <> 'listed' OR p.birth_date > '2008-11-26')",
            ballot.rsplit('/').next().unwrap_or("0")
        ),
    )
    .await;
    assert_eq!(moved, 0, "nobody moved away or under 18 is on the roll");
}
both!(opening_on_a_roster_of_ten_thousand_freezes_its_adults);

/// Unlinks the account `contact` from the roster of 柳塘村; returns the account's id.
async fn unlink(app: &TestApp, contact: &str) -> i64 {
    let user = steps::count_sql(
        app,
        format!("SELECT id AS n FROM users WHERE phone = '{contact}' OR email = '{contact}'"),
    )
    .await;
    steps::query(app, move |conn| {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!(
            "UPDATE persons SET user_id = NULL WHERE user_id = {user}"
        ))
        .execute(conn)
    })
    .await;
    user
}

both!(an_unlinked_account_votes_in_a_consultation_but_not_in_a_statutory_ballot);
async fn an_unlinked_account_votes_in_a_consultation_but_not_in_a_statutory_ballot(
    backend: Backend,
) {
    let b = a_secret_ballot(backend).await;
    unlink(&b.app, &b.demo.contact("resident")).await;
    let resident = b.app.signed_in(&b.demo.contact("resident")).await;
    let consultation = deliberating_item(&b.committee, "意见征集：村口路灯的样式").await;
    let consultation = open_ballot(
        &b.committee,
        &consultation,
        &[
            ("body", "consultation"),
            ("mode", "online"),
            ("closes_at", IN_TWO_DAYS),
        ],
    )
    .await;

    let page = resident.get(&b.ballot).await;
    assert!(
        page.body.contains("你的账号还没有和村民名册关联"),
        "{}",
        page.body
    );
    let statutory = resident
        .post(&format!("{}/vote", b.ballot), &[("choice", "0")])
        .await;
    assert_ne!(statutory.status, 500, "{}", statutory.body);
    assert_eq!(count_rows(&b.app, "ballot_voters", &b.ballot).await, 0);

    vote_with_tracker(&resident, &consultation, "0").await;
    assert_eq!(count_rows(&b.app, "ballot_voters", &consultation).await, 1);
}

both!(a_representatives_meeting_freezes_the_persons_of_committee_and_representatives);
async fn a_representatives_meeting_freezes_the_persons_of_committee_and_representatives(
    backend: Backend,
) {
    let b = a_ballot(backend, "代表会议：修缮祠堂", "representatives", "online").await;
    let id = b.ballot.rsplit('/').next().unwrap_or("0").to_string();

    let roll = count_rows(&b.app, "ballot_roll", &b.ballot).await;
    let members = steps::count_sql(
        &b.app,
        "SELECT COUNT(DISTINCT p.id) AS n FROM memberships m JOIN communities c ON \
         c.id = m.community_id JOIN persons p ON p.user_id = m.user_id AND p.community_id = c.id \
         WHERE c.slug = 'liutang' AND m.role IN ('committee', 'representative')"
            .into(),
    )
    .await;
    assert!(members > 0);
    assert_eq!(roll, members, "exactly committee ∪ representatives");
    let others = steps::count_sql(
        &b.app,
        format!(
            "SELECT COUNT(*) AS n FROM ballot_roll r JOIN persons p ON p.id = r.person_id \
             WHERE r.ballot_id = {id} AND p.user_id NOT IN (SELECT user_id FROM memberships \
             WHERE role IN ('committee', 'representative') AND community_id = p.community_id)"
        ),
    )
    .await;
    assert_eq!(others, 0, "nobody else on the roll");
    let accounts = count_rows(&b.app, "ballot_electors", &b.ballot).await;
    assert_eq!(accounts, 0, "persons are frozen, not accounts");

    unlink(&b.app, &second_member(&b.demo)).await;
    let item = deliberating_item(&b.committee, "代表会议：村道绿化").await;
    crate::common::ballots::noticed(&b.committee, &item, "representatives").await;
    let r = b
        .committee
        .post(
            &format!("{item}/ballots"),
            &[
                ("body", "representatives"),
                ("mode", "online"),
                ("closes_at", IN_TWO_DAYS),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("以下成员的账号还没有关联名册"),
        "{}",
        r.body
    );
}

both!(art_25_26_a_representative_gone_by_the_meeting_day_is_not_in_its_roll_nor_its_base);
async fn art_25_26_a_representative_gone_by_the_meeting_day_is_not_in_its_roll_nor_its_base(
    backend: Backend,
) {
    use yishi::clock::Clock;
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    members_on_the_roster(&app).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let members_sql = "SELECT COUNT(DISTINCT p.id) AS n FROM memberships m JOIN communities c ON \
         c.id = m.community_id JOIN persons p ON p.user_id = m.user_id AND p.community_id = c.id \
         WHERE c.slug = 'liutang' AND m.role IN ('committee', 'representative')";
    let members = steps::count_sql(&app, members_sql.into()).await;
    let gone = steps::count_sql(
        &app,
        "SELECT MIN(p.id) AS n FROM memberships m JOIN communities c ON c.id = m.community_id \
         JOIN persons p ON p.user_id = m.user_id AND p.community_id = c.id \
         WHERE c.slug = 'liutang' AND m.role = 'representative'"
            .into(),
    )
    .await;
    let name = steps::query(&app, move |conn| {
        use diesel::prelude::*;
        use yishi::schema::persons;
        persons::table
            .find(gone)
            .select(persons::name)
            .first::<String>(conn)
    })
    .await;
    // Moved away today, the day the meeting is held: gone on the day is gone.
    let today = yishi::clock::local_day(app.clock.now()).to_string();
    committee
        .post_ok(
            &format!("/c/liutang/roster/persons/{gone}/status"),
            &[
                ("status", "moved"),
                ("status_date", &today),
                ("note", "到深圳定居"),
            ],
        )
        .await;

    let page = committee.get("/c/liutang/residents").await;
    let to_replace = inner_by_id(&page.body, "to-replace").expect("a 需要补选 section");
    assert!(to_replace.contains("需要补选 (1)"), "{to_replace}");
    assert!(
        to_replace.contains(&name) && to_replace.contains("已迁出"),
        "{to_replace}"
    );

    let item = deliberating_item(&committee, "代表会议：修缮祠堂").await;
    let ballot = open_ballot(
        &committee,
        &item,
        &[
            ("body", "representatives"),
            ("mode", "online"),
            ("closes_at", IN_TWO_DAYS),
        ],
    )
    .await;
    let id = ballot.rsplit('/').next().unwrap_or("0").to_string();
    assert_eq!(count_rows(&app, "ballot_roll", &ballot).await, members - 1);
    let on_roll = steps::count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM ballot_roll WHERE ballot_id = {id} AND person_id = {gone}"
        ),
    )
    .await;
    assert_eq!(
        on_roll, 0,
        "the representative who moved away is not on the roll"
    );
    let base = steps::count_sql(
        &app,
        format!("SELECT electorate AS n FROM ballots WHERE id = {id}"),
    )
    .await;
    assert_eq!(base, members - 1, "nor counted in the quorum's base");
}
