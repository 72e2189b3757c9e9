use std::sync::Arc;

use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use super::{Backend, RequestMeta};
use crate::error::AppError;
use crate::model::{CurrentUser, Permission};

/// The per-request CSP nonce, put in the request extensions by the server.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

pub fn backend() -> Result<Arc<dyn Backend>, AppError> {
    use_context::<Arc<dyn Backend>>().ok_or_else(|| AppError::Internal("no backend".into()))
}

/// The signed-in user, resolved from the session cookie by the server's
/// session middleware before any server function runs.
pub fn caller() -> Option<CurrentUser> {
    use_context::<Parts>().and_then(|parts| parts.extensions.get::<CurrentUser>().cloned())
}

pub fn request_meta() -> RequestMeta {
    use_context::<Parts>()
        .and_then(|parts| parts.extensions.get::<RequestMeta>().cloned())
        .unwrap_or_default()
}

/// The caller, if they hold `permission`; otherwise 401 (anonymous) or 403.
pub fn require(permission: Permission) -> Result<CurrentUser, AppError> {
    match caller() {
        None => Err(fail(AppError::Unauthorized)),
        Some(user) if user.must_change_password => Err(fail(AppError::PasswordChangeRequired)),
        Some(user) if user.can(permission) => Ok(user),
        Some(_) => Err(fail(AppError::Forbidden)),
    }
}

/// The caller, if they hold any of `permissions`; otherwise 401 or 403.
pub fn require_any(permissions: &[Permission]) -> Result<CurrentUser, AppError> {
    match caller() {
        None => Err(fail(AppError::Unauthorized)),
        Some(user) if user.must_change_password => Err(fail(AppError::PasswordChangeRequired)),
        Some(user) if permissions.iter().any(|p| user.can(*p)) => Ok(user),
        Some(_) => Err(fail(AppError::Forbidden)),
    }
}

/// Sets the HTTP status that belongs to `error` on the response, and returns it.
pub fn fail(error: AppError) -> AppError {
    if let Some(response) = use_context::<ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(error.status()) {
            response.set_status(status);
        }
        if let AppError::TooManyAttempts(seconds) = &error {
            response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(*seconds));
        }
    }
    error
}

/// A form posted by a browser without JavaScript (it accepts HTML and will
/// follow a redirect), as opposed to the server-function client.
pub fn is_plain_form_post() -> bool {
    use_context::<Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.contains("text/html"))
        })
        .unwrap_or(false)
}

/// The failure of a form's server function: a browser without JavaScript is
/// sent back to `back` with the message in `?error=`; the server-function
/// client gets the error with its HTTP status.
pub fn form_error(error: AppError, back: &str) -> AppError {
    if is_plain_form_post() {
        let sep = if back.contains('?') { '&' } else { '?' };
        leptos_axum::redirect(&format!(
            "{back}{sep}error={}",
            crate::routes::encode_query_value(&error.summary())
        ));
        error
    } else {
        fail(error)
    }
}
