//! Roles and the permissions they grant.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::access::permissions_of;
use shared::model::permission::with_needed;
use shared::model::Permission;
use uuid::Uuid;

pub use crate::db::entities::role::{ADMIN_ROLE_ID, USER_ROLE_ID};
use crate::db::entities::{role, role_permission, user};

/// The chosen role of a form, or a "Choose a role." error on `role`.
pub async fn chosen(
    db: &impl ConnectionTrait,
    role_id: Uuid,
    errors: &mut Vec<shared::error::FieldError>,
) -> Result<Option<role::Model>, shared::AppError> {
    let found = role::Entity::find_by_id(role_id)
        .one(db)
        .await
        .map_err(super::db_error)?;
    if found.is_none() {
        errors.push(shared::error::FieldError {
            field: "role".into(),
            message: "Choose a role.".into(),
        });
    }
    Ok(found)
}

/// Every role with its permissions and how many users hold it.
pub async fn list(
    db: &impl ConnectionTrait,
) -> Result<Vec<shared::model::RoleView>, shared::AppError> {
    use sea_orm::{QueryOrder, QuerySelect};
    let roles = role::Entity::find()
        .order_by_desc(role::Column::Builtin)
        .order_by_asc(role::Column::Name)
        .all(db)
        .await
        .map_err(super::db_error)?;
    let counts: Vec<(Uuid, i64)> = user::Entity::find()
        .select_only()
        .column(user::Column::RoleId)
        .expr(sea_orm::sea_query::Expr::cust("COUNT(*)"))
        .group_by(user::Column::RoleId)
        .into_tuple()
        .all(db)
        .await
        .map_err(super::db_error)?;
    let mut out = Vec::with_capacity(roles.len());
    for r in roles {
        out.push(shared::model::RoleView {
            id: r.id.to_string(),
            permissions: permissions_of(db, r.id).await.map_err(super::db_error)?,
            users: counts
                .iter()
                .find(|(id, _)| *id == r.id)
                .map(|(_, n)| *n as u64)
                .unwrap_or(0),
            name: r.name,
            description: r.description,
            builtin: r.builtin,
        });
    }
    Ok(out)
}

/// A custom role: a unique name (2–64 characters) and a set of permissions.
pub async fn create(
    db: &sea_orm::DatabaseConnection,
    actor: &super::actor::Actor,
    name: &str,
    description: &str,
    permissions: &[Permission],
) -> Result<Uuid, shared::AppError> {
    use sea_orm::{ActiveModelTrait, Set, TransactionTrait};
    let name = name.trim();
    let permissions = &with_needed(permissions);
    super::access::Authority::load(db, actor)
        .await?
        .may_define(None, permissions)?;
    check(db, name, permissions, None).await?;
    let now = chrono::Utc::now();
    let id = Uuid::new_v4();
    let txn = db.begin().await.map_err(super::db_error)?;
    role::ActiveModel {
        id: Set(id),
        name: Set(name.to_string()),
        description: Set(description.trim().to_string()),
        builtin: Set(false),
        all_permissions: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(super::db_error)?;
    add_permissions(&txn, id, permissions).await?;
    let summary = serde_json::json!({
        "after": { "permissions": permissions.iter().map(|p| p.as_str()).collect::<Vec<_>>() }
    });
    super::audit::record_change(
        &txn,
        actor,
        "role.create",
        ("role", id.to_string(), name),
        Some(summary),
    )
    .await?;
    txn.commit().await.map_err(super::db_error)?;
    Ok(id)
}

/// A custom role's name (2–64 characters, unique in any case) and
/// permissions (at least one); `except` is the role being edited.
async fn check(
    db: &impl sea_orm::ConnectionTrait,
    name: &str,
    permissions: &[Permission],
    except: Option<Uuid>,
) -> Result<(), shared::AppError> {
    use shared::AppError;
    if !(2..=64).contains(&name.chars().count()) {
        return Err(AppError::field(
            "name",
            "A role name has 2 to 64 characters.",
        ));
    }
    let taken = role::Entity::find()
        .all(db)
        .await
        .map_err(super::db_error)?
        .iter()
        .any(|r| Some(r.id) != except && r.name.to_lowercase() == name.to_lowercase());
    if taken {
        return Err(AppError::field(
            "name",
            "A role with this name already exists.",
        ));
    }
    if permissions.is_empty() {
        return Err(AppError::field(
            "permissions",
            "Choose at least one permission.",
        ));
    }
    Ok(())
}

/// Changes a custom role's name, description and permissions; holders get
/// the new permissions with their next request.
pub async fn update(
    db: &sea_orm::DatabaseConnection,
    actor: &super::actor::Actor,
    id: Uuid,
    name: &str,
    description: &str,
    permissions: &[Permission],
) -> Result<(), shared::AppError> {
    use sea_orm::{ActiveModelTrait, Set, TransactionTrait};
    use shared::AppError;
    let name = name.trim();
    let description = description.trim();
    let permissions = &with_needed(permissions);
    let txn = db.begin().await.map_err(super::db_error)?;
    let found = role::Entity::find_by_id(id)
        .one(&txn)
        .await
        .map_err(super::db_error)?
        .ok_or(AppError::NotFound)?;
    if found.builtin {
        return Err(AppError::Conflict(format!(
            "{} is built in and cannot be changed.",
            found.name
        )));
    }
    super::access::Authority::load(&txn, actor)
        .await?
        .may_define(Some(id), permissions)?;
    check(&txn, name, permissions, Some(id)).await?;
    let before = permissions_of(&txn, id).await.map_err(super::db_error)?;
    let names = |ps: &[Permission]| ps.iter().map(|p| p.as_str()).collect::<Vec<_>>();
    let details = serde_json::json!({
        "before": { "name": found.name, "description": found.description, "permissions": names(&before) },
        "after": { "name": name, "description": description, "permissions": names(permissions) },
    });
    let mut m: role::ActiveModel = found.into();
    m.name = Set(name.to_string());
    m.description = Set(description.to_string());
    m.updated_at = Set(chrono::Utc::now());
    m.update(&txn).await.map_err(super::db_error)?;
    role_permission::Entity::delete_many()
        .filter(role_permission::Column::RoleId.eq(id))
        .exec(&txn)
        .await
        .map_err(super::db_error)?;
    add_permissions(&txn, id, permissions).await?;
    super::audit::record_change(
        &txn,
        actor,
        "role.update",
        ("role", id.to_string(), name),
        Some(details),
    )
    .await?;
    txn.commit().await.map_err(super::db_error)
}

async fn add_permissions(
    db: &impl sea_orm::ConnectionTrait,
    id: Uuid,
    permissions: &[Permission],
) -> Result<(), shared::AppError> {
    use sea_orm::{ActiveModelTrait, Set};
    for p in permissions {
        role_permission::ActiveModel {
            role_id: Set(id),
            permission: Set(p.as_str().into()),
        }
        .insert(db)
        .await
        .map_err(super::db_error)?;
    }
    Ok(())
}

/// Deletes a custom role nobody holds.
pub async fn delete(
    db: &sea_orm::DatabaseConnection,
    actor: &super::actor::Actor,
    id: Uuid,
) -> Result<(), shared::AppError> {
    use sea_orm::{ModelTrait, PaginatorTrait, TransactionTrait};
    use shared::AppError;
    let txn = db.begin().await.map_err(super::db_error)?;
    let found = role::Entity::find_by_id(id)
        .one(&txn)
        .await
        .map_err(super::db_error)?;
    let Some(found) = found else {
        return Err(AppError::NotFound);
    };
    if found.builtin {
        return Err(AppError::Conflict(format!(
            "{} is built in and cannot be deleted.",
            found.name
        )));
    }
    super::access::Authority::load(&txn, actor)
        .await?
        .may_define(Some(id), &[])?;
    let holders = user::Entity::find()
        .filter(user::Column::RoleId.eq(id))
        .count(&txn)
        .await
        .map_err(super::db_error)?;
    if holders > 0 {
        return Err(AppError::Conflict(format!(
            "{} users have the role {}; give them another role first.",
            holders, found.name
        )));
    }
    super::audit::record_change(
        &txn,
        actor,
        "role.delete",
        ("role", id.to_string(), &found.name),
        None,
    )
    .await?;
    found.delete(&txn).await.map_err(super::db_error)?;
    txn.commit().await.map_err(super::db_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::TestDb;
    use shared::AppError;

    #[tokio::test]
    async fn custom_roles() {
        let t = TestDb::new().await;
        let actor = crate::testkit::actor_for(&crate::testkit::add_root(&t.db).await);
        let id = create(&t.db, &actor, "Viewer", "Reads", &[Permission::UsersRead])
            .await
            .unwrap();
        assert_eq!(
            permissions_of(&t.db, id).await.unwrap(),
            vec![Permission::UsersRead]
        );
        let dup = create(&t.db, &actor, "viewer", "", &[Permission::UsersRead]).await;
        assert_eq!(
            dup.unwrap_err().field_message("name").as_deref(),
            Some("A role with this name already exists.")
        );
        assert!(create(&t.db, &actor, "Empty", "", &[])
            .await
            .unwrap_err()
            .field_message("permissions")
            .is_some());
        let all = list(&t.db).await.unwrap();
        assert_eq!(
            all.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["Admin", "General user", "Viewer"]
        );
        assert_eq!(all[0].permissions.len(), Permission::ALL.len());
        assert!(matches!(
            delete(&t.db, &actor, ADMIN_ROLE_ID).await,
            Err(AppError::Conflict(_))
        ));
        // Edit: a new name and permissions; built-in roles stay as they are.
        update(
            &t.db,
            &actor,
            id,
            "Auditor",
            "Reads the log",
            &[Permission::AuditRead, Permission::UsersRead],
        )
        .await
        .unwrap();
        assert_eq!(
            permissions_of(&t.db, id).await.unwrap(),
            vec![Permission::UsersRead, Permission::AuditRead]
        );
        // Changing users needs seeing them: saved with it, whatever was ticked.
        let desk = create(&t.db, &actor, "Desk", "", &[Permission::UsersWrite])
            .await
            .unwrap();
        assert_eq!(
            permissions_of(&t.db, desk).await.unwrap(),
            vec![Permission::UsersRead, Permission::UsersWrite]
        );
        let clash = update(&t.db, &actor, id, "admin", "", &[Permission::UsersRead]).await;
        assert!(clash.unwrap_err().field_message("name").is_some());
        assert!(matches!(
            update(
                &t.db,
                &actor,
                USER_ROLE_ID,
                "Everyone",
                "",
                &[Permission::UsersRead]
            )
            .await,
            Err(AppError::Conflict(_))
        ));
        delete(&t.db, &actor, id).await.unwrap();
        delete(&t.db, &actor, desk).await.unwrap();
        assert_eq!(list(&t.db).await.unwrap().len(), 2);
        t.close().await;
    }
}
