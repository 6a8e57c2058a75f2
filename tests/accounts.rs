//! Sign-up, sign-in, throttling, sessions, password change.

use crate::both;
use crate::common::page::{attr_by_id, text_by_id};
use crate::common::{spawn_app, spawn_app_with, Backend, Client};

async fn sign_up_creates_an_account_and_signs_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.client();
    let r = c
        .sign_up("+86 138-0013-8000", "王秀英", "柳塘村修路议事会")
        .await;
    assert_eq!((r.status, r.location()), (303, "/"));
    let cookie = r
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("yishi_session="))
        .expect("session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let profile = c.get("/profile").await;
    assert_eq!(profile.status, 200);
    assert!(profile.body.contains("王秀英") && profile.body.contains("13800138000"));
    // The same number, written another way, is the same account.
    let again = app
        .client()
        .sign_up("13800138000", "王秀英", "another long password")
        .await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("已经注册过了"), "{}", again.body);
}
both!(sign_up_creates_an_account_and_signs_in);

/// A phone number opens the number keypad; a person without one asks for the e-mail
/// keyboard (a link that works without JavaScript) and can sign up and in with it.
async fn a_phone_opens_the_keypad_and_an_email_address_its_keyboard(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.client();
    for (path, verb) in [("/signin", "登录"), ("/signup", "注册")] {
        let page = c.get(path).await.body;
        assert_eq!(attr_by_id(&page, "contact", "type").as_deref(), Some("tel"));
        let keypad = attr_by_id(&page, "contact", "inputmode");
        assert_eq!(keypad.as_deref(), Some("numeric"), "{path}");
        // The switch sits beside the field and submits a form of its own.
        let switch = text_by_id(&page, "contact-switch-button").unwrap_or_default();
        assert_eq!(switch, format!("用电子邮箱{verb}"), "{path}");
        assert_eq!(
            attr_by_id(&page, "contact-switch-button", "form").as_deref(),
            Some("contact-switch")
        );
        let email = c.get(&format!("{path}?by=email")).await.body;
        assert_eq!(
            attr_by_id(&email, "contact", "type").as_deref(),
            Some("email")
        );
        let keyboard = attr_by_id(&email, "contact", "inputmode");
        assert_eq!(keyboard.as_deref(), Some("email"), "{path}");
        assert!(email.contains("<label for=\"contact\">电子邮箱</label>"));
        let back = text_by_id(&email, "contact-switch-button").unwrap_or_default();
        assert_eq!(back, format!("用手机号{verb}"), "the way back");
    }
    // The switch keeps where sign-in was going, either way.
    for path in [
        "/signin?next=/c/liutang/ballots",
        "/signin?by=email&next=/c/liutang/ballots",
    ] {
        let page = c.get(path).await.body;
        let switch = page
            .split_once("id=\"contact-switch\">")
            .and_then(|(_, f)| f.split_once("</form>"))
            .expect("the switch's form")
            .0;
        assert!(
            switch.contains("name=\"next\" value=\"/c/liutang/ballots\""),
            "{path}: {switch}"
        );
    }

    let signup = [
        ("contact", "zhao@example.cn"),
        ("by", "email"),
        ("display_name", "赵德福"),
        ("password", "赵家的老宅子在三组"),
        ("password_confirm", "赵家的老宅子在三组"),
    ];
    assert_eq!(c.post("/signup", &signup).await.status, 303);
    let other = app.client();
    let wrong = [("contact", "zhao@example.cn"), ("password", "not it")];
    let r = other.post("/signin", &wrong).await;
    assert_eq!(r.status, 422);
    // Refused, the form keeps the e-mail keyboard for what was typed.
    assert_eq!(
        attr_by_id(&r.body, "contact", "type").as_deref(),
        Some("email")
    );
    assert!(r.body.contains("value=\"zhao@example.cn\""));
    let right = [
        ("contact", "zhao@example.cn"),
        ("by", "email"),
        ("password", "赵家的老宅子在三组"),
    ];
    assert_eq!(other.post("/signin", &right).await.status, 303);
    assert_eq!(other.get("/profile").await.status, 200);
}
both!(a_phone_opens_the_keypad_and_an_email_address_its_keyboard);

async fn bad_sign_up_input_is_explained_and_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.client();
    let r = c
        .post(
            "/signup",
            &[
                ("contact", "12345"),
                ("display_name", "张<b>三</b>"),
                ("password", "password"),
                ("password_confirm", "password"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请填写11位手机号"), "phone message");
    assert!(r.body.contains("这个密码太常见"), "common password message");
    assert!(r.body.contains("value=\"12345\""), "what was typed is kept");
    assert!(
        r.body.contains("张&#60;b&#62;三&#60;/b&#62;") && !r.body.contains("<b>三"),
        "and escaped"
    );
    assert!(
        !r.body.contains("value=\"password\""),
        "passwords are not echoed"
    );
    let long = "长".repeat(41);
    let r = c
        .post(
            "/signup",
            &[
                ("contact", "li@example.cn"),
                ("display_name", &long),
                ("password", "a long password here"),
                ("password_confirm", "a different one here"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("最多 40 个字") && r.body.contains("两次输入的密码不一致"),
        "{}",
        r.body
    );
    let empty = c.post("/signup", &[]).await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("手机号或电子邮箱不能为空"));
    assert_eq!(
        app.client().get("/profile").await.status,
        303,
        "no account was made"
    );
}
both!(bad_sign_up_input_is_explained_and_kept);

async fn unknown_account_and_wrong_password_look_the_same(backend: Backend) {
    let app = spawn_app(backend).await;
    app.client()
        .sign_up_ok("13900001234", "赵德福", "赵家的老宅子在三组")
        .await;
    let wrong = app
        .client()
        .sign_in("13900001234", "not the password")
        .await;
    let unknown = app
        .client()
        .sign_in("13900009999", "not the password")
        .await;
    assert_eq!(wrong.status, 422);
    assert_eq!(unknown.status, 422);
    let msg = |b: &str| text_by_id(b, "signin-error").expect("error shown");
    assert_eq!(msg(&wrong.body), msg(&unknown.body));
    assert!(wrong.body.contains("value=\"13900001234\""), "contact kept");
    let ok = app
        .client()
        .sign_in("13900001234", "赵家的老宅子在三组")
        .await;
    assert_eq!(ok.status, 303);
}
both!(unknown_account_and_wrong_password_look_the_same);

async fn repeated_failures_are_throttled_per_account(backend: Backend) {
    let app = spawn_app(backend).await;
    app.client()
        .sign_up_ok("13900004321", "钱守信", "钱家门口的大槐树")
        .await;
    let c = app.client();
    for _ in 0..5 {
        assert_eq!(c.sign_in("13900004321", "guess guess").await.status, 422);
    }
    let blocked = c.sign_in("13900004321", "钱家门口的大槐树").await;
    assert_eq!(blocked.status, 429, "even the right password waits");
    assert!(
        blocked.body.contains("尝试次数太多") && blocked.body.contains("15 分钟"),
        "{}",
        blocked.body
    );
    app.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(
        c.sign_in("13900004321", "钱家门口的大槐树").await.status,
        303
    );
}
both!(repeated_failures_are_throttled_per_account);

async fn repeated_failures_are_throttled_per_address(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.client();
    for i in 0..20 {
        let r = c.sign_in(&format!("1390000{:04}", i), "guess guess").await;
        assert_eq!(r.status, 422);
    }
    assert_eq!(c.sign_in("13900005555", "guess guess").await.status, 429);
}
both!(repeated_failures_are_throttled_per_address);

async fn sign_out_ends_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.client();
    c.sign_up_ok("13900002222", "孙桂兰", "孙家的菜园子很大")
        .await;
    assert_eq!(c.get("/profile").await.status, 200);
    let r = c.post("/signout", &[]).await;
    assert_eq!(r.status, 303);
    let again = c.get("/profile").await;
    assert_eq!(
        (again.status, again.location()),
        (303, "/signin?next=%2Fprofile")
    );
}
both!(sign_out_ends_the_session);

async fn changing_the_password_ends_other_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    let phone = app.client();
    phone
        .sign_up_ok("13900003333", "周建国", "周家祠堂修缮议事")
        .await;
    let laptop = app.client();
    assert_eq!(
        laptop
            .sign_in("13900003333", "周家祠堂修缮议事")
            .await
            .status,
        303
    );
    let profile = phone.get("/profile").await;
    assert_eq!(
        profile.body.matches("/end\"").count(),
        1,
        "one other session listed"
    );
    let wrong = phone
        .post(
            "/profile/password",
            &[
                ("current", "wrong"),
                ("password", "新的一句很长的密码啊"),
                ("password_confirm", "新的一句很长的密码啊"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("当前密码不正确"));
    let r = phone
        .post(
            "/profile/password",
            &[
                ("current", "周家祠堂修缮议事"),
                ("password", "新的一句很长的密码啊"),
                ("password_confirm", "新的一句很长的密码啊"),
            ],
        )
        .await;
    assert_eq!((r.status, r.location()), (303, "/profile?done=password"));
    assert_eq!(
        phone.get("/profile").await.status,
        200,
        "this session stays"
    );
    assert_eq!(
        laptop.get("/profile").await.status,
        303,
        "the other one ended"
    );
    assert_eq!(
        app.client()
            .sign_in("13900003333", "新的一句很长的密码啊")
            .await
            .status,
        303
    );
}
both!(changing_the_password_ends_other_sessions);

async fn users_end_their_own_sessions_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let a1 = app.client();
    a1.sign_up_ok("13900004444", "吴春燕", "吴家的鱼塘在五组")
        .await;
    let a2 = app.client();
    let r = a2.sign_in("13900004444", "吴家的鱼塘在五组").await;
    assert_eq!(r.status, 303, "{}", r.body);
    let b = app.client();
    b.sign_up_ok("13900005555", "郑小红", "郑家的果园在六组")
        .await;
    let page = a1.get("/profile").await;
    let other_id = session_ids(&page.body)
        .pop()
        .expect("another session listed");
    assert_eq!(
        b.post(&format!("/profile/sessions/{other_id}/end"), &[])
            .await
            .status,
        404
    );
    assert_eq!(a2.get("/profile").await.status, 200);
    let r = a1
        .post(&format!("/profile/sessions/{other_id}/end"), &[])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(a2.get("/profile").await.status, 303);
}
both!(users_end_their_own_sessions_only);

fn session_ids(html: &str) -> Vec<String> {
    html.match_indices("/profile/sessions/")
        .map(|(i, _)| html[i + 18..].split('/').next().unwrap_or("").to_string())
        .collect()
}

async fn sessions_expire_when_idle(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.client();
    c.sign_up_ok("13900006666", "冯玉梅", "冯家的老井还能用")
        .await;
    app.clock.advance(chrono::Duration::days(6));
    assert_eq!(c.get("/profile").await.status, 200, "used within the week");
    app.clock.advance(chrono::Duration::days(8));
    assert_eq!(c.get("/profile").await.status, 303, "idle for eight days");
}
both!(sessions_expire_when_idle);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_cookies_use_the_host_prefix() {
    let app = spawn_app_with(Backend::Sqlite, |c| c.cookie_secure = true).await;
    let c = Client::new(&app.base);
    let r = c
        .sign_up("13900007777", "陈志强", "陈家的拖拉机又坏了")
        .await;
    let cookie = r
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-yishi_session="))
        .expect("prefixed cookie");
    assert!(
        cookie.contains("Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"),
        "{cookie}"
    );
}

#[test]
fn admin_create_reads_the_password_from_stdin_not_argv() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("a.db").display());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_yishi"))
        .args([
            "admin",
            "create",
            "--contact",
            "admin@liutang.cn",
            "--name",
            "管理员",
        ])
        .env("YISHI_DATABASE_URL", &url)
        .env("YISHI_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"a long admin passphrase\n")
        .expect("write");
    let out = child.wait_with_output().expect("waits");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("admin admin@liutang.cn created"));
    // The same again is refused with a clear message.
    let mut again = std::process::Command::new(env!("CARGO_BIN_EXE_yishi"))
        .args(["admin", "create", "--contact", "admin@liutang.cn"])
        .env("YISHI_DATABASE_URL", &url)
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("runs");
    again
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"a long admin passphrase\n")
        .expect("write");
    let out = again.wait_with_output().expect("waits");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
}

#[test]
fn an_unknown_database_scheme_is_a_clear_error() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yishi"))
        .args(["migrate"])
        .env("YISHI_DATABASE_URL", "mysql://root@localhost/yishi")
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown database URL scheme `mysql://`"),
        "{err}"
    );
}

/// The account's bucket is the account as sign-in reads it: however the number is written,
/// the fifth failure locks it, and the right password in yet another spelling still waits.
async fn the_throttle_counts_an_account_however_it_is_written(backend: Backend) {
    let app = spawn_app(backend).await;
    let signed = app
        .client()
        .sign_up("13810000030", "蒋德明", "蒋家门前的那座石板桥")
        .await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    let c = app.client();
    for spelling in [
        "138 1000 0030",
        "+8613810000030",
        "(138)10000030",
        "0086-138-1000-0030",
        "13810000030",
    ] {
        let r = c.sign_in(spelling, "guess guess").await;
        assert_eq!(r.status, 422, "{spelling}: {}", r.body);
    }
    let blocked = c.sign_in("+86 138 1000 0030", "蒋家门前的那座石板桥").await;
    assert_eq!(blocked.status, 429, "the right password in a new spelling");
    assert!(blocked.body.contains("15 分钟"), "{}", blocked.body);
}
both!(the_throttle_counts_an_account_however_it_is_written);

/// Without a trusted proxy the peer address is the client's: a client that writes a new
/// `X-Forwarded-For` or `Forwarded` on every attempt is still one address, and the session
/// list shows where it really connected from.
async fn forwarding_headers_from_untrusted_peers_are_ignored(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.client();
    for i in 0..20 {
        let spoof = format!("203.0.113.{i}");
        let header = if i % 2 == 0 {
            ("x-forwarded-for", spoof.clone())
        } else {
            ("forwarded", format!("for={spoof}"))
        };
        let token = c.csrf().await;
        let contact = format!("1390000{i:04}");
        let r = c
            .post_raw(
                "/signin",
                &[
                    ("_csrf", token.as_str()),
                    ("contact", contact.as_str()),
                    ("password", "guess guess"),
                ],
                &[(header.0, header.1.as_str())],
            )
            .await;
        assert_eq!(r.status, 422);
    }
    let token = c.csrf().await;
    let r = c
        .post_raw(
            "/signin",
            &[
                ("_csrf", token.as_str()),
                ("contact", "13900005555"),
                ("password", "guess guess"),
            ],
            &[("x-forwarded-for", "198.51.100.77")],
        )
        .await;
    assert_eq!(r.status, 429, "a fresh spoofed address is the same client");

    let user = app.client();
    let token = user.csrf().await;
    let signed = user
        .post_raw(
            "/signup",
            &[
                ("_csrf", token.as_str()),
                ("contact", "13900006666"),
                ("display_name", "韦春花"),
                ("password", "韦家的橘子树结果了"),
                ("password_confirm", "韦家的橘子树结果了"),
            ],
            &[("x-forwarded-for", "198.51.100.88")],
        )
        .await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    let profile = user.get("/profile").await;
    assert!(profile.body.contains("127.0.0.1"), "{}", profile.body);
    assert!(!profile.body.contains("198.51.100.88"), "{}", profile.body);
}
both!(forwarding_headers_from_untrusted_peers_are_ignored);

/// Behind a configured proxy, the address it forwards is the client's: twenty failures from
/// one villager do not lock out the next villager behind the same proxy.
async fn a_trusted_proxy_names_the_client(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.trusted_proxies = "127.0.0.1".into()).await;
    let c = app.client();
    let attempt = |contact: String, from: &'static str| {
        let c = c.clone();
        async move {
            let token = c.csrf().await;
            c.post_raw(
                "/signin",
                &[
                    ("_csrf", token.as_str()),
                    ("contact", contact.as_str()),
                    ("password", "guess guess"),
                ],
                &[("x-forwarded-for", from)],
            )
            .await
            .status
        }
    };
    for i in 0..20 {
        assert_eq!(attempt(format!("1390000{i:04}"), "203.0.113.1").await, 422);
    }
    assert_eq!(attempt("13900005555".into(), "203.0.113.1").await, 429);
    assert_eq!(attempt("13900005555".into(), "203.0.113.2").await, 422);
}
both!(a_trusted_proxy_names_the_client);

/// Sign-up is limited per address like sign-in, with the same kind of message.
async fn sign_ups_are_limited_per_address(backend: Backend) {
    let app = spawn_app(backend).await;
    for i in 0..20 {
        let r = app
            .client()
            .sign_up(&format!("1370000{i:04}"), "村民", "一句好记的长密码")
            .await;
        assert_eq!(r.status, 303, "sign-up {i}: {}", r.body);
    }
    let over = app
        .client()
        .sign_up("13700009999", "葛长顺", "一句好记的长密码")
        .await;
    assert_eq!(over.status, 429);
    assert!(
        over.body.contains("注册的次数太多") && over.body.contains("15 分钟"),
        "{}",
        over.body
    );
    assert!(over.body.contains("13700009999"), "what was typed is kept");
    app.clock.advance(chrono::Duration::minutes(16));
    let later = app
        .client()
        .sign_up("13700009999", "葛长顺", "一句好记的长密码")
        .await;
    assert_eq!(later.status, 303);
}
both!(sign_ups_are_limited_per_address);

/// Two hundred wrong passwords at once against one account: each attempt is counted before
/// its hash, so no more than the account's limit are ever hashed, and every answer is a
/// page (422, 429, or 503 when no hashing slot freed up in time).
async fn parallel_wrong_attempts_hash_at_most_the_limit(backend: Backend) {
    let app = spawn_app(backend).await;
    let signed = app
        .client()
        .sign_up("13810000031", "蒋德亮", "蒋家后院的那口老井")
        .await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    let clients: Vec<Client> = (0..200).map(|_| app.client()).collect();
    let mut tokens = Vec::new();
    for c in &clients {
        tokens.push(c.csrf().await);
    }
    let before = yishi::accounts::password::hashes_run();
    let attempts: Vec<_> = clients
        .into_iter()
        .zip(tokens)
        .map(|(c, token)| {
            tokio::spawn(async move {
                c.post_raw(
                    "/signin",
                    &[
                        ("_csrf", token.as_str()),
                        ("contact", "13810000031"),
                        ("password", "guess guess"),
                    ],
                    &[],
                )
                .await
                .status
            })
        })
        .collect();
    let mut by_status = std::collections::BTreeMap::new();
    for a in attempts {
        *by_status.entry(a.await.expect("attempt")).or_insert(0) += 1;
    }
    let hashed = yishi::accounts::password::hashes_run() - before;
    assert!(
        hashed <= 5,
        "{hashed} hashes for a limit of 5: {by_status:?}"
    );
    assert!(
        by_status.keys().all(|s| [422, 429, 503].contains(s)),
        "{by_status:?}"
    );
    assert!(
        by_status.get(&422).copied().unwrap_or(0) <= 5,
        "{by_status:?}"
    );
    assert!(
        by_status.get(&429).copied().unwrap_or(0) >= 195,
        "{by_status:?}"
    );
}
both!(parallel_wrong_attempts_hash_at_most_the_limit);

/// When every hashing slot stays taken, a sign-in is turned away with a 503 page in the
/// user's language and `Retry-After`, before any hashing — and it counts as neither a
/// success nor a failure.
async fn no_hashing_slot_answers_busy_and_counts_nothing(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.hash_slots = Some(1)).await;
    let signed = app
        .client()
        .sign_up("13810000032", "蒋德光", "蒋家后院的那棵老枣树")
        .await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    let c = app.client();
    let before = yishi::accounts::password::hashes_run();
    {
        let _held = app.state.hashing.enter().await.expect("the one slot");
        for _ in 0..2 {
            let busy = c.sign_in("13810000032", "guess guess").await;
            assert_eq!(busy.status, 503, "{}", busy.body);
            assert!(busy.body.contains("人有点多"), "{}", busy.body);
            assert!(!busy.header("retry-after").is_empty());
        }
    }
    assert_eq!(
        yishi::accounts::password::hashes_run(),
        before,
        "nothing hashed"
    );
    // The two turned-away attempts did not count: five failures still fit.
    for _ in 0..5 {
        assert_eq!(c.sign_in("13810000032", "guess guess").await.status, 422);
    }
    assert_eq!(c.sign_in("13810000032", "guess guess").await.status, 429);
}
both!(no_hashing_slot_answers_busy_and_counts_nothing);
