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
