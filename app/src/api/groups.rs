use leptos::prelude::*;

use crate::error::AppError;
use crate::model::GroupView;

#[server(prefix = "/api", endpoint = "groups/list")]
pub async fn list_groups() -> Result<Vec<GroupView>, AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, fail, require};
    require(Permission::GroupsManage)?;
    backend()?.list_groups().await.map_err(fail)
}

#[server(prefix = "/api", endpoint = "groups/create")]
pub async fn create_group(name: String, description: String) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, form_error, request_meta, require};
    let actor = require(Permission::GroupsManage)?;
    backend()?
        .create_group(&actor, &request_meta(), &name, &description)
        .await
        .map_err(|e| form_error(e, "/groups"))
}

/// "Save" on a group's edit form: rename, describe.
#[server(prefix = "/api", endpoint = "groups/update")]
pub async fn update_group(id: String, name: String, description: String) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, form_error, request_meta, require};
    let actor = require(Permission::GroupsManage)?;
    backend()?
        .update_group(&actor, &request_meta(), &id, &name, &description)
        .await
        .map_err(|e| form_error(e, &format!("/groups?edit={id}")))?;
    leptos_axum::redirect("/groups");
    Ok(())
}

#[server(prefix = "/api", endpoint = "groups/delete")]
pub async fn delete_group(id: String) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, form_error, request_meta, require};
    let actor = require(Permission::GroupsManage)?;
    backend()?
        .delete_group(&actor, &request_meta(), &id)
        .await
        .map_err(|e| form_error(e, "/groups"))
}

/// Adds (`member=true`) or removes a user's membership, from the user's page.
#[server(prefix = "/api", endpoint = "groups/set-member")]
pub async fn set_group_member(
    group: String,
    username: String,
    member: bool,
) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, form_error, is_plain_form_post, request_meta, require};
    let actor = require(Permission::GroupsManage)?;
    let page = format!("/users/{username}?tab=groups");
    backend()?
        .set_group_member(&actor, &request_meta(), &group, &username, member)
        .await
        .map_err(|e| form_error(e, &page))?;
    if is_plain_form_post() {
        leptos_axum::redirect(&page);
    }
    Ok(())
}
