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

/// What a request needs to know about this installation beyond the database:
/// where links point, and the CA (whose key only the state holds).
impl AppState {
    /// The base of links in mail: saved on `/settings/mail`, else the
    /// environment's (never the request's Host header).
    pub async fn public_url(&self) -> String {
        match self.mail_settings().await {
            Ok(effective) => effective.public_url,
            // The failure is logged (`db_error`); links still point somewhere.
            Err(_) => self.config.public_url(&self.leptos),
        }
    }

    /// The mail settings in force (saved, else the environment's).
    pub async fn mail_settings(
        &self,
    ) -> Result<crate::services::mail_settings::Effective, shared::AppError> {
        let env = self.config.public_url(&self.leptos);
        crate::services::mail_settings::effective(&self.db, &self.config, &env)
            .await
            .map_err(crate::services::db_error)
    }

    /// The HTTPS listener's base URL, for certificate sign-in.
    pub fn https_url(&self) -> Option<String> {
        self.config.https_url(&self.leptos)
    }

    /// The sign-in page that accepts certificates, for links in mail.
    pub async fn sign_in_page_url(&self) -> String {
        match self.https_url() {
            Some(url) => format!("{url}/login"),
            None => format!("{}/login", self.public_url().await),
        }
    }

    /// The CA, opened with this instance's key.
    pub async fn ca(&self) -> Result<crate::pki::Ca, shared::AppError> {
        crate::services::ca::load(&self.db, &self.ca_key)
            .await
            .map_err(crate::services::internal)
    }

    /// Publishes a new CRL at once after a revocation (the instances' own
    /// loops would within seconds); a failure is logged, not the caller's.
    pub async fn publish_crl(&self) {
        if let Err(error) = crate::services::crl::refresh_with_key(&self.db, &self.ca_key).await {
            tracing::warn!(%error, "could not publish the CRL");
        }
    }
}
