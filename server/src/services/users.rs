//! The user directory.
use app::model::UserStatus;
use app::validation;
use app::AppError;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
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
        seq: sea_orm::NotSet,
        id: Set(Uuid::new_v4()),
        name_lc: Set(name_key(&new.first_name, &new.last_name)),
        totp_enabled: Set(false),
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

/// The lower-cased "first last" used to sort and search by name.
pub fn name_key(first: &str, last: &str) -> String {
    format!("{first} {last}").trim().to_lowercase()
}

pub async fn insert(db: &impl ConnectionTrait, new: NewUser) -> Result<user::Model, AppError> {
    active_model(new).insert(db).await.map_err(db_error)
}
