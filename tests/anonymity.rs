//! An anonymous reporter ("hide my name") stays anonymous on every page and export that can
//! connect them with their order: the order, its thread, each comment's history, feeds, open
//! data, Open311, the log's records and other people's notifications. Only the committee (and
//! the reporter) see the name.

use crate::both;
use crate::common::page::{comment_ids, id_of_the_one_with, text_by_id};
use crate::common::steps::{photo, verified_newcomer, Newcomer};
use crate::common::{spawn_app, Backend, Client, Demo, TestApp};

/// A name that appears nowhere in the demo.
const NAME: &str = "柯蓝田";

/// What the anonymous reporter made: their order and their first comment on it.
struct Report {
    reporter: Client,
    order: String,
    order_id: String,
    comment_id: String,
}

/// A newcomer named `NAME`, verified in 柳塘村, reports anonymously with a photo and writes
/// in the order's thread.
async fn an_anonymous_report(app: &TestApp, demo: &Demo) -> Report {
    let newcomer = Newcomer {
        contact: "13600002222",
        name: NAME,
        password: "柯家老屋在五组桥边",
        address: "柳塘村五组3号",
    };
    let reporter = verified_newcomer(app, demo, &newcomer).await;
    let at = reporter
        .post_files_ok(
            "/c/liutang/orders",
            &[
                ("title", "五组桥头路灯不亮"),
                ("description", "晚上过桥看不见路。"),
                ("category", "safety"),
                ("place", "五组桥头"),
                ("anonymous", "on"),
            ],
            vec![("photos", "before.png", photo())],
        )
        .await;
    let order = at.split('?').next().expect("a path").to_string();
    let order_id = order.rsplit('/').next().expect("an id").to_string();
    reporter
        .post_ok(
            &format!("{order}/comments"),
            &[("body", "天黑以后最危险。")],
        )
        .await;
    let page = reporter.get(&order).await;
    let comment_id = comment_ids(&page.body).remove(0);
    Report {
        reporter,
        order,
        order_id,
        comment_id,
    }
}

/// Every GET route of the site with `{slug}` and `{id}` filled in (once with each id);
/// routes naming other things (a project code, a file, a tile) are left out.
fn walk_paths(ids: &[String], log_size: i64) -> Vec<String> {
    let mut paths = Vec::new();
    for (method, pattern) in yishi::routes::ROUTES {
        if *method != "get" {
            continue;
        }
        let filled = pattern.replace("{slug}", "liutang");
        let mut variants = Vec::new();
        if filled.contains("{id}") {
            for id in ids {
                variants.push(filled.replace("{id}", id));
            }
        } else if filled.contains("{idx}") {
            for idx in (log_size - 8).max(0)..log_size {
                variants.push(filled.replace("{idx}", &idx.to_string()));
            }
        } else {
            variants.push(filled);
        }
        for v in variants {
            if v.contains('{') {
                continue;
            }
            if v.starts_with("/open311/") {
                paths.push(format!("{v}?jurisdiction_id=liutang"));
            } else {
                paths.push(v);
            }
        }
    }
    paths.push(format!("/log/records?from={}", (log_size - 256).max(0)));
    paths.push("/c/liutang/bulletin.csv?month=2026-11".into());
    paths
}

async fn an_anonymous_reporter_is_named_nowhere_but_to_the_committee(backend: Backend) {
    // Arrange: a newcomer reports anonymously, writes in the thread and edits it; the grid
    // worker answers, so that others are told.
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let Report {
        reporter,
        order,
        order_id,
        comment_id,
    } = an_anonymous_report(&app, &demo).await;
    reporter
        .post_ok(
            &format!("/c/liutang/comments/{comment_id}/edit"),
            &[("body", "天黑以后最危险，孩子放学要过桥。")],
        )
        .await;
    let worker = app.signed_in(&demo.contact("grid_worker")).await;
    worker
        .post_ok(
            &format!("{order}/comments"),
            &[("body", "明天去看。"), ("parent_id", comment_id.as_str())],
        )
        .await;
    let history = format!("/c/liutang/comments/{comment_id}/history");

    // The committee sees the name, on the order and in the comment's history.
    let committee = app.signed_in(&demo.contact("committee")).await;
    assert!(committee.get(&order).await.body.contains(NAME));
    assert!(committee.get(&history).await.body.contains(NAME));

    // Act and assert: every page, feed and export, as a visitor, another resident and the
    // grid worker who was told of the comment.
    let log_size = app
        .state
        .db(|conn| Ok(yishi::transparency::log::size(conn)?))
        .await
        .expect("log size");
    let paths = walk_paths(&[order_id, comment_id], log_size);
    assert!(paths.contains(&history) && paths.contains(&order));
    let viewers = [
        ("a visitor", app.client()),
        (
            "another resident",
            app.signed_in(&demo.contact("resident")).await,
        ),
        ("the grid worker", worker),
    ];
    for (who, client) in &viewers {
        for path in &paths {
            let (status, _, bytes) = client.get_bytes(path).await;
            assert_ne!(status, 500, "{path} as {who}");
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(NAME), "{path} names the reporter to {who}");
        }
    }
    let shown = app.client().get(&history).await;
    assert_eq!(shown.status, 200);
    assert!(shown.body.contains("匿名居民"), "{}", shown.body);
}
both!(an_anonymous_reporter_is_named_nowhere_but_to_the_committee);

async fn a_moderation_row_does_not_name_an_anonymous_reporter_to_supervisors(backend: Backend) {
    // Arrange: the anonymous reporter's comment is hidden by the committee.
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let comment_id = an_anonymous_report(&app, &demo).await.comment_id;
    let committee = app.signed_in(&demo.contact("committee")).await;
    committee
        .post_ok(
            &format!("/c/liutang/comments/{comment_id}/hide"),
            &[("reason", "含有他人电话号码")],
        )
        .await;

    // Act and assert: the row naming the comment's author.
    let row = |body: &str| {
        let id = id_of_the_one_with(body, "action-", &format!("(#{comment_id})"))
            .expect("the moderation row");
        text_by_id(body, &format!("action-{id}")).expect("a row")
    };
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let seen = row(&supervisor.get("/c/liutang/log").await.body);
    assert!(!seen.contains(NAME) && seen.contains("匿名居民"), "{seen}");
    assert!(row(&committee.get("/c/liutang/log").await.body).contains(NAME));
}
both!(a_moderation_row_does_not_name_an_anonymous_reporter_to_supervisors);
