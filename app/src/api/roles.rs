use leptos::prelude::*;

use crate::error::AppError;
use crate::model::RoleView;

#[server(prefix = "/api", endpoint = "roles/list")]
pub async fn list_roles() -> Result<Vec<RoleView>, AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, fail, require};
    require(Permission::RolesManage)?;
    backend()?.list_roles().await.map_err(fail)
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
    use crate::ssr::{backend, form_error, request_meta, require};
    let actor = require(Permission::RolesManage)?;
    let permissions = checked(permissions);
    backend()?
        .create_role(&actor, &request_meta(), &name, &description, &permissions)
        .await
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
    use crate::ssr::{backend, form_error, request_meta, require};
    let actor = require(Permission::RolesManage)?;
    let permissions = checked(permissions);
    backend()?
        .update_role(
            &actor,
            &request_meta(),
            &id,
            &name,
            &description,
            &permissions,
        )
        .await
        .map_err(|e| form_error(e, &format!("/roles?edit={id}")))?;
    leptos_axum::redirect("/roles");
    Ok(())
}

#[server(prefix = "/api", endpoint = "roles/delete")]
pub async fn delete_role(id: String) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, form_error, request_meta, require};
    let actor = require(Permission::RolesManage)?;
    backend()?
        .delete_role(&actor, &request_meta(), &id)
        .await
        .map_err(|e| form_error(e, "/roles"))
}
