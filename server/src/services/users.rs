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
async fn server_checks(
    db: &impl ConnectionTrait,
    username: &str,
    email: &str,
    password: Option<&str>,
    errors: &mut Vec<app::error::FieldError>,
) -> Result<(), AppError> {
    let failed =
        |errors: &Vec<app::error::FieldError>, f: &str| errors.iter().any(|e| e.field == f);
    let push = |errors: &mut Vec<app::error::FieldError>, field: &str, message: String| {
        errors.push(app::error::FieldError {
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

/// Who is making a change, for checks and the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Uuid,
    pub username: String,
    pub ip: Option<String>,
}

/// An admin's "Add user": the form's fields plus role, groups and state.
#[derive(Debug, Clone)]
pub struct CreateUser {
    pub input: validation::NewUserInput,
    pub role_id: Uuid,
    pub group_ids: Vec<Uuid>,
    pub external: bool,
    pub active: bool,
}

/// Creates a user after every rule of the form, uniqueness and the password
/// policy have passed; user, memberships, audit event and (for "Send an
/// invitation instead") the invitation mail in one transaction.
pub async fn create(
    db: &sea_orm::DatabaseConnection,
    actor: &Actor,
    req: CreateUser,
    public_url: &str,
) -> Result<user::Model, AppError> {
    use crate::db::entities::{group, role};
    use app::error::FieldError;
    use sea_orm::TransactionTrait;

    // Give only what you hold, before anything else is looked at.
    super::access::Authority::load(db, actor)
        .await?
        .may_give(req.role_id)?;
    let input = &req.input;
    let username = input.username.trim().to_string();
    let email = input.email.trim().to_string();
    let policy = super::policy::load(db).await.map_err(db_error)?;
    let mut errors = validation::new_user(input, &policy);
    let password = (!input.invite).then_some(input.password.as_str());
    server_checks(db, &username, &email, password, &mut errors).await?;
    let role = role::Entity::find_by_id(req.role_id)
        .one(db)
        .await
        .map_err(db_error)?;
    if role.is_none() {
        errors.push(FieldError {
            field: "role".into(),
            message: "Choose a role.".into(),
        });
    }
    let known_groups = if req.group_ids.is_empty() {
        0
    } else {
        group::Entity::find()
            .filter(group::Column::Id.is_in(req.group_ids.clone()))
            .count(db)
            .await
            .map_err(db_error)?
    };
    if known_groups != req.group_ids.len() as u64 {
        errors.push(FieldError {
            field: "groups".into(),
            message: "A chosen group no longer exists.".into(),
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }

    let password_hash = if input.invite {
        None
    } else {
        Some(super::passwords::hash(input.password.clone()).await?)
    };
    let status = if input.invite {
        UserStatus::Invited
    } else if req.active {
        UserStatus::Active
    } else {
        UserStatus::Inactive
    };
    let mut model = active_model(NewUser {
        username: username.clone(),
        email: email.clone(),
        first_name: input.first_name.trim().to_string(),
        last_name: input.last_name.trim().to_string(),
        role_id: req.role_id,
        status,
        password_hash,
    });
    model.phone = Set(validation::normalize_phone(&input.phone));
    model.origin = Set(if req.external { "external" } else { "internal" }.into());

    let txn = db.begin().await.map_err(db_error)?;
    let created = model.insert(&txn).await.map_err(db_error)?;
    super::groups::add_memberships(&txn, created.id, &req.group_ids).await?;
    let summary = serde_json::json!({
        "after": {
            "email": created.email,
            "status": created.status,
            "role": role.map(|r| r.name),
            "groups": req.group_ids.len(),
            "origin": created.origin,
        }
    });
    let target = ("user", created.id.to_string(), created.username.as_str());
    let action = super::audit::AuditAction::UserCreate.as_str();
    super::audit::record_change(&txn, actor, action, target, Some(summary)).await?;
    if input.invite {
        super::invitations::send(&txn, actor, &created, public_url).await?;
    }
    txn.commit().await.map_err(db_error)?;
    Ok(created)
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
