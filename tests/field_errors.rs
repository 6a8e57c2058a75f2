//! Errors at the field (issue #15): an empty required field answers 422 with the field marked
//! (`aria-invalid`), described by a message beside it (`aria-describedby`) that names it.

use crate::both;
use crate::common::ballots::{deliberating_item, members_on_the_roster};
use crate::common::page::{attr_by_id, text_by_id};
use crate::common::steps::{demo_committee, report};
use crate::common::{spawn_app, Backend, Resp};

/// The field `id` is marked invalid, described by `id-error`, whose text has `named`.
fn at_field(r: &Resp, id: &str, named: &str) {
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        attr_by_id(&r.body, id, "aria-invalid").as_deref(),
        Some("true"),
        "{id} marked"
    );
    let described = format!("{id}-error");
    let by = attr_by_id(&r.body, id, "aria-describedby").unwrap_or_default();
    assert!(
        by.split_whitespace().any(|d| d == described),
        "{id} described: {by}"
    );
    let msg = text_by_id(&r.body, &described).unwrap_or_default();
    assert!(msg.contains(named), "{id}: {msg}");
}

async fn an_empty_required_field_is_named_at_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;

    // A comment on a work order.
    let order = report(&resident, "井盖松了", &[]).await;
    let r = resident
        .post(&format!("{order}/comments"), &[("body", "  ")])
        .await;
    at_field(&r, "comment-body", "讨论内容不能为空");
    once(&r, "讨论内容不能为空");
    assert!(r.body.contains("#new-comment\""), "the form's anchor");

    // Report a problem (随手拍).
    let r = resident
        .post_files(
            "/c/liutang/orders",
            &[
                ("title", ""),
                ("description", "井盖松了"),
                ("category", "safety"),
                ("place", "村口"),
            ],
            vec![],
        )
        .await;
    at_field(&r, "title", "标题不能为空");
    assert!(r.body.contains("井盖松了"), "what was typed is kept");

    // A proposal (提建议).
    let r = resident
        .post(
            "/c/liutang/items",
            &[("title", "修桥栏杆"), ("body", ""), ("category", "other")],
        )
        .await;
    at_field(&r, "body", "内容不能为空");
    assert!(r.body.contains("修桥栏杆"));

    // An inquiry.
    let r = resident
        .post("/c/liutang/inquiries", &[("question", " ")])
        .await;
    at_field(&r, "question", "请写下您要问的问题");
    once(&r, "请写下您要问的问题");
    assert!(r.body.contains("/inquiries#ask\""));

    // Signing up.
    let r = app
        .client()
        .post(
            "/signup",
            &[
                ("contact", "13600002222"),
                ("display_name", ""),
                ("password", "a-long-enough-pass"),
                ("password_confirm", "a-long-enough-pass"),
            ],
        )
        .await;
    at_field(&r, "display_name", "名字不能为空");
    assert!(r.body.contains("13600002222"));
}
both!(an_empty_required_field_is_named_at_the_field);

async fn a_new_projects_empty_fields_are_named_at_the_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;

    let r = committee
        .post(
            "/c/liutang/projects",
            &[
                ("prefix", "lt"),
                ("title", "村南路灯安装"),
                ("announcement", " "),
                ("budget", "62,000"),
                ("contractor", "东溪镇照明工程部"),
                ("planned_start", ""),
                ("planned_end", "2027-01-31"),
            ],
        )
        .await;

    at_field(&r, "announcement", "项目公告不能为空");
    once(&r, "项目公告不能为空");
    at_field(&r, "planned_start", "计划开工日期不能为空");
    assert!(
        r.body.contains("/projects#new-project\""),
        "the form's anchor"
    );
    assert!(r.body.contains("村南路灯安装") && r.body.contains("东溪镇照明工程部"));
}
both!(a_new_projects_empty_fields_are_named_at_the_fields);

async fn a_roster_forms_empty_fields_are_named_at_the_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;

    let person = committee
        .post(
            "/c/liutang/roster/persons",
            &[
                ("name", " "),
                ("sex", "f"),
                ("birth_date", "1962-03-01"),
                ("relation", "户主"),
                ("phone", "13800138000"),
            ],
        )
        .await;
    let household = committee
        .post(
            "/c/liutang/roster/households",
            &[("number", "A-77"), ("address", "")],
        )
        .await;

    at_field(&person, "p-name", "姓名不能为空");
    once(&person, "姓名不能为空");
    at_field(&person, "p-household", "");
    assert!(person.body.contains("/roster/persons#add-person\""));
    assert!(person.body.contains("1962-03-01") && person.body.contains("13800138000"));
    at_field(&household, "h-address", "住址不能为空");
    assert!(household
        .body
        .contains("/roster/households#add-household\""));
    assert!(household.body.contains("A-77"));
}
both!(a_roster_forms_empty_fields_are_named_at_the_fields);

async fn a_powers_empty_fields_are_named_at_the_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;

    let r = committee
        .post(
            "/c/liutang/powers",
            &[
                ("code", "12"),
                ("name", " "),
                ("kind", "disbursement"),
                ("body", "representatives"),
                ("threshold", "-5"),
                ("comparison", "at_least"),
                ("procedure", "村民代表会议表决"),
            ],
        )
        .await;

    at_field(&r, "name", "请填写这项权力的名称");
    at_field(&r, "threshold", "是负数");
    assert!(r.body.contains("/powers#add-power\""), "the form's anchor");
    assert!(r.body.contains("村民代表会议表决"));
}
both!(a_powers_empty_fields_are_named_at_the_fields);

async fn a_disclosures_empty_fields_are_named_at_the_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;

    let r = committee
        .post_files(
            "/c/liutang/disclosures",
            &[
                ("category", "other"),
                ("period", "2026-11"),
                ("title", " "),
                ("responsible", ""),
                ("body", "十一月的村务安排如下。"),
            ],
            vec![],
        )
        .await;

    at_field(&r, "title", "标题不能为空");
    at_field(&r, "responsible", "责任人不能为空");
    once(&r, "责任人不能为空");
    assert!(
        r.body.contains("/disclosures#disclosure-form\""),
        "the form's anchor"
    );
    assert!(r.body.contains("十一月的村务安排如下。"));
}
both!(a_disclosures_empty_fields_are_named_at_the_fields);

async fn a_ballots_opening_and_convening_fields_are_named_at_the_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    members_on_the_roster(&app).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = deliberating_item(&committee, "村口停车场收费方案").await;

    // Opening a ballot: a choice not made, and times not understood.
    let r = committee
        .post(
            &format!("{item}/ballots"),
            &[
                ("body", ""),
                ("mode", "online"),
                ("options", "收费\n不收费"),
                ("opens_at", "明天早上"),
                ("closes_at", "下周"),
                ("quorum", "preset"),
                ("pass", "preset"),
            ],
        )
        .await;
    at_field(&r, "body", "表决主体");
    at_field(&r, "opens_at", "开始时间");
    assert!(
        r.body.contains("/ballots#open-ballot\""),
        "the form's anchor"
    );
    assert!(r.body.contains("明天早上") && r.body.contains("下周"));
    let r = committee
        .post(
            &format!("{item}/ballots"),
            &[
                ("body", "committee"),
                ("mode", "online"),
                ("options", ""),
                ("closes_at", "2020-01-01 08:00"),
                ("quorum", "preset"),
                ("pass", "preset"),
            ],
        )
        .await;
    at_field(&r, "closes_at", "截止时间");
    assert!(r.body.contains("2020-01-01 08:00"));

    // The convening notice.
    let r = committee
        .post(
            &format!("{item}/notice"),
            &[
                ("body", "residents"),
                ("meets_at", "下个月"),
                ("place", " "),
                ("matters", ""),
                ("online", "扫码投票"),
                ("notice_days", ""),
            ],
        )
        .await;
    at_field(&r, "meets_at", "开会时间");
    at_field(&r, "place", "开会地点不能为空");
    at_field(&r, "matters", "会议事项不能为空");
    assert!(
        r.body.contains("/notice#notice-form\""),
        "the form's anchor"
    );
    assert!(r.body.contains("下个月") && r.body.contains("扫码投票"));
}
both!(a_ballots_opening_and_convening_fields_are_named_at_the_fields);

async fn the_admins_and_residents_pages_name_their_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let admin = app.signed_in(&demo.contact("admin")).await;

    // Creating a village.
    let r = admin
        .post(
            "/admin/communities",
            &[
                ("kind", "village"),
                ("name", " "),
                ("slug", "桃源"),
                ("parent", "dongxi"),
                ("description", "山脚下的村子"),
            ],
        )
        .await;
    at_field(&r, "name", "村（社区）名称不能为空");
    at_field(&r, "slug", "网址简称");
    assert!(r.body.contains("/admin/communities#create-community\""));
    assert!(r.body.contains("山脚下的村子") && r.body.contains("value=\"桃源\""));

    // Appointing township staff.
    let r = admin
        .post(
            "/admin/staff",
            &[("community", "dongxi"), ("contact", "13900009999")],
        )
        .await;
    at_field(&r, "staff-contact", "没有找到这个手机号或邮箱的账号");
    assert!(r.body.contains("/admin/staff#appoint-staff\""));
    assert!(r.body.contains("value=\"13900009999\""));
    let r = admin
        .post(
            "/admin/staff",
            &[("community", "nowhere"), ("contact", "13900009999")],
        )
        .await;
    at_field(&r, "staff-community", "没有这个村或社区");

    // The committee appoints someone, and adds a grid.
    let committee = app.signed_in(&demo.contact("committee")).await;
    let r = committee
        .post(
            "/c/liutang/roles",
            &[("contact", "13900009999"), ("role", "representative")],
        )
        .await;
    at_field(&r, "appoint-contact", "没有找到这个手机号或邮箱的账号");
    assert!(r.body.contains("/roles#appoint-form\""));
    assert!(r.body.contains("value=\"13900009999\""));
    let r = committee
        .post(
            "/c/liutang/roles",
            &[("contact", &demo.contact("resident")), ("role", "mayor")],
        )
        .await;
    at_field(&r, "appoint-role", "身份");
    let r = committee
        .post(
            "/c/liutang/roles",
            &[
                ("contact", &demo.contact("resident")),
                ("role", "grid_worker"),
                ("grid_id", ""),
            ],
        )
        .await;
    at_field(&r, "appoint-grid", "网格");

    let r = committee
        .post("/c/liutang/grids", &[("name", "\u{7}")])
        .await;
    at_field(&r, "grid-name", "控制字符");
    let r = committee.post("/c/liutang/grids", &[("name", "  ")]).await;
    at_field(&r, "grid-name", "网格名称不能为空");
    assert!(r.body.contains("/grids#grid-form\""));
}
both!(the_admins_and_residents_pages_name_their_fields);

async fn an_inquirys_answer_and_order_forms_name_their_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let at = resident
        .post_ok("/c/liutang/inquiries", &[("question", "村道什么时候修？")])
        .await;
    let inquiry = at.split('?').next().expect("path").to_string();
    let committee = app.signed_in(&demo.contact("committee")).await;

    let r = committee
        .post_files(&format!("{inquiry}/answer"), &[("answer", "  ")], vec![])
        .await;
    at_field(&r, "answer", "请填写答复内容");
    assert!(
        r.body.contains("/answer#answer-form\""),
        "the form's anchor"
    );

    let r = committee
        .post(
            &format!("{inquiry}/order"),
            &[("title", ""), ("category", "road"), ("place", "村西路口")],
        )
        .await;
    at_field(&r, "order-title", "工单标题");
    assert!(r.body.contains("/order#make-order\""), "the form's anchor");
    assert!(
        r.body.contains("value=\"村西路口\""),
        "what was typed is kept"
    );
    assert!(r.body.contains("<details id=\"make-order\" open>"));
    let r = committee
        .post(
            &format!("{inquiry}/order"),
            &[("title", "修村道"), ("category", "rockets"), ("place", "")],
        )
        .await;
    at_field(&r, "order-category", "类别");
    assert!(r.body.contains("value=\"修村道\""));
}
both!(an_inquirys_answer_and_order_forms_name_their_fields);

/// A meeting in the hall (村民代表会议) on a new item of 柳塘村; the ballot's path.
async fn a_hall_ballot(committee: &crate::common::Client, title: &str) -> String {
    use crate::common::ballots::{deliberating_item, open_ballot, IN_TWO_DAYS};
    let item = deliberating_item(committee, title).await;
    let hall = [
        ("body", "representatives"),
        ("mode", "hall"),
        ("closes_at", IN_TWO_DAYS),
    ];
    open_ballot(committee, &item, &hall).await
}

async fn a_hall_count_out_of_range_is_named_at_its_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;
    let ballot = a_hall_ballot(&committee, "村民代表会议：道路养护分工").await;

    // A count above those present is refused at the count, before any sum is made.
    let r = committee
        .post(
            &format!("{ballot}/results"),
            &[
                ("present", "7"),
                ("count_0", "８"),
                ("count_1", "1.5"),
                ("count_2", "0"),
                ("minutes", "在村委会议室召开"),
            ],
        )
        .await;
    at_field(&r, "count_0", "“同意”票数须是 0 到 7 之间的整数");
    at_field(&r, "count_1", "“反对”票数须是 0 到 7 之间的整数");
    assert!(r.body.contains("value=\"８\"") && r.body.contains("value=\"1.5\""));
    assert!(r.body.contains("在村委会议室召开"), "the minutes are kept");
    assert!(r.body.contains("/results#hall\""), "the form's anchor");

    // Present beyond any electorate, or not a number at all.
    let r = committee
        .post(
            &format!("{ballot}/results"),
            &[
                ("present", "99999999999999999999"),
                ("count_0", "0"),
                ("count_1", "0"),
                ("count_2", "0"),
            ],
        )
        .await;
    at_field(&r, "present", "到会人数须是 0 到");
    assert!(r.body.contains("value=\"99999999999999999999\""));
}
both!(a_hall_count_out_of_range_is_named_at_its_field);

async fn a_corrections_counts_are_named_at_their_fields_on_the_decision(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let ballot = a_hall_ballot(&committee, "村民代表会议：河道保洁").await;
    let counts = [
        ("present", "7"),
        ("count_0", "5"),
        ("count_1", "1"),
        ("count_2", "1"),
    ];
    committee
        .post_ok(&format!("{ballot}/results"), &counts)
        .await;
    let page = committee.get(&ballot).await.body;
    let rid = crate::common::page::ids_with_prefix(&page, "hall-result-")
        .pop()
        .expect("a hall result");
    let first: u64 = demo.contact("committee").parse().expect("phone");
    let partner = app.signed_in(&(first + 1).to_string()).await;
    let decision = partner
        .post_ok(&format!("{ballot}/results/{rid}/confirm"), &[])
        .await;

    let r = committee
        .post(
            &format!("{decision}/correct"),
            &[
                ("reason", "计票有误"),
                ("present", "7"),
                ("count_0", "-1"),
                ("count_1", "1"),
                ("count_2", "１０"),
            ],
        )
        .await;
    at_field(&r, "correct-count_0", "“同意”票数须是 0 到 7 之间的整数");
    at_field(&r, "correct-count_2", "“弃权”票数须是 0 到 7 之间的整数");
    assert!(r.body.contains("value=\"-1\"") && r.body.contains("value=\"１０\""));
    assert!(r.body.contains("计票有误"), "the reason is kept");
    assert!(r.body.contains("/correct#correct\""), "the form's anchor");

    let r = committee
        .post(
            &format!("{decision}/correct"),
            &[
                ("reason", " "),
                ("present", "7"),
                ("count_0", "7"),
                ("count_1", "0"),
                ("count_2", "0"),
            ],
        )
        .await;
    at_field(&r, "correct-reason", "请写明更正原因");
}
both!(a_corrections_counts_are_named_at_their_fields_on_the_decision);

async fn a_payments_amount_is_named_at_the_field_and_a_rule_refusal_at_the_top(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;
    let pay = "/c/liutang/projects/LT-2026-001/disbursements";
    let payment = |amount: &'static str| {
        vec![
            ("amount", amount),
            ("paid_on", "2026-11-01"),
            ("payee", "县公路工程队第二期"),
            ("voucher", "LT记-2026-141"),
            ("decision", ""),
        ]
    };

    for (typed, says) in [
        ("abc", "金额“abc”看不懂"),
        ("-5", "金额“-5”是负数"),
        ("1000000001", "金额“1000000001”太大了"),
        ("", "请填写付款金额"),
    ] {
        let r = committee.post(pay, &payment(typed)).await;
        at_field(&r, "amount", says);
        assert!(
            r.body.contains("县公路工程队第二期"),
            "what was typed is kept"
        );
        assert!(r.body.contains("/disbursements#pay\""), "the form's anchor");
    }
}
both!(a_payments_amount_is_named_at_the_field_and_a_rule_refusal_at_the_top);

async fn the_proposal_rules_and_oversight_days_are_named_at_their_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;

    let r = committee
        .post(
            "/c/liutang/settings",
            &[
                ("support_percent", "101"),
                ("support_minimum", "３"),
                ("response_days", "1e3"),
            ],
        )
        .await;
    at_field(
        &r,
        "support_percent",
        "附议比例（%）须是 1 到 100 之间的整数",
    );
    at_field(
        &r,
        "response_days",
        "答复期限（天）须是 1 到 365 之间的整数",
    );
    assert_eq!(attr_by_id(&r.body, "support_minimum", "aria-invalid"), None);
    assert!(r.body.contains("value=\"101\"") && r.body.contains("value=\"1e3\""));
    assert!(
        r.body.contains("/settings#settings-form\""),
        "the form's anchor"
    );

    let r = committee
        .post(
            "/c/liutang/oversight",
            &[("voucher_review_days", "0"), ("inquiry_days", "10")],
        )
        .await;
    at_field(&r, "voucher_review_days", "须是 1 到 365 之间的整数");
    assert!(
        r.body.contains("/oversight#settings\""),
        "the form's anchor"
    );
}
both!(the_proposal_rules_and_oversight_days_are_named_at_their_fields);

/// `text` appears once on the page: beside its field, not again in a box at the top.
fn once(r: &Resp, text: &str) {
    assert_eq!(r.body.matches(text).count(), 1, "{text} once: {}", r.body);
}

async fn a_vote_with_no_choice_is_named_at_the_options(backend: Backend) {
    use crate::common::ballots::{open_ballot, sealed_tracker, IN_TWO_DAYS};
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    members_on_the_roster(&app).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = deliberating_item(&committee, "村口路灯换成太阳能").await;
    let online = [
        ("body", "residents"),
        ("mode", "online"),
        ("closes_at", IN_TWO_DAYS),
    ];
    let ballot = open_ballot(&committee, &item, &online).await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let page = resident.get(&ballot).await.body;
    assert!(page.contains("/vote#vote\""), "the form's anchor");
    let (tracker, seal) = sealed_tracker(&page);

    let r = resident
        .post(
            &format!("{ballot}/vote"),
            &[("tracker", &tracker), ("tracker_seal", &seal)],
        )
        .await;
    at_field(&r, "choice", "请选择一项再投票");
    once(&r, "请选择一项再投票");
    assert!(r.body.contains(&tracker), "the tracker copied stays");
}
both!(a_vote_with_no_choice_is_named_at_the_options);

async fn a_work_order_from_a_decision_is_refused_at_its_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;
    let orders = "/c/liutang/decisions/2/orders";

    let r = committee
        .post(
            orders,
            &[
                ("title", " "),
                ("description", "先修北段"),
                ("budget", "1000"),
                ("due", "下个月"),
            ],
        )
        .await;
    at_field(&r, "order-title", "请写工单标题");
    at_field(&r, "order-due", "办结期限");
    once(&r, "请写工单标题");
    assert!(r.body.contains("/orders#orders\""), "the form's anchor");
    assert!(r.body.contains("先修北段") && r.body.contains("value=\"下个月\""));
    assert!(r.body.contains("<details id=\"make-order\" open>"));

    let long = "路".repeat(5001);
    let r = committee
        .post(
            orders,
            &[
                ("title", "道路硬化北段"),
                ("description", long.as_str()),
                ("due", "2026-11-01"),
            ],
        )
        .await;
    at_field(&r, "order-description", "最多 5000 个字");
    at_field(&r, "order-due", "办结期限不能早于今天");
    assert_eq!(attr_by_id(&r.body, "order-title", "aria-invalid"), None);
    assert!(r.body.contains("value=\"道路硬化北段\""));

    // An emergency's reason too short to say why is named at the reason, not in a box at
    // the top after a redirect, and the rest of the form is kept.
    let r = committee
        .post(
            orders,
            &[
                ("title", "河堤抢修"),
                ("budget", "80000"),
                ("due", "2026-12-31"),
                ("override_reason", "太急"),
            ],
        )
        .await;
    at_field(&r, "order-override", "至少写 10 个字");
    once(&r, "至少写 10 个字");
    assert!(r.body.contains("value=\"河堤抢修\"") && r.body.contains(">太急</textarea>"));
}
both!(a_work_order_from_a_decision_is_refused_at_its_fields);

/// A major item of 柳塘村 under deliberation, its 四议 not yet recorded; its path.
async fn a_major_item(committee: &crate::common::Client) -> String {
    let item = ("村集体果园承包方案", "果园承包到期，拟重新公开发包。");
    crate::common::ballots::major_item(committee, item, "economy").await
}

async fn a_deliberation_steps_fields_are_named_at_the_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;
    let item = a_major_item(&committee).await;
    let steps = format!("{item}/steps");
    let step = |held_on: &'static str, body: &'static str, outcome: &'static str| {
        vec![
            ("step", "proposal"),
            ("held_on", held_on),
            ("body", body),
            ("expected", "7"),
            ("present", "6"),
            ("outcome", outcome),
            ("minutes", "讨论了承包年限"),
        ]
    };

    // Not a date, the meeting's name and the outcome left empty.
    let r = committee.post(&steps, &step("上周三", " ", "")).await;
    at_field(&r, "held_on", "会议日期看不懂");
    at_field(&r, "step-body", "会议名称与主持人不能为空");
    at_field(&r, "outcome", "会议结果不能为空");
    once(&r, "会议名称与主持人不能为空");
    assert!(r.body.contains("/steps#steps\""), "the form's anchor");
    assert!(r.body.contains("value=\"上周三\"") && r.body.contains("讨论了承包年限"));

    // A meeting not yet held (today is 2026-11-26 in Beijing).
    let r = committee
        .post(&steps, &step("2026-11-27", "支部会议，李书记主持", "同意"))
        .await;
    at_field(&r, "held_on", "会议日期不能晚于今天");
    assert!(r.body.contains("支部会议，李书记主持"));
    let r = committee.post(&steps, &step("", "支部会议", "同意")).await;
    at_field(&r, "held_on", "请填写会议日期");

    // Minutes over the limit.
    let mut long = step("2026-11-26", "支部会议", "同意");
    let minutes = "记".repeat(20_001);
    long.retain(|f| f.0 != "minutes");
    long.push(("minutes", minutes.as_str()));
    let r = committee.post(&steps, &long).await;
    at_field(&r, "minutes", "会议记录");

    // Today is a day a meeting may be held.
    let ok = committee
        .post(&steps, &step("2026-11-26", "支部会议", "同意"))
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
}
both!(a_deliberation_steps_fields_are_named_at_the_fields);

async fn an_items_plan_and_comment_are_refused_at_their_fields_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;
    let item =
        crate::common::steps::raise(&committee, "修缮村口排水沟", "雨季前修好。", "other").await;

    let r = committee
        .post(
            &format!("{item}/plan"),
            &[("responsible", " "), ("due_on", "2026-11-25")],
        )
        .await;
    at_field(&r, "plan_responsible", "请填写负责人");
    at_field(&r, "plan_due_on", "计划完成时间不能早于今天");
    once(&r, "请填写负责人");
    assert!(r.body.contains("/plan#plan\""), "the form's anchor");
    assert!(r.body.contains("value=\"2026-11-25\""));

    let r = committee
        .post(&format!("{item}/comments"), &[("body", "  ")])
        .await;
    at_field(&r, "comment-body", "讨论内容不能为空");
    once(&r, "讨论内容不能为空");
}
both!(an_items_plan_and_comment_are_refused_at_their_fields_only);

async fn a_hall_count_is_not_repeated_at_the_top(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;
    let ballot = a_hall_ballot(&committee, "村民代表会议：垃圾清运").await;
    let r = committee
        .post(
            &format!("{ballot}/results"),
            &[
                ("present", "7"),
                ("count_0", "abc"),
                ("count_1", "0"),
                ("count_2", "0"),
            ],
        )
        .await;
    at_field(&r, "count_0", "“同意”票数须是 0 到 7 之间的整数");
    once(&r, "“同意”票数须是 0 到 7 之间的整数");
    assert!(!r.body.contains("id=\"errors\""), "no box at the top");

    // A problem with the counts together is told at the top of the form, once.
    let r = committee
        .post(
            &format!("{ballot}/results"),
            &[
                ("present", "7"),
                ("count_0", "5"),
                ("count_1", "5"),
                ("count_2", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let top = text_by_id(&r.body, "hall-error").expect("the form's message");
    once(&r, &top);
}
both!(a_hall_count_is_not_repeated_at_the_top);

async fn a_persons_record_on_a_day_that_is_no_day_is_named_at_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;
    members_on_the_roster(&app).await;
    let list = committee.get("/c/liutang/roster").await.body;
    let person = crate::common::page::ids_with_prefix(&list, "person-")
        .into_iter()
        .next()
        .expect("a person on the roster");
    let path = format!("/c/liutang/roster/persons/{person}");

    let r = committee.get(&format!("{path}?as_of=去年春节")).await;
    at_field(&r, "as_of", "去年春节");
    once(&r, "不是日期");
    assert!(r.body.contains("#as-of\""), "the form's anchor");
    assert!(r.body.contains("value=\"去年春节\""));

    // The power list as of a day.
    let r = committee.get("/c/liutang/powers?as_of=上个月").await;
    at_field(&r, "as-of", "日期要写成 2026-01-01 这样");
    once(&r, "日期要写成 2026-01-01 这样");
    assert!(r.body.contains("/powers#as-of-form\""), "the form's anchor");
    assert!(r.body.contains("value=\"上个月\""));
}
both!(a_persons_record_on_a_day_that_is_no_day_is_named_at_the_field);

async fn a_join_request_with_no_such_grid_is_named_at_the_grid(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let newcomer = app.client();
    let r = newcomer
        .sign_up("13600003333", "陈立新", "陈家新房在五组路口")
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let r = newcomer
        .post(
            "/c/liutang/join",
            &[("address", "柳塘村五组3号"), ("grid_id", "999999")],
        )
        .await;
    at_field(&r, "grid_id", "所在网格选得不对");
    assert!(r.body.contains("/join#join-form\""), "the form's anchor");
    assert!(r.body.contains("value=\"柳塘村五组3号\""));
    let r = newcomer
        .post(
            "/c/liutang/join",
            &[("address", " "), ("grid_id", "三组"), ("note", "刚搬来")],
        )
        .await;
    at_field(&r, "grid_id", "所在网格选得不对");
    at_field(&r, "address", "住址不能为空");
    assert!(r.body.contains("刚搬来"));
}
both!(a_join_request_with_no_such_grid_is_named_at_the_grid);

/// The project page's update form names its problems at its fields — the dates, the schedule
/// between them and the decision to add — opens itself, and the top says only where to look.
async fn a_projects_update_is_refused_at_its_fields_not_at_the_top(backend: Backend) {
    let app = spawn_app(backend).await;
    let committee = demo_committee(&app).await;
    let update = "/c/liutang/projects/LT-2026-001/update";
    let r = committee
        .post(
            update,
            &[("actual_start", "2026-11-27"), ("actual_end", "2026-11-20")],
        )
        .await;
    assert_eq!(r.status, 422);
    let at = text_by_id(&r.body, "schedule-error").expect("the schedule's message");
    assert!(at.contains("实际完工日期不能早于实际开工日期"), "{at}");
    once(&r, "实际完工日期不能早于实际开工日期");
    assert_eq!(
        attr_by_id(&r.body, "actual_end", "aria-describedby").as_deref(),
        Some("schedule-error")
    );
    assert!(r.body.contains("id=\"update\" open"), "{}", r.body);
    assert!(r.body.contains("/update#update"), "{}", r.body);

    let r = committee.post(update, &[("decision", "第三号")]).await;
    assert_eq!(r.status, 422);
    assert!(
        text_by_id(&r.body, "add-decision-error").is_some(),
        "{}",
        r.body
    );
    assert_eq!(
        attr_by_id(&r.body, "add-decision", "aria-invalid").as_deref(),
        Some("true")
    );
    let top = text_by_id(&r.body, "errors").expect("the pointer at the top");
    assert!(
        !top.contains("决议"),
        "the message only at its field: {top}"
    );
}
both!(a_projects_update_is_refused_at_its_fields_not_at_the_top);
