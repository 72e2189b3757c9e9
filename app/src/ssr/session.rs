//! The session cookie of a server function's response: set when someone
//! signs in (password, set-up, invitation), cleared when they sign out.
use leptos::prelude::*;
use usher_core::db::entities::user;
use usher_core::services::auth::{self, SignedIn};
use usher_core::state::AppState;
use usher_core::web::cookies;

use super::context::request_meta;
use crate::error::AppError;
use crate::model::CurrentUser;

/// Sends the cookie of a session the services just opened.
pub fn start_session(state: &AppState, signed_in: SignedIn) -> CurrentUser {
    let max_age = state.sessions.absolute.as_secs() as i64;
    let secure = request_meta().secure;
    set_cookie(&cookies::session(Some(&signed_in.token), secure, max_age));
    signed_in.user
}

/// Signs in a user whose identity a one-time link or set-up just proved.
pub async fn open_session(state: &AppState, user: &user::Model) -> Result<CurrentUser, AppError> {
    let meta = request_meta();
    let opened = auth::open_session(
        &state.db,
        state.sessions,
        user,
        meta.ip.as_deref(),
        meta.user_agent.as_deref(),
    )
    .await?;
    Ok(start_session(state, opened))
}

/// Clears the session cookie.
pub fn end_session() {
    set_cookie(&cookies::session(None, request_meta().secure, 0));
}

fn set_cookie(cookie: &str) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(value) = http::HeaderValue::from_str(cookie) {
            response.append_header(http::header::SET_COOKIE, value);
        }
    }
}
