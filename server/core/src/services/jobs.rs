//! Background jobs: a row per job holding its progress. Batches commit their
//! changes and the job's new cursor in one transaction, so a job is never
//! half-applied within a batch and resumes where it stopped. A job is claimed
//! with a lease (a conditional UPDATE), so on several instances it runs once,
//! and a job whose instance died is picked up again after the lease.
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures_util::future::BoxFuture;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder, Set,
};
use shared::model::JobStatus;
use tokio::sync::Notify;
use uuid::Uuid;

use super::actor::Actor;
use crate::db::entities::job;

/// How long a claim lasts; every batch renews it.
pub const LEASE: Duration = Duration::from_secs(60);

pub async fn create(
    db: &impl ConnectionTrait,
    kind: &str,
    params: serde_json::Value,
    total: u64,
    actor: &Actor,
) -> Result<Uuid, DbErr> {
    let now = Utc::now();
    let id = Uuid::new_v4();
    job::ActiveModel {
        id: Set(id),
        kind: Set(kind.into()),
        params: Set(params.to_string()),
        status: Set(JobStatus::Queued.as_str().into()),
        total: Set(total as i64),
        processed: Set(0),
        changed: Set(0),
        skipped: Set(0),
        skip_reasons: Set("{}".into()),
        cursor: Set(0),
        error: Set(None),
        created_by: Set(Some(actor.id)),
        created_by_name: Set(actor.username.clone()),
        created_ip: Set(actor.ip.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
        locked_until: Set(None),
        lease_token: Set(None),
    }
    .insert(db)
    .await?;
    Ok(id)
}

fn claimable(now: chrono::DateTime<Utc>) -> Condition {
    Condition::any()
        .add(job::Column::Status.eq(JobStatus::Queued.as_str()))
        .add(
            Condition::all()
                .add(job::Column::Status.eq(JobStatus::Running.as_str()))
                .add(job::Column::LockedUntil.lt(now)),
        )
}

/// Claims the oldest job that is waiting or whose runner's lease has passed.
pub async fn claim_next(db: &DatabaseConnection) -> Result<Option<job::Model>, DbErr> {
    let now = Utc::now();
    let Some(candidate) = job::Entity::find()
        .filter(claimable(now))
        .order_by_asc(job::Column::CreatedAt)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let claimed = job::Entity::update_many()
        .col_expr(
            job::Column::Status,
            Expr::value(JobStatus::Running.as_str()),
        )
        .col_expr(job::Column::LockedUntil, Expr::value(lease_end()))
        .col_expr(
            job::Column::LeaseToken,
            Expr::value(super::lease::new_token()),
        )
        .filter(job::Column::Id.eq(candidate.id))
        .filter(claimable(now))
        .exec(db)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    job::Entity::find_by_id(candidate.id).one(db).await
}

fn lease_end() -> chrono::DateTime<Utc> {
    Utc::now() + LEASE
}

/// What one batch did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BatchResult {
    pub cursor: i64,
    pub processed: u64,
    pub changed: u64,
    pub skipped: BTreeMap<String, u64>,
}

pub fn reasons_of(job: &job::Model) -> BTreeMap<String, u64> {
    serde_json::from_str(&job.skip_reasons).unwrap_or_default()
}

/// Adds a batch to the job inside the batch's transaction. Returns the job as
/// it now stands, or `None` when another runner moved it on meanwhile (the
/// caller then rolls back).
pub async fn advance(
    txn: &impl ConnectionTrait,
    job: &job::Model,
    batch: &BatchResult,
) -> Result<Option<job::Model>, DbErr> {
    let mut reasons = reasons_of(job);
    for (reason, n) in &batch.skipped {
        *reasons.entry(reason.clone()).or_default() += n;
    }
    let skipped: u64 = batch.skipped.values().sum();
    let mut next = job.clone();
    next.cursor = batch.cursor;
    next.processed += batch.processed as i64;
    next.changed += batch.changed as i64;
    next.skipped += skipped as i64;
    next.skip_reasons = serde_json::to_string(&reasons).unwrap_or_else(|_| "{}".into());
    next.updated_at = Utc::now();
    next.locked_until = Some(lease_end());
    let result = job::Entity::update_many()
        .col_expr(job::Column::Cursor, Expr::value(next.cursor))
        .col_expr(job::Column::Processed, Expr::value(next.processed))
        .col_expr(job::Column::Changed, Expr::value(next.changed))
        .col_expr(job::Column::Skipped, Expr::value(next.skipped))
        .col_expr(
            job::Column::SkipReasons,
            Expr::value(next.skip_reasons.clone()),
        )
        .col_expr(job::Column::UpdatedAt, Expr::value(next.updated_at))
        .col_expr(job::Column::LockedUntil, Expr::value(next.locked_until))
        .filter(job::Column::Id.eq(job.id))
        .filter(job::Column::Cursor.eq(job.cursor))
        .filter(job::Column::Status.eq(JobStatus::Running.as_str()))
        .filter(holder(job))
        .exec(txn)
        .await?;
    Ok((result.rows_affected == 1).then_some(next))
}

/// Only the runner holding the job's lease (the token its claim drew).
fn holder(job: &job::Model) -> Condition {
    match &job.lease_token {
        Some(token) => Condition::all().add(job::Column::LeaseToken.eq(token.clone())),
        None => Condition::all().add(job::Column::LeaseToken.is_null()),
    }
}

/// Marks the job done (the bar ends full) or failed with a reason, if this
/// runner still holds its lease (otherwise another finishes it).
pub async fn finish(
    db: &impl ConnectionTrait,
    job: &job::Model,
    outcome: Result<(), String>,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let mut update = job::Entity::update_many()
        .col_expr(job::Column::FinishedAt, Expr::value(Some(now)))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            job::Column::LockedUntil,
            Expr::value(None::<chrono::DateTime<Utc>>),
        );
    update = match outcome {
        Ok(()) => update
            .col_expr(job::Column::Status, Expr::value(JobStatus::Done.as_str()))
            .col_expr(job::Column::Total, Expr::value(job.processed)),
        Err(error) => update
            .col_expr(job::Column::Status, Expr::value(JobStatus::Failed.as_str()))
            .col_expr(job::Column::Error, Expr::value(Some(error))),
    };
    let done = update
        .filter(job::Column::Id.eq(job.id))
        .filter(holder(job))
        .exec(db)
        .await?;
    if done.rows_affected != 1 {
        tracing::warn!(id = %job.id, "job finished by another runner; leaving it");
        return Ok(());
    }
    // The job's own list of users is no longer needed.
    crate::db::entities::job_item::Entity::delete_many()
        .filter(crate::db::entities::job_item::Column::JobId.eq(job.id))
        .exec(db)
        .await?;
    Ok(())
}

/// The actor who started the job, for its audit events.
pub fn actor_of(job: &job::Model) -> Actor {
    Actor {
        id: job.created_by.unwrap_or_default(),
        username: job.created_by_name.clone(),
        ip: job.created_ip.clone(),
    }
}

/// Runs one claimed job to its end, with the key that opens the CA.
pub type RunJob = for<'a> fn(
    &'a DatabaseConnection,
    &'a [u8; 32],
    job::Model,
) -> BoxFuture<'a, Result<(), DbErr>>;
/// Housekeeping when no job is waiting (e.g. old uploads go).
pub type Idle = for<'a> fn(&'a DatabaseConnection) -> BoxFuture<'a, Result<u64, shared::AppError>>;

/// A kind of background job, registered by the module that owns it
/// (`job_kinds::ALL`): the runner finds it by name instead of importing it.
pub struct JobKind {
    pub kind: &'static str,
    pub run: RunJob,
    /// The job's page.
    pub view: fn(&job::Model) -> shared::model::JobView,
    pub idle: Option<Idle>,
}

/// Runs one claimed job to its end with the kind registered for it.
pub async fn run_with_key(
    db: &DatabaseConnection,
    kinds: &[JobKind],
    sealing_key: Option<&[u8; 32]>,
    job: job::Model,
) -> Result<(), DbErr> {
    // A long batch (hashing thousands of passwords) must not lose the lease.
    let _renewal = job
        .lease_token
        .clone()
        .map(|token| super::lease::keep_renewed(db, "jobs", job.id, token, LEASE));
    let ran = match kinds.iter().find(|k| k.kind == job.kind) {
        Some(kind) => (kind.run)(db, sealing_key.unwrap_or(&[0; 32]), job).await,
        None => {
            let error = format!("Unknown job kind {}.", job.kind);
            finish(db, &job, Err(error)).await
        }
    };
    // Deactivations and deletions revoked certificates: the CRL says so at
    // once, as after a single revocation (it is reissued only if it must).
    if let Some(key) = sealing_key {
        if let Err(error) = super::crl::refresh_with_key(db, key).await {
            tracing::warn!(%error, "could not publish the CRL after a job");
        }
    }
    ran
}

/// Runs every job there is, then waits to be woken (a job was created here)
/// or polls (a job created by another instance, or a lease that ran out).
pub fn spawn_worker(
    db: DatabaseConnection,
    kinds: &'static [JobKind],
    wake: Arc<Notify>,
    sealing_key: [u8; 32],
) {
    tokio::spawn(async move {
        loop {
            match claim_next(&db).await {
                Ok(Some(job)) => {
                    let id = job.id;
                    if let Err(error) = run_with_key(&db, kinds, Some(&sealing_key), job).await {
                        tracing::error!(%id, %error, "job stopped on a database error");
                    }
                    continue;
                }
                Ok(None) => {
                    for idle in kinds.iter().filter_map(|k| k.idle) {
                        if let Err(error) = idle(&db).await {
                            tracing::warn!(%error, "housekeeping between jobs failed");
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "could not claim a job"),
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            }
        }
    });
}

/// The page of the job with this id, drawn by its kind.
pub async fn page(
    db: &impl ConnectionTrait,
    kinds: &[JobKind],
    id: &str,
) -> Result<shared::model::JobView, shared::AppError> {
    let job = find(db, id).await?;
    kinds
        .iter()
        .find(|k| k.kind == job.kind)
        .map(|k| (k.view)(&job))
        .ok_or(shared::AppError::NotFound)
}

pub async fn find(db: &impl ConnectionTrait, id: &str) -> Result<job::Model, shared::AppError> {
    let id = super::parse_id(id)?;
    job::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(super::db_error)?
        .ok_or(shared::AppError::NotFound)
}

/// The job's page.
pub fn view(job: &job::Model, title: String, back_href: String) -> shared::model::JobView {
    let mut reasons: Vec<(String, u64)> = reasons_of(job).into_iter().collect();
    reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
    shared::model::JobView {
        id: job.id.to_string(),
        title,
        status: JobStatus::parse(&job.status).unwrap_or(JobStatus::Failed),
        total: job.total.max(0) as u64,
        processed: job.processed.max(0) as u64,
        changed: job.changed.max(0) as u64,
        skipped: job.skipped.max(0) as u64,
        reasons,
        error: job.error.clone(),
        created_by: job.created_by_name.clone(),
        created_at: job.created_at.to_rfc3339(),
        finished_at: job.finished_at.map(|t| t.to_rfc3339()),
        back_href,
    }
}
