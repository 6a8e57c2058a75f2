//! Bursts: a request that waits too long for the database — for a connection, for another
//! transaction's lock — is told the server is busy (503, `Retry-After`, a page in the user's
//! language that can send the same form again), never a 500, and nothing of it is written.
//! A thousand voters at once on a slow disk are each recorded once, at once or when they
//! send again.

use std::collections::BTreeSet;

use diesel::connection::SimpleConnection;

use crate::both;
use crate::common::ballots::{ballot_id, count_rows, csrf_of, race_setup, sealed_tracker};
use crate::common::page::unescape;
use crate::common::{spawn_app_with, Backend, Client, Resp, TestApp};

/// The "send again" form of a busy page: its action and its hidden fields (token included).
fn resend_form(page: &str) -> (String, Vec<(String, String)>) {
    let form = page
        .split("<form method=\"post\" action=\"")
        .nth(1)
        .expect("a form to send again");
    let action = unescape(&form[..form.find('"').expect("action")]);
    let form = &form[..form.find("</form>").expect("the form's end")];
    let fields = form
        .split("<input type=\"hidden\" name=\"")
        .skip(1)
        .map(|input| {
            let (name, rest) = input.split_once("\" value=\"").expect("a value");
            let value = &rest[..rest.find('"').expect("the value's end")];
            (unescape(name), unescape(value))
        })
        .collect();
    (action, fields)
}

/// Sends the busy page's form again, as its button does.
async fn send_again(client: &Client, busy: &Resp) -> Resp {
    let (action, fields) = resend_form(&busy.body);
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    client.post_raw(&action, &fields, &[]).await
}

fn assert_busy(r: &Resp) {
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.header("retry-after"), "5");
    assert!(r.body.contains("人有点多") && r.body.contains("再发送一次"));
}

/// The trackers on the ballot's board, and its `cast_count`.
async fn board_and_count(app: &TestApp, ballot: &str) -> (BTreeSet<String>, i64) {
    let id = ballot_id(ballot);
    app.state
        .db(move |conn| {
            use diesel::RunQueryDsl;
            #[derive(diesel::QueryableByName)]
            struct T {
                #[diesel(sql_type = diesel::sql_types::Text)]
                tracker: String,
            }
            #[derive(diesel::QueryableByName)]
            struct N {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let rows: Vec<T> = diesel::sql_query(format!(
                "SELECT tracker FROM ballot_choices WHERE ballot_id = {id}"
            ))
            .load(conn)?;
            let n: N = diesel::sql_query(format!(
                "SELECT CAST(cast_count AS BIGINT) AS n FROM ballots WHERE id = {id}"
            ))
            .get_result(conn)?;
            Ok((rows.into_iter().map(|r| r.tracker).collect(), n.n))
        })
        .await
        .expect("board")
}

async fn a_post_that_finds_no_connection_is_told_busy_and_can_send_again(backend: Backend) {
    let app = spawn_app_with(backend, |c| {
        c.db_pool = 2;
        c.db_wait_ms = 300;
    })
    .await;
    let demo = app.load_demo().await;
    let committee = app.signed_in(&demo.contact("committee")).await;
    let token = committee.csrf().await;
    let title = "修<桥>\"补路\" & 'x'";
    let form = [
        ("_csrf", token.as_str()),
        ("title", title),
        ("body", "说明"),
        ("category", "economy"),
    ];
    let visitor = app.client();
    let visitor_token = visitor.csrf().await;
    // Every connection is taken (by a long job, say).
    let held: Vec<_> = (0..2)
        .map(|_| app.state.pool.get().expect("a connection"))
        .collect();
    let busy = committee.post_raw("/c/liutang/items", &form, &[]).await;
    assert_busy(&busy);
    let (action, kept) = resend_form(&busy.body);
    assert_eq!(action, "/c/liutang/items");
    assert!(
        kept.contains(&("title".to_string(), title.to_string())),
        "what was typed is kept: {kept:?}"
    );
    assert!(!busy.body.contains("<桥>"));
    // Signing in: the contact is kept, the password never echoed.
    let signin = visitor
        .post_raw(
            "/signin",
            &[
                ("_csrf", visitor_token.as_str()),
                ("contact", "13812345678"),
                ("password", "不该出现的密码"),
            ],
            &[],
        )
        .await;
    assert_busy(&signin);
    assert!(signin.body.contains("13812345678"));
    assert!(!signin.body.contains("不该出现的密码"));
    assert!(signin.body.contains("密码没有保留"));
    drop(held);

    let list = app.client().get("/c/liutang/items").await;
    assert!(!list.body.contains("补路"), "nothing was written");
    let sent = send_again(&committee, &busy).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let item = app.client().get(sent.location()).await;
    assert!(item.body.contains("补路"), "{}", item.body);
}
both!(a_post_that_finds_no_connection_is_told_busy_and_can_send_again);

async fn a_vote_behind_a_held_lock_is_told_busy_and_counted_once_when_sent_again(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.db_wait_ms = 300).await;
    app.load_demo().await;
    let (ballot, voters) = race_setup(&app, 1).await;
    let voter = &voters[0];
    let page = voter.get(&ballot).await;
    let (tracker, seal) = sealed_tracker(&page.body);
    let token = csrf_of(voter, &ballot).await;
    let form = [
        ("_csrf", token.as_str()),
        ("choice", "1"),
        ("tracker", tracker.as_str()),
        ("tracker_seal", seal.as_str()),
    ];
    // Another transaction holds the ballot (SQLite: the write lock) and does not let go.
    let pool = yishi::db::connect(&app.db.url, 1).expect("connect");
    let mut other = pool.get().expect("connection");
    let hold = match backend {
        Backend::Sqlite => "BEGIN IMMEDIATE".to_string(),
        Backend::Postgres => format!(
            "BEGIN; SELECT id FROM ballots WHERE id = {} FOR UPDATE",
            ballot_id(&ballot)
        ),
    };
    other.batch_execute(&hold).expect("hold the lock");
    let busy = voter.post_raw(&format!("{ballot}/vote"), &form, &[]).await;
    assert_busy(&busy);
    assert!(busy.body.contains(&tracker), "the tracker is kept");
    other.batch_execute("ROLLBACK").expect("let go");
    assert_eq!(count_rows(&app, "ballot_voters", &ballot).await, 0);

    let sent = send_again(voter, &busy).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.body.contains("你的票已经记录"));
    let again = send_again(voter, &busy).await;
    assert!(again.body.contains("已经记录过了"));
    let (board, cast) = board_and_count(&app, &ballot).await;
    assert_eq!(
        (board.into_iter().collect::<Vec<_>>(), cast),
        (vec![tracker], 1)
    );
}
both!(a_vote_behind_a_held_lock_is_told_busy_and_counted_once_when_sent_again);

/// One voter's outcome: their tracker, and the page they got.
struct Outcome {
    voter: usize,
    tracker: String,
    resp: Resp,
}

async fn a_thousand_voters_on_a_slow_disk_are_each_recorded_once_or_told_busy(backend: Backend) {
    const VOTERS: usize = 1000;
    // Every commit takes 4 ms more, as on a cheap disk, and a request waits at most a second
    // for a connection from a small pool; the ballot's queue holds 300.
    let app = spawn_app_with(backend, |c| {
        c.db_pool = 3;
        c.db_wait_ms = 1000;
        c.vote_queue = 300;
        c.vote_wait_ms = 1500;
        c.commit_delay = Some(std::time::Duration::from_millis(4));
    })
    .await;
    app.load_demo().await;
    let (ballot, voters) = race_setup(&app, VOTERS).await;
    // Each voter's form (its token and tracker), fetched before the burst.
    let mut forms = tokio::task::JoinSet::new();
    let fetch = std::sync::Arc::new(tokio::sync::Semaphore::new(8));
    for (i, voter) in voters.iter().enumerate() {
        let (voter, ballot, fetch) = (voter.clone(), ballot.clone(), fetch.clone());
        forms.spawn(async move {
            let _permit = fetch.acquire_owned().await.expect("semaphore");
            let page = voter.get(&ballot).await;
            assert_eq!(page.status, 200, "{}", page.body);
            let token = crate::common::csrf_in(&page.body).expect("csrf");
            let (tracker, seal) = sealed_tracker(&page.body);
            (i, token, tracker, seal)
        });
    }
    let mut prepared = Vec::new();
    while let Some(f) = forms.join_next().await {
        prepared.push(f.expect("form"));
    }

    // All at once.
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(VOTERS));
    let mut set = tokio::task::JoinSet::new();
    for (i, token, tracker, seal) in prepared {
        let (voter, path, start) = (voters[i].clone(), format!("{ballot}/vote"), start.clone());
        set.spawn(async move {
            let choice = (i % 3).to_string();
            start.wait().await;
            let resp = voter
                .post_raw(
                    &path,
                    &[
                        ("_csrf", &token),
                        ("choice", &choice),
                        ("tracker", &tracker),
                        ("tracker_seal", &seal),
                    ],
                    &[],
                )
                .await;
            Outcome {
                voter: i,
                tracker,
                resp,
            }
        });
    }
    let mut recorded = BTreeSet::new();
    let mut busy = Vec::new();
    while let Some(o) = set.join_next().await {
        let o = o.expect("voter");
        match o.resp.status {
            200 => {
                assert!(o.resp.body.contains("你的票已经记录"), "{}", o.resp.body);
                recorded.insert(o.tracker);
            }
            503 => {
                assert_busy(&o.resp);
                busy.push(o);
            }
            other => panic!("voter {} got {other}: {}", o.voter, o.resp.body),
        }
    }
    // Exactly the voters told "recorded" are on the board; those told "busy" are not.
    let (board, cast) = board_and_count(&app, &ballot).await;
    assert_eq!(board, recorded, "the board is the set of 200 answers");
    assert_eq!(cast, recorded.len() as i64);
    let first_round_busy = busy.len();

    // Those told "busy" send the same form again, a few at a time, until each is recorded.
    let mut rounds = 0;
    while !busy.is_empty() {
        rounds += 1;
        assert!(rounds <= 50, "{} voters never got through", busy.len());
        let mut set = tokio::task::JoinSet::new();
        let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(16));
        for o in busy.drain(..) {
            let (voter, gate) = (voters[o.voter].clone(), gate.clone());
            set.spawn(async move {
                let _permit = gate.acquire_owned().await.expect("semaphore");
                let resp = send_again(&voter, &o.resp).await;
                Outcome { resp, ..o }
            });
        }
        while let Some(o) = set.join_next().await {
            let o = o.expect("voter");
            match o.resp.status {
                200 => {
                    assert!(o.resp.body.contains("你的票已经记录"), "{}", o.resp.body);
                    assert!(recorded.insert(o.tracker.clone()), "recorded twice");
                }
                503 => busy.push(o),
                other => panic!("voter {} got {other} again: {}", o.voter, o.resp.body),
            }
        }
    }
    eprintln!("{first_round_busy} of {VOTERS} told busy at first; all in after {rounds} rounds");
    let (board, cast) = board_and_count(&app, &ballot).await;
    assert_eq!(board.len(), VOTERS, "{first_round_busy} were busy at first");
    assert_eq!(board, recorded);
    assert_eq!(cast, VOTERS as i64);
    assert_eq!(
        count_rows(&app, "ballot_voters", &ballot).await,
        VOTERS as i64
    );
    app.clock.advance(chrono::Duration::days(3));
    let r = app.client().get(&ballot).await;
    assert_eq!(r.status, 303);
    let page = app.client().get(r.location()).await;
    assert!(page.body.contains("票面共 1000 行，参加投票 1000 人"));
}
both!(a_thousand_voters_on_a_slow_disk_are_each_recorded_once_or_told_busy);
