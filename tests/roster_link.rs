//! Linking at verification: the committee verifies a resident and links the account to the
//! roster person (suggested by phone, found by name, or put on the roster there and then);
//! a person has at most one account.

use crate::both;
use crate::common::steps::{count_sql, query, request_id};
use crate::common::{spawn_app, Backend, Client, Demo, TestApp};

const PHONE: &str = "13712345678";

/// 柳塘村's committee, and the id of the join request of a newcomer (phone `PHONE`).
async fn applicant(app: &TestApp, demo: &Demo) -> (Client, String) {
    let newcomer = app.client();
    let r = newcomer
        .sign_up(PHONE, "钱新来", "a long pass phrase 1")
        .await;
    assert_eq!(r.status, 303, "sign-up: {}", r.body);
    newcomer
        .post_ok("/c/liutang/join", &[("address", "柳塘村二组8号")])
        .await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let page = committee.get("/c/liutang/residents").await;
    (committee, request_id(&page.body, "钱新来"))
}

async fn newcomer_id(app: &TestApp) -> i64 {
    count_sql(
        app,
        format!("SELECT id AS n FROM users WHERE phone = '{PHONE}'"),
    )
    .await
}

both!(verifying_links_the_account_to_the_person_with_the_same_phone);
async fn verifying_links_the_account_to_the_person_with_the_same_phone(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let household = count_sql(&app, "SELECT MIN(id) AS n FROM households".into())
        .await
        .to_string();
    committee
        .post_ok(
            "/c/liutang/roster/persons",
            &[
                ("name", "钱新来"),
                ("sex", "m"),
                ("birth_date", "1990-05-06"),
                ("household_id", &household),
                ("phone", PHONE),
            ],
        )
        .await;
    let person = count_sql(
        &app,
        format!("SELECT id AS n FROM persons WHERE phone = '{PHONE}'"),
    )
    .await
    .to_string();
    let (committee, request) = applicant(&app, &demo).await;

    let page = committee.get("/c/liutang/residents").await;

    let offered = format!("<option value=\"{person}\" selected>钱新来 · 1990-05-06 · 电话相符");
    assert!(page.body.contains(&offered), "{}", page.body);
    committee
        .post_ok(
            &format!("/c/liutang/requests/{request}/approve"),
            &[("household", &household), ("person_id", &person)],
        )
        .await;
    let linked = count_sql(
        &app,
        format!("SELECT user_id AS n FROM persons WHERE id = {person}"),
    )
    .await;
    assert_eq!(linked, newcomer_id(&app).await);
}

both!(verifying_can_put_the_applicant_on_the_roster);
async fn verifying_can_put_the_applicant_on_the_roster(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let (committee, request) = applicant(&app, &demo).await;
    let before = count_sql(&app, "SELECT COUNT(*) AS n FROM persons".into()).await;

    committee
        .post_ok(
            &format!("/c/liutang/requests/{request}/approve"),
            &[
                ("household", "new"),
                ("person_id", "new"),
                ("name", "钱新来"),
                ("sex", "男"),
                ("birth_date", "1990.05"),
            ],
        )
        .await;

    let user = newcomer_id(&app).await;
    let on_roster = count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM persons p JOIN memberships m ON m.user_id = p.user_id \
             AND m.household_id = p.household_id WHERE p.user_id = {user} AND p.name = '钱新来' \
             AND p.birth_month_only AND m.role = 'resident'"
        ),
    )
    .await;
    assert_eq!(on_roster, 1);
    assert_eq!(
        count_sql(&app, "SELECT COUNT(*) AS n FROM persons".into()).await,
        before + 1
    );
}

both!(a_person_with_an_account_is_not_linked_to_another_and_nobody_is_verified);
async fn a_person_with_an_account_is_not_linked_to_another_and_nobody_is_verified(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let (committee, request) = applicant(&app, &demo).await;
    let taken = count_sql(
        &app,
        "SELECT MIN(p.id) AS n FROM persons p JOIN communities c ON c.id = p.community_id \
         WHERE c.slug = 'liutang' AND p.user_id IS NOT NULL"
            .into(),
    )
    .await
    .to_string();
    let xinghe = count_sql(
        &app,
        "SELECT MIN(p.id) AS n FROM persons p JOIN communities c ON c.id = p.community_id \
         WHERE c.slug = 'xinghe' AND p.user_id IS NULL"
            .into(),
    )
    .await
    .to_string();
    let path = format!("/c/liutang/requests/{request}/approve");

    let r = committee
        .post(&path, &[("household", "new"), ("person_id", &taken)])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("此人已关联其他账号"), "{}", r.body);
    let r = committee
        .post(&path, &[("household", "new"), ("person_id", &xinghe)])
        .await;
    assert_eq!(r.status, 422, "another community's person: {}", r.body);
    let r = committee
        .post(
            &path,
            &[("household", "new"), ("person_id", "new"), ("sex", "男")],
        )
        .await;
    assert_eq!(
        r.status, 422,
        "a new person without a birth date: {}",
        r.body
    );

    let user = newcomer_id(&app).await;
    let verified = count_sql(
        &app,
        format!("SELECT COUNT(*) AS n FROM memberships WHERE user_id = {user}"),
    )
    .await;
    assert_eq!(verified, 0, "a refused link verified the applicant");
}

both!(verifying_without_a_roster_person_is_refused_at_the_field_and_kept);
async fn verifying_without_a_roster_person_is_refused_at_the_field_and_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let (committee, request) = applicant(&app, &demo).await;

    let r = committee
        .post(
            &format!("/c/liutang/requests/{request}/approve"),
            &[
                ("household", "new"),
                ("person_id", ""),
                ("name", "钱新来改"),
                ("birth_date", "1990-05-06"),
            ],
        )
        .await;

    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("请选择名册上的人"), "{}", r.body);
    assert!(
        r.body.contains(&format!("id=\"person-{request}-error\"")),
        "the message at the field: {}",
        r.body
    );
    assert!(r.body.contains("value=\"钱新来改\""), "the name as typed");
    assert!(
        r.body.contains("value=\"1990-05-06\""),
        "the birth date as typed"
    );
    let user = newcomer_id(&app).await;
    let verified = count_sql(
        &app,
        format!("SELECT COUNT(*) AS n FROM memberships WHERE user_id = {user}"),
    )
    .await;
    assert_eq!(verified, 0, "verified without a roster person");
}

/// Unlinks the demo's resident of 柳塘村 from the roster (as if verified before linking was
/// required); returns their account's id.
async fn unlinked_resident(app: &TestApp, demo: &Demo) -> i64 {
    let contact = demo.contact("resident");
    let user = count_sql(
        app,
        format!("SELECT id AS n FROM users WHERE phone = '{contact}' OR email = '{contact}'"),
    )
    .await;
    query(app, move |conn| {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!(
            "UPDATE persons SET user_id = NULL WHERE user_id = {user}"
        ))
        .execute(conn)
    })
    .await;
    user
}

both!(an_unlinked_account_is_listed_cannot_be_a_representative_and_is_linked_now);
async fn an_unlinked_account_is_listed_cannot_be_a_representative_and_is_linked_now(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let user = unlinked_resident(&app, &demo).await;
    let committee = app.signed_in(&demo.contact("committee")).await;

    let page = committee.get("/c/liutang/residents").await;
    assert!(page.body.contains("未关联名册"), "{}", page.body);
    assert!(page.body.contains(&format!("id=\"unlinked-{user}\"")));

    let r = committee
        .post(
            "/c/liutang/roles",
            &[
                ("contact", &demo.contact("resident")),
                ("role", "representative"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "an unlinked representative: {}", r.body);
    // A village's page says 村民 where the message reads 村（居）民.
    assert!(r.body.contains("村民代表须在名册上"), "{}", r.body);

    let path = format!("/c/liutang/members/{user}/link");
    let r = committee.post(&path, &[("person_id", "")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("请选择名册上的人"), "{}", r.body);
    committee
        .post_ok(
            &path,
            &[
                ("person_id", "new"),
                ("name", "柳塘新登记"),
                ("sex", "f"),
                ("birth_date", "1975-02-03"),
            ],
        )
        .await;
    let linked = count_sql(
        &app,
        format!("SELECT COUNT(*) AS n FROM persons WHERE user_id = {user} AND name = '柳塘新登记'"),
    )
    .await;
    assert_eq!(linked, 1);
    let page = committee.get("/c/liutang/residents").await;
    assert!(!page.body.contains(&format!("id=\"unlinked-{user}\"")));
    let again = committee
        .post(
            &path,
            &[
                ("person_id", "new"),
                ("name", "x"),
                ("sex", "f"),
                ("birth_date", "1975-02-03"),
            ],
        )
        .await;
    assert_eq!(again.status, 422, "linked twice: {}", again.body);
}
