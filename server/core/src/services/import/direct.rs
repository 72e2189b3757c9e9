//! The command line's import (`usher import`): the same reading, rules and
//! batches as the wizard's job, run in the foreground.
use sea_orm::DatabaseConnection;
use shared::model::{OutcomeCounts, RowReport};
use shared::AppError;

use super::apply::Effects;
use super::job::{decide, run_batch, Step};
use super::read::Table;
use crate::services::actor::Actor;
use crate::services::{audit, db_error};

/// What an import did, or (dry run) would do.
pub struct DirectImport {
    pub counts: OutcomeCounts,
    /// Rows not applied: line and reason.
    pub failures: Vec<(u64, String)>,
    pub table: Table,
}

/// Imports `bytes` with the automatic mapping; with `dry_run`, only decides.
pub async fn import_file(
    db: &DatabaseConnection,
    actor: &Actor,
    file_name: &str,
    bytes: &[u8],
    options: super::ImportOptions,
    dry_run: bool,
    effects: &Effects,
) -> Result<DirectImport, AppError> {
    let authority = crate::services::access::Authority::load(db, actor).await?;
    let prepared = super::prepare(db, bytes, None, options, authority).await?;
    let mut counts = OutcomeCounts::default();
    let mut failures = Vec::new();
    if dry_run {
        let (reports, c) = super::dry_run(db, &prepared).await?;
        counts = c;
        failures = errors_of(&reports);
    } else {
        let mut decided = None;
        let mut from = 0;
        while from < prepared.table.rows.len() {
            let batch = match decided.take() {
                Some(batch) => batch,
                None => decide(db, &prepared, from).await?,
            };
            let step = Step { actor, effects };
            let (written, next) =
                run_batch(db, &prepared, &step, batch, None, None, &[0; 32]).await?;
            let Some((written, _)) = written else {
                break;
            };
            let applied = written.applied;
            counts.create += applied.counts.create;
            counts.update += applied.counts.update;
            counts.unchanged += applied.counts.unchanged;
            counts.error += applied.counts.error;
            failures.extend(applied.failures);
            from = written.to;
            decided = next;
        }
        audit::record(
            db,
            audit::Event {
                action: "users.import",
                actor_name: Some(&actor.username),
                success: true,
                details: Some(serde_json::json!({
                    "file": file_name,
                    "created": counts.create,
                    "updated": counts.update,
                    "unchanged": counts.unchanged,
                    "failed": counts.error,
                })),
                ..Default::default()
            },
        )
        .await
        .map_err(db_error)?;
    }
    Ok(DirectImport {
        counts,
        failures,
        table: prepared.table,
    })
}

fn errors_of(reports: &[RowReport]) -> Vec<(u64, String)> {
    reports
        .iter()
        .filter(|r| !r.errors.is_empty())
        .map(|r| (r.row, r.error_text()))
        .collect()
}
