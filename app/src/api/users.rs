// A server function's arguments are its form's fields, one each.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::UserPage;

/// One page of the users table; `query` is the page's URL query string.
#[server(prefix = "/api", endpoint = "users/list")]
pub async fn list_users(query: String) -> Result<UserPage, AppError> {
    use crate::model::{Permission, UserQuery};
    use crate::ssr::{backend, fail, require};

    require(Permission::UsersRead)?;
    backend()?
        .list_users(UserQuery::parse(&query))
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "users/options")]
pub async fn directory_options() -> Result<crate::model::FilterChoices, AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, fail, require_any};

    // Reviewers pick a role and groups when approving an access request.
    let actor = require_any(&[Permission::UsersRead, Permission::RequestsReview])?;
    backend()?
        .directory_options(&actor, &crate::ssr::request_meta())
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
    use crate::model::{NewUserRequest, Permission};
    use crate::ssr::{backend, fail, is_plain_form_post, request_meta, require};
    use crate::validation::NewUserInput;

    let actor = require(Permission::UsersWrite)?;
    let request = NewUserRequest {
        input: NewUserInput {
            username,
            first_name,
            last_name,
            email,
            phone,
            password: password.unwrap_or_default(),
            invite: invite.is_some(),
        },
        role,
        groups: groups.unwrap_or_default(),
        external: origin == "external",
        active: status != "inactive",
    };
    match backend()?
        .create_user(&actor, &request_meta(), request)
        .await
    {
        Ok(username) => {
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
    crate::ssr::backend()?.suggest_password().await
}

/// Everything the user page shows.
#[server(prefix = "/api", endpoint = "users/detail")]
pub async fn user_detail(username: String) -> Result<crate::model::UserDetail, AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, fail, request_meta, require};
    let actor = require(Permission::UsersRead)?;
    backend()?
        .user_detail(&actor, &request_meta(), &username)
        .await
        .map_err(fail)
}

/// Activate (`active=true`) or deactivate a user.
#[server(prefix = "/api", endpoint = "users/set-active")]
pub async fn set_user_active(username: String, active: bool) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, request_meta, require};
    let actor = require(Permission::UsersWrite)?;
    let result = backend()?
        .set_user_active(&actor, &request_meta(), &username, active)
        .await;
    finish(result, &format!("/users/{username}"), None)
}

/// Delete a user (after the confirmation on their page).
#[server(prefix = "/api", endpoint = "users/delete")]
pub async fn delete_user(username: String) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, request_meta, require};
    let actor = require(Permission::UsersDelete)?;
    let result = backend()?
        .delete_user(&actor, &request_meta(), &username)
        .await;
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
    use crate::ssr::{backend, request_meta, require};
    let actor = require(Permission::UsersWrite)?;
    let changes = crate::model::UserChanges {
        first_name,
        last_name,
        email,
        phone,
        role,
        external: origin == "external",
    };
    let result = backend()?
        .update_user(&actor, &request_meta(), &username, changes)
        .await;
    let page = format!("/users/{username}");
    if result.is_ok() && !crate::ssr::is_plain_form_post() {
        return Ok(());
    }
    finish(result, &page, Some(&page))
}
