use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use usher_core::services::actor::Actor;
use usher_core::state::AppState;
use usher_core::web::RequestMeta;

use crate::error::AppError;
use crate::model::{CurrentUser, Permission};

/// The per-request CSP nonce, put in the request extensions by the server.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// The application state the server provides to every server function.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::Internal("no application state".into()))
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

/// The caller as the services' `Actor`, if they hold `permission`.
pub fn actor(permission: Permission) -> Result<Actor, AppError> {
    let user = require(permission)?;
    Actor::of(&user, &request_meta()).map_err(fail)
}

/// The caller as the services' `Actor`, if they hold any of `permissions`.
pub fn actor_any(permissions: &[Permission]) -> Result<Actor, AppError> {
    let user = require_any(permissions)?;
    Actor::of(&user, &request_meta()).map_err(fail)
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
