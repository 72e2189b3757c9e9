//! Schema migrations, run at start-up and by `usher migrate`. Each works
//! unchanged on SQLite and PostgreSQL. Never edit a migration that shipped:
//! add a new one.
use sea_orm_migration::prelude::*;

mod m20261127_000001_initial;
mod m20261128_000001_jobs;
mod m20261128_000002_access_requests;
mod m20261128_000003_user_states;
mod m20261128_000004_certificates;
mod m20261128_000005_imports;
mod m20261129_000001_search_catch_up;
mod m20261129_000002_revoked_index;
mod m20261207_000001_lease_tokens;
mod m20261208_000001_import_invite_unreachable;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_initial::Migration),
            Box::new(m20261128_000001_jobs::Migration),
            Box::new(m20261128_000002_access_requests::Migration),
            Box::new(m20261128_000003_user_states::Migration),
            Box::new(m20261128_000004_certificates::Migration),
            Box::new(m20261128_000005_imports::Migration),
            Box::new(m20261129_000001_search_catch_up::Migration),
            Box::new(m20261129_000002_revoked_index::Migration),
            Box::new(m20261207_000001_lease_tokens::Migration),
            Box::new(m20261208_000001_import_invite_unreachable::Migration),
        ]
    }
}
