use leptos::prelude::*;

use crate::error::AppError;
use crate::model::CurrentUser;

/// Who is signed in (None for an anonymous visitor).
#[server(prefix = "/api", endpoint = "whoami")]
pub async fn whoami() -> Result<Option<CurrentUser>, AppError> {
    Ok(crate::ssr::caller())
}

#[server(prefix = "/api", endpoint = "login")]
pub async fn login(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<String, AppError> {
    use crate::routes::{encode_query_value, safe_next};
    use crate::ssr::{request_meta, start_session, state};
    use usher_core::services::auth;

    let next = safe_next(next.as_deref());
    let state = state()?;
    let meta = request_meta();
    let attempt = auth::SignIn {
        login: username.trim(),
        password: &password,
        ip: meta.ip.as_deref(),
        user_agent: meta.user_agent.as_deref(),
    };
    match auth::sign_in(&state.db, state.sessions, attempt).await {
        Ok(signed_in) => {
            let user = start_session(&state, signed_in);
            Ok(go_to(next.unwrap_or_else(|| user.home().to_string())))
        }
        Err(error) => {
            let mut back = format!("/login?error={}", encode_query_value(&error.to_string()));
            if let Some(next) = next {
                back.push_str(&format!("&next={}", encode_query_value(&next)));
            }
            Err(form_failure(error, &back))
        }
    }
}

#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<String, AppError> {
    use crate::ssr::{caller, end_session, request_meta, state};

    let meta = request_meta();
    let username = caller().map(|c| c.username);
    let (session, ip) = (meta.session_id.as_deref(), meta.ip.as_deref());
    usher_core::services::sessions::sign_out(&state()?.db, session, username.as_deref(), ip).await;
    end_session();
    Ok(go_to("/login".to_string()))
}

/// Whether the set-up link in the URL can still be used.
#[server(prefix = "/api", endpoint = "setup/check")]
pub async fn check_setup(token: String) -> Result<(), AppError> {
    usher_core::services::setup::check_token(&crate::ssr::state()?.db, &token)
        .await
        .map_err(crate::ssr::fail)
}

#[server(prefix = "/api", endpoint = "setup/complete")]
pub async fn complete_setup(
    token: String,
    username: String,
    email: String,
    password: String,
) -> Result<String, AppError> {
    use crate::routes::encode_query_value;
    use crate::ssr::{open_session, request_meta, state};
    use usher_core::services::setup;

    let state = state()?;
    let account = setup::AdminAccount {
        username: username.trim(),
        email: email.trim(),
        password: &password,
    };
    let ip = request_meta().ip;
    let public_url = state.public_url().await;
    let result = match setup::complete(&state.db, &token, account, ip.as_deref(), &public_url).await
    {
        Ok(admin) => open_session(&state, &admin).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(user) => Ok(go_to(user.home().to_string())),
        Err(error) => {
            let detail = error.summary();
            let back = format!(
                "/setup?token={}&error={}",
                encode_query_value(&token),
                encode_query_value(&detail)
            );
            Err(form_failure(error, &back))
        }
    }
}

/// Where the browser goes next. A plain form post gets a redirect; the
/// hydrated app gets the path and loads it afresh (see `app::follow`), so
/// every piece of state reflects the new session.
#[cfg(feature = "ssr")]
pub(crate) fn go_to(path: String) -> String {
    if crate::ssr::is_plain_form_post() {
        leptos_axum::redirect(&path);
    }
    path
}

/// A browser without JavaScript is sent back to the form with the message in
/// the URL; the server-function client gets the error with its HTTP status.
#[cfg(feature = "ssr")]
pub(crate) fn form_failure(error: AppError, back: &str) -> AppError {
    if crate::ssr::is_plain_form_post() {
        leptos_axum::redirect(back);
        error
    } else {
        crate::ssr::fail(error)
    }
}
