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
    use crate::ssr::{actor, fail, state};
    use usher_core::services::import::store;
    let actor = actor(Permission::UsersImport)?;
    let filter = filter.as_deref().and_then(Outcome::parse);
    let id = store::parse_id(&id).map_err(fail)?;
    store::view(&state()?.db, &actor, id, filter, page.unwrap_or(0))
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
    invite_unreachable: Option<String>,
) -> Result<(), AppError> {
    use crate::model::Permission;
    use crate::ssr::{actor, form_error, state};
    use usher_core::services::import::store;
    let actor = actor(Permission::UsersImport)?;
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
    let db = state()?.db;
    let saved = match store::parse_id(&id) {
        Ok(id) => {
            let options = usher_core::services::import::ImportOptions {
                create_groups: create_groups.is_some(),
                invite_unreachable: invite_unreachable.is_some(),
            };
            store::save_mapping(&db, &actor, id, &mapping, options).await
        }
        Err(error) => Err(error),
    };
    match saved {
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
    use crate::ssr::{actor, form_error, state};
    let actor = actor(Permission::UsersImport)?;
    let back = format!("/users/import/{}", crate::routes::encode_query_value(&id));
    let mode = if mode == "strict" {
        ApplyMode::OnlyIfNoErrors
    } else {
        ApplyMode::ValidRows
    };
    match usher_core::services::import::job::queue(&state()?, &actor, &id, mode).await {
        Ok(_) => {
            leptos_axum::redirect(&back);
            Ok(())
        }
        Err(error) => Err(form_error(error, &back)),
    }
}
