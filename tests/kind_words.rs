//! A community's own words (issue #15): a village's inbox notices and error pages say 村委会,
//! 村民, 本村; a neighbourhood's say 居委会, 居民, 本社区; only a page of no community (the
//! platform's admin page) keeps the combined 村（居）委会.

use crate::both;
use crate::common::steps::count_sql;
use crate::common::{spawn_app, Backend, TestApp};

/// Gives the user with `contact` a notice of `kind` about `subject` from the community
/// `slug`, as the services do.
pub(crate) async fn notice(
    app: &TestApp,
    contact: &str,
    slug: &str,
    kind: &'static str,
    subject: &str,
) {
    let (contact, slug, subject) = (contact.to_string(), slug.to_string(), subject.to_string());
    let now = yishi::clock::Clock::now(&*app.clock);
    app.state
        .db(move |conn| {
            use diesel::prelude::*;
            use yishi::schema::{communities, users};
            let user: i64 = users::table
                .filter(users::phone.eq(&contact).or(users::email.eq(&contact)))
                .select(users::id)
                .first(conn)?;
            let community: i64 = communities::table
                .filter(communities::slug.eq(&slug))
                .select(communities::id)
                .first(conn)?;
            let n = yishi::notifications::Notice {
                user_id: user,
                community_id: Some(community),
                kind,
                subject: &subject,
                detail: "",
                link: "/inbox",
            };
            Ok(yishi::notifications::notify(conn, &n, now)?)
        })
        .await
        .expect("notice stored");
}

async fn inbox_notices_say_the_village_or_the_neighbourhood_committee(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let me = demo.contact("resident");
    notice(&app, &me, "liutang", "order_unrouted", "路灯不亮").await;
    notice(&app, &me, "xinghe", "order_unrouted", "楼道灯坏了").await;
    notice(
        &app,
        &me,
        "liutang",
        "role_granted_representative",
        "柳塘村",
    )
    .await;
    notice(&app, &me, "xinghe", "join_declined", "兴和社区").await;
    let inbox = app.signed_in(&me).await.get("/inbox").await;
    assert_eq!(inbox.status, 200);
    for said in [
        "新反映的“路灯不亮”等待村委会分派",
        "新反映的“楼道灯坏了”等待居委会分派",
        "你已被确定为柳塘村的村民代表",
        "兴和社区没有通过你的入社区申请",
    ] {
        assert!(inbox.body.contains(said), "{said}");
    }
    for combined in ["村（居）委会分派", "村（居）民代表", "入村（居）申请"] {
        assert!(!inbox.body.contains(combined), "{combined} in the inbox");
    }
    assert!(count_sql(&app, "SELECT COUNT(*) AS n FROM notifications".into()).await >= 4);
}
both!(inbox_notices_say_the_village_or_the_neighbourhood_committee);

async fn an_error_page_names_the_committee_of_its_community(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    // A resident of 柳塘村 may not read a roster, here or in 兴和社区.
    let resident = app.signed_in(&demo.contact("resident")).await;
    let village = resident.get("/c/liutang/roster").await;
    assert_eq!(village.status, 403);
    assert!(village.body.contains("请联系村委会"), "{}", village.body);
    let neighbourhood = resident.get("/c/xinghe/roster").await;
    assert_eq!(neighbourhood.status, 403);
    assert!(
        neighbourhood.body.contains("请联系居委会"),
        "{}",
        neighbourhood.body
    );
    for page in [&village, &neighbourhood] {
        assert!(!page.body.contains("（居）"));
    }
    // The platform's own page knows no community: it keeps the word for both.
    let admin = resident.get("/admin").await;
    assert_eq!(admin.status, 403);
    assert!(admin.body.contains("请联系村（居）委会"));
    // In English too.
    let en = resident
        .get_with("/c/xinghe/roster", &[("accept-language", "en")])
        .await;
    if en.body.contains("Not allowed") {
        assert!(
            en.body.contains("contact your residents' committee"),
            "{}",
            en.body
        );
    }
}
both!(an_error_page_names_the_committee_of_its_community);

async fn a_community_page_says_its_own_words(backend: Backend) {
    let app = spawn_app(backend).await;
    app.load_demo().await;
    // Anyone's join page: the committee that verifies, as this community calls it.
    let c = app.client();
    let village = c.get("/c/liutang/join").await;
    let neighbourhood = c.get("/c/xinghe/join").await;
    for (page, word) in [(&village, "村委会"), (&neighbourhood, "居委会")] {
        assert!(!page.body.contains("（居）"), "no combined word");
        assert!(!page.body.contains("（社区）"), "no combined word");
        assert!(page.body.contains(word) || page.status != 200, "{word}");
    }
}
both!(a_community_page_says_its_own_words);

/// `body` without its technical details (`<details class="tech">…` or `id="tech"`), which
/// are for auditors, and without its `<head>`.
fn for_residents(body: &str) -> String {
    let body = body.split("</head>").nth(1).unwrap_or(body);
    let mut out = String::new();
    let mut rest = body;
    while let Some(at) = rest.find("<details") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let tag_end = from.find('>').unwrap_or(from.len());
        let tag = &from[..tag_end];
        if tag.contains("class=\"tech\"") || tag.contains("id=\"tech\"") {
            let end = from
                .find("</details>")
                .map_or(from.len(), |e| e + "</details>".len());
            rest = &from[end..];
        } else {
            out.push_str(&from[..tag_end]);
            rest = &from[tag_end..];
        }
    }
    out.push_str(rest);
    out
}

/// Engineers' words (issue #15) sit behind a 技术细节 disclosure on the pages residents reach:
/// a decision, the disclosures board, the projects, the log and one of its entries.
async fn engineers_words_sit_behind_technical_details(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let c = app.client();
    // A secret online vote's decision: its page has the board, with the board file's SHA-256.
    let id = count_sql(
        &app,
        "SELECT MIN(d.id) AS n FROM decisions d JOIN communities c ON c.id = d.community_id \
         WHERE c.slug = 'liutang' AND d.secret AND d.mode <> 'hall'"
            .into(),
    )
    .await;
    let board = c.get(&format!("/c/liutang/decisions/{id}")).await.body;
    assert!(board.contains("id=\"board-h\"") && board.contains("SHA-256"));
    for path in [
        format!("/c/liutang/decisions/{id}"),
        "/c/liutang/disclosures".to_string(),
        "/c/liutang/projects".to_string(),
        "/log".to_string(),
        "/log/entries/1".to_string(),
    ] {
        let page = c.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(page.body.contains("技术细节"), "{path} offers the details");
        let plain = for_residents(&page.body);
        for word in ["SHA-256", "RFC 6962", "Atom", "quorum=", "哈希", "JSON"] {
            assert!(!plain.contains(word), "{path} says {word} outside 技术细节");
        }
    }
    // The forms a resident writes in speak of photos and text, not formats.
    let resident = app.signed_in(&demo.contact("resident")).await;
    for path in [
        "/c/liutang/items/new",
        "/c/liutang/items/6",
        "/c/liutang/orders/new",
    ] {
        let page = resident.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        let plain = for_residents(&page.body);
        for word in ["Markdown", "HTML", "JPEG", "PNG", "WebP"] {
            assert!(!plain.contains(word), "{path} says {word}");
        }
    }
}
both!(engineers_words_sit_behind_technical_details);
