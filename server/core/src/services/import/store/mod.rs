//! The imports table: an upload is kept (checked, with its automatic
//! mapping) so every step of the wizard, on any instance, works from it.
use crate::services::access::Authority;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use shared::model::import::PREVIEW_PAGE;
use shared::model::{ImportStage, ImportView, JobStatus, Outcome, OutcomeCounts, RowReport};
use shared::AppError;
use uuid::Uuid;

use super::columns::{self, Mapping};
use super::{read, Prepared};
use crate::db::entities::{import, import_failure, job};
use crate::services::actor::Actor;
use crate::services::{ca, db_error};

mod passwords;
mod view;
pub use passwords::*;
pub use view::*;

/// Keeps an upload after checking that it reads as CSV; returns its id.
pub async fn save_upload(
    db: &impl ConnectionTrait,
    actor: &Actor,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<Uuid, AppError> {
    // Counted before the file is parsed: a line per row at least.
    let max_rows = crate::services::settings::get_i64(db, MAX_ROWS, 1_000_000)
        .await
        .map_err(db_error)?
        .max(1) as usize;
    let lines = bytes.iter().filter(|b| **b == b'\n').count();
    if lines > max_rows + 1 {
        return Err(AppError::field(
            "file",
            format!(
                "The file has more than {max_rows} rows (about {lines} lines); split it into files of at most {max_rows} rows."
            ),
        ));
    }
    let table = read::read(&bytes).map_err(|m| AppError::field("file", m))?;
    let mapping = names(&columns::auto_map(&table.header));
    let id = Uuid::new_v4();
    let now = Utc::now();
    let name: String = file_name
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    import::ActiveModel {
        id: Set(id),
        file_name: Set(if name.trim().is_empty() {
            "upload.csv".into()
        } else {
            name
        }),
        content: Set(bytes),
        mapping: Set(serde_json::to_string(&mapping).unwrap_or_default()),
        create_groups: Set(false),
        invite_unreachable: Set(false),
        preview: Set(None),
        counts: Set(None),
        job_id: Set(None),
        created: Set(0),
        updated: Set(0),
        unchanged: Set(0),
        failed: Set(0),
        secrets: Set(None),
        created_by: Set(Some(actor.id)),
        created_by_name: Set(actor.username.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(db_error)?;
    Ok(id)
}

fn names(mapping: &Mapping) -> Vec<String> {
    mapping
        .iter()
        .map(|f| f.map(|f| f.as_str().to_string()).unwrap_or_default())
        .collect()
}

/// The import, when `actor` may see it: its creator and Admins only. The
/// file may hold personal data and passwords; to anyone else it does not
/// exist (404, not 403, so ids cannot be probed).
pub async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> Result<import::Model, AppError> {
    let row = find(db, id).await?;
    ensure_visible(db, actor, &row).await?;
    Ok(row)
}

async fn ensure_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    row: &import::Model,
) -> Result<(), AppError> {
    if row.created_by == Some(actor.id) || Authority::load(db, actor).await?.is_admin() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<import::Model, AppError> {
    import::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(db_error)?
        .ok_or(AppError::NotFound)
}

/// The import without its dry run, and with only the file's first 64 KiB
/// (its header and first row).
async fn find_for_progress(db: &impl ConnectionTrait, id: Uuid) -> Result<import::Model, AppError> {
    use sea_orm::sea_query::Expr;
    use sea_orm::{Iterable, QuerySelect};
    let light = import::Column::iter()
        .filter(|c| !matches!(c, import::Column::Content | import::Column::Preview));
    import::Entity::find_by_id(id)
        .select_only()
        .columns(light)
        .expr_as(Expr::cust("substr(content, 1, 65536)"), "content")
        .expr_as(Expr::cust("CAST(NULL AS TEXT)"), "preview")
        .into_model::<import::Model>()
        .one(db)
        .await
        .map_err(db_error)?
        .ok_or(AppError::NotFound)
}

/// An import's id from its URL (surrounding spaces allowed).
pub fn parse_id(id: &str) -> Result<Uuid, AppError> {
    crate::services::parse_id(id.trim())
}

/// Uploads older than the retention (setting `import.retention_days`,
/// default 7) are deleted with their reports, unless their job still runs.
pub async fn purge_expired(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    use sea_orm::{EntityTrait, QueryFilter};
    let days = crate::services::settings::get_i64(db, RETENTION_DAYS, 7)
        .await
        .map_err(db_error)?
        .max(1);
    let before = Utc::now() - chrono::Duration::days(days);
    let old: Vec<import::Model> = import::Entity::find()
        .filter(import::Column::CreatedAt.lt(before))
        .all(db)
        .await
        .map_err(db_error)?;
    let mut purged = 0;
    for row in old {
        if let Some(job_id) = row.job_id {
            let job = job::Entity::find_by_id(job_id)
                .one(db)
                .await
                .map_err(db_error)?;
            if job.is_some_and(|j| j.finished_at.is_none()) {
                continue;
            }
        }
        import_failure::Entity::delete_many()
            .filter(import_failure::Column::ImportId.eq(row.id))
            .exec(db)
            .await
            .map_err(db_error)?;
        import::Entity::delete_by_id(row.id)
            .exec(db)
            .await
            .map_err(db_error)?;
        purged += 1;
    }
    Ok(purged)
}

/// The setting: how many days uploads are kept.
pub const RETENTION_DAYS: &str = "import.retention_days";
/// The setting: the most rows a file may have.
pub const MAX_ROWS: &str = "import.max_rows";

/// The saved mapping as fields, column by column (None: ignored).
pub fn mapping_of(row: &import::Model) -> Mapping {
    let (header, _) = read::head(&row.content);
    columns::parse(&saved_mapping(row), header.len()).unwrap_or_else(|_| columns::auto_map(&header))
}

fn saved_mapping(row: &import::Model) -> Vec<String> {
    serde_json::from_str(&row.mapping).unwrap_or_default()
}

/// The choices saved with the import.
pub fn options_of(row: &import::Model) -> super::ImportOptions {
    super::ImportOptions {
        create_groups: row.create_groups,
        invite_unreachable: row.invite_unreachable,
    }
}

/// The saved file with its saved mapping, ready to decide.
pub async fn prepare_saved(
    db: &impl ConnectionTrait,
    row: &import::Model,
    actor: &Actor,
) -> Result<Prepared, AppError> {
    // Only the header here: `prepare` reads (and checks) the whole file.
    let (header, _) = read::head(&row.content);
    let mapping =
        columns::parse(&saved_mapping(row), header.len()).map_err(AppError::BadRequest)?;
    let authority = Authority::load(db, actor).await?;
    super::prepare(db, &row.content, Some(mapping), options_of(row), authority).await
}

/// "Preview": saves the mapping and runs the dry run over the whole file.
pub async fn save_mapping(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    values: &[String],
    options: super::ImportOptions,
) -> Result<OutcomeCounts, AppError> {
    let row = find_visible(db, actor, id).await?;
    if row.job_id.is_some() {
        return Err(AppError::Conflict(
            "This import has already been applied.".into(),
        ));
    }
    // Only the header here: `prepare` reads (and checks) the whole file.
    let (header, _) = read::head(&row.content);
    let mapping =
        columns::parse(values, header.len()).map_err(|m| AppError::field("mapping", m))?;
    let problems = columns::problems(&mapping, &header);
    if !problems.is_empty() {
        return Err(AppError::field("mapping", problems.join(" ")));
    }
    let authority = Authority::load(db, actor).await?;
    let prepared =
        super::prepare(db, &row.content, Some(mapping.clone()), options, authority).await?;
    let (reports, counts) = super::dry_run(db, &prepared).await?;
    let mut update: import::ActiveModel = row.into();
    update.mapping = Set(serde_json::to_string(&names(&mapping)).unwrap_or_default());
    update.create_groups = Set(options.create_groups);
    update.invite_unreachable = Set(options.invite_unreachable);
    update.preview = Set(Some(
        serde_json::to_string(&reports).map_err(|e| AppError::Internal(e.to_string()))?,
    ));
    update.counts = Set(Some(serde_json::to_string(&counts).unwrap_or_default()));
    update.updated_at = Set(Utc::now());
    update.update(db).await.map_err(db_error)?;
    Ok(counts)
}
