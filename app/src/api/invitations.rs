//! Invitations: sending one (admins) and using its link (the invited person).
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Invitation;

/// "Send invitation" / "Resend invitation" on a user's page.
#[server(prefix = "/api", endpoint = "users/invite")]
pub async fn send_invitation(username: String) -> Result<String, AppError> {
    use crate::model::Permission;
    use crate::routes::encode_query_value;
    use crate::ssr::{actor, form_error, is_plain_form_post, state};
    use usher_core::services::invitations;
    let actor = actor(Permission::UsersWrite)?;
    let page = format!("/users/{}", encode_query_value(&username));
    let state = state()?;
    match invitations::send_to(&state.db, &actor, &username, &state.public_url().await).await {
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
    usher_core::services::invitations::check(&crate::ssr::state()?.db, &token)
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
    use crate::api::auth::{form_failure, go_to};
    use crate::routes::encode_query_value;
    use crate::ssr::{open_session, request_meta, state};
    use usher_core::services::invitations;
    let state = state()?;
    let ip = request_meta().ip;
    let joining = invitations::Joining {
        token: &token,
        first_name: &first_name,
        last_name: &last_name,
        password: &password,
        ip: ip.as_deref(),
    };
    let result = match invitations::accept(&state.db, joining).await {
        Ok(joined) => open_session(&state, &joined).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(user) => Ok(go_to(user.home().to_string())),
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
    use crate::ssr::{fail, is_plain_form_post, request_meta, state};
    let state = state()?;
    let (ip, public_url) = (request_meta().ip, state.public_url().await);
    let renewed =
        usher_core::services::invitations::renew(&state.db, &token, ip.as_deref(), &public_url);
    match renewed.await {
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
    use crate::ssr::{fail, require, state};
    require(Permission::UsersWrite)?;
    usher_core::services::bulk_invite::check(&state()?.db, &addresses)
        .await
        .map_err(fail)
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
    use crate::ssr::{actor, form_error, is_plain_form_post, state};
    use usher_core::services::{bulk_invite, parse_choice};
    let actor = actor(Permission::UsersWrite)?;
    let state = state()?;
    let invited = async {
        let (role_id, group_ids) = parse_choice(&role, &groups.unwrap_or_default())?;
        let request = bulk_invite::Invite {
            text: &addresses,
            role_id,
            group_ids,
        };
        bulk_invite::invite(&state.db, &actor, request, &state.public_url().await).await
    };
    match invited.await {
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
