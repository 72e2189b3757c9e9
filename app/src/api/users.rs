// A server function's arguments are its form's fields, one each.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::UserPage;

/// One page of the users table; `query` is the page's URL query string.
#[server(prefix = "/api", endpoint = "users/list")]
pub async fn list_users(query: String) -> Result<UserPage, AppError> {
    use crate::model::{Permission, UserQuery};
    use crate::ssr::{fail, require, state};

    require(Permission::UsersRead)?;
    usher_core::services::directory::page(&state()?.db, &UserQuery::parse(&query))
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "users/options")]
pub async fn directory_options() -> Result<crate::model::FilterChoices, AppError> {
    use crate::model::Permission;
    use crate::ssr::{actor_any, fail, state};

    // Reviewers pick a role and groups when approving an access request.
    let actor = actor_any(&[Permission::UsersRead, Permission::RequestsReview])?;
    usher_core::services::directory::options(&state()?.db, &actor)
        .await
        .map_err(fail)
}

/// "Add user". Returns to the new user's page.
#[server(prefix = "/api", endpoint = "users/create")]
pub async fn create_user(
    username: String,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    role: String,
    groups: Option<Vec<String>>,
    origin: String,
    status: String,
    password: Option<String>,
    invite: Option<String>,
) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{actor, fail, is_plain_form_post, state};
    use crate::validation::NewUserInput;
    use usher_core::services::{add_user, parse_choice};

    let actor = actor(Permission::UsersWrite)?;
    let state = state()?;
    let created = async {
        let (role_id, group_ids) = parse_choice(&role, &groups.unwrap_or_default())?;
        let request = add_user::CreateUser {
            input: NewUserInput {
                username,
                first_name,
                last_name,
                email,
                phone,
                password: password.unwrap_or_default(),
                invite: invite.is_some(),
            },
            role_id,
            group_ids,
            external: origin == "external",
            active: status != "inactive",
        };
        add_user::create(&state.db, &actor, request, &state.public_url().await).await
    };
    match created.await {
        Ok(created) => {
            let username = created.username;
            leptos_axum::redirect(&format!(
                "/users?q={}",
                crate::routes::encode_query_value(&username)
            ));
            Ok(())
        }
        Err(error) if is_plain_form_post() => {
            let detail = error.summary();
            leptos_axum::redirect(&format!(
                "/users/new?error={}",
                crate::routes::encode_query_value(&detail)
            ));
            Err(error)
        }
        Err(error) => Err(fail(error)),
    }
}

/// A strong random password for "Generate password".
#[server(prefix = "/api", endpoint = "users/suggest-password")]
pub async fn suggest_password() -> Result<String, AppError> {
    use crate::model::Permission;
    crate::ssr::require(Permission::UsersWrite)?;
    Ok(usher_core::services::users::generate_password())
}

/// Everything the user page shows.
#[server(prefix = "/api", endpoint = "users/detail")]
pub async fn user_detail(username: String) -> Result<crate::model::UserDetail, AppError> {
    use crate::model::Permission;
    use crate::ssr::{actor, fail, state};
    let actor = actor(Permission::UsersRead)?;
    usher_core::services::lifecycle::detail(&state()?.db, &actor, &username)
        .await
        .map_err(fail)
}

/// Activate (`active=true`) or deactivate a user.
#[server(prefix = "/api", endpoint = "users/set-active")]
pub async fn set_user_active(username: String, active: bool) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{actor, state};
    let actor = actor(Permission::UsersWrite)?;
    let result =
        usher_core::services::lifecycle::set_active(&state()?, &actor, &username, active).await;
    finish(result, &format!("/users/{username}"), None)
}

/// Delete a user (after the confirmation on their page).
#[server(prefix = "/api", endpoint = "users/delete")]
pub async fn delete_user(username: String) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{actor, state};
    let actor = actor(Permission::UsersDelete)?;
    let result = usher_core::services::lifecycle::delete(&state()?, &actor, &username).await;
    finish(result, &format!("/users/{username}"), Some("/users"))
}

/// The end of an action on a user's page: a plain form goes back to the page
/// (with `?error=` on failure) or on to `done`; the client gets the status.
#[cfg(feature = "ssr")]
fn finish(result: Result<(), AppError>, page: &str, done: Option<&str>) -> Result<(), AppError> {
    use crate::routes::encode_query_value;
    use crate::ssr::{fail, is_plain_form_post};
    match result {
        Ok(()) => {
            if let Some(done) = done {
                leptos_axum::redirect(done);
            } else if is_plain_form_post() {
                leptos_axum::redirect(page);
            }
            Ok(())
        }
        Err(error) if is_plain_form_post() => {
            leptos_axum::redirect(&format!(
                "{page}?error={}",
                encode_query_value(&error.to_string())
            ));
            Err(error)
        }
        Err(error) => Err(fail(error)),
    }
}

/// "Edit": every field but the username.
#[server(prefix = "/api", endpoint = "users/update")]
pub async fn update_user(
    username: String,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    role: String,
    origin: String,
) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{actor, state};
    use usher_core::services::{lifecycle, parse_choice};
    let actor = actor(Permission::UsersWrite)?;
    let state = state()?;
    let result = match parse_choice(&role, &[]) {
        Ok((role_id, _)) => {
            let edit = lifecycle::UserEdit {
                first_name,
                last_name,
                email,
                phone,
                role_id,
                external: origin == "external",
            };
            lifecycle::update(&state.db, &actor, &username, edit).await
        }
        Err(error) => Err(error),
    };
    let page = format!("/users/{username}");
    if result.is_ok() && !crate::ssr::is_plain_form_post() {
        return Ok(());
    }
    finish(result, &page, Some(&page))
}
