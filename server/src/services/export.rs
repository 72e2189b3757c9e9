//! CSV export of users: the users table's filter (or ticked rows), streamed
//! in keyset chunks through a bounded channel, so memory stays flat at any
//! size. Cells a spreadsheet would run as formulas are defused (OWASP).
use std::borrow::Cow;

use app::model::UserQuery;
use app::AppError;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Statement,
};
use tokio::sync::mpsc::Sender;

use super::{db_error, directory};
use crate::db::entities::user;

/// The import's columns (without password), then created and last login.
pub const HEADER: [&str; 11] = [
    "username",
    "first_name",
    "last_name",
    "email",
    "phone",
    "role",
    "groups",
    "status",
    "origin",
    "created",
    "last_login",
];
/// Users read per statement.
pub const CHUNK: u64 = 5_000;
/// Excel's hint that the file is UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What to export.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub query: UserQuery,
    /// Ticked rows (by `seq`); all matching the query when empty.
    pub rows: Vec<i64>,
    pub bom: bool,
}

/// A cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a
/// leading `'`, so a spreadsheet shows it instead of running it.
pub fn defuse(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// One user's cells as the chunk statement returns them, in `HEADER` order
/// (null where the user has no phone, group or sign-in).
type Cells = [Option<String>; 11];

/// A chunk of users as one JSON array, built by the database: a million
/// users then cost the driver two hundred rows instead of a million, which
/// is where the time went when each user was decoded column by column.
struct Chunk {
    cells: Vec<Cells>,
    /// The chunk's highest `seq`, where the next one starts.
    last: Option<i64>,
}

fn csv_bytes(rows: &[Cells], header: bool) -> Result<Vec<u8>, AppError> {
    let mut out = csv::WriterBuilder::new().from_writer(Vec::with_capacity(rows.len() * 120));
    let failed = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
    if header {
        out.write_record(HEADER).map_err(failed)?;
    }
    for cells in rows {
        for (i, cell) in cells.iter().enumerate() {
            let cell = cell.as_deref().unwrap_or_default();
            let cell = match i {
                ORIGIN if cell != "external" => Cow::Borrowed("internal"),
                _ => defuse(cell),
            };
            out.write_field(cell.as_bytes()).map_err(failed)?;
        }
        out.write_record(None::<&[u8]>).map_err(failed)?;
    }
    out.into_inner()
        .map_err(|e| AppError::Internal(format!("csv: {e}")))
}

const ORIGIN: usize = 8;

/// Streams the CSV into `out`, chunk by chunk, in `seq` order; stops early
/// when the receiver is gone. Returns the number of users written.
pub async fn stream(
    db: &impl ConnectionTrait,
    selection: &Selection,
    out: Sender<Vec<u8>>,
) -> Result<u64, AppError> {
    let filters = directory::filters(db, &selection.query.filters_only()).await?;
    let mut head = if selection.bom {
        BOM.to_vec()
    } else {
        Vec::new()
    };
    head.extend(csv_bytes(&[], true)?);
    if out.send(head).await.is_err() {
        return Ok(0);
    }
    // While one chunk is turned into CSV, the next is read: the database's
    // thread and ours work at the same time.
    let mut chunk = read_chunk(db, &filters, selection, i64::MIN).await?;
    let mut written = 0;
    while let Some(last) = chunk.last {
        let count = chunk.cells.len() as u64;
        let (next, bytes) = tokio::join!(
            async {
                if count < CHUNK {
                    Ok(Chunk {
                        cells: Vec::new(),
                        last: None,
                    })
                } else {
                    read_chunk(db, &filters, selection, last).await
                }
            },
            async { csv_bytes(&chunk.cells, false) }
        );
        if out.send(bytes?).await.is_err() {
            break;
        }
        written += count;
        chunk = next?;
    }
    Ok(written)
}

/// How many users the export will hold, for the browser's progress bar.
pub async fn total(db: &impl ConnectionTrait, selection: &Selection) -> Result<u64, AppError> {
    let mut filters = directory::filters(db, &selection.query.filters_only()).await?;
    if !selection.rows.is_empty() {
        filters = filters.add(user::Column::Seq.is_in(selection.rows.clone()));
    }
    directory::count(db, filters).await
}

/// The next `CHUNK` users after `seq` `after`, of the filter or ticked rows,
/// with their role and group names and dates as UTC seconds.
async fn read_chunk(
    db: &impl ConnectionTrait,
    filters: &sea_orm::Condition,
    selection: &Selection,
    after: i64,
) -> Result<Chunk, AppError> {
    let backend = db.get_database_backend();
    let sql = ChunkSql::of(backend);
    let mut select = user::Entity::find()
        .select_only()
        .column(user::Column::Seq)
        .column(user::Column::Username)
        .column(user::Column::FirstName)
        .column(user::Column::LastName)
        .column(user::Column::Email)
        .column(user::Column::Phone)
        .expr_as(
            Expr::cust("(SELECT name FROM roles WHERE roles.id = users.role_id)"),
            "role",
        )
        .expr_as(Expr::cust(sql.groups), "groups")
        .column(user::Column::Status)
        .column(user::Column::Origin)
        .expr_as(Expr::cust(sql.date("users.created_at")), "created")
        .expr_as(Expr::cust(sql.date("users.last_login_at")), "last_login");
    if !filters.is_empty() {
        select = select.filter(filters.clone());
    }
    let mut select = select
        .filter(user::Column::Seq.gt(after))
        .order_by_asc(user::Column::Seq)
        .limit(CHUNK);
    if !selection.rows.is_empty() {
        select = select.filter(user::Column::Seq.is_in(selection.rows.clone()));
    }
    let inner = backend.build(&select.into_query());
    let statement = Statement::from_sql_and_values(
        backend,
        format!(
            "SELECT {}, max(seq) FROM ({}) AS chunk",
            sql.aggregate, inner.sql
        ),
        inner.values.map(|v| v.0).unwrap_or_default(),
    );
    let row = db
        .query_one_raw(statement)
        .await
        .map_err(db_error)?
        .ok_or_else(|| AppError::Internal("export: the chunk statement gave no row".into()))?;
    let json: Option<String> = row.try_get_by_index(0).map_err(db_error)?;
    let last: Option<i64> = row.try_get_by_index(1).map_err(db_error)?;
    let cells = match json {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| AppError::Internal(format!("export: chunk JSON: {e}")))?,
        None => Vec::new(),
    };
    Ok(Chunk { cells, last })
}

/// The parts of the chunk statement that differ between the back-ends.
struct ChunkSql {
    /// The user's group names, sorted byte-wise, joined with `|`.
    groups: &'static str,
    /// The chunk's rows as one JSON array of arrays, in `seq` order.
    aggregate: &'static str,
    postgres: bool,
}

impl ChunkSql {
    fn of(backend: DbBackend) -> Self {
        if backend == DbBackend::Postgres {
            ChunkSql {
                groups: "(SELECT string_agg(g.name, '|' ORDER BY g.name COLLATE \"C\") \
                         FROM group_members m JOIN groups g ON g.id = m.group_id \
                         WHERE m.user_id = users.id)",
                aggregate: "json_agg(json_build_array(username, first_name, last_name, email, \
                            phone, role, groups, status, origin, created, last_login) \
                            ORDER BY seq)::text",
                postgres: true,
            }
        } else {
            ChunkSql {
                groups: "(SELECT group_concat(g.name, '|' ORDER BY g.name) \
                         FROM group_members m JOIN groups g ON g.id = m.group_id \
                         WHERE m.user_id = users.id)",
                aggregate: "CASE WHEN count(*) > 0 THEN json_group_array(json_array(username, \
                            first_name, last_name, email, phone, role, groups, status, origin, \
                            created, last_login) ORDER BY seq) END",
                postgres: false,
            }
        }
    }

    /// A timestamp column as `2026-11-28T09:30:00Z`.
    fn date(&self, column: &str) -> String {
        if self.postgres {
            format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
        } else {
            format!("strftime('%Y-%m-%dT%H:%M:%SZ', {column})")
        }
    }
}

/// `usher-users-2026-11-28.csv`
pub fn file_name(today: chrono::NaiveDate) -> String {
    format!("usher-users-{}.csv", today.format("%Y-%m-%d"))
}
