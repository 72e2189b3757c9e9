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

pub fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)
}

/// Blanks the file's password column once its job has hashed them: the
/// upload keeps no password in clear beyond the job.
pub async fn forget_passwords(db: &impl ConnectionTrait, id: Uuid) -> Result<(), AppError> {
    let row = find(db, id).await?;
    let secret = super::report::password_columns(&mapping_of(&row));
    if secret.is_empty() {
        return Ok(());
    }
    let table = read::read(&row.content).map_err(AppError::Internal)?;
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    let failed = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
    out.write_record(&table.header).map_err(failed)?;
    for record in &table.rows {
        let cells =
            record.cells.iter().enumerate().map(
                |(i, c)| {
                    if secret.contains(&i) {
                        ""
                    } else {
                        c.as_str()
                    }
                },
            );
        out.write_record(cells).map_err(failed)?;
    }
    let content = out
        .into_inner()
        .map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    let mut update: import::ActiveModel = row.into();
    update.content = Set(content);
    update.updated_at = Set(Utc::now());
    update.update(db).await.map_err(db_error)?;
    Ok(())
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
    super::prepare(
        db,
        &row.content,
        Some(mapping),
        row.create_groups,
        authority,
    )
    .await
}

/// "Preview": saves the mapping and runs the dry run over the whole file.
pub async fn save_mapping(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    values: &[String],
    create_groups: bool,
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
    let prepared = super::prepare(
        db,
        &row.content,
        Some(mapping.clone()),
        create_groups,
        authority,
    )
    .await?;
    let (reports, counts) = super::dry_run(db, &prepared).await?;
    let mut update: import::ActiveModel = row.into();
    update.mapping = Set(serde_json::to_string(&names(&mapping)).unwrap_or_default());
    update.create_groups = Set(create_groups);
    update.preview = Set(Some(
        serde_json::to_string(&reports).map_err(|e| AppError::Internal(e.to_string()))?,
    ));
    update.counts = Set(Some(serde_json::to_string(&counts).unwrap_or_default()));
    update.updated_at = Set(Utc::now());
    update.update(db).await.map_err(db_error)?;
    Ok(counts)
}

/// The dry run's rows, as saved.
pub fn preview_rows(row: &import::Model) -> Vec<RowReport> {
    row.preview
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_default()
}

/// What the wizard shows: the step, the mapping, a page of the preview and
/// the job's progress.
pub async fn view(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    filter: Option<Outcome>,
    page: usize,
) -> Result<ImportView, AppError> {
    // A running job's page is polled twice a second: it reads the file's
    // first 64 KiB and not the dry run, rather than megabytes each time.
    let mut row = find_for_progress(db, id).await?;
    ensure_visible(db, actor, &row).await?;
    if row.job_id.is_none() {
        row = find(db, id).await?;
    }
    let counts: Option<OutcomeCounts> = row
        .counts
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok());
    // Once mapped, the dry run knows the row count: only the head is read.
    let (headers, sample, rows) = match &counts {
        Some(c) => {
            let (header, sample) = read::head(&row.content);
            (header, sample, c.total())
        }
        None => {
            let table = read::read(&row.content).map_err(AppError::BadRequest)?;
            let sample = table
                .rows
                .first()
                .map(|r| r.cells.clone())
                .unwrap_or_default();
            (table.header, sample, table.rows.len() as u64)
        }
    };
    // The mapping step shows the first row: never a password in it.
    let secret = super::report::password_columns(&mapping_of(&row));
    let sample: Vec<String> = sample
        .into_iter()
        .enumerate()
        .map(|(i, cell)| {
            if secret.contains(&i) && !cell.is_empty() {
                "••••••••".to_string()
            } else {
                cell
            }
        })
        .collect();
    let job = match row.job_id {
        Some(job_id) => job::Entity::find_by_id(job_id)
            .one(db)
            .await
            .map_err(db_error)?,
        None => None,
    };
    let stage = match (job.as_ref().map(|j| JobStatus::parse(&j.status)), &counts) {
        (Some(Some(JobStatus::Done)), _) => ImportStage::Done,
        (Some(Some(JobStatus::Failed)), _) => ImportStage::Failed,
        (Some(_), _) => ImportStage::Applying,
        (None, Some(_)) => ImportStage::Preview,
        (None, None) => ImportStage::Mapping,
    };
    let (page_rows, has_next) = if counts.is_some() && job.is_none() {
        let all = preview_rows(&row);
        let mut matching = all
            .into_iter()
            .filter(|r| filter.is_none_or(|f| r.outcome == f));
        let rows: Vec<RowReport> = matching
            .by_ref()
            .skip(page * PREVIEW_PAGE)
            .take(PREVIEW_PAGE)
            .collect();
        (rows, matching.next().is_some())
    } else {
        (Vec::new(), false)
    };
    let (rate, eta_seconds) = match &job {
        Some(j) if super::job::running(j) && j.processed > 0 => {
            let seconds = (j.updated_at - j.created_at).num_milliseconds().max(1) as f64 / 1000.0;
            let rate = j.processed as f64 / seconds;
            let left = (j.total - j.processed).max(0) as f64;
            (Some(rate), Some((left / rate).ceil() as u64))
        }
        _ => (None, None),
    };
    let applied = job.as_ref().map(|_| OutcomeCounts {
        create: row.created.max(0) as u64,
        update: row.updated.max(0) as u64,
        unchanged: row.unchanged.max(0) as u64,
        error: row.failed.max(0) as u64,
    });
    Ok(ImportView {
        id: row.id.to_string(),
        file_name: row.file_name.clone(),
        stage,
        headers,
        mapping: saved_mapping(&row),
        sample,
        rows,
        create_groups: row.create_groups,
        preview: counts,
        page: page_rows,
        filter,
        page_number: page,
        has_next,
        job: job.as_ref().map(super::job::view),
        applied,
        rate,
        eta_seconds,
        certificate_passwords: row.secrets.is_some(),
    })
}

/// Adds issued certificates' passwords to the import, sealed.
pub async fn keep_passwords(
    db: &impl ConnectionTrait,
    id: Uuid,
    key: &[u8; 32],
    passwords: &[(String, String)],
) -> Result<(), AppError> {
    let row = find(db, id).await?;
    let mut all: Vec<(String, String)> = match &row.secrets {
        Some(sealed) => serde_json::from_str(
            &ca::open(key, sealed).map_err(|e| AppError::Internal(e.to_string()))?,
        )
        .unwrap_or_default(),
        None => Vec::new(),
    };
    all.extend_from_slice(passwords);
    let sealed = ca::seal(key, &serde_json::to_string(&all).unwrap_or_default());
    import::Entity::update_many()
        .col_expr(
            import::Column::Secrets,
            sea_orm::sea_query::Expr::value(sealed),
        )
        .filter(import::Column::Id.eq(id))
        .exec(db)
        .await
        .map_err(db_error)?;
    Ok(())
}

/// "Download certificate passwords": once, then they are gone.
pub async fn take_passwords(
    db: &impl ConnectionTrait,
    id: Uuid,
    key: &[u8; 32],
) -> Result<Vec<(String, String)>, AppError> {
    let row = find(db, id).await?;
    let Some(sealed) = row.secrets.clone() else {
        return Err(AppError::Conflict(
            "The certificate passwords were already downloaded; regenerate a certificate to get a new one."
                .into(),
        ));
    };
    let taken = import::Entity::update_many()
        .col_expr(
            import::Column::Secrets,
            sea_orm::sea_query::Expr::value(Option::<String>::None),
        )
        .filter(import::Column::Id.eq(id))
        .filter(import::Column::Secrets.eq(sealed.clone()))
        .exec(db)
        .await
        .map_err(db_error)?;
    if taken.rows_affected != 1 {
        return Err(AppError::Conflict(
            "The certificate passwords were already downloaded.".into(),
        ));
    }
    let plain = ca::open(key, &sealed).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(serde_json::from_str(&plain).unwrap_or_default())
}

/// The failed rows (after an apply) or the preview's errors (before one):
/// line → reason.
pub async fn failures(
    db: &impl ConnectionTrait,
    row: &import::Model,
) -> Result<Vec<(u64, String)>, AppError> {
    if row.job_id.is_some() {
        let failed = import_failure::Entity::find()
            .filter(import_failure::Column::ImportId.eq(row.id))
            .order_by_asc(import_failure::Column::Row)
            .all(db)
            .await
            .map_err(db_error)?;
        if !failed.is_empty() {
            return Ok(failed
                .into_iter()
                .map(|f| (f.row as u64, f.message))
                .collect());
        }
    }
    Ok(preview_rows(row)
        .into_iter()
        .filter(|r| !r.errors.is_empty())
        .map(|r| (r.row, r.error_text()))
        .collect())
}
