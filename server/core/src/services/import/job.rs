//! The apply step as a background job (`users.import`). Each batch of rows
//! is decided, applied, counted and the job's cursor moved in one
//! transaction, so the cursor says exactly which rows were applied and an
//! interrupted job resumes at the next row.
use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use shared::model::{ApplyMode, JobStatus, OutcomeCounts};
use shared::AppError;
use uuid::Uuid;

use super::apply::{self, Applied, Effects};
use super::plan::Planned;
use super::{store, Prepared};
use crate::db::bulk_insert::BulkInsertTxn;
use crate::db::entities::{import, import_failure, job};
use crate::services::actor::Actor;
use crate::services::{audit, ca, db_error, jobs};

pub const KIND: &str = "users.import";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportParams {
    pub import_id: Uuid,
    pub mode: ApplyMode,
    pub public_url: String,
    pub sign_in_url: String,
}

/// "Apply" on the import's page: the job is queued with the links its mails
/// need, and this instance's worker is woken.
pub async fn queue(
    state: &crate::state::AppState,
    actor: &Actor,
    import_id: &str,
    mode: ApplyMode,
) -> Result<Uuid, AppError> {
    let import_id = store::parse_id(import_id)?;
    let public_url = state.public_url().await;
    let sign_in_url = state.sign_in_page_url().await;
    let id = start(&state.db, actor, import_id, mode, &public_url, &sign_in_url).await?;
    state.jobs.notify_one();
    Ok(id)
}

/// "Apply": queues the job for a previewed import; returns the job's id.
pub async fn start(
    db: &DatabaseConnection,
    actor: &Actor,
    import_id: Uuid,
    mode: ApplyMode,
    public_url: &str,
    sign_in_url: &str,
) -> Result<Uuid, AppError> {
    let row = store::find_visible(db, actor, import_id).await?;
    if row.job_id.is_some() {
        return Err(AppError::Conflict(
            "This import has already been applied.".into(),
        ));
    }
    let counts: OutcomeCounts = row
        .counts
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .ok_or_else(|| AppError::Conflict("Map the columns and see the preview first.".into()))?;
    let params = ImportParams {
        import_id,
        mode,
        public_url: public_url.into(),
        sign_in_url: sign_in_url.into(),
    };
    let json = serde_json::to_value(&params).map_err(|e| AppError::Internal(e.to_string()))?;
    let txn = db.begin().await.map_err(db_error)?;
    let id = jobs::create(&txn, KIND, json, counts.total(), actor)
        .await
        .map_err(db_error)?;
    // Only one job per import, even with two clicks at once.
    let claimed = import::Entity::update_many()
        .col_expr(import::Column::JobId, Expr::value(id))
        .filter(import::Column::Id.eq(import_id))
        .filter(import::Column::JobId.is_null())
        .exec(&txn)
        .await
        .map_err(db_error)?;
    if claimed.rows_affected != 1 {
        return Err(AppError::Conflict(
            "This import has already been applied.".into(),
        ));
    }
    txn.commit().await.map_err(db_error)?;
    Ok(id)
}

/// Runs a claimed import job to its end (or, with `batches`, for that many
/// batches: how the tests stop one half-way, as a killed server would).
pub async fn run(
    db: &DatabaseConnection,
    sealing_key: &[u8; 32],
    job: job::Model,
    batches: Option<usize>,
) -> Result<(), DbErr> {
    match run_inner(db, sealing_key, &job, batches).await {
        Ok(()) => Ok(()),
        Err(error) => {
            let current = job::Entity::find_by_id(job.id)
                .one(db)
                .await?
                .unwrap_or(job);
            jobs::finish(db, &current, Err(error.to_string())).await?;
            if let Ok(params) = serde_json::from_str::<ImportParams>(&current.params) {
                if let Err(error) = store::forget_passwords(db, params.import_id).await {
                    tracing::error!(%error, "could not clear an import's passwords");
                }
            }
            Ok(())
        }
    }
}

async fn run_inner(
    db: &DatabaseConnection,
    sealing_key: &[u8; 32],
    job: &job::Model,
    batches: Option<usize>,
) -> Result<(), AppError> {
    let params: ImportParams = serde_json::from_str(&job.params)
        .map_err(|e| AppError::Internal(format!("import job parameters: {e}")))?;
    let row = store::find(db, params.import_id).await?;
    let actor = jobs::actor_of(job);
    let prepared = store::prepare_saved(db, &row, &actor).await?;
    if params.mode == ApplyMode::OnlyIfNoErrors && job.cursor == 0 {
        let (reports, counts) = super::dry_run(db, &prepared).await?;
        if counts.error > 0 {
            let txn = db.begin().await.map_err(db_error)?;
            let failures: Vec<(u64, String)> = reports
                .iter()
                .filter(|r| !r.errors.is_empty())
                .map(|r| (r.row, r.error_text()))
                .collect();
            record_failures(&txn, row.id, &failures).await?;
            txn.commit().await.map_err(db_error)?;
            finish(db, job, &row, &actor, Err(format!(
                "{} rows have errors, so nothing was applied. Download the error report, fix the rows and upload the file again.",
                counts.error
            )))
            .await?;
            return Ok(());
        }
    }
    let effects = Effects {
        public_url: params.public_url.clone(),
        sign_in_url: params.sign_in_url.clone(),
        ca: ca::load(db, sealing_key).await.ok(),
    };
    let mut current = job.clone();
    let mut done = 0;
    let mut decided = None;
    let mut from = Ord::max(current.cursor, 0) as usize;
    while from < prepared.table.rows.len() {
        if batches.is_some_and(|b| done == b) {
            return Ok(());
        }
        let batch = match decided.take() {
            Some(batch) => batch,
            None => decide(db, &prepared, from).await?,
        };
        let step = Step {
            actor: &actor,
            effects: &effects,
        };
        let (written, next) = run_batch(
            db,
            &prepared,
            &step,
            batch,
            Some(&row),
            Some(&current),
            sealing_key,
        )
        .await?;
        match written {
            Some((applied, Some(next))) => {
                current = next;
                from = applied.to;
            }
            // Another runner moved the job on: it is theirs now.
            _ => return Ok(()),
        }
        decided = next;
        done += 1;
    }
    let row = store::find(db, row.id).await?;
    finish(db, &current, &row, &actor, Ok(())).await
}

/// Who applies a batch, and what its new users' mails and certificates need.
pub struct Step<'a> {
    pub actor: &'a Actor,
    pub effects: &'a Effects,
}

/// The rows `from..to`, decided against the database, passwords hashed.
pub struct Decided {
    pub from: usize,
    pub to: usize,
    pub planned: Vec<Planned>,
}

/// Decides the batch that starts at row index `from`.
pub async fn decide(
    db: &impl ConnectionTrait,
    prepared: &Prepared,
    from: usize,
) -> Result<Decided, AppError> {
    let to = apply::batch_end(prepared, from);
    let rows = &prepared.table.rows[from..to];
    let mut planned = super::plan_rows(db, prepared, rows).await?;
    apply::hash_passwords(&mut planned).await?;
    Ok(Decided { from, to, planned })
}

/// A batch written: what it did, the rows it covered, and the job moved on.
pub struct Written {
    pub applied: Applied,
    pub to: usize,
}

/// Writes a decided batch (see `write_batch`). When the batch only creates
/// users, nothing it writes can change how later rows are decided (rows
/// naming the same user twice are errors, and a new user is no
/// administrator to guard), so the next batch is decided at the same time,
/// on another connection; otherwise (updates, deactivations) it is decided
/// after this one commits, by the caller.
pub async fn run_batch(
    db: &DatabaseConnection,
    prepared: &Prepared,
    step: &Step<'_>,
    batch: Decided,
    import: Option<&import::Model>,
    job: Option<&job::Model>,
    sealing_key: &[u8; 32],
) -> Result<(Option<(Written, Option<job::Model>)>, Option<Decided>), AppError> {
    let to = batch.to;
    let only_creates = batch
        .planned
        .iter()
        .all(|p| !matches!(p.action, super::plan::Action::Update(..)));
    let write = write_batch(db, step, batch, import, job, sealing_key);
    if !only_creates || to >= prepared.table.rows.len() {
        return Ok((write.await?, None));
    }
    let (written, next) = tokio::join!(write, decide(db, prepared, to));
    Ok((written?, Some(next?)))
}

/// Applies a decided batch in one transaction. With an import row, its
/// counts and failures are kept; with a job, its cursor moves in the same
/// transaction (`None` back: another runner had moved it, nothing written).
async fn write_batch(
    db: &DatabaseConnection,
    step: &Step<'_>,
    batch: Decided,
    import: Option<&import::Model>,
    job: Option<&job::Model>,
    sealing_key: &[u8; 32],
) -> Result<Option<(Written, Option<job::Model>)>, AppError> {
    let planned = batch.planned;
    let txn = BulkInsertTxn::begin(db).await.map_err(db_error)?;
    let name = import
        .map(|i| i.id.to_string())
        .unwrap_or_else(|| "command line".into());
    let applied = apply::apply(&txn, &planned, step.actor, step.effects, &name).await?;
    if let Some(import) = import {
        record_failures(&txn, import.id, &applied.failures).await?;
        let c = &applied.counts;
        import::Entity::update_many()
            .col_expr(
                import::Column::Created,
                Expr::col(import::Column::Created).add(c.create as i64),
            )
            .col_expr(
                import::Column::Updated,
                Expr::col(import::Column::Updated).add(c.update as i64),
            )
            .col_expr(
                import::Column::Unchanged,
                Expr::col(import::Column::Unchanged).add(c.unchanged as i64),
            )
            .col_expr(
                import::Column::Failed,
                Expr::col(import::Column::Failed).add(c.error as i64),
            )
            .col_expr(import::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(import::Column::Id.eq(import.id))
            .exec(&txn)
            .await
            .map_err(db_error)?;
        if !applied.passwords.is_empty() {
            store::keep_passwords(&txn, import.id, sealing_key, &applied.passwords).await?;
        }
    }
    let next = match job {
        Some(job) => {
            let batch = jobs::BatchResult {
                cursor: batch.to as i64,
                processed: (batch.to - batch.from) as u64,
                changed: applied.counts.create + applied.counts.update,
                skipped: [
                    ("unchanged".to_string(), applied.counts.unchanged),
                    ("error".to_string(), applied.counts.error),
                ]
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .collect(),
            };
            match jobs::advance(&txn, job, &batch).await.map_err(db_error)? {
                Some(next) => Some(next),
                None => return Ok(None),
            }
        }
        None => None,
    };
    txn.commit().await.map_err(db_error)?;
    let written = Written {
        applied,
        to: batch.to,
    };
    Ok(Some((written, next)))
}

async fn record_failures(
    db: &impl ConnectionTrait,
    import_id: Uuid,
    failures: &[(u64, String)],
) -> Result<(), AppError> {
    for chunk in failures.chunks(1_000) {
        let rows = chunk
            .iter()
            .map(|(row, message)| import_failure::ActiveModel {
                import_id: sea_orm::Set(import_id),
                row: sea_orm::Set(*row as i64),
                message: sea_orm::Set(message.clone()),
            });
        import_failure::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([
                import_failure::Column::ImportId,
                import_failure::Column::Row,
            ])
            .exec_without_returning(db)
            .await
            .map_err(db_error)?;
    }
    Ok(())
}

/// Ends the job and writes the import's audit event with its counts.
async fn finish(
    db: &DatabaseConnection,
    job: &job::Model,
    row: &import::Model,
    actor: &Actor,
    outcome: Result<(), String>,
) -> Result<(), AppError> {
    let success = outcome.is_ok();
    let error = outcome.as_ref().err().cloned();
    jobs::finish(db, job, outcome).await.map_err(db_error)?;
    store::forget_passwords(db, row.id).await?;
    audit::record(
        db,
        audit::Event {
            action: "users.import",
            actor_id: Some(actor.id),
            actor_name: Some(&actor.username),
            ip: actor.ip.as_deref(),
            success,
            details: Some(serde_json::json!({
                "file": row.file_name,
                "import": row.id.to_string(),
                "created": row.created,
                "updated": row.updated,
                "unchanged": row.unchanged,
                "failed": row.failed,
                "error": error,
            })),
            ..Default::default()
        },
    )
    .await
    .map_err(db_error)
}

/// The job's progress page (`/jobs/{id}`) for an import.
pub fn view(job: &job::Model) -> shared::model::JobView {
    let import_id = serde_json::from_str::<ImportParams>(&job.params)
        .map(|p| p.import_id.to_string())
        .unwrap_or_default();
    jobs::view(
        job,
        "Import users".into(),
        format!("/users/import/{import_id}"),
    )
}

/// Whether the job still runs.
pub fn running(job: &job::Model) -> bool {
    !JobStatus::parse(&job.status).is_some_and(|s| s.finished())
}
