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

/// "Add user". Goes on to the new user's page, with "User created".
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
            // The new user's page, which says so.
            let username = created.username;
            leptos_axum::redirect(&format!(
                "/users/{}?done=created",
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

/// Activate (`active=true`) or deactivate a user. Returns the
/// acknowledgement ("bob.berg deactivated: signed out everywhere, 1
/// certificate revoked."); a plain form comes back to the page with `?done=`.
#[server(prefix = "/api", endpoint = "users/set-active")]
pub async fn set_user_active(username: String, active: bool) -> Result<String, AppError> {
    use crate::model::Permission;
    use crate::ssr::{actor, state};
    let actor = actor(Permission::UsersWrite)?;
    let result = usher_core::services::lifecycle::set_active(&state()?, &actor, &username, active)
        .await
        .map(|ended| crate::model::acknowledge_active(&username, active, ended.certificates));
    let page = user_page(&username);
    let key = if active { "activated" } else { "deactivated" };
    finish(result, &page, &format!("{page}?done={key}"), false)
}

/// Delete a user (after the confirmation on their page); the users table
/// says whom.
#[server(prefix = "/api", endpoint = "users/delete")]
pub async fn delete_user(username: String) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::routes::encode_query_value;
    use crate::ssr::{actor, state};
    let actor = actor(Permission::UsersDelete)?;
    let result = usher_core::services::lifecycle::delete(&state()?, &actor, &username)
        .await
        .map(|_| ());
    let done = format!("/users?deleted={}", encode_query_value(&username));
    finish(result, &user_page(&username), &done, true)
}

#[cfg(feature = "ssr")]
fn user_page(username: &str) -> String {
    format!("/users/{}", crate::routes::encode_query_value(username))
}

/// The end of an action on a user's page: a plain form goes on to `done`
/// (or back to `page` with `?error=`); with `always`, the browser goes on
/// to `done` too (the page is gone); otherwise it gets the result.
#[cfg(feature = "ssr")]
fn finish<T>(
    result: Result<T, AppError>,
    page: &str,
    done: &str,
    always: bool,
) -> Result<T, AppError> {
    use crate::routes::encode_query_value;
    use crate::ssr::{fail, is_plain_form_post};
    match result {
        Ok(value) => {
            if always || is_plain_form_post() {
                leptos_axum::redirect(done);
            }
            Ok(value)
        }
        Err(error) if is_plain_form_post() => {
            leptos_axum::redirect(&format!(
                "{page}?error={}",
                encode_query_value(&error.summary())
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
    let page = user_page(&username);
    finish(result, &page, &format!("{page}?done=updated"), false)
}
