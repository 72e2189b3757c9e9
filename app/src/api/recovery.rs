//! Password recovery: asking for a link, using it, and an admin sending one.
use leptos::prelude::*;

use crate::error::AppError;

/// "Forgot password?": the same answer whether or not the account exists.
#[server(prefix = "/api", endpoint = "recovery/request")]
pub async fn request_recovery(login: String) -> Result<(), AppError> {
    use crate::ssr::{fail, is_plain_form_post, request_meta, state};
    let state = state()?;
    let (ip, public_url) = (request_meta().ip, state.public_url().await);
    let requested =
        usher_core::services::recovery::request(&state.db, &login, ip.as_deref(), &public_url);
    match requested.await {
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
    usher_core::services::recovery::check(&crate::ssr::state()?.db, &token)
        .await
        .map_err(crate::ssr::fail)
}

/// Sets the new password; the person then signs in with it.
#[server(prefix = "/api", endpoint = "recovery/reset")]
pub async fn reset_password(token: String, password: String) -> Result<String, AppError> {
    use crate::api::auth::{form_failure, go_to};
    use crate::routes::encode_query_value;
    use crate::ssr::{request_meta, state};
    let ip = request_meta().ip;
    let db = state()?.db;
    match usher_core::services::recovery::reset(&db, &token, &password, ip.as_deref()).await {
        Ok(_) => Ok(go_to("/login?reset=1".into())),
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
    use crate::ssr::{actor, form_error, is_plain_form_post, state};
    use usher_core::services::recovery;
    let actor = actor(Permission::UsersWrite)?;
    let page = format!("/users/{}", encode_query_value(&username));
    let state = state()?;
    match recovery::send_to(&state.db, &actor, &username, &state.public_url().await).await {
        Ok(address) => {
            if is_plain_form_post() {
                leptos_axum::redirect(&format!("{page}?recovery={}", encode_query_value(&address)));
            }
            Ok(address)
        }
        Err(error) => Err(form_error(error, &page)),
    }
}
