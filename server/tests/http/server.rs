//! The test server: a real Usher on a random port over a fresh database,
//! with root.admin and gen.user, and a client that calls it as the browser does.
use super::*;

pub const ADMIN_PASSWORD: &str = "a long admin passphrase";
pub const USER_PASSWORD: &str = "a long user passphrase";

pub struct Server {
    pub base: String,
    pub client: Client,
    pub db: TestDb,
    pub state: AppState,
}

pub async fn start_with(configure: impl FnOnce(&mut AppState)) -> Server {
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

pub async fn start() -> Server {
    start_with(|_| {}).await
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Calls a server function the way the browser's client does.
    pub async fn call(
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
    pub async fn sign_in(&self, login: &str, password: &str) -> String {
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

    /// A new active user `username` holding a new custom role `role` with
    /// `permissions` (made by root), signed in: their cookie and the role's id.
    pub async fn signed_in_with_role(
        &self,
        username: &str,
        role: &str,
        permissions: &[app::model::Permission],
    ) -> (String, uuid::Uuid) {
        let role_id = testkit::add_role(&self.db.db, role, permissions).await;
        let hash = passwords::hash(USER_PASSWORD.into()).await.unwrap();
        users::insert(
            &self.db.db,
            users::NewUser {
                username: username.into(),
                email: format!("{username}@example.com"),
                first_name: "Staff".into(),
                last_name: "Member".into(),
                role_id,
                status: app::model::UserStatus::Active,
                password_hash: Some(hash),
            },
        )
        .await
        .unwrap();
        (self.sign_in(username, USER_PASSWORD).await, role_id)
    }

    pub async fn stop(self) {
        self.db.close().await;
    }
}

pub async fn error_of(res: reqwest::Response) -> app::AppError {
    serde_json::from_str(&res.text().await.unwrap()).expect("an AppError body")
}
