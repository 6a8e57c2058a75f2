//! The urban 居民代表会议 (城市居民委员会组织法, 2025 revision): a neighbourhood's committee sets
//! whether it holds one and its quorum and pass shares; a representatives' ballot in 兴和社区
//! opens with that rule, and is refused when the community holds none.

use crate::both;
use crate::common::ballots::noticed;
use crate::common::page::{inner_by_id, text_by_id};
use crate::common::steps::count_sql;
use crate::common::{spawn_app, voters, Backend, Client, Demo, TestApp};

const SETTINGS: &str = "/c/xinghe/settings/representatives";

/// The form's fields: held (or not), the quorum and the pass share as (num, den, cmp).
fn setting<'a>(
    held: bool,
    quorum: (&'a str, &'a str, &'a str),
    pass: (&'a str, &'a str, &'a str),
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("quorum_num", quorum.0),
        ("quorum_den", quorum.1),
        ("quorum_cmp", quorum.2),
        ("pass_num", pass.0),
        ("pass_den", pass.1),
        ("pass_cmp", pass.2),
    ];
    if held {
        f.push(("held", "on"));
    }
    f
}

const TWO_THIRDS: (&str, &str, &str) = ("2", "3", "at_least");
const THREE_QUARTERS: (&str, &str, &str) = ("3", "4", "at_least");
const HALF: (&str, &str, &str) = ("1", "2", "more_than");

async fn settings_rows(app: &TestApp) -> i64 {
    count_sql(app, "SELECT COUNT(*) AS n FROM urban_rep_settings".into()).await
}

/// The demo with 兴和社区's members on its roster, and its committee signed in.
async fn xinghe(backend: Backend) -> (TestApp, Demo, Client) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let now = yishi::clock::Clock::now(&*app.clock);
    app.state
        .db(move |conn| voters::roster_members(conn, "xinghe", now))
        .await
        .expect("members on the roster");
    let committee = app.signed_in(&demo.contact("committee_xinghe")).await;
    (app, demo, committee)
}

/// A new item of 兴和社区 in deliberation; returns its path.
async fn item(committee: &Client, title: &str) -> String {
    let path = committee
        .post_ok(
            "/c/xinghe/items",
            &[("title", title), ("body", "说明"), ("category", "economy")],
        )
        .await;
    committee
        .post_ok(&format!("{path}/stage"), &[("to", "deliberating")])
        .await;
    path
}

fn hall_ballot() -> Vec<(&'static str, &'static str)> {
    vec![
        ("body", "representatives"),
        ("mode", "hall"),
        ("closes_at", crate::common::ballots::IN_TWO_DAYS),
    ]
}

/// Opens a hall representatives' ballot on a new item, records `present` of the members
/// present with all but one of them for, and has a second member confirm it; returns the
/// decision page.
async fn counted(app: &TestApp, demo: &Demo, committee: &Client, present: u64) -> String {
    let item = item(committee, &format!("居民代表会议：{present}人到会")).await;
    noticed(committee, &item, "representatives").await;
    let ballot = committee
        .post_ok(&format!("{item}/ballots"), &hall_ballot())
        .await;
    let (p, yes, no) = (
        present.to_string(),
        (present - 1).to_string(),
        "1".to_string(),
    );
    committee
        .post_ok(
            &format!("{ballot}/results"),
            &[
                ("present", p.as_str()),
                ("households_present", "0"),
                ("count_0", yes.as_str()),
                ("count_1", no.as_str()),
                ("count_2", "0"),
                ("minutes", "在居委会会议室召开"),
            ],
        )
        .await;
    let page = committee.get(&ballot).await.body;
    let rid = crate::common::page::ids_with_prefix(&page, "hall-result-").remove(0);
    let first: u64 = demo
        .contact("committee_xinghe")
        .parse()
        .expect("a phone number");
    let partner = app.signed_in(&(first + 1).to_string()).await;
    let decision = partner
        .post_ok(&format!("{ballot}/results/{rid}/confirm"), &[])
        .await;
    app.client().get(&decision).await.body
}

both!(the_committee_of_a_neighbourhood_sets_its_representatives_meeting);
async fn the_committee_of_a_neighbourhood_sets_its_representatives_meeting(backend: Backend) {
    let (app, demo, committee) = xinghe(backend).await;
    let page = committee.get("/c/xinghe/residents").await;
    assert!(page.body.contains("id=\"reps-form\""), "{}", page.body);
    assert!(
        page.body.contains("各省、市的实施办法可能另有规定"),
        "local measures"
    );
    assert!(page.body.contains(
        "id=\"reps-held\" name=\"held\" value=\"on\" aria-describedby=\"reps-held-hint\" checked"
    ));
    assert!(page
        .body
        .contains("name=\"quorum_den\" inputmode=\"numeric\" size=\"3\" value=\"3\""));

    committee
        .post_ok_to(
            SETTINGS,
            &setting(true, THREE_QUARTERS, HALF),
            "/c/xinghe/residents?done=representatives",
        )
        .await;
    let page = committee
        .get("/c/xinghe/residents?done=representatives")
        .await;
    assert!(page.body.contains("居民代表会议的设定已保存"));
    assert!(page
        .body
        .contains("name=\"quorum_den\" inputmode=\"numeric\" size=\"3\" value=\"4\""));
    assert_eq!(settings_rows(&app).await, 1);
    let stored = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM urban_rep_settings \
         WHERE rule = 'quorum=people>=3/4;pass=present>1/2'"
            .into(),
    )
    .await;
    assert_eq!(stored, 1);
    let log = committee.get("/c/xinghe/log").await;
    assert!(log.body.contains("修改设置") && !log.body.contains("修改提议规则"));
    assert!(
        [
            "quorum=people&gt;=3/4",
            "quorum=people&#62;=3/4",
            "quorum=people>=3/4"
        ]
        .iter()
        .any(|t| log.body.contains(t)),
        "the change is in the action log: {}",
        log.body
    );

    // Only the committee, with a CSRF token.
    let forged = committee
        .post_raw(SETTINGS, &setting(true, HALF, HALF), &[])
        .await;
    assert_eq!(forged.status, 403);
    for role in ["resident", "representative", "supervisor", "committee"] {
        let someone = app.signed_in(&demo.contact(role)).await;
        let r = someone.post(SETTINGS, &setting(true, HALF, HALF)).await;
        assert_eq!(r.status, 403, "{role} of 柳塘村");
    }
    assert_eq!(settings_rows(&app).await, 1, "nothing more written");

    // A village has no such setting: its page does not show it, a POST finds nothing.
    let village = app.signed_in(&demo.contact("committee")).await;
    let page = village.get("/c/liutang/residents").await;
    assert!(!page.body.contains("reps-form"));
    let r = village
        .post(
            "/c/liutang/settings/representatives",
            &setting(true, TWO_THIRDS, HALF),
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(settings_rows(&app).await, 1);
}

both!(bad_shares_are_refused_at_their_field_with_what_was_typed_kept);
async fn bad_shares_are_refused_at_their_field_with_what_was_typed_kept(backend: Backend) {
    let (app, _, committee) = xinghe(backend).await;
    for (quorum, pass, field, says) in [
        (
            ("2", "", "at_least"),
            HALF,
            "quorum_den",
            "到会要求的分母须是 1 到 20 之间的整数",
        ),
        (
            ("2", "3", "at_least"),
            ("1.5", "2", "more_than"),
            "pass_num",
            "通过要求的分子须是 1 到 20 之间的整数",
        ),
        (
            ("2", "21", "at_least"),
            HALF,
            "quorum_den",
            "到会要求的分母须是 1 到 20 之间的整数",
        ),
        (
            ("4", "3", "at_least"),
            HALF,
            "quorum_num",
            "分子不能大于分母",
        ),
        (
            ("3", "3", "more_than"),
            HALF,
            "quorum_cmp",
            "分子和分母一样时，请选“以上”",
        ),
        (
            ("1", "2", "at_least"),
            HALF,
            "quorum_num",
            "到会人数不能低于全体组成人员的过半数",
        ),
        (
            TWO_THIRDS,
            ("1", "3", "at_least"),
            "pass_num",
            "同意票不能低于到会人数的过半数",
        ),
        (
            TWO_THIRDS,
            ("1", "2", "about"),
            "pass_cmp",
            "请选择“以上”或“超过”",
        ),
    ] {
        let r = committee.post(SETTINGS, &setting(true, quorum, pass)).await;
        assert_eq!(r.status, 422, "{field}: {}", r.body);
        let at_field = inner_by_id(&r.body, &format!("reps-{field}-error")).unwrap_or_default();
        assert!(at_field.contains(says), "{field}: {at_field}");
        assert!(
            r.body.contains(&format!(
                "aria-describedby=\"reps-{}-hint reps-{field}-error\"",
                &field[..field.find('_').unwrap()]
            )) || field.ends_with("_cmp"),
            "{field} described by its message"
        );
        assert!(r
            .body
            .contains("action=\"/c/xinghe/settings/representatives#reps-form\""));
        let (num, den, _) = if field.starts_with("quorum") {
            quorum
        } else {
            pass
        };
        if !num.is_empty() {
            assert!(r.body.contains(&format!("value=\"{num}\"")), "kept {num}");
        }
        assert!(den.is_empty() || r.body.contains(&format!("value=\"{den}\"")));
    }
    assert_eq!(settings_rows(&app).await, 0, "nothing saved");
}

both!(urban_law_2025_exactly_two_thirds_of_the_representatives_meeting_is_a_quorum);
async fn urban_law_2025_exactly_two_thirds_of_the_representatives_meeting_is_a_quorum(
    backend: Backend,
) {
    let (app, demo, committee) = xinghe(backend).await;
    let members = count_sql(
        &app,
        "SELECT COUNT(DISTINCT m.user_id) AS n FROM memberships m JOIN communities c \
         ON c.id = m.community_id WHERE c.slug = 'xinghe' \
         AND m.role IN ('committee', 'representative')"
            .into(),
    )
    .await;
    assert_eq!(members, 12, "5 committee members and 7 representatives");

    let met = counted(&app, &demo, &committee, 8).await;
    assert_eq!(
        text_by_id(&met, "verdict").as_deref(),
        Some("通过"),
        "{met}"
    );
    assert!(met.contains("三分之二以上 = 8人；8人参加 — 达到"), "{met}");

    let short = counted(&app, &demo, &committee, 7).await;
    assert_eq!(
        text_by_id(&short, "verdict").as_deref(),
        Some("未达法定人数"),
        "{short}"
    );
}

both!(a_representatives_ballot_in_a_neighbourhood_uses_its_setting_as_preset_and_floor);
async fn a_representatives_ballot_in_a_neighbourhood_uses_its_setting_as_preset_and_floor(
    backend: Backend,
) {
    let (app, demo, committee) = xinghe(backend).await;
    committee
        .post_ok(SETTINGS, &setting(true, THREE_QUARTERS, HALF))
        .await;

    // Three quarters of 12 is 9: 9 present meet it, 8 do not.
    let met = counted(&app, &demo, &committee, 9).await;
    assert_eq!(
        text_by_id(&met, "verdict").as_deref(),
        Some("通过"),
        "{met}"
    );
    assert!(met.contains("= 9人；9人参加 — 达到"), "{met}");
    let short = counted(&app, &demo, &committee, 8).await;
    assert_eq!(
        text_by_id(&short, "verdict").as_deref(),
        Some("未达法定人数"),
        "{short}"
    );
    let stored = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM ballots b JOIN communities c ON c.id = b.community_id \
         WHERE c.slug = 'xinghe' AND b.rule = 'quorum=people>=3/4;pass=present>1/2'"
            .into(),
    )
    .await;
    assert_eq!(stored, 2, "each ballot keeps the rule it opened with");

    // Two thirds is the law's default, but below this community's own rule.
    let item = item(&committee, "居民代表会议：按三分之二开会").await;
    noticed(&committee, &item, "representatives").await;
    let mut fields = hall_ballot();
    fields.push(("quorum", "people_two_thirds"));
    let r = committee.post(&format!("{item}/ballots"), &fields).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let at_field = inner_by_id(&r.body, "quorum-error").unwrap_or_default();
    assert!(at_field.contains("不能低于本社区的设定"), "{at_field}");
}

both!(a_neighbourhood_without_a_representatives_meeting_cannot_put_a_matter_to_one);
async fn a_neighbourhood_without_a_representatives_meeting_cannot_put_a_matter_to_one(
    backend: Backend,
) {
    let (app, _, committee) = xinghe(backend).await;
    let item = item(&committee, "居民代表会议：不再召开").await;
    noticed(&committee, &item, "representatives").await;
    let offered = committee.get(&format!("{item}/ballots/new")).await;
    assert!(offered.body.contains("id=\"body-representatives\""));
    // The form's default is this community's setting under the urban law, not the village law.
    assert!(offered
        .body
        .contains("《城市居民委员会组织法》和本社区的设定"));
    assert!(!offered.body.contains("默认按《村民委员会组织法》"));
    assert!(offered.body.contains(">按默认规则</option>") && !offered.body.contains("按法定默认"));

    committee
        .post_ok(SETTINGS, &setting(false, TWO_THIRDS, HALF))
        .await;
    let page = committee.get("/c/xinghe/residents").await;
    assert!(!page
        .body
        .contains("name=\"held\" value=\"on\" aria-describedby=\"reps-held-hint\" checked"));

    let form = committee.get(&format!("{item}/ballots/new")).await;
    assert_eq!(form.status, 200);
    assert!(
        !form.body.contains("id=\"body-representatives\""),
        "not offered"
    );
    assert!(form.body.contains("id=\"body-residents\""));
    let r = committee
        .post(&format!("{item}/ballots"), &hall_ballot())
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let at_field = inner_by_id(&r.body, "body-error").unwrap_or_default();
    assert!(
        at_field.contains("本社区没有设立居民代表会议"),
        "{at_field}"
    );
    let item_id = item.rsplit('/').next().expect("the item's id");
    let opened = count_sql(
        &app,
        format!("SELECT COUNT(*) AS n FROM ballots WHERE item_id = {item_id}"),
    )
    .await;
    assert_eq!(opened, 0);

    // Nor is it convened.
    let notice_form = committee.get(&format!("{item}/notice")).await;
    assert!(!notice_form.body.contains("value=\"representatives\""));
}
