//! Ballot steps the stories share: an item in deliberation, a ballot opened on it, the
//! tracker on the voting form, a race of many voters, and the rows a ballot left.

use super::{csrf_in, steps, voters, Client, TestApp};

/// Two days after the test clock starts (2026-11-26 09:00 Beijing time).
pub const IN_TWO_DAYS: &str = "2026-11-28 12:00";

/// Puts every verified resident of 柳塘村 on its roster, linked to their account (those the demo's roster
/// has not linked already): a statutory ballot's electorate is the roster's adults.
pub async fn members_on_the_roster(app: &TestApp) {
    let now = yishi::clock::Clock::now(&*app.clock);
    app.state
        .db(move |conn| voters::roster_members(conn, "liutang", now))
        .await
        .expect("members on the roster");
}

/// Clears every 户代表 on the roster, so that any adult member may cast a household's vote.
pub async fn no_household_representatives(app: &TestApp) {
    app.state
        .db(|conn| {
            use diesel::RunQueryDsl;
            diesel::sql_query("UPDATE households SET representative_id = NULL").execute(conn)?;
            Ok(())
        })
        .await
        .expect("no representatives");
}

/// Puts an item on the agenda as the committee and opens it for deliberation; returns
/// its path.
pub async fn deliberating_item(committee: &Client, title: &str) -> String {
    let path = steps::raise(committee, title, "说明", "economy").await;
    committee
        .post_ok(&format!("{path}/stage"), &[("to", "deliberating")])
        .await;
    path
}

/// Puts a major item (四议两公开) of `category` on the agenda as the committee and opens it for
/// deliberation; returns its path.
pub async fn major_item(committee: &Client, (title, body): (&str, &str), category: &str) -> String {
    let fields = [
        ("title", title),
        ("body", body),
        ("category", category),
        ("major", "on"),
    ];
    let path = committee.post_ok("/c/liutang/items", &fields).await;
    committee
        .post_ok(&format!("{path}/stage"), &[("to", "deliberating")])
        .await;
    path
}

/// Opens a ballot on `item`; returns the ballot's path. A statutory meeting is announced
/// first, by a convening notice that has run its period (see [`noticed`]), when the test
/// holds the app's clock; a server in a child process needs one stored for it.
pub async fn open_ballot(committee: &Client, item: &str, fields: &[(&str, &str)]) -> String {
    let body = fields.iter().find(|f| f.0 == "body").map_or("", |f| f.1);
    let statutory = ["residents", "households", "representatives", "group"].contains(&body);
    if statutory && super::clock_of(&committee.base).is_some() {
        noticed(committee, item, body).await;
    }
    committee.post_ok(&format!("{item}/ballots"), fields).await
}

/// Publishes a convening notice of a `body` meeting on `item` as it would have been ten days
/// ago, so a ballot may open now: the app's clock goes back ten days and returns.
pub async fn noticed(committee: &Client, item: &str, body: &str) -> String {
    use yishi::clock::Clock;
    let clock = super::clock_of(&committee.base).expect("an app started by spawn_app");
    let today = yishi::clock::local_day(clock.now());
    let meets = format!("{today} 23:00");
    let back = chrono::Duration::days(10);
    clock.advance(-back);
    let notice = committee
        .post_ok(
            &format!("{item}/notice"),
            &[
                ("body", body),
                ("meets_at", &meets),
                ("place", "村委会议室"),
                ("matters", "表决本议题"),
                ("online", "在议题页投票"),
            ],
        )
        .await;
    clock.advance(back);
    notice
}

/// An online ballot of `body` closing at `closes_at` on a new item titled `title`; returns
/// the ballot's path.
pub async fn ballot_on_new_item(
    committee: &Client,
    title: &str,
    body: &str,
    closes_at: &str,
) -> String {
    let item = deliberating_item(committee, title).await;
    open_ballot(
        committee,
        &item,
        &[("body", body), ("mode", "online"), ("closes_at", closes_at)],
    )
    .await
}

/// The tracker and its seal on a ballot page's voting form (no seal: empty).
pub fn sealed_tracker(html: &str) -> (String, String) {
    let field = |name: &str| {
        let marker = format!("name=\"{name}\" value=\"");
        let at = html.find(&marker)? + marker.len();
        Some(html[at..at + html[at..].find('"')?].to_string())
    };
    (
        field("tracker").expect("a tracker field"),
        field("tracker_seal").unwrap_or_default(),
    )
}

/// Opens a residents' ballot with `extra` new voters in the electorate.
pub async fn race_setup(app: &TestApp, extra: usize) -> (String, Vec<Client>) {
    let voters = app.bulk_voters("liutang", extra).await;
    members_on_the_roster(app).await;
    let committee = app.client();
    let r = committee.sign_in("13810000002", "yishi-demo-2026").await;
    assert_eq!(r.status, 303);
    let ballot = ballot_on_new_item(&committee, "并发投票", "residents", IN_TWO_DAYS).await;
    (ballot, voters)
}

/// The CSRF token on `ballot`'s page as `client` gets it.
pub async fn csrf_of(client: &Client, ballot: &str) -> String {
    csrf_in(&client.get(ballot).await.body).expect("csrf")
}

/// The voting form of `ballot` as `client` gets it: (CSRF token, tracker, seal).
pub async fn form_of(client: &Client, ballot: &str) -> (String, String, String) {
    let body = client.get(ballot).await.body;
    let (tracker, seal) = sealed_tracker(&body);
    (csrf_in(&body).expect("csrf"), tracker, seal)
}

/// The ballot's id, from its path.
pub fn ballot_id(ballot: &str) -> i64 {
    ballot
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("ballot id")
}

/// Rows of `table` that belong to the ballot at `ballot` (a path ending in its id).
pub async fn count_rows(app: &TestApp, table: &'static str, ballot: &str) -> i64 {
    let id = ballot_id(ballot);
    steps::count_sql(
        app,
        format!("SELECT COUNT(*) AS n FROM {table} WHERE ballot_id = {id}"),
    )
    .await
}
