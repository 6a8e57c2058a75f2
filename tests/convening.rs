//! Notice and the duty to convene (村民委员会组织法 art. 21): a statutory meeting is announced
//! by a published convening notice, and its ballot opens only when the notice has run its
//! period — ten days for the villagers' meeting, the community's period (three days by
//! default) for the representatives' meeting.

use chrono::Duration;

use crate::both;
use crate::common::ballots::deliberating_item;
use crate::common::page::text_by_id;

/// The text of the element with this id, which must be there.
fn text(html: &str, id: &str) -> String {
    text_by_id(html, id).unwrap_or_else(|| panic!("no #{id}"))
}
use crate::common::steps::{assert_the_log_verifies, move_fields, query, raise};
use crate::common::{spawn_app, Backend, TestApp};

fn notice_fields<'a>(body: &'a str, meets_at: &'a str, days: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("body", body),
        ("meets_at", meets_at),
        ("place", "村委会二楼会议室"),
        ("matters", "表决2027年村集体收入使用方案"),
        ("online", "外出的村民在手机上打开议题页投票"),
        ("notice_days", days),
    ]
}

fn ballot_fields(body: &str) -> [(&str, &str); 3] {
    [
        ("body", body),
        ("mode", "online"),
        ("closes_at", "2027-01-20 12:00"),
    ]
}

async fn a_villagers_meeting_opens_exactly_ten_days_after_its_notice(backend: Backend) {
    // The test clock starts on 2026-11-26 (Beijing).
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let follower = app.signed_in(&demo.contact("resident")).await;
    let item = deliberating_item(&committee, "2027年村集体收入使用方案").await;
    follower.post_ok(&format!("{item}/follow"), &[]).await;

    // No notice: the ballot cannot open, and the form says what is missing.
    let r = committee
        .post(&format!("{item}/ballots"), &ballot_fields("residents"))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("要先公布召集通知"), "{}", r.body);
    assert!(text(&r.body, "notice-line").contains("提前 10 天"));

    // A meeting nine days away is too soon; what was typed is kept.
    let early = notice_fields("residents", "2026-12-05 09:00", "");
    let r = committee.post(&format!("{item}/notice"), &early).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("开会时间太早") && r.body.contains("2026-12-05 09:00"));
    let r = committee
        .post(
            &format!("{item}/notice"),
            &notice_fields("residents", "2026-12-06 09:00", "9"),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("不能少于规定的天数"), "{}", r.body);
    // The period is read like every other number: a sign is refused at the field.
    let r = committee
        .post(
            &format!("{item}/notice"),
            &notice_fields("residents", "2026-12-06 09:00", "+10"),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("提前天数请填一个整数"), "{}", r.body);

    // The notice, published today, for a meeting ten days on.
    let notice = committee
        .post_ok(
            &format!("{item}/notice"),
            &notice_fields("residents", "2026-12-06 09:00", ""),
        )
        .await;
    assert!(notice.starts_with("/c/liutang/notices/"), "{notice}");
    let sheet = app.client().get(&notice).await;
    assert_eq!(sheet.status, 200);
    assert!(text(&sheet.body, "notice-heading").contains("村民会议召集通知"));
    assert_eq!(text(&sheet.body, "notice-meets"), "2026-12-06 09:00");
    assert_eq!(text(&sheet.body, "notice-place"), "村委会二楼会议室");
    assert_eq!(text(&sheet.body, "notice-earliest"), "2026-12-06");
    assert!(sheet.body.contains("<svg"), "the sheet carries a QR code");
    let page = app.client().get(&item).await.body;
    assert!(text(&page, "notices").contains("2026-12-06 09:00"));
    assert!(follower.get("/inbox").await.body.contains("要召开会议了"));

    // Today, and nine days on, the ballot is refused with the earliest day on the form.
    let r = committee
        .post(&format!("{item}/ballots"), &ballot_fields("residents"))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("还没满规定天数"));
    assert!(text(&r.body, "notice-line").contains("2026-12-06"));
    // (A session ends after a week unused: the committee keeps theirs alive.)
    app.clock.advance(Duration::days(5));
    assert_eq!(committee.get("/inbox").await.status, 200);
    app.clock.advance(Duration::days(4));
    let r = committee
        .post(&format!("{item}/ballots"), &ballot_fields("residents"))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);

    // Exactly ten days after the notice, it opens.
    app.clock.advance(Duration::days(1));
    let ballot = committee
        .post_ok(&format!("{item}/ballots"), &ballot_fields("residents"))
        .await;
    assert!(ballot.starts_with("/c/liutang/ballots/"), "{ballot}");
    assert_the_log_verifies(&app).await;
}
both!(a_villagers_meeting_opens_exactly_ten_days_after_its_notice);

async fn a_representatives_meeting_takes_three_days_notice_and_never_less(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = deliberating_item(&committee, "村道路灯维修分摊").await;

    let r = committee
        .post(
            &format!("{item}/notice"),
            &notice_fields("representatives", "2026-11-29 09:00", "2"),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("不能少于规定的天数"));
    committee
        .post_ok(
            &format!("{item}/notice"),
            &notice_fields("representatives", "2026-11-29 09:00", ""),
        )
        .await;
    // A villagers' meeting is not announced by a representatives' notice.
    let r = committee
        .post(&format!("{item}/ballots"), &ballot_fields("residents"))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("要先公布召集通知"));
    app.clock.advance(Duration::days(2));
    let r = committee
        .post(
            &format!("{item}/ballots"),
            &ballot_fields("representatives"),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    app.clock.advance(Duration::days(1));
    committee
        .post_ok(
            &format!("{item}/ballots"),
            &ballot_fields("representatives"),
        )
        .await;
}
both!(a_representatives_meeting_takes_three_days_notice_and_never_less);

async fn the_committees_roll_call_needs_no_notice_and_a_notice_needs_the_committee(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let item = deliberating_item(&committee, "村委会值班安排").await;

    let r = resident
        .post(
            &format!("{item}/notice"),
            &notice_fields("residents", "2026-12-06 09:00", ""),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = committee
        .post(
            &format!("{item}/notice"),
            &notice_fields("nobody", "someday", ""),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请选择要召开的会议") && r.body.contains("someday"));
    committee
        .post_ok(&format!("{item}/ballots"), &ballot_fields("committee"))
        .await;
}
both!(the_committees_roll_call_needs_no_notice_and_a_notice_needs_the_committee);

/// Puts a household of `adults` listed adults and one child on 柳塘村's roster, linking the
/// first adults to the accounts with these phone numbers, in order.
async fn roster_of(app: &TestApp, adults: usize, linked: &[String]) {
    // The demo's own roster is set aside (moved away, unlinked), so that the base is exactly
    // these adults.
    let mut sql = String::from(
        "UPDATE persons SET status = 'moved', status_date = '2026-01-01', user_id = NULL
         WHERE community_id = (SELECT id FROM communities WHERE slug = 'liutang');
         INSERT INTO households (community_id, grid_id, address, created_at, number)
         SELECT id, NULL, '村东', '2026-11-01 00:00:00', 'T-1' FROM communities
         WHERE slug = 'liutang';",
    );
    let person = |name: String, born: &str, user: String| {
        format!(
            "INSERT INTO persons (community_id, household_id, name, sex, birth_date, relation,
                phone, status, user_id, created_at, updated_at)
             SELECT c.id, h.id, '{name}', 'm', '{born}', '', '', 'listed', {user},
                '2026-11-01 00:00:00', '2026-11-01 00:00:00'
             FROM communities c JOIN households h ON h.community_id = c.id AND h.number = 'T-1'
             WHERE c.slug = 'liutang';"
        )
    };
    for i in 0..adults {
        let user = linked.get(i).map_or("NULL".to_string(), |phone| {
            format!("(SELECT id FROM users WHERE phone = '{phone}')")
        });
        sql.push_str(&person(format!("村民{i}"), "1970-05-01", user));
    }
    // Seventeen on the meeting day: not counted.
    sql.push_str(&person("小孩".into(), "2009-06-01", "NULL".into()));
    query(app, move |conn| {
        use diesel::connection::SimpleConnection;
        conn.batch_execute(&sql)
    })
    .await;
}

async fn a_proposal_of_one_tenth_of_the_adults_must_be_convened(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let first: u64 = demo.contact("representative").parse().expect("phone");
    let (author_phone, backer_phone) = ((first + 20).to_string(), (first + 21).to_string());
    // Twenty adults on the roster: two proposers are exactly one tenth.
    roster_of(&app, 20, &[author_phone.clone(), backer_phone.clone()]).await;
    let author = app.signed_in(&author_phone).await;
    let backer = app.signed_in(&backer_phone).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let item = raise(
        &author,
        "村口建公共厕所",
        "村口赶集人多，没有厕所",
        "infrastructure",
    )
    .await;
    let id = item.rsplit('/').next().expect("id").to_string();
    let board = supervisor.get("/c/liutang/supervision").await.body;
    assert!(
        !board.contains(&format!("id=\"convene-{id}\"")),
        "one in twenty"
    );

    // The second proposer makes one tenth: the committee may no longer decline it.
    backer.post_ok(&format!("{item}/support"), &[]).await;
    let board = supervisor.get("/c/liutang/supervision").await.body;
    assert!(text(&board, &format!("convene-{id}")).contains("须召集"));
    let r = committee
        .post(
            &format!("{item}/stage"),
            &move_fields("declined", "村里没有这笔钱"),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("必须召集村民会议讨论"));

    // Past the community's response days it is overdue.
    app.clock.advance(Duration::days(31));
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let board = supervisor.get("/c/liutang/supervision").await.body;
    assert!(text(&board, &format!("convene-{id}")).contains("已逾期"));

    // A convening notice of the villagers' meeting answers the duty.
    let committee = app.signed_in(&demo.contact("committee")).await;
    committee
        .post_ok(
            &format!("{item}/stage"),
            &move_fields("adopted", "联名已达十分之一，依法召集村民会议"),
        )
        .await;
    committee
        .post_ok(
            &format!("{item}/notice"),
            &notice_fields("residents", "2027-01-10 09:00", ""),
        )
        .await;
    let board = supervisor.get("/c/liutang/supervision").await.body;
    assert!(!board.contains(&format!("id=\"convene-{id}\"")));
}
both!(a_proposal_of_one_tenth_of_the_adults_must_be_convened);
