//! Connecting to SQLite (the embedded default) or PostgreSQL.
pub mod bulk_insert;
pub mod entities;
pub mod migration;

use std::time::Duration;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;

/// Opens a pool. SQLite files are created when missing and run in WAL mode
/// with a busy timeout and foreign keys on every pooled connection.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    if url.starts_with("sqlite:") {
        // Create the file and switch it to WAL on one connection first:
        // pooled connections opening while a new file changes journal mode
        // can see it without its tables.
        let first = Database::connect(sqlite_options(url, 1)).await?;
        first.close().await?;
        return Database::connect(sqlite_options(url, 8)).await;
    }
    let mut options = ConnectOptions::new(url.to_string());
    options
        .sqlx_logging(statement_logging())
        .sqlx_logging_level(log::LevelFilter::Debug)
        .acquire_timeout(Duration::from_secs(10))
        .max_connections(16);
    Database::connect(options).await
}

fn sqlite_options(url: &str, connections: u32) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_string());
    options
        .sqlx_logging(statement_logging())
        .sqlx_logging_level(log::LevelFilter::Debug)
        .acquire_timeout(Duration::from_secs(10))
        .max_connections(connections)
        .map_sqlx_sqlite_opts(|o| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
                // Reads straight from the mapped file, and a 64 MiB page
                // cache per connection (the default is 2 MiB): at a million
                // users most time otherwise goes to copying pages in and out
                // of the kernel.
                .pragma("mmap_size", "1073741824")
                .pragma("cache_size", "-65536")
        });
    options
}

/// `USHER_SQL_LOG=1` logs every statement with its time (at debug level, so
/// with `RUST_LOG=sqlx=debug`): for finding where a slow operation spends it.
fn statement_logging() -> bool {
    std::env::var_os("USHER_SQL_LOG").is_some_and(|v| v != "0" && !v.is_empty())
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    migration::Migrator::up(db, None).await
}

/// `sqlite://<data_dir>/usher.db` unless `DATABASE_URL` says otherwise.
pub fn default_sqlite_url(data_dir: &std::path::Path) -> String {
    format!("sqlite://{}", data_dir.join("usher.db").display())
}
