//! Meetings in the hall and online at once (线上线下结合): the hall's sign-in register and
//! the online votes share one (ballot, person) key, so each person is counted once; the
//! hall's paper count is added to the online count, and the decision shows both parts.

use diesel::connection::SimpleConnection;

use crate::both;
use crate::common::ballots::{
    ballot_id, count_rows, deliberating_item, form_of, members_on_the_roster, open_ballot,
    IN_TWO_DAYS,
};
use crate::common::page::{inner_by_id, text_by_id, text_of};
use crate::common::{spawn_app, steps, Backend, Client, Demo, TestApp};

/// A mixed villagers' meeting of 柳塘村 open until `IN_TWO_DAYS`, with `online` residents
/// (with accounts, on the roster) who may vote online.
struct Mixed {
    app: TestApp,
    demo: Demo,
    committee: Client,
    ballot: String,
    voters: Vec<Client>,
}

async fn a_mixed_meeting(backend: Backend, online: usize) -> Mixed {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let voters = app.bulk_voters("liutang", online).await;
    members_on_the_roster(&app).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = deliberating_item(&committee, "2027年工作计划（线上线下结合）").await;
    let ballot = open_ballot(
        &committee,
        &item,
        &[
            ("body", "residents"),
            ("mode", "mixed"),
            ("closes_at", IN_TWO_DAYS),
        ],
    )
    .await;
    Mixed {
        app,
        demo,
        committee,
        ballot,
        voters,
    }
}

/// The second committee member of 柳塘村 (the demo's members have consecutive numbers).
fn second_member(demo: &Demo) -> String {
    let first: u64 = demo.contact("committee").parse().expect("phone");
    (first + 1).to_string()
}

/// The person on the roster behind bulk voter `i` (named 投票人{i}).
async fn person_of_voter(app: &TestApp, i: usize) -> i64 {
    steps::count_sql(
        app,
        format!(
            "SELECT CAST(MAX(p.id) AS BIGINT) AS n FROM persons p JOIN users u ON p.user_id = u.id \
             WHERE u.display_name = '投票人{i}'"
        ),
    )
    .await
}

/// The persons on the ballot's roll who have not taken part, in id order.
async fn absent_persons(app: &TestApp, ballot: &str) -> Vec<i64> {
    let id = ballot_id(ballot);
    app.state
        .db(move |conn| {
            use diesel::RunQueryDsl;
            #[derive(diesel::QueryableByName)]
            struct P {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                person_id: i64,
            }
            let rows: Vec<P> = diesel::sql_query(format!(
                "SELECT person_id FROM ballot_roll WHERE ballot_id = {id} AND person_id NOT IN \
                 (SELECT person_id FROM ballot_attendance WHERE ballot_id = {id}) ORDER BY person_id"
            ))
            .load(conn)?;
            Ok(rows.into_iter().map(|p| p.person_id).collect())
        })
        .await
        .expect("the roll")
}

async fn vote(voter: &Client, ballot: &str, choice: &str) -> crate::common::Resp {
    let (token, t, seal) = form_of(voter, ballot).await;
    voter
        .post_raw(
            &format!("{ballot}/vote"),
            &[
                ("_csrf", &token),
                ("choice", choice),
                ("tracker", &t),
                ("tracker_seal", &seal),
            ],
            &[],
        )
        .await
}

async fn sign_in(committee: &Client, ballot: &str, person: i64) -> crate::common::Resp {
    committee
        .post(
            &format!("{ballot}/register"),
            &[("person", &person.to_string()), ("q", "")],
        )
        .await
}

async fn a_mixed_meeting_counts_each_person_once_and_publishes_both_parts(backend: Backend) {
    let m = a_mixed_meeting(backend, 4).await;
    let electorate = count_rows(&m.app, "ballot_roll", &m.ballot).await;
    // Three vote online; the fourth comes to the hall.
    for v in &m.voters[..3] {
        assert_eq!(vote(v, &m.ballot, "0").await.status, 200);
    }
    let fourth = person_of_voter(&m.app, 3).await;
    let (token, t, seal) = form_of(&m.voters[3], &m.ballot).await;
    assert_eq!(sign_in(&m.committee, &m.ballot, fourth).await.status, 303);
    // A form taken before the signing in is refused, with the reason.
    let fields = [
        ("_csrf", token.as_str()),
        ("choice", "0"),
        ("tracker", t.as_str()),
        ("tracker_seal", seal.as_str()),
    ];
    let r = m.voters[3]
        .post_raw(&format!("{}/vote", m.ballot), &fields, &[])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("已在会场签到，不能再在网上投票"));
    let page = m.voters[3].get(&m.ballot).await.body;
    assert!(
        text_by_id(&page, "not-elector").is_some_and(|t| t.contains("已在会场签到")),
        "no online form for one signed in at the hall"
    );
    // The first online voter cannot be signed in at the hall too.
    let first = person_of_voter(&m.app, 0).await;
    let r = sign_in(&m.committee, &m.ballot, first).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("已在线投票"));
    // Enough sign in to make more than half of the roll together with the online three.
    let needed = (electorate / 2 + 1 - 3) as usize;
    let absent = absent_persons(&m.app, &m.ballot).await;
    for p in &absent[..needed - 1] {
        assert_eq!(sign_in(&m.committee, &m.ballot, *p).await.status, 303);
    }
    let hall = needed as i64;
    assert_eq!(
        count_rows(&m.app, "ballot_attendance", &m.ballot).await,
        hall + 3
    );
    // The paper count: two present in the hall voted for no option.
    let (yes, no, abstain) = (hall - 4, 1, 1);
    let (y, n, a) = (yes.to_string(), no.to_string(), abstain.to_string());
    m.committee
        .post_ok(
            &format!("{}/results", m.ballot),
            &[("count_0", &y), ("count_1", &n), ("count_2", &a)],
        )
        .await;
    let page = m.committee.get(&m.ballot).await.body;
    let rid = crate::common::page::ids_with_prefix(&page, "hall-result-")
        .remove(0)
        .trim_start_matches("hall-result-")
        .to_string();
    let partner = m.app.signed_in(&second_member(&m.demo)).await;
    let confirm = format!("{}/results/{rid}/confirm", m.ballot);
    let early = partner.post(&confirm, &[]).await;
    assert_eq!(early.status, 422, "the online part is still open");
    assert!(early.body.contains("网上投票还没截止"));
    m.app.clock.advance(chrono::Duration::days(3));
    let decision = partner.post_ok(&confirm, &[]).await;
    let d = m.app.client().get(&decision).await.body;
    assert_eq!(text_by_id(&d, "verdict").as_deref(), Some("通过"));
    assert_eq!(
        text_by_id(&d, "present").as_deref(),
        Some((hall + 3).to_string().as_str()),
        "present is everyone, by either path, once"
    );
    let parts = text_of(inner_by_id(&d, "part-0").expect("the present row"));
    assert!(parts.contains(&format!("3 {hall} {}", hall + 3)), "{parts}");
    let for_row = text_of(inner_by_id(&d, "part-1").expect("the for row"));
    assert!(
        for_row.contains(&format!("3 {yes} {}", yes + 3)),
        "{for_row}"
    );
    assert!(text_of(inner_by_id(&d, "not-voting").expect("not voting")).contains('2'));

    // The published record carries both parts too (record form 2), and its leaf is of it.
    let id: i64 = decision
        .split(['?', '#'])
        .next()
        .and_then(|p| p.rsplit('/').next())
        .and_then(|id| id.parse().ok())
        .expect("a decision id");
    let (content, leaf_sha) = steps::query(&m.app, move |conn| {
        use diesel::prelude::*;
        use yishi::schema::log_entries;
        use yishi::transparency::{log::Kind, records};
        let content = records::content(conn, Kind::Decision, id)?.unwrap_or_default();
        let sha: String = log_entries::table
            .filter(log_entries::kind.eq("decision"))
            .filter(log_entries::record_id.eq(id))
            .select(log_entries::content_sha256)
            .first(conn)?;
        Ok((String::from_utf8(content).unwrap_or_default(), sha))
    })
    .await;
    let parts = format!(
        "\"parts\":{{\"hall\":{{\"counts\":[{yes},{no},{abstain}],\"present\":{hall}}},\
         \"online\":{{\"counts\":[3,0,0],\"present\":3}}}}"
    );
    assert!(content.contains(&parts), "{content}");
    assert!(content.contains("\"record_form\":2"), "{content}");
    assert_eq!(
        yishi::transparency::log::sha256_hex(content.as_bytes()),
        leaf_sha
    );
}
both!(a_mixed_meeting_counts_each_person_once_and_publishes_both_parts);

async fn hall_counts_above_those_signed_in_are_refused_at_the_field(backend: Backend) {
    let m = a_mixed_meeting(backend, 0).await;
    for p in &absent_persons(&m.app, &m.ballot).await[..2] {
        assert_eq!(sign_in(&m.committee, &m.ballot, *p).await.status, 303);
    }
    let r = m
        .committee
        .post(
            &format!("{}/results", m.ballot),
            &[("count_0", "2"), ("count_1", "1"), ("count_2", "0")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("不能多于签到人数"));
    assert!(r.body.contains("value=\"2\""), "what was typed is kept");
    // Someone not on the roll, or no number at all, is refused with a page too.
    for bad in ["999999", "x".repeat(5000).as_str()] {
        let r = m
            .committee
            .post(&format!("{}/register", m.ballot), &[("person", bad)])
            .await;
        assert_eq!(r.status, 422, "{bad:.20}");
        assert!(r.body.contains("不在本次会议的名册上"));
    }
    let long = m
        .committee
        .get(&format!("{}/register?q={}", m.ballot, "张".repeat(41)))
        .await;
    assert_eq!(long.status, 422);
}
both!(hall_counts_above_those_signed_in_are_refused_at_the_field);

async fn a_household_ballot_cannot_meet_in_the_hall_and_online_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = deliberating_item(&committee, "户代表会议").await;
    crate::common::ballots::noticed(&committee, &item, "households").await;
    let r = committee
        .post(
            &format!("{item}/ballots"),
            &[
                ("body", "households"),
                ("mode", "mixed"),
                ("closes_at", IN_TWO_DAYS),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("线上线下结合只用于"));
}
both!(a_household_ballot_cannot_meet_in_the_hall_and_online_at_once);

async fn the_register_finds_names_and_prints_by_household_with_online_voters_ticked(
    backend: Backend,
) {
    let m = a_mixed_meeting(backend, 2).await;
    assert_eq!(vote(&m.voters[0], &m.ballot, "1").await.status, 200);
    let found = m
        .committee
        .get(&format!("{}/register?q=投票人", m.ballot))
        .await;
    assert_eq!(found.status, 200);
    let first = person_of_voter(&m.app, 0).await;
    let second = person_of_voter(&m.app, 1).await;
    assert_eq!(
        text_by_id(&found.body, &format!("status-{first}")).as_deref(),
        Some("已在线投票")
    );
    assert!(
        found
            .body
            .contains(&format!("name=\"person\" value=\"{second}\"")),
        "the other can be signed in"
    );
    assert_eq!(sign_in(&m.committee, &m.ballot, second).await.status, 303);
    let sheet = m
        .committee
        .get(&format!("{}/register/print", m.ballot))
        .await;
    assert_eq!(sheet.status, 200);
    let online_row = text_of(inner_by_id(&sheet.body, &format!("row-{first}")).expect("row"));
    assert!(online_row.contains('✓'), "{online_row}");
    // The register records presence, never a choice (the vote was 反对).
    assert!(!online_row.contains("反对"));
    let hall_row = text_of(inner_by_id(&sheet.body, &format!("row-{second}")).expect("row"));
    assert!(hall_row.contains("已在会场签到") && !hall_row.contains('✓'));
    assert!(
        sheet.body.contains("测试户0"),
        "grouped under the household"
    );
    // Residents do not keep the register.
    let resident = m.app.signed_in(&m.demo.contact("resident")).await;
    assert_eq!(
        resident
            .get(&format!("{}/register/print", m.ballot))
            .await
            .status,
        403
    );
}
both!(the_register_finds_names_and_prints_by_household_with_online_voters_ticked);

/// One person, signed in at the hall and voting online, 50 times each at once: exactly one
/// attendance, and every answer a page.
async fn race(m: &Mixed) -> (i64, i64) {
    let person = person_of_voter(&m.app, 0).await;
    let mut forms = Vec::new();
    for _ in 0..50 {
        forms.push(form_of(&m.voters[0], &m.ballot).await);
    }
    let token = crate::common::ballots::csrf_of(&m.committee, &m.ballot).await;
    let mut set = tokio::task::JoinSet::new();
    for (i, (vtoken, t, seal)) in forms.into_iter().enumerate() {
        let (voter, committee) = (m.voters[0].clone(), m.committee.clone());
        let (ballot, token, p) = (m.ballot.clone(), token.clone(), person.to_string());
        set.spawn(async move {
            let vote = async {
                voter
                    .post_raw(
                        &format!("{ballot}/vote"),
                        &[
                            ("_csrf", &vtoken),
                            ("choice", "0"),
                            ("tracker", &t),
                            ("tracker_seal", &seal),
                        ],
                        &[],
                    )
                    .await
                    .status
            };
            let sign = async {
                committee
                    .post_raw(
                        &format!("{ballot}/register"),
                        &[("_csrf", &token), ("person", &p), ("q", "")],
                        &[],
                    )
                    .await
                    .status
            };
            if i % 2 == 0 {
                let (a, b) = tokio::join!(vote, sign);
                [a, b]
            } else {
                let (b, a) = tokio::join!(sign, vote);
                [a, b]
            }
        });
    }
    while let Some(statuses) = set.join_next().await {
        for s in statuses.expect("task") {
            assert!([200, 303, 422].contains(&s), "a page, never {s}");
        }
    }
    let id = ballot_id(&m.ballot);
    let attendance = steps::count_sql(
        &m.app,
        format!(
            "SELECT COUNT(*) AS n FROM ballot_attendance WHERE ballot_id = {id} AND person_id = {person}"
        ),
    )
    .await;
    (
        attendance,
        count_rows(&m.app, "ballot_voters", &m.ballot).await,
    )
}

async fn the_same_person_at_the_hall_and_online_a_hundred_times_at_once_is_counted_once(
    backend: Backend,
) {
    let m = a_mixed_meeting(backend, 1).await;
    let (attendance, votes) = race(&m).await;
    println!("race: attendance rows {attendance}, online votes {votes}");
    assert_eq!(attendance, 1);
    assert!(votes <= 1);
    let id = ballot_id(&m.ballot);
    let online = steps::count_sql(
        &m.app,
        format!(
            "SELECT COUNT(*) AS n FROM ballot_attendance WHERE ballot_id = {id} AND via = 'online'"
        ),
    )
    .await;
    println!(
        "race: the {} path won",
        if online == 1 { "online" } else { "hall" }
    );
    assert_eq!(online, votes, "a vote is recorded only with its attendance");
}
both!(the_same_person_at_the_hall_and_online_a_hundred_times_at_once_is_counted_once);

/// The negative control: with the one (ballot, person) key dropped, a person signed in at
/// the hall can also vote online — the key, not a check in the code, keeps them to one.
async fn without_the_attendance_key_a_person_is_counted_twice(backend: Backend) {
    let m = a_mixed_meeting(backend, 1).await;
    let pool = yishi::db::connect(&m.app.db.url, 1).expect("connect");
    let mut conn = pool.get().expect("connection");
    conn.batch_execute("DROP INDEX ballot_attendance_once")
        .expect("drop the index");
    let person = person_of_voter(&m.app, 0).await;
    // The voter's form, taken before the signing in (afterwards the page offers none).
    let (token, t, seal) = form_of(&m.voters[0], &m.ballot).await;
    assert_eq!(sign_in(&m.committee, &m.ballot, person).await.status, 303);
    let fields = [
        ("_csrf", token.as_str()),
        ("choice", "0"),
        ("tracker", t.as_str()),
        ("tracker_seal", seal.as_str()),
    ];
    let path = format!("{}/vote", m.ballot);
    assert_eq!(m.voters[0].post_raw(&path, &fields, &[]).await.status, 200);
    assert_eq!(count_rows(&m.app, "ballot_attendance", &m.ballot).await, 2);
}
both!(without_the_attendance_key_a_person_is_counted_twice);

/// A meeting held only in the hall that keeps a sign-in register: the attendance the clerk
/// types may not exceed those signed in, nor the roll; each refusal is a page with the
/// message and what was typed, never a 500.
async fn a_hall_only_count_above_its_register_or_the_roll_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    members_on_the_roster(&app).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = deliberating_item(&committee, "村民会议：村道路灯（会场表决）").await;
    let ballot = open_ballot(
        &committee,
        &item,
        &[
            ("body", "residents"),
            ("mode", "hall"),
            ("closes_at", IN_TWO_DAYS),
        ],
    )
    .await;
    let electorate = count_rows(&app, "ballot_roll", &ballot).await;
    let counts = |present: String| {
        vec![
            ("present".to_string(), present.clone()),
            ("households_present".to_string(), "0".to_string()),
            ("count_0".to_string(), present),
            ("count_1".to_string(), "0".to_string()),
            ("count_2".to_string(), "0".to_string()),
            ("minutes".to_string(), "周日晚在村委会大院召开".to_string()),
        ]
    };
    let post = |fields: Vec<(String, String)>| {
        let committee = &committee;
        let path = format!("{ballot}/results");
        async move {
            let f: Vec<(&str, &str)> = fields
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            committee.post(&path, &f).await
        }
    };
    // Above the roll, with no register: refused against the roll.
    let over = (electorate + 1).to_string();
    let r = post(counts(over.clone())).await;
    assert_eq!(r.status, 422, "{}", r.body);
    // Beyond the roll, present is refused at its field, before any sum is made.
    let named = format!("到会人数须是 0 到 {electorate} 之间的整数");
    assert!(r.body.contains(&named), "{}", r.body);
    assert!(r.body.contains("aria-describedby=\"present-error\""));
    assert!(
        r.body.contains(&format!("value=\"{over}\"")),
        "what was typed is kept"
    );
    // Three sign in: four typed present is refused, three is taken.
    for p in &absent_persons(&app, &ballot).await[..3] {
        assert_eq!(sign_in(&committee, &ballot, *p).await.status, 303);
    }
    let r = post(counts("4".to_string())).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("到会人数不能多于签到表上已签到的人数"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("周日晚在村委会大院召开"),
        "what was typed is kept"
    );
    let r = post(counts("3".to_string())).await;
    assert_eq!(r.status, 303, "{}", r.body);
}
both!(a_hall_only_count_above_its_register_or_the_roll_is_refused);

/// A mixed meeting's published result is corrected like a hall result: the correction is a
/// new decision that keeps the online part and carries the corrected hall part, and the
/// old one is marked corrected.
async fn a_mixed_result_is_corrected_with_both_parts(backend: Backend) {
    let m = a_mixed_meeting(backend, 3).await;
    let electorate = count_rows(&m.app, "ballot_roll", &m.ballot).await;
    for v in &m.voters {
        assert_eq!(vote(v, &m.ballot, "0").await.status, 200);
    }
    let hall = (electorate / 2 + 1 - 3) as usize;
    for p in &absent_persons(&m.app, &m.ballot).await[..hall] {
        assert_eq!(sign_in(&m.committee, &m.ballot, *p).await.status, 303);
    }
    let hall = hall as i64;
    let result = |yes: i64, no: i64| {
        let (y, n) = (yes.to_string(), no.to_string());
        vec![
            ("count_0".to_string(), y),
            ("count_1".to_string(), n),
            ("count_2".to_string(), "0".to_string()),
        ]
    };
    let refs = |v: &[(String, String)]| -> Vec<(String, String)> { v.to_vec() };
    let post = |path: String, fields: Vec<(String, String)>| {
        let committee = &m.committee;
        async move {
            let f: Vec<(&str, &str)> = fields
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            committee.post_ok(&path, &f).await
        }
    };
    post(format!("{}/results", m.ballot), refs(&result(hall, 0))).await;
    let partner = m.app.signed_in(&second_member(&m.demo)).await;
    let confirm_last = |partner: &Client| {
        let partner = partner.clone();
        let (committee, ballot) = (m.committee.clone(), m.ballot.clone());
        async move {
            let page = committee.get(&ballot).await.body;
            let rid = crate::common::page::ids_with_prefix(&page, "hall-result-")
                .pop()
                .expect("a result")
                .trim_start_matches("hall-result-")
                .to_string();
            partner
                .post_ok(&format!("{ballot}/results/{rid}/confirm"), &[])
                .await
        }
    };
    m.app.clock.advance(chrono::Duration::days(3));
    let decision = confirm_last(&partner).await;
    let page = m.committee.get(&decision).await.body;
    assert!(
        page.contains(&format!("{decision}/correct")),
        "a mixed result may be corrected"
    );
    // The hall's paper count was misread: half of the hall voted against.
    let against = hall / 2;
    let mut fields = result(hall - against, against);
    fields.push((
        "reason".to_string(),
        "会场计票单第二页漏录反对票".to_string(),
    ));
    post(format!("{decision}/correct"), fields).await;
    let corrected = confirm_last(&partner).await;
    assert_ne!(corrected, decision);
    let d = m.app.client().get(&corrected).await.body;
    assert!(d.contains("本决议更正了"), "{d}");
    let parts = text_of(inner_by_id(&d, "part-0").expect("the present row"));
    assert!(parts.contains(&format!("3 {hall} {}", hall + 3)), "{parts}");
    let for_row = text_of(inner_by_id(&d, "part-1").expect("the for row"));
    assert!(
        for_row.contains(&format!("3 {} {}", hall - against, hall - against + 3)),
        "{for_row}"
    );
    let old = m.app.client().get(&decision).await.body;
    assert!(old.contains("这份决议已被更正"));
}
both!(a_mixed_result_is_corrected_with_both_parts);
