//! The supervision committee chosen by the villagers (村民委员会组织法 art. 32): granting or
//! taking back the supervisor role cites a decision of the villagers' (representatives')
//! meeting, or is a resignation with a reason; the person is on the roster, not a committee
//! member, and not of a committee member's household.

use crate::both;
use crate::common::page::{inner_by_id, options};
use crate::common::steps::{count_sql, query, request_id};
use crate::common::{spawn_app, Backend, Client, Demo, Resp, TestApp};

/// A passed, citable decision of the community's villagers' (representatives') meeting, as
/// the appointment form offers it, and the id of a passed decision of another body.
async fn decisions(app: &TestApp, committee: &Client) -> (String, i64) {
    let page = committee.get("/c/liutang/residents").await;
    let offered = options(&page.body, "appoint-decision");
    let (electing, _) = offered
        .iter()
        .find(|(v, _)| !v.is_empty())
        .cloned()
        .expect("the demo has a decision of the villagers' meeting");
    let other = count_sql(
        app,
        "SELECT MIN(d.id) AS n FROM decisions d JOIN communities c ON c.id = d.community_id \
         WHERE c.slug = 'liutang' AND d.verdict = 'passed' AND d.body = 'committee'"
            .into(),
    )
    .await;
    (electing, other)
}

async fn user_of(app: &TestApp, contact: &str) -> i64 {
    count_sql(
        app,
        format!("SELECT id AS n FROM users WHERE phone = '{contact}' OR email = '{contact}'"),
    )
    .await
}

fn appoint<'a>(contact: &'a str, decision: &'a str) -> [(&'a str, &'a str); 3] {
    [
        ("contact", contact),
        ("role", "supervisor"),
        ("decision_id", decision),
    ]
}

both!(art_32_a_supervisor_is_appointed_on_the_villagers_decision_and_it_is_recorded);
async fn art_32_a_supervisor_is_appointed_on_the_villagers_decision_and_it_is_recorded(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let (electing, _) = decisions(&app, &committee).await;
    let resident = demo.contact("resident");

    committee
        .post_ok("/c/liutang/roles", &appoint(&resident, &electing))
        .await;

    let user = user_of(&app, &resident).await;
    let recorded = count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM supervisor_appointments WHERE user_id = {user} \
             AND action = 'appoint' AND decision_id = {electing}"
        ),
    )
    .await;
    assert_eq!(recorded, 1);
    let page = committee.get("/c/liutang/residents").await;
    assert!(
        page.body.contains(&format!(
            "推选决议 <a href=\"/c/liutang/decisions/{electing}\">"
        )),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("本规则实行前任命"),
        "the demo's supervisors cite their election"
    );
    let log = committee.get("/c/liutang/log").await;
    assert!(log.body.contains(&format!("#{electing} ")), "{}", log.body);

    // A published record: a leaf of its own kind in the transparency log, citing the decision.
    let public = app.client().get("/log").await;
    let kind = "村务监督委员会成员任免 <span class=\"muted\">";
    assert!(public.body.contains(kind), "{}", public.body);
    assert!(
        public.body.contains(&format!(
            "依据决议 <a href=\"/c/liutang/decisions/{electing}\">#{electing}</a>"
        )),
        "{}",
        public.body
    );
    let leaves = count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM log_entries WHERE kind = 'supervisor_change' \
             AND record_id = (SELECT MAX(id) FROM supervisor_appointments WHERE user_id = {user})"
        ),
    )
    .await;
    assert_eq!(leaves, 1);
}

both!(art_32_an_appointment_without_a_lawful_decision_is_refused_at_the_field);
async fn art_32_an_appointment_without_a_lawful_decision_is_refused_at_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let (_, other) = decisions(&app, &committee).await;
    let resident = demo.contact("resident");
    let other = other.to_string();

    for (decision, says) in [
        (
            "",
            "任免村务监督委员会成员须依据村民会议或者村民代表会议的决议",
        ),
        ("999999", "没有找到这项决议"),
        (other.as_str(), "这项决议不是这两种会议作出的"),
    ] {
        let r = committee
            .post("/c/liutang/roles", &appoint(&resident, decision))
            .await;
        assert_eq!(r.status, 422, "{decision}: {}", r.body);
        let at_field = inner_by_id(&r.body, "appoint-decision-error").unwrap_or_default();
        assert!(
            at_field.contains("依照村民委员会组织法第三十二条"),
            "{at_field}"
        );
        assert!(at_field.contains(says), "{decision}: {at_field}");
        assert!(r.body.contains(&format!("value=\"{resident}\"")), "kept");
    }
    let user = user_of(&app, &resident).await;
    let held = count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM memberships WHERE user_id = {user} AND role = 'supervisor'"
        ),
    )
    .await;
    assert_eq!(held, 0);
}

both!(art_32_a_supervisor_is_on_the_roster_and_not_of_the_committee_or_its_households);
async fn art_32_a_supervisor_is_on_the_roster_and_not_of_the_committee_or_its_households(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let (electing, _) = decisions(&app, &committee).await;

    let r = committee
        .post(
            "/c/liutang/roles",
            &appoint(&demo.contact("unverified"), &electing),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("村务监督委员会成员从村民中推选"),
        "{}",
        r.body
    );

    let r = committee
        .post(
            "/c/liutang/roles",
            &appoint(&demo.contact("committee"), &electing),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("村民委员会成员不得担任村务监督委员会成员"));

    let resident = demo.contact("resident");
    let (member, user) = (
        user_of(&app, &demo.contact("committee")).await,
        user_of(&app, &resident).await,
    );
    query(&app, move |conn| {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!(
            "UPDATE persons SET household_id = (SELECT household_id FROM persons \
             WHERE user_id = {member}) WHERE user_id = {user}"
        ))
        .execute(conn)
    })
    .await;
    let r = committee
        .post("/c/liutang/roles", &appoint(&resident, &electing))
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("同在名册上的一户"), "{}", r.body);
}

/// The committee removes supervisor `who`, citing the villagers' decision `electing`.
async fn removed_by_decision(committee: &Client, who: &str, electing: &str) {
    let fields = [
        ("user_id", who),
        ("role", "supervisor"),
        ("decision_id", electing),
    ];
    committee.post_ok("/c/liutang/roles/revoke", &fields).await;
}

/// Appoints the demo's resident as a supervisor; returns their account's id.
async fn a_supervisor(app: &TestApp, demo: &Demo, committee: &Client, electing: &str) -> i64 {
    let resident = demo.contact("resident");
    committee
        .post_ok("/c/liutang/roles", &appoint(&resident, electing))
        .await;
    user_of(app, &resident).await
}

both!(art_32_a_supervisor_is_removed_by_decision_or_resigns_with_a_reason);
async fn art_32_a_supervisor_is_removed_by_decision_or_resigns_with_a_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let (electing, other) = decisions(&app, &committee).await;
    let user = a_supervisor(&app, &demo, &committee, &electing).await;
    let who = user.to_string();
    let other = other.to_string();

    let bare = [("user_id", who.as_str()), ("role", "supervisor")];
    let r = committee.post("/c/liutang/roles/revoke", &bare).await;
    assert_eq!(r.status, 422);
    let at_field = inner_by_id(&r.body, &format!("revoke-error-{user}")).unwrap_or_default();
    assert!(at_field.contains("第三十二条"), "{}", r.body);
    let by_committee = [
        ("user_id", who.as_str()),
        ("role", "supervisor"),
        ("decision_id", other.as_str()),
    ];
    let r = committee
        .post("/c/liutang/roles/revoke", &by_committee)
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("这项决议不是这两种会议作出的"));

    committee
        .post_ok(
            "/c/liutang/roles/revoke",
            &[
                ("user_id", who.as_str()),
                ("role", "supervisor"),
                ("reason", "外出务工，无法履职"),
            ],
        )
        .await;
    let log = committee.get("/c/liutang/log").await;
    assert!(log.body.contains("外出务工，无法履职"));

    a_supervisor(&app, &demo, &committee, &electing).await;
    removed_by_decision(&committee, &who, &electing).await;
    let record = count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM supervisor_appointments WHERE user_id = {user} \
             AND ((action = 'resign' AND decision_id IS NULL) \
             OR (action = 'remove' AND decision_id = {electing}))"
        ),
    )
    .await;
    assert_eq!(record, 2);
}

both!(appointing_a_supervisor_needs_the_committee_and_a_csrf_token);
async fn appointing_a_supervisor_needs_the_committee_and_a_csrf_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let (electing, _) = decisions(&app, &committee).await;
    let resident = demo.contact("resident");

    let forged = committee
        .post_raw("/c/liutang/roles", &appoint(&resident, &electing), &[])
        .await;
    assert_eq!(forged.status, 403);
    for role in ["supervisor", "representative", "resident"] {
        let someone = app.signed_in(&demo.contact(role)).await;
        let r = someone
            .post("/c/liutang/roles", &appoint(&resident, &electing))
            .await;
        assert_eq!(r.status, 403, "{role}");
    }
    let user = user_of(&app, &resident).await;
    let recorded = count_sql(
        &app,
        format!("SELECT COUNT(*) AS n FROM supervisor_appointments WHERE user_id = {user}"),
    )
    .await;
    assert_eq!(recorded, 0);
}

/// A roster person's (id, name, sex, birth date, relation, household) by their account.
async fn person_of(app: &TestApp, user: i64) -> (i64, String, String, String, String, i64) {
    query(app, move |conn| {
        use diesel::prelude::*;
        use yishi::schema::persons;
        persons::table
            .filter(persons::user_id.eq(user))
            .select((
                persons::id,
                persons::name,
                persons::sex,
                persons::birth_date,
                persons::relation,
                persons::household_id,
            ))
            .first::<(i64, String, String, chrono::NaiveDate, String, i64)>(conn)
            .map(|(id, name, sex, birth, relation, h)| {
                (id, name, sex, birth.to_string(), relation, h)
            })
    })
    .await
}

both!(art_32_both_ways_no_committee_member_is_appointed_into_a_supervisors_household);
async fn art_32_both_ways_no_committee_member_is_appointed_into_a_supervisors_household(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let admin = app.signed_in(&demo.contact("admin")).await;
    let (electing, _) = decisions(&app, &committee).await;
    let supervisor = a_supervisor(&app, &demo, &committee, &electing).await;
    let (_, supervisor_name, _, _, _, household) = person_of(&app, supervisor).await;
    // A villager on the roster with an account and no office, put in the supervisor's
    // household.
    let villager = count_sql(
        &app,
        format!(
            "SELECT MIN(p.user_id) AS n FROM persons p JOIN communities c ON c.id = p.community_id \
             WHERE c.slug = 'liutang' AND p.user_id IS NOT NULL AND p.user_id <> {supervisor} \
             AND p.user_id NOT IN (SELECT user_id FROM memberships WHERE role IN \
             ('committee', 'supervisor', 'representative'))"
        ),
    )
    .await;
    query(&app, move |conn| {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!(
            "UPDATE persons SET household_id = {household} WHERE user_id = {villager}"
        ))
        .execute(conn)
    })
    .await;
    let (_, villager_name, ..) = person_of(&app, villager).await;
    let contact = query(&app, move |conn| {
        use diesel::prelude::*;
        use yishi::schema::users;
        users::table
            .find(villager)
            .select(users::phone.assume_not_null())
            .first::<String>(conn)
    })
    .await;

    let r = admin
        .post(
            "/admin/staff",
            &[("community", "liutang"), ("contact", contact.as_str())],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let said =
        format!("村务监督委员会成员{supervisor_name}和村（居）委会成员{villager_name}不能在同一户");
    assert!(r.body.contains(&said), "{}", r.body);
    assert!(r.body.contains("村民委员会组织法第三十二条"), "{}", r.body);
    let held = count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM memberships WHERE user_id = {villager} AND role = 'committee'"
        ),
    )
    .await;
    assert_eq!(held, 0, "not appointed");
}

both!(art_32_both_ways_no_move_on_the_roster_puts_a_supervisor_with_a_committee_member);
async fn art_32_both_ways_no_move_on_the_roster_puts_a_supervisor_with_a_committee_member(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let (electing, _) = decisions(&app, &committee).await;
    let supervisor = a_supervisor(&app, &demo, &committee, &electing).await;
    let (sid, supervisor_name, sex, birth, relation, _) = person_of(&app, supervisor).await;
    let member = user_of(&app, &demo.contact("committee")).await;
    let (_, member_name, _, _, _, member_household) = person_of(&app, member).await;

    let target = member_household.to_string();
    let fields = [
        ("name", supervisor_name.as_str()),
        ("sex", sex.as_str()),
        ("birth_date", birth.as_str()),
        ("relation", relation.as_str()),
        ("household_id", target.as_str()),
    ];
    let r = committee
        .post(&format!("/c/liutang/roster/persons/{sid}"), &fields)
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let at_field = r.body.clone();
    assert!(
        at_field.contains(&format!(
            "村务监督委员会成员{supervisor_name}和村委会成员{member_name}不能在同一户"
        )),
        "{at_field}"
    );
    assert!(at_field.contains("村民委员会组织法第三十二条"));
    let moved = count_sql(
        &app,
        format!("SELECT COUNT(*) AS n FROM persons WHERE id = {sid} AND household_id = {member_household}"),
    )
    .await;
    assert_eq!(moved, 0, "nothing written");
}

/// The id and name of a listed roster person of 柳塘村 with no account, moved (by hand, as
/// the roster allows before art. 32's check) into household `into`.
async fn villager_into(app: &TestApp, into: i64) -> (i64, String) {
    let person = count_sql(
        app,
        format!(
            "SELECT MIN(p.id) AS n FROM persons p JOIN communities c ON c.id = p.community_id \
             WHERE c.slug = 'liutang' AND p.user_id IS NULL AND p.status = 'listed' \
             AND p.household_id <> {into}"
        ),
    )
    .await;
    query(app, move |conn| {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!(
            "UPDATE persons SET household_id = {into} WHERE id = {person}"
        ))
        .execute(conn)
    })
    .await;
    let name = query(app, move |conn| {
        use diesel::prelude::*;
        use yishi::schema::persons;
        persons::table
            .find(person)
            .select(persons::name)
            .first::<String>(conn)
    })
    .await;
    (person, name)
}

async fn unlink(app: &TestApp, user: i64) {
    query(app, move |conn| {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!(
            "UPDATE persons SET user_id = NULL WHERE user_id = {user}"
        ))
        .execute(conn)
    })
    .await;
}

async fn linked(app: &TestApp, user: i64) -> i64 {
    count_sql(
        app,
        format!("SELECT COUNT(*) AS n FROM persons WHERE user_id = {user}"),
    )
    .await
}

both!(art_32_a_committee_members_account_is_not_linked_into_a_supervisors_household);
async fn art_32_a_committee_members_account_is_not_linked_into_a_supervisors_household(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let supervisor = user_of(&app, &demo.contact("supervisor")).await;
    let (_, supervisor_name, _, _, _, household) = person_of(&app, supervisor).await;
    let (person, person_name) = villager_into(&app, household).await;
    // Another committee member, verified before linking was required.
    let member = count_sql(
        &app,
        "SELECT MAX(m.user_id) AS n FROM memberships m JOIN communities c ON c.id = m.community_id \
         WHERE c.slug = 'liutang' AND m.role = 'committee'"
            .into(),
    )
    .await;
    unlink(&app, member).await;
    let path = format!("/c/liutang/members/{member}/link");

    let r = committee
        .post(&path, &[("person_id", person.to_string().as_str())])
        .await;

    refused_under_art_32(
        &r,
        &format!("link-{member}-error"),
        &supervisor_name,
        &person_name,
    );
    assert!(r.body.contains("aria-describedby=\"link-"), "described by");
    assert_eq!(linked(&app, member).await, 0, "not linked");

    // The boundary: a person of a household with no supervisor is linked.
    let elsewhere = count_sql(
        &app,
        "SELECT MIN(p.id) AS n FROM persons p JOIN communities c ON c.id = p.community_id \
         WHERE c.slug = 'liutang' AND p.user_id IS NULL AND p.status = 'listed' \
         AND p.household_id NOT IN (SELECT q.household_id FROM persons q JOIN memberships m \
         ON m.user_id = q.user_id WHERE m.role = 'supervisor')"
            .into(),
    )
    .await
    .to_string();
    committee
        .post_ok(&path, &[("person_id", elsewhere.as_str())])
        .await;
    assert_eq!(linked(&app, member).await, 1);
}

both!(art_32_a_supervisors_account_is_not_linked_into_a_committee_members_household);
async fn art_32_a_supervisors_account_is_not_linked_into_a_committee_members_household(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let member = user_of(&app, &demo.contact("committee")).await;
    let (_, member_name, _, _, _, household) = person_of(&app, member).await;
    let (person, person_name) = villager_into(&app, household).await;
    let contact = demo.contact("supervisor");
    let supervisor = user_of(&app, &contact).await;
    unlink(&app, supervisor).await;

    let r = committee
        .post(
            &format!("/c/liutang/roster/persons/{person}/link"),
            &[("contact", contact.as_str())],
        )
        .await;

    assert_eq!(r.status, 422, "{}", r.body);
    let at_field = inner_by_id(&r.body, "link-error").unwrap_or_default();
    assert!(
        at_field.starts_with("依照村民委员会组织法第三十二条"),
        "{}",
        r.body
    );
    assert!(
        at_field.contains(&format!(
            "村务监督委员会成员{person_name}和村委会成员{member_name}"
        )),
        "{at_field}"
    );
    assert!(r.body.contains(&format!("value=\"{contact}\"")), "kept");
    assert_eq!(linked(&app, supervisor).await, 0, "not linked");
}

both!(art_32_verifying_links_no_committee_member_into_a_supervisors_household);
async fn art_32_verifying_links_no_committee_member_into_a_supervisors_household(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let supervisor = user_of(&app, &demo.contact("supervisor")).await;
    let (_, supervisor_name, _, _, _, household) = person_of(&app, supervisor).await;
    let (person, person_name) = villager_into(&app, household).await;
    // A newcomer, named to the committee by the platform's admin before being verified.
    const PHONE: &str = "13712345679";
    let newcomer = app.client();
    let r = newcomer
        .sign_up(PHONE, "钱新来", "a long pass phrase 1")
        .await;
    assert_eq!(r.status, 303, "sign-up: {}", r.body);
    newcomer
        .post_ok("/c/liutang/join", &[("address", "柳塘村二组8号")])
        .await;
    let admin = app.signed_in(&demo.contact("admin")).await;
    admin
        .post_ok(
            "/admin/staff",
            &[("community", "liutang"), ("contact", PHONE)],
        )
        .await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let page = committee.get("/c/liutang/residents").await;
    let request = request_id(&page.body, "钱新来");
    let path = format!("/c/liutang/requests/{request}/approve");
    let into = household.to_string();

    let r = committee
        .post(
            &path,
            &[
                ("household", into.as_str()),
                ("person_id", person.to_string().as_str()),
            ],
        )
        .await;
    refused_under_art_32(
        &r,
        &format!("person-{request}-error"),
        &supervisor_name,
        &person_name,
    );

    // Put on the roster now, in the supervisor's household: refused the same way.
    let r = committee
        .post(
            &path,
            &[
                ("household", into.as_str()),
                ("person_id", "new"),
                ("name", "钱新来"),
                ("sex", "男"),
                ("birth_date", "1990-05-06"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let at_field = inner_by_id(&r.body, &format!("person-{request}-error")).unwrap_or_default();
    assert!(
        at_field.contains(&format!(
            "村务监督委员会成员{supervisor_name}和村委会成员钱新来"
        )),
        "{at_field}"
    );
    assert!(r.body.contains("value=\"钱新来\""), "the name as typed");
    let user = user_of(&app, PHONE).await;
    let verified = count_sql(
        &app,
        format!(
            "SELECT COUNT(*) AS n FROM memberships WHERE user_id = {user} AND role = 'resident'"
        ),
    )
    .await;
    assert_eq!(verified, 0, "a refused link verified the applicant");
    assert_eq!(linked(&app, user).await, 0, "not linked");
}

/// The latest `n` records of the transparency log as a visitor reads them: (entry, content).
async fn latest_records(app: &TestApp, n: u64) -> Vec<(String, String)> {
    let client = app.client();
    let key = client.get("/log/key").await.body.trim().to_string();
    let note = client.get("/log/checkpoint").await.body;
    let cp = yishi::transparency::checkpoint::open(&note, &key).expect("the checkpoint verifies");
    let from = cp.size.saturating_sub(n);
    let body = client
        .get(&format!("/log/records?from={from}&count={n}"))
        .await
        .body;
    let records: Vec<yishi::transparency::handlers::RecordOut> =
        serde_json::from_str(&body).expect("records json");
    records
        .into_iter()
        .map(|r| (r.entry, r.content.unwrap_or_default()))
        .collect()
}

/// The supervisor changes of `user` published in the log (leaves of kind
/// `supervisor_change` whose record is theirs), with the record's action.
async fn published_changes(app: &TestApp, user: i64, action: &str) -> i64 {
    count_sql(
        app,
        format!(
            "SELECT COUNT(*) AS n FROM log_entries e JOIN supervisor_appointments s \
             ON s.id = e.record_id WHERE e.kind = 'supervisor_change' \
             AND s.user_id = {user} AND s.action = '{action}'"
        ),
    )
    .await
}

both!(art_32_a_resignation_and_a_removal_each_append_a_supervisor_change_to_the_log);
async fn art_32_a_resignation_and_a_removal_each_append_a_supervisor_change_to_the_log(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let (electing, _) = decisions(&app, &committee).await;
    let user = a_supervisor(&app, &demo, &committee, &electing).await;
    let who = user.to_string();

    committee
        .post_ok(
            "/c/liutang/roles/revoke",
            &[
                ("user_id", who.as_str()),
                ("role", "supervisor"),
                ("reason", "身体原因，申请辞去"),
            ],
        )
        .await;
    assert_eq!(published_changes(&app, user, "resign").await, 1);
    let resigned = latest_records(&app, 4).await;
    let (_, content) = resigned
        .iter()
        .rev()
        .find(|(_, c)| c.contains("\"type\":\"supervisor_change\""))
        .expect("the resignation is in the log");
    assert!(content.contains("\"action\":\"resign\""), "{content}");
    assert!(content.contains("\"decision\":null"), "{content}");
    assert!(content.contains("身体原因，申请辞去"), "{content}");
    assert!(content.contains(&format!("\"user\":{user}")), "{content}");

    a_supervisor(&app, &demo, &committee, &electing).await;
    removed_by_decision(&committee, &who, &electing).await;
    assert_eq!(published_changes(&app, user, "remove").await, 1);
    assert_eq!(published_changes(&app, user, "appoint").await, 2);
    let removed = latest_records(&app, 4).await;
    let (_, content) = removed
        .iter()
        .rev()
        .find(|(_, c)| c.contains("\"type\":\"supervisor_change\""))
        .expect("the removal is in the log");
    assert!(content.contains("\"action\":\"remove\""), "{content}");
    assert!(
        content.contains(&format!("\"decision\":{electing}")),
        "{content}"
    );

    // The public log names them, the removal with its decision.
    let public = app.client().get("/log").await;
    assert!(
        public
            .body
            .matches("村务监督委员会成员任免 <span class=\"muted\">")
            .count()
            >= 4,
        "appointments, the resignation and the removal"
    );
}

/// A 422 whose message at `field` cites art. 32 and names the supervisor and the committee
/// member who would share a household.
fn refused_under_art_32(r: &Resp, field: &str, supervisor: &str, member: &str) {
    assert_eq!(r.status, 422, "{}", r.body);
    let at_field = inner_by_id(&r.body, field).unwrap_or_default();
    assert!(
        at_field.starts_with("依照村民委员会组织法第三十二条"),
        "{}",
        r.body
    );
    assert!(
        at_field.contains(&format!(
            "村务监督委员会成员{supervisor}和村委会成员{member}"
        )),
        "{at_field}"
    );
}
