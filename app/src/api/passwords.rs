//! Changing passwords: your own on `/account/password`, another user's from
//! their page.
use leptos::prelude::*;

use crate::error::AppError;

/// Your own password. Open to anyone signed in, also (especially) while an
/// admin asks for a new one. Returns where to go next.
#[server(prefix = "/api", endpoint = "account/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<String, AppError> {
    use crate::api::auth::go_to;
    use crate::ssr::{backend, caller, fail, form_error, request_meta};
    let me = caller().ok_or_else(|| fail(AppError::Unauthorized))?;
    match backend()?
        .change_own_password(&me, &request_meta(), &current_password, &new_password)
        .await
    {
        Ok(()) => Ok(go_to("/account?password_changed=1".into())),
        Err(error) => Err(form_error(error, crate::routes::CHANGE_PASSWORD_PATH)),
    }
}

/// An admin's "Change password" on a user's page.
#[server(prefix = "/api", endpoint = "users/set-password")]
pub async fn set_user_password(
    username: String,
    password: String,
    force_change: Option<String>,
    notify: Option<String>,
    mail_password: Option<String>,
) -> Result<(), AppError> {
    use crate::model::PasswordNotice;
    use crate::model::Permission;
    use crate::routes::encode_query_value;
    use crate::ssr::{backend, form_error, is_plain_form_post, request_meta, require};
    let actor = require(Permission::UsersWrite)?;
    let page = format!("/users/{}", encode_query_value(&username));
    let result = if mail_password.is_some() {
        // Said, not ignored: an older form (or a script) asked for it.
        Err(AppError::field(
            "mail_password",
            "Usher never mails a password. Tell the user yourself, or send a password recovery email.",
        ))
    } else {
        backend()?
            .set_user_password(
                &actor,
                &request_meta(),
                &username,
                &password,
                force_change.is_some(),
                if notify.is_some() {
                    PasswordNotice::Mail
                } else {
                    PasswordNotice::Nothing
                },
            )
            .await
    };
    match result {
        Ok(()) => {
            if is_plain_form_post() {
                leptos_axum::redirect(&format!("{page}?password_set=1"));
            }
            Ok(())
        }
        Err(error) => Err(form_error(error, &format!("{page}?password=1"))),
    }
}
