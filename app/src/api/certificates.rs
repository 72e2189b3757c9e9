//! Usher's certificate authority and users' certificates.
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{CaView, CertificateList, CertificateRow, IssuedCertificate};

/// `/settings/certificates`: the CA's subject, fingerprint and validity.
#[server(prefix = "/api", endpoint = "settings/certificates")]
pub async fn certificate_authority() -> Result<CaView, AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, fail, require};
    require(Permission::SettingsManage)?;
    backend()?.ca_view().await.map_err(fail)
}

/// "Save" on `/settings/certificates`.
#[server(prefix = "/api", endpoint = "settings/certificates/save")]
pub async fn save_certificate_settings(
    client_validity_days: String,
    approval_mode: String,
) -> Result<(), AppError> {
    use crate::model::{ApprovalMode, CertificateSettings, Permission};
    use crate::ssr::{backend, form_error, is_plain_form_post, request_meta, require};
    let back = "/settings/certificates";
    let actor = require(Permission::SettingsManage)?;
    let Ok(days) = client_validity_days.trim().parse::<i64>() else {
        return Err(form_error(
            AppError::field("client_validity_days", "Enter a whole number of days."),
            back,
        ));
    };
    let Some(mode) = ApprovalMode::parse(&approval_mode) else {
        return Err(form_error(
            AppError::field("approval_mode", "Choose how approval lets people in."),
            back,
        ));
    };
    let settings = CertificateSettings {
        client_validity_days: days,
        approval_mode: mode,
    };
    backend()?
        .save_certificate_settings(&actor, &request_meta(), settings)
        .await
        .map_err(|e| form_error(e, back))?;
    if is_plain_form_post() {
        leptos_axum::redirect(&format!("{back}?saved=1"));
    }
    Ok(())
}

/// "Generate certificate" (or, with `replace`, "Regenerate certificate").
/// The answer carries the PKCS#12 password: shown once, stored nowhere.
#[server(prefix = "/api", endpoint = "certificates/issue")]
pub async fn issue_certificate(
    username: String,
    legacy: Option<String>,
    replace: Option<String>,
) -> Result<IssuedCertificate, AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, fail, request_meta, require};
    let actor = require(Permission::CertificatesManage)?;
    backend()?
        .issue_certificate(
            &actor,
            &request_meta(),
            &username,
            legacy.is_some(),
            replace.is_some(),
        )
        .await
        .map_err(fail)
}

/// "Renew" the certificates that expire soon; the answer carries each new
/// PKCS#12 password (shown once).
#[server(prefix = "/api", endpoint = "certificates/renew")]
pub async fn renew_expiring() -> Result<Vec<IssuedCertificate>, AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, fail, request_meta, require};
    let actor = require(Permission::CertificatesManage)?;
    backend()?
        .renew_expiring(&actor, &request_meta())
        .await
        .map_err(fail)
}

/// "Revoke" with a reason.
#[server(prefix = "/api", endpoint = "certificates/revoke")]
pub async fn revoke_certificate(id: String, reason: String, back: String) -> Result<(), AppError> {
    use crate::model::{Permission, RevocationReason};
    use crate::ssr::{backend, form_error, is_plain_form_post, request_meta, require};
    // Only a path on this site (never `//elsewhere`) to come back to.
    let back = crate::routes::safe_next(Some(&back)).unwrap_or_else(|| "/certificates".into());
    let actor = require(Permission::CertificatesManage)?;
    let Some(reason) = RevocationReason::parse(&reason) else {
        return Err(form_error(
            AppError::field("reason", "Choose a reason."),
            &back,
        ));
    };
    backend()?
        .revoke_certificate(&actor, &request_meta(), &id, reason)
        .await
        .map_err(|e| form_error(e, &back))?;
    if is_plain_form_post() {
        leptos_axum::redirect(&back);
    }
    Ok(())
}

/// A user's "Certificates" tab.
#[server(prefix = "/api", endpoint = "certificates/of-user")]
pub async fn user_certificates(username: String) -> Result<Vec<CertificateRow>, AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, fail, require_any};
    require_any(&[Permission::UsersRead, Permission::CertificatesManage])?;
    backend()?.user_certificates(&username).await.map_err(fail)
}

/// `/account`: the caller's own certificates.
#[server(prefix = "/api", endpoint = "certificates/mine")]
pub async fn my_certificates() -> Result<Vec<CertificateRow>, AppError> {
    use crate::ssr::{backend, caller, fail};
    let me = caller().ok_or_else(|| fail(AppError::Unauthorized))?;
    backend()?
        .user_certificates(&me.username)
        .await
        .map_err(fail)
}

/// `/certificates`: every certificate, by state and username.
#[server(prefix = "/api", endpoint = "certificates")]
pub async fn list_certificates(
    state: Option<String>,
    username: Option<String>,
    page: Option<u64>,
) -> Result<CertificateList, AppError> {
    use crate::model::{CertificateState, Permission};
    use crate::ssr::{backend, fail, require};
    require(Permission::CertificatesManage)?;
    let state = state.as_deref().and_then(CertificateState::parse);
    backend()?
        .certificates(state, username.as_deref().unwrap_or(""), page.unwrap_or(1))
        .await
        .map_err(fail)
}

/// The navigation's badge: how many certificates expire soon.
#[server(prefix = "/api", endpoint = "certificates/expiring")]
pub async fn expiring_certificates() -> Result<u64, AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, fail, require};
    require(Permission::CertificatesManage)?;
    backend()?.expiring_certificates().await.map_err(fail)
}

/// Where "Sign in with certificate" goes (the HTTPS listener), if it runs.
/// Public: the sign-in page shows it.
#[server(prefix = "/api", endpoint = "certificates/sign-in-url")]
pub async fn certificate_sign_in_url() -> Result<Option<String>, AppError> {
    use crate::ssr::{backend, fail};
    backend()?.certificate_sign_in_url().await.map_err(fail)
}
