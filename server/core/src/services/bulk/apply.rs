//! What a batch does besides the state change: memberships, their audit
//! events, invitations.
use super::*;

pub(super) async fn send_invitations(
    txn: &impl ConnectionTrait,
    params: &BulkParams,
    actor: &Actor,
    change: &[Permit<'_>],
) -> Result<(), DbErr> {
    let public_url = params
        .public_url
        .as_deref()
        .ok_or_else(|| DbErr::Custom("the job has no public address for links".into()))?;
    for permit in change {
        crate::services::invitations::send(txn, actor, permit.user(), public_url)
            .await
            .map_err(|e| DbErr::Custom(e.to_string()))?;
    }
    Ok(())
}

pub(super) async fn apply_groups(
    txn: &impl ConnectionTrait,
    params: &BulkParams,
    change: &[Permit<'_>],
) -> Result<(), DbErr> {
    let ids: Vec<Uuid> = change.iter().map(|p| p.user().id).collect();
    let now = Utc::now();
    match (params.action, params.target) {
        (BulkAction::AddToGroup, Some(group_id)) => {
            group_member::Entity::insert_many(ids.into_iter().map(|user_id| {
                group_member::ActiveModel {
                    group_id: Set(group_id),
                    user_id: Set(user_id),
                    created_at: Set(now),
                }
            }))
            .exec(txn)
            .await?;
        }
        (BulkAction::RemoveFromGroup, Some(group_id)) => {
            group_member::Entity::delete_many()
                .filter(group_member::Column::GroupId.eq(group_id))
                .filter(group_member::Column::UserId.is_in(ids))
                .exec(txn)
                .await?;
        }
        _ => return Err(DbErr::Custom("the job has no group".into())),
    }
    Ok(())
}

/// One audit event per user added or removed, naming the job.
pub(super) async fn audit_groups(
    txn: &impl ConnectionTrait,
    job: &job::Model,
    params: &BulkParams,
    actor: &Actor,
    change: &[Permit<'_>],
) -> Result<(), DbErr> {
    let now = Utc::now();
    let action = if params.action == BulkAction::AddToGroup {
        "group.add_member"
    } else {
        "group.remove_member"
    };
    let group = params.target_name.clone().unwrap_or_default();
    let events: Vec<audit_event::ActiveModel> = change
        .iter()
        .map(|p| {
            let details = serde_json::json!({ "group": group, "job": job.id.to_string() });
            crate::services::audit::user_change_row(
                actor,
                action,
                (p.user().id, &p.user().username),
                details,
                now,
            )
        })
        .collect();
    crate::services::audit::insert_rows(txn, &events).await?;
    Ok(())
}
