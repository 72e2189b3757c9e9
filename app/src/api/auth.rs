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
    use crate::ssr::{backend, request_meta};

    let next = safe_next(next.as_deref());
    let result = backend()?
        .sign_in(username.trim(), &password, &request_meta())
        .await;
    match result {
        Ok((user, cookie)) => {
            set_cookie(cookie);
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
    use crate::ssr::{backend, caller, request_meta};

    let cookie = backend()?
        .sign_out(caller().as_ref(), &request_meta())
        .await;
    set_cookie(cookie);
    Ok(go_to("/login".to_string()))
}

/// Whether the set-up link in the URL can still be used.
#[server(prefix = "/api", endpoint = "setup/check")]
pub async fn check_setup(token: String) -> Result<(), AppError> {
    crate::ssr::backend()?
        .check_setup_token(&token)
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
    use crate::ssr::{backend, request_meta};

    let username = username.trim().to_string();
    let email = email.trim().to_string();
    let result = backend()?
        .complete_setup(&token, &username, &email, &password, &request_meta())
        .await;
    match result {
        Ok((user, cookie)) => {
            set_cookie(cookie);
            Ok(go_to(user.home().to_string()))
        }
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

#[cfg(feature = "ssr")]
pub(crate) fn set_cookie(cookie: crate::ssr::SessionCookie) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(value) = http::HeaderValue::from_str(&cookie.0) {
            response.append_header(http::header::SET_COOKIE, value);
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
