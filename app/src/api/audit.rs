use leptos::prelude::*;

use crate::error::AppError;
use crate::model::AuditPage;

/// A page of the audit log; `query` is the page's URL query string.
#[server(prefix = "/api", endpoint = "audit/list")]
pub async fn list_audit(query: String) -> Result<AuditPage, AppError> {
    use crate::model::{AuditQuery, Permission};
    use crate::ssr::{backend, fail, require};
    require(Permission::AuditRead)?;
    backend()?
        .list_audit(AuditQuery::parse(&query))
        .await
        .map_err(fail)
}
