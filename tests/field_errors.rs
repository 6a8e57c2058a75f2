//! Errors at the field (issue #15): an empty required field answers 422 with the field marked
//! (`aria-invalid`), described by a message beside it (`aria-describedby`) that names it.

use crate::both;
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
    assert_eq!(
        attr_by_id(&r.body, id, "aria-describedby").as_deref(),
        Some(described.as_str()),
        "{id} described"
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
