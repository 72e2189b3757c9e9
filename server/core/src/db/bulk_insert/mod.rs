//! A write transaction that can also insert many users fast.
//!
//! On PostgreSQL it is sea-orm's own transaction. On SQLite it holds one
//! pooled connection in `BEGIN IMMEDIATE`: every statement of the batch runs
//! on it through sqlx as usual, and bulk inserts bind their values straight
//! on its SQLite handle (through rusqlite), inside the same transaction.
//! sqlx hands each bound value to its worker thread one by one; at 100,000
//! imported users that costs more than SQLite's own work.
use std::sync::Arc;

use sea_orm::sea_query::Values;
use sea_orm::sqlx::{self, Sqlite};
use sea_orm::{
    ActiveValue, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, ExecResult, QueryResult, RuntimeErr, Statement, TransactionTrait,
};
use sea_query_sqlx::SqlxValues;
use tokio::sync::Mutex;

use crate::db::entities::user;

/// Rows bound per statement on SQLite, and per turn of the async thread:
/// each turn holds the connection for a few milliseconds only.
const ROWS_PER_STATEMENT: usize = 100;
const ROWS_PER_TURN: usize = 1_000;

pub enum BulkInsertTxn {
    Sqlite(SqliteTxn),
    Other(DatabaseTransaction),
}

impl BulkInsertTxn {
    pub async fn begin(db: &DatabaseConnection) -> Result<Self, DbErr> {
        Ok(match db.get_database_backend() {
            DbBackend::Sqlite => Self::Sqlite(SqliteTxn::begin(db).await?),
            _ => Self::Other(db.begin().await?),
        })
    }

    pub async fn commit(self) -> Result<(), DbErr> {
        match self {
            Self::Sqlite(txn) => txn.commit().await,
            Self::Other(txn) => txn.commit().await,
        }
    }

    /// Inserts new users (every column but `seq` set), in order.
    pub async fn insert_users(&self, rows: Vec<user::ActiveModel>) -> Result<(), DbErr> {
        match self {
            Self::Sqlite(txn) => txn.insert_users(&rows).await,
            Self::Other(txn) => {
                // At most 1,000 rows per statement (bound-value limits).
                let mut rows = rows.into_iter().peekable();
                while rows.peek().is_some() {
                    user::Entity::insert_many(rows.by_ref().take(1_000))
                        .exec_without_returning(txn)
                        .await?;
                }
                Ok(())
            }
        }
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for BulkInsertTxn {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            Self::Sqlite(_) => DbBackend::Sqlite,
            Self::Other(txn) => txn.get_database_backend(),
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match self {
            Self::Sqlite(txn) => txn.execute_raw(stmt).await,
            Self::Other(txn) => txn.execute_raw(stmt).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            Self::Sqlite(txn) => txn.execute_unprepared(sql).await,
            Self::Other(txn) => txn.execute_unprepared(sql).await,
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            Self::Sqlite(txn) => txn.query_one_raw(stmt).await,
            Self::Other(txn) => txn.query_one_raw(stmt).await,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            Self::Sqlite(txn) => txn.query_all_raw(stmt).await,
            Self::Other(txn) => txn.query_all_raw(stmt).await,
        }
    }
}

/// One SQLite connection in a write transaction. Dropped without `commit`,
/// sqlx rolls it back before the connection returns to the pool. Every user
/// row must have all its columns set (sea-orm's inserts on PostgreSQL would
/// let the database fill defaults; `users.active_model` sets them all).
pub struct SqliteTxn {
    txn: Mutex<sqlx::Transaction<'static, Sqlite>>,
}

impl SqliteTxn {
    pub async fn begin(db: &DatabaseConnection) -> Result<Self, DbErr> {
        // IMMEDIATE takes the write lock now (waiting out the busy timeout),
        // so a batch never fails half-way on a lock it could not upgrade.
        let txn = db
            .get_sqlite_connection_pool()
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(exec_error)?;
        Ok(Self {
            txn: Mutex::new(txn),
        })
    }

    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.into_inner().commit().await.map_err(exec_error)
    }

    async fn insert_users(&self, rows: &[user::ActiveModel]) -> Result<(), DbErr> {
        for turn in rows.chunks(ROWS_PER_TURN) {
            self.with_handle(|conn| insert_on(conn, turn)).await?;
            tokio::task::yield_now().await;
        }
        Ok(())
    }

    /// Runs `f` on the transaction's own SQLite handle.
    async fn with_handle<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, DbErr>,
    ) -> Result<T, DbErr> {
        let mut txn = self.txn.lock().await;
        let mut handle = txn.lock_handle().await.map_err(exec_error)?;
        // SAFETY: sqlx's worker does not touch the handle while it is locked
        // here; `from_handle` borrows it (dropping `conn` does not close it),
        // and `conn` is dropped before the lock is released.
        let conn = unsafe { rusqlite::Connection::from_handle(handle.as_raw_handle().as_ptr()) }
            .map_err(raw_error)?;
        let result = f(&conn);
        drop(conn);
        result
    }
}

const USER_COLUMNS: &str = "id, username, username_lc, email, email_lc, first_name, \
    last_name, name_lc, totp_enabled, phone, status, origin, role_id, password_hash, \
    must_change_password, password_changed_at, created_at, updated_at, last_login_at";
const USER_VALUES: &str = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
const USER_FIELDS: usize = 19;

fn insert_on(conn: &rusqlite::Connection, rows: &[user::ActiveModel]) -> Result<(), DbErr> {
    let sql = |n: usize| {
        format!(
            "INSERT INTO users ({USER_COLUMNS}) VALUES {}",
            vec![USER_VALUES; n].join(",")
        )
    };
    let mut full = None;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut short;
        let statement = if chunk.len() == ROWS_PER_STATEMENT {
            match &mut full {
                Some(statement) => statement,
                None => full.insert(conn.prepare(&sql(ROWS_PER_STATEMENT)).map_err(raw_error)?),
            }
        } else {
            short = conn.prepare(&sql(chunk.len())).map_err(raw_error)?;
            &mut short
        };
        for (i, row) in chunk.iter().enumerate() {
            bind_user(statement, i * USER_FIELDS + 1, row)?;
        }
        statement.raw_execute().map_err(raw_error)?;
    }
    Ok(())
}

/// Binds one user's columns from `first` on, encoded as sqlx encodes them
/// (UUIDs as 16-byte blobs, times as RFC 3339 text, flags as 0 or 1), so
/// rows written either way read back the same.
fn bind_user(
    statement: &mut rusqlite::Statement<'_>,
    first: usize,
    row: &user::ActiveModel,
) -> Result<(), DbErr> {
    use rusqlite::ToSql;
    fn set<'a, T>(value: &'a ActiveValue<T>, name: &str) -> Result<&'a T, DbErr>
    where
        T: Into<sea_orm::Value>,
    {
        value
            .try_as_ref()
            .ok_or_else(|| DbErr::Custom(format!("users.{name} is not set")))
    }
    // Every field named (no `..`): a column added to the entity stops the
    // build here instead of being left out on SQLite only.
    let user::ActiveModel {
        seq: _,
        id,
        username,
        username_lc,
        email,
        email_lc,
        first_name,
        last_name,
        name_lc,
        totp_enabled,
        phone,
        status,
        origin,
        role_id,
        password_hash,
        must_change_password,
        password_changed_at,
        created_at,
        updated_at,
        last_login_at,
    } = row;
    let time =
        |t: &chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false);
    let id = set(id, "id")?.as_bytes();
    let role_id = set(role_id, "role_id")?.as_bytes();
    let password_changed_at = set(password_changed_at, "password_changed_at")?
        .as_ref()
        .map(time);
    let created_at = time(set(created_at, "created_at")?);
    let updated_at = time(set(updated_at, "updated_at")?);
    let last_login_at = set(last_login_at, "last_login_at")?.as_ref().map(time);
    let values: [&dyn ToSql; USER_FIELDS] = [
        id,
        set(username, "username")?,
        set(username_lc, "username_lc")?,
        set(email, "email")?,
        set(email_lc, "email_lc")?,
        set(first_name, "first_name")?,
        set(last_name, "last_name")?,
        set(name_lc, "name_lc")?,
        set(totp_enabled, "totp_enabled")?,
        set(phone, "phone")?,
        set(status, "status")?,
        set(origin, "origin")?,
        role_id,
        set(password_hash, "password_hash")?,
        set(must_change_password, "must_change_password")?,
        &password_changed_at,
        &created_at,
        &updated_at,
        &last_login_at,
    ];
    for (offset, value) in values.into_iter().enumerate() {
        statement
            .raw_bind_parameter(first + offset, value)
            .map_err(raw_error)?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl ConnectionTrait for SqliteTxn {
    fn get_database_backend(&self) -> DbBackend {
        DbBackend::Sqlite
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        let mut txn = self.txn.lock().await;
        query(&stmt)
            .execute(&mut **txn)
            .await
            .map(Into::into)
            .map_err(exec_error)
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        let mut txn = self.txn.lock().await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut **txn)
            .await
            .map(Into::into)
            .map_err(exec_error)
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        let mut txn = self.txn.lock().await;
        query(&stmt)
            .fetch_optional(&mut **txn)
            .await
            .map(|row| row.map(Into::into))
            .map_err(query_error)
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        let mut txn = self.txn.lock().await;
        query(&stmt)
            .fetch_all(&mut **txn)
            .await
            .map(|rows| rows.into_iter().map(Into::into).collect())
            .map_err(query_error)
    }
}

fn query(stmt: &Statement) -> sqlx::query::Query<'_, Sqlite, SqlxValues> {
    let values = stmt.values.clone().unwrap_or(Values(Vec::new()));
    sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values))
}

fn exec_error(error: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(error)))
}

fn query_error(error: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(error)))
}

/// SQLite's own message, as text: no caller tells database errors apart
/// (they are logged and answered with a reference), so the structured code
/// is not kept.
fn raw_error(error: rusqlite::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::Internal(format!("SQLite: {error}")))
}

#[cfg(test)]
mod tests;
