//! The users table query: search, filters, sort and keyset paging, shaped so
//! each common view is served by an index at millions of rows.
use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, NullOrdering, Order};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, JoinType, QueryFilter,
    QueryOrder, QuerySelect, Select, Value,
};
use shared::model::user_query::{Cursor, LoginFilter, SortKey, UserQuery};
use shared::model::{Page, PageRequest, UserPage, UserStatus, UserSummary};
use shared::AppError;
use uuid::Uuid;

use super::db_error;
use crate::db::entities::{group, group_member, role, user, user_count};

mod filters;
mod options;
mod order;
mod search;
pub use filters::*;
pub use options::*;
use order::*;
use search::*;
#[cfg(test)]
mod tests;

/// One page of the users table for `q`.
pub async fn page(db: &impl ConnectionTrait, q: &UserQuery) -> Result<UserPage, AppError> {
    let filters = filters(db, q).await?;
    // The total and the rows are independent: on a pool they run at once.
    let ((total, total_is_floor), (rows, has_next)) =
        tokio::try_join!(total_for(db, q, filters.clone()), rows_for(db, q, filters))?;
    let items = summaries(db, rows).await?;
    Ok(UserPage {
        page: Page {
            items,
            total,
            request: PageRequest {
                page: q.page,
                per_page: q.per_page,
            },
        },
        has_next,
        total_is_floor,
    })
}

/// The page's rows (keyset from the cursor when it can, else offset) and
/// whether more follow.
async fn rows_for(
    db: &impl ConnectionTrait,
    q: &UserQuery,
    filters: Condition,
) -> Result<(Vec<user::Model>, bool), AppError> {
    let backend = db.get_database_backend();

    let limit = q.per_page;
    let mut ascending = !q.descending;
    let mut reversed = false;
    let mut select = user::Entity::find();
    if !filters.is_empty() {
        select = select.filter(filters);
    }
    let mut offset = Some((q.page - 1) * q.per_page);

    // Follow a cursor when the sort allows it and the cursor row still exists.
    if let (Some(cursor), Some((column, nullable))) = (q.cursor, sort_column(q.sort)) {
        let seq = match cursor {
            Cursor::After(s) | Cursor::Before(s) => s,
        };
        if let Some(row) = user::Entity::find_by_id(seq)
            .one(db)
            .await
            .map_err(db_error)?
        {
            let forward = matches!(cursor, Cursor::After(_));
            if !forward {
                ascending = !ascending;
                reversed = true;
            }
            select = select.filter(keyset_condition(
                backend,
                column,
                nullable,
                sort_value(q.sort, &row),
                seq,
                ascending,
            ));
            offset = None;
        }
    }
    let mut select = order(select, backend, q.sort, ascending).limit(limit + 1);
    if let Some(offset) = offset {
        select = select.offset(offset);
    }
    let mut rows = select.all(db).await.map_err(db_error)?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    if reversed {
        rows.reverse();
    }
    let has_next = if reversed { true } else { more };
    Ok((rows, has_next))
}

/// Counting stops here for searches and rarer filters: "more than 10,000".
pub const COUNT_CAP: u64 = 10_000;

/// The total for the table's "of N". With only status and role filters it is
/// exact: counted on SQLite (an index count, about 10 ms at a million rows),
/// read from the trigger-kept `user_counts` on PostgreSQL. Other filters and
/// searches are counted up to `COUNT_CAP`.
async fn total_for(
    db: &impl ConnectionTrait,
    q: &UserQuery,
    filters: Condition,
) -> Result<(u64, bool), AppError> {
    let role = q.role.as_deref().map(Uuid::parse_str);
    let only_status_role =
        q.search.trim().is_empty() && !other_filters(q) && !matches!(role, Some(Err(_)));
    if only_status_role && db.get_database_backend() != DbBackend::Postgres {
        return Ok((count(db, filters).await?, false));
    }
    if only_status_role {
        let mut select = user_count::Entity::find()
            .select_only()
            .expr(Expr::cust("CAST(COALESCE(SUM(n), 0) AS BIGINT)"));
        if let Some(status) = q.status {
            select = select.filter(user_count::Column::Status.eq(status.as_str()));
        }
        if let Some(Ok(role)) = role {
            select = select.filter(user_count::Column::RoleId.eq(role));
        }
        let n: Option<i64> = select.into_tuple().one(db).await.map_err(db_error)?;
        return Ok((n.unwrap_or(0).max(0) as u64, false));
    }
    let search_only = q.search.trim().chars().count() >= SUBSTRING_FROM
        && q.status.is_none()
        && q.role.is_none()
        && !other_filters(q);
    if search_only && db.get_database_backend() == DbBackend::Sqlite {
        // The trigram index counts its own matches exactly in a few ms.
        let sql = format!("SELECT COUNT(*) FROM ({SQLITE_SEARCH_SEQS})");
        let (phrase, pattern) = sqlite_search_values(&q.search.trim().to_lowercase());
        let statement = sea_orm::Statement::from_sql_and_values(
            DbBackend::Sqlite,
            sql,
            [
                phrase.into(),
                pattern.clone().into(),
                pattern.clone().into(),
                pattern.into(),
            ],
        );
        return Ok((super::count_of(db, statement).await?, false));
    }
    let n = count_capped(db, filters, COUNT_CAP + 1).await?;
    Ok((n.min(COUNT_CAP), n > COUNT_CAP))
}

/// `SELECT COUNT(*) FROM (SELECT 1 FROM users WHERE … LIMIT cap) t`.
pub async fn count_capped(
    db: &impl ConnectionTrait,
    filters: Condition,
    cap: u64,
) -> Result<u64, AppError> {
    use sea_orm::sea_query::{Alias, Query};
    use sea_orm::QueryTrait;
    let inner = user::Entity::find()
        .select_only()
        .expr(Expr::val(1))
        .filter(filters)
        .limit(cap)
        .into_query();
    let outer = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from_subquery(inner, Alias::new("t"))
        .to_owned();
    let backend = db.get_database_backend();
    super::count_of(db, backend.build(&outer)).await
}

/// `SELECT COUNT(*) … WHERE filters` (not sea-orm's sub-select count).
pub async fn count(db: &impl ConnectionTrait, filters: Condition) -> Result<u64, AppError> {
    let mut select = user::Entity::find()
        .select_only()
        .expr(Expr::cust("COUNT(*)"));
    // No filter means no WHERE at all: SQLite then counts from the smallest
    // index (`WHERE TRUE` would cost it 70 % more).
    if !filters.is_empty() {
        select = select.filter(filters);
    }
    let n: Option<i64> = select.into_tuple().one(db).await.map_err(db_error)?;
    Ok(n.unwrap_or(0).max(0) as u64)
}

/// Rows with their role name and group names (two small look-ups).
pub async fn summaries(
    db: &impl ConnectionTrait,
    rows: Vec<user::Model>,
) -> Result<Vec<UserSummary>, AppError> {
    let roles = role_names(db).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut groups: HashMap<Uuid, Vec<String>> = HashMap::new();
    if !ids.is_empty() {
        // One joined look-up for the rows' group names.
        let names: Vec<(Uuid, String)> = group_member::Entity::find()
            .select_only()
            .column(group_member::Column::UserId)
            .column(group::Column::Name)
            .join(
                JoinType::InnerJoin,
                group_member::Entity::belongs_to(group::Entity)
                    .from(group_member::Column::GroupId)
                    .to(group::Column::Id)
                    .into(),
            )
            .filter(group_member::Column::UserId.is_in(ids))
            .into_tuple()
            .all(db)
            .await
            .map_err(db_error)?;
        for (user_id, name) in names {
            groups.entry(user_id).or_default().push(name);
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut g = groups.remove(&row.id).unwrap_or_default();
            g.sort();
            UserSummary {
                id: row.id.to_string(),
                seq: row.seq,
                role: roles.get(&row.role_id).cloned().unwrap_or_default(),
                groups: g,
                status: UserStatus::parse(&row.status).unwrap_or(UserStatus::Inactive),
                two_factor: row.totp_enabled,
                external: row.origin == "external",
                username: row.username,
                first_name: row.first_name,
                last_name: row.last_name,
                email: row.email,
                phone: row.phone,
                last_login_at: row.last_login_at.map(|t| t.to_rfc3339()),
                created_at: row.created_at.to_rfc3339(),
            }
        })
        .collect())
}
