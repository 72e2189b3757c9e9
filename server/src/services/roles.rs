//! Roles and the permissions they grant.
use app::model::Permission;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::db::entities::{role, role_permission};

/// The built-in roles have fixed ids so code and migrations can name them.
pub const ADMIN_ROLE_ID: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0001);
pub const USER_ROLE_ID: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0002);

/// Every permission the role grants (all of them for Admin).
pub async fn permissions_of(
    db: &impl ConnectionTrait,
    role_id: Uuid,
) -> Result<Vec<Permission>, DbErr> {
    let Some(role) = role::Entity::find_by_id(role_id).one(db).await? else {
        return Ok(Vec::new());
    };
    if role.all_permissions {
        return Ok(Permission::ALL.to_vec());
    }
    let rows = role_permission::Entity::find()
        .filter(role_permission::Column::RoleId.eq(role_id))
        .all(db)
        .await?;
    let mut permissions: Vec<Permission> = rows
        .iter()
        .filter_map(|r| Permission::parse(&r.permission))
        .collect();
    permissions.sort();
    Ok(permissions)
}
