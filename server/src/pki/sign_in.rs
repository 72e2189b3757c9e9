//! `GET /auth/certificate` on the HTTPS listener: signs in the user whose
//! certificate the browser presented, after looking it up in the database.
//! Refusals go back to the sign-in page, which says why.
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use usher_core::web::RequestMeta;

use crate::pki::https::TlsPeer;
use usher_core::services::{audit, auth, certificates};
use usher_core::state::AppState;
use usher_core::web::cookies;

pub async fn sign_in(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    peer: Option<Extension<TlsPeer>>,
) -> Response {
    let der = peer
        .as_ref()
        .and_then(|p| p.0 .0.as_ref())
        .map(|c| c.as_ref());
    let outcome = match certificates::authenticate(&state.db, der).await {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::error!(%error, "certificate look-up failed");
            return Redirect::to("/login?certificate=error").into_response();
        }
    };
    let user = match outcome {
        Ok(user) => user,
        Err(refusal) => {
            let _ = audit::record(
                &state.db,
                audit::Event {
                    action: "auth.certificate_refused",
                    ip: meta.ip.as_deref(),
                    success: false,
                    details: Some(serde_json::json!({ "reason": refusal.as_str() })),
                    ..Default::default()
                },
            )
            .await;
            return Redirect::to(&format!("/login?certificate={}", refusal.as_str()))
                .into_response();
        }
    };
    let opened = async {
        certificates::complete(&state.db, &user)
            .await
            .map_err(usher_core::services::db_error)?;
        auth::open_session(
            &state.db,
            state.sessions,
            &user,
            meta.ip.as_deref(),
            meta.user_agent.as_deref(),
        )
        .await
    };
    match opened.await {
        Ok(signed_in) => {
            let max_age = state.sessions.absolute.as_secs() as i64;
            let cookie = cookies::session(Some(&signed_in.token), meta.secure, max_age);
            ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "certificate sign-in failed");
            Redirect::to("/login?certificate=error").into_response()
        }
    }
}
