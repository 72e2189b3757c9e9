//! Database sessions: the cookie carries a random token, the table its hash.
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use shared::model::{CurrentUser, UserStatus};
use uuid::Uuid;

use super::settings::SessionPolicy;
use super::{access, tokens};
use crate::db::entities::{session, user};

/// Last-seen is written at most this often, to spare the database.
const TOUCH_EVERY_SECS: i64 = 60;

pub struct Opened {
    pub token: String,
    pub session_id: String,
}

pub async fn open(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    policy: SessionPolicy,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> Result<Opened, DbErr> {
    let (token, id) = tokens::new_token();
    let now = Utc::now();
    session::ActiveModel {
        id: Set(id.clone()),
        user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + policy.absolute),
        ip: Set(ip.map(str::to_string)),
        user_agent: Set(user_agent.map(|s| s.chars().take(400).collect())),
    }
    .insert(db)
    .await?;
    Ok(Opened {
        token,
        session_id: id,
    })
}

/// A live session's user, as the UI and permission checks see them.
#[derive(Debug, Clone)]
pub struct ResolvedSession {
    pub session_id: String,
    pub user_id: Uuid,
    pub user: CurrentUser,
}

/// Looks the token up; ends it when idle or past its absolute end, or when
/// its user can no longer sign in.
pub async fn resolve(
    db: &impl ConnectionTrait,
    token: &str,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> Result<Option<ResolvedSession>, DbErr> {
    let id = tokens::hash_token(token);
    let Some(found) = session::Entity::find_by_id(id.clone()).one(db).await? else {
        return Ok(None);
    };
    let idle_end = found.last_seen_at + policy.idle;
    if now >= found.expires_at || now >= idle_end {
        session::Entity::delete_by_id(id).exec(db).await?;
        return Ok(None);
    }
    let Some(owner) = user::Entity::find()
        .filter(user::Column::Id.eq(found.user_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if owner.status != UserStatus::Active.as_str() {
        end_all_for_user(db, owner.id).await?;
        return Ok(None);
    }
    if (now - found.last_seen_at).num_seconds() >= TOUCH_EVERY_SECS {
        session::Entity::update_many()
            .col_expr(
                session::Column::LastSeenAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(session::Column::Id.eq(id.clone()))
            .exec(db)
            .await?;
    }
    let permissions = access::permissions_of(db, owner.role_id).await?;
    Ok(Some(ResolvedSession {
        session_id: id,
        user_id: owner.id,
        user: current_user(&owner, permissions),
    }))
}

pub fn current_user(
    owner: &user::Model,
    permissions: Vec<shared::model::Permission>,
) -> CurrentUser {
    let name = format!("{} {}", owner.first_name, owner.last_name)
        .trim()
        .to_string();
    CurrentUser {
        id: owner.id.to_string(),
        username: owner.username.clone(),
        display_name: if name.is_empty() {
            owner.username.clone()
        } else {
            name
        },
        permissions,
        must_change_password: owner.must_change_password,
    }
}

pub async fn end(db: &impl ConnectionTrait, session_id: &str) -> Result<(), DbErr> {
    session::Entity::delete_by_id(session_id.to_string())
        .exec(db)
        .await?;
    Ok(())
}

/// "Sign out": ends the request's session, if it has one, and records it.
pub async fn sign_out(
    db: &impl ConnectionTrait,
    session_id: Option<&str>,
    username: Option<&str>,
    ip: Option<&str>,
) {
    let Some(id) = session_id else { return };
    if let Err(error) = end(db, id).await {
        tracing::error!(%error, "could not end session");
    }
    let event = super::audit::Event {
        action: "auth.sign_out",
        actor_name: username,
        ip,
        success: true,
        ..Default::default()
    };
    let _ = super::audit::record(db, event).await;
}

pub async fn end_all_for_user(db: &impl ConnectionTrait, user_id: Uuid) -> Result<u64, DbErr> {
    let result = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Removes sessions past their absolute end or idle limit (run periodically).
pub async fn purge_expired(db: &impl ConnectionTrait, policy: SessionPolicy) -> Result<u64, DbErr> {
    let now = Utc::now();
    let result = session::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(session::Column::ExpiresAt.lte(now))
                .add(session::Column::LastSeenAt.lte(now - policy.idle)),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::roles::ADMIN_ROLE_ID;
    use crate::services::users::{insert, NewUser};
    use crate::testkit::TestDb;
    use chrono::Duration;

    async fn some_user(db: &impl ConnectionTrait) -> crate::db::entities::user::Model {
        insert(
            db,
            NewUser {
                username: "jane.doe".into(),
                email: "jane@example.com".into(),
                first_name: "Jane".into(),
                last_name: "Doe".into(),
                role_id: ADMIN_ROLE_ID,
                status: UserStatus::Active,
                password_hash: None,
            },
        )
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn idle_and_absolute_expiry() {
        let t = TestDb::new().await;
        let user = some_user(&t.db).await;
        let policy = SessionPolicy::default();
        let opened = open(&t.db, user.id, policy, Some("127.0.0.1"), None)
            .await
            .unwrap();
        let now = Utc::now();

        let found = resolve(&t.db, &opened.token, policy, now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.user.username, "jane.doe");
        assert_eq!(
            found.user.permissions.len(),
            shared::model::Permission::ALL.len()
        );
        // Only the hash is stored.
        assert_eq!(found.session_id, tokens::hash_token(&opened.token));
        assert!(session::Entity::find_by_id(opened.token.clone())
            .one(&t.db)
            .await
            .unwrap()
            .is_none());

        // 29 minutes idle is fine; 31 is not, and the session is gone after.
        assert!(
            resolve(&t.db, &opened.token, policy, now + Duration::minutes(29))
                .await
                .unwrap()
                .is_some()
        );
        let later = now + Duration::minutes(29) + Duration::minutes(31);
        assert!(resolve(&t.db, &opened.token, policy, later)
            .await
            .unwrap()
            .is_none());
        assert!(session::Entity::find_by_id(found.session_id)
            .one(&t.db)
            .await
            .unwrap()
            .is_none());

        // Active every 20 minutes, a session still ends after 12 hours.
        let opened = open(&t.db, user.id, policy, None, None).await.unwrap();
        let start = Utc::now();
        let mut at = start;
        for _ in 0..40 {
            at += Duration::minutes(20);
            if resolve(&t.db, &opened.token, policy, at)
                .await
                .unwrap()
                .is_none()
            {
                break;
            }
        }
        assert!(at - start >= Duration::hours(12));
        assert!(at - start <= Duration::hours(12) + Duration::minutes(20));
        assert!(resolve(&t.db, &opened.token, policy, at)
            .await
            .unwrap()
            .is_none());
        t.close().await;
    }

    #[tokio::test]
    async fn deactivated_user_loses_sessions() {
        let t = TestDb::new().await;
        let user = some_user(&t.db).await;
        let policy = SessionPolicy::default();
        let a = open(&t.db, user.id, policy, None, None).await.unwrap();
        let _b = open(&t.db, user.id, policy, None, None).await.unwrap();
        let mut inactive: crate::db::entities::user::ActiveModel = user.clone().into();
        inactive.status = Set(UserStatus::Inactive.as_str().into());
        inactive.update(&t.db).await.unwrap();
        assert!(resolve(&t.db, &a.token, policy, Utc::now())
            .await
            .unwrap()
            .is_none());
        let left = session::Entity::find()
            .filter(session::Column::UserId.eq(user.id))
            .all(&t.db)
            .await
            .unwrap();
        assert!(left.is_empty());
        t.close().await;
    }

    #[tokio::test]
    async fn purge_removes_only_expired() {
        let t = TestDb::new().await;
        let user = some_user(&t.db).await;
        let short = SessionPolicy {
            idle: std::time::Duration::from_secs(0),
            ..Default::default()
        };
        open(&t.db, user.id, short, None, None).await.unwrap();
        let removed = purge_expired(&t.db, short).await.unwrap();
        assert_eq!(removed, 1);
        open(&t.db, user.id, SessionPolicy::default(), None, None)
            .await
            .unwrap();
        assert_eq!(
            purge_expired(&t.db, SessionPolicy::default())
                .await
                .unwrap(),
            0
        );
        t.close().await;
    }
}
