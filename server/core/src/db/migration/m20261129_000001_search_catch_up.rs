//! SQLite only: the search index catches up with new users instead of being
//! written row by row in the transaction that inserts them.
//!
//! Keeping the FTS5 trigram index in every insert took half of a bulk
//! import's time (each user is ~60 trigrams). Now:
//! - `search_state.indexed_upto` is the highest `seq` the index holds. Users
//!   above it are found by a plain `LIKE` over that tail (see
//!   `services::directory`), so search never misses anyone.
//! - `services::search_index::catch_up` indexes the tail in chunks, in the
//!   background and at the end of imports and seeds.
//! - Updates and deletes of indexed users still change the index at once
//!   (triggers); those of not yet indexed users need nothing.
//! - `seq` is AUTOINCREMENT, so a new user never reuses a `seq` at or below
//!   the mark.
//!
//! The index now holds the lower-cased columns with `name_lc` as one column
//! (so "ada love" matches "Ada Lovelace", as on PostgreSQL), without the
//! per-row sizes that only ranking needs. It starts empty and is filled by
//! the catch-up, which search does not wait for.
//!
//! Also dropped: `users_username_sort` and `users_email_sort`. An SQLite
//! index ends with the rowid (`seq`), so the unique indexes on `username_lc`
//! and `email_lc` already are `(username_lc, seq)` and `(email_lc, seq)`.
use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    "DROP TRIGGER users_search_insert",
    "DROP TRIGGER users_search_delete",
    "DROP TRIGGER users_search_update",
    "DROP TABLE users_search",
    "DROP INDEX users_username_sort",
    "DROP INDEX users_email_sort",
    "CREATE VIRTUAL TABLE users_search USING fts5(username_lc, email_lc, name_lc, \
     content='users', content_rowid='seq', tokenize='trigram case_sensitive 1', columnsize=0)",
    "CREATE TABLE search_state (id INTEGER PRIMARY KEY CHECK (id = 1), \
     indexed_upto INTEGER NOT NULL)",
    "INSERT INTO search_state (id, indexed_upto) VALUES (1, 0)",
    "CREATE TRIGGER users_search_delete AFTER DELETE ON users \
     WHEN old.seq <= (SELECT indexed_upto FROM search_state) BEGIN \
     INSERT INTO users_search(users_search, rowid, username_lc, email_lc, name_lc) \
     VALUES ('delete', old.seq, old.username_lc, old.email_lc, old.name_lc); END",
    "CREATE TRIGGER users_search_update AFTER UPDATE OF username_lc, email_lc, name_lc ON users \
     WHEN old.seq <= (SELECT indexed_upto FROM search_state) BEGIN \
     INSERT INTO users_search(users_search, rowid, username_lc, email_lc, name_lc) \
     VALUES ('delete', old.seq, old.username_lc, old.email_lc, old.name_lc); \
     INSERT INTO users_search(rowid, username_lc, email_lc, name_lc) \
     VALUES (new.seq, new.username_lc, new.email_lc, new.name_lc); END",
];

const DOWN: &[&str] = &[
    "DROP TRIGGER users_search_update",
    "DROP TRIGGER users_search_delete",
    "DROP TABLE search_state",
    "DROP TABLE users_search",
    "CREATE INDEX users_username_sort ON users (username_lc, seq)",
    "CREATE INDEX users_email_sort ON users (email_lc, seq)",
    "CREATE VIRTUAL TABLE users_search USING fts5(username, email, first_name, last_name, \
     content='users', content_rowid='seq', tokenize='trigram')",
    "INSERT INTO users_search(users_search) VALUES ('rebuild')",
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

/// All statements in one call, so on one pooled connection: SQLite checks
/// `CREATE TRIGGER` against the connection's cached schema, and a connection
/// that had not seen the `DROP TRIGGER` (run on another) would refuse to
/// create a trigger of the same name.
async fn run(m: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    if m.get_database_backend() != DbBackend::Sqlite {
        return Ok(());
    }
    m.get_connection()
        .execute_unprepared(&statements.join(";\n"))
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, UP).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, DOWN).await
    }
}
