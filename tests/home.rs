//! The villager's home: where signing in lands, the next step after signing up, the tiles of
//! the community page, and a waiting applicant told why a resident's form is not open yet.

use crate::both;
use crate::common::page::text_by_id;
use crate::common::{spawn_app, Backend, DEMO_PASSWORD};

async fn a_resident_of_one_village_lands_on_it_after_signing_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let c = app.client();
    let r = c.sign_in(&demo.contact("resident"), DEMO_PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/c/liutang");
    // Asked to go somewhere, they go there.
    let c = app.client();
    let r = c
        .post(
            "/signin",
            &[
                ("contact", &demo.contact("resident")),
                ("password", DEMO_PASSWORD),
                ("next", "/c/liutang/echo"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/c/liutang/echo");
}
both!(a_resident_of_one_village_lands_on_it_after_signing_in);

async fn a_newcomer_is_shown_the_next_step_after_signing_up(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let c = app.client();
    c.sign_up_ok("13600003333", "孙秀英", "孙家的桃树开花了")
        .await;
    let home = c.get("/").await;
    let step = text_by_id(&home.body, "next-step").expect("the next step is shown");
    assert!(step.contains("申请加入"), "{step}");
    // Once they have applied, the site home lists the village instead.
    c.post_ok("/c/liutang/join", &[("address", "柳塘村三组8号")])
        .await;
    let home = c.get("/").await;
    assert!(text_by_id(&home.body, "next-step").is_none());
    let mine = text_by_id(&home.body, "mine").expect("my communities");
    assert!(mine.contains("柳塘村"), "{mine}");
}
both!(a_newcomer_is_shown_the_next_step_after_signing_up);

async fn a_waiting_applicant_is_told_the_committee_has_not_verified_them_yet(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let c = app.signed_in(&demo.contact("unverified")).await;
    for form in ["/c/liutang/items/new", "/c/liutang/orders/new"] {
        let r = c.get(form).await;
        assert_eq!(r.status, 303, "{form}: {}", r.body);
        assert_eq!(r.location(), "/c/liutang/join?waiting=1", "{form}");
    }
    let join = c.get("/c/liutang/join?waiting=1").await;
    let pending = text_by_id(&join.body, "join-pending").expect("the waiting notice");
    assert!(pending.contains("你的申请正在等村委会核实"), "{pending}");
    assert!(pending.contains("我的消息"), "what happens next: {pending}");
    // Someone who has not applied is still refused plainly.
    let stranger = app.client();
    stranger
        .sign_up_ok("13600004444", "钱立新", "钱家的老井还在用")
        .await;
    assert_eq!(stranger.get("/c/liutang/items/new").await.status, 403);
}
both!(a_waiting_applicant_is_told_the_committee_has_not_verified_them_yet);

async fn the_community_page_opens_with_tiles_for_what_people_come_to_do(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let c = app.signed_in(&demo.contact("resident")).await;
    let home = c.get("/c/liutang").await;
    assert_eq!(home.status, 200);
    let tiles = text_by_id(&home.body, "tiles").expect("tiles");
    for word in ["投票", "随手拍", "提建议", "村务公开", "回音壁", "我的消息"] {
        assert!(tiles.contains(word), "{word} in {tiles}");
    }
    let open = crate::common::steps::count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM ballots b JOIN communities c ON c.id = b.community_id \
         WHERE c.slug = 'liutang' AND b.state = 'open'"
            .to_string(),
    )
    .await;
    assert!(open > 0, "the demo has open ballots");
    let vote = text_by_id(&home.body, "tile-vote").expect("vote tile");
    assert!(vote.contains(&format!("{open} 项进行中")), "{vote}");
    let sections = text_by_id(&home.body, "sections-h").expect("all sections");
    assert!(sections.contains("全部栏目"));
    // A village page names the village committee, not 村（居）委会.
    assert!(
        home.body.contains(">村委会</h2>"),
        "village committee heading"
    );
    let xinghe = c.get("/c/xinghe").await;
    assert!(
        xinghe.body.contains(">居委会</h2>"),
        "neighbourhood heading"
    );
}
both!(the_community_page_opens_with_tiles_for_what_people_come_to_do);

async fn elder_mode_is_remembered_by_the_browser_and_the_account(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    // A visitor turns it on: this browser remembers.
    let visitor = app.client();
    let before = visitor.get("/c/liutang").await;
    assert!(!before
        .body
        .contains("<html lang=\"zh-CN\" class=\"elder\">"));
    let back = visitor
        .post("/elder", &[("on", "1"), ("back", "/c/liutang")])
        .await;
    assert_eq!(back.status, 303);
    assert_eq!(back.location(), "/c/liutang");
    let after = visitor.get("/c/liutang").await;
    assert!(after.body.contains("class=\"elder\""), "elder mode on");
    assert!(after.body.contains("换回标准版"));
    // A resident turns it on: their account remembers, in a browser that never chose.
    let phone = app.signed_in(&demo.contact("resident")).await;
    phone
        .post_ok_to("/elder", &[("on", "1"), ("back", "/")], "/")
        .await;
    let other_browser = app.signed_in(&demo.contact("resident")).await;
    let page = other_browser.get("/c/liutang").await;
    assert!(
        page.body.contains("class=\"elder\""),
        "the account remembers"
    );
    // ... and turns it off again.
    other_browser
        .post_ok_to("/elder", &[("on", "0"), ("back", "/")], "/")
        .await;
    let page = app
        .signed_in(&demo.contact("resident"))
        .await
        .get("/c/liutang")
        .await;
    assert!(!page.body.contains("class=\"elder\""), "off again");

    // The visitor's choice, made before signing in, goes with the account it signs in to.
    let committee = demo.contact("committee");
    let r = visitor.sign_in(&committee, DEMO_PASSWORD).await;
    assert_eq!(r.status, 303);
    let elsewhere = app.signed_in(&committee).await.get("/c/liutang").await;
    assert!(
        elsewhere.body.contains("class=\"elder\""),
        "the account took the browser's choice"
    );

    // A shared phone: the committee member signs out and a supervisor signs in on it. The
    // browser still shows 长辈版, but the supervisor's account is not changed by a choice it
    // never made — only a choice made signed out is carried, and only once.
    let r = visitor.post("/signout", &[]).await;
    assert_eq!(r.status, 303);
    let supervisor = demo.contact("supervisor");
    let r = visitor.sign_in(&supervisor, DEMO_PASSWORD).await;
    assert_eq!(r.status, 303);
    assert!(visitor
        .get("/c/liutang")
        .await
        .body
        .contains("class=\"elder\""));
    let own_phone = app.signed_in(&supervisor).await.get("/c/liutang").await;
    assert!(
        !own_phone.body.contains("class=\"elder\""),
        "not carried to a second account"
    );
}
both!(elder_mode_is_remembered_by_the_browser_and_the_account);

async fn the_favicon_is_served(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, content_type, body) = app.client().get_bytes("/favicon.ico").await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "image/svg+xml");
    assert!(body.starts_with(b"<svg"));
}
both!(the_favicon_is_served);
