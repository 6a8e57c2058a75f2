//! 四议两公开 on a major item: the party members' review (党员大会审议) with its votes, and
//! what a review that does not agree does to the item.

use crate::both;
use crate::common::{spawn_app, Backend, Client};

/// The ballot form's refusal when the deliberations are not complete.
const NOT_READY: &str = "重大事项还要先记录提议、商议、审议三步";

/// The ballot form's refusal while no convening notice is published.
const NO_NOTICE: &str = "这种会议要先公布召集通知";

/// A deliberation as the committee types it.
fn step<'a>(
    s: &'a str,
    due: &'a str,
    present: &'a str,
    votes: (&'a str, &'a str),
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("step", s),
        ("held_on", "2026-11-20"),
        ("body", "支部会议，李书记主持"),
        ("expected", due),
        ("present", present),
        ("votes_for", votes.0),
        ("votes_against", votes.1),
        ("outcome", "按表决结果"),
    ]
}

/// A major item of 柳塘村 under deliberation, with 提议 and 商议 recorded; its path.
async fn item_before_review(committee: &Client) -> String {
    let path = crate::common::ballots::major_item(
        committee,
        ("村集体鱼塘承包方案", "鱼塘承包到期，拟重新公开发包。"),
        "economy",
    )
    .await;
    for s in ["proposal", "consultation"] {
        let r = committee
            .post(&format!("{path}/steps"), &step(s, "9", "9", ("", "")))
            .await;
        assert_eq!(r.status, 303, "{s}: {}", r.body);
    }
    path
}

async fn a_review_that_does_not_agree_sends_the_item_back_to_consultation(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let path = item_before_review(&committee).await;
    let open_link = format!("{path}/ballots/new");

    // Exactly two thirds present (20 of 30) meets the attendance test, but exactly half
    // of those due (15 of 30) agreeing is not more than half.
    let half = committee
        .post(
            &format!("{path}/steps"),
            &step("review", "30", "20", ("15", "5")),
        )
        .await;
    assert_eq!(half.status, 303, "{}", half.body);
    let page = committee.get(&path).await;
    assert!(page.body.contains("审议未通过，退回商议"), "{}", page.body);
    assert!(page.body.contains("同意 15 / 反对 5"));
    assert!(
        page.body.contains("name=\"step\" value=\"consultation\""),
        "商议 must be recorded again"
    );
    assert!(!page.body.contains(&open_link), "the ballot cannot open");
    let opened = committee
        .post(
            &format!("{path}/ballots"),
            &[("body", "residents"), ("mode", "hall")],
        )
        .await;
    assert_eq!(opened.status, 422, "no ballot opens after a failed review");
    assert!(opened.body.contains(NOT_READY), "{}", opened.body);

    let again = committee
        .post(
            &format!("{path}/steps"),
            &step("review", "30", "20", ("16", "4")),
        )
        .await;
    assert_eq!(again.status, 422, "the review waits for a new consultation");
    let consulted = committee
        .post(
            &format!("{path}/steps"),
            &step("consultation", "9", "9", ("", "")),
        )
        .await;
    assert_eq!(consulted.status, 303, "{}", consulted.body);
    let passed = committee
        .post(
            &format!("{path}/steps"),
            &step("review", "30", "20", ("16", "4")),
        )
        .await;
    assert_eq!(passed.status, 303, "{}", passed.body);
    let page = committee.get(&path).await;
    assert!(page.body.contains(&open_link), "now the ballot may open");
    assert_eq!(
        page.body.matches("已记录</span>").count(),
        3,
        "提议, the second 商议 and the second 审议 stand"
    );
}
both!(a_review_that_does_not_agree_sends_the_item_back_to_consultation);

async fn review_head_counts_are_checked_at_their_field_and_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let path = item_before_review(&committee).await;
    let steps = format!("{path}/steps");

    let over = committee
        .post(&steps, &step("review", "30", "31", ("20", "0")))
        .await;
    assert_eq!(over.status, 422);
    assert!(over.body.contains("id=\"present-error\""), "{}", over.body);
    assert!(over.body.contains("实到不能多于应到"));
    assert!(over.body.contains("value=\"31\""), "what was typed is kept");

    let votes = committee
        .post(&steps, &step("review", "30", "20", ("15", "6")))
        .await;
    assert_eq!(votes.status, 422);
    assert!(votes
        .body
        .contains("同意和反对的人数加起来不能多于实到人数"));
    assert!(votes.body.contains("value=\"15\"") && votes.body.contains("value=\"6\""));

    let words = committee
        .post(&steps, &step("review", "三十", "-2", ("", "0")))
        .await;
    assert_eq!(words.status, 422);
    for field in ["expected-error", "present-error", "votes_for-error"] {
        assert!(words.body.contains(field), "{field}: {}", words.body);
    }
    assert!(words.body.contains("应到人数须是 0 到 100000 之间的整数"));
    assert!(words.body.contains("value=\"三十\""));

    let thin = committee
        .post(&steps, &step("review", "30", "19", ("19", "0")))
        .await;
    assert_eq!(
        thin.status, 422,
        "below two thirds present, no review is held"
    );
    assert!(thin.body.contains("三分之二以上党员到会"));

    let ok = committee
        .post(&steps, &step("review", "30", "20", ("16", "4")))
        .await;
    assert_eq!(ok.status, 303, "nothing was recorded before: {}", ok.body);
}
both!(review_head_counts_are_checked_at_their_field_and_kept);

async fn the_residents_page_warns_while_representatives_are_under_four_fifths(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    // The demo village has 5 committee members and 8 representatives: 8 of 13.
    let page = committee.get("/c/liutang/residents").await;
    assert!(
        page.body.contains("id=\"composition-warning\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("现在代表 8 人，组成人员共 13 人"));
    assert!(page.body.contains("村民代表应当占组成人员的五分之四以上"));

    let first: u64 = demo.contact("representative").parse().expect("phone");
    let appoint = |i: u64| {
        let contact = (first + 50 + i).to_string();
        let committee = &committee;
        async move {
            committee
                .post_ok(
                    "/c/liutang/roles",
                    &[("contact", &contact), ("role", "representative")],
                )
                .await;
        }
    };
    for i in 0..11 {
        appoint(i).await;
    }
    // 19 of 24 is just under four fifths.
    let page = committee.get("/c/liutang/residents").await;
    assert!(page.body.contains("现在代表 19 人，组成人员共 24 人"));
    appoint(11).await;
    // 20 of 25 is exactly four fifths: enough.
    let page = committee.get("/c/liutang/residents").await;
    assert!(!page.body.contains("composition-warning"), "{}", page.body);
}
both!(the_residents_page_warns_while_representatives_are_under_four_fifths);

/// A major item of 柳塘村 in `category` with 提议, 商议 and 审议 recorded; its path.
async fn item_ready_to_resolve(committee: &Client, category: &str) -> String {
    let path = crate::common::ballots::major_item(
        committee,
        ("村级重大事项", "须经四议两公开。"),
        category,
    )
    .await;
    for (s, votes) in [
        ("proposal", ("", "")),
        ("consultation", ("", "")),
        ("review", ("8", "1")),
    ] {
        let r = committee
            .post(&format!("{path}/steps"), &step(s, "9", "9", votes))
            .await;
        assert_eq!(r.status, 303, "{s}: {}", r.body);
    }
    path
}

async fn the_representatives_resolve_a_major_item_only_in_a_delegated_matter(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;

    // The settings form: never under the three-day floor; what was typed is kept.
    let short = committee
        .post("/c/liutang/settings/meetings", &[("notice_days", "2")])
        .await;
    assert_eq!(short.status, 422);
    assert!(
        short.body.contains("通知期限不能少于 3 天"),
        "{}",
        short.body
    );
    assert!(short
        .body
        .contains("id=\"notice_days\" name=\"notice_days\" inputmode=\"numeric\" value=\"2\""));
    let words = committee
        .post("/c/liutang/settings/meetings", &[("notice_days", "五天")])
        .await;
    assert_eq!(words.status, 422);
    assert!(words.body.contains("请填写 3 到 90 之间的整数"));
    committee
        .post_ok(
            "/c/liutang/settings/meetings",
            &[("notice_days", "5"), ("delegated_welfare", "on")],
        )
        .await;
    let page = committee.get("/c/liutang/residents").await;
    assert!(page.body.contains("value=\"5\""));
    assert!(page.body.contains("id=\"delegated_welfare\" checked"));
    assert!(!page.body.contains("id=\"delegated_economy\" checked"));

    // A matter not delegated: the representatives' meeting cannot resolve it.
    let economy = item_ready_to_resolve(&committee, "economy").await;
    let refused = committee
        .post(
            &format!("{economy}/ballots"),
            &[
                ("body", "representatives"),
                ("mode", "hall"),
                ("closes_at", "2026-12-20 20:00"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("村民委员会组织法第二十四条"),
        "{}",
        refused.body
    );
    // A delegated matter passes that check and meets the next: the convening notice.
    let welfare = item_ready_to_resolve(&committee, "welfare").await;
    let next = committee
        .post(
            &format!("{welfare}/ballots"),
            &[
                ("body", "representatives"),
                ("mode", "hall"),
                ("closes_at", "2026-12-20 20:00"),
            ],
        )
        .await;
    assert_eq!(next.status, 422);
    assert!(!next.body.contains("第二十四条"), "{}", next.body);
    assert!(next.body.contains(NO_NOTICE), "{}", next.body);
}
both!(the_representatives_resolve_a_major_item_only_in_a_delegated_matter);

async fn the_community_page_shows_a_convening_notice_until_its_meeting(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = item_ready_to_resolve(&committee, "economy").await;
    committee
        .post_ok(
            &format!("{item}/notice"),
            &[
                ("body", "residents"),
                ("meets_at", "2026-12-06 09:00"),
                ("place", "柳塘村文化礼堂"),
                ("matters", "表决鱼塘承包方案"),
                ("online", ""),
                ("notice_days", ""),
            ],
        )
        .await;
    let home = app.client().get("/c/liutang").await;
    assert!(
        home.body.contains("id=\"running-notices\""),
        "{}",
        home.body
    );
    assert!(home.body.contains("柳塘村文化礼堂") && home.body.contains("表决鱼塘承包方案"));
    // The meeting is on 6 December (Beijing): the day after, the notice has run.
    app.clock.advance(chrono::Duration::days(11));
    let later = app.client().get("/c/liutang").await;
    assert!(!later.body.contains("id=\"running-notices\""));
}
both!(the_community_page_shows_a_convening_notice_until_its_meeting);

/// The committee makes a resident's proposal a major matter when it adopts it: the item then
/// asks for 提议, 商议 and 审议 before any ballot; the timeline says so; a move that is not
/// adopting or opening deliberation cannot make an item major.
async fn the_committee_makes_an_adopted_proposal_major(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let path = resident
        .post_ok(
            "/c/liutang/items",
            &[
                ("title", "村集体山林流转"),
                ("body", "后山林地拟流转给合作社经营，请大家议一议。"),
                ("category", "economy"),
            ],
        )
        .await;
    let page = committee.get(&path).await;
    assert!(
        page.body.contains("name=\"major\""),
        "the committee is offered the choice"
    );
    assert!(!resident.get(&path).await.body.contains("name=\"major\""));

    // Declining cannot make it major; nothing changes.
    let declined = committee
        .post(
            &format!("{path}/stage"),
            &[
                ("to", "declined"),
                ("note", "不在本村权限内"),
                ("major", "on"),
            ],
        )
        .await;
    assert_eq!(declined.status, 422);
    assert!(declined
        .body
        .contains("只有立项或开始审议时才能列为重大事项"));

    let adopted = committee
        .post(
            &format!("{path}/stage"),
            &[
                ("to", "adopted"),
                ("note", "涉及集体资产，村委会立项"),
                ("major", "on"),
            ],
        )
        .await;
    assert_eq!(adopted.status, 303, "{}", adopted.body);
    committee
        .post_ok(&format!("{path}/stage"), &[("to", "deliberating")])
        .await;
    let page = committee.get(&path).await;
    assert!(
        page.body.contains("列为重大事项，按四议两公开办理"),
        "the timeline says so"
    );
    assert!(
        page.body.contains("name=\"step\" value=\"proposal\""),
        "提议 is asked for first"
    );
    assert!(
        !page.body.contains(&format!("{path}/ballots/new")),
        "no ballot before the three deliberations"
    );
    assert!(
        !page.body.contains("name=\"major\""),
        "major once, for good"
    );
}
both!(the_committee_makes_an_adopted_proposal_major);

/// The representatives' hall count: `present` of the 13 members (5 committee members and 8
/// representatives; quorum 9), all for.
fn hall_count(present: &str) -> Vec<(&str, &str)> {
    vec![
        ("present", present),
        ("households_present", present),
        ("count_0", present),
        ("count_1", "0"),
        ("count_2", "0"),
        ("minutes", "在村委会议室召开"),
    ]
}

/// Records `present` at the hall of `ballot` as the committee; a second member confirms it.
/// Returns the decision's path.
async fn hall_decision(
    app: &crate::common::TestApp,
    demo: &crate::common::Demo,
    ballot: &str,
    present: &str,
) -> String {
    let committee = app.signed_in(&demo.contact("committee")).await;
    committee
        .post_ok(&format!("{ballot}/results"), &hall_count(present))
        .await;
    let page = committee.get(ballot).await.body;
    let rid = crate::common::page::ids_with_prefix(&page, "hall-result-")
        .pop()
        .expect("a hall result");
    let second: u64 = demo.contact("committee").parse().expect("phone");
    let partner = app.signed_in(&(second + 1).to_string()).await;
    partner
        .post_ok(&format!("{ballot}/results/{rid}/confirm"), &[])
        .await
}

/// The item's 决议 records: (outcome, present).
async fn resolutions(app: &crate::common::TestApp, item: &str) -> Vec<(String, i64)> {
    use diesel::prelude::*;
    use yishi::schema::agenda_steps;
    let id: i64 = item
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("item id");
    crate::common::steps::query(app, move |c| {
        agenda_steps::table
            .filter(agenda_steps::item_id.eq(id))
            .filter(agenda_steps::step.eq("resolution"))
            .select((agenda_steps::outcome, agenda_steps::present))
            .load(c)
    })
    .await
}

/// A major welfare item of 柳塘村, delegated to the representatives (notice period 3 days),
/// ready to resolve and with its convening notice run: (the committee, the item's path).
async fn noticed_welfare_item(
    app: &crate::common::TestApp,
    demo: &crate::common::Demo,
) -> (Client, String) {
    crate::common::ballots::members_on_the_roster(app).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    committee
        .post_ok(
            "/c/liutang/settings/meetings",
            &[("notice_days", "3"), ("delegated_welfare", "on")],
        )
        .await;
    let item = item_ready_to_resolve(&committee, "welfare").await;
    crate::common::ballots::noticed(&committee, &item, "representatives").await;
    (committee, item)
}

/// A major item whose representatives' meeting failed its quorum: the committee reconvenes
/// it from the item page without recording 提议, 商议, 审议 again; the new ballot needs a new
/// convening notice that has run its period; the failed meeting is no 决议, the reconvened
/// one is; the item page shows both attempts, each with its notice and result.
async fn a_failed_quorum_is_reconvened_on_the_same_item_with_a_new_notice(backend: Backend) {
    use chrono::Duration;
    use yishi::clock::Clock;
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let (committee, item) = noticed_welfare_item(&app, &demo).await;
    let ballot = |closes: String| {
        vec![
            ("body".to_string(), "representatives".to_string()),
            ("mode".to_string(), "hall".to_string()),
            ("closes_at".to_string(), closes),
        ]
    };
    let today = yishi::clock::local_day(app.clock.now());
    let first = ballot(format!("{} 20:00", today + Duration::days(1)));
    let first: Vec<(&str, &str)> = first
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let first_ballot = committee.post_ok(&format!("{item}/ballots"), &first).await;

    // 5 of 13 came: no quorum. No 决议 is recorded from it.
    let failed = hall_decision(&app, &demo, &first_ballot, "5").await;
    assert!(failed.starts_with("/c/liutang/decisions/"), "{failed}");
    assert!(resolutions(&app, &item).await.is_empty());
    let page = committee.get(&item).await.body;
    assert!(page.contains("重新召集会议"), "{page}");

    // Reconvening: back to the meeting; the deliberations stand.
    let r = committee
        .post(&format!("{item}/stage"), &[("to", "deliberating")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // The old notice announced the failed meeting: a new one is needed.
    let again = committee.post(&format!("{item}/ballots"), &first).await;
    assert_eq!(again.status, 422, "{}", again.body);
    assert!(again.body.contains(NO_NOTICE), "{}", again.body);
    assert!(!again.body.contains(NOT_READY), "{}", again.body);

    // The next day, the committee calls the meeting again.
    app.clock.advance(Duration::days(1));
    let meets = format!("{} 19:00", today + Duration::days(4));
    committee
        .post_ok(
            &format!("{item}/notice"),
            &[
                ("body", "representatives"),
                ("meets_at", meets.as_str()),
                ("place", "村委会议室"),
                ("matters", "重新召集：表决本议题"),
                ("online", ""),
                ("notice_days", ""),
            ],
        )
        .await;
    // The statutory period runs again: not today.
    let early = committee.post(&format!("{item}/ballots"), &first).await;
    assert_eq!(early.status, 422, "{}", early.body);
    assert!(early.body.contains("还没满规定天数"), "{}", early.body);
    app.clock.advance(Duration::days(3));
    let second = ballot(format!("{} 20:00", today + Duration::days(5)));
    let second: Vec<(&str, &str)> = second
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let committee = app.signed_in(&demo.contact("committee")).await;
    let second_ballot = committee.post_ok(&format!("{item}/ballots"), &second).await;
    let passed = hall_decision(&app, &demo, &second_ballot, "9").await;

    // The reconvened meeting is the 决议, recorded once; 审议 was not recorded again.
    assert_eq!(
        resolutions(&app, &item).await,
        vec![("passed".to_string(), 9)]
    );
    let page = app.client().get(&item).await.body;
    let attempts = crate::common::page::text_by_id(&page, "attempts").expect("the attempts");
    assert!(
        attempts.contains("第 1 次") && attempts.contains("第 2 次"),
        "{attempts}"
    );
    assert!(attempts.contains(&meets), "{attempts}");
    let failed_id = failed.rsplit('/').next().unwrap_or_default();
    let passed_id = passed.rsplit('/').next().unwrap_or_default();
    assert!(
        attempts.contains(&format!("#{failed_id}")) && attempts.contains(&format!("#{passed_id}"))
    );
    assert!(!attempts.contains("没有召集通知"), "{attempts}");
}
both!(a_failed_quorum_is_reconvened_on_the_same_item_with_a_new_notice);

/// The automatic 决议 asks whether the decision may be cited: a miscounted meeting that
/// "failed" its quorum is no 决议; its correction, which passes, is — and the corrected
/// decision never is.
async fn a_corrected_decision_is_not_the_resolution_its_correction_is(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    crate::common::ballots::members_on_the_roster(&app).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    committee
        .post_ok(
            "/c/liutang/settings/meetings",
            &[("notice_days", "3"), ("delegated_welfare", "on")],
        )
        .await;
    let item = item_ready_to_resolve(&committee, "welfare").await;
    let ballot = crate::common::ballots::open_ballot(
        &committee,
        &item,
        &[
            ("body", "representatives"),
            ("mode", "hall"),
            ("closes_at", crate::common::ballots::IN_TWO_DAYS),
        ],
    )
    .await;
    let failed = hall_decision(&app, &demo, &ballot, "5").await;
    assert!(resolutions(&app, &item).await.is_empty());
    // The count sheet had a second page: nine came and agreed.
    let mut fields = hall_count("9");
    fields.push(("reason", "签到表第二页漏录，实到9人"));
    committee
        .post_ok(&format!("{failed}/correct"), &fields)
        .await;
    let page = committee.get(&ballot).await.body;
    let rid = crate::common::page::ids_with_prefix(&page, "hall-result-")
        .pop()
        .expect("the correction");
    let second: u64 = demo.contact("committee").parse().expect("phone");
    let partner = app.signed_in(&(second + 1).to_string()).await;
    let corrected = partner
        .post_ok(&format!("{ballot}/results/{rid}/confirm"), &[])
        .await;
    assert_ne!(corrected, failed);
    assert_eq!(
        resolutions(&app, &item).await,
        vec![("passed".to_string(), 9)]
    );
}
both!(a_corrected_decision_is_not_the_resolution_its_correction_is);

/// Issue #14, dates: a major item resolved at 07:30 Beijing (23:30 UTC the day before) shows
/// the Beijing day on its 决议 step and on the 决议公开 step, whose due date is five Beijing
/// days on — never the UTC day.
async fn a_resolution_at_0730_beijing_reads_the_beijing_day_on_the_item(backend: Backend) {
    use chrono::Duration;
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let (committee, item) = noticed_welfare_item(&app, &demo).await;
    // The test clock reads 2026-11-26 01:00 UTC (09:00 in Beijing).
    let ballot = committee
        .post_ok(
            &format!("{item}/ballots"),
            &[
                ("body", "representatives"),
                ("mode", "hall"),
                ("closes_at", "2026-11-27 20:00"),
            ],
        )
        .await;
    // The hall's count is confirmed at 23:30 UTC on 26 November: 07:30 on the 27th in Beijing.
    app.clock.advance(Duration::minutes(22 * 60 + 30));
    let decision = hall_decision(&app, &demo, &ballot, "9").await;
    assert_eq!(
        resolutions(&app, &item).await,
        vec![("passed".to_string(), 9)]
    );

    let page = app.client().get(&item).await.body;
    let steps = crate::common::page::text_by_id(&page, "steps").expect("the steps");
    assert!(
        steps.contains("2026-11-27 在本平台公开（期限 2026-12-02）"),
        "{steps}"
    );
    assert!(!steps.contains("2026-11-26"), "never the UTC day: {steps}");
    let on_decision = app.client().get(&decision).await.body;
    assert!(on_decision.contains("2026-11-27 07:30"), "{on_decision}");
}
both!(a_resolution_at_0730_beijing_reads_the_beijing_day_on_the_item);
