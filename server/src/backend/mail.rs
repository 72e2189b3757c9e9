//! `app::ssr::MailBackend` over the mail settings and the outbox.
use app::model::{CurrentUser, MailPage, MailSettingsInput};
use app::ssr::{MailBackend, RequestMeta};
use app::AppError;
use async_trait::async_trait;
use sea_orm::TransactionTrait;

use super::{actor_of, ServerBackend};
use crate::services::mail_settings::{self, Effective};
use crate::services::{audit, db_error, outbox};

impl ServerBackend {
    async fn mail_effective(&self) -> Result<Effective, AppError> {
        let env = self.state.config.public_url(&self.state.leptos);
        mail_settings::effective(&self.state.db, &self.state.config, &env)
            .await
            .map_err(db_error)
    }
}

#[async_trait]
impl MailBackend for ServerBackend {
    async fn mail_page(&self) -> Result<MailPage, AppError> {
        let effective = self.mail_effective().await?;
        let db = &self.state.db;
        Ok(MailPage {
            settings: mail_settings::view(&effective, &self.state.config.data_dir),
            outbox: outbox::recent(db, 50).await.map_err(db_error)?,
            counts: outbox::counts(db).await.map_err(db_error)?,
        })
    }

    async fn save_mail_settings(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        input: MailSettingsInput,
    ) -> Result<(), AppError> {
        let actor = actor_of(actor, meta)?;
        let before = mail_settings::in_use(&self.mail_effective().await?);
        let txn = self.state.db.begin().await.map_err(db_error)?;
        mail_settings::save(&txn, &actor, &input, Some(&before)).await?;
        txn.commit().await.map_err(db_error)
    }

    async fn send_test_mail(&self, to: &str) -> Result<String, AppError> {
        let effective = self.mail_effective().await?;
        mail_settings::send_test(&effective, &self.state.config.data_dir, to).await
    }

    async fn retry_mail(
        &self,
        actor: &CurrentUser,
        meta: &RequestMeta,
        id: &str,
    ) -> Result<(), AppError> {
        let actor = actor_of(actor, meta)?;
        let txn = self.state.db.begin().await.map_err(db_error)?;
        if !outbox::retry_now(&txn, id).await.map_err(db_error)? {
            return Err(AppError::Conflict(
                "This mail is sent or being sent; there is nothing to retry.".into(),
            ));
        }
        let target = ("mail", id.to_string(), "outbox");
        audit::record_change(&txn, &actor, "mail.retry", target, None).await?;
        txn.commit().await.map_err(db_error)
    }
}
