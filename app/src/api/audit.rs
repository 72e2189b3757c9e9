use leptos::prelude::*;

use crate::error::AppError;
use crate::model::AuditPage;

/// A page of the audit log; `query` is the page's URL query string.
#[server(prefix = "/api", endpoint = "audit/list")]
pub async fn list_audit(query: String) -> Result<AuditPage, AppError> {
    use crate::model::{AuditQuery, Permission};
    use crate::ssr::{fail, require, state};
    use usher_core::services::{audit, db_error};
    require(Permission::AuditRead)?;
    audit::list(&state()?.db, &AuditQuery::parse(&query))
        .await
        .map_err(|e| fail(db_error(e)))
}
