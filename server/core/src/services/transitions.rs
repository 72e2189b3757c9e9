//! The user transitions (activate, deactivate, delete, change role), set
//! based: the user page passes one permit, a mass action a batch of them.
//! Each writes its change with one statement per table, ends what the change
//! ends (sessions, certificates) and writes one audit event per user, in the
//! caller's transaction.
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use shared::model::{RevocationReason, UserStatus};
use uuid::Uuid;

use super::access::{Act, Permit};
use super::actor::Actor;
use super::audit::{self, AuditAction};
use crate::db::entities::{session, user};

/// What a batch of transitions ended, for the caller's message.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Ended {
    pub sessions: u64,
    pub certificates: u64,
}

/// Applies `permits` (all for the same act) and records them; `source`
/// names what made the change in each audit event (`("job", id)` for a mass
/// action, `("import", file)` for an import).
pub async fn apply(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    permits: &[Permit<'_>],
    source: Option<(&str, String)>,
) -> Result<Ended, DbErr> {
    let Some(first) = permits.first() else {
        return Ok(Ended::default());
    };
    let act = first.act();
    if permits.iter().any(|p| p.act() != act) {
        return Err(DbErr::Custom("one act per batch of transitions".into()));
    }
    let seqs: Vec<i64> = permits.iter().map(|p| p.user().seq).collect();
    let ids: Vec<Uuid> = permits.iter().map(|p| p.user().id).collect();
    let now = Utc::now();
    let set_status = |status: UserStatus| {
        user::Entity::update_many()
            .col_expr(user::Column::Status, Expr::value(status.as_str()))
            .col_expr(user::Column::UpdatedAt, Expr::value(now))
            .filter(user::Column::Seq.is_in(seqs.clone()))
    };
    let mut ended = Ended::default();
    let (action, after): (AuditAction, fn(&user::Model) -> serde_json::Value) = match act {
        Act::Activate => {
            set_status(UserStatus::Active).exec(txn).await?;
            (
                AuditAction::UserActivate,
                |_| serde_json::json!({ "status": UserStatus::Active.as_str() }),
            )
        }
        Act::Deactivate => {
            set_status(UserStatus::Inactive).exec(txn).await?;
            // Signed out everywhere at once, and their certificates stop working.
            ended = end_access(txn, &ids).await?;
            (
                AuditAction::UserDeactivate,
                |_| serde_json::json!({ "status": UserStatus::Inactive.as_str() }),
            )
        }
        Act::Delete => {
            ended = end_access(txn, &ids).await?;
            user::Entity::delete_many()
                .filter(user::Column::Seq.is_in(seqs))
                .exec(txn)
                .await?;
            (AuditAction::UserDelete, |_| serde_json::Value::Null)
        }
        Act::SetRole(role_id) => {
            user::Entity::update_many()
                .col_expr(user::Column::RoleId, Expr::value(role_id))
                .col_expr(user::Column::UpdatedAt, Expr::value(now))
                .filter(user::Column::Seq.is_in(seqs))
                .exec(txn)
                .await?;
            (AuditAction::UserUpdate, |_| serde_json::Value::Null)
        }
        other => {
            return Err(DbErr::Custom(format!(
                "{other:?} is not a transition of the user's state"
            )))
        }
    };
    let events: Vec<_> = permits
        .iter()
        .map(|p| {
            let row = p.user();
            let mut details = match act {
                Act::Delete => serde_json::json!({
                    "before": { "email": row.email, "status": row.status },
                }),
                Act::SetRole(role_id) => serde_json::json!({
                    "before": { "role_id": row.role_id }, "after": { "role_id": role_id },
                }),
                _ => serde_json::json!({
                    "before": { "status": row.status }, "after": after(row),
                }),
            };
            if let Some((kind, name)) = &source {
                details[*kind] = serde_json::Value::String(name.clone());
            }
            // One user: the count is theirs, and the audit log can say it.
            if permits.len() == 1 && ended.certificates > 0 {
                details["certificates_revoked"] = ended.certificates.into();
            }
            audit::user_change_row(
                actor,
                action.as_str(),
                (row.id, &row.username),
                details,
                now,
            )
        })
        .collect();
    audit::insert_rows(txn, &events).await?;
    Ok(ended)
}

/// Ends the users' sessions and revokes their certificates (a deactivation
/// or deletion, whatever the path: the import's deactivations too).
pub async fn end_access(txn: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Ended, DbErr> {
    let sessions = session::Entity::delete_many()
        .filter(session::Column::UserId.is_in(ids.to_vec()))
        .exec(txn)
        .await?
        .rows_affected;
    let certificates =
        super::certificates::revoke_all_of(txn, ids, RevocationReason::CessationOfOperation)
            .await?;
    Ok(Ended {
        sessions,
        certificates,
    })
}
