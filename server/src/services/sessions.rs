//! Database sessions: the cookie carries a random token, the table its hash.
use app::model::{CurrentUser, UserStatus};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::settings::SessionPolicy;
use super::{roles, tokens};
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
    Ok(Opened { token, session_id: id })
}

/// A live session's user, as the UI and permission checks see them.
#[derive(Debug, Clone)]
pub struct Resolved {
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
) -> Result<Option<Resolved>, DbErr> {
    let id = tokens::hash_token(token);
    let Some(found) = session::Entity::find_by_id(id.clone()).one(db).await? else {
        return Ok(None);
    };
    let idle_end = found.last_seen_at + policy.idle;
    if now >= found.expires_at || now >= idle_end {
        session::Entity::delete_by_id(id).exec(db).await?;
        return Ok(None);
    }
    let Some(owner) = user::Entity::find_by_id(found.user_id).one(db).await? else {
        return Ok(None);
    };
    if owner.status != UserStatus::Active.as_str() {
        end_all_for_user(db, owner.id).await?;
        return Ok(None);
    }
    if (now - found.last_seen_at).num_seconds() >= TOUCH_EVERY_SECS {
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, sea_orm::sea_query::Expr::value(now))
            .filter(session::Column::Id.eq(id.clone()))
            .exec(db)
            .await?;
    }
    let permissions = roles::permissions_of(db, owner.role_id).await?;
    Ok(Some(Resolved {
        session_id: id,
        user_id: owner.id,
        user: current_user(&owner, permissions),
    }))
}

pub fn current_user(owner: &user::Model, permissions: Vec<app::model::Permission>) -> CurrentUser {
    let name = format!("{} {}", owner.first_name, owner.last_name).trim().to_string();
    CurrentUser {
        username: owner.username.clone(),
        display_name: if name.is_empty() { owner.username.clone() } else { name },
        permissions,
    }
}

pub async fn end(db: &impl ConnectionTrait, session_id: &str) -> Result<(), DbErr> {
    session::Entity::delete_by_id(session_id.to_string()).exec(db).await?;
    Ok(())
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
