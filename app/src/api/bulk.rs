//! Mass actions and the jobs that run them.
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{BulkPreview, JobView};

/// The caller may read users and do `request`'s action; the request parsed.
#[cfg(feature = "ssr")]
fn authorize(
    request: &str,
) -> Result<
    (
        usher_core::services::actor::Actor,
        crate::model::BulkRequest,
    ),
    AppError,
> {
    use crate::model::{BulkRequest, Permission};
    use crate::ssr::{actor, fail, require};
    require(Permission::UsersRead)?;
    let request = BulkRequest::parse(request).map_err(|m| fail(AppError::BadRequest(m)))?;
    let caller = actor(request.action.permission())?;
    Ok((caller, request))
}

/// The confirmation step: how many users, exactly, and what to choose.
/// `request` is `/users/bulk`'s query string.
#[server(prefix = "/api", endpoint = "users/bulk/preview")]
pub async fn preview_bulk_action(request: String) -> Result<BulkPreview, AppError> {
    let (actor, request) = authorize(&request)?;
    usher_core::services::bulk::preview(&crate::ssr::state()?.db, &actor, &request)
        .await
        .map_err(crate::ssr::fail)
}

/// "Confirm": queues the job and goes to its progress page.
#[server(prefix = "/api", endpoint = "users/bulk/start")]
pub async fn start_bulk(request: String, target: Option<String>) -> Result<(), AppError> {
    use crate::ssr::{form_error, state};
    let (caller, parsed) = authorize(&request)?;
    let back = format!("/users/bulk?{request}");
    let state = state()?;
    match usher_core::services::bulk::queue(&state, &caller, &parsed, target.as_deref()).await {
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
    use crate::ssr::{fail, require, state};
    use usher_core::services::{job_kinds, jobs};
    require(Permission::UsersRead)?;
    jobs::page(&state()?.db, job_kinds::ALL, &id)
        .await
        .map_err(fail)
}
