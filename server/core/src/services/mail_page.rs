//! The mail settings page (`/settings/mail`): what it shows and its actions.
use sea_orm::TransactionTrait;
use shared::model::{MailPage, MailSettingsInput};
use shared::AppError;

use super::actor::Actor;
use super::{audit, db_error, mail_settings, outbox};
use crate::state::AppState;

/// The settings in force and the latest mail with its counts.
pub async fn show(state: &AppState) -> Result<MailPage, AppError> {
    let effective = state.mail_settings().await?;
    let db = &state.db;
    Ok(MailPage {
        settings: mail_settings::view(&effective, &state.config.data_dir),
        outbox: outbox::recent(db, 50).await.map_err(db_error)?,
        counts: outbox::counts(db).await.map_err(db_error)?,
    })
}

/// "Save": the new settings, checked against those in use.
pub async fn save(
    state: &AppState,
    actor: &Actor,
    input: &MailSettingsInput,
) -> Result<(), AppError> {
    let before = mail_settings::in_use(&state.mail_settings().await?);
    let txn = state.db.begin().await.map_err(db_error)?;
    mail_settings::save(&txn, actor, input, Some(&before)).await?;
    txn.commit().await.map_err(db_error)
}

/// "Send test mail", straight through the settings in force.
pub async fn send_test(state: &AppState, to: &str) -> Result<String, AppError> {
    let effective = state.mail_settings().await?;
    mail_settings::send_test(&effective, &state.config.data_dir, to).await
}

/// "Retry now" on a failed mail.
pub async fn retry(state: &AppState, actor: &Actor, id: &str) -> Result<(), AppError> {
    let txn = state.db.begin().await.map_err(db_error)?;
    if !outbox::retry_now(&txn, id).await.map_err(db_error)? {
        return Err(AppError::Conflict(
            "This mail is sent or being sent; there is nothing to retry.".into(),
        ));
    }
    let target = ("mail", id.to_string(), "outbox");
    audit::record_change(&txn, actor, "mail.retry", target, None).await?;
    txn.commit().await.map_err(db_error)
}
