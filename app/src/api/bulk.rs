//! Mass actions and the jobs that run them.
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{BulkPreview, JobView};

/// The caller may read users and do `request`'s action; the request parsed.
#[cfg(feature = "ssr")]
fn authorize(
    request: &str,
) -> Result<(crate::model::CurrentUser, crate::model::BulkRequest), AppError> {
    use crate::model::{BulkRequest, Permission};
    use crate::ssr::{fail, require};
    require(Permission::UsersRead)?;
    let request = BulkRequest::parse(request).map_err(|m| fail(AppError::BadRequest(m)))?;
    let caller = require(request.action.permission())?;
    Ok((caller, request))
}

/// The confirmation step: how many users, exactly, and what to choose.
/// `request` is `/users/bulk`'s query string.
#[server(prefix = "/api", endpoint = "users/bulk/preview")]
pub async fn preview_bulk_action(request: String) -> Result<BulkPreview, AppError> {
    let (actor, request) = authorize(&request)?;
    crate::ssr::backend()?
        .bulk_preview(&actor, &crate::ssr::request_meta(), &request)
        .await
        .map_err(crate::ssr::fail)
}

/// "Confirm": queues the job and goes to its progress page.
#[server(prefix = "/api", endpoint = "users/bulk/start")]
pub async fn start_bulk(request: String, target: Option<String>) -> Result<(), AppError> {
    use crate::ssr::{backend, form_error, request_meta};
    let (caller, parsed) = authorize(&request)?;
    let back = format!("/users/bulk?{request}");
    match backend()?
        .start_bulk(&caller, &request_meta(), &parsed, target.as_deref())
        .await
    {
        Ok(id) => {
            leptos_axum::redirect(&format!("/jobs/{id}"));
            Ok(())
        }
        Err(error) => Err(form_error(error, &back)),
    }
}

/// A job's progress and, once finished, its result.
#[server(prefix = "/api", endpoint = "jobs/status")]
pub async fn job_progress(id: String) -> Result<JobView, AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, fail, require};
    require(Permission::UsersRead)?;
    backend()?.job(&id).await.map_err(fail)
}
