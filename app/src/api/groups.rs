use leptos::prelude::*;

use crate::error::AppError;
use crate::model::GroupView;

#[server(prefix = "/api", endpoint = "groups/list")]
pub async fn list_groups() -> Result<Vec<GroupView>, AppError> {
    use crate::model::Permission;
    use crate::ssr::{fail, require, state};
    require(Permission::GroupsManage)?;
    usher_core::services::groups::list(&state()?.db)
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "groups/create")]
pub async fn create_group(name: String, description: String) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{actor, form_error, state};
    let actor = actor(Permission::GroupsManage)?;
    usher_core::services::groups::create(&state()?.db, &actor, &name, &description)
        .await
        .map(|_| ())
        .map_err(|e| form_error(e, "/groups"))
}

/// "Save" on a group's edit form: rename, describe.
#[server(prefix = "/api", endpoint = "groups/update")]
pub async fn update_group(id: String, name: String, description: String) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{actor, form_error, state};
    use usher_core::services::{groups, parse_id};
    let actor = actor(Permission::GroupsManage)?;
    let db = state()?.db;
    let updated = match parse_id(&id) {
        Ok(uuid) => groups::update(&db, &actor, uuid, &name, &description).await,
        Err(error) => Err(error),
    };
    updated.map_err(|e| form_error(e, &format!("/groups?edit={id}")))?;
    leptos_axum::redirect("/groups");
    Ok(())
}

#[server(prefix = "/api", endpoint = "groups/delete")]
pub async fn delete_group(id: String) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{actor, form_error, state};
    use usher_core::services::{groups, parse_id};
    let actor = actor(Permission::GroupsManage)?;
    let db = state()?.db;
    let deleted = match parse_id(&id) {
        Ok(uuid) => groups::delete(&db, &actor, uuid).await,
        Err(error) => Err(error),
    };
    deleted.map_err(|e| form_error(e, "/groups"))
}

/// Adds (`member=true`) or removes a user's membership, from the user's page.
/// A plain form comes back to the tab, which acknowledges the change (with
/// Undo for a removal).
#[server(prefix = "/api", endpoint = "groups/set-member")]
pub async fn set_group_member(
    group: String,
    username: String,
    member: bool,
) -> Result<crate::model::MembershipChange, AppError> {
    use crate::model::Permission;
    use crate::routes::encode_query_value;
    use crate::ssr::{actor, form_error, is_plain_form_post, state};
    use usher_core::services::groups;
    let actor = actor(Permission::GroupsManage)?;
    let page = format!("/users/{}?tab=groups", encode_query_value(&username));
    let (id, name) = groups::set_member_of(&state()?.db, &actor, &group, &username, member)
        .await
        .map_err(|e| form_error(e, &page))?;
    let change = crate::model::MembershipChange {
        group_id: id.to_string(),
        group: name,
        member,
    };
    if is_plain_form_post() {
        leptos_axum::redirect(&format!("{page}&{}", change.query()));
    }
    Ok(change)
}
