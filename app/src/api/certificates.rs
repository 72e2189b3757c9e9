//! Usher's certificate authority.
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::CaView;

/// `/settings/certificates`: the CA's subject, fingerprint and validity.
#[server(prefix = "/api", endpoint = "settings/certificates")]
pub async fn certificate_authority() -> Result<CaView, AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, fail, require};
    require(Permission::SettingsManage)?;
    backend()?.ca_view().await.map_err(fail)
}
