//! Communities: the public pages, joining, verification by the committee, roles, the log.

use crate::both;
use crate::common::page::number_by_id;
use crate::common::steps::request_id;
use crate::common::{spawn_app, Backend};

async fn the_public_sees_communities_and_their_committees(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let c = app.client();
    let home = c.get("/").await;
    assert_eq!(home.status, 200);
    for name in ["东溪镇", "柳塘村", "兴和社区"] {
        assert!(home.body.contains(name), "{name}");
    }
    let village = c.get("/c/liutang").await;
    assert_eq!(village.status, 200);
    assert!(
        village.body.contains(&demo.0["committee"].1),
        "committee listed by name"
    );
    assert_eq!(
        number_by_id(&village.body, "count-households"),
        150,
        "household count"
    );
    assert!(
        !village.body.contains("13810000"),
        "no phone numbers on public pages"
    );
}
both!(the_public_sees_communities_and_their_committees);

async fn a_newcomer_joins_and_the_committee_verifies_them(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let newcomer = app.client();
    let r = newcomer
        .sign_up("13600001111", "杨光荣", "杨家新房在四组路口")
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let form = newcomer.get("/c/liutang/join").await;
    assert_eq!(form.status, 200);
    let bad = newcomer
        .post("/c/liutang/join", &[("address", " "), ("note", "回村了")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("住址不能为空") && bad.body.contains("回村了"),
        "message and note kept"
    );
    newcomer
        .post_ok(
            "/c/liutang/join",
            &[("address", "柳塘村四组8号"), ("note", "回村了")],
        )
        .await;
    let twice = newcomer
        .post("/c/liutang/join", &[("address", "柳塘村四组8号")])
        .await;
    assert_eq!(twice.status, 422, "one pending request at a time");
    assert!(newcomer
        .get("/c/liutang")
        .await
        .body
        .contains("pending-status"));

    let committee = app.signed_in(&demo.contact("committee")).await;
    let page = committee.get("/c/liutang/residents").await;
    assert!(page.body.contains("杨光荣") && page.body.contains("柳塘村四组8号"));
    let id = request_id(&page.body, "杨光荣");
    let r = committee
        .post(
            &format!("/c/liutang/requests/{id}/approve"),
            &[
                ("household", "new"),
                ("person_id", "new"),
                ("name", "杨光荣"),
                ("sex", "m"),
                ("birth_date", "1980-03-04"),
            ],
        )
        .await;
    assert_eq!(
        (r.status, r.location()),
        (303, "/c/liutang/residents?done=approved")
    );
    let again = committee
        .post(
            &format!("/c/liutang/requests/{id}/approve"),
            &[
                ("household", "new"),
                ("person_id", "new"),
                ("name", "杨光荣"),
                ("sex", "m"),
                ("birth_date", "1980-03-04"),
            ],
        )
        .await;
    assert_eq!(again.status, 422, "a decided request stays decided");
    assert!(again.body.contains("已经处理过了"));

    let home = newcomer.get("/c/liutang").await;
    assert!(home.body.contains("verified-status"), "{}", home.body);
    assert!(
        newcomer.get("/").await.body.contains("class=\"badge\""),
        "unread count shown"
    );
    let inbox = newcomer.get("/inbox").await;
    assert!(
        inbox.body.contains("你已通过柳塘村的居民核实"),
        "{}",
        inbox.body
    );
    assert!(
        !newcomer.get("/").await.body.contains("class=\"badge\""),
        "read once seen"
    );

    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let log = supervisor.get("/c/liutang/log").await;
    assert_eq!(log.status, 200);
    assert!(
        log.body.contains("核实居民：杨光荣"),
        "the action is logged"
    );
}
both!(a_newcomer_joins_and_the_committee_verifies_them);

async fn declining_needs_a_reason_and_tells_the_applicant(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let page = committee.get("/c/liutang/residents").await;
    let name = &demo.0["unverified"].1;
    let id = request_id(&page.body, name);
    let no_reason = committee
        .post(
            &format!("/c/liutang/requests/{id}/decline"),
            &[("reason", "")],
        )
        .await;
    assert_eq!(no_reason.status, 422);
    assert!(no_reason.body.contains("不通过时请写明理由"));
    committee
        .post_ok(
            &format!("/c/liutang/requests/{id}/decline"),
            &[("reason", "经核实，该住址不在本村")],
        )
        .await;
    let applicant = app.signed_in(&demo.contact("unverified")).await;
    let inbox = applicant.get("/inbox").await;
    assert!(inbox.body.contains("没有通过") && inbox.body.contains("经核实，该住址不在本村"));
    let home = applicant.get("/c/liutang").await;
    assert!(
        home.body.contains("经核实，该住址不在本村"),
        "the reason is shown with a way to ask again"
    );
}
both!(declining_needs_a_reason_and_tells_the_applicant);

async fn the_committee_appoints_within_the_law(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let unverified = demo.contact("unverified");
    let r = committee
        .post(
            "/c/liutang/roles",
            &[("contact", &unverified), ("role", "representative")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("须是本村的已登记村民"), "{}", r.body);
    assert!(
        r.body.contains(&format!("value=\"{unverified}\"")),
        "input kept"
    );
    let other_committee = demo.contact("committee");
    let r = committee
        .post(
            "/c/liutang/roles",
            &[("contact", &other_committee), ("role", "supervisor")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("第三十二条"));
    let r = committee
        .post(
            "/c/liutang/roles",
            &[("contact", "13899999999"), ("role", "supervisor")],
        )
        .await;
    assert!(r.body.contains("请对方先注册"));
    let r = committee
        .post(
            "/c/liutang/roles",
            &[("contact", &unverified), ("role", "grid_worker")],
        )
        .await;
    assert!(r.body.contains("请选择本村的一个网格"));
    let resident = demo.contact("resident");
    committee
        .post_ok(
            "/c/liutang/roles",
            &[("contact", &resident), ("role", "representative")],
        )
        .await;
    let r = committee
        .post(
            "/c/liutang/roles",
            &[("contact", &resident), ("role", "committee")],
        )
        .await;
    assert_eq!(
        r.status, 422,
        "the committee cannot appoint committee members"
    );
    let inbox = app.signed_in(&resident).await.get("/inbox").await;
    assert!(inbox.body.contains("村民代表"));
}
both!(the_committee_appoints_within_the_law);

async fn the_admin_creates_communities_and_appoints_committees(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let admin = app.signed_in(&demo.contact("admin")).await;
    let bad = admin
        .post(
            "/admin/communities",
            &[
                ("kind", "village"),
                ("name", "桃源村"),
                ("slug", "Tao Yuan"),
                ("parent", "dongxi"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("网址简称只能用") && bad.body.contains("value=\"桃源村\""));
    let orphan = admin
        .post(
            "/admin/communities",
            &[
                ("kind", "village"),
                ("name", "桃源村"),
                ("slug", "taoyuan"),
                ("parent", ""),
            ],
        )
        .await;
    assert!(orphan.body.contains("须属于一个乡镇"));
    let created = [
        ("kind", "village"),
        ("name", "桃源村"),
        ("slug", "taoyuan"),
        ("parent", "dongxi"),
    ];
    admin.post_ok("/admin/communities", &created).await;
    let taken = admin.post("/admin/communities", &created).await;
    assert!(taken.body.contains("已被使用"));
    let newcomer = app.client();
    let r = newcomer
        .sign_up("13600002222", "刘长生", "刘家的桃树开花了")
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    admin
        .post_ok(
            "/admin/staff",
            &[("community", "taoyuan"), ("contact", "13600002222")],
        )
        .await;
    assert!(
        newcomer.get("/c/taoyuan/residents").await.status == 200,
        "the new committee member manages residents"
    );
    assert!(app.client().get("/c/dongxi").await.body.contains("桃源村"));
}
both!(the_admin_creates_communities_and_appoints_committees);
