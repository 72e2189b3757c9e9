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

/// A custom role; `permissions` are the checked boxes' names.
#[server(prefix = "/api", endpoint = "roles/create")]
pub async fn create_role(
    name: String,
    description: String,
    permissions: Option<Vec<String>>,
) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, fail, is_plain_form_post, request_meta, require};
    let actor = require(Permission::RolesManage)?;
    let permissions: Vec<Permission> = permissions
        .unwrap_or_default()
        .iter()
        .filter_map(|p| Permission::parse(p))
        .collect();
    match backend()?
        .create_role(&actor, &request_meta(), &name, &description, &permissions)
        .await
    {
        Ok(()) => Ok(()),
        Err(error) if is_plain_form_post() => {
            leptos_axum::redirect(&format!(
                "/roles?error={}",
                crate::routes::encode_query_value(&error.summary())
            ));
            Err(error)
        }
        Err(error) => Err(fail(error)),
    }
}

#[server(prefix = "/api", endpoint = "roles/delete")]
pub async fn delete_role(id: String) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, fail, is_plain_form_post, request_meta, require};
    let actor = require(Permission::RolesManage)?;
    match backend()?.delete_role(&actor, &request_meta(), &id).await {
        Ok(()) => Ok(()),
        Err(error) if is_plain_form_post() => {
            leptos_axum::redirect(&format!(
                "/roles?error={}",
                crate::routes::encode_query_value(&error.summary())
            ));
            Err(error)
        }
        Err(error) => Err(fail(error)),
    }
}
