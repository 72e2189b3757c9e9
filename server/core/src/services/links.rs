//! One-time links (invitation, password recovery, and later email
//! confirmation): a random token in the link, only its SHA-256 stored, bound
//! to one user and one purpose, expiring, and used at most once.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use uuid::Uuid;

use super::tokens;
use crate::db::entities::{one_time_token, user};

/// Makes a new link for `user_id` and ends that user's earlier unused links
/// of the same purpose. Returns the token for the link and whether an
/// earlier link was ended.
pub async fn issue(
    db: &impl ConnectionTrait,
    purpose: &str,
    user_id: Uuid,
    validity: Duration,
) -> Result<(String, bool), DbErr> {
    let ended = end_all(db, purpose, user_id).await?;
    let token = add(db, purpose, user_id, validity).await?;
    Ok((token, ended > 0))
}

/// Makes a new link and leaves earlier ones valid: for requests anyone can
/// make, which must not be able to end the links in the owner's mailbox.
pub async fn add(
    db: &impl ConnectionTrait,
    purpose: &str,
    user_id: Uuid,
    validity: Duration,
) -> Result<String, DbErr> {
    let now = Utc::now();
    let (token, id) = tokens::new_token();
    one_time_token::ActiveModel {
        id: Set(id),
        purpose: Set(purpose.into()),
        user_id: Set(Some(user_id)),
        created_at: Set(now),
        expires_at: Set(now + validity),
        used_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Locks the user's row until the transaction ends (a no-op update, which
/// both back-ends treat as a write lock), so a limit checked after it
/// cannot be passed by two requests at once.
pub async fn lock_user(txn: &impl ConnectionTrait, user_id: Uuid) -> Result<(), DbErr> {
    user::Entity::update_many()
        .col_expr(user::Column::Seq, Expr::col(user::Column::Seq))
        .filter(user::Column::Id.eq(user_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Ends the user's unused links of this purpose (a password change ends
/// any recovery link already sent).
pub async fn end_all(
    db: &impl ConnectionTrait,
    purpose: &str,
    user_id: Uuid,
) -> Result<u64, DbErr> {
    end_matching(db, Some(purpose), user_id).await
}

/// Ends every unused link of the user, whatever its purpose (their email
/// address changed: links mailed to the old one must stop working).
pub async fn end_every(db: &impl ConnectionTrait, user_id: Uuid) -> Result<u64, DbErr> {
    end_matching(db, None, user_id).await
}

/// Ends the user's unused links, of one purpose or all.
async fn end_matching(
    db: &impl ConnectionTrait,
    purpose: Option<&str>,
    user_id: Uuid,
) -> Result<u64, DbErr> {
    let now = Utc::now();
    let mut update = one_time_token::Entity::update_many()
        .col_expr(one_time_token::Column::ExpiresAt, Expr::value(now))
        .filter(one_time_token::Column::UserId.eq(user_id))
        .filter(one_time_token::Column::UsedAt.is_null())
        .filter(one_time_token::Column::ExpiresAt.gt(now));
    if let Some(purpose) = purpose {
        update = update.filter(one_time_token::Column::Purpose.eq(purpose));
    }
    Ok(update.exec(db).await?.rows_affected)
}

/// The link's row and its user, whatever state they are in.
pub async fn find(
    db: &impl ConnectionTrait,
    purpose: &str,
    token: &str,
) -> Result<Option<(one_time_token::Model, user::Model)>, DbErr> {
    let Some(row) = one_time_token::Entity::find_by_id(tokens::hash_token(token))
        .filter(one_time_token::Column::Purpose.eq(purpose))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(user_id) = row.user_id else {
        return Ok(None);
    };
    let owner = user::Entity::find()
        .filter(user::Column::Id.eq(user_id))
        .one(db)
        .await?;
    Ok(owner.map(|u| (row, u)))
}

/// Whether the link is unused and unexpired.
pub fn usable(row: &one_time_token::Model) -> bool {
    row.used_at.is_none() && row.expires_at > Utc::now()
}

/// Marks the link used, if it still can be; `false` when it was used,
/// replaced or expired meanwhile (the caller then rolls back).
pub async fn claim(db: &impl ConnectionTrait, purpose: &str, token: &str) -> Result<bool, DbErr> {
    let now = Utc::now();
    let claimed = one_time_token::Entity::update_many()
        .col_expr(one_time_token::Column::UsedAt, Expr::value(now))
        .filter(one_time_token::Column::Id.eq(tokens::hash_token(token)))
        .filter(one_time_token::Column::Purpose.eq(purpose))
        .filter(one_time_token::Column::UsedAt.is_null())
        .filter(one_time_token::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// When the user's latest link of this purpose was made, if ever.
pub async fn latest(
    db: &impl ConnectionTrait,
    purpose: &str,
    user_id: Uuid,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    let latest = one_time_token::Entity::find()
        .filter(one_time_token::Column::Purpose.eq(purpose))
        .filter(one_time_token::Column::UserId.eq(user_id))
        .order_by_desc(one_time_token::Column::CreatedAt)
        .one(db)
        .await?;
    Ok(latest.map(|t| t.created_at))
}

/// How many links of this purpose the user got since `since`.
pub async fn count_since(
    db: &impl ConnectionTrait,
    purpose: &str,
    user_id: Uuid,
    since: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    one_time_token::Entity::find()
        .filter(one_time_token::Column::Purpose.eq(purpose))
        .filter(one_time_token::Column::UserId.eq(user_id))
        .filter(one_time_token::Column::CreatedAt.gt(since))
        .count(db)
        .await
}
