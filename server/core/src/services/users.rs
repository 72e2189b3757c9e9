//! The user directory.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use shared::model::UserStatus;
use shared::validation;
use shared::AppError;
use uuid::Uuid;

use super::db_error;
use crate::db::entities::role::ADMIN_ROLE_ID;
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
    server_checks(db, username, email, Some(password), &mut errors).await?;
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// The rules only the server can check, added to the form's field errors:
/// the password policy (when a password is set) and case-insensitive
/// uniqueness of username and email. A field that already failed is skipped.
pub(super) async fn server_checks(
    db: &impl ConnectionTrait,
    username: &str,
    email: &str,
    password: Option<&str>,
    errors: &mut Vec<shared::error::FieldError>,
) -> Result<(), AppError> {
    let failed =
        |errors: &Vec<shared::error::FieldError>, f: &str| errors.iter().any(|e| e.field == f);
    let push = |errors: &mut Vec<shared::error::FieldError>, field: &str, message: String| {
        errors.push(shared::error::FieldError {
            field: field.into(),
            message,
        })
    };
    let policy = super::policy::load(db).await.map_err(db_error)?;
    if let Some(password) = password.filter(|_| !failed(errors, "password")) {
        if let Err(message) = super::passwords::check_policy(password, username, email, &policy) {
            push(errors, "password", message);
        }
    }
    if !failed(errors, "username") {
        if let Err(message) = super::policy::check_username(&policy, username) {
            push(errors, "username", message);
        }
    }
    if !failed(errors, "username") && username_taken(db, username).await? {
        push(errors, "username", "This username is already taken.".into());
    }
    if !failed(errors, "email") && email_taken(db, email).await? {
        push(
            errors,
            "email",
            "An account with this email already exists.".into(),
        );
    }
    Ok(())
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
        // Time-ordered (UUIDv7): new users land at the end of the id index
        // instead of all over it, which keeps big imports from rewriting
        // most of the index's pages at a million users.
        id: Set(Uuid::now_v7()),
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

/// A random password for "Generate password": 20 characters from an
/// alphabet without look-alikes (about 115 bits).
pub fn generate_password() -> String {
    use rand_core::{OsRng, RngCore};
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..20)
        .map(|_| ALPHABET[(OsRng.next_u32() as usize) % ALPHABET.len()] as char)
        .collect()
}

/// The user with this username (any case).
pub async fn find(db: &impl ConnectionTrait, username: &str) -> Result<user::Model, AppError> {
    user::Entity::find()
        .filter(user::Column::UsernameLc.eq(username.to_lowercase()))
        .one(db)
        .await
        .map_err(db_error)?
        .ok_or(AppError::NotFound)
}

pub async fn active_admins(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    user::Entity::find()
        .filter(user::Column::RoleId.eq(ADMIN_ROLE_ID))
        .filter(user::Column::Status.eq(UserStatus::Active.as_str()))
        .count(db)
        .await
        .map_err(db_error)
}

pub fn is_active_admin(user: &user::Model) -> bool {
    user.role_id == ADMIN_ROLE_ID && user.status == UserStatus::Active.as_str()
}
