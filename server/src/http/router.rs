use app::{shell, App};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::HeaderName;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use super::{csrf, export, headers, health, import, refusals, session};
use crate::pki::{files, sign_in};
use usher_core::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every route and layer of Usher's HTTP server.
pub fn build(state: AppState) -> Router {
    // Server functions reach the services through the state (`app::ssr::state`).
    let provided = state.clone();
    let context = move || provide_context(provided.clone());
    let routes = generate_route_list(App);
    let options = state.leptos.clone();

    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/pki/ca.pem", get(files::ca_pem))
        .route("/pki/ca.der", get(files::ca_der))
        .route("/pki/crl.pem", get(files::crl_as_pem))
        .route("/pki/crl.der", get(files::crl_as_der))
        .route("/auth/certificate", get(sign_in::sign_in))
        .route("/export/users.csv", get(export::users_csv))
        .route("/export/audit.csv", get(export::audit_csv))
        .route(
            "/import/upload",
            axum::routing::post(import::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/import/template.csv", get(import::template))
        .route("/import/{id}/errors.csv", get(import::errors_csv))
        .route(
            "/import/{id}/certificate-passwords.csv",
            axum::routing::post(import::certificate_passwords),
        )
        .route("/api/{*name}", get(server_fn).post(server_fn))
        .leptos_routes_with_context(&state, routes, context.clone(), move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(from_fn_with_state(state.clone(), refusals::record))
        .layer(from_fn_with_state(state.clone(), session::resolve))
        .layer(from_fn_with_state(state.clone(), csrf::origin_guard))
        .layer(from_fn_with_state(state.clone(), headers::security_headers))
        .layer(CompressionLayer::new().br(true).gzip(true))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
            let id = req
                .headers()
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }).on_response(DefaultOnResponse::new().level(tracing::Level::INFO)))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

async fn server_fn(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    leptos_axum::handle_server_fns_with_context(move || provide_context(state.clone()), req).await
}
