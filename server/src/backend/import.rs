//! `app::ssr::ImportBackend` over the import services.
use app::model::{ApplyMode, CurrentUser, ImportView, Outcome, OutcomeCounts};
use app::ssr::{ImportBackend, RequestMeta};
use app::AppError;
use async_trait::async_trait;

use super::{actor_of, ServerBackend};
use crate::services::import::{job, store};

#[async_trait]
impl ImportBackend for ServerBackend {
    async fn import_view(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
        filter: Option<Outcome>,
        page: usize,
    ) -> Result<ImportView, AppError> {
        let actor = actor_of(actor, meta)?;
        store::view(&self.state.db, &actor, store::parse_id(id)?, filter, page).await
    }

    async fn map_import(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
        mapping: &[String],
        create_groups: bool,
    ) -> Result<OutcomeCounts, AppError> {
        let actor = actor_of(actor, meta)?;
        let id = store::parse_id(id)?;
        store::save_mapping(&self.state.db, &actor, id, mapping, create_groups).await
    }

    async fn apply_import(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
        mode: ApplyMode,
    ) -> Result<String, AppError> {
        let actor = actor_of(actor, meta)?;
        let public_url = self.public_url().await;
        let sign_in_url = self.sign_in_page_url().await;
        let id = store::parse_id(id)?;
        let job_id =
            job::start(&self.state.db, &actor, id, mode, &public_url, &sign_in_url).await?;
        self.state.jobs.notify_one();
        Ok(job_id.to_string())
    }
}
