//! Refused attempts go to the audit log: a server function that answers
//! 403 to a signed-in caller (no permission, or the rules of delegated
//! administration) is recorded with the endpoint and the reason, so an
//! attacker probing with a narrow role leaves a trace. The refused change
//! itself was rolled back; this event is written after it, on its own.
use app::model::CurrentUser;
use axum::body::{to_bytes, Body};
use axum::http::StatusCode;
use axum::response::Response;
use usher_core::web::RequestMeta;

use usher_core::services::audit::{self, AuditAction};
use usher_core::state::AppState;

/// The reason in a 403 answer is a small JSON `AppError`; more is not read.
const MOST: usize = 16 * 1024;

/// Middleware (inside the session layer, which names the caller).
pub async fn record(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let Some(endpoint) = req.uri().path().strip_prefix("/api/").map(str::to_string) else {
        return next.run(req).await;
    };
    let caller = req.extensions().get::<CurrentUser>().cloned();
    let meta = req.extensions().get::<RequestMeta>().cloned();
    let response = next.run(req).await;
    record_if_refused(&state, &endpoint, caller.as_ref(), meta.as_ref(), response).await
}

async fn record_if_refused(
    state: &AppState,
    endpoint: &str,
    caller: Option<&CurrentUser>,
    meta: Option<&RequestMeta>,
    response: Response,
) -> Response {
    let Some(caller) = caller.filter(|_| response.status() == StatusCode::FORBIDDEN) else {
        return response;
    };
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, MOST).await.unwrap_or_default();
    let reason = serde_json::from_slice::<app::AppError>(&bytes)
        .map(|e| e.to_string())
        .unwrap_or_else(|_| "refused".into());
    let event = audit::Event {
        action: AuditAction::AccessRefused.as_str(),
        actor_id: uuid::Uuid::parse_str(&caller.id).ok(),
        actor_name: Some(&caller.username),
        ip: meta.and_then(|m| m.ip.as_deref()),
        success: false,
        details: Some(serde_json::json!({ "endpoint": endpoint, "reason": reason })),
        ..Default::default()
    };
    if let Err(error) = audit::record(&state.db, event).await {
        tracing::warn!(%error, "could not record a refused attempt");
    }
    Response::from_parts(parts, Body::from(bytes))
}
