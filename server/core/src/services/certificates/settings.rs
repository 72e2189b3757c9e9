//! Validity of new certificates and how approvals let people in.
use super::*;

pub(super) const CLIENT_DAYS: &str = "pki.client_days";

pub(super) const APPROVAL_MODE: &str = "approval.mode";

/// The longest validity an admin may set.
pub const MAX_CLIENT_DAYS: i64 = 3650;

/// Validity of new certificates and how approvals let people in.
pub async fn settings(
    db: &impl ConnectionTrait,
) -> Result<shared::model::CertificateSettings, AppError> {
    let days = crate::services::settings::get_i64(
        db,
        CLIENT_DAYS,
        crate::services::ca::DEFAULT_CLIENT_DAYS,
    )
    .await
    .map_err(db_error)?;
    let mode: String = crate::services::settings::get(db, APPROVAL_MODE, "link".to_string())
        .await
        .map_err(db_error)?;
    Ok(shared::model::CertificateSettings {
        client_validity_days: days,
        approval_mode: shared::model::ApprovalMode::parse(&mode).unwrap_or_default(),
    })
}

pub async fn save_settings(
    db: &sea_orm::DatabaseConnection,
    actor: &Actor,
    new: &shared::model::CertificateSettings,
) -> Result<(), AppError> {
    use sea_orm::TransactionTrait;
    if !(1..=MAX_CLIENT_DAYS).contains(&new.client_validity_days) {
        return Err(AppError::field(
            "client_validity_days",
            format!("Enter a number of days from 1 to {MAX_CLIENT_DAYS}."),
        ));
    }
    let txn = db.begin().await.map_err(db_error)?;
    let before = settings(&txn).await?;
    crate::services::settings::set_json(&txn, CLIENT_DAYS, new.client_validity_days.into())
        .await
        .map_err(db_error)?;
    crate::services::settings::set_json(&txn, APPROVAL_MODE, new.approval_mode.as_str().into())
        .await
        .map_err(db_error)?;
    let details = serde_json::json!({
        "before": { "client_validity_days": before.client_validity_days, "approval_mode": before.approval_mode.as_str() },
        "after": { "client_validity_days": new.client_validity_days, "approval_mode": new.approval_mode.as_str() },
    });
    let target = ("settings", "certificates".to_string(), "Certificates");
    audit::record_change(&txn, actor, "settings.certificates", target, Some(details)).await?;
    txn.commit().await.map_err(db_error)
}
