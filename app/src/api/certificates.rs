//! Usher's certificate authority and users' certificates.
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{CaView, CertificateList, CertificateRow, IssuedCertificate};

/// `/settings/certificates`: the CA's subject, fingerprint and validity.
#[server(prefix = "/api", endpoint = "settings/certificates")]
pub async fn certificate_authority() -> Result<CaView, AppError> {
    use crate::model::Permission;
    use crate::ssr::{fail, require, state};
    require(Permission::SettingsManage)?;
    usher_core::services::certificates::ca_view(&state()?)
        .await
        .map_err(fail)
}

/// "Save" on `/settings/certificates`.
#[server(prefix = "/api", endpoint = "settings/certificates/save")]
pub async fn save_certificate_settings(
    client_validity_days: String,
    approval_mode: String,
) -> Result<(), AppError> {
    use crate::model::{ApprovalMode, CertificateSettings, Permission};
    use crate::ssr::{actor, form_error, is_plain_form_post, state};
    let back = "/settings/certificates";
    let actor = actor(Permission::SettingsManage)?;
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
    usher_core::services::certificates::save_settings(&state()?.db, &actor, &settings)
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
    use crate::ssr::{actor, fail, state};
    use usher_core::services::certificates;
    let actor = actor(Permission::CertificatesManage)?;
    let (legacy, replace) = (legacy.is_some(), replace.is_some());
    certificates::issue_for(&state()?, &actor, &username, legacy, replace)
        .await
        .map_err(fail)
}

/// "Renew" the certificates that expire soon; the answer carries each new
/// PKCS#12 password (shown once).
#[server(prefix = "/api", endpoint = "certificates/renew")]
pub async fn renew_expiring() -> Result<Vec<IssuedCertificate>, AppError> {
    use crate::model::Permission;
    use crate::ssr::{actor, fail, state};
    let actor = actor(Permission::CertificatesManage)?;
    usher_core::services::certificates::renew_expiring(&state()?, &actor)
        .await
        .map_err(fail)
}

/// "Revoke" with a reason.
#[server(prefix = "/api", endpoint = "certificates/revoke")]
pub async fn revoke_certificate(id: String, reason: String, back: String) -> Result<(), AppError> {
    use crate::model::{Permission, RevocationReason};
    use crate::ssr::{actor, form_error, is_plain_form_post, state};
    // Only a path on this site (never `//elsewhere`) to come back to.
    let back = crate::routes::safe_next(Some(&back)).unwrap_or_else(|| "/certificates".into());
    let actor = actor(Permission::CertificatesManage)?;
    let Some(reason) = RevocationReason::parse(&reason) else {
        return Err(form_error(
            AppError::field("reason", "Choose a reason."),
            &back,
        ));
    };
    usher_core::services::certificates::revoke_one(&state()?, &actor, &id, reason)
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
    use crate::ssr::{fail, require_any, state};
    require_any(&[Permission::UsersRead, Permission::CertificatesManage])?;
    let db = state()?.db;
    usher_core::services::certificates::of_username(&db, &username)
        .await
        .map_err(fail)
}

/// `/account`: the caller's own certificates.
#[server(prefix = "/api", endpoint = "certificates/mine")]
pub async fn my_certificates() -> Result<Vec<CertificateRow>, AppError> {
    use crate::ssr::{caller, fail, state};
    let me = caller().ok_or_else(|| fail(AppError::Unauthorized))?;
    let db = state()?.db;
    usher_core::services::certificates::of_username(&db, &me.username)
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
    use crate::ssr::{fail, require};
    require(Permission::CertificatesManage)?;
    let db = crate::ssr::state()?.db;
    let state = state.as_deref().and_then(CertificateState::parse);
    let username = username.as_deref().unwrap_or("");
    usher_core::services::certificates::list(&db, state, username, page.unwrap_or(1))
        .await
        .map_err(fail)
}

/// The navigation's badge: how many certificates expire soon.
#[server(prefix = "/api", endpoint = "certificates/expiring")]
pub async fn expiring_certificates() -> Result<u64, AppError> {
    use crate::model::Permission;
    use crate::ssr::{fail, require, state};
    require(Permission::CertificatesManage)?;
    usher_core::services::certificates::expiring(&state()?.db)
        .await
        .map_err(fail)
}

/// Where "Sign in with certificate" goes (the HTTPS listener), if it runs.
/// Public: the sign-in page shows it.
#[server(prefix = "/api", endpoint = "certificates/sign-in-url")]
pub async fn certificate_sign_in_url() -> Result<Option<String>, AppError> {
    let https = crate::ssr::state()?.https_url();
    Ok(https.map(|url| format!("{url}/auth/certificate")))
}
