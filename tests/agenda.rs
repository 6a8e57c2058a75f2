//! Agenda and deliberation: proposals that gather support, stage moves by the rules,
//! threaded discussion with stances, moderation in the open, edit history, listing,
//! search and the feed.

use crate::both;
use crate::common::page::{
    attr_by_id, comment_ids, ids_with_prefix, image_in, number_by_id, text_by_id,
};
use crate::common::steps::{raise, verified_newcomer, Newcomer};
use crate::common::{spawn_app, Backend, Client, Demo, TestApp};

/// Signs in `n` verified residents of 柳塘村 other than the demo's named ones.
async fn residents(app: &TestApp, demo: &Demo, n: usize) -> Vec<Client> {
    let mut out = Vec::new();
    let first: u64 = demo.contact("representative").parse().expect("phone");
    // Demo residents are numbered after the representative; skip the committee and roles.
    for i in 0..n as u64 {
        out.push(app.signed_in(&(first + 20 + i).to_string()).await);
    }
    out
}

async fn a_proposal_gathers_support_and_the_committee_adopts_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let author = app.signed_in(&demo.contact("resident")).await;
    let bad = author
        .post(
            "/c/liutang/items",
            &[
                ("title", ""),
                ("body", "村东头的桥栏杆松了"),
                ("category", "nope"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("标题不能为空")
            && bad.body.contains("请选择类别")
            && bad.body.contains("村东头的桥栏杆松了")
    );
    let path = raise(
        &author,
        "修好村东头的桥栏杆",
        "村东头的桥栏杆松了，孩子上学要过桥。",
        "safety",
    )
    .await;
    let page = author.get(&path).await;
    assert!(page.body.contains("征集附议"));
    assert_eq!(number_by_id(&page.body, "support-count"), 0);
    let threshold = number_by_id(&page.body, "support-threshold") as usize;
    assert!(threshold >= 3);

    // Someone whose request to join still waits may not support, and is told why.
    let unverified = app.signed_in(&demo.contact("unverified")).await;
    let waiting = unverified.post(&format!("{path}/support"), &[]).await;
    assert_eq!(waiting.status, 303);
    assert_eq!(waiting.location(), "/c/liutang/join?waiting=1");
    assert_eq!(
        number_by_id(&unverified.get(&path).await.body, "support-count"),
        0
    );

    let supporters = residents(&app, &demo, threshold).await;
    for s in &supporters {
        let r = s.post(&format!("{path}/support"), &[]).await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let twice = supporters[0].post(&format!("{path}/support"), &[]).await;
    assert_eq!(twice.status, 422);
    assert!(twice.body.contains("你已经附议过了"));
    let r = supporters[0].post(&format!("{path}/unsupport"), &[]).await;
    assert_eq!(r.status, 303);
    supporters[0].post_ok(&format!("{path}/support"), &[]).await;
    assert_eq!(
        number_by_id(&author.get(&path).await.body, "support-count"),
        threshold as i64
    );

    let committee = app.signed_in(&demo.contact("committee")).await;
    let inbox = committee.get("/inbox").await;
    assert!(
        inbox.body.contains("修好村东头的桥栏杆") && inbox.body.contains("达到门槛"),
        "the committee is told"
    );
    let skip = committee
        .post(&format!("{path}/stage"), &[("to", "deliberating")])
        .await;
    assert_eq!(skip.status, 422, "no stage is skipped");
    let r = committee
        .post(
            &format!("{path}/stage"),
            &[("to", "adopted"), ("note", "列入本月议题")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = author.get(&path).await;
    assert!(
        page.body.contains("已列入议题") && page.body.contains("列入本月议题"),
        "timeline shows who, when, why"
    );
    let late = supporters[1].post(&format!("{path}/unsupport"), &[]).await;
    assert_eq!(late.status, 422, "supports close with the proposal");
    assert!(
        author.get("/inbox").await.body.contains("已列入议题"),
        "followers are told"
    );
}
both!(a_proposal_gathers_support_and_the_committee_adopts_it);

async fn declining_needs_a_reason_and_only_the_author_withdraws(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let author = app.signed_in(&demo.contact("resident")).await;
    let path = raise(&author, "村里建个广场舞场地", "晚上跳舞没地方。", "welfare").await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let below = committee
        .post(&format!("{path}/stage"), &[("to", "adopted")])
        .await;
    assert_eq!(below.status, 422);
    assert!(below.body.contains("附议还没有达到门槛"));
    let no_reason = committee
        .post(&format!("{path}/stage"), &[("to", "declined")])
        .await;
    assert!(no_reason.body.contains("请写明公开的理由"));
    assert_eq!(
        committee
            .post(&format!("{path}/stage"), &[("to", "withdrawn")])
            .await
            .status,
        403
    );
    let other = app.signed_in(&demo.contact("representative")).await;
    assert_eq!(
        other
            .post(&format!("{path}/stage"), &[("to", "withdrawn")])
            .await
            .status,
        403
    );
    let r = author
        .post(
            &format!("{path}/stage"),
            &[("to", "withdrawn"), ("note", "和邻居商量后先不提了")],
        )
        .await;
    assert_eq!(r.status, 303);
    let path2 = raise(&author, "村里建个篮球架", "年轻人想打球。", "welfare").await;
    let r = committee
        .post(
            &format!("{path2}/stage"),
            &[("to", "declined"), ("note", "今年预算已用于修路")],
        )
        .await;
    assert_eq!(r.status, 303);
    let page = app.client().get(&path2).await;
    assert!(
        page.body.contains("不予列入") && page.body.contains("今年预算已用于修路"),
        "the reason is public"
    );
}
both!(declining_needs_a_reason_and_only_the_author_withdraws);

async fn the_thread_nests_counts_stances_and_sanitises(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let author = app.signed_in(&demo.contact("resident")).await;
    let path = raise(
        &author,
        "垃圾分类点挪个位置",
        "现在的垃圾点离水井太近。",
        "environment",
    )
    .await;
    let neighbour = app.signed_in(&demo.contact("representative")).await;
    let r = neighbour
        .post(&format!("{path}/comments"), &[("body", "同意！<script>alert(1)</script> [看这里](javascript:alert(1)) [镇政府](https://example.cn)"), ("stance", "support")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.client().get(&path).await;
    assert!(!page.body.contains("<script>alert(1)"), "no raw HTML");
    assert!(
        !page.body.contains("javascript:alert"),
        "no javascript: links"
    );
    assert!(page.body.contains("rel=\"nofollow ugc\""), "{}", page.body);
    let first_id = comment_ids(&page.body).remove(0);
    author
        .post_ok(
            &format!("{path}/comments"),
            &[("body", "谢谢支持"), ("parent_id", &first_id)],
        )
        .await;
    neighbour
        .post_ok(
            &format!("{path}/comments"),
            &[("body", "我反对挪到我家门口"), ("stance", "oppose")],
        )
        .await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let r = committee
        .post(
            &format!("{path}/comments"),
            &[("body", "村委会下周去现场看。"), ("official", "on")],
        )
        .await;
    assert_eq!(r.status, 303);
    let page = app.client().get(&path).await;
    assert_eq!(
        (
            text_by_id(&page.body, "stance-support").as_deref(),
            text_by_id(&page.body, "stance-oppose").as_deref()
        ),
        (Some("支持 0"), Some("反对 1")),
        "stances count per person: the neighbour supported, then opposed"
    );
    let shown_first = comment_ids(&page.body).remove(0);
    assert!(
        text_by_id(&page.body, &format!("comment-{shown_first}"))
            .is_some_and(|c| c.contains("村委会下周去现场看")),
        "official answers first"
    );
    assert!(page.body.contains("comment depth-1"), "the reply is nested");
    assert!(
        author.get("/inbox").await.body.contains("正式答复"),
        "followers hear of the official answer"
    );

    // Replying to a comment of another item is refused.
    let other = raise(&author, "另一个提议", "内容", "other").await;
    let r = neighbour
        .post(
            &format!("{other}/comments"),
            &[("body", "串楼了"), ("parent_id", &first_id)],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("不在这个讨论里") && r.body.contains("串楼了"),
        "message, text kept"
    );
}
both!(the_thread_nests_counts_stances_and_sanitises);

async fn posting_is_rate_limited(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let author = app.signed_in(&demo.contact("resident")).await;
    let path = raise(&author, "限流测试", "内容", "other").await;
    for i in 0..5 {
        let r = author
            .post(
                &format!("{path}/comments"),
                &[("body", &format!("第{i}条"))],
            )
            .await;
        assert_eq!(r.status, 303);
    }
    let r = author
        .post(&format!("{path}/comments"), &[("body", "第六条")])
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("发言太频繁") && r.body.contains("第六条"),
        "{}",
        r.body
    );
    app.clock.advance(chrono::Duration::seconds(61));
    assert_eq!(
        author
            .post(&format!("{path}/comments"), &[("body", "第六条")])
            .await
            .status,
        303
    );
}
both!(posting_is_rate_limited);

async fn hiding_is_public_logged_and_told(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let author = app.signed_in(&demo.contact("resident")).await;
    let path = raise(&author, "文明议事", "内容", "other").await;
    let rude = app.signed_in(&demo.contact("representative")).await;
    rude.post_ok(
        &format!("{path}/comments"),
        &[("body", "说这话的人脑子有问题")],
    )
    .await;
    let page = author.get(&path).await;
    let id = comment_ids(&page.body).remove(0);
    let r = author
        .post(&format!("/c/liutang/comments/{id}/flag"), &[("reason", "")])
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        author
            .post(
                &format!("/c/liutang/comments/{id}/flag"),
                &[("reason", "人身攻击")]
            )
            .await
            .status,
        303
    );
    let committee = app.signed_in(&demo.contact("committee")).await;
    assert!(
        committee.get(&path).await.body.contains("人身攻击"),
        "the committee sees flags"
    );
    assert_eq!(
        author
            .post(
                &format!("/c/liutang/comments/{id}/hide"),
                &[("reason", "x")]
            )
            .await
            .status,
        403
    );
    let no_reason = committee
        .post(&format!("/c/liutang/comments/{id}/hide"), &[("reason", "")])
        .await;
    assert_eq!(no_reason.status, 422);
    let r = committee
        .post(
            &format!("/c/liutang/comments/{id}/hide"),
            &[("reason", "违反议事规则：不得攻击他人")],
        )
        .await;
    assert_eq!(r.status, 303);
    let public = app.client().get(&path).await;
    assert!(
        public.body.contains("此条已被隐藏") && public.body.contains("违反议事规则：不得攻击他人")
    );
    assert!(
        !public.body.contains("脑子有问题"),
        "the public does not see the original"
    );
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    assert!(
        supervisor.get(&path).await.body.contains("脑子有问题"),
        "supervisors still can"
    );
    assert!(
        rude.get("/inbox").await.body.contains("被隐藏"),
        "the author is told"
    );
    assert!(
        supervisor
            .get("/c/liutang/log")
            .await
            .body
            .contains("隐藏意见"),
        "logged"
    );
    let r = committee
        .post(
            &format!("/c/liutang/comments/{id}/unhide"),
            &[("reason", "复核后恢复")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(app.client().get(&path).await.body.contains("脑子有问题"));
}
both!(hiding_is_public_logged_and_told);

async fn edits_keep_a_public_history(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let author = app.signed_in(&demo.contact("resident")).await;
    let path = raise(&author, "修改记录", "内容", "other").await;
    author
        .post_ok(&format!("{path}/comments"), &[("body", "预算是三万元")])
        .await;
    let page = author.get(&path).await;
    let id = comment_ids(&page.body).remove(0);
    let other = app.signed_in(&demo.contact("representative")).await;
    assert_eq!(
        other
            .post(
                &format!("/c/liutang/comments/{id}/edit"),
                &[("body", "改别人的")]
            )
            .await
            .status,
        403
    );
    let r = author
        .post(
            &format!("/c/liutang/comments/{id}/edit"),
            &[("body", "预算是五万元")],
        )
        .await;
    assert_eq!(r.status, 303);
    let page = app.client().get(&path).await;
    assert!(page.body.contains("预算是五万元") && page.body.contains("已修改"));
    let history = app
        .client()
        .get(&format!("/c/liutang/comments/{id}/history"))
        .await;
    assert_eq!(history.status, 200);
    assert!(history.body.contains("预算是三万元") && history.body.contains("预算是五万元"));
}
both!(edits_keep_a_public_history);

async fn listing_filters_sorts_pages_and_searches_chinese(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    for i in 0..22 {
        raise(&committee, &format!("村务事项{i:02}"), "内容", "other").await;
    }
    let c = app.client();
    let first = c.get("/c/liutang/items?category=other").await;
    assert!(first.body.contains("村务事项21") && !first.body.contains("村务事项01"));
    let next = attr_by_id(&first.body, "next-page", "href").expect("next page link");
    let second = c.get(&next.replace("&#38;", "&")).await;
    assert!(
        second.body.contains("村务事项01") && !second.body.contains("村务事项21"),
        "keyset page two"
    );
    let supported = c.get("/c/liutang/items?sort=supported").await;
    let listed: Vec<String> = ids_with_prefix(&supported.body, "item-")
        .iter()
        .filter_map(|id| text_by_id(&supported.body, &format!("item-{id}")))
        .collect();
    let at = |title: &str| {
        listed
            .iter()
            .position(|i| i.contains(title))
            .unwrap_or_else(|| panic!("{title} listed"))
    };
    assert!(
        at("水渠清淤") < at("村务事项"),
        "the most supported proposal before the new items"
    );
    let declined = c.get("/c/liutang/items?stage=declined").await;
    assert!(declined.body.contains("篮球场") && !declined.body.contains("水渠"));
    let xinghe = c.get("/c/xinghe/items?q=%E5%81%9C%E8%BD%A6").await;
    assert!(
        xinghe.body.contains("兴和小区停车难"),
        "a two-character Chinese search finds it"
    );
    let literal = c.get("/c/xinghe/items?q=%25").await;
    assert!(
        literal.body.contains("没有符合条件的议题"),
        "% is matched literally"
    );
}
both!(listing_filters_sorts_pages_and_searches_chinese);

async fn the_feed_lists_items_and_pages_advertise_it(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    let c = app.client();
    let feed = c.get("/c/xinghe/feed.atom").await;
    assert_eq!(feed.status, 200);
    assert!(feed
        .header("content-type")
        .starts_with("application/atom+xml"));
    assert!(
        feed.body
            .contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">")
            && feed.body.contains("兴和小区停车难")
    );
    let home = c.get("/c/xinghe").await;
    assert!(home
        .body
        .contains("rel=\"alternate\" type=\"application/atom+xml\""));
    assert!(
        home.body.contains("兴和小区停车难"),
        "the community page shows what is happening"
    );
    let village = c.get("/c/liutang").await;
    assert!(
        village.body.contains("逾期未答复"),
        "an overdue proposal shows on the community page"
    );
}
both!(the_feed_lists_items_and_pages_advertise_it);

async fn a_major_item_records_its_deliberations_in_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let path = committee
        .post_ok(
            "/c/liutang/items",
            &[
                ("title", "集体林地承包方案"),
                ("body", "内容"),
                ("category", "economy"),
                ("major", "on"),
            ],
        )
        .await;
    let step = |s: &'static str, expected: &'static str, present: &'static str| {
        vec![
            ("step", s),
            ("held_on", "2026-11-20"),
            ("body", "会议"),
            ("expected", expected),
            ("present", present),
            ("votes_for", present),
            ("votes_against", "0"),
            ("outcome", "同意"),
        ]
    };
    let skip = committee
        .post(&format!("{path}/steps"), &step("consultation", "9", "9"))
        .await;
    assert_eq!(skip.status, 422);
    assert!(skip.body.contains("不能跳过"), "{}", skip.body);
    let bad = committee
        .post(&format!("{path}/steps"), &step("proposal", "5", "6"))
        .await;
    assert!(bad.body.contains("实到不能多于应到"));
    let sheet = vec![("photo", "签到表.jpg", jpeg_with_exif("GPS-SIGN-IN-SHEET"))];
    assert_eq!(
        committee
            .post_files(&format!("{path}/steps"), &step("proposal", "7", "7"), sheet)
            .await
            .status,
        303
    );
    assert_eq!(
        committee
            .post(&format!("{path}/steps"), &step("consultation", "9", "8"))
            .await
            .status,
        303
    );
    let thin = committee
        .post(&format!("{path}/steps"), &step("review", "45", "29"))
        .await;
    assert_eq!(thin.status, 422);
    assert!(thin.body.contains("三分之二以上党员到会"));
    assert_eq!(
        committee
            .post(&format!("{path}/steps"), &step("review", "45", "30"))
            .await
            .status,
        303
    );
    let resolution = committee
        .post(&format!("{path}/steps"), &step("resolution", "300", "200"))
        .await;
    assert!(resolution.body.contains("发起表决时记录"));
    let page = app.client().get(&path).await;
    assert_eq!(
        page.body.matches("已记录</span>").count(),
        3,
        "three steps shown as recorded"
    );
    assert!(page.body.contains("应到 45 / 实到 30"));
    assert!(
        page.body.contains("class=\"step-photo\""),
        "the sign-in sheet is shown"
    );
    let resident = app.signed_in(&demo.contact("resident")).await;
    assert_eq!(
        resident
            .post(&format!("{path}/steps"), &step("proposal", "7", "7"))
            .await
            .status,
        403
    );
}
both!(a_major_item_records_its_deliberations_in_order);

async fn followers_with_an_email_address_are_mailed(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    // A resident who signed up with an e-mail address, verified by the committee.
    let resident = verified_newcomer(
        &app,
        &demo,
        &Newcomer {
            contact: "wang.xiuying@example.cn",
            name: "王秀英",
            password: "王家的老屋在二组",
            address: "柳塘村二组3号",
        },
    )
    .await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let path = raise(&resident, "二组的路灯", "二组路灯不亮。", "safety").await;
    committee
        .post_ok(
            &format!("{path}/comments"),
            &[("body", "已安排电工明天去修。"), ("official", "on")],
        )
        .await;

    let now = yishi::clock::Clock::now(&*app.clock);
    let state = app.state.clone();
    let sent = app
        .state
        .db(move |conn| yishi::mail::deliver_pending(conn, &state.mailer, &state.config, now, 100))
        .await
        .expect("mail sent");
    assert!(sent >= 2, "the approval and the official answer: {sent}");
    let outbox = app.db.dir.path().join("data/outbox");
    let mails: Vec<String> = std::fs::read_dir(&outbox)
        .expect("outbox")
        .filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    assert!(
        mails
            .iter()
            .any(|m| m.contains("To: wang.xiuying@example.cn")),
        "{mails:?}"
    );
    assert_eq!(mails.len(), sent);
    let state = app.state.clone();
    let again = app
        .state
        .db(move |conn| yishi::mail::deliver_pending(conn, &state.mailer, &state.config, now, 100))
        .await
        .expect("second run");
    assert_eq!(again, 0, "each notification is mailed once");
}
both!(followers_with_an_email_address_are_mailed);

/// A JPEG whose EXIF segment carries `marker`, as a phone camera's GPS tags would.
fn jpeg_with_exif(marker: &str) -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(80, 60, |x, y| {
        image::Rgb([x as u8, y as u8, 120])
    }));
    let mut plain = std::io::Cursor::new(Vec::new());
    img.write_to(&mut plain, image::ImageFormat::Jpeg)
        .expect("encode");
    let plain = plain.into_inner();
    let mut exif = b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0".to_vec();
    exif.extend_from_slice(marker.as_bytes());
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&plain[2..]);
    out
}

async fn proposals_carry_photos_cleaned_of_metadata(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let author = app.signed_in(&demo.contact("resident")).await;
    let fields = [
        ("title", "井盖松了"),
        ("body", "主路上的井盖一踩就响。"),
        ("category", "safety"),
    ];
    let not_image = author
        .post_files(
            "/c/liutang/items",
            &fields,
            vec![(
                "photos",
                "photo.jpg",
                b"%PDF-1.7 this is not a photo".to_vec(),
            )],
        )
        .await;
    assert_eq!(not_image.status, 422);
    assert!(
        not_image.body.contains("不是能用的照片") && not_image.body.contains("value=\"井盖松了\""),
        "{}",
        not_image.body
    );
    let five = (0..5)
        .map(|_| ("photos", "p.jpg", jpeg_with_exif("x")))
        .collect();
    let too_many = author.post_files("/c/liutang/items", &fields, five).await;
    assert!(too_many.body.contains("最多只能上传 4 张照片"));
    let r = author
        .post_files(
            "/c/liutang/items",
            &fields,
            vec![(
                "photos",
                "IMG_0001.JPG",
                jpeg_with_exif("GPS-31.2304N-121.4737E"),
            )],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.client().get(r.location()).await;
    let thumb = image_in(&page.body, "item-photos").expect("thumbnail shown");
    let (status, content_type, bytes) = app.client().get_bytes(&thumb).await;
    assert_eq!((status, content_type.as_str()), (200, "image/jpeg"));
    let full = thumb.replace("-t.jpg", ".jpg");
    let (_, _, original) = app.client().get_bytes(&full).await;
    for served in [&bytes, &original] {
        let text = String::from_utf8_lossy(served);
        assert!(
            !text.contains("GPS-31.2304N") && !text.contains("Exif"),
            "metadata stripped"
        );
        assert_eq!(
            image::guess_format(served).ok(),
            Some(image::ImageFormat::Jpeg)
        );
    }
    assert_eq!(
        app.client().get_bytes("/photos/..%2Fsecret.key").await.0,
        404
    );
}
both!(proposals_carry_photos_cleaned_of_metadata);

async fn the_committee_sets_the_rules_for_proposals(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let bad = committee
        .post(
            "/c/liutang/settings",
            &[
                ("support_percent", "0"),
                ("support_minimum", "3"),
                ("response_days", "15"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("附议比例（%）须是 1 到 100 之间的整数"));
    let r = committee
        .post(
            "/c/liutang/settings",
            &[
                ("support_percent", "50"),
                ("support_minimum", "3"),
                ("response_days", "7"),
            ],
        )
        .await;
    assert_eq!(
        (r.status, r.location()),
        (303, "/c/liutang/residents?done=settings")
    );
    let author = app.signed_in(&demo.contact("resident")).await;
    let path = raise(&author, "新规则下的提议", "内容", "other").await;
    let page = author.get(&path).await;
    let verified = number_by_id(
        &app.client().get("/c/liutang").await.body,
        "count-residents",
    );
    assert_eq!(
        number_by_id(&page.body, "support-threshold") as u64,
        (verified as u64).div_ceil(2),
        "half the residents, rounded up"
    );
    let own = author.post(&format!("{path}/support"), &[]).await;
    assert_eq!(own.status, 422);
    assert!(own.body.contains("提议人本人不需要附议"));
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    assert!(supervisor
        .get("/c/liutang/log")
        .await
        .body
        .contains("修改设置"));
}
both!(the_committee_sets_the_rules_for_proposals);

async fn supervisors_see_overdue_proposals_and_moderation(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let page = supervisor.get("/c/liutang/supervision").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("路灯坏了三盏"),
        "the demo's overdue proposal"
    );
    let xinghe_committee = app.signed_in(&demo.contact("committee_xinghe")).await;
    let page = xinghe_committee.get("/c/xinghe/supervision").await;
    assert!(
        page.body.contains("兴和小区停车难") && page.body.contains("人身攻击"),
        "the hidden comment, with its reason"
    );
    assert_eq!(
        app.signed_in(&demo.contact("resident"))
            .await
            .get("/c/liutang/supervision")
            .await
            .status,
        403
    );
}
both!(supervisors_see_overdue_proposals_and_moderation);

/// Moves the system makes pass the same door as the committee's: a decision and the first
/// work order each tell the item's followers.
async fn followers_hear_of_the_decision_and_of_the_first_work_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = crate::common::ballots::deliberating_item(&committee, "村委会门前路灯更换").await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let r = resident.post(&format!("{item}/follow"), &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let ballot = crate::common::ballots::open_ballot(
        &committee,
        &item,
        &[
            ("body", "committee"),
            ("mode", "online"),
            ("closes_at", crate::common::ballots::IN_TWO_DAYS),
        ],
    )
    .await;
    assert!(
        resident.get("/inbox").await.body.contains("开始表决了"),
        "followers hear the item is put to a vote"
    );
    let first: u64 = demo.contact("committee").parse().expect("phone");
    for k in 0..3u64 {
        let member = app.signed_in(&(first + k).to_string()).await;
        let r = member
            .post(&format!("{ballot}/vote"), &[("choice", "0")])
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    app.clock.advance(chrono::Duration::days(3));
    let r = app.client().get(&ballot).await;
    assert_eq!(r.status, 303);
    let decision = r.location().to_string();
    assert!(resident.get("/inbox").await.body.contains("表决通过"));
    assert!(
        !resident.get("/inbox").await.body.contains("已开始实施"),
        "nothing is carried out yet"
    );
    let r = committee
        .post(
            &format!("{decision}/orders"),
            &[("title", "更换路灯"), ("due", "2027-03-31")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(committee.get(&item).await.body.contains("实施中"));
    assert!(
        resident.get("/inbox").await.body.contains("已开始实施"),
        "followers hear the item went to work (Passed → Implementing)"
    );
}
both!(followers_hear_of_the_decision_and_of_the_first_work_order);
