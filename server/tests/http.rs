//! The one integration-test binary: the real router over real HTTP, on the
//! back-end chosen by USHER_TEST_BACKEND. (Each file under tests/ is its own
//! slow link, so add modules here rather than files.)
use std::net::SocketAddr;

use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{redirect::Policy, Client, StatusCode};
use usher_core::services::{passwords, roles, setup, users};
use usher_core::state::AppState;
use usher_core::testkit::{self, TestDb};

const ADMIN_PASSWORD: &str = "a long admin passphrase";
const USER_PASSWORD: &str = "a long user passphrase";

struct Server {
    base: String,
    client: Client,
    db: TestDb,
    state: AppState,
}

async fn start_with(configure: impl FnOnce(&mut AppState)) -> Server {
    let db = TestDb::new().await;
    let mut state = testkit::state(db.db.clone(), std::env::temp_dir());
    configure(&mut state);
    setup::create_admin(&db.db, "root.admin", "root@example.com", ADMIN_PASSWORD)
        .await
        .unwrap();
    let hash = passwords::hash(USER_PASSWORD.into()).await.unwrap();
    users::insert(
        &db.db,
        users::NewUser {
            username: "gen.user".into(),
            email: "gen@example.com".into(),
            first_name: "General".into(),
            last_name: "User".into(),
            role_id: roles::USER_ROLE_ID,
            status: app::model::UserStatus::Active,
            password_hash: Some(hash),
        },
    )
    .await
    .unwrap();
    // As at start-up: Usher's CA exists.
    usher_core::services::ca::ensure(&db.db, &[3u8; 32], "Test Org")
        .await
        .unwrap();
    let app = usher_server::http::build(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let client = Client::builder().redirect(Policy::none()).build().unwrap();
    Server {
        base: format!("http://{addr}"),
        client,
        db,
        state,
    }
}

async fn start() -> Server {
    start_with(|_| {}).await
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Calls a server function the way the browser's client does.
    async fn call(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("Accept", "application/json")
            .header("Origin", &self.base)
            .form(form);
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        req.send().await.unwrap()
    }

    /// Signs in and returns the `name=value` cookie pair.
    async fn sign_in(&self, login: &str, password: &str) -> String {
        let res = self
            .call(
                "login",
                &[("username", login), ("password", password)],
                None,
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "sign-in of {login}");
        let set = res.headers().get(SET_COOKIE).unwrap().to_str().unwrap();
        set.split(';').next().unwrap().to_string()
    }

    async fn stop(self) {
        self.db.close().await;
    }
}

async fn error_of(res: reqwest::Response) -> app::AppError {
    serde_json::from_str(&res.text().await.unwrap()).expect("an AppError body")
}

#[tokio::test]
async fn server_functions_answer_401_403_200() {
    let s = start().await;
    let form = [("query", "page=1&per_page=10")];

    let anonymous = s.call("users/list", &form, None).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(anonymous).await, app::AppError::Unauthorized);

    let general = s.sign_in("gen.user", USER_PASSWORD).await;
    let forbidden = s.call("users/list", &form, Some(&general)).await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_of(forbidden).await, app::AppError::Forbidden);

    let admin = s.sign_in("root.admin", ADMIN_PASSWORD).await;
    let ok = s.call("users/list", &form, Some(&admin)).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let page: app::model::UserPage = ok.json().await.unwrap();
    assert_eq!(page.page.total, 2);
    assert_eq!(page.page.items[0].username, "gen.user");
    assert_eq!(page.page.items[0].role, "General user");
    s.stop().await;
}

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
async fn pages_redirect_anonymous_and_refuse_the_unpermitted() {
    let s = start().await;
    let anon = s.client.get(s.url("/users?page=2")).send().await.unwrap();
    assert!(anon.status().is_redirection());
    assert_eq!(anon.headers()[LOCATION], "/login?next=/users%3Fpage%3D2");

    let general = s.sign_in("gen.user", USER_PASSWORD).await;
    let res = s
        .client
        .get(s.url("/users"))
        .header(COOKIE, &general)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let account = s
        .client
        .get(s.url("/account"))
        .header(COOKIE, &general)
        .send()
        .await
        .unwrap();
    assert_eq!(account.status(), StatusCode::OK);

    let admin = s.sign_in("root.admin", ADMIN_PASSWORD).await;
    let res = s
        .client
        .get(s.url("/users"))
        .header(COOKIE, &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("gen.user"),
        "the first page is server-rendered"
    );
    assert!(html.contains("Showing 1–2 of 2"));

    let missing = s.client.get(s.url("/no/such/page")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
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

/// Every permission-checked server function × {anonymous, General user,
/// a custom read-only role, Admin}.
#[tokio::test]
async fn the_ca_certificate_is_published_and_openssl_reads_it() {
    let s = start().await;
    let pem = s.client.get(s.url("/pki/ca.pem")).send().await.unwrap();
    assert_eq!(pem.status(), StatusCode::OK);
    let pem = pem.text().await.unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let der = s.client.get(s.url("/pki/ca.der")).send().await.unwrap();
    assert_eq!(der.status(), StatusCode::OK);
    let der = der.bytes().await.unwrap();
    let dir = std::env::temp_dir().join(format!("usher-ca-http-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ca.der"), &der).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["x509", "-inform", "DER", "-noout", "-subject", "-in"])
        .arg(dir.join("ca.der"))
        .output()
        .unwrap();
    let subject = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && subject.contains("Usher CA"),
        "{subject}"
    );
    s.stop().await;
}

#[tokio::test]
async fn authorization_matrix() {
    use sea_orm::{ActiveModelTrait, Set};
    use usher_core::db::entities::{role, role_permission};

    let s = start().await;
    let reader_role = uuid::Uuid::new_v4();
    let now = chrono::Utc::now();
    role::ActiveModel {
        id: Set(reader_role),
        name: Set("Reader".into()),
        description: Set("Reads the directory".into()),
        builtin: Set(false),
        all_permissions: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&s.db.db)
    .await
    .unwrap();
    role_permission::ActiveModel {
        role_id: Set(reader_role),
        permission: Set("users.read".into()),
    }
    .insert(&s.db.db)
    .await
    .unwrap();
    let hash = passwords::hash(USER_PASSWORD.into()).await.unwrap();
    users::insert(
        &s.db.db,
        users::NewUser {
            username: "read.only".into(),
            email: "reader@example.com".into(),
            first_name: "Read".into(),
            last_name: "Only".into(),
            role_id: reader_role,
            status: app::model::UserStatus::Active,
            password_hash: Some(hash),
        },
    )
    .await
    .unwrap();

    // Things to act on: a group and a role to delete, a user for a mass
    // action, and a job to look at.
    let root = usher_core::services::users::find(&s.db.db, "root.admin")
        .await
        .unwrap();
    let root = usher_core::services::actor::Actor {
        id: root.id,
        username: root.username,
        ip: None,
    };
    let group = usher_core::services::groups::create(&s.db.db, &root, "Matrix group", "")
        .await
        .unwrap();
    let spare_role = roles::create(
        &s.db.db,
        &root,
        "Spare role",
        "",
        &[app::model::Permission::AuditRead],
    )
    .await
    .unwrap();
    let target = users::insert(
        &s.db.db,
        users::NewUser {
            username: "bulk.target".into(),
            email: "bulk.target@example.com".into(),
            first_name: "Bulk".into(),
            last_name: "Target".into(),
            role_id: roles::USER_ROLE_ID,
            status: app::model::UserStatus::Active,
            password_hash: None,
        },
    )
    .await
    .unwrap();
    testkit::add_user(&s.db.db, "invited.one", app::model::UserStatus::Invited).await;
    let bulk_request = format!("action=deactivate&id={}", target.seq);
    let job = usher_core::services::bulk::start(
        &s.db.db,
        &root,
        &app::model::BulkRequest::parse(&bulk_request).unwrap(),
        None,
    )
    .await
    .unwrap();

    let general = s.sign_in("gen.user", USER_PASSWORD).await;
    let reader = s.sign_in("read.only", USER_PASSWORD).await;
    let admin = s.sign_in("root.admin", ADMIN_PASSWORD).await;
    let callers: [(&str, Option<&str>); 4] = [
        ("anonymous", None),
        ("general", Some(&general)),
        ("reader", Some(&reader)),
        ("admin", Some(&admin)),
    ];

    let new_user = |name: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("username", name.to_string()),
            ("first_name", "Matrix".into()),
            ("last_name", "Person".into()),
            ("email", format!("{name}@example.com")),
            ("phone", String::new()),
            ("role", roles::USER_ROLE_ID.to_string()),
            ("origin", "internal".into()),
            ("status", "active".into()),
            ("password", "a long matrix passphrase".into()),
        ]
    };
    // (endpoint, form, expected status per caller)
    type Case<'a> = (&'a str, Vec<(&'a str, String)>, [u16; 4]);
    let cases: Vec<Case> = vec![
        (
            "users/list",
            vec![("query", String::new())],
            [401, 403, 200, 200],
        ),
        ("users/options", vec![], [401, 403, 200, 200]),
        (
            "users/create",
            new_user("matrix.user"),
            [401, 403, 403, 200],
        ),
        ("users/suggest-password", vec![], [401, 403, 403, 200]),
        (
            "users/detail",
            vec![("username", "gen.user".into())],
            [401, 403, 200, 200],
        ),
        (
            "users/set-active",
            vec![
                ("username", "matrix.user".into()),
                ("active", "false".into()),
            ],
            [401, 403, 403, 200],
        ),
        (
            "users/set-active",
            vec![
                ("username", "matrix.user".into()),
                ("active", "true".into()),
            ],
            [401, 403, 403, 200],
        ),
        (
            "users/delete",
            vec![("username", "matrix.user".into())],
            [401, 403, 403, 200],
        ),
        ("roles/list", vec![], [401, 403, 403, 200]),
        (
            "audit/list",
            vec![("query", String::new())],
            [401, 403, 403, 200],
        ),
        (
            "roles/create",
            vec![
                ("name", "Matrix role".into()),
                ("description", String::new()),
                ("permissions[0]", "users.read".into()),
            ],
            [401, 403, 403, 200],
        ),
        (
            "users/update",
            vec![
                ("username", "bulk.target".into()),
                ("first_name", "Bulk".into()),
                ("last_name", "Target".into()),
                ("email", "bulk.target@example.com".into()),
                ("phone", String::new()),
                ("role", roles::USER_ROLE_ID.to_string()),
                ("origin", "external".into()),
            ],
            [401, 403, 403, 200],
        ),
        ("groups/list", vec![], [401, 403, 403, 200]),
        (
            "groups/create",
            vec![
                ("name", "Matrix two".into()),
                ("description", String::new()),
            ],
            [401, 403, 403, 200],
        ),
        (
            "groups/set-member",
            vec![
                ("group", group.to_string()),
                ("username", "bulk.target".into()),
                ("member", "true".into()),
            ],
            [401, 403, 403, 200],
        ),
        (
            "groups/update",
            vec![
                ("id", group.to_string()),
                ("name", "Matrix group renamed".into()),
                ("description", "Renamed".into()),
            ],
            [401, 403, 403, 200],
        ),
        (
            "roles/update",
            vec![
                ("id", spare_role.to_string()),
                ("name", "Spare role renamed".into()),
                ("description", String::new()),
                ("permissions[0]", "users.export".into()),
            ],
            [401, 403, 403, 200],
        ),
        (
            "groups/delete",
            vec![("id", group.to_string())],
            [401, 403, 403, 200],
        ),
        (
            "roles/delete",
            vec![("id", spare_role.to_string())],
            [401, 403, 403, 200],
        ),
        (
            "users/bulk/preview",
            vec![("request", bulk_request.clone())],
            [401, 403, 403, 200],
        ),
        (
            "users/bulk/preview",
            vec![("request", "action=delete&all=1".into())],
            [401, 403, 403, 200],
        ),
        (
            "users/bulk/start",
            vec![("request", bulk_request.clone())],
            [401, 403, 403, 200],
        ),
        (
            "jobs/status",
            vec![("id", job.to_string())],
            [401, 403, 200, 200],
        ),
        ("settings/policy", vec![], [200, 200, 200, 200]),
        (
            "settings/policy/save",
            vec![
                ("username_pattern", String::new()),
                ("username_hint", String::new()),
                ("password_min", "12".into()),
                ("reject_common", "on".into()),
            ],
            [401, 403, 403, 200],
        ),
        (
            "users/invite",
            vec![("username", "invited.one".into())],
            [401, 403, 403, 200],
        ),
        // The invited person's side is public; a bad link is 410 Gone.
        (
            "invite/check",
            vec![("token", "not-a-token".into())],
            [410, 410, 410, 410],
        ),
        (
            "invite/accept",
            vec![
                ("token", "not-a-token".into()),
                ("first_name", "Some".into()),
                ("last_name", "One".into()),
                ("password", "a long matrix passphrase".into()),
            ],
            [410, 410, 410, 410],
        ),
        (
            "invite/renew",
            vec![("token", "not-a-token".into())],
            [200, 200, 200, 200],
        ),
        (
            "users/set-password",
            vec![
                ("username", "bulk.target".into()),
                ("password", "a long matrix passphrase".into()),
                ("force_change", "on".into()),
            ],
            [401, 403, 403, 200],
        ),
        // Anyone signed in may change their own password (here with a wrong
        // current one, so nobody's password changes: 422).
        (
            "account/password",
            vec![
                ("current_password", "not the current one".into()),
                ("new_password", "a long matrix passphrase".into()),
            ],
            [401, 422, 422, 422],
        ),
        (
            "users/send-recovery",
            vec![("username", "gen.user".into())],
            [401, 403, 403, 200],
        ),
        (
            "recovery/request",
            vec![("login", "nobody@example.com".into())],
            [200, 200, 200, 200],
        ),
        (
            "recovery/check",
            vec![("token", "not-a-token".into())],
            [410, 410, 410, 410],
        ),
        (
            "recovery/reset",
            vec![
                ("token", "not-a-token".into()),
                ("password", "a long matrix passphrase".into()),
            ],
            [410, 410, 410, 410],
        ),
        (
            "users/invite-many/check",
            vec![("addresses", "someone.new@example.com; nope".into())],
            [401, 403, 403, 200],
        ),
        (
            "users/invite-many",
            vec![
                ("addresses", "matrix.invitee@example.com".into()),
                ("role", roles::USER_ROLE_ID.to_string()),
            ],
            [401, 403, 403, 200],
        ),
        ("settings/mail", vec![], [401, 403, 403, 200]),
        (
            "settings/mail/test",
            vec![("to", "someone@example.com".into())],
            [401, 403, 403, 200],
        ),
        (
            "settings/mail/retry",
            vec![("id", "not-a-mail".into())],
            [401, 403, 403, 409],
        ),
        (
            "settings/mail/save",
            vec![
                ("host", String::new()),
                ("port", String::new()),
                ("security", "none".into()),
                ("username", String::new()),
                ("password", String::new()),
                ("from_name", "Usher".into()),
                ("from_address", "usher@example.com".into()),
                ("public_url", "http://usher.test".into()),
                // A new public address needs the admin's own password.
                ("current_password", ADMIN_PASSWORD.into()),
            ],
            [401, 403, 403, 200],
        ),
        // Registration is public, and closed until an admin opens it.
        (
            "register",
            vec![
                ("username", "new.person".into()),
                ("first_name", "New".into()),
                ("last_name", "Person".into()),
                ("email", "new.person@example.com".into()),
            ],
            [409, 409, 409, 409],
        ),
        (
            "register/check",
            vec![("token", "not-a-token".into())],
            [410, 410, 410, 410],
        ),
        (
            "register/confirm",
            vec![("token", "not-a-token".into())],
            [410, 410, 410, 410],
        ),
        (
            "requests",
            vec![("status", "review".into()), ("page", "1".into())],
            [401, 403, 403, 200],
        ),
        ("requests/waiting", vec![], [401, 403, 403, 200]),
        (
            "requests/get",
            vec![("id", uuid::Uuid::new_v4().to_string())],
            [401, 403, 403, 404],
        ),
        (
            "requests/approve",
            vec![
                ("id", uuid::Uuid::new_v4().to_string()),
                ("role", roles::USER_ROLE_ID.to_string()),
            ],
            [401, 403, 403, 404],
        ),
        (
            "requests/reject",
            vec![
                ("id", uuid::Uuid::new_v4().to_string()),
                ("reason", "Matrix".into()),
            ],
            [401, 403, 403, 404],
        ),
        ("settings/certificates", vec![], [401, 403, 403, 200]),
        (
            "settings/certificates/save",
            vec![
                ("client_validity_days", "400".into()),
                ("approval_mode", "link".into()),
            ],
            [401, 403, 403, 200],
        ),
        (
            "certificates/issue",
            vec![("username", "gen.user".into())],
            [401, 403, 403, 200],
        ),
        (
            "certificates/revoke",
            vec![
                ("id", uuid::Uuid::new_v4().to_string()),
                ("reason", "unspecified".into()),
                ("back", "/certificates".into()),
            ],
            [401, 403, 403, 404],
        ),
        (
            "certificates/of-user",
            vec![("username", "gen.user".into())],
            [401, 403, 200, 200],
        ),
        ("certificates/mine", vec![], [401, 200, 200, 200]),
        ("certificates/renew", vec![], [401, 403, 403, 200]),
        ("certificates", vec![], [401, 403, 403, 200]),
        ("certificates/expiring", vec![], [401, 403, 403, 200]),
        ("certificates/sign-in-url", vec![], [200, 200, 200, 200]),
        (
            "users/import/view",
            vec![("id", uuid::Uuid::new_v4().to_string())],
            [401, 403, 403, 404],
        ),
        (
            "users/import/map",
            vec![
                ("id", uuid::Uuid::new_v4().to_string()),
                ("columns[]", "0:username".into()),
            ],
            [401, 403, 403, 404],
        ),
        (
            "users/import/apply",
            vec![
                ("id", uuid::Uuid::new_v4().to_string()),
                ("mode", "valid".into()),
            ],
            [401, 403, 403, 404],
        ),
        ("whoami", vec![], [200, 200, 200, 200]),
    ];
    for (endpoint, form, expected) in cases {
        for ((who, cookie), want) in callers.iter().zip(expected) {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let res = s.call(endpoint, &form, *cookie).await;
            assert_eq!(res.status().as_u16(), want, "{endpoint} as {who}");
        }
    }
    s.stop().await;
}

#[path = "http/delegation.rs"]
mod delegation;
#[path = "http/mutual_tls.rs"]
mod mutual_tls;

#[tokio::test]
async fn the_users_export_streams_csv_to_those_allowed() {
    let s = start().await;
    let url = s.url("/export/users.csv?status=active&bom=1");
    let anonymous = s.client.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let user = s.sign_in("gen.user", USER_PASSWORD).await;
    let refused = s
        .client
        .get(&url)
        .header(COOKIE, &user)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let admin = s.sign_in("root.admin", ADMIN_PASSWORD).await;
    let res = s
        .client
        .get(&url)
        .header(COOKIE, &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert!(
        disposition.contains(&format!("usher-users-{today}.csv")),
        "{disposition}"
    );
    let body = res.bytes().await.unwrap();
    assert!(body.starts_with(b"\xEF\xBB\xBF"), "BOM on request");
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("username,first_name,last_name,email"));
    assert_eq!(lines.len(), 3, "the two active users: {text}");
    assert!(
        text.contains("gen.user,General,User,gen@example.com"),
        "{text}"
    );
    // The export is in the audit log once the stream ends.
    let mut logged = false;
    for _ in 0..50 {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        use usher_core::db::entities::audit_event;
        let n = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("users.export"))
            .count(&s.db.db)
            .await
            .unwrap();
        if n == 1 {
            logged = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(logged, "users.export is audited");
    s.stop().await;
}

/// A multipart upload of `bytes` as `file` to `/import/upload`.
async fn upload(s: &Server, cookie: Option<&str>, bytes: Vec<u8>) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes).file_name("people.csv");
    let form = reqwest::multipart::Form::new().part("file", part);
    let mut req = s
        .client
        .post(s.url("/import/upload"))
        .header("Origin", &s.base)
        .multipart(form);
    if let Some(c) = cookie {
        req = req.header(COOKIE, c);
    }
    req.send().await.unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn the_import_routes_check_callers_files_and_sizes() {
    let s = start().await;
    let user = s.sign_in("gen.user", USER_PASSWORD).await;
    let admin = s.sign_in("root.admin", ADMIN_PASSWORD).await;
    let good = b"username,first_name,last_name,email\nnew.one,New,One,new.one@example.com\nbad,Ba,D,nope\n".to_vec();
    assert_eq!(
        upload(&s, None, good.clone()).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        upload(&s, Some(&user), good.clone()).await.status(),
        StatusCode::FORBIDDEN
    );
    let template = s.url("/import/template.csv");
    assert_eq!(
        s.client.get(&template).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let res = s
        .client
        .get(&template)
        .header(COOKIE, &user)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = s
        .client
        .get(&template)
        .header(COOKIE, &admin)
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().starts_with(
        "username,first_name,last_name,email,phone,role,groups,status,origin,password"
    ));

    // Refused files: back to the upload page with the reason, nothing kept.
    let refused = [
        (vec![b'a'; 60 * 1024 * 1024], "larger than 50 MB"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec(), "binary"),
        (Vec::new(), "empty"),
        (b"username,email\n".to_vec(), "no rows"),
        (
            b"username,email\nann,\"ann@example.com\n".to_vec(),
            "never closed",
        ),
    ];
    for (bytes, reason) in refused {
        let res = upload(&s, Some(&admin), bytes).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let to = location(&res);
        assert!(to.starts_with("/users/import?error="), "{to}");
        let decoded = to.replace("%20", " ");
        assert!(decoded.contains(reason), "{decoded}");
    }
    {
        use sea_orm::{EntityTrait, PaginatorTrait};
        let kept = usher_core::db::entities::import::Entity::find()
            .count(&s.db.db)
            .await
            .unwrap();
        assert_eq!(kept, 0, "nothing is kept of a refused file");
    }

    // A good file: on to its mapping step, then its error report.
    let res = upload(&s, Some(&admin), good).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    let id = to.strip_prefix("/users/import/").expect(&to).to_string();
    let mapped = s
        .call(
            "users/import/map",
            &[
                ("id", &id),
                ("columns[]", "0:username"),
                ("columns[]", "1:first_name"),
                ("columns[]", "2:last_name"),
                ("columns[]", "3:email"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(mapped.status(), StatusCode::OK);
    let report = s.url(&format!("/import/{id}/errors.csv"));
    assert_eq!(
        s.client.get(&report).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let res = s
        .client
        .get(&report)
        .header(COOKIE, &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.contains("bad,Ba,D,nope,\"email: Enter a valid email address"),
        "{text}"
    );
    s.stop().await;
}
