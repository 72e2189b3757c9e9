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
    use crate::ssr::{caller, fail, form_error, request_meta, state};
    use usher_core::services::{actor::Actor, password_change};
    let me = caller().ok_or_else(|| fail(AppError::Unauthorized))?;
    let meta = request_meta();
    let me = Actor::of(&me, &meta).map_err(fail)?;
    let change = password_change::OwnChange {
        user_id: me.id,
        current: &current_password,
        new: &new_password,
        session_id: meta.session_id.as_deref(),
        ip: meta.ip.as_deref(),
    };
    match password_change::change_own(&state()?.db, change).await {
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
    use crate::ssr::{actor, form_error, is_plain_form_post, state};
    use usher_core::services::password_change;
    let actor = actor(Permission::UsersWrite)?;
    let page = format!("/users/{}", encode_query_value(&username));
    let result = if mail_password.is_some() {
        // Said, not ignored: an older form (or a script) asked for it.
        Err(AppError::field(
            "mail_password",
            "Usher never mails a password. Tell the user yourself, or send a password recovery email.",
        ))
    } else {
        let set = password_change::AdminSet {
            username: &username,
            password: &password,
            force_change: force_change.is_some(),
            notice: if notify.is_some() {
                PasswordNotice::Mail
            } else {
                PasswordNotice::Nothing
            },
        };
        let state = state()?;
        password_change::set_by_admin(&state.db, &actor, set, &state.public_url().await).await
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

/// The strength meter under a new-password field, asked as the person types
/// (debounced). Open to anyone by design: joining, recovery and registration
/// pages use it before there is an account. It reads the password policy
/// and nothing else; the password is cut at `STRENGTH_MAX_CHARS`.
#[server(prefix = "/api", endpoint = "passwords/strength")]
pub async fn password_strength(
    password: String,
    username: String,
    email: String,
) -> Result<crate::validation::PasswordStrength, AppError> {
    use crate::ssr::{fail, state};
    use usher_core::services::{db_error, passwords, policy};
    let policy = policy::load(&state()?.db)
        .await
        .map_err(|e| fail(db_error(e)))?;
    Ok(passwords::strength(&password, &username, &email, &policy))
}
