//! Installation settings: the rules for usernames and passwords.
use leptos::prelude::*;

use crate::error::AppError;
use crate::validation::Policy;

/// The username and password rules. Public: the forms that check as you
/// type need them, registration pages included; they hold no secrets.
#[server(prefix = "/api", endpoint = "settings/policy")]
pub async fn directory_policy() -> Result<Policy, AppError> {
    usher_core::services::policy::load(&crate::ssr::state()?.db)
        .await
        .map_err(|e| crate::ssr::fail(usher_core::services::db_error(e)))
}

/// "Save" on `/settings`.
#[server(prefix = "/api", endpoint = "settings/policy/save")]
pub async fn save_policy(
    username_pattern: String,
    username_hint: String,
    password_min: String,
    reject_common: Option<String>,
    registration_open: Option<String>,
) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{actor, form_error, is_plain_form_post, state};
    let actor = actor(Permission::SettingsManage)?;
    let Ok(password_min) = password_min.trim().parse::<usize>() else {
        return Err(form_error(
            AppError::field("password_min", "Enter a whole number."),
            "/settings",
        ));
    };
    let policy = Policy {
        username_pattern,
        username_hint,
        password_min,
        reject_common: reject_common.is_some(),
        registration_open: registration_open.is_some(),
    };
    usher_core::services::policy::save(&state()?.db, &actor, policy)
        .await
        .map_err(|e| form_error(e, "/settings"))?;
    if is_plain_form_post() {
        leptos_axum::redirect("/settings?saved=1");
    }
    Ok(())
}
