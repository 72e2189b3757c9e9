//! The table's filters as one SQL condition.
use super::*;

pub(super) fn day_start(date: &str) -> Option<chrono::DateTime<Utc>> {
    NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// PostgreSQL keeps `status` out of the indexes of `users` (so status changes
/// are in-place updates); its status filter finds the rows through the
/// narrow, indexed `user_states` table instead.
pub(super) fn states_condition(
    status: UserStatus,
    role: Option<Uuid>,
) -> sea_orm::sea_query::SimpleExpr {
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
pub(super) async fn status_is_rare(
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

/// Any filter besides search, status and role.
pub(super) fn other_filters(q: &UserQuery) -> bool {
    q.group.is_some()
        || q.two_factor.is_some()
        || q.login.is_some()
        || q.idle_days.is_some()
        || q.origin.is_some()
        || q.created_from.is_some()
        || q.created_to.is_some()
}
