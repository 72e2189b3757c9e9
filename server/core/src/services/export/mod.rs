//! CSV export of users: the users table's filter (or ticked rows), streamed
//! in keyset chunks through a bounded channel, so memory stays flat at any
//! size. Cells a spreadsheet would run as formulas are defused (OWASP).
mod cells;
mod chunk;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

use sea_orm::{ColumnTrait, ConnectionTrait};
use shared::model::UserQuery;
use shared::AppError;
use tokio::sync::mpsc::Sender;

use super::directory;
use crate::db::entities::user;
pub use cells::utc_seconds;
use cells::{csv_bytes, Roles};
use chunk::{read_chunk, Chunk};

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

/// A selection turned into its condition once, for the count and the
/// stream of one download.
pub struct ResolvedExport {
    filters: sea_orm::Condition,
    bom: bool,
}

pub async fn resolve(
    db: &impl ConnectionTrait,
    selection: &Selection,
) -> Result<ResolvedExport, AppError> {
    Ok(ResolvedExport {
        filters: condition(db, selection).await?,
        bom: selection.bom,
    })
}

/// Streams the CSV into `out`, chunk by chunk, in `seq` order; stops early
/// when the receiver is gone. Returns the number of users written.
pub async fn stream(
    db: &impl ConnectionTrait,
    selection: &Selection,
    out: Sender<Vec<u8>>,
) -> Result<u64, AppError> {
    stream_resolved(db, &resolve(db, selection).await?, out).await
}

/// `stream` for a selection already resolved.
pub async fn stream_resolved(
    db: &impl ConnectionTrait,
    resolved: &ResolvedExport,
    out: Sender<Vec<u8>>,
) -> Result<u64, AppError> {
    let filters = &resolved.filters;
    let mut head = if resolved.bom {
        BOM.to_vec()
    } else {
        Vec::new()
    };
    let roles: Roles = directory::role_names(db).await?;
    head.extend(csv_bytes(&Chunk::default(), &roles, true)?);
    if out.send(head).await.is_err() {
        return Ok(0);
    }
    // While one chunk is turned into CSV, the next one's users and their
    // groups are read on two connections: three threads at work at once.
    let mut chunk = read_chunk(db, filters, i64::MIN).await?;
    let mut written = 0;
    while let Some(last) = chunk.last {
        let count = chunk.count;
        let (next, bytes) = tokio::join!(
            async {
                if count < CHUNK {
                    Ok(Chunk::default())
                } else {
                    read_chunk(db, filters, last).await
                }
            },
            async { csv_bytes(&chunk, &roles, false) }
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
pub async fn total(db: &impl ConnectionTrait, resolved: &ResolvedExport) -> Result<u64, AppError> {
    directory::count(db, resolved.filters.clone()).await
}

/// The users the selection means: the filter's, narrowed to the ticked
/// rows when there are any.
async fn condition(
    db: &impl ConnectionTrait,
    selection: &Selection,
) -> Result<sea_orm::Condition, AppError> {
    let filters = directory::filters(db, &selection.query.filters_only()).await?;
    Ok(if selection.rows.is_empty() {
        filters
    } else {
        filters.add(user::Column::Seq.is_in(selection.rows.clone()))
    })
}

/// `usher-users-2026-11-28.csv`
pub fn file_name(today: chrono::NaiveDate) -> String {
    format!("usher-users-{}.csv", today.format("%Y-%m-%d"))
}
