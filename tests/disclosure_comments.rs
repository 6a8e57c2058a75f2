//! Comments on disclosures (issue #14): one thread for every version of a disclosure, with
//! stances counted per person, the committee's official answer (官方答复), flags and hiding
//! in the open, as on agenda items; residents and supervisors write, outsiders are refused;
//! the migration that lets a comment hang on a disclosure keeps every existing comment.

use crate::both;
use crate::common::page::{comment_ids, text_by_id};
use crate::common::steps::{count_sql, subsidy_disclosure};
use crate::common::{spawn_app, Backend, Client, TestApp};

/// Publishes a subsidies disclosure titled `title` as the committee; its page's path.
async fn published(committee: &Client, title: &str) -> String {
    let at = committee
        .post_files_ok("/c/liutang/disclosures", &subsidy_disclosure(title), vec![])
        .await;
    at.split('?').next().expect("path").to_string()
}

fn id_of(page: &str) -> i64 {
    page.rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("disclosure id")
}

async fn notices(app: &TestApp, kind: &str) -> i64 {
    count_sql(
        app,
        format!("SELECT COUNT(*) AS n FROM notifications WHERE kind = '{kind}'"),
    )
    .await
}

async fn comments_on(app: &TestApp, disclosure: i64) -> i64 {
    count_sql(
        app,
        format!("SELECT COUNT(*) AS n FROM comments WHERE disclosure_id = {disclosure}"),
    )
    .await
}

/// The newest comment's id on the disclosure.
async fn last_comment(app: &TestApp, disclosure: i64) -> i64 {
    count_sql(
        app,
        format!("SELECT MAX(id) AS n FROM comments WHERE disclosure_id = {disclosure}"),
    )
    .await
}

async fn residents_comment_and_the_committee_answers_officially(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let page = published(&committee, "二季度低保补贴发放公开").await;
    let id = id_of(&page);
    let resident = app.signed_in(&demo.contact("resident")).await;
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let comments = format!("{page}/comments");

    // A resident asks, supporting; then changes their mind: one person, one stance.
    let at = resident
        .post_ok(
            &comments,
            &[
                ("body", "名单里第三户去年已经搬走了吧？"),
                ("stance", "support"),
            ],
        )
        .await;
    assert_eq!(at, format!("{page}?done=commented#comments"));
    resident
        .post_ok(
            &comments,
            &[("body", "再看了一遍，有疑问。"), ("stance", "oppose")],
        )
        .await;
    supervisor
        .post_ok(
            &comments,
            &[
                ("body", "请附上公示期间的异议记录。"),
                ("stance", "neutral"),
            ],
        )
        .await;
    let shown = app.client().get(&page).await;
    assert!(shown.body.contains("名单里第三户去年已经搬走了吧？"));
    assert!(shown.body.contains("请附上公示期间的异议记录。"));
    let stances = ["stance-support", "stance-oppose", "stance-neutral"]
        .map(|id| text_by_id(&shown.body, id).unwrap_or_default());
    assert_eq!(
        stances,
        ["支持 0", "反对 1", "中立 1"].map(String::from),
        "stances count per person: the resident supported, then opposed"
    );
    // The publisher (the committee member) is told of each new comment.
    assert_eq!(notices(&app, "disclosure_comment").await, 3);

    // The committee answers officially; both who wrote are told, the answer shows first.
    committee
        .post_ok(
            &comments,
            &[
                ("body", "第三户已于3月迁出，已从名单中删除。"),
                ("official", "on"),
            ],
        )
        .await;
    assert_eq!(notices(&app, "disclosure_official").await, 2);
    let shown = app.client().get(&page).await;
    let answer = last_comment(&app, id).await;
    assert_eq!(
        comment_ids(&shown.body).remove(0),
        answer.to_string(),
        "the official answer comes first"
    );
    assert!(shown.body.contains(&format!(
        "<article class=\"comment depth-0 official\" id=\"comment-{answer}\""
    )));

    // A resident cannot mark a comment official.
    resident
        .post_ok(&comments, &[("body", "谢谢答复。"), ("official", "on")])
        .await;
    let official = count_sql(
        &app,
        format!("SELECT COUNT(*) AS n FROM comments WHERE disclosure_id = {id} AND official"),
    )
    .await;
    assert_eq!(official, 1);
}
both!(residents_comment_and_the_committee_answers_officially);

/// Every version of a disclosure shows the one thread: a comment made on the first stays on
/// the corrected one and on the first version's own page.
async fn all_versions_share_one_thread(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let page = published(&committee, "二季度养老补贴发放公开").await;
    let id = id_of(&page);
    let resident = app.signed_in(&demo.contact("resident")).await;
    resident
        .post_ok(
            &format!("{page}/comments"),
            &[("body", "第五户的金额好像不对。")],
        )
        .await;
    let mut fields = subsidy_disclosure("二季度养老补贴发放公开（更正）");
    fields.push(("reason", "第五户金额录错"));
    committee
        .post_files_ok(&format!("{page}/correct"), &fields, vec![])
        .await;
    let v1 = count_sql(
        &app,
        format!("SELECT MIN(id) AS n FROM disclosure_versions WHERE disclosure_id = {id}"),
    )
    .await;
    for path in [page.clone(), format!("/c/liutang/disclosures/v/{v1}")] {
        let shown = app.client().get(&path).await;
        assert_eq!(shown.status, 200, "{path}");
        assert!(shown.body.contains("第五户的金额好像不对。"), "{path}");
    }
}
both!(all_versions_share_one_thread);

async fn a_comment_is_flagged_and_hidden_in_the_open(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let page = published(&committee, "二季度残疾人补贴公开").await;
    let id = id_of(&page);
    let resident = app.signed_in(&demo.contact("resident")).await;
    resident
        .post_ok(
            &format!("{page}/comments"),
            &[
                ("body", "某某某的电话是13800001111，大家去问他。"),
                ("stance", "oppose"),
            ],
        )
        .await;
    let cid = last_comment(&app, id).await;

    let representative = app.signed_in(&demo.contact("representative")).await;
    let at = representative
        .post_ok(
            &format!("/c/liutang/comments/{cid}/flag"),
            &[("reason", "公开了别人的电话")],
        )
        .await;
    assert_eq!(at, format!("{page}?done=flagged#comment-{cid}"));
    let seen = committee.get(&page).await;
    assert!(
        seen.body.contains("公开了别人的电话"),
        "the committee sees the flag"
    );

    // A resident may not hide; the committee hides behind a public reason.
    let refused = resident
        .post(
            &format!("/c/liutang/comments/{cid}/hide"),
            &[("reason", "x")],
        )
        .await;
    assert_eq!(refused.status, 403);
    committee
        .post_ok(
            &format!("/c/liutang/comments/{cid}/hide"),
            &[("reason", "含他人电话号码")],
        )
        .await;
    let public = app.client().get(&page).await;
    assert!(
        public.body.contains("含他人电话号码"),
        "the reason is public"
    );
    assert!(!public.body.contains("13800001111"), "the words are not");
    assert_eq!(
        text_by_id(&public.body, "stance-oppose").as_deref(),
        Some("反对 0")
    );
    assert_eq!(comments_on(&app, id).await, 1, "hidden, never deleted");
    let told = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM notifications WHERE kind = 'comment_hidden'".into(),
    )
    .await;
    assert_eq!(told, 1, "the author is told");
}
both!(a_comment_is_flagged_and_hidden_in_the_open);

async fn outsiders_are_refused_and_bad_input_is_answered_at_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let page = published(&committee, "二季度临时救助公开").await;
    let id = id_of(&page);
    let comments = format!("{page}/comments");
    let fields = [("body", "我有意见。")];

    let outsider = app.signed_in(&demo.contact("committee_xinghe")).await;
    let r = outsider.post(&comments, &fields).await;
    assert_eq!(r.status, 403, "another community's committee");
    // Someone whose request to join waits is sent to the join page.
    let waiting = app.signed_in(&demo.contact("unverified")).await;
    let r = waiting.post(&comments, &fields).await;
    assert_eq!(r.status, 303);
    assert!(!r.location().starts_with(&page), "{}", r.location());
    let anonymous = app.client().post(&comments, &fields).await;
    assert_eq!(anonymous.status, 303);
    assert!(anonymous.location().starts_with("/signin"));

    // Without the session's CSRF token nothing is written.
    let resident = app.signed_in(&demo.contact("resident")).await;
    let forged = resident.post_raw(&comments, &fields, &[]).await;
    assert_eq!(forged.status, 403);
    let stolen = app.client().csrf().await;
    let forged = resident
        .post_raw(
            &comments,
            &[("_csrf", &stolen), ("body", "我有意见。")],
            &[],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(comments_on(&app, id).await, 0);

    // Too long: the page again (422) with the message and the text kept.
    let long = "长".repeat(5001);
    let r = resident.post(&comments, &[("body", &long)]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"comment-body-error\"") && r.body.contains(&long));
    assert!(
        !r.body.contains("id=\"errors\""),
        "at the field, not again at the top"
    );
    assert!(
        r.body.contains("二季度临时救助公开"),
        "on the disclosure's page"
    );
    let empty = resident.post(&comments, &[("body", "  ")]).await;
    assert_eq!(empty.status, 422);
    // A disclosure of another community is not found from here.
    let none = resident
        .post("/c/liutang/disclosures/999999/comments", &fields)
        .await;
    assert_eq!(none.status, 404);
    assert_eq!(comments_on(&app, id).await, 0);
}
both!(outsiders_are_refused_and_bad_input_is_answered_at_the_field);

/// Reverting migration 000035 and running it again keeps every item and order comment with
/// its thread: the SQLite table rebuild and the PostgreSQL constraint swap copy everything.
async fn the_migration_keeps_existing_comments(backend: Backend) {
    use diesel::connection::SimpleConnection;
    use diesel::migration::MigrationSource;
    use diesel_migrations::MigrationHarness;
    use yishi::db::AnyConnection;

    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let page = published(&committee, "二季度危房改造补贴公开").await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    resident
        .post_ok(&format!("{page}/comments"), &[("body", "何时开工？")])
        .await;
    let snapshot = "SELECT COUNT(*) AS n FROM comments WHERE disclosure_id IS NULL";
    let before = count_sql(&app, snapshot.into()).await;
    assert!(before > 0, "the demo has comments on items");
    let sum = "SELECT CAST(COALESCE(SUM(id * 7 + COALESCE(item_id, 0) * 3 \
               + COALESCE(order_id, 0) * 5 + COALESCE(parent_id, 0)), 0) AS BIGINT) AS n \
               FROM comments WHERE disclosure_id IS NULL";
    let sum_before = count_sql(&app, sum.into()).await;

    let ran = app
        .state
        .db(|conn| {
            fn redo<C, D>(c: &mut C, src: diesel_migrations::EmbeddedMigrations) -> usize
            where
                D: diesel::backend::Backend,
                C: MigrationHarness<D>,
                diesel_migrations::EmbeddedMigrations: MigrationSource<D>,
            {
                let all = MigrationSource::<D>::migrations(&src).expect("migrations");
                let mine = all
                    .iter()
                    .find(|m| m.name().to_string().contains("000035"))
                    .expect("migration 000035");
                c.revert_migration(mine.as_ref()).expect("down");
                c.run_migration(mine.as_ref()).expect("up again");
                all.len()
            }
            Ok(match conn {
                AnyConnection::Sqlite(c) => {
                    c.batch_execute("PRAGMA foreign_keys = OFF")?;
                    let n = redo(c, yishi::db::SQLITE_MIGRATIONS);
                    c.batch_execute("PRAGMA foreign_keys = ON")?;
                    n
                }
                AnyConnection::Postgresql(c) => redo(c, yishi::db::POSTGRES_MIGRATIONS),
            })
        })
        .await
        .expect("migration round trip");
    assert!(ran > 0);
    assert_eq!(count_sql(&app, snapshot.into()).await, before);
    assert_eq!(count_sql(&app, sum.into()).await, sum_before);
    // Down dropped the disclosure's comment; up lets a new one in, and the CHECK still
    // refuses a comment on two things at once.
    resident
        .post_ok(&format!("{page}/comments"), &[("body", "何时开工？")])
        .await;
    let both_targets = app
        .state
        .db(|conn| {
            Ok(conn
                .batch_execute(
                    "UPDATE comments SET order_id = NULL, disclosure_id = \
                     (SELECT MIN(id) FROM disclosures) WHERE id = (SELECT MIN(id) FROM comments \
                     WHERE item_id IS NOT NULL)",
                )
                .is_err())
        })
        .await
        .expect("update ran");
    assert!(
        both_targets,
        "a comment on an item and a disclosure at once is refused"
    );
}
both!(the_migration_keeps_existing_comments);
