//! The audit log: who did what to whom, and whether it worked.
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, NotSet, Set};
use uuid::Uuid;

use crate::db::entities::audit_event;

#[derive(Debug, Default, Clone)]
pub struct Event<'a> {
    pub action: &'a str,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<&'a str>,
    pub target_kind: Option<&'a str>,
    pub target_id: Option<String>,
    pub target_name: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub success: bool,
    pub details: Option<serde_json::Value>,
}

pub async fn record(db: &impl ConnectionTrait, event: Event<'_>) -> Result<(), DbErr> {
    audit_event::ActiveModel {
        id: NotSet,
        occurred_at: Set(chrono::Utc::now()),
        actor_id: Set(event.actor_id),
        actor_name: Set(event.actor_name.map(str::to_string)),
        action: Set(event.action.to_string()),
        target_kind: Set(event.target_kind.map(str::to_string)),
        target_id: Set(event.target_id),
        target_name: Set(event.target_name.map(str::to_string)),
        ip: Set(event.ip.map(str::to_string)),
        success: Set(event.success),
        details: Set(event.details.map(|d| d.to_string())),
    }
    .insert(db)
    .await?;
    Ok(())
}
