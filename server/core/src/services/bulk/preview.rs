//! The confirmation step: how many users, which of them are refused, and
//! what the action needs chosen.
use super::*;

/// The confirmation: the exact count, a few names, and the roles or groups.
pub async fn preview(
    db: &DatabaseConnection,
    actor: &Actor,
    request: &BulkRequest,
) -> Result<BulkPreview, AppError> {
    let authority = Authority::load(db, actor).await?;
    check_action(&authority, request.action)?;
    let condition = selection_condition(db, &request.selection).await?;
    let count = user::Entity::find()
        .filter(condition.clone())
        .count(db)
        .await
        .map_err(db_error)?;
    let sample: Vec<String> = user::Entity::find()
        .select_only()
        .column(user::Column::Username)
        .filter(condition.clone())
        .order_by_asc(user::Column::Seq)
        .limit(5)
        .into_tuple()
        .all(db)
        .await
        .map_err(db_error)?;
    let choices = match request.action.target() {
        Some(shared::model::bulk::BulkTarget::Role) => {
            let assignable = authority.assignable_roles();
            crate::services::roles::list(db)
                .await?
                .into_iter()
                .filter(|r| assignable.iter().any(|id| id.to_string() == r.id))
                .map(|r| (r.id, r.name))
                .collect()
        }
        Some(shared::model::bulk::BulkTarget::Group) => crate::services::groups::list(db)
            .await?
            .into_iter()
            .map(|g| (g.id, g.name))
            .collect(),
        None => Vec::new(),
    };
    let certificates = if matches!(request.action, BulkAction::Deactivate | BulkAction::Delete) {
        crate::services::certificates::working_count(db, condition.clone()).await?
    } else {
        0
    };
    let refused = refused_in(db, &authority, request.action, condition).await?;
    Ok(BulkPreview {
        certificates,
        action: request.action,
        count,
        sample,
        choices,
        refused,
    })
}

/// The selection's users the rules refuse whatever the state: those whose
/// role outranks the actor, and the actor themselves for lifecycle acts.
pub(super) async fn refused_in(
    db: &impl ConnectionTrait,
    authority: &Authority,
    action: BulkAction,
    condition: Condition,
) -> Result<Vec<(String, u64)>, AppError> {
    let above: Vec<Uuid> = authority.roles_above();
    let mut out = Vec::new();
    if !above.is_empty() {
        let n = user::Entity::find()
            .filter(condition.clone())
            .filter(user::Column::RoleId.is_in(above))
            .count(db)
            .await
            .map_err(db_error)?;
        if n > 0 {
            out.push((access::OUTRANKS_YOU.to_string(), n));
        }
    }
    let lifecycle = matches!(
        action,
        BulkAction::Activate | BulkAction::Deactivate | BulkAction::Delete | BulkAction::SetRole
    );
    if lifecycle {
        let me = user::Entity::find()
            .filter(condition)
            .filter(user::Column::Id.eq(authority.actor().id))
            .count(db)
            .await
            .map_err(db_error)?;
        if me > 0 {
            out.push((access::YOURSELF.to_string(), me));
        }
    }
    Ok(out)
}
