//! Installation settings, stored as JSON values in the `settings` table so
//! every instance sharing the database sees the same.
use std::time::Duration;

use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

use crate::db::entities::setting;

pub const SESSION_IDLE_MINUTES: &str = "session.idle_minutes";
pub const SESSION_ABSOLUTE_HOURS: &str = "session.absolute_hours";

pub async fn get_i64(db: &impl ConnectionTrait, key: &str, default: i64) -> Result<i64, DbErr> {
    let row = setting::Entity::find_by_id(key.to_string()).one(db).await?;
    Ok(row
        .and_then(|r| serde_json::from_str::<i64>(&r.value).ok())
        .unwrap_or(default))
}

/// A setting's value, or `default` when unset or unreadable.
pub async fn get<T: serde::de::DeserializeOwned>(
    db: &impl ConnectionTrait,
    key: &str,
    default: T,
) -> Result<T, DbErr> {
    let row = setting::Entity::find_by_id(key.to_string()).one(db).await?;
    Ok(row
        .and_then(|r| serde_json::from_str::<T>(&r.value).ok())
        .unwrap_or(default))
}

pub async fn set_json(
    db: &impl ConnectionTrait,
    key: &str,
    value: serde_json::Value,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::OnConflict;
    use sea_orm::Set;
    let row = setting::ActiveModel {
        key: Set(key.to_string()),
        value: Set(value.to_string()),
        updated_at: Set(chrono::Utc::now()),
    };
    setting::Entity::insert(row)
        .on_conflict(
            OnConflict::column(setting::Column::Key)
                .update_columns([setting::Column::Value, setting::Column::UpdatedAt])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// How long a session lives: idle limit and absolute limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 3600),
        }
    }
}

pub async fn session_policy(db: &impl ConnectionTrait) -> Result<SessionPolicy, DbErr> {
    let idle = get_i64(db, SESSION_IDLE_MINUTES, 30).await?.max(1) as u64;
    let absolute = get_i64(db, SESSION_ABSOLUTE_HOURS, 12).await?.max(1) as u64;
    Ok(SessionPolicy {
        idle: Duration::from_secs(idle * 60),
        absolute: Duration::from_secs(absolute * 3600),
    })
}
