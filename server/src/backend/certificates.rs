//! `app::ssr::CertificateBackend` over the CA service.
use app::model::CaView;
use app::ssr::CertificateBackend;
use app::AppError;
use async_trait::async_trait;

use super::ServerBackend;
use crate::services::ca;

fn internal(error: anyhow::Error) -> AppError {
    let reference = uuid::Uuid::new_v4().to_string();
    tracing::error!(%error, %reference, "certificate authority");
    AppError::Internal(reference)
}

#[async_trait]
impl CertificateBackend for ServerBackend {
    async fn ca_view(&self) -> Result<CaView, AppError> {
        let pem = ca::certificate(&self.state.db)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        ca::describe(&pem).map_err(internal)
    }
}
