//! Signing in: one answer and similar timing for an unknown user, a wrong
//! password or an account that may not sign in. Every attempt is audited.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, Set,
};
use shared::model::{CurrentUser, UserStatus};
use shared::AppError;

use super::settings::SessionPolicy;
use super::{access, audit, db_error, passwords, sessions, sign_in_throttle};
use crate::db::entities::user;

pub struct SignIn<'a> {
    pub login: &'a str,
    pub password: &'a str,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub struct SignedIn {
    pub user: CurrentUser,
    pub token: String,
}

pub async fn find_by_login(
    db: &DatabaseConnection,
    login: &str,
) -> Result<Option<user::Model>, AppError> {
    let key = login.trim().to_lowercase();
    user::Entity::find()
        .filter(
            Condition::any()
                .add(user::Column::UsernameLc.eq(key.clone()))
                .add(user::Column::EmailLc.eq(key)),
        )
        .one(db)
        .await
        .map_err(db_error)
}

/// An audit event for a sign-in that did not go through.
async fn failed_attempt(
    db: &DatabaseConnection,
    action: &str,
    attempt: &SignIn<'_>,
    details: serde_json::Value,
) -> Result<(), AppError> {
    let event = audit::Event {
        action,
        actor_name: Some(attempt.login),
        ip: attempt.ip,
        success: false,
        details: Some(details),
        ..Default::default()
    };
    audit::record(db, event).await.map_err(db_error)
}

pub async fn sign_in(
    db: &DatabaseConnection,
    policy: SessionPolicy,
    attempt: SignIn<'_>,
) -> Result<SignedIn, AppError> {
    // Waiting out a delay costs no hashing.
    let now = Utc::now();
    let delay = sign_in_throttle::wait(db, attempt.login, attempt.ip, now)
        .await
        .map_err(db_error)?;
    if let Some(delay) = delay {
        let seconds = (delay.num_milliseconds().max(0) as u64).div_ceil(1000);
        let seconds = seconds.max(1);
        let details = serde_json::json!({ "retry_after_seconds": seconds });
        failed_attempt(db, "auth.sign_in_delayed", &attempt, details).await?;
        return Err(AppError::TooManyAttempts(seconds));
    }
    let found = find_by_login(db, attempt.login).await?;
    let stored = found.as_ref().and_then(|u| u.password_hash.clone());
    let password_ok = passwords::verify(attempt.password.to_string(), stored).await;
    let active = found
        .as_ref()
        .is_some_and(|u| u.status == UserStatus::Active.as_str());

    let Some(owner) = found.filter(|_| password_ok && active) else {
        let reason = if !password_ok {
            "bad_credentials"
        } else {
            "not_active"
        };
        let details = serde_json::json!({ "reason": reason });
        failed_attempt(db, "auth.sign_in", &attempt, details).await?;
        sign_in_throttle::failed(db, attempt.login, attempt.ip)
            .await
            .map_err(db_error)?;
        return Err(AppError::InvalidCredentials);
    };
    if sign_in_throttle::succeeded(db, attempt.login, attempt.ip)
        .await
        .map_err(db_error)?
    {
        let event = audit::Event {
            action: "auth.sign_in_delays_ended",
            actor_name: Some(attempt.login),
            ip: attempt.ip,
            success: true,
            ..Default::default()
        };
        audit::record(db, event).await.map_err(db_error)?;
    }

    open_session(db, policy, &owner, attempt.ip, attempt.user_agent).await
}

/// Signs in a user whose identity is already proven (a password just
/// checked, or a one-time link just used): a new session, the last-login
/// time and an audit event.
pub async fn open_session(
    db: &DatabaseConnection,
    policy: SessionPolicy,
    owner: &user::Model,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> Result<SignedIn, AppError> {
    let opened = sessions::open(db, owner.id, policy, ip, user_agent)
        .await
        .map_err(db_error)?;
    let mut update: user::ActiveModel = owner.clone().into();
    update.last_login_at = Set(Some(Utc::now()));
    update.update(db).await.map_err(db_error)?;
    audit::record(
        db,
        audit::Event {
            action: "auth.sign_in",
            actor_id: Some(owner.id),
            actor_name: Some(&owner.username),
            target_kind: Some("user"),
            target_id: Some(owner.id.to_string()),
            target_name: Some(&owner.username),
            ip,
            success: true,
            ..Default::default()
        },
    )
    .await
    .map_err(db_error)?;
    let permissions = access::permissions_of(db, owner.role_id)
        .await
        .map_err(db_error)?;
    Ok(SignedIn {
        user: sessions::current_user(owner, permissions),
        token: opened.token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::entities::{audit_event, session};
    use crate::services::setup::create_admin;
    use crate::testkit::TestDb;
    use sea_orm::{PaginatorTrait, QueryOrder};

    fn attempt<'a>(login: &'a str, password: &'a str) -> SignIn<'a> {
        SignIn {
            login,
            password,
            ip: Some("127.0.0.1"),
            user_agent: Some("test"),
        }
    }

    #[tokio::test]
    async fn sign_in_by_username_or_email_and_audit() {
        let t = TestDb::new().await;
        create_admin(
            &t.db,
            "ops.admin",
            "ops@example.com",
            "a long admin passphrase",
        )
        .await
        .unwrap();
        let policy = SessionPolicy::default();

        let a = sign_in(
            &t.db,
            policy,
            attempt("OPS.admin", "a long admin passphrase"),
        )
        .await
        .unwrap();
        assert!(a.user.can(shared::model::Permission::UsersRead));
        let b = sign_in(
            &t.db,
            policy,
            attempt("ops@example.com", "a long admin passphrase"),
        )
        .await
        .unwrap();
        assert_ne!(a.token, b.token, "a new token at every sign-in");
        assert_eq!(session::Entity::find().count(&t.db).await.unwrap(), 2);

        let wrong = sign_in(&t.db, policy, attempt("ops.admin", "not the passphrase")).await;
        let unknown = sign_in(&t.db, policy, attempt("nobody", "not the passphrase")).await;
        assert_eq!(wrong.err(), Some(AppError::InvalidCredentials));
        assert_eq!(unknown.err(), Some(AppError::InvalidCredentials));

        let events = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("auth.sign_in"))
            .order_by_asc(audit_event::Column::Id)
            .all(&t.db)
            .await
            .unwrap();
        let outcomes: Vec<bool> = events.iter().map(|e| e.success).collect();
        assert_eq!(outcomes, [true, true, false, false]);
        let admin = find_by_login(&t.db, "ops.admin").await.unwrap().unwrap();
        assert!(admin.last_login_at.is_some());
        t.close().await;
    }

    #[tokio::test]
    async fn inactive_user_gets_the_same_answer() {
        let t = TestDb::new().await;
        let admin = create_admin(
            &t.db,
            "ops.admin",
            "ops@example.com",
            "a long admin passphrase",
        )
        .await
        .unwrap();
        let mut off: user::ActiveModel = admin.into();
        off.status = Set(UserStatus::Inactive.as_str().into());
        off.update(&t.db).await.unwrap();
        let result = sign_in(
            &t.db,
            SessionPolicy::default(),
            attempt("ops.admin", "a long admin passphrase"),
        )
        .await;
        assert_eq!(result.err(), Some(AppError::InvalidCredentials));
        t.close().await;
    }
}
