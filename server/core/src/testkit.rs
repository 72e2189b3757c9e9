//! Test support: a fresh, migrated database per test on the back-end chosen
//! by `USHER_TEST_BACKEND` (`sqlite`, the default, or `postgres`), and an
//! application state around it. Used by unit and integration tests alike.
use std::path::PathBuf;
use std::sync::Arc;

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

use crate::config::Config;
use crate::services::settings::SessionPolicy;
use crate::state::AppState;

pub struct TestDb {
    pub db: DatabaseConnection,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

fn postgres_admin_url() -> String {
    std::env::var("USHER_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn backend_name() -> String {
    std::env::var("USHER_TEST_BACKEND").unwrap_or_else(|_| "sqlite".into())
}

impl TestDb {
    pub async fn new() -> Self {
        let unique = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
        let run = std::env::var("USHER_TEST_RUN_ID").unwrap_or_else(|_| "local".into());
        let (url, cleanup) = if backend_name() == "postgres" {
            let admin_url = postgres_admin_url();
            let name = format!("usher_t_{run}_{unique}");
            let admin = Database::connect(&admin_url)
                .await
                .expect("connect to PostgreSQL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let base = admin_url
                .rsplit_once('/')
                .map(|(b, _)| b)
                .unwrap_or(&admin_url);
            (
                format!("{base}/{name}"),
                Cleanup::Postgres { admin_url, name },
            )
        } else {
            let dir = std::env::temp_dir().join(format!("usher-test-{unique}"));
            std::fs::create_dir_all(&dir).expect("temp dir");
            (crate::db::default_sqlite_url(&dir), Cleanup::Sqlite(dir))
        };
        let db = crate::db::connect(&url)
            .await
            .expect("connect to test database");
        crate::db::migrate(&db)
            .await
            .expect("migrate test database");
        TestDb { db, url, cleanup }
    }

    /// An application state over this database (mail to a file outbox in a
    /// temporary folder).
    pub fn state(&self) -> AppState {
        let dir = std::env::temp_dir().join("usher-test-state");
        state(self.db.clone(), dir)
    }

    /// Closes the pool and removes the database.
    pub async fn close(self) {
        self.db.close().await.ok();
        match self.cleanup {
            Cleanup::Sqlite(dir) => {
                std::fs::remove_dir_all(dir).ok();
            }
            Cleanup::Postgres { admin_url, name } => {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await
                        .ok();
                    admin.close().await.ok();
                }
            }
        }
    }
}

/// Default settings with mail to the file outbox under `data_dir`.
pub fn state_config(data_dir: PathBuf) -> Config {
    Config {
        data_dir,
        database_url: String::new(),
        public_url: None,
        smtp: None,
        mail_from: "Usher <usher@localhost>".into(),
        leptos_config: PathBuf::from("Leptos.toml"),
        organisation: "Test Org".into(),
        ca_key: None,
        ca_key_file: None,
        https_addr: Some("off".into()),
        https_url: None,
        trusted_proxies: Vec::new(),
    }
}

/// An application state over `db` with default settings.
pub fn state(db: DatabaseConnection, data_dir: PathBuf) -> AppState {
    let config = state_config(data_dir);
    let leptos = leptos::config::LeptosOptions::builder()
        .output_name("usher")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build();
    AppState {
        db,
        config: Arc::new(config),
        leptos,
        sessions: SessionPolicy::default(),
        jobs: Arc::default(),
        ca_key: TEST_CA_KEY,
    }
}

/// The CA sealing key of test states.
pub const TEST_CA_KEY: [u8; 32] = [3u8; 32];

/// A General user `name` (`name@example.com`, "Pat Doe", no password) in
/// `status`: the person most service tests act on.
pub async fn add_user(
    db: &DatabaseConnection,
    name: &str,
    status: shared::model::UserStatus,
) -> crate::db::entities::user::Model {
    add_person(db, name, "Pat", "Doe", status).await
}

/// A General user `name` (`name@example.com`) called `first` `last`.
pub async fn add_person(
    db: &DatabaseConnection,
    name: &str,
    first: &str,
    last: &str,
    status: shared::model::UserStatus,
) -> crate::db::entities::user::Model {
    crate::services::users::insert(
        db,
        crate::services::users::NewUser {
            username: name.into(),
            email: format!("{name}@example.com"),
            first_name: first.into(),
            last_name: last.into(),
            role_id: crate::services::roles::USER_ROLE_ID,
            status,
            password_hash: None,
        },
    )
    .await
    .expect("insert test user")
}

/// `u` as the actor of a change, from 127.0.0.1.
pub fn actor_for(u: &crate::db::entities::user::Model) -> crate::services::actor::Actor {
    crate::services::actor::Actor {
        id: u.id,
        username: u.username.clone(),
        ip: Some("127.0.0.1".into()),
    }
}

/// The administrator most service tests act as: `root.admin`.
pub async fn add_root(db: &DatabaseConnection) -> crate::db::entities::user::Model {
    crate::services::setup::create_admin(
        db,
        "root.admin",
        "root@example.com",
        "a long admin passphrase",
    )
    .await
    .expect("create the test administrator")
}

/// An active General user `name` who signs in with `password`.
pub async fn add_user_with_password(
    db: &DatabaseConnection,
    name: &str,
    password: &str,
) -> crate::db::entities::user::Model {
    use sea_orm::{ActiveModelTrait, Set};
    let u = add_user(db, name, shared::model::UserStatus::Active).await;
    let mut m: crate::db::entities::user::ActiveModel = u.into();
    let hash = crate::services::passwords::hash(password.into())
        .await
        .expect("hash");
    m.password_hash = Set(Some(hash));
    m.update(db).await.expect("set the test password")
}

/// The tokens of the links (`…<path>?token=…`) in the `template` mails
/// queued for `to`, oldest first.
pub async fn links_mailed(
    db: &DatabaseConnection,
    to: &str,
    template: &str,
    path: &str,
) -> Vec<String> {
    use crate::db::entities::mail_outbox;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let marker = format!("{path}?token=");
    mail_outbox::Entity::find()
        .filter(mail_outbox::Column::ToAddress.eq(to))
        .filter(mail_outbox::Column::Template.eq(template))
        .order_by_asc(mail_outbox::Column::CreatedAt)
        .all(db)
        .await
        .expect("read the outbox")
        .iter()
        .map(|m| {
            let start = m.body_text.find(&marker).expect("a link") + marker.len();
            let rest = &m.body_text[start..];
            rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())].to_string()
        })
        .collect()
}

/// A custom role `name` granting `permissions`, made by root.admin (who
/// must exist): its id.
pub async fn add_role(
    db: &DatabaseConnection,
    name: &str,
    permissions: &[shared::model::Permission],
) -> uuid::Uuid {
    let root = crate::services::users::find(db, "root.admin")
        .await
        .unwrap();
    crate::services::roles::create(db, &actor_for(&root), name, "", permissions)
        .await
        .unwrap()
}

/// An active user `name` (no password) holding `role`.
pub async fn add_holder(
    db: &DatabaseConnection,
    name: &str,
    role: uuid::Uuid,
) -> crate::db::entities::user::Model {
    use sea_orm::{ActiveModelTrait, Set};
    let user = add_user(db, name, shared::model::UserStatus::Active).await;
    let mut m: crate::db::entities::user::ActiveModel = user.into();
    m.role_id = Set(role);
    m.update(db).await.unwrap()
}
