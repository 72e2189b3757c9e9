//! The import's page: its state, a page of the preview, the failures.
use super::*;

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
    let secret = crate::services::import::report::password_columns(&mapping_of(&row));
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
        Some(j) if crate::services::import::job::running(j) && j.processed > 0 => {
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
        warnings: 0,
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
        invite_unreachable: row.invite_unreachable,
        preview: counts,
        page: page_rows,
        filter,
        page_number: page,
        has_next,
        job: job.as_ref().map(crate::services::import::job::view),
        applied,
        rate,
        eta_seconds,
        certificate_passwords: row.secrets.is_some(),
    })
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
