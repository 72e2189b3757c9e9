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

/// Search text is matched as a substring from this length on (the trigram
/// indexes need three characters); shorter text matches as a prefix.
const SUBSTRING_FROM: usize = 3;

fn escape_like(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn search_condition(backend: DbBackend, text: &str) -> Condition {
    let text = text.trim().to_lowercase();
    // Backslash escapes LIKE wildcards: PostgreSQL's default, SQLite's when told.
    let escape = if backend == DbBackend::Postgres {
        ""
    } else {
        " ESCAPE '\\'"
    };
    // sea-query's placeholder in custom SQL differs per back-end.
    let ph = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    if text.chars().count() < SUBSTRING_FROM {
        let prefix = format!("{}%", escape_like(&text));
        let like = |column: &str| {
            Expr::cust_with_values(format!("{column} LIKE {ph}{escape}"), [prefix.clone()])
        };
        return Condition::any()
            .add(like("username_lc"))
            .add(like("email_lc"))
            .add(like("name_lc"))
            .add(like("lower(last_name)"));
    }
    match backend {
        DbBackend::Postgres => Condition::all().add(Expr::cust_with_values(
            "(username_lc || ' ' || email_lc || ' ' || name_lc) LIKE $1",
            [format!("%{}%", escape_like(&text))],
        )),
        _ => {
            let (phrase, pattern) = sqlite_search_values(&text);
            Condition::all().add(Expr::cust_with_values(
                format!("users.seq IN ({SQLITE_SEARCH_SEQS})"),
                [phrase, pattern.clone(), pattern.clone(), pattern],
            ))
        }
    }
}

/// The users whose text contains the search (SQLite): the trigram index's
/// matches, plus the users above `search_state.indexed_upto` that the index
/// does not hold yet, by `LIKE` (see `services::search_index`). Binds
/// `sqlite_search_values`.
const SQLITE_SEARCH_SEQS: &str = "SELECT rowid FROM users_search WHERE users_search MATCH ? \
     UNION ALL SELECT seq FROM users WHERE seq > (SELECT indexed_upto FROM search_state) \
     AND (username_lc LIKE ? ESCAPE '\\' OR email_lc LIKE ? ESCAPE '\\' OR name_lc LIKE ? ESCAPE '\\')";

/// An FTS5 phrase (the trigram tokenizer matches it as a substring) and the
/// equivalent `LIKE` pattern, for lower-cased `text`.
fn sqlite_search_values(text: &str) -> (String, String) {
    (
        format!("\"{}\"", text.replace('"', "\"\"")),
        format!("%{}%", escape_like(text)),
    )
}

fn day_start(date: &str) -> Option<chrono::DateTime<Utc>> {
    NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// PostgreSQL keeps `status` out of the indexes of `users` (so status changes
/// are in-place updates); its status filter finds the rows through the
/// narrow, indexed `user_states` table instead.
fn states_condition(status: UserStatus, role: Option<Uuid>) -> sea_orm::sea_query::SimpleExpr {
    match role {
        Some(role) => Expr::cust_with_values(
            "users.seq IN (SELECT seq FROM user_states WHERE status = $1 AND role_id = $2)",
            vec![Value::from(status.as_str()), Value::from(role)],
        ),
        None => Expr::cust_with_values(
            "users.seq IN (SELECT seq FROM user_states WHERE status = $1)",
            vec![Value::from(status.as_str())],
        ),
    }
}

/// Every filter of the query as one condition. On PostgreSQL a status that
/// few of the users have is found through `user_states`; a common one is
/// simply checked on the rows the other indexes give.
pub async fn filters(db: &impl ConnectionTrait, q: &UserQuery) -> Result<Condition, AppError> {
    let backend = db.get_database_backend();
    let via_states = match q.status {
        Some(status) if backend == DbBackend::Postgres => {
            let role = q.role.as_deref().and_then(|r| Uuid::parse_str(r).ok());
            status_is_rare(db, status, role).await?
        }
        _ => false,
    };
    Ok(filter_condition(backend, q, via_states))
}

/// Under 5 % of the users (of the role, when one is chosen), by the
/// trigger-kept `user_counts`.
async fn status_is_rare(
    db: &impl ConnectionTrait,
    status: UserStatus,
    role: Option<Uuid>,
) -> Result<bool, AppError> {
    let mut select = user_count::Entity::find();
    if let Some(role) = role {
        select = select.filter(user_count::Column::RoleId.eq(role));
    }
    let counts = select.all(db).await.map_err(db_error)?;
    let all: i64 = counts.iter().map(|c| c.n).sum();
    let with: i64 = counts
        .iter()
        .filter(|c| c.status == status.as_str())
        .map(|c| c.n)
        .sum();
    Ok(with * 20 < all)
}

/// Every filter of the query as one condition (no paging, no sort).
pub fn filter_condition(backend: DbBackend, q: &UserQuery, via_states: bool) -> Condition {
    let mut c = Condition::all();
    if !q.search.trim().is_empty() {
        c = c.add(search_condition(backend, &q.search));
    }
    let role = q.role.as_deref().and_then(|r| Uuid::parse_str(r).ok());
    if let Some(status) = q.status {
        c = c.add(user::Column::Status.eq(status.as_str()));
        if via_states {
            c = c.add(states_condition(status, role));
        }
    }
    if let Some(role) = role {
        c = c.add(user::Column::RoleId.eq(role));
    }
    if let Some(group) = q.group.as_deref().and_then(|g| Uuid::parse_str(g).ok()) {
        c = c.add(
            user::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(group_member::Column::UserId)
                    .from(group_member::Entity)
                    .and_where(group_member::Column::GroupId.eq(group))
                    .to_owned(),
            ),
        );
    }
    if let Some(on) = q.two_factor {
        c = c.add(user::Column::TotpEnabled.eq(on));
    }
    match q.login {
        Some(LoginFilter::Never) => c = c.add(user::Column::LastLoginAt.is_null()),
        Some(LoginFilter::Ever) => c = c.add(user::Column::LastLoginAt.is_not_null()),
        None => {}
    }
    if let Some(days) = q.idle_days {
        let since = Utc::now() - chrono::Duration::days(days as i64);
        c = c.add(
            Condition::any()
                .add(user::Column::LastLoginAt.is_null())
                .add(user::Column::LastLoginAt.lt(since)),
        );
    }
    if let Some(origin) = q.origin {
        c = c.add(user::Column::Origin.eq(origin.as_str()));
    }
    if let Some(from) = q.created_from.as_deref().and_then(day_start) {
        c = c.add(user::Column::CreatedAt.gte(from));
    }
    if let Some(to) = q.created_to.as_deref().and_then(day_start) {
        c = c.add(user::Column::CreatedAt.lt(to + chrono::Duration::days(1)));
    }
    c
}

/// The column a sort reads, and whether it may be NULL.
fn sort_column(key: SortKey) -> Option<(user::Column, bool)> {
    Some(match key {
        SortKey::Username => (user::Column::UsernameLc, false),
        SortKey::Name => (user::Column::NameLc, false),
        SortKey::Email => (user::Column::EmailLc, false),
        SortKey::Phone => (user::Column::Phone, true),
        SortKey::Status => (user::Column::Status, false),
        SortKey::TwoFactor => (user::Column::TotpEnabled, false),
        SortKey::LastLogin => (user::Column::LastLoginAt, true),
        SortKey::Created => (user::Column::CreatedAt, false),
        SortKey::Role => return None,
    })
}

/// The cursor row's value for the sort column, and whether it is NULL.
fn sort_value(key: SortKey, row: &user::Model) -> (Value, bool) {
    let is_null = match key {
        SortKey::Phone => row.phone.is_none(),
        SortKey::LastLogin => row.last_login_at.is_none(),
        _ => false,
    };
    let value = match key {
        SortKey::Username => row.username_lc.clone().into(),
        SortKey::Name => row.name_lc.clone().into(),
        SortKey::Email => row.email_lc.clone().into(),
        SortKey::Phone => row.phone.clone().into(),
        SortKey::Status => row.status.clone().into(),
        SortKey::TwoFactor => row.totp_enabled.into(),
        SortKey::LastLogin => row.last_login_at.into(),
        SortKey::Created => row.created_at.into(),
        SortKey::Role => row.role_id.into(),
    };
    (value, is_null)
}

/// Rows strictly after the cursor row in the order `column ASC NULLS FIRST,
/// seq ASC` (or before it, reading backwards, when not `ascending`). A row
/// value comparison `(column, seq) > (v, s)` lets both back-ends seek in the
/// `(column, seq)` index instead of scanning.
fn keyset_condition(
    backend: DbBackend,
    column: user::Column,
    nullable: bool,
    (value, is_null): (Value, bool),
    seq: i64,
    ascending: bool,
) -> Condition {
    use sea_orm::IdenStatic;
    let op = if ascending { ">" } else { "<" };
    let (a, b) = if backend == DbBackend::Postgres {
        ("$1", "$2")
    } else {
        ("?", "?")
    };
    let beyond = Expr::cust_with_values(
        format!("({}, seq) {op} ({a}, {b})", column.as_str()),
        vec![value, Value::from(seq)],
    );
    let seq_beyond = if ascending {
        user::Column::Seq.gt(seq)
    } else {
        user::Column::Seq.lt(seq)
    };
    if !nullable {
        return Condition::all().add(beyond);
    }
    // NULL sorts first ascending and last descending.
    match (is_null, ascending) {
        (true, true) => Condition::any()
            .add(Condition::all().add(column.is_null()).add(seq_beyond))
            .add(column.is_not_null()),
        (true, false) => Condition::all().add(column.is_null()).add(seq_beyond),
        (false, true) => Condition::all().add(beyond),
        (false, false) => Condition::any().add(beyond).add(column.is_null()),
    }
}

fn order(
    select: Select<user::Entity>,
    backend: DbBackend,
    key: SortKey,
    ascending: bool,
) -> Select<user::Entity> {
    let dir = if ascending { Order::Asc } else { Order::Desc };
    let select = match sort_column(key) {
        Some((column, true)) if backend == DbBackend::Postgres => {
            let nulls = if ascending {
                NullOrdering::First
            } else {
                NullOrdering::Last
            };
            select.order_by_with_nulls(column, dir.clone(), nulls)
        }
        Some((column, _)) => select.order_by(column, dir.clone()),
        None => select.order_by(user::Column::RoleId, dir.clone()),
    };
    select.order_by(user::Column::Seq, dir)
}

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

/// Any filter besides search, status and role.
fn other_filters(q: &UserQuery) -> bool {
    q.group.is_some()
        || q.two_factor.is_some()
        || q.login.is_some()
        || q.idle_days.is_some()
        || q.origin.is_some()
        || q.created_from.is_some()
        || q.created_to.is_some()
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

/// Every role's name by id (a handful of rows).
pub async fn role_names(db: &impl ConnectionTrait) -> Result<HashMap<Uuid, String>, AppError> {
    Ok(role::Entity::find()
        .all(db)
        .await
        .map_err(db_error)?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect())
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

/// Roles and groups by name, for the filter choices.
pub async fn options(
    db: &impl ConnectionTrait,
    actor: &super::actor::Actor,
) -> Result<shared::model::FilterChoices, AppError> {
    let givable = super::access::Authority::load(db, actor)
        .await?
        .assignable_roles()
        .into_iter()
        .map(|id| id.to_string())
        .collect();
    let roles = role::Entity::find()
        .order_by_asc(role::Column::Name)
        .all(db)
        .await
        .map_err(db_error)?;
    let groups = group::Entity::find()
        .order_by_asc(group::Column::NameLc)
        .all(db)
        .await
        .map_err(db_error)?;
    Ok(shared::model::FilterChoices {
        roles: roles
            .into_iter()
            .map(|r| (r.id.to_string(), r.name))
            .collect(),
        groups: groups
            .into_iter()
            .map(|g| (g.id.to_string(), g.name))
            .collect(),
        givable,
    })
}
