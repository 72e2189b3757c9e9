//! The search box: an index look-up on PostgreSQL (trigram) and SQLite
//! (FTS5), never a scan of the table.
use super::*;

/// Search text is matched as a substring from this length on (the trigram
/// indexes need three characters); shorter text matches as a prefix.
pub(super) const SUBSTRING_FROM: usize = 3;

pub(super) fn escape_like(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

pub(super) fn search_condition(backend: DbBackend, text: &str) -> Condition {
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
pub(super) const SQLITE_SEARCH_SEQS: &str = "SELECT rowid FROM users_search WHERE users_search MATCH ? \
     UNION ALL SELECT seq FROM users WHERE seq > (SELECT indexed_upto FROM search_state) \
     AND (username_lc LIKE ? ESCAPE '\\' OR email_lc LIKE ? ESCAPE '\\' OR name_lc LIKE ? ESCAPE '\\')";

/// An FTS5 phrase (the trigram tokenizer matches it as a substring) and the
/// equivalent `LIKE` pattern, for lower-cased `text`.
pub(super) fn sqlite_search_values(text: &str) -> (String, String) {
    (
        format!("\"{}\"", text.replace('"', "\"\"")),
        format!("%{}%", escape_like(text)),
    )
}
