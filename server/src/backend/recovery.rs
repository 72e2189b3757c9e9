//! `app::ssr::RecoveryBackend` over the recovery service.
use app::model::CurrentUser;
use app::ssr::{RecoveryBackend, RequestMeta};
use app::AppError;
use async_trait::async_trait;

use super::{actor_of, ServerBackend};
use crate::services::recovery;

#[async_trait]
impl RecoveryBackend for ServerBackend {
    async fn request_recovery(&self, login: &str, meta: &RequestMeta) -> Result<(), AppError> {
        let ip = meta.ip.as_deref();
        recovery::request(&self.state.db, login, ip, &self.public_url().await).await
    }

    async fn send_recovery(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        username: &str,
    ) -> Result<String, AppError> {
        let actor = actor_of(actor, meta)?;
        recovery::send_to(&self.state.db, &actor, username, &self.public_url().await).await
    }

    async fn check_recovery(&self, token: &str) -> Result<String, AppError> {
        recovery::check(&self.state.db, token).await
    }

    async fn reset_password(
        &self,
        token: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<(), AppError> {
        recovery::reset(&self.state.db, token, password, meta.ip.as_deref()).await?;
        Ok(())
    }
}
