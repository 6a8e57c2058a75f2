//! Headers, CSRF and cross-site refusal, error pages in the user's language.

use crate::both;
use crate::common::{spawn_app, Backend};

async fn every_response_carries_the_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.client();
    for path in [
        "/",
        "/signin",
        "/healthz",
        "/no/such/page",
        "/static/style.css",
    ] {
        let r = c.get(path).await;
        let csp = r.header("content-security-policy");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(r.header("referrer-policy"), "same-origin", "{path}");
    }
}
both!(every_response_carries_the_security_headers);

async fn a_post_without_the_csrf_token_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let c = app.signed_in(&demo.contact("committee")).await;
    let missing = c
        .post_raw("/c/liutang/grids", &[("name", "七组")], &[])
        .await;
    assert_eq!(missing.status, 403);
    let wrong = c
        .post_raw(
            "/c/liutang/grids",
            &[("_csrf", "0123456789abcdef"), ("name", "七组")],
            &[],
        )
        .await;
    assert_eq!(wrong.status, 403);
    // The anonymous token of another browser is not this session's token.
    let other = app.client().csrf().await;
    let stolen = c
        .post_raw(
            "/c/liutang/grids",
            &[("_csrf", &other), ("name", "七组")],
            &[],
        )
        .await;
    assert_eq!(stolen.status, 403);
    let residents = c.get("/c/liutang/residents").await;
    assert!(!residents.body.contains("七组"), "nothing was written");
    let ok = c.post("/c/liutang/grids", &[("name", "七组")]).await;
    assert_eq!(ok.status, 303, "{}", ok.body);
}
both!(a_post_without_the_csrf_token_is_refused);

async fn cross_site_posts_are_refused_by_fetch_metadata_or_origin(backend: Backend) {
    let app = spawn_app(backend).await;
    let demo = app.load_demo().await;
    let c = app.signed_in(&demo.contact("committee")).await;
    let token = c.csrf().await;
    let fields = [("_csrf", token.as_str()), ("name", "七组")];
    let by_metadata = c
        .post_raw(
            "/c/liutang/grids",
            &fields,
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(by_metadata.status, 403);
    let by_origin = c
        .post_raw(
            "/c/liutang/grids",
            &fields,
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(by_origin.status, 403);
    let same_origin = c
        .post_raw(
            "/c/liutang/grids",
            &fields,
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(same_origin.status, 303);
}
both!(cross_site_posts_are_refused_by_fetch_metadata_or_origin);

async fn error_pages_speak_the_users_language(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.client();
    let zh = c.get("/no/such/page").await;
    assert_eq!(zh.status, 404);
    assert!(
        zh.body.contains("<html lang=\"zh-CN\"") && zh.body.contains("找不到页面"),
        "{}",
        zh.body
    );
    let en = c
        .get_with("/c/nowhere", &[("accept-language", "en-GB,en;q=0.9")])
        .await;
    assert_eq!(en.status, 404);
    assert!(
        en.body.contains("<html lang=\"en\"") && en.body.contains("Page not found"),
        "{}",
        en.body
    );
}
both!(error_pages_speak_the_users_language);

async fn the_language_follows_setting_then_cookie_then_header(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = app.client();
    let header_only = c.get_with("/", &[("accept-language", "en")]).await;
    assert!(header_only.body.contains("lang=\"en\""));
    let r = c
        .post("/lang", &[("lang", "en"), ("back", "/signin")])
        .await;
    assert_eq!((r.status, r.location()), (303, "/signin"));
    let cookie_wins = c.get_with("/", &[("accept-language", "zh-CN")]).await;
    assert!(cookie_wins.body.contains("lang=\"en\"") && cookie_wins.body.contains("Communities"));
    // A user's own setting beats the cookie.
    let signed = app.client();
    signed.post_ok("/lang", &[("lang", "en")]).await;
    signed
        .sign_up_ok("13700001111", "林晓", "a quiet river town")
        .await;
    signed.post_ok("/lang", &[("lang", "zh-CN")]).await;
    let page = signed
        .get_with("/profile", &[("accept-language", "en")])
        .await;
    assert!(
        page.body.contains("lang=\"zh-CN\"") && page.body.contains("我的账号"),
        "{}",
        page.body
    );
    // An open redirect through `back` is not possible.
    let away = c
        .post("/lang", &[("lang", "en"), ("back", "//evil.example/")])
        .await;
    assert_eq!(away.location(), "/");
}
both!(the_language_follows_setting_then_cookie_then_header);
