//! The roster (村民名册): the committee keeps households and persons, every change kept; the
//! demo's roster; supervisors read it; the public sees counts only.

use crate::both;
use crate::common::page;
use crate::common::steps::{count_sql, demo_committee, verified_newcomer, without_query, Newcomer};
use crate::common::{spawn_app, Backend, Client, Demo, TestApp};

both!(demo_roster_has_households_persons_and_every_resident_linked);
async fn demo_roster_has_households_persons_and_every_resident_linked(backend: Backend) {
    let app = spawn_app(backend).await;
    let _committee = demo_committee(&app).await;
    let lt = "(SELECT id FROM communities WHERE slug = 'liutang')";
    let households = count_sql(
        &app,
        format!("SELECT COUNT(*) AS n FROM households WHERE community_id = {lt}"),
    )
    .await;
    let persons = count_sql(
        &app,
        format!("SELECT COUNT(*) AS n FROM persons WHERE community_id = {lt}"),
    )
    .await;
    let unlinked_residents = count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM memberships m WHERE m.community_id = {lt} AND m.role = 'resident' \
             AND NOT EXISTS (SELECT 1 FROM persons p WHERE p.user_id = m.user_id AND p.community_id = m.community_id \
             AND p.household_id = m.household_id)"
        ),
    )
    .await;
    let moved = count_sql(
        &app,
        format!("SELECT COUNT(*) AS n FROM persons WHERE community_id = {lt} AND status = 'moved'"),
    )
    .await;
    let deceased = count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM persons WHERE community_id = {lt} AND status = 'deceased'"
        ),
    )
    .await;
    let xinghe = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM persons WHERE community_id = (SELECT id FROM communities WHERE slug = 'xinghe')".into(),
    )
    .await;
    assert_eq!(households, 150);
    assert!((440..=520).contains(&persons), "persons: {persons}");
    assert_eq!(unlinked_residents, 0);
    assert!((3..=5).contains(&moved), "moved: {moved}");
    assert_eq!(deceased, 1);
    assert!((100..=200).contains(&xinghe), "xinghe persons: {xinghe}");
}

/// The committee of 柳塘村 signed in, and a new household "900" of its first group; its id.
async fn with_household(app: &TestApp) -> (Client, Demo, String) {
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    committee
        .post_ok(
            "/c/liutang/roster/households",
            &[
                ("number", "900"),
                ("address", "柳塘村一组900号"),
                ("grid_id", ""),
            ],
        )
        .await;
    let id = count_sql(
        app,
        "SELECT MAX(id) AS n FROM households WHERE number = '900'".into(),
    )
    .await;
    (committee, demo, id.to_string())
}

fn person_fields<'a>(household: &'a str, name: &'a str, birth: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("sex", "f"),
        ("birth_date", birth),
        ("relation", "户主"),
        ("household_id", household),
        ("phone", "138 0013 8000"),
    ]
}

both!(every_change_to_a_person_is_kept_and_their_record_on_a_day_shown);
async fn every_change_to_a_person_is_kept_and_their_record_on_a_day_shown(backend: Backend) {
    let app = spawn_app(backend).await;
    let (committee, _, household) = with_household(&app).await;
    let before = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM action_log WHERE action = 'roster'".into(),
    )
    .await;
    // The clock reads 2026-11-26 (Beijing): born 2008-11-26, she is 18 today.
    let at = committee
        .post_ok(
            "/c/liutang/roster/persons",
            &person_fields(&household, "柳青青", "2008-11-26"),
        )
        .await;
    let path = without_query(&at);
    let edited = person_fields(&household, "柳青", "2008-11-26");
    committee.post_ok(&path, &edited).await;
    app.clock.advance(chrono::Duration::days(2));
    committee
        .post_ok(
            &format!("{path}/status"),
            &[
                ("status", "moved"),
                ("status_date", "2026-11-27"),
                ("note", "到杭州工作"),
            ],
        )
        .await;

    let page = committee.get(&path).await;
    let history = page::inner_by_id(&page.body, "history").expect("history");
    let on_first_day = committee.get(&format!("{path}?as_of=2026-11-26")).await;
    let before_added = committee.get(&format!("{path}?as_of=2026-11-25")).await;
    let after = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM action_log WHERE action = 'roster'".into(),
    )
    .await;
    let phone = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM persons WHERE name = '柳青' AND phone = '13800138000'".into(),
    )
    .await;
    assert_eq!(history.matches("<li").count(), 3, "{history}");
    assert!(page::text_by_id(&page.body, "person-status")
        .unwrap()
        .contains("迁出 2026-11-27"));
    let record = page::text_by_id(&on_first_day.body, "as-of-record").expect("record");
    assert!(
        record.contains("柳青") && record.contains("在册"),
        "{record}"
    );
    assert!(page::text_by_id(&before_added.body, "as-of-record")
        .unwrap()
        .contains("还没有此人"));
    assert_eq!(after - before, 3);
    assert_eq!(phone, 1);
}

both!(bad_input_is_refused_at_the_field_with_what_was_typed_kept);
async fn bad_input_is_refused_at_the_field_with_what_was_typed_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let (committee, _, household) = with_household(&app).await;
    let bad_date = committee
        .post(
            "/c/liutang/roster/persons",
            &person_fields(&household, "柳青青", "1962-13-01"),
        )
        .await;
    let future = committee
        .post(
            "/c/liutang/roster/persons",
            &person_fields(&household, "柳青青", "2026-12-01"),
        )
        .await;
    let bad_phone = committee
        .post(
            "/c/liutang/roster/persons",
            &[
                ("name", "柳青青"),
                ("sex", "f"),
                ("birth_date", "1962.3"),
                ("household_id", &household),
                ("phone", "12345"),
            ],
        )
        .await;
    let at = committee
        .post_ok(
            "/c/liutang/roster/persons",
            &person_fields(&household, "柳青青", "1962年3月"),
        )
        .await;
    let path = without_query(&at);
    committee
        .post_ok(
            &format!("{path}/status"),
            &[("status", "moved"), ("status_date", "2026-11-01")],
        )
        .await;
    let twice = committee
        .post(
            &format!("{path}/status"),
            &[("status", "moved"), ("status_date", "2026-11-20")],
        )
        .await;
    let future_status = committee
        .post(
            &format!("{path}/status"),
            &[("status", "listed"), ("status_date", "2026-12-20")],
        )
        .await;
    let shown = committee.get(&path).await;

    assert_eq!(bad_date.status, 422);
    assert!(page::text_by_id(&bad_date.body, "p-birth-error")
        .unwrap()
        .contains("1962-13-01 不是日期"));
    assert_eq!(
        page::attr_by_id(&bad_date.body, "p-name", "value").as_deref(),
        Some("柳青青")
    );
    assert_eq!(future.status, 422);
    assert!(page::text_by_id(&future.body, "p-birth-error")
        .unwrap()
        .contains("不能晚于今天"));
    assert_eq!(bad_phone.status, 422);
    assert!(page::text_by_id(&bad_phone.body, "p-phone-error").is_some());
    assert_eq!(twice.status, 422);
    assert!(twice.body.contains("不能再迁出一次"), "{}", twice.body);
    assert_eq!(future_status.status, 422);
    assert!(page::text_by_id(&future_status.body, "s-date-error")
        .unwrap()
        .contains("不能晚于今天"));
    assert!(page::text_by_id(&shown.body, "person-birth")
        .unwrap()
        .starts_with("1962-03"));
}

both!(a_group_or_household_of_another_community_is_refused);
async fn a_group_or_household_of_another_community_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (committee, _, household) = with_household(&app).await;
    let xinghe_grid = count_sql(
        &app,
        "SELECT MIN(g.id) AS n FROM grids g JOIN communities c ON c.id = g.community_id WHERE c.slug = 'xinghe'".into(),
    )
    .await
    .to_string();
    let xinghe_household = count_sql(
        &app,
        "SELECT MIN(h.id) AS n FROM households h JOIN communities c ON c.id = h.community_id WHERE c.slug = 'xinghe'".into(),
    )
    .await
    .to_string();
    let mut theirs_grid = person_fields(&household, "柳青青", "1980-01-01");
    theirs_grid.push(("grid_id", &xinghe_grid));
    let grid = committee
        .post("/c/liutang/roster/persons", &theirs_grid)
        .await;
    let home = committee
        .post(
            "/c/liutang/roster/persons",
            &person_fields(&xinghe_household, "柳青青", "1980-01-01"),
        )
        .await;
    let written = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM persons WHERE name = '柳青青'".into(),
    )
    .await;
    assert_eq!(grid.status, 422);
    assert_eq!(home.status, 422);
    assert_eq!(written, 0);
}

both!(supervisors_read_the_roster_the_public_sees_only_counts);
async fn supervisors_read_the_roster_the_public_sees_only_counts(backend: Backend) {
    let app = spawn_app(backend).await;
    let (committee, demo, household) = with_household(&app).await;
    committee
        .post_ok(
            "/c/liutang/roster/persons",
            &person_fields(&household, "柳青青", "1980-01-01"),
        )
        .await;
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    let read = supervisor.get("/c/liutang/roster?q=柳青青").await;
    let write = supervisor
        .post(
            "/c/liutang/roster/persons",
            &person_fields(&household, "柳青", "1980-01-01"),
        )
        .await;
    let public = app.client().get("/c/liutang").await;
    let resident = app.signed_in(&demo.contact("resident")).await;
    let refused = resident.get("/c/liutang/roster").await;
    let listed_adults = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM persons p JOIN communities c ON c.id = p.community_id \
         WHERE c.slug = 'liutang' AND p.status = 'listed' AND p.birth_date <= '2008-11-26' AND NOT p.birth_month_only"
            .into(),
    )
    .await;
    let month_only_adults = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM persons p JOIN communities c ON c.id = p.community_id \
         WHERE c.slug = 'liutang' AND p.status = 'listed' AND p.birth_date < '2008-11-01' AND p.birth_month_only"
            .into(),
    )
    .await;

    assert_eq!(read.status, 200);
    assert_eq!(page::number_by_id(&read.body, "search-count"), 1);
    assert_eq!(write.status, 403);
    assert_eq!(refused.status, 403);
    assert_eq!(
        page::number_by_id(&public.body, "roster-adults"),
        listed_adults + month_only_adults
    );
    assert!(!public.body.contains("柳青青"));
}

both!(the_export_has_a_line_per_person_with_formulas_guarded);
async fn the_export_has_a_line_per_person_with_formulas_guarded(backend: Backend) {
    let app = spawn_app(backend).await;
    let (committee, _, household) = with_household(&app).await;
    committee
        .post_ok(
            "/c/liutang/roster/persons",
            &person_fields(&household, "=HYPERLINK(1)", "1980-01-01"),
        )
        .await;
    let (status, kind, bytes) = committee.get_bytes("/c/liutang/roster.csv").await;
    let text = String::from_utf8(bytes).expect("UTF-8");
    let persons = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM persons p JOIN communities c ON c.id = p.community_id WHERE c.slug = 'liutang'".into(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/csv"));
    assert!(text.starts_with("\u{feff}户号,姓名,性别,出生日期,村民小组,状态,状态日期\r\n"));
    assert_eq!(text.lines().count() as i64, persons + 1);
    assert!(
        text.contains("900,'=HYPERLINK(1),女,1980-01-01"),
        "{}",
        &text[..200]
    );
}

both!(a_member_verified_before_the_roster_is_linked_once);
async fn a_member_verified_before_the_roster_is_linked_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (committee, demo, household) = with_household(&app).await;
    let who = Newcomer {
        contact: "13700001111",
        name: "柳新来",
        password: "a-long-password-1",
        address: "柳塘村一组900号",
    };
    // Verifying links the account to the person registered with it, once.
    verified_newcomer(&app, &demo, &who).await;
    let linked = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM persons p JOIN users u ON u.id = p.user_id \
         WHERE u.phone = '13700001111' AND p.name = '柳新来'"
            .to_string(),
    )
    .await;
    assert_eq!(linked, 1);
    let second = without_query(
        &committee
            .post_ok(
                "/c/liutang/roster/persons",
                &person_fields(&household, "柳新", "1991-05-01"),
            )
            .await,
    );
    let again = committee
        .post(&format!("{second}/link"), &[("contact", "13700001111")])
        .await;
    let stranger = committee
        .post(&format!("{second}/link"), &[("contact", "13799999999")])
        .await;
    assert_eq!(again.status, 422);
    assert!(page::text_by_id(&again.body, "link-error")
        .unwrap()
        .contains("已关联名册上的其他人"));
    assert_eq!(stranger.status, 422);
    let shown = committee.get(&second).await;
    assert_ne!(
        page::text_by_id(&shown.body, "person-account").as_deref(),
        Some("柳新来")
    );
}
