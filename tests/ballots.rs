//! Ballots and decisions: opening with a frozen electorate, secret ballots with tracker
//! codes, households, roll calls, meeting results with four eyes, closing by the clock,
//! the published board, and races on the one-vote rule.

use diesel::connection::SimpleConnection;

use crate::both;
use crate::common::{spawn_app, Backend, Client, Demo, TestApp};

/// The second committee member of 柳塘村 (the demo's members have consecutive numbers).
fn second_member(demo: &Demo) -> String {
    let first: u64 = demo.contact("committee").parse().expect("phone");
    (first + 1).to_string()
}

/// Puts an item on the agenda as the committee and opens it for deliberation; returns
/// its path.
pub(crate) async fn deliberating_item(committee: &Client, title: &str) -> String {
    let r = committee
        .post(
            "/c/liutang/items",
            &[("title", title), ("body", "说明"), ("category", "economy")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let path = r.location().to_string();
    let r = committee
        .post(&format!("{path}/stage"), &[("to", "deliberating")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    path
}

/// Opens a ballot; returns the ballot's path.
pub(crate) async fn open_ballot(committee: &Client, item: &str, fields: &[(&str, &str)]) -> String {
    let r = committee.post(&format!("{item}/ballots"), fields).await;
    assert_eq!(r.status, 303, "opening a ballot: {}", r.body);
    r.location().to_string()
}

use crate::ballot_trackers::sealed_tracker;

fn count_in(html: &str, id: &str) -> i64 {
    let marker = format!("id=\"{id}\">");
    let at = html.find(&marker).expect(id) + marker.len();
    html[at..]
        .split('<')
        .next()
        .and_then(|s| s.trim().parse().ok())
        .expect("a number")
}

/// Two days after the test clock starts (2026-11-26 09:00 Beijing time).
pub(crate) const IN_TWO_DAYS: &str = "2026-11-28 12:00";

async fn a_secret_ballot_runs_from_opening_to_a_published_board(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = deliberating_item(&committee, "村集体收入用于修建文化广场").await;

    // Bad input: a single named option, a closing time in the past.
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
    assert!(bad.body.contains("选项要有2到10个") && bad.body.contains("时间不对"));
    assert!(bad.body.contains("只有一个方案"), "what was typed is kept");

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
    assert!(app.client().get(&item).await.body.contains("表决中"));
    // Verified after the ballot opened: not in its electorate.
    let latecomer = app.bulk_voters("liutang", 1).await.remove(0);
    let page = latecomer.get(&ballot).await;
    assert!(page.body.contains("名单在表决开始时固定"));

    // A resident votes with the tracker shown on the form.
    let resident = app.signed_in(&demo.contact("resident")).await;
    let page = resident.get(&ballot).await;
    assert!(page.body.contains("你的核验码") && page.body.contains("过半数"));
    let (tracker, seal) = sealed_tracker(&page.body);
    let form = [
        ("choice", "0"),
        ("tracker", tracker.as_str()),
        ("tracker_seal", seal.as_str()),
    ];
    let voted = resident.post(&format!("{ballot}/vote"), &form).await;
    assert_eq!(voted.status, 200, "{}", voted.body);
    assert!(voted.body.contains("你的票已经记录"));
    assert!(
        voted.body.contains(&tracker[..4]),
        "the receipt repeats the tracker"
    );
    // The same form again: "already recorded", not an error, and counted once.
    let again = resident.post(&format!("{ballot}/vote"), &form).await;
    assert_eq!(again.status, 200);
    assert!(again.body.contains("已经记录过了"));
    assert_eq!(count_in(&again.body, "cast-count"), 1);

    // Outside the electorate, an unknown option, a bad tracker: refused, nothing recorded.
    let outsider = app.signed_in(&demo.contact("unverified")).await;
    let t = yishi::ballots::tracker::generate();
    let r = outsider
        .post(
            &format!("{ballot}/vote"),
            &[("choice", "0"), ("tracker", &t)],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("不在本次表决的投票人名单"));
    let rep = app.signed_in(&demo.contact("representative")).await;
    let r = rep
        .post(
            &format!("{ballot}/vote"),
            &[("choice", "7"), ("tracker", &t)],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请选一个选项"));
    let r = rep
        .post(
            &format!("{ballot}/vote"),
            &[("choice", "1"), ("tracker", "ABC")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("核验码不对"));
    assert_eq!(count_in(&r.body, "cast-count"), 1);
    let (t, seal) = sealed_tracker(&rep.get(&ballot).await.body);
    let r = rep
        .post(
            &format!("{ballot}/vote"),
            &[("choice", "1"), ("tracker", &t), ("tracker_seal", &seal)],
        )
        .await;
    assert_eq!(r.status, 200);

    // While open, only the count is public; after the closing time a vote is refused and
    // the first request publishes the decision.
    app.clock.advance(chrono::Duration::days(3));
    let late = yishi::ballots::tracker::generate();
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let r = supervisor
        .post(
            &format!("{ballot}/vote"),
            &[("choice", "0"), ("tracker", &late)],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("表决已经结束"));
    let r = app.client().get(&ballot).await;
    assert_eq!(r.status, 303, "a closed ballot leads to its decision");
    let decision = r.location().to_string();
    assert!(decision.contains("/decisions/"));
    let page = app.client().get(&decision).await;
    assert!(page.body.contains("未达法定人数"), "2 of ~120 is no quorum");
    assert!(page.body.contains("票面共 2 行，参加投票 2 人"));
    assert!(page.body.contains("到会："));
    let found = app
        .client()
        .get(&format!(
            "{decision}?tracker={}",
            &tracker[..6].to_lowercase()
        ))
        .await;
    assert!(found
        .body
        .contains(&yishi::ballots::tracker::grouped(&tracker)));
    assert!(found.body.contains("同意"));
    let missing = app.client().get(&format!("{decision}?tracker=0000")).await;
    assert!(missing.body.contains("没有找到这串核验码") || missing.body.contains("<code>0000-"));
    let (status, _, csv) = app
        .client()
        .get_bytes(&format!("{decision}/board.csv"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(String::from_utf8_lossy(&csv).lines().count(), 3);
    let json: serde_json::Value = serde_json::from_str(
        &app.client()
            .get(&format!("{decision}/decision.json"))
            .await
            .body,
    )
    .expect("JSON");
    assert_eq!(json["board"].as_array().map(Vec::len), Some(2));
    assert_eq!(json["verdict"], "no_quorum");
    assert_eq!(json["counts"], serde_json::json!([1, 1, 0]));
    // The item moved, and the decision cannot be changed in the database.
    assert!(app.client().get(&item).await.body.contains("未达法定人数"));
    let inbox = committee.get("/inbox").await;
    assert!(
        inbox.body.contains("表决因参加人数不足无效"),
        "followers are told"
    );
    let pool = yishi::db::connect(&app.db.url, 1).expect("connect");
    let mut conn = pool.get().expect("connection");
    let tamper = conn.batch_execute("UPDATE decisions SET verdict = 'passed'");
    assert!(tamper.is_err(), "published decisions are append-only");
    let tamper = conn.batch_execute("DELETE FROM ballot_choices");
    assert!(tamper.is_err(), "the board is append-only");
}
both!(a_secret_ballot_runs_from_opening_to_a_published_board);

async fn a_household_casts_one_vote_that_its_members_see(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = deliberating_item(&committee, "一户一票：垃圾清运费标准").await;
    let ballot = open_ballot(
        &committee,
        &item,
        &[
            ("body", "households"),
            ("mode", "online"),
            ("closes_at", IN_TWO_DAYS),
        ],
    )
    .await;
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
    assert_eq!(count_in(&r.body, "cast-count"), 1);
}
both!(a_household_casts_one_vote_that_its_members_see);

async fn a_vote_before_the_opening_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = deliberating_item(&committee, "明天开始的表决").await;
    let ballot = open_ballot(
        &committee,
        &item,
        &[
            ("body", "residents"),
            ("mode", "online"),
            ("opens_at", "2026-11-27 09:00"),
            ("closes_at", IN_TWO_DAYS),
        ],
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
    assert_eq!(count_in(&r.body, "cast-count"), 0);
    app.clock.advance(chrono::Duration::days(1));
    let (t, seal) = sealed_tracker(&resident.get(&ballot).await.body);
    let r = resident
        .post(
            &format!("{ballot}/vote"),
            &[("choice", "0"), ("tracker", &t), ("tracker_seal", &seal)],
        )
        .await;
    assert_eq!(r.status, 200, "open now: {}", r.body);
}
both!(a_vote_before_the_opening_is_refused);

async fn a_committee_roll_call_publishes_each_vote_by_name(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = deliberating_item(&committee, "明年保洁服务合同").await;
    let ballot = open_ballot(
        &committee,
        &item,
        &[
            ("body", "committee"),
            ("mode", "online"),
            ("options", "甲公司\n乙公司"),
            ("closes_at", IN_TWO_DAYS),
        ],
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
    assert!(
        page.body.contains("id=\"verdict\">通过"),
        "3 of 5 members is a majority of all"
    );
    assert!(page.body.contains("全体5名委员的过半数 = 3票"));
    assert!(page.body.contains("记名表决情况"));
    let roll_call = page
        .body
        .split("id=\"roll-call\"")
        .nth(1)
        .expect("the roll call");
    assert_eq!(roll_call.matches("<td>甲公司</td>").count(), 3);
    assert!(
        page.body.contains("未投票"),
        "the fifth member is listed as not voting"
    );
}
both!(a_committee_roll_call_publishes_each_vote_by_name);

async fn a_hall_result_is_published_when_a_second_member_confirms(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = deliberating_item(&committee, "村民代表会议：道路养护分工").await;
    let ballot = open_ballot(
        &committee,
        &item,
        &[
            ("body", "representatives"),
            ("mode", "hall"),
            ("closes_at", IN_TWO_DAYS),
        ],
    )
    .await;
    // Counts that do not add up are refused, and what was typed is kept.
    let bad = committee
        .post(
            &format!("{ballot}/results"),
            &[
                ("present", "7"),
                ("households_present", "7"),
                ("count_0", "5"),
                ("count_1", "1"),
                ("count_2", "0"),
                ("minutes", "在村委会议室召开"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("加起来要等于到会人数") && bad.body.contains("在村委会议室召开"));
    let ok = committee
        .post(
            &format!("{ballot}/results"),
            &[
                ("present", "7"),
                ("households_present", "7"),
                ("count_0", "5"),
                ("count_1", "1"),
                ("count_2", "1"),
                ("minutes", "在村委会议室召开"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let page = committee.get(&ballot).await;
    assert!(page.body.contains("待复核") && page.body.contains("需要另一名委员核对确认"));
    let rid = page
        .body
        .split("/results/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("a pending result")
        .to_string();
    let own = committee
        .post(&format!("{ballot}/results/{rid}/confirm"), &[])
        .await;
    assert_eq!(own.status, 422);
    assert!(own.body.contains("录入的人不能自己确认"));
    let partner = app.signed_in(&second_member(&demo)).await;
    let r = partner
        .post(&format!("{ballot}/results/{rid}/confirm"), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let decision = r.location().to_string();
    let page = app.client().get(&decision).await;
    assert!(page.body.contains("id=\"verdict\">通过"), "{}", page.body);
    assert!(page
        .body
        .contains("8名代表的三分之二以上 = 6人；7人参加 — 达到"));
    assert!(page.body.contains("到会的7人的过半数 = 4票"));
    // The supervisor countersigns once.
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let r = supervisor
        .post(
            &format!("{decision}/countersign"),
            &[("note", "已核对计票单")],
        )
        .await;
    assert_eq!(r.status, 303);
    let page = app.client().get(&decision).await;
    assert!(page.body.contains("已核对计票单"));
    assert_eq!(
        committee
            .post(&format!("{decision}/countersign"), &[])
            .await
            .status,
        403
    );
    assert!(app.client().get(&item).await.body.contains("已通过"));

    // A correction is a new decision naming the old one, confirmed by a second member.
    let counts = [
        ("present", "7"),
        ("count_0", "3"),
        ("count_1", "4"),
        ("count_2", "0"),
    ];
    let no_reason = committee
        .post(&format!("{decision}/correct"), &counts)
        .await;
    assert_eq!(no_reason.status, 422);
    assert!(no_reason.body.contains("请写明更正原因"));
    let mut fields = counts.to_vec();
    fields.push(("reason", "计票单第二页漏录，反对票实为4票"));
    let r = committee
        .post(&format!("{decision}/correct"), &fields)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let pending = committee.get(&ballot).await;
    assert!(pending.body.contains("计票单第二页漏录"));
    let rid = pending
        .body
        .split("/results/")
        .filter_map(|s| s.split('/').next())
        .last()
        .expect("the correction")
        .to_string();
    let r = partner
        .post(&format!("{ballot}/results/{rid}/confirm"), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let corrected = app.client().get(r.location()).await;
    assert!(corrected.body.contains("本决议更正了"));
    assert!(corrected.body.contains("id=\"verdict\">未通过"));
    let old = app.client().get(&decision).await;
    assert!(
        old.body.contains("这份决议已被更正"),
        "the old decision stays, marked"
    );
    assert!(app.client().get(&item).await.body.contains("未通过"));
}
both!(a_hall_result_is_published_when_a_second_member_confirms);

async fn a_major_item_goes_to_the_vote_only_after_three_steps(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    // The demo's road item has 提议 and 商议 recorded, not 审议.
    let list = app.client().get("/c/liutang/items?q=道路").await;
    let at = list.body.find("/c/liutang/items/").expect("the road item");
    let id: String = list.body[at + 17..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
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

/// Opens a residents' ballot with `extra` new voters in the electorate.
pub(crate) async fn race_setup(app: &TestApp, extra: usize) -> (String, Vec<Client>) {
    let voters = app.bulk_voters("liutang", extra).await;
    let committee = app.client();
    let r = committee.sign_in("13810000002", "yishi-demo-2026").await;
    assert_eq!(r.status, 303);
    let item = deliberating_item(&committee, "并发投票").await;
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
    (ballot, voters)
}

pub(crate) async fn csrf_of(client: &Client, ballot: &str) -> String {
    crate::common::csrf_in(&client.get(ballot).await.body).expect("csrf")
}

/// The voting form of `ballot` as `client` gets it: (CSRF token, tracker, seal).
async fn form_of(client: &Client, ballot: &str) -> (String, String, String) {
    let body = client.get(ballot).await.body;
    let (tracker, seal) = sealed_tracker(&body);
    (crate::common::csrf_in(&body).expect("csrf"), tracker, seal)
}

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

/// Rows of `table` that belong to the ballot at `ballot` (a path ending in its id).
pub(crate) async fn count_rows(app: &TestApp, table: &'static str, ballot: &str) -> i64 {
    let id: i64 = ballot
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("ballot id");
    app.state
        .db(move |conn| {
            use diesel::RunQueryDsl;
            #[derive(diesel::QueryableByName)]
            struct N {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE ballot_id = {id}");
            let n: N = diesel::sql_query(sql).get_result(conn)?;
            Ok(n.n)
        })
        .await
        .expect("count")
}

async fn two_hundred_submissions_by_one_voter_record_one_ballot(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
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
    let (ballot, voters) = race_setup(&app, 1).await;
    let pool = yishi::db::connect(&app.db.url, 1).expect("connect");
    let mut conn = pool.get().expect("connection");
    conn.batch_execute("DROP INDEX ballot_voters_once")
        .expect("drop the index");
    assert!(one_voter_many_times(&app, &ballot, &voters[0]).await > 1);
}
both!(without_the_unique_index_the_race_records_many);

async fn a_thousand_voters_at_once_give_a_board_of_a_thousand(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
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
