//! SQLite's search index catching up with new users (see the migration
//! `m20261129_000001_search_catch_up`): users above `search_state.indexed_upto`
//! are found by a `LIKE` over that tail until they are indexed here. On
//! PostgreSQL the trigram index is kept by PostgreSQL and there is nothing
//! to do.
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait, Value};
use shared::AppError;

use crate::services::db_error;

/// Users indexed per transaction: long enough to be efficient, short enough
/// (about half a second) that other writers barely wait.
pub const CHUNK: i64 = 20_000;

/// How often the server looks for users to index.
const EVERY: Duration = Duration::from_secs(1);

/// Users not in the search index yet (0 on PostgreSQL).
pub async fn pending(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(0);
    }
    let statement = Statement::from_string(
        DbBackend::Sqlite,
        "SELECT COUNT(*) FROM users WHERE seq > (SELECT indexed_upto FROM search_state)",
    );
    crate::services::count_of(db, statement).await
}

/// Indexes every user above the mark, `CHUNK` at a time; returns how many.
pub async fn catch_up(db: &DatabaseConnection) -> Result<u64, AppError> {
    let mut total = 0;
    loop {
        let n = index_chunk(db, CHUNK).await?;
        if n == 0 {
            return Ok(total);
        }
        total += n;
    }
}

/// Indexes up to `limit` users above the mark in one transaction and moves
/// the mark past them.
pub async fn index_chunk(db: &DatabaseConnection, limit: i64) -> Result<u64, AppError> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(0);
    }
    let txn = db.begin().await.map_err(db_error)?;
    // A write first, so this transaction holds SQLite's write lock before it
    // reads the mark: no other catch-up can index the same users meanwhile.
    txn.execute_unprepared("UPDATE search_state SET indexed_upto = indexed_upto")
        .await
        .map_err(db_error)?;
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "SELECT indexed_upto, (SELECT max(seq) FROM (SELECT seq FROM users \
             WHERE seq > indexed_upto ORDER BY seq LIMIT ?)) FROM search_state",
            [Value::from(limit)],
        ))
        .await
        .map_err(db_error)?
        .ok_or_else(|| AppError::Internal("search_state has no row".into()))?;
    let from: i64 = row.try_get_by_index(0).map_err(db_error)?;
    let Some(to) = row.try_get_by_index::<Option<i64>>(1).map_err(db_error)? else {
        txn.rollback().await.map_err(db_error)?;
        return Ok(0);
    };
    let indexed = txn
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "INSERT INTO users_search(rowid, username_lc, email_lc, name_lc) \
             SELECT seq, username_lc, email_lc, name_lc FROM users WHERE seq > ? AND seq <= ?",
            [Value::from(from), Value::from(to)],
        ))
        .await
        .map_err(db_error)?
        .rows_affected();
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "UPDATE search_state SET indexed_upto = ?",
        [Value::from(to)],
    ))
    .await
    .map_err(db_error)?;
    txn.commit().await.map_err(db_error)?;
    Ok(indexed)
}

/// Keeps the index caught up while the server runs (SQLite only). Checks
/// with a read, so an idle server writes nothing.
pub fn spawn(db: DatabaseConnection) {
    if db.get_database_backend() != DbBackend::Sqlite {
        return;
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            let result = match pending(&db).await {
                Ok(0) => continue,
                Ok(_) => catch_up(&db).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(n) => tracing::debug!(indexed = n, "search index caught up"),
                Err(error) => {
                    tracing::warn!(error = %error.summary(), "search index catch-up failed")
                }
            }
        }
    });
}

#[cfg(test)]
mod tests;
