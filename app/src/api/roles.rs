use leptos::prelude::*;

use crate::error::AppError;
use crate::model::RoleView;

#[server(prefix = "/api", endpoint = "roles/list")]
pub async fn list_roles() -> Result<Vec<RoleView>, AppError> {
    use crate::model::Permission;
    use crate::ssr::{fail, require, state};
    require(Permission::RolesManage)?;
    usher_core::services::roles::list(&state()?.db)
        .await
        .map_err(fail)
}

/// The permissions whose boxes were checked (unknown names are ignored).
#[cfg(feature = "ssr")]
fn checked(names: Option<Vec<String>>) -> Vec<crate::model::Permission> {
    names
        .unwrap_or_default()
        .iter()
        .filter_map(|p| crate::model::Permission::parse(p))
        .collect()
}

/// A custom role; `permissions` are the checked boxes' names.
#[server(prefix = "/api", endpoint = "roles/create")]
pub async fn create_role(
    name: String,
    description: String,
    permissions: Option<Vec<String>>,
) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{actor, form_error, state};
    let actor = actor(Permission::RolesManage)?;
    let permissions = checked(permissions);
    let db = state()?.db;
    usher_core::services::roles::create(&db, &actor, &name, &description, &permissions)
        .await
        .map(|_| ())
        .map_err(|e| form_error(e, "/roles"))
}

/// "Save" on a custom role's edit form.
#[server(prefix = "/api", endpoint = "roles/update")]
pub async fn update_role(
    id: String,
    name: String,
    description: String,
    permissions: Option<Vec<String>>,
) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{actor, form_error, state};
    use usher_core::services::{parse_id, roles};
    let actor = actor(Permission::RolesManage)?;
    let permissions = checked(permissions);
    let db = state()?.db;
    let updated = match parse_id(&id) {
        Ok(uuid) => roles::update(&db, &actor, uuid, &name, &description, &permissions).await,
        Err(error) => Err(error),
    };
    updated.map_err(|e| form_error(e, &format!("/roles?edit={id}")))?;
    leptos_axum::redirect("/roles");
    Ok(())
}

#[server(prefix = "/api", endpoint = "roles/delete")]
pub async fn delete_role(id: String) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{actor, form_error, state};
    use usher_core::services::{parse_id, roles};
    let actor = actor(Permission::RolesManage)?;
    let db = state()?.db;
    let deleted = match parse_id(&id) {
        Ok(uuid) => roles::delete(&db, &actor, uuid).await,
        Err(error) => Err(error),
    };
    deleted.map_err(|e| form_error(e, "/roles"))
}
