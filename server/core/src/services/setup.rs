//! The first administrator: a one-time set-up link printed at start while no
//! admin exists, or `usher create-admin` for scripts.
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    Set, TransactionTrait,
};
use shared::model::UserStatus;
use shared::AppError;

use super::roles::ADMIN_ROLE_ID;
use super::users::{self, NewUser};
use super::{audit, db_error, outbox, passwords, tokens};
use crate::db::entities::{one_time_token, user};

pub const SETUP_PURPOSE: &str = "setup";
pub const SETUP_VALIDITY: Duration = Duration::hours(1);

pub async fn admin_exists(db: &impl sea_orm::ConnectionTrait) -> Result<bool, AppError> {
    let n = user::Entity::find()
        .filter(user::Column::RoleId.eq(ADMIN_ROLE_ID))
        .filter(user::Column::Status.eq(UserStatus::Active.as_str()))
        .count(db)
        .await
        .map_err(db_error)?;
    Ok(n > 0)
}

/// Creates a set-up token valid for an hour; returns the token for the link.
pub async fn issue_token(db: &DatabaseConnection) -> Result<String, AppError> {
    let (token, id) = tokens::new_token();
    let now = Utc::now();
    one_time_token::ActiveModel {
        id: Set(id),
        purpose: Set(SETUP_PURPOSE.into()),
        user_id: Set(None),
        created_at: Set(now),
        expires_at: Set(now + SETUP_VALIDITY),
        used_at: Set(None),
    }
    .insert(db)
    .await
    .map_err(db_error)?;
    Ok(token)
}

fn invalid_link() -> AppError {
    AppError::InvalidLink("This set-up link has expired or has already been used.".into())
}

pub async fn check_token(db: &DatabaseConnection, token: &str) -> Result<(), AppError> {
    let found = one_time_token::Entity::find_by_id(tokens::hash_token(token))
        .one(db)
        .await
        .map_err(db_error)?;
    match found {
        Some(t)
            if t.purpose == SETUP_PURPOSE && t.used_at.is_none() && t.expires_at > Utc::now() =>
        {
            if admin_exists(db).await? {
                Err(AppError::InvalidLink(
                    "Usher already has an administrator. Sign in instead.".into(),
                ))
            } else {
                Ok(())
            }
        }
        _ => Err(invalid_link()),
    }
}

pub struct AdminAccount<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub password: &'a str,
}

/// Uses the link once: marks it used and creates the admin in one
/// transaction, so two racing submissions cannot both succeed.
pub async fn complete(
    db: &DatabaseConnection,
    token: &str,
    account: AdminAccount<'_>,
    ip: Option<&str>,
    public_url: &str,
) -> Result<user::Model, AppError> {
    check_token(db, token).await?;
    users::validate_new(db, account.username, account.email, account.password).await?;
    let hash = passwords::hash(account.password.to_string()).await?;

    let txn = db.begin().await.map_err(db_error)?;
    let claimed = one_time_token::Entity::update_many()
        .col_expr(one_time_token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(one_time_token::Column::Id.eq(tokens::hash_token(token)))
        .filter(one_time_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await
        .map_err(db_error)?;
    if claimed.rows_affected != 1 {
        return Err(invalid_link());
    }
    let admin = insert_admin(&txn, account.username, account.email, hash).await?;
    audit::record(
        &txn,
        audit::Event {
            action: "setup.first_admin",
            actor_id: Some(admin.id),
            actor_name: Some(&admin.username),
            target_kind: Some("user"),
            target_id: Some(admin.id.to_string()),
            target_name: Some(&admin.username),
            ip,
            success: true,
            ..Default::default()
        },
    )
    .await
    .map_err(db_error)?;
    let welcome = crate::mail::templates::admin_welcome(public_url, &admin.username);
    outbox::enqueue(&txn, &admin.email, welcome)
        .await
        .map_err(db_error)?;
    txn.commit().await.map_err(db_error)?;
    Ok(admin)
}

async fn insert_admin(
    db: &impl sea_orm::ConnectionTrait,
    username: &str,
    email: &str,
    password_hash: String,
) -> Result<user::Model, AppError> {
    users::insert(
        db,
        NewUser {
            username: username.to_string(),
            email: email.to_string(),
            first_name: String::new(),
            last_name: String::new(),
            role_id: ADMIN_ROLE_ID,
            status: UserStatus::Active,
            password_hash: Some(password_hash),
        },
    )
    .await
}

/// `usher create-admin`: the same checks as the set-up page, without a link.
pub async fn create_admin(
    db: &DatabaseConnection,
    username: &str,
    email: &str,
    password: &str,
) -> Result<user::Model, AppError> {
    users::validate_new(db, username, email, password).await?;
    let hash = passwords::hash(password.to_string()).await?;
    let admin = insert_admin(db, username, email, hash).await?;
    audit::record(
        db,
        audit::Event {
            action: "setup.create_admin_cli",
            target_kind: Some("user"),
            target_id: Some(admin.id.to_string()),
            target_name: Some(&admin.username),
            success: true,
            ..Default::default()
        },
    )
    .await
    .map_err(db_error)?;
    Ok(admin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::TestDb;

    fn account<'a>(username: &'a str, email: &'a str) -> AdminAccount<'a> {
        AdminAccount {
            username,
            email,
            password: "a long admin passphrase",
        }
    }

    #[tokio::test]
    async fn setup_link_is_single_use() {
        let t = TestDb::new().await;
        assert!(!admin_exists(&t.db).await.unwrap());
        let token = issue_token(&t.db).await.unwrap();
        check_token(&t.db, &token).await.unwrap();

        let admin = complete(
            &t.db,
            &token,
            account("root.admin", "root@example.com"),
            None,
            "http://usher.test",
        )
        .await
        .unwrap();
        assert_eq!(admin.role_id, ADMIN_ROLE_ID);
        assert!(admin_exists(&t.db).await.unwrap());
        let mails = crate::db::entities::mail_outbox::Entity::find()
            .all(&t.db)
            .await
            .unwrap();
        assert_eq!(mails.len(), 1, "a welcome mail is queued");
        assert_eq!(mails[0].to_address, "root@example.com");
        assert!(mails[0].body_text.contains("http://usher.test/login"));

        let again = complete(
            &t.db,
            &token,
            account("other.admin", "other@example.com"),
            None,
            "http://usher.test",
        )
        .await;
        assert!(matches!(again, Err(AppError::InvalidLink(_))));
        assert!(matches!(
            check_token(&t.db, "not-a-token").await,
            Err(AppError::InvalidLink(_))
        ));
        t.close().await;
    }

    #[tokio::test]
    async fn setup_link_expires_after_an_hour() {
        let t = TestDb::new().await;
        let token = issue_token(&t.db).await.unwrap();
        let row = one_time_token::Entity::find_by_id(tokens::hash_token(&token))
            .one(&t.db)
            .await
            .unwrap()
            .unwrap();
        let lifetime = row.expires_at - row.created_at;
        assert_eq!(lifetime, Duration::hours(1));
        let mut expired: one_time_token::ActiveModel = row.into();
        expired.expires_at = Set(Utc::now() - Duration::seconds(1));
        expired.update(&t.db).await.unwrap();
        let result = complete(
            &t.db,
            &token,
            account("root.admin", "root@example.com"),
            None,
            "http://usher.test",
        )
        .await;
        assert!(matches!(result, Err(AppError::InvalidLink(_))));
        assert!(!admin_exists(&t.db).await.unwrap());
        t.close().await;
    }

    #[tokio::test]
    async fn setup_validates_every_field() {
        let t = TestDb::new().await;
        let token = issue_token(&t.db).await.unwrap();
        let bad = AdminAccount {
            username: "X",
            email: "nope",
            password: "short",
        };
        let Err(AppError::Validation(fields)) =
            complete(&t.db, &token, bad, None, "http://usher.test").await
        else {
            panic!("expected field errors");
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["username", "email", "password"]);
        // The link survives a failed attempt.
        check_token(&t.db, &token).await.unwrap();
        t.close().await;
    }

    #[tokio::test]
    async fn create_admin_checks_uniqueness_case_insensitively() {
        let t = TestDb::new().await;
        create_admin(
            &t.db,
            "ops.admin",
            "Ops@Example.com",
            "a long admin passphrase",
        )
        .await
        .unwrap();
        assert!(admin_exists(&t.db).await.unwrap());
        let dup = create_admin(
            &t.db,
            "ops.admin",
            "ops@example.COM",
            "a long admin passphrase",
        )
        .await;
        let Err(AppError::Validation(fields)) = dup else {
            panic!("expected a conflict")
        };
        assert_eq!(fields.len(), 2);
        let same_as_name =
            create_admin(&t.db, "second.admin1", "s@example.com", "second.admin1").await;
        assert!(matches!(same_as_name, Err(AppError::Validation(_))));
        // A set-up link issued while no admin existed is refused once one does.
        t.close().await;
    }
}
