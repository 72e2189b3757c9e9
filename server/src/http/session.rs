//! Resolves the session cookie into the signed-in user for the rest of the
//! request, and guards pages: anonymous → sign-in (coming back after),
//! lacking permission → status 403 (the app renders the message).
use std::net::SocketAddr;

use app::routes::{decide, login_url, page_access, Decision};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use usher_core::web::RequestMeta;

use super::headers::is_file;
use usher_core::services::sessions;
use usher_core::state::AppState;
use usher_core::web::{client_ip, cookies};

pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/pkg/") || is_file(&path) || path == "/healthz" || path == "/readyz" {
        return next.run(req).await;
    }
    let mut meta = RequestMeta {
        ip: req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| {
            let forwarded: Vec<&str> = req
                .headers()
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            client_ip::client_ip(c.0.ip(), &forwarded, &state.config.trusted_proxies).to_string()
        }),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        secure: state.config.secure_cookies()
            || req
                .extensions()
                .get::<crate::pki::https::TlsPeer>()
                .is_some(),
        session_id: None,
    };
    let token = req
        .headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| cookies::read_token(v, meta.secure));
    let mut user = None;
    if let Some(token) = token {
        match sessions::resolve(&state.db, &token, state.sessions, chrono::Utc::now()).await {
            Ok(Some(found)) => {
                meta.session_id = Some(found.session_id);
                user = Some(found.user);
            }
            Ok(None) => {}
            Err(error) => {
                tracing::error!(%error, "session lookup failed");
                return (StatusCode::SERVICE_UNAVAILABLE, "Database unavailable.").into_response();
            }
        }
    }

    let is_page = !path.starts_with("/api/") && matches!(*req.method(), Method::GET | Method::HEAD);
    let decision = if is_page {
        decide(page_access(&path), user.as_ref())
    } else {
        Decision::Allow
    };
    if decision == Decision::SignIn {
        let next_path = match req.uri().query() {
            Some(q) => format!("{path}?{q}"),
            None => path.clone(),
        };
        return Redirect::to(&login_url(&next_path)).into_response();
    }
    if decision == Decision::ChangePassword {
        return Redirect::to(app::routes::CHANGE_PASSWORD_PATH).into_response();
    }

    if let Some(user) = user {
        req.extensions_mut().insert(user);
    }
    req.extensions_mut().insert(meta);
    let mut res = next.run(req).await;
    if decision == Decision::Forbidden {
        *res.status_mut() = StatusCode::FORBIDDEN;
    }
    res
}
