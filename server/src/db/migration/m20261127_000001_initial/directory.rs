//! Indexes that keep the users table fast at millions of rows: one per sort
//! (each ending in `seq` for keyset paging), one for the status + role
//! filter, and a trigram index for substring search (FTS5 on SQLite,
//! pg_trgm on PostgreSQL). Part of the initial migration.
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

const COMMON: &[&str] = &[
    "CREATE INDEX users_name_sort ON users (name_lc, seq)",
    "CREATE INDEX users_created_sort ON users (created_at, seq)",
    "CREATE INDEX users_status_role ON users (status, role_id, username_lc)",
    "CREATE INDEX users_role ON users (role_id, username_lc)",
];

const SQLITE: &[&str] = &[
    // SQLite sorts NULL first ascending, as the other back-end's index below.
    "CREATE INDEX users_last_login_sort ON users (last_login_at, seq)",
    "CREATE VIRTUAL TABLE users_search USING fts5(username, email, first_name, last_name, \
     content='users', content_rowid='seq', tokenize='trigram')",
    "CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN \
     INSERT INTO users_search(rowid, username, email, first_name, last_name) \
     VALUES (new.seq, new.username, new.email, new.first_name, new.last_name); END",
    "CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN \
     INSERT INTO users_search(users_search, rowid, username, email, first_name, last_name) \
     VALUES ('delete', old.seq, old.username, old.email, old.first_name, old.last_name); END",
    "CREATE TRIGGER users_search_update AFTER UPDATE OF username, email, first_name, last_name ON users BEGIN \
     INSERT INTO users_search(users_search, rowid, username, email, first_name, last_name) \
     VALUES ('delete', old.seq, old.username, old.email, old.first_name, old.last_name); \
     INSERT INTO users_search(rowid, username, email, first_name, last_name) \
     VALUES (new.seq, new.username, new.email, new.first_name, new.last_name); END",
];

const POSTGRES: &[&str] = &[
    "CREATE INDEX users_last_login_sort ON users (last_login_at ASC NULLS FIRST, seq)",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX users_search ON users USING gin \
     ((username_lc || ' ' || email_lc || ' ' || name_lc) gin_trgm_ops)",
];

pub async fn create(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    let specific = match m.get_database_backend() {
        DbBackend::Postgres => POSTGRES,
        _ => SQLITE,
    };
    for sql in COMMON.iter().chain(specific) {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}
