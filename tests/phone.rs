//! A villager's phone: ballot options with a description, a photo and an estimated cost,
//! shown as one card per option; bad details refused at their field with the input kept.

use crate::both;
use crate::common::ballots::{
    deliberating_item, members_on_the_roster, open_ballot, sealed_tracker, IN_TWO_DAYS,
};
use crate::common::{spawn_app, steps, Backend};

/// The opening form's fields for a consultation on two named sites, plus `extra`.
fn opening<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("body", "consultation"),
        ("mode", "online"),
        ("options", "东头空地\n老学校操场"),
        ("closes_at", IN_TWO_DAYS),
        ("quorum", "preset"),
        ("pass", "preset"),
    ];
    f.extend_from_slice(extra);
    f
}

async fn options_with_a_description_photo_and_cost_are_cards_a_voter_taps(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    members_on_the_roster(&app).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = deliberating_item(&committee, "广场选址征求意见").await;

    let fields = opening(&[
        ("desc_0", "平地，离一组近。"),
        ("cost_0", "186,000"),
        ("desc_1", "场地最大，要拆围墙。"),
    ]);
    let ballot = committee
        .post_files_ok(
            &format!("{item}/ballots"),
            &fields,
            vec![("photo_0", "site.png", steps::photo())],
        )
        .await;

    let resident = app.signed_in(&demo.contact("resident")).await;
    let page = resident.get(&ballot).await;
    assert_eq!(page.status, 200);
    let body = &page.body;
    // The radio sits inside its card's label, so the whole card is the target.
    assert!(
        body.contains(
            r#"<label class="option-card" for="choice-0"><input type="radio" id="choice-0""#
        ),
        "{body}"
    );
    assert!(body.contains("平地，离一组近。") && body.contains("场地最大，要拆围墙。"));
    assert!(body.contains(r#"<span class="amount">186,000.00</span>"#));
    assert!(body.contains(r#"class="option-photo" src="/photos/"#));
    assert!(
        body.contains("“东头空地”的照片"),
        "the photo says what it shows"
    );

    let visitor = app.client().get(&ballot).await;
    assert!(
        visitor.body.contains(r#"id="options""#) && visitor.body.contains("平地，离一组近。"),
        "a visitor reads the options too, without a form"
    );
    assert!(!visitor.body.contains(r#"type="radio""#));
}
both!(options_with_a_description_photo_and_cost_are_cards_a_voter_taps);

async fn bad_option_details_are_refused_at_their_field_with_the_input_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = deliberating_item(&committee, "广场选址征求意见").await;
    let long = "长".repeat(501);

    let fields = opening(&[
        ("desc_0", long.as_str()),
        ("cost_1", "很多钱"),
        ("desc_2", "第三处"),
    ]);
    let r = committee
        .post_files(
            &format!("{item}/ballots"),
            &fields,
            vec![("photo_1", "x.jpg", b"not a picture".to_vec())],
        )
        .await;

    assert_eq!(r.status, 422, "{}", r.body);
    let b = &r.body;
    assert!(b.contains(r#"<p class="err" id="desc_0-error">说明不能超过500个字。"#));
    assert!(b.contains(r#"id="cost_1-error">金额“很多钱”看不懂"#), "{b}");
    assert!(b.contains(r#"id="desc_2-error">上面没有第3个选项"#));
    assert!(
        b.contains("很多钱") && b.contains(&long),
        "what was typed is kept"
    );
    let ballots = steps::count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM ballot_option_details".into(),
    )
    .await;
    assert_eq!(ballots, 0, "nothing stored");

    // The text right, the photo wrong: the photo's own field says so.
    let fields = opening(&[("desc_1", "场地最大")]);
    let r = committee
        .post_files(
            &format!("{item}/ballots"),
            &fields,
            vec![("photo_1", "x.jpg", b"not a picture".to_vec())],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains(r#"id="photo_1-error""#), "{}", r.body);
    assert!(r.body.contains("场地最大"));
}
both!(bad_option_details_are_refused_at_their_field_with_the_input_kept);

async fn the_demo_culture_square_options_have_photos_and_costs(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let dir = app.state.config.data_dir();
    let added = app
        .state
        .db(move |conn| yishi::ballots::option_photos::add(conn, &dir))
        .await
        .expect("describes");
    assert!(added);
    let again = app.state.config.data_dir();
    let twice = app
        .state
        .db(move |conn| yishi::ballots::option_photos::add(conn, &again))
        .await
        .expect("runs");
    assert!(!twice, "described once");

    let resident = app.signed_in(&demo.contact("resident")).await;
    let id = steps::count_sql(
        &app,
        "SELECT b.id AS n FROM ballots b JOIN agenda_items i ON i.id = b.item_id \
         WHERE i.title = '文化广场选在哪里？' AND b.state = 'open'"
            .into(),
    )
    .await;
    let path = format!("/c/liutang/ballots/{id}");
    let page = resident.get(&path).await.body;
    assert_eq!(page.matches(r#"class="option-photo""#).count(), 3, "{page}");
    assert!(page.contains(r#"<span class="amount">186,000.00</span>"#));
    assert!(page.contains("老小学的操场"));
}
both!(the_demo_culture_square_options_have_photos_and_costs);

async fn a_voter_keeps_the_receipt_as_a_picture_or_a_printed_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    members_on_the_roster(&app).await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let item = deliberating_item(&committee, "村集体收入用于修建文化广场").await;
    let ballot = open_ballot(
        &committee,
        &item,
        &[
            ("body", "residents"),
            ("mode", "online"),
            ("closes_at", IN_TWO_DAYS),
        ],
    )
    .await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let form = resident.get(&ballot).await.body;
    assert!(form.contains("不用抄这串核验码") && form.contains("前4个字符"));

    let (tracker, seal) = sealed_tracker(&form);
    let voted = resident
        .post(
            &format!("{ballot}/vote"),
            &[
                ("choice", "0"),
                ("tracker", &tracker),
                ("tracker_seal", &seal),
            ],
        )
        .await;
    assert_eq!(voted.status, 200, "{}", voted.body);
    assert!(
        voted.body.contains(r#"id="keep-picture""#) && voted.body.contains(r#"id="keep-print""#)
    );

    let keep = format!("{ballot}/receipt");
    let grouped = |code: &str| {
        code.as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
    };
    let groups = grouped(&tracker);
    let (status, kind, disposition, picture) = resident
        .post_bytes(
            &keep,
            &[("tracker", &groups.join("-")), ("keep", "picture")],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(kind, "image/png");
    assert!(disposition.starts_with("attachment"), "{disposition}");
    // A real picture, twice the drawing's size for a phone's screen, with the code's ink on it.
    let png = resvg::tiny_skia::Pixmap::decode_png(&picture).expect("a PNG");
    assert_eq!(png.width(), 1440);
    let inked = |rows: std::ops::Range<u32>| {
        rows.flat_map(|y| (80..1400).map(move |x| (x, y)))
            .filter(|&(x, y)| png.pixel(x, y).is_some_and(|p| p.red() < 128))
            .count()
    };
    // Kept for a look: target/receipt.png.
    let look = concat!(env!("CARGO_MANIFEST_DIR"), "/target/receipt.png");
    std::fs::write(look, &picture).expect("written");
    assert_eq!(inked(0..18), 0, "a white margin above the frame");
    assert!(
        inked(80..150) > 2_000,
        "the title is drawn (a Chinese font was found)"
    );
    assert!(inked(400..700) > 5_000, "the code is drawn");
    let printed = resident
        .post(&keep, &[("tracker", &tracker), ("keep", "print")])
        .await;
    assert_eq!(printed.status, 200);
    assert!(printed.body.contains("表决回执") && printed.body.contains(&groups[..4].join("-")));

    let bad = resident
        .post(&keep, &[("tracker", "<script>"), ("keep", "picture")])
        .await;
    assert_eq!(bad.status, 400, "only a tracker code is drawn");
}
both!(a_voter_keeps_the_receipt_as_a_picture_or_a_printed_page);

/// The small things a villager reads on a phone (issue #15), each checked on the demo: the
/// item list's filters folded away, a power named "清单第 N 项", 退出 in the footer away from
/// the name, the unread count on 我的消息, and statuses that say a word and carry a colour the
/// style sheet draws (verdicts; a work order's clock: green, red; yellow and red in the CSS).
async fn a_villagers_phone_reads_whole_words_with_colour_beside_them(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let resident = app.signed_in(&demo.contact("resident")).await;

    let items = resident.get("/c/liutang/items").await.body;
    assert!(
        items.contains("<details class=\"card filters\"><summary>"),
        "the filter form is folded on arrival"
    );
    let searched = resident.get("/c/liutang/items?q=%E8%B7%AF").await.body;
    assert!(searched.contains("<details class=\"card filters\" open>"));

    let powers = resident.get("/c/liutang/powers").await.body;
    assert!(powers.contains("清单第 1 项 · "), "{powers}");
    assert!(!powers.contains("清单第 1 ·"));

    let me = demo.contact("resident");
    crate::kind_words::notice(&app, &me, "liutang", "order_unrouted", "路灯不亮").await;
    let home = resident.get("/c/liutang").await.body;
    let (header, rest) = home.split_once("</header>").expect("a header");
    assert!(!header.contains("/signout"), "退出 is not next to the name");
    let footer = rest.split_once("<footer").expect("a footer").1;
    assert!(footer.contains("action=\"/signout\""));
    let inbox_tile = home
        .split_once("id=\"tile-inbox\"")
        .and_then(|(_, t)| t.split_once("</a>"))
        .expect("the 我的消息 tile")
        .0;
    let unread = steps::count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM notifications n JOIN users u ON u.id = n.user_id \
             WHERE u.phone = '{}' AND n.read_at IS NULL",
            demo.contact("resident")
        ),
    )
    .await;
    assert!(unread > 0, "the demo resident has notices to read");
    assert!(
        inbox_tile.contains(&format!("{unread} 条未读")),
        "{inbox_tile}"
    );

    let ballots = resident.get("/c/liutang/ballots").await.body;
    for (class, word) in [
        ("verdict-passed", "通过"),
        ("verdict-no_quorum", "未达法定人数"),
    ] {
        let tag = ballots
            .split_once(&format!("class=\"tag {class}\">"))
            .map(|(_, t)| t.split('<').next().unwrap_or_default().to_string())
            .unwrap_or_else(|| panic!("a {class} tag"));
        assert!(
            !tag.trim().is_empty() && tag.contains(word),
            "{class}: {tag}"
        );
    }
    let committee = app.signed_in(&demo.contact("committee")).await;
    let orders = committee.get("/c/liutang/orders").await.body;
    for (light, word) in [("red", "已超期"), ("green", "正常")] {
        assert!(
            orders.contains(&format!("<span class=\"tag light {light}\">{word}</span>")),
            "{light}"
        );
    }
    let css = resident.get("/static/style.css").await.body;
    for rule in [
        ".tag.verdict-passed",
        ".tag.verdict-rejected",
        ".tag.verdict-no_quorum",
        ".tag.light.green",
        ".tag.light.yellow",
        ".tag.light.red",
        ".amount",
    ] {
        assert!(css.contains(rule), "the style sheet draws {rule}");
    }
}
both!(a_villagers_phone_reads_whole_words_with_colour_beside_them);
