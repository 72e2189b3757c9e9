//! What the table and the forms offer to choose: roles, groups, states.
use super::*;

/// Every role's name by id (a handful of rows).
pub async fn role_names(db: &impl ConnectionTrait) -> Result<HashMap<Uuid, String>, AppError> {
    Ok(role::Entity::find()
        .all(db)
        .await
        .map_err(db_error)?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect())
}

/// Roles and groups by name, for the filter choices.
pub async fn options(
    db: &impl ConnectionTrait,
    actor: &crate::services::actor::Actor,
) -> Result<shared::model::FilterChoices, AppError> {
    let givable = crate::services::access::Authority::load(db, actor)
        .await?
        .assignable_roles()
        .into_iter()
        .map(|id| id.to_string())
        .collect();
    let roles = role::Entity::find()
        .order_by_asc(role::Column::Name)
        .all(db)
        .await
        .map_err(db_error)?;
    let groups = group::Entity::find()
        .order_by_asc(group::Column::NameLc)
        .all(db)
        .await
        .map_err(db_error)?;
    Ok(shared::model::FilterChoices {
        roles: roles
            .into_iter()
            .map(|r| (r.id.to_string(), r.name))
            .collect(),
        groups: groups
            .into_iter()
            .map(|g| (g.id.to_string(), g.name))
            .collect(),
        givable,
    })
}
