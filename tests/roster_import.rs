//! The roster import: the committee uploads its spreadsheet (a GBK CSV, an .xlsx with merged
//! header cells), sees what would change with nothing written, and confirms to write exactly
//! that; re-importing an updated sheet changes only what changed.

use crate::both;
use crate::common::page::number_by_id;
use crate::common::steps::count_sql;
use crate::common::{spawn_app, Backend, Client, Resp, TestApp};

const FIRST: &[u8] = include_bytes!("fixtures/roster/first-gbk.csv");
const UPDATE: &[u8] = include_bytes!("fixtures/roster/update.xlsx");
const IMPORT: &str = "/c/liutang/roster/import";

async fn preview(committee: &Client, name: &str, bytes: &[u8]) -> Resp {
    committee
        .post_files(IMPORT, &[], vec![("file", name, bytes.to_vec())])
        .await
}

/// The hidden copy and digest a preview carries to the confirmation.
fn confirmation(page: &str) -> Vec<(String, String)> {
    let field = |name: &str| {
        let at = page
            .find(&format!("name=\"{name}\" value=\""))
            .unwrap_or_else(|| panic!("no {name} in the preview: {page}"));
        let rest = &page[at + name.len() + 15..];
        let value = &rest[..rest.find('"').expect("value ends")];
        value
            .replace("&#34;", "\"")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&#x27;", "'")
            .replace("&#38;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    vec![
        ("sheet".into(), field("sheet")),
        ("digest".into(), field("digest")),
    ]
}

async fn confirm(committee: &Client, page: &str) -> Resp {
    let fields = confirmation(page);
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    committee
        .post_files(&format!("{IMPORT}/confirm"), &fields, vec![])
        .await
}

/// (persons, households, kept changes) of 柳塘村.
async fn roster_size(app: &TestApp) -> (i64, i64, i64) {
    let lt = "(SELECT id FROM communities WHERE slug = 'liutang')";
    let n = |table: &str| format!("SELECT COUNT(*) AS n FROM {table} WHERE community_id = {lt}");
    (
        count_sql(app, n("persons")).await,
        count_sql(app, n("households")).await,
        count_sql(app, n("roster_changes")).await,
    )
}

both!(a_preview_writes_nothing_and_confirming_writes_what_it_showed);
async fn a_preview_writes_nothing_and_confirming_writes_what_it_showed(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let before = roster_size(&app).await;

    let r = preview(&committee, "名册.csv", FIRST).await;

    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(number_by_id(&r.body, "count-add"), 4);
    assert_eq!(number_by_id(&r.body, "count-houses"), 2);
    assert_eq!(number_by_id(&r.body, "count-refused"), 4);
    assert!(
        r.body.contains("第 7 行：出生日期 1962-13-01 不是日期"),
        "{}",
        r.body
    );
    assert!(r.body.contains("第 8 行：出生日期 2031-01-01 晚于今天"));
    assert!(r.body.contains("第 9 行：没有叫“九组”的小组"));
    assert!(r.body.contains("第 10 行：和第 3 行是同一个人"));
    assert_eq!(
        roster_size(&app).await,
        before,
        "the preview wrote something"
    );

    let done = confirm(&committee, &r.body).await;

    assert_eq!(done.status, 303, "{}", done.body);
    let after = roster_size(&app).await;
    assert_eq!(after.0 - before.0, 4, "persons added");
    assert_eq!(after.1 - before.1, 2, "households created");
    let imported = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM roster_changes c JOIN persons p ON p.id = c.person_id \
         JOIN households h ON h.id = p.household_id WHERE c.what = 'import' AND h.number IN ('901', '902')"
            .into(),
    )
    .await;
    assert_eq!(imported, 4);
    let head_is_representative = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM households h JOIN persons p ON p.id = h.representative_id \
         WHERE h.number = '901' AND p.name = '王大山'"
            .into(),
    )
    .await;
    assert_eq!(head_is_representative, 1);
    let month_only = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM persons WHERE name = '王小明' AND birth_month_only".into(),
    )
    .await;
    assert_eq!(month_only, 1);
    let page = committee.get(done.location()).await;
    assert!(page.body.contains("新增 4 人"), "{}", page.body);
}

both!(reimporting_an_updated_sheet_changes_only_what_changed);
async fn reimporting_an_updated_sheet_changes_only_what_changed(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let first = preview(&committee, "名册.csv", FIRST).await;
    assert_eq!(confirm(&committee, &first.body).await.status, 303);
    // A second 王小明 born in July 1985, in household 902: a sheet's 王小明 of an unknown
    // household could be either.
    let h902 = count_sql(
        &app,
        "SELECT id AS n FROM households WHERE number = '902'".into(),
    )
    .await
    .to_string();
    committee
        .post_ok(
            "/c/liutang/roster/persons",
            &[
                ("name", "王小明"),
                ("sex", "m"),
                ("birth_date", "1985-07-15"),
                ("relation", "侄"),
                ("household_id", &h902),
            ],
        )
        .await;
    let before = roster_size(&app).await;

    let r = preview(&committee, "名册.xlsx", UPDATE).await;

    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(number_by_id(&r.body, "count-add"), 2, "赵五 and 吴十");
    assert_eq!(number_by_id(&r.body, "count-change"), 2, "王大山 and 赵四");
    assert_eq!(number_by_id(&r.body, "count-same"), 2, "李秀英 and 王小明");
    assert_eq!(number_by_id(&r.body, "count-ambiguous"), 1);
    assert_eq!(number_by_id(&r.body, "count-houses"), 1, "吴十's");
    assert!(
        r.body
            .contains("第 9 行：名册上有几个人都是 王小明（1985-07）"),
        "{}",
        r.body
    );
    assert!(r.body.contains("13900000901 → 13900000999"));
    assert_eq!(roster_size(&app).await, before);

    assert_eq!(confirm(&committee, &r.body).await.status, 303);

    let after = roster_size(&app).await;
    assert_eq!(after.0 - before.0, 2);
    assert_eq!(after.1 - before.1, 1);
    let phone = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM persons WHERE name = '王大山' AND phone = '13900000999'".into(),
    )
    .await;
    assert_eq!(phone, 1, "one 王大山, with the new phone");
    let moved = count_sql(
        &app,
        "SELECT COUNT(*) AS n FROM persons WHERE name = '赵四' AND status = 'moved'".into(),
    )
    .await;
    assert_eq!(moved, 1);
    let again = preview(&committee, "名册.xlsx", UPDATE).await;
    assert_eq!(number_by_id(&again.body, "count-add"), 0);
    assert_eq!(number_by_id(&again.body, "count-change"), 0);
    assert!(again.body.contains("id=\"nothing-to-import\""));
}

both!(a_preview_the_roster_outran_is_not_written);
async fn a_preview_the_roster_outran_is_not_written(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let r = preview(&committee, "名册.csv", FIRST).await;
    committee
        .post_ok(
            "/c/liutang/roster/households",
            &[("number", "901"), ("address", "柳塘村一组901号")],
        )
        .await;
    let before = roster_size(&app).await;

    let done = confirm(&committee, &r.body).await;

    assert_eq!(done.status, 422, "{}", done.body);
    assert!(done.body.contains("预览之后名册又有人改过"));
    assert_eq!(
        number_by_id(&done.body, "count-houses"),
        1,
        "901 now exists"
    );
    assert_eq!(roster_size(&app).await, before);
}

both!(bad_files_are_a_message_on_the_page);
async fn bad_files_are_a_message_on_the_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let cases: [(&str, Vec<u8>, &str); 6] = [
        ("empty.csv", vec![], "请选择要导入的名册文件"),
        ("a.csv", b"\n\n".to_vec(), "文件是空的"),
        (
            "a.csv",
            "名字,年龄\n张三,60\n".as_bytes().to_vec(),
            "没有找到表头",
        ),
        (
            "a.png",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
            "这不是名册表格",
        ),
        (
            "a.xls",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0".to_vec(),
            "另存为",
        ),
        ("big.csv", vec![b'a'; 5 * 1024 * 1024 + 1], "文件太大"),
    ];
    for (name, bytes, says) in cases {
        let r = preview(&committee, name, &bytes).await;
        assert_eq!(r.status, 422, "{name}: {}", r.body);
        assert!(r.body.contains(says), "{name}: {}", r.body);
    }
    let r = committee
        .post_files(
            &format!("{IMPORT}/confirm"),
            &[("sheet", "{not json"), ("digest", "x")],
            vec![],
        )
        .await;
    assert_eq!(r.status, 422);
}

both!(only_the_committee_imports);
async fn only_the_committee_imports(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let before = roster_size(&app).await;
    for kind in ["supervisor", "resident", "township"] {
        let client = app.signed_in(&demo.contact(kind)).await;
        assert_eq!(client.get(IMPORT).await.status, 403, "{kind}");
        let r = preview(&client, "名册.csv", FIRST).await;
        assert_eq!(r.status, 403, "{kind}");
    }
    let committee = app.signed_in(&demo.contact("committee")).await;
    let r = preview(&committee, "名册.csv", FIRST).await;
    let supervisor = app.signed_in(&demo.contact("supervisor")).await;
    assert_eq!(confirm(&supervisor, &r.body).await.status, 403);
    assert_eq!(roster_size(&app).await, before);
}

/// A person of 柳塘村 by their account: (id, name, sex as the sheet writes it, birth date,
/// relation, household id, the household's 户号).
async fn office_holder(
    app: &TestApp,
    contact: &str,
) -> (i64, String, String, String, String, i64, String) {
    let contact = contact.to_string();
    crate::common::steps::query(app, move |conn| {
        use diesel::prelude::*;
        use yishi::schema::{households, persons, users};
        let user: i64 = users::table
            .filter(users::phone.eq(&contact).or(users::email.eq(&contact)))
            .select(users::id)
            .first(conn)?;
        persons::table
            .inner_join(households::table)
            .filter(persons::user_id.eq(user))
            .select((
                persons::id,
                persons::name,
                persons::sex,
                persons::birth_date,
                persons::relation,
                persons::household_id,
                households::number,
            ))
            .first::<(i64, String, String, chrono::NaiveDate, String, i64, String)>(conn)
            .map(|(id, name, sex, birth, relation, h, number)| {
                let sex = if sex == "f" { "女" } else { "男" };
                (
                    id,
                    name,
                    sex.to_string(),
                    birth.to_string(),
                    relation,
                    h,
                    number,
                )
            })
    })
    .await
}

both!(art_32_an_import_line_may_not_put_a_supervisor_and_a_committee_member_in_one_household);
async fn art_32_an_import_line_may_not_put_a_supervisor_and_a_committee_member_in_one_household(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let (sid, s_name, s_sex, s_birth, s_rel, s_house, s_number) =
        office_holder(&app, &demo.contact("supervisor")).await;
    let (mid, m_name, m_sex, m_birth, m_rel, m_house, m_number) =
        office_holder(&app, &demo.contact("committee")).await;
    // Line 2 moves the supervisor into the committee member's household, line 3 the member
    // into the supervisor's; line 4 adds a grandchild, which holds no office.
    let sheet = format!(
        "户号,姓名,性别,出生日期,与户主关系\n\
         {m_number},{s_name},{s_sex},{s_birth},{s_rel}\n\
         {s_number},{m_name},{m_sex},{m_birth},{m_rel}\n\
         {s_number},柳新添,女,2020-03-04,孙女\n"
    );
    let before = roster_size(&app).await;

    let r = preview(&committee, "名册.csv", sheet.as_bytes()).await;

    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(number_by_id(&r.body, "count-refused"), 2, "{}", r.body);
    assert_eq!(number_by_id(&r.body, "count-change"), 0);
    assert_eq!(number_by_id(&r.body, "count-add"), 1);
    let line = |n: usize| format!("第 {n} 行：依照村民委员会组织法第三十二条");
    assert!(r.body.contains(&line(2)), "{}", r.body);
    assert!(r.body.contains(&line(3)));
    let both = format!("村务监督委员会成员{s_name}和村委会成员{m_name}在同一户");
    assert_eq!(r.body.matches(&both).count(), 2, "{}", r.body);

    assert_eq!(roster_size(&app).await, before, "the preview wrote nothing");

    let done = confirm(&committee, &r.body).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let after = roster_size(&app).await;
    assert_eq!(after.0 - before.0, 1, "only the grandchild added");
    let stayed = count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM persons WHERE (id = {sid} AND household_id = {s_house}) \
             OR (id = {mid} AND household_id = {m_house})"
        ),
    )
    .await;
    assert_eq!(stayed, 2);
}
