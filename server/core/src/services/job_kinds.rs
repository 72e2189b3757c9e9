//! The kinds of background job there are. The runner (`jobs`) is given this
//! list, so it never imports the modules whose jobs it runs.
use sea_orm::{DatabaseConnection, DbErr};

use super::jobs::{self, JobKind};
use super::{bulk, import};
use crate::db::entities::job;

pub static ALL: &[JobKind] = &[
    JobKind {
        kind: bulk::KIND,
        run: |db, _key, job| Box::pin(bulk::run(db, job)),
        view: bulk::view,
        idle: None,
    },
    JobKind {
        kind: import::job::KIND,
        run: |db, key, job| Box::pin(import::job::run(db, key, job, None)),
        view: import::job::view,
        idle: Some(|db| Box::pin(import::store::purge_expired(db))),
    },
];

/// Runs one claimed job without a CA key (tests and benchmarks).
pub async fn run(db: &DatabaseConnection, job: job::Model) -> Result<(), DbErr> {
    jobs::run_with_key(db, ALL, None, job).await
}
