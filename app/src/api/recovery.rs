//! Password recovery: asking for a link, using it, and an admin sending one.
use leptos::prelude::*;

use crate::error::AppError;

/// "Forgot password?": the same answer whether or not the account exists.
#[server(prefix = "/api", endpoint = "recovery/request")]
pub async fn request_recovery(login: String) -> Result<(), AppError> {
    use crate::ssr::{backend, fail, is_plain_form_post, request_meta};
    match backend()?.request_recovery(&login, &request_meta()).await {
        Ok(()) => {
            if is_plain_form_post() {
                leptos_axum::redirect("/forgot-password?sent=1");
            }
            Ok(())
        }
        Err(error) => Err(fail(error)),
    }
}

/// The username a recovery link is for, when it can still be used.
#[server(prefix = "/api", endpoint = "recovery/check")]
pub async fn check_recovery(token: String) -> Result<String, AppError> {
    crate::ssr::backend()?
        .check_recovery(&token)
        .await
        .map_err(crate::ssr::fail)
}

/// Sets the new password; the person then signs in with it.
#[server(prefix = "/api", endpoint = "recovery/reset")]
pub async fn reset_password(token: String, password: String) -> Result<String, AppError> {
    use crate::api::auth::{form_failure, go_to};
    use crate::routes::encode_query_value;
    use crate::ssr::{backend, request_meta};
    match backend()?
        .reset_password(&token, &password, &request_meta())
        .await
    {
        Ok(()) => Ok(go_to("/login?reset=1".into())),
        Err(error) => {
            let back = format!(
                "/reset-password?token={}&error={}",
                encode_query_value(&token),
                encode_query_value(&error.summary())
            );
            Err(form_failure(error, &back))
        }
    }
}

/// "Send password recovery email" on a user's page.
#[server(prefix = "/api", endpoint = "users/send-recovery")]
pub async fn send_recovery(username: String) -> Result<String, AppError> {
    use crate::model::Permission;
    use crate::routes::encode_query_value;
    use crate::ssr::{backend, form_error, is_plain_form_post, request_meta, require};
    let actor = require(Permission::UsersWrite)?;
    let page = format!("/users/{}", encode_query_value(&username));
    match backend()?
        .send_recovery(&actor, &request_meta(), &username)
        .await
    {
        Ok(address) => {
            if is_plain_form_post() {
                leptos_axum::redirect(&format!("{page}?recovery={}", encode_query_value(&address)));
            }
            Ok(address)
        }
        Err(error) => Err(form_error(error, &page)),
    }
}
