//! Changing a password: your own (knowing the current one), or someone
//! else's as an admin ("Change password", optionally asking for a change at
//! the next sign-in and telling the user by mail). Either way the user's
//! other sessions end. A mail contains the password only when the admin
//! chose to send a temporary one, which must be changed at the next sign-in.
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use shared::error::FieldError;
use shared::model::{PasswordNotice, UserStatus};
use shared::AppError;
use uuid::Uuid;

use super::actor::Actor;
use super::{audit, db_error, links, outbox, passwords, policy, users};
use crate::db::entities::{session, user};
use crate::mail::templates;

/// The new password against the policy, as a field error on `field`.
async fn checked_hash(
    db: &DatabaseConnection,
    owner: &user::Model,
    password: &str,
    field: &str,
) -> Result<String, AppError> {
    let policy = policy::load(db).await.map_err(db_error)?;
    passwords::check_policy(password, &owner.username, &owner.email, &policy)
        .map_err(|message| AppError::field(field, message))?;
    passwords::hash(password.to_string()).await
}

/// What "Change password" on `/account/password` sends.
pub struct OwnChange<'a> {
    pub user_id: Uuid,
    pub current: &'a str,
    pub new: &'a str,
    /// The session making the change, which stays open.
    pub session_id: Option<&'a str>,
    pub ip: Option<&'a str>,
}

/// Changes your own password after checking the current one; ends your
/// other sessions and clears a forced change.
pub async fn change_own(db: &DatabaseConnection, change: OwnChange<'_>) -> Result<(), AppError> {
    let owner = user::Entity::find()
        .filter(user::Column::Id.eq(change.user_id))
        .one(db)
        .await
        .map_err(db_error)?
        .ok_or(AppError::Unauthorized)?;
    let mut errors = Vec::new();
    if !passwords::verify(change.current.to_string(), owner.password_hash.clone()).await {
        errors.push(FieldError {
            field: "current_password".into(),
            message: "This is not your current password.".into(),
        });
    }
    if change.new == change.current {
        errors.push(FieldError {
            field: "new_password".into(),
            message: "Choose a password different from the current one.".into(),
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let hash = checked_hash(db, &owner, change.new, "new_password").await?;

    let txn = db.begin().await.map_err(db_error)?;
    let now = Utc::now();
    let forced = owner.must_change_password;
    let mut update: user::ActiveModel = owner.clone().into();
    update.password_hash = Set(Some(hash));
    update.password_changed_at = Set(Some(now));
    update.must_change_password = Set(false);
    update.updated_at = Set(now);
    update.update(&txn).await.map_err(db_error)?;
    let mut others = session::Entity::delete_many().filter(session::Column::UserId.eq(owner.id));
    if let Some(keep) = change.session_id {
        others = others.filter(session::Column::Id.ne(keep));
    }
    let ended = others.exec(&txn).await.map_err(db_error)?.rows_affected;
    links::end_all(&txn, super::recovery::PURPOSE, owner.id)
        .await
        .map_err(db_error)?;
    let actor = Actor {
        id: owner.id,
        username: owner.username.clone(),
        ip: change.ip.map(str::to_string),
    };
    let target = ("user", owner.id.to_string(), owner.username.as_str());
    let details = serde_json::json!({ "forced": forced, "other_sessions_ended": ended });
    audit::record_change(&txn, &actor, "user.password_change", target, Some(details)).await?;
    txn.commit().await.map_err(db_error)
}

/// An admin's "Change password" dialog.
pub struct AdminSet<'a> {
    pub username: &'a str,
    pub password: &'a str,
    /// "Ask for a password change at the next sign-in".
    pub force_change: bool,
    /// "Notify the user by email": without the password, or with it when it
    /// is temporary (a change is forced at the next sign-in).
    pub notice: PasswordNotice,
}

/// Sets another user's password; ends all their sessions.
pub async fn set_by_admin(
    db: &DatabaseConnection,
    actor: &Actor,
    set: AdminSet<'_>,
    public_url: &str,
) -> Result<(), AppError> {
    let owner = users::find(db, set.username).await?;
    super::access::Authority::load(db, actor)
        .await?
        .may_act_on(&owner)?;
    if owner.id == actor.id {
        return Err(AppError::Conflict(
            "Change your own password on My account, with your current password.".into(),
        ));
    }
    let joined = [UserStatus::Active.as_str(), UserStatus::Inactive.as_str()];
    if !joined.contains(&owner.status.as_str()) {
        return Err(AppError::Conflict(format!(
            "{} has not joined yet; they choose their password when they do.",
            owner.username
        )));
    }
    if set.password.is_empty() {
        return Err(AppError::field(
            "password",
            "Type a password or use Generate new password.",
        ));
    }
    let hash = checked_hash(db, &owner, set.password, "password").await?;

    let txn = db.begin().await.map_err(db_error)?;
    let now = Utc::now();
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::PasswordChangedAt, Expr::value(now))
        .col_expr(
            user::Column::MustChangePassword,
            Expr::value(set.force_change),
        )
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(owner.id))
        .exec(&txn)
        .await
        .map_err(db_error)?;
    let ended = super::sessions::end_all_for_user(&txn, owner.id)
        .await
        .map_err(db_error)?;
    // A recovery link sent before (perhaps to someone else's hands) ends too.
    links::end_all(&txn, super::recovery::PURPOSE, owner.id)
        .await
        .map_err(db_error)?;
    let mail = match set.notice {
        PasswordNotice::Nothing => None,
        PasswordNotice::Mail => Some(templates::password_set_by_admin(
            public_url,
            &owner.first_name,
            set.force_change,
        )),
    };
    if let Some(mail) = mail {
        outbox::enqueue(&txn, &owner.email, mail)
            .await
            .map_err(db_error)?;
    }
    let target = ("user", owner.id.to_string(), owner.username.as_str());
    let details = serde_json::json!({
        "force_change": set.force_change, "notice": format!("{:?}", set.notice),
        "sessions_ended": ended,
    });
    audit::record_change(&txn, actor, "user.password_set", target, Some(details)).await?;
    txn.commit().await.map_err(db_error)
}

#[cfg(test)]
mod tests;
