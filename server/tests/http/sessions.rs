//! Signing in and out: one answer for wrong passwords and unknown users,
//! cookie flags, CSRF, forced password changes, plain forms, headers.
use super::*;

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let s = start().await;
    let wrong = s
        .call(
            "login",
            &[("username", "root.admin"), ("password", "nope nope nope")],
            None,
        )
        .await;
    let unknown = s
        .call(
            "login",
            &[("username", "ghost"), ("password", "nope nope nope")],
            None,
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get(SET_COOKIE).is_none());
    assert_eq!(error_of(wrong).await, error_of(unknown).await);
    s.stop().await;
}
#[tokio::test]
async fn cross_origin_posts_are_refused() {
    let s = start().await;
    let admin = s.sign_in("root.admin", ADMIN_PASSWORD).await;
    let evil = s
        .client
        .post(s.url("/api/users/list"))
        .header("Origin", "http://evil.example")
        .header(COOKIE, &admin)
        .form(&[("query", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), StatusCode::FORBIDDEN);
    let cross_site = s
        .client
        .post(s.url("/api/logout"))
        .header("Sec-Fetch-Site", "cross-site")
        .header(COOKIE, &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    // The session survived both attempts.
    let still = s.call("users/list", &[("query", "")], Some(&admin)).await;
    assert_eq!(still.status(), StatusCode::OK);
    s.stop().await;
}
#[tokio::test]
async fn session_cookie_flags() {
    let s = start().await;
    let res = s
        .call(
            "login",
            &[("username", "root.admin"), ("password", ADMIN_PASSWORD)],
            None,
        )
        .await;
    let cookie = res
        .headers()
        .get(SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("usher_session="));
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200"] {
        assert!(cookie.contains(flag), "{flag} missing in {cookie}");
    }
    assert!(!cookie.contains("Secure"));
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    assert!(token.len() >= 22, "at least 128 bits");
    s.stop().await;

    let https = start_with(|state| {
        let mut config = (*state.config).clone();
        config.public_url = Some("https://usher.example".into());
        state.config = std::sync::Arc::new(config);
    })
    .await;
    let res = https
        .client
        .post(https.url("/api/login"))
        .header("Origin", "https://usher.example")
        .form(&[("username", "root.admin"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = res.headers().get(SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cookie.starts_with("__Host-usher_session="), "{cookie}");
    assert!(cookie.contains("; Secure"));
    https.stop().await;
}
#[tokio::test]
async fn sign_out_ends_the_session() {
    let s = start().await;
    let admin = s.sign_in("root.admin", ADMIN_PASSWORD).await;
    let out = s.call("logout", &[], Some(&admin)).await;
    assert_eq!(out.status(), StatusCode::OK);
    assert!(out
        .headers()
        .get(SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let after = s.call("users/list", &[("query", "")], Some(&admin)).await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    s.stop().await;
}
#[tokio::test]
async fn a_forced_password_change_comes_before_everything_else() {
    let s = start().await;
    let root = usher_core::services::users::find(&s.db.db, "root.admin")
        .await
        .unwrap();
    let hash = passwords::hash(USER_PASSWORD.into()).await.unwrap();
    let mut second = users::active_model(users::NewUser {
        username: "second.admin".into(),
        email: "second@example.com".into(),
        first_name: "Second".into(),
        last_name: "Admin".into(),
        role_id: roles::ADMIN_ROLE_ID,
        status: app::model::UserStatus::Active,
        password_hash: Some(hash),
    });
    second.must_change_password = sea_orm::Set(true);
    sea_orm::ActiveModelTrait::insert(second, &s.db.db)
        .await
        .unwrap();
    assert_ne!(root.username, "second.admin");

    let cookie = s.sign_in("second.admin", USER_PASSWORD).await;
    let list = [("query", "")];
    let refused = s.call("users/list", &list, Some(&cookie)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        error_of(refused).await,
        app::AppError::PasswordChangeRequired
    );
    let page = s
        .client
        .get(s.url("/users"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert!(page.status().is_redirection());
    assert_eq!(page.headers()[LOCATION], "/account/password");
    let change_page = s
        .client
        .get(s.url("/account/password"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(change_page.status(), StatusCode::OK);

    let form = [
        ("current_password", USER_PASSWORD),
        ("new_password", "my own new passphrase"),
    ];
    let changed = s.call("account/password", &form, Some(&cookie)).await;
    assert_eq!(changed.status(), StatusCode::OK);
    // The same session goes on, now with everything open.
    let ok = s.call("users/list", &list, Some(&cookie)).await;
    assert_eq!(ok.status(), StatusCode::OK);
    s.stop().await;
}
#[tokio::test]
async fn plain_form_post_redirects_back_with_the_error() {
    let s = start().await;
    let res = s
        .client
        .post(s.url("/api/login"))
        .header("Accept", "text/html")
        .header("Origin", &s.base)
        .header("Referer", s.url("/login"))
        .form(&[
            ("username", "root.admin"),
            ("password", "wrong wrong wrong"),
            ("next", "/users"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()[LOCATION].to_str().unwrap();
    assert!(location.starts_with("/login?error="), "{location}");
    assert!(location.ends_with("&next=/users"));

    let ok = s
        .client
        .post(s.url("/api/login"))
        .header("Accept", "text/html")
        .header("Origin", &s.base)
        .form(&[
            ("username", "root.admin"),
            ("password", ADMIN_PASSWORD),
            ("next", "/users?page=1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::FOUND);
    assert_eq!(ok.headers()[LOCATION], "/users?page=1");
    s.stop().await;
}
#[tokio::test]
async fn headers_health_and_compression() {
    let s = start().await;
    let res = s
        .client
        .get(s.url("/login"))
        .header("Accept-Encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers();
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["content-encoding"], "br");
    assert!(h.contains_key("x-request-id"));
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("'nonce-"));
    assert!(h[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));

    assert_eq!(
        s.client
            .get(s.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        s.client
            .get(s.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    s.stop().await;
}
