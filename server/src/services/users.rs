//! The user directory.
use app::model::{Page, PageRequest, UserStatus, UserSummary};
use app::validation;
use app::AppError;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::db_error;
use crate::db::entities::user;

/// A new account, already validated by `validate_new`.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role_id: Uuid,
    pub status: UserStatus,
    pub password_hash: Option<String>,
}

/// Field rules plus the case-insensitive uniqueness of username and email.
pub async fn validate_new(
    db: &impl ConnectionTrait,
    username: &str,
    email: &str,
    password: &str,
) -> Result<(), AppError> {
    let mut errors = validation::admin_account(username, email, password);
    if !errors.iter().any(|e| e.field == "password") {
        if let Err(message) = super::passwords::check_policy(password, username, email) {
            errors.push(app::error::FieldError {
                field: "password".into(),
                message,
            });
        }
    }
    if !errors.iter().any(|e| e.field == "username") && username_taken(db, username).await? {
        errors.push(app::error::FieldError {
            field: "username".into(),
            message: "This username is already taken.".into(),
        });
    }
    if !errors.iter().any(|e| e.field == "email") && email_taken(db, email).await? {
        errors.push(app::error::FieldError {
            field: "email".into(),
            message: "An account with this email already exists.".into(),
        });
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

pub async fn username_taken(db: &impl ConnectionTrait, username: &str) -> Result<bool, AppError> {
    let n = user::Entity::find()
        .filter(user::Column::UsernameLc.eq(username.to_lowercase()))
        .count(db)
        .await
        .map_err(db_error)?;
    Ok(n > 0)
}

pub async fn email_taken(db: &impl ConnectionTrait, email: &str) -> Result<bool, AppError> {
    let n = user::Entity::find()
        .filter(user::Column::EmailLc.eq(email.to_lowercase()))
        .count(db)
        .await
        .map_err(db_error)?;
    Ok(n > 0)
}

pub fn active_model(new: NewUser) -> user::ActiveModel {
    let now = Utc::now();
    let has_password = new.password_hash.is_some();
    user::ActiveModel {
        id: Set(Uuid::new_v4()),
        username_lc: Set(new.username.to_lowercase()),
        username: Set(new.username),
        email_lc: Set(new.email.to_lowercase()),
        email: Set(new.email),
        first_name: Set(new.first_name),
        last_name: Set(new.last_name),
        phone: Set(None),
        status: Set(new.status.as_str().to_string()),
        origin: Set("internal".into()),
        role_id: Set(new.role_id),
        password_hash: Set(new.password_hash),
        must_change_password: Set(false),
        password_changed_at: Set(has_password.then_some(now)),
        created_at: Set(now),
        updated_at: Set(now),
        last_login_at: Set(None),
    }
}

pub async fn insert(db: &impl ConnectionTrait, new: NewUser) -> Result<user::Model, AppError> {
    active_model(new).insert(db).await.map_err(db_error)
}

/// One page of users, ordered by username.
pub async fn list(
    db: &impl ConnectionTrait,
    request: PageRequest,
) -> Result<Page<UserSummary>, AppError> {
    let total = user::Entity::find().count(db).await.map_err(db_error)?;
    let rows = user::Entity::find()
        .order_by_asc(user::Column::UsernameLc)
        .offset(request.offset())
        .limit(request.per_page)
        .all(db)
        .await
        .map_err(db_error)?;
    Ok(Page {
        items: rows.into_iter().map(summary).collect(),
        total,
        request,
    })
}

pub fn summary(row: user::Model) -> UserSummary {
    UserSummary {
        id: row.id.to_string(),
        status: UserStatus::parse(&row.status).unwrap_or(UserStatus::Inactive),
        username: row.username,
        first_name: row.first_name,
        last_name: row.last_name,
        email: row.email,
        last_login_at: row.last_login_at.map(|t| t.to_rfc3339()),
        created_at: row.created_at.to_rfc3339(),
    }
}

/// Adds `count` General users named `user.00001`… (demo data and tests).
pub async fn seed(db: &impl ConnectionTrait, count: u64) -> Result<u64, AppError> {
    let start = user::Entity::find()
        .filter(user::Column::UsernameLc.starts_with("user."))
        .count(db)
        .await
        .map_err(db_error)?;
    let mut created = 0;
    while created < count {
        let batch: Vec<user::ActiveModel> = (0..(count - created).min(500))
            .map(|i| {
                let n = start + created + i + 1;
                active_model(NewUser {
                    username: format!("user.{n:05}"),
                    email: format!("user.{n:05}@example.com"),
                    first_name: "Seeded".into(),
                    last_name: format!("User {n}"),
                    role_id: super::roles::USER_ROLE_ID,
                    status: UserStatus::Active,
                    password_hash: None,
                })
            })
            .collect();
        let size = batch.len() as u64;
        user::Entity::insert_many(batch)
            .exec(db)
            .await
            .map_err(db_error)?;
        created += size;
    }
    Ok(created)
}
