//! CSV export of users: the users table's filter (or ticked rows), streamed
//! in keyset chunks through a bounded channel, so memory stays flat at any
//! size. Cells a spreadsheet would run as formulas are defused (OWASP).
use std::borrow::Cow;

use app::model::{UserQuery, UserSummary};
use app::AppError;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
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

fn record(u: &UserSummary) -> [String; 11] {
    [
        u.username.clone(),
        u.first_name.clone(),
        u.last_name.clone(),
        u.email.clone(),
        u.phone.clone().unwrap_or_default(),
        u.role.clone(),
        u.groups.join("|"),
        u.status.as_str().to_string(),
        if u.external { "external" } else { "internal" }.to_string(),
        u.created_at.clone(),
        u.last_login_at.clone().unwrap_or_default(),
    ]
}

fn csv_bytes(rows: &[UserSummary], header: bool) -> Result<Vec<u8>, AppError> {
    let mut out = csv::WriterBuilder::new().from_writer(Vec::with_capacity(rows.len() * 120));
    let failed = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
    if header {
        out.write_record(HEADER).map_err(failed)?;
    }
    for u in rows {
        out.write_record(record(u).iter().map(|c| defuse(c).into_owned()))
            .map_err(failed)?;
    }
    out.into_inner()
        .map_err(|e| AppError::Internal(format!("csv: {e}")))
}

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
    // While one chunk is turned into CSV (with its group names), the next is
    // read: the database's thread and ours work at the same time.
    let mut rows = chunk(db, &filters, selection, i64::MIN).await?;
    let mut written = 0;
    while let Some(last) = rows.last().map(|r| r.seq) {
        let count = rows.len() as u64;
        let current = std::mem::take(&mut rows);
        let (next, bytes) = tokio::join!(
            async {
                if count < CHUNK {
                    Ok(Vec::new())
                } else {
                    chunk(db, &filters, selection, last).await
                }
            },
            async {
                let summaries = directory::summaries(db, current).await?;
                csv_bytes(&summaries, false)
            }
        );
        if out.send(bytes?).await.is_err() {
            break;
        }
        written += count;
        rows = next?;
    }
    Ok(written)
}

/// The next `CHUNK` users after `seq` `after`, of the filter or ticked rows.
async fn chunk(
    db: &impl ConnectionTrait,
    filters: &sea_orm::Condition,
    selection: &Selection,
    after: i64,
) -> Result<Vec<user::Model>, AppError> {
    let mut select = user::Entity::find();
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
    select.all(db).await.map_err(db_error)
}

/// `usher-users-2026-11-28.csv`
pub fn file_name(today: chrono::NaiveDate) -> String {
    format!("usher-users-{}.csv", today.format("%Y-%m-%d"))
}
