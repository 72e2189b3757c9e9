//! Invitations: sending one (admins) and using its link (the invited person).
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Invitation;

/// "Send invitation" / "Resend invitation" on a user's page.
#[server(prefix = "/api", endpoint = "users/invite")]
pub async fn send_invitation(username: String) -> Result<String, AppError> {
    use crate::model::Permission;
    use crate::routes::encode_query_value;
    use crate::ssr::{backend, form_error, is_plain_form_post, request_meta, require};
    let actor = require(Permission::UsersWrite)?;
    let page = format!("/users/{}", encode_query_value(&username));
    match backend()?
        .send_invitation(&actor, &request_meta(), &username)
        .await
    {
        Ok(address) => {
            if is_plain_form_post() {
                leptos_axum::redirect(&format!("{page}?invited={}", encode_query_value(&address)));
            }
            Ok(address)
        }
        Err(error) => Err(form_error(error, &page)),
    }
}

/// Whether the link in the URL can still be used, and for whom.
#[server(prefix = "/api", endpoint = "invite/check")]
pub async fn check_invitation(token: String) -> Result<Invitation, AppError> {
    crate::ssr::backend()?
        .check_invitation(&token)
        .await
        .map_err(crate::ssr::fail)
}

/// The invited person confirms their names and chooses a password; they are
/// signed in and sent to their account page.
#[server(prefix = "/api", endpoint = "invite/accept")]
pub async fn accept_invitation(
    token: String,
    first_name: String,
    last_name: String,
    password: String,
) -> Result<String, AppError> {
    use crate::api::auth::{form_failure, go_to, set_cookie};
    use crate::routes::encode_query_value;
    use crate::ssr::{backend, request_meta};
    let result = backend()?
        .accept_invitation(&token, &first_name, &last_name, &password, &request_meta())
        .await;
    match result {
        Ok((user, cookie)) => {
            set_cookie(cookie);
            Ok(go_to(user.home().to_string()))
        }
        Err(error) => {
            let back = format!(
                "/invite?token={}&error={}",
                encode_query_value(&token),
                encode_query_value(&error.summary())
            );
            Err(form_failure(error, &back))
        }
    }
}

/// "Ask for a new link": the same answer whether or not one is sent.
#[server(prefix = "/api", endpoint = "invite/renew")]
pub async fn renew_invitation(token: String) -> Result<(), AppError> {
    use crate::routes::encode_query_value;
    use crate::ssr::{backend, fail, is_plain_form_post, request_meta};
    match backend()?.renew_invitation(&token, &request_meta()).await {
        Ok(()) => {
            if is_plain_form_post() {
                leptos_axum::redirect(&format!(
                    "/invite?token={}&renewed=1",
                    encode_query_value(&token)
                ));
            }
            Ok(())
        }
        Err(error) => Err(fail(error)),
    }
}

/// "Check addresses" on `/users/invite`.
#[server(prefix = "/api", endpoint = "users/invite-many/check")]
pub async fn check_invites(addresses: String) -> Result<crate::model::InviteReport, AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, fail, require};
    require(Permission::UsersWrite)?;
    backend()?.check_invites(&addresses).await.map_err(fail)
}

/// "Send invitations" on `/users/invite`. Without JavaScript the browser
/// comes back to the page with the counts in the URL.
#[server(prefix = "/api", endpoint = "users/invite-many")]
pub async fn invite_users(
    addresses: String,
    role: String,
    groups: Option<Vec<String>>,
) -> Result<crate::model::InviteReport, AppError> {
    use crate::model::Permission;
    use crate::routes::encode_query_value;
    use crate::ssr::{backend, form_error, is_plain_form_post, request_meta, require};
    let actor = require(Permission::UsersWrite)?;
    let groups = groups.unwrap_or_default();
    match backend()?
        .invite_users(&actor, &request_meta(), &addresses, &role, &groups)
        .await
    {
        Ok(report) => {
            if is_plain_form_post() {
                let list = |items: Vec<String>| encode_query_value(&items.join(" "));
                leptos_axum::redirect(&format!(
                    "/users/invite?invited={}&existing={}&invalid={}",
                    list(report.invited.iter().map(|(e, _)| e.clone()).collect()),
                    list(report.existing.clone()),
                    list(report.invalid.clone()),
                ));
            }
            Ok(report)
        }
        Err(error) => Err(form_error(error, "/users/invite")),
    }
}
