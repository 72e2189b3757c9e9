//! Reading a chunk of the export: the database builds the chunk's users as
//! one JSON value (a million users then cost the driver two hundred rows,
//! not a million decoded column by column), and on a second connection, at
//! the same time, the group names of the same users.
use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Statement,
};
use shared::AppError;

use super::CHUNK;
use crate::db::entities::user;
use crate::services::db_error;

/// A chunk as read: its users' JSON, how many there are, the highest `seq`
/// (where the next chunk starts) and group names by `seq`.
#[derive(Default)]
pub struct Chunk {
    pub users: Option<String>,
    pub count: u64,
    pub last: Option<i64>,
    pub groups: HashMap<i64, String>,
}

/// The next `CHUNK` users after `seq` `after` that meet `filters`.
pub async fn read_chunk(
    db: &impl ConnectionTrait,
    filters: &sea_orm::Condition,
    after: i64,
) -> Result<Chunk, AppError> {
    let backend = db.get_database_backend();
    let sql = ChunkSql::of(backend);
    let users = chunk_users(filters, after)
        .column(user::Column::Seq)
        .column(user::Column::Username)
        .column(user::Column::FirstName)
        .column(user::Column::LastName)
        .column(user::Column::Email)
        .column(user::Column::Phone)
        .expr_as(Expr::cust(sql.role_id), "role")
        .column(user::Column::Status)
        .column(user::Column::Origin)
        .expr_as(Expr::cust(sql.date("users.created_at")), "created")
        .expr_as(Expr::cust(sql.date("users.last_login_at")), "last_login");
    let users = wrap(backend, sql.users, "", users);
    let members = chunk_users(filters, after)
        .column(user::Column::Seq)
        .column(user::Column::Id);
    let members = wrap(backend, sql.groups, sql.groups_join, members);
    let (users, members) = tokio::join!(db.query_one_raw(users), db.query_one_raw(members));
    let mut chunk = Chunk::default();
    if let Some(row) = users.map_err(db_error)? {
        chunk.users = row.try_get_by_index(0).map_err(db_error)?;
        let count: i64 = row.try_get_by_index(1).map_err(db_error)?;
        chunk.count = count.max(0) as u64;
        chunk.last = row.try_get_by_index(2).map_err(db_error)?;
    }
    let pairs: Option<String> = match members.map_err(db_error)? {
        Some(row) => row.try_get_by_index(0).map_err(db_error)?,
        None => None,
    };
    let pairs: Vec<(i64, String)> = match pairs {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| AppError::Internal(format!("export: groups JSON: {e}")))?,
        None => Vec::new(),
    };
    for (seq, name) in pairs {
        let cell = chunk.groups.entry(seq).or_default();
        if !cell.is_empty() {
            cell.push('|');
        }
        cell.push_str(&name);
    }
    Ok(chunk)
}

/// The chunk's users, in `seq` order, without columns yet.
fn chunk_users(filters: &sea_orm::Condition, after: i64) -> sea_orm::Select<user::Entity> {
    let mut select = user::Entity::find().select_only();
    if !filters.is_empty() {
        select = select.filter(filters.clone());
    }
    select
        .filter(user::Column::Seq.gt(after))
        .order_by_asc(user::Column::Seq)
        .limit(CHUNK)
}

/// `SELECT <aggregate> FROM (<inner>) AS chunk <join>`.
fn wrap(
    backend: DbBackend,
    aggregate: &str,
    join: &str,
    inner: sea_orm::Select<user::Entity>,
) -> Statement {
    let inner = backend.build(&inner.into_query());
    Statement::from_sql_and_values(
        backend,
        format!("SELECT {aggregate} FROM ({}) AS chunk {join}", inner.sql),
        inner.values.map(|v| v.0).unwrap_or_default(),
    )
}

/// The parts of the chunk statements that differ between the back-ends.
struct ChunkSql {
    /// The users as `[[seq, [cells]], …]` in `seq` order, their count and
    /// the highest `seq`.
    users: &'static str,
    /// `[[seq, group name], …]` by `seq`, names sorted byte-wise.
    groups: &'static str,
    groups_join: &'static str,
    /// The role's id as text (any form `Uuid::parse_str` reads).
    role_id: &'static str,
    postgres: bool,
}

impl ChunkSql {
    fn of(backend: DbBackend) -> Self {
        let groups_join = "JOIN group_members m ON m.user_id = chunk.id \
                           JOIN groups g ON g.id = m.group_id";
        if backend == DbBackend::Postgres {
            ChunkSql {
                users: "json_agg(json_build_array(seq, json_build_array(username, first_name, \
                        last_name, email, phone, role, status, origin, created, last_login)) \
                        ORDER BY seq)::text, count(*), max(seq)",
                groups: "json_agg(json_build_array(chunk.seq, g.name) \
                         ORDER BY chunk.seq, g.name COLLATE \"C\")::text",
                groups_join,
                role_id: "users.role_id::text",
                postgres: true,
            }
        } else {
            ChunkSql {
                users: "CASE WHEN count(*) > 0 THEN json_group_array(json_array(seq, \
                        json_array(username, first_name, last_name, email, phone, role, status, \
                        origin, created, last_login)) ORDER BY seq) END, count(*), max(seq)",
                groups: "CASE WHEN count(*) > 0 THEN json_group_array(json_array(chunk.seq, \
                         g.name) ORDER BY chunk.seq, g.name) END",
                groups_join,
                role_id: "hex(users.role_id)",
                postgres: false,
            }
        }
    }

    /// A timestamp column as text: SQLite keeps RFC 3339 text already.
    fn date(&self, column: &str) -> String {
        if self.postgres {
            format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
        } else {
            column.to_string()
        }
    }
}
