use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use crate::config::Config;
use crate::services::settings::SessionPolicy;

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub leptos: LeptosOptions,
    pub sessions: SessionPolicy,
    /// Wakes this instance's job worker when a job is queued here.
    pub jobs: Arc<tokio::sync::Notify>,
    /// Opens the CA's private key, which is stored sealed (`services::ca`).
    pub ca_key: [u8; 32],
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
