//! `/settings/mail` (settings.manage): mail settings, test mail, outbox.
// The settings form posts its fields one by one (it works without JavaScript).
#![allow(clippy::too_many_arguments)]
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::MailPage;

#[cfg(feature = "ssr")]
const PAGE: &str = "/settings/mail";

#[server(prefix = "/api", endpoint = "settings/mail")]
pub async fn load_mail_page() -> Result<MailPage, AppError> {
    use crate::model::Permission;
    use crate::ssr::{fail, require, state};
    require(Permission::SettingsManage)?;
    usher_core::services::mail_page::show(&state()?)
        .await
        .map_err(fail)
}

#[server(prefix = "/api", endpoint = "settings/mail/save")]
pub async fn save_mail_settings(
    host: String,
    port: String,
    security: String,
    username: String,
    password: String,
    clear_password: Option<String>,
    from_name: String,
    from_address: String,
    public_url: String,
    current_password: Option<String>,
) -> Result<(), AppError> {
    use crate::model::{MailSettingsInput, Permission};
    use crate::ssr::{actor, form_error, is_plain_form_post, state};
    let actor = actor(Permission::SettingsManage)?;
    let input = MailSettingsInput {
        host,
        port,
        security,
        username,
        password,
        clear_password: clear_password.is_some(),
        from_name,
        from_address,
        public_url,
        current_password: current_password.unwrap_or_default(),
    };
    match usher_core::services::mail_page::save(&state()?, &actor, &input).await {
        Ok(()) => {
            if is_plain_form_post() {
                leptos_axum::redirect(&format!("{PAGE}?saved=1"));
            }
            Ok(())
        }
        Err(error) => Err(form_error(error, PAGE)),
    }
}

/// "Send test email": the server's answer, or its error.
#[server(prefix = "/api", endpoint = "settings/mail/test")]
pub async fn send_test_mail(to: String) -> Result<String, AppError> {
    use crate::model::Permission;
    use crate::routes::encode_query_value;
    use crate::ssr::{form_error, is_plain_form_post, require, state};
    require(Permission::SettingsManage)?;
    match usher_core::services::mail_page::send_test(&state()?, &to).await {
        Ok(answer) => {
            if is_plain_form_post() {
                leptos_axum::redirect(&format!("{PAGE}?test={}", encode_query_value(&answer)));
            }
            Ok(answer)
        }
        Err(error) => Err(form_error(error, PAGE)),
    }
}

/// "Retry now" on a failed mail.
#[server(prefix = "/api", endpoint = "settings/mail/retry")]
pub async fn retry_mail(id: String) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{actor, form_error, is_plain_form_post, state};
    let actor = actor(Permission::SettingsManage)?;
    match usher_core::services::mail_page::retry(&state()?, &actor, &id).await {
        Ok(()) => {
            if is_plain_form_post() {
                leptos_axum::redirect(PAGE);
            }
            Ok(())
        }
        Err(error) => Err(form_error(error, PAGE)),
    }
}
