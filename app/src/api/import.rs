//! The import wizard's steps after the upload: map the columns (which runs
//! the dry run), then apply. All need users.import.
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::ImportView;

/// The import's state and a page of its preview (`filter`: an outcome name).
#[server(prefix = "/api", endpoint = "users/import/view")]
pub async fn import_status(
    id: String,
    filter: Option<String>,
    page: Option<usize>,
) -> Result<ImportView, AppError> {
    use crate::model::{Outcome, Permission};
    use crate::ssr::{backend, fail, require};
    let actor = require(Permission::UsersImport)?;
    let filter = filter.as_deref().and_then(Outcome::parse);
    backend()?
        .import_view(
            &actor,
            &crate::ssr::request_meta(),
            &id,
            filter,
            page.unwrap_or(0),
        )
        .await
        .map_err(fail)
}

/// "Preview": saves the mapping (`columns`: "index:field" per column) and
/// runs the dry run; back to the import's page.
#[server(prefix = "/api", endpoint = "users/import/map")]
pub async fn map_import(
    id: String,
    columns: Option<Vec<String>>,
    create_groups: Option<String>,
) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{backend, form_error, request_meta, require};
    let actor = require(Permission::UsersImport)?;
    let back = format!("/users/import/{}", crate::routes::encode_query_value(&id));
    let mut pairs: Vec<(usize, String)> = columns
        .unwrap_or_default()
        .iter()
        .filter_map(|c| {
            let (index, field) = c.split_once(':')?;
            Some((index.parse().ok()?, field.to_string()))
        })
        .collect();
    pairs.sort_by_key(|p| p.0);
    let mapping: Vec<String> = pairs.into_iter().map(|p| p.1).collect();
    match backend()?
        .map_import(
            &actor,
            &request_meta(),
            &id,
            &mapping,
            create_groups.is_some(),
        )
        .await
    {
        Ok(_) => {
            leptos_axum::redirect(&back);
            Ok(())
        }
        Err(error) => Err(form_error(error, &back)),
    }
}

/// "Apply valid rows" (`mode` = valid) or "Apply only if there are no
/// errors" (`mode` = strict): queues the job; back to the import's page.
#[server(prefix = "/api", endpoint = "users/import/apply")]
pub async fn apply_import(id: String, mode: String) -> Result<(), AppError> {
    use crate::model::{ApplyMode, Permission};
    use crate::ssr::{backend, form_error, request_meta, require};
    let actor = require(Permission::UsersImport)?;
    let back = format!("/users/import/{}", crate::routes::encode_query_value(&id));
    let mode = if mode == "strict" {
        ApplyMode::OnlyIfNoErrors
    } else {
        ApplyMode::ValidRows
    };
    match backend()?
        .apply_import(&actor, &request_meta(), &id, mode)
        .await
    {
        Ok(_) => {
            leptos_axum::redirect(&back);
            Ok(())
        }
        Err(error) => Err(form_error(error, &back)),
    }
}
