//! Sorting and keyset pagination: the next page starts after the last row
//! shown, on every sort key.
use super::*;

/// The column a sort reads, and whether it may be NULL.
pub(super) fn sort_column(key: SortKey) -> Option<(user::Column, bool)> {
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
pub(super) fn sort_value(key: SortKey, row: &user::Model) -> (Value, bool) {
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
pub(super) fn keyset_condition(
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

pub(super) fn order(
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
